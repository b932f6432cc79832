"""How far bfloat16 and int8 embeddings may be trusted, and what they gain, on this machine.

DOFA-base (ViT-B/16, 224 px, seeded random weights) on 64 patches of 100 m read from the demo
landscape (2 km at 2 m pixels, seed 0) on a 250 m grid: the places of a real run, with fields,
forest, wetland and water, not synthetic textures. For bfloat16 autocast and int8 dynamic
quantisation, against float32 on the same prepared patches in one run:

- agreement (:func:`backend.models.precision.agreement`): lowest and median cosine of each
  patch's embedding to its float32 one, raw and centred on the float32 mean (the criterion
  ``auto`` applies: raw at least ``MIN_COSINE``, centred at least ``MIN_CENTRED_COSINE``);
- the share of patches whose nearest neighbour among the other 63 (cosine) is the same patch
  as in float32: what a "find similar places" query or a k-nearest-neighbour predictor sees;
- the bare forward's patches/s in batches of 8 (2 threads), as a ratio to float32.

Speed depends on the CPU (bfloat16 is emulated, hence slow, without AVX512-BF16 or AMX; int8
uses VNNI where the CPU has it); the agreement figures do not.

    python -m botaclip.bench.bench_precision [out_dir]
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

WAVELENGTHS = [0.665, 0.56, 0.49, 0.842]
BATCH = 8
GRID_M = 250.0
PATCH_M = 100.0


def _demo_patches(folder: Path) -> np.ndarray:
    """64 raw patches [64, 4, 224, 224] of the demo orthophoto on a 250 m grid."""
    from ..backend.demo import generate_demo_data
    from ..backend.io.patches import PatchReader, sample_patches

    demo = generate_demo_data(folder / "demo", size_m=2000.0, seed=0, pixel_m=2.0)
    with PatchReader(demo.orthophoto, PATCH_M, 224) as reader:
        x0, y0, x1, y1 = reader.info.bounds
        xs = np.arange(x0 + GRID_M / 2, x1, GRID_M)
        ys = np.arange(y0 + GRID_M / 2, y1, GRID_M)
        points = [(x, y) for y in ys for x in xs]
        return sample_patches(reader, points, n=len(points))


def _forward_all(bb, x, precision: str):
    """(patches/s, embeddings) of ``x`` in batches of BATCH after a one-batch warm-up."""
    import torch

    bb.forward_prepared(x[:BATCH], precision)
    t0 = time.perf_counter()
    out = torch.cat([bb.forward_prepared(x[i:i + BATCH], precision)
                     for i in range(0, len(x), BATCH)])
    return len(x) / (time.perf_counter() - t0), out


def same_neighbour(ref, low) -> float:
    """Share of rows whose nearest other row (cosine) is the same in ``low`` as in ``ref``."""
    import torch

    def nearest(e):
        u = torch.nn.functional.normalize(e.float(), dim=1)
        sims = u @ u.T
        sims.fill_diagonal_(-2.0)
        return sims.argmax(1)

    return float((nearest(ref) == nearest(low)).float().mean())


def run(out_dir="bench-out") -> dict:
    """Run the benchmark, print a table, write ``out_dir/bench_precision.json``."""
    import torch

    from ..backend.models import precision as P
    from ..backend.models.backbones import Normalization, bf16_native_cpu, build_backbone

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-precision-") as tmp:
            raw = _demo_patches(Path(tmp))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            bb = build_backbone("dofa-base", "none", wavelengths=WAVELENGTHS,
                                normalization=Normalization("sampled", [110.0] * 4,
                                                            [50.0] * 4), device="cpu")
        x = bb.prepare(raw)
        rate, ref = {}, {}
        rate["float32"], ref["float32"] = _forward_all(bb, x, "float32")
        rows = {}
        for p in ("bfloat16", "int8"):
            rate[p], emb = _forward_all(bb, x, p)
            check = P.agreement(ref["float32"], emb)
            rows[p] = {**check, "agrees": P.agrees(check),
                       "same_nearest_neighbour": same_neighbour(ref["float32"], emb),
                       "patches_per_s": rate[p], "speed_vs_float32": rate[p] / rate["float32"]}
    finally:
        torch.set_num_threads(old)
    figures = {"backbone": "dofa-base (random weights)", "patches": int(len(x)),
               "batch": BATCH, "threads": 2, "bf16_native_cpu": bf16_native_cpu(),
               "float32_patches_per_s": rate["float32"], "min_cosine": P.MIN_COSINE,
               "min_centred_cosine": P.MIN_CENTRED_COSINE, **rows}
    (out_dir / "bench_precision.json").write_text(json.dumps(figures, indent=2))
    _print(figures)
    return figures


def _print(f: dict) -> None:
    print(f"bench_precision: DOFA-base, {f['patches']} demo patches of 100 m, batches of "
          f"{f['batch']}, 2 threads; float32 {f['float32_patches_per_s']:.2f} patches/s; "
          f"native bfloat16: {'yes' if f['bf16_native_cpu'] else 'no'}")
    print(f"  {'':9} {'raw min':>8} {'centred min':>12} {'same NN':>8} {'vs float32':>11}")
    for p in ("bfloat16", "int8"):
        r = f[p]
        print(f"  {p:9} {r['min_cosine']:8.5f} {r.get('min_centred_cosine', float('nan')):12.5f}"
              f" {r['same_nearest_neighbour']:8.0%} {r['speed_vs_float32']:10.2f}x")


if __name__ == "__main__":
    import sys

    run(sys.argv[1] if len(sys.argv) > 1 else "bench-out")
