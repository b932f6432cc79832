"""DOFA: the frozen, wavelength-conditioned ViT backbone that BotaCLIP adapts.

Dynamic One-For-All (Xiong et al. 2024, https://arxiv.org/abs/2403.15356) turns each band's
centre wavelength into a patch-embedding kernel, so one model reads any set of bands in any
order. This module re-implements the published architecture (torchgeo's ``DOFA`` with the
patch-embedding layout fixed in August 2024) with the same parameter names, so the published
state dicts load unchanged (see :mod:`.weights`).

Patch embedding, per band ``c`` with wavelength ``w_c`` (micrometres):

1. ``e_c = sincos(1000 * w_c)`` (width ``dynamic_embed_dim``), then a residual MLP
   ``e_c + relu(w2(relu(w1(e_c))))`` (``patch_embed.fclayer``);
2. a one-layer transformer over ``[128 weight tokens, e_1..e_C, bias token]`` gives, per band,
   ``fc_weight(out_c + e_c)`` -> ``k*k*D`` values and, from the bias token, ``fc_bias`` -> ``D``;
3. kernel = ``weight.view(C, k, k, D).permute(3, 0, 1, 2) * 0.01``, bias ``* 0.01``, applied by
   ``conv2d(stride=k, padding=1)``.

Then a cls token and ``pos_embed`` are added, ViT blocks run (:mod:`.vit_block`: timm's block
with its parameter names, in torch alone), and the pooled feature is the mean of the patch
tokens passed through ``fc_norm``.

Input sizes other than ``img_size``: the patch grid is ``(H + 2 - k) // k + 1`` by the same for
W (the +2 comes from DOFA's padding of 1; 14 x 14 at 224 px, 7 x 7 at 112, 28 x 28 at 448)
and the patch part of ``pos_embed`` is resampled to that grid with bicubic interpolation
(``align_corners=False``, no antialias: the MAE/DeiT convention DOFA inherits); the cls
position is kept. At the native grid ``pos_embed`` is used as is, bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple, Union

import torch
import torch.nn.functional as F  # noqa: N812 (the usual name)
from torch import Tensor, nn

from ..errors import BotaclipError
from .vit_block import Block
from .weight_files import DOFA_SIZE_NAMES, normalize_size_name  # noqa: F401  (public here too)

Wavelengths = Union[Tensor, Sequence[float]]

# Fixed by the published architecture, whatever the model size.
_NUM_WEIGHT_TOKENS = 128
_GENERATOR_HEADS = 4
_KERNEL_SCALE = 0.01
_MAX_CACHED_KERNELS = 16


class DofaSize(NamedTuple):
    """Width, depth and heads of a named DOFA size (unpacks as a plain tuple)."""

    embed_dim: int
    depth: int
    num_heads: int


DOFA_SIZES: dict[str, DofaSize] = {
    "dofa-small": DofaSize(384, 12, 6),
    "dofa-base": DofaSize(768, 12, 12),
    "dofa-large": DofaSize(1024, 24, 16),
}
"""Named sizes; all use patch 16, image 224 and a dynamic generator width of 128."""
assert tuple(DOFA_SIZES) == DOFA_SIZE_NAMES


@dataclasses.dataclass(frozen=True)
class DofaConfig:
    """Architecture of a DOFA backbone (defaults: dofa-base)."""

    img_size: int = 224
    patch_size: int = 16
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    dynamic_embed_dim: int = 128
    global_pool: bool = True
    layernorm_eps: float = 1e-6
    qkv_bias: bool = True

    def __post_init__(self):
        problems = []
        for name in ("img_size", "patch_size", "embed_dim", "depth", "num_heads",
                     "dynamic_embed_dim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                problems.append(f"{name} must be a positive integer (got {value!r})")
        if problems:
            raise BotaclipError("Invalid DOFA config: " + "; ".join(problems) + ".")
        if self.patch_size < 3:
            problems.append(f"patch_size must be at least 3 (got {self.patch_size})")
        if self.img_size % self.patch_size:
            problems.append(f"img_size {self.img_size} is not a multiple of patch_size "
                            f"{self.patch_size}")
        if self.embed_dim % self.num_heads:
            problems.append(f"embed_dim {self.embed_dim} is not divisible by num_heads "
                            f"{self.num_heads}")
        if self.dynamic_embed_dim % (2 * _GENERATOR_HEADS):
            problems.append(f"dynamic_embed_dim must be a multiple of {2 * _GENERATOR_HEADS} "
                            f"(got {self.dynamic_embed_dim})")
        if not (self.mlp_ratio > 0 and self.layernorm_eps > 0):
            problems.append("mlp_ratio and layernorm_eps must be positive")
        if problems:
            raise BotaclipError("Invalid DOFA config: " + "; ".join(problems) + ".")

    @property
    def grid_size(self) -> int:
        """Patches per side at ``img_size`` (the grid ``pos_embed`` was trained on)."""
        return self.img_size // self.patch_size

    @classmethod
    def named(cls, size: str) -> DofaConfig:
        """The config of a named size (``"dofa-base"``, ``"base"`` ...)."""
        embed, depth, heads = DOFA_SIZES[normalize_size_name(size)]
        return cls(embed_dim=embed, depth=depth, num_heads=heads)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DofaConfig:
        """Build from a mapping (e.g. a bundle's config.json); unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise BotaclipError(f"A DOFA config must be a JSON object, got {type(data).__name__}.")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise BotaclipError(
                f"Unknown DOFA config field(s) {', '.join(unknown)}; "
                f"known fields: {', '.join(fields)}."
            )
        kwargs = {}
        for name, value in data.items():
            default = fields[name].default
            try:
                if isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise TypeError
                elif isinstance(default, int):
                    if isinstance(value, bool) or float(value) != int(value):
                        raise TypeError
                    value = int(value)
                else:
                    value = float(value)
            except (TypeError, ValueError):
                raise BotaclipError(
                    f"DOFA config field {name!r} has the wrong type: {value!r} "
                    f"(expected {type(default).__name__})."
                ) from None
            kwargs[name] = value
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def size_name(self) -> str | None:
        """The named size this config equals, or None for a custom architecture."""
        for name in DOFA_SIZES:
            if self == DofaConfig.named(name):
                return name
        return None


def wavelength_encoding(dim: int, positions: Tensor) -> Tensor:
    """1-D sin-cos encoding [M, dim] of ``positions`` [M] (DOFA passes wavelength in nm)."""
    omega = torch.arange(dim // 2, dtype=torch.float32, device=positions.device)
    omega = omega / (dim / 2.0)
    omega = 1.0 / 10000 ** omega
    angles = torch.outer(positions.reshape(-1).float(), omega)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


def resize_pos_embed(pos_embed: Tensor, grid: tuple[int, int], new_grid: tuple[int, int]
                     ) -> Tensor:
    """Resample the patch part of ``pos_embed`` [1, 1+gh*gw, D] to ``new_grid`` (bicubic).

    The cls position (index 0) is kept. Always interpolates, even to the same grid.
    """
    gh, gw = grid
    nh, nw = new_grid
    dim = pos_embed.shape[-1]
    cls_pos, patch_pos = pos_embed[:, :1], pos_embed[:, 1:]
    patch_pos = patch_pos.reshape(1, gh, gw, dim).permute(0, 3, 1, 2).float()
    patch_pos = F.interpolate(patch_pos, size=(nh, nw), mode="bicubic", align_corners=False)
    patch_pos = patch_pos.permute(0, 2, 3, 1).reshape(1, nh * nw, dim).to(pos_embed.dtype)
    return torch.cat([cls_pos, patch_pos], dim=1)


class FCResLayer(nn.Module):
    """Residual MLP on the wavelength encodings: ``x + relu(w2(relu(w1(x))))``."""

    def __init__(self, width: int):
        super().__init__()
        self.w1 = nn.Linear(width, width)
        self.w2 = nn.Linear(width, width)

    def forward(self, x: Tensor) -> Tensor:
        return x + F.relu(self.w2(F.relu(self.w1(x))))


class TransformerWeightGenerator(nn.Module):
    """Band encodings [C, E] -> per-band kernel values [C, k*k*D] and a shared bias [D]."""

    def __init__(self, width: int, kernel_values: int, embed_dim: int):
        super().__init__()
        layer = nn.TransformerEncoderLayer(
            d_model=width, nhead=_GENERATOR_HEADS, dim_feedforward=2048, dropout=0.0,
            activation="gelu", norm_first=False, batch_first=False,
        )
        self.transformer_encoder = nn.TransformerEncoder(
            layer, num_layers=1, enable_nested_tensor=False
        )
        self.fc_weight = nn.Linear(width, kernel_values)
        self.fc_bias = nn.Linear(width, embed_dim)
        self.weight_tokens = nn.Parameter(torch.empty(_NUM_WEIGHT_TOKENS, width))
        self.bias_token = nn.Parameter(torch.empty(1, width))
        nn.init.normal_(self.weight_tokens, std=0.02)
        nn.init.normal_(self.bias_token, std=0.02)

    def forward(self, bands: Tensor) -> tuple[Tensor, Tensor]:
        # Unbatched sequence [128 + C + 1, E]; no positional code, so the output per band
        # does not depend on band order (DOFA's band-order invariance rests on this).
        seq = torch.cat([self.weight_tokens, bands, self.bias_token], dim=0)
        out = self.transformer_encoder(seq)
        weights = self.fc_weight(out[_NUM_WEIGHT_TOKENS:-1] + bands)
        bias = self.fc_bias(out[-1])
        return weights, bias


class DofaPatchEmbed(nn.Module):
    """Generates the patch-embedding conv kernel from band wavelengths."""

    def __init__(self, dynamic_embed_dim: int, patch_size: int, embed_dim: int):
        super().__init__()
        self.dynamic_embed_dim = dynamic_embed_dim
        self.patch_size = patch_size
        self.embed_dim = embed_dim
        self.weight_generator = TransformerWeightGenerator(
            dynamic_embed_dim, patch_size * patch_size * embed_dim, embed_dim
        )
        self.fclayer = FCResLayer(dynamic_embed_dim)
        for module in (self.weight_generator, self.fclayer):
            module.apply(_xavier_linear)

    def kernel(self, wavelengths_um: Tensor) -> tuple[Tensor, Tensor]:
        """Kernel [D, C, k, k] and bias [D] for bands of these wavelengths [C] (micrometres)."""
        n_bands = wavelengths_um.shape[0]
        k, dim = self.patch_size, self.embed_dim
        codes = wavelength_encoding(self.dynamic_embed_dim, wavelengths_um * 1000)
        codes = self.fclayer(codes.to(self.fclayer.w1.weight.dtype))
        weights, bias = self.weight_generator(codes)
        # The fixed (post August 2024) layout: values run band, row, column, then channel.
        weight = weights.view(n_bands, k, k, dim).permute(3, 0, 1, 2) * _KERNEL_SCALE
        return weight, bias.view(dim) * _KERNEL_SCALE


def _xavier_linear(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)
        nn.init.constant_(module.bias, 0.01)


class DOFA(nn.Module):
    """DOFA vision transformer: any bands, each with its wavelength, -> features.

    ``forward(x, wavelengths_um)`` -> pooled [B, D]; ``forward_tokens`` -> last block output
    [B, 1+N, D] (cls first, then patches row-major); ``patch_token_map`` -> [B, D, h, w].
    ``x`` is [B, C, H, W], already normalised; ``wavelengths_um`` has one centre wavelength
    per band in micrometres (e.g. 0.665 for Sentinel-2 red). See the module docstring for
    input sizes other than ``img_size``.

    In eval mode with frozen parameters (or under no_grad) the kernel generated for a set of
    wavelengths is cached; the cache notices in-place changes to the patch-embedding weights
    (``load_state_dict``, optimiser steps), moves and dtype changes, and is bypassed in
    training mode.
    """

    def __init__(self, config: DofaConfig | None = None):
        super().__init__()
        config = config or DofaConfig()
        self.config = config
        self.embed_dim = config.embed_dim
        self.patch_size = config.patch_size
        self.global_pool = config.global_pool
        norm_layer = partial(nn.LayerNorm, eps=config.layernorm_eps)
        if config.global_pool:
            self.fc_norm = norm_layer(config.embed_dim)
        else:
            self.norm = norm_layer(config.embed_dim)
        self.patch_embed = DofaPatchEmbed(
            config.dynamic_embed_dim, config.patch_size, config.embed_dim
        )
        self.cls_token = nn.Parameter(torch.zeros(1, 1, config.embed_dim))
        self.pos_embed = nn.Parameter(
            torch.zeros(1, config.grid_size ** 2 + 1, config.embed_dim), requires_grad=False
        )
        self.blocks = nn.ModuleList(
            Block(config.embed_dim, config.num_heads, config.mlp_ratio,
                  qkv_bias=config.qkv_bias, norm_layer=norm_layer)
            for _ in range(config.depth)
        )
        self._kernel_cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()

    # -- patch embedding ---------------------------------------------------------------------

    def clear_kernel_cache(self) -> None:
        with self._cache_lock:
            self._kernel_cache.clear()

    def _param_signature(self) -> tuple:
        return tuple((p.data_ptr(), p._version, p.dtype, p.device)
                     for p in self.patch_embed.parameters())

    def _can_cache(self) -> bool:
        if self.training:
            return False
        if any(p.is_inference() for p in self.patch_embed.parameters()):
            return False  # made inside inference_mode: no version counter to watch
        if not torch.is_grad_enabled():
            return True
        return not any(p.requires_grad for p in self.patch_embed.parameters())

    def dynamic_kernel(self, wavelengths_um: Wavelengths) -> tuple[Tensor, Tensor]:
        """Conv kernel [D, C, k, k] and bias [D] for these band wavelengths (micrometres)."""
        device = self.cls_token.device
        waves = _wavelength_tensor(wavelengths_um, device)
        # Kernels are made in the parameters' dtype, outside autocast: they are tiny to
        # compute, and a bfloat16 generator would round before the 0.01 scaling.
        with torch.autocast(device_type=device.type, enabled=False):
            if not self._can_cache():
                return self.patch_embed.kernel(waves)
            key = (tuple(waves.tolist()), self._param_signature())
            with self._cache_lock:
                hit = self._kernel_cache.get(key)
                if hit is not None:
                    self._kernel_cache.move_to_end(key)
                    return hit
            # Normal tensors even inside inference_mode, so a cached kernel stays usable later
            # by code that does need autograd on its inputs.
            with torch.inference_mode(False), torch.no_grad():
                made = self.patch_embed.kernel(waves.clone())
            with self._cache_lock:
                stale = [k for k in self._kernel_cache if k[1] != key[1]]
                for k in stale:
                    del self._kernel_cache[k]
                self._kernel_cache[key] = made
                while len(self._kernel_cache) > _MAX_CACHED_KERNELS:
                    self._kernel_cache.popitem(last=False)
            return made

    def pos_embed_for(self, grid: tuple[int, int]) -> Tensor:
        """``pos_embed`` for a patch grid, bicubic-resampled when it is not the native one."""
        native = (self.config.grid_size, self.config.grid_size)
        if tuple(grid) == native:
            return self.pos_embed
        with torch.autocast(device_type=self.pos_embed.device.type, enabled=False):
            return resize_pos_embed(self.pos_embed, native, tuple(grid))

    # -- forward -----------------------------------------------------------------------------

    def _run(self, x: Tensor, wavelengths_um: Wavelengths) -> tuple[Tensor, tuple[int, int]]:
        if not isinstance(x, Tensor) or x.dim() != 4:
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise BotaclipError(f"DOFA expects images as a [batch, bands, height, width] "
                                f"tensor, got {shape}.")
        n_bands = _count(wavelengths_um)
        if x.shape[1] != n_bands:
            raise BotaclipError(
                f"The image has {x.shape[1]} band(s) but {n_bands} wavelength(s) were given: "
                f"give exactly one centre wavelength (micrometres) per band."
            )
        k = self.patch_size
        if min(x.shape[-2:]) < k - 2:
            raise BotaclipError(f"Image of {x.shape[-2]} x {x.shape[-1]} px is too small for "
                                f"DOFA: each side needs at least {k - 2} px.")
        weight, bias = self.dynamic_kernel(wavelengths_um)
        if weight.device != x.device:
            raise BotaclipError(f"Images are on {x.device} but the DOFA model is on "
                                f"{weight.device}: move one to the other.")
        tokens = _patch_conv(x, weight, bias, k)
        grid = (tokens.shape[-2], tokens.shape[-1])
        tokens = tokens.flatten(2).transpose(1, 2)
        pos = self.pos_embed_for(grid)
        tokens = tokens + pos[:, 1:]
        cls = (self.cls_token + pos[:, :1]).expand(tokens.shape[0], -1, -1)
        tokens = torch.cat([cls.to(tokens.dtype), tokens], dim=1)
        for block in self.blocks:
            tokens = block(tokens)
        return tokens, grid

    def forward_tokens(self, x: Tensor, wavelengths_um: Wavelengths) -> Tensor:
        """Output of the last transformer block, [B, 1+N, D], cls token first."""
        return self._run(x, wavelengths_um)[0]

    def forward(self, x: Tensor, wavelengths_um: Wavelengths) -> Tensor:
        """Pooled feature [B, D]: mean of the patch tokens, then ``fc_norm``."""
        tokens, _ = self._run(x, wavelengths_um)
        if self.global_pool:
            return self.fc_norm(tokens[:, 1:].mean(dim=1))
        return self.norm(tokens)[:, 0]

    def patch_token_map(self, x: Tensor, wavelengths_um: Wavelengths) -> Tensor:
        """Patch tokens as a dense map [B, D, h, w], each passed through ``fc_norm``.

        The same normalisation as the pooled feature, applied per patch (so a head trained on
        pooled features can be applied per patch); the map's mean is not exactly the pooled
        feature, because the norm is applied before rather than after averaging.
        """
        tokens, (h, w) = self._run(x, wavelengths_um)
        norm = self.fc_norm if self.global_pool else self.norm
        patches = norm(tokens[:, 1:])
        return patches.transpose(1, 2).reshape(tokens.shape[0], -1, h, w).contiguous()


def _patch_conv(x: Tensor, weight: Tensor, bias: Tensor, k: int) -> Tensor:
    """The patch embedding's convolution (stride ``k``, padding 1).

    On a CPU it always runs in float32, whatever the precision of the rest: oneDNN's
    bfloat16 convolution in torch 2.14 returns wrong values on CPUs with AMX (a relative
    error of 1.05 against float32 for this stride-16 kernel, where rounding the operands to
    bfloat16 explains 0.002; tests/test_dofa.py measures it). It is under 1 % of the
    model's arithmetic, so nothing is lost; the tokens go on in the caller's dtype."""
    if x.device.type == "cpu":
        with torch.autocast(device_type="cpu", enabled=False):
            tokens = F.conv2d(x.float(), weight.float(), bias.float(), stride=k, padding=1)
        return tokens if _autocast_on("cpu") else tokens.to(x.dtype)
    if not _autocast_on(x.device.type):
        weight, bias = weight.to(x.dtype), bias.to(x.dtype)
    return F.conv2d(x, weight, bias, stride=k, padding=1)


def _autocast_on(device_type: str) -> bool:
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:  # torch < 2.4
        if device_type == "cpu":
            return torch.is_autocast_cpu_enabled()
        return torch.is_autocast_enabled()


def _count(wavelengths_um: Wavelengths) -> int:
    if isinstance(wavelengths_um, Tensor):
        return int(wavelengths_um.numel())
    try:
        return len(wavelengths_um)
    except TypeError:
        raise BotaclipError(
            f"Wavelengths must be a list of numbers (micrometres), got {wavelengths_um!r}."
        ) from None


def _wavelength_tensor(wavelengths_um: Wavelengths, device: torch.device) -> Tensor:
    """float32 [C] on ``device``, checked: finite, positive, plausibly micrometres."""
    try:
        if isinstance(wavelengths_um, Tensor):
            waves = wavelengths_um.detach().reshape(-1).to(device="cpu", dtype=torch.float32)
        else:
            waves = torch.tensor([float(w) for w in wavelengths_um], dtype=torch.float32)
    except (TypeError, ValueError):
        raise BotaclipError(
            f"Wavelengths must be numbers in micrometres, got {wavelengths_um!r}."
        ) from None
    values = waves.tolist()
    if not values:
        raise BotaclipError("No band wavelengths were given: DOFA needs one per band.")
    bad = [v for v in values if not math.isfinite(v) or v <= 0]
    if bad:
        raise BotaclipError(f"Band wavelengths must be positive numbers in micrometres; "
                            f"got {values}.")
    if max(values) > 100:
        raise BotaclipError(
            f"Band wavelengths {values} look like nanometres; DOFA expects micrometres "
            f"(e.g. 0.665 for red, 0.842 for near infrared)."
        )
    return waves.to(device)
