"""Translation: one ``tr()`` for every user-visible string, and the plugin's QTranslator.

All strings share the context ``BotaCLIP`` so that one .ts file (i18n/botaclip_fr.ts)
holds them; see i18n/README.md for how it is generated and compiled.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

CONTEXT = "BotaCLIP"
I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``text`` translated into the user's language (unchanged when no translation)."""
    return QCoreApplication.translate(CONTEXT, text, disambiguation, n)


def user_locale() -> str:
    """The locale QGIS uses for its interface, e.g. ``fr`` or ``fr_FR`` (``en`` if unknown)."""
    try:
        loc = QgsApplication.locale()
    except Exception:  # noqa: BLE001  (no QgsApplication: command-line use)
        loc = ""
    return loc or "en"


class PluginTranslator:
    """Installs ``i18n/botaclip_<locale>.qm`` when it exists, and removes it again."""

    def __init__(self, directory: Path | str = I18N_DIR):
        self.directory = Path(directory)
        self.translator: QTranslator | None = None
        self.path: Path | None = None

    def install(self, locale: str | None = None) -> Path | None:
        """Load and install the translation for ``locale`` (default: QGIS's). QTranslator
        falls back from ``fr_FR`` to ``fr``. Returns the .qm file used, or None."""
        self.remove()
        locale = locale or user_locale()
        translator = QTranslator()
        if not translator.load(f"botaclip_{locale}", str(self.directory)):
            return None
        QCoreApplication.installTranslator(translator)
        self.translator = translator
        short = locale.split("_")[0]
        for name in (f"botaclip_{locale}.qm", f"botaclip_{short}.qm"):
            if (self.directory / name).exists():
                self.path = self.directory / name
                break
        return self.path

    def remove(self) -> None:
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
        self.translator = None
        self.path = None


def translatable(text: str) -> str:
    """Marks a literal for the .ts file without translating it now (translated later with
    ``tr(variable)``), like Qt's QT_TRANSLATE_NOOP."""
    return text
