"""A map stage on Dask against the single-process run, side by side in one run.

The similarity map (the block-wise stage with the least compute per pixel, so the one where
Dask's own costs show most) of a 2000 x 2000 px, 64-band half-float embedding raster (the
raster of :mod:`.bench_zeroshot`, at 64 bands), to one query: the whole call (tiles, their
copy, overviews, the COG), single-process, with ``scheduler="local:1"`` and ``"local:2"``
(cluster start included), after one untimed single-process warm-up (page cache, imports).
Two rounds in turn; the median of each. The maps are compared byte for byte.

    python -m botaclip.bench.bench_distributed_maps [out_dir]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from osgeo import gdal

from .bench_zeroshot import write_raster

SIZE, DIM, ROUNDS = 2000, 64, 2
SCHEDULERS = (None, "local:1", "local:2")


def _query(path: Path) -> np.ndarray:
    ds = gdal.Open(str(path))
    try:
        return np.frombuffer(ds.ReadRaster(SIZE // 2, SIZE // 2, 1, 1,
                                           buf_type=gdal.GDT_Float32), dtype=np.float32).copy()
    finally:
        ds = None


def _band_bytes(path: Path) -> bytes:
    ds = gdal.Open(str(path))
    try:
        return ds.GetRasterBand(1).ReadRaster()
    finally:
        ds = None


def _time_all(emb: Path, folder: Path, q: np.ndarray) -> tuple[dict, dict]:
    from botaclip.backend.zeroshot import similarity_map

    similarity_map(emb, folder / "warm.tif", q, overwrite=True)
    seconds: dict = {str(s): [] for s in SCHEDULERS}
    maps: dict = {}
    for _ in range(ROUNDS):
        for sched in SCHEDULERS:
            out = folder / f"sim-{str(sched).replace(':', '')}.tif"
            t0 = time.perf_counter()
            similarity_map(emb, out, q, overwrite=True, scheduler=sched)
            seconds[str(sched)].append(time.perf_counter() - t0)
            maps[str(sched)] = _band_bytes(out)
    return seconds, maps


def run(out_dir="bench-out") -> dict:
    """Time the three, print and save ``bench_distributed_maps.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-dmaps-", dir=out_dir) as tmp:
        emb = Path(tmp) / "emb.tif"
        write_raster(emb, SIZE, DIM)
        seconds, maps = _time_all(emb, Path(tmp), _query(emb))
    med = {k: round(statistics.median(v), 2) for k, v in seconds.items()}
    single = med["None"]
    res = {"size": SIZE, "dim": DIM, "rounds": ROUNDS, "seconds": med,
           "ratio_local1": round(single / med["local:1"], 3),
           "ratio_local2": round(single / med["local:2"], 3),
           "identical": all(maps[k] == maps["None"] for k in maps)}
    print(f"similarity map, {SIZE} x {SIZE} x {DIM}: single-process {single:.2f} s, "
          f"local:1 {med['local:1']:.2f} s ({res['ratio_local1']:.2f}x), local:2 "
          f"{med['local:2']:.2f} s ({res['ratio_local2']:.2f}x); identical maps: "
          f"{res['identical']}")
    (out_dir / "bench_distributed_maps.json").write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "bench-out")
