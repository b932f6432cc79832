"""The pre-norm vision-transformer block DOFA runs, written here so DOFA needs only torch.

DOFA's published checkpoints were made with timm's ``vision_transformer.Block``; timm in turn
requires torchvision, which on Linux comes tied to a CUDA build of torch (gigabytes) from
PyPI. This block computes the same thing with torch alone:

    x = x + attn(norm1(x))        attn: qkv -> scaled dot-product attention -> proj
    x = x + mlp(norm2(x))         mlp:  fc1 -> GELU (exact) -> fc2

Parameter names are timm's (``norm1``, ``attn.qkv``, ``attn.proj``, ``norm2``, ``mlp.fc1``,
``mlp.fc2``), so a timm-made state dict loads strictly. For DOFA's configuration timm's
other members (``q_norm``/``k_norm``, ``ls1``/``ls2``, dropouts, drop-paths) are identities
without parameters: they add no state-dict key and are left out. Sub-modules are created in
timm's order, so a model made from the same seed gets the same random weights as the
timm-built one (bundles made with random weights rebuild their backbone from the seed).
"""

from __future__ import annotations

import torch.nn.functional as F  # noqa: N812 (the usual name)
from torch import Tensor, nn


class Attention(nn.Module):
    """Multi-head self-attention with one fused ``qkv`` projection (timm's layout)."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"dim {dim} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        batch, n_tokens, dim = x.shape
        # [B, N, 3*D] -> [3, B, heads, N, head_dim]: timm's split of the fused projection.
        qkv = self.qkv(x).reshape(batch, n_tokens, 3, self.num_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        x = F.scaled_dot_product_attention(q, k, v)   # scale 1/sqrt(head_dim), no dropout
        return self.proj(x.transpose(1, 2).reshape(batch, n_tokens, dim))


class Mlp(nn.Module):
    """Two linear layers with an exact (erf) GELU between them."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm1(x))``, then ``x + mlp(norm2(x))``.

    ``norm_layer`` makes the two norms (DOFA: LayerNorm with eps 1e-6); the MLP's hidden
    width is ``int(dim * mlp_ratio)``, as in timm.
    """

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0,
                 qkv_bias: bool = True, norm_layer=nn.LayerNorm):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads, qkv_bias=qkv_bias)
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))
