"""A pytest plugin (``-p botaclip.tests.qgis_profile`` in pyproject.toml) that keeps the QGIS
profile of the test session in a temporary folder, removed at the end.

pytest-qgis starts QGIS before any conftest is imported and keeps its profile in
``<rootdir>/.qgis-settings``: inside the checkout, where it could be tracked or shipped with
the plugin. This hook wraps pytest-qgis's start-up and hands it a temporary root instead.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest


class _RootElsewhere:
    """A pytest config whose ``rootpath`` is another folder."""

    def __init__(self, config, root: Path):
        self._config, self.rootpath = config, root

    def __getattr__(self, name):
        return getattr(self._config, name)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config):
    import pytest_qgis.plugin as qgis_plugin

    root = Path(tempfile.mkdtemp(prefix="botaclip-test-profile-"))
    early_config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
    load = qgis_plugin._load_qgis_settings
    qgis_plugin._load_qgis_settings = lambda config: load(_RootElsewhere(config, root))
    yield
