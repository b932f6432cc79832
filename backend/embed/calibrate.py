"""Batch size and reader threads measured on the machine at hand, cached for later runs.

Why. The best batch size of a model on a CPU is not a property of the model: it depends on
the cores, their caches and vector units, torch's kernels and the precision (a ViT-B on one
2-core CPU ran fastest at batch 8, a tiny DOFA wants hundreds), and the number of reader
threads worth running depends on how long a patch takes to read against how long the model
takes on it. A fixed guess leaves speed unused; a short measurement does not.

How (:func:`calibrate`). Patches of the run's own blocks are read and prepared on the calling
thread exactly as the reader threads will (:class:`.reader.PatchProducer`), timed: the read
cost per patch. The model then runs on them at two or three candidate batch sizes around the
memory rule's (:func:`.model.batch_limits`), interleaved: each candidate a warm-up batch,
then the fastest of :data:`REPS` timed batches, so that a burst of load from another program
does not decide. The best throughput wins; a smaller batch within :data:`TIE` of it is
preferred (less memory, finer progress). Reader threads: enough to read as fast as the model
computes with a margin, ``ceil(1.5 x read / forward)``, between 1 and min(4, CPUs) (on a
2-core CPU more threads than needed only take cycles from the model).

Cache. The result is stored in the cache folder (``<cache>/calibration/<key>.json``) under a
key of the machine (CPU model, CPUs, torch and its threads, GPU), the model's architecture
(not its weights: speed does not depend on their values) and the precision; a later run
finds it and measures nothing. Runs too small for the measurement to pay
(:data:`MIN_RUN_FACTOR`) measure nothing either: they use the cache or the memory rule.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

CALIBRATION_FORMAT = 1
REPS = 2                    # timed batches per candidate (the fastest counts)
TIE = 0.05                  # a smaller batch within 5 % of the best is preferred
POOL_PATCHES = 48           # patches read for the measurement...
READ_BUDGET_S = 15.0        # ... or as many as this many seconds of reading give
MIN_RUN_FACTOR = 20         # measure only when the run has 20 x the patches it costs (5 %)
MAX_WORKERS = 4
CALIBRATE_MODES = ("auto", "always", "never")


@dataclass
class Calibration:
    """The batch size and reader threads of a run, and where they came from."""

    batch_size: int
    workers: int | None         # None: the engine's default rule
    source: str                 # "measured", "cache", "given", "default"
    figures: dict = field(default_factory=dict)

    def record(self) -> dict:
        """What the state, the tags and the result keep of it."""
        return {"batch_size": self.batch_size, "workers": self.workers, "source": self.source,
                **{k: v for k, v in self.figures.items()
                   if k not in ("batch_size", "workers", "machine", "format")}}

    def summary(self) -> str:
        """One sentence for the run's messages."""
        f = self.figures
        rates = f.get("patches_per_s") or {}
        if self.source not in ("measured", "cache") or not rates:
            return f"Batch {self.batch_size}: {f.get('reason', self.source)}."
        where = ("measured on this machine" if self.source == "measured"
                 else "from this machine's calibration cache")
        others = ", ".join(f"{v:.1f} at {k}" for k, v in rates.items()
                           if k != str(self.batch_size))
        text = (f"Batch {self.batch_size} and {self.workers} reader thread(s), {where}: the "
                f"model ran {rates[str(self.batch_size)]:.2f} patches/s at batch "
                f"{self.batch_size}" + (f" ({others})" if others else "")
                + f"; reading took {1000 * f['read_s_per_patch']:.1f} ms per patch against "
                  f"{1000 * f['forward_s_per_patch']:.1f} ms of model")
        if self.source == "measured":
            text += f" (calibration {f['seconds']:.1f} s)"
        return text + "."


# ------------------------------------------------------------------------------ the key

def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_identity(device) -> dict:
    """What makes this machine compute at the speed it does."""
    import torch

    ident = {"cpu": _cpu_model(), "cpus": os.cpu_count(),
             "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count(),
             "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
             "device": str(device)}
    if getattr(device, "type", "cpu") == "cuda":
        ident["gpu"] = torch.cuda.get_device_name(device)
    return ident


def calibration_key(model, precision: str) -> tuple[str, dict]:
    """(the cache key, what it hashes) of ``model`` (:class:`.model.EmbedModel`) at
    ``precision`` on this machine."""
    bb = model.backbone
    desc = {"format": CALIBRATION_FORMAT, "machine": machine_identity(bb.device),
            "model": {"backbone": bb.name, "config": bb.config, "dim": bb.dim,
                      "input_px": bb.input_px, "bands": len(model.bands),
                      "patch_px": model.patch_px, "adapter": model.bundle is not None},
            "precision": precision}
    text = json.dumps(desc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], desc


def _cache_file(cache_root: Path, key: str) -> Path:
    return Path(cache_root) / "calibration" / f"{key}.json"


def load_cached(cache_root: Path, key: str) -> dict | None:
    """The cached figures of ``key``, or None (absent, unreadable or of another format)."""
    try:
        data = json.loads(_cache_file(cache_root, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != CALIBRATION_FORMAT:
        return None
    return data


def save_cached(cache_root: Path, key: str, figures: dict) -> str | None:
    """Store ``figures`` under ``key``, whole or not at all; None, or why it could not."""
    path = _cache_file(cache_root, key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({**figures, "format": CALIBRATION_FORMAT}, indent=1,
                                  default=str), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return str(exc)
    return None


# ------------------------------------------------------------------------------ measuring

def candidates(default: int, cap: int) -> list[int]:
    """Up to three batch sizes to try, halving from the largest of four times the memory
    rule's and what memory allows: on a CPU, where the rule is a guess, it and twice and four
    times it; where the rule is already the most memory allows (a GPU, a tiny model), it and
    half and a quarter of it."""
    top = max(1, min(cap, 4 * default))
    return sorted({max(1, top // k) for k in (1, 2, 4)})


def read_pool(producer, budget_s: float = READ_BUDGET_S, n: int = POOL_PATCHES):
    """(prepared patches [m, ...] or None, seconds, m): up to ``n`` patches of ``producer``'s
    blocks read on this thread, as its reader threads would."""
    import torch

    got, count = [], 0
    t0 = time.perf_counter()
    items = producer.inline_items()
    try:
        for item in items:
            if item[0] == "batch":
                got.append(item[4])
                count += len(item[4])
            if count >= n or time.perf_counter() - t0 > budget_s:
                break
    finally:
        items.close()
    seconds = time.perf_counter() - t0
    return (torch.cat(got) if got else None), seconds, count


def tile(pool, size: int):
    """``size`` patches from ``pool``, repeated as needed (speed does not depend on values)."""
    import torch

    reps = -(-size // len(pool))
    return (torch.cat([pool] * reps) if reps > 1 else pool)[:size]


def time_batches(forward, pool, sizes: list[int], reps: int = REPS) -> dict:
    """{batch size: seconds per patch}, the fastest of ``reps`` timed batches after a
    warm-up each, interleaved across sizes."""
    runs = {s: (forward, tile(pool, s)) for s in sizes}
    return time_interleaved(runs, reps)


def time_interleaved(runs: dict, reps: int = REPS) -> dict:
    """{label: seconds per patch} of ``runs`` ({label: (forward, batch)}): a warm-up call
    each, then the fastest of ``reps`` calls, taken in turn so that the load of other
    programs weighs on all alike."""
    for fn, x in runs.values():
        fn(x)
    best = dict.fromkeys(runs, math.inf)
    for _ in range(reps):
        for label, (fn, x) in runs.items():
            t0 = time.perf_counter()
            fn(x)
            best[label] = min(best[label], (time.perf_counter() - t0) / len(x))
    return best


def pick(per_patch: dict) -> int:
    """The batch size of the best throughput, or a smaller one within :data:`TIE`."""
    fastest = min(per_patch.values())
    return min(s for s, t in per_patch.items() if t <= fastest * (1 + TIE))


def reader_threads(read_s: float, forward_s: float, cpus: int | None = None) -> int:
    """Reader threads that keep up with the model: ceil(1.5 x read / forward), 1 to
    min(4, CPUs)."""
    cpus = cpus or os.cpu_count() or 1
    need = math.ceil(1.5 * read_s / forward_s) if forward_s > 0 else MAX_WORKERS
    return max(1, min(need, MAX_WORKERS, cpus))


def measure(forward, pool, read_s_per_patch: float, sizes: list[int]) -> dict:
    """The figures of a calibration on the prepared ``pool``."""
    t0 = time.perf_counter()
    per_patch = time_batches(forward, pool, sizes)
    bs = pick(per_patch)
    return {"batch_size": bs, "candidates": sizes,
            "patches_per_s": {str(s): round(1.0 / t, 3) for s, t in per_patch.items()},
            "forward_s_per_patch": per_patch[bs], "read_s_per_patch": read_s_per_patch,
            "workers": reader_threads(read_s_per_patch, per_patch[bs]),
            "pool_patches": int(len(pool)),
            "forward_batches": len(sizes) * (1 + REPS),
            "forward_seconds": time.perf_counter() - t0}
