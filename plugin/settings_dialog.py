"""The settings dialog. Like every BotaCLIP dialog it is built in code rather than from a
.ui file: one place for layout and behaviour, and every label goes through ``tr()``."""

from __future__ import annotations

import os

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from .help import open_help
from .i18n import tr
from .settings import DEVICES, MAX_THREADS, Settings, default_cache_folder


def folder_widget(placeholder: str = "") -> QgsFileWidget:
    w = QgsFileWidget()
    w.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
    if placeholder:
        w.lineEdit().setPlaceholderText(placeholder)
    return w


class SettingsDialog(QDialog):
    """Edit :class:`Settings`; OK is disabled while a value is invalid (the reason is shown
    under the form)."""

    def __init__(self, settings: Settings | None = None, parent=None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.setWindowTitle(tr("BotaCLIP settings"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        from ..backend.models.weight_files import default_weights_dir

        self.weights = folder_widget(str(default_weights_dir()))
        self.weights.setToolTip(tr("Folder holding the backbone weights (.pth or .safetensors "
                                   "files). Empty: the default folder shown. BotaCLIP "
                                   "downloads weights only when you ask (Manage weights…)."))
        form.addRow(tr("Model weights folder"), self.weights)
        form.addRow(tr("Weights"), self._weights_row())

        self.device = QComboBox()
        labels = {"auto": tr("Automatic (GPU when available)"), "cpu": tr("CPU"),
                  "cuda": tr("NVIDIA GPU (CUDA)")}
        for key in DEVICES:
            self.device.addItem(labels[key], key)
        self.device.setToolTip(tr("Where the models run."))
        form.addRow(tr("Device"), self.device)

        self.cache = folder_widget(default_cache_folder())
        self.cache.setToolTip(tr("Features computed once per orthophoto are kept here so "
                                 "that training again is fast. Empty: the default folder."))
        form.addRow(tr("Cache folder"), self.cache)

        self.threads = QSpinBox()
        self.threads.setRange(0, MAX_THREADS)
        self.threads.setSpecialValueText(tr("Automatic"))
        self.threads.setToolTip(tr("CPU threads for the models; Automatic uses all cores."))
        form.addRow(tr("CPU threads"), self.threads)

        self.extra = folder_widget(tr("not set"))
        self.extra.setToolTip(tr(
            "A folder where you installed Python packages with 'pip install --target'. It is "
            "searched first; restart QGIS after changing it if packages were already loaded."))
        form.addRow(tr("Extra Python packages folder"), self.extra)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("botaclip_validation")
        self.error_label.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
            | QDialogButtonBox.StandardButton.Help)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.helpRequested.connect(lambda: open_help("settings"))
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.restore_defaults)
        layout.addWidget(self.buttons)

        self.load()
        for w in (self.weights, self.cache, self.extra):
            w.fileChanged.connect(self.validate)
        self.validate()

    def _weights_row(self) -> QHBoxLayout:
        """How many published checkpoints the folder holds, and the weights manager."""
        self.weights_summary = QLabel()
        self.weights_summary.setToolTip(tr("The published DOFA checkpoints found in the "
                                           "weights folder above (by name; Manage weights… "
                                           "checks their sha256)."))
        self.manage_weights = QPushButton(tr("Manage weights…"))
        self.manage_weights.setToolTip(tr(
            "See which DOFA checkpoints the weights folder holds, with their size, sha256 and "
            "origin; download a published one, or import a file you already have."))
        self.manage_weights.clicked.connect(self.show_weights)
        self.weights_dialog = None
        row = QHBoxLayout()
        row.addWidget(self.manage_weights)
        row.addWidget(self.weights_summary, 1)
        return row

    def weights_folder_path(self) -> str:
        """The weights folder as typed, else the default one."""
        from ..backend.models.weight_files import default_weights_dir

        return self.weights.filePath().strip() or str(default_weights_dir())

    def update_weights_summary(self) -> None:
        from .weights.inventory import list_weights

        rows = [r for r in list_weights(self.weights_folder_path()) if r.expected_sha256]
        self.weights_summary.setText(tr("{n} of {total} present").format(
            n=sum(r.present for r in rows), total=len(rows)))

    def show_weights(self) -> QDialog:
        """The weights manager for the folder typed above (saved or not)."""
        from .dialogs.weights_dialog import open_weights_dialog

        self.weights_dialog = open_weights_dialog(self.weights_folder_path(), self,
                                                  self.update_weights_summary)
        return self.weights_dialog

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def load(self) -> None:
        s = self.settings
        self.weights.setFilePath(s.weights_folder)
        self.device.setCurrentIndex(max(0, self.device.findData(s.device)))
        cache = s.cache_folder
        self.cache.setFilePath("" if cache == default_cache_folder() else cache)
        self.threads.setValue(s.threads)
        self.extra.setFilePath(s.extra_python_path)

    def restore_defaults(self) -> None:
        for w in (self.weights, self.cache, self.extra):
            w.setFilePath("")
        self.device.setCurrentIndex(0)
        self.threads.setValue(0)
        self.validate()

    def validation_error(self) -> str:
        weights = self.weights.filePath().strip()
        if weights and not os.path.isdir(weights):
            return tr("The model weights folder {path} does not exist.").format(path=weights)
        cache = self.cache.filePath().strip()
        if cache and not os.path.isdir(cache) and not os.path.isdir(os.path.dirname(cache)):
            return tr("The cache folder {path} does not exist and cannot be created: its "
                      "parent folder is missing.").format(path=cache)
        extra = self.extra.filePath().strip()
        if extra and not os.path.isdir(extra):
            return tr("The extra Python packages folder {path} does not exist.").format(
                path=extra)
        return ""

    def validate(self) -> bool:
        error = self.validation_error()
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        self.ok_button.setEnabled(not error)
        weights = self.weights.filePath().strip()
        usable = not weights or os.path.isdir(weights)
        self.manage_weights.setEnabled(usable)
        if usable:
            self.update_weights_summary()
        else:
            self.weights_summary.setText("")
        return not error

    def save(self) -> None:
        s = self.settings
        s.weights_folder = self.weights.filePath()
        s.device = self.device.currentData()
        s.cache_folder = self.cache.filePath()
        s.threads = self.threads.value()
        s.extra_python_path = self.extra.filePath()

    def accept(self) -> None:
        if not self.validate():
            return
        self.save()
        super().accept()
