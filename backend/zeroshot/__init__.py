"""Maps without new labels, from the shared image-relevé space: similarity to a place or a
query vector (:mod:`.similarity`); queries from relevés or typed taxa, checked against the
model that made the embeddings (:mod:`.community`, names matched by :mod:`.names`);
per-taxon suitability and the expected community by soft retrieval over the training
relevés (:mod:`.suitability`, temperature and retrieval in :mod:`.retrieval`)."""

from .community import check_model_embeddings, query_from_releves, query_from_taxa
from .similarity import (
    SimilarityResult,
    area_above,
    query_at_point,
    query_in_polygon,
    similarity_map,
    similarity_view,
)
from .suitability import SuitabilityResult, suitability_map, top_taxa_at

__all__ = ["SimilarityResult", "area_above", "query_at_point", "query_in_polygon",
           "similarity_map", "similarity_view", "check_model_embeddings",
           "query_from_releves", "query_from_taxa", "SuitabilityResult", "suitability_map",
           "top_taxa_at"]
