"""Train a BotaCLIP model from an orthophoto and relevés: the whole job behind `botaclip
train`, the Processing algorithm and the Train dialog.

Steps: check the plots (:func:`backend.check.check_data`; only "usable" plots are used and
the others are counted by reason), resolve the band wavelengths and the input normalisation
(ImageNet statistics for 8-bit RGB, else per-band statistics of sampled windows), build the
frozen backbone, choose its precision on a few sample patches, compute or reuse the cached
features (:mod:`backend.features`: 8 dihedral variants per plot), transform the covers,
choose a spatial validation split that meets the minimums, train the heads on the features
(:func:`backend.train_loop.train_on_features`, with a checkpoint in the cache so that an
interrupted training resumes), then write the bundle and its training report together: the
model folder appears only when complete, and a cancel or an error leaves none.

Default cover transform: ``sqrt``. Relevés record covers on very different scales (a
dominant grass at 80 %, a dozen companions at 1 %); the square root keeps abundance (unlike
presence) while damping the dominants, so that the many subordinate taxa, which carry most of
the ecological signal, still weigh in the relevé encoder. It is the usual choice in
vegetation ecology (with Hellinger, its row-normalised form) and it leaves presence/absence
data unchanged (sqrt(1) = 1). Measured on the demo landscape it did as well as or better
than presence and Hellinger (see tests/test_train.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import shutil
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from .errors import BotaclipError
from .io.atomic import atomic_output
from .progress import SILENT, Progress

DEFAULT_COVER_TRANSFORM = "sqrt"
N_VARIANTS = 8
PRECISION_SAMPLES = 8
_BLOCK_FACTORS = (1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1)


@dataclass
class TrainSummary:
    """What :func:`train_model` did; ``to_dict()`` is what ``botaclip train --json`` prints."""

    out: Path
    metrics: dict                   # validation {"untrained", "best", "chance"}: recall@k
    n_plots: int                    # plots used (usable)
    n_plots_total: int              # plots read
    left_out: dict                  # status -> count of plots not used
    n_taxa: int
    n_train: int
    n_val: int
    block_m: float
    val_fraction: float
    best_epoch: int
    epochs_trained: int
    report_html: Path
    bundle_sha256: str
    backbone: str
    random_weights: bool
    precision: str
    seconds: float
    timings: dict = field(default_factory=dict)     # seconds per step
    features: dict = field(default_factory=dict)    # cache hits, computed plots, plots/s
    result: object = field(default=None, repr=False)  # the TrainResult (not serialised)

    def recall(self, which: str = "best", k: int = 10) -> float:
        """Mean of image->relevé and relevé->image recall@k on the validation plots."""
        m = self.metrics[which]
        return 0.5 * (m[f"img2rel@{k}"] + m[f"rel2img@{k}"])

    def beats_chance(self, k: int = 10) -> bool:
        """Whether the trained model's image->relevé recall@k on the ``n_val`` validation
        plots exceeds chance by more than two binomial standard errors of chance (a random
        ranking reaches that about once in 40 runs): below it, training found nothing that
        can be told from luck."""
        p, hit = self.metrics["chance"][f"img2rel@{k}"], self.metrics["best"][f"img2rel@{k}"]
        return hit > p + 2.0 * math.sqrt(p * (1.0 - p) / max(self.n_val, 1))

    def to_dict(self) -> dict:
        d = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
             if f.name != "result"}             # asdict would deep-copy the whole TrainResult
        d["out"], d["report_html"] = str(self.out), str(self.report_html)
        d["val_recall@10"] = {w: self.recall(w) for w in ("chance", "untrained", "best")}
        return d

    def text(self) -> str:
        from .report import format_duration

        lines = [
            f"Model written to {self.out} ({self.backbone}"
            + (", RANDOM backbone weights" if self.random_weights else "")
            + f", {self.precision}).",
            f"{self.n_plots} of {self.n_plots_total} plots used ({self.n_train} training, "
            f"{self.n_val} validation in blocks of {self.block_m:g} m), {self.n_taxa} taxa.",
            f"Validation recall@10: trained {self.recall('best'):.3f} (epoch "
            f"{self.best_epoch} of {self.epochs_trained}), untrained "
            f"{self.recall('untrained'):.3f}, chance {self.recall('chance'):.3f}.",
            f"Report: {self.report_html}",
            f"Took {format_duration(self.seconds)}.",
        ]
        return "\n".join(lines)


NO_BETTER_THAN_CHANCE = (
    "The model does no better than chance: it finds the right relevé among its 10 nearest "
    "for {trained:.1f} % of the {n} validation plots, and chance alone gives {chance:.1f} %. "
    "Check that the taxon columns hold taxa (not identifiers or measurements), that the "
    "relevés lie on the orthophoto in the same place (coordinates, CRS), and that the plots "
    "differ in what grows there.")


def _min_plots(c) -> tuple[int, int]:
    from .train_loop import MIN_TRAIN_PLOTS, _min_val

    return MIN_TRAIN_PLOTS, _min_val(c)


def _reasons(counts: dict) -> str:
    from .check import REASON_TEXT

    parts = [f"{n} {REASON_TEXT.get(s, s)} ({s})" for s, n in counts.items() if n]
    return "; ".join(parts) if parts else "none"


def choose_split(x, y, config, patch_m: float, progress: Progress = SILENT):
    """Set ``config.block_m`` (and, if needed, ``config.val_fraction``) so that the spatial
    block split leaves at least the minimum of training and validation plots; return
    (train_idx, val_idx).

    The configured block size is kept when it works. Otherwise smaller blocks are tried down
    to the patch size (blocks smaller than a patch would put overlapping patches on both
    sides of the split), then a larger validation share (fewer folds, down to half)."""
    from .splits import block_split

    n_train_min, n_val_min = _min_plots(config)
    b0, vf0 = float(config.block_m), float(config.val_fraction)
    floor = min(b0, float(patch_m))
    blocks = sorted({max(floor, round(b0 * f, 1)) for f in _BLOCK_FACTORS}, reverse=True)
    k0 = max(2, int(round(1.0 / vf0)))
    tried = []
    for k in range(k0, 1, -1):
        vf = vf0 if k == k0 else 1.0 / k
        for b in blocks:
            try:
                tr, va = block_split(x, y, b, vf, seed=int(config.seed))
            except BotaclipError:            # fewer blocks than folds
                tried.append((b, vf, None, None))
                continue
            tried.append((b, vf, len(tr), len(va)))
            if len(va) >= n_val_min and len(tr) >= n_train_min:
                if (b, vf) != (b0, vf0):
                    progress.info(
                        f"Validation split: blocks of {b:g} m and a validation share of "
                        f"{vf:.2f} (the settings {b0:g} m / {vf0:.2f} left fewer than "
                        f"{n_val_min} validation or {n_train_min} training plots): "
                        f"{len(tr)} training and {len(va)} validation plots.")
                config.block_m, config.val_fraction = b, vf
                return tr, va
    best = max((t for t in tried if t[2] is not None), key=lambda t: min(t[2], t[3]),
               default=None)
    got = (f"; the best split found (blocks of {best[0]:g} m, validation share {best[1]:.2f}) "
           f"gave {best[2]} training and {best[3]} validation plots" if best else "")
    raise BotaclipError(
        f"Cannot split the {len(x)} usable plots into whole spatial blocks with at least "
        f"{n_train_min} training and {n_val_min} validation plots{got}. Validation plots "
        "must lie in other blocks than the training plots (neighbouring plots share imagery "
        f"and species, so a random split would flatter the model), and blocks cannot be "
        f"smaller than the patch ({patch_m:g} m). Add plots spread over a larger area.")


def _sample_patches(ortho, xs, ys, patch_m, px, n=PRECISION_SAMPLES) -> np.ndarray:
    from .io.raster import PatchReader

    idx = np.unique(np.linspace(0, len(xs) - 1, min(n, len(xs))).round().astype(int))
    with PatchReader(ortho, patch_m=patch_m, patch_px=px) as rd:
        return np.stack([rd.read(float(xs[i]), float(ys[i])).data for i in idx])


def _normalization(ortho, bands, progress: Progress):
    from .io.raster import sample_band_stats
    from .models.backbones import Normalization

    if bands.normalization == "imagenet" and len(bands.wavelengths_um) == 3:
        progress.info("Input normalisation: ImageNet statistics (8-bit red, green, blue).")
        return Normalization.imagenet(), None
    stats = sample_band_stats(ortho, progress=progress)
    norm = Normalization.from_stats(stats)
    progress.info(f"Input normalisation: per-band statistics of the orthophoto ({stats.source}"
                  f", {stats.n_pixels} valid pixels).")
    return norm, {"source": stats.source, "n_pixels": stats.n_pixels, "p2": stats.p2,
                  "p98": stats.p98, "valid_fraction": stats.valid_fraction}


def _training_key(feature_key: str, species: np.ndarray, x, y, config) -> str:
    from .train_loop import _RESUME_IGNORED

    h = hashlib.sha256(feature_key.encode())
    for arr in (species, x, y):
        h.update(np.ascontiguousarray(arr).tobytes())
    cfg = {k: v for k, v in asdict(config).items() if k not in _RESUME_IGNORED}
    h.update(json.dumps(cfg, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _check_out(out: Path) -> None:
    from .bundle import _is_bundle

    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not _is_bundle(out))):
        raise BotaclipError(f"{out} exists and is not a BotaCLIP model folder; choose another "
                            "output folder (an existing model folder would be replaced).")


def train_model(ortho, releves, out, *, options=None, sensor=None, wavelengths=None,
                patch_m: float = 100.0, backbone: str = "dofa-base", weights=None,
                weights_dir=None, backbone_config: dict | None = None,
                epochs: int | None = None, seed: int | None = None, device: str = "auto",
                precision: str = "auto", cover_transform: str = DEFAULT_COVER_TRANSFORM,
                min_valid: float = 0.8, cache_dir=None, batch_size: int | None = None,
                config=None, progress: Progress = SILENT) -> TrainSummary:
    """Train BotaCLIP on ``ortho`` (any GDAL raster) and ``releves`` (any OGR point layer, or
    points + a long table through ``options``); write the model folder ``out``.

    ``backbone``: dofa-small | dofa-base | dofa-large | dofa-custom (with
    ``backbone_config``) | timm:NAME | spectral. ``weights``: a file, "none" (random weights,
    warned and recorded) or None (DOFA: looked up in ``weights_dir``). ``epochs`` and
    ``seed`` override ``config`` (a :class:`TrainConfig`; default 50 epochs, seed 0).
    ``device``: auto | cpu | cuda, for the backbone and the training. ``precision``: auto |
    float32 | bfloat16 for the backbone (checked against float32 on sample patches).
    ``cache_dir``: the feature cache (default ``$BOTACLIP_CACHE_DIR`` or
    ``~/.cache/botaclip/features``; False: no cache and no resume).

    The folder ``out`` holds the bundle (config.json, model.safetensors) and ``report/``
    (report.html, report.json, PNGs). Raises :class:`BotaclipError` with the reason for bad
    input and :class:`Cancelled` when ``progress`` asks to stop (no folder left behind).
    """
    from .bundle import _hash_files, save_bundle
    from .check import check_data
    from .features import cache_key, compute_features, default_cache_dir
    from .io.raster import raster_info, resolve_bands
    from .io.releves import TRANSFORMS, ReleveOptions, read_releves, transform_values
    from .models.backbones import build_backbone, resolve_device
    from .report import write_training_report
    from .train_loop import CHECKPOINT_NAME, TrainConfig, train_on_features

    t_start = time.perf_counter()
    timings: dict = {}
    out = Path(out)
    _check_out(out)
    options = options or ReleveOptions()
    cover_transform = (cover_transform or DEFAULT_COVER_TRANSFORM).lower()
    if cover_transform not in TRANSFORMS:
        raise BotaclipError(f"Unknown cover transform {cover_transform!r}: use one of "
                            f"{', '.join(TRANSFORMS)}.")
    c = copy.deepcopy(config) if config is not None else TrainConfig()
    if epochs is not None:
        c.epochs = int(epochs)
    if seed is not None:
        c.seed = int(seed)
    c.device = device or "auto"
    dev = resolve_device(c.device)            # a missing GPU is reported before any work

    # 1. plots -------------------------------------------------------------------------
    t0 = time.perf_counter()
    progress.report(0.0, "Checking the plots against the orthophoto")
    report = check_data(ortho, releves, options, sensor=sensor, wavelengths=wavelengths,
                        patch_m=patch_m, min_valid=min_valid, progress=progress.sub(0.0, 0.06))
    rel = read_releves(releves, options)
    if list(rel.plot_ids) != list(report.plot_ids):
        raise BotaclipError(f"The relevés of {releves} changed while being read; try again.")
    usable = report.usable
    counts = {s: n for s, n in report.counts.items() if s != "usable"}
    n_total, n_used = report.plots_total, int(usable.sum())
    n_train_min, n_val_min = _min_plots(c)
    if n_used < n_train_min + n_val_min:
        raise BotaclipError(
            f"Training needs at least {n_train_min + n_val_min} usable plots: "
            f"{n_val_min} held out for validation (recall@{c.select_k} ranks each validation "
            f"plot among the others; with fewer, chance alone scores "
            f"{100 * c.select_k / n_val_min:.0f} % and the figure means little) and "
            f"{n_train_min} to train on (contrastive learning needs many negatives per batch). "
            f"Only {n_used} of the {n_total} plots in {releves} are usable; left out: "
            f"{_reasons(counts)}. Add relevés, or run `botaclip check` to see why plots are "
            "left out.")
    if n_used < n_total:
        progress.info(f"Training on {n_used} of {n_total} plots; left out: "
                      f"{_reasons(counts)}.")
    values = np.asarray(rel.values[usable], dtype=np.float32)
    present = (values > 0).any(axis=0)
    taxa = [t for t, p in zip(rel.taxa, present) if p]
    if not present.all():
        progress.info(f"{int((~present).sum())} taxa occur in no usable plot and are left out "
                      f"of the model ({len(taxa)} taxa kept).")
    species = transform_values(values[:, present], cover_transform)
    if np.all(species == species[:1]):
        raise BotaclipError(
            f"Every usable plot of {releves} has the same taxa with the same values, so no "
            "relevé can be told from another and the contrastive task is impossible. Check the "
            "species columns (a join that repeated one relevé?) or use relevés that differ.")
    xs, ys = report.x[usable], report.y[usable]            # raster CRS
    info = raster_info(ortho)
    unit = float(info.linear_unit_m or 1.0)
    x_m, y_m = xs * unit, ys * unit                        # metres for the spatial blocks
    train_idx, val_idx = choose_split(x_m, y_m, c, patch_m, progress)
    progress.check()
    timings["check_s"] = time.perf_counter() - t0

    # 2. bands, normalisation, backbone, precision ----------------------------------------
    t0 = time.perf_counter()
    bands = resolve_bands(info, sensor=sensor, wavelengths=wavelengths)
    for note in bands.notes:
        progress.info(f"Bands: {note}.")
    progress.report(0.06, "Estimating the input normalisation")
    norm, norm_stats = _normalization(ortho, bands, progress.sub(0.06, 0.08))
    progress.report(0.08, f"Building the backbone {backbone}")
    bb = build_backbone(backbone, weights, wavelengths=bands.wavelengths_um, normalization=norm,
                        weights_dir=weights_dir, device=dev, progress=progress,
                        seed=int(c.seed), config=backbone_config)
    progress.check()          # random weights: the builder has warned (progress and warnings)
    samples = _sample_patches(ortho, xs, ys, patch_m, bb.input_px)
    bb.choose_precision(precision, samples, progress)
    timings["backbone_s"] = time.perf_counter() - t0

    # 3. features -------------------------------------------------------------------------
    t0 = time.perf_counter()
    freport: dict = {}
    feats = compute_features(ortho, xs, ys, bb, patch_m, variants=N_VARIANTS,
                             cache_dir=cache_dir, batch_size=batch_size,
                             progress=progress.sub(0.1, 0.7), report=freport)
    timings["features_s"] = time.perf_counter() - t0
    if freport.get("computed"):
        progress.info(f"Features: {freport['computed']} plots computed "
                      f"({freport.get('plots_per_s') or 0:.2f} plots/s, {N_VARIANTS} variants "
                      f"each), {freport['cached']} from the cache {freport['cache_dir']}.")

    # 4. training -------------------------------------------------------------------------
    t0 = time.perf_counter()
    ckpt = None
    if cache_dir is not False:
        fkey = cache_key(ortho, bb, patch_m, variants=N_VARIANTS)[0]
        root = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        ckpt = root / "_training" / _training_key(fkey, species, x_m, y_m, c)[:32]
    resume = ckpt is not None and (ckpt / CHECKPOINT_NAME).exists()
    result = train_on_features(feats, species, x_m, y_m, c, progress=progress.sub(0.7, 0.96),
                               checkpoint_dir=ckpt, resume=resume)
    if len(result.val_idx) != len(val_idx) or not np.array_equal(result.val_idx, val_idx):
        raise BotaclipError("Internal error: the training split differs from the one chosen.")
    timings["train_s"] = time.perf_counter() - t0

    # 5. bundle + report, together --------------------------------------------------------
    t0 = time.perf_counter()
    progress.report(0.96, "Writing the model and its report")
    ref = bb.reference()
    meta = {
        "backbone": ref,
        "patch_m": float(patch_m),
        "patch_px": int(bb.input_px),
        "bands": {"wavelengths_um": list(bands.wavelengths_um), "names": list(bands.names),
                  "source": bands.source, "preset": bands.preset, "bands": list(bands.bands)},
        "normalization": bb.normalization.to_dict(),
        "normalization_stats": norm_stats,
        "precision": bb.precision,
        "precision_check": bb.precision_check,
        "random_weights": bool(bb.random_weights),
        "inputs": {"ortho": str(Path(ortho).resolve()) if not str(ortho).startswith("/vsi")
                   else str(ortho), "releves": rel.source, "options": asdict(options),
                   "min_valid": float(min_valid), "sensor": sensor,
                   "wavelengths": wavelengths if wavelengths is None or isinstance(
                       wavelengths, str) else list(wavelengths)},
        "species": taxa,
        "cover_transform": cover_transform,
        "check": {"plots_total": n_total, "plots_used": n_used, "status_counts":
                  report.counts, "taxa_total": len(rel.taxa), "taxa_used": len(taxa)},
        "features": {"variants": N_VARIANTS, "resampling": "bilinear",
                     "cached": freport.get("cached"), "computed": freport.get("computed")},
    }
    labels = [(rel.top_taxa(i, 1) or [""])[0] for i in np.flatnonzero(usable)]
    with atomic_output(out, directory=True) as tmp:
        save_bundle(tmp, result, meta)
        progress.check()
        paths = write_training_report(tmp / "report", result, meta, val_labels=labels,
                                      timings=timings)
        progress.check()
    timings["write_s"] = time.perf_counter() - t0
    if ckpt is not None:
        shutil.rmtree(ckpt, ignore_errors=True)   # only kept for an interrupted training
    progress.report(1.0, "Model written")
    summary = TrainSummary(
        out=out, metrics=result.metrics, n_plots=n_used, n_plots_total=n_total,
        left_out=counts, n_taxa=len(taxa), n_train=len(result.train_idx),
        n_val=len(result.val_idx), block_m=float(c.block_m), val_fraction=float(c.val_fraction),
        best_epoch=int(result.best_epoch), epochs_trained=len(result.history) - 1,
        report_html=out / "report" / Path(paths["html"]).name, bundle_sha256=_hash_files(out),
        backbone=bb.name, random_weights=bool(bb.random_weights), precision=bb.precision,
        seconds=time.perf_counter() - t_start, timings=timings,
        features={k: v for k, v in freport.items() if k != "cache_dir"}, result=result)
    if not summary.beats_chance():
        progress.warn(NO_BETTER_THAN_CHANCE.format(
            trained=100 * summary.metrics["best"]["img2rel@10"],
            chance=100 * summary.metrics["chance"]["img2rel@10"], n=summary.n_val))
    return summary
