"""Weight files on disk, without qgis or Qt: the ``<name>.part`` file of a download and its
resume bookkeeping (which byte to ask for next, what the server's answer means for the bytes
already there), the final hash check and atomic placement, and the copy made when a file is
imported. Hashing and its cache on disk are :mod:`backend.models.weight_hash`'s, shared with
``botaclip diagnostics``.

Why apart from the network code: every decision that could lose or corrupt a 1.3 GB file is
taken here, where a unit test reaches it without a server, and where a worker thread can run
it. Outcomes the dialog words for the user (a hash that differs, a file already there) are
returned as values; only the unexpected (a disk error) is raised, as a BotaclipError.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from ...backend.errors import BotaclipError
from ...backend.io.atomic import temp_sibling, write_error
from ...backend.models.weight_files import (
    OLD_LAYOUT_FILES,
    KnownWeights,
    WeightFile,
    identify_sha256,
    known_weight_files,
)
from ...backend.models.weight_hash import (
    HashCache,
    sha256_file,
    stream_sha256,
)
from ...backend.progress import SILENT, Progress
from ...backend.units import format_bytes

PART_SUFFIX = ".part"
WEIGHT_SUFFIXES = (".pth", ".pt", ".safetensors", ".ckpt", ".bin")


def part_path(target) -> Path:
    """Where the download of ``target`` collects its bytes: ``<name>.part`` beside it, a
    fixed name, so that a later download (even after QGIS restarts) finds and resumes it."""
    target = Path(target)
    return target.with_name(target.name + PART_SUFFIX)


def check_room(folder, needed: int) -> None:
    """BotaclipError when ``folder``'s disk has less than ``needed`` bytes free."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return                                   # unknown: the write itself will say
    if free < needed:
        raise BotaclipError(
            f"Not enough free disk space in {folder}: {format_bytes(needed)} needed, "
            f"{format_bytes(free)} free. Free some space, or choose a weights folder on "
            f"another disk in BotaCLIP > Settings.")


# ---------------------------------------------------------------------------- hash cache

def hash_files(paths, cache: HashCache, progress: Progress = SILENT) -> dict[str, str]:
    """sha256 of each of ``paths`` (through ``cache``), progress shared out by file size.
    A file that vanished or cannot be read is left out (the table shows it unchecked)."""
    sizes = []
    for p in paths:
        try:
            sizes.append(os.path.getsize(p))
        except OSError:
            sizes.append(0)
    total, done, out = max(1, sum(sizes)), 0, {}
    for p, size in zip(paths, sizes):
        sub = progress.sub(done / total, (done + size) / total)
        try:
            out[str(p)] = cache.sha256(p, sub, Path(p).name)
        except OSError:
            pass
        done += size
    return out


# ---------------------------------------------------------------------------- resume

APPEND, RESTART, REFETCH, COMPLETE, ERROR = "append", "restart", "refetch", "complete", "error"


class Answer(NamedTuple):
    """What to do with the body of a server's answer: ``action`` is APPEND (it continues
    the .part at ``start``), RESTART (it is the whole file: write from byte 0), REFETCH (it
    cannot be used: ask again without a Range), COMPLETE (416: nothing after ``start``, the
    .part already holds the whole file) or ERROR (an HTTP error); ``total`` is the whole
    file's size when the answer says it."""

    action: str
    start: int
    total: int | None


def resume_offset(part, expected_size: int | None) -> int:
    """How many bytes of an earlier download can be kept: the .part's size (0 without one),
    and 0 when it is already larger than the published file (it cannot be its start)."""
    try:
        have = os.path.getsize(part)
    except OSError:
        return 0
    return 0 if expected_size is not None and have > expected_size else have


def range_header(offset: int) -> str | None:
    """The Range header asking for the rest of the file after ``offset`` bytes."""
    return f"bytes={offset}-" if offset > 0 else None


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``"bytes 100-199/1000"`` -> (100, 199, 1000); ``/*`` gives a None total."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", value or "")
    if not match:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), total


def unsatisfied_total(value: str | None) -> int | None:
    """The file size in a 416 answer's ``"bytes */1000"``; None without one."""
    match = re.fullmatch(r"\s*bytes\s+\*/(\d+)\s*", value or "")
    return int(match.group(1)) if match else None


def read_answer(status: int, content_range: str | None, content_length: int | None,
                offset: int, expected_size: int | None = None) -> Answer:
    """Decide what the answer to a request for the bytes after ``offset`` means. A server
    may ignore Range and answer 200 with the whole file: the .part is then rewritten from
    zero, never appended to (that would corrupt it). A 416 (nothing to send after
    ``offset``) means the .part is complete when the file is exactly that long, else that
    it is not this file's start (asked again from zero)."""
    if status == 206:
        parsed = parse_content_range(content_range)
        if parsed is None or parsed[0] != offset:
            return Answer(REFETCH, 0, None)
        return Answer(APPEND, offset, parsed[2] if parsed[2] is not None else expected_size)
    if status == 200:
        return Answer(RESTART, 0, content_length if content_length is not None
                      else expected_size)
    if status == 416 and offset > 0:
        total = unsatisfied_total(content_range)
        return Answer(COMPLETE, offset, total) if total == offset else Answer(REFETCH, 0, None)
    return Answer(ERROR, 0, None)


class PartWriter:
    """Writes a download's bytes into its .part file from the byte an :class:`Answer`
    starts at (anything after it is cut off first); ``size`` is the .part's length."""

    def __init__(self, target):
        self.part = part_path(target)
        self.size = 0
        self._fh = None

    def open(self, start: int) -> None:
        self.close()
        try:
            if start == 0 or not self.part.exists():
                self._fh = open(self.part, "wb")
                start = 0
            else:
                if self.part.stat().st_size < start:
                    raise BotaclipError(f"The partial download {self.part} became shorter "
                                        f"while downloading: delete it and try again.")
                self._fh = open(self.part, "r+b")
                self._fh.seek(start)
                self._fh.truncate()
        except OSError as exc:
            raise write_error(self.part, exc, "download") from None
        self.size = start

    def write(self, data: bytes) -> None:
        try:
            self._fh.write(data)
        except OSError as exc:
            raise write_error(self.part, exc, "download") from None
        self.size += len(data)

    def close(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None


# ---------------------------------------------------------------------------- placement

class Verdict(NamedTuple):
    """The end of a download: ``ok`` when the hash matched and the file is at ``path``."""

    ok: bool
    sha256: str
    path: Path


def place(tmp: Path, target: Path) -> None:
    """Move a complete, checked file to ``target`` by an atomic rename. An existing file is
    never replaced (it may be the user's): BotaclipError, and ``tmp`` is left to the
    caller."""
    if target.exists():
        raise BotaclipError(f"{target} already exists: nothing was replaced. Move it away "
                            f"and try again.")
    try:
        os.replace(tmp, target)
    except OSError as exc:
        raise write_error(target, exc, "weights file") from None


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def finish_download(target, sha256: str, progress: Progress = SILENT,
                    cache: HashCache | None = None) -> Verdict:
    """Check the complete .part of ``target`` against ``sha256``. Wrong: the .part is
    removed (resuming it would only repeat the error) and the verdict says so. Right: it is
    flushed to disk and renamed to ``target``."""
    target = Path(target)
    part = part_path(target)
    sha = sha256_file(part, progress)
    if sha != sha256.lower():
        with contextlib.suppress(OSError):
            part.unlink()
        return Verdict(False, sha, part)
    _fsync(part)
    place(part, target)
    if cache is not None:
        cache.put(target, sha)
        cache.save()
    return Verdict(True, sha, target)


# ---------------------------------------------------------------------------- import

KNOWN, OWN, OLD, PRESENT, CONFLICT, MISNAMED = (
    "known", "own", "old", "present", "conflict", "misnamed")


class Identified(NamedTuple):
    """What a file offered for import is. ``kind``: KNOWN (a published checkpoint, copied
    under its published name), OWN (unknown content: the user must agree), OLD (a file
    from before DOFA's August 2024 fix: refused), PRESENT (the same content is already at
    ``target``), CONFLICT (another file is already at ``target``), MISNAMED (named like a
    published checkpoint, other content: damaged or renamed, refused)."""

    kind: str
    source: Path
    sha256: str
    size_bytes: int
    target: Path
    size_name: str
    published: WeightFile | None


def identify_file(source, folder, known: KnownWeights | None = None,
                  cache: HashCache | None = None, progress: Progress = SILENT) -> Identified:
    """Hash ``source`` and decide where it would go in ``folder`` and whether it may."""
    source = Path(source)
    if not source.is_file():
        raise BotaclipError(f"{source} is not a file: choose the weights file itself.")
    folder = Path(folder)
    try:
        size = source.stat().st_size
        sha = (cache.sha256 if cache else sha256_file)(source, progress)
    except OSError as exc:
        raise BotaclipError(f"Cannot read {source}: {exc.strerror or exc}.") from None
    hit = identify_sha256(sha, known)
    published_names = {f.name.lower() for _size, f in known_weight_files(known)}
    if hit is not None:
        kind, size_name, published, target = KNOWN, hit[0], hit[1], folder / hit[1].name
    elif sha in OLD_LAYOUT_FILES:
        kind, size_name, published = OLD, OLD_LAYOUT_FILES[sha][1], None
        target = folder / source.name
    else:
        kind, size_name, published, target = OWN, "", None, folder / source.name
        if source.name.lower() in published_names:
            kind = MISNAMED
    if kind in (KNOWN, OWN) and target.exists():
        same = _same_file(source, target) or _sha_of(target, cache) == sha
        kind = PRESENT if same else CONFLICT
    return Identified(kind, source, sha, size, target, size_name, published)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _sha_of(path: Path, cache: HashCache | None) -> str:
    return (cache.sha256 if cache else sha256_file)(path)


def copy_into(source, target, sha256: str, progress: Progress = SILENT,
              cache: HashCache | None = None) -> Path:
    """Copy ``source`` (never moved, never changed) to ``target`` through a hidden temporary
    name in the same folder, hashing as it goes: only a copy whose sha256 is still
    ``sha256`` is renamed into place. Cancel or error: the temporary copy is removed."""
    source, target = Path(source), Path(target)
    size = source.stat().st_size
    check_room(target.parent, size)
    tmp = temp_sibling(target, "import")
    try:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            copied = stream_sha256(src, size, progress, copy_to=dst)
            dst.flush()
            os.fsync(dst.fileno())
        if copied != sha256:
            raise BotaclipError(f"{source} changed while it was being copied: nothing was "
                                f"imported. Try again once nothing writes to it.")
        place(tmp, target)
    except BotaclipError:                     # Cancelled included
        _remove(tmp)
        raise
    except OSError as exc:
        _remove(tmp)
        raise write_error(target, exc, "weights file") from None
    if cache is not None:
        cache.put(target, sha256)
        cache.save()
    return target


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
