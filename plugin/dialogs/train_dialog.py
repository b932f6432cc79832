"""Train a BotaCLIP model on an orthophoto and a relevé layer, in QGIS's task manager."""

from __future__ import annotations

import math
import os

from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton, QSpinBox

from ..i18n import tr
from ..settings import Settings
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import BackboneInputs, add_plot_rows, device_combo

MODEL_FOLDER = "botaclip_model"
# backend.train.min_plots(): 50 training + 50 validation + 50 test plots (not imported: the
# plugin imports no backend module while QGIS loads it; tests/test_dialog_traps.py checks)
MIN_PLOTS = 150


def _pct(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(value) else f"{100.0 * value:.0f} %"


def recall_text(summary) -> str:
    """What test recall@10 means, in a sentence, with chance beside it: the test plots
    played no part in training or in choosing the epoch."""
    from ..processing.train import metric

    return tr("It finds the right relevé among its 10 nearest for {trained} of {n} held-out "
              "test plots (chance: {chance}; untrained backbone: {untrained}).").format(
        n=getattr(summary, "n_test", 0), trained=_pct(metric(summary, "test", "img2rel@10")),
        chance=_pct(metric(summary, "test_chance", "img2rel@10")),
        untrained=_pct(metric(summary, "test_untrained", "img2rel@10")))


def recall_details(summary) -> str:
    """The figures behind :func:`recall_text`, both directions, the validation score that
    chose the epoch, and where the plots went (the buffer included), for the details."""
    from ..processing.train import metric

    rows = [tr("Recall@10 on the test plots (trained / untrained / chance):")]
    directions = (("img2rel@10", tr("image → relevé")), ("rel2img@10", tr("relevé → image")))
    for key, label in directions:
        rows.append("  " + label + ": " + " / ".join(
            _pct(metric(summary, which, key))
            for which in ("test", "test_untrained", "test_chance")))
    rows.append(tr("Recall@10 on the validation plots, which chose the epoch (selection "
                   "score, trained / chance):"))
    for key, label in directions:
        rows.append("  " + label + ": " + " / ".join(
            _pct(metric(summary, which, key)) for which in ("best", "chance")))
    rows.append(tr("{used} of {total} plots used ({train} to train, {val} to validate, "
                   "{test} to test, in blocks of {block:g} m; {buffer} training plots closer "
                   "than {buffer_m:g} m to a validation or test plot left out); {taxa} taxa; "
                   "best epoch {best} of {epochs}.")
                .format(used=summary.n_plots, total=summary.n_plots_total,
                        train=summary.n_train, val=summary.n_val,
                        test=getattr(summary, "n_test", 0), block=summary.block_m,
                        buffer=getattr(summary, "n_buffer", 0),
                        buffer_m=getattr(summary, "buffer_m", 0.0), taxa=summary.n_taxa,
                        best=summary.best_epoch, epochs=summary.epochs_trained))
    return "\n".join(rows)


class TrainDialog(TaskDialog):
    help_section = "train"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: train a model"))
        self.settings = Settings()
        self.summary = None
        # a DOFA config for tiny models (tests); None: the standard size of the backbone
        self.backbone_config: dict | None = None

        add_plot_rows(self, iface)

        self.backbone = BackboneInputs(self.form, self.settings, self)

        self.epochs = QSpinBox()
        self.epochs.setRange(1, 10000)
        self.epochs.setValue(50)
        self.epochs.setToolTip(tr("Passes over the training plots, at most (default 50): "
                                  "training stops early when the validation recall no "
                                  "longer improves, so a high value costs little."))
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
        layer = self.releves.currentLayer()
        if layer is not None and 0 <= layer.featureCount() < MIN_PLOTS:
            return tr("Training needs at least {n} plots (at least 50 each to train on, to "
                      "choose the epoch and to test the model); '{layer}' has "
                      "{count}.").format(
                n=MIN_PLOTS, layer=layer.name(), count=layer.featureCount())
        folder = self.folder.filePath().strip()
        if not folder:
            return tr("Choose the model folder to write.")
        if os.path.isfile(folder):
            return tr("{path} is a file; choose a folder for the model.").format(path=folder)
        return ""

    def validation_fixes(self) -> list:
        return self.backbone.fixes()

    def accept(self) -> None:
        """Run, after asking before a model folder that holds files is replaced."""
        folder = self.folder.filePath().strip()
        self.overwrite = False
        if not self.running and folder and os.path.isdir(folder) and os.listdir(folder) \
                and not self.validation_error():
            if not self.confirm_overwrite(folder):
                return
            self.overwrite = True       # "yes": the backend's overwrite (other files kept)
        super().accept()

    def confirm_overwrite(self, folder: str) -> bool:
        answer = QMessageBox.question(
            self, self.windowTitle(),
            tr("The folder {path} already holds files. Replace the model in it?").format(
                path=folder),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

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
        if getattr(self, "overwrite", False):
            kwargs["overwrite"] = True
        return kwargs

    def make_task(self) -> BackendTask:
        from ...backend.train import train_model

        kwargs = self.task_kwargs()
        self.open_report_button.hide()
        return BackendTask(tr("Train BotaCLIP model"), train_model, kwargs)

    def output_paths(self) -> list:
        return [self.folder.filePath().strip()]

    def cancel_text(self) -> str:
        return tr("Cancelled: no model was written. The image features computed so far are "
                  "kept in the cache, so running again continues from there.")

    def on_success(self, summary) -> None:
        self.summary = summary
        report = self.report_path()
        text = tr("Model trained. {recall}").format(recall=recall_text(summary))
        level = Qgis.MessageLevel.Success
        if getattr(summary, "random_weights", False):
            level = Qgis.MessageLevel.Warning
            text += " " + tr("Trained on random backbone weights: for testing only.")
        buttons = [(tr("Open report"), self.open_report)] if report else []
        details = tr("Model written to {folder}.").format(folder=summary.out) + "\n" + \
            recall_details(summary)
        self.report_result(text, level, details, buttons)
        self.open_report_button.setVisible(bool(report))

    def report_path(self) -> str:
        report = self.summary.report_html if self.summary is not None else None
        return str(report) if report and os.path.exists(str(report)) else ""

    def open_report(self) -> str:
        """Open the HTML report (in QGIS when the system has no browser for it)."""
        from ..viewer import open_file

        report = self.report_path()
        return open_file(report, self) if report else ""
