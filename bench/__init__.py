"""Benchmarks (``python -m botaclip.bench``); each module exposes ``run(out_dir) -> dict``."""
