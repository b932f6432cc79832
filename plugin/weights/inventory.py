"""What the weights folder holds, row by row, without qgis or Qt: one row per published DOFA
checkpoint (present or not, with the bytes of an interrupted download), then one per other
weights file found there (the user's own, or an old file that must not be used).

A row's ``status`` is a code the dialog words in the user's language; it is final once the
file's sha256 is known (:func:`with_sha256`), since a published name says nothing about the
content (a damaged or truncated file keeps its name).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ...backend.models.weight_files import (
    OLD_LAYOUT_FILES,
    OLD_LAYOUT_NAMES,
    KnownWeights,
    identify_sha256,
    known_weight_files,
)
from .store import PART_SUFFIX, WEIGHT_SUFFIXES, part_path

# Status codes (worded by the dialog).
MISSING, PARTIAL, CHECKING, VERIFIED, DIFFERS = (
    "missing", "partial", "checking", "verified", "differs")
OWN, OLD, RENAMED = "own", "old", "renamed"


@dataclasses.dataclass(frozen=True)
class WeightRow:
    """One line of the weights table. ``source``: "torchgeo" or "authors" for a published
    checkpoint, "own" for any other file. ``size_bytes``: on disk when present, else the
    published size (None when not published). ``expected_sha256``: "" for other files."""

    size_name: str
    name: str
    source: str
    path: Path
    present: bool
    size_bytes: int | None
    expected_sha256: str
    part_bytes: int = 0
    sha256: str | None = None
    status: str = MISSING


def list_weights(folder, known: KnownWeights | None = None) -> list[WeightRow]:
    """The rows for ``folder`` (which need not exist). Present files start as CHECKING
    until :func:`with_sha256` gives their hash."""
    folder = Path(folder)
    files = _weight_files(folder)
    rows = []
    for size_name, published in known_weight_files(known):
        path = files.pop(published.name.lower(), None)
        target = path or folder / published.name
        part = _size(part_path(target))
        present = path is not None
        rows.append(WeightRow(
            size_name, published.name, published.source, target, present,
            _size(path) if present else published.size_bytes, published.sha256,
            part_bytes=0 if present else part, status=CHECKING if present
            else (PARTIAL if part else MISSING)))
    for key in sorted(files):
        path = files[key]
        rows.append(WeightRow(OLD_LAYOUT_NAMES.get(key, ""), path.name, "own", path, True,
                              _size(path), "", status=CHECKING))
    return rows


def with_sha256(row: WeightRow, sha256: str, known: KnownWeights | None = None) -> WeightRow:
    """``row`` with its file's hash and the status that follows from it."""
    if row.expected_sha256:
        status = VERIFIED if sha256 == row.expected_sha256 else DIFFERS
    elif sha256 in OLD_LAYOUT_FILES:
        status = OLD
    elif identify_sha256(sha256, known) is not None:
        status = RENAMED
    else:
        status = OLD if row.size_name else OWN       # an old file's name, other content
    return dataclasses.replace(row, sha256=sha256, status=status)


def _weight_files(folder: Path) -> dict[str, Path]:
    """Visible weights files in ``folder`` by lower-case name (the published names are
    matched without case, as :func:`find_dofa_weights` does)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return {}
    out = {}
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name.endswith(PART_SUFFIX):
            continue
        if not name.lower().endswith(WEIGHT_SUFFIXES):
            continue
        try:
            if entry.is_file():
                out[name.lower()] = Path(entry.path)
        except OSError:
            continue
    return out


def _size(path) -> int:
    try:
        return os.path.getsize(path) if path is not None else 0
    except OSError:
        return 0
