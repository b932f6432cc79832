"""The embedding at points: for each point, the vector `botaclip embed` would write at a pixel
whose patch is centred there, computed for those patches only.

Evaluating sources (``botaclip evaluate``) and predicting from an orthophoto and a model
(``botaclip predict --ortho --model``) need the embedding at a few hundred or thousand points;
embedding the whole orthophoto first would cost the whole raster for them. Nothing here is
re-implemented, so a point's vector is the engine's:

- the model is resolved by :func:`.model.resolve_model`, as the engine does: a bundle checked
  against the raster (its backbone rebuilt from its reference, its bands, patch side and
  resampling), or a backbone built from the band options with the same input normalisation
  (ImageNet statistics for 8-bit RGB, else sampled band statistics);
- the patch is read by the same :class:`..io.patches.PatchReader` settings (patch side in
  metres and pixels, bands, resampling), prepared and run by :meth:`Backbone.features`
  (:meth:`~Backbone.prepare` then :meth:`~Backbone.forward_prepared`, what the engine's reader
  and compute loop call), through :func:`..train.features.compute_features` and its cache;
- the adapter is :meth:`..bundle.Bundle.embed_image_features` (L2-normalised), the engine's
  CPU path; ``adapter=False`` gives the bundle's frozen backbone features instead;
- a point is valid where the engine would write a value: its patch has some valid pixel and
  at least ``min_valid`` of them (default 0.5, the engine's), counted at full patch
  resolution; elsewhere the row is NaN and ``valid`` False. Points without finite
  coordinates are invalid too.

Precision follows the engine: ``auto`` tries bfloat16 only where it is native (a GPU, a CPU
with AVX512-BF16/AMX), on up to 8 patches at the points, and keeps it only when it agrees with
float32. Only the last bits can differ from the raster (a batch's composition changes them).

Cache: the backbone features are stored in the feature cache with one variant (the patch as
read). A point whose features training already computed (eight dihedral variants, the same
raster, backbone and patch settings) is taken from training's cache entry (variant 0, the
patch as read) instead of being computed again: evaluating a model on its relevés then runs
the backbone only for the other points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import BotaclipError
from ..io.patches import PatchReader, sample_patches
from ..io.raster import raster_info
from ..progress import SILENT, Progress
from ..train.features import (
    DEFAULT_VARIANTS,
    FeatureCache,
    cache_key,
    cache_root,
    compute_features,
    location_keys,
)
from .model import EmbedModel, resolve_model

DEFAULT_MIN_VALID = 0.5          # the engine's default (embed_raster's min_valid)
PRECISION_SAMPLES = 8            # patches the bfloat16 check runs on, as the engine's


@dataclass
class PointEmbedder:
    """A resolved model ready to embed points of ``ortho`` (see the module docstring). One
    backbone serves both the adapted embeddings and the frozen features: the backbone
    features of the last points asked for are kept, so asking for both costs one pass."""

    ortho: str
    model: EmbedModel
    min_valid: float = DEFAULT_MIN_VALID
    precision: str = "auto"
    cache_dir: object = None
    batch_size: int | None = None
    _memo: tuple | None = field(default=None, repr=False)
    _precision_set: bool = field(default=False, repr=False)

    @property
    def backbone(self):
        return self.model.backbone

    @property
    def has_adapter(self) -> bool:
        return self.model.bundle is not None

    def dim(self, adapter: bool = True) -> int:
        """Width of the vectors :meth:`embed` returns."""
        return int(self.model.dim if adapter and self.has_adapter else self.backbone.dim)

    def embed(self, xs, ys, *, adapter: bool = True, progress: Progress = SILENT
              ) -> tuple[np.ndarray, np.ndarray]:
        """(float32 (n, d) vectors, bool (n,) valid) at points ``xs``, ``ys`` (the raster's
        CRS). ``adapter``: through the bundle's adapter (a bundle only), else the frozen
        backbone's features."""
        if adapter and not self.has_adapter:
            raise BotaclipError("Internal error: an adapter was asked for without a bundle.")
        feats, fractions = self.backbone_features(xs, ys, progress)
        valid = np.isfinite(fractions) & (fractions > 0) & (fractions >= self.min_valid)
        out = np.full((len(valid), self.dim(adapter)), np.nan, dtype=np.float32)
        if valid.any():
            rows = feats[valid]
            out[valid] = (self.model.bundle.embed_image_features(rows) if adapter else rows)
        return out, valid

    def backbone_features(self, xs, ys, progress: Progress = SILENT
                          ) -> tuple[np.ndarray, np.ndarray]:
        """(float32 (n, D) backbone features, float32 (n,) valid fraction of each patch;
        NaN features and fraction 0 where a point has no finite coordinates or its patch
        lies wholly outside the raster)."""
        xs = np.asarray(xs, dtype=np.float64).ravel()
        ys = np.asarray(ys, dtype=np.float64).ravel()
        if xs.shape != ys.shape:
            raise BotaclipError(f"{xs.size} x but {ys.size} y coordinates were given; give "
                                "one pair per point.")
        key = (xs.tobytes(), ys.tobytes())
        if self._memo is not None and self._memo[0] == key:
            return self._memo[1], self._memo[2]
        n = len(xs)
        feats = np.full((n, int(self.backbone.dim)), np.nan, dtype=np.float32)
        fractions = np.zeros(n, dtype=np.float32)
        ok = np.flatnonzero(self._near_raster(xs, ys))
        if len(ok):
            self._set_precision(xs[ok], ys[ok], progress)
            feats[ok], fractions[ok] = self._features(xs[ok], ys[ok], progress)
        self._memo = (key, feats, fractions)
        return feats, fractions

    # -- internals ------------------------------------------------------------------------
    def _near_raster(self, xs, ys) -> np.ndarray:
        """Points with coordinates whose patch overlaps the raster (the others have no valid
        pixel: not read, not run)."""
        info = raster_info(self.ortho)
        half = 0.5 * self.model.patch_m / float(info.linear_unit_m or 1.0)
        xmin, ymin, xmax, ymax = info.bounds
        with np.errstate(invalid="ignore"):
            return (np.isfinite(xs) & np.isfinite(ys) & (xs > xmin - half) & (xs < xmax + half)
                    & (ys > ymin - half) & (ys < ymax + half))

    def _reader_bands(self):
        """The bands as the feature cache keys them: None when they are the raster's
        spectral bands (what training reads, so that its cache entries are found)."""
        info = raster_info(self.ortho)
        bands = [int(b) for b in self.model.bands]
        return None if bands == [int(b) for b in info.spectral_bands] else bands

    def _set_precision(self, xs, ys, progress: Progress) -> None:
        """The engine's precision choice (module docstring), once."""
        if self._precision_set:
            return
        from ..models.backbones import bf16_native_cpu

        bb, m = self.backbone, self.model
        wanted = (self.precision or "auto").lower()
        needs = wanted == "bfloat16" or (wanted == "auto" and bb.model is not None
                                         and (bb.device.type == "cuda" or bf16_native_cpu()))
        samples = None
        if needs:
            pick = np.unique(np.linspace(0, len(xs) - 1, min(64, len(xs))).round().astype(int))
            with PatchReader(self.ortho, m.patch_m, m.patch_px, m.resampling, m.bands) as rd:
                samples = sample_patches(rd, [(float(xs[i]), float(ys[i])) for i in pick],
                                         n=PRECISION_SAMPLES, min_valid=self.min_valid)
        if needs and samples is None:
            bb.precision, bb.precision_check = "float32", {"requested": wanted,
                                                           "chosen": "float32",
                                                           "note": "no sample patch"}
        else:
            bb.choose_precision(wanted, samples, progress)
        self._precision_set = True

    def _features(self, xs, ys, progress: Progress) -> tuple[np.ndarray, np.ndarray]:
        """Features and valid fractions: training's 8-variant cache entry first, then the
        one-variant computation (and cache) for the rest."""
        m, bands = self.model, self._reader_bands()
        feats = np.zeros((len(xs), int(self.backbone.dim)), dtype=np.float32)
        fractions = np.zeros(len(xs), dtype=np.float32)
        found = np.zeros(len(xs), dtype=bool)
        if self.cache_dir is not False:
            digest, _ = cache_key(self.ortho, self.backbone, m.patch_m,
                                  variants=DEFAULT_VARIANTS, resampling=m.resampling,
                                  bands=bands)
            cached, frac, found = FeatureCache(cache_root(self.cache_dir) / digest[:32]).lookup(
                location_keys(xs, ys), progress)
            if cached is not None:
                feats[found] = cached[found, 0]
                fractions[found] = frac[found]
        todo = np.flatnonzero(~found)
        if len(todo):
            f, v = compute_features(self.ortho, xs[todo], ys[todo], self.backbone, m.patch_m,
                                    variants=1, cache_dir=self.cache_dir,
                                    batch_size=self.batch_size, resampling=m.resampling,
                                    bands=bands, progress=progress, return_valid=True)
            feats[todo], fractions[todo] = f[:, 0], v
        return feats, fractions


def point_embedder(ortho, *, model_dir=None, backbone: str | None = None, weights=None,
                   sensor=None, wavelengths=None, backbone_config=None, patch_m=None,
                   device: str = "cpu", precision: str = "auto",
                   min_valid: float = DEFAULT_MIN_VALID, cache_dir=None,
                   batch_size: int | None = None, progress: Progress = SILENT) -> PointEmbedder:
    """The model to embed points of ``ortho`` with: the bundle folder ``model_dir`` or the
    backbone ``backbone`` ("spectral", "dofa-base" with ``weights``...), exactly one of the
    two, resolved as ``botaclip embed`` resolves it."""
    from ..models.backbones import resolve_device

    try:
        mv = float(min_valid)
    except (TypeError, ValueError):
        mv = float("nan")
    if not 0.0 <= mv <= 1.0:
        raise BotaclipError(f"The least fraction of valid pixels in a patch (--min-valid) must "
                            f"be between 0 and 1, not {min_valid!r}.")
    info = raster_info(ortho)
    model = resolve_model(info, model=model_dir, backbone=backbone, weights=weights,
                          sensor=sensor, wavelengths=wavelengths,
                          backbone_config=backbone_config, patch_m=patch_m,
                          device=resolve_device(device), progress=progress)
    for note in model.notes:
        progress.info(note)
    return PointEmbedder(str(ortho), model, mv, precision, cache_dir, batch_size)


def embed_at_points(ortho, xs, ys, *, model_dir=None, backbone: str | None = None,
                    weights=None, sensor=None, wavelengths=None, backbone_config=None,
                    patch_m=None, adapter: bool = True, device: str = "cpu",
                    precision: str = "auto", min_valid: float = DEFAULT_MIN_VALID,
                    cache_dir=None, batch_size: int | None = None,
                    progress: Progress = SILENT) -> tuple[np.ndarray, np.ndarray]:
    """(float32 (n, d) embeddings, bool (n,) valid) of the patches of ``ortho`` centred on
    the points ``xs``, ``ys`` (the raster's CRS), as ``botaclip embed`` computes them (module
    docstring). ``model_dir``: a bundle (``adapter=False``: its frozen backbone only);
    ``backbone``: a plain backbone name instead. Invalid rows are NaN."""
    emb = point_embedder(ortho, model_dir=model_dir, backbone=backbone, weights=weights,
                         sensor=sensor, wavelengths=wavelengths,
                         backbone_config=backbone_config, patch_m=patch_m, device=device,
                         precision=precision, min_valid=min_valid, cache_dir=cache_dir,
                         batch_size=batch_size, progress=progress)
    return emb.embed(xs, ys, adapter=adapter and emb.has_adapter, progress=progress)
