"""Where the tiles run: ``--scheduler local[:N] | tcp://HOST:PORT | FILE.json``.

``local[:N]`` starts a Dask LocalCluster of N worker *processes* on this machine, one task
at a time each (a tile is one task and keeps its process's cores busy: the model's own
threads do the parallel work, so more task threads per worker would only make tiles compete
for the same cores). Without N: one worker per 4 cores on the CPU; with ``--device cuda``
one worker per visible GPU (:func:`gpu_workers`). ``tcp://HOST:PORT`` (or ``tls://``,
``ucx://``) connects to a running scheduler, and ``FILE.json`` to the one a scheduler file
names (``dask scheduler --scheduler-file``, dask-jobqueue, dask-mpi): the cluster the user
already has. An address that does not answer is a :class:`BotaclipError` within
:data:`CONNECT_TIMEOUT_S` seconds that names it and says how to fix it; so is a local
cluster whose worker processes do not start (:func:`local_start_error`: the cause Dask's
nanny logged, then fewer workers, memory, the ``__main__`` guard of a script).

Dask is imported here and in :mod:`.worker` only, when a run starts (the QGIS plugin and
every other command load without it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BotaclipError
from ..progress import SILENT, Progress

CONNECT_TIMEOUT_S = 5           # a scheduler that answers does so within milliseconds
WORKER_WAIT_S = 120             # a remote cluster's workers may still be starting (SLURM queue)
CORES_PER_LOCAL_WORKER = 4      # local without N: a ViT's matmuls scale well up to ~4 threads
_LOCAL = re.compile(r"local(?::(\d+))?", re.IGNORECASE)
_ADDRESS = re.compile(r"(tcp|tls|ucx|inproc|ws|wss)://\S+", re.IGNORECASE)


@dataclass(frozen=True)
class SchedulerSpec:
    """A parsed ``--scheduler``: kind "local" (``n_workers`` None: chosen), "address" or
    "file"."""

    kind: str
    text: str
    n_workers: int | None = None
    address: str | None = None
    path: Path | None = None


def parse_scheduler(text) -> SchedulerSpec:
    """``local``, ``local:N``, ``tcp://HOST:PORT`` (any Dask protocol) or a scheduler file
    (``*.json``); anything else is refused with the three forms."""
    raw = str(text or "").strip()
    m = _LOCAL.fullmatch(raw)
    if m:
        n = int(m.group(1)) if m.group(1) else None
        if n is not None and n < 1:
            raise BotaclipError(f"--scheduler {raw}: a local cluster needs at least one "
                                "worker (local:1, local:2...).")
        return SchedulerSpec("local", raw, n_workers=n)
    if _ADDRESS.fullmatch(raw):
        return SchedulerSpec("address", raw, address=raw)
    if raw.lower().endswith(".json"):
        return SchedulerSpec("file", raw, path=Path(raw).expanduser())
    raise BotaclipError(
        f"Cannot read --scheduler {raw!r}: give local (a cluster on this machine), local:N "
        "(N worker processes), tcp://HOST:PORT (a running Dask scheduler) or the .json "
        "scheduler file written by `dask scheduler --scheduler-file FILE.json`.")


@dataclass
class LocalLayout:
    """How a local cluster uses this machine: worker processes, torch threads in each, and
    the GPU each worker sees (None: CPU workers)."""

    n_workers: int
    threads: int
    gpus: list | None = None
    notes: list = field(default_factory=list)


def cpu_count() -> int:
    """The cores this process may use (its affinity mask: a SLURM or container limit)."""
    with contextlib.suppress(AttributeError, OSError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def visible_gpus() -> list:
    """Indices of the CUDA devices this process sees (empty without torch or CUDA)."""
    try:
        import torch

        return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    except ImportError:
        return []


def local_layout(n_workers: int | None, device: str, *, cores: int | None = None,
                 gpus: list | None = None) -> LocalLayout:
    """The layout of ``local[:N]`` for ``device`` (cpu, cuda, auto). ``cores`` and ``gpus``
    (device indices) are this machine's unless given (tests inject them). On GPUs: one
    worker per device, each pinned to it by CUDA_VISIBLE_DEVICES; N, if given, takes the
    first N devices."""
    cores = cores or cpu_count()
    device = (device or "auto").lower()
    if device.startswith("cuda") or device == "auto":
        gpus = visible_gpus() if gpus is None else list(gpus)
        if gpus:
            chosen = gpus[:n_workers] if n_workers else gpus
            notes = [] if not n_workers or n_workers <= len(gpus) else [
                f"local:{n_workers} asked for more GPU workers than the {len(gpus)} visible "
                f"device(s): one worker per device ({len(gpus)})."]
            return LocalLayout(len(chosen), max(1, cores // len(chosen)), chosen, notes)
        if device.startswith("cuda"):
            raise BotaclipError("--device cuda with --scheduler local: no CUDA device is "
                                "visible to this process (torch.cuda.is_available() is "
                                "False). Use --device cpu, or check the driver and "
                                "CUDA_VISIBLE_DEVICES.")
    n = n_workers or max(1, cores // CORES_PER_LOCAL_WORKER)
    notes = [] if n <= cores else [
        f"local:{n} starts more worker processes than this machine's {cores} cores: they "
        "will share them, which is slower than one worker per core."]
    return LocalLayout(n, max(1, cores // n), None, notes)


def gpu_worker_specs(gpus: list, threads: int) -> dict:
    """SpecCluster worker specifications: one Nanny per GPU index, whose worker process
    starts with ``CUDA_VISIBLE_DEVICES`` set to that index alone (it sees it as cuda:0)."""
    from distributed import Nanny

    return {f"gpu-{g}": {"cls": Nanny, "options": {
        "nthreads": 1, "name": f"gpu-{g}",
        "env": {"CUDA_VISIBLE_DEVICES": str(g), "OMP_NUM_THREADS": str(threads)}}}
        for g in gpus}


def start_local_cluster(layout: LocalLayout):
    """A cluster object for ``layout``: LocalCUDACluster where dask-cuda is installed, else a
    SpecCluster of one pinned process per GPU, else a LocalCluster of CPU processes."""
    quiet = {"silence_logs": logging.ERROR, "dashboard_address": None}
    if layout.gpus:
        try:
            from dask_cuda import LocalCUDACluster
        except ImportError:
            from distributed import Scheduler, SpecCluster

            return SpecCluster(workers=gpu_worker_specs(layout.gpus, layout.threads),
                               scheduler={"cls": Scheduler,
                                          "options": {"dashboard_address": None}},
                               silence_logs=logging.ERROR, name="botaclip-gpu")
        return LocalCUDACluster(CUDA_VISIBLE_DEVICES=",".join(str(g) for g in layout.gpus),
                                threads_per_worker=1, **quiet)
    from distributed import LocalCluster

    return LocalCluster(n_workers=layout.n_workers, threads_per_worker=1, processes=True,
                        **quiet)


@dataclass
class Connection:
    """A client connected to a cluster, and what a run needs to know of it."""

    client: object
    description: str
    local: bool
    threads: int | None            # torch threads per worker (local); None: the worker's
    device: str                    # the device the workers compute on

    def workers(self) -> dict:
        """{address: {"host":, "nthreads":, "name":}} of the workers connected now."""
        info = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return {addr: {"host": w.get("host"), "nthreads": w.get("nthreads"),
                       "name": w.get("name")} for addr, w in info.items()}

    def workers_per_host(self) -> dict:
        """{host: number of workers on it}: a worker without a local layout gives the model
        its host's cores divided by this (:func:`backend.distributed.worker.torch_threads`)."""
        hosts: dict = {}
        for w in self.workers().values():
            hosts[w["host"]] = hosts.get(w["host"], 0) + 1
        return hosts


@contextlib.contextmanager
def connect(spec, *, device: str = "cpu", progress: Progress = SILENT,
            worker_wait_s: float = WORKER_WAIT_S):
    """A :class:`Connection` for ``spec`` (text or :class:`SchedulerSpec`), closed (and a
    local cluster shut down) on leaving. An existing ``distributed.Client`` may be given
    instead (tests, notebooks): it is used as is and left open."""
    if not isinstance(spec, (str, SchedulerSpec)) and hasattr(spec, "submit"):
        yield Connection(spec, "the given Dask client", False, None, device)
        return
    spec = parse_scheduler(spec) if not isinstance(spec, SchedulerSpec) else spec
    if spec.kind == "local":
        with _local(spec, device, progress) as conn:
            yield conn
        return
    client = _remote_client(spec)
    try:
        _wait_for_workers(client, spec, worker_wait_s)
        yield Connection(client, f"the Dask scheduler {client.scheduler.address}", False,
                         None, device)
    finally:
        with contextlib.suppress(Exception):
            client.close()


@contextlib.contextmanager
def _local(spec: SchedulerSpec, device: str, progress: Progress):
    from distributed import Client

    layout = local_layout(spec.n_workers, device)
    for note in layout.notes:
        progress.warn(note)
    what = (f"{layout.n_workers} GPU worker(s) (devices {layout.gpus})" if layout.gpus else
            f"{layout.n_workers} worker process(es) of {layout.threads} thread(s)")
    progress.info(f"Starting a local Dask cluster: {what}.")
    with _start_errors() as causes:
        try:
            cluster = start_local_cluster(layout)
        except Exception as exc:        # a Nanny or worker process that did not start
            raise local_start_error(what, exc, causes) from None
    try:
        client = Client(cluster)
        try:
            try:
                client.wait_for_workers(layout.n_workers, timeout=WORKER_WAIT_S)
            except (TimeoutError, OSError) as exc:
                raise local_start_error(what, exc, []) from None
            yield Connection(client, f"a local Dask cluster of {what}", True,
                             layout.threads, "cuda" if layout.gpus else device)
        finally:
            _quiet_close(client)
            with contextlib.suppress(Exception):
                client.close()
    finally:
        with contextlib.suppress(Exception):
            cluster.close()


def _quiet_close(client) -> None:
    """Stop the heartbeats of a local cluster's workers before it closes. A worker closing
    while its heartbeat to the scheduler is under way logs a traceback (CommClosedError:
    ConnectionPool closing) at the end of a run that went well: measured in 3 local runs
    of 10 here, in none of 30 with the heartbeats stopped first."""
    with contextlib.suppress(Exception):
        client.run(_stop_heartbeat)


def _stop_heartbeat(dask_worker) -> None:
    """On a worker (``client.run``): no more heartbeats; the cluster closes it next."""
    callback = getattr(dask_worker, "periodic_callbacks", {}).get("heartbeat")
    if callback is not None:
        callback.stop()


class _Causes(logging.Filter):
    """Keeps, instead of printing them, the errors Dask's nanny logs while a local cluster
    starts: its exception ("Nanny failed to start.") names no cause, the log does (a worker
    process that could not be spawned, a module it could not import...)."""

    def __init__(self):
        super().__init__()
        self.causes: list = []

    def filter(self, record) -> bool:
        if record.levelno < logging.ERROR:
            return True
        exc = record.exc_info[1] if record.exc_info else None
        text = f"{type(exc).__name__}: {exc}" if exc is not None else record.getMessage()
        self.causes.append(" ".join(text.split()))
        return False


@contextlib.contextmanager
def _start_errors():
    """The errors the nanny logs during the block (a list, see :class:`_Causes`)."""
    logger = logging.getLogger("distributed.nanny")
    keep = _Causes()
    logger.addFilter(keep)
    try:
        yield keep.causes
    finally:
        logger.removeFilter(keep)


def local_start_error(what: str, exc: BaseException, causes: list) -> BotaclipError:
    """What to tell when a local cluster of ``what`` did not start: the cause (the nanny's
    logged errors, else ``exc``) and the fixes."""
    cause = causes[-1] if causes else f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return BotaclipError(
        f"Could not start the local Dask cluster ({what}): {cause[:400]}. Try fewer workers "
        "(--scheduler local:1, local:2...): each worker process needs its own memory (a "
        "local cluster gives each one its share of this machine's memory as its limit), so "
        "free memory or use fewer of them. From a Python script, call it under `if __name__ "
        "== \"__main__\":` (the workers are new processes that import the script). A Dask "
        "setting (DASK_* environment variables, ~/.config/dask) may also be at fault.")


def _remote_client(spec: SchedulerSpec):
    """A client of a running scheduler; a clear error when it does not answer in time."""
    from distributed import Client

    if spec.kind == "file":
        address = _address_in_file(spec.path)
    else:
        address = spec.address
    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        source = f" (from {spec.path})" if spec.kind == "file" else ""
        raise BotaclipError(
            f"Cannot reach the Dask scheduler at {address}{source} within "
            f"{CONNECT_TIMEOUT_S} s ({type(exc).__name__}: {str(exc).strip()[:200]}). Check "
            "that it is running (`dask scheduler` prints its address), that the host and "
            "port are right and that no firewall stands between; or run on this machine "
            "with --scheduler local:N.") from None


def _address_in_file(path: Path) -> str:
    """The address a Dask scheduler file holds."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        address = data["address"]
    except FileNotFoundError:
        raise BotaclipError(f"The scheduler file {path} does not exist. Start the scheduler "
                            f"with `dask scheduler --scheduler-file {path}` (on a file system "
                            "this machine sees), or give its tcp:// address.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BotaclipError(f"{path} is not a Dask scheduler file (JSON with an 'address'): "
                            f"{exc}. Give the file written by `dask scheduler "
                            "--scheduler-file`, or the tcp:// address.") from None
    return str(address)


def _wait_for_workers(client, spec: SchedulerSpec, wait_s: float) -> None:
    """Wait until at least one worker has joined; a clear error after ``wait_s``."""
    try:
        client.wait_for_workers(1, timeout=wait_s)
    except (TimeoutError, OSError):
        raise BotaclipError(
            f"The Dask scheduler {spec.text} answers but no worker joined it within "
            f"{wait_s:g} s. Start workers that reach it (`dask worker "
            f"{client.scheduler.address}`, or your dask-jobqueue cluster's scale()), then run "
            "again.") from None
