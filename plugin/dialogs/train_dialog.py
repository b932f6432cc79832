"""Train a BotaCLIP model on an orthophoto and a relevé layer, in QGIS's task manager."""

from __future__ import annotations

import math
import os
from pathlib import Path

from qgis.core import Qgis
from qgis.gui import QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QDoubleSpinBox, QLineEdit, QPushButton, QSpinBox

from ..compat import LAYER_FILTER_POINT, LAYER_FILTER_POLYGON, LAYER_FILTER_RASTER
from ..i18n import tr
from ..layers import raster_source, vector_source
from ..settings import Settings
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .check_dialog import preselect
from .common import BackboneInputs, TaxonColumns, cover_scale_combo, device_combo, sensor_combo

MODEL_FOLDER = "botaclip_model"


def _pct(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(value) else f"{100.0 * value:.1f} %"


def recall_text(summary) -> str:
    """Validation recall@10 of the trained model against the untrained one and chance."""
    from ..processing.train import metric

    return tr("Validation recall@10, image to relevé: {trained} trained, {untrained} "
              "untrained, {chance} by chance; relevé to image: {t2} trained, {u2} "
              "untrained.").format(
        trained=_pct(metric(summary, "best", "img2rel@10")),
        untrained=_pct(metric(summary, "untrained", "img2rel@10")),
        chance=_pct(metric(summary, "chance", "img2rel@10")),
        t2=_pct(metric(summary, "best", "rel2img@10")),
        u2=_pct(metric(summary, "untrained", "rel2img@10")))


class TrainDialog(TaskDialog):
    help_section = "train"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: train a model"))
        self.settings = Settings()
        self._folder_auto = True
        self.summary = None
        # a DOFA config for tiny models (tests); None: the standard size of the backbone
        self.backbone_config: dict | None = None

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

        self.species = TaxonColumns()
        self.form.addRow(tr("Taxon columns"), self.species)

        self.cover_scale = cover_scale_combo()
        self.form.addRow(tr("Cover scale"), self.cover_scale)

        self.sensor = sensor_combo()
        self.form.addRow(tr("Band preset"), self.sensor)

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

        self.backbone = BackboneInputs(self.form, self.settings, self)

        self.epochs = QSpinBox()
        self.epochs.setRange(1, 10000)
        self.epochs.setValue(50)
        self.epochs.setToolTip(tr("Passes over the training plots, at most: training stops "
                                  "early when the validation recall no longer improves."))
        self.form.addRow(tr("Epochs"), self.epochs)

        self.device = device_combo(self.settings.device)
        self.form.addRow(tr("Device"), self.device)

        self.folder = folder_widget()
        self.folder.setToolTip(tr("The model folder to write (config.json, the trained "
                                  "weights and the training report)."))
        self.form.addRow(tr("Model folder"), self.folder)

        self.open_report_button = QPushButton(tr("Open training report"))
        self.open_report_button.hide()
        self.open_report_button.clicked.connect(self.open_report)
        self.layout_.addWidget(self.open_report_button)

        preselect(self.releves, iface, ("relev", "plot", "vegetation", "placette"))
        self.ortho.layerChanged.connect(self.refresh)
        self.releves.layerChanged.connect(self._releves_changed)
        self.plot_id.fieldChanged.connect(self._fill_species)
        self.species.changed.connect(self.refresh)
        self.backbone.changed.connect(self.refresh)
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
                self.folder.setFilePath(str(Path(src).parent / MODEL_FOLDER))
                self.folder.blockSignals(False)
        self.refresh()

    def _fill_species(self, *_args) -> None:
        self.species.fill(self.releves.currentLayer(), self.plot_id.currentField())

    def _folder_edited(self, *_args) -> None:
        self._folder_auto = False
        self.refresh()

    def species_columns(self) -> list[str]:
        return self.species.columns()

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
        error = self.backbone.validation_error()
        if error:
            return error
        folder = self.folder.filePath().strip()
        if not folder:
            return tr("Choose the model folder to write.")
        if os.path.isfile(folder):
            return tr("{path} is a file; choose a folder for the model.").format(path=folder)
        return ""

    # ------------------------------------------------------------------ running
    def task_kwargs(self) -> dict:
        """The backend call's arguments (everything but ``progress``)."""
        from ...backend.io.releves import ReleveOptions

        options = ReleveOptions(plot_id=self.plot_id.currentField() or None,
                                species_columns=self.species_columns(),
                                cover_scale=self.cover_scale.currentData())
        kwargs = dict(
            ortho=raster_source(self.ortho.currentLayer()),
            releves=vector_source(self.releves.currentLayer()),
            out=self.folder.filePath().strip(), options=options,
            sensor=self.sensor.currentData(),
            wavelengths=self.wavelengths.text().strip() or None,
            patch_m=self.patch.value(), **self.backbone.kwargs(),
            epochs=self.epochs.value(), device=self.device.currentData(),
            cache_dir=self.settings.cache_folder or None)
        if self.backbone_config:
            kwargs["backbone_config"] = dict(self.backbone_config)
        return kwargs

    def make_task(self) -> BackendTask:
        from ...backend.train import train_model

        kwargs = self.task_kwargs()
        self.open_report_button.hide()
        return BackendTask(tr("Train BotaCLIP model"), train_model, kwargs)

    def on_success(self, summary) -> None:
        self.summary = summary
        report = self.report_path()
        text = tr("Model written to {folder}. {recall}").format(folder=summary.out,
                                                              recall=recall_text(summary))
        if report:
            url = QUrl.fromLocalFile(report).toString()
            text += " " + tr('<a href="{url}">Training report</a>').format(url=url)
        level = Qgis.MessageLevel.Success
        if getattr(summary, "random_weights", False):
            level = Qgis.MessageLevel.Warning
            text += " " + tr("Trained on random backbone weights: for testing only.")
        self.bar.pushMessage("", text, level, 0)
        self.open_report_button.setVisible(bool(report))
        if self.iface is not None:
            self.push_result(text, level, report)

    def push_result(self, text: str, level, report: str) -> None:
        """The result in QGIS's message bar (it stays when the dialog is closed), with a
        button that opens the report in the browser."""
        bar = self.iface.messageBar()
        widget = bar.createMessage(tr("BotaCLIP"), text)
        if report:
            button = QPushButton(tr("Open report"), widget)
            button.setObjectName("botaclip_open_report")
            button.clicked.connect(
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(report)))
            widget.layout().addWidget(button)
        bar.pushWidget(widget, level, 0)

    def report_path(self) -> str:
        report = self.summary.report_html if self.summary is not None else None
        return str(report) if report and os.path.exists(str(report)) else ""

    def open_report(self) -> bool:
        report = self.report_path()
        return bool(report) and QDesktopServices.openUrl(QUrl.fromLocalFile(report))
