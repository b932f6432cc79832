"""Check an orthophoto against a relevé layer: which plots can be used, and why not."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QCheckBox, QDoubleSpinBox, QPlainTextEdit, QPushButton

from ...backend.check import check_data
from ..i18n import tr
from ..labels import cover_scale_label
from ..layers import add_vector_layer
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import add_plot_rows

PLOTS_FILE = "plot_status.gpkg"
JSON_FILE = "check.json"
SHEET_FILE = "contact_sheet.png"


class CheckDialog(TaskDialog):
    help_section = "check"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: check orthophoto and relevés"))
        self.report = None

        add_plot_rows(self, iface)

        self.min_valid = QDoubleSpinBox()
        self.min_valid.setRange(0.0, 100.0)
        self.min_valid.setDecimals(0)
        self.min_valid.setValue(80.0)
        self.min_valid.setSuffix(" %")
        self.min_valid.setToolTip(tr("A plot is usable only if at least this share of its patch "
                                     "holds image pixels, not no-data (default 80 %): lower it "
                                     "for plots near the edge of the orthophoto."))
        self.form.addRow(tr("Minimum valid pixels"), self.min_valid)

        self.contact = QCheckBox(tr("Make a contact sheet of sample patches (PNG)"))
        self.contact.setChecked(True)
        self.contact.setToolTip(tr("Write contact_sheet.png: the image patches of sample "
                                   "plots side by side, to see what the model will see "
                                   "(on by default)."))
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

        self.inputs.propose_folder(self.folder, "botaclip_check")
        self.inputs.changed.connect(self.refresh)
        self.refresh()
        self.finish_layout()

    # ------------------------------------------------------------------ inputs
    def _set_all_species(self, on: bool) -> None:
        self.species.set_all(on)

    def species_columns(self) -> list[str]:
        return self.inputs.species_columns()

    def validation_error(self) -> str:
        error = self.inputs.validation_error()
        if error:
            return error
        if not self.folder.filePath().strip():
            return tr("Choose an output folder.")
        return ""

    # ------------------------------------------------------------------ running
    def outputs(self) -> dict:
        out = Path(self.folder.filePath().strip())
        return {"plots_out": out / PLOTS_FILE, "json_out": out / JSON_FILE,
                "contact_sheet": out / SHEET_FILE if self.contact.isChecked() else None}

    def output_paths(self) -> list:
        return list(self.outputs().values())

    def make_task(self) -> BackendTask:
        outputs = self.outputs()
        self.summary.hide()
        self.open_sheet.hide()
        return BackendTask(
            tr("Check orthophoto and relevés"), check_data,
            dict(**self.inputs.kwargs(), **self.bands.kwargs(),
                 min_valid=self.min_valid.value() / 100.0, **outputs))

    def on_success(self, report) -> None:
        self.report = report
        plots = report.outputs.get("plots")
        if plots:
            add_vector_layer(plots, tr("Plot status"), style="plot_status", output="plot_status")
        self.summary.setPlainText(report.summary())
        self.summary.show()
        sheet = report.outputs.get("contact_sheet")
        self.open_sheet.setVisible(bool(sheet) and os.path.exists(str(sheet)))
        level = Qgis.MessageLevel.Success if report.plots_usable else Qgis.MessageLevel.Warning
        scale = report.releve_info.get("cover_scale") or "auto"
        self.show_message(tr("{usable} of {total} plots can be used for training; {taxa} "
                             "taxa; cover scale: {scale}.").format(
            usable=report.plots_usable, total=report.plots_total, taxa=report.n_species,
            scale=cover_scale_label(scale).split(" (")[0]), level, 0,
            details=report.summary())

    def open_contact_sheet(self) -> str:
        """Open the contact sheet (in QGIS when the system has no image viewer for it)."""
        from ..viewer import open_file

        sheet = self.report.outputs.get("contact_sheet") if self.report else None
        return open_file(str(sheet), self) if sheet else ""
