"""The training data as the loop sees it: checks on the features, the species matrix and the
plot coordinates, and the species matrix as CSR rows gathered per batch.

:func:`require_enough_plots` and :func:`require_distinct_releves` are also run by
:func:`backend.train.pipeline.train_model` on the usable plots, before the backbone runs, so
that bad input is refused before the long steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ..errors import BotaclipError
from .config import TEST_K, TrainConfig, min_plots


class ReleveRows:
    """The species matrix as CSR arrays (torch), with a vectorised gather of rows."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, values: np.ndarray):
        self.indptr = torch.from_numpy(indptr.astype(np.int64))
        self.indices = torch.from_numpy(indices.astype(np.int64))
        self.values = torch.from_numpy(values.astype(np.float32))

    def gather(self, rows: Tensor, device) -> tuple[Tensor, Tensor, Tensor]:
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        offsets = torch.zeros(len(rows), dtype=torch.long)
        if len(rows) > 1:
            offsets[1:] = torch.cumsum(lengths, 0)[:-1]
        total = int(lengths.sum())
        pos = torch.arange(total) + torch.repeat_interleave(starts - offsets, lengths)
        return (self.indices[pos].to(device), offsets.to(device), self.values[pos].to(device))


@dataclass
class TrainingData:
    """Checked training inputs: features ``[N, V, D]``, species rows, coordinates in metres."""

    features: np.ndarray
    rows: ReleveRows
    n_taxa: int
    x: np.ndarray
    y: np.ndarray


def _wrong_rows(n_plots: int, n_rows: int) -> BotaclipError:
    return BotaclipError(f"The features hold {n_plots} plots but the species matrix has "
                         f"{n_rows} rows; both must list the same plots in the same order.")


def _sparse_csr(species, n_plots: int):
    """:func:`species_csr` of a scipy sparse matrix."""
    csr = species.tocsr().astype(np.float32)
    csr.sum_duplicates()
    csr.eliminate_zeros()
    csr.sort_indices()
    if csr.shape[0] != n_plots:
        raise _wrong_rows(n_plots, csr.shape[0])
    vals = csr.data
    if not np.all(np.isfinite(vals)):
        raise BotaclipError("The species matrix holds NaN or infinite values; fix the "
                            "covers (empty cells mean absent) and transform them again.")
    return csr.indptr, csr.indices, vals, csr.shape[1]


def species_csr(species, n_plots: int):
    """(indptr, indices, values, n_taxa) of a dense array or a scipy sparse matrix."""
    if hasattr(species, "tocsr"):          # scipy.sparse: memory-sane for big species lists
        return _sparse_csr(species, n_plots)
    species = np.asarray(species)
    if species.ndim != 2:
        raise BotaclipError(f"The species matrix must be 2-D [plots, taxa], not of shape "
                            f"{species.shape}.")
    if species.shape[0] != n_plots:
        raise _wrong_rows(n_plots, species.shape[0])
    rows, cols, vals = [], [], []
    step = max(1, 2_000_000 // max(1, species.shape[1]))     # ~8 MB of float32 per chunk
    for r0 in range(0, n_plots, step):
        block = np.asarray(species[r0:r0 + step], dtype=np.float32)
        if not np.all(np.isfinite(block)):
            bad = r0 + int(np.flatnonzero(~np.all(np.isfinite(block), axis=1))[0])
            raise BotaclipError(f"The species matrix holds NaN or infinite values (first at "
                                f"plot row {bad}); fix the covers and transform them again.")
        r, c = np.nonzero(block)
        rows.append(r + r0)
        cols.append(c)
        vals.append(block[r, c])
    rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    indptr = np.zeros(n_plots + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_plots), out=indptr[1:])
    return indptr, np.concatenate(cols), np.concatenate(vals), species.shape[1]


def check_features(features) -> np.ndarray:
    """``features`` as float16/32 ``[N, V, D]`` ([N, D] gets V = 1); refuses other shapes and
    non-finite values, naming the first plot row concerned."""
    if not isinstance(features, np.ndarray):
        raise BotaclipError(f"The image features must be a numpy array, not "
                            f"{type(features).__name__}.")
    if features.ndim == 2:
        features = features[:, None, :]
    if features.ndim != 3:
        raise BotaclipError(f"The image features must be [plots, variants, dim] (or [plots, "
                            f"dim]), not of shape {features.shape}.")
    if features.dtype not in (np.float16, np.float32):
        if not np.issubdtype(features.dtype, np.floating):
            raise BotaclipError(f"The image features must be floating point, not "
                                f"{features.dtype}.")
        features = features.astype(np.float32)
    n, v, d = features.shape
    if v < 1 or d < 1:
        raise BotaclipError(f"The image features have an empty axis: shape {features.shape}.")
    step = max(1, 4_000_000 // (v * d))
    for r0 in range(0, n, step):
        ok = np.isfinite(features[r0:r0 + step]).all(axis=(1, 2))
        if not ok.all():
            bad = r0 + np.flatnonzero(~ok)
            more = n - r0 - step
            raise BotaclipError(
                f"The image features of plot row {bad[0]} (and {len(bad) - 1} more in rows "
                f"{r0}..{min(n, r0 + step) - 1}{', maybe others after' if more > 0 else ''}) "
                "hold NaN or infinite values. Recompute the feature cache for those plots (a "
                "patch outside the raster or over nodata, or a float16 overflow).")
    return features


def require_enough_plots(n: int, config: TrainConfig, *, plots: str | None = None,
                         hint: str = "") -> None:
    """Refuse ``n`` plots when fewer than the minimums of training, validation and test
    together (:func:`backend.train.config.min_plots`).

    ``plots`` names the ``n`` plots in the message (default: "plots, <n> were given");
    ``hint``, when given, ends the message (where the plots went, what to do)."""
    n_train, n_val, n_test = min_plots(config)
    if n >= n_train + n_val + n_test:
        return
    raise BotaclipError(
        f"Training needs at least {n_train + n_val + n_test} "
        f"{plots or f'plots, {n} were given'}: {n_val} held out for validation (they choose "
        f"the epoch kept; recall@{config.select_k} ranks each among the others, and with "
        f"fewer, chance alone scores {100 * config.select_k / n_val:.0f} %), {n_test} held "
        f"out to test the model (the figure reported, recall@{TEST_K}) and {n_train} to train "
        "on (contrastive learning needs many negatives per batch), plus the training plots "
        "that the buffer around the held-out plots leaves out."
        + (f" {hint}" if hint else ""))


def require_distinct_releves(indptr: np.ndarray, indices: np.ndarray, values: np.ndarray,
                             *, source=None) -> None:
    """Refuse a species matrix (CSR arrays) whose rows are all the same: no relevé could be
    told from another. ``source``: the relevé file, named in the message."""
    counts = np.diff(indptr)
    n = len(counts)
    if n == 0 or not np.all(counts == counts[0]):
        return
    k = counts[0]
    first = slice(indptr[0], indptr[1])
    if (np.array_equal(indices.reshape(n, k), np.broadcast_to(indices[first], (n, k)))
            and np.array_equal(values.reshape(n, k), np.broadcast_to(values[first], (n, k)))):
        plots, fix = (f"usable plot of {source}", "columns") if source else ("plot", "matrix")
        raise BotaclipError(
            f"Every {plots} has the same taxa with the same values, so no relevé can be told "
            f"from another and the contrastive task is impossible. Check the species {fix} "
            "(a join that repeated one relevé?) or use relevés that differ.")


def prepare_inputs(features, species, x, y, config: TrainConfig) -> TrainingData:
    """Check what :func:`backend.train.loop.train_on_features` was given; the species as
    CSR rows and the coordinates as float64 vectors."""
    features = check_features(features)
    n = features.shape[0]
    indptr, indices, values, n_taxa = species_csr(species, n)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(x) != n or len(y) != n:
        raise BotaclipError(f"The features hold {n} plots but {len(x)} x and {len(y)} y "
                            "coordinates were given; give one coordinate pair per plot.")
    empty = np.flatnonzero(np.diff(indptr) == 0)
    if len(empty):
        rows = ", ".join(map(str, empty[:8])) + (", ..." if len(empty) > 8 else "")
        raise BotaclipError(f"{len(empty)} plot(s) have no taxon in the species list (rows "
                            f"{rows}); a relevé without taxa cannot be encoded. Remove those "
                            "plots (or keep the taxa their relevés hold).")
    require_enough_plots(n, config)
    require_distinct_releves(indptr, indices, values)
    return TrainingData(features, ReleveRows(indptr, indices, values), n_taxa, x, y)
