"""Opening the help: the README shipped with the plugin (offline, matches this version), or
the online home page from metadata.txt when the README is not there."""

from __future__ import annotations

import configparser
from pathlib import Path

from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices

ROOT = Path(__file__).resolve().parents[1]


def metadata(key: str, default: str = "") -> str:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ROOT / "metadata.txt", encoding="utf-8")
        return parser.get("general", key, fallback=default)
    except (configparser.Error, OSError):
        return default


def help_url(section: str = "") -> QUrl:
    """The README (``#section`` anchor if given) or the home page."""
    readme = ROOT / "README.md"
    if readme.exists():
        url = QUrl.fromLocalFile(str(readme))
    else:
        url = QUrl(metadata("homepage") or metadata("repository"))
    if section:
        url.setFragment(section)
    return url


def open_help(section: str = "") -> bool:
    return QDesktopServices.openUrl(help_url(section))
