"""The tiles of a distributed embedding put back together: a VRT over the tile COGs with
the tags of a single run, and from it one COG written like the engine's (same compression,
predictor, block size, half floats, average overviews).

The VRT carries the ``BOTACLIP_*`` tags of the tiles (identical but for the tile's window,
patch count and creation time) with the run's totals, the plan's precision check and
calibration, and ``BOTACLIP_TILES`` (how the raster was made); for float16 its bands say
``NBITS=16`` so the COG made from it stores half floats as the engine does. Tile paths in
the VRT are relative, so a tile folder moved with its VRT still opens.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from osgeo import gdal

from ..errors import BotaclipError
from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..io.atomic import atomic_output
from ..io.outputs import is_our_raster
from ..progress import Progress

_TILE_ONLY = ("BOTACLIP_WINDOW",)


def run_tags(tile_path: Path, *, n_patches: int, total: int, precision_check: dict,
             calibration: dict | None, tiling: dict) -> dict:
    """The tags of the whole raster (text values) from one of its tiles."""
    ds = gdal.Open(str(tile_path))
    try:
        md = dict(ds.GetMetadata() or {})
    finally:
        ds = None
    tags = {k: v for k, v in md.items() if k.startswith("BOTACLIP_") and k not in _TILE_ONLY}
    tags["BOTACLIP_PATCHES"] = json.dumps({"computed": int(n_patches),
                                           "nodata": int(total - n_patches)})
    tags["BOTACLIP_PRECISION_CHECK"] = json.dumps(precision_check, default=str)
    if calibration and "BOTACLIP_CALIBRATION" in tags:     # the plan's, not a tile's
        tags["BOTACLIP_CALIBRATION"] = json.dumps(calibration, default=str)
    tags["BOTACLIP_CREATED"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    tags["BOTACLIP_TILES"] = json.dumps(tiling, default=str)
    return tags


def write_vrt(tile_paths: list, vrt: Path, tags: dict, *, dtype: str) -> None:
    """A VRT over ``tile_paths`` at ``vrt`` (written in place: the caller makes it a
    temporary name), with ``tags``, band descriptions ``emb_000``... and, for float16,
    ``NBITS=16``."""
    opts = gdal.BuildVRTOptions(resolution="highest", addAlpha=False)
    ds = gdal.BuildVRT(str(vrt), [str(p) for p in tile_paths], options=opts)
    if ds is None:
        raise BotaclipError(f"GDAL could not build the mosaic of the tiles {vrt}.")
    try:
        ds.SetMetadata(tags)
        D = ds.RasterCount
        width = max(3, len(str(D - 1)))
        for b in range(1, D + 1):
            band = ds.GetRasterBand(b)
            band.SetDescription(f"emb_{b - 1:0{width}d}")
            if dtype == "float16":
                band.SetMetadataItem("NBITS", "16", "IMAGE_STRUCTURE")
        ds.FlushCache()
    finally:
        ds = None


def cog_block(D: int, W: int, H: int) -> int:
    """The engine's COG block: 128 px for many bands (a tile of 768 half floats is 24 MB)
    and small outputs, else 256."""
    return 256 if D <= 64 and max(W, H) > 512 else 128


def write_single_cog(vrt: Path, out: Path, *, overwrite: bool, progress: Progress,
                     start: float, end: float) -> None:
    """``out`` as one COG made from the tiles' VRT, under a temporary name."""
    from ..embed.cog import write_cog

    ds = gdal.Open(str(vrt))
    try:
        D, W, H = ds.RasterCount, ds.RasterXSize, ds.RasterYSize
    finally:
        ds = None
    with atomic_output(out, owned=is_our_raster, overwrite=overwrite,
                       what="embedding raster") as tmp:
        write_cog(vrt, tmp, block=cog_block(D, W, H), predictor=True, resampling="AVERAGE",
                  progress=progress, start=start, end=end,
                  message="Writing the cloud-optimised GeoTIFF")


def write_kept_vrt(tile_paths: list, vrt: Path, tags: dict, *, dtype: str,
                   overwrite: bool) -> None:
    """``vrt`` (beside the tile folder) over the kept tiles, under a temporary name."""
    with atomic_output(vrt, owned=is_our_raster, overwrite=overwrite,
                       what="embedding mosaic") as tmp:
        write_vrt(tile_paths, Path(tmp), tags, dtype=dtype)
