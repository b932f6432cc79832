"""Processing algorithm ``botaclip:embed``: an orthophoto streamed through a model into an
embedding raster (one band per dimension) and an RGB preview of it; in this process, or tile
by tile on a Dask cluster (:func:`embed_with_settings`, which the Embed dialog runs too).

Parameter ids (stable: models and scripts name them): ORTHO, MODEL, the backbone's (BACKBONE,
TIMM_MODEL, WEIGHTS, RANDOM_WEIGHTS), the bands' (SENSOR, WAVELENGTHS, PATCH_M), STRIDE_M,
EXTENT, MASK, PRECISION (0 auto, 1 float32, 2 bfloat16, 3 int8), DEVICE, DTYPE, and the
advanced BATCH_SIZE, MIN_VALID, CALIBRATE, SCHEDULER, KEEP_TILES, TILE_PATCHES; outputs
OUTPUT and PREVIEW.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ...backend.errors import BotaclipError
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
    with_weights_file,
)

PREVIEW_STYLE = "embedding_preview"

# Patches per tile: backend.distributed.tiles' bounds and default (not imported: the plugin
# imports no backend.distributed module while QGIS loads it; the tests check they agree).
MIN_TILE_PATCHES, MAX_TILE_PATCHES, DEFAULT_TILE_PATCHES = 64, 1 << 22, 4096
# calibrate: the backend's mode for the check box (off: auto, i.e. measured once per machine,
# model and precision, and only for a run large enough to pay for it)
CALIBRATE_MODES = {True: "always", False: "auto"}


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
    CALIBRATE = "CALIBRATE"
    SCHEDULER = "SCHEDULER"
    KEEP_TILES = "KEEP_TILES"
    TILE_PATCHES = "TILE_PATCHES"
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
            "agree with float32. int8 (CPU only) quantises the model's linear layers: "
            "fastest on some CPUs, but it changes results (with DOFA base, about one patch "
            "in twenty got another nearest neighbour than in float32), so Automatic never "
            "takes it; asked for, it is used, with a warning giving its measured agreement "
            "with float32 when that is low."),
            device_help(), tr(
            "Embedding data type: float16 (the default) takes half the disk space of float32 "
            "and is precise enough for maps.\n"
            "Batch size: patches computed at once (an advanced parameter); 0, chosen from "
            "the memory available.\n"
            "Minimum valid fraction of a patch: the share of image pixels a patch needs to "
            "get an embedding (0 to 1, default 0.5).\n"
            "Measure the best batch size and reader threads on this machine first: times a "
            "few batches at the start (seconds to a minute) and keeps the result for later "
            "runs with the same model and precision; off (the default), they are measured "
            "once per machine, model and precision, and only for runs large enough to pay "
            "for it (an advanced parameter).\n"
            "Dask scheduler: empty (the default), the run stays in this process. Given, the "
            "grid is cut into tiles computed on a Dask cluster: local or local:N starts N "
            "worker processes on this computer, tcp://HOST:PORT or the .json file a "
            "scheduler wrote joins a running cluster (its workers must see the orthophoto, "
            "the model and the output folder under the same paths). The raster is the same; "
            "an interrupted run continues from its finished tiles, kept in a folder beside "
            "the output (NAME.tiles). Needs the Python package dask[distributed].\n"
            "Keep the tiles: with a Dask scheduler, keep the tile folder and write a VRT "
            "(the output's name with .vrt) over the tiles instead of one GeoTIFF.\n"
            "Patches per tile: with a Dask scheduler, about this many patches per tile "
            "(empty: 4096).\n\n"
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
        self._add_scale_parameters()
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Embeddings")))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.PREVIEW, tr("Embedding preview (RGB)"), None, True, True))

    def _add_scale_parameters(self) -> None:
        """Advanced: calibration, and the Dask scheduler with its tile options."""
        self.addParameter(advanced(QgsProcessingParameterBoolean(
            self.CALIBRATE, tr("Measure the best batch size and reader threads on this "
                               "machine first"), False)))
        self.addParameter(advanced(QgsProcessingParameterString(
            self.SCHEDULER, tr("Dask scheduler (empty: run in this process; local, local:N, "
                               "tcp://HOST:PORT or a scheduler file)"), None, False, True)))
        self.addParameter(advanced(QgsProcessingParameterBoolean(
            self.KEEP_TILES, tr("Keep the tiles (with a Dask scheduler: a VRT over them "
                                "instead of one GeoTIFF)"), False)))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.TILE_PATCHES, tr("Patches per tile (with a Dask scheduler; empty: 4096)"),
            NUMBER_INTEGER, None, True, MIN_TILE_PATCHES, MAX_TILE_PATCHES)))

    def supportedOutputRasterLayerExtensions(self) -> list[str]:  # noqa: N802
        return ["tif"]

    def scale_kwargs(self, parameters, context) -> dict:
        """``calibrate``, and ``scheduler``, ``keep_tiles``, ``tile_patches`` where a Dask
        scheduler is given (the tile options without one are refused, not ignored)."""
        scheduler = self.parameterAsString(parameters, self.SCHEDULER, context).strip()
        keep = self.parameterAsBool(parameters, self.KEEP_TILES, context)
        patches = None
        if parameters.get(self.TILE_PATCHES) not in (None, ""):
            patches = self.parameterAsInt(parameters, self.TILE_PATCHES, context)
        if not scheduler and (keep or patches):
            raise QgsProcessingException(tr(
                "'Keep the tiles' and 'Patches per tile' go with a Dask scheduler (a run tile "
                "by tile): give one, or leave them unset."))
        kwargs = {"calibrate": CALIBRATE_MODES[
            self.parameterAsBool(parameters, self.CALIBRATE, context)]}
        if scheduler:
            kwargs.update(scheduler=scheduler, keep_tiles=keep, tile_patches=patches)
        return kwargs

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
        kwargs.update(self.scale_kwargs(parameters, context))
        result = embed_with_settings(
            ortho=ortho, out=out, **kwargs, stride_m=stride if stride > 0 else None,
            extent=extent, mask=mask, preview=preview,
            device=device_value(self, parameters, context),
            precision=PRECISIONS[self.parameterAsEnum(parameters, self.PRECISION, context)],
            batch_size=batch or None,
            dtype=DTYPES[self.parameterAsEnum(parameters, self.DTYPE, context)],
            min_valid=self.parameterAsDouble(parameters, self.MIN_VALID, context),
            cache_dir=embed_cache_dir(), progress=progress)
        out = load_instead(context, out, str(result.out))     # a VRT with kept tiles
        self.style_on_load(context, out, None, visible=False)
        results = {self.OUTPUT: out}
        if result.preview:
            preview = str(result.preview)
            self.style_on_load(context, preview, PREVIEW_STYLE)
            results[self.PREVIEW] = preview
        return results


def load_instead(context, asked: str, written: str) -> str:
    """``written``, loaded at the end in place of ``asked`` when they differ (with kept
    tiles the backend writes NAME.vrt, not the NAME.tif Processing was given)."""
    if os.path.normcase(os.path.abspath(asked)) != os.path.normcase(os.path.abspath(written)) \
            and context.willLoadLayerOnCompletion(asked):
        layers = context.layersToLoadOnCompletion()
        layers[written] = layers.pop(asked)
        context.setLayersToLoadOnCompletion(layers)
    return written


# ----------------------------------------------------------------------------- the run

def embed_with_settings(*, scheduler: str | None = None, keep_tiles: bool = False,
                        tile_patches: int | None = None, **kwargs):
    """The embedding the algorithm and the Embed dialog run, in the task's thread: with no
    ``scheduler``, :func:`embed_raster_with_settings` in this process; with one, the same
    settings tile by tile on Dask (:func:`embed_on_dask`). Dask is imported only then."""
    scheduler = str(scheduler or "").strip()
    if not scheduler:
        return embed_raster_with_settings(**kwargs)
    return embed_on_dask(scheduler, keep_tiles=keep_tiles, tile_patches=tile_patches,
                         **kwargs)


def embed_on_dask(scheduler: str, *, keep_tiles: bool = False, tile_patches: int | None = None,
                  ortho, out, preview=None, weights_dir=None, cache_dir=None, progress,
                  **settings):
    """``backend.distributed.embed_distributed`` with the weights folder of the settings (as
    :func:`embed_raster_with_settings`). ``cache_dir`` is not used: a distributed run keeps
    its resume state in the tile folder beside ``out``, where every worker sees it."""
    del cache_dir
    settings = with_weights_file(settings, weights_dir)
    try:
        from ...backend.distributed import embed_distributed

        with workers_python(scheduler):
            return in_own_thread(
                embed_distributed, ortho, out, scheduler=scheduler, keep_tiles=keep_tiles,
                tile_patches=tile_patches or DEFAULT_TILE_PATCHES, preview=preview,
                progress=progress, **settings)
    except ImportError as exc:
        if str(exc.name or "").split(".")[0] not in ("dask", "distributed"):
            raise
        raise BotaclipError(tr(
            "A Dask scheduler needs the Python package dask[distributed], which QGIS's "
            "Python lacks ({error}). Install it in that Python (pip install "
            "\"dask[distributed]\"), or leave the Dask scheduler empty to embed in this "
            "process.").format(error=exc)) from exc


def in_own_thread(function, *args, **kwargs):
    """``function(*args, **kwargs)`` in a thread of its own, waited for; its result returned,
    its exception raised here. Why: Dask's client can keep an exception of its timed waits
    (the run polls the cluster every half second) after the run, and with it every frame
    below the call, whose callers' frames hold the Processing context: the context and its
    layers then outlive the run (measured on a small run: still alive after gc.collect(),
    destroyed only after QGIS had closed GDAL, a crash). In its own thread the call has no
    caller frame to keep."""
    box: dict = {}

    def run():
        try:
            box["result"] = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001  (raised again in the caller's thread)
            box["error"] = exc

    thread = threading.Thread(target=run, name="botaclip-dask-client", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box.pop("error")
    return box.pop("result")


# local clusters running now, and the multiprocessing executable before the first of them
_SPAWN = {"lock": threading.Lock(), "runs": 0, "before": None}


@contextlib.contextmanager
def workers_python(scheduler: str):
    """Start a local cluster's worker processes with the Python that runs QGIS. Dask starts
    them as Python's multiprocessing does, with ``sys.executable``, which inside QGIS is the
    QGIS program itself or whatever "python3" comes first on PATH (measured under
    qgis_process: a pyenv shim, whose workers failed to start), not the interpreter whose
    packages this process uses. Set while a local cluster runs (it restarts a lost worker
    the same way) and put back when the last one ends."""
    from multiprocessing import spawn

    python = local_python() if scheduler.lower().startswith("local") else None
    if not python:
        yield
        return
    with _SPAWN["lock"]:
        if _SPAWN["runs"] == 0:
            _SPAWN["before"] = os.fsdecode(spawn.get_executable())
            spawn.set_executable(python)
        _SPAWN["runs"] += 1
    try:
        yield
    finally:
        with _SPAWN["lock"]:
            _SPAWN["runs"] -= 1
            if _SPAWN["runs"] == 0:
                spawn.set_executable(_SPAWN["before"])


def local_python() -> str | None:
    """The path of this process's Python interpreter (None when not found): QGIS's own, as
    the dependency check finds it, or python.exe of its prefix on Windows."""
    from ..deps import qgis_python

    if sys.platform.startswith("win"):
        path = os.path.join(sys.base_exec_prefix, "python.exe")
        return path if os.path.isfile(path) else None
    path = qgis_python().python
    return path if os.path.isabs(path) and os.path.isfile(path) else None
