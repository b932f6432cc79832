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
