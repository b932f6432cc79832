"""A copy of the private packages folder that becomes the folder only when an install worked.

pip writes into a *staging* folder beside the private one (same file system, so that the
final step is a rename): it starts as a hard-linked copy of the current folder (instant, no
extra disk; pip and this module only ever add, rename or unlink files, never write into one,
so the original files are never touched), the new packages are merged into it, and
:func:`swap_in` renames it into place. A cancel or a failure removes the staging folder and
leaves the private folder exactly as it was.

The swap is two renames (folder -> ``.old-*``, staging -> folder). Where the first is refused
(Windows, while QGIS has a DLL of the folder loaded) the staging folder is kept as
``<folder>.pending`` and swapped in by :func:`finish_pending` at the next QGIS start, before
anything is imported from it. A crash between the two renames leaves ``.old-*`` and no
folder: :func:`finish_pending` puts it back. Standard library only: :mod:`.site_dir` calls
:func:`finish_pending` while the plugin loads.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

from .names import normalise

PENDING_SUFFIX = ".pending"
OLD_TAG = ".old-"
STAGING_PREFIX = ".staging-"


def pending_path(target: Path) -> Path:
    return target.with_name(target.name + PENDING_SUFFIX)


def new_sibling(target: Path, tag: str) -> Path:
    """A fresh hidden name beside ``target`` (``.staging-py3.11-1a2b3c``, ``py3.11.old-...``)."""
    token = uuid.uuid4().hex[:8]
    if tag == STAGING_PREFIX:
        return target.with_name(f"{STAGING_PREFIX}{target.name}-{token}")
    return target.with_name(f"{target.name}{tag}{token}")


def clone(src: Path, dst: Path) -> int:
    """``dst`` becomes a copy of ``src`` made of hard links (copies where the file system has
    none). Returns the number of files. ``src`` missing: ``dst`` is an empty folder."""
    dst.mkdir(parents=True)
    if not src.is_dir():
        return 0
    count = 0
    for root, dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        for d in dirs:
            s = Path(root) / d
            if s.is_symlink():
                os.symlink(os.readlink(s), dst / rel / d)
            else:
                (dst / rel / d).mkdir()
        for f in files:
            s, t = Path(root) / f, dst / rel / f
            if s.is_symlink():
                os.symlink(os.readlink(s), t)
            else:
                _link_or_copy(s, t)
            count += 1
    return count


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def remove_distributions(folder: Path, names) -> list[str]:
    """Remove from ``folder`` the files of the installed distributions called ``names``
    (normalised), as their RECORD lists them (metadata folder included): pip's ``--target``
    would otherwise leave the old version's metadata beside the new one. Returns
    ``name==version`` of what was removed."""
    import importlib.metadata

    wanted = {normalise(n) for n in names}
    base = folder.resolve()
    removed = []
    for dist in importlib.metadata.distributions(path=[str(folder)]):
        name, version = dist.metadata["Name"] or "", dist.version
        if normalise(name) not in wanted:
            continue
        for rel in dist.files or ():       # RECORD lists the metadata folder's files too
            path = Path(os.path.normpath(base / str(rel)))
            if base in path.parents and (path.is_file() or path.is_symlink()):
                path.unlink()
        removed.append(f"{name}=={version}")
    _prune_empty_dirs(folder)
    return removed


def _prune_empty_dirs(folder: Path) -> None:
    for root, _dirs, _files in os.walk(folder, topdown=False):
        p = Path(root)
        if p != folder and not any(p.iterdir()):
            p.rmdir()


def merge(src: Path, dst: Path) -> None:
    """Move everything in ``src`` into ``dst``: folders merged (namespace packages such as
    ``nvidia/`` shared by several distributions keep their other members), files replaced."""
    for item in list(src.iterdir()):
        target = dst / item.name
        if item.is_dir() and not item.is_symlink() and target.is_dir() \
                and not target.is_symlink():
            merge(item, target)
            item.rmdir()
            continue
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.replace(item, target)


def swap_in(stage: Path, target: Path) -> str:
    """Make ``stage`` the folder ``target``. Returns ``"done"``, or ``"pending"`` when the
    current folder cannot be moved now (then finished by :func:`finish_pending` at the next
    start). The previous folder is removed in the background."""
    if not target.exists():
        os.replace(stage, target)
        return "done"
    old = new_sibling(target, OLD_TAG)
    try:
        os.replace(target, old)
    except OSError:
        pending = pending_path(target)
        if pending.exists():
            shutil.rmtree(pending, ignore_errors=True)
        os.replace(stage, pending)
        return "pending"
    try:
        os.replace(stage, target)
    except OSError:
        os.replace(old, target)          # put the previous folder back
        raise
    remove_later(old)
    return "done"


def remove_later(path: Path) -> None:
    """Remove ``path`` in a background thread (a folder of torch takes seconds)."""
    threading.Thread(target=shutil.rmtree, args=(str(path),), kwargs={"ignore_errors": True},
                     daemon=True, name="botaclip-remove-old-packages").start()


def finish_pending(target: Path) -> str | None:
    """At start-up, before anything is imported from ``target``: swap in a pending install,
    put back a folder a crash left as ``.old-*``, remove old copies. Returns what was done
    (``"pending"``, ``"restored"``) or None. Never raises: the plugin must load anyway."""
    done = None
    try:
        parent = target.parent
        if not parent.is_dir():
            return None
        pending = pending_path(target)
        olds = sorted(parent.glob(f"{target.name}{OLD_TAG}*"),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        if pending.is_dir():
            swap_in(pending, target)
            done = "pending"
        elif not target.exists() and olds:
            os.replace(olds.pop(0), target)
            done = "restored"
        for old in olds:
            remove_later(old)
    except OSError:
        return done
    return done


def leftovers(target: Path) -> list[Path]:
    """Staging folders that a killed install left beside ``target`` (removed by the next
    install, which holds the lock: no live install can own them then)."""
    if not target.parent.is_dir():
        return []
    return sorted(target.parent.glob(f"{STAGING_PREFIX}{target.name}-*"))
