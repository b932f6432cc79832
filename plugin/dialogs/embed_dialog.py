"""Embed an orthophoto: a trained model (or a raw backbone) streamed over the image into an
embedding raster and its RGB preview, in QGIS's task manager; in QGIS's process, or tile by
tile on a Dask cluster (the Advanced part; Dask is imported only when such a run starts)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from qgis.gui import QgsCollapsibleGroupBox, QgsExtentWidget, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit

from ..compat import LAYER_FILTER_POLYGON
from ..i18n import tr, translatable
from ..labels import (
    BACKBONE_LABELS,
    DTYPE_LABELS,
    PRECISION_LABELS,
    choice_label,
    needs_weights,
)
from ..layers import add_raster_layer, raster_source, set_legend_labels, vector_source
from ..processing.embed import CALIBRATE_MODES, embed_with_settings
from ..processing.modelparams import embed_cache_dir
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


# the preview's legend entries (red, green, blue: its first three principal components), for
# people rather than "Band 1: PC1"; the layer's name says how to read the colours
PREVIEW_LEGEND = (
    translatable("Red: 1st main contrast"),
    translatable("Green: 2nd main contrast"),
    translatable("Blue: 3rd main contrast"),
)


def model_config(folder: str) -> dict | None:
    """The config.json of a model folder (None when there is none or it is unreadable)."""
    if not folder:
        return None
    try:
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) else None


def model_summary(config: dict) -> str:
    """One sentence on what a model uses, for the dialog."""
    backbone = (config.get("backbone") or {}).get("name", "?")
    names = (config.get("bands") or {}).get("names") or []
    check = config.get("check") or {}
    return tr("This model uses the {backbone} backbone on {n} bands ({bands}) with "
              "{patch:g} m patches; it was trained on {plots} plots and {taxa} taxa.").format(
        backbone=choice_label(BACKBONE_LABELS, "timm" if backbone.startswith("timm:")
                              else backbone).split(" (")[0],
        n=len(names), bands=", ".join(map(str, names)) or "?",
        patch=float(config.get("patch_m") or 0), plots=check.get("plots_used", "?"),
        taxa=len(config.get("species") or []))


def scheduler_ok(text: str) -> bool:
    """Whether ``text`` has one of the forms of a Dask scheduler (what it names is checked
    when the run starts: a cluster that does not answer is a clear error then)."""
    from ...backend.distributed.scheduler import parse_scheduler  # a parser, no Dask
    from ...backend.errors import BotaclipError

    try:
        parse_scheduler(text)
    except BotaclipError:
        return False
    return True


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
                                 "backbone, bands and patch size. Empty: the raw backbone "
                                 "chosen below, without BotaCLIP's training."))
        self.form.addRow(tr("Model folder"), self.model)
        self._add_model_rows()
        self._add_area_rows(iface)
        self._add_run_rows()
        self._add_advanced_rows()
        self._add_output_rows()
        self.ortho.layerChanged.connect(self._ortho_changed)
        self.model.fileChanged.connect(self._model_changed)
        self.backbone.changed.connect(self.refresh)
        self.output.fileChanged.connect(self._output_edited)
        self.scheduler.textChanged.connect(self.refresh)
        self._ortho_changed(self.ortho.currentLayer())
        self._model_changed()
        self.finish_layout()

    def _add_model_rows(self) -> None:
        """What the chosen model uses, or the raw backbone and its bands."""
        self.model_info = QLabel()
        self.model_info.setObjectName("botaclip_model_info")
        self.model_info.setWordWrap(True)
        self.model_info.hide()
        self.form.addRow("", self.model_info)

        self.backbone = BackboneInputs(self.form, self.settings, self)

        self.bands = BandInputs(self.form, tr(
            "Side of the square image patch behind each output pixel."), self)
        self.sensor, self.wavelengths = self.bands.sensor, self.bands.wavelengths
        self.patch = self.bands.patch

    def _add_area_rows(self, iface) -> None:
        """Stride, extent and mask: where the patches go."""
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
                                  "CRS), e.g. the map view, to try settings on a small area "
                                  "first. Empty (the default): the whole orthophoto."))
        self.form.addRow(tr("Extent"), self.extent)

        self.mask = QgsMapLayerComboBox()
        self.mask.setFilters(LAYER_FILTER_POLYGON)
        self.mask.setAllowEmptyLayer(True)
        self.mask.setLayer(None)
        self.mask.setToolTip(tr("Optional polygons: only patches inside them are embedded, "
                                "the rest is no-data (e.g. leave out lakes or towns). Empty "
                                "(the default): every patch."))
        self.form.addRow(tr("Mask polygons"), self.mask)

    def _add_run_rows(self) -> None:
        self.precision = enum_combo(PRECISION_LABELS, "auto")
        self.precision.setToolTip(tr("The arithmetic of the model. bfloat16 is about twice "
                                     "as fast on recent CPUs and GPUs; Automatic (the "
                                     "default) uses it only where its embeddings agree with "
                                     "float32. int8 (CPU only) is the fastest on some CPUs "
                                     "but changes results: with DOFA base, about one patch "
                                     "in twenty got another nearest neighbour than in "
                                     "float32, so Automatic never takes it. Chosen, it is "
                                     "used, with a warning giving its measured agreement "
                                     "with float32 when that is low."))
        self.form.addRow(tr("Precision"), self.precision)
        self.calibrate = QCheckBox(tr("Calibrate first"))
        self.calibrate.setToolTip(tr("Measure the best batch size and reader threads on this "
                                     "machine before embedding (seconds to a minute), and "
                                     "keep the result for later runs with the same model "
                                     "and precision. Unticked (the default), they are "
                                     "measured once per machine, model and precision, and "
                                     "only for runs large enough to pay for it."))
        self.form.addRow("", self.calibrate)
        self.device = device_combo(self.settings.device)
        self.form.addRow(tr("Device"), self.device)
        self.dtype = enum_combo(DTYPE_LABELS, "float16")
        self.dtype.setToolTip(tr("How each value is stored in the embedding raster. "
                                 "float16 (the default) takes half the disk space of float32 "
                                 "and is precise enough for maps; float32 for exact "
                                 "values."))
        self.form.addRow(tr("Data type"), self.dtype)

    def _add_advanced_rows(self) -> None:
        """Folded away: where the run computes (this process, or a Dask cluster)."""
        self.advanced = QgsCollapsibleGroupBox(tr("Advanced"))
        self.advanced.setCollapsed(True)
        form = QFormLayout(self.advanced)
        self.scheduler = QLineEdit()
        self.scheduler.setPlaceholderText(tr("empty: in QGIS, this process"))
        self.scheduler.setToolTip(tr(
            "Optional: embed tile by tile on a Dask cluster. local or local:N starts N "
            "worker processes on this computer; tcp://HOST:PORT or the .json file a "
            "scheduler wrote joins a running cluster, whose workers must see the "
            "orthophoto, the model and the output folder under the same paths. The raster "
            "is the same; a stopped run continues from its finished tiles (kept in a folder "
            "NAME.tiles beside the output). Needs the Python package dask[distributed]. "
            "Empty (the default): the run stays in QGIS."))
        form.addRow(tr("Dask scheduler"), self.scheduler)
        self.form.addRow(self.advanced)

    def scheduler_value(self) -> str | None:
        """The Dask scheduler typed in, or None (run in this process)."""
        return self.scheduler.text().strip() or None

    def _add_output_rows(self) -> None:
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
        path = self.model.filePath().strip()
        config = model_config(path)
        raw = not path
        if config is not None:
            self._show_model(config)
        self.model_info.setText(model_summary(config) if config else "")
        self.model_info.setVisible(config is not None)
        self.backbone.set_backbone_enabled(raw)
        self.bands.set_enabled(raw)
        if not raw:     # a weights file may replace the model's own, for DOFA only
            self.backbone.weights_box.setEnabled(needs_weights(self.backbone.key()))
            self.backbone.weights.setEnabled(needs_weights(self.backbone.key()))
            self.backbone.weights.lineEdit().setPlaceholderText(
                tr("empty: the file the model was trained with"))
        self.refresh()

    def _show_model(self, config: dict) -> None:
        """What the model uses, in the greyed rows (its backbone, bands and patch size)."""
        name = str((config.get("backbone") or {}).get("name", ""))
        key = "timm" if name.startswith("timm:") else name
        combo = self.backbone.backbone
        if combo.findData(key) >= 0:
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(key))
            combo.blockSignals(False)
        self.backbone.timm_name.setText(name[5:] if key == "timm" else "")
        wavelengths = (config.get("bands") or {}).get("wavelengths_um") or []
        self.wavelengths.setText(", ".join(f"{w:g}" for w in wavelengths))
        if config.get("patch_m"):
            self.patch.setValue(float(config["patch_m"]))
        self.backbone._update()

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
            if model_config(model) is None:
                return tr("The config.json of {path} cannot be read: train the model "
                          "again.").format(path=model)
            weights = self.backbone.weights.filePath().strip()
            if weights and not os.path.isfile(weights):
                return tr("The weights file {path} does not exist.").format(path=weights)
            if not weights and not self.model_weights_found(model_config(model)):
                return tr("The model's backbone weights file is not where it was when the "
                          "model was trained, nor in the weights folder {folder}: choose "
                          "it.").format(folder=self.backbone.weights_folder())
        else:
            error = self.backbone.validation_error()
            if error:
                return error
        out = self.output.filePath().strip()
        if not out:
            return tr("Choose where to write the embedding raster.")
        if self.scheduler_value() and not scheduler_ok(self.scheduler_value()):
            return tr("Dask scheduler: give local, local:N (N worker processes on this "
                      "computer), tcp://HOST:PORT (a running scheduler) or the .json file a "
                      "scheduler wrote; or leave it empty to embed in QGIS.")
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
                      calibrate=CALIBRATE_MODES[self.calibrate.isChecked()],
                      scheduler=self.scheduler_value(), cache_dir=embed_cache_dir())
        if model:
            kwargs.update(model=model, weights=self.backbone.weights.filePath().strip() or None)
        else:
            kwargs.update(self.backbone.kwargs(), **self.bands.kwargs())
            if self.backbone_config:
                kwargs["backbone_config"] = dict(self.backbone_config)
        return kwargs

    def model_weights_found(self, config: dict) -> bool:
        """Whether the backbone weights a model names can be found (or are not needed)."""
        backbone = config.get("backbone") or {}
        name = str(backbone.get("name", ""))
        if not needs_weights(name) or backbone.get("random_weights"):
            return True
        recorded = backbone.get("weights_path")
        if recorded and os.path.isfile(str(recorded)):
            return True
        return name.startswith("dofa-") and bool(self.backbone.found_weights())

    def validation_fixes(self) -> list:
        if not self.model.filePath().strip():
            return self.backbone.fixes()
        config = model_config(self.model.filePath().strip())
        if config is not None and not self.backbone.weights.filePath().strip() \
                and not self.model_weights_found(config):
            return [(tr("Choose weights file…"), self.backbone.choose_weights)]
        return []

    def output_paths(self) -> list:
        out = self.output.filePath().strip()
        return [out, preview_path(out)] if out else []

    def make_task(self) -> BackendTask:
        return BackendTask(tr("Embed orthophoto"), embed_with_settings, self.task_kwargs())

    def cancel_text(self) -> str:
        return tr("Cancelled: the embedding raster was not written. Any finished blocks are "
                  "kept: Run again with the same settings continues where it stopped.")

    def on_success(self, result) -> None:
        self.result = result
        stem = Path(str(result.out)).stem
        add_raster_layer(result.out, tr("{name} (embeddings)").format(name=stem),
                         visible=False, output="embeddings")
        preview = getattr(result, "preview", None)
        if preview:
            layer = add_raster_layer(preview, tr("{name} preview: alike colour, alike place")
                                     .format(name=stem),
                                     style=PREVIEW_STYLE, output="embedding_preview")
            set_legend_labels(layer, [tr(label) for label in PREVIEW_LEGEND], self.iface)
        bands, height, width = result.shape
        # a run on Dask (DistributedResult) counts tiles, not empty pixels
        nodata = getattr(result, "n_nodata", height * width - result.n_patches)
        details = tr("{n} patches embedded in {s:.0f} s ({rate:.1f} per second, {precision}); "
                     "{nodata} pixels left empty (no image under them).").format(
            n=result.n_patches, s=result.seconds, rate=result.patches_per_s,
            precision=result.precision, nodata=nodata)
        if hasattr(result, "n_tiles"):
            details += " " + tr("Computed on Dask, tile by tile: {tiles} tile(s), {resumed} "
                                "of them found already done.").format(
                tiles=result.n_tiles, resumed=result.tiles_resumed)
        self.report_result(tr("Embeddings written to {path}: {width} × {height} pixels, "
                              "one per patch centre, {bands} bands.").format(
            path=result.out, width=width, height=height, bands=bands), details=details)
