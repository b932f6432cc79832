"""Spatial splits, reused by every evaluation: training, validation and test plots in whole
blocks, with a buffer.

Plots close together share imagery and species, so a random split leaks. Plots are grouped
into square blocks of ``block_m`` metres (in the plots' projected CRS) and whole blocks are
given a role: training, validation (which picks the epoch) or test (which measures the model
and chooses nothing). Blocks go to roles so that each role holds as close to the share of
*plots* asked for as the block sizes allow (:func:`assign_blocks`), deterministically for a
seed. Blocks alone still let a training plot sit just across a border from a validation
plot, their patches overlapping: training plots closer than ``buffer_m`` to any validation
or test plot (along both axes, the shape of a patch) are left out of training
(:func:`buffer_roles`). With the patch size as buffer, no training patch shares a pixel with
a held-out one.

:func:`spatial_roles` is the splitter (x, y, block size, shares, buffer, seed -> role per
plot), for training and for the stages that evaluate models; :func:`choose_split` adapts the
block size and shares of a training run until each role holds its minimum of plots.
"""

from __future__ import annotations

import numpy as np

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .config import TrainConfig, min_plots

TRAIN, VALIDATION, TEST, BUFFER = 0, 1, 2, -1
ROLE_NAMES = {TRAIN: "training", VALIDATION: "validation", TEST: "test", BUFFER: "buffer"}

_BLOCK_FACTORS = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1)
_SHARE_SLACK = (0.0, 0.02, 0.05, 0.1)
_MAX_ROUNDS = 200


def block_ids(x, y, block_m: float) -> np.ndarray:
    """An integer id per point for the ``block_m`` square block it falls in."""
    if not block_m or not block_m > 0:
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
    """Fold index (0..k-1) per point for cross-validation; every block lies wholly in one
    fold and the folds hold as equal numbers of plots as the blocks allow."""
    if k < 2:
        raise BotaclipError(f"Cross-validation needs at least 2 folds, not {k}.")
    ids = block_ids(x, y, block_m)
    n_blocks = int(ids.max()) + 1 if ids.size else 0
    if n_blocks < k:
        raise BotaclipError(
            f"Only {n_blocks} spatial blocks of {block_m:g} m hold plots, fewer than the {k} "
            f"folds asked for. Use a smaller block size or fewer folds.")
    sizes = np.bincount(ids, minlength=n_blocks)
    return assign_blocks(sizes, np.full(k, len(ids) / k), seed)[ids]


def assign_blocks(sizes, targets, seed: int = 0) -> np.ndarray:
    """A group (0..len(targets)-1) per block so that each group's plots come as close to its
    target as the block sizes allow.

    ``sizes``: plots per block; ``targets``: plots wanted per group (summing to the plots;
    a group with target 0 gets nothing). Blocks are shuffled with ``seed`` (ties then fall
    differently per seed), taken largest first, each to the group furthest below its
    target; then single moves and pairwise swaps of blocks that bring the groups nearer to
    their targets (summed absolute deviation) are made until none does. Deterministic.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.float64)
    open_ = targets > 0
    if not open_.any():
        raise BotaclipError("Internal error: no group has plots to receive.")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(sizes))
    order = order[np.argsort(-sizes[order], kind="stable")]
    group = np.empty(len(sizes), dtype=np.int64)
    load = np.zeros(len(targets))
    for b in order:
        g = int(np.argmax(np.where(open_, targets - load, -np.inf)))
        group[b] = g
        load[g] += sizes[b]
    for _ in range(_MAX_ROUNDS):
        if not (_best_move(sizes, group, load, targets, open_, order)
                or _best_swap(sizes, group, load, targets, open_, order)):
            break
    return group


def _gain(load, targets, g, h, d):
    """How much moving ``d`` plots from group g to group h lowers the summed deviation."""
    before = abs(load[g] - targets[g]) + abs(load[h] - targets[h])
    return before - np.abs(load[g] - d - targets[g]) - np.abs(load[h] + d - targets[h])


def _best_move(sizes, group, load, targets, open_, order) -> bool:
    """Move the one block that lowers the deviation most; whether one did."""
    best = (1e-9, None, None)
    for g in range(len(targets)):
        members = order[group[order] == g]
        if not len(members):
            continue
        for h in np.flatnonzero(open_):
            if h == g:
                continue
            gains = _gain(load, targets, g, h, sizes[members])
            i = int(np.argmax(gains))
            if gains[i] > best[0]:
                best = (float(gains[i]), int(members[i]), int(h))
    if best[1] is None:
        return False
    b, h = best[1], best[2]
    load[group[b]] -= sizes[b]
    load[h] += sizes[b]
    group[b] = h
    return True


def _best_swap(sizes, group, load, targets, open_, order) -> bool:
    """Swap the pair of blocks (of two groups) that lowers the deviation most; whether one
    did. For each block of g, only the blocks of h whose size is nearest the best exchange
    are tried (found by bisection), so a swap costs O(n log n), not O(n^2)."""
    best = (1e-9, None, None)
    groups = np.flatnonzero(open_)
    for g in groups:
        a = order[group[order] == g]
        for h in groups[groups > g]:
            b = order[group[order] == h]
            if not len(a) or not len(b):
                continue
            by_size = b[np.argsort(sizes[b], kind="stable")]
            sb = sizes[by_size]
            for want in (load[g] - targets[g], targets[h] - load[h]):
                pos = np.searchsorted(sb, sizes[a] - want)
                for j in (np.clip(pos - 1, 0, len(sb) - 1), np.clip(pos, 0, len(sb) - 1)):
                    gains = _gain(load, targets, g, h, sizes[a] - sb[j])
                    i = int(np.argmax(gains))
                    if gains[i] > best[0]:
                        best = (float(gains[i]), int(a[i]), int(by_size[j[i]]))
    if best[1] is None:
        return False
    p, q = best[1], best[2]
    g, h = group[p], group[q]
    load[g] += sizes[q] - sizes[p]
    load[h] += sizes[p] - sizes[q]
    group[p], group[q] = h, g
    return True


def buffer_roles(x, y, roles, buffer_m: float) -> np.ndarray:
    """``roles`` with every training plot closer than ``buffer_m`` to a validation or test
    plot, along both axes (|dx| < buffer_m and |dy| < buffer_m: the square of a patch of
    that side around it overlaps theirs), set to :data:`BUFFER` (left out)."""
    roles = np.array(roles, dtype=np.int8)
    if buffer_m is None or buffer_m == 0:
        return roles
    if not buffer_m > 0:
        raise BotaclipError(f"The buffer must be 0 or a positive number of metres, not "
                            f"{buffer_m}.")
    held = np.flatnonzero((roles == VALIDATION) | (roles == TEST))
    train = np.flatnonzero(roles == TRAIN)
    if not len(held) or not len(train):
        return roles
    from scipy.spatial import cKDTree

    pts = np.stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)], axis=1)
    dist, _ = cKDTree(pts[held]).query(pts[train], k=1, p=np.inf,
                                       distance_upper_bound=float(buffer_m))
    roles[train[dist < float(buffer_m)]] = BUFFER
    return roles


def spatial_roles(x, y, block_m: float, fractions=(0.2, 0.2), buffer_m: float = 0.0,
                  seed: int = 0) -> np.ndarray:
    """The role of each plot: :data:`TRAIN`, :data:`VALIDATION`, :data:`TEST` or
    :data:`BUFFER` (a training plot left out by the buffer), as int8.

    ``fractions``: (validation, test) shares of the plots, each in [0, 1), together below 1;
    a share of 0 gives that role no plot. Whole ``block_m`` blocks get one role each, as
    near the shares as the blocks allow (:func:`assign_blocks`); then the buffer
    (:func:`buffer_roles`). The same arguments always give the same roles.
    """
    vf, tf = (float(f) for f in fractions)
    if not (0 <= vf < 1 and 0 <= tf < 1 and vf + tf < 1):
        raise BotaclipError(f"The validation and test shares must each be between 0 and 1 "
                            f"and leave plots to train on, not {vf:g} and {tf:g}.")
    ids = block_ids(x, y, block_m)
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    sizes = np.bincount(ids)
    group = assign_blocks(sizes, n * np.array([1.0 - vf - tf, vf, tf]), seed)
    return buffer_roles(x, y, group[ids], buffer_m)


def role_counts(roles) -> dict:
    """{"training", "validation", "test", "buffer"} -> number of plots."""
    roles = np.asarray(roles)
    return {name: int((roles == r).sum()) for r, name in ROLE_NAMES.items()}


def block_split(x, y, block_m: float, val_fraction: float = 0.2, seed: int = 0):
    """Train and validation indices, whole blocks in validation (``val_fraction`` of the
    plots, as near as the blocks allow); no test split, no buffer."""
    if not 0 < val_fraction < 1:
        raise BotaclipError(f"The validation fraction must be between 0 and 1, not {val_fraction}.")
    roles = spatial_roles(x, y, block_m, (val_fraction, 0.0), 0.0, seed=seed)
    return np.flatnonzero(roles == TRAIN), np.flatnonzero(roles == VALIDATION)


def config_roles(x, y, config: TrainConfig) -> np.ndarray:
    """:func:`spatial_roles` with the split settings of ``config`` (buffer None: 0)."""
    return spatial_roles(x, y, float(config.block_m),
                         (float(config.val_fraction), float(config.test_fraction)),
                         float(config.buffer_m or 0.0), seed=int(config.seed))


def _share_steps(n: int, vf0: float, tf0: float, mins) -> list[tuple[float, float]]:
    """The (validation, test) shares to try: those asked for, then raised to the minimum
    numbers of plots (with a little slack for uneven blocks) while training keeps its own."""
    steps = [(vf0, tf0)]
    for slack in _SHARE_SLACK:
        vf = round(max(vf0, mins[1] / n + slack), 4)
        tf = round(max(tf0, mins[2] / n + slack), 4)
        if vf + tf <= 1 - mins[0] / n and (vf, tf) not in steps:
            steps.append((vf, tf))
    return steps


def buffer_text(n_buffer: int, buffer_m: float) -> str:
    """What the buffer did, in words: "no buffer" or "N training plots closer than B m to a
    validation or test plot left out (buffer)"."""
    if not buffer_m:
        return "no buffer between training and held-out plots"
    return (f"{n_buffer} training plot{'s' if n_buffer != 1 else ''} closer than "
            f"{buffer_m:g} m to a validation or test plot left out (buffer)")


def _split_text(b, vf, tf, buffer_m, counts) -> str:
    return (f"blocks of {b:g} m, validation share {vf:.2f}, test share {tf:.2f}: "
            f"{counts['training']} training, {counts['validation']} validation and "
            f"{counts['test']} test plots; {buffer_text(counts['buffer'], buffer_m)}")


def choose_split(x, y, config: TrainConfig, patch_m: float, progress: Progress = SILENT
                 ) -> np.ndarray:
    """Set ``config.block_m`` (and, if needed, ``config.val_fraction`` and
    ``config.test_fraction``) so that every role holds its minimum of plots after the
    buffer (``config.buffer_m``; None: ``patch_m``, written back); return the roles.

    The configured block size is kept when it works. Otherwise smaller blocks are tried down
    to the patch or the buffer, whichever is larger, then larger validation and test shares.
    The buffer always applies, whatever the block size."""
    mins = min_plots(config)
    if config.buffer_m is None:
        config.buffer_m = float(patch_m)
    buffer_m = float(config.buffer_m)
    b0, vf0, tf0 = float(config.block_m), float(config.val_fraction), float(config.test_fraction)
    floor = min(b0, max(float(patch_m), buffer_m))
    blocks = sorted({max(floor, round(b0 * f, 1)) for f in _BLOCK_FACTORS}, reverse=True)
    tried = []
    for vf, tf in _share_steps(len(x), vf0, tf0, mins):
        for b in blocks:
            roles = spatial_roles(x, y, b, (vf, tf), buffer_m, seed=int(config.seed))
            counts = role_counts(roles)
            tried.append((b, vf, tf, counts))
            if all(counts[r] >= m for r, m in zip(("training", "validation", "test"), mins)):
                changed = (b, vf, tf) != (b0, vf0, tf0)
                progress.info("Split: " + _split_text(b, vf, tf, buffer_m, counts)
                              + (f" (the settings {b0:g} m / {vf0:.2f} / {tf0:.2f} left fewer "
                                 f"than {mins[0]} training, {mins[1]} validation or "
                                 f"{mins[2]} test plots)." if changed else "."))
                config.block_m, config.val_fraction, config.test_fraction = b, vf, tf
                return roles
    raise _split_error(len(x), mins, tried, patch_m, buffer_m)


def _split_error(n, mins, tried, patch_m, buffer_m) -> BotaclipError:
    """Why no split fits, with the best one found."""
    best = max(tried, key=lambda t: min(t[3]["training"] / mins[0], t[3]["validation"] / mins[1],
                                        t[3]["test"] / mins[2]), default=None)
    got = f"; the best split found had {_split_text(*best[:3], buffer_m, best[3])}" if best else ""
    return BotaclipError(
        f"Cannot split the {n} usable plots into whole spatial blocks with at least "
        f"{mins[0]} training, {mins[1]} validation and {mins[2]} test plots{got}. Validation "
        "and test plots must lie in other blocks than the training plots, and training plots "
        f"closer than {buffer_m:g} m to them are left out (neighbouring plots share imagery "
        "and species, so a random split would flatter the model); blocks cannot be smaller "
        f"than the patch ({patch_m:g} m) or the buffer. Add plots spread over a larger area, "
        "or give a smaller buffer (--buffer-m).")
