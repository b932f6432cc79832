"""A pip constraints file pinning what QGIS already ships, so that pip never replaces it.

QGIS's Python comes with numpy, GDAL's bindings, scipy, matplotlib, Pillow, PyQt and more,
built against each other and against QGIS. A package installed into BotaCLIP's private folder
(first on ``sys.path``) would shadow them: a newer numpy there and GDAL's bindings, built
against QGIS's numpy, fail to import, and QGIS with them. So every package of
:data:`QGIS_SHIPPED` that QGIS's Python can see, with its metadata, is pinned to the version
it has (``numpy==1.24.2``): pip then keeps it, or picks older releases of what it installs
that work with it, or stops with a conflict that names it -- it never installs another.

Only these are pinned, not every package in QGIS's Python: pure-Python helpers that a
distribution ships old (``typing-extensions``, ``sympy``) would otherwise make torch
impossible to install, and an up-to-date copy of those in the private folder harms nothing.
A version ``0.0.0`` (Debian's packages sometimes carry it for lack of metadata) is no version
and is not pinned.

What QGIS ships is read in a subprocess of QGIS's Python (:func:`probe`): the same
interpreter that pip runs in, without the private folder on its path.
"""

from __future__ import annotations

import json
import re
import subprocess

from .names import normalise

# Compiled against QGIS, GDAL or each other, or imported by QGIS itself (normalised names).
QGIS_SHIPPED = frozenset({
    "numpy", "gdal", "gdal-utils", "scipy", "matplotlib", "pillow", "contourpy", "cycler",
    "fonttools", "kiwisolver", "pyparsing", "python-dateutil", "pyqt5", "pyqt5-sip",
    "pyqt5-qt5", "pyqt6", "pyqt6-sip", "pyqt6-qt6", "sip", "qscintilla", "pyqt5-qscintilla",
    "pyqt6-qscintilla", "shapely", "pyproj", "fiona", "pandas", "h5py", "netcdf4", "cftime",
    "lxml", "psycopg2", "psycopg2-binary", "pyyaml", "owslib", "jinja2", "markupsafe",
    "pygments", "requests", "urllib3", "certifi", "chardet", "charset-normalizer", "idna",
    "pytz", "six", "cryptography", "cffi", "pyopenssl", "pyodbc", "rtree", "numexpr",
    "pywin32", "pywin32-ctypes", "exifread", "plotly", "future",
})

_VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[A-Za-z0-9.]+)?$")

# Run in QGIS's Python: every distribution it sees, {name: version}.
PROBE_SCRIPT = (
    "import importlib.metadata as m, json, sys\n"
    "out = {}\n"
    "for d in m.distributions():\n"
    "    n = d.metadata['Name']\n"
    "    if n and n not in out:\n"
    "        out[n] = d.version\n"
    "json.dump(out, sys.stdout)\n"
)


def constraint_lines(found: dict, exclude=(), shipped=QGIS_SHIPPED) -> list[str]:
    """``name==version`` for each distribution in ``found`` ({name: version}) that QGIS ships,
    except those named in ``exclude`` (what the user asked to install or upgrade) and those
    whose version cannot be pinned. Sorted, one per distribution."""
    skip = {normalise(n) for n in exclude}
    lines = {}
    for name, version in found.items():
        key = normalise(name)
        if key not in shipped or key in skip or key in lines:
            continue
        version = str(version or "").strip()
        if not _VERSION.match(version) or version.strip("0.") == "":
            continue
        lines[key] = f"{name}=={version}"
    return [lines[k] for k in sorted(lines)]


def constraints_text(lines: list[str]) -> str:
    head = ("# Written by BotaCLIP's installer: the packages QGIS ships, pinned to the\n"
            "# versions QGIS has, so that pip never installs another copy of them.\n")
    return head + "".join(line + "\n" for line in lines)


def probe(python: str, env: dict | None = None, timeout: float = 60.0) -> dict:
    """{distribution name: version} that ``python`` sees (a subprocess: QGIS's Python
    without the private folder). Raises RuntimeError with the interpreter's message."""
    from .pip_process import NO_WINDOW

    proc = subprocess.run([python, "-c", PROBE_SCRIPT], capture_output=True, text=True,
                          env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                          creationflags=NO_WINDOW)
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr or proc.stdout).strip()[-2000:])
    return json.loads(proc.stdout or "{}")
