"""Check an orthophoto against a relevé layer: which plots can be used, and why not."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis
from qgis.gui import QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...backend.check import check_data
from ...backend.io.releves import NOT_TAXA_FIELDS, ReleveOptions
from ..compat import LAYER_FILTER_POINT, LAYER_FILTER_POLYGON, LAYER_FILTER_RASTER
from ..i18n import tr
from ..layers import add_vector_layer, raster_source, remove_layers_from, vector_source
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import cover_scale_combo, sensor_combo

PLOTS_FILE = "plot_status.gpkg"
JSON_FILE = "check.json"
SHEET_FILE = "contact_sheet.png"


def preselect(combo: QgsMapLayerComboBox, iface, keywords) -> None:
    """Choose the active layer if the combo accepts it, else the first layer whose name
    contains one of ``keywords`` (the combo's own default is just the first by name)."""
    layers = [combo.layer(i) for i in range(combo.count())]
    layers = [lyr for lyr in layers if lyr is not None]
    active = iface.activeLayer() if iface is not None else None
    if active is not None and active in layers:
        combo.setLayer(active)
        return
    for layer in layers:
        if any(k in layer.name().lower() for k in keywords):
            combo.setLayer(layer)
            return


class CheckDialog(TaskDialog):
    help_section = "check"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: check orthophoto and relevés"))
        self._checked: dict[str, bool] = {}   # species column -> checked, per session
        self._folder_auto = True
        self.report = None

        self.ortho = QgsMapLayerComboBox()
        self.ortho.setFilters(LAYER_FILTER_RASTER)
        self.ortho.setToolTip(tr("The aerial image (any raster QGIS reads from a file)."))
        self.form.addRow(tr("Orthophoto"), self.ortho)

        self.releves = QgsMapLayerComboBox()
        self.releves.setFilters(LAYER_FILTER_POINT | LAYER_FILTER_POLYGON)
        self.releves.setToolTip(tr("Vegetation plots: one point (or polygon) per relevé, one "
                                   "numeric column per taxon."))
        self.form.addRow(tr("Relevés"), self.releves)

        self.plot_id = QgsFieldComboBox()
        self.plot_id.setAllowEmptyFieldName(True)
        self.plot_id.setToolTip(tr("The column that names each plot. Empty: 'plot_id' if "
                                   "there is one, else the feature id."))
        self.form.addRow(tr("Plot id column"), self.plot_id)

        self.species = QListWidget()
        self.species.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.species.setMinimumHeight(120)
        all_btn, none_btn = QPushButton(tr("All")), QPushButton(tr("None"))
        all_btn.clicked.connect(lambda: self._set_all_species(True))
        none_btn.clicked.connect(lambda: self._set_all_species(False))
        species_box = QWidget()
        vbox = QVBoxLayout(species_box)
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.addWidget(self.species)
        row = QHBoxLayout()
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        row.addStretch(1)
        vbox.addLayout(row)
        species_box.setToolTip(tr("The columns holding taxa (covers, presence or counts). "
                                  "Identifiers, coordinates and elevation are unticked."))
        self.form.addRow(tr("Taxon columns"), species_box)

        self.cover_scale = cover_scale_combo()
        self.form.addRow(tr("Cover scale"), self.cover_scale)

        self.sensor = sensor_combo()
        self.form.addRow(tr("Sensor"), self.sensor)

        self.wavelengths = QLineEdit()
        self.wavelengths.setPlaceholderText(tr("optional, e.g. 0.665, 0.56, 0.49, 0.842"))
        self.wavelengths.setToolTip(tr("Centre wavelength of each band in micrometres, in band "
                                       "order; overrides the sensor."))
        self.form.addRow(tr("Band wavelengths (µm)"), self.wavelengths)

        self.patch = QDoubleSpinBox()
        self.patch.setRange(1.0, 10000.0)
        self.patch.setDecimals(1)
        self.patch.setValue(100.0)
        self.patch.setSuffix(tr(" m"))
        self.patch.setToolTip(tr("Side of the square image patch centred on each plot."))
        self.form.addRow(tr("Patch size"), self.patch)

        self.min_valid = QDoubleSpinBox()
        self.min_valid.setRange(0.0, 100.0)
        self.min_valid.setDecimals(0)
        self.min_valid.setValue(80.0)
        self.min_valid.setSuffix(" %")
        self.min_valid.setToolTip(tr("A plot is usable only if at least this share of its patch "
                                     "holds image pixels (not no-data)."))
        self.form.addRow(tr("Minimum valid pixels"), self.min_valid)

        self.contact = QCheckBox(tr("Make a contact sheet of sample patches (PNG)"))
        self.contact.setChecked(True)
        self.form.addRow("", self.contact)

        self.folder = folder_widget()
        self.folder.setToolTip(tr("Where the plot status layer, the JSON report and the "
                                  "contact sheet are written."))
        self.form.addRow(tr("Output folder"), self.folder)

        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(120)
        self.summary.hide()
        self.layout_.addWidget(self.summary)
        self.open_sheet = QPushButton(tr("Open contact sheet"))
        self.open_sheet.hide()
        self.open_sheet.clicked.connect(self.open_contact_sheet)
        self.layout_.addWidget(self.open_sheet)

        preselect(self.releves, iface, ("relev", "plot", "vegetation", "placette"))
        self.ortho.layerChanged.connect(self.refresh)
        self.releves.layerChanged.connect(self._releves_changed)
        self.plot_id.fieldChanged.connect(self._fill_species)
        self.species.itemChanged.connect(self._species_toggled)
        self.folder.fileChanged.connect(self._folder_edited)
        self._releves_changed(self.releves.currentLayer())
        self.finish_layout()

    # ------------------------------------------------------------------ inputs
    def _releves_changed(self, layer) -> None:
        self.plot_id.setLayer(layer)
        if layer is not None and layer.fields().indexOf("plot_id") >= 0:
            self.plot_id.setField("plot_id")
        self._fill_species()
        if self._folder_auto and layer is not None:
            src = layer.source().split("|")[0]
            if os.path.exists(src):
                self.folder.blockSignals(True)
                self.folder.setFilePath(str(Path(src).parent / "botaclip_check"))
                self.folder.blockSignals(False)
        self.refresh()

    def _fill_species(self, *_args) -> None:
        layer = self.releves.currentLayer()
        plot_id = self.plot_id.currentField()
        self.species.blockSignals(True)
        self.species.clear()
        if layer is not None:
            for f in layer.fields():
                name = f.name()
                if not f.isNumeric() or name == plot_id:
                    continue
                default = name.lower() not in NOT_TAXA_FIELDS
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = self._checked.get(name, default)
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.species.addItem(item)
        self.species.blockSignals(False)
        self.refresh()

    def _species_toggled(self, item) -> None:
        self._checked[item.text()] = item.checkState() == Qt.CheckState.Checked
        self.refresh()

    def _set_all_species(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        self.species.blockSignals(True)
        for i in range(self.species.count()):
            item = self.species.item(i)
            item.setCheckState(state)
            self._checked[item.text()] = on
        self.species.blockSignals(False)
        self.refresh()

    def _folder_edited(self, *_args) -> None:
        self._folder_auto = False
        self.refresh()

    def species_columns(self) -> list[str]:
        return [self.species.item(i).text() for i in range(self.species.count())
                if self.species.item(i).checkState() == Qt.CheckState.Checked]

    def validation_error(self) -> str:
        ortho = self.ortho.currentLayer()
        if ortho is None:
            return tr("Add an orthophoto (a raster layer) to the project and choose it.")
        if ortho.providerType() != "gdal":
            return tr("The orthophoto must be a raster file; save '{name}' as a GeoTIFF "
                      "first.").format(name=ortho.name())
        if self.releves.currentLayer() is None:
            return tr("Add a relevé layer (points) to the project and choose it.")
        if self.species.count() == 0:
            return tr("The relevé layer has no numeric column to read as taxa. For a long "
                      "table (plot, taxon, cover) use 'Import relevés from a long table…' "
                      "first.")
        if not self.species_columns():
            return tr("Tick at least one taxon column.")
        if not self.folder.filePath().strip():
            return tr("Choose an output folder.")
        return ""

    # ------------------------------------------------------------------ running
    def outputs(self) -> dict:
        out = Path(self.folder.filePath().strip())
        return {"plots_out": out / PLOTS_FILE, "json_out": out / JSON_FILE,
                "contact_sheet": out / SHEET_FILE if self.contact.isChecked() else None}

    def make_task(self) -> BackendTask:
        ortho = raster_source(self.ortho.currentLayer())
        releves = vector_source(self.releves.currentLayer())
        options = ReleveOptions(plot_id=self.plot_id.currentField() or None,
                                species_columns=self.species_columns(),
                                cover_scale=self.cover_scale.currentData())
        outputs = self.outputs()
        remove_layers_from(outputs.values())
        self.summary.hide()
        self.open_sheet.hide()
        return BackendTask(
            tr("Check orthophoto and relevés"), check_data,
            dict(ortho=ortho, releves=releves, options=options,
                 sensor=self.sensor.currentData(),
                 wavelengths=self.wavelengths.text().strip() or None,
                 patch_m=self.patch.value(), min_valid=self.min_valid.value() / 100.0,
                 **outputs))

    def on_success(self, report) -> None:
        self.report = report
        plots = report.outputs.get("plots")
        if plots:
            add_vector_layer(plots, tr("Plot status"), style="plot_status")
        self.summary.setPlainText(report.summary())
        self.summary.show()
        sheet = report.outputs.get("contact_sheet")
        self.open_sheet.setVisible(bool(sheet) and os.path.exists(str(sheet)))
        level = Qgis.MessageLevel.Success if report.plots_usable else Qgis.MessageLevel.Warning
        self.show_message(tr("{usable} of {total} plots usable, {taxa} taxa.").format(
            usable=report.plots_usable, total=report.plots_total, taxa=report.n_species),
            level, 10)

    def open_contact_sheet(self) -> bool:
        sheet = self.report.outputs.get("contact_sheet") if self.report else None
        return bool(sheet) and QDesktopServices.openUrl(QUrl.fromLocalFile(str(sheet)))
