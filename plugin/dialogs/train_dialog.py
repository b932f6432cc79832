"""Train a BotaCLIP model on an orthophoto and a relevé layer, in QGIS's task manager."""

from __future__ import annotations

import math
import os

from qgis.core import Qgis
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QPushButton, QSpinBox

from ..i18n import tr
from ..settings import Settings
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import (
    BackboneInputs,
    BandInputs,
    ReleveInputs,
    device_combo,
)

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
        self.summary = None
        # a DOFA config for tiny models (tests); None: the standard size of the backbone
        self.backbone_config: dict | None = None

        self.inputs = ReleveInputs(self.form, iface, self)
        self.ortho, self.releves = self.inputs.ortho, self.inputs.releves
        self.plot_id, self.species = self.inputs.plot_id, self.inputs.species
        self.cover_scale = self.inputs.cover_scale

        self.bands = BandInputs(self.form, tr("Band preset"), tr(
            "Side of the square image patch centred on each plot."), self)
        self.sensor, self.wavelengths = self.bands.sensor, self.bands.wavelengths
        self.patch = self.bands.patch

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

        self.inputs.propose_folder(self.folder, MODEL_FOLDER)
        self.inputs.changed.connect(self.refresh)
        self.backbone.changed.connect(self.refresh)
        self.refresh()
        self.finish_layout()

    # ------------------------------------------------------------------ inputs
    def species_columns(self) -> list[str]:
        return self.inputs.species_columns()

    def validation_error(self) -> str:
        error = self.inputs.validation_error() or self.backbone.validation_error()
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
        kwargs = dict(
            **self.inputs.kwargs(), out=self.folder.filePath().strip(), **self.bands.kwargs(),
            **self.backbone.kwargs(),
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
