"""Writing point layers (GeoPackage by default) with OGR: whole or not at all, and without
destroying anything else.

A GeoPackage can hold many layers, so an output aimed at an existing one adds our layer or
replaces our layer of the same name, inside one SQLite transaction (a crash or a cancel
leaves the file as it was), and keeps every other layer. Other formats hold one layer per
file and are written under a temporary name and moved in place (:mod:`.atomic`). Our layers
are recognised by content: the ``BOTACLIP_LAYER`` metadata item naming their kind, or a
description starting with "BotaCLIP" (GeoPackage, GeoJSON), or -- for formats that keep
neither -- the very fields we write.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr

from ..errors import BotaclipError
from . import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from .atomic import atomic_output, temp_sibling, write_error
from .outputs import check_output, refuse_inputs

_DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON",
            ".csv": "CSV", ".fgb": "FlatGeobuf"}
_SHP_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}
KIND_KEY = "BOTACLIP_LAYER"
_DESCRIBED = ("GPKG", "GeoJSON")       # drivers that keep a layer description


def driver_for(path) -> str:
    ext = Path(path).suffix.lower()
    if ext not in _DRIVERS:
        raise BotaclipError(f"Cannot write {path}: use one of the extensions "
                            f"{', '.join(sorted(_DRIVERS))}.")
    return _DRIVERS[ext]


def _field_type(values):
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return ogr.OFTInteger, ogr.OFSTBoolean
    if arr.dtype.kind in "iu":
        return ogr.OFTInteger64, ogr.OFSTNone
    if arr.dtype.kind == "f":
        return ogr.OFTReal, ogr.OFSTNone
    return ogr.OFTString, ogr.OFSTNone


# ------------------------------------------------------------------------------ ours

def _layer_is_ours(lyr, kind: str, fields) -> bool:
    md = lyr.GetMetadata() or {}
    if md.get(KIND_KEY) == kind or any(k.lower().startswith("botaclip") for k in md):
        return True
    if str(md.get("DESCRIPTION") or "").startswith("BotaCLIP"):
        return True
    if fields is None:
        return False
    defn = lyr.GetLayerDefn()
    have = {defn.GetFieldDefn(i).GetName().lower()[:10] for i in range(defn.GetFieldCount())}
    return bool(have) and have == {str(f).lower()[:10] for f in fields}


def _open(path, update: bool = False):
    flags = gdal.OF_VECTOR | (gdal.OF_UPDATE if update else gdal.OF_READONLY)
    try:
        return gdal.OpenEx(str(path), flags)
    except RuntimeError:
        return None


def _driver_name(ds) -> str:
    drv = ds.GetDriver()             # gdal.Driver (ShortName) or ogr.Driver (GetName)
    return getattr(drv, "ShortName", None) or drv.GetName()


def _is_gpkg(path: Path) -> bool:
    ds = _open(path) if path.is_file() else None
    return ds is not None and _driver_name(ds) == "GPKG"


def layer_owned(path, layer: str, kind: str, fields=None) -> bool | None:
    """Whether the existing output ``path`` holds, under ``layer``, a layer BotaCLIP wrote as
    ``kind`` (True), a layer that is not ours (False), or no such layer (None: a GeoPackage
    it can be added to). A file OGR cannot read is not ours."""
    path = Path(path)
    ds = _open(path)
    if ds is None:
        return False
    gpkg = _driver_name(ds) == "GPKG"
    lyr = ds.GetLayerByName(layer) if gpkg else ds.GetLayer(0)
    if lyr is None:
        return None if gpkg else False
    return _layer_is_ours(lyr, kind, fields)


def check_points_output(path, *, layer: str, kind: str, fields=None, overwrite: bool = False,
                        inputs=(), what: str = "point layer") -> Path:
    """The checks of a point-layer output before the work starts (see :func:`write_points`):
    a known extension, not an input, and no layer (or single-layer file) of the user's in
    the way unless ``overwrite``."""
    path = Path(path)
    driver_for(path)
    refuse_inputs(path, list(inputs), what)
    owned = layer_owned(path, layer, kind, fields) if path.is_file() else None
    if owned is False and not overwrite:
        inside = f"its layer '{layer}' was" if _is_gpkg(path) else "it was"
        raise BotaclipError(
            f"The {what} {path} already exists and {inside} not written by BotaCLIP, so it "
            "was left untouched. Choose another file name (on the command line, --overwrite "
            "replaces it).")
    return check_output(path, what=what, inputs=(), overwrite=True)


# ------------------------------------------------------------------------------ writing

def write_points(path, srs, x, y, fields: dict, *, layer: str | None = None,
                 description: str = "", metadata: dict | None = None, kind: str | None = None,
                 overwrite: bool = False) -> Path:
    """Write a point layer. ``fields`` maps column name to a sequence as long as ``x``.

    NaN in a float column becomes NULL. The file appears only when complete.
    ``kind`` (e.g. "plot_status") marks the layer as a BotaCLIP output of that kind; with
    it, an existing GeoPackage keeps its other layers, and an existing layer or file that
    is not ours is refused unless ``overwrite``. Without it (files written into a new
    folder, test data) the file is written whole.
    """
    path = Path(path)
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    n = len(x)
    for name, values in fields.items():
        if len(values) != n:
            raise ValueError(f"field {name}: {len(values)} values for {n} points")
    drv = ogr.GetDriverByName(driver_for(path))
    layer = layer or path.stem
    if kind:
        check_points_output(path, layer=layer, kind=kind, fields=list(fields),
                            overwrite=overwrite)
        metadata = {**(metadata or {}), KIND_KEY: kind}
    args = (srs, x, y, fields, layer, description, metadata)
    if kind and drv.GetName() == "GPKG" and _is_gpkg(path):
        _replace_gpkg_layer(path, *args)
    elif drv.GetName() == "ESRI Shapefile":
        _write_shapefile(drv, path, *args)
    else:
        with atomic_output(path, what="point layer") as tmp:
            _write_new(drv, tmp, *args)
    return path


def _write_shapefile(drv, path: Path, *args) -> None:
    """A shapefile is several files (.shp, .shx, .dbf, .prj, .cpg): they are written in a
    temporary folder beside the target and moved in, each by ``os.replace``, only when all
    are complete; old parts the new ones do not replace (an index) are dropped."""
    tmpdir = temp_sibling(path.with_name(path.name + ".tmpdir"))
    try:
        tmpdir.mkdir()
        _write_new(drv, tmpdir / path.name, *args)
        new = {p.suffix.lower() for p in tmpdir.iterdir()}
        for part in tmpdir.iterdir():
            os.replace(part, path.parent / part.name)
        for old in path.parent.glob(glob.escape(path.stem) + ".*"):
            if old.suffix.lower() in _SHP_PARTS - new:
                with contextlib.suppress(OSError):
                    old.unlink()
    except (OSError, RuntimeError) as exc:
        raise write_error(path, exc, "shapefile") from exc
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _write_new(drv, target: Path, *args) -> None:
    ds = drv.CreateDataSource(str(target))
    _write(ds, *args)
    ds = None           # closed: the file is complete before it is moved in place


def _replace_gpkg_layer(path: Path, srs, x, y, fields, layer, description, metadata) -> None:
    """Add or replace the layer ``layer`` of the existing GeoPackage ``path`` in one
    transaction, keeping its other layers; on any error the transaction is rolled back."""
    ds = _open(path, update=True)
    if ds is None:
        raise BotaclipError(f"Cannot open the GeoPackage {path} for writing. Check that it "
                            "is not read-only or open in another program that locks it.")
    created = False
    try:
        ds.StartTransaction()
        for i in range(ds.GetLayerCount()):
            if ds.GetLayer(i).GetName() == layer:
                ds.DeleteLayer(i)
                break
        created = True
        _write(ds, srs, x, y, fields, layer, description, metadata, transaction=False)
        ds.CommitTransaction()
    except BaseException as exc:
        _rollback(ds, layer if created else None)
        ds = None
        if isinstance(exc, RuntimeError):
            raise write_error(path, exc, "point layer") from exc
        raise
    ds = None


def _rollback(ds, created: str | None) -> None:
    """Undo a failed layer write: the new layer is dropped first (the GeoPackage driver
    would otherwise try to finish it when the file is closed), then the transaction."""
    with contextlib.suppress(RuntimeError):
        if created is not None:
            for i in range(ds.GetLayerCount()):
                if ds.GetLayer(i).GetName() == created:
                    ds.DeleteLayer(i)
                    break
        ds.RollbackTransaction()


def _write(ds, srs, x, y, fields, layer, description, metadata, *,
           transaction: bool = True) -> None:
    """Create the layer ``layer`` in the open dataset ``ds`` and write the points."""
    n = len(x)
    opts = []
    if _driver_name(ds) in _DESCRIBED and description:
        opts.append(f"DESCRIPTION={description}")
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPoint, options=opts)
    cols = []
    for name, values in fields.items():
        ftype, sub = _field_type(values)
        fd = ogr.FieldDefn(str(name), ftype)
        if sub != ogr.OFSTNone:
            fd.SetSubType(sub)
        lyr.CreateField(fd)           # by index: a shapefile cuts names to 10 characters
        arr = np.asarray(values)
        cols.append((lyr.GetLayerDefn().GetFieldCount() - 1, arr, ftype))
    if metadata:
        lyr.SetMetadata({str(k): str(v) for k, v in metadata.items()})
    defn = lyr.GetLayerDefn()
    if transaction:
        lyr.StartTransaction()
    for i in range(n):
        feat = ogr.Feature(defn)
        for idx, arr, ftype in cols:
            v = arr[i]
            if ftype == ogr.OFTReal:
                if np.isfinite(v):
                    feat.SetField(idx, float(v))
                else:
                    feat.SetFieldNull(idx)
            elif ftype in (ogr.OFTInteger, ogr.OFTInteger64):
                feat.SetField(idx, int(v))
            elif v is None:
                feat.SetFieldNull(idx)
            else:
                feat.SetField(idx, str(v))
        geom = ogr.Geometry(ogr.wkbPoint)
        geom.AddPoint_2D(float(x[i]), float(y[i]))
        feat.SetGeometry(geom)
        lyr.CreateFeature(feat)
    if transaction:
        lyr.CommitTransaction()
    lyr = None
