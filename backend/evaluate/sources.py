"""The embedding sources ``botaclip evaluate`` compares, as in BotaCLIP's paper:

- ``spectral``: the spectral baseline (band statistics, a vegetation index and texture of the
  patch; :func:`..models.backbones.spectral_features`), always available: it needs no weights,
  and it is the bar a learnt representation has to clear;
- ``frozen``: the frozen backbone the model was built on (with ``model``: the bundle's
  backbone; without: DOFA with ``weights``, or found in the weights folder). It tells what the
  backbone brings before any training on relevés; without weights it is skipped, with the
  reason (random weights would measure nothing but noise, unless asked for with ``none``);
- ``botaclip``: the bundle's adapter on that backbone (``model`` only).

All of them read the same patches (the model's patch side and bands when there is a model,
so that the sources differ by the representation only) through
:class:`..embed.at_points.PointEmbedder`: the vectors ``botaclip embed`` would write there.
A :class:`Source` is just a name and a function (x, y, progress) -> (features, valid), so that
other sources (tests use a pure-noise one) can be compared the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..embed.at_points import DEFAULT_MIN_VALID, PointEmbedder, point_embedder
from ..errors import BotaclipError
from ..progress import SILENT, Progress

SPECTRAL, FROZEN, BOTACLIP = "spectral", "frozen", "botaclip"


@dataclass
class Source:
    """One embedding source: ``features(xs, ys, progress) -> (float32 (n, d), bool (n,))``
    at points in the orthophoto's CRS; ``skipped`` says why it is not evaluated ("" when it
    is); ``redundant``: skipped because another source already gives its features (nothing
    is missing from the comparison, so no warning)."""

    key: str
    label: str
    features: Callable | None = None
    description: str = ""
    skipped: str = ""
    text: str = ""                  # the label in a sentence ("the spectral baseline")
    redundant: bool = False

    @property
    def in_text(self) -> str:
        return self.text or self.label

    @property
    def not_evaluated(self) -> str:
        """Why the source is skipped, as a sentence ("" when it is evaluated)."""
        if self.available:
            return ""
        why = self.skipped or "it has no features function"
        return f"{self.label[:1].upper() + self.label[1:]} is not evaluated: {why}."

    @property
    def available(self) -> bool:
        return self.features is not None and not self.skipped

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "text": self.in_text,
                "available": self.available,
                "description": self.description, "skipped": self.skipped}


def embedder_source(key: str, label: str, embedder: PointEmbedder, *, adapter: bool,
                    description: str, text: str = "") -> Source:
    """A :class:`Source` reading ``embedder`` (through its adapter or not)."""
    def features(xs, ys, progress: Progress = SILENT):
        return embedder.embed(xs, ys, adapter=adapter, progress=progress)

    return Source(key, label, features, description, text=text)


@dataclass
class SourceOptions:
    """How the sources are built: the model or backbone and how patches are read."""

    model: object = None
    weights: object = None
    weights_dir: object = None
    backbone: str = "dofa-base"
    backbone_config: object = None
    sensor: object = None
    wavelengths: object = None
    patch_m: float | None = None
    device: str = "cpu"
    precision: str = "auto"
    min_valid: float = DEFAULT_MIN_VALID
    cache_dir: object = None
    batch_size: int | None = None


def choose_sources(ortho, opts: SourceOptions, progress: Progress = SILENT
                   ) -> tuple[list, float]:
    """([spectral, frozen, botaclip] :class:`Source` objects for ``ortho``, the patch side in
    metres they all read) (module docstring); a source that cannot be evaluated carries the
    reason in ``skipped``."""
    common = dict(device=opts.device, precision=opts.precision, min_valid=opts.min_valid,
                  cache_dir=opts.cache_dir, batch_size=opts.batch_size, progress=progress)
    bundle = None
    bands = {"sensor": opts.sensor, "wavelengths": opts.wavelengths}
    if opts.model is not None:
        bundle = point_embedder(ortho, model_dir=opts.model, weights=opts.weights,
                                patch_m=opts.patch_m, **bands, **common)
        bands = _bundle_bands(bundle, opts)
    patch_m = bundle.model.patch_m if bundle is not None else opts.patch_m
    spectral = point_embedder(ortho, backbone="spectral", patch_m=patch_m, **bands, **common)
    patch_m = spectral.model.patch_m
    sources = [embedder_source(
        SPECTRAL, "spectral baseline", spectral, adapter=False, text="the spectral baseline",
        description=f"band statistics, vegetation index and texture of the {patch_m:g} m "
                    f"patch ({spectral.dim(False)} values)")]
    sources.append(_frozen(ortho, opts, bundle, patch_m, common))
    if bundle is not None:
        sources.append(embedder_source(
            BOTACLIP, "BotaCLIP", bundle, adapter=True,
            description=f"the model {opts.model}: adapter on {bundle.backbone.name} "
                        f"({bundle.dim(True)} dimensions)"))
    else:
        sources.append(Source(BOTACLIP, "BotaCLIP", skipped="no model given (--model "
                                                            "MODEL_DIR, a folder written by "
                                                            "'botaclip train')"))
    return sources, float(patch_m)


def _bundle_bands(bundle: PointEmbedder, opts: SourceOptions) -> dict:
    """The band options of the spectral baseline next to a bundle: those given, else the
    wavelengths the bundle recorded for the raster's bands (so that the baseline reads the
    bands the model reads, with the same names), else none (read from the raster)."""
    if opts.sensor or opts.wavelengths:
        return {"sensor": opts.sensor, "wavelengths": opts.wavelengths}
    rec = bundle.model.bundle.config.get("bands")
    wl = rec.get("wavelengths_um") if isinstance(rec, dict) else None
    if wl and len(wl) == len(bundle.model.bands):
        return {"wavelengths": [float(w) for w in wl]}
    return {}


def _frozen(ortho, opts: SourceOptions, bundle, patch_m, common: dict) -> Source:
    """The frozen backbone source: the bundle's, else DOFA with weights, else skipped."""
    if bundle is not None:
        bb = bundle.backbone
        if bb.model is None:
            return Source(FROZEN, "frozen backbone", redundant=True,
                          skipped="the model's backbone is the spectral baseline itself")
        return embedder_source(FROZEN, f"frozen backbone ({bb.name})", bundle, adapter=False,
                               description=_backbone_text(bb),
                               text=f"the frozen backbone ({bb.name})")
    name = (opts.backbone or "dofa-base").strip()
    if name.lower() == "spectral":
        return Source(FROZEN, "frozen backbone", redundant=True,
                      skipped="the backbone asked for is the spectral baseline itself")
    weights = opts.weights
    if weights in (None, "") and name.lower().startswith("dofa") \
            and name.lower() != "dofa-custom":
        from ..models.weight_files import find_dofa_weights

        try:
            weights = str(find_dofa_weights(name, opts.weights_dir))
        except BotaclipError as exc:
            return Source(FROZEN, f"frozen backbone ({name})",
                          skipped=str(exc).splitlines()[0] + " Give --weights PATH (or "
                          "--model MODEL_DIR) to compare the frozen backbone.")
    if weights in (None, ""):
        return Source(FROZEN, f"frozen backbone ({name})",
                      skipped=f"no weights for {name}: give --weights PATH (or --model)")
    emb = point_embedder(ortho, backbone=name, weights=weights, sensor=opts.sensor,
                         wavelengths=opts.wavelengths, backbone_config=opts.backbone_config,
                         patch_m=patch_m, **common)
    name = emb.backbone.name
    return embedder_source(FROZEN, f"frozen backbone ({name})", emb, adapter=False,
                           description=_backbone_text(emb.backbone),
                           text=f"the frozen backbone ({name})")


def _backbone_text(bb) -> str:
    """A backbone in words, saying so when its weights are random."""
    w = ("RANDOM weights (tests and demonstrations only)" if bb.random_weights
         else f"weights {bb.weights_path}" if bb.weights_path else "no weights")
    return f"{bb.name}, {bb.dim} dimensions, {w}"
