"""The BotaCLIP Processing provider: id ``botaclip``, name "BotaCLIP"."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from .apply import ApplyAlgorithm
from .check import CheckAlgorithm
from .demodata import DemoDataAlgorithm
from .embed import EmbedAlgorithm
from .evaluate import EvaluateAlgorithm
from .habitats import HabitatsAlgorithm
from .importreleves import ImportRelevesAlgorithm
from .predict import PredictAlgorithm
from .similarity import SimilarityAlgorithm
from .suitability import SuitabilityAlgorithm
from .train import TrainAlgorithm

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "botaclip.svg"

ALGORITHMS = (DemoDataAlgorithm, CheckAlgorithm, ImportRelevesAlgorithm, TrainAlgorithm,
              EmbedAlgorithm, PredictAlgorithm, ApplyAlgorithm, EvaluateAlgorithm,
              SimilarityAlgorithm, SuitabilityAlgorithm, HabitatsAlgorithm)


class BotaclipProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "botaclip"

    def name(self) -> str:
        return "BotaCLIP"

    def longName(self) -> str:  # noqa: N802
        from ...backend import __version__

        return tr("BotaCLIP {version}: botany-aware embeddings from orthophotos and "
                  "relevés").format(version=__version__)

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:  # noqa: N802
        return str(ICON)

    def loadAlgorithms(self) -> None:  # noqa: N802
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())

    def supportedOutputVectorLayerExtensions(self) -> list[str]:  # noqa: N802
        # what the backend writes (shapefiles would cut taxon names to 10 characters)
        return ["gpkg", "geojson", "fgb"]
