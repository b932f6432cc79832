"""A distributed run's tasks seen from the client: stopped cleanly, their errors explained,
the time left told.

Why a stop waits. Dask cannot interrupt a task that has started: ``client.cancel`` forgets
it, but the worker's thread runs on until the task returns. A task told to stop (the run's
Dask ``Event``, which :class:`.worker.WorkerProgress` polls) returns at its next progress
check, a fraction of a second later, releasing what it holds (an output's lock, a tile's
resume state). A client that raised at once would let its user start the same run again
while that task still held the tile's lock, and the new run would be refused by it. So
:func:`stop_tasks` waits, at most :data:`STOP_WAIT_S` seconds, until no worker runs a task of
the run. It knows which are running from a count each task keeps on its worker while it
runs (:func:`task_running`), asked of every worker with ``client.run``: no scheduler state
is trusted for this, since a cancelled task is gone from the scheduler while it still runs.

A task that starts after the event is set must do nothing at all (it could otherwise take a
lock after the client stopped waiting): each task registers itself first, then checks the
event (:func:`task_running` does both, in that order), so either the client's wait sees it
or it sees the event.

Dask is imported only by the functions that need it, when a run starts.
"""

from __future__ import annotations

import contextlib
import threading
import time

from ..errors import BotaclipError

STOP_WAIT_S = 10.0       # a task sees the event within 0.5 s and stops at its next check
_POLL_S = 0.1

_RUNNING: dict = {}
_LOCK = threading.Lock()


# ------------------------------------------------------------------------------ on a worker

@contextlib.contextmanager
def task_running(run_id: str | None, progress=None):
    """Count this task as running for ``run_id`` on this worker while the block runs; with
    ``progress`` (a :class:`.worker.WorkerProgress`), stop at once (Cancelled) when the run
    was already told to stop."""
    with _LOCK:
        _RUNNING[run_id] = _RUNNING.get(run_id, 0) + 1
    try:
        if progress is not None:
            progress.check()
        yield
    finally:
        with _LOCK:
            left = _RUNNING.get(run_id, 1) - 1
            if left > 0:
                _RUNNING[run_id] = left
            else:
                _RUNNING.pop(run_id, None)


def running_tasks(run_id: str | None) -> int:
    """How many tasks of ``run_id`` this worker process runs now (``client.run`` asks)."""
    with _LOCK:
        return _RUNNING.get(run_id, 0)


# ------------------------------------------------------------------------------ the client

def stop_tasks(client, event, futures, run_id: str, *, wait_s: float = STOP_WAIT_S) -> bool:
    """Tell the run's tasks to stop (``event`` set), drop those not started (``futures``
    cancelled) and wait, at most ``wait_s`` seconds, until no worker runs one. True when
    they all ended in time."""
    with contextlib.suppress(Exception):
        event.set()
    with contextlib.suppress(Exception):
        client.cancel(list(futures))
    deadline = time.monotonic() + wait_s
    while True:
        try:
            counts = client.run(running_tasks, run_id, on_error="ignore")
        except Exception:            # the cluster is gone: nothing of ours runs on it
            return True
        if not any(counts.values()):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_S)


def task_error(exc: BaseException, what: str, fix: str) -> BaseException:
    """The error to show for a failed task: ours as is; a worker lost too often explained,
    with ``fix`` (what to do, and what was kept)."""
    if isinstance(exc, BotaclipError):
        return exc
    if type(exc).__name__ == "KilledWorker":
        return BotaclipError(f"Dask gave up on {what}: the workers running it died one after "
                             f"the other ({exc}). {fix}")
    return exc


def eta_text(done: int, left: int, elapsed: float) -> str:
    """', about N min left' once some work is done (``done`` and ``left`` in any unit)."""
    if done <= 0 or left <= 0 or elapsed < 5:
        return ""
    s = left * elapsed / done
    if s < 90:
        return f", about {s:.0f} s left"
    return f", about {s / 60:.0f} min left" if s < 5400 else f", about {s / 3600:.1f} h left"
