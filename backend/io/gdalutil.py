"""Small GDAL/OGR/OSR helpers shared by the readers and writers.

GDAL is used through its own Python bindings (osgeo), the same library QGIS loads, so the
plugin never brings a second GDAL into QGIS's process.
"""

from __future__ import annotations

from pathlib import Path

from osgeo import gdal, ogr, osr

from ..errors import BotaclipError

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()


def srs_from_user(text: str, what: str = "CRS") -> osr.SpatialReference:
    """A spatial reference from 'EPSG:2154', a WKT, a PROJ string or an authority code."""
    srs = osr.SpatialReference()
    try:
        srs.SetFromUserInput(str(text))
    except RuntimeError as exc:
        raise BotaclipError(
            f"Unknown {what} {text!r}: give it as EPSG:NNNN (for example EPSG:2154 for "
            "Lambert-93 or EPSG:4326 for longitude/latitude).") from exc
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def srs_from_wkt(wkt: str) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def srs_label(srs_or_wkt) -> str:
    """'EPSG:2154' when the CRS has an EPSG code, else its name."""
    srs = srs_from_wkt(srs_or_wkt) if isinstance(srs_or_wkt, str) else srs_or_wkt
    if srs is None:
        return "no CRS"
    try:
        srs.AutoIdentifyEPSG()
    except RuntimeError:
        pass
    auth, code = srs.GetAuthorityName(None), srs.GetAuthorityCode(None)
    if auth and code:
        return f"{auth}:{code}"
    try:      # e.g. a WKT1 without authority (ESRI .prj files, some GeoTIFF keys)
        matches = srs.FindMatches() or []
    except RuntimeError:
        matches = []
    if matches and matches[0][1] >= 90:
        m = matches[0][0]
        if m.GetAuthorityName(None) and m.GetAuthorityCode(None):
            return f"{m.GetAuthorityName(None)}:{m.GetAuthorityCode(None)}"
    return srs.GetName() or "custom CRS"


def same_crs(a: osr.SpatialReference, b: osr.SpatialReference) -> bool:
    return bool(a.IsSame(b))


def transform_xy(xs, ys, src: osr.SpatialReference, dst: osr.SpatialReference):
    """Transform coordinate arrays (x = easting/longitude first) from ``src`` to ``dst``."""
    import numpy as np

    xs = np.asarray(xs, dtype="float64")
    ys = np.asarray(ys, dtype="float64")
    if same_crs(src, dst) or xs.size == 0:
        return xs.copy(), ys.copy()
    ct = osr.CoordinateTransformation(src, dst)
    pts = ct.TransformPoints(np.column_stack([xs, ys]).tolist())
    out = np.asarray(pts, dtype="float64").reshape(-1, 3)
    return out[:, 0], out[:, 1]


def require_file(path, what: str = "file") -> Path:
    p = Path(path)
    if not p.exists():
        raise BotaclipError(f"The {what} {p} does not exist. Check the path.")
    if p.is_dir() and what != "folder" and p.suffix.lower() not in (".gdb",):
        raise BotaclipError(f"The {what} {p} is a folder; give the path of a file.")
    return p
