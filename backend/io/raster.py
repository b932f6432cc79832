"""Orthophotos of any kind (any GDAL raster): opening, the header, validity masks, CRS.

:func:`raster_info` reads what the other modules need from a raster's header (size, CRS,
geotransform, bands, masks, overviews) with clear errors; :func:`to_raster_crs` brings plot
coordinates into the raster's CRS; :func:`check_patch_size` refuses a patch smaller than a
pixel or too large for the raster, :func:`check_complete` a GeoTIFF cut short. The readers
built on it: :mod:`.patches` (patches centred on plots), :mod:`.band_stats` (band statistics
from a sample) and :mod:`.mosaic` (VRT mosaics).

Validity. Every kind of "no data" GDAL knows is honoured through its mask bands
(``GetMaskBand``/``GetMaskFlags``): nodata values, per-dataset masks (internal or ``.msk``)
and alpha bands. A patch pixel is valid when it is valid in the mask of every band used
(:func:`mask_sources`).

Alpha bands are masks, never data. :attr:`RasterInfo.spectral_bands` lists the bands whose
colour interpretation is not ``Alpha``; only those are read as patch data and counted when
wavelengths are resolved (``count`` stays GDAL's band count). GDAL itself takes an alpha band
as the mask only in 2- and 4-band rasters (grey + alpha, RGB + alpha); in any other raster
(RGBN + alpha as written by ``gdalwarp -dstalpha``, 12 bands + alpha...) GDAL says "all
valid", so we add the alpha band to the masks ourselves and the patch reader resamples through
a padded copy whose mask GDAL honours (slower, but transparent pixels never blend into the
values). :func:`.mosaic.build_vrt` turns gdalbuildvrt's alpha band into a VRT dataset mask
for the same reason.

Overviews. :func:`.band_stats.sample_band_stats` uses a small overview when there is one, and
says so; the patch reader does not by default (:mod:`.patches`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal

from ..errors import BotaclipError
from .gdalutil import srs_from_wkt, srs_label, transform_xy


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


def window_geotransform(geotransform, c0: int, r0: int) -> tuple:
    """The geotransform of the window of a raster whose top-left pixel is (c0, r0)."""
    g = geotransform
    return (g[0] + c0 * g[1] + r0 * g[2], g[1], g[2], g[3] + c0 * g[4] + r0 * g[5], g[4], g[5])


def open_raster(path, open_options=None) -> gdal.Dataset:
    """A raster opened read-only (``open_options`` as GDAL takes them), with clear errors for
    a missing or unreadable file and for a file without raster bands."""
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
    ds = open_raster(path)
    p = str(path)
    gt, srs = _georeferencing(ds, p)
    w, h = ds.RasterXSize, ds.RasterYSize
    xs = (gt[0], gt[0] + gt[1] * w)
    ys = (gt[3], gt[3] + gt[5] * h)
    nodata, descs, colours, alpha, kinds = _band_headers(ds)
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


def check_patch_size(info: RasterInfo, patch_m, *, min_valid: float | None = None,
                     what: str = "orthophoto") -> float:
    """``patch_m`` as a float, refused (with the fix) when it is not a positive number of
    metres, when it is smaller than one pixel of the raster (the patch would be one pixel
    blown up: nothing for an image model to see), or, given ``min_valid``, when it is so
    much larger than the raster that no patch can hold that share of image pixels (every
    patch would be nodata). A geographic raster is left to the readers, which refuse it."""
    try:
        p = float(patch_m)
    except (TypeError, ValueError):
        p = math.nan
    if not (math.isfinite(p) and p > 0):
        raise BotaclipError(f"The patch size (--patch-m) must be a positive number of metres, "
                            f"not {patch_m}. The default, 100 m, suits most orthophotos.")
    if info.is_geographic:
        return p
    unit = float(info.linear_unit_m or 1.0)
    pixel = max(info.pixel_size) * unit
    if p < pixel:
        raise BotaclipError(
            f"A patch of {p:g} m is smaller than one pixel of the {what} {info.path} "
            f"({pixel:g} m): the model would see a single pixel blown up. Give a patch "
            f"(--patch-m) of many pixels, at least {pixel:g} m; the default is 100 m.")
    width_m = info.width * info.pixel_size[0] * unit
    height_m = info.height * info.pixel_size[1] * unit
    best = min(1.0, width_m / p) * min(1.0, height_m / p)
    if min_valid is not None and best < float(min_valid) - 1e-9:
        raise BotaclipError(
            f"A patch of {p:g} m is larger than the {what} {info.path} ({width_m:g} m x "
            f"{height_m:g} m): even centred on it, a patch holds at most {100 * best:.0f} % "
            f"image pixels, fewer than the {100 * float(min_valid):.0f} % required (--min-valid)"
            f", so every patch would be nodata. Give a patch (--patch-m) of at most "
            f"{min(width_m, height_m):g} m.")
    return p


def check_complete(info: RasterInfo) -> None:
    """Refuse a GeoTIFF whose image blocks (overviews included) run past the end of the file:
    a copy or download cut short. GDAL opens such a file from its header and fails only when
    a missing block is read, and reading only masks would call every plot usable. Other
    formats are not checked here; their readers report a damaged block when they meet it."""
    path = str(info.path)
    if info.driver != "GTiff" or path.startswith("/vsi"):
        return
    try:
        size = os.path.getsize(path)
    except OSError:
        return
    ds = open_raster(path)
    pixel = (ds.GetMetadataItem("INTERLEAVE", "IMAGE_STRUCTURE") or "").upper() == "PIXEL"
    total = missing = 0
    for b in ([1] if pixel else range(1, ds.RasterCount + 1)):
        band = ds.GetRasterBand(b)
        for level in [band] + [band.GetOverview(k) for k in range(band.GetOverviewCount())]:
            n, m = _blocks_beyond(level, size)
            total, missing = total + n, missing + m
    if missing:
        raise BotaclipError(
            f"The raster {path} is incomplete: {missing} of its {total} image blocks lie beyond "
            f"the end of the file ({size} bytes), as when a copy or a download is cut short. "
            "Copy or download it again (or export it again from its source).")


def _blocks_beyond(band, size: int) -> tuple[int, int]:
    """(blocks stored, blocks that end after ``size`` bytes) of one GeoTIFF band or
    overview; sparse blocks (never written) are not counted."""
    bx, by = band.GetBlockSize()
    nx, ny = -(-band.XSize // bx), -(-band.YSize // by)
    total = missing = 0
    for j in range(ny):
        for i in range(nx):
            off = band.GetMetadataItem(f"BLOCK_OFFSET_{i}_{j}", "TIFF")
            if not off:
                continue
            total += 1
            if int(off) + int(band.GetMetadataItem(f"BLOCK_SIZE_{i}_{j}", "TIFF") or 0) > size:
                missing += 1
    return total, missing


def _georeferencing(ds, p: str):
    """(geotransform, spatial reference) of an opened raster; raises when it has none, when
    the geotransform is rotated, or when it has no CRS."""
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
    return gt, srs


def _band_headers(ds):
    """Per band: nodata, description, colour interpretation and mask kind; and the alpha
    bands (1-based)."""
    nodata, descs, colours, alpha, kinds = [], [], [], [], []
    for i in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(i)
        nodata.append(band.GetNoDataValue())
        descs.append(band.GetDescription() or "")
        ci = band.GetColorInterpretation()
        colours.append(gdal.GetColorInterpretationName(ci))
        if ci == gdal.GCI_AlphaBand:
            alpha.append(i)
        kinds.append(_mask_kind(band.GetMaskFlags()))
    if alpha:
        # GDAL uses an alpha band as the mask only for 2- and 4-band datasets; we always do
        kinds = [k if i in alpha or "alpha" in k else ("alpha" if k == "all valid" else
                                                         k + "+alpha")
                 for i, k in enumerate(kinds, 1)]
    return nodata, descs, colours, alpha, kinds


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


# ---------------------------------------------------------------- validity masks

def _alpha_bands(ds) -> list[int]:
    return [i for i in range(1, ds.RasterCount + 1)
            if ds.GetRasterBand(i).GetColorInterpretation() == gdal.GCI_AlphaBand]


def mask_sources(ds, bands, overview: int | None = None) -> tuple[list, bool]:
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
