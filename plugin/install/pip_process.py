"""A subprocess whose output is streamed line by line and whose Cancel really stops it.

pip runs in its own process group (a new session on Linux and macOS, a new process group on
Windows), so that Cancel stops pip and anything it started, and a Ctrl-C in QGIS's terminal
does not reach it. Lines are read by a thread and handed to ``on_line`` on the caller's
thread, which checks ``is_cancelled`` between them (at least five times a second).
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


def start(argv, env=None, cwd=None) -> subprocess.Popen:
    kwargs = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                  env=env, cwd=cwd, text=True, encoding="utf-8", errors="replace", bufsize=1)
    if sys.platform == "win32":
        kwargs["creationflags"] = NO_WINDOW | _GROUP
    else:
        kwargs["start_new_session"] = True
    return subprocess.Popen([str(a) for a in argv], **kwargs)


def stop(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """Stop ``proc`` and its children: SIGTERM to the group, SIGKILL after ``grace``."""
    if proc.poll() is not None:
        return
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True,
                       creationflags=NO_WINDOW, check=False)
    else:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        if sys.platform != "win32":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
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
    try:
        while True:
            if is_cancelled is not None and is_cancelled():
                raise Cancelled("Cancelled: the install was stopped.")
            try:
                line = lines.get(timeout=poll)
            except queue.Empty:
                continue
            if line is _EOF:
                break
            tail.append(line)
            if on_line is not None and line.strip():
                on_line(line)
        proc.wait()
        return proc.returncode, list(tail)
    finally:
        if proc.poll() is None:
            stop(proc)
        deadline = time.monotonic() + 5
        while reader.is_alive() and time.monotonic() < deadline:
            reader.join(0.1)
        if proc.stdout is not None:
            proc.stdout.close()
