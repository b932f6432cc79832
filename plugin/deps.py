"""Which Python packages BotaCLIP needs, which are missing, and how to install them.

Checked at plugin load with :func:`importlib.util.find_spec` (nothing is imported: importing
torch would slow QGIS's start-up by seconds) plus a version read from the package metadata
where one is installed. The check and the texts are pure functions of their arguments so that
tests can simulate a missing package by passing (or monkeypatching) ``find_spec``.

The texts here are plain English on purpose: :mod:`.plugin` passes them through ``tr()``
where they are shown, and the pip commands must never be translated.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS_FILE = REPO / "requirements.txt"


def translatable(text: str) -> str:
    """Marks ``text`` for the translation file (``i18n/update_ts.py``) without translating
    it here: this module loads before Qt may be used; the dialogs translate it."""
    return text


@dataclass(frozen=True)
class Requirement:
    module: str                 # import name
    distribution: str           # name on PyPI / in the package metadata
    minimum: str                # oldest version known to work (sanity check only)
    needed_for: str             # what stops working without it
    pip: bool = True            # False: comes with QGIS, reinstall QGIS rather than pip
    optional: bool = False      # True: only an optional choice needs it, no whole action


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("numpy", "numpy", "1.20", translatable("everything")),
    Requirement("osgeo", "GDAL", "3.4",
                translatable("everything (reading rasters and vectors)"), pip=False),
    Requirement("scipy", "scipy", "1.6", translatable("demo data")),
    Requirement("matplotlib", "matplotlib", "3.3", translatable("contact sheets and reports")),
    Requirement("torch", "torch", "2.1", translatable("models: training, embeddings, maps")),
    # timm (which pulls in torchvision, on Linux a CUDA build of several GB) serves only the
    # optional "timm:NAME" backbone; DOFA runs on torch alone (backend/models/vit_block.py).
    Requirement("timm", "timm", "0.9",
                translatable("the optional timm backbone (with torchvision)"), optional=True),
    Requirement("safetensors", "safetensors", "0.3",
                translatable("models: saving and loading weights")),
    Requirement("sklearn", "scikit-learn", "1.0", translatable("predictors and evaluation")),
    # embed_raster sizes its batches from the free memory (backend/embed/model.batch_limits).
    Requirement("psutil", "psutil", "5.8",
                translatable("embeddings: batch size from the free memory")),
    # Only a Dask scheduler (the scale-out embedding) imports it, at run time: the plugin
    # loads and every action runs without it. "distributed" pulls in dask; 2025.5 is the
    # first with Client.scheduler_info(n_workers=...), which backend/distributed calls.
    Requirement("distributed", "distributed", "2025.5",
                translatable("the optional Dask scheduler (scale-out embedding)"),
                optional=True),
)

# What each plugin action needs (import names); an action is disabled when one is missing.
ACTION_NEEDS = {
    "demo": ("numpy", "osgeo", "scipy"),
    "check": ("numpy", "osgeo", "matplotlib"),
    "import": ("numpy", "osgeo"),
    "train": ("numpy", "osgeo", "torch", "safetensors", "matplotlib"),
    "embed": ("numpy", "osgeo", "torch", "safetensors", "psutil"),
    "predict": ("numpy", "osgeo", "scipy", "sklearn"),
    "evaluate": ("numpy", "osgeo", "scipy", "sklearn", "torch", "safetensors"),
    "similar": ("numpy", "osgeo"),
    "suitability": ("numpy", "osgeo", "scipy", "torch", "safetensors"),
    "toptaxa": ("numpy", "osgeo", "scipy", "torch", "safetensors"),
    "habitats": ("numpy", "osgeo", "sklearn"),
}

find_spec = importlib.util.find_spec
"""The spec finder the check uses (tests monkeypatch it to simulate a missing package)."""


def distribution_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except Exception:  # noqa: BLE001  (no metadata: version unknown, not an error)
        return None


def _version_tuple(text: str) -> tuple[int, ...]:
    m = re.match(r"\s*(\d+(?:\.\d+)*)", text or "")
    return tuple(int(p) for p in m.group(1).split(".")) if m else ()


def version_at_least(found: str, minimum: str) -> bool:
    """True when ``found`` (e.g. '2.14.1+cpu') is ``minimum`` or newer; unknown -> True."""
    f, m = _version_tuple(found), _version_tuple(minimum)
    if not f or not m:
        return True
    n = max(len(f), len(m))
    return f + (0,) * (n - len(f)) >= m + (0,) * (n - len(m))


@dataclass
class Problem:
    requirement: Requirement
    kind: str                   # "missing" | "too_old"
    found: str | None = None    # the version found (too_old)


@dataclass
class DependencyReport:
    problems: list[Problem] = field(default_factory=list)
    optional: list[Problem] = field(default_factory=list)   # optional ones: no warning
    versions: dict[str, str | None] = field(default_factory=dict)   # module -> version found

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def missing(self) -> list[str]:
        """Import names of the packages that are missing or too old."""
        return [p.requirement.module for p in self.problems]

    def unavailable(self, modules) -> list[str]:
        """Those of ``modules`` (import names) that cannot be used."""
        bad = set(self.missing)
        return [m for m in modules if m in bad]


def _has_module(name: str, finder) -> bool:
    try:
        return finder(name) is not None
    except ValueError:          # already imported with __spec__ None: it is there
        return name in sys.modules
    except (ImportError, AttributeError):   # a parent package is missing
        return False


def check_dependencies(requirements=None, finder=None, version_of=None) -> DependencyReport:
    """Which of ``requirements`` (default :data:`REQUIREMENTS`) cannot be found or are older
    than their minimum. Imports nothing. Optional requirements go to ``report.optional``, so
    that their absence neither warns nor enters the pip commands."""
    requirements = REQUIREMENTS if requirements is None else requirements
    finder = finder or find_spec
    version_of = version_of or distribution_version
    report = DependencyReport()
    for req in requirements:
        where = report.optional if req.optional else report.problems
        if not _has_module(req.module, finder):
            where.append(Problem(req, "missing"))
            report.versions[req.module] = None
            continue
        found = version_of(req.distribution)
        report.versions[req.module] = found
        if found and not version_at_least(found, req.minimum):
            where.append(Problem(req, "too_old", found))
    return report


# ----------------------------------------------------------------------------- pip commands

def pinned_versions(path: Path | str = REQUIREMENTS_FILE) -> dict[str, str]:
    """``{distribution (lower case): 'name==version'}`` from a requirements file."""
    pins: dict[str, str] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return pins
    for line in lines:
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(==|>=|~=)\s*([^\s;]+)", line)
        if m:
            pins[m.group(1).lower()] = f"{m.group(1)}{m.group(2)}{m.group(3)}"
    return pins


@dataclass
class Interpreter:
    """How to run pip for the Python that QGIS embeds."""

    python: str                 # command that starts that Python
    shell: str                  # where to type the command, for people
    user_flag: bool             # add --user (system Python on Linux/macOS)
    externally_managed: bool    # PEP 668 marker: pip refuses --user without a flag


def qgis_python(platform: str | None = None, executable: str | None = None,
                prefix: str | None = None, base_prefix: str | None = None,
                version=None, exists=None, which=None, stdlib: str | None = None
                ) -> Interpreter:
    """The Python interpreter that QGIS embeds. ``sys.executable`` inside QGIS is the QGIS
    program, not Python, so the interpreter is looked for beside it. All arguments default to
    this process's values (they are parameters for the tests)."""
    platform = platform or sys.platform
    executable = executable if executable is not None else sys.executable
    prefix = prefix if prefix is not None else sys.prefix
    base_prefix = base_prefix if base_prefix is not None else getattr(sys, "base_prefix", prefix)
    version = version or sys.version_info
    exists = exists or os.path.exists
    which = which or shutil.which
    stdlib = stdlib if stdlib is not None else sysconfig.get_paths().get("stdlib", "")
    mm = f"{version[0]}.{version[1]}"
    in_venv = os.path.normpath(prefix) != os.path.normpath(base_prefix)

    if platform.startswith("win"):
        # OSGeo4W and the standalone installer: the OSGeo4W Shell sets PYTHONHOME etc.
        return Interpreter("python", "OSGeo4W Shell (Start menu > QGIS > OSGeo4W Shell)",
                           False, False)

    exe_name = os.path.basename(executable or "").lower()
    real = os.path.realpath
    inside = exe_name.startswith("python") and any(
        real(executable).startswith(real(p) + os.sep) for p in (prefix, base_prefix) if p)
    if in_venv and exe_name.startswith("python"):
        python = executable           # a virtual environment's Python (tests, the CLI)
    else:
        # Embedded in QGIS, sys.executable is the QGIS program, or whatever "python3" comes
        # first on PATH (pyenv, conda...), not necessarily QGIS's Python: look beside it.
        candidates = []
        if platform == "darwin":
            # QGIS.app/Contents/MacOS/QGIS -> QGIS.app/Contents/MacOS/bin/python3
            here = os.path.dirname(executable or "")
            candidates += [os.path.join(here, "bin", f"python{mm}"),
                           os.path.join(here, "bin", "python3")]
        candidates += [os.path.join(prefix, "bin", f"python{mm}"),
                       os.path.join(base_prefix, "bin", f"python{mm}"),
                       os.path.join(prefix, "bin", "python3")]
        python = next((c for c in candidates if exists(c)), None) \
            or (executable if inside else None) or which(f"python{mm}") or "python3"
    managed = bool(stdlib) and exists(os.path.join(stdlib, "EXTERNALLY-MANAGED")) \
        and not in_venv
    return Interpreter(python, "a terminal", not in_venv, managed)


def _quote(arg: str) -> str:
    return f'"{arg}"' if re.search(r"[\s<>|&]", arg) else arg


def pip_packages(report: DependencyReport, pins: dict[str, str] | None = None) -> list[str]:
    """pip requirement strings for the pip-installable problems, pinned from requirements.txt
    when pinned there, plus ``numpy==<installed>`` so that pip never replaces the numpy QGIS
    and GDAL were built against."""
    pins = pinned_versions() if pins is None else pins
    out = []
    for p in report.problems:
        req = p.requirement
        if not req.pip:
            continue
        out.append(pins.get(req.distribution.lower(), f"{req.distribution}>={req.minimum}"))
    numpy_version = report.versions.get("numpy")
    if out and numpy_version and not any(s.lower().startswith("numpy") for s in out):
        out.append(f"numpy=={numpy_version}")
    return out


def pip_command(packages: list[str], interp: Interpreter, target: str | None = None) -> str:
    parts = [_quote(interp.python), "-m", "pip", "install"]
    if target:
        parts += ["--target", _quote(target)]
    else:
        if interp.user_flag:
            parts.append("--user")
        if interp.externally_managed:
            parts.append("--break-system-packages")
    return " ".join(parts + packages)


def details_text(report: DependencyReport, *, interp: Interpreter | None = None,
                 pins: dict[str, str] | None = None, extra_folder: str | None = None,
                 qgis_version: str = "") -> str:
    """What is missing, why it matters and the exact commands that install it."""
    interp = interp or qgis_python()
    lines = ["BotaCLIP cannot use these Python packages:"]
    for p in report.problems:
        req = p.requirement
        state = ("not found" if p.kind == "missing"
                 else f"version {p.found} found, {req.minimum} or newer needed")
        name = req.distribution if req.distribution.lower() == req.module else \
            f"{req.distribution} (imported as {req.module})"
        lines.append(f"  - {name}: {state}; needed for {req.needed_for}")
    not_pip = [p.requirement for p in report.problems if not p.requirement.pip]
    if not_pip:
        lines += ["", "GDAL's Python bindings (osgeo) come with QGIS: reinstall or repair QGIS "
                      "(on Linux, install your distribution's python3-gdal package)."]
    packages = pip_packages(report, pins)
    if packages:
        where = f"QGIS {qgis_version}" if qgis_version else "QGIS"
        lines += ["", f"Install them into the Python of {where} (Python "
                      f"{sys.version_info[0]}.{sys.version_info[1]}): open {interp.shell} and "
                      "run", "", "    " + pip_command(packages, interp), "",
                  "then restart QGIS."]
        if any(s.startswith("numpy==") for s in packages):
            lines.append("The numpy pin keeps the numpy QGIS was built against.")
        if interp.externally_managed:
            lines.append("--break-system-packages is needed because your system Python is "
                         "managed by the distribution (PEP 668); --user keeps the packages in "
                         "your home folder. The folder method below avoids it.")
        folder = extra_folder or "FOLDER"
        lines += ["", "Or keep QGIS's Python untouched: install into a folder of your choice",
                  "", "    " + pip_command(packages, interp, target=folder), "",
                  "and choose that folder in BotaCLIP > Settings… > Extra Python packages "
                  "folder, then restart QGIS."]
        if any(s.lower().startswith("torch") for s in packages):
            lines += ["", "torch is a large download (about 1 GB; more on Linux, where the "
                          "default build includes CUDA)."]
    return "\n".join(lines)


def add_extra_path(folder: str | None) -> bool:
    """Prepend the user's extra packages folder to ``sys.path`` (before the check), so that
    packages installed there with ``pip install --target`` are found. True if added."""
    if not folder:
        return False
    folder = os.path.normpath(str(folder))
    if not os.path.isdir(folder) or folder in (os.path.normpath(p) for p in sys.path):
        return False
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    return True


def remove_extra_path(folder: str | None) -> None:
    if not folder:
        return
    folder = os.path.normpath(str(folder))
    sys.path[:] = [p for p in sys.path if os.path.normpath(p) != folder]
