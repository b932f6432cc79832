"""The area of applicability of a prediction model (Meyer & Pebesma 2021, "Predicting into
unknown space? Estimating the area of applicability of spatial prediction models", Methods in
Ecology and Evolution 12: 1620-1633).

Why: a model fitted on embeddings of meadows says something about a glacier, but nothing it
learnt; a map should show where it extrapolates. The dissimilarity index (DI) of a feature
vector is its distance to the nearest training point in the standardised (and, optionally,
importance-weighted) feature space, divided by the mean distance between training points, so
that it means the same whatever the number or scale of the features. The threshold is the
upper whisker of a box plot of the training points' own DIs (as R's ``boxplot.stats``, which
CAST uses: the largest training DI not above the upper hinge + 1.5 times the hinge spread);
with cross-validation folds each training point's DI is measured to the points of the OTHER
folds, as the model of its fold never saw its neighbours either. A pixel is inside the area
of applicability when its DI is not above the threshold.

Memory stays flat: pairwise distances and nearest-neighbour queries run in chunks
(a k-d tree of the training points; distances are exact).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from ..errors import BotaclipError

CHUNK_ROWS = 4096       # rows per chunk: a chunk of pairwise distances is CHUNK_ROWS x n_train


@dataclass
class Aoa:
    """A fitted area of applicability: :meth:`di` and :meth:`inside` for new features."""

    mean: np.ndarray                # (D,) training means
    scale: np.ndarray               # (D,) divisor per feature: sd / weight (inf: weight 0)
    mean_distance: float            # mean distance between two training points (scaled)
    threshold: float                # DI threshold (upper whisker of the training DIs)
    train_di: np.ndarray            # (n,) the training points' own DIs
    n_train: int
    tree: cKDTree = field(repr=False)

    def _scaled(self, features) -> np.ndarray:
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.mean.size:
            raise BotaclipError(
                f"The features have shape {x.shape} but the area of applicability was fitted "
                f"on {self.mean.size} features; use embeddings made with the same model.")
        return (x - self.mean) / self.scale

    def di(self, features) -> np.ndarray:
        """The dissimilarity index of each row of ``features`` (n, D); NaN for a row with a
        missing value (nodata)."""
        x = self._scaled(features)
        out = np.full(x.shape[0], np.nan)
        ok = np.isfinite(x).all(axis=1)
        idx = np.flatnonzero(ok)
        for s in range(0, idx.size, CHUNK_ROWS):
            part = idx[s:s + CHUNK_ROWS]
            dist, _ = self.tree.query(x[part], k=1)
            out[part] = dist / self.mean_distance
        return out

    def inside(self, features) -> np.ndarray:
        """1 where the row's DI is within the threshold (the model is applicable), 0 where it
        extrapolates or the row has a missing value (uint8)."""
        d = self.di(features)
        with np.errstate(invalid="ignore"):
            return (d <= self.threshold).astype(np.uint8)

    def summary(self) -> dict:
        """What a prediction raster records about its area of applicability."""
        return {"method": "Meyer & Pebesma 2021 (dissimilarity index, box-plot whisker)",
                "threshold": float(self.threshold), "mean_distance": self.mean_distance,
                "n_train": self.n_train}


def upper_whisker(values) -> float:
    """R's ``boxplot.stats(x)$stats[5]``: the largest value not above the upper Tukey hinge
    plus 1.5 times the hinge spread (hinges as ``fivenum``: medians of the lower and upper
    halves, the median itself counted in both when n is odd)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    n4 = np.floor((n + 3) / 2) / 2
    d = np.array([n4, n + 1 - n4]) - 1          # 0-based positions of the two hinges
    lo, hi = (0.5 * (x[np.floor(d).astype(int)] + x[np.ceil(d).astype(int)]))
    fence = hi + 1.5 * (hi - lo)
    return float(x[x <= fence].max())


def _scale(x: np.ndarray, weights) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    sd = x.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)       # a constant feature: its distance is 0 anyway
    if weights is None:
        return mean, sd
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size != x.shape[1] or not np.isfinite(w).all() or (w < 0).any() or not (w > 0).any():
        raise BotaclipError(
            f"The feature weights of the area of applicability must be {x.shape[1]} "
            f"non-negative numbers, not all zero (got {w.size} values, min "
            f"{np.nanmin(w) if w.size else 'none'}); pass the model's feature importances.")
    with np.errstate(divide="ignore"):
        return mean, sd / w               # x / (sd / w) = standardised x times w


def mean_pairwise_distance(x: np.ndarray) -> float:
    """The mean Euclidean distance over all pairs i != j of rows of ``x``, in chunks of
    rows (exact; memory CHUNK_ROWS x n)."""
    n = x.shape[0]
    total = 0.0
    for s in range(0, n, CHUNK_ROWS):
        total += cdist(x[s:s + CHUNK_ROWS], x).sum()      # the diagonal adds zeros
    return total / (n * (n - 1))


def _nearest_other(x: np.ndarray, folds) -> np.ndarray:
    """Each row's distance to its nearest training point: another point when ``folds`` is
    None, a point of another fold otherwise."""
    if folds is None:
        dist, _ = cKDTree(x).query(x, k=2)
        return dist[:, 1]
    out = np.empty(x.shape[0])
    for f in np.unique(folds):
        mine = folds == f
        tree = cKDTree(x[~mine])
        idx = np.flatnonzero(mine)
        for s in range(0, idx.size, CHUNK_ROWS):
            part = idx[s:s + CHUNK_ROWS]
            out[part] = tree.query(x[part], k=1)[0]
    return out


def _check(x: np.ndarray, folds) -> np.ndarray | None:
    if x.ndim != 2 or x.shape[0] < 2:
        raise BotaclipError(
            f"The area of applicability needs at least 2 training points with features "
            f"(got an array of shape {x.shape}); add training points.")
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x).all(axis=1)).sum())
        raise BotaclipError(
            f"{bad} training point(s) have missing features (NaN); drop the points on nodata "
            "before fitting the area of applicability.")
    if folds is None:
        return None
    folds = np.asarray(folds).ravel()
    if folds.size != x.shape[0] or np.unique(folds).size < 2:
        raise BotaclipError(
            f"The folds of the area of applicability must give one fold per training point "
            f"({x.shape[0]}) and at least 2 different folds (got {folds.size} values, "
            f"{np.unique(folds).size} folds); pass the cross-validation folds or None.")
    return folds


def fit_aoa(train_features, *, weights=None, folds=None) -> Aoa:
    """The area of applicability of a model trained on ``train_features`` (n, D).

    ``weights``: one non-negative weight per feature (e.g. the model's feature importances);
    ``folds``: the cross-validation fold of each training point, so that a training DI is
    measured to the other folds only (as in the model's own validation)."""
    x = np.asarray(train_features, dtype=np.float64)
    folds = _check(x, folds)
    mean, scale = _scale(x, weights)
    xs = (x - mean) / scale
    dmean = mean_pairwise_distance(xs)
    if not dmean > 0:
        raise BotaclipError(
            f"All {x.shape[0]} training points have the same features, so no distance "
            "between them can scale the dissimilarity index; use more varied training points.")
    train_di = _nearest_other(xs, folds) / dmean
    return Aoa(mean=mean, scale=scale, mean_distance=float(dmean),
               threshold=upper_whisker(train_di), train_di=train_di, n_train=x.shape[0],
               tree=cKDTree(xs))
