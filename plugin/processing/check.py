"""Processing algorithm ``botaclip:check``: can this orthophoto and these relevés be used
together?"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorDestination,
)

from ..compat import NUMBER_DOUBLE, SOURCE_VECTOR_POINT
from ..i18n import tr
from .base import BotaclipAlgorithm


class CheckAlgorithm(BotaclipAlgorithm):
    # ORTHO ... PATCH_M: see BotaclipAlgorithm
    MIN_VALID = "MIN_VALID"
    OUTPUT_PLOTS = "OUTPUT_PLOTS"
    OUTPUT_JSON = "OUTPUT_JSON"
    CONTACT_SHEET = "CONTACT_SHEET"

    def name(self) -> str:
        return "check"

    def displayName(self) -> str:  # noqa: N802
        return tr("Check orthophoto and relevés")

    def shortHelpString(self) -> str:  # noqa: N802
        return "\n".join((tr(
            "Checks, before any model is trained, that your orthophoto and your vegetation "
            "relevés can be used together, and says for every plot whether it is usable and "
            "why not: its plot id is used twice, it has no coordinates, its centre is "
            "outside the orthophoto, too little of the image patch around it holds pixels, "
            "or no taxon is recorded in it. Nothing is dropped silently.\n\n"
            "Inputs"),
            self.releve_help(exclude_columns=True), self.band_help(), tr(
            "Minimum valid fraction of a patch: the share of the patch that must hold image "
            "pixels, not no-data, for the plot to be usable (0 to 1, default 0.8); lower it "
            "for plots near the edge of the orthophoto.\n\n"
            "Outputs\n"
            "Plots with their status: the plots as points with a status field (usable, or "
            "the reason why not), loaded styled.\n"
            "Report (JSON): the count of each status, the plots that cannot be used and why, "
            "taxon frequencies and raster details, for scripts.\n"
            "Contact sheet (PNG, optional): image patches of sample plots side by side, to "
            "see what the model will see.\n"
            "Usable plots, Plots and Taxa: the counts, also written in the log.")))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_releve_parameters(exclude_columns=True)
        self.add_band_parameters()
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

        inputs = self.releve_inputs(parameters, context)
        bands = self.band_kwargs(parameters, context)
        plots_out = self.parameterAsOutputLayer(parameters, self.OUTPUT_PLOTS, context)
        json_out = self.parameterAsFileOutput(parameters, self.OUTPUT_JSON, context)
        sheet = self.parameterAsFileOutput(parameters, self.CONTACT_SHEET, context)
        report = check_data(
            **inputs, **bands,
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
