"""What runs on a Dask worker: the plan of a run and its tiles, through the ordinary engine.

Each task calls :func:`backend.embed.embed_raster` with its hooks (see its docstring): the
plan task with ``_plan`` (the precision and batch size a single run would choose, the grid,
the key), a tile task with ``_window`` (the tile's cells of the full grid), writing the tile
COG atomically into the tile folder, with its resume state in the folder's ``.state`` (a
worker killed mid-tile leaves finished blocks there for the worker that retries it, on any
host of a shared file system). The model is resolved once per worker process and kept in
:data:`_MODELS` (``_cache``), not once per tile: a DOFA-base checkpoint takes seconds to
load and a bare backbone's normalisation samples the orthophoto. The worker sets its torch
threads (Dask's nanny starts workers with OMP_NUM_THREADS=1) and glibc's memory reuse
(:func:`_tune_malloc`), and forwards warnings (random weights, the precision check) to the
client, which shows each once.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import warnings
from pathlib import Path

from ..errors import BotaclipError
from ..progress import Progress
from .control import task_running
from .manifest import MANIFEST_NAME, sha256_file

ENGINE_ARGS = ("model", "backbone", "weights", "sensor", "wavelengths", "backbone_config",
               "patch_m", "stride_m", "extent", "mask", "device", "dtype", "min_valid",
               "block_px")
MODEL_ARGS = ("model", "backbone", "weights", "sensor", "wavelengths", "backbone_config",
              "patch_m", "device")
MODELS_KEPT = 2                 # models kept per worker (a persistent cluster, several runs)
CANCEL_POLL_S = 0.5

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3     # glibc's mallopt parameters

_MODELS: dict = {}
_LOCK = threading.Lock()
_MALLOC_TUNED = False


def _model_cache(spec: dict) -> dict:
    """The dict (``_cache`` of the engine) holding this run's model on this worker."""
    from ..cache_keys import raster_identity

    key = json.dumps({"args": {k: spec.get(k) for k in MODEL_ARGS},
                      "raster": raster_identity(spec["ortho"])}, sort_keys=True, default=str)
    with _LOCK:
        if key not in _MODELS:
            while len(_MODELS) >= MODELS_KEPT:
                _MODELS.pop(next(iter(_MODELS)))
            _MODELS[key] = {}
        return _MODELS[key]


def loaded_models() -> int:
    """How many models this worker process holds (tests: one per worker, not per tile)."""
    return len([c for c in _MODELS.values() if "model" in c])


class WorkerProgress(Progress):
    """Cancelled when the run's Dask Event is set (polled at most twice a second); keeps
    the warnings for the client."""

    def __init__(self, event_name: str | None):
        self.event_name = event_name
        self.warnings: list = []
        self._cancelled = False
        self._last = 0.0

    def warn(self, message):
        self.warnings.append(str(message))

    def is_cancelled(self) -> bool:
        if self._cancelled or not self.event_name:
            return self._cancelled
        now = time.monotonic()
        if now - self._last >= CANCEL_POLL_S:
            self._last = now
            from distributed import Event

            try:
                self._cancelled = bool(Event(self.event_name).is_set())
            except Exception:        # a scheduler gone: the client has stopped anyway
                self._cancelled = True
        return self._cancelled


def unshared_output(what: str) -> BotaclipError:
    """The error of a worker that does not see ``what`` (a folder beside the output)."""
    return BotaclipError(
        f"The Dask worker {worker_address()} does not see {what}: the output must be on a "
        "file system that the client and every worker share (NFS, Lustre, GPFS...) under "
        "the same path. Give an --out there.")


def worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:               # called outside a worker (tests of this module)
        return f"process {os.getpid()}"


def torch_threads(spec: dict) -> int:
    """The model's threads on this worker: the local layout's; else the cores this process
    may use when a batch system limited them (a SLURM job's cpuset), else this host's cores
    divided among the workers on it."""
    if spec.get("torch_threads"):
        return int(spec["torch_threads"])
    from distributed.comm import get_address_host

    from .scheduler import cpu_count

    if cpu_count() < (os.cpu_count() or 1):
        return cpu_count()
    share = 1
    try:
        hosts = spec.get("workers_per_host") or {}
        share = int(hosts.get(get_address_host(worker_address()), 1))
    except (ValueError, TypeError):
        pass
    return max(1, cpu_count() // max(1, share))


def _tune_malloc() -> None:
    """Undo Dask's MALLOC_TRIM_THRESHOLD_ for this process (once). Dask's nanny starts
    workers with it (to return memory to the system), which makes glibc serve every
    allocation above 128 kB by mmap and unmap it when freed: a ViT's activations are then
    page-faulted in again at each forward, measured 25-30 % slower here. glibc's own
    defaults are restored in effect: blocks up to 32 MB reused from the heap."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED or not os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 128 << 20)
    except (OSError, AttributeError):       # not glibc: nothing to undo
        pass


def _set_threads(spec: dict) -> None:
    import torch

    _tune_malloc()
    n = torch_threads(spec)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def _engine_kwargs(spec: dict) -> dict:
    return {k: spec.get(k) for k in ENGINE_ARGS if spec.get(k) is not None}


def plan_task(spec: dict, plan_out: str, plan_state: str) -> dict:
    """The settings a single run of ``spec`` would choose, as a small dict: grid, block size,
    batch size, precision and its check, the state key, the model's dimension and weights.
    Nothing is written but a sparse GeoTIFF in ``plan_state``, removed again."""
    from ..embed import embed_raster

    _set_threads(spec)
    progress = WorkerProgress(spec.get("cancel_event"))
    plan: dict = {}
    try:
        with task_running(spec.get("cancel_event"), progress), \
                warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            embed_raster(spec["ortho"], plan_out, **_engine_kwargs(spec),
                         precision=spec["precision"], batch_size=spec.get("batch_size"),
                         workers=spec.get("workers"),
                         calibrate=spec.get("calibrate") or "auto", cache_dir=plan_state,
                         resume=False, progress=progress, _plan=plan,
                         _cache=_model_cache(spec))
    finally:
        shutil.rmtree(plan_state, ignore_errors=True)
    model = plan["model"]
    bb = model.backbone
    return {"grid": plan["grid"].to_dict(), "block_px": plan["block_px"],
            "batch_size": plan["batch_size"], "key": plan["key"], "precision": bb.precision,
            "calibration": plan.get("calibration") or {},
            "precision_check": plan["precision_check"], "dim": int(model.dim),
            "weights_sha256": bb.weights_sha256 or "", "device": str(bb.device),
            "worker": worker_address(),
            "warnings": progress.warnings + [str(w.message) for w in caught]}


def tile_task(spec: dict, window: tuple, tile_path: str, settings: dict) -> dict:
    """Embed one tile (``window`` of the full grid) into ``tile_path``, atomically, with the
    plan's ``settings`` (precision, batch size, reader threads: nothing measured again per
    tile); what it wrote: name, sha256, bytes, patches, seconds, worker."""
    from ..embed import embed_raster

    t0 = time.perf_counter()
    tile_path = Path(tile_path)
    folder = tile_path.parent
    if not (folder / MANIFEST_NAME).is_file():
        raise unshared_output(f"the tile folder {folder}")
    _set_threads(spec)
    progress = WorkerProgress(spec.get("cancel_event"))
    with task_running(spec.get("cancel_event"), progress), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = embed_raster(spec["ortho"], str(tile_path), **_engine_kwargs(spec),
                           precision=settings["precision"],
                           batch_size=settings.get("batch_size"),
                           workers=settings.get("workers"), calibrate="never",
                           cache_dir=str(folder / ".state"), resume=True, overwrite=True,
                           progress=progress, _window=tuple(window),
                           _cache=_model_cache(spec))
    return {"name": tile_path.name, "window": list(window), "sha256": sha256_file(tile_path),
            "bytes": tile_path.stat().st_size, "patches": int(res.n_patches),
            "patches_resumed": int(res.patches_resumed), "batch_size": int(res.batch_size),
            "precision": res.precision, "loop_seconds": float(res.loop_seconds),
            "seconds": time.perf_counter() - t0, "worker": worker_address(), "pid": os.getpid(),
            "models_loaded": loaded_models(),
            "warnings": progress.warnings + [str(w.message) for w in caught]}
