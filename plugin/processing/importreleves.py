"""Processing algorithm ``botaclip:importreleves``: long table + plot table -> relevé layer."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
)

from ..compat import FILE_BEHAVIOR_FILE, SOURCE_VECTOR_POINT
from ..i18n import tr
from ..labels import cover_scale_label, cover_scales
from .base import BotaclipAlgorithm


class ImportRelevesAlgorithm(BotaclipAlgorithm):
    TABLE = "TABLE"
    HEADER = "HEADER"
    PLOT_ID = "PLOT_ID"
    TABLE_PLOT_ID = "TABLE_PLOT_ID"
    TAXON = "TAXON"
    COVER = "COVER"
    X = "X"
    Y = "Y"
    CRS = "CRS"
    COVER_SCALE = "COVER_SCALE"
    OUTPUT = "OUTPUT"

    def name(self) -> str:
        return "importreleves"

    def displayName(self) -> str:  # noqa: N802
        return tr("Import relevés from a long table")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Turns relevés kept as a long table -- one row per taxon in a plot: plot id, "
            "taxon name, cover, as exported from Turboveg or a spreadsheet -- and a plot "
            "table with the coordinates of each plot into a relevé point layer: one point "
            "per plot, one column per taxon, ready for the other BotaCLIP tools. A taxon "
            "recorded twice in a plot (tree and shrub layers) is combined; taxon names are "
            "tidied (spaces, capitals, 'subsp.'), not matched to a checklist.\n\n"
            "Inputs\n"
            "Long table: a CSV file (comma, semicolon or tab) with one row per taxon in a "
            "plot.\n"
            "Plot table with coordinates: a CSV file with one row per plot and its "
            "coordinates, or a point layer (then leave X and Y empty). A plot id that "
            "appears twice in it is refused.\n"
            "Plot id column: the column naming the plot, in both tables (default plot_id).\n"
            "Taxon column: the column of the long table holding the taxon name (default "
            "taxon).\n"
            "Cover column: the column of the long table holding the cover (default cover).\n"
            "X column and Y column: the coordinate columns of the plot table (default x and "
            "y), easting and northing, or longitude and latitude in degrees.\n"
            "CRS of X and Y: their coordinate reference system, e.g. EPSG:4326 for "
            "longitude/latitude, EPSG:2154 for Lambert-93.\n"
            "Cover scale: how the covers are written: Braun-Blanquet codes (r, +, 1, 2m, 2a, "
            "2b, 3, 4, 5, converted to percent), percentages, fractions, presence marks (1/0, "
            "x) or counts. Automatic (the default) recognises them; choose the scale when "
            "numbers alone are ambiguous.\n"
            "Plot id column of the long table: only when its name differs from the plot "
            "table's.\n\n"
            "Outputs\n"
            "Relevés: the relevé point layer (a GeoPackage), loaded styled.\n"
            "Plots and Taxa: how many of each it holds; the log says how the covers were "
            "read.")

    def initAlgorithm(self, config=None):  # noqa: N802
        csv_filter = tr("CSV files (*.csv *.tsv *.txt);;All files (*.*)")
        self.addParameter(QgsProcessingParameterFile(
            self.TABLE, tr("Long table (plot id, taxon, cover)"), FILE_BEHAVIOR_FILE, "",
            None, False, csv_filter))
        self.addParameter(QgsProcessingParameterFile(
            self.HEADER, tr("Plot table with coordinates (or a point layer)"),
            FILE_BEHAVIOR_FILE, "", None, False,
            tr("CSV or vector files (*.csv *.tsv *.txt *.gpkg *.shp *.geojson);;"
               "All files (*.*)")))
        self.addParameter(QgsProcessingParameterString(
            self.PLOT_ID, tr("Plot id column"), "plot_id"))
        self.addParameter(QgsProcessingParameterString(
            self.TAXON, tr("Taxon column (long table)"), "taxon"))
        self.addParameter(QgsProcessingParameterString(
            self.COVER, tr("Cover column (long table)"), "cover"))
        self.addParameter(QgsProcessingParameterString(
            self.X, tr("X column (plot table)"), "x", False, True))
        self.addParameter(QgsProcessingParameterString(
            self.Y, tr("Y column (plot table)"), "y", False, True))
        self.addParameter(QgsProcessingParameterCrs(
            self.CRS, tr("CRS of X and Y"), None, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.COVER_SCALE, tr("Cover scale"), [cover_scale_label(s) for s in cover_scales()],
            False, 0))
        self.addParameter(QgsProcessingParameterString(
            self.TABLE_PLOT_ID, tr("Plot id column of the long table, if named differently"),
            None, False, True))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, tr("Relevés"), SOURCE_VECTOR_POINT))
        self.addOutput(QgsProcessingOutputNumber("N_PLOTS", tr("Plots")))
        self.addOutput(QgsProcessingOutputNumber("N_TAXA", tr("Taxa")))

    def run_backend(self, parameters, context, progress):
        from ...backend.releves import import_releves

        def text(name):
            return self.parameterAsString(parameters, name, context).strip() or None

        crs = self.parameterAsCrs(parameters, self.CRS, context)
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        res = import_releves(
            self.parameterAsFile(parameters, self.TABLE, context),
            self.parameterAsFile(parameters, self.HEADER, context),
            plot_id=text(self.PLOT_ID), taxon=text(self.TAXON), cover=text(self.COVER),
            x=text(self.X), y=text(self.Y),
            crs=(crs.authid() or crs.toWkt()) if crs.isValid() else None, out=out,
            cover_scale=cover_scales()[self.parameterAsEnum(parameters, self.COVER_SCALE,
                                                            context)],
            table_plot_id=text(self.TABLE_PLOT_ID), progress=progress)
        progress.info(tr("{plots} plots, {taxa} taxa (covers read as {scale}).").format(
            plots=res.n_plots, taxa=res.n_taxa, scale=res.cover_scale))
        self.style_on_load(context, out, "releves")
        return {self.OUTPUT: str(res.path), "N_PLOTS": res.n_plots, "N_TAXA": res.n_taxa}
