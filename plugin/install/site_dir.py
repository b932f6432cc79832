"""The private packages folder: one per QGIS profile and Python version.

``<profile>/python/botaclip-packages/py3.11``: inside the user's QGIS profile, so that
installing needs no admin rights and never touches QGIS's own Python; per Python version,
because compiled packages (torch, scikit-learn) only load in the Python they were built for,
and a QGIS upgrade that changes Python then simply sees an empty folder. Removing the folder
undoes every install.

:func:`activate` is called by ``classFactory`` right after ``native_guard.protect()`` and
before anything imports torch: the folder goes first on ``sys.path`` (its packages win over
older copies elsewhere; what QGIS ships is never installed there, see :mod:`.constraints`).
It first finishes an install that could only be swapped in at restart (:mod:`.staging`).
Standard library only, and cheap: a few ``stat`` calls at QGIS start-up.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from . import staging

FOLDER_NAME = "botaclip-packages"


def folder_for(profile_dir, version=None) -> Path:
    """The private folder for the QGIS profile folder ``profile_dir`` (what
    ``QgsApplication.qgisSettingsDirPath()`` gives) and ``version`` (default: this Python)."""
    version = version or sys.version_info
    return Path(profile_dir) / "python" / FOLDER_NAME / f"py{version[0]}.{version[1]}"


def is_active(folder) -> bool:
    folder = os.path.normcase(os.path.normpath(str(folder)))
    return any(os.path.normcase(os.path.normpath(p)) == folder for p in sys.path if p)


def activate(folder) -> bool:
    """Put ``folder`` first on ``sys.path`` (once), after finishing a pending install.
    Returns True when the folder exists and is on ``sys.path``. Never raises."""
    folder = Path(folder)
    try:
        staging.finish_pending(folder)
        if not folder.is_dir():
            return False
    except OSError:
        return False
    if not is_active(folder):
        sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    return True


def activate_profile(profile_dir) -> Path:
    """:func:`activate` the folder of ``profile_dir``; returns the folder (active or not)."""
    folder = folder_for(profile_dir)
    activate(folder)
    return folder


def deactivate(folder) -> None:
    """Take ``folder`` off ``sys.path`` (tests; QGIS keeps it for the session)."""
    target = os.path.normcase(os.path.normpath(str(folder)))
    sys.path[:] = [p for p in sys.path
                   if not p or os.path.normcase(os.path.normpath(p)) != target]
