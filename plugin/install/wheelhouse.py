"""Offline installs: ``make wheelhouse`` builds a folder (and a zip) of every wheel BotaCLIP
needs on this platform, with a manifest.

Many of our users work where QGIS has no internet. The wheelhouse carries the packages
QGIS does not ship (torch's CPU build, safetensors, scikit-learn, psutil and what they need)
and pip itself (for a QGIS whose pip is missing or too old), resolved by QGIS's own Python
against the packages QGIS ships, pinned (:mod:`.constraints`): numpy, scipy and the like are
in it only at exactly the versions QGIS has, and are never installed where QGIS has them.

torch is the CPU build: a ``+cpu`` wheel in pip's ``find-links`` folders when there is one
(the newest that installs here), else the CPU index of download.pytorch.org. ``--torch``
takes any other requirement (``torch==2.5.1+cpu``) and ``--torch-index`` its index.

``manifest.json`` lists each file with its size, sha256, distribution, version and the
requirements it serves, with the Python version and platform it was built for;
:func:`manifest.verify` checks it all before an install. Run as
``python -m botaclip.plugin.install.wheelhouse --out dist/wheelhouse --zip dist``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

from ...backend.errors import BotaclipError
from ...backend.progress import SILENT
from . import constraints, manifest, packages
from .names import normalise, requirement_name
from .pip_process import run
from .torch_choice import CPU

INFO_SCRIPT = ("import json, sys, sysconfig\n"
               "print(json.dumps({'platform': sysconfig.get_platform(),"
               " 'python': '%d.%d' % sys.version_info[:2],"
               " 'tag': sys.implementation.name[:2] + '%d%d' % sys.version_info[:2]}))")


def interpreter(python: str) -> dict:
    """{platform, python, tag} of the Python the wheelhouse is for."""
    rc, tail = run([python, "-c", INFO_SCRIPT])
    if rc != 0:
        raise BotaclipError(f"{python} cannot be run: " + " ".join(tail[-3:]))
    return json.loads(tail[-1])


def zip_name(info: dict) -> str:
    return f"botaclip-wheelhouse-{info['platform']}-{info['tag']}.zip"


def find_links(python: str, env=None) -> list[Path]:
    """The local folders in pip's ``find-links`` setting (configuration and environment)."""
    rc, tail = run([python, "-m", "pip", "config", "list"], env=env)
    values = [v for line in (tail if rc == 0 else []) for v in
              re.findall(r"find-links='([^']*)'", line)]
    values.append((env or os.environ).get("PIP_FIND_LINKS", ""))
    folders = []
    for value in values:
        for item in value.split():
            path = Path(item[7:] if item.startswith("file://") else item)
            if path.is_dir() and path not in folders:
                folders.append(path)
    return folders


def _version_key(version: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0]))


def cpu_torch_candidates(folders) -> list[tuple[str, Path]]:
    """(version, folder) of the ``torch-*+cpu*`` wheels in ``folders``, newest first."""
    found = {}
    for folder in folders:
        for wheel in folder.glob("torch-*+cpu*.whl"):
            version = manifest.wheel_name(wheel.name)[1]
            found.setdefault(version, folder)
    return sorted(found.items(), key=lambda kv: _version_key(kv[0]), reverse=True)


def _pip(python, args, progress, what: str, env=None) -> None:
    rc, tail = run([python, "-m", "pip", *args, "--progress-bar", "off"], env=env,
                   on_line=lambda line: progress.report(0.0, line),
                   is_cancelled=progress.is_cancelled)
    if rc != 0:
        raise BotaclipError(f"pip could not {what}:\n" + "\n".join(tail[-8:]))


def download_torch(python, dest: Path, spec: str, index: str | None, progress) -> str:
    """Download torch alone into ``dest``; returns its version. ``spec`` ``auto``: the
    newest ``+cpu`` wheel of pip's find-links that installs here, else the CPU index's."""
    if spec == "auto":
        for version, folder in cpu_torch_candidates(find_links(python)):
            try:
                _pip(python, ["download", "--no-deps", "--only-binary=:all:", "--no-index",
                              "--find-links", str(folder), "-d", str(dest),
                              f"torch=={version}"], progress, "take torch")
                return version
            except BotaclipError:
                continue          # built for another Python or platform
        spec, index = "torch>=2.1", index or CPU.index_url
    args = ["download", "--no-deps", "--only-binary=:all:", "-d", str(dest), spec]
    _pip(python, args + (["--index-url", index] if index else []), progress,
         f"download {spec}" + (f" from {index}" if index else ""))
    wheels = sorted(dest.glob("torch-*.whl"))
    if not wheels:
        raise BotaclipError(f"No torch wheel was downloaded for {spec}.")
    return manifest.wheel_name(wheels[-1].name)[1]


def requires(wheel: Path) -> list[str]:
    """The names a wheel requires (its METADATA's Requires-Dist; extras left out, markers
    evaluated for this Python where the ``packaging`` package is there)."""
    with zipfile.ZipFile(wheel) as zf:
        meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        text = zf.read(meta).decode("utf-8", "replace") if meta else ""
    out = []
    for line in text.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        req, _sep, marker = line[len("Requires-Dist:"):].partition(";")
        if "extra" in marker or not _marker_true(marker.strip()):
            continue
        out.append(requirement_name(req))
    return out


def _marker_true(marker: str) -> bool:
    if not marker:
        return True
    try:
        from packaging.markers import Marker
    except ImportError:
        return True
    try:
        return Marker(marker).evaluate()
    except Exception:  # noqa: BLE001  (an unknown marker: keep the requirement)
        return True


def serves(folder: Path, top: list[str]) -> dict[str, list[str]]:
    """{distribution: the top-level requirements that need it} over the wheels in
    ``folder``."""
    wheels = {manifest.wheel_name(w.name)[0]: w for w in folder.glob("*.whl")}
    graph = {name: [normalise(r) for r in requires(w)] for name, w in wheels.items()}
    out: dict[str, list[str]] = {}
    for root in top:
        stack, seen = [requirement_name(root)], set()
        while stack:
            name = stack.pop()
            if name in seen or name not in graph:
                continue
            seen.add(name)
            out.setdefault(name, []).append(root)
            stack += graph[name]
    return out


def write_manifest(folder: Path, info: dict, top: list[str], pins: list[str],
                   torch_version: str) -> dict:
    needs = serves(folder, top)
    shipped = {requirement_name(p) for p in pins}
    files = []
    for wheel in sorted(folder.glob("*.whl"), key=lambda p: p.name.lower()):
        dist, version = manifest.wheel_name(wheel.name)
        files.append({"name": wheel.name, "size": wheel.stat().st_size,
                      "sha256": manifest.sha256_file(wheel), "distribution": dist,
                      "version": version, "serves": needs.get(dist, ["the installer"]),
                      "shipped_by_qgis": dist in shipped})
    data = {"format": manifest.FORMAT, "platform": info["platform"], "python": info["python"],
            "tag": info["tag"], "torch": torch_version, "requirements": top,
            "qgis_pins": pins, "files": files,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    (folder / manifest.MANIFEST).write_text(json.dumps(data, indent=1), encoding="utf-8")
    return data


def write_zip(folder: Path, path: Path) -> Path:
    """The wheelhouse as one zip (wheels stored as they are: already compressed)."""
    tmp = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
        zf.write(folder / manifest.MANIFEST, manifest.MANIFEST)
        for wheel in sorted(folder.glob("*.whl")):
            zf.write(wheel, wheel.name)
    os.replace(tmp, path)
    return path


def _refuse_foreign(out_dir: Path) -> None:
    """Never replace a folder that is not a wheelhouse (the user's files)."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir())
                                                      and not (out_dir / manifest.MANIFEST)
                                                      .is_file())):
        raise BotaclipError(f"{out_dir} exists and is not a BotaCLIP wheelhouse: choose "
                            "another output folder (it would be replaced).")


def build(out_dir, *, python: str | None = None, torch: str = "auto",
          torch_index: str | None = None, optional=(), zip_dir=None,
          progress=SILENT) -> dict:
    """Build the wheelhouse ``out_dir`` for ``python`` (default: this one), and its zip in
    ``zip_dir`` when given; returns the manifest (with ``"zip"``: the zip's path). Written
    beside ``out_dir`` and moved in place when complete."""
    out_dir = Path(out_dir).resolve()
    _refuse_foreign(out_dir)
    python = python or sys.executable
    info = interpreter(python)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        progress.report(0.02, f"Packages QGIS ships, seen by {python}…")
        pins = constraints.constraint_lines(constraints.probe(python))
        version = download_torch(python, tmp, torch, torch_index, progress.sub(0.05, 0.5))
        top = [f"torch=={version}" if w.key == "torch" else w.spec
               for w in packages.runtime(optional)]
        cons = tmp.with_name(tmp.name + ".constraints.txt")
        cons.write_text(constraints.constraints_text([*pins, f"torch=={version}"]),
                        encoding="utf-8")
        try:
            _pip(python, ["download", "--only-binary=:all:", "-d", str(tmp), "-c", str(cons),
                          "--find-links", str(tmp), *top, "pip"],
                 progress.sub(0.5, 0.9), "download the packages")
        finally:
            cons.unlink(missing_ok=True)
        progress.report(0.92, "Writing the manifest (sha256 of every file)…")
        data = write_manifest(tmp, info, [*top, "pip"], pins, version)
        _move_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if zip_dir is not None:
        progress.report(0.96, "Writing the zip…")
        Path(zip_dir).mkdir(parents=True, exist_ok=True)
        data["zip"] = str(write_zip(out_dir, Path(zip_dir).resolve() / zip_name(info)))
    progress.report(1.0, f"Wheelhouse ready: {out_dir}")
    return data


def _move_in(tmp: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out_dir)


def main(argv=None) -> int:
    from ...backend.progress import TerminalProgress
    from ...backend.units import format_bytes

    parser = argparse.ArgumentParser(
        prog="python -m botaclip.plugin.install.wheelhouse",
        description="Build a wheelhouse for BotaCLIP's offline install.")
    parser.add_argument("--out", required=True, help="the wheelhouse folder to write")
    parser.add_argument("--zip", dest="zip_dir", help="also write the zip into this folder")
    parser.add_argument("--python", help="QGIS's Python (default: this one)")
    parser.add_argument("--torch", default="auto",
                        help="torch requirement (default auto: a +cpu build)")
    parser.add_argument("--torch-index", help="index to take --torch from")
    parser.add_argument("--with", dest="optional", default="",
                        help="optional packages by import name, e.g. timm")
    args = parser.parse_args(argv)
    try:
        data = build(args.out, python=args.python, torch=args.torch or "auto",
                     torch_index=args.torch_index or None,
                     optional=[m for m in re.split(r"[,\s]+", args.optional) if m],
                     zip_dir=args.zip_dir, progress=TerminalProgress())
    except BotaclipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    size = sum(f["size"] for f in data["files"])
    print(f"{len(data['files'])} wheels, {format_bytes(size)}, torch {data['torch']}, for "
          f"Python {data['python']} on {data['platform']}: {args.out}"
          + (f"\nzip: {data['zip']}" if data.get("zip") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
