"""Widgets shared by the dialogs."""

from __future__ import annotations

import os

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QObject, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..i18n import tr
from ..labels import (
    BACKBONE_LABELS,
    DEVICE_LABELS,
    DEVICES,
    backbone_name,
    choice_label,
    cover_scale_label,
    cover_scales,
    needs_weights,
    sensor_choices,
)
from ..settings import Settings


def cover_scale_combo() -> QComboBox:
    combo = QComboBox()
    for scale in cover_scales():
        combo.addItem(cover_scale_label(scale), scale)
    combo.setToolTip(tr("How the covers are written. Automatic recognises Braun-Blanquet "
                        "codes, presence marks, fractions, percentages and counts; choose "
                        "the scale when numbers alone are ambiguous (1-5 could be codes or "
                        "percent)."))
    return combo


def sensor_combo() -> QComboBox:
    combo = QComboBox()
    for name, label in sensor_choices():
        combo.addItem(label, name)
    combo.setToolTip(tr("Which camera or satellite took the orthophoto: this gives the "
                        "wavelength of each band."))
    return combo


def device_combo(current: str = "auto") -> QComboBox:
    combo = QComboBox()
    for name in DEVICES:
        combo.addItem(choice_label(DEVICE_LABELS, name), name)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.setToolTip(tr("Where the model runs. Automatic uses a CUDA GPU when PyTorch sees "
                        "one; the default comes from BotaCLIP > Settings…."))
    return combo


def enum_combo(labels: dict, current: str | None = None) -> QComboBox:
    """A combo of ``labels`` (key -> translatable label), the key as item data."""
    combo = QComboBox()
    for key in labels:
        combo.addItem(choice_label(labels, key), key)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class TaxonColumns(QWidget):
    """The numeric columns of a relevé layer as a checkable list with All / None buttons.
    Identifiers, coordinates and elevation start unticked; what the user ticks is kept
    while the dialog lives (per column name)."""

    changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._checked: dict[str, bool] = {}
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setMinimumHeight(100)
        all_btn, none_btn = QPushButton(tr("All")), QPushButton(tr("None"))
        all_btn.clicked.connect(lambda: self.set_all(True))
        none_btn.clicked.connect(lambda: self.set_all(False))
        vbox = QVBoxLayout(self)
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.addWidget(self.list)
        row = QHBoxLayout()
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        row.addStretch(1)
        vbox.addLayout(row)
        self.setToolTip(tr("The columns holding taxa (covers, presence or counts). "
                           "Identifiers, coordinates and elevation are unticked."))
        self.list.itemChanged.connect(self._toggled)

    def fill(self, layer, plot_id: str = "") -> None:
        from ...backend.io.releves import NOT_TAXA_FIELDS

        self.list.blockSignals(True)
        self.list.clear()
        if layer is not None:
            for f in layer.fields():
                name = f.name()
                if not f.isNumeric() or name == plot_id:
                    continue
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = self._checked.get(name, name.lower() not in NOT_TAXA_FIELDS)
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        self.list.blockSignals(False)
        self.changed.emit()

    def _toggled(self, item) -> None:
        self._checked[item.text()] = item.checkState() == Qt.CheckState.Checked
        self.changed.emit()

    def set_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(state)
            self._checked[item.text()] = on
        self.list.blockSignals(False)
        self.changed.emit()

    def count(self) -> int:
        return self.list.count()

    def columns(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]


class BackboneInputs(QObject):
    """Backbone, timm model name, weights file and the random-weights switch, as rows of a
    form. Empty weights: the DOFA file is looked up in the weights folder of the settings."""

    changed = pyqtSignal()

    def __init__(self, form, settings: Settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.backbone = enum_combo(BACKBONE_LABELS, "dofa-base")
        self.backbone.setToolTip(tr("The frozen image model. DOFA reads any bands through "
                                    "their wavelengths; timm models read red, green and "
                                    "blue; the spectral baseline needs no weights."))
        form.addRow(tr("Backbone"), self.backbone)
        self.timm_name = QLineEdit()
        self.timm_name.setPlaceholderText(tr("timm model name, e.g. resnet50"))
        self.timm_label = QLabel(tr("timm model"))
        form.addRow(self.timm_label, self.timm_name)
        self.weights = QgsFileWidget()
        self.weights.setFilter(tr("Weights files (*.safetensors *.pth *.pt *.ckpt *.bin);;"
                                  "All files (*.*)"))
        self.weights.setToolTip(tr("The backbone's weights file. Empty: the DOFA file is "
                                   "looked up in the weights folder of BotaCLIP > "
                                   "Settings…."))
        self.random = QCheckBox(tr("Random weights (testing only)"))
        self.random.setToolTip(tr("Seeded random backbone weights, to test a set-up without "
                                  "the weights file: the results mean nothing. Recorded in "
                                  "every output."))
        box = QWidget()
        vbox = QVBoxLayout(box)
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.addWidget(self.weights)
        vbox.addWidget(self.random)
        self.weights_label = QLabel(tr("Weights"))
        form.addRow(self.weights_label, box)
        self.weights_box = box
        self.backbone.currentIndexChanged.connect(self._update)
        self.timm_name.textChanged.connect(self.changed)
        self.weights.fileChanged.connect(self.changed)
        self.random.toggled.connect(self._update)
        self._update()

    def key(self) -> str:
        return self.backbone.currentData()

    def _update(self, *_args) -> None:
        key = self.key()
        self.timm_name.setVisible(key == "timm")
        self.timm_label.setVisible(key == "timm")
        self.weights_box.setEnabled(needs_weights(key))
        self.weights.setEnabled(not self.random.isChecked())
        folder = self.settings.weights_folder
        self.weights.lineEdit().setPlaceholderText(
            tr("empty: look in {folder}").format(folder=folder) if folder else
            tr("empty: look in the weights folder of the settings"))
        self.changed.emit()

    def validation_error(self) -> str:
        key = self.key()
        if key == "timm" and not self.timm_name.text().strip():
            return tr("Give the timm model's name (e.g. resnet50).")
        if not needs_weights(key) or self.random.isChecked():
            return ""
        path = self.weights.filePath().strip()
        if path and not os.path.isfile(path):
            return tr("The weights file {path} does not exist.").format(path=path)
        if key == "timm" and not path:
            return tr("A timm backbone needs its weights file.")
        return ""

    def kwargs(self) -> dict:
        """``backbone``, ``weights`` and ``weights_dir`` for the backend."""
        key = self.key()
        if needs_weights(key) and self.random.isChecked():
            weights = "none"
        else:
            weights = (self.weights.filePath().strip() or None) if needs_weights(key) else None
        return {"backbone": backbone_name(key, self.timm_name.text()), "weights": weights,
                "weights_dir": self.settings.weights_folder or None}

    def set_backbone_enabled(self, enabled: bool) -> None:
        """Enable or disable the choice of backbone (the embed dialog disables it for a model
        folder, which names its own backbone; a weights file may still replace the one the
        model recorded)."""
        for w in (self.backbone, self.timm_name, self.timm_label, self.random):
            w.setEnabled(enabled)
        self.weights_box.setEnabled(not enabled or needs_weights(self.key()))
        self.weights.setEnabled(not (enabled and self.random.isChecked()))
