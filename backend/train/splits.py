"""Spatial block splits, reused by every evaluation.

Plots close together share imagery and species, so a random split leaks. Plots are grouped
into square blocks of ``block_m`` metres (in the plots' projected CRS) and whole blocks are
assigned to folds, balancing the number of plots per fold. Deterministic for a seed.
:func:`choose_split` adapts the block size and validation share of a training run until the
split leaves enough plots on both sides.
"""

from __future__ import annotations

import numpy as np

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .config import MIN_TRAIN_PLOTS, TrainConfig, min_val_plots

_BLOCK_FACTORS = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1)


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


def choose_split(x, y, config: TrainConfig, patch_m: float, progress: Progress = SILENT):
    """Set ``config.block_m`` (and, if needed, ``config.val_fraction``) so that the spatial
    block split leaves at least the minimum of training and validation plots; return
    (train_idx, val_idx).

    The configured block size is kept when it works. Otherwise smaller blocks are tried down
    to the patch size (blocks smaller than a patch would put overlapping patches on both
    sides of the split), then a larger validation share (fewer folds, down to half)."""
    n_train_min, n_val_min = MIN_TRAIN_PLOTS, min_val_plots(config)
    b0, vf0 = float(config.block_m), float(config.val_fraction)
    floor = min(b0, float(patch_m))
    blocks = sorted({max(floor, round(b0 * f, 1)) for f in _BLOCK_FACTORS}, reverse=True)
    k0 = max(2, int(round(1.0 / vf0)))
    tried = []
    for k in range(k0, 1, -1):
        vf = vf0 if k == k0 else 1.0 / k
        for b in blocks:
            try:
                tr, va = block_split(x, y, b, vf, seed=int(config.seed))
            except BotaclipError:            # fewer blocks than folds
                tried.append((b, vf, None, None))
                continue
            tried.append((b, vf, len(tr), len(va)))
            if len(va) >= n_val_min and len(tr) >= n_train_min:
                if (b, vf) != (b0, vf0):
                    progress.info(
                        f"Validation split: blocks of {b:g} m and a validation share of "
                        f"{vf:.2f} (the settings {b0:g} m / {vf0:.2f} left fewer than "
                        f"{n_val_min} validation or {n_train_min} training plots): "
                        f"{len(tr)} training and {len(va)} validation plots.")
                config.block_m, config.val_fraction = b, vf
                return tr, va
    best = max((t for t in tried if t[2] is not None), key=lambda t: min(t[2], t[3]),
               default=None)
    got = (f"; the best split found (blocks of {best[0]:g} m, validation share {best[1]:.2f}) "
           f"gave {best[2]} training and {best[3]} validation plots" if best else "")
    raise BotaclipError(
        f"Cannot split the {len(x)} usable plots into whole spatial blocks with at least "
        f"{n_train_min} training and {n_val_min} validation plots{got}. Validation plots "
        "must lie in other blocks than the training plots (neighbouring plots share imagery "
        f"and species, so a random split would flatter the model), and blocks cannot be "
        f"smaller than the patch ({patch_m:g} m). Add plots spread over a larger area.")
