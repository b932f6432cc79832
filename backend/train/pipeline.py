"""Train a BotaCLIP model from an orthophoto and relevés: the whole job behind `botaclip
train`, the Processing algorithm and the Train dialog.

Steps of :func:`train_model`, one function each: check the plots
(:func:`backend.check.check_data`; only "usable" plots are used and the others are counted by
reason), resolve the band wavelengths and the input normalisation (ImageNet statistics for
8-bit RGB, else per-band statistics of sampled windows), build the frozen backbone, choose its
precision on a few sample patches, compute or reuse the cached features
(:mod:`backend.train.features`: 8 dihedral variants per plot; one patch reader of the
orthophoto serves the sample patches and the features), transform the covers, split the
plots into training, validation and test in spatial blocks, with a buffer (default: the
patch size) between training and held-out plots, so that each role meets its minimum
(:func:`backend.train.splits.choose_split`), train the heads on the features
(:func:`backend.train.loop.train_on_features`, with a checkpoint in the cache so that an
interrupted training resumes), then write the bundle and its training report together: the
model folder appears only when complete, and a cancel or an error leaves none. The default
cover transform is explained in :mod:`.config`.
"""

from __future__ import annotations

import copy
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..bundle import CONFIG_NAME, WEIGHTS_NAME, bundle_sha256, is_bundle, save_bundle
from ..check import REASON_TEXT, check_data
from ..errors import BotaclipError
from ..io.atomic import atomic_output
from ..io.band_stats import sample_band_stats
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, recorded_name, refuse_inputs
from ..io.patches import PatchReader, sample_patches
from ..io.presets import resolve_bands
from ..io.raster import raster_info
from ..models.backbones import Normalization, build_backbone, resolve_device
from ..progress import SILENT, Progress
from ..releves import TRANSFORMS, ReleveOptions, read_releves, transform_values
from .checkpoint import CHECKPOINT_NAME, checkpoint_dir
from .config import DEFAULT_COVER_TRANSFORM, TrainConfig, check_batch_size, check_config
from .data import require_distinct_releves, require_enough_plots, species_csr
from .features import DEFAULT_VARIANTS, cache_key, compute_features
from .loop import TrainResult, train_on_features
from .report import write_training_report
from .splits import TEST, TRAIN, VALIDATION, choose_split
from .summary import TrainSummary

PRECISION_SAMPLES = 8


@dataclass
class _Job:
    """:func:`train_model`'s arguments about the data and the backbone, as its steps read
    them."""

    ortho: object
    releves: object
    options: ReleveOptions
    sensor: object
    wavelengths: object
    patch_m: float
    min_valid: float
    backbone: str
    weights: object
    weights_dir: object
    backbone_config: dict | None
    precision: str
    cache_dir: object
    batch_size: int | None


@dataclass
class _Plots:
    """The plots training uses (step 1)."""

    rel: object              # the relevés read (every plot)
    usable: np.ndarray       # bool per plot read
    counts: dict             # check status counts of every plot read
    taxa: list               # the taxa kept: those of at least one usable plot
    species: np.ndarray      # transformed covers [usable plots, taxa]
    xs: np.ndarray           # usable plot centres in the raster's CRS
    ys: np.ndarray

    @property
    def left_out(self) -> dict:
        """status -> number of plots not used."""
        return {s: n for s, n in self.counts.items() if s != "usable"}


@dataclass
class _Features:
    """The frozen backbone and the features of the usable plots (steps 2 and 3)."""

    bands: object            # the bands read and their wavelengths
    norm_stats: dict | None  # the band statistics behind the normalisation (None: ImageNet)
    bb: object               # the backbone
    feats: np.ndarray        # [usable plots, variants, dim]
    report: dict             # what the cache gave (compute_features' report)
    key: tuple | None        # the feature cache key (None: no cache)


def _reasons(counts: dict) -> str:
    parts = [f"{n} {REASON_TEXT.get(s, s)} ({s})" for s, n in counts.items() if n]
    return "; ".join(parts) if parts else "none"


def _check_out(out: Path, job: _Job, overwrite: bool) -> None:
    """Before any work: the model folder ``out`` is new, empty or a model (a folder of the
    user's only with ``overwrite``, and even then only the bundle's files are replaced),
    holds none of the inputs under the bundle's file names, and can be written to."""
    inputs = input_files(job.ortho, job.releves, job.options.table, job.weights)
    check_output(out, what="model folder", owned=is_bundle, overwrite=overwrite,
                 directory=True, inputs=inputs)
    for name in (CONFIG_NAME, WEIGHTS_NAME, "report"):
        refuse_inputs(out / name, inputs, "model file")
    if (out / "report").exists() and not (out / "report").is_dir():
        raise BotaclipError(f"{out / 'report'} is a file, where the model's report folder "
                            "goes. Move it away or choose another model folder.")


def _run_settings(config, epochs, seed, device, cover_transform, buffer_m=None
                  ) -> tuple[TrainConfig, str]:
    """The run's training settings (a copy of ``config`` with the arguments applied, checked
    before any long step) and its cover transform."""
    cover_transform = (cover_transform or DEFAULT_COVER_TRANSFORM).lower()
    if cover_transform not in TRANSFORMS:
        raise BotaclipError(f"Unknown cover transform {cover_transform!r}: use one of "
                            f"{', '.join(TRANSFORMS)}.")
    run = copy.deepcopy(config) if config is not None else TrainConfig()
    if epochs is not None:
        run.epochs = int(epochs)
    if seed is not None:
        run.seed = int(seed)
    run.device = device or "auto"
    if buffer_m is not None:
        try:
            run.buffer_m = float(buffer_m)
        except (TypeError, ValueError):
            raise BotaclipError(f"The buffer must be a number of metres (--buffer-m), not "
                                f"{buffer_m!r}.") from None
    check_config(run)
    return run, cover_transform


def _read_plots(job: _Job, config: TrainConfig, cover_transform: str, progress: Progress) -> _Plots:
    """Check the plots against the orthophoto, keep the usable ones and their taxa, transform
    their covers; refuse too few plots or relevés that cannot be told apart."""
    report = check_data(job.ortho, job.releves, job.options, sensor=job.sensor,
                        wavelengths=job.wavelengths, patch_m=job.patch_m,
                        min_valid=job.min_valid, progress=progress.sub(0.0, 0.06))
    rel = read_releves(job.releves, job.options)
    if list(rel.plot_ids) != list(report.plot_ids):
        raise BotaclipError(f"The relevés of {job.releves} changed while being read; try again.")
    usable = report.usable
    left_out = _reasons({s: n for s, n in report.counts.items() if s != "usable"})
    n_total, n_used = report.plots_total, int(usable.sum())
    require_enough_plots(
        n_used, config, plots="usable plots",
        hint=f"Only {n_used} of the {n_total} plots in {job.releves} are usable; left out: "
             f"{left_out}. Add relevés, or run `botaclip check` to see why plots are left out.")
    if n_used < n_total:
        progress.info(f"Training on {n_used} of {n_total} plots; left out: {left_out}.")
    values = np.asarray(rel.values[usable], dtype=np.float32)
    present = (values > 0).any(axis=0)
    taxa = [t for t, p in zip(rel.taxa, present) if p]
    if not present.all():
        progress.info(f"{int((~present).sum())} taxa occur in no usable plot and are left out "
                      f"of the model ({len(taxa)} taxa kept).")
    species = transform_values(values[:, present], cover_transform)
    indptr, indices, vals, _ = species_csr(species, n_used)
    require_distinct_releves(indptr, indices, vals, source=job.releves)
    return _Plots(rel=rel, usable=usable, counts=report.counts, taxa=taxa, species=species,
                  xs=report.x[usable], ys=report.y[usable])


def _choose_normalization(ortho, bands, progress: Progress):
    """(the backbone's input normalisation, the band statistics it comes from or None):
    ImageNet statistics for 8-bit red, green, blue, else per-band statistics of the
    orthophoto."""
    if bands.normalization == "imagenet" and len(bands.wavelengths_um) == 3:
        progress.info("Input normalisation: ImageNet statistics (8-bit red, green, blue).")
        return Normalization.imagenet(), None
    stats = sample_band_stats(ortho, progress=progress)
    norm = Normalization.from_stats(stats)
    progress.info(f"Input normalisation: per-band statistics of the orthophoto ({stats.source}"
                  f", {stats.n_pixels} valid pixels).")
    return norm, {"source": stats.source, "n_pixels": stats.n_pixels, "p2": stats.p2,
                  "p98": stats.p98, "valid_fraction": stats.valid_fraction}


def _precision_samples(reader: PatchReader, xs, ys, n: int = PRECISION_SAMPLES) -> np.ndarray:
    """Up to ``n`` patches at plots spread over the list (for the backbone's precision check)."""
    idx = np.unique(np.linspace(0, len(xs) - 1, min(n, len(xs))).round().astype(int))
    return sample_patches(reader, [(float(xs[i]), float(ys[i])) for i in idx], n=len(idx))


def _build_backbone(job: _Job, info, dev, seed: int, progress: Progress):
    """(bands, normalisation statistics, the frozen backbone) for the orthophoto."""
    bands = resolve_bands(info, sensor=job.sensor, wavelengths=job.wavelengths)
    for note in bands.notes:
        progress.info(f"Bands: {note}.")
    progress.report(0.06, "Estimating the input normalisation")
    norm, norm_stats = _choose_normalization(job.ortho, bands, progress.sub(0.06, 0.08))
    progress.report(0.08, f"Building the backbone {job.backbone}")
    bb = build_backbone(job.backbone, job.weights, wavelengths=bands.wavelengths_um,
                        normalization=norm, weights_dir=job.weights_dir, device=dev,
                        progress=progress, seed=seed, config=job.backbone_config)
    progress.check()          # random weights: the builder has warned (progress and warnings)
    return bands, norm_stats, bb


def _backbone_features(job: _Job, info, plots: _Plots, dev, seed: int, timings: dict,
                       progress: Progress) -> _Features:
    """Steps 2 and 3: the backbone, its precision checked on sample patches, and the features
    of the usable plots; one patch reader of the orthophoto serves both."""
    t0 = time.perf_counter()
    bands, norm_stats, bb = _build_backbone(job, info, dev, seed, progress)
    with PatchReader(job.ortho, patch_m=job.patch_m, patch_px=bb.input_px) as reader:
        bb.choose_precision(job.precision, _precision_samples(reader, plots.xs, plots.ys),
                            progress)
        timings["backbone_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        key = (cache_key(job.ortho, bb, job.patch_m, variants=DEFAULT_VARIANTS)
               if job.cache_dir is not False else None)
        freport: dict = {}
        feats = compute_features(job.ortho, plots.xs, plots.ys, bb, job.patch_m,
                                 variants=DEFAULT_VARIANTS, cache_dir=job.cache_dir,
                                 batch_size=job.batch_size, progress=progress.sub(0.1, 0.7),
                                 report=freport, reader=reader, key=key)
    timings["features_s"] = time.perf_counter() - t0
    if freport.get("computed"):
        progress.info(f"Features: {freport['computed']} plots computed "
                      f"({freport.get('plots_per_s') or 0:.2f} plots/s, {DEFAULT_VARIANTS} "
                      f"variants each), {freport['cached']} from the cache "
                      f"{freport['cache_dir']}.")
    return _Features(bands, norm_stats, bb, feats, freport, key)


def _train_heads(features: _Features, plots: _Plots, x_m, y_m, config: TrainConfig, roles,
                 ckpt: Path | None, progress: Progress) -> TrainResult:
    """Train on the features, resuming from the checkpoint in ``ckpt`` when there is one;
    the loop's split must be the one :func:`choose_split` chose."""
    resume = ckpt is not None and (ckpt / CHECKPOINT_NAME).exists()
    result = train_on_features(features.feats, plots.species, x_m, y_m, config,
                               progress=progress.sub(0.7, 0.96), checkpoint_dir=ckpt,
                               resume=resume)
    for got, role in ((result.train_idx, TRAIN), (result.val_idx, VALIDATION),
                      (result.test_idx, TEST)):
        if not np.array_equal(got, np.flatnonzero(roles == role)):
            raise BotaclipError("Internal error: the training split differs from the one "
                                "chosen.")
    return result


def _bundle_meta(job: _Job, plots: _Plots, features: _Features, cover_transform: str) -> dict:
    """The bundle's config.json beyond what training adds (see :mod:`backend.bundle`)."""
    rel, bb, bands, wavelengths = plots.rel, features.bb, features.bands, job.wavelengths
    return {
        "backbone": bb.reference(),
        "patch_m": float(job.patch_m),
        "patch_px": int(bb.input_px),
        "bands": {"wavelengths_um": list(bands.wavelengths_um), "names": list(bands.names),
                  "source": bands.source, "preset": bands.preset, "bands": list(bands.bands)},
        "normalization": bb.normalization.to_dict(),
        "normalization_stats": features.norm_stats,
        "precision": bb.precision,
        "precision_check": bb.precision_check,
        "random_weights": bool(bb.random_weights),
        "inputs": {"ortho": str(Path(job.ortho).resolve())
                   if not str(job.ortho).startswith("/vsi") else str(job.ortho),
                   "releves": recorded_name(job.releves, rel.source),
                   "options": asdict(job.options),
                   "min_valid": float(job.min_valid), "sensor": job.sensor,
                   "wavelengths": wavelengths if wavelengths is None or isinstance(
                       wavelengths, str) else list(wavelengths)},
        "species": plots.taxa,
        "cover_transform": cover_transform,
        "check": {"plots_total": len(plots.usable), "plots_used": int(plots.usable.sum()),
                  "status_counts": plots.counts, "taxa_total": len(rel.taxa),
                  "taxa_used": len(plots.taxa)},
        "features": {"variants": DEFAULT_VARIANTS, "resampling": "bilinear",
                     "cached": features.report.get("cached"),
                     "computed": features.report.get("computed"),
                     "nodata_fill": bb.nodata_fill,
                     "valid_fraction": features.report.get("valid_fraction")},
    }


def _write_model(out: Path, result: TrainResult, meta: dict, plots: _Plots, timings: dict,
                 progress: Progress, overwrite: bool = False) -> Path:
    """Write the bundle and its report into ``out`` together; return the report's HTML.
    Into an existing folder, the bundle's files replace their namesakes (config.json last)
    and the folder's other files are kept."""
    progress.report(0.96, "Writing the model and its report")
    labels = [(plots.rel.top_taxa(i, 1) or [""])[0] for i in np.flatnonzero(plots.usable)]
    with atomic_output(out, directory=True, owned=is_bundle, overwrite=overwrite,
                       what="model folder", last=CONFIG_NAME) as tmp:
        save_bundle(tmp, result, meta)
        progress.check()
        paths = write_training_report(tmp / "report", result, meta, val_labels=labels,
                                      timings=timings)
        progress.check()
    return out / "report" / Path(paths["html"]).name


def _summary(out: Path, result: TrainResult, plots: _Plots, config: TrainConfig,
             features: _Features, report_html: Path, timings: dict,
             t_start: float) -> TrainSummary:
    bb = features.bb
    return TrainSummary(
        out=out, metrics=result.metrics, n_plots=int(plots.usable.sum()),
        n_plots_total=len(plots.usable), left_out=plots.left_out, n_taxa=len(plots.taxa),
        n_train=len(result.train_idx), n_val=len(result.val_idx), block_m=float(config.block_m),
        val_fraction=float(config.val_fraction), best_epoch=int(result.best_epoch),
        epochs_trained=len(result.history) - 1, report_html=report_html,
        bundle_sha256=bundle_sha256(out), backbone=bb.name,
        random_weights=bool(bb.random_weights), precision=bb.precision,
        seconds=time.perf_counter() - t_start, timings=timings,
        features={k: v for k, v in features.report.items() if k != "cache_dir"}, result=result,
        n_test=len(result.test_idx), n_buffer=len(result.buffer_idx),
        buffer_m=float(result.config.buffer_m), test_fraction=float(config.test_fraction),
        heads_precision=result.config.precision)


def train_model(ortho, releves, out, *, options=None, sensor=None, wavelengths=None,
                patch_m: float = 100.0, backbone: str = "dofa-base", weights=None,
                weights_dir=None, backbone_config: dict | None = None,
                epochs: int | None = None, seed: int | None = None, device: str = "auto",
                precision: str = "auto", cover_transform: str = DEFAULT_COVER_TRANSFORM,
                min_valid: float = 0.8, cache_dir=None, batch_size: int | None = None,
                buffer_m: float | None = None, config=None, overwrite: bool = False,
                progress: Progress = SILENT) -> TrainSummary:
    """Train BotaCLIP on ``ortho`` (any GDAL raster) and ``releves`` (any OGR point layer, or
    points + a long table through ``options``); write the model folder ``out``.

    ``backbone``: dofa-small | dofa-base | dofa-large | dofa-custom (with
    ``backbone_config``) | timm:NAME | spectral. ``weights``: a file, "none" (random weights,
    warned and recorded) or None (DOFA: looked up in ``weights_dir``). ``epochs`` and
    ``seed`` override ``config`` (a :class:`TrainConfig`; default 50 epochs, seed 0).
    ``device``: auto | cpu | cuda, for the backbone and the training. ``precision``: auto |
    float32 | bfloat16 for the backbone (checked against float32 on sample patches).
    ``cache_dir``: the feature cache (default ``$BOTACLIP_CACHE_DIR`` or
    ``~/.cache/botaclip/features``; False: no cache and no resume). ``buffer_m``: training
    plots closer than this (metres, along both axes) to a validation or test plot are left
    out (default: ``config.buffer_m``, else ``patch_m``, so that no training patch overlaps
    a held-out one); the validation plots choose the epoch, the test plots give the figure
    to report (``metrics["test"]``).

    The folder ``out`` holds the bundle (config.json, model.safetensors) and ``report/``
    (report.html, report.json, PNGs). Raises :class:`BotaclipError` with the reason for bad
    input and :class:`Cancelled` when ``progress`` asks to stop (no folder left behind).
    ``out`` is checked before any work: an existing folder that is not a model is refused
    unless ``overwrite`` (even then only the bundle's files are written into it).
    """
    t_start = time.perf_counter()
    timings: dict = {}
    out = Path(out)
    job = _Job(ortho, releves, options or ReleveOptions(), sensor, wavelengths, patch_m,
               min_valid, backbone, weights, weights_dir, backbone_config, precision,
               cache_dir, batch_size)
    _check_out(out, job, overwrite)
    check_batch_size(batch_size)
    config, cover_transform = _run_settings(config, epochs, seed, device, cover_transform,
                                            buffer_m)
    dev = resolve_device(config.device)        # a missing GPU is reported before any work
    # another run writing the same model folder is refused here, before any work; the lock
    # is held until the folder is written (io/lock.py)
    with hold_outputs(out, what="model folder", progress=progress):
        # 1. plots ---------------------------------------------------------------------
        t0 = time.perf_counter()
        progress.report(0.0, "Checking the plots against the orthophoto")
        plots = _read_plots(job, config, cover_transform, progress)
        info = raster_info(ortho)
        unit = float(info.linear_unit_m or 1.0)
        x_m, y_m = plots.xs * unit, plots.ys * unit            # metres for the spatial blocks
        roles = choose_split(x_m, y_m, config, patch_m, progress)
        progress.check()
        timings["check_s"] = time.perf_counter() - t0

        # 2. bands, normalisation, backbone, precision; 3. features ------------------------
        features = _backbone_features(job, info, plots, dev, int(config.seed), timings, progress)

        # 4. training ---------------------------------------------------------------------
        t0 = time.perf_counter()
        ckpt = (checkpoint_dir(cache_dir, features.key[0], plots.species, x_m, y_m, config)
                if features.key is not None else None)
        result = _train_heads(features, plots, x_m, y_m, config, roles, ckpt, progress)
        timings["train_s"] = time.perf_counter() - t0

        # 5. bundle + report, together ----------------------------------------------------
        t0 = time.perf_counter()
        report_html = _write_model(out, result, _bundle_meta(job, plots, features, cover_transform),
                                   plots, timings, progress, overwrite)
        timings["write_s"] = time.perf_counter() - t0
        if ckpt is not None:
            shutil.rmtree(ckpt, ignore_errors=True)   # only kept for an interrupted training
        progress.report(1.0, "Model written")
        summary = _summary(out, result, plots, config, features, report_html, timings, t_start)
        if not summary.beats_chance():
            progress.warn(summary.no_better_than_chance())
        return summary
