"""Details of missing Python packages, with the commands to copy."""

from __future__ import annotations

from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtGui import QFontDatabase, QGuiApplication
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout

from ..i18n import tr


class DependencyDialog(QDialog):
    settingsRequested = pyqtSignal()  # noqa: N815 (Qt naming)

    def __init__(self, details: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("BotaCLIP: missing Python packages"))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(details)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(tr("Copy to clipboard"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(details))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        settings = QPushButton(tr("Settings…"))
        settings.clicked.connect(self.settingsRequested.emit)
        buttons.addButton(settings, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
