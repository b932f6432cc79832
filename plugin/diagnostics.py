"""*Copy diagnostics*: the backend's report of this installation (backend.diagnostics) with
QGIS's part added -- QGIS, Qt and PyQt versions, QGIS's Python, the plugin's version and
folder, the profile folder, BotaCLIP's settings, the dependency check and the last warnings
and errors of the BotaCLIP log -- put on the clipboard, ready to paste into an issue.

The QGIS part is read on the main thread (QgsSettings, the plugin registry); the backend's
part runs as a task, because importing torch and hashing the weights take seconds. The
report itself stays in English (it is read by whoever answers the issue); what the user is
told about it is translated.

Imported only when the action runs (it imports the backend).
"""

from __future__ import annotations

import sys

from qgis.core import Qgis, QgsApplication
from qgis.PyQt import sip
from qgis.PyQt.QtCore import PYQT_VERSION_STR, QT_VERSION_STR, Qt, qVersion
from qgis.PyQt.QtGui import QFontDatabase
from qgis.PyQt.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..backend import diagnostics as backend_diagnostics
from . import deps, native_guard
from .help import ROOT, metadata
from .i18n import tr
from .log_panel import LogPanel
from .settings import Settings
from .tasks import BackendTask, start

TITLES = {
    "qgis": "QGIS",
    "plugin": "BotaCLIP plugin",
    "settings": "BotaCLIP settings",
    "dependencies": "Dependency check",
    "log": "Last warnings and errors (BotaCLIP log)",
}


# ----------------------------------------------------------------------------- QGIS's part

def qgis_section() -> dict:
    """QGIS, Qt, PyQt, QGIS's own PROJ and GEOS, QGIS's Python and the profile folder."""
    from qgis.core import QgsProjUtils

    safe = backend_diagnostics.safe
    return {
        "version": Qgis.QGIS_VERSION,
        "version_int": Qgis.QGIS_VERSION_INT,
        "platform": QgsApplication.platform(),
        "locale": QgsApplication.locale(),
        "qt_runtime": qVersion(),
        "qt_compiled": QT_VERSION_STR,
        "pyqt": PYQT_VERSION_STR,
        "sip": getattr(sip, "SIP_VERSION_STR", None),
        "proj_in_qgis": safe(lambda: f"{QgsProjUtils.projVersionMajor()}."
                                     f"{QgsProjUtils.projVersionMinor()}"),
        "geos_in_qgis": safe(lambda: Qgis.geosVersion()),
        "python": sys.version.replace("\n", " "),
        "python_for_pip": safe(lambda: deps.qgis_python().python),
        "prefix": QgsApplication.prefixPath(),
        "profile_folder": QgsApplication.qgisSettingsDirPath(),
    }


def plugin_section() -> dict:
    """The plugin's version and folder, what native_guard did, the other active plugins (a
    second deep-learning plugin is a common source of clashes)."""
    try:
        from qgis.utils import active_plugins
    except ImportError:
        active_plugins = []
    return {
        "version": metadata("version", "?"),
        "folder": str(ROOT),
        "native_guard": [f"{c.module}: {c.action}" for c in native_guard.conflicts()],
        "active_plugins": sorted(str(p) for p in active_plugins),
    }


def settings_section(settings: Settings) -> dict:
    values = settings.backend_values()
    values["weights_folder_used"] = str(values["weights_folder"]
                                        or backend_diagnostics.default_weights_folder())
    return values


def dependencies_section() -> dict:
    """The load-time check (plugin/deps.py): each package's version, or what is wrong (an
    optional one absent is said to be so, not reported found)."""
    report = deps.check_dependencies()
    problems = {p.requirement.module: p for p in (*report.problems, *report.optional)}
    out = {"all_found": report.ok}
    for req in deps.REQUIREMENTS:
        problem = problems.get(req.module)
        if problem is None:
            out[req.distribution] = report.versions.get(req.module) or "found"
        elif problem.kind == "missing":
            out[req.distribution] = "not installed (optional)" if req.optional else "MISSING"
        else:
            out[req.distribution] = f"TOO OLD: {problem.found}, {req.minimum} or newer needed"
    return out


def log_section(panel: LogPanel | None) -> list[str]:
    entries = panel.entries() if panel is not None else []
    return [e.text() for e in entries] or ["(no warning or error since the plugin loaded)"]


def qgis_sections(settings: Settings, panel: LogPanel | None) -> dict:
    """Every QGIS-side section (main thread), each probe guarded like the backend's."""
    safe = backend_diagnostics.safe
    return {"qgis": safe(qgis_section), "plugin": safe(plugin_section),
            "settings": safe(lambda: settings_section(settings)),
            "dependencies": safe(dependencies_section),
            "log": safe(lambda: log_section(panel))}


def full_report(qgis_part: dict, backend_part: dict) -> str:
    """One Markdown text: QGIS's sections first, then the backend's."""
    backend_part = dict(backend_part)
    info = {"generated": backend_part.pop("generated", None),
            **backend_diagnostics.hide_home(qgis_part), **backend_part}
    return backend_diagnostics.report_text(info, TITLES)


# ----------------------------------------------------------------------------- the action

class Diagnostics:
    """Gathers the report in a task, copies it to the clipboard and says so in the message
    bar with a Show button. One per plugin; :meth:`unload` closes what it opened."""

    def __init__(self, iface, settings: Settings, panel: LogPanel | None):
        self.iface, self.settings, self.panel = iface, settings, panel
        self.task: BackendTask | None = None
        self.text = ""
        self.item = None
        self.dialog: ReportDialog | None = None

    def run(self) -> BackendTask | None:
        """Start gathering (a click while a report is being made is ignored)."""
        if self.task is not None and self.task.status in ("queued", "running"):
            return self.task
        qgis_part = qgis_sections(self.settings, self.panel)
        values = self.settings.backend_values()
        self.task = BackendTask(
            tr("BotaCLIP diagnostics"), backend_diagnostics.collect,
            {"weights_folder": values["weights_folder"],
             "cache_folder": values["cache_folder"]},
            on_success=lambda info: self.copied(full_report(qgis_part, info)),
            on_error=self.failed, on_cancel=lambda: None,
            message_bar=self.iface.messageBar())
        return start(self.task)

    def copied(self, text: str) -> None:
        self.text = text
        QApplication.clipboard().setText(text)
        self._pop_item()
        bar = self.iface.messageBar()
        widget = bar.createMessage(tr("BotaCLIP"), tr(
            "Diagnostics copied to the clipboard: paste them into your issue."))
        button = QPushButton(tr("Show"), widget)
        button.setObjectName("botaclip_diagnostics_show")
        button.clicked.connect(lambda _=False: self.show_report())
        widget.layout().addWidget(button)
        self.item = bar.pushWidget(widget, Qgis.MessageLevel.Success, 0)

    def failed(self, message: str) -> None:
        self.iface.messageBar().pushMessage(
            tr("BotaCLIP"), tr("The diagnostics could not be gathered: {error}").format(
                error=message), Qgis.MessageLevel.Critical, 0)

    def show_report(self) -> ReportDialog:
        if self.dialog is None or sip.isdeleted(self.dialog):
            self.dialog = ReportDialog(self.text, self.iface.mainWindow())
        else:
            self.dialog.set_text(self.text)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _pop_item(self) -> None:
        item, self.item = self.item, None
        if item is not None and not sip.isdeleted(item):
            self.iface.messageBar().popWidget(item)

    def unload(self) -> None:
        self._pop_item()
        if self.dialog is not None and not sip.isdeleted(self.dialog):
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = None


class ReportDialog(QDialog):
    """The report, read-only, with a Copy button (it is already on the clipboard)."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("botaclip_diagnostics_dialog")
        self.setWindowTitle(tr("BotaCLIP diagnostics"))
        layout = QVBoxLayout(self)
        tracker = metadata("tracker")
        label = QLabel(tr("This report is on the clipboard. Paste it into your issue "
                          "(at {tracker}): it holds no file contents, only versions, "
                          "folders and the last BotaCLIP messages.").format(tracker=tracker),
                       self)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
        self.view = QPlainTextEdit(self)
        self.view.setObjectName("botaclip_diagnostics_text")
        self.view.setReadOnly(True)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton(tr("Copy"), self)
        copy.setObjectName("botaclip_diagnostics_copy")
        copy.clicked.connect(lambda _=False: QApplication.clipboard().setText(self.text))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_text(text)
        self.resize(760, 600)

    def set_text(self, text: str) -> None:
        self.text = text
        self.view.setPlainText(text)
