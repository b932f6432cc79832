"""Writing point layers (GeoPackage by default) with OGR, atomically."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import numpy as np
from osgeo import ogr

from ..errors import BotaclipError
from . import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from .atomic import atomic_output

_DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON",
            ".csv": "CSV", ".fgb": "FlatGeobuf"}


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


def write_points(path, srs, x, y, fields: dict, *, layer: str | None = None,
                 description: str = "", metadata: dict | None = None) -> Path:
    """Write a point layer. ``fields`` maps column name to a sequence as long as ``x``.

    NaN in a float column becomes NULL. The file appears only when complete.
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
    if drv.GetName() == "ESRI Shapefile":
        # a shapefile is several files (.shp, .shx, .dbf, .prj, .cpg): write them in a
        # temporary folder beside the target and move them in only when all are complete
        with atomic_output(path.with_name(path.name + ".tmpdir"), directory=True) as tmpdir:
            _write(drv, tmpdir / path.name, srs, x, y, fields, layer, description, metadata)
            for old in path.parent.glob(glob.escape(path.stem) + ".*"):
                if old.suffix.lower() in _SHP_PARTS:
                    old.unlink()
            for part in tmpdir.iterdir():
                os.replace(part, path.parent / part.name)
        shutil.rmtree(path.with_name(path.name + ".tmpdir"), ignore_errors=True)
        return path
    with atomic_output(path) as tmp:
        _write(drv, tmp, srs, x, y, fields, layer, description, metadata)
    return path


_SHP_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}


def _write(drv, tmp, srs, x, y, fields, layer, description, metadata) -> None:
    n = len(x)
    ds = drv.CreateDataSource(str(tmp))
    opts = []
    if drv.GetName() == "GPKG" and description:
        opts.append(f"DESCRIPTION={description}")
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPoint, options=opts)
    cols = []
    for name, values in fields.items():
        ftype, sub = _field_type(values)
        fd = ogr.FieldDefn(str(name), ftype)
        if sub != ogr.OFSTNone:
            fd.SetSubType(sub)
        lyr.CreateField(fd)
        arr = np.asarray(values)
        cols.append((lyr.GetLayerDefn().GetFieldIndex(str(name)), arr, ftype))
    if metadata:
        lyr.SetMetadata({str(k): str(v) for k, v in metadata.items()})
    defn = lyr.GetLayerDefn()
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
    lyr.CommitTransaction()
    ds = None
