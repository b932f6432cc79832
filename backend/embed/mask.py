"""The area mask: polygons that limit an embedding to the areas worth computing.

Output pixels whose centre lies outside every polygon of the ``mask`` layer are nodata (NaN)
and are never read nor computed; the output grid is also cut to the polygons' envelope.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

from ..errors import BotaclipError
from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..io.gdalutil import srs_from_wkt, srs_label
from .grid import Grid

_POLYGON_TYPES = (ogr.wkbPolygon, ogr.wkbMultiPolygon, ogr.wkbCurvePolygon, ogr.wkbMultiSurface)


class AreaMask:
    """Polygons (any OGR layer) reprojected to the raster's CRS. Output pixels whose centre
    lies outside every polygon are not computed. Rasterising needs one OGR layer per thread:
    :meth:`rasterizer` makes a thread's own."""

    def __init__(self, path, raster_srs_wkt: str):
        from ..releves import split_source

        src, source_opts = split_source(path)      # QGIS sources: 'file.gpkg|layername=x'
        layer_name = source_opts.get("layername")
        ds, layer = _open_layer(src, layer_name)
        ct = self._transformation(src, layer, raster_srs_wkt)
        self.wkbs, self.envelope = _polygons(src, layer, ct, raster_srs_wkt)
        del ds                                   # the layer is read: its data source may go
        self.path = src
        self.srs_wkt = raster_srs_wkt
        st = os.stat(src) if Path(src).exists() else None
        self.identity = {"path": str(Path(src).resolve()) if st else src, "layer": layer_name,
                         "size": st.st_size if st else None,
                         "mtime_ns": st.st_mtime_ns if st else None}

    def _transformation(self, src: str, layer, raster_srs_wkt: str):
        """The transformation from the layer's CRS to the raster's (None: the same, or the
        layer has none, which :attr:`note` then says)."""
        dst = srs_from_wkt(raster_srs_wkt)
        src = layer.GetSpatialRef()
        if src is None:
            self.note = (f"the mask {src} has no CRS; its coordinates are taken to be in the "
                         f"orthophoto's ({srs_label(raster_srs_wkt)})")
            return None
        src = src.Clone()
        src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        self.note = ""
        return None if src.IsSame(dst) else osr.CoordinateTransformation(src, dst)

    def rasterizer(self):
        """A function (grid, col, row, w, h) -> bool [h, w], for one thread."""
        drv = ogr.GetDriverByName("Memory")
        ds = drv.CreateDataSource("")
        srs = srs_from_wkt(self.srs_wkt)
        lyr = ds.CreateLayer("mask", srs, ogr.wkbUnknown)
        for wkb in self.wkbs:
            feature = ogr.Feature(lyr.GetLayerDefn())
            feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
            lyr.CreateFeature(feature)
        mem = gdal.GetDriverByName("MEM")

        def rasterize(grid: Grid, col: int, row: int, w: int, h: int) -> np.ndarray:
            tile = mem.Create("", w, h, 1, gdal.GDT_Byte)
            tile.SetGeoTransform((grid.x0 + col * grid.step, grid.step, 0.0,
                               grid.y0 - row * grid.step, 0.0, -grid.step))
            gdal.RasterizeLayer(tile, [1], lyr, burn_values=[1])
            out = tile.GetRasterBand(1).ReadAsArray() > 0
            _ = ds   # keep the layer's data source alive with the closure
            return out

        return rasterize


def _open_layer(src: str, layer_name: str | None):
    """(data source, layer) of the mask, with clear errors."""
    if not src.startswith("/vsi") and not Path(src).exists():
        raise BotaclipError(f"The mask layer {src} does not exist. Check the path.")
    try:
        ds = ogr.Open(src)
    except RuntimeError as exc:
        raise BotaclipError(f"OGR cannot read the mask {src} as a vector layer "
                            f"({str(exc).strip()}). Give polygons in a GeoPackage, "
                            "shapefile or GeoJSON.") from exc
    if ds is None or ds.GetLayerCount() == 0:
        raise BotaclipError(f"The mask {src} has no vector layer; give a polygon layer.")
    layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    if layer is None:
        raise BotaclipError(f"The mask {src} has no layer named {layer_name!r}.")
    return ds, layer


def _polygons(src: str, layer, ct, raster_srs_wkt: str) -> tuple[list, tuple]:
    """(WKB of each polygon in the raster's CRS, their envelope xmin, ymin, xmax, ymax);
    other geometries are skipped."""
    wkbs: list[bytes] = []
    env = [math.inf, math.inf, -math.inf, -math.inf]
    for feat in layer:
        geom = feat.GetGeometryRef()
        if geom is None or ogr.GT_Flatten(geom.GetGeometryType()) not in _POLYGON_TYPES:
            continue
        geom = geom.Clone()
        if ct is not None:
            try:
                geom.Transform(ct)
            except RuntimeError as exc:
                raise BotaclipError(f"A polygon of the mask {src} cannot be reprojected to "
                                    f"the orthophoto's CRS ({srs_label(raster_srs_wkt)}): "
                                    f"{str(exc).strip()}.") from exc
        box = geom.GetEnvelope()  # minx, maxx, miny, maxy
        env = [min(env[0], box[0]), min(env[1], box[2]), max(env[2], box[1]), max(env[3], box[3])]
        wkbs.append(bytes(geom.ExportToWkb()))
    if not wkbs:
        raise BotaclipError(f"The mask {src} holds no polygon: give a polygon layer (areas "
                            "to embed), not points or lines.")
    return wkbs, tuple(env)
