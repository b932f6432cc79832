"""Find similar places: the cosine similarity of every pixel of an embedding raster to a query.

Why cosine: BotaCLIP's contrastive loss compares normalised vectors, so the angle between two
embeddings is what the model learnt to make meaningful, not their length (a backbone's
features also grow with the patch's brightness, which should not make a place "more
similar"). A pixel whose embedding is all zeros has no direction and stays nodata (NaN).

The query is a vector of the raster's dimension: the embedding at a clicked point
(:func:`query_at_point`), the mean of the pixels inside a polygon (:func:`query_in_polygon`,
the mean of several examples of the same kind of place), or an encoded relevé or species list
(:mod:`.community`). Several queries make several bands.

Two uses, two paths:

- :func:`similarity_map` writes the whole raster, streamed block by block through
  :func:`..maps.predict_raster.stream_blocks` (memory flat in raster size), into a COG with
  the same overviews, tags and atomic write as a prediction map. Its statistics (min, mean,
  max, percentiles) are exact for min/mean/max and read from a histogram of
  :data:`HIST_BINS` bins over [-1, 1] for percentiles (to half a bin, 0.0005): streaming
  keeps no copy of the values, and a cosine never leaves [-1, 1]. With ``scheduler`` the
  blocks are computed tile by tile on a Dask cluster (:mod:`..distributed.blockwise`) and
  the tiles' statistics merged: every one is a count, a min, a max or a histogram, and the
  mean a correctly rounded sum of the blocks' sums, so they are those of the
  single-process run to the last bit (:class:`_Stats`).
- :func:`similarity_view` answers a map canvas: only the window on screen, read from the
  overview level whose pixel matches the screen's, so that the cost follows the screen, not
  the raster (see :data:`VIEW_MAX_PIXELS`).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

from .. import __version__
from ..embed.cog import create_temp, read_embedding_tags
from ..errors import BotaclipError
from ..io.atomic import temp_sibling
from ..io.gdalutil import srs_from_user, srs_from_wkt
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..io.raster import open_raster, raster_info, to_raster_crs
from ..maps.points import nearest_pixels, read_pixels, valid_window
from ..maps.predict_raster import (
    PROVENANCE_TAGS,
    create_tile,
    finish_map,
    merge_counts,
    on_tiles,
    read_block,
    remove_temp,
    stream_blocks,
)
from ..progress import SILENT, Progress

HIST_BINS = 4000            # over [-1, 1]: percentiles to 0.0005, a few kB per band
PERCENTILES = (5, 25, 50, 75, 95)
# The most overview pixels a view reads. A canvas shows about a million screen pixels, but an
# embedding pixel is a 50-100 m patch: 256 x 256 of them show where the similar places are.
# GDAL decodes half floats at about 100 M values/s a core, so 768 bands of 2^16 pixels (50 M
# values, up to twice that in whole tiles) take 0.3-0.6 s on 2 cores, cold or warm, well inside
# the two seconds a click may take (bench/bench_zeroshot.py, 2,000 x 2,000 x 768 pixels).
VIEW_MAX_PIXELS = 2 ** 16
POLYGON_CHUNK_ROWS = 256    # rows of a polygon's window read at once (memory bound)
# Threads reading a view's window: GDAL decodes a tile on one core, and a view reads a few
# to a dozen tiles; beyond 4 the tiles run out before the cores do (and each thread holds a
# decoded tile of 128 x 128 x 768 float32, 50 MB).
VIEW_THREADS = max(1, min(4, os.cpu_count() or 1))


@dataclass
class SimilarityResult:
    """What :func:`similarity_map` wrote."""

    out: Path
    bands: list                     # band names, one per query
    stats: dict                     # band name -> {min, mean, max, p5, p25, p50, p75, p95}
    n_valid: int                    # pixels with a similarity (valid embedding)
    pixel_area_m2: float
    area_above_km2: dict | None = None     # band name -> km2 >= threshold (with a threshold)
    threshold: float | None = None
    tags: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------ cosine

def unit_queries(queries, dim: int | None = None) -> np.ndarray:
    """``queries`` ((d,) or (q, d)) as unit rows (q, d) float64, checked: finite, non-zero,
    of the raster's dimension ``dim``."""
    q = np.atleast_2d(np.asarray(queries, dtype=np.float64))
    if q.ndim != 2 or q.shape[0] == 0:
        raise BotaclipError(f"A similarity query must be one vector or a list of vectors "
                            f"(got an array of shape {np.shape(queries)}).")
    if dim is not None and q.shape[1] != dim:
        raise BotaclipError(f"The query has {q.shape[1]} dimensions but the embedding raster "
                            f"has {dim} bands; take the query from the same embedding raster "
                            "(or one made with the same model).")
    norms = np.linalg.norm(q, axis=1)
    if not np.isfinite(q).all() or (norms == 0).any():
        raise BotaclipError("A similarity query is empty (zeros or NaN): pick a point or "
                            "polygon with a valid embedding.")
    return q / norms[:, None]


def cosine(x: np.ndarray, unit_q: np.ndarray) -> np.ndarray:
    """Cosine similarity of the rows of ``x`` (n, d) to the unit queries (q, d): (n, q)
    float32; NaN for a zero row (no direction). The dot products are numpy's own loop, not
    BLAS's: a BLAS matrix-vector product's last bits depend on its thread count (measured
    with OpenBLAS on some block sizes), which differs between a Dask worker and this process,
    and a map on Dask must be the single-process map to the last bit."""
    dots = np.einsum("ij,qj->iq", x, unit_q.astype(np.float32))
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = dots / norms[:, None]
    out[norms == 0] = np.nan
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def area_above(values, threshold: float, pixel_area_m2: float) -> float:
    """km2 of the pixels of ``values`` at or above ``threshold`` (NaN never counts)."""
    v = np.asarray(values)
    with np.errstate(invalid="ignore"):
        n = int(np.count_nonzero(v >= threshold))
    return n * float(pixel_area_m2) / 1e6


def _pixel_area_m2(info) -> float:
    if info.is_geographic:
        return float("nan")         # degrees: no constant area (embeddings are projected)
    return info.pixel_size[0] * info.pixel_size[1] * info.linear_unit_m ** 2


# ------------------------------------------------------------------------------ queries

def _to_raster(info, x: float, y: float, crs) -> tuple[float, float]:
    if crs is None:
        return float(x), float(y)
    srs = srs_from_user(crs, "CRS of the point")
    xs, ys = to_raster_crs(info, [x], [y], srs.ExportToWkt())
    return float(xs[0]), float(ys[0])


def query_at_point(embeddings, x: float, y: float, crs=None) -> np.ndarray:
    """The embedding (d,) float32 of the pixel holding the point (x, y), given in ``crs``
    (e.g. "EPSG:4326", longitude first; default: the raster's CRS)."""
    info = raster_info(embeddings)
    rx, ry = _to_raster(info, x, y, crs)
    where = f"The point ({x:.10g}, {y:.10g}{', ' + str(crs) if crs else ''})"
    row, col, _ = nearest_pixels(info, [rx], [ry])
    if row[0] < 0:
        b = info.bounds
        raise BotaclipError(
            f"{where} is outside the embedding raster {embeddings} (it covers x {b[0]:.10g} "
            f"to {b[2]:.10g}, y {b[1]:.10g} to {b[3]:.10g} in {info.crs_label}). Pick a point "
            "inside it, or give the point's CRS (--crs) if it is in another one.")
    values, valid, _ = read_pixels(embeddings, row, col)
    if not valid[0] or not np.any(values[0]):
        raise BotaclipError(
            f"{where} falls on a nodata pixel of {embeddings} (row {row[0]}, column {col[0]}: "
            "no embedding there, e.g. outside the orthophoto or under a mask). Pick a point "
            "on an embedded pixel.")
    return values[0].astype(np.float32)


def read_polygon(path, layer=None) -> tuple[str, str]:
    """(WKT, CRS WKT) of the union of the polygons of a vector file's layer."""
    try:
        ds = ogr.Open(str(path))
    except RuntimeError as exc:
        raise BotaclipError(f"Cannot read the polygon layer {path}: {exc}. Give a polygon "
                            "layer (GeoPackage, shapefile, GeoJSON) or a WKT.") from None
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    geoms = [f.GetGeometryRef().Clone() for f in lyr if f.GetGeometryRef() is not None]
    polys = [g for g in geoms if g.GetDimension() == 2]
    if not polys:
        raise BotaclipError(f"{path} holds no polygon; draw one (QGIS: a polygon layer) or "
                            "give a WKT such as 'POLYGON((x0 y0, x1 y1, x2 y2, x0 y0))'.")
    union = polys[0]
    for g in polys[1:]:
        union = union.Union(g)
    srs = lyr.GetSpatialRef()
    return union.ExportToWkt(), srs.ExportToWkt() if srs else ""


def _polygon_in_raster(info, wkt: str, crs):
    try:
        geom = ogr.CreateGeometryFromWkt(str(wkt))
    except RuntimeError:
        geom = None
    if geom is None or geom.GetDimension() != 2:
        raise BotaclipError(f"{str(wkt)[:80]!r} is not a polygon in WKT; write it as "
                            "'POLYGON((x0 y0, x1 y1, x2 y2, x0 y0))' or give a polygon layer.")
    if crs:
        src = srs_from_user(crs, "CRS of the polygon")
        geom.Transform(osr.CoordinateTransformation(src, srs_from_wkt(info.srs_wkt)))
    return geom


def _polygon_mask(info, geom, c0: int, r0: int, w: int, h: int) -> np.ndarray:
    """(h, w) bool: the pixels of the window whose centres are inside ``geom`` (GDAL's
    rasterisation without ALL_TOUCHED burns exactly those)."""
    gt = info.geotransform
    mem = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Byte)
    mem.SetGeoTransform((gt[0] + c0 * gt[1], gt[1], 0.0, gt[3] + r0 * gt[5], 0.0, gt[5]))
    vds = ogr.GetDriverByName("Memory").CreateDataSource("")
    lyr = vds.CreateLayer("p")
    feat = ogr.Feature(lyr.GetLayerDefn())
    feat.SetGeometry(geom)
    lyr.CreateFeature(feat)
    gdal.RasterizeLayer(mem, [1], lyr, burn_values=[1])
    return mem.ReadAsArray().astype(bool)


def query_in_polygon(embeddings, wkt: str, crs=None) -> np.ndarray:
    """The mean embedding (d,) float32 of the valid pixels whose centres are inside the
    polygon ``wkt`` (in ``crs``, default the raster's), read from the polygon's window only,
    a band of rows at a time."""
    info = raster_info(embeddings)
    geom = _polygon_in_raster(info, wkt, crs)
    gt = info.geotransform
    xmin, xmax, ymin, ymax = geom.GetEnvelope()
    c0 = max(0, int(math.floor((xmin - gt[0]) / gt[1])))
    c1 = min(info.width, int(math.ceil((xmax - gt[0]) / gt[1])))
    r0 = max(0, int(math.floor((ymax - gt[3]) / gt[5])))
    r1 = min(info.height, int(math.ceil((ymin - gt[3]) / gt[5])))
    total, n = np.zeros(info.count, dtype=np.float64), 0
    if c1 > c0 and r1 > r0:
        ds = open_raster(embeddings)
        for rr in range(r0, r1, POLYGON_CHUNK_ROWS):
            h, w = min(POLYGON_CHUNK_ROWS, r1 - rr), c1 - c0
            inside = _polygon_mask(info, geom, c0, rr, w, h)
            if not inside.any():
                continue
            emb = read_block(ds, c0, rr, w, h)
            ok = inside & valid_window(ds, emb.reshape(h, w, -1).transpose(2, 0, 1), c0, rr)
            total += emb[ok.reshape(-1)].sum(axis=0, dtype=np.float64)
            n += int(ok.sum())
    if n == 0:
        raise BotaclipError(
            f"The polygon has no valid embedding pixel of {embeddings} whose centre is inside "
            f"it (pixels of {info.pixel_size[0]:g} x {info.pixel_size[1]:g} "
            f"{'degrees' if info.is_geographic else 'map units'}, {info.crs_label}). Draw a "
            "larger polygon over embedded pixels, or give its CRS (--crs).")
    return (total / n).astype(np.float32)


# ------------------------------------------------------------------------------ the map

class _Stats:
    """Running min, max, count, histogram and block sums of each band (the mean from the
    sums, percentiles from the histogram). Mergeable exactly (:meth:`merge`): the tiles of a
    run on Dask give the very statistics of the single-process run. Every part is a count,
    a min or a max but the sum, whose float additions depend on their order, so the sum of
    each block is kept and the mean is their correctly rounded total (``math.fsum``), the
    same in any order (one float per block and band: 8 bytes per 65,536 pixels)."""

    def __init__(self, n_bands: int, threshold):
        self.min = np.full(n_bands, np.inf)
        self.max = np.full(n_bands, -np.inf)
        self.sums: list = [[] for _ in range(n_bands)]
        self.n = np.zeros(n_bands, dtype=np.int64)
        self.hist = np.zeros((n_bands, HIST_BINS), dtype=np.int64)
        self.threshold = threshold
        self.above = np.zeros(n_bands, dtype=np.int64)

    def add(self, sims: np.ndarray) -> None:
        for b in range(sims.shape[1]):
            v = sims[:, b][np.isfinite(sims[:, b])]
            if v.size == 0:
                continue
            self.min[b] = min(self.min[b], float(v.min()))
            self.max[b] = max(self.max[b], float(v.max()))
            self.sums[b].append(float(v.sum(dtype=np.float64)))
            self.n[b] += v.size
            self.hist[b] += np.histogram(v, bins=HIST_BINS, range=(-1.0, 1.0))[0]
            if self.threshold is not None:
                self.above[b] += int(np.count_nonzero(v >= self.threshold))

    def merge(self, other: _Stats) -> None:
        """Add the statistics of other pixels (another tile)."""
        self.min = np.minimum(self.min, other.min)
        self.max = np.maximum(self.max, other.max)
        for mine, theirs in zip(self.sums, other.sums):
            mine.extend(theirs)
        self.n += other.n
        self.hist += other.hist
        self.above += other.above

    def band(self, b: int) -> dict:
        if self.n[b] == 0:
            return {}
        cum = np.cumsum(self.hist[b]) / self.n[b]
        edges = np.linspace(-1.0, 1.0, HIST_BINS + 1)
        out = {"min": float(self.min[b]), "mean": math.fsum(self.sums[b]) / int(self.n[b]),
               "max": float(self.max[b])}
        for p in PERCENTILES:
            i = int(np.searchsorted(cum, p / 100.0))
            out[f"p{p}"] = float(min(max((edges[i] + edges[i + 1]) / 2, self.min[b]),
                                     self.max[b]))
        return out


def _band_names(names, n: int) -> list:
    if names is None:
        return ["similarity"] if n == 1 else [f"similarity_{i + 1}" for i in range(n)]
    names = [str(x) for x in ([names] if isinstance(names, str) else names)]
    if len(names) != n:
        raise BotaclipError(f"{len(names)} band names for {n} queries ({names}); give one "
                            "name per query.")
    return names


def similarity_map(embeddings, out, queries, *, names=None, threshold: float | None = None,
                   overwrite: bool = False, tags: dict | None = None, block_px: int = 256,
                   progress: Progress = SILENT, scheduler=None,
                   tile_pixels: int | None = None) -> SimilarityResult:
    """Cosine similarity of every pixel of ``embeddings`` to each query ((d,) or (q, d)) into
    the COG ``out``, one float32 band per query (NaN where the embedding is nodata).
    ``threshold``: also count the area at or above it; ``tags``: provenance of the query
    (e.g. ``{"query": "point 951000, 6451000 EPSG:2154"}``) written as ``BOTACLIP_*``.
    ``scheduler`` (``local[:N]``, ``tcp://HOST:PORT``, a scheduler file or a Dask client):
    computed tile by tile on that Dask cluster (``tile_pixels`` pixels a tile, about), the
    same map and statistics (:mod:`..distributed.blockwise`)."""
    out = Path(out)
    check_output(out, what="similarity map", owned=is_our_raster, overwrite=overwrite,
                 inputs=input_files(embeddings))
    info = raster_info(embeddings)
    unit_q = unit_queries(queries, info.count)
    band_names = _band_names(names, unit_q.shape[0])
    if threshold is not None and not -1.0 <= float(threshold) <= 1.0:
        raise BotaclipError(f"The similarity threshold {threshold} is not a cosine: give a "
                            "value between -1 and 1 (e.g. 0.9).")
    job = {"unit_q": unit_q, "names": band_names,
           "threshold": None if threshold is None else float(threshold)}
    src = open_raster(embeddings)
    with hold_outputs(out, what="similarity map", progress=progress):
        tmp_tif = temp_sibling(out)
        try:
            create_temp(tmp_tif, info.width, info.height, len(band_names), "float32",
                        src.GetGeoTransform(), src.GetProjection(), block_px)
            if scheduler is None:
                counts, stats = _stream(src, tmp_tif, block_px, job, progress.sub(0.0, 0.85))
            else:
                counts, stats = _merge(on_tiles(
                    embeddings, out, tmp_tif, similarity_tile, job, "similarity map",
                    scheduler=scheduler, block_px=block_px, tile_pixels=tile_pixels,
                    progress=progress.sub(0.0, 0.85)), job)
            result = _result(out, embeddings, info, band_names, stats, counts, threshold,
                             unit_q, tags)
            finish_map(tmp_tif, out, result.tags, band_names, nearest=False,
                       overwrite=overwrite, progress=progress, what="similarity map")
        finally:
            src = None
            remove_temp(tmp_tif)
    progress.report(1.0, "Similarity map written")
    return result


def _stream(src, tmp_tif, block_px: int, job: dict, progress: Progress,
            window=None) -> tuple:
    """(the stream's counts, :class:`_Stats`) of the blocks of ``src`` (or of its
    ``window``) written into ``tmp_tif``."""
    stats = _Stats(len(job["names"]), job["threshold"])

    def compute(x):
        sims = cosine(x, job["unit_q"])
        stats.add(sims)
        return sims

    counts = stream_blocks(src, tmp_tif, block_px, progress, compute, job["names"],
                           window=window)
    return counts, stats


def similarity_tile(embeddings, tile_path, window, block_px: int, job: dict,
                    progress: Progress) -> tuple:
    """One tile of a similarity map, on a Dask worker: its blocks computed as
    :func:`similarity_map` computes them, with their statistics."""
    src = open_raster(embeddings)
    try:
        create_tile(tile_path, src, window, len(job["names"]), block_px)
        return _stream(src, tile_path, block_px, job, progress, window=window)
    finally:
        src = None


def _merge(parts: list, job: dict) -> tuple:
    """The counts and statistics of the whole map from its tiles'."""
    stats = _Stats(len(job["names"]), job["threshold"])
    for _counts, tile_stats in parts:
        stats.merge(tile_stats)
    return merge_counts([c for c, _ in parts]), stats


def _result(out, embeddings, info, band_names, stats, counts, threshold, unit_q,
            extra) -> SimilarityResult:
    area = _pixel_area_m2(info)
    per_band = {n: stats.band(b) for b, n in enumerate(band_names)}
    above = None
    if threshold is not None:
        above = {n: float(stats.above[b]) * area / 1e6 for b, n in enumerate(band_names)}
    src_tags = read_embedding_tags(embeddings)
    tags = {
        "BOTACLIP_KIND": "similarity",
        "BOTACLIP_VERSION": __version__,
        "BOTACLIP_BANDS": band_names,
        "BOTACLIP_EMBEDDINGS": recorded_name(embeddings),
        "BOTACLIP_EMBEDDINGS_PROVENANCE": {k: src_tags[k] for k in PROVENANCE_TAGS
                                           if k in src_tags},
        "BOTACLIP_SIMILARITY": "cosine",
        "BOTACLIP_QUERY_VECTORS": [[round(float(v), 6) for v in row] for row in unit_q]
        if unit_q.size <= 4096 else f"{unit_q.shape[0]} unit vectors of {unit_q.shape[1]}",
        "BOTACLIP_STATS": per_band,
        "BOTACLIP_PIXELS": {"valid": counts["valid"]},
        "BOTACLIP_CREATED": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if threshold is not None:
        tags["BOTACLIP_THRESHOLD"] = {"value": float(threshold), "area_above_km2": above}
    for k, v in (extra or {}).items():
        tags[k if str(k).startswith("BOTACLIP_") else f"BOTACLIP_{str(k).upper()}"] = v
    return SimilarityResult(out=out, bands=band_names, stats=per_band,
                            n_valid=counts["valid"], pixel_area_m2=area,
                            area_above_km2=above, threshold=threshold, tags=tags)


# ------------------------------------------------------------------------------ the view

def view_level(ds, extent, width: int) -> int:
    """The overview level to read (0: full resolution, i: overview i - 1): the coarsest whose
    pixel is no larger than a screen pixel, then coarser while the window on screen would
    hold more than :data:`VIEW_MAX_PIXELS` of its pixels."""
    band = ds.GetRasterBand(1)
    W, H = ds.RasterXSize, ds.RasterYSize
    px = abs(ds.GetGeoTransform()[1])
    screen = (extent[2] - extent[0]) / max(width, 1)
    sizes = [(W, H)] + [(band.GetOverview(i).XSize, band.GetOverview(i).YSize)
                        for i in range(band.GetOverviewCount())]
    frac = min(1.0, (extent[2] - extent[0]) / (W * px)) * \
        min(1.0, (extent[3] - extent[1]) / (H * abs(ds.GetGeoTransform()[5])))
    level = 0
    for i, (w, _h) in enumerate(sizes):
        if px * W / w <= screen * (1 + 1e-9):
            level = i
    while level + 1 < len(sizes) and sizes[level][0] * sizes[level][1] * frac > VIEW_MAX_PIXELS:
        level += 1
    return level


def _needs_mask(ds) -> bool:
    """Whether validity needs more than "every band finite" (:func:`cosine` already makes a
    row with a NaN or an infinity NaN): a band's nodata is a number, or band 1 has a mask
    beyond nodata (alpha, per-dataset mask). Embedding rasters (nodata NaN, no mask) skip
    :func:`..maps.points.valid_window`, whose band-by-band pass over a (bands, h, w) view of
    a pixel-interleaved window costs as much as GDAL's read."""
    band = ds.GetRasterBand(1)
    flags = band.GetMaskFlags()
    if not (flags & gdal.GMF_ALL_VALID or flags & gdal.GMF_NODATA):
        return True
    nodata = (ds.GetRasterBand(b + 1).GetNoDataValue() for b in range(ds.RasterCount))
    return any(v is not None and not math.isnan(v) for v in nodata)


def _cuts(lo: int, hi: int, block: int, parts: int) -> list:
    """[lo, ..., hi]: at most ``parts`` spans, cut on block boundaries only, so that no block
    is decoded by two threads."""
    inner = list(range((lo // block + 1) * block, hi, block))
    step = -(-(len(inner) + 1) // max(parts, 1))
    return [lo] + inner[step - 1::step] + [hi]


def _window_sims(path, open_options, window, block, unit_q, mask: bool) -> np.ndarray:
    """Cosine similarity (h, w) float32 of the window (c0, r0, w, h) of the level opened with
    ``open_options`` (tiles of ``block`` = (width, height) pixels), NaN on nodata. GDAL
    decodes each half-float tile on one core (the read is most of a view's time), so the
    window is cut on tile boundaries into rectangles read and scored on :data:`VIEW_THREADS`
    threads, each with its own dataset handle (a GDAL dataset is not thread-safe) closed after
    its rectangle (its cached tiles go with it). Each rectangle is scored as it is read: no
    copy of the whole window's embedding is made."""
    c0, r0, w, h = window
    bw, bh = block
    rows = _cuts(r0, r0 + h, bh, 2 * VIEW_THREADS)
    cols = _cuts(c0, c0 + w, bw, max(1, 2 * VIEW_THREADS // (len(rows) - 1)))
    sims = np.empty((h, w), dtype=np.float32)

    def score(rect):
        ca, ra, cb, rb = rect
        ds = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY,
                         open_options=open_options)
        emb = read_block(ds, ca, ra, cb - ca, rb - ra)
        with np.errstate(invalid="ignore", over="ignore"):
            s = cosine(emb, unit_q)[:, 0].reshape(rb - ra, cb - ca)
        if mask:
            win = emb.reshape(rb - ra, cb - ca, -1).transpose(2, 0, 1)
            s[~valid_window(ds, win, ca, ra)] = np.nan
        sims[ra - r0:rb - r0, ca - c0:cb - c0] = s

    rects = [(ca, ra, cb, rb) for ra, rb in zip(rows, rows[1:])
             for ca, cb in zip(cols, cols[1:])]
    try:
        with ThreadPoolExecutor(min(VIEW_THREADS, len(rects))) as pool:
            list(pool.map(score, rects))
    except RuntimeError as exc:
        raise BotaclipError(f"GDAL could not read the embedding raster {path} "
                            f"({str(exc).strip() or 'no message'}). Check that the file is "
                            "complete (re-run the embedding if it was cut short).") from exc
    return sims


def similarity_view(embeddings, query, extent, width: int, height: int) -> tuple:
    """The similarity to ``query`` (one vector) over ``extent`` (xmin, ymin, xmax, ymax, in
    the raster's CRS) on a ``height`` x ``width`` grid, for a map canvas: ((height, width)
    float32, NaN outside the raster or on nodata; its GDAL geotransform). Read from the
    overview level that matches the screen (:func:`view_level`), for the window on screen
    only (:func:`_window_sims`), and sampled to the grid by nearest neighbour (no smoothing
    of the embedding pixels)."""
    width, height = int(width), int(height)
    xmin, ymin, xmax, ymax = (float(v) for v in extent)
    if width < 1 or height < 1 or not (xmax > xmin and ymax > ymin):
        raise BotaclipError(f"The view extent {extent} on {width} x {height} pixels is empty;"
                            " give xmin < xmax, ymin < ymax and a positive size.")
    base = open_raster(embeddings)
    unit_q = unit_queries(query, base.RasterCount)
    level = view_level(base, (xmin, ymin, xmax, ymax), width)
    options = [] if level == 0 else [f"OVERVIEW_LEVEL={level - 1}"]
    ds = base if level == 0 else gdal.OpenEx(
        str(embeddings), gdal.OF_RASTER | gdal.OF_READONLY, open_options=options)
    gt = ds.GetGeoTransform()
    out_gt = (xmin, (xmax - xmin) / width, 0.0, ymax, 0.0, -(ymax - ymin) / height)
    xs = xmin + (np.arange(width) + 0.5) * out_gt[1]
    ys = ymax + (np.arange(height) + 0.5) * out_gt[5]
    cols = np.floor((xs - gt[0]) / gt[1]).astype(np.int64)
    rows = np.floor((ys - gt[3]) / gt[5]).astype(np.int64)
    okc = (cols >= 0) & (cols < ds.RasterXSize)
    okr = (rows >= 0) & (rows < ds.RasterYSize)
    view = np.full((height, width), np.nan, dtype=np.float32)
    if okc.any() and okr.any():
        c0, c1 = int(cols[okc].min()), int(cols[okc].max()) + 1
        r0, r1 = int(rows[okr].min()), int(rows[okr].max()) + 1
        sims = _window_sims(embeddings, options, (c0, r0, c1 - c0, r1 - r0),
                            ds.GetRasterBand(1).GetBlockSize(), unit_q, _needs_mask(ds))
        view[np.ix_(okr, okc)] = sims[np.ix_(rows[okr] - r0, cols[okc] - c0)]
    return view, out_gt


__all__ = ["SimilarityResult", "area_above", "cosine", "query_at_point", "query_in_polygon",
           "read_polygon", "similarity_map", "similarity_view", "unit_queries", "view_level"]
