"""k chosen automatically: the Davies-Bouldin index over a range of k, as the BotaCLIP paper
chooses its number of habitat clusters.

The Davies-Bouldin index is the mean, over clusters, of the worst ratio of within-cluster
spread to between-centre distance: lower is better (compact clusters far apart). Unlike the
within-cluster sum of squares it does not fall steadily as k grows, so its minimum is a choice
rather than an elbow to eyeball. It is computed on the sample the clusters are fitted on
(:mod:`.kmeans`), so the whole curve costs one fit per k on that sample, never a pass over
the raster; the curve is reported (and written in the map's tags) so that a user can see how
clear-cut the choice was and pick a neighbouring k by hand.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .kmeans import fit_kmeans

DEFAULT_RANGE = (3, 15)
MAX_K = 254                 # Byte values 1..254; 255 is nodata


def check_k(k) -> int:
    """A fixed number of clusters: a whole number from 2 to :data:`MAX_K`."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= MAX_K:
        raise BotaclipError(f"The number of clusters must be a whole number from 2 to "
                            f"{MAX_K}, not {k!r}; give e.g. --k 8, or --k auto to choose it.")
    return int(k)


def parse_k_range(value) -> tuple[int, int]:
    """``(lo, hi)`` from a pair or a text "3-15"; both ends included, 2 <= lo < hi <= 254."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*[-:]\s*(\d+)\s*", value)
        if not m:
            raise BotaclipError(f"The k range {value!r} is not of the form LOW-HIGH; give e.g. "
                                "--k-range 3-15.")
        value = (int(m.group(1)), int(m.group(2)))
    try:
        lo, hi = (int(v) for v in value)
    except (TypeError, ValueError):
        raise BotaclipError(f"The k range {value!r} is not two whole numbers; give e.g. "
                            "(3, 15) or --k-range 3-15.") from None
    if lo < 2 or hi > MAX_K:
        raise BotaclipError(f"The k range {lo}-{hi} goes outside 2-{MAX_K}: k-means needs at "
                            f"least 2 clusters and the map holds at most {MAX_K}.")
    if lo >= hi:
        raise BotaclipError(f"The k range {lo}-{hi} is empty or inverted: the low end must be "
                            f"below the high end, e.g. --k-range {min(lo, hi)}-{max(lo, hi, 3)}"
                            f"{'' if lo != hi else ' (or a fixed --k ' + str(lo) + ')'}.")
    return lo, hi


def db_curve(x: np.ndarray, k_range: tuple[int, int], seed: int,
             progress: Progress = SILENT) -> dict:
    """{k: Davies-Bouldin index} of k-means on ``x`` for every k of ``k_range`` that the
    sample allows (at most one cluster per sample pixel)."""
    from sklearn.metrics import davies_bouldin_score

    lo, hi = k_range
    hi = min(hi, len(x) - 1)
    if hi < lo:
        raise BotaclipError(f"The raster has only {len(x)} valid pixels, too few for the k "
                            f"range {lo}-{k_range[1]}; lower the range or use a larger raster.")
    curve = {}
    for i, k in enumerate(range(lo, hi + 1)):
        progress.check()
        km = fit_kmeans(x, k, seed)
        if len(np.unique(km.labels_)) < 2:
            continue                    # identical pixels: the index is undefined
        curve[k] = float(davies_bouldin_score(x, km.labels_))
        progress.report((i + 1) / (hi - lo + 1), f"Davies-Bouldin index for k = {k}")
    if not curve:
        raise BotaclipError("All sampled pixels of the embedding raster are identical, so no "
                            "clusters can be told apart; check that it is an embedding raster.")
    return curve


def best_k(curve: dict) -> int:
    """The k with the lowest index (the smaller k on a tie)."""
    return min(curve, key=lambda k: (curve[k], k))
