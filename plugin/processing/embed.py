"""Processing algorithm ``botaclip:embed``: an orthophoto streamed through a model into an
embedding raster (one band per dimension) and an RGB preview of it."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)

from ..compat import FILE_BEHAVIOR_FOLDER, NUMBER_DOUBLE, NUMBER_INTEGER, SOURCE_VECTOR_POLYGON
from ..i18n import tr
from ..labels import (
    DTYPE_LABELS,
    DTYPES,
    PRECISION_LABELS,
    PRECISIONS,
    choice_label,
)
from .modelparams import (
    WEIGHTS,
    ModelAlgorithm,
    add_backbone_parameters,
    add_device_parameter,
    advanced,
    backbone_help,
    backbone_kwargs,
    device_help,
    device_value,
    embed_cache_dir,
    embed_raster_with_settings,
)

PREVIEW_STYLE = "embedding_preview"


class EmbedAlgorithm(ModelAlgorithm):
    # ORTHO, SENSOR, WAVELENGTHS, PATCH_M: see BotaclipAlgorithm
    MODEL = "MODEL"
    STRIDE_M = "STRIDE_M"
    EXTENT = "EXTENT"
    MASK = "MASK"
    PRECISION = "PRECISION"
    DTYPE = "DTYPE"
    BATCH_SIZE = "BATCH_SIZE"
    MIN_VALID = "MIN_VALID"
    OUTPUT = "OUTPUT"
    PREVIEW = "PREVIEW"

    def name(self) -> str:
        return "embed"

    def displayName(self) -> str:  # noqa: N802
        return tr("Embed orthophoto")

    def shortHelpString(self) -> str:  # noqa: N802
        return "\n".join((tr(
            "Streams an orthophoto through a model and writes an embedding raster: the "
            "image is cut into square patches on a grid, and each patch becomes one pixel "
            "whose bands are the patch's embedding. A patch with too few valid image pixels "
            "is no-data. An interrupted or cancelled run continues where it stopped when run "
            "again with the same settings; the raster appears under its final name only when "
            "complete.\n\n"
            "Inputs\n"
            "Orthophoto: the aerial image to embed, any raster file GDAL reads.\n"
            "Model folder: a model made by 'Train BotaCLIP model'; its backbone, bands and "
            "patch size are used, and a weights file given below replaces the backbone "
            "weights it recorded. Empty: the raw backbone chosen below, without BotaCLIP's "
            "training."),
            backbone_help(), self.band_help(without_model=True), tr(
            "Stride: the distance between patch centres in metres, which is the pixel size "
            "of the embedding raster; 0 (the default) is half the patch size, so that "
            "patches overlap. A smaller stride gives a finer map and a longer run.\n"
            "Extent: limits the run to a rectangle (taken in the orthophoto's CRS), e.g. to "
            "try settings on a small area first; empty, the whole orthophoto.\n"
            "Mask polygons: optional; only patches inside them are embedded, the rest is "
            "no-data.\n"
            "Precision: the model's arithmetic; bfloat16 is about twice as fast on recent "
            "CPUs and GPUs, and Automatic (the default) uses it only where its embeddings "
            "agree with float32."),
            device_help(), tr(
            "Embedding data type: float16 (the default) takes half the disk space of float32 "
            "and is precise enough for maps.\n"
            "Batch size: patches computed at once (an advanced parameter); 0, chosen from "
            "the memory available.\n"
            "Minimum valid fraction of a patch: the share of image pixels a patch needs to "
            "get an embedding (0 to 1, default 0.5).\n\n"
            "Outputs\n"
            "Embeddings: a cloud-optimised GeoTIFF with one band per embedding dimension and "
            "the model's provenance in its tags, loaded unticked (it is read by 'Predict "
            "map', 'Similarity map' and the other map tools, not looked at).\n"
            "Embedding preview: optional, the first three principal components of the "
            "embeddings as an RGB image, loaded visible: places the model sees alike get "
            "alike colours.")))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.ORTHO, tr("Orthophoto")))
        self.addParameter(QgsProcessingParameterFile(
            self.MODEL, tr("Model folder (empty: the raw backbone below)"),
            FILE_BEHAVIOR_FOLDER, "", None, True))
        add_backbone_parameters(self)
        self.add_band_parameters(without_model=True)
        self.addParameter(QgsProcessingParameterNumber(
            self.STRIDE_M, tr("Stride (m; 0: half the patch size)"), NUMBER_DOUBLE, 0.0,
            False, 0.0))
        self.addParameter(QgsProcessingParameterExtent(
            self.EXTENT, tr("Extent (empty: the whole orthophoto)"), None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.MASK, tr("Mask polygons (optional)"), [SOURCE_VECTOR_POLYGON], None, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.PRECISION, tr("Precision"),
            [choice_label(PRECISION_LABELS, p) for p in PRECISIONS], False, 0))
        add_device_parameter(self)
        self.addParameter(QgsProcessingParameterEnum(
            self.DTYPE, tr("Embedding data type"),
            [choice_label(DTYPE_LABELS, d) for d in DTYPES], False, 0))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.BATCH_SIZE, tr("Batch size (0: automatic)"), NUMBER_INTEGER, 0, False, 0,
            4096)))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.MIN_VALID, tr("Minimum valid fraction of a patch"), NUMBER_DOUBLE, 0.5,
            False, 0.0, 1.0)))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Embeddings")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.PREVIEW, tr("Embedding preview (RGB)"), None, True, True))

    def supportedOutputRasterLayerExtensions(self) -> list[str]:  # noqa: N802
        return ["tif"]

    def run_backend(self, parameters, context, progress):
        layer = self.parameterAsRasterLayer(parameters, self.ORTHO, context)
        ortho = self.raster_path(parameters, self.ORTHO, context)
        model = self.parameterAsFile(parameters, self.MODEL, context).strip()
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        preview = self.parameterAsOutputLayer(parameters, self.PREVIEW, context) or None
        if model:
            # the model knows its backbone, bands and patch size; a weights file given here
            # replaces the one it recorded (a model trained on another computer)
            weights = self.parameterAsFile(parameters, WEIGHTS, context).strip() or None
            kwargs = {"model": model, "weights": weights}
        else:
            kwargs = dict(backbone_kwargs(self, parameters, context),
                          **self.band_kwargs(parameters, context))
        extent = None
        if parameters.get(self.EXTENT) not in (None, ""):
            rect = self.parameterAsExtent(parameters, self.EXTENT, context, layer.crs())
            if not rect.isNull() and not rect.isEmpty():
                extent = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        mask = None
        if parameters.get(self.MASK) not in (None, ""):
            mask = self.vector_path(parameters, self.MASK, context)
        stride = self.parameterAsDouble(parameters, self.STRIDE_M, context)
        batch = self.parameterAsInt(parameters, self.BATCH_SIZE, context)
        result = embed_raster_with_settings(
            ortho=ortho, out=out, **kwargs, stride_m=stride if stride > 0 else None,
            extent=extent, mask=mask, preview=preview,
            device=device_value(self, parameters, context),
            precision=PRECISIONS[self.parameterAsEnum(parameters, self.PRECISION, context)],
            batch_size=batch or None,
            dtype=DTYPES[self.parameterAsEnum(parameters, self.DTYPE, context)],
            min_valid=self.parameterAsDouble(parameters, self.MIN_VALID, context),
            cache_dir=embed_cache_dir(), progress=progress)
        out = str(result.out)
        self.style_on_load(context, out, None, visible=False)
        results = {self.OUTPUT: out}
        if result.preview:
            preview = str(result.preview)
            self.style_on_load(context, preview, PREVIEW_STYLE)
            results[self.PREVIEW] = preview
        return results
