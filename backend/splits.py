"""Spatial block splits, reused by every evaluation.

Plots close together share imagery and species, so a random split leaks. Plots are grouped
into square blocks of ``block_m`` metres (in the plots' projected CRS) and whole blocks are
assigned to folds, balancing the number of plots per fold. Deterministic for a seed.
"""

from __future__ import annotations

import numpy as np

from .errors import BotaclipError


def block_ids(x, y, block_m: float) -> np.ndarray:
    """An integer id per point for the ``block_m`` square block it falls in."""
    if not block_m or block_m <= 0:
        raise BotaclipError(f"The block size must be a positive number of metres, not {block_m}.")
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise BotaclipError("Spatial blocks need coordinates for every plot; some plots have "
                            "no geometry. Remove them or fix their coordinates.")
    bx = np.floor(x / block_m).astype("int64")
    by = np.floor(y / block_m).astype("int64")
    _, ids = np.unique(np.stack([bx, by], axis=1), axis=0, return_inverse=True)
    return ids.reshape(-1)


def block_kfold(x, y, block_m: float, k: int = 5, seed: int = 0) -> np.ndarray:
    """Fold index (0..k-1) per point; every block lies wholly in one fold.

    Blocks are shuffled with ``seed``, then taken largest first and each given to the fold
    holding the fewest plots so far, so folds are balanced even with uneven blocks.
    """
    ids = block_ids(x, y, block_m)
    n_blocks = int(ids.max()) + 1 if ids.size else 0
    if k < 2:
        raise BotaclipError(f"Cross-validation needs at least 2 folds, not {k}.")
    if n_blocks < k:
        raise BotaclipError(
            f"Only {n_blocks} spatial blocks of {block_m:g} m hold plots, fewer than the {k} "
            f"folds asked for. Use a smaller block size or fewer folds.")
    sizes = np.bincount(ids, minlength=n_blocks)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_blocks)
    order = order[np.argsort(-sizes[order], kind="stable")]
    fold_of_block = np.empty(n_blocks, dtype="int64")
    load = np.zeros(k, dtype="int64")
    for b in order:
        f = int(np.argmin(load))
        fold_of_block[b] = f
        load[f] += sizes[b]
    return fold_of_block[ids]


def block_split(x, y, block_m: float, val_fraction: float = 0.2, seed: int = 0):
    """Train and validation indices with whole blocks in validation (about ``val_fraction``)."""
    if not 0 < val_fraction < 1:
        raise BotaclipError(f"The validation fraction must be between 0 and 1, not {val_fraction}.")
    k = max(2, int(round(1.0 / val_fraction)))
    folds = block_kfold(x, y, block_m, k=k, seed=seed)
    val = np.flatnonzero(folds == 0)
    train = np.flatnonzero(folds != 0)
    return train, val
