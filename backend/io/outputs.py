"""Checks made on every output path before a run starts, so that no command can write over
one of its own inputs, a file of the user's, or find out after hours of work that the folder
is read-only or full.

- :func:`input_files`: the files an input really is (a raster with its side-cars and, for a
  VRT, its sources; a vector layer with its other parts; a folder), so that an output equal
  to, or inside, any of them is refused by :func:`refuse_inputs`.
- "Ours" is recognised by content, never by name: :func:`is_our_raster` (BotaCLIP's
  ``BOTACLIP_*`` tags), :func:`starts_with` (a text file's first bytes, for our CSV, JSON and
  PNG outputs); model bundles and GeoPackage layers have their own tests where they are
  written. :func:`check_output` refuses an existing file or non-empty folder that is not
  ours unless the caller says ``overwrite``.
- :func:`check_writable`: the folder can be written to (a file is created and removed there)
  and, when the size is known, has the space.
- :func:`recorded_name`: what an output records as its input: the user's own layer when the
  path given is a temporary copy of it (see ``plugin/layers.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from ..errors import BotaclipError
from ..units import format_bytes
from .atomic import refuse_existing

DISK_MARGIN = 16 << 20           # besides an output's own size: GDAL headers, side-cars
_VECTOR_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")
_DB_PARTS = ("-wal", "-shm", "-journal")


def source_path(source) -> str:
    """The file part of a GDAL/OGR source: 'a.gpkg|layername=x' -> 'a.gpkg'."""
    s = str(source)
    if "|" in s and not os.path.exists(s):
        s = s.split("|", 1)[0]
    return s


def _same_or_inside(out: Path, inp: Path) -> bool:
    """Whether ``out`` is ``inp`` (also through links) or lies inside the folder ``inp``."""
    try:
        if out.exists() and inp.exists() and os.path.samefile(out, inp):
            return True
    except OSError:
        pass
    a, b = os.path.normcase(str(out)), os.path.normcase(str(inp))
    return a == b or a.startswith(b.rstrip(os.sep) + os.sep)


def _resolved(path) -> Path:
    with contextlib.suppress(OSError, RuntimeError):
        return Path(path).expanduser().resolve()
    return Path(os.path.abspath(str(path)))


def _raster_files(path: str) -> list[str]:
    """The files GDAL reads for the raster ``path`` (side-cars, a VRT's sources)."""
    from osgeo import gdal

    with contextlib.suppress(RuntimeError, AttributeError):
        ds = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
        return list(ds.GetFileList() or [])
    return []


def input_files(*sources) -> list[Path]:
    """Every file or folder the inputs ``sources`` consist of (None and /vsi paths
    skipped): the path itself, a raster's side-cars and a VRT's sources, a shapefile's other
    parts, a GeoPackage's -wal/-shm files, GDAL's .aux.xml and .ovr."""
    out: list[Path] = []
    for source in sources:
        if not isinstance(source, (str, os.PathLike)) or not str(source).strip() \
                or str(source).startswith("/vsi") or str(source).lower() == "none":
            continue
        path = source_path(source)
        p = _resolved(path)
        files = [p, p.with_name(p.name + ".aux.xml"), p.with_name(p.name + ".ovr")]
        files += [p.with_name(p.name + s) for s in _DB_PARTS]
        if p.suffix.lower() in _VECTOR_PARTS:
            files += [p.with_suffix(s) for s in _VECTOR_PARTS]
        if p.is_file():
            files += [_resolved(f) for f in _raster_files(path)]
        out += [f for f in files if f not in out]
    return out


def refuse_inputs(out, inputs: list[Path], what: str) -> None:
    """Refuse an output ``out`` that is one of the ``inputs`` (see :func:`input_files`) or
    lies inside one of them (a folder input, such as a model)."""
    o = _resolved(out)
    for inp in inputs:
        if _same_or_inside(o, inp):
            where = "is" if os.path.normcase(str(o)) == os.path.normcase(str(inp)) \
                else "lies inside"
            raise BotaclipError(
                f"The {what} {out} {where} the input {inp}: writing it would destroy that "
                "input. Choose another output name or folder.")


def check_output(path, *, what: str, owned=None, overwrite: bool = False,
                 directory: bool = False, inputs: list[Path] = (), need_bytes: int = 0) -> Path:
    """All the checks of one output path before the work starts: not an input, not a folder
    where a file goes (or the reverse), not an existing file or non-empty folder that is
    not ours (``owned``) unless ``overwrite``, and a folder that can be written to with
    ``need_bytes`` free. Returns ``path`` as a Path."""
    path = Path(path)
    refuse_inputs(path, list(inputs), what)
    refuse_existing(path, directory=directory, owned=owned, overwrite=overwrite, what=what)
    folder = path if directory and path.is_dir() else (path.parent if str(path.parent)
                                                        else Path("."))
    check_writable(folder, what=what, target=path, need_bytes=need_bytes)
    return path


def check_writable(folder, *, what: str, target=None, need_bytes: int = 0) -> None:
    """The folder ``folder`` accepts a new file (tried in its nearest existing ancestor when
    it does not exist yet: nothing is created), and has ``need_bytes`` plus a margin free
    when ``need_bytes`` is given; else a message that says which folder and what to do."""
    folder = Path(folder)
    target = target or folder
    probe_dir = folder
    while not probe_dir.exists() and probe_dir != probe_dir.parent:
        probe_dir = probe_dir.parent
    if not probe_dir.is_dir():
        raise BotaclipError(f"Cannot write the {what} {target}: {probe_dir} is a file, not a "
                            "folder. Choose another location.")
    probe = probe_dir / f".botaclip-write-test-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_bytes(b"")
    except OSError as exc:
        raise BotaclipError(f"Cannot write the {what} {target}: the folder {probe_dir} does "
                            f"not accept new files ({exc.strerror or exc}). Choose a folder "
                            "you can write to.") from exc
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    if need_bytes > 0:
        try:
            free = shutil.disk_usage(probe_dir).free
        except OSError:
            return
        need = int(need_bytes) + DISK_MARGIN
        if free < need:
            raise BotaclipError(
                f"Not enough free disk space for the {what} {target}: it needs about "
                f"{format_bytes(need)} and {probe_dir} has {format_bytes(free)} free. Free "
                "some space or choose a folder on another disk.")


# ------------------------------------------------------------------------------ ours

def is_our_raster(path) -> bool:
    """Whether the raster ``path`` carries BotaCLIP's metadata tags (an embedding, a
    preview, a demo image)."""
    from osgeo import gdal

    try:
        ds = gdal.OpenEx(str(path), gdal.OF_RASTER | gdal.OF_READONLY)
        md = ds.GetMetadata() or {}
    except (RuntimeError, AttributeError):
        return False
    return any(k.startswith("BOTACLIP_") for k in md)


def starts_with(*prefixes: bytes, within: int = 0):
    """A test ``owned(path)``: the file's first bytes start with one of ``prefixes`` (or,
    with ``within``, hold one of them among their first ``within`` bytes)."""
    def owned(path) -> bool:
        try:
            with open(path, "rb") as fh:
                head = fh.read(max(within, max(len(p) for p in prefixes)))
        except OSError:
            return False
        if within:
            return any(p in head for p in prefixes)
        return any(head.startswith(p) for p in prefixes)
    return owned


def recorded_name(source, read_as: str | None = None) -> str:
    """What an output records as its input ``source``: ``source.recorded_as`` when the
    front door handed a temporary copy of the user's layer (plugin/layers.py), else
    ``read_as`` (what the reader called it) or the source itself."""
    return str(getattr(source, "recorded_as", None) or read_as or source)
