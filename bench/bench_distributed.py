"""Embedding on Dask against the single-process engine, side by side in one run.

(a) Throughput. The same raster and settings through the single-process engine, a
    LocalCluster of one worker process (all cores) and of two (cores shared); each warmed
    first on a small extent (torch loaded, the model in the worker's cache), then timed on the
    whole raster, the whole call (plan, tiles, mosaic COG), the three in turn for two rounds.
    Ratio = single-process seconds / cluster seconds, median of the rounds (target >= 0.9
    for one worker). Model: dofa-small (random weights,
    224 px, float32, batch 8) on 50 m patches every 12.5 m of a 300 m orthophoto at 20 cm:
    576 patches in 4 tiles of 256 (16-pixel blocks), so a tile computes for tens of seconds
    on this CPU as it would (for minutes) at the default 4,096 patches.
(b) Per-tile overhead: the tiny DOFA, whose compute is negligible, on 25 tiles of 256
    patches (6,400 in all): (one-worker cluster seconds - single-process seconds) / tiles,
    in ms: what a tile costs beyond its patches (a task, the engine's per-call set-up, a tile COG, a
    checksum, a manifest line), and the part that is Dask's alone (the client's time minus
    the worker's time in its tasks).
(c) Projection inputs for a département: patches/s of one worker with dofa-base (float32 and
    the precision auto chooses; a short bare forward of batches of 8, scaled by (a)'s
    end-to-end ratio), the tile size, bytes per tile and per patch (raw half floats and as
    measured in the tile COGs).

    python -m botaclip.bench.bench_distributed [out_dir]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

TINY = {"img_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 1, "num_heads": 2,
        "dynamic_embed_dim": 32}
TARGET_RATIO_1 = 0.9
DEPT_PATCHES = 2_400_000          # ~6,000 km² at a 50 m stride (400 patches per km²)
DEPT_TILE_PATCHES = 4096
DOFA_BASE_DIM = 768


def _ortho(folder: Path, size_m: float, pixel_m: float) -> Path:
    from ..backend.demo import generate_demo_data

    return generate_demo_data(folder, size_m=size_m, seed=0, pixel_m=pixel_m).orthophoto


def _single(ortho, out, settings: dict, **kw) -> float:
    from ..backend.embed import embed_raster

    t0 = time.perf_counter()
    embed_raster(str(ortho), str(out), overwrite=True, **settings, **kw)
    return time.perf_counter() - t0


def _cluster(ortho, out, client, settings: dict, tile_patches: int, **kw):
    from ..backend.distributed import embed_distributed

    t0 = time.perf_counter()
    res = embed_distributed(str(ortho), str(out), scheduler=client, tile_patches=tile_patches,
                            overwrite=True, **settings, **kw)
    return time.perf_counter() - t0, res


def _warm_extent(ortho) -> str:
    """A corner of the raster (a few patches) for warming up."""
    from ..backend.io.raster import raster_info

    xmin, _, _, ymax = raster_info(ortho).bounds
    return f"{xmin},{ymax - 60},{xmin + 60},{ymax}"


def _compare(tmp: Path, ortho, settings: dict, tile_patches: int, n_workers_list,
             rounds: int) -> dict:
    """Single process vs local clusters of each size in ``n_workers_list``, in turn for
    ``rounds`` rounds (medians: a burst of load from other programs does not decide them):
    seconds, ratios, tile figures."""
    import torch
    from distributed import Client, LocalCluster

    from ..backend.distributed.scheduler import cpu_count

    warm = _warm_extent(ortho)
    _single(ortho, tmp / "warm.tif", settings, cache_dir=tmp / "s", extent=warm)
    clusters, info = {}, {}
    try:
        for n in n_workers_list:
            t0 = time.perf_counter()
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
            clusters[n] = (cluster, client)
            client.wait_for_workers(n, timeout=120)
            start = time.perf_counter() - t0
            cold, _ = _cluster(ortho, tmp / f"warm{n}.tif", client, settings, tile_patches,
                               extent=warm)
            for _ in range(2 * n):          # every worker loads the model (warm-up)
                _cluster(ortho, tmp / f"warm{n}.tif", client, settings, tile_patches,
                         extent=warm)
            info[n] = {"cluster_start_s": start, "first_call_s": cold}
        runs = {"single": []} | {n: [] for n in n_workers_list}
        for r in range(rounds):             # new outputs each round: nothing resumed
            runs["single"].append(_single(ortho, tmp / "single.tif", settings,
                                          cache_dir=tmp / "s"))
            for n in n_workers_list:
                runs[n].append(_cluster(ortho, tmp / f"c{n}-{r}.tif", clusters[n][1],
                                        settings, tile_patches, keep_tiles=True))
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    single = float(np.median(runs["single"]))
    out = {"single_s": single, "single_runs_s": runs["single"], "rounds": rounds,
           "torch_threads_single": torch.get_num_threads()}
    for n in n_workers_list:
        secs = [s for s, _ in runs[n]]
        ratios = [a / b for a, b in zip(runs["single"], secs)]
        res = runs[n][-1][1]
        tile_bytes = [p.stat().st_size for p in Path(res.tiles_dir).glob("tile_*.tif")]
        out[f"workers_{n}"] = {
            **info[n], "seconds": float(np.median(secs)), "runs_s": secs,
            "ratio": float(np.median(ratios)), "ratios": ratios, "tiles": res.n_tiles,
            "tile_px": res.tile_px, "patches": res.n_patches,
            "patches_per_s": res.n_patches / float(np.median(secs)),
            "tiles_s": res.tiles_seconds, "task_s": res.task_seconds,
            "loop_s": res.loop_seconds, "torch_threads": max(1, cpu_count() // n),
            "tile_bytes_mean": float(np.mean(tile_bytes)) if tile_bytes else 0.0,
            "bytes_per_patch": sum(tile_bytes) / max(1, res.n_patches),
            "identical": _same(tmp / "single.tif", res.out) if n == 1 else None}
    return out


def _same(a, b) -> bool:
    from osgeo import gdal

    da, db = gdal.Open(str(a)), gdal.Open(str(b))
    try:
        x, y = da.ReadAsArray(), db.ReadAsArray()
    finally:
        da = db = None
    return bool(np.array_equal(np.isnan(x), np.isnan(y)) and np.nanmax(np.abs(x - y)) == 0)


def throughput(tmp: Path) -> dict:
    ortho = _ortho(tmp / "o300", 300.0, 0.2)
    settings = dict(backbone="dofa-small", weights="none", patch_m=50.0, stride_m=12.5,
                    precision="float32", batch_size=8, block_px=16, calibrate="never")
    figures = _compare(tmp / "a", ortho, settings, 256, (1, 2), rounds=2)
    figures["setup"] = "dofa-small, 50 m patches every 12.5 m, 300 m at 0.2 m, batch 8, float32"
    return figures


def overhead(tmp: Path) -> dict:
    ortho = _ortho(tmp / "o400", 400.0, 0.5)
    settings = dict(backbone="dofa", weights="none", backbone_config=TINY, patch_m=20.0,
                    stride_m=5.0, precision="float32", batch_size=64, block_px=16,
                    calibrate="never")
    f = _compare(tmp / "b", ortho, settings, 64, (1,), rounds=3)
    one = f["workers_1"]
    n = one["tiles"]
    return {"tiles": n, "single_s": f["single_s"], "cluster_s": one["seconds"],
            "per_tile_ms": 1000 * (one["seconds"] - f["single_s"]) / n,
            "dask_per_tile_ms": 1000 * (one["tiles_s"] - one["task_s"]) / n,
            "task_minus_loop_per_tile_ms": 1000 * (one["task_s"] - one["loop_s"]) / n,
            "identical": one["identical"]}


def dofa_base_rates() -> dict:
    """Bare forward patches/s of dofa-base on batches of 8 (float32; bfloat16 where the CPU
    has it natively)."""
    import torch

    from ..backend.models.backbones import Normalization, bf16_native_cpu, build_backbone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bb = build_backbone("dofa-base", "none", wavelengths=[0.665, 0.56, 0.49, 0.842],
                            normalization=Normalization.none(4), device="cpu")
    x = torch.randn(8, 4, 224, 224)
    rates = {}
    for precision in ("float32", "bfloat16") if bf16_native_cpu() else ("float32",):
        bb.forward_prepared(x[:2], precision)
        t0 = time.perf_counter()
        for _ in range(3):
            bb.forward_prepared(x, precision)
        rates[precision] = 24 / (time.perf_counter() - t0)
    return rates


def projection(a: dict, b: dict, rates: dict) -> dict:
    """A département at BD ORTHO settings from the measured figures."""
    ratio = a["workers_1"]["ratio"]
    tiles = -(-DEPT_PATCHES // DEPT_TILE_PATCHES)
    raw_tile = DEPT_TILE_PATCHES * DOFA_BASE_DIM * 2
    rows = {}
    for precision, rate in rates.items():
        e2e = rate * min(1.0, ratio)
        overhead_h = tiles * b["per_tile_ms"] / 1000 / 3600
        rows[precision] = {"bare_patches_per_s": rate, "end_to_end_patches_per_s": e2e,
                           "hours_one_worker": DEPT_PATCHES / e2e / 3600 + overhead_h,
                           "tile_minutes": DEPT_TILE_PATCHES / e2e / 60}
    return {"patches": DEPT_PATCHES, "tile_patches": DEPT_TILE_PATCHES, "tiles": tiles,
            "raw_bytes_per_tile": raw_tile, "raw_bytes_total": raw_tile * tiles,
            "per_tile_overhead_ms": b["per_tile_ms"], "by_precision": rows,
            "machine_cores": os.cpu_count()}


def run(out_dir="bench-out") -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-dist-") as tmp:
        tmp = Path(tmp)
        a = throughput(tmp)
        b = overhead(tmp)
    rates = dofa_base_rates()
    figures = {"throughput": a, "overhead": b, "dofa_base": rates,
               "departement": projection(a, b, rates), "seconds": time.perf_counter() - t0,
               "target_ratio_1_worker": TARGET_RATIO_1,
               "meets": {"ratio_1_worker": a["workers_1"]["ratio"] >= TARGET_RATIO_1}}
    (out_dir / "bench_distributed.json").write_text(json.dumps(figures, indent=2, default=str))
    _print(figures)
    return figures


def _print(f: dict) -> None:
    a, b, d = f["throughput"], f["overhead"], f["departement"]
    print(f"setup        {a['setup']}; {a['workers_1']['patches']} patches, "
          f"{a['workers_1']['tiles']} tiles")
    print(f"single       {a['single_s']:.1f} s ({a['workers_1']['patches'] / a['single_s']:.2f} "
          f"patches/s, {a['torch_threads_single']} torch threads)")
    for n in (1, 2):
        w = a[f"workers_{n}"]
        print(f"{n} worker(s)  {w['seconds']:.1f} s ({w['patches_per_s']:.2f} patches/s), "
              f"ratio {w['ratio']:.2f}; cluster start {w['cluster_start_s']:.1f} s, first "
              f"call {w['first_call_s']:.1f} s; {w['bytes_per_patch']:.0f} bytes/patch in tiles")
    met = "met" if f["meets"]["ratio_1_worker"] else "NOT met"
    print(f"target       1-worker ratio >= {TARGET_RATIO_1}: {met}; identical raster: "
          f"{a['workers_1']['identical']}")
    print(f"per tile     {b['per_tile_ms']:.0f} ms over the single process ({b['tiles']} tiny "
          f"tiles), of which Dask {b['dask_per_tile_ms']:.0f} ms; engine per-call "
          f"{b['task_minus_loop_per_tile_ms']:.0f} ms")
    for p, r in d["by_precision"].items():
        print(f"département  dofa-base {p}: {r['bare_patches_per_s']:.2f} patches/s bare, "
              f"{r['end_to_end_patches_per_s']:.2f} end to end per worker -> "
              f"{r['hours_one_worker']:.0f} h on one such worker; {d['tiles']} tiles of "
              f"{d['tile_patches']} ({r['tile_minutes']:.0f} min each), "
              f"{d['raw_bytes_total'] / 2**30:.1f} GiB raw float16")


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "bench-out")
