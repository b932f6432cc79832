"""The trainable parts of BotaCLIP: the image adapter and the relevé encoder.

Both return **un-normalised** vectors of the image features' dimension; the losses compare
cosines (they normalise themselves) and :func:`l2_normalize` gives the unit vectors that a
bundle hands out. Keeping normalisation out of the modules keeps the adapter an exact identity
at initialisation (its output *is* the frozen feature) and lets the regulariser see both sides
through the same operation.

Randomness (weight initialisation, taxon dropout, hidden dropout) comes from explicit
``torch.Generator`` objects when given, so that training is reproducible without touching
torch's global random state.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.functional import gelu, normalize


def l2_normalize(x: Tensor, eps: float = 1e-12) -> Tensor:
    """Unit vectors along the last dimension (a zero vector stays zero)."""
    return normalize(x, dim=-1, eps=eps)


def _dropout(x: Tensor, p: float, generator: torch.Generator | None) -> Tensor:
    """Inverted dropout drawing its mask from ``generator`` (nn.Dropout cannot take one)."""
    if p <= 0:
        return x
    keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) >= p
    return x * keep / (1.0 - p)


def bag_ids(offsets: Tensor, n_entries: int) -> Tensor:
    """The bag (plot) index of each entry of a flat (indices, offsets) batch."""
    lengths = torch.diff(offsets, append=offsets.new_tensor([n_entries]))
    return torch.repeat_interleave(torch.arange(len(offsets), device=offsets.device), lengths)


def taxon_dropout_weights(weights: Tensor, offsets: Tensor, p: float,
                          generator: torch.Generator | None = None) -> Tensor:
    """Zero each entry's weight with probability ``p``, keeping at least one entry per plot.

    Every entry draws u ~ U(0, 1) and survives if u >= p; the entry with the largest u of
    each plot always survives, so no plot that had taxa loses all of them. Weights are not
    rescaled: a relevé that missed a few taxa is what the augmentation imitates, and the
    LayerNorm after the first layer absorbs the change of total mass.
    """
    n = weights.numel()
    if p <= 0 or n == 0:
        return weights
    u = torch.rand(n, generator=generator, device=weights.device)
    bags = bag_ids(offsets, n)
    best = torch.full((len(offsets),), -1.0, device=weights.device)
    best = best.scatter_reduce(0, bags, u, reduce="amax")
    keep = (u >= p) | (u == best[bags])
    return weights * keep.to(weights.dtype)


def dense_to_bags(values: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(indices, offsets, weights) of the non-zero entries of a dense [B, T] matrix."""
    rows, cols = torch.nonzero(values, as_tuple=True)
    counts = torch.bincount(rows, minlength=values.shape[0])
    offsets = torch.zeros(values.shape[0], dtype=torch.long, device=values.device)
    if values.shape[0] > 1:
        offsets[1:] = torch.cumsum(counts, 0)[:-1]
    return cols, offsets, values[rows, cols].to(torch.float32)


class ReleveEncoder(nn.Module):
    """MLP over a plot's transformed species vector.

    layer 1 (sparse): h = sum_t v_t E_t + b, an ``nn.EmbeddingBag`` weighted by the values, so
    a plot costs its ~30 taxa rather than the thousands of the species list;
    then LayerNorm -> GELU -> dropout -> Linear(hidden, dim).

    ``taxon_dropout``: in training mode each present taxon is dropped with that probability,
    never all taxa of a plot (:func:`taxon_dropout_weights`).
    """

    def __init__(self, n_taxa: int, dim: int, hidden: int = 512, dropout: float = 0.1,
                 taxon_dropout: float = 0.2, generator: torch.Generator | None = None):
        super().__init__()
        self.n_taxa, self.dim, self.hidden = int(n_taxa), int(dim), int(hidden)
        self.dropout, self.taxon_dropout = float(dropout), float(taxon_dropout)
        self.taxa = nn.EmbeddingBag(self.n_taxa, self.hidden, mode="sum")
        self.bias = nn.Parameter(torch.zeros(self.hidden))
        self.norm = nn.LayerNorm(self.hidden)
        self.out = nn.Linear(self.hidden, self.dim)
        self.reset_parameters(generator)

    @torch.no_grad()
    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        # Small taxon vectors: the LayerNorm rescales their sum, and Adam's steps are then large
        # relative to them, so rare taxa learn quickly.
        nn.init.trunc_normal_(self.taxa.weight, std=0.02, a=-0.04, b=0.04, generator=generator)
        self.bias.zero_()
        self.norm.reset_parameters()
        bound = 1.0 / math.sqrt(self.hidden)
        nn.init.uniform_(self.out.weight, -bound, bound, generator=generator)
        nn.init.uniform_(self.out.bias, -bound, bound, generator=generator)

    def forward_sparse(self, indices: Tensor, offsets: Tensor, weights: Tensor,
                       generator: torch.Generator | None = None) -> Tensor:
        """Encode B plots given as flat taxon ``indices`` (int64), the start ``offsets`` [B] of
        each plot in them and the transformed ``weights`` (float32). Returns [B, dim]."""
        if self.training and self.taxon_dropout > 0:
            weights = taxon_dropout_weights(weights, offsets, self.taxon_dropout, generator)
        h = self.taxa(indices, offsets, per_sample_weights=weights) + self.bias
        h = gelu(self.norm(h))
        if self.training:
            h = _dropout(h, self.dropout, generator)
        return self.out(h)

    def forward(self, values: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Encode a dense [B, n_taxa] matrix of transformed values (converted to bags first)."""
        if values.dim() != 2 or values.shape[1] != self.n_taxa:
            raise ValueError(f"expected [B, {self.n_taxa}] species values, got "
                             f"{tuple(values.shape)}")
        return self.forward_sparse(*dense_to_bags(values), generator=generator)


class ImageAdapter(nn.Module):
    """Residual MLP on frozen image features: ``f + W2 gelu(W1 LN(f))``.

    W2 and its bias start at zero, so the adapter is exactly the identity at initialisation
    (the similarity regulariser is then exactly zero). The LayerNorm has no affine parameters:
    a scale and shift before W1 would be redundant with W1 itself, and without them the
    backward pass needs no gradient with respect to the (frozen) input.
    """

    def __init__(self, dim: int, hidden: int = 256, generator: torch.Generator | None = None):
        super().__init__()
        self.dim, self.hidden = int(dim), int(hidden)
        self.norm = nn.LayerNorm(self.dim, elementwise_affine=False)
        self.fc1 = nn.Linear(self.dim, self.hidden)
        self.fc2 = nn.Linear(self.hidden, self.dim)
        self.reset_parameters(generator)

    @torch.no_grad()
    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        bound = 1.0 / math.sqrt(self.dim)
        nn.init.uniform_(self.fc1.weight, -bound, bound, generator=generator)
        nn.init.uniform_(self.fc1.bias, -bound, bound, generator=generator)
        self.fc2.weight.zero_()
        self.fc2.bias.zero_()

    def forward(self, f: Tensor) -> Tensor:
        return f + self.fc2(gelu(self.fc1(self.norm(f))))
