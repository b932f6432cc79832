"""Predict a map: an estimator fitted to the target field(s) of a point layer on an embedding
raster, cross-validated in spatial blocks and predicted over the raster
(``backend.maps.predict_map``), in QGIS's task manager; the prediction, uncertainty and
applicability layers come back styled, and one message gives the headline metric.

The point layer, the fields and the task suggested from them are :mod:`.targets`' rows. The
output is proposed beside the embedding raster and named after the target, so that the maps
of several species sit side by side without being written over one another; the metrics go
in a folder beside it, so that the message always has figures to open.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from qgis.core import Qgis
from qgis.gui import QgsCollapsibleGroupBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (
    QAction,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
)

from ..compat import LAYER_FILTER_RASTER
from ..i18n import tr
from ..labels import ESTIMATOR_LABELS
from ..layers import OUTPUT_PROPERTY, raster_source
from ..processing.predict import PREDICTOR_FILTER, n_jobs
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import enum_combo, set_path_quietly
from .targets import TargetInputs, preselect

# a layer BotaCLIP added with one of these kinds is an embedding raster
EMBEDDING_OUTPUTS = ("embeddings",)


def raster_kind(layer) -> str:
    """The ``BOTACLIP_KIND`` tag of a raster layer's file ("embedding", "prediction"...; ""
    when it has none or cannot be read). Read with GDAL, which QGIS ships: QGIS's raster
    layer does not expose a file's metadata items."""
    if layer is None or layer.providerType() != "gdal":
        return ""
    from osgeo import gdal

    try:
        ds = gdal.OpenEx(layer.source(), gdal.OF_RASTER | gdal.OF_READONLY)
        return (ds.GetMetadataItem("BOTACLIP_KIND") or "") if ds is not None else ""
    except RuntimeError:
        return ""


def is_embedding_layer(layer) -> bool:
    """Whether ``layer`` shows an embedding raster (added by Embed, or tagged as one)."""
    if layer is None:
        return False
    return (layer.customProperty(OUTPUT_PROPERTY, "") in EMBEDDING_OUTPUTS
            or raster_kind(layer) == "embedding")


def slug(text: str) -> str:
    """``text`` as a file name part: letters, digits, '-' and '_' only."""
    return re.sub(r"[^\w-]+", "_", str(text)).strip("_") or "map"


def default_output(embedding_source: str, targets, task: str) -> str:
    """``<folder of the embedding>/<target>_map.tif`` ("" when the embedding is no file):
    one name per target, so that maps of several species sit side by side."""
    path = Path(str(embedding_source).split("|")[0])
    if not path.is_file():
        return ""
    targets = list(targets)
    name = targets[0] if len(targets) == 1 else ("presence" if not targets else task)
    return str(path.with_name(f"{slug(name)}_map.tif"))


def fmt(value, digits: int = 2) -> str:
    """A metric for people ("–" when it could not be computed)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def headline(result) -> str:
    """One line on the map's cross-validated quality, with the task's main metrics: TSS and
    AUC (presence), Boyce (presence-only), Spearman and MAE (abundance), accuracy and kappa
    (classes), and the number of spatial folds they were measured on."""
    names = list(result.targets)
    m = result.metrics.get(names[0], {}) if names else {}
    folds = (m.get("cv") or {}).get("folds", "?")
    where = tr("{k} spatial folds").format(k=folds)
    if result.task == "presence":
        return tr("Predicted '{t}': TSS {tss}, AUC {auc} ({where}).").format(
            t=names[0], tss=fmt(m.get("tss")), auc=fmt(m.get("auc")), where=where)
    if result.task == "presence-only":
        return tr("Predicted '{t}' from presences only: Boyce index {boyce} ({where}, {n} "
                  "background points).").format(t=names[0], boyce=fmt(m.get("boyce")),
                                                where=where, n=result.n_background or 0)
    if result.task == "classes":
        return tr("Predicted '{t}': accuracy {acc}, kappa {kappa} ({where}).").format(
            t=names[0], acc=fmt(m.get("accuracy")), kappa=fmt(m.get("kappa")), where=where)
    if len(names) == 1:
        return tr("Predicted '{t}': Spearman {rho}, MAE {mae} ({where}).").format(
            t=names[0], rho=fmt(m.get("spearman")), mae=fmt(m.get("mae"), 3), where=where)
    rhos = [fmt(result.metrics.get(n, {}).get("spearman")) for n in names]
    return tr("Predicted {n} abundances: Spearman {rhos} ({where}).").format(
        n=len(names), rhos=", ".join(f"{n} {r}" for n, r in zip(names, rhos)), where=where)


def result_details(result) -> str:
    """What the headline leaves out: how to read its figures, where the files went, and the
    backend's messages (points left out, the cross-validation's folds)."""
    chance = {
        "presence": tr("AUC 0.5 and TSS 0 are chance; 1 is perfect."),
        "presence-only": tr("A Boyce index near 0 is chance; 1 means the map ranks presences "
                            "as well as it can."),
        "abundance": tr("Spearman 0 is chance; MAE is in the field's own unit."),
        "classes": tr("Kappa 0 is chance; 1 is perfect."),
    }
    rows = [chance.get(result.task, ""),
            tr("Map written to {path}.").format(path=result.out)]
    if getattr(result, "report", None):
        rows.append(tr("Metrics written to {path}.").format(path=result.report))
    if getattr(result, "predictor", None):
        rows.append(tr("Predictor saved to {path}.").format(path=result.predictor))
    rows += [str(m) for m in getattr(result, "messages", [])]
    return "\n".join(r for r in rows if r)


def _file_widget(mode, tooltip: str, filter_: str = "") -> QgsFileWidget:
    widget = QgsFileWidget()
    widget.setStorageMode(mode)
    if filter_:
        widget.setFilter(filter_)
    widget.setToolTip(tooltip)
    return widget


class PredictDialog(TaskDialog):
    help_section = "predict"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: predict a map"))
        self.result = None
        self._out_auto = True
        self._report_auto = True
        self._add_input_rows()
        self._add_model_rows()
        self._add_advanced_rows()
        self._add_output_rows()
        self._connect()
        self._embedding_changed()
        self._targets_changed()
        self.finish_layout()

    # ------------------------------------------------------------------ form
    def _add_input_rows(self) -> None:
        self.embeddings = QgsMapLayerComboBox()
        self.embeddings.setFilters(LAYER_FILTER_RASTER)
        self.embeddings.setToolTip(tr("The embedding raster made by 'Embed orthophoto…': "
                                      "one band per embedding dimension. Any other raster's "
                                      "bands are used as they are."))
        self.form.addRow(tr("Embedding raster"), self.embeddings)
        self.embedding_note = QLabel()
        self.embedding_note.setObjectName("botaclip_embedding_note")
        self.embedding_note.setWordWrap(True)
        self.embedding_note.setStyleSheet("color: #8a5a00;")
        self.embedding_note.hide()
        self.form.addRow("", self.embedding_note)
        preselect(self.embeddings, is_embedding_layer)
        self.target = TargetInputs(self.form, self.iface, self)
        self.points, self.targets = self.target.points, self.target.targets
        self.task_combo, self.task_hint = self.target.task, self.target.hint

    def _add_model_rows(self) -> None:
        self.estimator = enum_combo(ESTIMATOR_LABELS, "rf")
        self.estimator.setToolTip(tr("The model fitted to the embeddings at the points. The "
                                     "random forest (500 trees, classes balanced) needs no "
                                     "tuning; the others are there to compare."))
        self.form.addRow(tr("Estimator"), self.estimator)
        self.folds = QSpinBox()
        self.folds.setRange(2, 20)
        self.folds.setValue(5)
        self.folds.setToolTip(tr("Spatial cross-validation: the points are grouped in blocks "
                                 "and each fold holds out whole blocks, so that the figures "
                                 "reported come from places the model did not see. 5 (the "
                                 "default) suits most data; fewer when there are few "
                                 "points."))
        self.form.addRow(tr("Folds"), self.folds)

    def _add_advanced_rows(self) -> None:
        self.advanced = QgsCollapsibleGroupBox(tr("Advanced"))
        self.advanced.setCollapsed(True)
        form = QFormLayout(self.advanced)
        self.buffer = QDoubleSpinBox()
        self.buffer.setRange(-1.0, 1.0e6)
        self.buffer.setDecimals(1)
        self.buffer.setValue(-1.0)
        self.buffer.setSuffix(tr(" m"))
        self.buffer.setSpecialValueText(tr("automatic (the patch side)"))
        self.buffer.setToolTip(tr("Training points closer than this to a test point are left "
                                  "out of that fold: two points closer than a patch side were "
                                  "seen through the same pixels. 0: no buffer."))
        form.addRow(tr("Buffer"), self.buffer)
        self.block = QDoubleSpinBox()
        self.block.setRange(0.0, 1.0e6)
        self.block.setDecimals(1)
        self.block.setSuffix(tr(" m"))
        self.block.setSpecialValueText(tr("automatic (5 pixels, at least twice the buffer)"))
        self.block.setToolTip(tr("Side of the square blocks the folds are made of, in "
                                 "metres: larger than the distance over which nearby points "
                                 "resemble each other. Automatic (the default): 5 pixels, "
                                 "at least twice the buffer."))
        form.addRow(tr("Block size"), self.block)
        self.background = QSpinBox()
        self.background.setRange(0, 1000000)
        self.background.setSpecialValueText(tr("automatic (10 per presence, at most 10 000)"))
        self.background.setToolTip(tr("Presence only: how many background points are drawn "
                                      "from the raster to stand for the places available. "
                                      "Automatic (the default): 10 per presence, at most "
                                      "10 000."))
        form.addRow(tr("Background points"), self.background)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(tr("The same seed (default 0) gives the same folds, background "
                                "points and model."))
        form.addRow(tr("Seed"), self.seed)
        self.form.addRow(self.advanced)

    def _add_output_rows(self) -> None:
        self.output = _file_widget(
            QgsFileWidget.StorageMode.SaveFile,
            tr("The map to write: a cloud-optimised GeoTIFF with the prediction, its "
               "uncertainty (spread of the fold models) and the area of applicability."),
            "GeoTIFF (*.tif)")
        self.form.addRow(tr("Prediction map"), self.output)
        self.report = folder_widget(tr("empty: no metrics file"))
        self.report.setToolTip(tr("A folder for metrics.json: the cross-validated metrics "
                                  "of each target, fold by fold, with the point counts. "
                                  "Empty: no metrics file."))
        self.form.addRow(tr("Report folder"), self.report)
        self.predictor = _file_widget(
            QgsFileWidget.StorageMode.SaveFile,
            tr("Optional: save the fitted model, to apply it to another embedding raster "
               "made with the same model later, without fitting again."), tr(PREDICTOR_FILTER))
        self.predictor.lineEdit().setPlaceholderText(tr("empty: not saved"))
        self.form.addRow(tr("Save predictor"), self.predictor)
        self.open_metrics_button = QPushButton(tr("Open metrics"))
        self.open_metrics_button.hide()
        self.open_metrics_button.clicked.connect(self.open_metrics)
        self.layout_.addWidget(self.open_metrics_button)

    def _connect(self) -> None:
        self.embeddings.layerChanged.connect(self._embedding_changed)
        self.target.changed.connect(self._targets_changed)
        self.output.fileChanged.connect(self._output_edited)
        self.report.fileChanged.connect(self._report_edited)
        self.predictor.fileChanged.connect(self.refresh)
        for spin in (self.folds, self.buffer, self.block, self.background, self.seed):
            spin.valueChanged.connect(self.refresh)

    # ------------------------------------------------------------------ inputs
    def _embedding_changed(self, *_args) -> None:
        layer = self.embeddings.currentLayer()
        kind = raster_kind(layer)
        note = ""
        if layer is not None and kind not in ("embedding", "prediction") \
                and not is_embedding_layer(layer):
            note = tr("'{name}' is not an embedding raster made by BotaCLIP: its {n} bands "
                      "are used as they are.").format(name=layer.name(), n=layer.bandCount())
        self.embedding_note.setText(note)
        self.embedding_note.setVisible(bool(note))
        self._propose_output()
        self.refresh()

    def _targets_changed(self) -> None:
        self.background.setEnabled(self.task_combo.currentData() == "presence-only")
        self._propose_output()
        self.refresh()

    def _propose_output(self) -> None:
        layer = self.embeddings.currentLayer()
        if layer is None:
            return
        out = default_output(layer.source(), self.targets.fields(), self.task_combo.currentData())
        if self._out_auto and out:
            set_path_quietly(self.output, out)
        self._propose_report()

    def _propose_report(self) -> None:
        out = self.output.filePath().strip()
        if self._report_auto and out:
            set_path_quietly(self.report, str(Path(out).with_name(Path(out).stem
                                                                   + "_report")))

    def _output_edited(self, *_args) -> None:
        self._out_auto = False
        self._propose_report()
        self.refresh()

    def _report_edited(self, *_args) -> None:
        self._report_auto = False
        self.refresh()

    def validation_error(self) -> str:
        return self._input_error() or self._output_error()

    def _input_error(self) -> str:
        emb = self.embeddings.currentLayer()
        if emb is None:
            return tr("Add an embedding raster (made by 'Embed orthophoto…') to the project "
                      "and choose it.")
        if emb.providerType() != "gdal":
            return tr("The embedding raster must be a raster file; save '{name}' as a GeoTIFF "
                      "first.").format(name=emb.name())
        if raster_kind(emb) == "prediction":
            return tr("'{name}' is a prediction map, not an embedding raster: choose the "
                      "embeddings it was made from.").format(name=emb.name())
        if self.points.currentLayer() is None:
            return tr("Add a point layer with your observations to the project and choose "
                      "it.")
        return self.target.validation_error()

    def _output_error(self) -> str:
        out = self.output.filePath().strip()
        if not out:
            return tr("Choose where to write the prediction map.")
        if Path(out).suffix.lower() not in (".tif", ".tiff"):
            return tr("The prediction map must be a GeoTIFF (.tif) file.")
        inputs = [self.embeddings.currentLayer(), self.points.currentLayer()]
        if any(same_file(out, lyr.source()) for lyr in inputs if lyr is not None):
            return tr("The prediction map cannot replace one of its inputs; choose another "
                      "name.")
        report = self.report.filePath().strip()
        if report and os.path.isfile(report):
            return tr("{path} is a file; choose a folder for the metrics.").format(path=report)
        predictor = self.predictor.filePath().strip()
        if predictor and same_file(predictor, out):
            return tr("The predictor and the prediction map need two different files.")
        return ""

    def validation_fixes(self) -> list:
        if self.embeddings.currentLayer() is not None or self.iface is None:
            return []
        action = self.iface.mainWindow().findChild(QAction, "botaclip_embed")
        return [(tr("Embed orthophoto…"), action.trigger)] if action is not None else []

    # ------------------------------------------------------------------ running
    def task_kwargs(self) -> dict:
        """The backend call's arguments (everything but ``progress``)."""
        task = self.task_combo.currentData()
        kwargs = dict(
            embeddings=raster_source(self.embeddings.currentLayer()), **self.target.kwargs(),
            out=self.output.filePath().strip(), estimator=self.estimator.currentData(),
            folds=self.folds.value(),
            buffer_m=self.buffer.value() if self.buffer.value() >= 0 else None,
            block_m=self.block.value() or None, seed=self.seed.value(),
            background=(self.background.value() or None) if task == "presence-only"
            else None,
            report_dir=self.report.filePath().strip() or None, n_jobs=n_jobs())
        predictor = self.predictor.filePath().strip()
        if predictor:
            kwargs["save_model"] = predictor
        return kwargs

    def make_task(self) -> BackendTask:
        from ...backend.maps import predict_map

        self.open_metrics_button.hide()
        return BackendTask(tr("Predict map"), predict_map, self.task_kwargs())

    def output_paths(self) -> list:
        out = self.output.filePath().strip()
        return [out] if out else []

    def cancel_text(self) -> str:
        return tr("Cancelled: the prediction map was not written; the previous one, if any, "
                  "is unchanged.")

    def on_success(self, result) -> None:
        from ..layers import add_prediction_layers

        self.result = result
        names = list(result.targets)
        name = names[0] if len(names) == 1 else Path(str(result.out)).stem
        add_prediction_layers(result.out, name)
        buttons = [(tr("Open metrics"), self.open_metrics)] if self.metrics_path() else []
        self.report_result(headline(result), Qgis.MessageLevel.Success,
                           result_details(result), buttons)
        self.open_metrics_button.setVisible(bool(self.metrics_path()))

    def metrics_path(self) -> str:
        report = getattr(self.result, "report", None) if self.result is not None else None
        return str(report) if report and os.path.exists(str(report)) else ""

    def open_metrics(self) -> str:
        """Open metrics.json (in QGIS when the system has no program for it)."""
        from ..viewer import open_file

        path = self.metrics_path()
        return open_file(path, self) if path else ""


def same_file(a: str, b: str) -> bool:
    """Whether two paths (a layer source may carry ``|layername=...``) name one file."""
    def norm(p):
        return os.path.normcase(os.path.abspath(str(p).split("|")[0]))

    return norm(a) == norm(b)
