"""Habitat clusters: k-means on an embedding raster into a categorical map with a legend
(``backend.habitats.cluster_map``), in QGIS's task manager; the map comes back with its
palette and names, and the message opens the summary (clusters.html) when one was asked for.

k is a number, or automatic: the lowest Davies-Bouldin index over a range, as the BotaCLIP
paper chose it. The orthophoto and the model only feed the summary (a thumbnail and the taxa
most typical of each cluster), so they are asked for only with a summary folder: without
one they would be read for nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from ..compat import LAYER_FILTER_RASTER
from ..i18n import tr
from ..layers import add_raster_layer, raster_source
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import set_path_quietly
from .embed_dialog import model_config
from .predict_dialog import is_embedding_layer, raster_kind, same_file
from .targets import preselect

HABITATS_OUTPUT = "habitats"          # OUTPUT_PROPERTY of the layers added here
MAX_K = 255                           # a byte per pixel, 0 for nodata (backend choose_k)
SUMMARY_PAGE = "clusters.html"


def _spin(low: int, high: int, value: int, tooltip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setToolTip(tooltip)
    return spin


class HabitatsDialog(TaskDialog):
    help_section = "habitats"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: habitat clusters"))
        self.result = None
        self._out_auto = True
        self._add_input_rows()
        self._add_k_rows()
        self._add_summary_rows()
        self._add_output_rows()
        self._connect()
        preselect(self.embeddings, is_embedding_layer)
        self._embedding_changed()
        self._auto_toggled(self.auto_k.isChecked())
        self.finish_layout()

    # ------------------------------------------------------------------ form
    def _add_input_rows(self) -> None:
        self.embeddings = QgsMapLayerComboBox()
        self.embeddings.setFilters(LAYER_FILTER_RASTER)
        self.embeddings.setToolTip(tr("The embedding raster to cluster (made by 'Embed "
                                      "orthophoto…'): pixels that look alike in it end up "
                                      "in one habitat."))
        self.form.addRow(tr("Embedding raster"), self.embeddings)

    def _add_k_rows(self) -> None:
        self.k = _spin(2, MAX_K, 8, tr("How many habitat types the map is cut into (default "
                                       "8): more gives finer, smaller types. Unused when k "
                                       "is chosen automatically."))
        self.form.addRow(tr("Number of clusters"), self.k)
        self.auto_k = QCheckBox(tr("Choose k automatically (Davies-Bouldin index)"))
        self.auto_k.setToolTip(tr("Try every k of the range below and keep the one with the "
                                  "lowest Davies-Bouldin index (compact clusters far apart), "
                                  "as the BotaCLIP paper does; the curve is in the message."))
        self.form.addRow("", self.auto_k)
        self.k_min = _spin(2, MAX_K - 1, 3, tr("The smallest number of clusters tried when "
                                               "k is chosen automatically (default 3)."))
        self.k_max = _spin(3, MAX_K, 15, tr("The largest number of clusters tried when k is "
                                            "chosen automatically, included (default 15); "
                                            "each k tried adds a k-means fit."))
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.k_min)
        box.addWidget(QLabel(tr("to")))
        box.addWidget(self.k_max)
        box.addStretch(1)
        self.form.addRow(tr("Range of k"), row)
        self.seed = _spin(0, 2**31 - 1, 0, tr("The same seed (default 0) gives the same "
                                              "sample of pixels and the same map; another "
                                              "seed shows how stable the clusters are."))
        self.form.addRow(tr("Seed"), self.seed)

    def _add_summary_rows(self) -> None:
        self.summary = folder_widget(tr("empty: no summary"))
        self.summary.setToolTip(tr("Optional: a folder for clusters.html and clusters.json, "
                                   "with the area of each cluster. Empty (the default): "
                                   "no summary."))
        self.form.addRow(tr("Summary folder"), self.summary)
        self.ortho = QgsMapLayerComboBox()
        self.ortho.setFilters(LAYER_FILTER_RASTER)
        self.ortho.setAllowEmptyLayer(True)
        self.ortho.setLayer(None)
        self.ortho.setToolTip(tr("Optional, with a summary: the orthophoto, for a thumbnail "
                                 "of a typical place of each cluster."))
        self.form.addRow(tr("Orthophoto"), self.ortho)
        self.model = folder_widget(tr("empty: no typical taxa"))
        self.model.setToolTip(tr("Optional, with a summary: the model folder the embedding "
                                 "raster was made with, for the taxa most typical of each "
                                 "cluster."))
        self.form.addRow(tr("Model folder"), self.model)

    def _add_output_rows(self) -> None:
        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.output.setFilter(tr("GeoTIFF (*.tif)"))
        self.output.setToolTip(tr("The habitat map to write: a categorical cloud-optimised "
                                  "GeoTIFF, habitat 1 the largest, with a colour and a name "
                                  "per cluster."))
        self.form.addRow(tr("Habitat map"), self.output)
        self.open_summary_button = QPushButton(tr("Open summary"))
        self.open_summary_button.setToolTip(tr("Open clusters.html: the area, a thumbnail and "
                                               "the typical taxa of each cluster."))
        self.open_summary_button.hide()
        self.open_summary_button.clicked.connect(self.open_summary)
        self.layout_.addWidget(self.open_summary_button)

    def _connect(self) -> None:
        self.embeddings.layerChanged.connect(self._embedding_changed)
        self.auto_k.toggled.connect(self._auto_toggled)
        self.output.fileChanged.connect(self._output_edited)
        self.ortho.layerChanged.connect(self.refresh)
        for widget in (self.summary, self.model):
            widget.fileChanged.connect(self.refresh)
        for spin in (self.k, self.k_min, self.k_max, self.seed):
            spin.valueChanged.connect(self.refresh)

    # ------------------------------------------------------------------ inputs
    def _embedding_changed(self, *_args) -> None:
        layer = self.embeddings.currentLayer()
        if self._out_auto and layer is not None and os.path.isfile(layer.source()):
            source = Path(layer.source())
            set_path_quietly(self.output, str(source.with_name(source.stem + "_habitats.tif")))
        self.refresh()

    def _auto_toggled(self, auto: bool) -> None:
        self.k.setEnabled(not auto)
        self.k_min.setEnabled(auto)
        self.k_max.setEnabled(auto)
        self.refresh()

    def _output_edited(self, *_args) -> None:
        self._out_auto = False
        self.refresh()

    def validation_error(self) -> str:
        return self._input_error() or self._summary_error() or self._output_error()

    def _input_error(self) -> str:
        layer = self.embeddings.currentLayer()
        if layer is None:
            return tr("Add an embedding raster (made by 'Embed orthophoto…') to the project "
                      "and choose it.")
        if layer.providerType() != "gdal":
            return tr("The embedding raster must be a raster file; save '{name}' as a GeoTIFF "
                      "first.").format(name=layer.name())
        kind = raster_kind(layer)
        if kind not in ("", "embedding"):
            return tr("'{name}' is a BotaCLIP {kind} map, not an embedding raster: choose "
                      "the embeddings it was made from.").format(name=layer.name(), kind=kind)
        if self.auto_k.isChecked() and self.k_min.value() >= self.k_max.value():
            return tr("The range of k is empty: the smallest k ({lo}) must be below the "
                      "largest ({hi}).").format(lo=self.k_min.value(), hi=self.k_max.value())
        return ""

    def _summary_error(self) -> str:
        summary = self.summary.filePath().strip()
        ortho, model = self.ortho.currentLayer(), self.model.filePath().strip()
        if not summary and (ortho is not None or model):
            return tr("The orthophoto and the model folder only serve the summary: choose a "
                      "summary folder, or leave them empty.")
        if summary and os.path.isfile(summary):
            return tr("{path} is a file; choose a folder for the summary.").format(
                path=summary)
        if ortho is not None and ortho.providerType() != "gdal":
            return tr("The orthophoto must be a raster file; save '{name}' as a GeoTIFF "
                      "first.").format(name=ortho.name())
        if model and model_config(model) is None:
            return tr("{path} is not a model folder (it has no readable config.json).").format(
                path=model)
        return ""

    def _output_error(self) -> str:
        out = self.output.filePath().strip()
        if not out:
            return tr("Choose where to write the habitat map.")
        if Path(out).suffix.lower() not in (".tif", ".tiff"):
            return tr("The habitat map must be a GeoTIFF (.tif) file.")
        inputs = [self.embeddings.currentLayer(), self.ortho.currentLayer()]
        if any(same_file(out, lyr.source()) for lyr in inputs if lyr is not None):
            return tr("The habitat map cannot replace one of its inputs; choose another name.")
        summary = self.summary.filePath().strip()
        if summary and same_file(summary, out):
            return tr("The summary folder and the habitat map need two different paths.")
        return ""

    # ------------------------------------------------------------------ running
    def task_kwargs(self) -> dict:
        """The backend call's arguments (everything but ``progress``)."""
        ortho = self.ortho.currentLayer()
        return dict(embeddings=raster_source(self.embeddings.currentLayer()),
                    out=self.output.filePath().strip(),
                    k="auto" if self.auto_k.isChecked() else self.k.value(),
                    k_range=(self.k_min.value(), self.k_max.value()), seed=self.seed.value(),
                    summary_dir=self.summary.filePath().strip() or None,
                    ortho=raster_source(ortho) if ortho is not None else None,
                    model=self.model.filePath().strip() or None)

    def make_task(self) -> BackendTask:
        from ...backend.habitats import cluster_map

        self.open_summary_button.hide()
        return BackendTask(tr("Habitat clusters"), cluster_map, self.task_kwargs())

    def output_paths(self) -> list:
        out = self.output.filePath().strip()
        return [out] if out else []

    def cancel_text(self) -> str:
        return tr("Cancelled: the habitat map was not written; the previous one, if any, is "
                  "unchanged.")

    def on_success(self, result) -> None:
        from ..processing.habitats import style_habitat_layer

        self.result = result
        layer = add_raster_layer(result.out, Path(str(result.out)).stem,
                                 output=HABITATS_OUTPUT)
        style_habitat_layer(layer)
        total = sum(result.sizes) or 1
        text = tr("{k} habitat clusters mapped; the largest covers {share:.0%} of the "
                  "pixels.").format(k=result.k, share=result.sizes[0] / total
                                    if result.sizes else 0.0)
        rows = [tr("Habitat map written to {path}.").format(path=result.out)]
        if self.summary_page():
            rows.append(tr("Summary written to {path}.").format(path=self.summary_page()))
        rows += [str(m) for m in result.messages]
        buttons = [(tr("Open summary"), self.open_summary)] if self.summary_page() else []
        self.report_result(text, Qgis.MessageLevel.Success, "\n".join(rows), buttons)
        self.open_summary_button.setVisible(bool(self.summary_page()))

    def summary_page(self) -> str:
        """clusters.html of the last run ("" when it wrote no summary)."""
        summary = getattr(self.result, "summary", None) if self.result is not None else None
        page = Path(str(summary)).with_name(SUMMARY_PAGE) if summary else None
        return str(page) if page is not None and page.exists() else ""

    def open_summary(self) -> str:
        """Open clusters.html (in QGIS when the system has no program for it)."""
        from ..viewer import open_file

        page = self.summary_page()
        return open_file(page, self) if page else ""
