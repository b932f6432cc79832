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
    backbone_kwargs,
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
        return tr(
            "Streams an orthophoto through a model and writes an embedding raster: the "
            "image is cut into square patches on a grid (patch size and stride in metres), "
            "each patch becomes one pixel whose bands are the patch's embedding. The pixel "
            "size is the stride (default: half the patch, so that patches overlap); a patch "
            "with too few valid image pixels is no-data. An interrupted or cancelled run "
            "continues where it stopped when run again with the same settings.\n\n"
            "Model: a model folder made by 'Train BotaCLIP model' (its backbone, bands and "
            "patch size are used; a weights file given here replaces the backbone weights it "
            "recorded). Without a model folder the raw backbone is used: choose it and its "
            "weights (empty: looked up in the weights folder of BotaCLIP settings), the "
            "sensor or wavelengths of the bands, and the patch size.\n\n"
            "Extent and mask limit the area (the extent is taken in the orthophoto's CRS). "
            "Precision: bfloat16 is used only where its embeddings agree with float32. The "
            "embedding raster is a cloud-optimised GeoTIFF (float16 by default), written "
            "under its final name only when complete.\n\n"
            "Preview: the first three principal components of the embeddings as an RGB "
            "image, loaded visible; the embedding raster itself is loaded unticked.")

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
