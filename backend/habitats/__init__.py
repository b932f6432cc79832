"""Habitat clusters: k-means on an embedding raster into a categorical map with a legend.

``kmeans`` (a uniform sample of the valid pixels, the fit, clusters numbered by size),
``choose_k`` (k by the Davies-Bouldin index over a range, as the BotaCLIP paper), ``raster``
(the categorical COG: palette, category names, tags), ``summary`` (per cluster: area, an
orthophoto thumbnail, typical taxa) and ``pipeline`` (``cluster_map``, behind ``botaclip
habitats``).
"""

from .pipeline import ClusterResult, cluster_map

__all__ = ["ClusterResult", "cluster_map"]
