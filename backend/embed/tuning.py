"""How a new embedding run computes: its precision, batch size and reader threads, chosen at
its start (:func:`tune`) from measurements on this machine.

1. Precision (:meth:`Backbone.choose_precision`): an explicit bfloat16 or int8 is honoured
   after its agreement with float32 is measured on sample patches spread over the grid (a
   warning carries the cosines when they are low); auto tries bfloat16 where it is native.
2. Batch size and reader threads (:mod:`.calibrate`), measured or found in the cache.
3. int8 for ``auto``: only on a CPU where auto kept float32, and only once both were
   measured: int8 at least :data:`INT8_MIN_SPEEDUP` faster than float32 at the chosen batch
   size (cached with the calibration) and agreeing with float32 on this run's samples
   (:func:`backend.models.precision.agrees`, the same criterion as bfloat16).

A resumed run measures nothing: its precision and batch size are pinned by the state (batch
composition changes the last bits of a forward pass) and its reader threads come from the
calibration the first run recorded.
"""

from __future__ import annotations

from ..errors import BotaclipError
from ..io.patches import PatchReader, sample_patches
from .calibrate import (
    CALIBRATE_MODES,
    MIN_RUN_FACTOR,
    POOL_PATCHES,
    REPS,
    Calibration,
    calibration_key,
    candidates,
    load_cached,
    measure,
    paired_speedup,
    read_pool,
    save_cached,
    tile,
)
from .model import batch_limits
from .reader import PatchProducer

PRECISION_SAMPLES = 8


def check_calibrate(mode) -> str:
    """``calibrate`` checked: auto, always or never."""
    mode = str(mode or "auto").strip().lower()
    if mode not in CALIBRATE_MODES:
        raise BotaclipError(f"Unknown calibration mode {mode!r}: use auto (measure batch size "
                            "and reader threads once per machine, model and precision), "
                            "always or never.")
    return mode


def resumed_calibration(data: dict, batch_size: int) -> Calibration:
    """The calibration of a resumed run: the one its first run recorded in the state (so that
    its tags are those of an uninterrupted run), with the batch size the state pinned."""
    rec = dict(data.get("calibration") or {})
    workers = rec.pop("workers", None)
    rec.pop("batch_size", None)
    source = rec.pop("source", "default")
    return Calibration(int(batch_size), int(workers) if workers else None, source, rec)


def precision_samples(job):
    """Up to 8 raw patches spread over the grid with enough valid pixels, or None."""
    m = job.model
    with PatchReader(job.ortho, m.patch_m, m.patch_px, m.resampling, m.bands) as reader:
        return sample_patches(reader, job.grid.spread_centres(64), n=PRECISION_SAMPLES,
                              min_valid=job.min_valid)


def choose_precision(job) -> None:
    """Step 1: the backbone's precision, checked on sample patches where it needs them."""
    from ..models import precision as P  # torch: only when a run needs it
    from ..models.backbones import bf16_native_cpu

    bb, wanted = job.model.backbone, job.precision
    needs = bb.model is not None and (wanted in P.LOW_PRECISIONS or (
        wanted == "auto" and (bb.device.type == "cuda" or bf16_native_cpu())))
    bb.choose_precision(wanted, precision_samples(job) if needs else None, job.progress)


def tune(job, todo: list, mode: str = "auto") -> Calibration:
    """Precision, batch size and reader threads of a new run over the blocks ``todo``
    (module docstring). ``mode``: "auto" measures when the run is large enough for the
    measurement to cost under 5 % and nothing is cached, "always" measures, "never" uses
    the memory rule."""
    choose_precision(job)
    bb, model = job.model.backbone, job.model
    default, cap = batch_limits(bb, len(model.bands), model.patch_px)
    sizes = [int(job.batch_size)] if job.batch_size else candidates(default, cap)
    if job.batch_size and job.workers is not None:
        return Calibration(int(job.batch_size), int(job.workers), "given",
                           {"reason": "batch size and reader threads given"})
    key, desc = calibration_key(model, bb.precision)
    figures = load_cached(job.cache_root, key) if mode == "auto" else None
    pool, source = None, "cache"
    planned = sum(b[3] * b[4] for b in todo)
    if figures is None:
        cost = POOL_PATCHES + (1 + REPS) * sum(sizes)
        if mode == "never" or (mode == "auto" and planned < MIN_RUN_FACTOR * cost):
            why = ("calibration off" if mode == "never" else
                   f"a run of {planned} patches is too small to pay for measuring")
            return Calibration(int(job.batch_size or default), None,
                               "given" if job.batch_size else "default",
                               {"reason": f"{why}; the memory rule's batch size"})
        figures, pool = _measure(job, todo, sizes)
        if figures is None:
            return Calibration(int(job.batch_size or default), None, "default",
                               {"reason": "no patch to measure on"})
        source = "measured"
        if not job.batch_size:
            figures.update(key=key, machine=desc["machine"], measured_in=bb.precision)
            _save(job, key, figures)
    cal = Calibration(int(job.batch_size or figures["batch_size"]),
                      int(job.workers if job.workers is not None else figures["workers"]),
                      source, dict(figures))
    if _int8_eligible(job, planned):
        _consider_int8(job, cal, key, pool, todo, planned)
    job.progress.info(cal.summary())
    return cal


def _save(job, key: str, figures: dict) -> None:
    error = save_cached(job.cache_root, key, figures)
    if error:
        job.progress.info(f"The calibration could not be cached in {job.cache_root} "
                          f"({error}); the next run measures again.")


def producer(job, blocks: list, n_workers: int, batch_size: int) -> PatchProducer:
    """A :class:`PatchProducer` of ``blocks`` with the job's settings."""
    return PatchProducer(ortho=job.ortho, model=job.model, grid=job.grid, blocks=blocks,
                         min_valid=job.min_valid, batch_size=batch_size, union=job.union,
                         step_px=job.step_px, mask=job.area_mask, n_workers=n_workers,
                         queue_size=2 * n_workers + 2, bounds=job.info.bounds,
                         unit_m=job.info.linear_unit_m)


def _pool(job, todo: list):
    """(prepared patches or None, read seconds per patch): patches of the run's blocks,
    middle blocks first (edges are more often nodata), read as the reader threads will."""
    mid = len(todo) // 2
    blocks = (todo[mid:] + todo[:mid])[:16]
    pool, seconds, n = read_pool(producer(job, blocks, 0, 8))
    return pool, (seconds / n if n else 0.0)


def _measure(job, todo: list, sizes: list):
    """(figures, the prepared pool) of a calibration, or (None, None) without patches."""
    import time

    t0 = time.perf_counter()
    job.progress.info(f"Calibrating: timing batches of {', '.join(map(str, sizes))} "
                      "patches on this machine (once; the result is cached)...")
    pool, read_s = _pool(job, todo)
    if pool is None:
        return None, None
    bb = job.model.backbone
    figures = measure(lambda x: bb.forward_prepared(x), pool, read_s, sizes)
    figures["seconds"] = time.perf_counter() - t0
    return figures, pool


# ------------------------------------------------------------------------------ int8 (auto)

def _int8_eligible(job, planned: int) -> bool:
    """Whether auto may consider int8: a CPU where it kept float32, and a run large enough
    for the agreement check (quantising, 8 samples in two precisions) to cost under 5 %."""
    bb = job.model.backbone
    return (job.precision == "auto" and bb.precision == "float32" and bb.model is not None
            and bb.device.type == "cpu"
            and (job.calibrate == "always" or planned >= MIN_RUN_FACTOR * 4 * PRECISION_SAMPLES))


def _consider_int8(job, cal: Calibration, key: str, pool, todo: list, planned: int) -> None:
    """Step 3 (module docstring): int8's speed, measured once per machine and model and
    cached, then its agreement on this run's samples; the precision switched when both
    pass."""
    from ..models import precision as P  # torch: only when a run needs it

    bb = job.model.backbone
    speed = cal.figures.get("int8")
    if speed is None:
        cost = POOL_PATCHES + 2 * (1 + REPS) * cal.batch_size
        if pool is None and planned < MIN_RUN_FACTOR * cost and job.calibrate != "always":
            return
        speed = _int8_speed(job, cal.batch_size, pool, todo)
        cal.figures["int8"] = speed
        cached = not job.batch_size and "key" in cal.figures     # a full calibration
        if cached:
            _save(job, key, cal.figures)
        if speed.get("available"):
            job.progress.info(f"int8 measured {speed['speedup']:.2f}x as fast as float32 at "
                              f"batch {cal.batch_size} on this machine"
                              + (" (cached)." if cached else "."))
    if not speed.get("available") or speed["speedup"] < P.INT8_MIN_SPEEDUP:
        bb.int8_model = None            # not used: its memory back
        return
    samples = precision_samples(job)
    if samples is None:
        bb.int8_model = None
        return
    check = bb.measure_precision(samples, "int8")
    check["speedup"] = speed["speedup"]
    if not P.agrees(check):
        job.progress.info(f"Precision: float32; int8 was {speed['speedup']:.2f}x faster but "
                          f"disagrees with float32 ({P.describe(check)}; {P.criterion()}).")
        bb.precision_check = {**bb.precision_check, "int8": check}
        bb.int8_model = None
        return
    bb.precision = "int8"
    bb.precision_check = {**bb.precision_check, "int8": check, "chosen": "int8"}
    job.progress.info(f"Precision: int8, measured {speed['speedup']:.2f}x faster than float32 "
                      f"on this machine and agreeing with it ({P.describe(check)}).")


def _int8_speed(job, batch_size: int, pool, todo: list) -> dict:
    """int8 against float32 at ``batch_size``, timed in turn."""
    bb = job.model.backbone
    try:
        bb.quantized()
    except BotaclipError as exc:
        return {"available": False, "reason": str(exc)}
    if pool is None:
        pool, _ = _pool(job, todo)
        if pool is None:
            return {"available": False, "reason": "no patch to measure on"}
    x = tile(pool, batch_size)
    ratio, rates = paired_speedup(lambda v: bb.forward_prepared(v, "float32"),
                                  lambda v: bb.forward_prepared(v, "int8"), x)
    return {"available": True, "batch_size": batch_size, "speedup": round(ratio, 3),
            "float32_patches_per_s": round(rates[0], 3),
            "int8_patches_per_s": round(rates[1], 3)}
