"""Processing algorithm ``botaclip:similarity``: how much every pixel of an embedding
raster looks like a place (a point), a set of relevés or a species list, as a cosine
similarity map; and what the group "Maps without labels" shares (group, styles)."""

from __future__ import annotations

import math

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterPoint,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..compat import (
    FILE_BEHAVIOR_FOLDER,
    NUMBER_DOUBLE,
    SOURCE_VECTOR_POINT,
    SOURCE_VECTOR_POLYGON,
)
from ..i18n import tr
from ..layers import apply_style
from .base import BotaclipAlgorithm

SIMILARITY_STYLE = "similarity"      # resources/styles/similarity.qml: RdBu, -1 .. 1


def style_similarity_layer(layer) -> None:
    """The diverging ramp of similarity maps (blue -1, white 0, red 1) on band 1: a cosine
    has a fixed range, so one ramp reads the same on every map."""
    apply_style(layer, SIMILARITY_STYLE)


class ZeroShotAlgorithm(BotaclipAlgorithm):
    """An algorithm of the group "Maps without labels" (similarity, suitability,
    habitats): maps from the embedding space alone, without observation points."""

    EMBEDDINGS = "EMBEDDINGS"
    MODEL = "MODEL"
    OUTPUT = "OUTPUT"

    def group(self) -> str:
        return tr("Maps without labels")

    def groupId(self) -> str:  # noqa: N802
        return "zeroshot"

    def supportedOutputRasterLayerExtensions(self) -> list[str]:  # noqa: N802
        return ["tif"]

    def model_folder(self, parameters, context) -> str | None:
        return self.parameterAsFile(parameters, self.MODEL, context).strip() or None


class SimilarityAlgorithm(ZeroShotAlgorithm):
    POINT = "POINT"
    TAXA = "TAXA"
    RELEVES = "RELEVES"
    PLOT_IDS = "PLOT_IDS"
    THRESHOLD = "THRESHOLD"

    def name(self) -> str:
        return "similarity"

    def displayName(self) -> str:  # noqa: N802
        return tr("Similarity map")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Maps how much every pixel of an embedding raster looks like what you ask for: "
            "the cosine similarity (from -1 to 1; 1: the same direction in the embedding "
            "space) of each pixel's embedding to a query. The query is one of: a point "
            "(where else looks like this place), a species list (where does this community "
            "fit), or relevés given by their plot ids. The interactive tool (BotaCLIP > Find "
            "similar places) does the same for the map view by a click.\n\n"
            "Inputs\n"
            "Embedding raster: made by 'Embed orthophoto'.\n"
            "Place to look like: a point; the query is the embedding of the pixel under it.\n"
            "Model folder: the model the raster was embedded with, needed for a species list "
            "or relevés; a raster made without that model's adapter is refused, with the "
            "reason.\n"
            "Species list: taxa typed as 'Name one; Name two=cover', encoded by the model's "
            "relevé encoder; a taxon the model does not know gets the nearest known names "
            "suggested.\n"
            "Relevés: a relevé layer, with Plot ids of the relevés: the ids of the plots to "
            "use, separated by commas; the query is the mean of their encodings.\n"
            "Threshold for the area: optional, from -1 to 1; the area at or above it is "
            "counted.\n"
            "Give one query only: a point, a species list, or relevés.\n\n"
            "Outputs\n"
            "Similarity map: a cloud-optimised GeoTIFF with the query and statistics in its "
            "tags, loaded with a diverging ramp: blue -1, white 0, red 1.\n"
            "Area at or above the threshold: in km² (NaN without a threshold).\n"
            "Pixels with a similarity: the pixels that are not no-data.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.EMBEDDINGS, tr("Embedding raster")))
        self.addParameter(QgsProcessingParameterPoint(
            self.POINT, tr("Place to look like (a point; or a model and taxa or relevés "
                           "below)"), None, True))
        self.addParameter(QgsProcessingParameterFile(
            self.MODEL, tr("Model folder (for taxa or relevés)"), FILE_BEHAVIOR_FOLDER, "",
            None, True))
        self.addParameter(QgsProcessingParameterString(
            self.TAXA, tr("Species list, e.g. 'Carex nigra; Juncus effusus=20' (with a "
                          "model)"), None, False, True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.RELEVES, tr("Relevés (with a model and plot ids)"),
            [SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON], None, True))
        self.addParameter(QgsProcessingParameterString(
            self.PLOT_IDS, tr("Plot ids of the relevés, separated by commas"), None, False,
            True))
        self.addParameter(QgsProcessingParameterNumber(
            self.THRESHOLD, tr("Threshold for the area (-1 to 1, optional)"), NUMBER_DOUBLE,
            None, True, -1.0, 1.0))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Similarity map")))
        self.addOutput(QgsProcessingOutputNumber(
            "AREA_ABOVE_KM2", tr("Area at or above the threshold (km²)")))
        self.addOutput(QgsProcessingOutputNumber("N_VALID", tr("Pixels with a similarity")))

    def query(self, parameters, context, embeddings: str, layer) -> tuple:
        """(query vector, its name, its provenance text) from the one query given."""
        from ...backend.zeroshot.community import query_from_releves, query_from_taxa
        from ...backend.zeroshot.similarity import query_at_point

        has_point = parameters.get(self.POINT) not in (None, "")
        taxa = self.parameterAsString(parameters, self.TAXA, context).strip()
        has_releves = parameters.get(self.RELEVES) not in (None, "")
        model = self.model_folder(parameters, context)
        if has_point + bool(taxa) + has_releves != 1:
            raise QgsProcessingException(tr(
                "Give one query: a point, or a species list, or relevés with their plot "
                "ids (the last two with a model folder)."))
        if has_point:
            point = self.parameterAsPoint(parameters, self.POINT, context, layer.crs())
            text = f"point {point.x():.2f}, {point.y():.2f} {layer.crs().authid()}"
            return query_at_point(embeddings, point.x(), point.y()), "point", text
        if model is None:
            raise QgsProcessingException(tr(
                "A species list or relevés need the model folder the embedding raster was "
                "made with (Model folder)."))
        if taxa:
            return query_from_taxa(model, embeddings, taxa), "taxa", f"taxa {taxa}"
        ids = [p.strip() for p in self.parameterAsString(
            parameters, self.PLOT_IDS, context).split(",") if p.strip()]
        if not ids:
            raise QgsProcessingException(tr(
                "Give the plot ids of the relevés to look like (Plot ids, e.g. 'P001, "
                "P007')."))
        releves = self.vector_path(parameters, self.RELEVES, context)
        return (query_from_releves(model, embeddings, releves, ids), "releves",
                "relevés " + ", ".join(ids))

    def run_backend(self, parameters, context, progress):
        from ...backend.zeroshot.similarity import similarity_map

        layer = self.parameterAsRasterLayer(parameters, self.EMBEDDINGS, context)
        embeddings = self.raster_path(parameters, self.EMBEDDINGS, context)
        query, name, text = self.query(parameters, context, embeddings, layer)
        threshold = None if parameters.get(self.THRESHOLD) in (None, "") else \
            self.parameterAsDouble(parameters, self.THRESHOLD, context)
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        res = similarity_map(embeddings, out, query, names=[name], threshold=threshold,
                             tags={"query": text}, progress=progress)
        out = str(res.out)
        self.style_on_load(context, out, style_similarity_layer)
        area = math.nan
        if res.area_above_km2:
            area = float(next(iter(res.area_above_km2.values())))
            progress.info(tr("{km2:.4g} km² at or above {threshold:.2f}.").format(
                km2=area, threshold=threshold))
        return {self.OUTPUT: out, "AREA_ABOVE_KM2": area, "N_VALID": int(res.n_valid)}
