"""Contrastive losses and the similarity-preserving regulariser.

All functions take un-normalised embeddings and compare cosines (they L2-normalise first).
``img[i]`` and ``rel[i]`` are the image and relevé of the same plot; every other pair in the
batch is a negative.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.functional import cross_entropy, softplus

from .heads import l2_normalize

LOSSES = ("sigmoid", "infonce")
SIGMOID_INIT_SCALE = math.log(10.0)   # SigLIP: t' = log 10, b = -10
SIGMOID_INIT_BIAS = -10.0
INFONCE_INIT_SCALE = math.log(1 / 0.07)   # CLIP's temperature 0.07
MAX_SCALE = math.log(100.0)               # CLIP's cap on the InfoNCE scale


def _cosines(a: Tensor, b: Tensor) -> Tensor:
    return l2_normalize(a) @ l2_normalize(b).T


def sigmoid_loss_from_cos(cos: Tensor, logit_scale, logit_bias) -> Tensor:
    """:func:`sigmoid_loss` from the [B, B] cosine matrix.

    With l = exp(scale) cos + bias: -log sigmoid(-l) = softplus(l) and -log sigmoid(l) =
    softplus(l) - l, so the sum is sum_ij softplus(l_ij) - sum_i l_ii (no label matrix).
    """
    logits = cos * torch.as_tensor(logit_scale).exp() + logit_bias
    return (softplus(logits).sum() - logits.diagonal().sum()) / cos.shape[0]


def sigmoid_loss(img: Tensor, rel: Tensor, logit_scale, logit_bias) -> Tensor:
    """SigLIP loss: -sum_ij log sigmoid(z_ij (exp(scale) cos_ij + bias)) / B, with z = +1 on
    the diagonal (matching pairs) and -1 elsewhere."""
    return sigmoid_loss_from_cos(_cosines(img, rel), logit_scale, logit_bias)


def infonce_loss_from_cos(cos: Tensor, logit_scale) -> Tensor:
    """:func:`infonce_loss` from the [B, B] cosine matrix."""
    logits = cos * torch.as_tensor(logit_scale).exp()
    target = torch.arange(cos.shape[0], device=cos.device)
    return 0.5 * (cross_entropy(logits, target) + cross_entropy(logits.T, target))


def infonce_loss(img: Tensor, rel: Tensor, logit_scale) -> Tensor:
    """Symmetric InfoNCE (CLIP): mean of the image->relevé and relevé->image cross-entropies
    of exp(scale) * cos, the matching pair being the target."""
    return infonce_loss_from_cos(_cosines(img, rel), logit_scale)


class _Gram(torch.autograd.Function):
    """u @ u.T whose backward is one matmul, (g + g.T) @ u, instead of autograd's two."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return u @ u.T

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        # under autocast the forward ran in g's dtype (bfloat16): so does the backward
        return ((g + g.T) @ u.to(g.dtype)).to(u.dtype)


def gram(u: Tensor) -> Tensor:
    """u @ u.T (for unit rows: their cosines), with a one-matmul backward."""
    return _Gram.apply(u) if u.requires_grad else u @ u.T


def cosine_matrix(x: Tensor) -> Tensor:
    """In-batch cosine similarities [B, B]."""
    return gram(l2_normalize(x))


def regulariser_from_sims(adapted_sim: Tensor, frozen_sim: Tensor,
                          k: int | None = None) -> Tensor:
    """:func:`similarity_regulariser` from the two [B, B] cosine matrices."""
    n = adapted_sim.shape[0]
    if n < 2:
        return adapted_sim.sum() * 0.0
    diff2 = (adapted_sim - frozen_sim).pow(2)
    if k is None or k >= n - 1:
        return (diff2.sum() - diff2.diagonal().sum()) / (n * (n - 1))
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    with torch.no_grad():
        masked = frozen_sim.clone()
        masked.fill_diagonal_(-math.inf)
        nearest = masked.topk(int(k), dim=1).indices
    return diff2.gather(1, nearest).mean()


def similarity_regulariser(adapted: Tensor, frozen: Tensor | None, k: int | None = None,
                           frozen_sim: Tensor | None = None) -> Tensor:
    """Mean squared difference between the in-batch cosine matrices of the adapted and the
    frozen image embeddings.

    The diagonal does not count (it is cos(x, x) = 1 on both sides, so it would only dilute
    the mean): the mean runs over the B(B-1) off-diagonal pairs. With ``k``, only each
    sample's k nearest neighbours in the frozen space count (B k pairs; k >= B - 1 means all).
    ``frozen_sim`` may be given instead of ``frozen`` when the frozen matrix is already known
    (it is constant for a fixed batch, e.g. in validation).
    """
    if frozen_sim is None:
        with torch.no_grad():
            frozen_sim = cosine_matrix(frozen)
    return regulariser_from_sims(cosine_matrix(adapted), frozen_sim, k)


class ContrastiveLoss(nn.Module):
    """The contrastive loss with its learnable logit scale (and bias, for the sigmoid loss).

    ``kind``: "sigmoid" (SigLIP, scale log 10 and bias -10 at start) or "infonce" (CLIP,
    scale log(1/0.07), capped at log 100; the bias parameter exists but is not used).
    """

    def __init__(self, kind: str = "sigmoid", init_scale: float | None = None,
                 init_bias: float | None = None):
        super().__init__()
        if kind not in LOSSES:
            raise ValueError(f"unknown contrastive loss {kind!r}; use one of {LOSSES}")
        self.kind = kind
        if init_scale is None:
            init_scale = SIGMOID_INIT_SCALE if kind == "sigmoid" else INFONCE_INIT_SCALE
        if init_bias is None:
            init_bias = SIGMOID_INIT_BIAS if kind == "sigmoid" else 0.0
        self.logit_scale = nn.Parameter(torch.tensor(float(init_scale)))
        self.logit_bias = nn.Parameter(torch.tensor(float(init_bias)))

    def forward(self, img: Tensor, rel: Tensor) -> Tensor:
        return self.from_cos(_cosines(img, rel))

    def from_cos(self, cos: Tensor) -> Tensor:
        """The loss from the [B, B] image x relevé cosine matrix."""
        if self.kind == "sigmoid":
            return sigmoid_loss_from_cos(cos, self.logit_scale, self.logit_bias)
        return infonce_loss_from_cos(cos, self.logit_scale.clamp(max=MAX_SCALE))
