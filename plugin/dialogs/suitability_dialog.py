"""Species suitability: per-taxon maps and the expected community from a model bundle and an
embedding raster made with it (``backend.zeroshot.suitability.suitability_map``), in QGIS's
task manager; the map comes back styled, and one message names the bands written.

Why the model is checked against the raster in the dialog, not only by the run: a raster made
with another model (or with a raw backbone) does not share the space of the model's relevé
encoder, so a run would give numbers that mean nothing; saying so before Run, with the reason
the backend gives (:func:`backend.zeroshot.community.check_model_embeddings`), spares a run.
The check loads the model, so it runs once per (model, raster) pair and its answer is kept.

The taxa are typed, separated by ';' (authorities hold commas), with a completer over the
model's species list (its config.json) for the name being typed, since a real model knows
thousands of taxa; a name it does not know is refused with the nearest known names.
"""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QStringListModel, Qt
from qgis.PyQt.QtWidgets import QAction, QCheckBox, QCompleter, QLabel, QLineEdit

from ..compat import LAYER_FILTER_RASTER
from ..i18n import tr
from ..layers import OUTPUT_PROPERTY, add_raster_layer, raster_source
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog
from .common import set_path_quietly
from .embed_dialog import model_config
from .predict_dialog import is_embedding_layer, same_file
from .targets import preselect

SUITABILITY_OUTPUT = "suitability"       # OUTPUT_PROPERTY of the layers added here
TOP_TAXA_ACTION = "botaclip_toptaxa"     # the plugin's "Top taxa here" action


def model_species(folder: str) -> list[str]:
    """The taxa a model folder knows (its config.json 'species'; empty when unreadable)."""
    config = model_config(folder) or {}
    species = config.get("species")
    return [str(s) for s in species] if isinstance(species, list) else []


def model_sha256(layer) -> str:
    """The ``BOTACLIP_MODEL_SHA256`` tag of a raster layer's file: the model bundle it was
    embedded with ("" when none, or not a file GDAL reads)."""
    if layer is None or layer.providerType() != "gdal":
        return ""
    from osgeo import gdal

    try:
        ds = gdal.OpenEx(layer.source(), gdal.OF_RASTER | gdal.OF_READONLY)
        return (ds.GetMetadataItem("BOTACLIP_MODEL_SHA256") or "") if ds is not None else ""
    except RuntimeError:
        return ""


def last_name(text: str) -> tuple[str, str]:
    """(the names already typed, with their separators; the name being typed after the last
    ';') of a taxa line."""
    head, sep, tail = text.rpartition(";")
    return head + sep, tail.strip()


class TaxaEdit(QLineEdit):
    """A line for taxa separated by ';', completing the name being typed from the model's
    species list (anywhere in the name, case ignored: 'palus' finds 'Caltha palustris')."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names = QStringListModel(self)
        self.completer_ = QCompleter(self.names, self)
        self.completer_.setWidget(self)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer_.activated[str].connect(self.insert_name)
        self.textEdited.connect(self.suggest)

    def set_species(self, names) -> None:
        self.names.setStringList(list(names))

    def suggest(self, text: str) -> int:
        """Offer the known names holding the one being typed; returns how many."""
        _head, prefix = last_name(text)
        if not prefix:
            self.completer_.popup().hide()
            return 0
        self.completer_.setCompletionPrefix(prefix)
        n = self.completer_.completionCount()
        if n and self.isVisible():
            self.completer_.complete()
        elif not n:
            self.completer_.popup().hide()
        return n

    def insert_name(self, name: str) -> None:
        """Replace the name being typed by ``name``, ready for the next one."""
        head, _prefix = last_name(self.text())
        self.setText(f"{head} {name}; " if head else f"{name}; ")


class SuitabilityDialog(TaskDialog):
    help_section = "suitability"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: species suitability"))
        self.result = None
        self._out_auto = True
        self._checked: dict = {}           # (model, raster, mtimes) -> the check's reason
        self.species: list[str] = []       # the chosen model's taxa (read once per choice)
        self.index = None                  # ... looked up by backend.zeroshot.names
        self._add_rows()
        self._connect()
        preselect(self.embeddings, is_embedding_layer)
        self._model_changed()
        self.finish_layout()

    # ------------------------------------------------------------------ form
    def _add_rows(self) -> None:
        self.model = folder_widget(tr("the folder 'Train model…' wrote"))
        self.model.setToolTip(tr("The model bundle (a folder made by 'Train model…'): its "
                                 "relevé encoder places each taxon in the space of the "
                                 "embedding raster made with it."))
        self.form.addRow(tr("Model folder"), self.model)
        self.model_info = QLabel()
        self.model_info.setObjectName("botaclip_model_info")
        self.model_info.setWordWrap(True)
        self.form.addRow("", self.model_info)
        self.embeddings = QgsMapLayerComboBox()
        self.embeddings.setFilters(LAYER_FILTER_RASTER)
        self.embeddings.setToolTip(tr("The embedding raster made with this model ('Embed "
                                      "orthophoto…' with the model folder); one made with "
                                      "another model or a raw backbone is refused."))
        self.form.addRow(tr("Embedding raster"), self.embeddings)
        self.taxa = TaxaEdit()
        self.taxa.setPlaceholderText(tr("e.g. Carex curvula; Nardus stricta"))
        self.taxa.setToolTip(tr("The taxa to map, one band each, separated by ';'. Names are "
                                "completed from the model's species list as you type."))
        self.form.addRow(tr("Taxa"), self.taxa)
        self.taxa_count = QLabel()
        self.taxa_count.setObjectName("botaclip_taxa_count")
        self.form.addRow("", self.taxa_count)
        self.all_taxa = QCheckBox(tr("All the model's taxa"))
        self.all_taxa.setToolTip(tr("One band for every taxon the model knows, instead of "
                                    "the taxa typed above."))
        self.form.addRow("", self.all_taxa)
        self.expected = QCheckBox(tr("Expected community (richness and most likely taxon)"))
        self.expected.setToolTip(tr(
            "Two more bands from soft retrieval over the relevés the model was trained on: "
            "the expected number of taxa and the most likely taxon at each pixel. Then "
            "'Top taxa here' lists the most likely taxa at a place you click."))
        self.form.addRow("", self.expected)
        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.output.setFilter(tr("GeoTIFF (*.tif)"))
        self.output.setToolTip(tr("The map to write: a cloud-optimised GeoTIFF, one band per "
                                  "taxon (the cosine of each pixel to the taxon, -1 to 1), "
                                  "then the expected community's bands."))
        self.form.addRow(tr("Suitability map"), self.output)

    def _connect(self) -> None:
        self.model.fileChanged.connect(self._model_changed)
        self.embeddings.layerChanged.connect(self._embedding_changed)
        self.taxa.textChanged.connect(self._taxa_changed)
        self.all_taxa.toggled.connect(self._taxa_changed)
        self.expected.toggled.connect(self.refresh)
        self.output.fileChanged.connect(self._output_edited)

    # ------------------------------------------------------------------ inputs
    def model_path(self) -> str:
        return self.model.filePath().strip()

    def _model_changed(self, *_args) -> None:
        """The species list goes to the completer; a raster made with the model is chosen."""
        from ...backend.zeroshot.names import TaxonIndex

        self.species = model_species(self.model_path())
        self.index = TaxonIndex(self.species) if self.species else None
        self.taxa.set_species(self.species)
        self.model_info.setText(tr("The model knows {n} taxa.").format(n=len(self.species))
                                if self.species else "")
        self.model_info.setVisible(bool(self.species))
        self._choose_embeddings()
        self._taxa_changed()

    def _choose_embeddings(self) -> None:
        """Preselect a raster embedded with the model (by its sha256 tag), if there is one."""
        path = self.model_path()
        if not self.species:
            return
        from ...backend.bundle import bundle_sha256

        try:
            sha = bundle_sha256(Path(path))
        except OSError:
            return
        if model_sha256(self.embeddings.currentLayer()) == sha:
            return
        combo = self.embeddings
        match = next((combo.layer(i) for i in range(combo.count())
                      if model_sha256(combo.layer(i)) == sha), None)
        if match is not None:            # none: the choice stays, and the check says why
            combo.setLayer(match)

    def _embedding_changed(self, *_args) -> None:
        layer = self.embeddings.currentLayer()
        if self._out_auto and layer is not None and os.path.isfile(layer.source()):
            source = Path(layer.source())
            set_path_quietly(self.output, str(source.with_name(source.stem
                                                               + "_suitability.tif")))
        self.refresh()

    def _taxa_changed(self, *_args) -> None:
        self.taxa.setEnabled(not self.all_taxa.isChecked())
        n = len(self.species) if self.all_taxa.isChecked() else len(self.typed_taxa())
        self.taxa_count.setText(tr("{n} taxon band(s)").format(n=n))
        self.refresh()

    def _output_edited(self, *_args) -> None:
        self._out_auto = False
        self.refresh()

    def typed_taxa(self) -> list[str]:
        return [t.strip() for t in self.taxa.text().split(";") if t.strip()]

    # ------------------------------------------------------------------ validation
    def validation_error(self) -> str:
        return self._model_error() or self._taxa_error() or self._output_error()

    def _model_error(self) -> str:
        path = self.model_path()
        if not path:
            return tr("Choose the model folder (made by 'Train model…').")
        if not self.species:
            return tr("{path} is not a model folder (it has no readable config.json with "
                      "the model's taxa).").format(path=path)
        layer = self.embeddings.currentLayer()
        if layer is None:
            return tr("Add the embedding raster made with this model to the project and "
                      "choose it.")
        if layer.providerType() != "gdal":
            return tr("The embedding raster must be a raster file; save '{name}' as a "
                      "GeoTIFF first.").format(name=layer.name())
        return self.model_check(path, layer.source())

    def model_check(self, model: str, raster: str) -> str:
        """Why ``raster`` cannot be used with ``model`` ("" when it can), checked once per
        pair and per change of either (by modification time)."""
        from ...backend.errors import BotaclipError
        from ...backend.zeroshot.community import check_model_embeddings

        def mtime(p):
            try:
                return os.path.getmtime(p)
            except OSError:
                return None

        key = (model, raster, mtime(os.path.join(model, "config.json")), mtime(raster))
        if key not in self._checked:
            try:
                check_model_embeddings(model, raster)
                self._checked[key] = ""
            except BotaclipError as exc:
                self._checked[key] = str(exc)
        return self._checked[key]

    def _taxa_error(self) -> str:
        if self.all_taxa.isChecked():
            return ""
        if not self.typed_taxa():
            return "" if self.expected.isChecked() else tr(
                "Type the taxa to map, tick 'All the model's taxa', or tick 'Expected "
                "community': there is nothing to map yet.")
        from ...backend.errors import BotaclipError

        for name in self.typed_taxa():
            if "=" in name:
                return tr("Per-taxon suitability places each taxon alone, without a cover: "
                          "remove '={cover}' after {name}.").format(
                    cover=name.rpartition("=")[2].strip(), name=name.rpartition("=")[0].strip())
            try:
                self.index.index(name, self.model_path())
            except BotaclipError as exc:
                return str(exc)
        return ""

    def _output_error(self) -> str:
        out = self.output.filePath().strip()
        if not out:
            return tr("Choose where to write the suitability map.")
        if Path(out).suffix.lower() not in (".tif", ".tiff"):
            return tr("The suitability map must be a GeoTIFF (.tif) file.")
        if same_file(out, self.embeddings.currentLayer().source()):
            return tr("The suitability map cannot replace the embedding raster; choose "
                      "another name.")
        return ""

    # ------------------------------------------------------------------ running
    def task_kwargs(self) -> dict:
        """The backend call's arguments (everything but ``progress``)."""
        every = self.all_taxa.isChecked()
        return dict(model_dir=self.model_path(),
                    embeddings=raster_source(self.embeddings.currentLayer()),
                    out=self.output.filePath().strip(),
                    taxa=None if every else (self.typed_taxa() or None), all_taxa=every,
                    expected_community=self.expected.isChecked())

    def make_task(self) -> BackendTask:
        from ...backend.zeroshot.suitability import suitability_map

        return BackendTask(tr("Species suitability"), suitability_map, self.task_kwargs())

    def output_paths(self) -> list:
        out = self.output.filePath().strip()
        return [out] if out else []

    def cancel_text(self) -> str:
        return tr("Cancelled: the suitability map was not written; the previous one, if any, "
                  "is unchanged.")

    def on_success(self, result) -> None:
        from ..processing.suitability import style_suitability_layer

        self.result = result
        layer = add_raster_layer(result.out, Path(str(result.out)).stem,
                                 output=SUITABILITY_OUTPUT)
        style_suitability_layer(layer)
        # a QML style brings its own custom properties: the kind of result is set again
        layer.setCustomProperty(OUTPUT_PROPERTY, SUITABILITY_OUTPUT)
        text = tr("Suitability map written with {n} band(s): {bands}.").format(
            n=len(result.bands), bands=", ".join(result.bands))
        rows = [tr("Written to {path}.").format(path=result.out),
                tr("A taxon band is the cosine of each pixel to the taxon (-1 to 1): it ranks "
                   "places for that taxon; two taxa's values are not comparable.")]
        if result.temperature is not None:
            lo, hi = result.richness_range
            rows.append(tr("Expected community: temperature {t:.3f}; the expected richness "
                           "lies between {lo:g} and {hi:g} taxa. Use 'Top taxa here' and "
                           "click the map to list the most likely taxa at a place.").format(
                t=result.temperature, lo=lo, hi=hi))
        self.report_result(text, Qgis.MessageLevel.Success, "\n".join(rows),
                           self._top_taxa_button() if result.temperature is not None else [])

    def _top_taxa_button(self) -> list:
        if self.iface is None:
            return []
        action = self.iface.mainWindow().findChild(QAction, TOP_TAXA_ACTION)
        return [(tr("Top taxa here"), action.trigger)] if action is not None else []
