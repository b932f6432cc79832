"""Species and community suitability maps from a model bundle and its embedding raster.

Per taxon: the cosine between each pixel's embedding and the relevé encoder's embedding of
a relevé holding that taxon alone (:func:`.community.taxon_queries`) -- "how much does this
place look like where this taxon grows", in the space the model learnt from orthophotos and
relevés together. A cosine, not a probability: it ranks places for one taxon; values of two
taxa are not comparable on an absolute scale.

Expected community (:mod:`.retrieval`): an ``expected_richness`` band (taxa expected at the
pixel, a weighted mean of the reference relevés' richness, so always within their range) and
a ``top_taxon`` band: the index of the taxon most likely present, named in the
``BOTACLIP_CLASS_NAMES`` tag (code -> name, as prediction maps name their classes).
With a categorical band the overviews are by nearest neighbour
(an averaged taxon index names another taxon); the continuous bands then show sampled, not
averaged, values when zoomed out, which is harmless for a display.

Written like the similarity and prediction maps: checked first, block by block
(:func:`..maps.predict_raster.stream_blocks`), into a temporary GeoTIFF turned into a COG
moved in place only when complete; a cancelled or failed run leaves nothing.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from ..embed.cog import create_temp, read_embedding_tags
from ..errors import BotaclipError
from ..io.atomic import temp_sibling
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..io.raster import open_raster
from ..maps.predict_raster import PROVENANCE_TAGS, finish_map, remove_temp, stream_blocks
from ..progress import SILENT, Progress
from .community import check_model_embeddings, normalised, taxon_queries
from .names import parse_taxa_text
from .retrieval import retrieval
from .similarity import cosine, query_at_point

RICHNESS_BAND, TOP_BAND = "expected_richness", "top_taxon"


@dataclass
class SuitabilityResult:
    """What :func:`suitability_map` wrote."""

    out: Path
    bands: list                 # band descriptions, in band order
    taxa: list                  # the model's names of the per-taxon bands
    width: int
    height: int
    n_valid: int
    seconds: float
    temperature: float | None = None          # with the expected community
    richness_range: tuple | None = None       # (min, max) richness of the reference relevés
    tags: dict = field(default_factory=dict)


def _taxa_names(bundle, taxa, all_taxa: bool) -> list[str]:
    if all_taxa:
        if taxa:
            raise BotaclipError("Give either taxa (--taxa) or all taxa (--all), not both.")
        return bundle.species
    if taxa is None:
        return []
    if isinstance(taxa, str):
        parsed = parse_taxa_text(taxa)
        covered = [n for n, c in parsed if c is not None]
        if covered:
            raise BotaclipError(f"Per-taxon suitability encodes each taxon alone, without a "
                                f"cover; remove '=cover' after {', '.join(covered)}.")
        return [n for n, _ in parsed]
    return [str(t) for t in taxa]


def _block_function(queries: np.ndarray, ret):
    """Valid pixels (n, D) -> the map's bands (n, bands) float32."""
    def compute(x: np.ndarray) -> np.ndarray:
        parts = []
        if len(queries):
            parts.append(cosine(x, queries))
        if ret is not None:
            rich, top = ret.community(normalised(x))
            parts += [rich[:, None], top[:, None]]
        return np.concatenate(parts, axis=1).astype(np.float32)
    return compute


def _tags(embeddings, bundle, names, band_names, ret, stats) -> dict:
    src = read_embedding_tags(embeddings)
    tags = {"BOTACLIP_KIND": "suitability", "BOTACLIP_VERSION": __version__,
            "BOTACLIP_BANDS": band_names, "BOTACLIP_TAXA": names,
            "BOTACLIP_MODEL": recorded_name(bundle.path),
            "BOTACLIP_MODEL_SHA256": bundle.sha256,
            "BOTACLIP_EMBEDDINGS": recorded_name(embeddings),
            "BOTACLIP_EMBEDDINGS_PROVENANCE": {k: src[k] for k in PROVENANCE_TAGS if k in src},
            "BOTACLIP_PIXELS": {"valid": stats["valid"]},
            "BOTACLIP_CREATED": _dt.datetime.now(_dt.timezone.utc).isoformat(
                timespec="seconds")}
    if ret is not None:
        tags["BOTACLIP_CLASS_NAMES"] = {str(i): s for i, s in enumerate(ret.species)}
        tags["BOTACLIP_RETRIEVAL"] = {
            "releves": ret.source, "n_releves": len(ret.richness), **ret.fit,
            "richness_min": float(ret.richness.min()),
            "richness_max": float(ret.richness.max())}
    return tags



def suitability_map(model_dir, embeddings, out, *, taxa=None, all_taxa: bool = False,
                    expected_community: bool = False, releves=None, top_k: int = 5,
                    overwrite: bool = False, block_px: int = 256,
                    progress: Progress = SILENT) -> SuitabilityResult:
    """Write the COG ``out``: one suitability band per taxon of ``taxa`` (a list, or text
    "A; B") or of the whole model (``all_taxa``), then with ``expected_community`` the
    expected-richness and top-taxon bands, retrieved over ``releves`` (default: the relevés
    the model was trained on). ``top_k`` is recorded for the identify tool
    (:func:`top_taxa_at`). The raster must be made with the model
    (:func:`.community.check_model_embeddings`)."""
    t0 = time.perf_counter()
    out = Path(out)
    check_output(out, what="suitability map", owned=is_our_raster, overwrite=overwrite,
                 inputs=input_files(embeddings, releves))
    bundle = check_model_embeddings(model_dir, embeddings)
    wanted = _taxa_names(bundle, taxa, all_taxa)
    if not wanted and not expected_community:
        raise BotaclipError("Nothing to map: give taxa (--taxa \"A; B\"), all the model's taxa "
                            "(--all), or the expected community (--expected-community).")
    queries, names = taxon_queries(bundle, wanted) if wanted else (np.zeros((0, 1)), [])
    band_names = [f"suitability_{n}" for n in names]
    with hold_outputs(out, what="suitability map", progress=progress):
        ret = None
        if expected_community:
            ret = retrieval(bundle, releves, progress.sub(0.0, 0.1))
            band_names += [RICHNESS_BAND, TOP_BAND]
        src = open_raster(embeddings)
        tmp_tif = temp_sibling(out)
        try:
            create_temp(tmp_tif, src.RasterXSize, src.RasterYSize, len(band_names), "float32",
                        src.GetGeoTransform(), src.GetProjection(), block_px)
            stats = stream_blocks(src, tmp_tif, block_px, progress.sub(0.1, 0.85),
                                  _block_function(queries, ret), band_names)
            tags = _tags(embeddings, bundle, names, band_names, ret, stats)
            tags["BOTACLIP_TOP_K"] = int(top_k)
            finish_map(tmp_tif, out, tags, band_names, nearest=ret is not None,
                       overwrite=overwrite, progress=progress, what="suitability map")
            width, height = src.RasterXSize, src.RasterYSize
        finally:
            src = None
            remove_temp(tmp_tif)
    progress.report(1.0, "Suitability map written")
    return SuitabilityResult(
        out=out, bands=band_names, taxa=names, width=width, height=height,
        n_valid=stats["valid"], seconds=time.perf_counter() - t0,
        temperature=None if ret is None else ret.temperature,
        richness_range=None if ret is None else (float(ret.richness.min()),
                                                 float(ret.richness.max())),
        tags=tags)


def top_taxa_at(model_dir, embeddings, x: float, y: float, k: int = 5, releves=None,
                crs=None, progress: Progress = SILENT) -> list[tuple[str, float]]:
    """The ``k`` taxa most likely present at the pixel holding (x, y) (the raster's CRS, or
    ``crs``), each with its probability of presence under the soft retrieval
    (:mod:`.retrieval`), most likely first."""
    bundle = check_model_embeddings(model_dir, embeddings)
    ret = retrieval(bundle, releves, progress)
    return ret.top_taxa(normalised(query_at_point(embeddings, x, y, crs)), k)
