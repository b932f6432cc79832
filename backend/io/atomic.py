"""Outputs appear under their final name only when complete, and never destroy anything else.

``with atomic_output(path) as tmp:`` gives a temporary path beside ``path`` (same folder, so
the final rename is atomic); on success it is moved to ``path`` with :func:`os.replace`, on
any error or cancel it is removed and ``path`` is left as it was.

Why it is careful: an output path is typed by a person, and a slip (a folder, the input, a
file of theirs) must never cost them data. So nothing that already sits at ``path`` is ever
deleted first: a file is replaced by ``os.replace`` (atomic: the old bytes or the new, never
neither); a folder is never replaced or removed (a folder output, such as a model bundle, is
*merged*: each of our files replaces its namesake, every other file in the folder is kept);
a file output aimed at a folder is refused. Whether an existing file may be replaced at all
(is it one of ours?) is asked of ``owned``; see :mod:`.outputs` for the checks made before a
run starts. Writing errors (a full disk, a read-only folder) become a :class:`BotaclipError`
that names the path and says what to do, and the clean-up never hides them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from pathlib import Path

from ..errors import BotaclipError

_SIDECARS = (".aux.xml", ".ovr")


def _remove_temp(p: Path) -> None:
    """Remove a temporary file or folder we made (and GDAL's side-cars of it); never
    raises, so that the error that stopped the write is the one the user sees."""
    with contextlib.suppress(OSError):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink()
    for side in _SIDECARS:
        with contextlib.suppress(OSError):
            p.with_name(p.name + side).unlink()


def temp_sibling(path: Path, tag: str = "partial") -> Path:
    """A hidden, unique name beside ``path`` (same folder, so that ``os.replace`` onto
    ``path`` is a rename)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.{tag}-{uuid.uuid4().hex[:8]}{path.suffix}")


def write_error(path, exc: BaseException, what: str = "output") -> BotaclipError:
    """A :class:`BotaclipError` for an OS or GDAL error met while writing ``path``: the
    reason in the system's words, and what to do about it."""
    reason = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).strip()
              ) or type(exc).__name__
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "space" in reason.lower():
        fix = "Free some disk space or choose a folder on another disk."
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or "permission" in reason.lower() \
            or "read-only" in reason.lower():
        fix = "Choose a folder you can write to."
    else:
        fix = "Check that the folder exists, is writable and has free space."
    return BotaclipError(f"Cannot write the {what} {path}: {reason}. {fix}")


def make_parent(path: Path, what: str = "output") -> Path:
    """Create ``path``'s folder if needed; a clear error when it cannot be."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        if parent.exists():
            raise BotaclipError(f"Cannot write the {what} {path}: {parent} is a file, not a "
                                "folder. Choose another location.")
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BotaclipError(f"Cannot create the folder {parent} for the {what} {path}: "
                                f"{exc.strerror or exc}. Choose a folder you can write "
                                "to.") from exc
    return parent


def refuse_existing(path: Path, *, directory: bool, owned, overwrite: bool,
                    what: str = "output") -> None:
    """Refuse to write over something at ``path`` that must be kept: a folder where a file
    goes (always), a file where a folder goes (always), or -- with an ``owned`` test --
    an existing file or non-empty folder that is not one of ours, unless ``overwrite``."""
    if not (path.exists() or path.is_symlink()):
        return
    is_dir = path.is_dir()
    if is_dir and not directory:
        raise BotaclipError(f"The {what} {path} is an existing folder; give the name of a "
                            "file (in that folder or elsewhere) instead. Nothing in the "
                            "folder was touched.")
    if directory and not is_dir:
        raise BotaclipError(f"The {what} {path} is an existing file, not a folder; give the "
                            "name of a new or empty folder. The file was not touched.")
    if owned is None or overwrite or owned(path):
        return
    if is_dir and not any(path.iterdir()):
        return
    hint = ("Choose another name, or move your file away (on the command line, --overwrite "
            "replaces it)." if not is_dir else
            "Choose a new or empty folder (on the command line, --overwrite writes into it "
            "anyway, replacing only files of the same names and keeping the others).")
    raise BotaclipError(f"The {what} {path} already exists and was not written by BotaCLIP, "
                        f"so it was left untouched. {hint}")


@contextlib.contextmanager
def atomic_output(path, *, directory: bool = False, owned=None, overwrite: bool = False,
                  what: str = "output", last: str | None = None):
    """Write ``path`` under a temporary name and move it in place when complete.

    ``owned``: a test (``owned(path) -> bool``) of whether an existing ``path`` is one of
    ours; None for internal files (caches, checkpoints), which are always replaced.
    ``overwrite``: replace an existing file that is not ours (a folder is never replaced:
    see :func:`move_into`). ``directory``: the output is a folder. ``last``: in a folder
    output, the file moved in last (the one whose presence says the folder is complete,
    e.g. a bundle's config.json)."""
    path = Path(path)
    refuse_existing(path, directory=directory, owned=owned, overwrite=overwrite, what=what)
    make_parent(path, what)
    tmp = temp_sibling(path)
    if directory:
        try:
            tmp.mkdir()
        except OSError as exc:
            raise write_error(path, exc, what) from exc
    try:
        yield tmp
        if not (tmp.exists() or tmp.is_symlink()):
            raise BotaclipError(f"Internal error: {tmp} was not written.")
        if directory and path.is_dir():
            move_into(tmp, path, last=last)
        elif directory:
            os.replace(tmp, path)
        else:
            _replace_file(tmp, path)
    except BotaclipError as exc:
        _remove_temp(tmp)
        cause = exc.__cause__
        if isinstance(cause, (OSError, RuntimeError)) and str(tmp) in str(exc):
            # a nested write inside our temporary (a bundle's files, a report): name the
            # user's output, not the hidden temporary that is gone now
            raise write_error(path, cause, what) from cause
        raise
    except (OSError, RuntimeError) as exc:       # a full disk, a read-only folder, GDAL
        _remove_temp(tmp)
        raise write_error(path, exc, what) from exc
    except BaseException:
        _remove_temp(tmp)
        raise


def move_into(src: Path, dst: Path, *, last: str | None = None) -> None:
    """Move the contents of folder ``src`` into the existing folder ``dst``: each file
    replaces its namesake (``os.replace``), sub-folders are merged the same way, and whatever
    else ``dst`` holds is kept. ``last`` (a file name) is moved last and its old version is
    set aside first, so that a folder caught half-way is never taken for a complete one.
    ``src`` is removed when empty."""
    old = None
    if last and (dst / last).is_file():
        old = temp_sibling(dst / last, "replaced")
        os.replace(dst / last, old)
    for entry in sorted(src.iterdir(), key=lambda p: p.name == last):
        target = dst / entry.name
        if target.is_dir() and not target.is_symlink():
            if not entry.is_dir():
                raise BotaclipError(f"Cannot write {target}: a folder of that name is in the "
                                    "way. Move it away or choose another output folder.")
            move_into(entry, target)
        elif entry.is_dir() and (target.exists() or target.is_symlink()):
            raise BotaclipError(f"Cannot write the folder {target}: a file of that name is in "
                                "the way. Move it away or choose another output folder.")
        else:
            os.replace(entry, target)
    if old is not None:
        with contextlib.suppress(OSError):
            old.unlink()
    with contextlib.suppress(OSError):
        src.rmdir()


def _replace_file(tmp: Path, path: Path) -> None:
    """``os.replace(tmp, path)``; GDAL side-cars written beside ``tmp`` follow it, and the
    side-cars of a file it replaces (statistics, overviews of the old pixels) are dropped."""
    replaced = path.is_file()
    os.replace(tmp, path)
    for side in _SIDECARS:
        new, old = tmp.with_name(tmp.name + side), path.with_name(path.name + side)
        if new.exists():
            os.replace(new, old)
        elif replaced:
            with contextlib.suppress(OSError):
                old.unlink()
