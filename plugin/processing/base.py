"""What every BotaCLIP algorithm shares: translation, group, the call to the backend with
a progress adapter, and BotaclipError -> QgsProcessingException with the same message."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingUtils,
    QgsProject,
)
from qgis.PyQt.QtCore import QTimer

from ...backend.errors import BotaclipError
from ..i18n import tr
from ..layers import apply_style, raster_source, set_layer_visible, vector_source
from ..progress import FeedbackProgress


class BotaclipAlgorithm(QgsProcessingAlgorithm):
    """Subclasses define ``name()``, ``displayName()``, ``shortHelpString()``,
    ``initAlgorithm()`` and ``run_backend(parameters, context, progress)`` returning the results."""

    def tr(self, text: str) -> str:
        return tr(text)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def group(self) -> str:
        return tr("Data")

    def groupId(self) -> str:  # noqa: N802
        return "data"

    def helpUrl(self) -> str:  # noqa: N802
        from ..help import help_url

        return help_url(self.name()).toString()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        progress = FeedbackProgress(feedback)
        try:
            return self.run_backend(parameters, context, progress)
        except BotaclipError as exc:
            raise QgsProcessingException(str(exc)) from exc
        except ImportError as exc:
            raise QgsProcessingException(tr(
                "A Python package BotaCLIP needs is missing ({error}). Open BotaCLIP > "
                "Settings… or the BotaCLIP message for how to install it.").format(
                    error=exc)) from exc

    def run_backend(self, parameters, context, progress):
        raise NotImplementedError

    # -- inputs as files for the backend
    def raster_path(self, parameters, name, context) -> str:
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            raise QgsProcessingException(tr("Cannot open the raster given as {name}.").format(
                name=name))
        return raster_source(layer)

    def vector_path(self, parameters, name, context) -> str:
        layer = self.parameterAsVectorLayer(parameters, name, context)
        if layer is None:
            raise QgsProcessingException(tr("Cannot open the layer given as {name}.").format(
                name=name))
        return vector_source(layer, QgsProcessingUtils.tempFolder())

    @staticmethod
    def style_on_load(context, path: str, style: str | None, *, visible: bool = True) -> None:
        """Apply ``resources/styles/<style>.qml`` when QGIS loads ``path`` at the end, and
        leave it unticked in the layer tree when ``visible`` is False."""
        if context.willLoadLayerOnCompletion(path):
            details = context.layerToLoadOnCompletionDetails(path)
            details.setPostProcessor(StylePostProcessor.create(style, visible=visible))


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Styles a layer Processing loads, and unticks it if asked. QGIS keeps only a C++
    pointer to a post-processor, so the Python objects are kept alive here."""

    _alive: list = []

    def __init__(self, style: str | None, visible: bool = True):
        super().__init__()
        self.style = style
        self.visible = visible

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if layer is None:
            return
        if self.style:
            apply_style(layer, self.style)
        if not self.visible:
            project = context.project() or QgsProject.instance()
            if not set_layer_visible(layer, False, project):
                # QGIS versions that put the layer in the tree after post-processing
                layer_id = layer.id()
                QTimer.singleShot(0, lambda: _untick(project, layer_id))

    @classmethod
    def create(cls, style: str | None, visible: bool = True) -> StylePostProcessor:
        p = cls(style, visible)
        cls._alive.append(p)
        del cls._alive[:-50]
        return p


def _untick(project, layer_id: str) -> None:
    layer = project.mapLayer(layer_id)
    if layer is not None:
        set_layer_visible(layer, False, project)
