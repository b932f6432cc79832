"""Processing algorithm ``botaclip:apply``: a predictor saved by ``botaclip:predict`` mapped
onto another embedding raster (another area or year, embedded with the same model)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ..compat import FILE_BEHAVIOR_FILE
from ..i18n import tr
from ..layers import style_prediction_layer
from .predict import PREDICTOR_FILTER, MapAlgorithm


class ApplyAlgorithm(MapAlgorithm):
    PREDICTOR = "PREDICTOR"
    EMBEDDINGS = "EMBEDDINGS"
    OUTPUT = "OUTPUT"

    def name(self) -> str:
        return "apply"

    def displayName(self) -> str:  # noqa: N802
        return tr("Apply predictor")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Maps an embedding raster with a predictor saved by 'Predict map' (its "
            "'Saved predictor' output): another area, another year, or the same raster again. "
            "Nothing is fitted: the saved model, its cross-validation models and its area of "
            "applicability are used as they are, so that on the raster it was fitted on it "
            "gives the very map 'Predict map' wrote.\n\n"
            "Inputs\n"
            "Saved predictor: the .zip file written by 'Predict map'. It holds numbers and "
            "scikit-learn settings only and cannot run code when read. A file that is not "
            "a BotaCLIP predictor is refused; one saved by another scikit-learn version is "
            "used with a warning.\n"
            "Embedding raster: made by 'Embed orthophoto' with the same model as the one the "
            "predictor was fitted on. Another model (or another backbone or band count) is "
            "refused with both named, since its bands mean something else; a raster without "
            "BotaCLIP's provenance tags is mapped with a warning.\n"
            "Prediction map: where the map is written (a GeoTIFF).\n\n"
            "Outputs\n"
            "Prediction map: a cloud-optimised GeoTIFF with the same bands as the predicted "
            "map (prediction, uncertainty, area of applicability), loaded styled.\n"
            "Pixels mapped and Pixels inside the area of applicability: how much of the "
            "raster the predictor could map, and how much of it without extrapolating.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            self.PREDICTOR, tr("Saved predictor"), FILE_BEHAVIOR_FILE, "", None, False,
            tr(PREDICTOR_FILTER)))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.EMBEDDINGS, tr("Embedding raster")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Prediction map")))
        self.addOutput(QgsProcessingOutputNumber("N_PIXELS", tr("Pixels mapped")))
        self.addOutput(QgsProcessingOutputNumber(
            "N_INSIDE", tr("Pixels inside the area of applicability")))

    def supportedOutputRasterLayerExtensions(self) -> list[str]:  # noqa: N802
        return ["tif"]

    def run_backend(self, parameters, context, progress):
        from ...backend.maps.apply import apply_predictor

        res = apply_predictor(
            self.parameterAsFile(parameters, self.PREDICTOR, context),
            self.raster_path(parameters, self.EMBEDDINGS, context),
            self.parameterAsOutputLayer(parameters, self.OUTPUT, context), progress=progress)
        out = str(res.out)
        self.style_on_load(context, out, style_prediction_layer)
        return {self.OUTPUT: out, "N_PIXELS": res.n_valid,
                "N_INSIDE": res.n_inside if res.n_inside is not None else float("nan")}
