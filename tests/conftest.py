"""Shared test fixtures. The package is imported as `botaclip` (see tools/setup.sh), whatever
the checkout's folder is called."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BOTACLIP_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir():
    if not SHARED.exists():
        pytest.skip(f"shared data folder {SHARED} not found (set BOTACLIP_SHARED)")
    return SHARED


def pytest_sessionfinish(session, exitstatus):
    """Drop the last traceback and collect garbage before the interpreter (and QGIS) shuts
    down: a failing test's frames can hold QGIS objects whose destructors crash at exit."""
    import gc
    import sys

    for name in ("last_traceback", "last_value", "last_type", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    gc.collect()
