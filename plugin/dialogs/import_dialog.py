"""Import relevés from a long table (plot, taxon, cover) and a plot table with coordinates."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from qgis.core import Qgis, QgsCoordinateReferenceSystem
from qgis.gui import QgsFileWidget, QgsProjectionSelectionWidget
from qgis.PyQt.QtWidgets import QComboBox

from ...backend.releves import import_releves, sniff_delimiter
from ..i18n import tr
from ..layers import add_vector_layer
from ..tasks import BackendTask
from .base import TaskDialog
from .common import cover_scale_combo

CSV_FILTER = "CSV (*.csv *.tsv *.txt);;" + "All files (*)"
HEAD_BYTES = 64 * 1024

# first matching column name (lower case) is preselected
GUESSES = {
    "plot_id": ("plot_id", "plot", "releve_id", "releve", "relevé", "site", "site_id", "id"),
    "taxon": ("taxon", "species", "taxon_name", "species_name", "taxa", "espece", "espèce"),
    "cover": ("cover", "cover_percent", "cover_pct", "abundance", "cover_code", "bb",
              "recouvrement", "abondance"),
    "x": ("x", "easting", "lon", "longitude", "long", "lng", "xcoord", "x_coord"),
    "y": ("y", "northing", "lat", "latitude", "ycoord", "y_coord"),
}


def csv_header(path) -> list[str]:
    """Column names of a CSV (delimiter sniffed like the backend does); [] if unreadable."""
    try:
        with open(path, "rb") as f:
            raw = f.read(HEAD_BYTES)
    except OSError:
        return []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="ignore")
    else:
        if len(raw) == HEAD_BYTES and b"\n" in raw:
            raw = raw[:raw.rfind(b"\n")]      # do not cut a character in two
        text = ""
        for enc in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    if not text:
        return []
    for row in csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)):
        names = [c.strip() for c in row]
        if any(names):
            while names and not names[-1]:
                names.pop()
            return names
    return []


def guess(names: list[str], key: str) -> int:
    lower = [n.lower() for n in names]
    for candidate in GUESSES[key]:
        if candidate in lower:
            return lower.index(candidate)
    return -1


class ImportDialog(TaskDialog):
    help_section = "import-releves"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: import relevés from a long table"))
        self._out_auto = True
        self.result = None

        self.table = QgsFileWidget()
        self.table.setFilter(CSV_FILTER)
        self.table.setToolTip(tr("The long table, a CSV file with one row per taxon in a "
                                 "plot: plot id, taxon name, cover (as exported from "
                                 "Turboveg or a spreadsheet; comma, semicolon or tab)."))
        self.form.addRow(tr("Long table (CSV)"), self.table)
        self.table_plot_id = QComboBox()
        self.taxon = QComboBox()
        self.cover = QComboBox()
        self.table_plot_id.setToolTip(tr("The column of the long table that names the plot "
                                         "of each row; chosen from its name (plot_id, "
                                         "releve...) when it can be guessed."))
        self.taxon.setToolTip(tr("The column of the long table that holds the taxon name. "
                                 "Names are tidied (spaces, capitals, 'subsp.'), not matched "
                                 "to a checklist."))
        self.cover.setToolTip(tr("The column of the long table that holds the cover: "
                                 "Braun-Blanquet codes, percentages, fractions, presence "
                                 "marks or counts (see Cover scale)."))
        self.form.addRow(tr("Plot id column"), self.table_plot_id)
        self.form.addRow(tr("Taxon column"), self.taxon)
        self.form.addRow(tr("Cover column"), self.cover)
        self.cover_scale = cover_scale_combo()
        self.form.addRow(tr("Cover scale"), self.cover_scale)

        self.header = QgsFileWidget()
        self.header.setFilter(CSV_FILTER)
        self.header.setToolTip(tr("The plot table, a CSV file with one row per plot: its "
                                  "plot id and coordinates. A plot id found twice is "
                                  "refused."))
        self.form.addRow(tr("Plot table (CSV)"), self.header)
        self.plot_id = QComboBox()
        self.x = QComboBox()
        self.y = QComboBox()
        self.plot_id.setToolTip(tr("The column of the plot table that names each plot, as "
                                   "in the long table (the names may differ)."))
        self.x.setToolTip(tr("The column of the plot table with the X coordinate: easting, "
                             "or longitude in degrees (then EPSG:4326 below)."))
        self.y.setToolTip(tr("The column of the plot table with the Y coordinate: northing, "
                             "or latitude in degrees (then EPSG:4326 below)."))
        self.form.addRow(tr("Plot id column (plot table)"), self.plot_id)
        self.form.addRow(tr("X column"), self.x)
        self.form.addRow(tr("Y column"), self.y)

        self.crs = QgsProjectionSelectionWidget()
        self.crs.setOptionVisible(QgsProjectionSelectionWidget.CrsOption.CrsNotSet, True)
        self.crs.setNotSetText(tr("Choose the CRS of the X and Y columns"))
        self.crs.setCrs(QgsCoordinateReferenceSystem())
        self.crs.setToolTip(tr("The coordinate reference system of X and Y, e.g. EPSG:4326 "
                               "for longitude/latitude in degrees, EPSG:2154 for "
                               "Lambert-93."))
        self.form.addRow(tr("CRS of X/Y"), self.crs)

        self.output = QgsFileWidget()
        self.output.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.output.setFilter("GeoPackage (*.gpkg)")
        self.output.setToolTip(tr("The relevé layer to write, a GeoPackage: one point per "
                                  "plot, one column per taxon. Proposed beside the long "
                                  "table."))
        self.form.addRow(tr("Output layer"), self.output)

        self.table.fileChanged.connect(self._table_changed)
        self.header.fileChanged.connect(self._header_changed)
        self.output.fileChanged.connect(self._output_edited)
        self.crs.crsChanged.connect(self.refresh)
        for combo in (self.table_plot_id, self.taxon, self.cover, self.plot_id, self.x, self.y):
            combo.currentIndexChanged.connect(self.refresh)
        self.finish_layout()

    # ------------------------------------------------------------------ inputs
    @staticmethod
    def _fill(combo: QComboBox, names: list[str], key: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(names)
        combo.setCurrentIndex(guess(names, key) if names else -1)
        combo.blockSignals(False)

    def _table_changed(self, path: str) -> None:
        names = csv_header(path) if os.path.isfile(path) else []
        self._fill(self.table_plot_id, names, "plot_id")
        self._fill(self.taxon, names, "taxon")
        self._fill(self.cover, names, "cover")
        if self._out_auto and os.path.isfile(path):
            p = Path(path)
            self.output.blockSignals(True)
            self.output.setFilePath(str(p.with_name(p.stem + "_releves.gpkg")))
            self.output.blockSignals(False)
        self.refresh()

    def _header_changed(self, path: str) -> None:
        names = csv_header(path) if os.path.isfile(path) else []
        self._fill(self.plot_id, names, "plot_id")
        self._fill(self.x, names, "x")
        self._fill(self.y, names, "y")
        self.refresh()

    def _output_edited(self, *_args) -> None:
        self._out_auto = False
        self.refresh()

    def validation_error(self) -> str:
        table, header = self.table.filePath().strip(), self.header.filePath().strip()
        if not table or not os.path.isfile(table):
            return tr("Choose the long table (a CSV file).")
        if self.taxon.count() == 0:
            return tr("No column names found in {path}: is it a CSV file?").format(path=table)
        if not header or not os.path.isfile(header):
            return tr("Choose the plot table (a CSV file with coordinates).")
        if self.x.count() == 0:
            return tr("No column names found in {path}: is it a CSV file?").format(path=header)
        for combo, what in ((self.table_plot_id, tr("plot id")), (self.taxon, tr("taxon")),
                            (self.cover, tr("cover")), (self.plot_id, tr("plot id")),
                            (self.x, "X"), (self.y, "Y")):
            if combo.currentIndex() < 0:
                return tr("Choose the {what} column.").format(what=what)
        if self.x.currentText() == self.y.currentText():
            return tr("X and Y must be two different columns.")
        if not self.crs.crs().isValid():
            return tr("Choose the CRS of the X and Y columns.")
        out = self.output.filePath().strip()
        if not out:
            return tr("Choose where to write the relevé layer.")
        if Path(out).suffix.lower() != ".gpkg":
            return tr("The output must be a GeoPackage (.gpkg) file.")
        return ""

    # ------------------------------------------------------------------ running
    def output_paths(self) -> list:
        return [self.output.filePath().strip()]

    def make_task(self) -> BackendTask:
        out = self.output.filePath().strip()
        table_plot_id = self.table_plot_id.currentText()
        return BackendTask(
            tr("Import relevés"), import_releves,
            dict(table=self.table.filePath().strip(), header=self.header.filePath().strip(),
                 plot_id=self.plot_id.currentText(), taxon=self.taxon.currentText(),
                 cover=self.cover.currentText(), x=self.x.currentText(),
                 y=self.y.currentText(), crs=self.crs.crs().authid() or self.crs.crs().toWkt(),
                 out=out, cover_scale=self.cover_scale.currentData(),
                 table_plot_id=(table_plot_id if table_plot_id != self.plot_id.currentText()
                                else None)))

    def on_success(self, result) -> None:
        self.result = result
        add_vector_layer(result.path, Path(result.path).stem, style="releves")
        self.show_message(tr("{plots} plots and {taxa} taxa written to {path} (covers read "
                             "as {scale}).").format(plots=result.n_plots, taxa=result.n_taxa,
                                                   path=result.path, scale=result.cover_scale),
                          Qgis.MessageLevel.Success, 10)
