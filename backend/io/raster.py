"""Orthophotos of any kind (any GDAL raster): opening, the header, validity masks, CRS.

:func:`raster_info` reads what the other modules need from a raster's header (size, CRS,
geotransform, bands, masks, overviews) with clear errors; :func:`to_raster_crs` brings plot
coordinates into the raster's CRS. The readers built on it: :mod:`.patches` (patches centred on
plots), :mod:`.band_stats` (band statistics from a sample) and :mod:`.mosaic` (VRT mosaics).

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
