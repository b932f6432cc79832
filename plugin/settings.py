"""BotaCLIP's settings: typed get/set over QgsSettings under ``botaclip/``.

The backend never reads QgsSettings: the plugin hands it :meth:`Settings.backend_values`,
plain Python values.
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import QgsApplication, QgsSettings

PREFIX = "botaclip/"
DEVICES = ("auto", "cpu", "cuda")
MAX_THREADS = 256


def default_cache_folder() -> str:
    """``<QGIS profile folder>/botaclip/cache``."""
    return str(Path(QgsApplication.qgisSettingsDirPath()) / "botaclip" / "cache")


class Settings:
    """Typed access to the plugin's settings. Unset folders read as ``""`` (cache: the
    default folder); invalid stored values read as their defaults."""

    KEYS = ("weights_folder", "device", "cache_folder", "threads", "extra_python_path")

    def __init__(self, qsettings: QgsSettings | None = None):
        self._s = qsettings or QgsSettings()

    # -- raw access
    def _get_str(self, key: str, default: str = "") -> str:
        value = self._s.value(PREFIX + key, default)
        return default if value is None else str(value)

    def _set(self, key: str, value) -> None:
        self._s.setValue(PREFIX + key, value)

    # -- folders
    @property
    def weights_folder(self) -> str:
        """Folder holding the backbone weights (safetensors); "" when not set."""
        return self._get_str("weights_folder")

    @weights_folder.setter
    def weights_folder(self, value: str | None) -> None:
        self._set("weights_folder", _clean_path(value))

    @property
    def cache_folder(self) -> str:
        """Folder for cached features; the default when not set."""
        return self._get_str("cache_folder") or default_cache_folder()

    @cache_folder.setter
    def cache_folder(self, value: str | None) -> None:
        self._set("cache_folder", _clean_path(value))

    @property
    def extra_python_path(self) -> str:
        """Folder of extra Python packages (``pip install --target``); "" when not set."""
        return self._get_str("extra_python_path")

    @extra_python_path.setter
    def extra_python_path(self, value: str | None) -> None:
        self._set("extra_python_path", _clean_path(value))

    # -- device and threads
    @property
    def device(self) -> str:
        """``auto``, ``cpu`` or ``cuda``."""
        value = self._get_str("device", "auto").lower()
        return value if value in DEVICES else "auto"

    @device.setter
    def device(self, value: str) -> None:
        value = (value or "auto").strip().lower()
        if value not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {value!r}")
        self._set("device", value)

    @property
    def threads(self) -> int:
        """CPU threads for the models; 0 = automatic."""
        try:
            n = int(self._s.value(PREFIX + "threads", 0))
        except (TypeError, ValueError):
            return 0
        return n if 0 <= n <= MAX_THREADS else 0

    @threads.setter
    def threads(self, value: int) -> None:
        n = int(value)
        if not 0 <= n <= MAX_THREADS:
            raise ValueError(f"threads must be between 0 (automatic) and {MAX_THREADS}, not {n}")
        self._set("threads", n)

    # -- for the backend
    def backend_values(self) -> dict:
        """Plain values for backend calls: folders as str or None, device, threads (0 =
        automatic)."""
        return {
            "weights_folder": self.weights_folder or None,
            "device": self.device,
            "cache_folder": self.cache_folder,
            "threads": self.threads,
            "extra_python_path": self.extra_python_path or None,
        }

    def reset(self) -> None:
        """Remove every BotaCLIP setting (tests, "restore defaults")."""
        for key in self.KEYS:
            self._s.remove(PREFIX + key)


def _clean_path(value) -> str:
    text = "" if value is None else str(value).strip()
    return os.path.normpath(os.path.expanduser(text)) if text else ""


def apply_threads(threads: int) -> None:
    """Give torch ``threads`` CPU threads (0: leave torch's default, all cores). Called when a
    BotaCLIP task or algorithm starts, so that the Settings value takes effect; torch's thread
    count is process-wide, so QGIS keeps the rest of the cores when it is set lower."""
    if threads and threads > 0:
        try:
            import torch
        except ImportError:        # reported by the dependency check, not here
            return
        if torch.get_num_threads() != int(threads):
            torch.set_num_threads(int(threads))
