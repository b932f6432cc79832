"""How a new embedding run computes: its precision, batch size and reader threads, chosen at
its start (:func:`tune`) from measurements on this machine.

1. Precision (:meth:`Backbone.choose_precision`): an explicit bfloat16 or int8 is honoured
   after its agreement with float32 is measured on sample patches spread over the grid (a
   warning carries the cosines when they are low); auto tries bfloat16 where it is native.
   Auto never picks int8, even where it is faster: on DOFA-base its embeddings pass the
   cosine criterion (lowest 0.9995 raw, 0.9990 centred) yet 12 % of patches change their
   nearest neighbour among the demo's patches (2 % in bfloat16), a change of result, not
   rounding, which is for the user to accept (README, "Precision").
2. Batch size and reader threads (:mod:`.calibrate`), measured or found in the cache.

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
    read_pool,
    save_cached,
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
