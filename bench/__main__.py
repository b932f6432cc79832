"""Run the benchmarks: ``make bench`` (= ``python -m botaclip.bench [--only NAME ...]``).

Each benchmark module exposes ``run(out_dir) -> dict`` and prints its own table; the figures of
all of them are gathered in ``bench-out/results.json``. Every figure that matters is a ratio
measured side by side in one run (against the bare model forward, against a simple pipeline,
float32 against bfloat16), so it means something on a machine other than ours.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

BENCHES = ("bench_backbone", "bench_precision", "bench_train", "bench_embed", "bench_maps",
           "bench_zeroshot", "bench_distributed", "bench_distributed_maps")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m botaclip.bench")
    ap.add_argument("--out", default="bench-out", help="folder for the results (bench-out)")
    ap.add_argument("--only", nargs="*", choices=BENCHES, help="run only these benchmarks")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {"machine": {"python": platform.python_version(), "cpu": platform.processor()
                           or platform.machine()}, "benchmarks": {}}
    failed = []
    for name in args.only or BENCHES:
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f"{__package__}.{name}")
            results["benchmarks"][name] = module.run(out)
        except Exception:          # report every benchmark even when one fails
            traceback.print_exc()
            failed.append(name)
            results["benchmarks"][name] = {"error": traceback.format_exc(limit=3)}
        print(f"({name}: {time.perf_counter() - t0:.0f} s)", flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nFigures written to {out / 'results.json'}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
