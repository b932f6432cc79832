"""The habitat map: a categorical cloud-optimised GeoTIFF that QGIS shows with a legend.

One Byte band: the cluster number 1..k of every valid pixel (the nearest centre), 255 where
the embedding is nodata (declared as the band's nodata). Byte, not float: a class map of a
department is then a quarter of the size, and a palette (colour table) only exists for
integer bands. The band carries a GDAL colour table (one colour per cluster, distinct
qualitative colours, nodata transparent) and category names ("habitat 1"...), which QGIS's
paletted renderer reads as the legend; GeoTIFF keeps category names in the side-car
``HAB.tif.aux.xml``, moved in place with the map (:func:`..io.atomic.atomic_output`), and the
names are also in the ``BOTACLIP_CLASS_NAMES`` tag inside the file so they survive without
it. Tags give k, the Davies-Bouldin curve, the sample and seed, the pixel counts and the
embedding's provenance.

Streaming and the COG step are those of prediction maps (:mod:`..maps.predict_raster`): one
block of ``block_px`` x ``block_px`` pixels read at a time (:func:`read_block`), overviews
built level by level with nearest-neighbour resampling (a cluster number must never be
averaged), then a COG copy. Memory stays flat in the raster's size.
"""

from __future__ import annotations

import colorsys
import json
import time
from pathlib import Path

import numpy as np
from osgeo import gdal

from ..embed.reader import CACHE_SHARE
from ..io.atomic import atomic_output, temp_sibling
from ..io.outputs import is_our_raster
from ..io.raster import open_raster
from ..maps.points import valid_window
from ..maps.predict_raster import build_overviews, read_block
from ..progress import SILENT, Progress

NODATA = 255

# ColorBrewer "Set1" + "Dark2" picks: distinct on a map and for most colour-blind readers
# for the first few clusters; beyond them, hues spaced by the golden angle.
BASE_COLOURS = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#ffff33", "#a65628",
                "#f781bf", "#1b9e77", "#7570b3", "#66a61e", "#e6ab02", "#999999"]


def palette(k: int) -> list[tuple[int, int, int]]:
    """``k`` distinct RGB colours."""
    out = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in BASE_COLOURS[:k]]
    for i in range(len(out), k):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.65, 0.85)
        out.append((int(r * 255), int(g * 255), int(b * 255)))
    return out


def class_names(k: int) -> list[str]:
    """The legend's names: "habitat 1" ... "habitat k" (value i is "habitat i")."""
    return [f"habitat {i}" for i in range(1, k + 1)]


def _create(path: Path, src, block_px: int) -> None:
    ds = gdal.GetDriverByName("GTiff").Create(
        str(path), src.RasterXSize, src.RasterYSize, 1, gdal.GDT_Byte,
        ["TILED=YES", f"BLOCKXSIZE={block_px}", f"BLOCKYSIZE={block_px}", "SPARSE_OK=TRUE",
         "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform(src.GetGeoTransform())
    ds.SetProjection(src.GetProjection())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(NODATA)
    band.Fill(NODATA)
    ds = None


def stream_labels(src, tmp_tif: Path, km, block_px: int, progress: Progress) -> dict:
    """Label every valid pixel of ``src`` block by block into ``tmp_tif``; the pixel count
    of each cluster (``counts``, index 0 = habitat 1) and the most pixels held at once."""
    W, H = src.RasterXSize, src.RasterYSize
    k = len(km.cluster_centers_)
    counts = np.zeros(k, dtype=np.int64)
    blocks = [(c0, r0) for r0 in range(0, H, block_px) for c0 in range(0, W, block_px)]
    held = 0
    dst = gdal.Open(str(tmp_tif), gdal.GA_Update)
    try:
        band = dst.GetRasterBand(1)
        for i, (c0, r0) in enumerate(blocks):
            progress.check()
            w, h = min(block_px, W - c0), min(block_px, H - r0)
            emb = read_block(src, c0, r0, w, h)
            if gdal.GetCacheUsed() > CACHE_SHARE:
                src.FlushCache()
            valid = valid_window(src, emb.reshape(h, w, -1).transpose(2, 0, 1), c0, r0)
            valid = valid.reshape(-1)
            held = max(held, h * w)
            out = np.full(h * w, NODATA, dtype=np.uint8)
            if valid.any():
                lab = km.predict(emb[valid])
                out[valid] = (lab + 1).astype(np.uint8)
                counts += np.bincount(lab, minlength=k)
            band.WriteArray(out.reshape(h, w), c0, r0)
            progress.report((i + 1) / len(blocks), f"Labelling block {i + 1}/{len(blocks)}")
        dst.FlushCache()
    finally:
        dst = None
    return {"counts": counts, "max_pixels": held}


def _style(tmp_tif: Path, k: int, tags: dict) -> None:
    """Colour table, category names, band description and tags on the temporary GeoTIFF."""
    ds = gdal.Open(str(tmp_tif), gdal.GA_Update)
    band = ds.GetRasterBand(1)
    ct = gdal.ColorTable()
    ct.SetColorEntry(0, (0, 0, 0, 0))
    for i, rgb in enumerate(palette(k), start=1):
        ct.SetColorEntry(i, (*rgb, 255))
    ct.SetColorEntry(NODATA, (0, 0, 0, 0))
    band.SetRasterColorTable(ct)
    band.SetRasterColorInterpretation(gdal.GCI_PaletteIndex)
    band.SetCategoryNames([""] + class_names(k))
    band.SetDescription("habitat")
    ds.SetMetadata({key: (v if isinstance(v, str) else json.dumps(v, default=str))
                    for key, v in tags.items()})
    ds.FlushCache()
    ds = None


def write_cluster_raster(embeddings, out: Path, km, tags: dict, *, block_px: int = 256,
                         overwrite: bool = False, progress: Progress = SILENT) -> dict:
    """Write the habitat map of ``km`` (clusters numbered as :func:`.kmeans.fit_kmeans`
    does) over the embedding raster ``embeddings`` into the COG ``out`` (checked and locked
    by the caller). Returns the stream's counts, the most pixels held and the seconds."""
    from ..embed.cog import write_cog

    t0 = time.perf_counter()
    src = open_raster(embeddings)
    k = len(km.cluster_centers_)
    tmp_tif = temp_sibling(out)
    try:
        _create(tmp_tif, src, block_px)
        stats = stream_labels(src, tmp_tif, km, block_px, progress.sub(0.0, 0.8))
        src = None
        tags = {**tags, "BOTACLIP_SIZES": {name: int(n) for name, n in
                                           zip(class_names(k), stats["counts"])}}
        _style(tmp_tif, k, tags)
        block = 256 if max(gdal.Open(str(tmp_tif)).RasterXSize, 1) > 512 else 128
        build_overviews(tmp_tif, block, True, progress.sub(0.8, 0.85))
        with atomic_output(out, owned=is_our_raster, overwrite=overwrite,
                           what="habitat map") as tmp_out:
            write_cog(tmp_tif, tmp_out, block=block, predictor=False, resampling="NEAREST",
                      progress=progress, start=0.85, end=1.0,
                      message="Writing the cloud-optimised GeoTIFF")
    finally:
        src = None
        for p in (tmp_tif, tmp_tif.with_name(tmp_tif.name + ".aux.xml")):
            p.unlink(missing_ok=True)
    stats["seconds"] = time.perf_counter() - t0
    return stats
