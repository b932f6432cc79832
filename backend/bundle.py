"""The model bundle: a folder holding what a trained BotaCLIP needs to embed new data.

Written by training (:mod:`backend.train`), read by embedding and ``botaclip embed-chips``:
the bundle is the contract between the stages, so it belongs to neither.

``config.json``
    everything the caller's ``meta`` holds (backbone name and config, weights path + sha256
    or the random-weights flag, band wavelengths, input normalisation, patch size in metres
    and pixels, ``species`` list, ``cover_transform``...), plus ``format_version``,
    ``embedding_dim``, ``architecture`` (to rebuild the heads), ``training`` (the settings),
    ``metrics``, ``history``, ``best_epoch``, ``software`` versions and ``created`` (UTC).
``model.safetensors``
    the trained parts: ``adapter.*``, ``releve_encoder.*``, ``loss.*``.

The backbone weights are referenced, never copied. A bundle's ``sha256`` hashes
model.safetensors then config.json (bytes, in that order); rasters made with the bundle
carry it.
"""

from __future__ import annotations

import datetime as _dt
import errno
import hashlib
import json
import os
import platform
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from . import __version__
from .errors import BotaclipError
from .io.atomic import atomic_output
from .models.heads import ImageAdapter, ReleveEncoder, l2_normalize
from .models.losses import ContrastiveLoss
from .releves.model import TRANSFORMS, transform_values

FORMAT_VERSION = 1
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
_PREFIXES = ("adapter", "releve_encoder", "loss")
_EMBED_BATCH = 4096


def software_versions() -> dict:
    versions = {"botaclip": __version__, "torch": torch.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    try:
        import timm
        versions["timm"] = timm.__version__
    except Exception:  # noqa: BLE001  (a timm built for another torch raises RuntimeError;
        versions["timm"] = None  # only the optional timm backbone needs it)
    return versions


def to_jsonable(obj):
    """numpy scalars/arrays and Paths as plain JSON values; NaN/inf as null."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def bundle_sha256(folder: Path) -> str:
    """The bundle's sha256: model.safetensors then config.json (bytes, in that order)."""
    h = hashlib.sha256()
    for name in (WEIGHTS_NAME, CONFIG_NAME):
        with open(folder / name, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def is_bundle(folder: Path) -> bool:
    """Whether ``folder`` holds a bundle's config.json (with its format version)."""
    try:
        return "format_version" in json.loads((Path(folder) / CONFIG_NAME).read_text("utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def can_replace(folder) -> bool:
    """Whether a bundle may be written at ``folder``: it does not exist, is an empty folder,
    or holds a bundle (which is then replaced)."""
    folder = Path(folder)
    return not folder.exists() or (folder.is_dir() and (not any(folder.iterdir())
                                                        or is_bundle(folder)))


def save_bundle(out_dir, result, meta: dict) -> Path:
    """Write ``result`` (a :class:`backend.train.TrainResult`) as a bundle folder at
    ``out_dir``; return it.

    ``meta`` must hold ``species`` (the taxa in the encoder's column order) and
    ``cover_transform`` (one of presence, sqrt, log, hellinger, none); everything else in it
    is stored as given. An existing bundle at ``out_dir`` is replaced; any other non-empty
    folder is refused. The folder appears only when complete.
    """
    from safetensors import SafetensorError
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    meta = dict(meta or {})
    species = meta.get("species")
    if species is None or len(species) != result.n_taxa:
        n = "no" if species is None else len(species)
        raise BotaclipError(f"The bundle's metadata must list the {result.n_taxa} taxa of the "
                            f"relevé encoder in order under 'species' ({n} given).")
    transform = meta.get("cover_transform")
    if transform not in TRANSFORMS:
        raise BotaclipError(f"The bundle's metadata must name the cover transform applied "
                            f"before training under 'cover_transform' (one of "
                            f"{', '.join(TRANSFORMS)}), not {transform!r}.")
    if not can_replace(out_dir):
        raise BotaclipError(f"{out_dir} exists and is not a model bundle; choose another "
                            "output folder (an existing bundle would be replaced).")
    enc, ad, lo = result.encoder, result.adapter, result.loss
    config = {
        **meta,
        "format_version": FORMAT_VERSION,
        "species": [str(s) for s in species],
        "embedding_dim": int(ad.dim),
        "architecture": {
            "adapter": {"dim": ad.dim, "hidden": ad.hidden},
            "releve_encoder": {"n_taxa": enc.n_taxa, "dim": enc.dim, "hidden": enc.hidden,
                               "dropout": enc.dropout, "taxon_dropout": enc.taxon_dropout},
            "loss": {"kind": lo.kind},
            "outputs": "L2-normalised embeddings; image = adapter(backbone pooled features)",
        },
        "training": asdict(result.config),
        "best_epoch": int(result.best_epoch),
        "stopped_early": bool(result.stopped_early),
        "metrics": result.metrics,
        "history": result.history,
        # plots per role, block size, shares and buffer (metrics: "best" is validation)
        "split": {"n_train": int(len(result.train_idx)), "n_val": int(len(result.val_idx)),
                  **getattr(result, "split", {})},
        "trained_on": result.device,
        "software": software_versions(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    tensors = {}
    for prefix, module in zip(_PREFIXES, (ad, enc, lo)):
        for k, v in module.state_dict().items():
            tensors[f"{prefix}.{k}"] = v.detach().to("cpu", torch.float32).contiguous()
    with atomic_output(out_dir, directory=True, last=CONFIG_NAME) as tmp:   # the marker last
        try:
            text = json.dumps(to_jsonable(config), indent=2, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise BotaclipError(f"The bundle's metadata cannot be written as JSON ({exc}); "
                                "give plain numbers, strings, lists and dicts.") from exc
        (tmp / CONFIG_NAME).write_text(text + "\n", encoding="utf-8")
        try:
            save_file(tensors, str(tmp / WEIGHTS_NAME),
                      metadata={"format_version": str(FORMAT_VERSION), "botaclip": __version__})
        except SafetensorError as exc:     # its I/O errors (a full disk) are not OSErrors
            code = re.search(r"os error (\d+)", str(exc))
            n = int(code.group(1)) if code else errno.EIO
            raise OSError(n, os.strerror(n) if code else str(exc)) from exc
        # safetensors creates its file private (0600); a bundle is shared like config.json
        os.chmod(tmp / WEIGHTS_NAME, (tmp / CONFIG_NAME).stat().st_mode & 0o777)
    return out_dir


@dataclass
class Bundle:
    """A loaded bundle. Modules are on the CPU in eval mode."""

    path: Path
    config: dict
    adapter: ImageAdapter
    encoder: ReleveEncoder
    loss: ContrastiveLoss
    sha256: str

    @property
    def species(self) -> list[str]:
        return list(self.config["species"])

    @property
    def dim(self) -> int:
        return int(self.config["embedding_dim"])

    @property
    def cover_transform(self) -> str:
        return self.config["cover_transform"]

    @torch.no_grad()
    def embed_image_features(self, feats: np.ndarray) -> np.ndarray:
        """Frozen backbone features [N, D] -> adapted, L2-normalised embeddings [N, D]."""
        feats = np.asarray(feats)
        if feats.ndim != 2 or feats.shape[1] != self.dim:
            raise BotaclipError(f"Image features of shape {feats.shape} do not fit the bundle "
                                f"{self.path}: it expects [N, {self.dim}] features from its "
                                f"backbone ({self.config.get('backbone', '?')}).")
        out = np.empty(feats.shape, dtype=np.float32)
        for r0 in range(0, len(feats), _EMBED_BATCH):
            f = torch.from_numpy(np.asarray(feats[r0:r0 + _EMBED_BATCH], dtype=np.float32))
            out[r0:r0 + len(f)] = l2_normalize(self.adapter(f)).numpy()
        return out

    @torch.no_grad()
    def embed_releves(self, values: np.ndarray) -> np.ndarray:
        """Raw covers [N, T] (the bundle's taxa in :attr:`species` order) -> L2-normalised
        relevé embeddings [N, D]; the bundle's cover transform is applied here."""
        values = np.asarray(values, dtype=np.float32)
        n_taxa = len(self.config["species"])
        if values.ndim != 2 or values.shape[1] != n_taxa:
            raise BotaclipError(f"Relevés of shape {values.shape} do not fit the bundle "
                                f"{self.path}: it expects [N, {n_taxa}] covers in the order of "
                                "its species list (bundle.species).")
        out = np.empty((len(values), self.dim), dtype=np.float32)
        for r0 in range(0, len(values), _EMBED_BATCH):
            v = transform_values(values[r0:r0 + _EMBED_BATCH], self.cover_transform)
            out[r0:r0 + len(v)] = l2_normalize(self.encoder(torch.from_numpy(v))).numpy()
        return out


def load_bundle(path) -> Bundle:
    """Read a bundle folder written by :func:`save_bundle`."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    if not path.exists():
        raise BotaclipError(f"The model bundle {path} does not exist; give the folder that "
                            "training wrote (it holds config.json and model.safetensors).")
    if not path.is_dir():
        raise BotaclipError(f"{path} is a file, not a model bundle: give the folder that holds "
                            "config.json and model.safetensors.")
    cfg_path = path / CONFIG_NAME
    if not cfg_path.exists():
        raise BotaclipError(f"{path} is not a model bundle: it has no {CONFIG_NAME}. Give the "
                            "folder that training wrote.")
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BotaclipError(f"Cannot read {cfg_path} ({exc}); the bundle is damaged, train "
                            "again or restore it from a copy.") from exc
    version = config.get("format_version") if isinstance(config, dict) else None
    if not isinstance(version, int):
        raise BotaclipError(f"{cfg_path} has no format_version: {path} is not a BotaCLIP "
                            "model bundle.")
    if version > FORMAT_VERSION:
        raise BotaclipError(f"The bundle {path} has format version {version}, newer than this "
                            f"BotaCLIP ({__version__}) reads (up to {FORMAT_VERSION}); update "
                            "the plugin to use it.")
    w_path = path / WEIGHTS_NAME
    if not w_path.exists():
        raise BotaclipError(f"The bundle {path} lacks {WEIGHTS_NAME} (the trained weights); "
                            "it is incomplete: train again or restore it from a copy.")
    try:
        tensors = load_file(str(w_path))
        arch = config["architecture"]
        a, e = arch["adapter"], arch["releve_encoder"]
        g = torch.Generator().manual_seed(0)     # overwritten below; spares the global RNG
        adapter = ImageAdapter(a["dim"], a["hidden"], generator=g)
        encoder = ReleveEncoder(e["n_taxa"], e["dim"], e["hidden"], e["dropout"],
                                e["taxon_dropout"], generator=g)
        loss = ContrastiveLoss(arch["loss"]["kind"])
        for prefix, module in zip(_PREFIXES, (adapter, encoder, loss)):
            sd = {k[len(prefix) + 1:]: v for k, v in tensors.items()
                  if k.startswith(prefix + ".")}
            module.load_state_dict(sd, strict=True)
        if len(config["species"]) != encoder.n_taxa or config["cover_transform"] \
                not in TRANSFORMS:
            raise ValueError("species list or cover transform do not match the encoder")
    except (KeyError, TypeError, ValueError, RuntimeError, SafetensorError) as exc:
        raise BotaclipError(f"The bundle {path} is damaged or inconsistent ({exc}); train "
                            "again or restore it from a copy.") from exc
    for m in (adapter, encoder, loss):
        m.eval()
    return Bundle(path=path, config=config, adapter=adapter, encoder=encoder, loss=loss,
                  sha256=bundle_sha256(path))
