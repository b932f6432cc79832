"""Retrieval metrics of held-out plots (validation and test): recall@k in both directions
(image -> relevé, relevé -> image), what chance scores, and the mean of both directions that
picks the best epoch (on the validation plots) and that the reports state (on the test
plots).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..models.heads import l2_normalize

TIE_EPS = 1e-6          # similarities closer than this count as ties in recall@k
RECALL_CHUNK = 1024     # rows of the validation similarity matrix held at once


def recall_at_k(a: Tensor, b: Tensor, ks=(1, 5, 10), sim_dtype=torch.float32) -> dict:
    """Retrieval recall of the pairs a[i] <-> b[i] among all n candidates, both directions.

    "img2rel@k": share of rows i whose b[i] is among the k most similar b's to a[i] (cosine);
    "rel2img@k" the other way. Ties (within 1e-6) are split evenly: a pair tied with t others
    and beaten by g counts (k - g) / (t + 1), clipped to [0, 1], the expected recall under a
    random order of the ties, so degenerate (identical) embeddings score chance, not 0 or 1.
    """
    a = l2_normalize(a.detach().float())
    b = l2_normalize(b.detach().float())
    if sim_dtype != torch.float32:
        # a quick approximation (for choosing epochs): similarities of the rounded vectors,
        # themselves rounded to sim_dtype, as the matrix product returns them; pairs that
        # the rounding makes equal count as ties (split evenly, see above)
        a, b = a.to(sim_dtype), b.to(sim_dtype)
    n = a.shape[0]
    if b.shape[0] != n or n == 0:
        raise ValueError(f"recall_at_k needs two non-empty aligned sets, got {n} and {b.shape[0]}")
    diag = (a.float() * b.float()).sum(1).to(sim_dtype).float()
    greater_r = torch.zeros(n, device=a.device)
    equal_r = torch.zeros(n, device=a.device)
    greater_c = torch.zeros(n, device=a.device)
    equal_c = torch.zeros(n, device=a.device)
    for r0 in range(0, n, RECALL_CHUNK):
        r1 = min(n, r0 + RECALL_CHUNK)
        s = (a[r0:r1] @ b.T).float()
        rows = torch.arange(r1 - r0, device=a.device)
        s[rows, rows + r0] = math.nan          # the pair itself is never a competitor
        d = diag[r0:r1, None]
        # int32 sums: counting a bool matrix into int64 costs twice the comparison itself
        greater_r[r0:r1] = (s > d + TIE_EPS).sum(1, dtype=torch.int32)
        equal_r[r0:r1] = (s >= d - TIE_EPS).sum(1, dtype=torch.int32)
        greater_c += (s > diag[None, :] + TIE_EPS).sum(0, dtype=torch.int32)
        equal_c += (s >= diag[None, :] - TIE_EPS).sum(0, dtype=torch.int32)
    out = {}
    for name, g, ge in (("img2rel", greater_r, equal_r), ("rel2img", greater_c, equal_c)):
        ties = ge - g
        for k in ks:
            hit = ((k - g) / (ties + 1)).clamp(0, 1)
            out[f"{name}@{k}"] = float(hit.mean())
    return out


def chance_recall(n: int, ks=(1, 5, 10)) -> dict:
    """Recall@k of a random ranking of n candidates: k / n."""
    return {f"{d}@{k}": min(1.0, k / n) for d in ("img2rel", "rel2img") for k in ks}


def recall_ks(select_k: int) -> tuple:
    """The k of recall@k measured: 1, 5, 10 and the ``select_k`` that picks the best epoch."""
    return tuple(sorted({1, 5, 10, int(select_k)}))


def mean_recall(metrics: dict, k: int) -> float:
    """Mean of image->relevé and relevé->image recall@k."""
    return 0.5 * (metrics[f"img2rel@{k}"] + metrics[f"rel2img@{k}"])
