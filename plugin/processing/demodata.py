"""Processing algorithm ``botaclip:demodata``: the synthetic demo landscape."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingUtils,
)

from ..compat import NUMBER_DOUBLE, NUMBER_INTEGER, SOURCE_VECTOR_POINT
from ..i18n import tr
from .base import BotaclipAlgorithm, StylePostProcessor


class DemoDataAlgorithm(BotaclipAlgorithm):
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    SIZE_M = "SIZE_M"
    SEED = "SEED"

    def name(self) -> str:
        return "demodata"

    def displayName(self) -> str:  # noqa: N802
        return tr("Create demo landscape")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Writes a synthetic alpine landscape to try BotaCLIP without your own data: a "
            "4-band orthophoto (red, green, blue, near-infrared, 0.5 m pixels), vegetation "
            "relevés (a point layer with one cover column per taxon, and the same relevés as "
            "a long table with a plot table of coordinates), butterfly transect points, soil "
            "nematode samples, and the ground truth (habitat, elevation, moisture) they were "
            "drawn from. Everything is made up (placed in Lambert-93 in the French Alps so "
            "that it looks at home): the same size and seed always give the same files.\n\n"
            "Inputs\n"
            "Output folder: where the files are written; it must be new, empty or hold demo "
            "data written before (other files in it are never touched). Nothing appears in "
            "it until the whole set is written.\n"
            "Scene size: the side of the square scene in metres, from 300 to 20000 (default "
            "2000, which takes about a minute).\n"
            "Random seed: another number gives another landscape (default 0).\n\n"
            "Outputs\n"
            "Output folder: the folder holding everything below, with a README.txt.\n"
            "Orthophoto and Relevés: the GeoTIFF and the relevé point layer, loaded into the "
            "project, styled.\n"
            "Relevés as a long table: releves_long.csv (plot_id, taxon, Braun-Blanquet cover) "
            "and Plot table with coordinates: plots.csv (plot_id, x, y, elevation, habitat), "
            "to try 'Import relevés from a long table'.\n"
            "Butterflies (0/1 per species along transects) and Soil samples (nematode counts "
            "per group): point layers to try 'Predict map'.\n"
            "Number of relevés and Number of taxa: counts, for the Modeler and scripts.")

    def initAlgorithm(self, config=None):  # noqa: N802
        from ...backend.demo import MAX_SIZE_M, MIN_SIZE_M

        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, tr("Output folder")))
        self.addParameter(QgsProcessingParameterNumber(
            self.SIZE_M, tr("Scene size (m)"), NUMBER_DOUBLE, 2000.0, False, MIN_SIZE_M,
            MAX_SIZE_M))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, tr("Random seed"), NUMBER_INTEGER, 0, False, 0, 2**31 - 1))
        self.addOutput(QgsProcessingOutputRasterLayer("ORTHOPHOTO", tr("Orthophoto")))
        self.addOutput(QgsProcessingOutputVectorLayer("RELEVES", tr("Relevés"),
                                                      SOURCE_VECTOR_POINT))
        self.addOutput(QgsProcessingOutputFile("RELEVES_LONG",
                                               tr("Relevés as a long table (CSV)")))
        self.addOutput(QgsProcessingOutputFile("PLOTS_TABLE",
                                               tr("Plot table with coordinates (CSV)")))
        self.addOutput(QgsProcessingOutputVectorLayer("BUTTERFLIES", tr("Butterflies"),
                                                      SOURCE_VECTOR_POINT))
        self.addOutput(QgsProcessingOutputVectorLayer("SOIL", tr("Soil samples"),
                                                      SOURCE_VECTOR_POINT))
        self.addOutput(QgsProcessingOutputNumber("N_RELEVES", tr("Number of relevés")))
        self.addOutput(QgsProcessingOutputNumber("N_TAXA", tr("Number of taxa")))

    def run_backend(self, parameters, context, progress):
        from ...backend.demo import generate_demo_data

        folder = self.parameterAsFileOutput(parameters, self.OUTPUT_FOLDER, context)
        size = self.parameterAsDouble(parameters, self.SIZE_M, context)
        seed = self.parameterAsInt(parameters, self.SEED, context)
        res = generate_demo_data(folder, size_m=size, seed=seed, progress=progress)
        layers = {"ORTHOPHOTO": (res.orthophoto, tr("Orthophoto (demo)"), "orthophoto",
                                 QgsProcessingUtils.LayerHint.Raster),
                  "RELEVES": (res.releves, tr("Relevés (demo)"), "releves",
                              QgsProcessingUtils.LayerHint.Vector)}
        for key, (path, name, style, hint) in layers.items():
            details = QgsProcessingContext.LayerDetails(name, context.project(), key, hint)
            details.setPostProcessor(StylePostProcessor.create(style))
            context.addLayerToLoadOnCompletion(str(path), details)
        return {self.OUTPUT_FOLDER: str(res.out_dir), "ORTHOPHOTO": str(res.orthophoto),
                "RELEVES": str(res.releves), "RELEVES_LONG": str(res.releves_long),
                "PLOTS_TABLE": str(res.plots), "BUTTERFLIES": str(res.butterflies),
                "SOIL": str(res.soil), "N_RELEVES": res.n_releves, "N_TAXA": len(res.taxa)}
