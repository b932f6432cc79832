"""A subprocess whose output is streamed line by line and whose Cancel really stops it.

pip runs in its own process group (a new session on Linux and macOS, a new process group on
Windows), so that Cancel stops pip and anything it started, and a Ctrl-C in QGIS's terminal
does not reach it. A stop waits until every process of the group has exited (killing those
that ignore the polite request), so that when :class:`Cancelled` reaches the caller nothing
is still writing into the folders it is about to discard. Lines are read by a thread and
handed to ``on_line`` on the caller's thread, which checks ``is_cancelled`` between them (at
least five times a second).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque

from ...backend.errors import Cancelled

# Windows: no console window flashing up from QGIS; its own process group for Cancel.
NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)
_GROUP = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
_EOF = object()
LINGER = 2.0    # seconds the output is still read once pip has exited, before its end


def start(argv, env=None, cwd=None) -> subprocess.Popen:
    kwargs = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                  env=env, cwd=cwd, text=True, encoding="utf-8", errors="replace", bufsize=1)
    if sys.platform == "win32":
        kwargs["creationflags"] = NO_WINDOW | _GROUP
    else:
        kwargs["start_new_session"] = True
    return subprocess.Popen([str(a) for a in argv], **kwargs)


def stop(proc: subprocess.Popen, grace: float = 3.0, kill_wait: float = 5.0) -> None:
    """Stop ``proc`` and everything it started, and return only once they are gone.

    SIGTERM to the whole process group, then a wait of up to ``grace`` seconds for every
    member to exit (not only pip itself: a child it started could still be writing into the
    staging folder that the caller is about to delete), then SIGKILL to those left and a
    second wait of up to ``kill_wait``. Also called after a normal exit, so that nothing pip
    left running outlives :func:`run`. Windows: ``taskkill /T`` ends the tree."""
    if sys.platform == "win32":
        if proc.poll() is None:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                           capture_output=True, creationflags=NO_WINDOW, check=False)
        _wait_leader(proc, grace + kill_wait)
        return
    if not group_alive(proc):
        return
    _signal_group(proc.pid, signal.SIGTERM)
    if _wait_group(proc, grace):
        return
    _signal_group(proc.pid, signal.SIGKILL)
    _wait_group(proc, kill_wait)
    _wait_leader(proc, None)


def group_alive(proc: subprocess.Popen) -> bool:
    """Whether pip or any process of its group (``start_new_session``: group id = its pid)
    still runs. pip itself is reaped here once it exits; zombies left to init do not count."""
    leader_running = proc.poll() is None
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return leader_running
    except PermissionError:         # a member we may not signal still exists
        return True
    return leader_running or _live_members(proc.pid)


def _live_members(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is running, not a zombie. Read from /proc where
    there is one (Linux); elsewhere any member counts, zombie or not."""
    if not os.path.isdir("/proc/self"):
        return True
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), encoding="ascii",
                      errors="replace") as fh:
                fields = fh.read().rpartition(")")[2].split()
        except OSError:             # ended meanwhile, or not ours to read
            continue
        # after the command: state, ppid, pgrp, ...
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_group(proc: subprocess.Popen, timeout: float) -> bool:
    """Poll until the group is gone (True) or ``timeout`` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while group_alive(proc):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _wait_leader(proc: subprocess.Popen, timeout: float | None) -> None:
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _pump(stream, lines: queue.Queue) -> None:
    try:
        for line in stream:
            lines.put(line.rstrip("\r\n"))
    finally:
        lines.put(_EOF)


def run(argv, *, env=None, cwd=None, on_line=None, is_cancelled=None, poll: float = 0.2,
        keep: int = 60) -> tuple[int, list[str]]:
    """Run ``argv`` to its end: ``(exit code, its last ``keep`` lines)``. ``on_line(text)``
    for each line as it comes; ``is_cancelled()`` true: the process group is stopped and
    :class:`Cancelled` raised."""
    proc = start(argv, env=env, cwd=cwd)
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True,
                              name="botaclip-pip-output")
    reader.start()
    tail: deque = deque(maxlen=keep)
    ended = None                    # when pip itself was first seen to have exited
    try:
        while True:
            if is_cancelled is not None and is_cancelled():
                raise Cancelled("Cancelled: the install was stopped.")
            try:
                line = lines.get(timeout=poll)
            except queue.Empty:
                # pip has exited but something it started still holds the pipe open: its
                # end is not waited for for ever (stop() below ends that process)
                if proc.poll() is not None:
                    ended = ended or time.monotonic()
                    if time.monotonic() - ended >= LINGER:
                        break
                continue
            if line is _EOF:
                break
            tail.append(line)
            if on_line is not None and line.strip():
                on_line(line)
        proc.wait()
        return proc.returncode, list(tail)
    finally:
        stop(proc)          # on Cancel, an error or a normal end alike: nothing outlives run
        deadline = time.monotonic() + 5
        while reader.is_alive() and time.monotonic() < deadline:
            reader.join(0.1)
        if proc.stdout is not None:
            proc.stdout.close()
