"""The model an orthophoto is embedded with: a trained bundle (backbone + adapter) or a bare
backbone, with the patch size, bands and resampling it reads, and the batch size that suits
the device.

:func:`resolve_model` checks a bundle against the raster (bands, patch size, wavelengths) or
builds a backbone from the band options; :func:`batch_limits` sizes batches from the free
memory (a default that each run's calibration refines); :func:`load_backbone_config` reads
``--backbone-config``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..cache_keys import backbone_key_reference
from ..errors import BotaclipError

DEFAULT_PATCH_M = 100.0


@dataclass
class EmbedModel:
    """What the embedding engine needs to know of the model it runs."""

    backbone: object
    bundle: object | None
    patch_m: float
    patch_px: int
    bands: list
    resampling: str
    dim: int
    identity: dict          # what identifies the model (state key, tags)
    notes: list = field(default_factory=list)


def load_backbone_config(cfg):
    """A DOFA architecture (``--backbone-config``) as a dict: a dict or None as given, else a
    JSON object written inline or the path of a .json file holding one (empty text: None)."""
    if cfg is None or isinstance(cfg, dict):
        return cfg
    text = str(cfg).strip()
    if not text:
        return None
    try:
        if not text.startswith("{") and Path(text).exists():
            text = Path(text).read_text(encoding="utf-8")
        value = json.loads(text)
    except (OSError, ValueError) as exc:
        raise BotaclipError(f"--backbone-config {cfg!r} is not a JSON object nor a readable "
                            f".json file ({exc}); give a JSON object or a .json file, e.g. "
                            "'{\"img_size\": 32, \"patch_size\": 8, \"embed_dim\": 32, "
                            "\"depth\": 1, \"num_heads\": 2, \"dynamic_embed_dim\": 32}'."
                            ) from exc
    if not isinstance(value, dict):
        raise BotaclipError(f"--backbone-config must be a JSON object, not {cfg!r}.")
    return value


def resolve_model(info, *, model, backbone, weights, sensor, wavelengths, backbone_config,
                  patch_m, device, progress) -> EmbedModel:
    """The model to embed ``info``'s raster with: the bundle folder ``model`` or the
    ``backbone`` built from the band options (exactly one of the two)."""
    if (model is None) == (backbone is None):
        raise BotaclipError("Give either a trained model bundle (--model MODEL_DIR) or a "
                            "backbone (--backbone NAME --weights PATH|none), not "
                            + ("both." if model is not None else "neither."))
    if model is not None:
        return _bundle_model(info, model, weights=weights, sensor=sensor,
                             wavelengths=wavelengths, patch_m=patch_m, device=device,
                             progress=progress)
    return _backbone_model(info, backbone, weights=weights, sensor=sensor,
                           wavelengths=wavelengths, backbone_config=backbone_config,
                           patch_m=patch_m, device=device, progress=progress)


def _bundle_model(info, model, *, weights, sensor, wavelengths, patch_m, device,
                  progress) -> EmbedModel:
    from ..bundle import load_bundle
    from ..models.backbones import backbone_from_reference

    bundle = load_bundle(model)
    cfg = bundle.config
    ref = cfg.get("backbone")
    if not isinstance(ref, dict) or "name" not in ref or "wavelengths" not in ref:
        raise BotaclipError(f"The bundle {bundle.path} does not record its backbone "
                            "(config.json 'backbone' with name and wavelengths); it was "
                            "not written by `botaclip train`. Train it again.")
    b_patch_m = _bundle_patch_m(bundle, patch_m)
    bb = backbone_from_reference(ref, weights=weights, device=device, progress=progress)
    patch_px = int(cfg.get("patch_px") or bb.input_px)
    bands = _bundle_bands(bundle, bb, ref, info)
    if sensor or wavelengths:
        _check_band_options(info, bb, ref, sensor, wavelengths)
    identity = {"kind": "bundle", "bundle_sha256": bundle.sha256,
                "bundle_path": str(Path(bundle.path).resolve()),
                "backbone": backbone_key_reference(bb.reference())}
    resampling = (cfg.get("features") or {}).get("resampling") or cfg.get("resampling")
    return EmbedModel(bb, bundle, b_patch_m, patch_px, bands, str(resampling or "bilinear"),
                      int(bundle.dim), identity, [])


def _bundle_patch_m(bundle, patch_m) -> float:
    """The bundle's patch size; a different ``patch_m`` is refused."""
    try:
        b_patch_m = float(bundle.config["patch_m"])
    except (KeyError, TypeError, ValueError):
        raise BotaclipError(f"The bundle {bundle.path} does not record its patch size "
                            "(config.json 'patch_m'). Train it again.") from None
    if patch_m is not None and abs(float(patch_m) - b_patch_m) > 1e-6 * b_patch_m:
        raise BotaclipError(
            f"The model {bundle.path} was trained on patches of {b_patch_m:g} m; embedding "
            f"with --patch-m {float(patch_m):g} would give embeddings it was not trained "
            "for. Leave --patch-m out (the model's size is used).")
    return b_patch_m


def _bundle_bands(bundle, bb, ref: dict, info) -> list:
    """The raster bands the bundle reads, checked against the raster."""
    rec = bundle.config.get("bands")
    if isinstance(rec, dict):          # train.py: {"wavelengths_um", "names", "bands"...}
        rec = rec.get("bands")
    bands = [int(b) for b in (rec or info.spectral_bands)]
    bad = [b for b in bands if not 1 <= b <= info.count]
    n_model = (len(bb.wavelengths) if not bb.band_index
               else max(bb.band_index) + 1)
    if bad or len(bands) < n_model or (not bb.band_index and len(bands) != n_model):
        raise BotaclipError(
            f"The model {bundle.path} reads {n_model} band(s) "
            f"({', '.join(f'{w:g}' for w in ref['wavelengths'])} µm; raster bands "
            f"{bands}) but {info.path} has {len(info.spectral_bands)} spectral band(s). "
            "Embed an orthophoto with the bands the model was trained on.")
    return bands


def _check_band_options(info, bb, ref: dict, sensor, wavelengths) -> None:
    """``--sensor``/``--wavelengths`` given with a bundle must name the bands it knows."""
    from ..io.presets import resolve_bands

    spec = resolve_bands(info, sensor, wavelengths)
    mine = [float(w) for w in ref["wavelengths"]]
    theirs = spec.wavelengths_um if not bb.band_index else \
        [spec.wavelengths_um[i] for i in bb.band_index]
    if len(mine) != len(theirs) or any(abs(a - b) > 0.02 for a, b in zip(mine, theirs)):
        raise BotaclipError(
            f"The model was trained on bands at {', '.join(f'{w:g}' for w in mine)} µm "
            f"but --sensor/--wavelengths say {', '.join(f'{w:g}' for w in theirs)} µm. "
            "Leave them out with --model (the model knows its bands) or embed a "
            "matching orthophoto.")


def _backbone_model(info, backbone, *, weights, sensor, wavelengths, backbone_config, patch_m,
                    device, progress) -> EmbedModel:
    from ..io.presets import resolve_bands
    from ..models.backbones import Normalization, build_backbone

    spec = resolve_bands(info, sensor, wavelengths)
    if spec.normalization == "imagenet":
        norm = Normalization.imagenet()
    else:
        from ..io.band_stats import sample_band_stats

        stats = sample_band_stats(info.path, bands=spec.bands, progress=progress.sub(0, 0.02))
        norm = Normalization.from_stats(stats)
    bb = build_backbone(backbone, weights, wavelengths=spec.wavelengths_um, normalization=norm,
                        device=device, progress=progress,
                        config=load_backbone_config(backbone_config))
    pm = DEFAULT_PATCH_M if patch_m is None else float(patch_m)
    identity = {"kind": "backbone", "backbone": backbone_key_reference(bb.reference())}
    return EmbedModel(bb, None, pm, int(bb.input_px), list(spec.bands), "bilinear",
                      int(bb.dim), identity, list(spec.notes))


# ------------------------------------------------------------------------------ batch size

def _activation_bytes(backbone, channels: int) -> int:
    """Rough bytes of the widest activations of one patch in the forward pass."""
    px = int(backbone.input_px)
    cfg = backbone.config or {}
    if backbone.model is None:
        return channels * px * px * 4 * 4
    patch = int(cfg.get("patch_size", 16))
    tokens = (px // patch) ** 2 + 1
    dim = int(backbone.dim)
    heads = int(cfg.get("num_heads", max(1, dim // 64)))
    return tokens * (dim * 4 + heads * tokens) * 4 * 2


def batch_limits(backbone, channels: int, patch_px: int) -> tuple[int, int]:
    """(the default batch size, the most memory allows) on the backbone's device.

    CPU default: batches whose widest activations stay around 64 MB (dofa-base 4, dofa-small
    8, tiny models 256), a guess that the run's calibration (:mod:`.calibrate`) replaces by a
    measurement; never more than a quarter of the available memory. GPU: as large as half
    the free memory allows, up to 256, for both."""
    import psutil

    act = max(1, _activation_bytes(backbone, channels))
    inp = (channels * patch_px * patch_px + len(backbone.wavelengths) * backbone.input_px ** 2) * 4
    per_patch = act + 4 * inp         # input, prepared copies in the queue, raw patches
    if backbone.device.type == "cuda":
        import torch

        free, _ = torch.cuda.mem_get_info(backbone.device)
        cap = max(1, min(256, int(0.5 * free // per_patch)))
        n = cap
    else:
        avail = psutil.virtual_memory().available
        top = 256 if backbone.model is not None else 64
        cap = max(1, min(top, int(0.25 * avail // per_patch)))
        n = max(1, min(cap, int((64 << 20) // act)))
    return 1 << (n.bit_length() - 1), cap      # a power of two


def auto_batch_size(backbone, channels: int, patch_px: int) -> int:
    """The default batch size of :func:`batch_limits`."""
    return batch_limits(backbone, channels, patch_px)[0]
