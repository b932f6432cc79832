"""Locks that keep two runs from writing the same thing at once, and never outlive a run.

:class:`StateLock` is one lock file, taken atomically and held with an operating-system lock
that the OS drops when the process ends however it ends (Ctrl-C, SIGTERM, ``kill -9``, a
crash): a lock is never left stale. The embedding's resume state uses it
(:mod:`backend.embed.state`); :func:`hold_outputs` uses it for the outputs a command names,
so that a second run writing the same model folder, raster or report is refused with the
reason before it starts its work, and the first completes unharmed.

Why beside the output and not in a cache: every run that writes a given path sees the same
lock, whatever ``--cache-dir`` or ``BOTACLIP_CACHE_DIR`` it was given. The file is hidden
(``.NAME.botaclip-lock``) and removed when the run ends; one left by ``kill -9`` is taken over
and removed by the next run, which also removes the hidden temporary of the output a killed
run was writing (:func:`backend.io.atomic.temp_sibling`'s names), since no live run can own
it while the lock is held.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from pathlib import Path

from ..errors import BotaclipError
from .atomic import write_error


class StateLock:
    """A lock file that is taken atomically and never left stale.

    The file is created with ``O_CREAT | O_EXCL`` (one creator wins) and held with an OS
    lock on the open file (``flock``; ``msvcrt.locking`` on Windows), which the OS drops
    when the process ends, however it ends (Ctrl-C, SIGTERM, kill -9, a crash). A run that
    finds the file opens it and asks for the OS lock: refused, the holder is alive; granted,
    the file was left by a dead run and is taken over -- by one run only, the one the OS
    granted. The file must still be the one at the path once locked (a finishing run
    removes it), else the run starts over. The holder's process id is written in the file,
    for the message of the run that waits. On a file system without OS locks, the process
    id alone decides (a dead one is taken over)."""

    _OFFSET = 1 << 20          # Windows locks a byte range: far from the process id text

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fd: int | None = None

    def take(self) -> str | None:
        """None when the lock is now ours, else a description of the run holding it."""
        for _ in range(5):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
            except FileExistsError:
                try:
                    fd = os.open(self.path, os.O_RDWR)
                except FileNotFoundError:
                    continue                  # released meanwhile: create it again
            if not _os_lock(fd):
                holder = _read_pid(fd)
                os.close(fd)
                return f"process {holder}" if holder else "another process"
            if not _same_file(fd, self.path):
                os.close(fd)                  # removed by the run that held it: start over
                continue
            with contextlib.suppress(OSError):   # the id is for messages only: a full disk
                os.ftruncate(fd, 0)              # must not stop a run here, but where it
                _write_at_start(fd, str(os.getpid()))   # writes its output, with that message
            self.fd = fd
            return None
        return "another process (the lock file keeps changing)"

    def release(self) -> None:
        """Remove the lock file, then drop the OS lock (in that order, so that a run waiting
        on the old file sees it is gone); on Windows an open file cannot be removed, so the
        file is closed first."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if os.name == "nt":
            os.close(fd)
        with contextlib.suppress(OSError):
            self.path.unlink()
        if os.name != "nt":
            os.close(fd)


def _os_lock(fd: int) -> bool:
    """Try the OS lock on ``fd`` without waiting: True when granted (or when the file system
    has no locks and the process id in the file is not a live process)."""
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, StateLock._OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        pid = _read_pid(fd)                      # no OS locks here (ENOLCK): process ids
        return not (pid and pid != os.getpid() and _pid_alive(pid))


def _read_pid(fd: int) -> int:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode("ascii", "ignore").strip() or 0)
    except (OSError, ValueError):
        return 0


def _write_at_start(fd: int, text: str) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("ascii"))


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


# ------------------------------------------------------------------------------ outputs

def lock_path(output) -> Path:
    """The hidden lock file of ``output``: ``.NAME.botaclip-lock`` beside it."""
    output = Path(output)
    return output.with_name(f".{output.name}.botaclip-lock")


def stale_temporaries(output) -> list[Path]:
    """The hidden temporaries of ``output`` (``.STEM.partial-XXXXXXXX.SUFFIX`` and their
    GDAL side-cars, :func:`backend.io.atomic.temp_sibling`) that sit beside it."""
    output = Path(output)
    pattern = re.compile(re.escape(f".{output.stem}.partial-") + "[0-9a-f]{8}"
                         + re.escape(output.suffix) + r"(\.aux\.xml|\.ovr)?")
    try:
        entries = list(output.parent.iterdir()) if str(output.parent) else []
    except OSError:
        return []
    return [p for p in entries if pattern.fullmatch(p.name)]


@contextlib.contextmanager
def hold_outputs(*outputs, what: str = "output", progress=None):
    """Hold the lock of every output in ``outputs`` (None entries skipped) for the block.

    Refused with a :class:`BotaclipError` that names the output and the process holding it
    when another run is writing it; nothing has been written then. Once held, temporaries a
    killed run left beside these outputs are removed (``progress.info`` says so)."""
    held: list[StateLock] = []
    try:
        for output in outputs:
            if output is None:
                continue
            output = Path(output)
            lock = StateLock(lock_path(output))
            try:
                output.parent.mkdir(parents=True, exist_ok=True)   # a new folder is fine
                holder = lock.take()
            except OSError as exc:
                raise write_error(output, exc, what) from exc
            if holder is not None:
                raise BotaclipError(
                    f"Another BotaCLIP run ({holder}) is writing the {what} {output} right "
                    "now, so this run was stopped before doing any work. Wait for it to "
                    "finish, or give this run another output name.")
            held.append(lock)
            _remove_stale(output, progress)
        yield
    finally:
        for lock in reversed(held):
            lock.release()


def _remove_stale(output: Path, progress) -> None:
    """Remove what a killed run left of ``output`` under a temporary name (we hold its lock,
    so no live run is writing it)."""
    removed = []
    for p in stale_temporaries(output):
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p.name)
    if removed and progress is not None:
        progress.info(f"Removed {len(removed)} temporary file(s) left beside {output} by an "
                      f"interrupted run: {', '.join(sorted(removed))}.")
