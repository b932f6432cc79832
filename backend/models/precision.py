"""Precisions below float32 for a frozen backbone, and how far their embeddings may be trusted.

Two ways to compute faster than float32:

- ``bfloat16``: torch autocast, matrix products in bfloat16 with float32 accumulation. Native
  on GPUs and on CPUs with AVX512-BF16 or AMX (there about 2-4x faster for a ViT-B); elsewhere
  torch emulates it and it is slower than float32.
- ``int8``: dynamic quantisation of the transformer's linear layers on the CPU
  (``torch.ao.quantization.quantize_dynamic``: weights stored as int8 once, activations
  quantised per batch), which uses the integer dot products of AVX512-VNNI/AVX-VNNI CPUs. The
  wavelength-conditioned kernel generator of DOFA stays in float32: it is tiny and its output
  is scaled by 0.01, so rounding it would cost accuracy for no speed.

Agreement (:func:`agreement`). The same sample patches go through float32 and the lower
precision; for each patch the cosine of the two embeddings is taken, raw and *centred* (both
embeddings minus the float32 mean of the samples). Raw cosines flatter a precision: the
embeddings of a backbone share a large common direction (on DOFA-base with random weights two
plots of the demo have a median cosine of 0.44), so a rounding error that scrambles what
tells two places apart barely moves the raw cosine (a DOFA made ill-conditioned on purpose
keeps raw bfloat16 cosines of 0.99999 with centred ones of 0.96). The centred cosine measures the
error against the part of the embedding that differs from place to place, which is what a
map, a nearest-neighbour search or a predictor uses. The README's "Precision" section gives
the measurements behind :data:`MIN_CENTRED_COSINE`.
"""

from __future__ import annotations

import contextlib
import copy
import time
import warnings

import torch
from torch import Tensor
from torch.nn import functional as F

from ..errors import BotaclipError

PRECISIONS = ("auto", "float32", "bfloat16", "int8")
LOW_PRECISIONS = ("bfloat16", "int8")
MIN_COSINE = 0.995            # lowest raw cosine to float32 that auto accepts
MIN_CENTRED_COSINE = 0.99     # lowest centred cosine to float32 that auto accepts


def agreement(ref: Tensor, low: Tensor) -> dict:
    """Cosines of the embeddings ``low`` to the float32 ones ``ref`` ([n, dim] each): lowest
    and median, raw and centred on the float32 mean (module docstring)."""
    ref, low = ref.float(), low.float()
    cos = F.cosine_similarity(ref, low, dim=1)
    out = {"samples": int(len(ref)), "min_cosine": float(cos.min()),
           "median_cosine": float(cos.median())}
    if len(ref) >= 3:           # a centre needs a few patches to mean anything
        mean = ref.mean(0, keepdim=True)
        dist = (ref - mean).norm(dim=1)
        # a patch at the centre itself has no direction to compare: left out
        keep = dist > 0.1 * dist.pow(2).mean().sqrt()
        if int(keep.sum()) >= 2:
            cen = F.cosine_similarity((ref - mean)[keep], (low - mean)[keep], dim=1)
            out.update(min_centred_cosine=float(cen.min()),
                       median_centred_cosine=float(cen.median()))
    return out


def agrees(check: dict, min_cosine: float = MIN_COSINE,
           min_centred: float = MIN_CENTRED_COSINE) -> bool:
    """Whether a measured :func:`agreement` is good enough for ``auto``."""
    if check.get("min_cosine", -1.0) < min_cosine:
        return False
    return check.get("min_centred_cosine", 1.0) >= min_centred


def describe(check: dict) -> str:
    """The agreement in words, for messages: 'lowest cosine 0.99981, median 0.99990 (centred:
    0.9790, 0.9850) on 8 sample patches'."""
    text = (f"lowest cosine {check['min_cosine']:.5f}, median {check['median_cosine']:.5f}")
    if "min_centred_cosine" in check:
        text += (f" (centred on the mean embedding: lowest {check['min_centred_cosine']:.4f}, "
                 f"median {check['median_centred_cosine']:.4f})")
    return text + f" on {check['samples']} sample patches"


def criterion(min_cosine: float = MIN_COSINE, min_centred: float = MIN_CENTRED_COSINE) -> str:
    return f"auto needs a lowest cosine of {min_cosine} and a centred one of {min_centred}"


def autocast(precision: str, device: torch.device):
    """The autocast context of ``precision`` on ``device`` (a null context unless bfloat16)."""
    if precision == "bfloat16":
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def warn_explicit(requested: str, check: dict, native: bool, progress,
                  min_cosine: float = MIN_COSINE) -> None:
    """The warnings an explicit lower precision may deserve, once measured: low agreement,
    or slower than float32 on this machine. The precision is kept: it was asked for."""
    if not check["agrees"]:
        progress.warn(
            f"--precision {requested}: its embeddings agree with float32 less than auto "
            f"accepts ({describe(check)}; {criterion(min_cosine)}). Kept, as asked; use "
            "float32 (or auto) where the values matter more than speed.")
    low_s, ref_s = check.get(f"{requested}_s", 0.0), check.get("float32_s", 0.0)
    slow = ref_s > 0 and low_s > 1.05 * ref_s
    measured = (f" (measured {low_s:.2f} s against {ref_s:.2f} s in float32 on the samples)"
                if slow else "")
    if requested == "bfloat16" and not native:
        progress.warn("--precision bfloat16: this CPU has no native bfloat16 (AVX512-BF16/AMX)"
                      f", so torch emulates it{measured}. Kept, as asked.")
    elif slow:
        progress.warn(f"--precision {requested} was slower than float32{measured}. Kept, as "
                      "asked.")


# ------------------------------------------------------------------------------ int8

def _linear_targets(model: torch.nn.Module) -> torch.nn.Module:
    """The part of ``model`` whose linear layers are quantised: DOFA's transformer blocks
    (its kernel generator stays float32, module docstring), else the whole model."""
    blocks = getattr(model, "blocks", None)
    if hasattr(model, "dynamic_kernel") and isinstance(blocks, torch.nn.Module):
        return blocks
    return model


def _clone(model: torch.nn.Module) -> torch.nn.Module:
    """An independent copy of ``model`` (DOFA holds a lock and cannot be deep-copied: it is
    rebuilt from its config and given the same state dict)."""
    config = getattr(model, "config", None)
    if config is not None and hasattr(model, "dynamic_kernel"):
        with torch.random.fork_rng(devices=[]):
            twin = type(model)(config)
        twin.load_state_dict(model.state_dict(), strict=True)
        return twin.eval().requires_grad_(False)
    return copy.deepcopy(model)


def int8_model(model: torch.nn.Module, name: str) -> torch.nn.Module:
    """A copy of ``model`` with its linear layers dynamically quantised to int8 (CPU)."""
    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError as exc:
        raise BotaclipError(f"--precision int8 needs torch's dynamic quantisation, which this "
                            f"torch {torch.__version__} lacks ({exc}); use float32 or "
                            "bfloat16.") from exc
    twin = _clone(model)
    target = _linear_targets(twin)
    n_linear = sum(isinstance(m, torch.nn.Linear) for m in target.modules())
    if n_linear == 0:
        raise BotaclipError(f"--precision int8 quantises linear layers, and the backbone "
                            f"{name} has none (a convolutional network): int8 would compute "
                            "in float32. Use float32, or bfloat16 where it is native.")
    engines = torch.backends.quantized.supported_engines
    if not any(e in engines for e in ("x86", "fbgemm", "onednn", "qnnpack")):
        raise BotaclipError(f"This torch build has no quantised CPU engine ({engines}); "
                            "--precision int8 is not available: use float32.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)    # torch.ao -> torchao, later
        warnings.simplefilter("ignore", UserWarning)
        quantize_dynamic(target, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return twin.eval()


# ------------------------------------------------------------------------------ measuring

def timed(fn, x) -> tuple[Tensor, float]:
    """(fn(x), seconds)."""
    t0 = time.perf_counter()
    out = fn(x)
    return out, time.perf_counter() - t0


def compare(forward, x: Tensor, precision: str) -> dict:
    """float32 and ``precision`` on the prepared sample patches ``x`` with ``forward(x,
    precision)``: their :func:`agreement` and the seconds of each (after a one-patch
    warm-up of each: first calls pay set-up costs)."""
    forward(x[:1], "float32")
    forward(x[:1], precision)
    ref, t_ref = timed(lambda v: forward(v, "float32"), x)
    low, t_low = timed(lambda v: forward(v, precision), x)
    out = agreement(ref, low)
    out.update({"float32_s": round(t_ref, 4), f"{precision}_s": round(t_low, 4)})
    return out
