"""Processing algorithm ``botaclip:habitats``: habitat clusters (k-means on the embedding
raster) as a categorical map with a legend, k given or chosen by the Davies-Bouldin index."""

from __future__ import annotations

from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtGui import QColor

from ..compat import FILE_BEHAVIOR_FOLDER, NUMBER_INTEGER
from ..i18n import tr
from .similarity import ZeroShotAlgorithm


def style_habitat_layer(layer) -> None:
    """QGIS's paletted renderer from the file's colour table, labelled with its category
    names ("habitat 1"...). QGIS picks the paletted renderer for a band with a colour table
    by itself, but labels its classes with the values; the names are read here with GDAL
    (the provider does not expose them)."""
    from osgeo import gdal

    ds = gdal.Open(layer.source())
    band = ds.GetRasterBand(1) if ds is not None else None
    table = band.GetColorTable() if band is not None else None
    if table is None:
        return
    names = band.GetCategoryNames() or []
    nodata = band.GetNoDataValue()
    classes = []
    for value, name in enumerate(names):
        if not name or value == nodata:
            continue
        r, g, b, a = table.GetColorEntry(value)
        classes.append(QgsPalettedRasterRenderer.Class(value, QColor(r, g, b, a), name))
    if classes:
        layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))
        layer.triggerRepaint()


class HabitatsAlgorithm(ZeroShotAlgorithm):
    K = "K"
    K_MIN = "K_MIN"
    K_MAX = "K_MAX"
    SEED = "SEED"
    ORTHO = "ORTHO"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "habitats"

    def displayName(self) -> str:  # noqa: N802
        return tr("Habitat clusters")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Groups the pixels of an embedding raster into k habitat types by k-means "
            "(fitted on a sample of pixels, then every pixel given its nearest centre, block "
            "by block) and writes a categorical map with a colour per cluster and a legend "
            "(habitat 1, habitat 2...).\n\n"
            "Inputs\n"
            "Embedding raster: made by 'Embed orthophoto'; pixels that look alike in it end "
            "up in one habitat.\n"
            "Number of clusters: how many habitat types (default 8); 0 chooses k "
            "automatically, as in the BotaCLIP paper: the lowest Davies-Bouldin index "
            "(compact clusters far apart) over the k tried; the curve is written in the "
            "log.\n"
            "Smallest k tried and Largest k tried: the range of k, both included, when k is "
            "chosen automatically (default 3 to 15).\n"
            "Random seed: the same seed gives the same sample of pixels and the same map "
            "(default 0).\n"
            "Orthophoto: optional, for a thumbnail of a typical place of each cluster in the "
            "summary.\n"
            "Model folder: optional, the model the raster was made with, for the taxa most "
            "typical of each cluster in the summary.\n"
            "Summary folder: optional, where the summary is written.\n"
            "Habitat map: where the map is written.\n\n"
            "Outputs\n"
            "Habitat map: a categorical cloud-optimised GeoTIFF, habitat 1 the largest, with "
            "a colour and a name per cluster, loaded styled.\n"
            "Summary folder: clusters.json and clusters.html with each cluster's area, and "
            "the thumbnails and typical taxa asked for.\n"
            "Number of clusters: the k used.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.EMBEDDINGS, tr("Embedding raster")))
        self.addParameter(QgsProcessingParameterNumber(
            self.K, tr("Number of clusters (0: chosen by the Davies-Bouldin index)"),
            NUMBER_INTEGER, 8, False, 0, 255))
        self.addParameter(QgsProcessingParameterNumber(
            self.K_MIN, tr("Smallest k tried (automatic k)"), NUMBER_INTEGER, 3, False, 2,
            254))
        self.addParameter(QgsProcessingParameterNumber(
            self.K_MAX, tr("Largest k tried (automatic k)"), NUMBER_INTEGER, 15, False, 2,
            254))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, tr("Random seed"), NUMBER_INTEGER, 0, False, 0, 2**31 - 1))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.ORTHO, tr("Orthophoto, for thumbnails in the summary (optional)"), None,
            True))
        self.addParameter(QgsProcessingParameterFile(
            self.MODEL, tr("Model folder, for typical taxa in the summary (optional)"),
            FILE_BEHAVIOR_FOLDER, "", None, True))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.SUMMARY, tr("Summary folder (optional)"), None, True, False))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Habitat map")))
        self.addOutput(QgsProcessingOutputNumber("N_CLUSTERS", tr("Number of clusters")))

    def run_backend(self, parameters, context, progress):
        from ...backend.habitats import cluster_map

        k = self.parameterAsInt(parameters, self.K, context)
        ortho = self.raster_path(parameters, self.ORTHO, context) \
            if parameters.get(self.ORTHO) not in (None, "") else None
        summary = self.parameterAsFileOutput(parameters, self.SUMMARY, context) or None
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        res = cluster_map(
            self.raster_path(parameters, self.EMBEDDINGS, context), out,
            k=k if k > 0 else "auto",
            k_range=(self.parameterAsInt(parameters, self.K_MIN, context),
                     self.parameterAsInt(parameters, self.K_MAX, context)),
            seed=self.parameterAsInt(parameters, self.SEED, context), summary_dir=summary,
            ortho=ortho, model=self.model_folder(parameters, context), progress=progress)
        for line in res.messages:
            progress.info(line)
        out = str(res.out)
        self.style_on_load(context, out, style_habitat_layer)
        return {self.OUTPUT: out, self.SUMMARY: str(summary) if res.summary else None,
                "N_CLUSTERS": int(res.k)}
