"""Embed an orthophoto: a trained model (or a raw backbone) streamed over the image into an
embedding raster and its RGB preview, in QGIS's task manager."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis
from qgis.gui import QgsExtentWidget, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import QCheckBox, QDoubleSpinBox

from ..compat import LAYER_FILTER_POLYGON
from ..i18n import tr
from ..labels import DTYPE_LABELS, PRECISION_LABELS
from ..layers import add_raster_layer, raster_source, remove_layers_from, vector_source
from ..processing.modelparams import embed_cache_dir, embed_raster_with_settings
from ..settings import Settings
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import (
    BackboneInputs,
    BandInputs,
    device_combo,
    enum_combo,
    ortho_combo,
    ortho_error,
    set_path_quietly,
)

PREVIEW_STYLE = "embedding_preview"


def preview_path(out: str) -> str:
    """``<out stem>_preview.tif`` next to the embedding raster."""
    p = Path(out)
    return str(p.with_name(p.stem + "_preview.tif"))


class EmbedDialog(TaskDialog):
    help_section = "embed"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: embed an orthophoto"))
        self.settings = Settings()
        self._out_auto = True
        self.result = None
        # a DOFA config for tiny models (tests); None: the standard size of the backbone
        self.backbone_config: dict | None = None

        self.ortho = ortho_combo(tr("The aerial image to embed (any raster QGIS reads from a "
                                    "file)."))
        self.form.addRow(tr("Orthophoto"), self.ortho)

        self.model = folder_widget(tr("empty: the raw backbone below"))
        self.model.setToolTip(tr("A model folder made by 'Train model…'. It names its own "
                                 "backbone, bands and patch size."))
        self.form.addRow(tr("Model folder"), self.model)

        self.backbone = BackboneInputs(self.form, self.settings, self)

        self.bands = BandInputs(self.form, tr("Band preset"), tr(
            "Side of the square image patch behind each output pixel."), self)
        self.sensor, self.wavelengths = self.bands.sensor, self.bands.wavelengths
        self.patch = self.bands.patch

        self.stride = QDoubleSpinBox()
        self.stride.setRange(0.0, 10000.0)
        self.stride.setDecimals(1)
        self.stride.setValue(0.0)
        self.stride.setSuffix(tr(" m"))
        self.stride.setSpecialValueText(tr("half the patch size"))
        self.stride.setToolTip(tr("Distance between patch centres: the pixel size of the "
                                  "embedding raster. Smaller than the patch, patches overlap "
                                  "(finer maps, longer runs); the default, half the patch, "
                                  "shows every point of the ground to four patches."))
        self.form.addRow(tr("Stride"), self.stride)

        self.extent = QgsExtentWidget(None, QgsExtentWidget.WidgetStyle.CondensedStyle)
        self.extent.setNullValueAllowed(True, tr("Whole orthophoto"))
        if iface is not None:
            self.extent.setMapCanvas(iface.mapCanvas())
        self.extent.setToolTip(tr("Limit the run to this extent (taken in the orthophoto's "
                                  "CRS)."))
        self.form.addRow(tr("Extent"), self.extent)

        self.mask = QgsMapLayerComboBox()
        self.mask.setFilters(LAYER_FILTER_POLYGON)
        self.mask.setAllowEmptyLayer(True)
        self.mask.setLayer(None)
        self.mask.setToolTip(tr("Optional polygons: only patches inside them are embedded."))
        self.form.addRow(tr("Mask polygons"), self.mask)

        self.precision = enum_combo(PRECISION_LABELS, "auto")
        self.precision.setToolTip(tr("bfloat16 is about twice as fast on recent CPUs and "
                                     "GPUs; it is used only where its embeddings agree with "
                                     "float32."))
        self.form.addRow(tr("Precision"), self.precision)
        self.device = device_combo(self.settings.device)
        self.form.addRow(tr("Device"), self.device)
        self.dtype = enum_combo(DTYPE_LABELS, "float16")
        self.form.addRow(tr("Data type"), self.dtype)

        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.output.setFilter("GeoTIFF (*.tif)")
        self.output.setToolTip(tr("The embedding raster to write: a cloud-optimised GeoTIFF "
                                  "with one band per embedding dimension."))
        self.form.addRow(tr("Embedding raster"), self.output)
        self.preview = QCheckBox(tr("Also write an RGB preview and show it"))
        self.preview.setToolTip(tr("The first three principal components of the embeddings "
                                   "as an 8-bit RGB image: areas the model sees alike get "
                                   "alike colours."))
        self.preview.setChecked(True)
        self.form.addRow("", self.preview)

        self.ortho.layerChanged.connect(self._ortho_changed)
        self.model.fileChanged.connect(self._model_changed)
        self.backbone.changed.connect(self.refresh)
        self.output.fileChanged.connect(self._output_edited)
        self._ortho_changed(self.ortho.currentLayer())
        self._model_changed()
        self.finish_layout()

    # ------------------------------------------------------------------ inputs
    def _ortho_changed(self, layer) -> None:
        if layer is not None:
            had_extent = self.extent.isValid()
            self.extent.setOriginalExtent(layer.extent(), layer.crs())
            self.extent.setOutputCrs(layer.crs())
            if not had_extent:
                self.extent.clear()         # "Whole orthophoto" until the user draws one
            src = layer.source()
            if self._out_auto and os.path.isfile(src):
                p = Path(src)
                set_path_quietly(self.output, str(p.with_name(p.stem + "_embeddings.tif")))
        self.refresh()

    def _model_changed(self, *_args) -> None:
        raw = not self.model.filePath().strip()
        self.backbone.set_backbone_enabled(raw)
        self.bands.set_enabled(raw)
        self.refresh()

    def _output_edited(self, *_args) -> None:
        self._out_auto = False
        self.refresh()

    def validation_error(self) -> str:
        ortho = self.ortho.currentLayer()
        error = ortho_error(ortho)
        if error:
            return error
        model = self.model.filePath().strip()
        if model:
            if not os.path.isfile(os.path.join(model, "config.json")):
                return tr("{path} is not a model folder (it has no config.json).").format(
                    path=model)
            weights = self.backbone.weights.filePath().strip()
            if weights and not os.path.isfile(weights):
                return tr("The weights file {path} does not exist.").format(path=weights)
        else:
            error = self.backbone.validation_error()
            if error:
                return error
        out = self.output.filePath().strip()
        if not out:
            return tr("Choose where to write the embedding raster.")
        if Path(out).suffix.lower() not in (".tif", ".tiff"):
            return tr("The embedding raster must be a GeoTIFF (.tif) file.")
        if os.path.normcase(os.path.abspath(out)) == os.path.normcase(
                os.path.abspath(ortho.source())):
            return tr("The embedding raster cannot replace the orthophoto.")
        return ""

    # ------------------------------------------------------------------ running
    def extent_value(self):
        """(xmin, ymin, xmax, ymax) in the orthophoto's CRS, or None for the whole image."""
        if not self.extent.isValid():
            return None
        rect = self.extent.outputExtent()
        if rect.isNull() or rect.isEmpty():
            return None
        return (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())

    def task_kwargs(self) -> dict:
        """The backend call's arguments (everything but ``progress``)."""
        out = self.output.filePath().strip()
        model = self.model.filePath().strip()
        kwargs = dict(ortho=raster_source(self.ortho.currentLayer()), out=out,
                      stride_m=self.stride.value() or None, extent=self.extent_value(),
                      mask=(vector_source(self.mask.currentLayer())
                            if self.mask.currentLayer() is not None else None),
                      preview=preview_path(out) if self.preview.isChecked() else None,
                      device=self.device.currentData(),
                      precision=self.precision.currentData(), dtype=self.dtype.currentData(),
                      cache_dir=embed_cache_dir())
        if model:
            kwargs.update(model=model, weights=self.backbone.weights.filePath().strip() or None)
        else:
            kwargs.update(self.backbone.kwargs(), **self.bands.kwargs())
            if self.backbone_config:
                kwargs["backbone_config"] = dict(self.backbone_config)
        return kwargs

    def make_task(self) -> BackendTask:
        kwargs = self.task_kwargs()
        remove_layers_from([kwargs["out"], kwargs["preview"]])
        return BackendTask(tr("Embed orthophoto"), embed_raster_with_settings, kwargs)

    def on_success(self, result) -> None:
        self.result = result
        stem = Path(str(result.out)).stem
        add_raster_layer(result.out, tr("{name} (embeddings)").format(name=stem),
                         visible=False)
        preview = getattr(result, "preview", None)
        if preview:
            add_raster_layer(preview, tr("{name} (preview)").format(name=stem),
                             style=PREVIEW_STYLE)
        self.show_message(tr("Embeddings written to {path}.").format(path=result.out),
                          Qgis.MessageLevel.Success, 10)
