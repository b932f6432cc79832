"""Evaluate: the spectral baseline, the frozen backbone and a BotaCLIP model compared as
predictors on the user's own relevés and points (``backend.evaluate.evaluate_sources``), in
QGIS's task manager, into a report folder whose report.html opens from the message bar.

The relevés and the point layer are both optional, but one is needed: plant presence per
taxon comes from the relevés, the other tasks from the point layer's fields (the same rows as
Train and Predict map, so that a layer is read the same way in all three). Without a model
folder the frozen backbone is DOFA base when its weights are in the weights folder of the
settings, else the report says why it was left out: the spectral baseline alone is still a
useful bar to clear.
"""

from __future__ import annotations

import os

from qgis.core import Qgis
from qgis.PyQt.QtWidgets import QLabel, QPushButton, QSpinBox

from ..i18n import tr
from ..labels import ESTIMATOR_LABELS
from ..layers import raster_source
from ..processing.predict import n_jobs
from ..settings import Settings
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import add_plot_rows, device_combo, enum_combo, ortho_error
from .embed_dialog import model_config, model_summary
from .targets import TargetInputs

REPORT_FOLDER = "botaclip_evaluation"


class EvaluateDialog(TaskDialog):
    help_section = "evaluate"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: evaluate embeddings on your data"))
        self.settings = Settings()
        self.result = None
        add_plot_rows(self, iface)
        self.releves.setAllowEmptyLayer(True, tr("none"))
        self.releves.setToolTip(tr("Vegetation plots for plant presence per taxon (optional "
                                   "when a point layer is given)."))
        self.target = TargetInputs(self.form, iface, self, optional=True)
        self.points = self.target.points
        self.points.setToolTip(tr("Optional: your own observations (e.g. butterflies, soil "
                                  "samples) with the field to evaluate on."))
        self._add_model_rows()
        self._add_protocol_rows()
        self.folder = folder_widget()
        self.folder.setToolTip(tr("The folder to write evaluation.json (every score) and "
                                  "report.html (box plots and the tests, in sentences) in."))
        self.form.addRow(tr("Report folder"), self.folder)
        self.open_report_button = QPushButton(tr("Open report"))
        self.open_report_button.hide()
        self.open_report_button.clicked.connect(self.open_report)
        self.layout_.addWidget(self.open_report_button)
        self.inputs.propose_folder(self.folder, REPORT_FOLDER)
        self.inputs.changed.connect(self.refresh)
        self.target.changed.connect(self.refresh)
        self.model.fileChanged.connect(self._model_changed)
        self._model_changed()
        self.finish_layout()

    def _add_model_rows(self) -> None:
        self.model = folder_widget(tr("empty: the spectral baseline and DOFA base only"))
        self.model.setToolTip(tr("A model folder made by 'Train model…': adds the BotaCLIP "
                                 "model and the frozen backbone it was built on. Without "
                                 "one, DOFA base is compared when its weights are in the "
                                 "weights folder of the settings."))
        self.form.addRow(tr("Model folder"), self.model)
        self.model_info = QLabel()
        self.model_info.setObjectName("botaclip_model_info")
        self.model_info.setWordWrap(True)
        self.model_info.hide()
        self.form.addRow("", self.model_info)

    def _add_protocol_rows(self) -> None:
        self.repeats = QSpinBox()
        self.repeats.setRange(1, 100)
        self.repeats.setValue(5)
        self.repeats.setToolTip(tr("The cross-validation is repeated with new blocks: 5 "
                                   "folds × 5 repeats give 25 paired scores per source, "
                                   "enough for a Wilcoxon test to see a consistent "
                                   "difference."))
        self.form.addRow(tr("Repeats"), self.repeats)
        self.folds = QSpinBox()
        self.folds.setRange(2, 100)
        self.folds.setValue(5)
        self.folds.setToolTip(tr("Spatial folds: blocks of points held out together, the "
                                 "same for every source, so that the comparison is "
                                 "paired (default 5)."))
        self.form.addRow(tr("Folds"), self.folds)
        self.estimator = enum_combo(ESTIMATOR_LABELS, "rf")
        self.estimator.setToolTip(tr("The model fitted on each source's embeddings; the "
                                     "random forest (the default) is the paper's."))
        self.form.addRow(tr("Estimator"), self.estimator)
        self.device = device_combo(self.settings.device)
        self.form.addRow(tr("Device"), self.device)

    # ------------------------------------------------------------------ inputs
    def _model_changed(self, *_args) -> None:
        """A model names its own bands and patch side: their rows are greyed."""
        path = self.model.filePath().strip()
        config = model_config(path)
        self.model_info.setText(model_summary(config) if config else "")
        self.model_info.setVisible(config is not None)
        self.bands.set_enabled(not path)
        self.refresh()

    def validation_error(self) -> str:
        error = ortho_error(self.ortho.currentLayer())
        if error:
            return error
        if self.releves.currentLayer() is None and self.target.layer() is None:
            return tr("Choose relevés, a point layer, or both: there is nothing to evaluate "
                      "on yet.")
        if self.releves.currentLayer() is not None:
            error = self.inputs.validation_error()
            if error:
                return error
        error = self.target.validation_error()
        if error:
            return error
        model = self.model.filePath().strip()
        if model and model_config(model) is None:
            return tr("{path} is not a model folder (it has no readable config.json).").format(
                path=model)
        folder = self.folder.filePath().strip()
        if not folder:
            return tr("Choose the folder to write the evaluation report in.")
        if os.path.isfile(folder):
            return tr("{path} is a file; choose a folder for the report.").format(path=folder)
        return ""

    # ------------------------------------------------------------------ running
    def task_kwargs(self) -> dict:
        """The backend call's arguments (everything but ``progress``)."""
        if self.releves.currentLayer() is not None:
            kwargs = self.inputs.kwargs()               # ortho, releves, options
        else:
            kwargs = {"ortho": raster_source(self.ortho.currentLayer()), "releves": None}
        model = self.model.filePath().strip() or None
        kwargs.update(
            out_dir=self.folder.filePath().strip(), **self.target.kwargs(), model=model,
            **({} if model else self.bands.kwargs()),
            weights_dir=self.settings.weights_folder or None, repeats=self.repeats.value(),
            folds=self.folds.value(), estimator=self.estimator.currentData(),
            device=self.device.currentData(), cache_dir=self.settings.cache_folder or None,
            n_jobs=n_jobs())
        return kwargs

    def make_task(self) -> BackendTask:
        from ...backend.evaluate import evaluate_sources

        self.open_report_button.hide()
        return BackendTask(tr("Evaluate embeddings"), evaluate_sources, self.task_kwargs())

    def output_paths(self) -> list:
        return []           # a report folder: no layer shows it

    def cancel_text(self) -> str:
        return tr("Cancelled: no report was written. The image features computed so far "
                  "are kept in the cache, so running again continues from there.")

    def on_success(self, result) -> None:
        self.result = result
        sentences = [str(s) for s in getattr(result, "sentences", [])]
        text = tr("Evaluation report written.") + (" " + sentences[0] if sentences else "")
        details = "\n".join([tr("Report: {path}").format(path=result.html_path),
                             *sentences[1:], *map(str, getattr(result, "messages", []))])
        buttons = [(tr("Open report"), self.open_report)] if self.report_path() else []
        self.report_result(text, Qgis.MessageLevel.Success, details, buttons)
        self.open_report_button.setVisible(bool(self.report_path()))

    def report_path(self) -> str:
        html = getattr(self.result, "html_path", None) if self.result is not None else None
        return str(html) if html and os.path.exists(str(html)) else ""

    def open_report(self) -> str:
        """Open report.html (in QGIS when the system has no browser for it)."""
        from ..viewer import open_file

        report = self.report_path()
        return open_file(report, self) if report else ""
