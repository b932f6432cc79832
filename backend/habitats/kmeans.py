"""k-means on an embedding raster: fitted on a spatially uniform sample of its valid pixels.

Why a sample and not ``MiniBatchKMeans.partial_fit`` over the blocks: blocks are read in
row-major order and each is a patch of one landscape (a lake block, then forest blocks...), so
partial fits see the clusters one region at a time and the centres drift towards whatever was
read last; the result would depend on the block size and order. A uniform sample (every valid
pixel equally likely, :func:`..maps.background.sample_valid`: one pass over the raster, one
block and ``sample`` candidates held) is an unbiased picture of the whole raster, the fit on it
is repeatable from the seed, and the map is then predicted block by block (memory flat in the
raster's size). 20 000 pixels estimate the centres of a dozen clusters closely (each holds
hundreds to thousands of sample pixels) and fit in a few seconds even with 768 bands.

The fit is scikit-learn's ``MiniBatchKMeans`` (mini-batches of 1024 over the sample, 3
initialisations, the best kept): the streaming k-means of the issue, fast on a large sample,
and seeded so that a seed gives the same centres. Features are used as they are, not
standardised: a BotaCLIP embedding is L2-normalised and its distances are the ones the model
learnt; standardising would weigh noisy dimensions as much as informative ones.

Clusters are numbered by size in the sample, largest first (ties by the centre's order), so
that the same seed gives the same numbers and "habitat 1" is the commonest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BotaclipError
from ..maps.background import sample_valid, valid_blocks
from ..maps.points import read_pixels
from ..progress import SILENT, Progress

BATCH = 1024
N_INIT = 3


@dataclass
class Sample:
    """Valid pixels drawn uniformly: ``x`` (n, bands) float32, their ``rows``/``cols``, and
    the number of valid pixels of the raster they were drawn from."""

    x: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    n_valid: int


def sample_pixels(path, n: int, seed: int, progress: Progress = SILENT) -> Sample:
    """Up to ``n`` valid pixels of the embedding raster ``path``, drawn uniformly (all of
    them when it has fewer), with their values."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise BotaclipError(f"The sample size must be a whole number of at least 2, not "
                            f"{n!r} (--sample 20000 is usual).")
    blocks = valid_blocks(path, progress.sub(0.0, 0.7).relabel("Drawing the sample"))
    rows, cols, n_valid = sample_valid(blocks, int(n), seed)
    progress.check()
    x, ok, _ = read_pixels(path, rows, cols)
    progress.report(1.0, "Sample read")
    return Sample(x[ok], rows[ok], cols[ok], n_valid)


def fit_kmeans(x: np.ndarray, k: int, seed: int):
    """A ``MiniBatchKMeans`` with ``k`` clusters fitted on ``x``, clusters renumbered by
    size (see the module docstring)."""
    from sklearn.cluster import MiniBatchKMeans

    if len(x) < k:
        raise BotaclipError(f"{k} clusters cannot be made from {len(x)} valid pixels; ask "
                            f"for at most {len(x)} clusters (--k), or use a larger raster.")
    km = MiniBatchKMeans(n_clusters=int(k), batch_size=BATCH, n_init=N_INIT,
                         random_state=int(seed))
    km.fit(x)
    counts = np.bincount(km.labels_, minlength=k)
    order = np.lexsort((np.arange(k), -counts))        # largest first, stable
    km.cluster_centers_ = np.ascontiguousarray(km.cluster_centers_[order])
    km.labels_ = np.argsort(order)[km.labels_].astype(km.labels_.dtype)
    return km

