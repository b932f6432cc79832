"""``evaluate_sources``: the paper's protocol on the user's data, behind ``botaclip evaluate``.

Steps, each a short function: check the arguments and the report folder before any work;
choose the sources (:mod:`.sources`: spectral baseline, frozen backbone, BotaCLIP); with a
model, find the plots it trained on (:mod:`.heldout`) so that plant presence is scored only
on the others; build the tasks (:mod:`.data`: plant presence per taxon from the relevés,
targets of point layers, background points for occurrences); embed every task's points with
every source and keep the points all of them can embed; cross-validate each source on the
same spatial folds (:mod:`.protocol`); compare the sources fold by fold (:mod:`.stats`); write
``evaluation.json`` and ``report.html`` together (:mod:`.report`).

Default split, as ``botaclip predict`` chooses it and for the same reasons: a buffer of one
patch side (two points closer than that were described by overlapping imagery, so a test
point's neighbour in training would leak its pixels) and blocks of twice the buffer (so the
buffer never empties the training set around a test block). Five folds repeated five times
give 25 paired scores per source, enough for a Wilcoxon test to detect a consistent
difference (the smallest two-sided p with 25 pairs all one way is 6e-8), at 25 fits per
target and source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..embed.at_points import DEFAULT_MIN_VALID
from ..embed.model import DEFAULT_PATCH_M
from ..errors import BotaclipError
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, refuse_inputs
from ..io.raster import raster_info
from ..maps.estimators import DEFAULT_ESTIMATOR, ESTIMATORS
from ..maps.metrics import TASKS
from ..progress import SILENT, Progress
from ..releves import ReleveOptions
from .data import (
    DEFAULT_MIN_PRESENCES,
    EvalTask,
    add_background,
    plant_presence,
    point_task,
    select_taxa,
    unusable_text,
)
from .heldout import seen_by_model, training_plots
from .protocol import CvSettings, run_task
from .report import HTML_NAME, JSON_NAME, build_report, is_report_folder, write_report
from .sources import SourceOptions, choose_sources

DEFAULT_FOLDS = 5
DEFAULT_REPEATS = 5
# Trees of each random forest: an evaluation fits one per taxon, fold, repeat and source
# (54 taxa x 25 folds x 2 sources = 2,700 forests on the demo), and what it compares is each
# fold's score, not a map's pixels. On the demo (8 taxa, 25 folds, 2 sources) 100 trees took
# 38 s instead of 164 s with the map's 500, the median fold TSS of each source was the same
# (0.817) and a fold's median TSS moved by 0.012 to 0.020 on average; --trees 500 gives the
# paper's forests.
EVAL_TREES = 100


@dataclass
class PointLayer:
    """A point layer to evaluate on: its ``targets`` (field names, or one comma-separated
    string; none for presence-only: every point an occurrence), ``task`` (default: presence,
    or presence-only without targets) and ``layer`` inside the file."""

    path: str
    targets: object = None
    task: str | None = None
    layer: str | None = None


@dataclass
class EvaluationResult:
    """What :func:`evaluate_sources` wrote and found: the report's files, its content
    (``report``, as in evaluation.json), the winner sentences and the messages."""

    out_dir: Path
    json_path: Path
    html_path: Path
    report: dict
    sentences: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def _point_layers(points, targets, task, layer) -> list:
    """``points`` as a list of :class:`PointLayer` (a path, alone or in a list, takes
    ``targets``, ``task``, ``layer``; a tuple is a PointLayer's fields), each task checked."""
    if points is None or points == "" or points == []:
        return []
    if isinstance(points, (str, Path)) or hasattr(points, "__fspath__"):
        points = [points]
    out = []
    for p in points:
        if isinstance(p, (str, Path)) or hasattr(p, "__fspath__"):
            p = PointLayer(str(p), targets, task, layer)
        elif not isinstance(p, PointLayer):
            p = PointLayer(*p)
        if p.task is None:
            has = bool(p.targets) and any(str(t).strip() for t in (
                [p.targets] if isinstance(p.targets, str) else p.targets))
            p = PointLayer(p.path, p.targets, "presence" if has else "presence-only", p.layer)
        if p.task not in TASKS:
            raise BotaclipError(f"Unknown task {p.task!r} for {p.path}: choose one of "
                                f"{', '.join(TASKS)}.")
        out.append(p)
    return out


def _whole(name: str, v, least: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
        raise BotaclipError(f"{name} must be a whole number of at least {least}, not {v!r}.")
    return int(v)


def _check_args(ortho, releves, layers, *, estimator, folds, repeats, min_presences, max_taxa,
                block_m, buffer_m, background, out_dir, overwrite, inputs) -> Path:
    """Every argument checked before any work; the report folder too (returned)."""
    if estimator not in ESTIMATORS:
        raise BotaclipError(f"Unknown estimator {estimator!r}: choose one of "
                            f"{', '.join(ESTIMATORS)}.")
    folds = _whole("The number of folds (--folds)", folds, 2)
    _whole("The number of repeats (--repeats)", repeats, 1)
    if background is not None:
        _whole("The number of background points (--background)", background, 1)
    if _whole("--min-presences", min_presences, 1) < folds:
        raise BotaclipError(f"--min-presences {min_presences} is below the {folds} folds: each "
                            "fold needs a presence and an absence of a taxon to score it. "
                            f"Use --min-presences {folds} or more, or fewer folds.")
    if max_taxa is not None:
        _whole("--max-taxa", max_taxa, 1)
    for name, v in (("--block-m", block_m), ("--buffer-m", buffer_m)):
        if v is not None and not (math.isfinite(float(v)) and float(v) >= 0
                                  and (name == "--buffer-m" or float(v) > 0)):
            raise BotaclipError(f"{name} must be a positive number of metres, not {v!r}.")
    raster_info(ortho)                          # a missing or unreadable raster, now
    if releves is None and not layers:
        raise BotaclipError("Nothing to evaluate: give relevés (--releves) or point layers "
                            "(--points with --target).")
    out = check_output(out_dir, what="evaluation report folder", owned=is_report_folder,
                       overwrite=overwrite, directory=True, inputs=inputs)
    for name in (JSON_NAME, HTML_NAME):
        refuse_inputs(out / name, inputs, "evaluation report")
    return out


def _geometry(patch_m: float, block_m, buffer_m) -> tuple[float, float, str]:
    """(block_m, buffer_m, how they were chosen): the module docstring's defaults."""
    said = []
    if buffer_m is None:
        buffer_m = float(patch_m)
        said.append(f"buffer {buffer_m:g} m (the patch side)")
    if block_m is None:
        block_m = max(2.0 * float(buffer_m), float(patch_m))
        said.append(f"blocks of {block_m:g} m (twice the buffer)")
    how = ("Cross-validation defaults: " + "; ".join(said) + ".") if said else ""
    return float(block_m), float(buffer_m), how


def _honesty(model, ortho, releves, options, progress: Progress) -> tuple:
    """(a function telling the plots the model saw or None, the record for the report)."""
    if model is None or releves is None:
        return None, {"model": None}
    tp = training_plots(model, ortho, releves, options, progress)
    record = {"model": str(model), **tp.to_dict(), "warning": ""}
    if not tp.found:
        record["warning"] = (
            f"WARNING: which plots the model {model} trained on could not be told ({tp.how}), "
            "so plant presence is scored on every plot, including those it trained on: the "
            "BotaCLIP figures for plant presence are optimistic and favour BotaCLIP. Evaluate "
            "with the relevé file and orthophoto the model was trained with, or on relevés it "
            "never saw.")
        progress.warn(record["warning"])
        return None, record
    unit = float(raster_info(ortho).linear_unit_m or 1.0)
    return (lambda x, y: seen_by_model(tp, x, y, unit)), record


def _tasks(ortho, releves, options, layers, seen, *, patch_m, min_valid, sensor,
           wavelengths, seed, background, progress: Progress) -> list:
    """The plant-presence task (relevés) and one task per point layer."""
    from ..maps.pipeline import BACKGROUND_PER_PRESENCE, MAX_BACKGROUND

    tasks = []
    if releves is not None:
        tasks.append(plant_presence(ortho, releves, options, patch_m=patch_m,
                                    min_valid=min_valid, sensor=sensor,
                                    wavelengths=wavelengths, seen=seen,
                                    progress=progress.sub(0.0, 0.6)))
    keys = {t.key for t in tasks}
    for i, p in enumerate(layers):
        key = f"{Path(p.path.split('|')[0]).stem}_{p.task}"
        key = key if key not in keys else f"{key}_{i + 1}"
        keys.add(key)
        t = point_task(p.path, p.targets, p.task, ortho, p.layer, key)
        if p.task == "presence-only":
            n_pres = int(np.any([tt.valid for tt in t.targets], axis=0).sum())
            n_bg = background if background is not None else min(
                BACKGROUND_PER_PRESENCE * n_pres, MAX_BACKGROUND)
            add_background(t, ortho, n_bg, seed, patch_m=patch_m, min_valid=min_valid,
                           progress=progress.sub(0.6, 1.0))
        tasks.append(t)
    return tasks


def _embed(task: EvalTask, sources: list, ortho, progress: Progress) -> tuple[dict, np.ndarray]:
    """({source key: features over the task's points}, points every source embeds)."""
    feats, usable = {}, np.ones(len(task.x), dtype=bool)
    for i, s in enumerate(sources):
        progress.report(i / len(sources), f"{task.label}: embedding with {s.label}")
        f, v = s.features(task.x, task.y, progress.sub(i / len(sources),
                                                       (i + 1) / len(sources)))
        f = np.asarray(f, dtype=np.float32)
        if f.ndim != 2 or len(f) != len(task.x):
            raise BotaclipError(f"Internal error: the source {s.label} gave features of shape "
                                f"{f.shape} for {len(task.x)} points.")
        feats[s.key] = f
        usable &= np.asarray(v, dtype=bool) & np.isfinite(f).all(axis=1)
    why, text = unusable_text(task, usable, ortho)
    if text:
        task.messages.append(text)
        task.counts["no_embedding"] = why
    if not usable.any():
        raise BotaclipError(f"No {task.points_word[:-1]} of {task.label} ({task.path}) has an "
                            f"embedding in every source: {text} Check that the points and "
                            "the orthophoto cover the same area and that their CRSs are right.")
    return feats, usable


def _select(task: EvalTask, usable, min_presences, max_taxa, honesty: dict) -> None:
    """Plant presence: keep the taxa with enough presences and absences (:func:`select_taxa`)."""
    if task.key != "plant_presence":
        return
    excluded = task.counts.get("seen_by_model")
    note = (f" (The {excluded} plots the model trained on, or next to them, are left out: "
            "evaluate on relevés it never saw for more.)" if excluded else "")
    task.targets, text = select_taxa(task, usable, min_presences, max_taxa, note=note)
    task.messages.append(text)


def evaluate_sources(ortho, releves, *, out_dir, points=None, targets=(), task=None,
                     layer=None, options: ReleveOptions | None = None, model=None,
                     weights=None, weights_dir=None, backbone: str = "dofa-base",
                     backbone_config=None, sensor=None, wavelengths=None, patch_m=None,
                     repeats: int = DEFAULT_REPEATS, folds: int = DEFAULT_FOLDS, block_m=None,
                     buffer_m=None, estimator: str = DEFAULT_ESTIMATOR,
                     min_presences: int = DEFAULT_MIN_PRESENCES, max_taxa: int | None = None,
                     min_valid: float = DEFAULT_MIN_VALID, seed: int = 0, n_jobs=None,
                     device: str = "auto", precision: str = "auto", cache_dir=None,
                     batch_size: int | None = None, background: int | None = None,
                     sources=None, trees: int = EVAL_TREES, overwrite: bool = False,
                     progress: Progress = SILENT) -> EvaluationResult:
    """Compare embedding sources as predictors on ``ortho`` (module docstring) and write
    ``out_dir/evaluation.json`` and ``out_dir/report.html``.

    ``releves`` (plant presence per taxon; None: none) with ``options`` as training reads
    them; ``points``: a point layer with ``targets``, ``task`` and ``layer``, or a list of
    :class:`PointLayer`. ``model``: a bundle (BotaCLIP and its frozen backbone); without it
    the frozen backbone is ``backbone`` with ``weights`` (or found in ``weights_dir``).
    ``sources``: :class:`.sources.Source` objects to compare instead of those. ``patch_m``:
    without a model, the patch side (default 100 m). The rest sets the protocol: ``folds``
    x ``repeats`` spatial folds of ``block_m`` blocks with a ``buffer_m`` buffer (defaults:
    the module docstring), ``estimator``, taxa with ``min_presences`` presences and absences
    (at most ``max_taxa``), ``seed``, ``trees`` (a random forest's size); ``background``:
    background points of an occurrence layer (default 10 per occurrence, at most 10 000, as
    ``botaclip predict``)."""
    _whole("The number of trees (--trees)", trees, 1)
    layers = _point_layers(points, targets, task, layer)
    options = options or ReleveOptions()
    inputs = input_files(ortho, releves, options.table, model, weights,
                         *[p.path.split("|")[0] for p in layers])
    out = _check_args(ortho, releves, layers, estimator=estimator, folds=folds,
                      repeats=repeats, min_presences=min_presences, max_taxa=max_taxa,
                      block_m=block_m, buffer_m=buffer_m, background=background,
                      out_dir=out_dir, overwrite=overwrite, inputs=inputs)
    with hold_outputs(out, what="evaluation report folder", progress=progress):
        progress.report(0.0, "Preparing the sources")
        if sources is None:
            sources, patch_m = choose_sources(ortho, SourceOptions(
                model, weights, weights_dir, backbone, backbone_config, sensor, wavelengths,
                patch_m, device, precision, min_valid, cache_dir, batch_size), progress)
        patch_m = float(patch_m or DEFAULT_PATCH_M)
        seen, honesty = _honesty(model, ortho, releves, options, progress.sub(0.02, 0.05))
        tasks = _tasks(ortho, releves, options, layers, seen, patch_m=patch_m,
                       min_valid=min_valid, sensor=sensor, wavelengths=wavelengths, seed=seed,
                       background=background, progress=progress.sub(0.05, 0.1))
        block_m, buffer_m, how = _geometry(patch_m, block_m, buffer_m)
        settings = CvSettings(int(folds), int(repeats), block_m, buffer_m, estimator,
                              int(seed), n_jobs, int(trees))
        runs = _run_all(tasks, sources, ortho, settings, min_presences, max_taxa, honesty,
                        progress.sub(0.1, 0.97))
        report = build_report(ortho=ortho, releves=releves, layers=layers, model=model,
                              sources=sources, runs=runs, settings=settings, patch_m=patch_m,
                              min_valid=min_valid, min_presences=min_presences,
                              max_taxa=max_taxa, honesty=honesty, how=how)
        for m in report["messages"]:
            progress.info(m)
        json_path, html_path = write_report(out, report, overwrite=overwrite)
        progress.report(1.0, "Evaluation report written")
    return EvaluationResult(out, json_path, html_path, report,
                            [c["sentence"] for c in report["comparisons"]], report["messages"])


def _run_all(tasks, sources, ortho, settings: CvSettings, min_presences, max_taxa, honesty,
             progress: Progress) -> list:
    """Embed, select and cross-validate every task with every available source."""
    available = [s for s in sources if s.available]
    if not available:
        raise BotaclipError("No embedding source can be evaluated: "
                            + "; ".join(f"{s.label}: {s.skipped}" for s in sources) + ".")
    for s in sources:
        if not s.available:
            (progress.info if s.redundant else progress.warn)(s.not_evaluated)
    unit = float(raster_info(ortho).linear_unit_m or 1.0)
    runs = []
    for i, t in enumerate(tasks):
        sub = progress.sub(i / len(tasks), (i + 1) / len(tasks))
        feats, usable = _embed(t, available, ortho, sub.sub(0.0, 0.3))
        _select(t, usable, min_presences, max_taxa, honesty)
        runs.append(run_task(t, feats, usable, settings, unit, sub.sub(0.3, 1.0)))
    return runs
