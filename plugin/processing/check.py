"""Processing algorithm ``botaclip:check``: can this orthophoto and these relevés be used
together?"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
    QgsProcessingParameterVectorLayer,
)

from ..compat import (
    FIELD_TYPE_ANY,
    FIELD_TYPE_NUMERIC,
    NUMBER_DOUBLE,
    SOURCE_VECTOR_POINT,
    SOURCE_VECTOR_POLYGON,
)
from ..i18n import tr
from ..labels import cover_scale_label, cover_scales, sensor_choices
from .base import BotaclipAlgorithm


class CheckAlgorithm(BotaclipAlgorithm):
    ORTHO = "ORTHO"
    RELEVES = "RELEVES"
    PLOT_ID = "PLOT_ID"
    SPECIES_COLUMNS = "SPECIES_COLUMNS"
    EXCLUDE_COLUMNS = "EXCLUDE_COLUMNS"
    COVER_SCALE = "COVER_SCALE"
    SENSOR = "SENSOR"
    WAVELENGTHS = "WAVELENGTHS"
    PATCH_M = "PATCH_M"
    MIN_VALID = "MIN_VALID"
    OUTPUT_PLOTS = "OUTPUT_PLOTS"
    OUTPUT_JSON = "OUTPUT_JSON"
    CONTACT_SHEET = "CONTACT_SHEET"

    def name(self) -> str:
        return "check"

    def displayName(self) -> str:  # noqa: N802
        return tr("Check orthophoto and relevés")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Checks, before any model is trained, that your orthophoto and your vegetation "
            "relevés can be used together, and says for every plot whether it is usable and "
            "why not: its plot id is used twice, it has no coordinates, its centre is "
            "outside the orthophoto, too little of the image patch around it holds pixels, "
            "or no taxon is recorded in it. Nothing is dropped silently.\n\n"
            "Relevés: one point (or polygon) per plot with one numeric column per taxon "
            "(cover, presence or counts). Taxon columns: by default every numeric column "
            "except the plot id, coordinates and elevation. Cover scale: Automatic "
            "recognises Braun-Blanquet codes, presence marks, fractions, percentages and "
            "counts; choose it when numbers alone are ambiguous.\n\n"
            "Sensor: which camera or satellite took the image, so that each band gets its "
            "wavelength; Automatic reads the band names. Wavelengths (micrometres, one per "
            "band, e.g. 0.665,0.56,0.49) override it. Patch size: side of the square of "
            "image around each plot, in metres. Minimum valid fraction: share of the patch "
            "that must hold image pixels.\n\n"
            "Outputs: the plots with their status, a JSON report, and a contact sheet of "
            "sample patches to see what the model will see.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.ORTHO, tr("Orthophoto")))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.RELEVES, tr("Relevés"), [SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.PLOT_ID, tr("Plot id column"), None, self.RELEVES, FIELD_TYPE_ANY,
            False, True))
        self.addParameter(QgsProcessingParameterField(
            self.SPECIES_COLUMNS, tr("Taxon columns (default: every numeric column)"), None,
            self.RELEVES, FIELD_TYPE_NUMERIC, True, True))
        self.addParameter(QgsProcessingParameterField(
            self.EXCLUDE_COLUMNS, tr("Columns that are not taxa"), None, self.RELEVES,
            FIELD_TYPE_ANY, True, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.COVER_SCALE, tr("Cover scale"), [cover_scale_label(s) for s in cover_scales()],
            False, 0))
        self.addParameter(QgsProcessingParameterEnum(
            self.SENSOR, tr("Sensor"), [label for _name, label in sensor_choices()], False, 0))
        self.addParameter(QgsProcessingParameterString(
            self.WAVELENGTHS, tr("Band wavelengths in micrometres (e.g. 0.665,0.56,0.49)"),
            None, False, True))
        self.addParameter(QgsProcessingParameterNumber(
            self.PATCH_M, tr("Patch size (m)"), NUMBER_DOUBLE, 100.0, False, 0.1))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_VALID, tr("Minimum valid fraction of a patch"), NUMBER_DOUBLE, 0.8,
            False, 0.0, 1.0))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT_PLOTS, tr("Plots with their status"), SOURCE_VECTOR_POINT))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_JSON, tr("Report (JSON)"), tr("JSON files (*.json)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.CONTACT_SHEET, tr("Contact sheet (PNG)"), tr("PNG images (*.png)"), None,
            True, True))
        self.addOutput(QgsProcessingOutputNumber("PLOTS_USABLE", tr("Usable plots")))
        self.addOutput(QgsProcessingOutputNumber("PLOTS_TOTAL", tr("Plots")))
        self.addOutput(QgsProcessingOutputNumber("SPECIES", tr("Taxa")))

    def run_backend(self, parameters, context, progress):
        from ...backend.check import check_data
        from ...backend.io.releves import ReleveOptions

        ortho = self.raster_path(parameters, self.ORTHO, context)
        releves = self.vector_path(parameters, self.RELEVES, context)
        plot_id = self.parameterAsFields(parameters, self.PLOT_ID, context)
        species = self.parameterAsFields(parameters, self.SPECIES_COLUMNS, context)
        exclude = self.parameterAsFields(parameters, self.EXCLUDE_COLUMNS, context)
        scale = cover_scales()[self.parameterAsEnum(parameters, self.COVER_SCALE, context)]
        sensor = sensor_choices()[self.parameterAsEnum(parameters, self.SENSOR, context)][0]
        wavelengths = self.parameterAsString(parameters, self.WAVELENGTHS, context).strip()
        plots_out = self.parameterAsOutputLayer(parameters, self.OUTPUT_PLOTS, context)
        json_out = self.parameterAsFileOutput(parameters, self.OUTPUT_JSON, context)
        sheet = self.parameterAsFileOutput(parameters, self.CONTACT_SHEET, context)
        options = ReleveOptions(plot_id=plot_id[0] if plot_id else None,
                                species_columns=species or None,
                                exclude_columns=exclude or None, cover_scale=scale)
        report = check_data(
            ortho, releves, options, sensor=sensor, wavelengths=wavelengths or None,
            patch_m=self.parameterAsDouble(parameters, self.PATCH_M, context),
            min_valid=self.parameterAsDouble(parameters, self.MIN_VALID, context),
            contact_sheet=sheet or None, plots_out=plots_out, json_out=json_out or None,
            progress=progress)
        for line in report.summary().splitlines():
            progress.info(line)
        self.style_on_load(context, plots_out, "plot_status")
        results = {self.OUTPUT_PLOTS: plots_out, self.OUTPUT_JSON: json_out,
                   "PLOTS_USABLE": report.plots_usable, "PLOTS_TOTAL": report.plots_total,
                   "SPECIES": report.n_species}
        if sheet:
            results[self.CONTACT_SHEET] = sheet
        return results
