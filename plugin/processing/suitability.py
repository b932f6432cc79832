"""Processing algorithm ``botaclip:suitability``: per-taxon suitability (and the expected
community) from a model bundle's relevé encoder and an embedding raster made with it."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ..compat import FILE_BEHAVIOR_FOLDER
from ..i18n import tr
from .similarity import ZeroShotAlgorithm, style_similarity_layer


def style_suitability_layer(layer) -> None:
    """Per-taxon bands are cosines of the pixel to the taxon's encoding: the similarity
    ramp (-1..1) on band 1. A map of the expected community alone keeps QGIS's default
    (its first band is a richness, not a cosine)."""
    from osgeo import gdal

    ds = gdal.Open(layer.source())
    first = ds.GetRasterBand(1).GetDescription() if ds is not None else ""
    if first.startswith("suitability_"):
        style_similarity_layer(layer)


class SuitabilityAlgorithm(ZeroShotAlgorithm):
    TAXA = "TAXA"
    ALL = "ALL"
    EXPECTED_COMMUNITY = "EXPECTED_COMMUNITY"

    def name(self) -> str:
        return "suitability"

    def displayName(self) -> str:  # noqa: N802
        return tr("Species suitability")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Maps where taxa would find their habitat, without any observation points: "
            "the model's relevé encoder places each taxon alone in the shared space, and "
            "every pixel of the embedding raster gets its cosine similarity to it (-1 to 1), "
            "one band per taxon.\n\n"
            "Inputs\n"
            "Model folder: the model the embedding raster was made with (its adapter and "
            "relevé encoder).\n"
            "Embedding raster: made by 'Embed orthophoto' with this model; one made with "
            "another model or a raw backbone is refused, with the reason.\n"
            "Taxa, separated by ';': the taxa to map, one band each; names the model does "
            "not know are refused, with the nearest known names suggested.\n"
            "All the model's taxa: one band for every taxon the model knows, instead of the "
            "list.\n"
            "Expected community: two more bands, the expected richness (soft retrieval over "
            "the model's training relevés, with the temperature fitted on its validation "
            "split) and the most likely taxon per pixel, named in the legend.\n\n"
            "Outputs\n"
            "Suitability map: a cloud-optimised GeoTIFF, one band per taxon (the cosine of "
            "each pixel to the taxon, -1 to 1), then the expected community's bands, loaded "
            "styled.\n"
            "Taxa mapped: how many taxa got a band.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            self.MODEL, tr("Model folder"), FILE_BEHAVIOR_FOLDER))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.EMBEDDINGS, tr("Embedding raster (made with this model)")))
        self.addParameter(QgsProcessingParameterString(
            self.TAXA, tr("Taxa, separated by ';'"), None, False, True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.ALL, tr("All the model's taxa"), False))
        self.addParameter(QgsProcessingParameterBoolean(
            self.EXPECTED_COMMUNITY, tr("Expected community (richness and top taxon)"),
            False))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Suitability map")))
        self.addOutput(QgsProcessingOutputNumber("N_TAXA", tr("Taxa mapped")))

    def run_backend(self, parameters, context, progress):
        from ...backend.zeroshot.suitability import suitability_map

        taxa = self.parameterAsString(parameters, self.TAXA, context).strip() or None
        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        res = suitability_map(
            self.model_folder(parameters, context),
            self.raster_path(parameters, self.EMBEDDINGS, context), out, taxa=taxa,
            all_taxa=self.parameterAsBool(parameters, self.ALL, context),
            expected_community=self.parameterAsBool(parameters, self.EXPECTED_COMMUNITY,
                                                    context),
            progress=progress)
        out = str(res.out)
        self.style_on_load(context, out, style_suitability_layer)
        return {self.OUTPUT: out, "N_TAXA": len(res.taxa)}
