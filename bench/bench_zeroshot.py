"""Find similar places: the view-extent similarity a map click asks for.

An embedding raster of SIZE x SIZE pixels (2,000 by default) and DIM bands (768, a DOFA-base
embedding), written like an embedding COG (tiled 256 x 256, interleaved by pixel, half floats,
ZSTD or DEFLATE) with overviews 2, 4 and 8. To write it cheaply, one 256 x 256 tile of random
half floats (random, so that decoding costs what a real embedding's does: a repeated smooth
pattern would compress to nothing) is written into every tile, and the overview tiles too.
Then :func:`similarity_view` for a canvas of 1,000 x 800 screen pixels over (a) the whole
raster, (b) a quarter of it and (c) a 200 x 160-pixel window at full resolution, each the
median of 3 calls (the first one, with a cold cache, reported apart). Target: under 2 s.

    python -m botaclip.bench.bench_zeroshot [out_dir] [size] [dim]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from osgeo import gdal, osr

TARGET_S = 2.0
CANVAS = (1000, 800)


def write_raster(path: Path, size: int, dim: int) -> float:
    """The benchmark raster (see the module docstring); returns the seconds it took."""
    t0 = time.perf_counter()
    opts = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "INTERLEAVE=PIXEL", "NBITS=16",
            f"COMPRESS={_compression()}", "BIGTIFF=YES", "NUM_THREADS=ALL_CPUS"]
    ds = gdal.GetDriverByName("GTiff").Create(str(path), size, size, dim, gdal.GDT_Float32,
                                              opts)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    ds.SetGeoTransform((900000.0, 50.0, 0.0, 6500000.0, 0.0, -50.0))
    rng = np.random.default_rng(0)
    tile = (rng.normal(size=(256, 256, dim)) + 0.5).astype(np.float16).astype(np.float32)
    ds.BuildOverviews("NONE", [2, 4, 8])
    levels = [ds] + [_Overview(ds, i) for i in range(3)]
    for lvl in levels:
        w, h = lvl.RasterXSize, lvl.RasterYSize
        for r0 in range(0, h, 256):
            for c0 in range(0, w, 256):
                cw, ch = min(256, w - c0), min(256, h - r0)
                buf = np.ascontiguousarray(tile[:ch, :cw])
                lvl.WriteRaster(c0, r0, cw, ch, buf.tobytes(), buf_type=gdal.GDT_Float32,
                                buf_pixel_space=4 * dim, buf_line_space=4 * dim * cw,
                                buf_band_space=4)
        ds.FlushCache()
    ds = None
    return time.perf_counter() - t0


def _compression() -> str:
    """ZSTD where GDAL has it, as the embedding COGs use, else DEFLATE."""
    opts = gdal.GetDriverByName("GTiff").GetMetadataItem("DMD_CREATIONOPTIONLIST") or ""
    return "ZSTD" if "ZSTD" in opts else "DEFLATE"


class _Overview:
    """Overview ``i`` of every band of ``ds``, written like a dataset (band by band)."""

    def __init__(self, ds, i):
        self.bands = [ds.GetRasterBand(b + 1).GetOverview(i) for b in range(ds.RasterCount)]
        self.RasterXSize, self.RasterYSize = self.bands[0].XSize, self.bands[0].YSize

    def WriteRaster(self, c0, r0, cw, ch, data, **_kw):   # noqa: N802 (GDAL's name)
        a = np.frombuffer(data, dtype=np.float32).reshape(ch, cw, -1)
        for b, band in enumerate(self.bands):
            band.WriteArray(a[:, :, b], c0, r0)


def _timed(path, query, extent) -> dict:
    from ..backend.zeroshot.similarity import similarity_view

    times = []
    for _ in range(4):
        t = time.perf_counter()
        v, _gt = similarity_view(path, query, extent, *CANVAS)
        times.append(time.perf_counter() - t)
    return {"cold_s": round(times[0], 3), "median_s": round(float(np.median(times[1:])), 3),
            "valid_share": round(float(np.isfinite(v).mean()), 3),
            "ok": float(np.median(times[1:])) < TARGET_S}


def run(out_dir="bench-out", size: int = 2000, dim: int = 768) -> dict:
    """Write the raster, time the three views, print and save ``bench_zeroshot.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-zeroshot-", dir=out_dir) as tmp:
        path = Path(tmp) / "emb.tif"
        write_s = write_raster(path, size, dim)
        query = np.random.default_rng(1).normal(size=dim).astype(np.float32) + 0.5
        x0, y1, px = 900000.0, 6500000.0, 50.0
        side = size * px
        views = {"whole raster": (x0, y1 - side, x0 + side, y1),
                 "a quarter": (x0, y1 - side / 2, x0 + side / 2, y1),
                 "full resolution window": (x0, y1 - 160 * px, x0 + 200 * px, y1)}
        res = {"size": size, "dim": dim, "write_s": round(write_s, 1), "target_s": TARGET_S,
               "canvas": CANVAS, "views": {k: _timed(path, query, e) for k, e in views.items()}}
    print(f"similarity view, {size} x {size} x {dim} raster (written in {write_s:.0f} s), "
          f"canvas {CANVAS[0]} x {CANVAS[1]}:")
    for k, v in res["views"].items():
        print(f"  {k:24s} cold {v['cold_s']:.2f} s, warm {v['median_s']:.2f} s "
              f"({'ok' if v['ok'] else 'SLOWER than'} {TARGET_S:g} s)")
    (out_dir / "bench_zeroshot.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    a = sys.argv[1:]
    run(a[0] if a else "bench-out", *(int(v) for v in a[1:3]))
