"""Outputs appear under their final name only when complete.

``with atomic_output(path) as tmp:`` gives a temporary path beside ``path`` (same folder, so
the final rename is atomic); on success it is renamed to ``path``, on any error or cancel it is
removed and ``path`` is left as it was. Works for files and folders (model bundles).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from ..errors import BotaclipError


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    # GDAL side-cars (.aux.xml, .ovr) of a temporary raster
    for side in (p.with_name(p.name + ".aux.xml"), p.with_name(p.name + ".ovr")):
        with contextlib.suppress(FileNotFoundError):
            side.unlink()


def temp_sibling(path: Path, tag: str = "partial") -> Path:
    path = Path(path)
    return path.with_name(f".{path.stem}.{tag}-{uuid.uuid4().hex[:8]}{path.suffix}")


@contextlib.contextmanager
def atomic_output(path, *, directory: bool = False, overwrite: bool = True):
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BotaclipError(f"Cannot create the output folder {parent}: {exc.strerror}. "
                                "Choose a folder you can write to.") from exc
    if path.exists() and not overwrite:
        raise BotaclipError(f"{path} already exists; remove it or choose another output name.")
    tmp = temp_sibling(path)
    if directory:
        tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        _remove(tmp)
        raise
    if not tmp.exists():
        raise BotaclipError(f"Internal error: {tmp} was not written.")
    if path.exists():
        _remove(path)
    os.replace(tmp, path)
