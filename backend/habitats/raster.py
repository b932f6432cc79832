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
averaged), then a COG copy. Memory stays flat in the raster's size. With a Dask
``scheduler`` the blocks are labelled tile by tile on the cluster (:func:`label_tile`, the
k-means sent to each worker once) and put back into the same temporary GeoTIFF: the same map.
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
from ..io.raster import open_raster, window_geotransform
from ..maps.points import valid_window
from ..maps.predict_raster import block_origins, build_overviews, on_tiles, read_block
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


def _create(path: Path, src, block_px: int, window=None) -> None:
    """The temporary map (Byte, nodata filled) of ``src``, or of its ``window`` (a tile)."""
    c0, r0, w, h = window or (0, 0, src.RasterXSize, src.RasterYSize)
    ds = gdal.GetDriverByName("GTiff").Create(
        str(path), w, h, 1, gdal.GDT_Byte,
        ["TILED=YES", f"BLOCKXSIZE={block_px}", f"BLOCKYSIZE={block_px}", "SPARSE_OK=TRUE",
         "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform(window_geotransform(src.GetGeoTransform(), c0, r0))
    ds.SetProjection(src.GetProjection())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(NODATA)
    band.Fill(NODATA)
    ds = None


def stream_labels(src, tmp_tif: Path, km, block_px: int, progress: Progress,
                  window=None) -> dict:
    """Label every valid pixel of ``src`` (or of its ``window``, a tile) block by block into
    ``tmp_tif``; the pixel count of each cluster (``counts``, index 0 = habitat 1) and the
    most pixels held at once."""
    k = len(km.cluster_centers_)
    counts = np.zeros(k, dtype=np.int64)
    blocks, (wc, wr, W, H) = block_origins(src, block_px, window)
    held = 0
    dst = gdal.Open(str(tmp_tif), gdal.GA_Update)
    try:
        band = dst.GetRasterBand(1)
        for i, (c0, r0) in enumerate(blocks):
            progress.check()
            w, h = min(block_px, wc + W - c0), min(block_px, wr + H - r0)
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
            band.WriteArray(out.reshape(h, w), c0 - wc, r0 - wr)
            progress.report((i + 1) / len(blocks), f"Labelling block {i + 1}/{len(blocks)}")
        dst.FlushCache()
    finally:
        dst = None
    return {"counts": counts, "max_pixels": held}


def label_tile(embeddings, tile_path, window, block_px: int, km, progress: Progress) -> dict:
    """One tile of a habitat map, on a Dask worker: its blocks labelled as
    :func:`write_cluster_raster` labels them (``km`` sent to each worker once)."""
    src = open_raster(embeddings)
    try:
        _create(tile_path, src, block_px, window)
        return stream_labels(src, tile_path, km, block_px, progress, window=window)
    finally:
        src = None


def _labels(embeddings, out, src, tmp_tif, km, block_px, progress, scheduler,
            tile_pixels) -> dict:
    """The stream's counts, here or tile by tile on Dask (the tiles' merged)."""
    if scheduler is None:
        return stream_labels(src, tmp_tif, km, block_px, progress)
    parts = on_tiles(embeddings, out, tmp_tif, label_tile, km, "habitat map",
                     scheduler=scheduler, block_px=block_px, tile_pixels=tile_pixels,
                     progress=progress)
    return {"counts": np.sum([p["counts"] for p in parts], axis=0, dtype=np.int64),
            "max_pixels": max(p["max_pixels"] for p in parts)}


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
                         overwrite: bool = False, progress: Progress = SILENT,
                         scheduler=None, tile_pixels: int | None = None) -> dict:
    """Write the habitat map of ``km`` (clusters numbered as :func:`.kmeans.fit_kmeans`
    does) over the embedding raster ``embeddings`` into the COG ``out`` (checked and locked
    by the caller). Returns the stream's counts, the most pixels held and the seconds.
    ``scheduler``: labelled tile by tile on that Dask cluster, the same map
    (:mod:`..distributed.blockwise`)."""
    from ..embed.cog import write_cog

    t0 = time.perf_counter()
    src = open_raster(embeddings)
    k = len(km.cluster_centers_)
    tmp_tif = temp_sibling(out)
    try:
        _create(tmp_tif, src, block_px)
        stats = _labels(embeddings, out, src, tmp_tif, km, block_px, progress.sub(0.0, 0.8),
                        scheduler, tile_pixels)
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
