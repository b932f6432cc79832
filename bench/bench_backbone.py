"""Backbone throughput on this machine's CPU: DOFA-base, float32 against bfloat16 autocast.

DOFA-base (ViT-B/16, 224 px) with seeded random weights (the speed does not depend on the
weights), 4 bands (red, green, blue, near infrared). On the same patches in one run:

- the bare forward pass (``Backbone.forward_prepared`` on prepared batches), float32 and
  bfloat16 autocast, in patches/s, and the cosine similarity of their embeddings (bfloat16 is
  used only where every cosine is at least 0.995);
- the feature pipeline (:func:`backend.train.features.compute_features`: read each plot's patch
  from a GeoTIFF once, resample it to 224 px, 8 dihedral variants, forward, in the precision
  ``auto`` chooses), in patches/s, as a ratio to the bare forward pass in that precision
  (the limit on this machine).

Small on purpose (a few batches of 8 patches, 2 threads): it runs in about a minute on a
2-core CPU.

    python -m botaclip.bench.bench_backbone [out_dir] [--batches N]
"""

from __future__ import annotations

import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np

WAVELENGTHS = [0.665, 0.56, 0.49, 0.842]
BATCH = 8


def _patches(n: int, px: int = 224, seed: int = 0) -> np.ndarray:
    """Aerial-looking 8-bit patches: smooth fields with texture, per band."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:px, 0:px] / px
    out = np.empty((n, 4, px, px), dtype=np.float32)
    for i in range(n):
        f = rng.uniform(2, 9, 4)
        ph = rng.uniform(0, 6.3, 4)
        field = np.sin(f[0] * xx + ph[0]) * np.cos(f[1] * yy + ph[1])
        for b in range(4):
            out[i, b] = np.clip(110 + 50 * field * (1 + 0.3 * b) + 25 * np.sin(f[2 + b % 2]
                                * 7 * xx * yy + ph[2 + b % 2]) + rng.normal(0, 12, (px, px)),
                                0, 255)
    return out


def _raster(path: Path, size_px: int = 1000, pixel_m: float = 0.2) -> Path:
    from osgeo import gdal, osr

    p = _patches(1, size_px, seed=1)[0].astype("uint8")
    ds = gdal.GetDriverByName("GTiff").Create(str(path), size_px, size_px, 4, gdal.GDT_Byte,
                                              ["PHOTOMETRIC=MINISBLACK", "ALPHA=NO",
                                               "TILED=YES", "COMPRESS=DEFLATE"])
    ds.SetGeoTransform((900000.0, pixel_m, 0.0, 6500000.0 + size_px * pixel_m, 0.0, -pixel_m))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    for b in range(4):
        ds.GetRasterBand(b + 1).WriteArray(p[b])
    ds = None
    return path


def _time_forward(bb, x, precision: str, batches: int):
    """(seconds, embeddings) for ``batches`` batches of BATCH prepared patches."""
    bb.forward_prepared(x[:BATCH], precision)                 # warm-up (kernels, caches)
    outs = []
    t0 = time.perf_counter()
    for b in range(batches):
        outs.append(bb.forward_prepared(x[b * BATCH:(b + 1) * BATCH], precision))
    return time.perf_counter() - t0, __import__("torch").cat(outs)


def run(out_dir="bench-out", batches: int = 3, pipeline_plots: int = 4) -> dict:
    """Run the benchmark, print a table, write ``out_dir/bench_backbone.json``; return the
    figures."""
    import torch

    from ..backend import __version__
    from ..backend.models.backbones import (
        BF16_MIN_COSINE,
        Normalization,
        bf16_native_cpu,
        build_backbone,
    )
    from ..backend.train import compute_features

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            bb = build_backbone("dofa-base", "none", wavelengths=WAVELENGTHS,
                                normalization=Normalization("sampled", [110.0] * 4, [50.0] * 4),
                                device="cpu")
        build_s = time.perf_counter() - t0
        n = batches * BATCH
        x = bb.prepare(_patches(n))
        f32_s, f32 = _time_forward(bb, x, "float32", batches)
        bf_s, bf = _time_forward(bb, x, "bfloat16", batches)
        cos = torch.nn.functional.cosine_similarity(f32, bf, dim=1)
        precision = bb.choose_precision("auto", _patches(BATCH, seed=2))
        raster = _raster(out_dir / "bench_backbone_raster.tif")
        rng = np.random.default_rng(3)
        xs = 900000.0 + rng.uniform(30, 170, pipeline_plots)
        ys = 6500000.0 + rng.uniform(30, 170, pipeline_plots)
        report: dict = {}
        t0 = time.perf_counter()
        compute_features(raster, xs, ys, bb, 40.0, cache_dir=False, batch_size=1,
                         report=report)
        pipe_s = time.perf_counter() - t0
    finally:
        torch.set_num_threads(old)
    bare = {"float32": n / f32_s, "bfloat16": n / bf_s}
    pipe_pps = pipeline_plots * 8 / pipe_s
    figures = {
        "backbone": "dofa-base (random weights)", "bands": len(WAVELENGTHS), "input_px": 224,
        "batch": BATCH, "patches": n, "threads": 2,
        "build_s": build_s,
        "float32_patches_per_s": bare["float32"], "bfloat16_patches_per_s": bare["bfloat16"],
        "bfloat16_speedup": bare["bfloat16"] / bare["float32"],
        "cosine_min": float(cos.min()), "cosine_mean": float(cos.mean()),
        "cosine_threshold": BF16_MIN_COSINE, "bf16_native_cpu": bf16_native_cpu(),
        "auto_precision": precision,
        "pipeline_plots": pipeline_plots, "pipeline_patches_per_s": pipe_pps,
        "pipeline_plots_per_s": pipeline_plots / pipe_s,
        "pipeline_over_bare": pipe_pps / bare[precision],
        "pipeline_model_share": report.get("model_seconds", 0.0) / pipe_s,
        "torch": torch.__version__, "cpu": platform.processor() or "?",
        "botaclip": __version__,
    }
    (out_dir / "bench_backbone.json").write_text(json.dumps(figures, indent=2))
    (out_dir / "bench_backbone_raster.tif").unlink(missing_ok=True)
    print(f"bench_backbone: DOFA-base forward, {n} patches of 4 x 224 x 224 in batches of "
          f"{BATCH}, 2 threads, CPU")
    print(f"  {'':22} {'patches/s':>10} {'vs float32':>11}")
    print(f"  {'float32':22} {bare['float32']:10.2f} {1.0:11.2f}")
    print(f"  {'bfloat16 autocast':22} {bare['bfloat16']:10.2f} "
          f"{figures['bfloat16_speedup']:11.2f}")
    print(f"  {'pipeline (' + precision + ')':22} {pipe_pps:10.2f} "
          f"{pipe_pps / bare['float32']:11.2f}   = {figures['pipeline_over_bare']:.2f} of the "
          f"bare {precision} forward")
    print(f"  cosine bfloat16 vs float32: min {figures['cosine_min']:.5f}, mean "
          f"{figures['cosine_mean']:.5f} (bfloat16 kept when >= {BF16_MIN_COSINE}); native "
          f"bfloat16 on this CPU: {'yes' if figures['bf16_native_cpu'] else 'no'}; auto "
          f"chooses {precision}")
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default="bench-out")
    parser.add_argument("--batches", type=int, default=3)
    opts = parser.parse_args()
    run(opts.out_dir, batches=opts.batches)
