"""The paper's protocol on one task: repeated spatial block cross-validation with a buffer, the
same folds for every source, one score per (fold, target) and source, summed up per fold.

Every source is cross-validated by :func:`..maps.cv.spatial_cv` on the same points with the
same block size, buffer, number of folds, repeats, estimator and seed: its folds come from
:func:`..train.splits.block_kfold` on the points alone, so every source gets exactly the same
training and test points in every fold, and differences between sources are differences of
representation. Each fold is scored with :func:`..maps.metrics.metrics_for` (TSS, Boyce, MAE,
Spearman, macro-F1: :data:`.data.METRICS`); a fold that cannot be scored (all its test points
absences...) is missing for every source alike, since whether it can be scored depends on the
targets only.

Unit of comparison: the fold. With several targets (taxa), a fold's score is the median over
the targets scored in that fold by every source; sources are compared on these per-fold
summaries (:mod:`.stats`), not on (fold, taxon) pairs. Taxa scored on the same test plots with
the same training split are not independent observations -- they share the fold's luck, and
co-occurring taxa share their errors -- so counting 25 folds x 31 taxa as 775 pairs would
shrink p-values without adding evidence. The median over taxa is robust to the few taxa a
fold cannot predict at all, and the headline figure (the median over folds of the per-fold
medians) is what the table shows.

The fold models are dropped once scored: 500-tree forests for every taxon, fold and source
would not fit in memory, and only the scores are reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import BotaclipError, Cancelled
from ..maps.cv import ANNOUNCE_S, duration_text, spatial_cv
from ..progress import SILENT, Progress
from .data import EvalTask


@dataclass
class CvSettings:
    """The cross-validation every source and task gets; ``block_m`` and ``buffer_m`` in
    metres."""

    folds: int
    repeats: int
    block_m: float
    buffer_m: float
    estimator: str
    seed: int
    n_jobs: int | None = None
    trees: int | None = None            # a forest's size (rf); None: the maps' default


@dataclass
class TaskRun:
    """The scores of one task: ``scores[source][metric]`` is (repeats x folds, targets) with
    NaN where a fold was not scored; ``targets`` those scored, ``skipped`` the others with
    the reason; ``folds`` the sizes of each fold (first target); ``n_points`` the points
    used."""

    task: EvalTask
    sources: list
    targets: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    folds: list = field(default_factory=list)
    n_points: int = 0
    n_background: int = 0           # of n_points: background points (presence-only)
    messages: list = field(default_factory=list)

    def per_fold(self, metric: str) -> dict:
        """{source: (repeats x folds,) per-fold median over the targets scored in that fold
        by every source} (NaN where none was)."""
        mats = [self.scores[s][metric] for s in self.sources]
        if not mats or not mats[0].size:
            return {s: np.zeros(0) for s in self.sources}
        common = np.all([np.isfinite(m) for m in mats], axis=0)
        out = {}
        for s, m in zip(self.sources, mats):
            v = np.where(common, m, np.nan)
            with np.errstate(all="ignore"):
                out[s] = np.array([np.median(r[np.isfinite(r)]) if np.isfinite(r).any()
                                   else np.nan for r in v])
        return out

    def n_targets_scored(self, metric: str) -> int:
        """Targets scored in at least one fold by every source."""
        mats = [self.scores[s][metric] for s in self.sources]
        if not mats or not mats[0].size:
            return 0
        common = np.all([np.isfinite(m) for m in mats], axis=0)
        return int(common.any(axis=0).sum())


def _fold_scores(cv, metrics: tuple, n_cells: int) -> dict:
    """{metric: (n_cells,) scores of each fold in (repeat, fold) order, NaN if unscored}."""
    out = {m[0]: np.full(n_cells, np.nan) for m in metrics}
    for i, f in enumerate(cv.folds):
        for key, _, _ in metrics:
            v = (f.metrics or {}).get(key)
            if v is not None and np.isfinite(v):
                out[key][i] = float(v)
        f.model = None                    # only the scores are kept (module docstring)
    return out


def announce_task(task: EvalTask, keys: list, settings: CvSettings, first_s: float,
              progress: Progress) -> None:
    """Say how long the task will take, from its first target, when over a minute (the
    maps' rule: :data:`..maps.cv.ANNOUNCE_S`)."""
    total = first_s * len(task.targets)
    if total > ANNOUNCE_S:
        progress.info(f"{task.label}: {duration_text(total)} ({len(task.targets)} "
                      f"{'targets' if len(task.targets) != 1 else 'target'} x {len(keys)} "
                      f"sources x {settings.folds * settings.repeats} folds).")


def run_task(task: EvalTask, features: dict, usable: np.ndarray, settings: CvSettings,
             unit_m: float = 1.0, progress: Progress = SILENT) -> TaskRun:
    """Cross-validate every source of ``features`` ({key: (n, d) array over the task's
    points}) on each target of ``task``, using the points ``usable`` (bool) only."""
    keys = list(features)
    run = TaskRun(task, keys, n_points=int(np.count_nonzero(usable)))
    if task.n_background:
        run.n_background = int(np.count_nonzero(np.asarray(usable)[-task.n_background:]))
    cells = settings.folds * settings.repeats
    per = {k: {m[0]: [] for m in task.metrics} for k in keys}
    total = max(1, len(task.targets) * len(keys))
    start = time.monotonic()
    for i, t in enumerate(task.targets):
        if i == 1:
            announce_task(task, keys, settings, time.monotonic() - start, progress)
        rows = np.flatnonzero(np.asarray(usable, dtype=bool) & t.valid)
        got = {}
        try:
            for j, k in enumerate(keys):
                sub = progress.sub((i * len(keys) + j) / total, (i * len(keys) + j + 1) / total)
                cv = spatial_cv(task.x[rows] * unit_m, task.y[rows] * unit_m,
                                features[k][rows], t.values[rows], task.task,
                                estimator=settings.estimator, folds=settings.folds,
                                repeats=settings.repeats, block_m=settings.block_m,
                                buffer_m=settings.buffer_m, seed=settings.seed,
                                n_jobs=settings.n_jobs, n_classes=t.n_classes,
                                trees=settings.trees,
                                progress=_Muted(sub, f"{task.label}: {t.name} ({k})"))
                got[k] = _fold_scores(cv, task.metrics, cells)
                if not run.folds:
                    run.folds = [{"repeat": f.repeat + 1, "fold": f.index + 1,
                                  "n_train": int(len(f.train)), "n_test": int(len(f.test)),
                                  "n_buffer": int(f.n_buffer)} for f in cv.folds]
        except Cancelled:
            raise
        except BotaclipError as exc:
            run.skipped[t.name] = str(exc)
            run.messages.append(f"{task.label}: {t.name!r} not scored: {exc}")
            continue
        run.targets.append(t.name)
        for k in keys:
            for m in per[k]:
                per[k][m].append(got[k][m])
    run.scores = {k: {m: (np.stack(v, axis=1) if v else np.zeros((cells, 0)))
                      for m, v in per[k].items()} for k in keys}
    return run


class _Muted(Progress):
    """A child progress for one cross-validation: its bar with a message naming the target
    and the source, its cancel; its per-fold messages are not repeated for every taxon and
    source (the report gives the folds once)."""

    def __init__(self, parent: Progress, what: str):
        self.parent, self.what = parent, what

    def _emit(self, fraction, message):
        self.parent.report(fraction, f"{self.what}: {message}")

    def warn(self, message):
        self.parent.warn(message)

    def is_cancelled(self):
        return self.parent.is_cancelled()
