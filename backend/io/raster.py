"""Orthophotos of any kind (any GDAL raster) and patches centred on plots.

Validity. Every kind of "no data" GDAL knows is honoured through its mask bands
(``GetMaskBand``/``GetMaskFlags``): nodata values, per-dataset masks (internal or ``.msk``)
and alpha bands. A patch pixel is valid when it is valid in the mask of every band used.

Alpha bands are masks, never data. :attr:`RasterInfo.spectral_bands` lists the bands whose
colour interpretation is not ``Alpha``; only those are read as patch data and counted when
wavelengths are resolved (``count`` stays GDAL's band count). GDAL itself takes an alpha band
as the mask only in 2- and 4-band rasters (grey + alpha, RGB + alpha); in any other raster
(RGBN + alpha as written by ``gdalwarp -dstalpha``, 12 bands + alpha...) GDAL says "all
valid", so we add the alpha band to the masks ourselves and resample through a padded copy
whose mask GDAL honours (slower, but transparent pixels never blend into the values).
:func:`build_vrt` turns gdalbuildvrt's alpha band into a VRT dataset mask for the same reason.

Patches. :class:`PatchReader` reads a square window of ``patch_m`` metres centred on (x, y),
resampled to ``patch_px`` x ``patch_px``. The window is not snapped to the source grid: its
edges are exactly at x +/- patch_m / 2. GDAL reads floating-point windows (``ReadAsArray`` with
float offsets and ``resample_alg``; checked by the tests for GeoTIFF, VRT and JPEG 2000, also
at 1:1 scale). GDAL's in-memory MEM driver ignores the fraction when the rounded window size
equals the buffer size, so near 1:1 we never resample from MEM. Patch sizes are metres even in
a CRS in feet (converted with the CRS's linear unit); geographic CRSs are refused.

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
part is invalid (zeros), nothing wraps.

Overviews. By default the reader opens the raster with ``OVERVIEW_LEVEL=NONE``: GDAL would
otherwise resample from an overview whenever one is close to the requested scale, and patch
values would depend on how (and whether) someone built overviews, nearest-neighbour overviews
included. ``use_overviews=True`` lets GDAL use them (much faster for large reductions).
:func:`sample_band_stats` does use a small overview when there is one, and says so.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .atomic import atomic_output
from .gdalutil import same_crs, srs_from_wkt, srs_label, transform_xy
from .presets import BandSpec, get_preset, list_presets, resolve_bands

__all__ = ["RasterInfo", "raster_info", "BandSpec", "list_presets", "get_preset",
           "resolve_bands", "Patch", "PatchReader", "to_raster_crs", "BandStats",
           "sample_band_stats", "build_vrt", "RESAMPLING"]

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

def _mask_kind(flags: int) -> str:
    if flags & gdal.GMF_ALL_VALID:
        return "all valid"
    if flags & gdal.GMF_ALPHA:
        return "alpha"
    if flags & gdal.GMF_NODATA:
        return "nodata"
    if flags & gdal.GMF_PER_DATASET:
        return "per-dataset mask"
    return "mask"


def _numpy_dtype(gdal_type: int) -> str:
    from osgeo import gdal_array

    try:
        return np.dtype(gdal_array.GDALTypeCodeToNumericTypeCode(gdal_type)).name
    except TypeError:
        return gdal.GetDataTypeName(gdal_type).lower()


@dataclass
class RasterInfo:
    """What we need to know about a raster, read once from its header."""

    path: str
    driver: str
    width: int
    height: int
    count: int                      # all bands, alpha included (as GDAL reports)
    dtype: str                      # numpy dtype name of band 1
    srs_wkt: str
    geotransform: tuple
    pixel_size: tuple               # (abs x, abs y) in map units
    bounds: tuple                   # xmin, ymin, xmax, ymax
    nodata: list                    # per band, None when unset
    has_mask: bool                  # some band has nodata, a mask or an alpha band
    descriptions: list
    color_interp: list
    spectral_bands: list = field(default_factory=list)   # 1-based, alpha bands left out
    alpha_bands: list = field(default_factory=list)      # 1-based
    mask_kinds: list = field(default_factory=list)       # per band, see _mask_kind
    overviews: list = field(default_factory=list)        # (width, height) of band 1's overviews
    is_geographic: bool = False
    linear_unit_m: float = 1.0      # metres per map unit (projected CRSs)

    @property
    def crs_label(self) -> str:
        return srs_label(self.srs_wkt)


def _open(path, open_options=None) -> gdal.Dataset:
    p = str(path)
    if not p.startswith("/vsi") and not Path(p).exists():
        raise BotaclipError(f"The raster {p} does not exist. Check the path.")
    try:
        ds = gdal.OpenEx(p, gdal.OF_RASTER | gdal.OF_READONLY,
                         open_options=list(open_options or []))
    except RuntimeError as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "unknown error"
        raise BotaclipError(f"GDAL cannot read {p} as a raster ({msg}). Check that it is an "
                            "image format GDAL reads (GeoTIFF, JPEG 2000, VRT...) and that the "
                            "file is complete.") from exc
    if ds is None:
        raise BotaclipError(f"GDAL cannot read {p} as a raster. Check the file.")
    if ds.RasterCount == 0:
        subs = ds.GetSubDatasets()
        hint = (" It holds sub-datasets; open one of them, e.g. " + subs[0][0]) if subs else ""
        raise BotaclipError(f"{p} has no raster band.{hint}")
    return ds


def raster_info(path) -> RasterInfo:
    """Header of a raster, with clear errors for a missing or unreadable file, no CRS, no
    georeferencing or a rotated geotransform."""
    ds = _open(path)
    p = str(path)
    gt = ds.GetGeoTransform(can_return_null=True)
    if gt is None:
        raise BotaclipError(f"{p} is not georeferenced (no geotransform). Georeference it first "
                            "(QGIS: Raster > Georeferencer) or give a GeoTIFF with coordinates.")
    if abs(gt[2]) > 1e-9 * abs(gt[1]) or abs(gt[4]) > 1e-9 * abs(gt[5]):
        raise BotaclipError(f"{p} has a rotated or sheared geotransform {tuple(gt)}. Make it "
                            "north-up first: gdalwarp -r bilinear in.tif north_up.tif (QGIS: "
                            "Raster > Projections > Warp).")
    srs = ds.GetSpatialRef()
    if srs is None:
        raise BotaclipError(f"{p} has no coordinate reference system. Assign the right one "
                            "(gdal_edit.py -a_srs EPSG:2154 file, or QGIS: Raster > Projections "
                            "> Assign Projection).")
    if not srs.GetAuthorityCode(None):
        # a WKT without its EPSG code (common in GeoTIFFs): adopt the EPSG definition when
        # PROJ finds it is the same CRS, so labels and comparisons say EPSG:NNNN
        try:
            matches = srs.FindMatches()
        except RuntimeError:
            matches = []
        if len(matches) == 1 and matches[0][1] == 100:
            srs = matches[0][0]
    w, h = ds.RasterXSize, ds.RasterYSize
    xs = (gt[0], gt[0] + gt[1] * w)
    ys = (gt[3], gt[3] + gt[5] * h)
    nodata, descs, colours, alpha, kinds = [], [], [], [], []
    for i in range(1, ds.RasterCount + 1):
        b = ds.GetRasterBand(i)
        nodata.append(b.GetNoDataValue())
        descs.append(b.GetDescription() or "")
        ci = b.GetColorInterpretation()
        colours.append(gdal.GetColorInterpretationName(ci))
        if ci == gdal.GCI_AlphaBand:
            alpha.append(i)
        kinds.append(_mask_kind(b.GetMaskFlags()))
    if alpha:
        # GDAL uses an alpha band as the mask only for 2- and 4-band datasets; we always do
        kinds = [k if i in alpha or "alpha" in k else ("alpha" if k == "all valid" else
                                                         k + "+alpha")
                 for i, k in enumerate(kinds, 1)]
    b1 = ds.GetRasterBand(1)
    ovr = [(b1.GetOverview(k).XSize, b1.GetOverview(k).YSize)
           for k in range(b1.GetOverviewCount())]
    unit = 1.0
    if srs.IsProjected() or srs.IsLocal():
        unit = float(srs.GetLinearUnits() or 1.0)
    try:
        wkt = srs.ExportToWkt()
    except RuntimeError:     # a CRS WKT1 cannot express
        wkt = srs.ExportToWkt(["FORMAT=WKT2_2018"])
    return RasterInfo(
        path=p, driver=ds.GetDriver().ShortName, width=w, height=h, count=ds.RasterCount,
        dtype=_numpy_dtype(b1.DataType), srs_wkt=wkt, geotransform=tuple(gt),
        pixel_size=(abs(gt[1]), abs(gt[5])),
        bounds=(min(xs), min(ys), max(xs), max(ys)), nodata=nodata,
        has_mask=any(k != "all valid" for k in kinds), descriptions=descs,
        color_interp=colours, spectral_bands=[i for i in range(1, ds.RasterCount + 1)
                                              if i not in alpha],
        alpha_bands=alpha, mask_kinds=kinds, overviews=ovr,
        is_geographic=bool(srs.IsGeographic()), linear_unit_m=unit)


def to_raster_crs(info: RasterInfo, xs, ys, srs_wkt: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (x/easting/longitude first) from ``srs_wkt`` to the raster's CRS.

    Points without coordinates (NaN) stay NaN, and so do points the transformation cannot
    handle (far outside the CRS's area)."""
    if not srs_wkt:
        raise BotaclipError("The plots have no coordinate reference system: set one on the "
                            "layer (QGIS: Layer Properties > Source) or give --crs.")
    xs = np.asarray(xs, dtype="float64").ravel()
    ys = np.asarray(ys, dtype="float64").ravel()
    if xs.shape != ys.shape:
        raise ValueError(f"{xs.size} x values but {ys.size} y values")
    ox = np.full(xs.shape, np.nan)
    oy = np.full(ys.shape, np.nan)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return ox, oy
    src, dst = srs_from_wkt(srs_wkt), srs_from_wkt(info.srs_wkt)
    try:
        tx, ty = transform_xy(xs[ok], ys[ok], src, dst)
    except RuntimeError:
        # one bad point makes GDAL refuse the whole batch: go point by point
        tx = np.full(int(ok.sum()), np.nan)
        ty = np.full(int(ok.sum()), np.nan)
        for k, (x, y) in enumerate(zip(xs[ok], ys[ok])):
            try:
                a, b = transform_xy([x], [y], src, dst)
                tx[k], ty[k] = a[0], b[0]
            except RuntimeError:
                pass
    bad = ~(np.isfinite(tx) & np.isfinite(ty))
    tx[bad] = np.nan
    ty[bad] = np.nan
    ox[ok], oy[ok] = tx, ty
    return ox, oy


# ---------------------------------------------------------------- patches

def _alpha_bands(ds) -> list[int]:
    return [i for i in range(1, ds.RasterCount + 1)
            if ds.GetRasterBand(i).GetColorInterpretation() == gdal.GCI_AlphaBand]


def _mask_sources(ds, bands, overview: int | None = None) -> tuple[list, bool]:
    """The bands (GDAL band objects) whose values >= 128 mean valid, for the used ``bands``:
    nothing for bands that are all valid, one mask for a mask shared by the whole dataset
    (internal mask, alpha), one per band otherwise (nodata). GDAL takes an alpha band as the
    mask only in 2- and 4-band datasets; any other alpha band is added here, and the second
    value says so (GDAL's resampling then does not know about it)."""

    def pick(b):
        band = ds.GetRasterBand(b)
        return band if overview is None else band.GetOverview(overview)

    out, shared, gdal_alpha = [], False, False
    for b in bands:
        flags = ds.GetRasterBand(b).GetMaskFlags()
        if flags & gdal.GMF_ALL_VALID:
            continue
        gdal_alpha = gdal_alpha or bool(flags & gdal.GMF_ALPHA)
        if flags & gdal.GMF_PER_DATASET:
            if shared:
                continue
            shared = True
        out.append(pick(b).GetMaskBand())
    extra = [] if gdal_alpha else [pick(a) for a in _alpha_bands(ds) if a not in bands]
    return out + extra, bool(extra)


@dataclass
class Patch:
    data: np.ndarray        # float32 [C, P, P], raw values, 0 where invalid
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
            self._ds = _open(path, opts)
        except BotaclipError:
            self._ds = _open(path)  # a driver that refuses the option: no overviews to avoid
        gt = info.geotransform
        self._gt = gt
        size = patch_m / info.linear_unit_m            # patch side in map units
        self._sx = size / abs(gt[1])                   # window size in source pixels
        self._sy = size / abs(gt[5])
        self._flip_x = gt[1] < 0
        self._flip_y = gt[5] > 0
        self._masks, self._alpha_unknown_to_gdal = _mask_sources(self._ds, self.bands)
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
        return (np.zeros((len(self.bands), px, px), dtype="float32"),
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
        """The patch centred on (x, y), in the raster CRS. Invalid pixels are 0."""
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
        data[:, ~valid] = 0.0
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

    def close(self):
        self._masks = []
        self._ds = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# ---------------------------------------------------------------- band statistics

@dataclass
class BandStats:
    """Per-band statistics over valid pixels of a sample of the raster."""

    mean: list
    std: list
    p2: list
    p98: list
    valid_fraction: float           # valid pixels / pixels read
    n_pixels: int                   # valid pixels the statistics come from
    n_read: int = 0                 # pixels read per band
    source: str = ""                # "overview N (W x H px)" or "K random windows of S px"
    bands: list = field(default_factory=list)


def _pick_overview(ds, bands, budget: int):
    """Index of the most detailed overview with at most ``budget`` and at least 256 x 256
    pixels, present with the same size for every band; None if there is none."""
    b = ds.GetRasterBand(bands[0])
    best = None
    for k in range(b.GetOverviewCount()):
        o = b.GetOverview(k)
        n = o.XSize * o.YSize
        if not (65536 <= n <= budget):
            continue
        same = all(ds.GetRasterBand(i).GetOverviewCount() > k
                   and ds.GetRasterBand(i).GetOverview(k).XSize == o.XSize
                   and ds.GetRasterBand(i).GetOverview(k).YSize == o.YSize for i in bands)
        if same and (best is None or n > best[1]):
            best = (k, n)
    return None if best is None else best[0]


def _coverage(band, x0, y0, w, h) -> float:
    """Percentage of the window GDAL says holds data (100 when the driver cannot tell)."""
    try:
        flags, pct = band.GetDataCoverageStatus(int(x0), int(y0), int(w), int(h))
    except (RuntimeError, AttributeError):
        return 100.0
    if flags & gdal.GDAL_DATA_COVERAGE_STATUS_UNIMPLEMENTED:
        return 100.0
    return float(pct)


def _data_windows(band, info, ww, wh, n_windows, rng):
    """``n_windows`` random window origins spread over the parts of the raster that hold data.

    Mosaics can be mostly holes (a VRT of scattered tiles): GDAL's data-coverage status
    (cheap for VRT and sparse GeoTIFF) on a grid of at most 32 x 32 cells gives where the data
    is; a cell is drawn with probability proportional to its data, then a window overlapping
    it, redrawn when GDAL says the window is empty. Returns (positions, empty fraction)."""
    w, h = info.width, info.height
    gx, gy = min(32, -(-w // ww)), min(32, -(-h // wh))
    ex = np.linspace(0, w, gx + 1).astype(int)
    ey = np.linspace(0, h, gy + 1).astype(int)
    pct = np.array([[_coverage(band, ex[i], ey[j], ex[i + 1] - ex[i], ey[j + 1] - ey[j])
                     for i in range(gx)] for j in range(gy)])
    area = np.diff(ey)[:, None] * np.diff(ex)[None, :]
    weight = (pct * area).ravel()
    if weight.sum() <= 0:
        return [], 1.0
    empty = 1.0 - float(weight.sum() / (100.0 * area.sum()))
    cells = rng.choice(weight.size, n_windows, p=weight / weight.sum())
    positions = []
    for c in cells.tolist():
        j, i = divmod(c, gx)
        for _ in range(50):
            x0 = int(rng.integers(max(ex[i] - ww + 1, 0), min(ex[i + 1], w - ww) + 1))
            y0 = int(rng.integers(max(ey[j] - wh + 1, 0), min(ey[j + 1], h - wh) + 1))
            if empty == 0.0 or _coverage(band, x0, y0, ww, wh) > 0:
                positions.append((x0, y0))
                break
    return positions, empty


class _StatsAccumulator:
    """Moments and percentiles over chunks of valid pixels. 8- and 16-bit unsigned bands are
    counted in exact histograms; other types keep a random subsample for the percentiles."""

    def __init__(self, nb: int, dtype: str, n_chunks: int, seed: int):
        self.nb, self.count, self.n_read = nb, 0, 0
        self.hist = None
        if dtype in ("uint8", "uint16"):
            self.hist = np.zeros((nb, 256 if dtype == "uint8" else 65536), dtype=np.int64)
        self.sum = np.zeros(nb)
        self.mean = np.zeros(nb)
        self.m2 = np.zeros(nb)
        self.samples: list[np.ndarray] = []
        self.cap = max(1000, 400_000 // n_chunks)   # values kept per chunk for percentiles
        self.rng = np.random.default_rng([seed, 1])

    def add(self, values: np.ndarray, valid: np.ndarray) -> None:
        self.n_read += valid.size
        if values.dtype.kind == "f":
            valid = valid & np.isfinite(values.reshape(self.nb, *valid.shape)).all(axis=0)
        v = values.reshape(self.nb, -1)[:, valid.ravel()]
        k = v.shape[1]
        if k == 0:
            return
        self.count += k
        if self.hist is not None:
            for c in range(self.nb):
                self.hist[c] += np.bincount(v[c], minlength=self.hist.shape[1])
            return
        v = v.astype("float64")
        mu = v.mean(axis=1)
        s2 = ((v - mu[:, None]) ** 2).sum(axis=1)
        n0 = self.count - k
        delta = mu - self.mean
        self.mean = self.mean + delta * k / self.count   # Chan et al.: merge partial moments
        self.m2 = self.m2 + s2 + delta ** 2 * n0 * k / self.count
        if k > self.cap:
            v = v[:, self.rng.integers(0, k, self.cap)]
        self.samples.append(v.astype("float32"))

    def result(self):
        if self.hist is not None:
            x = np.arange(self.hist.shape[1], dtype="float64")
            n = self.hist.sum(axis=1).astype("float64")
            mean = (self.hist * x).sum(axis=1) / n
            var = (self.hist * (x - mean[:, None]) ** 2).sum(axis=1) / n
            cdf = np.cumsum(self.hist, axis=1)
            pct = []
            for q in (0.02, 0.98):           # numpy's default (linear) percentile, exactly
                r = q * (n - 1)
                lo = np.floor(r)
                v_lo = np.array([np.searchsorted(cdf[c], lo[c], side="right")
                                 for c in range(self.nb)], dtype="float64")
                v_hi = np.array([np.searchsorted(cdf[c], lo[c] + 1, side="right")
                                 for c in range(self.nb)], dtype="float64")
                hi_ok = lo + 1 <= n - 1
                pct.append(np.where(hi_ok, v_lo + (r - lo) * (v_hi - v_lo), v_lo))
            std = np.sqrt(var)
            p2, p98 = pct
        else:
            allv = np.concatenate(self.samples, axis=1)
            p2, p98 = np.percentile(allv, [2, 98], axis=1)
            std = np.sqrt(np.maximum(self.m2 / self.count, 0.0))
            mean = self.mean
        return ([float(v) for v in mean], [float(v) for v in std], [float(v) for v in p2],
                [float(v) for v in p98])


def sample_band_stats(path, n_windows: int = 64, window_px: int = 256, seed: int = 0,
                      progress: Progress = SILENT, *, bands: list[int] | None = None,
                      use_overviews: bool = True) -> BandStats:
    """Mean, std and 2nd/98th percentiles of each spectral band over valid pixels.

    Never reads a whole band: reads ``n_windows`` random windows of ``window_px`` pixels
    (deterministic for a ``seed``; windows GDAL reports empty, such as the holes of a VRT
    mosaic, are redrawn), or, when ``use_overviews`` and the raster has an overview
    of between 256 x 256 and n_windows x window_px^2 pixels, the most detailed such overview
    (``source`` says which). Overviews built with averaging give a slightly smaller std than
    full-resolution pixels. A pixel counts when it is valid in every band used.
    """
    info = raster_info(path)
    bands = [int(b) for b in (bands or info.spectral_bands)]
    ds = _open(path)
    nb = len(bands)
    n_windows = max(1, int(n_windows))
    acc = _StatsAccumulator(nb, info.dtype, n_windows, seed)
    add = acc.add
    rng = np.random.default_rng(seed)

    budget = n_windows * int(window_px) ** 2
    k_ovr = _pick_overview(ds, bands, budget) if use_overviews else None
    if k_ovr is not None:
        ovs = [ds.GetRasterBand(b).GetOverview(k_ovr) for b in bands]
        ow, oh = ovs[0].XSize, ovs[0].YSize
        source = f"overview {k_ovr + 1} of {len(info.overviews)} ({ow} x {oh} px)"
        ovr_masks = _mask_sources(ds, bands, overview=k_ovr)[0]
        step = max(1, int(math.ceil(oh / 16)))
        for r0 in range(0, oh, step):     # in row strips, for progress and cancel
            rh = min(step, oh - r0)
            vals = np.stack([o.ReadAsArray(0, r0, ow, rh) for o in ovs])
            valid = np.ones((rh, ow), dtype=bool)
            for m in ovr_masks:
                valid &= m.ReadAsArray(0, r0, ow, rh) >= 128
            add(vals, valid)
            progress.report((r0 + rh) / oh, "Sampling band statistics")
            progress.check()
    else:
        ww, wh = min(int(window_px), info.width), min(int(window_px), info.height)
        source = f"{n_windows} random windows of {ww} x {wh} px"
        reader_masks = _mask_sources(ds, bands)[0]
        positions, empty = _data_windows(ds.GetRasterBand(bands[0]), info, ww, wh, n_windows,
                                         rng)
        if empty > 0:
            source += f" drawn where the raster has data ({100 * empty:.1f} % of it is empty)"
        for i, (x0, y0) in enumerate(positions):
            vals = ds.ReadAsArray(x0, y0, ww, wh, band_list=bands).reshape(nb, wh, ww)
            valid = np.ones((wh, ww), dtype=bool)
            for m in reader_masks:
                valid &= m.ReadAsArray(x0, y0, ww, wh) >= 128
            add(vals, valid)
            progress.report((i + 1) / len(positions), "Sampling band statistics")
            progress.check()
    if acc.count == 0:
        raise BotaclipError(f"No valid pixel in {source} of {path}: the raster is empty or its "
                            "nodata value / mask hides everything. Check it in QGIS.")
    mean, std, p2, p98 = acc.result()
    return BandStats(mean=mean, std=std, p2=p2, p98=p98,
                     valid_fraction=float(acc.count / max(acc.n_read, 1)),
                     n_pixels=int(acc.count), n_read=int(acc.n_read), source=source,
                     bands=bands)


# ---------------------------------------------------------------- mosaics

_RASTER_EXT = (".tif", ".tiff", ".jp2", ".vrt", ".img", ".png", ".jpg", ".jpeg", ".ecw")


def _alpha_to_mask_band(vrt: Path) -> None:
    """Turn the alpha band gdalbuildvrt adds into the VRT's dataset mask (<MaskBand>): GDAL
    honours an alpha band as a mask only in 2- and 4-band datasets, a mask band always."""
    import xml.etree.ElementTree as ET

    tree = ET.parse(vrt)
    root = tree.getroot()
    bands = root.findall("VRTRasterBand")
    alpha = bands[-1] if bands else None
    if alpha is None or (alpha.findtext("ColorInterp") or "").lower() != "alpha":
        return
    root.remove(alpha)
    alpha.attrib.pop("band", None)
    alpha.remove(alpha.find("ColorInterp"))
    ET.SubElement(root, "MaskBand").append(alpha)
    tree.write(vrt, encoding="UTF-8")


def build_vrt(paths, out, *, resolution: str = "highest", add_alpha: bool | None = None,
              progress: Progress = SILENT, **opts) -> Path:
    """Mosaic rasters into one VRT (gdal.BuildVRT), written atomically.

    ``paths``: raster files, or one folder (its rasters). All must share the CRS and the number
    of bands (clear error otherwise: GDAL would silently skip them). ``add_alpha`` (default:
    only when some input has neither nodata nor a mask) marks the holes between the tiles
    invalid rather than black, with a dataset mask (<MaskBand>) made from gdalbuildvrt's alpha
    band. Other keyword options go to
    gdal.BuildVRTOptions (e.g. srcNodata=0, VRTNodata=0, resampleAlg="bilinear").
    """
    if isinstance(paths, (str, Path)) and Path(paths).is_dir():
        folder = Path(paths)
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in _RASTER_EXT
                       and p.resolve() != Path(out).resolve())
        if not paths:
            raise BotaclipError(f"No raster ({', '.join(_RASTER_EXT)}) in the folder {folder}.")
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [str(p) for p in paths]
    if not paths:
        raise BotaclipError("No raster given to mosaic.")
    infos = []
    for i, p in enumerate(paths):
        infos.append(raster_info(p))
        progress.report(0.5 * (i + 1) / len(paths), "Checking the rasters to mosaic")
        progress.check()
    ref = infos[0]
    ref_srs = srs_from_wkt(ref.srs_wkt)
    other = [inf for inf in infos[1:] if not same_crs(ref_srs, srs_from_wkt(inf.srs_wkt))]
    if other:
        listing = "\n".join(f"  {inf.path}: {srs_label(inf.srs_wkt)}" for inf in [ref] + other)
        raise BotaclipError("The rasters to mosaic are in different CRSs:\n" + listing +
                            "\nReproject them to one CRS first (gdalwarp -t_srs ...).")
    counts = {len(inf.spectral_bands) for inf in infos}
    if len(counts) > 1:
        listing = "\n".join(f"  {inf.path}: {len(inf.spectral_bands)} bands" for inf in infos)
        raise BotaclipError("The rasters to mosaic have different numbers of bands:\n" + listing +
                            "\nMosaic only rasters with the same bands, in the same order.")
    if add_alpha is None:
        add_alpha = any(not inf.has_mask for inf in infos) and not (
            "srcNodata" in opts or "VRTNodata" in opts)
    out = Path(out)
    options = gdal.BuildVRTOptions(resolution=resolution, addAlpha=bool(add_alpha), **opts)
    with atomic_output(out) as tmp:
        ds = gdal.BuildVRT(str(tmp), paths, options=options)
        if ds is None:
            raise BotaclipError(f"GDAL could not build the mosaic {out}.")
        ds.FlushCache()
        ds = None
        if add_alpha:
            _alpha_to_mask_band(Path(tmp))
    progress.report(1.0, "Mosaic written")
    return out

