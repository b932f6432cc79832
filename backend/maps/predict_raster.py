"""A prediction map from an embedding raster, block by block.

Why block by block: an embedding raster of a department is tens of gigabytes; only one block
of ``block_px`` x ``block_px`` pixels (all its bands) is held at a time, so memory does not
grow with the raster. Every valid pixel (all embedding bands finite) is predicted by the
final model (fitted on all points): the probability of presence, the abundance, or one
probability band per class plus a class band (the position of the most probable class in
``classes``); an uncertainty band, the standard deviation of the cross-validation fold models'
predictions (for classes: of the probability of the class picked); and, given an
:class:`.applicability.Aoa`, an area-of-applicability band (1 inside, 0 where the model
extrapolates). Pixels that are nodata in the embedding (NaN, the band's nodata value or
masked, as :func:`.points.valid_window` decides for the points) stay nodata (NaN) in every
band.

Class bands are described by the class *name* when the names are known (``class_names``):
QGIS shows band descriptions in the layer's band list and the renderer, so a user reads
"probability_wet meadow" rather than a code to look up; the codes stay in the
``BOTACLIP_CLASSES`` tag (band value of the class band -> code) and the names in
``BOTACLIP_CLASS_NAMES``. Without names, the codes name the bands.

Speed: the per-pixel work is the model's. A block is read straight into a (pixels, bands)
float32 array in the layout scikit-learn wants (GDAL interleaves it; no transpose copy), all-valid
blocks are predicted without a gather copy, and the blocks GDAL caches for the embedding are
dropped once its cache holds more than :data:`..embed.reader.CACHE_SHARE`, so that memory stays
flat on a raster of any size without changing the process-wide cache limit. The default block
(256 x 256 = 65,536 pixels) is large enough that the per-call cost of a forest's
``predict_proba`` (its thread pool) is amortised (bench/bench_maps.py).

Memory of the COG step: GDAL's COG driver, given a source without overviews, computes them
through the process-wide block cache, which then fills up to its limit (5 % of the RAM by
default: a gigabyte for an 8k x 8k map where a 1k x 1k one needs a few megabytes). So the
overviews are computed here (:func:`build_overviews`, each level from the one below, a chunk
at a time, the cache drained as in the stream) into the temporary GeoTIFF, and the COG
driver, which uses a source's own overviews, only copies and compresses; it reads the
temporary file with GDAL's direct I/O (``GTIFF_DIRECT_IO``, a thread-local option, set for
that call only), which bypasses the block cache. Peak memory then no longer grows with the
map (bench/bench_maps.py measures it).

Output: written like an embedding (:mod:`..embed.cog`): a temporary tiled GeoTIFF beside the
output, block by block, then a COG with band descriptions and ``BOTACLIP_*`` provenance tags,
moved in place only when complete (:func:`..io.atomic.atomic_output`), after the checks of
:func:`..io.outputs.check_output` and under the output's lock for the whole run. A cancelled
or failed run leaves nothing.

At scale (``scheduler``): the same blocks are computed tile by tile on a Dask cluster
(:mod:`..distributed.blockwise`; Dask is imported only then). A tile is a window of whole
blocks streamed by :func:`stream_blocks` itself (:func:`predict_tile`), so every block holds
the pixels and model calls it holds here; the tiles are copied into the temporary GeoTIFF
and the map is finished as above: the same pixels, bands, tags and counts
(:func:`merge_counts`), only the seconds differ (summed over the workers).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal

from .. import __version__
from ..embed.cog import create_temp, read_embedding_tags, write_block, write_cog, write_tags
from ..embed.reader import CACHE_SHARE
from ..errors import BotaclipError
from ..io.atomic import atomic_output, temp_sibling
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..io.raster import open_raster, window_geotransform
from ..progress import SILENT, Progress
from .points import valid_window

PRED_TASKS = ("presence", "presence-only", "abundance", "classes")
PROVENANCE_TAGS = ("BOTACLIP_MODEL_SHA256", "BOTACLIP_BACKBONE", "BOTACLIP_WEIGHTS_SHA256",
                   "BOTACLIP_EMBEDDING", "BOTACLIP_DIM", "BOTACLIP_INPUT")


@dataclass
class PredictResult:
    """What :func:`predict_raster` wrote."""

    out: Path
    bands: list                     # band descriptions, in band order
    width: int
    height: int
    n_valid: int                    # pixels predicted (valid embedding)
    n_nodata: int
    n_inside: int | None            # pixels inside the area of applicability (None: no AOA)
    max_pixels_held: int            # the most pixels held in memory at once (one block)
    seconds: float
    tags: dict = field(default_factory=dict)
    loop_seconds: float = 0.0       # reading, predicting and writing the blocks (no COG)
    model_seconds: float = 0.0      # of which in the models (and the area of applicability)


# ------------------------------------------------------------------------------ models

def _positive_column(model) -> int:
    """The column of ``predict_proba`` that is presence: the larger of two classes (1, True)."""
    classes = list(getattr(model, "classes_", []))
    if len(classes) != 2:
        raise BotaclipError(
            f"A presence model must have been fitted on two classes (absence, presence); "
            f"{type(model).__name__} has {len(classes)}: {classes}. Check the target field.")
    return int(np.argmax(classes))


def _class_columns(model, classes: list) -> np.ndarray:
    """For each class of ``classes``, its column in ``model.predict_proba`` (-1: the model
    never saw it, e.g. a fold without that class: its probability is 0)."""
    seen = {c: i for i, c in enumerate(getattr(model, "classes_", []))}
    return np.array([seen.get(c, -1) for c in classes])


def _values(model, x: np.ndarray, task: str, n_out: int, classes) -> np.ndarray:
    """The model's prediction bands for the rows ``x``: (n, n_out) float64."""
    if task in ("presence", "presence-only"):
        return model.predict_proba(x)[:, _positive_column(model)][:, None]
    if task == "classes":
        cols = _class_columns(model, classes)
        p = model.predict_proba(x)
        out = np.zeros((x.shape[0], len(classes)))
        out[:, cols >= 0] = p[:, cols[cols >= 0]]
        return out
    return np.asarray(model.predict(x), dtype=np.float64).reshape(x.shape[0], n_out)


def class_labels(classes, class_names=None) -> list:
    """What to call each class of ``classes`` in a band description: its name from
    ``class_names`` (a list in the order of ``classes``, or a mapping from the class or its
    text to the name), else the class itself as text."""
    if class_names is None:
        return [str(c) for c in classes]
    if isinstance(class_names, dict):
        return [str(class_names.get(c, class_names.get(str(c), c))) for c in classes]
    names = list(class_names)
    if len(names) != len(classes):
        raise BotaclipError(f"{len(names)} class names for {len(classes)} classes "
                            f"({classes}); give one name per class, in the same order.")
    return [str(n) for n in names]


def _band_names(task: str, target_names: list, classes, n_models: int, aoa,
                class_names=None) -> list:
    if task == "classes":
        names = [f"probability_{c}" for c in class_labels(classes, class_names)] + ["class"]
        unc = ["uncertainty"] if n_models else []
    else:
        kind = "abundance" if task == "abundance" else "probability"
        names = [f"{kind}_{t}" for t in target_names]
        unc = [f"uncertainty_{t}" for t in target_names] if n_models else []
    return names + unc + (["applicability"] if aoa is not None else [])


def predict_pixels(x: np.ndarray, *, models, final_model, task: str, classes, n_out: int,
                   aoa=None) -> np.ndarray:
    """The output bands for valid pixels ``x`` (n, D): (n, bands) float32, in the order of
    the band names (predictions, [class], [uncertainty], [applicability])."""
    main = _values(final_model, x, task, n_out, classes)
    parts = [main]
    if task == "classes":
        pick = np.argmax(main, axis=1)
        parts.append(pick[:, None].astype(np.float64))
    if models:
        folds = np.stack([_values(m, x, task, n_out, classes) for m in models])
        if task == "classes":
            picked = np.take_along_axis(folds, pick[None, :, None], axis=2)[..., 0]
            parts.append(picked.std(axis=0)[:, None])
        else:
            parts.append(folds.std(axis=0))
    if aoa is not None:
        parts.append(aoa.inside(x)[:, None].astype(np.float64))
    return np.concatenate(parts, axis=1).astype(np.float32)


# ------------------------------------------------------------------------------ checks

def _check_args(task, classes, target_names, models, final_model, dim) -> tuple:
    if task not in PRED_TASKS:
        raise BotaclipError(f"Unknown task {task!r}; use one of {', '.join(PRED_TASKS)}.")
    target_names = [str(t) for t in target_names]
    if not target_names or (task != "abundance" and len(target_names) != 1):
        raise BotaclipError(
            f"A {task} map is made for one target at a time (got {len(target_names)}: "
            f"{target_names}); run it once per target.")
    if task == "classes" and (classes is None or len(classes) < 2):
        raise BotaclipError(f"A class map needs the list of at least 2 classes (got {classes});"
                            " pass the classes of the target field.")
    models = list(models or [])
    if len(models) == 1:
        raise BotaclipError("The uncertainty band needs at least 2 cross-validation models "
                            "(got 1); pass all the fold models, or none for no band.")
    for m in [final_model] + models:
        n = getattr(m, "n_features_in_", dim)
        if n != dim:
            raise BotaclipError(
                f"The model {type(m).__name__} was fitted on {n} features but the embedding "
                f"raster has {dim} bands; use the embedding made with the same model.")
    return target_names, list(classes) if classes is not None else None, models


# ------------------------------------------------------------------------------ the run

def predict_raster(embeddings_path, out, *, models, final_model, task: str, classes=None,
                   target_names, aoa=None, tags: dict | None = None, class_names=None,
                   block_px: int = 256, progress: Progress = SILENT,
                   overwrite: bool = False, scheduler=None,
                   tile_pixels: int | None = None) -> PredictResult:
    """Predict every valid pixel of the embedding raster ``embeddings_path`` into the COG
    ``out`` (see the module docstring for the bands). ``models``: the cross-validation fold
    models (the uncertainty band; none or at least 2); ``tags``: more provenance (metrics,
    points layer), written as ``BOTACLIP_*`` metadata; ``class_names``: the names of
    ``classes`` for the band descriptions (default: ``tags["class_names"]`` when given).
    ``scheduler`` (``local[:N]``, ``tcp://HOST:PORT``, a scheduler file or a Dask client):
    the blocks are computed tile by tile on that Dask cluster (``tile_pixels`` pixels a
    tile, about), into the same map (:mod:`..distributed.blockwise`)."""
    t0 = time.perf_counter()
    out = Path(out)
    check_output(out, what="prediction map", owned=is_our_raster, overwrite=overwrite,
                 inputs=input_files(embeddings_path))
    src = open_raster(embeddings_path)
    W, H, D = src.RasterXSize, src.RasterYSize, src.RasterCount
    target_names, classes, models = _check_args(task, classes, target_names, models,
                                                final_model, D)
    tags = dict(tags or {})
    if task == "classes":
        class_names = _class_names_from(class_names, tags, classes)
    names = _band_names(task, target_names, classes, len(models), aoa, class_names)
    n_out = len(target_names)
    with hold_outputs(out, what="prediction map", progress=progress):
        tmp_tif = temp_sibling(out)
        try:
            create_temp(tmp_tif, W, H, len(names), "float32", src.GetGeoTransform(),
                        src.GetProjection(), block_px)
            job = {"names": names, "predict": dict(models=models, final_model=final_model,
                                                   task=task, classes=classes, n_out=n_out,
                                                   aoa=aoa)}
            if scheduler is None:
                stats = stream_blocks(src, tmp_tif, block_px, progress.sub(0.0, 0.85),
                                      lambda x: predict_pixels(x, **job["predict"]), names)
            else:
                stats = merge_counts(on_tiles(
                    embeddings_path, out, tmp_tif, predict_tile, job, "prediction map",
                    scheduler=scheduler, block_px=block_px, tile_pixels=tile_pixels,
                    progress=progress.sub(0.0, 0.85)))
            all_tags = _tags(embeddings_path, task, target_names, classes, final_model,
                             models, aoa, names, stats, tags)
            finish_map(tmp_tif, out, all_tags, names, nearest=task == "classes",
                       overwrite=overwrite, progress=progress)
        finally:
            src = None
            remove_temp(tmp_tif)
    progress.report(1.0, "Prediction map written")
    return PredictResult(out=out, bands=names, width=W, height=H, n_valid=stats["valid"],
                         n_nodata=W * H - stats["valid"], n_inside=stats.get("inside"),
                         max_pixels_held=stats["max_pixels"],
                         seconds=time.perf_counter() - t0, tags=all_tags,
                         loop_seconds=stats["loop_s"], model_seconds=stats["model_s"])


def _class_names_from(class_names, tags: dict, classes: list):
    """The class names to describe the bands with: given, or the ``class_names`` tag; given
    ones are recorded in that tag (index of the class band -> name) when it is missing."""
    if class_names is None:
        class_names = tags.get("class_names", tags.get("BOTACLIP_CLASS_NAMES"))
    elif "class_names" not in tags and "BOTACLIP_CLASS_NAMES" not in tags:
        tags["class_names"] = {str(i): n for i, n in
                               enumerate(class_labels(classes, class_names))}
    return class_names


def read_block(src, c0: int, r0: int, w: int, h: int) -> np.ndarray:
    """The window (c0, r0, w, h) of every band of ``src`` as a C-contiguous (h * w, bands)
    float32 array: GDAL writes it interleaved by pixel, the layout a model takes, so no
    transposed copy is made."""
    d = src.RasterCount
    buf = np.empty((h * w, d), dtype=np.float32)
    src.ReadRaster(c0, r0, w, h, buf_type=gdal.GDT_Float32, buf_pixel_space=4 * d,
                   buf_line_space=4 * d * w, buf_band_space=4, buf_obj=buf)
    return buf


def block_origins(src, block_px: int, window=None) -> list:
    """(c0, r0) of the blocks of ``src`` (or of its ``window`` (c0, r0, w, h), whose origin
    is on block edges: a tile), row by row, and the window's (c0, r0, w, h)."""
    wc, wr, W, H = window or (0, 0, src.RasterXSize, src.RasterYSize)
    return [(c0, r0) for r0 in range(wr, wr + H, block_px)
            for c0 in range(wc, wc + W, block_px)], (wc, wr, W, H)


def stream_blocks(src, tmp_tif: Path, block_px: int, progress: Progress, predict,
                  names, window=None) -> dict:
    """Read, predict and write the raster one block at a time (``predict``: valid pixels
    (n, D) -> (n, len(names)) float32; also used by other block-wise maps); counts of what
    was done and the seconds spent (``loop_s``) and in the models (``model_s``). With
    ``window`` (a tile: c0, r0 on block edges), only its blocks, into ``tmp_tif`` of the
    window's size."""
    blocks, (wc, wr, W, H) = block_origins(src, block_px, window)
    n_blocks = len(blocks)
    stats = {"valid": 0, "max_pixels": 0, "loop_s": 0.0, "model_s": 0.0}
    if names[-1] == "applicability":
        stats["inside"] = 0
    t0 = time.perf_counter()
    dst = gdal.Open(str(tmp_tif), gdal.GA_Update)
    try:
        for i, (c0, r0) in enumerate(blocks):
            progress.check()
            w, h = min(block_px, wc + W - c0), min(block_px, wr + H - r0)
            emb = read_block(src, c0, r0, w, h)                          # (pixels, D)
            if gdal.GetCacheUsed() > CACHE_SHARE:
                src.FlushCache()        # the source's cached blocks: memory stays flat
            valid = valid_window(src, emb.reshape(h, w, -1).transpose(2, 0, 1), c0, r0)
            valid = valid.reshape(-1)
            stats["max_pixels"] = max(stats["max_pixels"], h * w)
            n_valid = int(valid.sum())
            if n_valid:
                tm = time.perf_counter()
                if n_valid == h * w:
                    buf = predict(emb)
                else:
                    buf = np.full((h * w, len(names)), np.nan, dtype=np.float32)
                    buf[valid] = predict(emb[valid])
                stats["model_s"] += time.perf_counter() - tm
                stats["valid"] += n_valid
                if "inside" in stats:
                    stats["inside"] += int(np.nansum(buf[:, -1]))
                write_block(dst, buf.reshape(h, w, len(names)), c0 - wc, r0 - wr, "float32")
            progress.report((i + 1) / n_blocks, f"Predicting block {i + 1}/{n_blocks}")
        progress.check()
    finally:
        dst = None
    stats["loop_s"] = time.perf_counter() - t0
    return stats


# ------------------------------------------------------------------------------ on Dask

def on_tiles(embeddings, out, tmp_tif, tile_fn, payload, what: str, *, scheduler,
             block_px: int, tile_pixels, progress: Progress) -> list:
    """The blocks of a map computed tile by tile on the Dask cluster ``scheduler`` into
    ``tmp_tif`` (:func:`..distributed.blockwise.map_tiles`; Dask is imported only then):
    each tile's statistics, in tile order."""
    from ..distributed.blockwise import TileJob, map_tiles

    return map_tiles(embeddings, out, tmp_tif, TileJob(tile_fn, payload, what),
                     scheduler=scheduler, block_px=block_px, tile_pixels=tile_pixels,
                     progress=progress)


def dask_connection(scheduler, progress: Progress = SILENT):
    """A context giving what to pass on as ``scheduler``: None as it is (no Dask), else a
    client of the cluster, connected now (:func:`..distributed.scheduler.connect`), so that
    a scheduler that does not answer is said before a long fit rather than after it, and
    the cluster serves every map of the call."""
    if scheduler is None:
        return contextlib.nullcontext()
    from ..distributed.blockwise import connected

    return connected(scheduler, progress)


def create_tile(path: Path, src, window, n_bands: int, block_px: int) -> None:
    """A tile's GeoTIFF: the temporary map's layout (float32, NaN nodata, sparse) over the
    ``window`` (c0, r0, w, h) of ``src``."""
    c0, r0, w, h = window
    gt = window_geotransform(src.GetGeoTransform(), c0, r0)
    create_temp(path, w, h, n_bands, "float32", gt, src.GetProjection(), block_px)


def predict_tile(embeddings, tile_path, window, block_px: int, job: dict,
                 progress: Progress) -> dict:
    """One tile of a prediction map, on a Dask worker: the window's blocks read, predicted
    and written exactly as :func:`predict_raster` does them. ``job``: band names and the
    keywords of :func:`predict_pixels` (the models, sent to each worker once)."""
    src = open_raster(embeddings)
    try:
        create_tile(tile_path, src, window, len(job["names"]), block_px)
        return stream_blocks(src, tile_path, block_px, progress,
                             lambda x: predict_pixels(x, **job["predict"]), job["names"],
                             window=window)
    finally:
        src = None


def merge_counts(parts: list) -> dict:
    """The counts of a whole map from its tiles' (:func:`stream_blocks`): pixels added, the
    most held at once, seconds summed over the tiles (worker time, not wall time)."""
    out = {"valid": sum(p["valid"] for p in parts),
           "max_pixels": max((p["max_pixels"] for p in parts), default=0),
           "loop_s": sum(p["loop_s"] for p in parts),
           "model_s": sum(p["model_s"] for p in parts)}
    if parts and "inside" in parts[0]:
        out["inside"] = sum(p["inside"] for p in parts)
    return out


def _tags(embeddings_path, task, target_names, classes, final_model, models, aoa, names,
          stats, extra) -> dict:
    """The provenance of a prediction map: the embedding it came from (and that embedding's
    model), the estimator, the task, targets, classes, bands and area of applicability."""
    src_tags = read_embedding_tags(embeddings_path)
    tags = {
        "BOTACLIP_KIND": "prediction",
        "BOTACLIP_VERSION": __version__,
        "BOTACLIP_TASK": task,
        "BOTACLIP_TARGETS": target_names,
        "BOTACLIP_BANDS": names,
        "BOTACLIP_EMBEDDINGS": recorded_name(embeddings_path),
        "BOTACLIP_EMBEDDINGS_PROVENANCE": {k: src_tags[k] for k in PROVENANCE_TAGS
                                           if k in src_tags},
        "BOTACLIP_ESTIMATOR": {"type": type(final_model).__name__,
                               "params": _params(final_model), "cv_models": len(models)},
        "BOTACLIP_PIXELS": {"valid": stats["valid"], "inside_aoa": stats.get("inside")},
        "BOTACLIP_CREATED": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if classes is not None:
        tags["BOTACLIP_CLASSES"] = {str(i): str(c) for i, c in enumerate(classes)}
    if aoa is not None:
        tags["BOTACLIP_AOA"] = aoa.summary()
    for k, v in (extra or {}).items():
        tags[k if str(k).startswith("BOTACLIP_") else f"BOTACLIP_{str(k).upper()}"] = v
    return tags


def _params(model) -> dict:
    with contextlib.suppress(AttributeError, TypeError):
        return {k: v for k, v in model.get_params(deep=False).items()
                if isinstance(v, (int, float, str, bool, type(None)))}
    return {}


def finish_map(tmp_tif: Path, out: Path, tags: dict, names: list, *, nearest: bool,
               overwrite: bool, progress: Progress, what: str = "prediction map") -> None:
    """Tags and band descriptions on the temporary GeoTIFF, then the COG, moved in place
    (``nearest``: overviews by nearest neighbour, for class bands that must not be
    averaged)."""
    ds = gdal.Open(str(tmp_tif), gdal.GA_Update)
    write_tags(ds, tags, len(names))
    for b, name in enumerate(names, start=1):
        ds.GetRasterBand(b).SetDescription(name)
    ds.FlushCache()
    ds = None
    block = 256 if max(gdal.Open(str(tmp_tif)).RasterXSize, 1) > 512 else 128
    build_overviews(tmp_tif, block, nearest, progress.sub(0.85, 0.9))
    with atomic_output(out, owned=is_our_raster, overwrite=overwrite,
                       what=what) as tmp_out, _direct_io():
        write_cog(tmp_tif, tmp_out, block=block, predictor=True,
                  resampling="NEAREST" if nearest else "AVERAGE", progress=progress,
                  start=0.9, end=1.0, message="Writing the cloud-optimised GeoTIFF")


@contextlib.contextmanager
def _direct_io():
    """GeoTIFFs read by this thread bypass GDAL's block cache (thread-local: other tasks and
    QGIS's rendering are not affected), restored afterwards."""
    old = gdal.GetThreadLocalConfigOption("GTIFF_DIRECT_IO", None)
    gdal.SetThreadLocalConfigOption("GTIFF_DIRECT_IO", "YES")
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption("GTIFF_DIRECT_IO", old)


# ------------------------------------------------------------------------------ overviews

def overview_factors(width: int, height: int, block: int) -> list:
    """The overview levels the COG driver would make: 2, 4, 8, ... until the level fits in
    one ``block`` x ``block`` tile."""
    factors, f = [], 1
    while math.ceil(max(width, height) / f) > block:
        f *= 2
        factors.append(f)
    return factors


def halve(a: np.ndarray, nearest: bool) -> np.ndarray:
    """One overview step of the 2-D array ``a``: the mean of each 2 x 2 cell over its valid
    (finite) pixels, NaN where none is (GDAL's AVERAGE with a NaN nodata), or with
    ``nearest`` the cell's top-left pixel (a class must not be averaged). An odd last row or
    column makes a cell of its own."""
    if nearest:
        return np.ascontiguousarray(a[::2, ::2])
    h, w = a.shape
    if h % 2 or w % 2:
        pad = np.full((h + h % 2, w + w % 2), np.nan, dtype=np.float32)
        pad[:h, :w] = a
        a = pad
    q = a.reshape(a.shape[0] // 2, 2, a.shape[1] // 2, 2)
    ok = np.isfinite(q)
    total = np.where(ok, q, 0.0).sum(axis=(1, 3), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total / ok.sum(axis=(1, 3))).astype(np.float32)


def build_overviews(path: Path, block: int, nearest: bool, progress: Progress = SILENT) -> list:
    """Internal overviews of the temporary GeoTIFF ``path`` (see the module docstring), each
    level from the one below in chunks of 2 ``block`` x 2 ``block`` pixels, GDAL's cache
    drained when it holds more than :data:`CACHE_SHARE`. Returns the factors made."""
    ds = gdal.Open(str(path), gdal.GA_Update)
    try:
        factors = overview_factors(ds.RasterXSize, ds.RasterYSize, block)
        if not factors:
            return []
        ds.BuildOverviews("NONE", factors)          # the levels, empty: filled below
        step = 2 * block
        for level in range(len(factors)):
            bands = [(ds.GetRasterBand(b) if level == 0 else
                      ds.GetRasterBand(b).GetOverview(level - 1),
                      ds.GetRasterBand(b).GetOverview(level))
                     for b in range(1, ds.RasterCount + 1)]
            w, h = bands[0][0].XSize, bands[0][0].YSize
            for r0 in range(0, h, step):
                progress.check()
                for c0 in range(0, w, step):
                    cw, ch = min(step, w - c0), min(step, h - r0)
                    for src, dst in bands:
                        dst.WriteArray(halve(src.ReadAsArray(c0, r0, cw, ch), nearest),
                                       c0 // 2, r0 // 2)
                    if gdal.GetCacheUsed() > CACHE_SHARE:
                        for band in (x for pair in bands for x in pair):
                            band.FlushCache()   # (an overview's blocks stay after ds's)
            progress.report((level + 1) / len(factors), "Computing the overviews")
        ds.FlushCache()
        return factors
    finally:
        ds = None


def remove_temp(path: Path) -> None:
    """Remove a temporary GeoTIFF and its side-car, if there."""
    for p in (path, path.with_name(path.name + ".aux.xml")):
        with contextlib.suppress(OSError):
            p.unlink()
