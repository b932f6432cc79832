"""The embedding rasters on disk: the temporary tiled GeoTIFF written block by block, its
metadata tags, the cloud-optimised GeoTIFF made from it, and the GDAL settings of a run.

Output. A COG (GDAL's COG driver: tiled, ZSTD or DEFLATE with the floating-point predictor,
average overviews), float16 (GDAL's half-float GeoTIFF: Float32 with ``NBITS=16``) or float32,
nodata NaN, band descriptions ``emb_000``..., and metadata tags (``BOTACLIP_*``: the bundle's
sha256 or the backbone's name, weights sha256 and random-weights flag; the precision and its
check; the input; the settings; how invalid pixels inside a patch were filled and the least
valid fraction a patch needed (``BOTACLIP_NODATA``); software versions; creation time).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import numpy as np
from osgeo import gdal

from .. import __version__
from ..errors import BotaclipError, Cancelled
from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..progress import Progress

FLOAT16_MAX = 65504.0
_FLOAT16_NOISE = "beyond range of float16"


# ------------------------------------------------------------------------------ GDAL settings
#
# Nothing here changes a process-wide GDAL setting: in QGIS a Train and an Embed task (and
# the map canvas) share one GDAL, so a cache limit or an exceptions switch set by one would
# change the others. Memory is bounded per dataset instead (a reader drops its own cached
# blocks when GDAL's cache holds more than its share: reader.CACHE_SHARE,
# PatchReader.drop_cached_blocks), threads per dataset (the NUM_THREADS creation option), and
# GDAL's messages are collected by an error handler, which GDAL keeps per thread.

@contextlib.contextmanager
def _gdal_messages():
    """GDAL's messages of the calls made inside, on this thread only, as a list of
    (class, number, text); GDAL exceptions stay on."""
    msgs: list = []

    def handler(cls, no, msg):
        msgs.append((cls, no, msg))

    gdal.PushErrorHandler(handler)
    try:
        yield msgs
    finally:
        gdal.PopErrorHandler()


def _compression() -> str:
    opts = gdal.GetDriverByName("COG").GetMetadataItem("DMD_CREATIONOPTIONLIST") or ""
    return "ZSTD" if "ZSTD" in opts else "DEFLATE"


def _gdal_progress(progress: Progress, start: float, end: float, message: str):
    def cb(fraction, _msg, _data):
        progress.report(start + (end - start) * float(fraction), message)
        return 0 if progress.is_cancelled() else 1
    return cb


# ------------------------------------------------------------------------------ the COG

def write_cog(src_path: Path, dst_path: Path, *, block: int, predictor: bool,
              resampling: str, progress: Progress, start: float, end: float,
              message: str) -> None:
    """COG copy of ``src_path`` at ``dst_path``; Cancelled when progress asks to stop."""
    opts = [f"COMPRESS={_compression()}", f"BLOCKSIZE={block}",
            f"OVERVIEW_RESAMPLING={resampling}", "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS"]
    if predictor:
        opts.append("PREDICTOR=YES")
    src = gdal.Open(str(src_path))
    half = (src.GetRasterBand(1).GetMetadataItem("NBITS", "IMAGE_STRUCTURE") == "16")
    cb = _gdal_progress(progress, start, end, message)
    failure = ""
    with _gdal_messages() as msgs:
        try:
            out = gdal.GetDriverByName("COG").CreateCopy(str(dst_path), src, options=opts,
                                                         callback=cb)
            failure = "" if out is not None else "no dataset"
            out = None
        except RuntimeError as exc:
            failure = str(exc).strip() or "failed"
    if progress.is_cancelled():
        src = None
        raise Cancelled()
    # GDAL 3.6 reports spurious "beyond range of float16" errors when it writes overviews of a
    # half-float (NBITS=16) GeoTIFF: it converts the padding of partial edge blocks, which
    # holds leftovers (the pixels and overviews written are right; the tests check them); the
    # bindings turn them into an exception without a message. Those alone are accepted when
    # the file written opens as a COG with the source's size.
    real = [m[2] for m in msgs if m[0] >= gdal.CE_Failure and _FLOAT16_NOISE not in m[2]]
    noise = half and any(_FLOAT16_NOISE in m[2] for m in msgs)
    ok = not real and (not failure or (noise and _opens_as_cog(dst_path, src)))
    src = None
    if not ok:
        text = "; ".join(real) or failure or "no message"
        # the cause lets atomic_output name the user's path and the fix (a full disk...)
        raise BotaclipError(f"GDAL could not write the cloud-optimised GeoTIFF {dst_path} "
                            f"({text}). Check the free disk space and that the folder is "
                            "writable.") from RuntimeError(text)


def _opens_as_cog(path: Path, src) -> bool:
    try:
        ds = gdal.Open(str(path))
        md = ds.GetMetadata("IMAGE_STRUCTURE") or {}
        return (ds.RasterCount == src.RasterCount and ds.RasterXSize == src.RasterXSize
                and md.get("LAYOUT") == "COG")
    except RuntimeError:
        return False


# ------------------------------------------------------------------ the temporary GeoTIFF

def create_temp(path: Path, W, H, D, dtype, geotransform: tuple, srs_wkt: str,
                block_px: int) -> None:
    """The state's tiled GeoTIFF: uncompressed (blocks are rewritten in place and survive a
    crash once flushed), sparse (blocks never written read as nodata), half floats for
    float16."""
    opts = ["TILED=YES", f"BLOCKXSIZE={block_px}", f"BLOCKYSIZE={block_px}", "SPARSE_OK=TRUE",
            "INTERLEAVE=PIXEL", "BIGTIFF=IF_SAFER"]
    if dtype == "float16":
        opts.append("NBITS=16")
    try:
        ds = gdal.GetDriverByName("GTiff").Create(str(path), W, H, D, gdal.GDT_Float32, opts)
    except RuntimeError as exc:
        raise BotaclipError(f"Cannot create the temporary embedding {path}: "
                            f"{str(exc).strip()}. Check the free space of --cache-dir.") from exc
    ds.SetGeoTransform(geotransform)
    ds.SetProjection(srs_wkt)
    for b in range(1, D + 1):
        ds.GetRasterBand(b).SetNoDataValue(float("nan"))
    ds.FlushCache()
    ds = None


def block_is_empty(ds, c0: int, r0: int, w: int, h: int) -> bool:
    """Whether GDAL says the block at (c0, r0) of the sparse GeoTIFF ``ds`` was never written
    (False when the driver cannot tell)."""
    with contextlib.suppress(RuntimeError, AttributeError):
        flags, _pct = ds.GetRasterBand(1).GetDataCoverageStatus(c0, r0, w, h)
        return bool(flags & gdal.GDAL_DATA_COVERAGE_STATUS_EMPTY and not (
            flags & gdal.GDAL_DATA_COVERAGE_STATUS_DATA))
    return False


def write_block(ds, buf: np.ndarray | None, c0: int, r0: int, dtype: str) -> None:
    """Write one finished block ([h, w, D] float32) and make it durable. A block with no
    computed patch is not written: the sparse GeoTIFF reads it as nodata."""
    if buf is None:
        return
    h, w, d = buf.shape
    if dtype == "float16":
        # GDAL 3.6 truncates float32 to half (up to 1 unit in the last place towards zero):
        # round to nearest here, so GDAL only stores exactly representable values
        np.clip(buf, -FLOAT16_MAX, FLOAT16_MAX, out=buf)   # NaN stays NaN
        buf = buf.astype(np.float16).astype(np.float32)
    try:
        ds.WriteRaster(c0, r0, w, h, buf.tobytes(), w, h, gdal.GDT_Float32, None,
                       4 * d, 4 * d * w, 4)
        # GDAL 3.6 writes the last block's offset in the TIFF directory on the second flush
        ds.FlushCache()
        ds.FlushCache()
    except RuntimeError as exc:
        raise BotaclipError(f"Cannot write the temporary embedding ({str(exc).strip()}); the "
                            "disk may be full. Free some space and run again: finished "
                            "blocks are kept.") from exc


# ------------------------------------------------------------------------------ tags

def embedding_tags(*, ortho, model, grid, stride, extent, area_mask, min_valid, dtype, software,
                   created, n_computed, total, info, batch_size) -> dict:
    """The ``BOTACLIP_*`` metadata of an embedding made with ``model``
    (:class:`.model.EmbedModel`)."""
    bb = model.backbone
    tags = {
        "BOTACLIP_KIND": "embedding",
        "BOTACLIP_VERSION": __version__,
        "BOTACLIP_EMBEDDING": ("bundle (backbone + adapter, L2-normalised)"
                               if model.bundle is not None else "backbone features"),
        "BOTACLIP_DIM": str(model.dim),
        "BOTACLIP_BACKBONE": bb.name,
        "BOTACLIP_WEIGHTS_SHA256": bb.weights_sha256 or "",
        "BOTACLIP_RANDOM_WEIGHTS": "yes" if bb.random_weights else "no",
        "BOTACLIP_BACKBONE_REFERENCE": bb.reference(),
        "BOTACLIP_PRECISION": bb.precision,
        "BOTACLIP_PRECISION_CHECK": bb.precision_check,
        "BOTACLIP_INPUT": str(Path(str(ortho)).resolve()) if not str(ortho).startswith("/vsi")
        else str(ortho),
        "BOTACLIP_INPUT_CRS": info.crs_label,
        "BOTACLIP_SETTINGS": {
            "patch_m": model.patch_m, "patch_px": model.patch_px, "stride_m": stride,
            "bands": model.bands, "resampling": model.resampling, "extent": extent,
            "mask": area_mask.path if area_mask else None, "min_valid": min_valid,
            "dtype": dtype, "batch_size": batch_size,
            "grid": "pixel edges on multiples of the stride; pixel centre = patch centre"},
        "BOTACLIP_PATCHES": {"computed": n_computed, "nodata": total - n_computed},
        "BOTACLIP_NODATA": {
            "fill": bb.nodata_fill, "min_valid": min_valid,
            "rule": "a pixel is embedded when at least min_valid of its patch's pixels are "
                    "valid (inside the orthophoto, not masked, finite); else it is NaN"},
        "BOTACLIP_SOFTWARE": software,
        "BOTACLIP_CREATED": created,
    }
    if model.bundle is not None:
        tags["BOTACLIP_MODEL_SHA256"] = model.bundle.sha256
        tags["BOTACLIP_MODEL"] = str(Path(model.bundle.path).resolve())
    return tags


def write_tags(ds, tags: dict, D: int) -> None:
    """``tags`` as the dataset's metadata (JSON for values that are not text) and the band
    descriptions ``emb_000``..."""
    ds.SetMetadata({k: (v if isinstance(v, str) else json.dumps(v, default=str))
                    for k, v in tags.items()})
    width = max(3, len(str(D - 1)))
    for b in range(1, D + 1):
        ds.GetRasterBand(b).SetDescription(f"emb_{b - 1:0{width}d}")


def read_embedding_tags(path) -> dict:
    """The ``BOTACLIP_*`` metadata of an embedding raster, JSON values decoded."""
    ds = gdal.Open(str(path))
    md = ds.GetMetadata() or {}
    out = {}
    for k, v in md.items():
        if not k.startswith("BOTACLIP_"):
            continue
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out
