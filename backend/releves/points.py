"""The plots of a relevé source: their table, coordinates and CRS (:func:`read_points`, from a
point layer or a header table with X/Y fields), their ids (:func:`set_plot_ids`) and the ids
that appear more than once (:func:`duplicate_ids`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from osgeo import ogr

from ..errors import BotaclipError
from ..io.gdalutil import srs_from_user, srs_from_wkt
from ..progress import Progress
from .covers import to_number
from .names import normalise_plot_id
from .options import ReleveOptions
from .tables import (
    Table,
    find_field,
    is_csv,
    layer_fields,
    open_ogr_layer,
    read_csv_table,
    read_ogr_table,
    read_table,
    rows_text,
    split_source,
)

_COORD_HINTS = ("x", "y", "lon", "lat", "long", "longitude", "latitude", "easting", "northing",
                "xcoord", "ycoord")


@dataclass
class Points:
    """The plots: their table, coordinates (NaN without a geometry), CRS and ids."""

    table: Table
    x: np.ndarray
    y: np.ndarray
    srs_wkt: str
    ids: list[str] = field(default_factory=list)
    id_field: str | None = None


def _coord_column(table: Table, name: str, axis: str) -> tuple[str, np.ndarray]:
    f = find_field(table, name, f"{axis} coordinate", f"--{axis}")
    out = np.full(len(table), np.nan)
    bad = []
    for k, v in enumerate(table.columns[f]):
        if v is None or (isinstance(v, str) and v.strip() == ""):
            continue
        num = to_number(v, table.decimal_comma)
        if num is None or (isinstance(v, str) and v.strip().endswith("%")):
            bad.append((v, table.rows[k]))
        else:
            out[k] = num
    if bad:
        ex = "; ".join(f"{v!r} in row {r}" for v, r in bad[:5])
        raise BotaclipError(f"The {axis} field {f!r} of {table.label} has values that are not "
                            f"numbers: {ex}{' ...' if len(bad) > 5 else ''}. Give coordinates "
                            "as plain numbers (decimal degrees for longitude/latitude).")
    return f, out


def _coord_suggestion(table: Table) -> str:
    hits = [f for f in table.fields if f.strip().lower() in _COORD_HINTS]
    if hits:
        return f" (coordinate-like fields: {', '.join(hits)})"
    return ""


def _undefined_srs(wkt: str) -> bool:
    """GeoPackages without a CRS report GDAL's 'Undefined geographic/Cartesian SRS'."""
    name = (srs_from_wkt(wkt).GetName() or "").lower()
    return name.startswith("undefined")


def read_points(source, options: ReleveOptions, progress: Progress, choose) -> Points:
    """The plots' table and coordinates. ``choose(schema)`` sees the field names (a Table
    without values) before values are read and returns the fields to read (None: all)."""
    path, opts = split_source(source)
    if options.x or options.y:
        if not (options.x and options.y):
            raise BotaclipError(f"Give both the X and the Y field of {source} (--x and --y).")
        if not options.crs:
            raise BotaclipError(f"Give the CRS of the X/Y fields {options.x!r}/{options.y!r} of "
                                f"{source} (--crs), e.g. EPSG:4326 for longitude/latitude in "
                                "degrees.")
        srs = srs_from_user(options.crs)
        table = read_table(source, "relevé points table", progress, layer=options.layer)
        if len(table) == 0:
            raise BotaclipError(f"The relevé points table {table.label} has no rows.")
        fx, xs = _coord_column(table, options.x, "x")
        fy, ys = _coord_column(table, options.y, "y")
        choose(table)
        if srs.IsGeographic():
            out = np.flatnonzero((np.abs(xs) > 180) | (np.abs(ys) > 90))
            if out.size:
                rows = [table.rows[k] for k in out]
                raise BotaclipError(
                    f"Coordinates of {table.label} (fields {fx!r}, {fy!r}) are out of range for "
                    f"{options.crs} (longitude within ±180, latitude within ±90) in rows "
                    f"{rows_text(rows)}. Check that X is the longitude/easting and Y the "
                    "latitude/northing, and that the CRS is the one of these numbers.")
        return Points(table=table, x=xs, y=ys, srs_wkt=srs.ExportToWkt())
    if is_csv(path) and not opts:
        # A CSV is a point layer for OGR only with a WKT column; say what to do otherwise.
        head = read_csv_table(path, "relevé points table")
        if not any(f.strip().lower() in ("wkt", "geometry", "geom", "the_geom")
                   for f in head.fields):
            raise BotaclipError(
                f"{path} is a table without geometry: give its X and Y fields (--x, --y) "
                f"and their CRS (--crs){_coord_suggestion(head)}.")
    ds, lyr, label, real_path = open_ogr_layer(source, options.layer, "relevé layer", True)
    names, numeric = layer_fields(lyr)
    has_geom = lyr.GetGeomType() != ogr.wkbNone
    csv_driver = ds.GetDriver().ShortName == "CSV"
    if lyr.GetFeatureCount() == 0:
        raise BotaclipError(f"The relevé layer {label} is empty (no feature).")
    ds = lyr = None
    schema = Table(label=label, path=real_path, fields=names, columns={}, rows=[],
                    numeric=numeric)
    if not has_geom:
        raise BotaclipError(f"{label} has no geometry: give its X and Y fields (--x, --y) and "
                            f"their CRS (--crs){_coord_suggestion(schema)}.")
    wanted = None if csv_driver else choose(schema)   # CSV: numeric fields known once read
    table = read_ogr_table(source, options.layer, "relevé layer", fields=wanted, progress=progress)
    if csv_driver:
        choose(table)
    if len(table) == 0:
        raise BotaclipError(f"The relevé layer {table.label} is empty (no feature).")
    if table.srs_wkt and not _undefined_srs(table.srs_wkt):
        srs_wkt = table.srs_wkt
    elif options.crs:
        srs_wkt = srs_from_user(options.crs).ExportToWkt()
    else:
        raise BotaclipError(
            f"The relevé layer {table.label} has no CRS. Set it: in QGIS, Layer Properties > "
            "Source > Assigned Coordinate Reference System, then save a copy with Export > "
            "Save Features As (a shapefile needs its .prj), or give the CRS with --crs.")
    return Points(table=table, x=table.x, y=table.y, srs_wkt=srs_wkt)


def set_plot_ids(pts: Points, id_field: str | None) -> None:
    """Set ``pts.ids`` from ``id_field`` (normalised; none may be empty), or without a field
    from the FIDs (a header table: the data row numbers)."""
    table = pts.table
    if id_field is None:
        if table.fids is not None:
            pts.ids = [str(f) for f in table.fids]
        else:   # a header table without a plot id: the data row (1 = first row under header)
            pts.ids = [str(r - 1) for r in table.rows]
        return
    pts.id_field = id_field
    pts.ids = [normalise_plot_id(v) for v in table.columns[id_field]]
    empty = [table.rows[k] for k, pid in enumerate(pts.ids) if pid == ""]
    if empty:
        raise BotaclipError(f"The plot id field {id_field!r} of {table.label} is empty in rows "
                            f"{rows_text(empty)}. Give every plot an id.")


def duplicate_ids(ids: list[str]) -> dict[str, list[int]]:
    """Each id that appears more than once, with its positions."""
    where: dict[str, list[int]] = {}
    for k, pid in enumerate(ids):
        where.setdefault(pid, []).append(k)
    return {pid: ks for pid, ks in where.items() if len(ks) > 1}
