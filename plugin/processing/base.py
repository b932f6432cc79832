"""What every BotaCLIP algorithm shares: translation, group, the call to the backend with
a progress adapter, BotaclipError -> QgsProcessingException with the same message, and the
orthophoto / relevé / band parameters of check, train and embed (declared and read alike)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProcessingUtils,
    QgsProject,
)
from qgis.PyQt.QtCore import QTimer

from ...backend.errors import BotaclipError
from ..compat import (
    FIELD_TYPE_ANY,
    FIELD_TYPE_NUMERIC,
    NUMBER_DOUBLE,
    SOURCE_VECTOR_POINT,
    SOURCE_VECTOR_POLYGON,
)
from ..i18n import tr
from ..labels import cover_scale_label, cover_scales, sensor_choices
from ..layers import (
    apply_style,
    raster_source,
    remove_copies,
    set_layer_visible,
    vector_source,
)
from ..progress import FeedbackProgress


class BotaclipAlgorithm(QgsProcessingAlgorithm):
    """Subclasses define ``name()``, ``displayName()``, ``shortHelpString()``,
    ``initAlgorithm()`` and ``run_backend(parameters, context, progress)`` returning the results."""

    # the ids of the parameters declared by add_releve_parameters / add_band_parameters
    ORTHO = "ORTHO"
    RELEVES = "RELEVES"
    PLOT_ID = "PLOT_ID"
    SPECIES_COLUMNS = "SPECIES_COLUMNS"
    EXCLUDE_COLUMNS = "EXCLUDE_COLUMNS"
    COVER_SCALE = "COVER_SCALE"
    SENSOR = "SENSOR"
    WAVELENGTHS = "WAVELENGTHS"
    PATCH_M = "PATCH_M"

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
        from ..settings import Settings, apply_threads

        progress = FeedbackProgress(feedback)
        self._copies: list = []          # temporary copies of layers, removed at the end
        try:
            apply_threads(Settings().threads)
            return self.run_backend(parameters, context, progress)
        except BotaclipError as exc:
            raise QgsProcessingException(str(exc)) from exc
        except ImportError as exc:
            raise QgsProcessingException(tr(
                "A Python package BotaCLIP needs is missing ({error}). Open BotaCLIP > "
                "Settings… or the BotaCLIP message for how to install it.").format(
                    error=exc)) from exc
        finally:
            remove_copies(self._copies)

    def run_backend(self, parameters, context, progress):
        raise NotImplementedError

    # -- parameters shared by check, train and embed
    def add_releve_parameters(self, *, exclude_columns: bool = False) -> None:
        """Orthophoto, relevés, plot id, taxon columns, (columns that are not taxa,) cover
        scale."""
        self.addParameter(QgsProcessingParameterRasterLayer(self.ORTHO, tr("Orthophoto")))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.RELEVES, tr("Relevés"), [SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.PLOT_ID, tr("Plot id column"), None, self.RELEVES, FIELD_TYPE_ANY,
            False, True))
        self.addParameter(QgsProcessingParameterField(
            self.SPECIES_COLUMNS, tr("Taxon columns (default: every numeric column)"), None,
            self.RELEVES, FIELD_TYPE_NUMERIC, True, True))
        if exclude_columns:
            self.addParameter(QgsProcessingParameterField(
                self.EXCLUDE_COLUMNS, tr("Columns that are not taxa"), None, self.RELEVES,
                FIELD_TYPE_ANY, True, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.COVER_SCALE, tr("Cover scale"), [cover_scale_label(s) for s in cover_scales()],
            False, 0))

    def add_band_parameters(self, *, without_model: bool = False) -> None:
        """Sensor, band wavelengths and patch size; ``without_model``: their labels say they
        apply only without a model folder (embed)."""
        if without_model:
            labels = (tr("Sensor (without a model folder)"),
                      tr("Band wavelengths in micrometres (without a model folder)"),
                      tr("Patch size (m; without a model folder)"))
        else:
            labels = (tr("Sensor"), tr("Band wavelengths in micrometres (e.g. 0.665,0.56,0.49)"),
                      tr("Patch size (m)"))
        self.addParameter(QgsProcessingParameterEnum(
            self.SENSOR, labels[0], [label for _name, label in sensor_choices()], False, 0))
        self.addParameter(QgsProcessingParameterString(
            self.WAVELENGTHS, labels[1], None, False, True))
        self.addParameter(QgsProcessingParameterNumber(
            self.PATCH_M, labels[2], NUMBER_DOUBLE, 100.0, False, 0.1))

    @staticmethod
    def releve_help(*, exclude_columns: bool = False) -> str:
        """The help lines of the parameters of :meth:`add_releve_parameters`."""
        text = tr(
            "Orthophoto: the aerial image, any raster file GDAL reads (GeoTIFF, JPEG 2000, "
            "VRT...), with its bands named or its sensor given below.\n"
            "Relevés: the vegetation plots, one point (or polygon) per plot with one numeric "
            "column per taxon (cover, presence or counts). Relevés kept as a long table (plot, "
            "taxon, cover) go through 'Import relevés from a long table' first.\n"
            "Plot id column: the column that names each plot; empty, 'plot_id' if there is "
            "one, else the feature id.\n"
            "Taxon columns: the columns that hold taxa; empty (the default), every numeric "
            "column except the plot id, coordinates and elevation.")
        if exclude_columns:
            text += "\n" + tr(
                "Columns that are not taxa: numeric columns to leave out of that default "
                "(a year, a slope...).")
        return text + "\n" + tr(
            "Cover scale: how the covers are written. Automatic (the default) recognises "
            "Braun-Blanquet codes, presence marks, fractions, percentages and counts; choose "
            "the scale when numbers alone are ambiguous (1 to 5 could be codes or percent).")

    @staticmethod
    def band_help(*, without_model: bool = False) -> str:
        """The help lines of the parameters of :meth:`add_band_parameters`."""
        text = tr(
            "Sensor: which camera or satellite took the image, so that each band gets its "
            "wavelength; Automatic (the default) reads the band names or colours of the "
            "file.\n"
            "Band wavelengths in micrometres: the centre wavelength of each band, in band "
            "order, e.g. 0.665,0.56,0.49,0.842 for red, green, blue and near-infrared; they "
            "override the sensor. Empty: from the sensor.\n"
            "Patch size: the side of the square of image the model reads around each plot "
            "or output pixel, in metres (default 100, as in the BotaCLIP paper).")
        if without_model:
            text += "\n" + tr(
                "Sensor, Band wavelengths and Patch size are used only without a model "
                "folder: a model names its own bands and patch size.")
        return text

    def releve_inputs(self, parameters, context) -> dict:
        """``ortho``, ``releves`` (files) and ``options`` (a ReleveOptions) for the backend,
        from the parameters of :meth:`add_releve_parameters`."""
        from ...backend.releves import ReleveOptions

        ortho = self.raster_path(parameters, self.ORTHO, context)
        releves = self.vector_path(parameters, self.RELEVES, context)
        plot_id = self.parameterAsFields(parameters, self.PLOT_ID, context)
        species = self.parameterAsFields(parameters, self.SPECIES_COLUMNS, context)
        exclude = (self.parameterAsFields(parameters, self.EXCLUDE_COLUMNS, context)
                   if self.parameterDefinition(self.EXCLUDE_COLUMNS) is not None else [])
        scale = cover_scales()[self.parameterAsEnum(parameters, self.COVER_SCALE, context)]
        options = ReleveOptions(plot_id=plot_id[0] if plot_id else None,
                                species_columns=species or None,
                                exclude_columns=exclude or None, cover_scale=scale)
        return {"ortho": ortho, "releves": releves, "options": options}

    def band_kwargs(self, parameters, context) -> dict:
        """``sensor``, ``wavelengths`` and ``patch_m`` for the backend, from the parameters
        of :meth:`add_band_parameters`."""
        sensor = sensor_choices()[self.parameterAsEnum(parameters, self.SENSOR, context)][0]
        wavelengths = self.parameterAsString(parameters, self.WAVELENGTHS, context).strip()
        return {"sensor": sensor, "wavelengths": wavelengths or None,
                "patch_m": self.parameterAsDouble(parameters, self.PATCH_M, context)}

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
        source = vector_source(layer, QgsProcessingUtils.tempFolder())
        if hasattr(self, "_copies"):
            self._copies.append(source)     # a LayerCopy's folder goes when the run ends
        return source

    @staticmethod
    def style_on_load(context, path: str, style, *, visible: bool = True) -> None:
        """Apply ``resources/styles/<style>.qml`` (or call ``style(layer)`` when it is a
        function: styles built from the file) when QGIS loads ``path`` at the end, and
        leave it unticked in the layer tree when ``visible`` is False."""
        if context.willLoadLayerOnCompletion(path):
            details = context.layerToLoadOnCompletionDetails(path)
            details.setPostProcessor(StylePostProcessor.create(style, visible=visible))


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Styles a layer Processing loads, and unticks it if asked. QGIS keeps only a C++
    pointer to a post-processor, so the Python objects are kept alive here."""

    _alive: list = []

    def __init__(self, style, visible: bool = True):
        super().__init__()
        self.style = style          # a style name, a function of the layer, or None
        self.visible = visible

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if layer is None:
            return
        if callable(self.style):
            self.style(layer)
        elif self.style:
            apply_style(layer, self.style)
        if not self.visible:
            project = context.project() or QgsProject.instance()
            if not set_layer_visible(layer, False, project):
                # QGIS versions that put the layer in the tree after post-processing
                layer_id = layer.id()
                QTimer.singleShot(0, lambda: _untick(project, layer_id))

    @classmethod
    def create(cls, style, visible: bool = True) -> StylePostProcessor:
        p = cls(style, visible)
        cls._alive.append(p)
        del cls._alive[:-50]
        return p


def _untick(project, layer_id: str) -> None:
    layer = project.mapLayer(layer_id)
    if layer is not None:
        set_layer_visible(layer, False, project)
