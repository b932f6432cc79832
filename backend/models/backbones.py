"""Frozen image backbones behind one interface: DOFA (any bands), timm models (RGB) and the
``spectral`` baseline (no weights).

A :class:`Backbone` takes raw patches as read by :class:`backend.io.patches.PatchReader`
(float32 ``[B, C, P, P]`` in the raster's units, invalid pixels NaN) and returns pooled
features ``[B, dim]`` (float32). It owns everything between the two: band selection, input
normalisation, nodata, resizing to the model's input, precision. Training, chip embedding and
the raster engine all go through :meth:`Backbone.prepare`, so a patch gives the same feature
whichever front door it came through.

Nodata (:data:`NODATA_FILL`). A network has no notion of a missing pixel, so invalid pixels
must get some value; the least informative one is the band mean of the normalisation, 0 once
normalised, which is what the network saw on average in every band. Filling the raw value 0
instead (as before feature format 3) gives ``-mean / std`` after normalising (about -2 for
ImageNet statistics on 8-bit imagery): a dark blot that the model reads as content, so a patch
half outside the image embedded visibly differently from its neighbours. The spectral
baseline needs no fill: its statistics are taken over the valid pixels only.

Normalisation (:class:`Normalization`) is stored in raw units, ``(x - mean) / std`` per band:
for 8-bit RGB it is ImageNet's statistics times 255; otherwise it is estimated from sampled
windows of the raster (:func:`backend.io.band_stats.sample_band_stats`) and stored in the bundle.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional as F

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from . import precision as P
from .precision import LOW_PRECISIONS, PRECISIONS  # noqa: F401  (the public names)

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DOFA_NAMES = ("dofa-small", "dofa-base", "dofa-large")
BACKBONES_HELP = ("dofa-small, dofa-base, dofa-large, dofa-custom (with a config), timm:NAME "
                  "or spectral")
BF16_MIN_COSINE = P.MIN_COSINE     # lowest raw cosine auto accepts (see precision.py)
NODATA_FILL = "band mean of the input normalisation (0 after normalising)"
NODATA_SPECTRAL = "left out (statistics over the valid pixels only)"


@dataclass
class Normalization:
    """``(x - mean) / std`` per band, in the raster's raw units; kind says where it came from:
    "imagenet" (8-bit RGB), "sampled" (statistics of the raster) or "none"."""

    kind: str
    mean: list[float]
    std: list[float]

    @classmethod
    def none(cls, n_bands: int) -> Normalization:
        return cls("none", [0.0] * n_bands, [1.0] * n_bands)

    @classmethod
    def imagenet(cls) -> Normalization:
        return cls("imagenet", [255.0 * m for m in IMAGENET_MEAN],
                   [255.0 * s for s in IMAGENET_STD])

    @classmethod
    def from_stats(cls, stats) -> Normalization:
        """From :class:`backend.io.band_stats.BandStats`; a flat band gets std 1."""
        std = [float(s) if s and math.isfinite(s) and s > 1e-6 else 1.0 for s in stats.std]
        return cls("sampled", [float(m) for m in stats.mean], std)

    @classmethod
    def from_dict(cls, d: dict) -> Normalization:
        return cls(str(d["kind"]), [float(v) for v in d["mean"]], [float(v) for v in d["std"]])

    def to_dict(self) -> dict:
        return asdict(self)

    def apply(self, x: Tensor) -> Tensor:
        if self.kind == "none":
            return x
        if len(self.mean) != x.shape[1]:
            raise BotaclipError(f"The input normalisation has {len(self.mean)} band(s) but the "
                                f"patches have {x.shape[1]}.")
        mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
        std = torch.tensor(self.std, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
        return (x - mean) / std


def dihedral(x, k: int):
    """The k-th of the 8 dihedral variants of square patches [..., P, P] (numpy or torch):
    k % 4 quarter turns, mirrored left-right first when k >= 4. k = 0 is the patch as is."""
    k = int(k) % 8
    if isinstance(x, Tensor):
        if k >= 4:
            x = torch.flip(x, dims=(-1,))
        return torch.rot90(x, k % 4, dims=(-2, -1))
    if k >= 4:
        x = x[..., ::-1]
    return np.rot90(x, k % 4, axes=(-2, -1))


def bf16_native_cpu() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX). Without it, torch
    emulates bfloat16 matmuls and they are several times slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "")
    except OSError:
        return False
    return any(f in flags.split() for f in ("avx512_bf16", "amx_bf16"))


def resolve_device(name: str | None) -> torch.device:
    """"auto" -> cuda when usable, else cpu; "cuda" without a GPU is an error."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise BotaclipError(
                f"Device {name!r} was asked for but no CUDA GPU is usable here (torch "
                f"{torch.__version__}, CUDA build {torch.version.cuda or 'none'}). Use "
                "--device cpu or --device auto.")
        return torch.device(name)
    raise BotaclipError(f"Unknown device {name!r}: use auto, cpu or cuda.")


@dataclass
class Backbone:
    """A frozen image encoder with its input conventions. Build with :func:`build_backbone`."""

    name: str                          # "dofa-base", "timm:resnet18", "spectral"
    model: torch.nn.Module | None      # None for the spectral baseline
    dim: int
    input_px: int                      # patches are resized to input_px x input_px
    wavelengths: list[float]           # one per band the backbone receives
    normalization: Normalization
    weights_path: str | None = None
    weights_sha256: str | None = None
    random_weights: bool = False
    band_index: list[int] | None = None  # which of the reader's bands, in which order (timm)
    input_wavelengths: list[float] | None = None  # all bands the reader delivers (timm)
    seed: int = 0                      # the seed of random weights (recorded: reproducible)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    precision: str = "float32"
    precision_check: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    int8_model: torch.nn.Module | None = field(default=None, repr=False, compare=False)

    # -- identity ---------------------------------------------------------------------------
    def reference(self) -> dict:
        """What a bundle, a cache key or a raster's metadata record about this backbone."""
        return {"name": self.name, "dim": self.dim, "input_px": self.input_px,
                "wavelengths": list(self.wavelengths),
                "normalization": self.normalization.to_dict(),
                "weights_path": self.weights_path, "weights_sha256": self.weights_sha256,
                "random_weights": self.random_weights,
                "seed": int(self.seed) if self.random_weights else None,
                "band_index": self.band_index,
                "input_wavelengths": list(self.input_wavelengths or self.wavelengths),
                "config": self.config}

    @property
    def nodata_fill(self) -> str:
        """What the model sees at invalid pixels (recorded in embedding tags and bundles)."""
        return NODATA_SPECTRAL if self.model is None else NODATA_FILL

    def to(self, device) -> Backbone:
        self.device = torch.device(device)
        if self.model is not None:
            self.model.to(self.device)
        return self

    # -- forward ----------------------------------------------------------------------------
    def prepare(self, patches) -> Tensor:
        """Raw patches [B, C, P, P] (invalid pixels NaN) -> normalised, resized model input
        on the device, invalid pixels at the band mean (0; module doc). The spectral baseline
        keeps them NaN: :func:`spectral_features` leaves them out."""
        x = torch.as_tensor(np.ascontiguousarray(patches) if isinstance(patches, np.ndarray)
                            else patches)
        if x.dim() == 3:
            x = x[None]
        x = x.to(self.device, torch.float32, non_blocking=True)
        if self.band_index is not None:
            x = x[:, self.band_index]
        if x.shape[1] != len(self.wavelengths):
            raise BotaclipError(
                f"The patches have {x.shape[1]} band(s) but the backbone {self.name} was set "
                f"up for {len(self.wavelengths)} ({', '.join(f'{w:g}' for w in self.wavelengths)}"
                " µm).")
        x = self.normalization.apply(x)
        if self.model is None:
            return x
        x = x.masked_fill(torch.isnan(x), 0.0)     # before resizing: NaN would spread
        if tuple(x.shape[-2:]) != (self.input_px, self.input_px):
            x = F.interpolate(x, size=(self.input_px, self.input_px), mode="bilinear",
                              align_corners=False, antialias=True)
        return x

    @torch.no_grad()
    def forward_prepared(self, x: Tensor, precision: str | None = None) -> Tensor:
        """The model on already prepared input; float32 [B, dim] on the device."""
        precision = precision or self.precision
        if self.model is None:
            return spectral_features(x, self.wavelengths, self.normalization)
        model = self.model
        if precision == "int8":
            model = self.quantized()
        with P.autocast(precision, x.device):
            out = model(x, self.wavelengths) if self.name.startswith("dofa") else model(x)
        return out.float()

    def quantized(self) -> torch.nn.Module:
        """The int8 copy of the model (linear layers dynamically quantised), made once."""
        if self.device.type != "cpu":
            raise BotaclipError(f"--precision int8 runs on the CPU only (dynamic quantisation); "
                                f"this backbone is on {self.device}. Use bfloat16 on a GPU, or "
                                "--device cpu.")
        if self.int8_model is None:
            self.int8_model = P.int8_model(self.model, self.name)
        return self.int8_model

    def features(self, patches, precision: str | None = None) -> Tensor:
        """Raw patches [B, C, P, P] (numpy or tensor) -> float32 features [B, dim]."""
        return self.forward_prepared(self.prepare(patches), precision)

    # -- precision --------------------------------------------------------------------------
    def choose_precision(self, requested: str, sample_patches, progress: Progress = SILENT
                         ) -> str:
        """Set and return the precision (:mod:`.precision`), recorded with its check in
        :attr:`precision_check`.

        An explicit "bfloat16" or "int8" is the user's decision: it is honoured, after
        measuring its agreement with float32 on the sample patches, with a warning carrying
        the measured cosines when they are below what "auto" accepts (and when bfloat16 is
        emulated on this CPU, hence slower). "auto" tries bfloat16 only where it is native
        (GPUs, CPUs with AVX512-BF16 or AMX) and keeps it only when it agrees
        (:func:`.precision.agrees`), else float32 with the reason. The choice between the
        two does not depend on timings, which are noisy on a shared machine: the same data
        and settings give the same precision, hence the same feature cache. Auto never picks
        int8 (embed/tuning says why)."""
        requested = (requested or "auto").lower()
        if requested not in PRECISIONS:
            raise BotaclipError(f"Unknown precision {requested!r}: use auto, float32, bfloat16 "
                                "or int8.")
        check = {"requested": requested, "device": str(self.device)}
        if requested == "float32" or self.model is None:
            if self.model is None and requested in LOW_PRECISIONS:
                check["note"] = "the spectral baseline always computes in float32"
            return self._set_precision("float32", check)
        if requested == "int8":
            self.quantized()                    # refused early on a GPU or without layers
        native = self.device.type == "cuda" or bf16_native_cpu()
        check["bf16_native"] = native
        if requested == "auto" and not native:
            check["reason"] = check["note"] = (
                "this CPU has no native bfloat16 (AVX512-BF16/AMX): emulated bfloat16 is "
                "slower than float32")
            progress.info("Precision: float32 (" + check["note"] + ").")
            return self._set_precision("float32", check)
        candidate = "bfloat16" if requested == "auto" else requested
        if sample_patches is None or len(sample_patches) == 0:
            return self._unchecked(requested, candidate, check, progress)
        check.update(self.measure_precision(sample_patches, candidate))
        ok = P.agrees(check, BF16_MIN_COSINE)
        check["agrees"] = ok
        if requested == "auto":
            chosen = candidate if ok else "float32"
            if not ok:
                check["reason"] = (f"{candidate} disagrees with float32: {P.describe(check)}; "
                                   f"{P.criterion(BF16_MIN_COSINE)}")
                progress.info(f"Precision: float32, because {check['reason']}.")
        else:
            chosen = requested
            P.warn_explicit(requested, check, native, progress, BF16_MIN_COSINE)
        self._set_precision(chosen, check)
        if requested != "auto" or ok:
            progress.info(f"Precision: {chosen} ({candidate} vs float32: {P.describe(check)}).")
        return chosen

    def measure_precision(self, sample_patches, precision: str) -> dict:
        """Agreement and seconds of ``precision`` against float32 on raw sample patches."""
        return P.compare(self.forward_prepared, self.prepare(sample_patches), precision)

    def _set_precision(self, chosen: str, check: dict) -> str:
        self.precision = chosen
        self.precision_check = {**check, "chosen": chosen}
        return chosen

    def _unchecked(self, requested: str, candidate: str, check: dict, progress: Progress
                   ) -> str:
        """No sample patch to compare on: auto stays in float32; an explicit request is
        honoured, said to be unchecked."""
        check["note"] = "no sample patch to compare with float32"
        if requested == "auto":
            progress.info("Precision: float32 (no sample patch to check bfloat16 on).")
            return self._set_precision("float32", check)
        progress.warn(f"Precision: {candidate} as asked, unchecked: no sample patch had "
                      "enough valid pixels to compare it with float32.")
        return self._set_precision(candidate, check)


# --------------------------------------------------------------------------- spectral baseline

def _index(a: Tensor, b: Tensor) -> Tensor:
    return (a - b) / (a.abs() + b.abs() + 1e-6)


def _masked_mean_std(f: Tensor, okf: Tensor, dims) -> tuple[Tensor, Tensor]:
    """Mean and sample standard deviation (torch.std's correction) of ``f`` over ``dims``
    where ``okf`` (1.0 valid, 0.0 not, broadcast over channels) says so; ``f`` is 0 at invalid
    pixels. Masked sums rather than torch.nanmean: several times faster on the CPU."""
    n = okf.sum(dims)
    mean = f.sum(dims) / n
    shape = mean.shape + (1,) * len(dims)
    dev = (f - mean.reshape(shape)) * okf
    return mean, (dev.pow(2).sum(dims) / (n - 1).clamp(min=1)).sqrt()


def _texture(f: Tensor, okf: Tensor, step: int) -> Tensor:
    """Mean absolute difference between pixels ``step`` apart (across and down, averaged),
    over the pairs whose two pixels are valid."""
    dims = (-2, -1)
    px = okf[..., :, step:] * okf[..., :, :-step]
    py = okf[..., step:, :] * okf[..., :-step, :]
    gx = ((f[..., :, step:] - f[..., :, :-step]).abs_() * px).sum(dims) / px.sum(dims)
    gy = ((f[..., step:, :] - f[..., :-step, :]).abs_() * py).sum(dims) / py.sum(dims)
    return 0.5 * (gx + gy)


def _vegetation_index(x: Tensor, wavelengths, normalization: Normalization | None) -> Tensor:
    """NDVI (near infrared and red) or else the green-red index, per pixel [B, P, P], on the
    raw values: a ratio of z-scores has no physical meaning (a band at its mean is 0, so
    "NDVI" would be +-1 wherever red sits at its mean). Zeros without red and NIR or green."""
    wl = list(wavelengths)
    red = _closest(wl, 0.665, 0.05)
    nir = _closest(wl, 0.84, 0.08)
    green = _closest(wl, 0.56, 0.04)
    other = nir if nir is not None else green
    if red is None or other is None:
        return x[:, 0] * 0.0

    def raw(i):
        if normalization is None or normalization.kind == "none":
            return x[:, i]
        return x[:, i] * float(normalization.std[i]) + float(normalization.mean[i])
    return _index(raw(other), raw(red))


def spectral_features(x: Tensor, wavelengths, normalization: Normalization | None = None
                      ) -> Tensor:
    """Hand-made features of normalised patches [B, C, P, P]: per band the 10/50/90 %
    quantiles, mean, std and two texture measures (mean absolute gradient at 1 and 4 px);
    then a vegetation index (NDVI with red and near infrared, else green-red) with its
    mean, std and 10/90 % quantiles. Dimension 7 C + 4 (C = number of bands).

    Invalid pixels (NaN in any band) are left out of every statistic, and a gradient needs
    both its pixels; a statistic with no valid pixel at all is 0. ``normalization``: the one
    applied to ``x``, undone for the vegetation index (:func:`_vegetation_index`)."""
    b, c = x.shape[:2]
    bad = torch.isnan(x).any(1, keepdim=True)                      # [B, 1, P, P]
    okf = (~bad).to(x.dtype)
    f = x.masked_fill(bad, 0.0)
    qs = torch.tensor([0.1, 0.5, 0.9], device=x.device)
    q = torch.nanquantile(x.masked_fill(bad, math.nan).reshape(b, c, -1), qs, dim=2)
    mean, std = _masked_mean_std(f, okf, (-2, -1))
    feats = [q.permute(1, 2, 0).reshape(b, -1), mean, std, _texture(f, okf, 1),
             _texture(f, okf, 4)]
    v = _vegetation_index(f, wavelengths, normalization)           # [B, P, P]
    vmean, vstd = _masked_mean_std(v * okf[:, 0], okf[:, 0], (-2, -1))
    vq = torch.nanquantile(v.masked_fill(bad[:, 0], math.nan).reshape(b, -1),
                           torch.tensor([0.1, 0.9], device=x.device), dim=1).T
    feats += [vmean[:, None], vstd[:, None], vq]
    return torch.nan_to_num(torch.cat(feats, dim=1).float(), nan=0.0)


def _closest(wl, target: float, tol: float):
    best = min(range(len(wl)), key=lambda i: abs(wl[i] - target))
    return best if abs(wl[best] - target) <= tol else None


# --------------------------------------------------------------------------- builders

def _rgb_order(wavelengths) -> list[int]:
    """Indices of the red, green and blue bands among ``wavelengths`` (micrometres)."""
    idx = [_closest(wavelengths, t, tol) for t, tol in ((0.665, 0.06), (0.56, 0.045),
                                                        (0.49, 0.05))]
    if any(i is None for i in idx) or len(set(idx)) < 3:
        raise BotaclipError(
            "timm backbones take red, green and blue; the raster's bands are at "
            f"{', '.join(f'{w:g}' for w in wavelengths)} µm. Use a DOFA backbone (any bands) "
            "or the spectral baseline, or give an RGB orthophoto.")
    return idx


def _load_timm_weights(model, path: Path, progress: Progress) -> str:
    from .weights import sha256_file
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file
            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise BotaclipError(f"Cannot read the weights file {path} ({exc}); give a timm "
                            "checkpoint (.safetensors, .pth or .bin).") from exc
    for key in ("state_dict", "model", "module"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    missing, unexpected = model.load_state_dict(state, strict=False)
    # classifier heads are dropped (num_classes=0): their keys are expected to be unused
    unexpected = [k for k in unexpected if not k.startswith(("head", "fc.", "classifier"))]
    if missing or unexpected:
        raise BotaclipError(
            f"The weights file {path} does not fit this timm model: "
            f"{len(missing)} missing key(s) ({', '.join(missing[:6])}) and "
            f"{len(unexpected)} unexpected key(s) ({', '.join(unexpected[:6])}). Give the "
            "checkpoint of the model named after 'timm:'.")
    return sha256_file(path, progress)


def build_backbone(name: str, weights=None, *, wavelengths, normalization: Normalization,
                   weights_dir=None, device="cpu", progress: Progress = SILENT, seed: int = 0,
                   config: dict | None = None) -> Backbone:
    """A frozen backbone in eval mode on ``device``.

    ``name``: dofa-small | dofa-base | dofa-large | timm:NAME | spectral. ``weights``: a file
    path, "none" (seeded random weights: warned loudly and recorded) or None (DOFA: look in
    ``weights_dir``; timm: an error, since no file can be downloaded here). ``wavelengths``
    (micrometres) and ``normalization`` describe the bands the reader delivers.
    ``config``: a stored DOFA config (from a bundle) to rebuild exactly that model.
    """
    name = (name or "").strip()
    key = name.lower()
    wavelengths = [float(w) for w in wavelengths]
    dev = resolve_device(device) if isinstance(device, str) else torch.device(device)
    random = isinstance(weights, str) and weights.strip().lower() == "none"
    if key == "spectral":
        if weights not in (None, "") and not random:
            progress.info("The spectral baseline has no weights; --weights is ignored.")
        bb = Backbone(name="spectral", model=None, dim=7 * len(wavelengths) + 4, input_px=64,
                      wavelengths=wavelengths, normalization=normalization)
        return bb.to(dev)
    if key in DOFA_NAMES or key in ("dofa", "dofa-custom"):
        from .weights import build_dofa
        if key == "dofa-custom" and not config:
            raise BotaclipError("The backbone dofa-custom needs its architecture: give it as a "
                                "JSON object with --backbone-config (fields of DofaConfig).")
        size = "dofa-base" if key == "dofa" else key
        model, report = build_dofa(config or size, weights=weights, weights_dir=weights_dir,
                                   progress=progress, seed=seed)
        cfg = model.config
        if config:      # the name says what the architecture is, not what was asked for
            size = cfg.size_name() or "dofa-custom"
        bb = Backbone(name=size, model=model, dim=int(cfg.embed_dim), input_px=int(cfg.img_size),
                      wavelengths=wavelengths, normalization=normalization,
                      weights_path=str(report.path) if report else None,
                      weights_sha256=report.sha256 if report else None,
                      random_weights=report is None, seed=int(seed),
                      config=asdict(cfg) if hasattr(cfg, "__dataclass_fields__") else {})
        return bb.to(dev)
    if key.startswith("timm:"):
        return _build_timm(name[5:], weights, wavelengths, normalization, dev, progress, seed,
                           random)
    raise BotaclipError(f"Unknown backbone {name!r}: use {BACKBONES_HELP}.")


TIMM_MISSING = ("The timm backbone needs the Python packages timm and torchvision, which "
                "cannot be imported ({error}). Install them with BotaCLIP's package installer "
                "or with pip, or choose a DOFA backbone, which needs neither.")


def _import_timm():
    """timm, imported only for the timm backbone: DOFA needs neither timm nor torchvision."""
    try:
        import timm
    except ImportError as exc:      # timm itself, or torchvision that timm imports
        raise BotaclipError(TIMM_MISSING.format(error=exc)) from exc
    return timm


def _build_timm(model_name, weights, wavelengths, normalization, dev, progress, seed, random):
    from .weights import RANDOM_WEIGHTS_WARNING
    if not model_name:
        raise BotaclipError("Give the timm model's name after 'timm:', e.g. timm:resnet50.")
    order = _rgb_order(wavelengths)
    if not random and weights in (None, ""):
        raise BotaclipError(
            f"The timm backbone {model_name} needs a local weights file: pass --weights "
            f"PATH (e.g. the model's model.safetensors from Hugging Face 'timm/{model_name}', "
            "copied to this machine), or --weights none for random weights.")
    timm = _import_timm()
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = timm.create_model(model_name, pretrained=False, num_classes=0)
    except Exception as exc:   # timm raises RuntimeError for unknown names
        raise BotaclipError(f"timm has no model {model_name!r} ({exc}); see "
                            "timm.list_models() for the names.") from exc
    sha = None
    if random:
        warnings.warn(RANDOM_WEIGHTS_WARNING, UserWarning, stacklevel=3)
        progress.warn(RANDOM_WEIGHTS_WARNING)
    else:
        path = Path(os.fspath(weights)).expanduser()
        if not path.is_file():
            raise BotaclipError(f"The weights file {path} does not exist.")
        sha = _load_timm_weights(model, path, progress)
    model.eval().requires_grad_(False)
    cfg = getattr(model, "pretrained_cfg", {}) or {}
    input_px = int((cfg.get("input_size") or (3, 224, 224))[-1])
    norm = normalization
    if normalization.kind == "sampled":
        norm = Normalization("sampled", [normalization.mean[i] for i in order],
                             [normalization.std[i] for i in order])
    elif normalization.kind == "imagenet" and len(normalization.mean) != 3:
        norm = Normalization.imagenet()
    bb = Backbone(name=f"timm:{model_name}", model=model, dim=int(model.num_features),
                  input_px=input_px, wavelengths=[wavelengths[i] for i in order],
                  normalization=norm, weights_path=None if random else str(weights),
                  weights_sha256=sha, random_weights=random,
                  band_index=order if order != list(range(len(wavelengths))) else None,
                  input_wavelengths=list(wavelengths), seed=int(seed))
    return bb.to(dev)


def backbone_from_reference(ref: dict, *, weights=None, weights_dir=None, device="cpu",
                            progress: Progress = SILENT) -> Backbone:
    """Rebuild the backbone a bundle (or a raster's metadata) recorded with
    :meth:`Backbone.reference`. The weights file is the recorded path, else ``weights``, else
    the file of that DOFA size in ``weights_dir``; its sha256 must match the recorded one."""
    name = ref["name"]
    norm = Normalization.from_dict(ref["normalization"])
    wavelengths = ref["wavelengths"]
    if ref.get("band_index"):       # a timm backbone recorded its RGB bands in model order
        order = list(ref["band_index"])
        full = list(ref.get("input_wavelengths") or [])
        if len(full) <= max(order):     # a reference written before input_wavelengths
            full = [0.0] * (max(order) + 1)
            for j, i in enumerate(order):
                full[i] = wavelengths[j]
        wavelengths = full
        if norm.kind == "sampled":
            mean, std = [0.0] * len(full), [1.0] * len(full)
            for j, i in enumerate(order):
                mean[i], std[i] = norm.mean[j], norm.std[j]
            norm = Normalization("sampled", mean, std)
    if ref.get("random_weights"):
        w = "none"
    else:
        w = weights
        recorded = ref.get("weights_path")
        if w is None and recorded and Path(recorded).is_file():
            w = recorded
    config = ref.get("config") or None
    with warnings.catch_warnings():
        if ref.get("random_weights"):
            warnings.simplefilter("ignore", UserWarning)   # warned once below, not per call
        bb = build_backbone(name, w, wavelengths=wavelengths, normalization=norm,
                            weights_dir=weights_dir, device=device, progress=progress,
                            seed=int(ref.get("seed") or 0),
                            config=config if name.startswith("dofa") else None)
    if ref.get("random_weights"):
        progress.warn("This model was trained on a backbone with RANDOM weights (--weights "
                      "none): its embeddings are for tests and demonstrations only.")
    want = ref.get("weights_sha256")
    if want and bb.weights_sha256 and bb.weights_sha256 != want:
        raise BotaclipError(
            f"The backbone weights {bb.weights_path} (sha256 {bb.weights_sha256[:12]}...) are "
            f"not the ones this model was trained with (sha256 {want[:12]}..., "
            f"{ref.get('weights_path')}). Give the original file with --weights.")
    return bb
