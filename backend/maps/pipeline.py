"""A prediction map from an embedding raster and a point layer: the building blocks of this
stage joined in one call, :func:`predict_map`, which the front doors (``botaclip predict``,
later Processing and a dialog) call with a progress object.

Steps, each a short function: read the target fields (:mod:`.targets`); read the embedding
at every point (:mod:`.points`: unusable points are counted and named, never dropped
silently); for presence-only data draw background points from the raster's valid pixels
(:mod:`.background`); spatial block cross-validation with a buffer (:mod:`.cv`), whose fold
models give the uncertainty band; the final model fitted on all points; the area of
applicability fitted on the training features (:mod:`.applicability`); the raster predicted
block by block into a COG (:mod:`.predict_raster`); and, on request, ``metrics.json`` and
the fitted predictor saved to a file (:mod:`.predictor`) for ``botaclip apply``.

Why the defaults:

- buffer: the embedding's patch side (``BOTACLIP_SETTINGS.patch_m``), because two points
  closer than a patch side were described by overlapping imagery, so a test point's
  neighbour in training would leak its pixels; without tags, one pixel (the least spacing
  at which two points get different embeddings).
- blocks: 5 pixels, and at least twice the buffer. 5 pixels hold 25 patch centres, wide
  enough that most points of a block have their close neighbours in the same block (and so
  in the same fold); twice the buffer keeps the buffer from emptying the training set
  around a test block (a buffer wider than a block would remove whole neighbouring blocks).
- background points (presence-only): 10 per presence, at most 10 000 -- enough to describe
  the conditions available without letting the background swamp the fit (Barbet-Massin et
  al. 2012 found 10 000 or a ratio of about 10 sufficient for most methods).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BotaclipError
from ..io.atomic import atomic_output
from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..io.raster import raster_info
from ..progress import SILENT, Progress
from .applicability import fit_aoa
from .background import draw_background
from .cv import spatial_cv
from .estimators import ESTIMATORS, fit_estimator, make_estimator
from .from_ortho import embed_for_map, exact_features
from .metrics import TASKS
from .points import features_at_points, read_pixels
from .predict_raster import PredictResult, dask_connection, predict_raster
from .predictor import (
    ColumnStack,
    SavedPredictor,
    embedding_record,
    is_predictor_file,
    map_tags,
    save_predictor,
)
from .targets import read_targets

BACKGROUND_PER_PRESENCE = 10
MAX_BACKGROUND = 10_000
BLOCK_PIXELS = 5
METRICS_KIND = "botaclip-maps-metrics"


@dataclass
class PredictMapResult:
    """What :func:`predict_map` did: the map written, the metrics per target (as in
    ``metrics.json``), how many points were used and left out, and the messages."""

    out: Path
    task: str
    targets: list
    metrics: dict
    point_counts: dict              # per status (usable, outside_raster, nodata, no_location)
    n_used: dict                    # per target: points fitted (background included)
    n_background: int | None
    block_m: float
    buffer_m: float
    raster: PredictResult
    report: Path | None = None
    embeddings: Path | None = None   # the raster embedded on the way (--ortho/--model)
    predictor: Path | None = None   # the saved predictor (save_model)
    messages: list = field(default_factory=list)


@dataclass
class _Fit:
    """One target fitted: its training rows, cross-validation, final model."""

    name: str
    x: np.ndarray
    y: np.ndarray
    features: np.ndarray
    target: np.ndarray
    cv: object
    model: object
    n_background: int | None = None


def default_geometry(info, tags: dict, block_m, buffer_m) -> tuple[float, float, str]:
    """(block_m, buffer_m, how they were chosen) with the defaults of the module docstring
    filled in; the pixel size and the patch side are in the raster's map units."""
    pixel = float(max(info.pixel_size))
    said = []
    if buffer_m is None:
        patch = (tags.get("BOTACLIP_SETTINGS") or {}).get("patch_m") \
            if isinstance(tags.get("BOTACLIP_SETTINGS"), dict) else None
        buffer_m = float(patch) if patch else pixel
        said.append(f"buffer {buffer_m:g} m ({'the patch side' if patch else 'one pixel'})")
    if block_m is None:
        block_m = max(BLOCK_PIXELS * pixel, 2.0 * float(buffer_m))
        said.append(f"blocks of {block_m:g} m (5 pixels, at least twice the buffer)")
    for name, v in (("--block-m", block_m), ("--buffer-m", buffer_m)):
        if not (math.isfinite(float(v)) and float(v) >= 0) or (name == "--block-m" and v <= 0):
            raise BotaclipError(f"{name} must be a positive number of metres, not {v!r}.")
    how = ("Cross-validation defaults: " + "; ".join(said) + ".") if said else ""
    return float(block_m), float(buffer_m), how


def _check_args(task, estimator, folds, out, embeddings, overwrite, report_dir) -> None:
    if task not in TASKS:
        raise BotaclipError(f"Unknown task {task!r}: choose one of {', '.join(TASKS)}.")
    if estimator not in ESTIMATORS:
        raise BotaclipError(f"Unknown estimator {estimator!r}: choose one of "
                            f"{', '.join(ESTIMATORS)}.")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise BotaclipError(f"The number of folds must be a whole number of at least 2, not "
                            f"{folds!r} (--folds 5 is usual).")
    sources = embeddings if isinstance(embeddings, (list, tuple)) else [embeddings]
    check_output(out, what="prediction map", owned=is_our_raster, overwrite=overwrite,
                 inputs=input_files(*sources))
    if report_dir:
        check_output(Path(report_dir) / "metrics.json", what="metrics report",
                     owned=is_metrics_file, overwrite=overwrite)


def _check_save_model(save_model, out, embeddings, points, overwrite) -> None:
    """The predictor file: not the map, not an input (``embeddings`` may be a list of
    inputs), not a file of the user's."""
    sources = embeddings if isinstance(embeddings, (list, tuple)) else [embeddings]
    if Path(save_model).expanduser().resolve() == Path(out).expanduser().resolve():
        raise BotaclipError(f"The saved predictor and the prediction map are the same file "
                            f"{out}; give the predictor a name of its own, e.g. "
                            f"{Path(out).with_suffix('.predictor.zip')}.")
    check_output(save_model, what="saved predictor", owned=is_predictor_file,
                 overwrite=overwrite, inputs=input_files(*sources, points))


def _background(embeddings, n_presences, background, seed, progress) -> tuple:
    """(features, x, y, messages) of the background points of a presence-only target."""
    n = background if background is not None else min(
        BACKGROUND_PER_PRESENCE * n_presences, MAX_BACKGROUND)
    bg = draw_background(embeddings, n, seed, progress=progress)
    feats, valid, _ = read_pixels(embeddings, bg.rows, bg.cols)
    return feats[valid], bg.x[valid], bg.y[valid], bg.messages


def _fit_target(target, pf, embeddings, *, task, estimator, folds, block_m, buffer_m, seed,
                background, n_jobs, progress) -> _Fit:
    """Cross-validate and fit the final model of one target (see the module docstring)."""
    rows = np.flatnonzero(target.valid & pf.usable)
    feats, t = pf.features[rows], target.values[rows]
    x, y = pf.x[rows], pf.y[rows]
    n_bg, messages = None, []
    if task == "presence-only":
        bf, bx, by, messages = _background(embeddings, len(rows), background, seed,
                                           progress.sub(0.0, 0.1))
        n_bg = len(bf)
        feats = np.concatenate([feats, bf])
        t = np.concatenate([t, np.zeros(n_bg)])
        x, y = np.concatenate([x, bx]), np.concatenate([y, by])
    n_classes = len(target.classes) if task == "classes" else None
    cv = spatial_cv(x, y, feats, t, task, estimator=estimator, folds=folds, block_m=block_m,
                    buffer_m=buffer_m, seed=seed, n_jobs=n_jobs, n_classes=n_classes,
                    progress=progress.sub(0.1, 0.9))
    cv.messages[:0] = messages
    model = make_estimator(estimator, task, seed=seed, n_jobs=n_jobs, n_classes=n_classes)
    fit_estimator(model, feats, t, task)
    progress.report(1.0, f"Final model of {target.name!r} fitted on {len(t)} points")
    return _Fit(target.name, x, y, feats, t, cv, model, n_bg)


def _plain(v):
    """JSON-ready: NaN and infinities as None (JSON has no NaN), numpy scalars as Python."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def target_metrics(fit: _Fit, counts: dict) -> dict:
    """The cross-validated metrics of one target: the pooled out-of-fold metrics under the
    issue's keys (with several repeats their mean, and under ``repeats`` each repeat's
    figures and the spread: :meth:`.cv.CvResult.headline`), each fold's metrics and sizes,
    the point counts and the split used."""
    cv = fit.cv
    head, spread = cv.headline()
    folds = [{"fold": f.index + 1, "repeat": f.repeat + 1, "n_train": int(len(f.train)),
              "n_test": int(len(f.test)), "n_buffer": f.n_buffer, "metrics": f.metrics,
              **({"note": f.note} if f.note else {})} for f in cv.folds]
    repeats = {}
    if cv.repeats > 1:
        repeats = {"repeats": {"n": cv.repeats,
                               "scored": sum(p is not None for p in cv.pooled),
                               "headline": "mean of the repeats' pooled metrics",
                               "spread": spread, "pooled": cv.pooled}}
    return _plain({**head, "folds": folds, "counts": counts, **repeats,
                   "cv": {"folds": cv.n_folds, "repeats": cv.repeats, "block_m": cv.block_m,
                          "buffer_m": cv.buffer_m, "seed": cv.seed, "estimator": cv.estimator,
                          "task": cv.task}})


def is_metrics_file(path) -> bool:
    """Whether ``path`` is a metrics.json that :func:`predict_map` wrote (so it may be
    replaced without ``overwrite``)."""
    try:
        return json.loads(Path(path).read_text()).get("kind") == METRICS_KIND
    except (OSError, ValueError, AttributeError):
        return False


def write_metrics(report_dir, metrics: dict, overwrite: bool = False) -> Path:
    """``report_dir/metrics.json``: {"kind", "targets": {target: metrics}}, written whole."""
    path = Path(report_dir) / "metrics.json"
    with atomic_output(path, owned=is_metrics_file, overwrite=overwrite,
                       what="metrics report") as tmp:
        tmp.write_text(json.dumps({"kind": METRICS_KIND, "targets": metrics}, indent=2,
                                  ensure_ascii=False))
    return path


def _aoa(fits: list):
    """The area of applicability of the training features; with one target, each point's
    DI is measured to the other folds of its first cross-validation repeat."""
    if len(fits) == 1:
        fold = np.zeros(len(fits[0].target), dtype=np.int64)
        for f in fits[0].cv.folds:
            if f.repeat == 0:
                fold[f.test] = f.index
        return fit_aoa(fits[0].features, folds=fold)
    return fit_aoa(np.unique(np.concatenate([f.features for f in fits]), axis=0))


def _models(fits: list, task: str) -> tuple:
    """(final model, fold models) as :func:`.predict_raster.predict_raster` takes them."""
    if len(fits) == 1:
        return fits[0].model, fits[0].cv.models
    folds = [ColumnStack(ms) for ms in zip(*(f.cv.models for f in fits))]
    return ColumnStack([f.model for f in fits]), folds


def predict_map(embeddings, points, targets, out, *, ortho=None, model=None, stride_m=None,
                task: str = "presence", estimator: str = "rf", folds: int = 5,
                buffer_m=None, block_m=None, seed: int = 0, background=None,
                report_dir=None, layer=None, n_jobs=None, save_model=None,
                overwrite: bool = False, progress: Progress = SILENT, scheduler=None,
                tile_pixels: int | None = None) -> PredictMapResult:
    """Fit ``estimator`` to the target field(s) ``targets`` of the point layer ``points`` on
    the embedding raster ``embeddings``, cross-validate it spatially and predict the raster
    into the COG ``out``. One target for presence, presence-only and classes; one or more
    for abundance. ``background``: background points for presence-only (default: 10 per
    presence, at most 10 000). ``save_model``: a file to save the fitted predictor to
    (:mod:`.predictor`), for ``botaclip apply``. See the module docstring for the defaults
    of the split.

    Instead of ``embeddings`` (None), ``ortho`` and ``model`` (a bundle folder): the
    orthophoto is embedded on the way (``stride_m``: the embedding's stride) and the
    features at the points are computed exactly (:mod:`.from_ortho`).

    ``scheduler`` (``local[:N]``, ``tcp://HOST:PORT``, a scheduler file or a Dask client):
    the map is predicted tile by tile on that Dask cluster (``tile_pixels`` pixels a tile,
    about), the same map (:func:`.predict_raster.predict_raster`); the fit stays here."""
    options = dict(task=task, estimator=estimator, folds=folds, buffer_m=buffer_m,
                   block_m=block_m, seed=seed, background=background, report_dir=report_dir,
                   layer=layer, n_jobs=n_jobs, save_model=save_model, overwrite=overwrite)
    if ortho is None and model is None:
        if embeddings is None:
            raise BotaclipError("Give an embedding raster (--embeddings), or an orthophoto "
                                "and a model (--ortho and --model).")
        _check_args(task, estimator, folds, out, embeddings, overwrite, report_dir)
        with dask_connection(scheduler, progress) as sched:     # before the fit's minutes
            return _predict(embeddings, points, targets, out, **options, progress=progress,
                            tiling={"scheduler": sched, "tile_pixels": tile_pixels})
    if embeddings is not None:
        raise BotaclipError("Give either an embedding raster (--embeddings) or an orthophoto "
                            "with a model (--ortho and --model), not both.")
    if ortho is None or model is None:
        raise BotaclipError("--ortho and --model go together: the orthophoto is embedded with "
                            "the model bundle (a folder written by 'botaclip train').")
    _check_args(task, estimator, folds, out, [ortho, model], overwrite, report_dir)
    if save_model:
        _check_save_model(save_model, out, [ortho, model], points, overwrite)
    with dask_connection(scheduler, progress) as sched:
        return _from_ortho(ortho, model, points, targets, out, stride_m=stride_m,
                           options=options, progress=progress,
                           tiling={"scheduler": sched, "tile_pixels": tile_pixels})


def _from_ortho(ortho, model, points, targets, out, *, stride_m, options, progress,
                tiling) -> PredictMapResult:
    """:func:`predict_map` of an orthophoto embedded on the way with the bundle ``model``."""
    embeddings, said = embed_for_map(ortho, model, out, stride_m=stride_m,
                                     overwrite=options["overwrite"],
                                     progress=progress.sub(0.0, 0.6))
    progress.info(said)
    res = _predict(embeddings, points, targets, out, **options, exact=(ortho, model),
                   progress=progress.sub(0.6, 1.0), tiling=tiling)
    res.messages.insert(0, said)
    res.embeddings = embeddings
    return res


def _predict(embeddings, points, targets, out, *, task, estimator, folds, buffer_m, block_m,
             seed, background, report_dir, layer, n_jobs, save_model, overwrite,
             exact=None, progress: Progress = SILENT, tiling=None) -> PredictMapResult:
    """:func:`predict_map` on an embedding raster; ``exact``: (orthophoto, model) whose
    patches centred on the points give the point features; ``tiling``: the keywords
    ``scheduler`` and ``tile_pixels`` of the map."""
    _check_args(task, estimator, folds, out, embeddings, overwrite, report_dir)
    if save_model:
        _check_save_model(save_model, out, embeddings, points, overwrite)
    tg = read_targets(points, targets, task, layer)
    if task != "abundance" and len(tg.targets) != 1:
        raise BotaclipError(f"A {task} map is made for one target field at a time (got "
                            f"{', '.join(t.name for t in tg.targets)}); run it once per "
                            "field. Only abundance takes several fields.")
    messages = [n.message for n in tg.notices]
    for m in messages:
        progress.warn(m)
    pf = features_at_points(embeddings, points, layer, progress.sub(0.0, 0.05))
    if list(pf.ids) != list(tg.ids):
        raise BotaclipError(f"The point layer {points} gave its features in two different "
                            "orders; save it as a GeoPackage and try again.")
    if exact is not None:
        pf = exact_features(pf, *exact, progress=progress.sub(0.0, 0.05))
    messages += pf.messages
    block_m, buffer_m, how = default_geometry(raster_info(embeddings), pf.tags, block_m,
                                              buffer_m)
    if how:
        messages.append(how)
        progress.info(how)
    fits, metrics = _fit_all(tg, pf, embeddings, task=task, estimator=estimator, folds=folds,
                             block_m=block_m, buffer_m=buffer_m, seed=seed,
                             background=background, n_jobs=n_jobs, progress=progress)
    for fit in fits:
        messages += fit.cv.messages
    sp = _predictor(embeddings, points, task, estimator, tg, fits, metrics, pf)
    return _finish(embeddings, out, sp, fits, metrics, pf, messages, report_dir=report_dir,
                   save_model=save_model, overwrite=overwrite, progress=progress,
                   tiling=tiling)


def _fit_all(tg, pf, embeddings, *, progress, **options) -> tuple[list, dict]:
    """(fits, metrics per target) of every target, with the counts of its points."""
    fits, metrics = [], {}
    share = 0.65 / len(tg.targets)
    for i, t in enumerate(tg.targets):
        fit = _fit_target(t, pf, embeddings, **options,
                          progress=progress.sub(0.05 + i * share, 0.05 + (i + 1) * share))
        counts = {"points": len(tg.ids), "used": int(np.count_nonzero(t.valid & pf.usable)),
                  "no_value": int(np.count_nonzero(~t.valid)), **pf.counts(),
                  **({"background": fit.n_background} if fit.n_background is not None else {})}
        metrics[t.name] = target_metrics(fit, counts)
        fits.append(fit)
    return fits, metrics


def _predictor(embeddings, points, task, estimator, tg, fits, metrics, pf) -> SavedPredictor:
    """The fitted predictor: what the map is made with, and what ``save_model`` keeps."""
    final, fold_models = _models(fits, task)
    return SavedPredictor(
        task=task, estimator=estimator, target_names=[t.name for t in tg.targets],
        final_model=final, fold_models=fold_models, aoa=_aoa(fits),
        class_names=list(tg.targets[0].classes) if task == "classes" else None,
        embedding=embedding_record(embeddings, pf.tags, pf.features.shape[1]),
        metrics={k: {m: v for m, v in d.items() if m != "folds"} for k, d in metrics.items()},
        points=recorded_name(points))


def _finish(embeddings, out, sp: SavedPredictor, fits, metrics, pf, messages, *, report_dir,
            save_model, overwrite, progress, tiling=None) -> PredictMapResult:
    """The raster, metrics.json and the saved predictor."""
    raster = predict_raster(embeddings, out, models=sp.fold_models, final_model=sp.final_model,
                            task=sp.task, classes=sp.classes, target_names=sp.target_names,
                            aoa=sp.aoa, tags=map_tags(sp), progress=progress.sub(0.7, 0.97),
                            overwrite=overwrite, **(tiling or {}))
    report = write_metrics(report_dir, metrics, overwrite) if report_dir else None
    saved = None
    if save_model:
        progress.report(0.98, "Saving the predictor")
        saved = save_predictor(save_model, sp, overwrite=overwrite)
    progress.report(1.0, "Prediction map done")
    return PredictMapResult(
        out=raster.out, task=sp.task, targets=sp.target_names, metrics=metrics,
        point_counts=pf.counts(), n_used={f.name: len(f.target) for f in fits},
        n_background=fits[0].n_background, block_m=fits[0].cv.block_m,
        buffer_m=fits[0].cv.buffer_m, raster=raster, report=report, predictor=saved,
        messages=messages)
