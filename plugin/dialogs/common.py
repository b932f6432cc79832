"""Widgets shared by the dialogs."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.gui import QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QObject, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..compat import LAYER_FILTER_POINT, LAYER_FILTER_POLYGON, LAYER_FILTER_RASTER
from ..i18n import tr
from ..labels import (
    BACKBONE_LABELS,
    DEVICE_LABELS,
    DEVICES,
    backbone_name,
    choice_label,
    cover_scale_label,
    cover_scales,
    needs_weights,
    sensor_choices,
)
from ..layers import raster_source, vector_source
from ..settings import Settings

# a relevé layer whose name holds one of these is preselected
RELEVE_KEYWORDS = ("relev", "plot", "vegetation", "placette")


def ortho_combo(tooltip: str) -> QgsMapLayerComboBox:
    combo = QgsMapLayerComboBox()
    combo.setFilters(LAYER_FILTER_RASTER)
    combo.setToolTip(tooltip)
    return combo


def ortho_error(layer) -> str:
    """Why ``layer`` cannot be the orthophoto ("" when it can)."""
    if layer is None:
        return tr("Add an orthophoto (a raster layer) to the project and choose it.")
    if layer.providerType() != "gdal":
        return tr("The orthophoto must be a raster file; save '{name}' as a GeoTIFF "
                  "first.").format(name=layer.name())
    return ""


def set_path_quietly(widget: QgsFileWidget, path: str) -> None:
    """Set a path the dialog proposes, without the signal that marks it as edited."""
    widget.blockSignals(True)
    widget.setFilePath(path)
    widget.blockSignals(False)


def folder_beside(layer, name: str) -> str:
    """``<folder of the layer's file>/<name>``, or "" when the layer is not a file."""
    if layer is None:
        return ""
    src = layer.source().split("|")[0]
    return str(Path(src).parent / name) if os.path.exists(src) else ""


def cover_scale_combo() -> QComboBox:
    combo = QComboBox()
    for scale in cover_scales():
        combo.addItem(cover_scale_label(scale), scale)
    combo.setToolTip(tr("How the covers are written. Automatic recognises Braun-Blanquet "
                        "codes, presence marks, fractions, percentages and counts; choose "
                        "the scale when numbers alone are ambiguous (1-5 could be codes or "
                        "percent)."))
    return combo


def sensor_combo() -> QComboBox:
    combo = QComboBox()
    for name, label in sensor_choices():
        combo.addItem(label, name)
    combo.setToolTip(tr("Which camera or satellite took the orthophoto: this gives the "
                        "wavelength of each band. Automatic (the default) reads the band "
                        "names or colours of the file; choose the sensor when they say "
                        "nothing (Band 1, Band 2...)."))
    return combo


def device_combo(current: str = "auto") -> QComboBox:
    combo = QComboBox()
    for name in DEVICES:
        combo.addItem(choice_label(DEVICE_LABELS, name), name)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.setToolTip(tr("Where the model runs. Automatic uses a CUDA GPU when PyTorch sees "
                        "one; the default comes from BotaCLIP > Settings…."))
    return combo


def enum_combo(labels: dict, current: str | None = None) -> QComboBox:
    """A combo of ``labels`` (key -> translatable label), the key as item data."""
    combo = QComboBox()
    for key in labels:
        combo.addItem(choice_label(labels, key), key)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def taxon_fields(layer, plot_id: str = "") -> list[str]:
    """The fields of ``layer`` that can hold taxa: numeric, and neither the plot id, an
    identifier or primary key, a coordinate or geometry measure, nor a field BotaCLIP itself
    writes (the check's status layer)."""
    from ...backend.releves import NOT_TAXA_FIELDS

    if layer is None:
        return []
    fields = layer.fields()
    keys = {fields.at(i).name() for i in layer.primaryKeyAttributes()
            if 0 <= i < fields.count()}
    return [f.name() for f in fields if f.isNumeric() and f.name() != plot_id
            and f.name() not in keys and f.name().lower() not in NOT_TAXA_FIELDS]


def is_botaclip_output(layer) -> bool:
    """Whether ``layer`` is one BotaCLIP added as a result (see layers.OUTPUT_PROPERTY)."""
    from ..layers import OUTPUT_PROPERTY

    return bool(layer is not None and layer.customProperty(OUTPUT_PROPERTY, ""))


def preselect_releves(combo: QgsMapLayerComboBox, iface) -> None:
    """Choose the layer that looks most like relevés: the active layer when it has taxon
    columns, else the one with the most (a name with 'relevé', 'plot'... breaks ties); never
    a layer BotaCLIP wrote. The combo's own default is just the first layer by name."""
    layers = [combo.layer(i) for i in range(combo.count())]
    layers = [lyr for lyr in layers if lyr is not None and not is_botaclip_output(lyr)]
    if not layers:
        return
    active = iface.activeLayer() if iface is not None else None
    if active in layers and taxon_fields(active):
        combo.setLayer(active)
        return

    def score(layer):
        named = any(k in layer.name().lower() for k in RELEVE_KEYWORDS)
        return (len(taxon_fields(layer)), named)

    best = max(layers, key=score)
    if score(best) > (0, False) or is_botaclip_output(combo.currentLayer()):
        combo.setLayer(best)


class TaxonColumns(QWidget):
    """The taxon columns of a relevé layer (see :func:`taxon_fields`) as a checkable list
    with a search box and All / None buttons (which act on the columns the search shows).
    What the user ticks is kept while the dialog lives (per column name)."""

    changed = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._checked: dict[str, bool] = {}
        self.search = QLineEdit()
        self.search.setObjectName("botaclip_taxon_search")
        self.search.setPlaceholderText(tr("Search taxa…"))
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(tr("Type part of a taxon's name to show only the matching "
                                  "columns; All and None then act on those."))
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setMinimumHeight(100)
        self.list.setToolTip(tr("Tick the columns that hold taxa (covers, presence or "
                                "counts); all are ticked at first. Identifiers, coordinates "
                                "and BotaCLIP's own fields are not listed."))
        self.count_label = QLabel()
        all_btn, none_btn = QPushButton(tr("All")), QPushButton(tr("None"))
        all_btn.clicked.connect(lambda: self.set_all(True))
        none_btn.clicked.connect(lambda: self.set_all(False))
        vbox = QVBoxLayout(self)
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.addWidget(self.search)
        vbox.addWidget(self.list)
        row = QHBoxLayout()
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        row.addStretch(1)
        row.addWidget(self.count_label)
        vbox.addLayout(row)
        self.setToolTip(tr("The columns holding taxa (covers, presence or counts). "
                           "Identifiers, coordinates and BotaCLIP's own fields are not "
                           "listed."))
        self.list.itemChanged.connect(self._toggled)

    def fill(self, layer, plot_id: str = "") -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for name in taxon_fields(layer, plot_id):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = self._checked.get(name, True)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._filter(self.search.text())
        self.changed.emit()

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())
        self._count()

    def _count(self) -> None:
        self.count_label.setText(tr("{n} of {total} ticked").format(
            n=len(self.columns()), total=self.list.count()))

    def _toggled(self, item) -> None:
        self._checked[item.text()] = item.checkState() == Qt.CheckState.Checked
        self._count()
        self.changed.emit()

    def set_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            if not item.isHidden():
                item.setCheckState(state)
                self._checked[item.text()] = on
        self.list.blockSignals(False)
        self._count()
        self.changed.emit()

    def count(self) -> int:
        return self.list.count()

    def item(self, row: int):
        return self.list.item(row)

    def columns(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]


class ReleveInputs(QObject):
    """Orthophoto, relevé layer, plot id column, taxon columns and cover scale as rows of a
    form. The plot id ('plot_id' when there is one), the taxon columns and the output folder
    given to :meth:`propose_folder` follow the relevé layer."""

    changed = pyqtSignal()

    def __init__(self, form, iface, parent=None):
        super().__init__(parent)
        self._folder: QgsFileWidget | None = None
        self._folder_name = ""
        self._folder_auto = True
        self.ortho = ortho_combo(tr("The aerial image (any raster QGIS reads from a file)."))
        form.addRow(tr("Orthophoto"), self.ortho)

        self.releves = QgsMapLayerComboBox()
        self.releves.setFilters(LAYER_FILTER_POINT | LAYER_FILTER_POLYGON)
        self.releves.setToolTip(tr("Vegetation plots: one point (or polygon) per relevé, one "
                                   "numeric column per taxon."))
        form.addRow(tr("Relevés"), self.releves)

        self.plot_id = QgsFieldComboBox()
        self.plot_id.setAllowEmptyFieldName(True)
        self.plot_id.setToolTip(tr("The column that names each plot. Empty: 'plot_id' if "
                                   "there is one, else the feature id."))
        form.addRow(tr("Plot id column"), self.plot_id)

        self.species = TaxonColumns()
        form.addRow(tr("Taxon columns"), self.species)

        self.cover_scale = cover_scale_combo()
        form.addRow(tr("Cover scale"), self.cover_scale)

        preselect_releves(self.releves, iface)
        self._releves_changed(self.releves.currentLayer())
        self.ortho.layerChanged.connect(self.changed)
        self.releves.layerChanged.connect(self._releves_changed)
        self.plot_id.fieldChanged.connect(self.fill_species)
        self.species.changed.connect(self.changed)

    def _releves_changed(self, layer) -> None:
        self.plot_id.setLayer(layer)
        if layer is not None and layer.fields().indexOf("plot_id") >= 0:
            self.plot_id.setField("plot_id")
        self.fill_species()
        self._propose_folder(layer)
        self.changed.emit()

    def propose_folder(self, widget: QgsFileWidget, name: str) -> None:
        """Keep ``widget`` at ``<folder of the relevé file>/<name>`` until the user edits it."""
        self._folder, self._folder_name = widget, name
        widget.fileChanged.connect(self._folder_edited)
        self._propose_folder(self.releves.currentLayer())

    def _propose_folder(self, layer) -> None:
        folder = folder_beside(layer, self._folder_name)
        if self._folder is not None and self._folder_auto and folder:
            set_path_quietly(self._folder, folder)

    def _folder_edited(self, *_args) -> None:
        self._folder_auto = False
        self.changed.emit()

    def fill_species(self, *_args) -> None:
        self.species.fill(self.releves.currentLayer(), self.plot_id.currentField())

    def species_columns(self) -> list[str]:
        return self.species.columns()

    def validation_error(self) -> str:
        error = ortho_error(self.ortho.currentLayer())
        if error:
            return error
        if self.releves.currentLayer() is None:
            return tr("Add a relevé layer (points) to the project and choose it.")
        if self.species.count() == 0:
            return tr("The relevé layer has no numeric column to read as taxa. For a long "
                      "table (plot, taxon, cover) use 'Import relevés from a long table…' "
                      "first.")
        if not self.species_columns():
            return tr("Tick at least one taxon column.")
        return ""

    def kwargs(self) -> dict:
        """``ortho``, ``releves`` (files) and ``options`` (a ReleveOptions) for the
        backend."""
        from ...backend.releves import ReleveOptions

        options = ReleveOptions(plot_id=self.plot_id.currentField() or None,
                                species_columns=self.species_columns(),
                                cover_scale=self.cover_scale.currentData())
        return {"ortho": raster_source(self.ortho.currentLayer()),
                "releves": vector_source(self.releves.currentLayer()), "options": options}


class BandInputs(QObject):
    """Sensor (a band preset), band wavelengths and patch size as rows of a form."""

    def __init__(self, form, patch_tooltip: str, parent=None):
        super().__init__(parent)
        self.sensor = sensor_combo()
        form.addRow(tr("Sensor"), self.sensor)

        self.wavelengths = QLineEdit()
        self.wavelengths.setPlaceholderText(tr("optional, e.g. 0.665, 0.56, 0.49, 0.842"))
        self.wavelengths.setToolTip(tr("Centre wavelength of each band in micrometres, in band "
                                       "order, e.g. 0.665, 0.56, 0.49, 0.842 for red, green, "
                                       "blue, near-infrared; overrides the sensor. Empty "
                                       "(the default): from the sensor."))
        form.addRow(tr("Band wavelengths (µm)"), self.wavelengths)

        self.patch = QDoubleSpinBox()
        self.patch.setRange(1.0, 10000.0)
        self.patch.setDecimals(1)
        self.patch.setValue(100.0)
        self.patch.setSuffix(tr(" m"))
        self.patch.setToolTip(patch_tooltip)
        form.addRow(tr("Patch size"), self.patch)

    def set_enabled(self, enabled: bool) -> None:
        for w in (self.sensor, self.wavelengths, self.patch):
            w.setEnabled(enabled)

    def kwargs(self) -> dict:
        """``sensor``, ``wavelengths`` and ``patch_m`` for the backend."""
        return {"sensor": self.sensor.currentData(),
                "wavelengths": self.wavelengths.text().strip() or None,
                "patch_m": self.patch.value()}


class BackboneInputs(QObject):
    """Backbone, timm model name, weights file and the random-weights switch, as rows of a
    form. Empty weights: the DOFA file is looked up in the weights folder of the settings."""

    changed = pyqtSignal()

    def __init__(self, form, settings: Settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.backbone = enum_combo(BACKBONE_LABELS, "dofa-base")
        self.backbone.setToolTip(tr("The frozen image model. DOFA base (the default) reads "
                                    "any bands through their wavelengths; timm models read "
                                    "red, green and blue; the spectral baseline needs no "
                                    "weights and runs in seconds, to try a set-up."))
        form.addRow(tr("Backbone"), self.backbone)
        self.timm_name = QLineEdit()
        self.timm_name.setPlaceholderText(tr("timm model name, e.g. resnet50"))
        self.timm_name.setToolTip(tr("The name of the timm image model, as timm spells it "
                                     "(e.g. resnet50); its weights file goes in Weights."))
        self.timm_label = QLabel(tr("timm model"))
        form.addRow(self.timm_label, self.timm_name)
        self.weights = QgsFileWidget()
        self.weights.setFilter(tr("Weights files (*.safetensors *.pth *.pt *.ckpt *.bin);;"
                                  "All files (*.*)"))
        self.weights.setToolTip(tr("The backbone's weights file. Empty: the DOFA file is "
                                   "looked up in the weights folder of BotaCLIP > "
                                   "Settings…."))
        self.random = QCheckBox(tr("Random weights (testing only)"))
        self.random.setToolTip(tr("Seeded random backbone weights, to test a set-up without "
                                  "the weights file: the results mean nothing. Recorded in "
                                  "every output."))
        box = QWidget()
        vbox = QVBoxLayout(box)
        vbox.setContentsMargins(0, 0, 0, 0)
        vbox.addWidget(self.weights)
        vbox.addWidget(self.random)
        self.weights_label = QLabel(tr("Weights"))
        form.addRow(self.weights_label, box)
        self.weights_box = box
        self.backbone.currentIndexChanged.connect(self._update)
        self.timm_name.textChanged.connect(self.changed)
        self.weights.fileChanged.connect(self.changed)
        self.random.toggled.connect(self._update)
        self._update()

    def key(self) -> str:
        return self.backbone.currentData()

    def _update(self, *_args) -> None:
        key = self.key()
        self.timm_name.setVisible(key == "timm")
        self.timm_label.setVisible(key == "timm")
        self.weights_box.setEnabled(needs_weights(key))
        self.weights.setEnabled(not self.random.isChecked())
        self.weights.lineEdit().setPlaceholderText(
            tr("empty: look in {folder}").format(folder=self.weights_folder()))
        self.changed.emit()

    def validation_error(self) -> str:
        key = self.key()
        if key == "timm" and not self.timm_name.text().strip():
            return tr("Give the timm model's name (e.g. resnet50).")
        if not needs_weights(key) or self.random.isChecked():
            return ""
        path = self.weights.filePath().strip()
        if path and not os.path.isfile(path):
            return tr("The weights file {path} does not exist.").format(path=path)
        if key == "timm" and not path:
            return tr("A timm backbone needs its weights file.")
        if not path and not self.found_weights():
            return tr("{backbone} needs its weights file, and none is in the weights folder "
                      "{folder}. Choose the file, or use the spectral baseline, which needs "
                      "none.").format(backbone=choice_label(BACKBONE_LABELS, key).split(" (")[0],
                                      folder=self.weights_folder())
        return ""

    def weights_folder(self) -> str:
        """Where a DOFA file is looked up: the settings' folder, else the default one."""
        from ...backend.models.weight_files import default_weights_dir

        return self.settings.weights_folder or str(default_weights_dir())

    def found_weights(self) -> str:
        """The DOFA weights file the run would use from the weights folder ("" if none)."""
        from ...backend.errors import BotaclipError
        from ...backend.models.weight_files import find_dofa_weights

        try:
            return str(find_dofa_weights(self.key(), self.weights_folder()))
        except BotaclipError:
            return ""

    def fixes(self) -> list:
        """One-click ways out of :meth:`validation_error` (label, slot)."""
        if not needs_weights(self.key()) or self.random.isChecked() or self.key() == "timm":
            return []
        if self.weights.filePath().strip() or self.found_weights():
            return []
        return [(tr("Get weights…"), self.get_weights),
                (tr("Choose weights file…"), self.choose_weights),
                (tr("Use the spectral baseline"), self.use_spectral)]

    def get_weights(self) -> None:
        """The weights manager on this folder: download or import, then re-validate."""
        from .weights_dialog import open_weights_dialog

        open_weights_dialog(self.weights_folder(), self.weights.window(), self._update)

    def choose_weights(self) -> None:
        from qgis.PyQt.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self.weights, tr("Backbone weights file"), self.weights_folder(),
            self.weights.filter())
        if path:
            self.weights.setFilePath(path)

    def use_spectral(self) -> None:
        self.backbone.setCurrentIndex(self.backbone.findData("spectral"))

    def kwargs(self) -> dict:
        """``backbone``, ``weights`` and ``weights_dir`` for the backend."""
        key = self.key()
        if needs_weights(key) and self.random.isChecked():
            weights = "none"
        else:
            weights = (self.weights.filePath().strip() or None) if needs_weights(key) else None
        return {"backbone": backbone_name(key, self.timm_name.text()), "weights": weights,
                "weights_dir": self.settings.weights_folder or None}

    def set_backbone_enabled(self, enabled: bool) -> None:
        """Enable or disable the choice of backbone (the embed dialog disables it for a model
        folder, which names its own backbone; a weights file may still replace the one the
        model recorded)."""
        for w in (self.backbone, self.timm_name, self.timm_label, self.random):
            w.setEnabled(enabled)
        self.weights_box.setEnabled(not enabled or needs_weights(self.key()))
        self.weights.setEnabled(not (enabled and self.random.isChecked()))


def add_plot_rows(dialog, iface) -> None:
    """The rows of a dialog that reads plots from an orthophoto: :class:`ReleveInputs` and
    :class:`BandInputs` (patches centred on the plots), with their widgets as attributes of
    ``dialog`` (``ortho``, ``releves``, ``plot_id``, ``species``, ``cover_scale``,
    ``sensor``, ``wavelengths``, ``patch``)."""
    dialog.inputs = ReleveInputs(dialog.form, iface, dialog)
    for name in ("ortho", "releves", "plot_id", "species", "cover_scale"):
        setattr(dialog, name, getattr(dialog.inputs, name))
    dialog.bands = BandInputs(dialog.form, tr(
        "Side of the square image patch centred on each plot, in metres (default 100 m, "
        "as in the BotaCLIP paper): the image the model reads for each relevé."), dialog)
    for name in ("sensor", "wavelengths", "patch"):
        setattr(dialog, name, getattr(dialog.bands, name))
