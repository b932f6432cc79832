"""Small things several test files share (import them with ``from helpers import ...``: the
tests folder is on ``sys.path`` while pytest runs, and tests/window/driver.py adds it)."""

import contextlib
import io
import json
import warnings

import numpy as np

from botaclip.backend.progress import Progress

# A DOFA small enough to run in milliseconds on the CPU (random weights): the shape of the
# real model, none of its cost.
TINY = {"img_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 1, "num_heads": 2,
        "dynamic_embed_dim": 32}
TINY_JSON = json.dumps(TINY)        # the same, as --backbone-config takes it
# An RGBN orthophoto's band centres (red, green, blue, near infrared; µm).
RGBN = [0.665, 0.56, 0.49, 0.842]


@contextlib.contextmanager
def torch_threads(n: int = 1):
    """torch limited to ``n`` threads inside the block (the test machine is shared), the
    previous number restored after; torch is imported only here, not by every test."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class Calls:
    """Records what a BackendTask reported: ``kwargs()`` gives its callbacks."""

    def __init__(self):
        self.success, self.error, self.cancel = [], [], []

    def kwargs(self):
        return {"on_success": self.success.append, "on_error": self.error.append,
                "on_cancel": lambda: self.cancel.append(True)}


class Log(Progress):
    """A Progress that keeps what it was told: ``infos`` and ``warnings``, in order."""

    def __init__(self):
        self.infos, self.warnings = [], []

    def info(self, message):
        self.infos.append(message)

    def warn(self, message):
        self.warnings.append(message)


def run_cli(argv):
    """``botaclip ARGV`` in this process: ``(exit code, stdout, stderr)``. Arguments may be
    paths or numbers (each is passed as ``str``); argparse's own refusals (SystemExit) give
    their exit code, and Python warnings (an MLP stopping early on a few points) are
    ignored so they neither clutter the output nor depend on the warning filters."""
    from botaclip.backend.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as exc:
            rc = exc.code
    return rc, out.getvalue(), err.getvalue()


def epsg(code=2154):
    """An osr.SpatialReference for the EPSG ``code`` (Lambert-93 unless told)."""
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(code)
    return srs


# 16-pixel tiles: a raster of a few dozen pixels is then several blocks, so the block-wise
# readers are exercised on tiny data.
TILED_16 = ("TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16")


def write_embedding(path, features, *, origin, pixel, srs, tags=None, options=TILED_16):
    """A float32 GeoTIFF of ``features`` (rows, cols, bands): north-up, top-left corner
    ``origin`` (x, y), square pixels of ``pixel`` map units, NaN as every band's nodata,
    ``tags`` (e.g. BOTACLIP_*) as dataset metadata when given. Returns ``path``."""
    from osgeo import gdal

    f = np.asarray(features, dtype=np.float32)
    rows, cols, bands = f.shape
    ds = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, gdal.GDT_Float32,
                                              list(options))
    ds.SetGeoTransform((origin[0], pixel, 0.0, origin[1], 0.0, -pixel))
    ds.SetProjection(srs.ExportToWkt())
    for b in range(bands):
        ds.GetRasterBand(b + 1).WriteArray(f[:, :, b])
        ds.GetRasterBand(b + 1).SetNoDataValue(float("nan"))
    if tags:
        ds.SetMetadata(dict(tags))
    ds = None
    return path


def write_points(path, srs, xs, ys, fields, layer="pts"):
    """A GeoPackage point layer ``layer``: one point per (x, y), with ``fields`` mapping each
    field name to ``(ogr field type, values)`` in the order given. A value of None leaves
    the field NULL. Returns ``path``.

    Unlike backend.io.vector.write_points (which picks field types from the values), the
    types are given here, so a test can write dates, integers held as reals, NULLs..."""
    from osgeo import ogr

    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPoint)
    for name, (kind, _) in fields.items():
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for i, (x, y) in enumerate(zip(xs, ys)):
        feat = ogr.Feature(lyr.GetLayerDefn())
        for name, (_, values) in fields.items():
            v = values[i]
            if v is not None:
                feat.SetField(name, v.item() if isinstance(v, np.generic) else v)
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(float(x), float(y))
        feat.SetGeometry(g)
        lyr.CreateFeature(feat)
    ds = None
    return path
