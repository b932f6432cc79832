"""Tables as people have them, read column by column into a :class:`Table`: CSV files in any
usual dialect (:func:`read_csv_table`, :func:`sniff_delimiter`) and any OGR layer
(:func:`read_ogr_table`; GeoPackage attributes straight from SQLite). A source may be a
QGIS-style string ``path|layername=name`` (:func:`split_source`). Also the field look-ups and
row lists the relevé readers' messages share (:func:`find_field`, :func:`rows_text`)."""

from __future__ import annotations

import codecs
import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr

from ..errors import BotaclipError
from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..io.gdalutil import require_file
from ..progress import SILENT, Progress
from .covers import to_number

_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}


@dataclass
class Table:
    """Rows read from a CSV or an OGR layer, column by column."""

    label: str                      # for messages: the path (and layer)
    path: str
    fields: list[str]
    columns: dict[str, list]
    rows: list[int]                 # row number of each record as a spreadsheet shows it
    numeric: set[str] = field(default_factory=set)     # fields read as numbers
    typed: set[str] = field(default_factory=set)       # fields whose values are int/float/None
    decimal_comma: bool = False
    fids: list[int] | None = None
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    srs_wkt: str | None = None
    has_geometry: bool = False
    metadata: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)


def split_source(source) -> tuple[str, dict[str, str]]:
    """'path|layername=x|subset=...' -> ('path', {'layername': 'x', 'subset': '...'})."""
    s = str(source)
    if "|" not in s or Path(s).exists():
        return s, {}
    path, *parts = s.split("|")
    opts = {}
    for part in parts:
        key, _, value = part.partition("=")
        opts[key.strip().lower()] = value.strip()
    return path, opts


def is_csv(path: str) -> bool:
    """Whether ``path`` is read by our own CSV reader (by its extension)."""
    return Path(path).suffix.lower() in _CSV_SUFFIXES


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raw = raw[len(codecs.BOM_UTF8):]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    for enc in ("utf-8", "cp1252"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """',', ';', tab or '|': the one that splits the header into the most fields and the
    first lines consistently (',' when none splits the header)."""
    sample = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (-1.0, 0)
    for delim in (",", ";", "\t", "|"):
        recs = [r for r in csv.reader(io.StringIO(sample), delimiter=delim)
                if any(c.strip() for c in r)]
        if not recs or len(recs[0]) < 2:
            continue
        n0 = len(recs[0])
        body = recs[1:-1] if len(recs) > 2 else recs[1:]
        consistent = sum(len(r) == n0 for r in body) / len(body) if body else 1.0
        score = (consistent, n0)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_table(path, what: str = "table") -> Table:
    """A CSV in any usual dialect: delimiter , ; tab or | (sniffed), UTF-8 with or without BOM,
    UTF-16 with BOM, else Windows-1252/Latin-1; quoted fields; decimal commas when the
    delimiter is ';' or tab. Cells are kept as stripped text."""
    p = require_file(path, what)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BotaclipError(f"Cannot read the {what} {p}: {exc.strerror}.") from exc
    text, _enc = _decode(raw)
    if not text.strip():
        raise BotaclipError(f"The {what} {p} is empty.")
    delim = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise BotaclipError(f"Cannot read the {what} {p} as CSV near line {reader.line_num}: "
                            f"{exc}. Check the quotes on that line.") from exc
    header_at = next(k for k, r in enumerate(records) if any(c.strip() for c in r))
    names = [c.strip().lstrip("\ufeff").strip() for c in records[header_at]]
    while names and not names[-1]:
        names.pop()
    names = [n or f"column_{k + 1}" for k, n in enumerate(names)]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    dup = [n for n, c in seen.items() if c > 1]
    if dup:
        raise BotaclipError(f"The {what} {p} has the same column name more than once: "
                            f"{', '.join(dup)}. Rename the columns so that each is unique.")
    columns: dict[str, list] = {n: [] for n in names}
    rows: list[int] = []
    nf = len(names)
    for k in range(header_at + 1, len(records)):
        rec = [c.strip() for c in records[k]]
        if not any(rec):
            continue
        if len(rec) > nf:
            if any(rec[nf:]):
                raise BotaclipError(
                    f"Row {k + 1} of the {what} {p} has {len(rec)} fields but the header has "
                    f"{nf} (delimiter {delim!r}). Quote cells that contain the delimiter.")
            rec = rec[:nf]
        rec += [""] * (nf - len(rec))
        for n, c in zip(names, rec):
            columns[n].append(c)
        rows.append(k + 1)
    dec = delim in (";", "\t")
    numeric = {n for n in names
               if _all_numbers(columns[n], dec) and any(c != "" for c in columns[n])}
    return Table(label=str(p), path=str(p), fields=names, columns=columns, rows=rows,
                  numeric=numeric, decimal_comma=dec)


def _all_numbers(cells, decimal_comma: bool) -> bool:
    for c in cells:
        if c == "" or c.lower() in ("na", "nan", "null", "none"):
            continue
        if to_number(c, decimal_comma) is None or c.endswith("%"):
            return False
    return True


def open_ogr_layer(source, layer_name: str | None, what: str, want_geometry: bool):
    """(dataset, layer, label for messages, path) of a source, its ``|layername=``,
    ``|layerid=`` and ``|subset=`` options applied; in a file of several layers without a
    name, the only one with (``want_geometry``) or without a geometry."""
    path, opts = split_source(source)
    p = require_file(path, what)
    try:
        ds = gdal.OpenEx(str(p), gdal.OF_VECTOR)
    except RuntimeError as exc:
        raise BotaclipError(f"Cannot open the {what} {p} as a vector file ({exc}). Give a "
                            "GeoPackage, shapefile, GeoJSON, CSV... that QGIS can open.") from exc
    if ds is None or ds.GetLayerCount() == 0:
        raise BotaclipError(f"The {what} {p} has no layer that GDAL can read.")
    names = [ds.GetLayerByIndex(k).GetName() for k in range(ds.GetLayerCount())]
    src_name = opts.get("layername")
    if layer_name and src_name and layer_name != src_name:
        raise BotaclipError(f"Two layer names given for {p}: {src_name!r} in the source and "
                            f"{layer_name!r} as the layer option. Give one.")
    name = layer_name or src_name
    if name:
        lyr = ds.GetLayerByName(name)
        if lyr is None:
            raise BotaclipError(f"The {what} {p} has no layer {name!r}. Its layers: "
                                f"{', '.join(names)}.")
    elif opts.get("layerid"):
        try:
            lyr = ds.GetLayerByIndex(int(opts["layerid"]))
        except (ValueError, RuntimeError):
            lyr = None
        if lyr is None:
            raise BotaclipError(f"The {what} {p} has no layer number {opts['layerid']!r} "
                                f"(layers 0 to {len(names) - 1}: {', '.join(names)}).")
    elif len(names) == 1:
        lyr = ds.GetLayerByIndex(0)
    else:
        cands = [ds.GetLayerByIndex(k) for k in range(len(names))]
        cands = [ly for ly in cands if (ly.GetGeomType() != ogr.wkbNone) == want_geometry]
        if len(cands) != 1:
            raise BotaclipError(f"The {what} {p} holds several layers ({', '.join(names)}): "
                                "say which one with the layer option (--layer) or as "
                                f"{p}|layername=NAME.")
        lyr = cands[0]
    label = str(p) if len(names) == 1 else f"{p}|layername={lyr.GetName()}"
    if opts.get("subset"):
        try:
            lyr.SetAttributeFilter(opts["subset"])
        except RuntimeError as exc:
            raise BotaclipError(f"The filter {opts['subset']!r} of {label} is not valid "
                                f"({exc}).") from exc
        label += f"|subset={opts['subset']}"
    return ds, lyr, label, str(p)


_NUMERIC_OGR = {ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal}


def layer_fields(lyr) -> tuple[list[str], set[str]]:
    """(field names, the numeric ones) of an OGR layer."""
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(k).GetName() for k in range(defn.GetFieldCount())]
    numeric = {names[k] for k in range(len(names))
               if defn.GetFieldDefn(k).GetType() in _NUMERIC_OGR}
    return names, numeric


def _gpkg_attributes(path: str, lyr, wanted: list[str]):
    """FIDs and attribute columns of a GeoPackage layer straight from SQLite (the same values
    OGR gives, without a Python call per cell); None when that is not possible."""
    import sqlite3

    fid_col = lyr.GetFIDColumn()
    if not fid_col:
        return None

    def quote(name):
        return '"' + name.replace('"', '""') + '"'

    sql = (f"SELECT {', '.join(quote(c) for c in [fid_col] + wanted)} FROM {quote(lyr.GetName())} "
           f"ORDER BY {quote(fid_col)}")
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            rows = con.execute(sql).fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    fids = [r[0] for r in rows]
    cols = {c: [r[k + 1] for r in rows] for k, c in enumerate(wanted)}
    return fids, cols


def _feature_loop(lyr, names, wanted, *, attributes: bool, has_geom: bool, path: str,
                  progress: Progress):
    """FIDs, attribute columns (when ``attributes``) and x/y of every feature; only the
    wanted fields are fetched from the driver."""
    skip = [n for n in names if not attributes or n not in wanted]
    lyr.SetIgnoredFields(skip + ["OGR_STYLE"])
    defn = lyr.GetLayerDefn()
    idx = [(n, defn.GetFieldIndex(n)) for n in wanted] if attributes else []
    columns: dict[str, list] = {n: [] for n, _ in idx}
    fids: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    total = max(1, lyr.GetFeatureCount(force=False))
    try:
        lyr.ResetReading()
        for k, feat in enumerate(lyr):
            fids.append(feat.GetFID())
            for n, j in idx:
                columns[n].append(feat.GetField(j) if feat.IsFieldSetAndNotNull(j) else None)
            gx = gy = math.nan
            geom = feat.GetGeometryRef() if has_geom else None
            if geom is not None and not geom.IsEmpty():
                if ogr.GT_Flatten(geom.GetGeometryType()) != ogr.wkbPoint:
                    geom = geom.Centroid()
                if geom is not None and not geom.IsEmpty():
                    gx, gy = geom.GetX(), geom.GetY()
            xs.append(gx)
            ys.append(gy)
            if k % 5000 == 0:
                progress.report(k / total, f"Reading {Path(path).name}")
                progress.check()
    finally:
        lyr.SetIgnoredFields([])
    return fids, columns, xs, ys


def read_ogr_table(source, layer_name=None, what="layer", *, want_geometry=True, fields=None,
                   progress: Progress = SILENT) -> Table:
    """Attributes (typed values), FIDs and point coordinates of an OGR layer. Points are read
    as such, other geometries at their centroid; missing or empty geometries give NaN.
    ``fields`` limits the attributes read (``Table.fields`` still lists them all)."""
    ds, lyr, label, path = open_ogr_layer(source, layer_name, what, want_geometry)
    names, numeric = layer_fields(lyr)
    wanted = names if fields is None else [n for n in names if n in set(fields)]
    has_geom = lyr.GetGeomType() != ogr.wkbNone
    srs = lyr.GetSpatialRef() if has_geom else None
    driver = ds.GetDriver().ShortName
    fast = None
    if driver == "GPKG" and "|subset=" not in label and wanted:
        fast = _gpkg_attributes(path, lyr, wanted)
    loop = dict(has_geom=has_geom, path=path, progress=progress)
    fids, columns, xs, ys = _feature_loop(lyr, names, wanted, attributes=fast is None, **loop)
    if fast is not None:
        if fast[0] == fids:
            columns = fast[1]
        else:   # not the order OGR reads in (should not happen): read through OGR after all
            fids, columns, xs, ys = _feature_loop(lyr, names, wanted, attributes=True, **loop)
    typed = set(numeric)
    if driver == "CSV":   # OGR reads CSV fields as text
        numeric |= {n for n in wanted if _all_numbers(
            [c if c is not None else "" for c in columns[n]], False) and
            any(c not in (None, "") for c in columns[n])}
    meta = {}
    try:
        meta = lyr.GetMetadata() or {}
    except RuntimeError:
        pass
    ds = None
    return Table(label=label, path=path, fields=names, columns=columns,
                  rows=[k + 2 for k in range(len(fids))], numeric=numeric, typed=typed,
                  fids=fids,
                  x=np.asarray(xs, dtype="float64"), y=np.asarray(ys, dtype="float64"),
                  srs_wkt=srs.ExportToWkt() if srs is not None else None,
                  has_geometry=has_geom, metadata=meta)


def read_table(source, what: str = "table", progress: Progress = SILENT,
               layer: str | None = None) -> Table:
    """A CSV (own reader: dialects, encodings) or any OGR layer read as a table."""
    path, opts = split_source(source)
    if is_csv(path) and not opts:
        return read_csv_table(path, what)
    return read_ogr_table(source, layer, what, want_geometry=False, progress=progress)


def find_field(table: Table, name: str, what: str, option: str) -> str:
    """The field called ``name`` (exact, else the only case-insensitive match)."""
    if name in table.fields:
        return name
    key = name.strip().lower()
    hits = [f for f in table.fields if f.strip().lower() == key]
    if len(hits) == 1:
        return hits[0]
    raise BotaclipError(f"The {what} field {name!r} is not in {table.label}. Its fields: "
                        f"{', '.join(table.fields) or '(none)'}. Set the right one with "
                        f"{option}.")


def rows_text(rows, limit: int = 5) -> str:
    """Row numbers for a message: the first ``limit``, then how many more."""
    rows = list(rows)
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(str(r) for r in rows[:limit]) + more
