"""Patches centred on plots: :class:`PatchReader` reads a square window of ``patch_m`` metres
centred on (x, y), resampled to ``patch_px`` x ``patch_px``.

The window is not snapped to the source grid: its edges are exactly at x +/- patch_m / 2. GDAL
reads floating-point windows (``ReadAsArray`` with float offsets and ``resample_alg``; checked by
the tests for GeoTIFF, VRT and JPEG 2000, also at 1:1 scale). GDAL's in-memory MEM driver
ignores the fraction when the rounded window size equals the buffer size, so near 1:1 we never
resample from MEM. Patch sizes are metres even in a CRS in feet (converted with the CRS's linear
unit); geographic CRSs are refused.

Validity (masks, alpha bands): see :mod:`.raster`. With an alpha band GDAL does not take as the
mask, patches are resampled through a padded copy whose mask GDAL honours (slower, but
transparent pixels never blend into the values).

Resampling (``resampling=``, default ``"bilinear"``). GDAL's RasterIO widens the bilinear,
cubic and lanczos kernels by the reduction factor when it downsamples (as it does for
overviews), so "bilinear" from 500 source pixels to 224 is an antialiasing triangle filter
about 4.5 source pixels wide, not a 2-pixel interpolation that would alias (a test checks this
on white noise). "average" is a box filter, but GDAL 3.6 snaps each output pixel's footprint
to whole source pixels (position errors up to half a source pixel), so the sub-pixel exact
choices are bilinear (default), cubic and lanczos. Resampling is mask-aware: invalid source
pixels get no weight, so values next to nodata are not pulled towards the nodata value.
Integer rasters are resampled in their own data type: 8-bit values are rounded to whole
numbers (at most 0.5 DN).

An output pixel is valid when the source pixel under its centre is valid (masks are sampled
with nearest neighbour), the same rule at any resolution, so ``valid_fraction(px=32)`` is the
cheap preview of ``read().valid_fraction``; ``read`` also drops non-finite values (NaN in a
float raster without a nodata setting), which only reading the data can see. Windows that
extend past the raster edge are read through a padded copy of the part inside: the outside
part is invalid, nothing wraps.

Invalid pixels are NaN in :attr:`Patch.data` (with :attr:`Patch.valid` False), never a number
that could pass for data: a 0 would become ``-mean / std`` once normalised, a dark blot
inside every patch with nodata. The mask then travels inside the values through every
reshuffle (dihedral variants, cutting patches out of a larger window, batching), and
:meth:`backend.models.backbones.Backbone.prepare` decides what the model sees there (the band
mean of its normalisation), the same for training, embedding and chips.

Overviews. By default the reader opens the raster with ``OVERVIEW_LEVEL=NONE``: GDAL would
otherwise resample from an overview whenever one is close to the requested scale, and patch
values would depend on how (and whether) someone built overviews, nearest-neighbour overviews
included. ``use_overviews=True`` lets GDAL use them (much faster for large reductions).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import numpy as np
from osgeo import gdal

from ..errors import BotaclipError
from .gdalutil import srs_label
from .raster import mask_sources, open_raster, raster_info

RESAMPLING = {
    "nearest": gdal.GRIORA_NearestNeighbour,
    "bilinear": gdal.GRIORA_Bilinear,
    "cubic": gdal.GRIORA_Cubic,
    "cubicspline": gdal.GRIORA_CubicSpline,
    "lanczos": gdal.GRIORA_Lanczos,
    "average": gdal.GRIORA_Average,
    "mode": gdal.GRIORA_Mode,
    "gauss": gdal.GRIORA_Gauss,
}


@dataclass
class Patch:
    data: np.ndarray        # float32 [C, P, P], raw values, NaN where invalid
    valid: np.ndarray       # bool [P, P]
    valid_fraction: float


class PatchReader:
    """Reads square patches centred on points. One per thread (GDAL datasets are not
    thread-safe; the block cache is shared). Use as a context manager or call close()."""

    def __init__(self, path, patch_m: float, patch_px: int, resampling: str = "bilinear",
                 bands: list[int] | None = None, *, use_overviews: bool = False):
        self.info = info = raster_info(path)
        if info.is_geographic:
            raise BotaclipError(
                f"{path} is in a geographic CRS ({srs_label(info.srs_wkt)}, degrees), so a "
                f"patch of {patch_m:g} metres has no fixed size in pixels. Reproject the "
                "orthophoto to a projected CRS in metres first, e.g. gdalwarp -t_srs EPSG:2154 "
                "(Lambert-93) or the local UTM zone (QGIS: Raster > Projections > Warp).")
        try:
            patch_m = float(patch_m)
            patch_px = int(patch_px)
        except (TypeError, ValueError):
            raise BotaclipError(f"Patch size must be numbers (metres, pixels), not {patch_m!r}, "
                                f"{patch_px!r}.") from None
        if not (math.isfinite(patch_m) and patch_m > 0):
            raise BotaclipError(f"The patch size must be a positive number of metres, not "
                                f"{patch_m}.")
        if patch_px < 1:
            raise BotaclipError(f"The patch size in pixels must be at least 1, not {patch_px}.")
        key = str(resampling).lower()
        if key not in RESAMPLING:
            raise BotaclipError(f"Unknown resampling {resampling!r}: use one of "
                                f"{', '.join(RESAMPLING)}.")
        self.patch_m, self.patch_px, self.resampling = patch_m, patch_px, key
        self._alg = RESAMPLING[key]
        self.bands = [int(b) for b in (bands or info.spectral_bands)]
        if not self.bands:
            raise BotaclipError(f"{path} has only alpha bands; there is no image to read.")
        bad = [b for b in self.bands if not 1 <= b <= info.count]
        if bad:
            raise BotaclipError(f"Band(s) {bad} do not exist: {path} has bands 1 to "
                                f"{info.count}.")
        opts = [] if use_overviews else ["OVERVIEW_LEVEL=NONE"]
        try:
            self._ds = open_raster(path, opts)
        except BotaclipError:
            self._ds = open_raster(path)  # a driver that refuses the option: no overviews to avoid
        gt = info.geotransform
        self._gt = gt
        size = patch_m / info.linear_unit_m            # patch side in map units
        self._sx = size / abs(gt[1])                   # window size in source pixels
        self._sy = size / abs(gt[5])
        self._flip_x = gt[1] < 0
        self._flip_y = gt[5] > 0
        self._masks, self._alpha_unknown_to_gdal = mask_sources(self._ds, self.bands)
        self._is_float = any(
            gdal.GetDataTypeName(self._ds.GetRasterBand(b).DataType).startswith(("Float", "CFloat"))
            for b in self.bands)
        # with such an alpha band GDAL would blend transparent pixels into its resampling:
        # read through the padded copy, whose mask GDAL does honour
        self._always_padded = self._alpha_unknown_to_gdal and key != "nearest"

    # -- helpers

    def _window(self, x: float, y: float, px: int):
        """Float pixel window (xoff, yoff, xsize, ysize) of the patch centred on (x, y)."""
        gt = self._gt
        c = (x - gt[0]) / gt[1]
        r = (y - gt[3]) / gt[5]
        return (c - self._sx / 2.0, r - self._sy / 2.0, self._sx, self._sy)

    def _where(self, xoff, yoff) -> str:
        w, h = self.info.width, self.info.height
        if xoff >= w or yoff >= h or xoff + self._sx <= 0 or yoff + self._sy <= 0:
            return "outside"
        if xoff >= 0 and yoff >= 0 and xoff + self._sx <= w and yoff + self._sy <= h:
            return "inside"
        return "edge"

    def _orient(self, arr):
        if self._flip_y:
            arr = arr[..., ::-1, :]
        if self._flip_x:
            arr = arr[..., ::-1]
        return np.ascontiguousarray(arr)

    def _empty(self, px):
        return (np.full((len(self.bands), px, px), np.nan, dtype="float32"),
                np.zeros((px, px), dtype=bool))

    # -- reading
    def _read_direct(self, win, px):
        xoff, yoff, xs, ys = win
        data = self._ds.ReadAsArray(xoff, yoff, xs, ys, buf_xsize=px, buf_ysize=px,
                                    buf_type=gdal.GDT_Float32, band_list=self.bands,
                                    resample_alg=self._alg)
        data = data.reshape(len(self.bands), px, px)
        return data, self._read_masks(win, px)

    def _read_masks(self, win, px):
        xoff, yoff, xs, ys = win
        valid = np.ones((px, px), dtype=bool)
        for m in self._masks:
            mv = m.ReadAsArray(xoff, yoff, xs, ys, px, px,
                               resample_alg=gdal.GRIORA_NearestNeighbour)
            valid &= mv >= 128
        return valid

    def _native_valid(self, x0, y0, w, h):
        valid = np.ones((h, w), dtype=bool)
        for m in self._masks:
            valid &= m.ReadAsArray(x0, y0, w, h) >= 128
        return valid

    def _read_padded(self, win, px):
        """A window across the raster edge: copy the part inside (plus a margin for the
        resampling kernel) into a zero-padded in-memory raster whose mask marks the outside
        invalid, then read the same float window from it."""
        xoff, yoff, xs, ys = win
        w, h = self.info.width, self.info.height
        m = int(math.ceil(3 * max(xs / px, ys / px, 1.0))) + 2
        ix0, iy0 = int(math.floor(xoff)) - m, int(math.floor(yoff)) - m
        ix1, iy1 = int(math.ceil(xoff + xs)) + m, int(math.ceil(yoff + ys)) + m
        cx0, cy0, cx1, cy1 = max(ix0, 0), max(iy0, 0), min(ix1, w), min(iy1, h)
        if cx0 >= cx1 or cy0 >= cy1:
            return self._empty(px)
        cw, ch = cx1 - cx0, cy1 - cy0
        nb = len(self.bands)
        native = self._ds.ReadAsArray(cx0, cy0, cw, ch, band_list=self.bands)
        native = native.reshape(nb, ch, cw)
        pw, ph = ix1 - ix0, iy1 - iy0
        sl = (slice(cy0 - iy0, cy0 - iy0 + ch), slice(cx0 - ix0, cx0 - ix0 + cw))
        full = np.zeros((nb, ph, pw), dtype=native.dtype)
        full[(slice(None),) + sl] = native
        mfull = np.zeros((ph, pw), dtype="uint8")
        mfull[sl] = self._native_valid(cx0, cy0, cw, ch)
        mfull *= 255
        dtype = self._ds.GetRasterBand(self.bands[0]).DataType
        # GDAL's MEM driver ignores the fractional part of a window whose rounded size equals
        # the buffer size, so near 1:1 scale the copy goes to an in-memory GeoTIFF instead.
        near_1to1 = int(xs + 0.5) == px or int(ys + 0.5) == px
        name = f"/vsimem/botaclip_patch_{uuid.uuid4().hex}.tif" if near_1to1 else ""
        drv = gdal.GetDriverByName("GTiff" if near_1to1 else "MEM")
        tmp = drv.Create(name, pw, ph, nb, dtype)
        try:
            tmp.WriteRaster(0, 0, pw, ph, full.tobytes())
            tmp.CreateMaskBand(gdal.GMF_PER_DATASET)
            tmp.GetRasterBand(1).GetMaskBand().WriteArray(mfull)
            win2 = (xoff - ix0, yoff - iy0, xs, ys)
            data = tmp.ReadAsArray(*win2, buf_xsize=px, buf_ysize=px,
                                   buf_type=gdal.GDT_Float32, resample_alg=self._alg)
            data = data.reshape(nb, px, px)
            if not self._is_float:
                # GDAL rounds a resampled integer band on direct reads (half away from zero)
                # but not through the masked copy: round alike, so that a patch has the same
                # values whether or not it crosses the raster's edge
                data = np.trunc(data + np.copysign(0.5, data))
            valid = tmp.GetRasterBand(1).GetMaskBand().ReadAsArray(
                *win2, px, px, resample_alg=gdal.GRIORA_NearestNeighbour) >= 128
        finally:
            tmp = None
            if name:
                drv.Delete(name)
        return data, valid

    def read(self, x: float, y: float) -> Patch:
        """The patch centred on (x, y), in the raster CRS. Invalid pixels are NaN."""
        px = self.patch_px
        if not (math.isfinite(x) and math.isfinite(y)):
            data, valid = self._empty(px)
            return Patch(data, valid, 0.0)
        win = self._window(float(x), float(y), px)
        where = self._where(win[0], win[1])
        try:
            if where == "outside":
                data, valid = self._empty(px)
            elif where == "inside" and not self._always_padded:
                try:
                    data, valid = self._read_direct(win, px)
                except RuntimeError:   # GDAL rounds the window when checking it: at the edge
                    data, valid = self._read_padded(win, px)
            else:
                data, valid = self._read_padded(win, px)
        except RuntimeError as exc:
            raise BotaclipError(f"GDAL failed to read {self.info.path} around ({x:.2f}, "
                                f"{y:.2f}): {str(exc).strip()}. The file may be damaged or "
                                "truncated.") from exc
        if self._is_float:
            valid &= np.isfinite(data).all(axis=0)    # NaN/inf are never data
        data = self._orient(data)
        valid = self._orient(valid)
        data[:, ~valid] = np.nan
        return Patch(data, valid, float(valid.mean()))

    def valid_fraction(self, x: float, y: float, px: int = 32) -> float:
        """Fraction of valid pixels of the patch at (x, y), sampled on a px x px grid. Cheap:
        reads only the masks (nothing when the raster has none and the patch is inside)."""
        if not (math.isfinite(x) and math.isfinite(y)):
            return 0.0
        try:
            return self._valid_fraction(float(x), float(y), int(px))
        except RuntimeError as exc:
            raise BotaclipError(f"GDAL failed to read the mask of {self.info.path} around "
                                f"({x:.2f}, {y:.2f}): {str(exc).strip()}. The file may be "
                                "damaged or truncated.") from exc

    def _valid_fraction(self, x: float, y: float, px: int) -> float:
        win = self._window(x, y, px)
        where = self._where(win[0], win[1])
        if where == "outside":
            return 0.0
        if where == "inside":
            if not self._masks:
                return 1.0
            try:
                return float(self._read_masks(win, px).mean())
            except RuntimeError:
                pass
        # across the edge: sample the source pixel under each output pixel centre
        xoff, yoff, xs, ys = win
        w, h = self.info.width, self.info.height
        cols = np.floor(xoff + (np.arange(px) + 0.5) * xs / px).astype(np.int64)
        rows = np.floor(yoff + (np.arange(px) + 0.5) * ys / px).astype(np.int64)
        in_c = (cols >= 0) & (cols < w)
        in_r = (rows >= 0) & (rows < h)
        if not in_c.any() or not in_r.any():
            return 0.0
        if not self._masks:
            return float(in_c.mean() * in_r.mean())
        c0, c1 = int(cols[in_c].min()), int(cols[in_c].max()) + 1
        r0, r1 = int(rows[in_r].min()), int(rows[in_r].max()) + 1
        nv = self._native_valid(c0, r0, c1 - c0, r1 - r0)
        sub = nv[np.ix_(rows[in_r] - r0, cols[in_c] - c0)]
        return float(sub.sum()) / (px * px)

    def drop_cached_blocks(self, above: int = 0) -> None:
        """Free the blocks GDAL's cache holds for this reader's dataset when the cache holds
        more than ``above`` bytes. The cache's limit is process-wide (QGIS's rendering and
        other tasks share it), so a long run bounds its own share this way instead of
        changing the limit for everyone."""
        if self._ds is not None and gdal.GetCacheUsed() > above:
            self._ds.FlushCache()

    def close(self):
        self._masks = []
        self._ds = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def sample_patches(reader: PatchReader, points, *, n: int, min_valid: float | None = None):
    """Up to ``n`` patches read by ``reader`` at ``points`` ((x, y) pairs, read in order until
    ``n`` are kept), stacked [n, C, px, px]. With ``min_valid`` only patches with some valid
    pixels and at least that fraction are kept. None when none is."""
    out = []
    for x, y in points:
        patch = reader.read(x, y)
        if min_valid is None or (patch.valid_fraction > 0 and patch.valid_fraction >= min_valid):
            out.append(patch.data)
            if len(out) >= n:
                break
    return np.stack(out) if out else None
