"""DOFA weight files: find them, check them, load them, build the backbone.

Accepted files (key layouts in /work/shared/fixtures/dofa/README.md):

- torchgeo's conversions, ``dofa_{base,large}_patch16_224-<first 8 hex of sha256>.pth``, from
  https://huggingface.co/torchgeo/dofa (no ``fc_norm``: it keeps LayerNorm defaults);
- the authors' files ``DOFA_ViT_{base,large}_e100.pth`` from https://huggingface.co/earthflow/DOFA
  (formerly XShadow/DOFA), which also hold ``mask_token``, ``norm.*`` and ``projector.*``
  (ignored);
- any ``.safetensors`` or ``.pth`` state dict with DOFA's key names, optionally wrapped under
  ``"model"`` or ``"state_dict"``.

Files published before the August 2024 fix of the patch-embedding layout are refused when
they can be recognised: torchgeo's ``-7cc0f413`` / ``-fbd47fa9`` files, the authors'
``ofa_base_checkpoint_e99.pth``, and any ``DOFA_ViT_*_e100.pth`` whose sha256 is not the one of
the September 2024 upload (the March 2024 files had the same names). A renamed March 2024
authors' file cannot be recognised: its hash is not published.
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

import torch
from torch import Tensor

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .dofa import DOFA, DOFA_SIZES, DofaConfig
from .weight_files import (  # noqa: F401  (re-exported: the public names stay here too)
    KNOWN_WEIGHTS,
    OLD_LAYOUT_FILES,
    OLD_LAYOUT_NAMES,
    WeightFile,
    default_weights_dir,
    download_help,
    find_dofa_weights,
)
from .weight_hash import HashCache

PathLike = Union[str, "os.PathLike[str]"]


_TORCHGEO_NAME = re.compile(r"^dofa_[a-z]+_patch\d+_\d+-([0-9a-f]{8})\.[A-Za-z]+$")

# Keys of the authors' pre-training files that the backbone does not use (head.* appears in
# fine-tuned classifiers built on DOFA: a classification head, also not used).
_IGNORABLE = re.compile(r"^(mask_token|norm\.(weight|bias)|projector\.\w+|head\.\w+)$")
_MAY_BE_MISSING = {"fc_norm.weight", "fc_norm.bias"}
_SHOW_KEYS = 10


@dataclasses.dataclass
class LoadReport:
    """What :func:`load_dofa_weights` loaded (recorded in model bundles)."""

    path: str
    sha256: str
    format: str  # "torchgeo" | "original" | "safetensors"
    ignored_keys: list[str]
    missing_keys: list[str]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- hashing -----------------------------------------------------------------------------------

_SHA_CACHE = HashCache()        # in memory, for this process


def sha256_file(path: PathLike, progress: Progress = SILENT) -> str:
    """Hex sha256 of a file, streamed; remembered per (path, size, mtime) for this process."""
    p = Path(path)
    try:
        return _SHA_CACHE.sha256(p, progress, f"Checking {p.name}")
    except OSError as exc:
        raise BotaclipError(f"Cannot read {p}: {exc.strerror or exc}.") from None


# -- reading -----------------------------------------------------------------------------------

def _identify_old_or_corrupt(path: Path, sha: str) -> None:
    """Refuse pre-August-2024 files and files whose name promises another hash."""
    name = path.name
    old = OLD_LAYOUT_FILES.get(sha)
    old_size = old[1] if old else OLD_LAYOUT_NAMES.get(name.lower())
    if old_size is not None:
        raise BotaclipError(
            f"{path} is "
            + (f"the old DOFA file {old[0]}" if old else "named like an old DOFA file")
            + ", published before the August 2024 fix of DOFA's patch embedding; its "
            "kernels have the old, wrong layout and would give wrong embeddings. "
            "Get the current file instead.\n" + download_help(old_size, path.parent)
        )
    m = _TORCHGEO_NAME.match(name)
    if m and not sha.startswith(m.group(1)):
        raise BotaclipError(
            f"{path} is corrupt or renamed: its name says its sha256 starts with "
            f"{m.group(1)}, but it is {sha[:8]}... (size {path.stat().st_size} bytes). "
            f"Download it again, or give the file its own name."
        )
    for files in KNOWN_WEIGHTS.values():
        for known in files:
            if known.source == "authors" and name.lower() == known.name.lower() \
                    and sha != known.sha256:
                size = next(s for s, fs in KNOWN_WEIGHTS.items() if known in fs)
                raise BotaclipError(
                    f"{path} is not the September 2024 upload of {known.name} (sha256 "
                    f"{sha[:12]}..., expected {known.sha256[:12]}...): it is either the "
                    f"March 2024 file of the same name, whose patch-embedding layout is "
                    f"wrong, or an incomplete download. Download it again.\n"
                    + download_help(size, path.parent)
                )


def _read_state_dict(path: Path) -> tuple[dict[str, Tensor], bool]:
    """(state dict, is_safetensors) from a .pth/.pt or .safetensors file."""
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        is_st = True
    elif suffix in (".pth", ".pt", ".bin", ".ckpt"):
        is_st = False
    else:  # sniff: safetensors starts with an 8-byte header length then '{'
        with open(path, "rb") as f:
            head = f.read(9)
        is_st = len(head) == 9 and head[8:9] == b"{"
    size = path.stat().st_size
    if is_st:
        try:
            from safetensors.torch import load_file
            data = load_file(str(path), device="cpu")
        except Exception as exc:  # safetensors raises its own error types
            raise BotaclipError(
                f"{path} is not a readable safetensors file ({size} bytes): it is truncated "
                f"or not a checkpoint ({exc}). Download or export it again."
            ) from None
    else:
        try:
            data = torch.load(str(path), map_location="cpu", weights_only=True)
        except Exception as exc:  # pickle, zip and EOF errors all mean the same to the user
            text = str(exc)
            with open(path, "rb") as f:
                head = f.read(4)
            # A zip (torch.save) or a pickle (protocol 2+) that the safe unpickler rejects.
            looks_like_torch = head.startswith(b"PK\x03\x04") or head[:1] == b"\x80"
            if looks_like_torch and "Weights only load failed" in text \
                    and "Unsupported operand" not in text:
                raise BotaclipError(
                    f"{path} holds Python objects besides tensors (a full training "
                    f"checkpoint?), which are not loaded for safety. Save just its state "
                    f"dict (the 'model' entry) with torch.save, or use the published file."
                ) from None
            first = re.split(r"(?<=[.:])\s", text.strip() + " ")[0].rstrip(".:")[:120]
            if not first or first.startswith("Weights only load failed"):
                first = "unreadable content"
            raise BotaclipError(
                f"{path} is not a PyTorch checkpoint, or it is truncated ({size} bytes; "
                f"{first}). Download it again."
            ) from None
    return _unwrap(data, path), is_st


def _unwrap(data: Any, path: Path) -> dict[str, Tensor]:
    if isinstance(data, Mapping):
        for key in ("model", "state_dict"):
            inner = data.get(key)
            if isinstance(inner, Mapping) and not isinstance(data.get("pos_embed"), Tensor):
                data = inner
                break
    if not isinstance(data, Mapping) or not data:
        raise BotaclipError(f"{path} does not hold a state dict (found "
                            f"{type(data).__name__}); expected DOFA weights.")
    not_tensors = [k for k, v in data.items() if not isinstance(v, Tensor)]
    if not_tensors:
        raise BotaclipError(f"{path} is not a plain state dict: entries "
                            f"{', '.join(map(str, not_tensors[:5]))} are not tensors.")
    state = {str(k): v for k, v in data.items()}
    if all(k.startswith("module.") for k in state):  # saved from DataParallel
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def describe_state_dict(state: Mapping[str, Tensor]) -> str:
    """Which DOFA size a state dict looks like, from its width and number of blocks."""
    ref = state.get("pos_embed", state.get("cls_token"))
    blocks = {int(m.group(1)) for k in state for m in [re.match(r"blocks\.(\d+)\.", k)] if m}
    if ref is None and not blocks and not any(k.startswith("patch_embed.") for k in state):
        return "it does not look like a DOFA checkpoint at all (no pos_embed, cls_token, " \
               "blocks.* or patch_embed.* keys)"
    width = int(ref.shape[-1]) if ref is not None else None
    depth = max(blocks) + 1 if blocks else 0
    for name, (embed, n_blocks, _) in DOFA_SIZES.items():
        if width == embed and depth == n_blocks:
            return f"it looks like {name} (width {width}, {depth} blocks)"
    return f"it looks like a DOFA variant of width {width} with {depth} blocks, " \
           f"not one of {', '.join(DOFA_SIZES)}"


def _shape(t: Tensor | None) -> str:
    return "absent" if t is None else str(list(t.shape))


def load_dofa_weights(model: DOFA, path: PathLike, progress: Progress = SILENT) -> LoadReport:
    """Load a DOFA weight file into ``model`` after checking it; see the module docstring."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise BotaclipError(f"DOFA weights file {p} does not exist"
                            + (" (it is a folder)." if p.is_dir() else "."))
    if p.stat().st_size == 0:
        raise BotaclipError(f"DOFA weights file {p} is empty: download it again.")
    sha = sha256_file(p, progress.sub(0.0, 0.6))
    _identify_old_or_corrupt(p, sha)
    progress.report(0.6, f"Reading {p.name}")
    state, is_st = _read_state_dict(p)
    progress.check()

    expected = model.state_dict()
    ignored = sorted(k for k in state if k not in expected and _IGNORABLE.match(k))
    unexpected = sorted(k for k in state if k not in expected and k not in ignored)
    missing = sorted(k for k in expected if k not in state)
    tolerated = [k for k in missing if k in _MAY_BE_MISSING]
    missing = [k for k in missing if k not in _MAY_BE_MISSING]
    mismatched = sorted(k for k in expected if k in state and state[k].shape != expected[k].shape)
    # In the model's own order (cls_token and pos_embed first: they show the width at once).
    bad_keys = set(missing) | set(mismatched)
    problems = [k for k in expected if k in bad_keys] + unexpected
    if problems:
        ours = f"width {model.embed_dim}, {len(model.blocks)} blocks"
        name = model.config.size_name()
        lines = [f"{p} does not fit this DOFA model ({name + ', ' if name else ''}{ours}): "
                 f"{len(problems)} key(s) differ; {describe_state_dict(state)}."]
        for k in problems[:_SHOW_KEYS]:
            lines.append(f"  {k}: expected {_shape(expected.get(k))}, found "
                         f"{_shape(state.get(k))}")
        if len(problems) > _SHOW_KEYS:
            lines.append(f"  ... and {len(problems) - _SHOW_KEYS} more")
        lines.append("Choose the model size that matches the file, or the file for this size.")
        raise BotaclipError("\n".join(lines))
    bad = [k for k, v in state.items() if k in expected and v.is_floating_point()
           and not bool(torch.isfinite(v).all())]
    if bad:
        raise BotaclipError(f"{p} is corrupt: {', '.join(bad[:5])} hold NaN or infinite "
                            f"values. Download it again.")
    model.load_state_dict({k: v for k, v in state.items() if k in expected}, strict=False)
    if tolerated and model.global_pool:
        model.fc_norm.reset_parameters()  # published files have no fc_norm: LayerNorm defaults
    model.clear_kernel_cache()
    progress.report(1.0, f"Loaded {p.name}")
    if is_st:
        fmt = "safetensors"
    elif any(k == "mask_token" or k.startswith(("norm.", "projector.")) for k in ignored):
        fmt = "original"
    else:
        fmt = "torchgeo"
    return LoadReport(path=str(p), sha256=sha, format=fmt, ignored_keys=ignored,
                      missing_keys=tolerated)


# -- building ----------------------------------------------------------------------------------

RANDOM_WEIGHTS_WARNING = (
    "DOFA runs with RANDOM weights (weights='none'): its embeddings are meaningless, fit only "
    "for tests and demonstrations. Give real DOFA weights for any actual use."
)


def build_dofa(size_or_config: str | DofaConfig | Mapping[str, Any],
               weights: PathLike | None = None,
               weights_dir: PathLike | None = None,
               progress: Progress = SILENT,
               seed: int = 0) -> tuple[DOFA, LoadReport | None]:
    """A frozen DOFA in eval mode, and the report of the weights loaded into it.

    ``weights``: a file path; ``"none"`` for seeded random weights (warns loudly, report is
    None); None to look for the published file of this size in ``weights_dir`` (default
    :func:`default_weights_dir`).
    """
    if isinstance(size_or_config, DofaConfig):
        config = size_or_config
    elif isinstance(size_or_config, Mapping):
        config = DofaConfig.from_dict(size_or_config)
    else:
        config = DofaConfig.named(size_or_config)
    # Seeded init without disturbing the caller's random stream.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DOFA(config)
    report = None
    if isinstance(weights, str) and weights.strip().lower() == "none":
        warnings.warn(RANDOM_WEIGHTS_WARNING, UserWarning, stacklevel=2)
        if progress is not SILENT:
            progress.warn(RANDOM_WEIGHTS_WARNING)
    else:
        if weights is None:
            size = config.size_name()
            if size is None:
                raise BotaclipError(
                    "This DOFA config is not one of the published sizes "
                    f"({', '.join(DOFA_SIZES)}): give its weights file explicitly, or 'none'."
                )
            weights = find_dofa_weights(size, weights_dir)
        report = load_dofa_weights(model, weights, progress)
        progress.info(f"DOFA weights: {report.path} (sha256 {report.sha256[:12]}..., "
                      f"{report.format})")
    model.eval()
    model.requires_grad_(False)
    return model, report
