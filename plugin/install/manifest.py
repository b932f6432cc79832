"""A wheelhouse's manifest: every file with its size and sha256, checked before any install.

A wheelhouse (:mod:`.wheelhouse`) is a folder of wheels with ``manifest.json``, or the same
as a zip. It travels on USB sticks and shared drives, where files get cut short, left out or
replaced: :func:`verify` refuses it, naming each file that is missing, changed (size or
sha256) or not in the manifest (pip could otherwise pick it), before pip sees any of it.
:func:`open_verified` extracts a zip (manifest names only, never a path outside the folder)
and checks what it wrote. The hashes protect against damage, not against someone who can
rewrite the manifest too: get wheelhouses from people you trust.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

from ...backend.errors import BotaclipError

MANIFEST = "manifest.json"
FORMAT = 1
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+!-]*\.whl$")
_CHUNK = 1 << 20


class WheelhouseError(BotaclipError):
    """A wheelhouse that cannot be used; the message names the files at fault."""


def sha256_stream(stream) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: stream.read(_CHUNK), b""):
        h.update(chunk)
    return h.hexdigest()


def sha256_file(path) -> str:
    with open(path, "rb") as f:
        return sha256_stream(f)


def wheel_name(filename: str) -> tuple[str, str]:
    """(distribution, version) from a wheel's file name."""
    parts = filename[:-4].split("-")
    return parts[0].replace("_", "-").lower(), (parts[1] if len(parts) > 1 else "")


def is_zip(source) -> bool:
    return Path(source).is_file() and zipfile.is_zipfile(source)


def read(source) -> dict:
    """The manifest of a wheelhouse folder or zip (or of the folder of a ``manifest.json``
    given itself). Raises :class:`WheelhouseError` when there is none or it is unreadable."""
    source = Path(source)
    if source.name == MANIFEST and source.is_file():
        source = source.parent
    try:
        if is_zip(source):
            with zipfile.ZipFile(source) as zf:
                data = json.loads(zf.read(MANIFEST).decode("utf-8"))
        elif source.is_dir():
            data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        else:
            raise WheelhouseError(f"{source} is neither a folder nor a zip file: choose the "
                                  "wheelhouse folder (or its manifest.json) or its zip.")
    except (KeyError, FileNotFoundError) as exc:
        raise WheelhouseError(f"{source} is not a BotaCLIP wheelhouse: it has no {MANIFEST}. "
                              "Build one with 'make wheelhouse'.") from exc
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise WheelhouseError(f"The wheelhouse {source} cannot be read ({exc}): copy it "
                              "again.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or not isinstance(data.get("files"), list):
        raise WheelhouseError(f"{source}: {MANIFEST} is not a BotaCLIP wheelhouse manifest "
                              f"of format {FORMAT}; build the wheelhouse again.")
    for entry in data["files"]:
        if not _SAFE_NAME.match(str(entry.get("name", ""))):
            raise WheelhouseError(f"{source}: {MANIFEST} lists the file "
                                  f"{entry.get('name')!r}, which is not a wheel's name.")
    return data


def problems(manifest: dict, present: dict, digest) -> list[str]:
    """What is wrong with the files ``present`` ({name: size}) against ``manifest``;
    ``digest(name)`` gives a file's sha256 (only called when its size is right)."""
    out = []
    listed = {e["name"] for e in manifest["files"]}
    for entry in manifest["files"]:
        name = entry["name"]
        if name not in present:
            out.append(f"{name} is missing")
        elif present[name] != entry.get("size"):
            out.append(f"{name} has {present[name]} bytes instead of {entry.get('size')} "
                       "(cut short or changed)")
        elif digest(name) != entry.get("sha256"):
            out.append(f"{name} was changed (its sha256 differs from the manifest's)")
    out += [f"{name} is not in the manifest" for name in sorted(set(present) - listed)]
    return out


def verify(source) -> dict:
    """Check every file of a wheelhouse folder or zip against its manifest; returns the
    manifest, or raises :class:`WheelhouseError` naming every file at fault."""
    source = Path(source)
    if source.name == MANIFEST and source.is_file():
        source = source.parent
    manifest = read(source)
    if is_zip(source):
        with zipfile.ZipFile(source) as zf:
            infos = {i.filename: i for i in zf.infolist() if i.filename.endswith(".whl")}
            present = {n: i.file_size for n, i in infos.items()}

            def digest(name):
                with zf.open(infos[name]) as f:
                    return sha256_stream(f)

            found = problems(manifest, present, digest)
    else:
        present = {p.name: p.stat().st_size for p in source.glob("*.whl")}
        found = problems(manifest, present, lambda name: sha256_file(source / name))
    if found:
        raise WheelhouseError(
            f"The wheelhouse {source} was refused, nothing was installed: "
            + "; ".join(found) + ". Copy the wheelhouse again from where it was built "
            "(or rebuild it with 'make wheelhouse').")
    return manifest


def open_verified(source, work: Path) -> tuple[Path, dict]:
    """A verified wheelhouse folder for ``source``: the folder itself, or a zip's files
    extracted into ``work/wheels`` (only the manifest's wheels, under their plain names)."""
    source = Path(source)
    if source.name == MANIFEST and source.is_file():
        source = source.parent
    if not is_zip(source):
        return source, verify(source)
    manifest = read(source)
    folder = work / "wheels"
    folder.mkdir(parents=True)
    listed = {e["name"] for e in manifest["files"]}
    with zipfile.ZipFile(source) as zf:
        names = set(zf.namelist())
        extra = sorted(n for n in names - listed if n.endswith(".whl"))
        if extra:
            raise WheelhouseError(f"The wheelhouse {source} was refused, nothing was "
                                  "installed: " + "; ".join(f"{n} is not in the manifest"
                                                            for n in extra) + ".")
        for name in sorted(listed & names):
            with zf.open(name) as src, open(folder / name, "wb") as dst:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    dst.write(chunk)
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return folder, verify(folder)


def compatibility(manifest: dict, python: str, platform: str) -> str:
    """Why the wheelhouse cannot serve a Python ``python`` ("3.11") on ``platform``
    (``sysconfig.get_platform()``), "" when it can."""
    want_py, want_plat = manifest.get("python"), manifest.get("platform")
    if want_py and want_py != python:
        return (f"This wheelhouse is for Python {want_py}, and QGIS runs Python {python}: "
                "build one with this QGIS's Python ('make wheelhouse QGIS_PYTHON=...').")
    if want_plat and want_plat != platform:
        return (f"This wheelhouse is for {want_plat}, and this QGIS runs on {platform}: "
                "build one on this kind of machine.")
    return ""
