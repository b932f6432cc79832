"""The embedding preview: the first three principal components of the embeddings (fitted on a
sample of output pixels) as an 8-bit RGB COG, nodata 0."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from osgeo import gdal

from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..progress import Progress
from .cog import write_cog
from .grid import Grid

PREVIEW_SAMPLE = 16384


def write_preview(src_path: Path, tmp: Path, dst: Path, grid: Grid, srs_wkt: str, D: int,
                  progress: Progress, tags: dict) -> None:
    """First three principal components of the embeddings in ``src_path`` as an 8-bit RGB COG
    ``dst`` (nodata 0), through the temporary GeoTIFF ``tmp``.

    PCA is fitted on up to 16,384 output pixels (a regular sample of rows and columns, read
    one row at a time); components are signed so their largest loading is positive and
    scaled between their 2nd and 98th percentiles to 1..255."""
    src = gdal.Open(str(src_path))
    pca = _fit_pca(_sample_pixels(src, D, progress), D)
    ds = _create_rgb(tmp, src.RasterXSize, src.RasterYSize, grid, srs_wkt, tags)
    _project(src, ds, D, pca, progress)
    ds.FlushCache()
    ds = None
    src = None
    try:
        write_cog(tmp, dst, block=256, predictor=False, resampling="AVERAGE",
                  progress=progress, start=0.8, end=1.0, message="Preview: writing")
    finally:
        tmp.unlink(missing_ok=True)


def _sample_pixels(src, D: int, progress: Progress) -> np.ndarray:
    """Up to :data:`PREVIEW_SAMPLE` valid pixels [n, D] (float64) on a regular sample of rows
    and columns, read one row at a time."""
    W, H = src.RasterXSize, src.RasterYSize
    n_rows = min(H, max(1, int(math.sqrt(PREVIEW_SAMPLE * H / max(W, 1)))))
    rows = np.unique(np.linspace(0, H - 1, n_rows).astype(int))
    per_row = max(1, PREVIEW_SAMPLE // len(rows))
    cols = np.unique(np.linspace(0, W - 1, min(W, per_row)).astype(int))
    sample = []
    for i, r in enumerate(rows):
        a = src.ReadAsArray(0, int(r), W, 1).reshape(D, W)[:, cols].T
        sample.append(a[np.isfinite(a).all(axis=1)])
        progress.report(0.3 * (i + 1) / len(rows), "Preview: sampling")
        progress.check()
    x = np.concatenate(sample) if sample else np.empty((0, D), np.float32)
    return x.astype(np.float64)


def _fit_pca(x: np.ndarray, D: int) -> tuple:
    """(mean, three components [3, D], 2nd percentiles, spans to the 98th) of ``x``; missing
    components are zero."""
    if len(x) >= 2:
        mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        comps = vt[:3]
        for i in range(len(comps)):
            if comps[i][np.argmax(np.abs(comps[i]))] < 0:
                comps[i] = -comps[i]
        if len(comps) < 3:
            comps = np.vstack([comps, np.zeros((3 - len(comps), D))])
        proj = (x - mean) @ comps.T
        lo, hi = np.percentile(proj, 2, axis=0), np.percentile(proj, 98, axis=0)
    else:
        mean, comps = np.zeros(D), np.zeros((3, D))
        lo, hi = np.zeros(3), np.ones(3)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    return mean, comps, lo, span


def _create_rgb(path: Path, W: int, H: int, grid: Grid, srs_wkt: str, tags: dict):
    """The preview's tiled RGB GeoTIFF, its bands named PC1..PC3 and its metadata set."""
    ds = gdal.GetDriverByName("GTiff").Create(str(path), W, H, 3, gdal.GDT_Byte,
                                              ["TILED=YES", "INTERLEAVE=PIXEL"])
    ds.SetGeoTransform(grid.geotransform)
    ds.SetProjection(srs_wkt)
    for b, ci in enumerate((gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand), 1):
        band = ds.GetRasterBand(b)
        band.SetNoDataValue(0)
        band.SetColorInterpretation(ci)
        band.SetDescription(f"PC{b}")
    ds.SetMetadata({
        "BOTACLIP_KIND": "embedding preview",
        "BOTACLIP_PREVIEW": "first three principal components of the embeddings, scaled "
                            "from their 2nd-98th percentiles to 1..255; 0 is nodata",
        "BOTACLIP_MODEL_SHA256": str(tags.get("BOTACLIP_MODEL_SHA256", "")),
        "BOTACLIP_BACKBONE": str(tags.get("BOTACLIP_BACKBONE", "")),
        "BOTACLIP_CREATED": str(tags.get("BOTACLIP_CREATED", "")),
    })
    return ds


def _project(src, ds, D: int, pca: tuple, progress: Progress) -> None:
    """Every pixel of ``src`` projected on the components into ``ds``, window by window."""
    mean, comps, lo, span = pca
    wins = list(_windows(src.RasterXSize, src.RasterYSize, D, 16))
    for i, (x0, y0, w, h) in enumerate(wins):
        a = src.ReadAsArray(x0, y0, w, h).reshape(D, h * w).T
        ok = np.isfinite(a).all(axis=1)
        p = (np.where(ok[:, None], a, 0.0).astype(np.float64) - mean) @ comps.T
        rgb = np.clip(1 + 254 * (p - lo) / span, 1, 255).round().astype(np.uint8)
        rgb[~ok] = 0
        ds.WriteRaster(x0, y0, w, h, np.ascontiguousarray(rgb.reshape(h, w, 3)).tobytes(),
                       w, h, gdal.GDT_Byte, None, 3, 3 * w, 1)
        progress.report(0.3 + 0.5 * (i + 1) / len(wins), "Preview: principal components")
        progress.check()


def _windows(W: int, H: int, D: int, align: int, budget: int = 32 << 20):
    """Windows (x, y, w, h) covering W x H, aligned to ``align``, each <= budget bytes."""
    side = max(align, int(math.sqrt(budget / (4 * D))) // align * align)
    for y in range(0, H, side):
        for x in range(0, W, side):
            yield x, y, min(side, W - x), min(side, H - y)
