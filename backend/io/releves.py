"""Relevés (vegetation plots) as ecologists have them, read into a sites x taxa matrix.

Two layouts are read:

* **wide**: a point layer (any OGR vector: GeoPackage, shapefile, GeoJSON, a CSV with a WKT
  column..., or a header CSV with X/Y columns and a CRS) with one numeric column per taxon;
* **long**: a table of (plot id, taxon, cover) rows (CSV, or any OGR table) joined on the plot
  id to a point layer or to a header table with X/Y columns.

A source may be a QGIS-style string ``path|layername=name`` (or ``|layerid=N``; a
``|subset=...`` filter is applied as an OGR attribute filter).

Rules worth knowing (the tests hold them):

* Plot ids are text: ``790150``, ``790150.0`` and ``"790150.0"`` are all ``"790150"``.
* Taxon names (:func:`normalise_taxon`): see its docstring. Authorities are not parsed.
* Two rows or columns that normalise to the same taxon in one plot (a species recorded in the
  tree and the shrub layer) are combined: percent covers as 1 - prod(1 - c/100) (independent
  overlap), presence as the maximum, counts as the sum.
* Covers: see :mod:`.covers` (scales, ``auto`` rules, mappings). Empty cells mean absent.
* Duplicate plot ids in the points: every row is kept and reported in ``problems`` as
  ``duplicate_id`` (a long table's rows then go to each of them); :func:`import_releves`
  refuses them.
* Long-table plot ids missing from the points: if none matches, that is an error (the join
  fields are almost certainly wrong). If some match, the others are dropped with a warning
  and reported as ``not_in_points``: a long table exported from a whole database is often
  joined to the header of a study area.
* Points without a geometry (or with empty X/Y) are kept with NaN coordinates and reported as
  ``no_geometry``; polygons are read at their centroid. Plots without any taxon are kept and
  reported as ``no_taxa``.
* Defaults: the plot id is the field ``plot_id`` (any case) if there is one, else the FID (a
  header table without one: its data row number). A long table joins on ``plot_id`` when both
  sides have it, else on the only field name the two share; its taxon and cover fields default
  to ``taxon``/``species``... and ``cover``/``abundance``... when present. The taxa of a wide
  layer default to its numeric fields except the plot id, the X/Y fields, excluded fields and
  fields named like coordinates or ids (fid, id, objectid, x, y, lon, lat, longitude,
  latitude, easting, northing, elevation, altitude...): name the taxon columns explicitly to
  read text columns of codes (Braun-Blanquet, say).
* :func:`write_releves` stores the scale of the numbers it writes in the layer metadata
  (GeoPackage), so reading its output back does not guess (counts up to 100 stay counts).
* Reading fetches only the fields it needs; GeoPackage attributes are read straight from
  SQLite (5000 plots x 300 taxa in about a second).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from . import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from .covers import bad_values_message, normalise_scale, parse_cells, to_number
from .gdalutil import require_file, srs_from_user, srs_from_wkt
from .vector import write_points

TRANSFORMS = ("presence", "sqrt", "log", "hellinger", "none")
PROBLEM_REASONS = ("duplicate_id", "no_geometry", "no_taxa", "not_in_points")

_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_TAXON_DEFAULTS = ("taxon", "species", "taxon_name", "species_name", "taxonname", "taxa")
_COVER_DEFAULTS = ("cover", "cover_percent", "cover_pct", "abundance")
# numeric fields that a wide layer holds beside its taxa: never read as taxa by default
_NOT_TAXA = {"fid", "ogc_fid", "objectid", "id", "x", "y", "z", "lon", "lat", "long", "lng",
             "longitude", "latitude", "easting", "northing", "xcoord", "ycoord", "x_coord",
             "y_coord", "elevation", "altitude", "area", "perimeter", "shape_area",
             "shape_length", "shape_leng", "shape_len", "geom_area", "geom_length",
             # the fields of check's status layer (backend.check.write_status_layer)
             "valid_fraction", "n_taxa"}
NOT_TAXA_FIELDS = frozenset(_NOT_TAXA)   # public name for front doors (never offered)
_COORD_HINTS = ("x", "y", "lon", "lat", "long", "longitude", "latitude", "easting", "northing",
                "xcoord", "ycoord")
# metadata written by write_releves so that a round trip keeps the kind of values
_META_SCALE = "botaclip_value_scale"


def transform_values(values, method: str) -> np.ndarray:
    """A sites x taxa matrix transformed for a model, float32: presence (> 0), sqrt, log
    (log1p), hellinger (sqrt(value / row sum); rows summing to zero stay zero) or none."""
    v = np.asarray(values, dtype="float32")
    m = (method or "none").lower()
    if m == "presence":
        return (v > 0).astype("float32")
    if m == "sqrt":
        return np.sqrt(v)
    if m in ("log", "log1p"):
        return np.log1p(v)
    if m == "hellinger":
        s = v.sum(axis=-1, keepdims=True, dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(s > 0, np.sqrt(v / np.where(s > 0, s, 1.0)), 0.0)
        return out.astype("float32")
    if m == "none":
        return v.copy()
    raise BotaclipError(f"Unknown cover transform {method!r}: use one of "
                        f"{', '.join(TRANSFORMS)}.")


@dataclass
class ReleveOptions:
    """How to read a relevé source (see :func:`read_releves`)."""

    plot_id: str | None = None            # field holding the plot id (default: 'plot_id' if
    #                                       present, else the layer's FID / the CSV data row)
    species_columns: list[str] | None = None   # wide: default every numeric field except the
    #                                            plot id, coordinates and excluded ones
    exclude_columns: list[str] | None = None
    table: str | None = None              # long table (plot id, taxon, cover) joined on plot id
    taxon: str | None = None
    cover: str | None = None
    cover_scale: str = "auto"             # auto|presence|percent|fraction|braun-blanquet|count
    cover_mapping: dict[str, float] | None = None   # user code -> percent, overrides/extends BB
    x: str | None = None                  # when the point source is a header table with X/Y
    y: str | None = None
    crs: str | None = None                # CRS of x/y (e.g. EPSG:4326)
    layer: str | None = None              # layer name inside a multi-layer vector file
    table_plot_id: str | None = None      # plot id field of the long table (default: plot_id)


@dataclass
class Releves:
    """A sites x taxa matrix with the plots' coordinates."""

    plot_ids: list[str]
    taxa: list[str]                 # normalised names, sorted
    values: np.ndarray              # float32 [n_plots, n_taxa]; percent cover, 1/0 or counts
    value_kind: str                 # "presence" | "cover_percent" | "count"
    x: np.ndarray                   # float64, NaN where a plot has no geometry
    y: np.ndarray
    srs_wkt: str
    source: str                     # what was read (paths)
    cover_scale: str                # the scale actually used (after auto)
    problems: list[tuple[str, str]] = field(default_factory=list)   # (plot_id, reason)

    @property
    def n_plots(self) -> int:
        return len(self.plot_ids)

    @property
    def n_taxa(self) -> int:
        return len(self.taxa)

    def transform(self, method: str) -> np.ndarray:
        """The matrix for a model (:func:`transform_values`; uses ``self.values`` only)."""
        return transform_values(self.values, method)

    def taxon_frequencies(self) -> dict[str, int]:
        """Number of plots where each taxon is present (> 0), commonest first; absent taxa
        (possible after :meth:`subset`) are left out."""
        counts = (np.asarray(self.values) > 0).sum(axis=0)
        order = sorted(range(len(self.taxa)), key=lambda j: (-int(counts[j]), self.taxa[j]))
        return {self.taxa[j]: int(counts[j]) for j in order if counts[j] > 0}

    def subset(self, idx) -> Releves:
        """The plots selected by ``idx`` (indices or a boolean mask); the taxa are kept, so
        columns stay aligned with the full set."""
        idx = np.asarray(idx)
        if idx.dtype == bool:
            if idx.shape != (self.n_plots,):
                raise ValueError(f"mask of {idx.shape} for {self.n_plots} plots")
            idx = np.flatnonzero(idx)
        idx = idx.astype("int64").reshape(-1)
        ids = [self.plot_ids[i] for i in idx]
        keep = set(ids)
        return replace(self, plot_ids=ids, values=self.values[idx].copy(), x=self.x[idx].copy(),
                       y=self.y[idx].copy(), taxa=list(self.taxa),
                       problems=[p for p in self.problems if p[0] in keep])

    def top_taxa(self, i, n: int = 3) -> list[str]:
        """The ``n`` taxa with the highest values in plot ``i`` (ties by name), present only."""
        row = np.asarray(self.values[int(i)])
        present = np.flatnonzero(row > 0)
        order = sorted(present, key=lambda j: (-float(row[j]), self.taxa[j]))
        return [self.taxa[j] for j in order[:n]]


@dataclass
class ImportResult:
    """What :func:`import_releves` wrote."""

    path: Path
    n_plots: int
    n_taxa: int
    n_rows: int                     # long-table rows read
    cover_scale: str
    value_kind: str
    problems: list[tuple[str, str]] = field(default_factory=list)


# ----------------------------------------------------------------------------- names

_RANK_DOT = {"subsp", "ssp", "var", "subvar", "f", "fo", "agg", "aggr", "cf", "aff", "sp",
             "spp", "sect", "subsect", "ser", "subg", "nothosubsp", "nothovar"}
_RANKS = _RANK_DOT | {"forma", "s.l", "s.str", "sensu"}
_HYBRID = {"x", "\u00d7"}
_INT_TEXT = re.compile(r"^[+-]?\d+\.0*$")


def _cap(word: str) -> str:
    for k, c in enumerate(word):
        if c.isalpha():
            return word[:k] + c.upper() + word[k + 1:].lower()
    return word


def normalise_taxon(name) -> str:
    """A taxon name in one canonical spelling, so that the same taxon is one column.

    The rule, step by step:

    1. Unicode NFC; no-break spaces and underscores become spaces; the ends are trimmed.
    2. A name that is then a single word containing dots is an R-style column name
       (``Abies.alba``, ``Carex.sp.``): it is split at the dots. Other names keep their dots.
    3. Words are separated by single spaces.
    4. Case: the genus (first word, after a hybrid sign ``x``/``×``) gets a capital and lower
       case after it; the species epithet (the word after the genus or after a hybrid sign)
       and any word after a rank abbreviation are lower-cased; rank abbreviations are
       lower-cased and end with a dot (subsp., ssp., var., f., agg., sp., spp., cf., aff.
       ...). Other words (authorities, "et") are kept as given.
    5. A result without any letter or digit is the empty name.

    Authorities are out of scope: "Abies alba Mill." and "Abies alba" stay two taxa. The rule
    is idempotent: a normalised name normalises to itself.
    """
    if name is None:
        return ""
    s = unicodedata.normalize("NFC", str(name)).replace("\u00a0", " ").replace("_", " ").strip()
    if not any(c.isspace() for c in s) and "." in s:
        words = [w for w in s.split(".") if w]
    else:
        words = s.split()
    out: list[str] = []
    genus_done = False
    epithet_next = False
    for w in words:
        lw = w.lower()
        bare = lw.rstrip(".")
        if not genus_done:
            if lw in _HYBRID:
                out.append(lw)
                continue
            out.append(_cap(w))
            genus_done = epithet_next = True
        elif lw in _HYBRID:
            out.append(lw)
            epithet_next = True
        elif bare in _RANKS:
            out.append(bare + "." if bare in _RANK_DOT else lw)
            epithet_next = True
        elif epithet_next:
            out.append(lw)
            epithet_next = False
        else:
            out.append(w)
    result = " ".join(out)
    return result if any(c.isalnum() for c in result) else ""


def normalise_plot_id(value) -> str:
    """Plot id as text: 790150, 790150.0 and '790150.0' all give '790150'; NaN/None give ''."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if not math.isfinite(f):
            return ""
        return str(int(f)) if f == int(f) else repr(f)
    s = " ".join(str(value).split())
    if s.lower() in ("nan", "null", "none", "na"):
        return ""
    if _INT_TEXT.match(s):
        s = s[:s.index(".")]
    return s


# ----------------------------------------------------------------------------- tables

@dataclass
class _Table:
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


def _is_csv(path: str) -> bool:
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
    for d in (",", ";", "\t", "|"):
        recs = [r for r in csv.reader(io.StringIO(sample), delimiter=d)
                if any(c.strip() for c in r)]
        if not recs or len(recs[0]) < 2:
            continue
        n0 = len(recs[0])
        body = recs[1:-1] if len(recs) > 2 else recs[1:]
        consistent = sum(len(r) == n0 for r in body) / len(body) if body else 1.0
        score = (consistent, n0)
        if score > best_score:
            best, best_score = d, score
    return best


def read_csv_table(path, what: str = "table") -> _Table:
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
    return _Table(label=str(p), path=str(p), fields=names, columns=columns, rows=rows,
                  numeric=numeric, decimal_comma=dec)


def _all_numbers(cells, decimal_comma: bool) -> bool:
    for c in cells:
        if c == "" or c.lower() in ("na", "nan", "null", "none"):
            continue
        if to_number(c, decimal_comma) is None or c.endswith("%"):
            return False
    return True


def _open_ogr(source, layer_name: str | None, what: str, want_geometry: bool):
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


def _layer_fields(lyr) -> tuple[list[str], set[str]]:
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

    def q(name):
        return '"' + name.replace('"', '""') + '"'

    sql = (f"SELECT {', '.join(q(c) for c in [fid_col] + wanted)} FROM {q(lyr.GetName())} "
           f"ORDER BY {q(fid_col)}")
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
            g = feat.GetGeometryRef() if has_geom else None
            if g is not None and not g.IsEmpty():
                if ogr.GT_Flatten(g.GetGeometryType()) != ogr.wkbPoint:
                    g = g.Centroid()
                if g is not None and not g.IsEmpty():
                    gx, gy = g.GetX(), g.GetY()
            xs.append(gx)
            ys.append(gy)
            if k % 5000 == 0:
                progress.report(k / total, f"Reading {Path(path).name}")
                progress.check()
    finally:
        lyr.SetIgnoredFields([])
    return fids, columns, xs, ys


def read_ogr_table(source, layer_name=None, what="layer", *, want_geometry=True, fields=None,
                   progress: Progress = SILENT) -> _Table:
    """Attributes (typed values), FIDs and point coordinates of an OGR layer. Points are read
    as such, other geometries at their centroid; missing or empty geometries give NaN.
    ``fields`` limits the attributes read (``_Table.fields`` still lists them all)."""
    ds, lyr, label, path = _open_ogr(source, layer_name, what, want_geometry)
    names, numeric = _layer_fields(lyr)
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
    return _Table(label=label, path=path, fields=names, columns=columns,
                  rows=[k + 2 for k in range(len(fids))], numeric=numeric, typed=typed,
                  fids=fids,
                  x=np.asarray(xs, dtype="float64"), y=np.asarray(ys, dtype="float64"),
                  srs_wkt=srs.ExportToWkt() if srs is not None else None,
                  has_geometry=has_geom, metadata=meta)


def read_table(source, what: str = "table", progress: Progress = SILENT,
               layer: str | None = None) -> _Table:
    """A CSV (own reader: dialects, encodings) or any OGR layer read as a table."""
    path, opts = split_source(source)
    if _is_csv(path) and not opts:
        return read_csv_table(path, what)
    return read_ogr_table(source, layer, what, want_geometry=False, progress=progress)


def _find_field(table: _Table, name: str, what: str, option: str) -> str:
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


def _default_field(table: _Table, candidates, what: str, option: str) -> str:
    low = {f.strip().lower(): f for f in table.fields}
    for c in candidates:
        if c in low:
            return low[c]
    raise BotaclipError(f"Which field of {table.label} holds the {what}? Name it with {option}. "
                        f"Its fields: {', '.join(table.fields)}.")


def _rows_text(rows, limit: int = 5) -> str:
    rows = list(rows)
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(str(r) for r in rows[:limit]) + more


def _ids_text(ids, limit: int = 10) -> str:
    ids = list(ids)
    more = f" ... ({len(ids)} in all)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


# ----------------------------------------------------------------------------- points

@dataclass
class _Points:
    table: _Table
    x: np.ndarray
    y: np.ndarray
    srs_wkt: str
    ids: list[str] = field(default_factory=list)
    id_field: str | None = None


def _coord_column(table: _Table, name: str, axis: str) -> tuple[str, np.ndarray]:
    f = _find_field(table, name, f"{axis} coordinate", f"--{axis}")
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


def _coord_suggestion(table: _Table) -> str:
    hits = [f for f in table.fields if f.strip().lower() in _COORD_HINTS]
    if hits:
        return f" (coordinate-like fields: {', '.join(hits)})"
    return ""


def _undefined_srs(wkt: str) -> bool:
    """GeoPackages without a CRS report GDAL's 'Undefined geographic/Cartesian SRS'."""
    name = (srs_from_wkt(wkt).GetName() or "").lower()
    return name.startswith("undefined")


def _read_points(source, o: ReleveOptions, progress: Progress, choose) -> _Points:
    """The plots' table and coordinates. ``choose(schema)`` sees the field names (a _Table
    without values) before values are read and returns the fields to read (None: all)."""
    path, opts = split_source(source)
    if o.x or o.y:
        if not (o.x and o.y):
            raise BotaclipError(f"Give both the X and the Y field of {source} (--x and --y).")
        if not o.crs:
            raise BotaclipError(f"Give the CRS of the X/Y fields {o.x!r}/{o.y!r} of {source} "
                                "(--crs), e.g. EPSG:4326 for longitude/latitude in degrees.")
        srs = srs_from_user(o.crs)
        table = read_table(source, "relevé points table", progress, layer=o.layer)
        if len(table) == 0:
            raise BotaclipError(f"The relevé points table {table.label} has no rows.")
        fx, xs = _coord_column(table, o.x, "x")
        fy, ys = _coord_column(table, o.y, "y")
        choose(table)
        if srs.IsGeographic():
            out = np.flatnonzero((np.abs(xs) > 180) | (np.abs(ys) > 90))
            if out.size:
                rows = [table.rows[k] for k in out]
                raise BotaclipError(
                    f"Coordinates of {table.label} (fields {fx!r}, {fy!r}) are out of range for "
                    f"{o.crs} (longitude within ±180, latitude within ±90) in rows "
                    f"{_rows_text(rows)}. Check that X is the longitude/easting and Y the "
                    "latitude/northing, and that the CRS is the one of these numbers.")
        return _Points(table=table, x=xs, y=ys, srs_wkt=srs.ExportToWkt())
    if _is_csv(path) and not opts:
        # A CSV is a point layer for OGR only with a WKT column; say what to do otherwise.
        head = read_csv_table(path, "relevé points table")
        if not any(f.strip().lower() in ("wkt", "geometry", "geom", "the_geom")
                   for f in head.fields):
            raise BotaclipError(
                f"{path} is a table without geometry: give its X and Y fields (--x, --y) "
                f"and their CRS (--crs){_coord_suggestion(head)}.")
    ds, lyr, label, real_path = _open_ogr(source, o.layer, "relevé layer", True)
    names, numeric = _layer_fields(lyr)
    has_geom = lyr.GetGeomType() != ogr.wkbNone
    csv_driver = ds.GetDriver().ShortName == "CSV"
    if lyr.GetFeatureCount() == 0:
        raise BotaclipError(f"The relevé layer {label} is empty (no feature).")
    ds = lyr = None
    schema = _Table(label=label, path=real_path, fields=names, columns={}, rows=[],
                    numeric=numeric)
    if not has_geom:
        raise BotaclipError(f"{label} has no geometry: give its X and Y fields (--x, --y) and "
                            f"their CRS (--crs){_coord_suggestion(schema)}.")
    wanted = None if csv_driver else choose(schema)   # CSV: numeric fields known once read
    table = read_ogr_table(source, o.layer, "relevé layer", fields=wanted, progress=progress)
    if csv_driver:
        choose(table)
    if len(table) == 0:
        raise BotaclipError(f"The relevé layer {table.label} is empty (no feature).")
    if table.srs_wkt and not _undefined_srs(table.srs_wkt):
        srs_wkt = table.srs_wkt
    elif o.crs:
        srs_wkt = srs_from_user(o.crs).ExportToWkt()
    else:
        raise BotaclipError(
            f"The relevé layer {table.label} has no CRS. Set it: in QGIS, Layer Properties > "
            "Source > Assigned Coordinate Reference System, then save a copy with Export > "
            "Save Features As (a shapefile needs its .prj), or give the CRS with --crs.")
    return _Points(table=table, x=table.x, y=table.y, srs_wkt=srs_wkt)


def _set_plot_ids(pts: _Points, id_field: str | None) -> None:
    t = pts.table
    if id_field is None:
        if t.fids is not None:
            pts.ids = [str(f) for f in t.fids]
        else:   # a header table without a plot id: the data row (1 = first row under header)
            pts.ids = [str(r - 1) for r in t.rows]
        return
    pts.id_field = id_field
    pts.ids = [normalise_plot_id(v) for v in t.columns[id_field]]
    empty = [t.rows[k] for k, pid in enumerate(pts.ids) if pid == ""]
    if empty:
        raise BotaclipError(f"The plot id field {id_field!r} of {t.label} is empty in rows "
                            f"{_rows_text(empty)}. Give every plot an id.")


def _duplicates(ids: list[str]) -> dict[str, list[int]]:
    where: dict[str, list[int]] = {}
    for k, pid in enumerate(ids):
        where.setdefault(pid, []).append(k)
    return {pid: ks for pid, ks in where.items() if len(ks) > 1}


# ----------------------------------------------------------------------------- assembly

def _assemble(n_plots: int, n_taxa: int, plot_idx, taxon_idx, values, kind: str) -> np.ndarray:
    """A float32 [n_plots, n_taxa] matrix from (plot, taxon, value) entries; entries of one
    plot and taxon are combined: percent as 1 - prod(1 - c/100), presence as max, counts as
    sum. A single entry is kept exactly."""
    out = np.zeros((n_plots, n_taxa), dtype="float32")
    v = np.asarray(values, dtype="float64")
    keep = v > 0
    if not keep.any():
        return out
    v = v[keep]
    lin = (np.asarray(plot_idx, dtype="int64")[keep] * n_taxa
           + np.asarray(taxon_idx, dtype="int64")[keep])
    cells, inv = np.unique(lin, return_inverse=True)
    if kind == "presence":
        val = (np.bincount(inv, minlength=len(cells)) > 0).astype("float64")
    else:
        val = np.bincount(inv, weights=v, minlength=len(cells))
        if kind != "count":
            multi = np.bincount(inv, minlength=len(cells)) > 1
            if multi.any():
                with np.errstate(divide="ignore"):
                    logs = np.bincount(inv, weights=np.log1p(-np.clip(v, 0, 100) / 100.0),
                                       minlength=len(cells))
                val[multi] = 100.0 * -np.expm1(logs[multi])
    out.reshape(-1)[cells] = val
    return out


def _cover_error(where_label, scale_used, requested, items):
    return BotaclipError(bad_values_message(where_label, scale_used, requested, items))


def _wide_fields(schema: _Table, o: ReleveOptions, progress: Progress):
    """(plot id field or None, taxon fields) of a wide layer, from its field names."""
    if o.plot_id:
        id_field = _find_field(schema, o.plot_id, "plot id", "--plot-id")
    else:
        id_field = next((f for f in schema.fields if f.strip().lower() == "plot_id"), None)
    coords = set()
    if o.x and o.y:
        coords = {_find_field(schema, o.x, "x coordinate", "--x"),
                  _find_field(schema, o.y, "y coordinate", "--y")}
    excluded = {_find_field(schema, name, "excluded", "--exclude-columns")
                for name in o.exclude_columns or []}
    if o.species_columns:
        fields = [_find_field(schema, name, "taxon", "--species-columns")
                  for name in o.species_columns]
        fields = [f for f in dict.fromkeys(fields) if f not in excluded]
    else:
        skipped = [f for f in schema.fields if f in schema.numeric and f != id_field
                   and f not in coords and f.strip().lower() in _NOT_TAXA]
        fields = [f for f in schema.fields
                  if f in schema.numeric and f != id_field and f not in excluded
                  and f not in coords and f not in skipped]
        if skipped:
            progress.info(f"Not read as taxa (coordinates or ids): {', '.join(skipped)}.")
    if not fields:
        raise BotaclipError(
            f"{schema.label} has no numeric field to read as taxa (fields: "
            f"{', '.join(schema.fields)}). Name the taxon columns with --species-columns, or "
            "give a long table with --table.")
    names = [normalise_taxon(f) for f in fields]
    empty = [f for f, nm in zip(fields, names) if not nm]
    if empty:
        raise BotaclipError(f"Column(s) {', '.join(map(repr, empty))} of {schema.label} have no "
                            "usable taxon name: leave them out of --species-columns.")
    return id_field, fields


def _numeric_cells(t: _Table, fields: list[str]):
    """All cells of ``fields``, field after field: a float array (NaN = empty) when every
    value is already a number (typed layers), else a list of raw cells."""
    if all(f in t.typed for f in fields):
        # numpy reads None as NaN in a float array
        return np.concatenate([np.array(t.columns[f], dtype="float64") for f in fields])
    cells: list = []
    for f in fields:
        cells.extend(t.columns[f])
    return cells


def _read_wide(pts: _Points, fields: list[str], o: ReleveOptions, scale: str):
    t = pts.table
    cells = _numeric_cells(t, fields)
    n = len(t)
    stored = t.metadata.get(_META_SCALE)
    use = scale
    if scale == "auto" and not o.cover_mapping and stored in ("presence", "percent", "count"):
        use = stored        # written by write_releves: no need to guess
    nums, used, kind, bad = parse_cells(cells, use, o.cover_mapping,
                                        decimal_comma=t.decimal_comma)
    if bad.any():
        idx = np.flatnonzero(bad)
        loc = [(fields[k // n], t.rows[k % n]) for k in idx]
        text_fields = [f for f in dict.fromkeys(f for f, _ in loc) if f not in t.numeric]
        if text_fields:
            first: dict = {}
            for k, (f, r) in zip(idx, loc):
                first.setdefault(f, (cells[k], r))
            ex = "; ".join(f"{f!r}: e.g. {first[f][0]!r} in row {first[f][1]}"
                           for f in text_fields)
            raise BotaclipError(
                f"Taxon column(s) of {t.label} hold text that is not a cover value: {ex}. "
                f"Take them out of --species-columns (or add them to --exclude-columns), or "
                f"if they are cover codes, say how they are written with --cover-scale or "
                f"--cover-mapping.")
        items = [(cells[k], f"field {f!r} row {r}") for k, (f, r) in zip(idx, loc)]
        raise _cover_error(f"the taxon columns of {t.label}", used, scale, items)
    names = [normalise_taxon(f) for f in fields]
    taxa = sorted(set(names))
    col = {name: j for j, name in enumerate(taxa)}
    taxon_idx = np.repeat(np.array([col[nm] for nm in names], dtype="int64"), n)
    plot_idx = np.tile(np.arange(n, dtype="int64"), len(fields))
    return taxa, _assemble(n, len(taxa), plot_idx, taxon_idx, nums, kind), used, kind


def _long_id_fields(schema: _Table, lt: _Table, o: ReleveOptions, progress) -> tuple[str, str]:
    """(plot id field of the points, of the long table)."""
    if o.plot_id:
        fh = _find_field(schema, o.plot_id, "plot id", "--plot-id")
        fl = _find_field(lt, o.table_plot_id or o.plot_id, "plot id", "--plot-id")
        return fh, fl
    if o.table_plot_id:
        fl = _find_field(lt, o.table_plot_id, "plot id", "--plot-id")
        return _find_field(schema, fl, "plot id", "--plot-id"), fl
    low_h = {f.strip().lower(): f for f in schema.fields}
    low_l = {f.strip().lower(): f for f in lt.fields}
    if "plot_id" in low_h and "plot_id" in low_l:
        return low_h["plot_id"], low_l["plot_id"]
    common = [k for k in low_l if k in low_h]
    if len(common) == 1:
        progress.info(f"Joining {lt.label} to {schema.label} on their common field "
                      f"{low_l[common[0]]!r}.")
        return low_h[common[0]], low_l[common[0]]
    raise BotaclipError(
        f"Which field holds the plot id? Name it with --plot-id. Fields of {schema.label}: "
        f"{', '.join(schema.fields)}; of {lt.label}: {', '.join(lt.fields)}.")


def _read_long(pts: _Points, lt: _Table, fl: str, o: ReleveOptions, scale: str,
               progress: Progress):
    ftax = (_find_field(lt, o.taxon, "taxon", "--taxon") if o.taxon
            else _default_field(lt, _TAXON_DEFAULTS, "taxon names", "--taxon"))
    fcov = (_find_field(lt, o.cover, "cover", "--cover") if o.cover
            else _default_field(lt, _COVER_DEFAULTS, "covers", "--cover"))
    progress.report(0.0, "Reading the covers")
    progress.check()
    covers = lt.columns[fcov]
    nums, used, kind, bad = parse_cells(covers, scale, o.cover_mapping,
                                        decimal_comma=lt.decimal_comma)
    if bad.any():
        items = [(covers[k], lt.rows[k]) for k in np.flatnonzero(bad)]
        raise _cover_error(f"field {fcov!r} of {lt.label}", used, scale, items)
    ids = [normalise_plot_id(v) for v in lt.columns[fl]]
    names = [normalise_taxon(v) for v in lt.columns[ftax]]
    no_id = [lt.rows[k] for k in range(len(lt)) if ids[k] == "" and nums[k] > 0]
    if no_id:
        raise BotaclipError(f"The plot id field {fl!r} of {lt.label} is empty in rows "
                            f"{_rows_text(no_id)}. Every row needs the id of its plot.")
    no_taxon = [lt.rows[k] for k in range(len(lt)) if names[k] == "" and nums[k] > 0]
    if no_taxon:
        raise BotaclipError(f"The taxon field {ftax!r} of {lt.label} is empty in rows "
                            f"{_rows_text(no_taxon)} although they have a cover. Give the "
                            "taxon name or delete these rows.")
    progress.report(0.5, "Joining the long table to the plots")
    progress.check()
    index: dict[str, list[int]] = {}
    for k, pid in enumerate(pts.ids):
        index.setdefault(pid, []).append(k)
    unmatched = list(dict.fromkeys(pid for pid in ids if pid and pid not in index))
    problems: list[tuple[str, str]] = []
    if unmatched and not any(pid in index for pid in ids):
        raise BotaclipError(
            f"No plot id of the long table {lt.label} (field {fl!r}) is in {pts.table.label} "
            f"(field {pts.id_field!r}). Ids of the long table: {_ids_text(unmatched)}; ids of "
            f"the plots: {_ids_text(list(dict.fromkeys(pts.ids)))}. Check the plot id fields "
            "(--plot-id) and that both files describe the same plots.")
    if unmatched:
        lost = set(unmatched)
        n_rows = sum(1 for pid in ids if pid in lost)
        progress.warn(f"{len(unmatched)} plot id(s) of {lt.label} are not in "
                      f"{pts.table.label}; their {n_rows} rows are left out: "
                      f"{_ids_text(unmatched)}.")
        problems += [(pid, "not_in_points") for pid in unmatched]
    p_idx, t_names, vals = [], [], []
    for k in range(len(lt)):
        if nums[k] <= 0 or ids[k] not in index:
            continue
        for pk in index[ids[k]]:
            p_idx.append(pk)
            t_names.append(names[k])
            vals.append(nums[k])
    taxa = sorted(set(t_names))
    col = {name: j for j, name in enumerate(taxa)}
    values = _assemble(len(pts.ids), len(taxa), p_idx, [col[nm] for nm in t_names], vals, kind)
    return taxa, values, used, kind, problems


def _read(source, o: ReleveOptions, progress: Progress, *, refuse_duplicates: bool = False):
    """Releves and the number of long-table rows read (0 for a wide layer)."""
    scale = normalise_scale(o.cover_scale)
    chosen: dict = {}
    n_rows = 0
    if o.table:
        progress.report(0.0, "Reading the long table")
        lt = read_table(o.table, "long table", progress.sub(0.0, 0.3))
        if len(lt) == 0:
            raise BotaclipError(f"The long table {lt.label} has no rows.")
        n_rows = len(lt)

        def choose(schema):
            chosen["id"], chosen["table_id"] = _long_id_fields(schema, lt, o, progress)
            return [chosen["id"]]

        pts = _read_points(source, o, progress.sub(0.3, 0.6), choose)
        _set_plot_ids(pts, chosen["id"])
        taxa, values, used, kind, problems = _read_long(
            pts, lt, chosen["table_id"], o, scale, progress.sub(0.6, 0.95))
        sources = f"{pts.table.label} + {lt.label}"
    else:
        def choose(schema):
            chosen["id"], chosen["fields"] = _wide_fields(schema, o, progress)
            return ([chosen["id"]] if chosen["id"] else []) + chosen["fields"]

        pts = _read_points(source, o, progress.sub(0.0, 0.8), choose)
        _set_plot_ids(pts, chosen["id"])
        progress.report(0.85, "Reading the covers")
        progress.check()
        taxa, values, used, kind = _read_wide(pts, chosen["fields"], o, scale)
        problems = []
        sources = pts.table.label
    progress.check()
    dups = _duplicates(pts.ids)
    if dups and refuse_duplicates:
        lines = [f"  {pid}: rows {_rows_text([pts.table.rows[k] for k in ks])}"
                 for pid, ks in list(dups.items())[:20]]
        more = f"\n  ... {len(dups) - 20} more" if len(dups) > 20 else ""
        raise BotaclipError(
            f"{len(dups)} plot id(s) appear more than once in {pts.table.label} (field "
            f"{pts.id_field!r}):\n" + "\n".join(lines) + more +
            "\nEach plot must have one row: remove or rename the duplicates.")
    problems = [(pid, "duplicate_id") for pid in dups] + problems
    nogeo = ~(np.isfinite(pts.x) & np.isfinite(pts.y))
    problems += [(pts.ids[k], "no_geometry") for k in np.flatnonzero(nogeo)]
    empty = ~(values > 0).any(axis=1)
    if empty.all():
        raise BotaclipError(
            f"No plot of {sources} has any taxon with a cover above 0 (covers read as {used}). "
            "Check the taxon/cover fields, or the plot id fields that join the two tables.")
    problems += [(pts.ids[k], "no_taxa") for k in np.flatnonzero(empty)]
    progress.report(1.0, f"{len(pts.ids)} plots, {len(taxa)} taxa")
    rel = Releves(plot_ids=list(pts.ids), taxa=taxa, values=values, value_kind=kind,
                  x=np.asarray(pts.x, dtype="float64"), y=np.asarray(pts.y, dtype="float64"),
                  srs_wkt=pts.srs_wkt, source=sources, cover_scale=used, problems=problems)
    return rel, n_rows


def read_releves(source: str, options: ReleveOptions | None = None,
                 progress: Progress = SILENT) -> Releves:
    """Read relevés from a wide point layer, or a long table joined to points (module doc).

    ``source`` is any OGR vector (``path|layername=name`` accepted), or a header table when
    ``options.x``/``options.y`` are given (then ``options.crs`` is required).
    """
    rel, _ = _read(source, options or ReleveOptions(), progress)
    return rel


# ----------------------------------------------------------------------------- writing

# FlatGeobuf is left out: it drops features without geometry and reorders the others.
_WRITABLE = {".gpkg", ".geojson", ".json"}


def write_releves(releves: Releves, out, layer: str | None = None) -> Path:
    """A wide point layer: a text ``plot_id`` field then one numeric field per taxon (named by
    the taxon). Integers for presence/counts, reals for percent cover. Written atomically."""
    out = Path(out)
    if out.suffix.lower() not in _WRITABLE:
        raise BotaclipError(
            f"Cannot write relevés to {out}: use .gpkg (recommended) or .geojson. "
            "Shapefiles cut field names to 10 characters, which would merge taxa; CSV and "
            "FlatGeobuf lose plots without coordinates.")
    seen: dict[str, str] = {}
    for t in releves.taxa:
        key = t.lower()
        if key in ("plot_id", "fid") or key in seen:
            other = seen.get(key, "plot_id")
            raise BotaclipError(f"Taxa {other!r} and {t!r} would be the same field in {out} "
                                "(field names ignore case). Rename one of them.")
        seen[key] = t
    fields: dict = {"plot_id": np.asarray(releves.plot_ids, dtype=object)}
    v = np.asarray(releves.values, dtype="float64")
    if releves.value_kind in ("presence", "count"):
        v = np.round(v).astype("int64")
        stored = "presence" if releves.value_kind == "presence" else "count"
    else:
        v = np.round(v, 4)
        stored = "percent"
    for j, t in enumerate(releves.taxa):
        fields[t] = v[:, j]
    meta = {_META_SCALE: stored, "botaclip_value_kind": releves.value_kind,
            "botaclip_cover_scale": releves.cover_scale, "botaclip_source": releves.source}
    return write_points(out, srs_from_wkt(releves.srs_wkt), releves.x, releves.y, fields,
                        layer=layer or "releves", metadata=meta,
                        description=f"Relevés from {releves.source}")


def import_releves(table, header, *, plot_id, taxon, cover, x=None, y=None, crs=None, out,
                   cover_scale: str = "auto", cover_mapping=None, table_plot_id=None,
                   progress: Progress = SILENT) -> ImportResult:
    """Long table (plot id, taxon, cover) + header (X/Y fields and ``crs``, or a point layer
    when ``x``/``y`` are None) -> a wide point layer ``out`` (GeoPackage). ``table_plot_id``
    names the long table's plot id field when it differs from the header's. Duplicate plot
    ids in the header are refused; nothing is written on any error."""
    o = ReleveOptions(plot_id=plot_id, table=str(table), taxon=taxon, cover=cover,
                      cover_scale=cover_scale, cover_mapping=cover_mapping, x=x, y=y, crs=crs,
                      table_plot_id=table_plot_id)
    rel, n_rows = _read(header, o, progress.sub(0.0, 0.8), refuse_duplicates=True)
    for pid, reason in rel.problems:
        if reason == "no_geometry":
            progress.warn(f"Plot {pid} has no coordinates in {header}; it is written with an "
                          "empty geometry.")
    progress.report(0.85, f"Writing {Path(out).name}")
    progress.check()
    path = write_releves(rel, out)
    progress.report(1.0, f"{rel.n_plots} plots, {rel.n_taxa} taxa written")
    return ImportResult(path=path, n_plots=rel.n_plots, n_taxa=rel.n_taxa, n_rows=n_rows,
                        cover_scale=rel.cover_scale, value_kind=rel.value_kind,
                        problems=list(rel.problems))
