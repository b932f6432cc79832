"""Spatial block cross-validation of an estimator on embedding features at points.

Points close together share imagery and species, so a random k-fold split lets the model be
tested on near-copies of its training points and flatters it. The points are grouped into
square blocks of ``block_m`` metres and whole blocks go to folds, balanced by number of
points and deterministic for a seed: :func:`..train.splits.block_kfold`, the splitter that
training uses, so that both stages mean the same thing by "spatial". For each fold, the
training points closer than ``buffer_m`` to one of the fold's test points (along both axes,
the square of a patch: :func:`..train.splits.buffer_roles`, the training buffer) are left out
of that fold's training, and how many were left out is reported per fold.

Each fold's model is kept (the spread of their predictions is the uncertainty band of the
map), each fold is scored with :func:`..maps.metrics.metrics_for`, and the out-of-fold
predictions of every point are pooled and scored once per repeat (a fold of a few points
gives noisy metrics; the pooled figure uses all of them). Repeats redraw the fold assignment
with seeds ``seed``, ``seed + 1``, ... . The headline of several repeats
(:meth:`CvResult.headline`) is the mean of the repeats' pooled metrics, with their spread
(standard deviation, minimum, maximum): one repeat's figure depends on how the blocks
happened to fall into folds, and reporting only the first would hide that.

Time. Cross-validation fits ``folds x repeats`` models on all cores (``n_jobs`` None: every
core, :func:`.estimators.cores`). Before it starts, its duration is estimated and, when
over :data:`ANNOUNCE_S`, said through ``progress.info`` ("Cross-validation: about 4 min (5
folds x 1 repeat, random forest on 2 cores)"), so that a user can cancel or take a coffee.
For the random forest the estimate comes from a forest of :data:`PROBE_TREES` trees fitted on
the first fold's training points and scaled by the number of trees (a forest's fit time
grows linearly with its trees; the probe costs 5 % of one fold). For the other estimators
there is no such knob (iterations end when they converge), so the first fold is timed and
the estimate follows it.

Too few presences (or points of a class) for the folds is refused before any fitting, with
the number needed: a fold without a presence cannot measure presence metrics.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from ..train.splits import BUFFER, TEST, TRAIN, block_kfold, buffer_roles
from .estimators import (
    DEFAULT_ESTIMATOR,
    RF_TREES,
    cores,
    fit_estimator,
    make_estimator,
    predict_scores,
)
from .metrics import TASKS, metrics_for

# The issue: say how long cross-validation will take when it will take over a minute.
ANNOUNCE_S = 60.0
# Trees of the forest fitted to estimate the time of one fold's 500 (RF_TREES): enough to
# spread over the cores and swamp the thread pool's start-up, 5 % of the real forest (5 %
# of a smaller forest too, at least 2 trees).
PROBE_TREES = 25
ESTIMATOR_LABELS = {"rf": "random forest", "logistic": "logistic regression",
                    "hgb": "gradient boosting", "mlp": "neural network (MLP)"}


@dataclass
class Fold:
    """One fold of one repeat: point indices ``train`` and ``test``, ``n_buffer`` training
    points left out by the buffer, its ``metrics`` (None when its test points cannot be
    scored, e.g. all absences; ``note`` says why) and the fitted ``model``."""

    repeat: int
    index: int
    train: np.ndarray
    test: np.ndarray
    n_buffer: int
    metrics: dict | None
    model: object = None
    note: str = ""


@dataclass
class CvResult:
    """The cross-validation of one target: its ``folds``, the out-of-fold predictions
    ``oof`` (repeats, n) or (repeats, n, classes), the metrics of the pooled out-of-fold
    predictions per repeat (``pooled``), and ``messages`` for the report."""

    task: str
    estimator: str
    n_folds: int
    repeats: int
    block_m: float
    buffer_m: float
    seed: int
    folds: list = field(default_factory=list)
    oof: np.ndarray | None = None
    pooled: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    n_jobs: int = 1
    estimated_s: float | None = None        # the time the whole run was expected to take
    trees: int = RF_TREES                   # a forest's size (rf)

    @property
    def models(self) -> list:
        """The fitted fold models, in (repeat, fold) order."""
        return [f.model for f in self.folds]

    def headline(self) -> tuple[dict, dict]:
        """(metrics, spread): with one repeat its pooled metrics and no spread; with several,
        per metric the mean over the repeats that could be scored, and for the metrics that
        vary between repeats their ``sd`` (sample standard deviation), ``min`` and ``max``.
        Values equal in every repeat (point counts, class labels) are kept as they are;
        lists of numbers (a confusion matrix) are averaged cell by cell."""
        scored = [p for p in self.pooled if p is not None]
        if len(self.pooled) <= 1 or not scored:
            return dict(scored[0]) if scored else {}, {}
        head, spread = {}, {}
        for key in scored[0]:
            values = [p.get(key) for p in scored]
            if all(v == values[0] for v in values):
                head[key] = values[0]
                continue
            try:
                arr = np.asarray(values, dtype="float64")
            except (TypeError, ValueError):
                head[key] = values[0]          # not numbers: the first repeat's
                continue
            head[key] = float(arr.mean()) if arr.ndim == 1 else arr.mean(axis=0).tolist()
            if arr.ndim == 1:
                spread[key] = {"sd": float(arr.std(ddof=1)) if len(arr) > 1 else 0.0,
                               "min": float(arr.min()), "max": float(arr.max())}
        return head, spread

    def fold_metric(self, key: str) -> np.ndarray:
        """``key`` of every scored fold, in (repeat, fold) order (for paired comparisons)."""
        return np.array([f.metrics[key] for f in self.folds if f.metrics is not None],
                        dtype="float64")


def check_counts(target, task: str, folds: int, n_classes: int | None = None) -> None:
    """Refuse, with the number needed, a target with fewer presences (presence-only: and
    background points), absences or points of a class than ``folds``."""
    t = np.asarray(target, dtype="float64")
    if task == "abundance":
        if t.size < 2 * folds:
            raise BotaclipError(f"Only {t.size} points with an abundance for {folds} folds; "
                                f"at least {2 * folds} are needed (2 per fold). Add points or "
                                "use fewer folds (--folds).")
        return
    if task in ("presence", "presence-only"):
        names = {1: "presences", 0: "absences" if task == "presence" else "background points"}
        codes = (1, 0)
    else:
        k = int(n_classes) if n_classes is not None else int(t.max()) + 1
        names = {c: f"points of class {c}" for c in range(k)}
        codes = tuple(range(k))
    for c in codes:
        have = int(np.count_nonzero(t == c))
        if have < folds:
            raise BotaclipError(
                f"Only {have} {names[c]} for {folds}-fold cross-validation: at least {folds} "
                f"are needed (one per fold). Add {folds - have} or more, or use fewer folds "
                f"(--folds {max(2, have)})" + (" if that still leaves 2." if have < 2 else "."))


def fold_roles(x, y, fold: np.ndarray, k: int, buffer_m: float) -> np.ndarray:
    """Roles for test fold ``k``: :data:`TEST` for its points, :data:`TRAIN` for the others,
    :data:`BUFFER` for training points within ``buffer_m`` of a test point (both axes)."""
    roles = np.where(np.asarray(fold) == k, TEST, TRAIN).astype(np.int8)
    return buffer_roles(x, y, roles, float(buffer_m or 0.0))


def _score(task, y_test, pred, n_classes) -> tuple[dict | None, str]:
    """Fold metrics, or None and why when the fold's test points cannot be scored."""
    classes = list(range(n_classes)) if task == "classes" else None
    try:
        return metrics_for(task, y_test, pred, classes=classes), ""
    except BotaclipError as e:
        return None, str(e)


def spatial_cv(x, y, features, target, task: str, *, estimator: str = DEFAULT_ESTIMATOR,
               folds: int = 5, repeats: int = 1, block_m: float, buffer_m: float = 0.0,
               seed: int = 0, n_jobs: int | None = None, n_classes: int | None = None,
               trees: int | None = None, progress: Progress = SILENT,
               clock=time.perf_counter) -> CvResult:
    """Spatial block k-fold cross-validation of ``estimator`` on ``features`` (n, d) at
    points ``x``, ``y`` (metres, projected CRS) for ``target`` (n: 0/1, abundance, or class
    codes 0..n_classes-1) and ``task``, on ``n_jobs`` cores (None: all); ``trees``: a
    forest's size (None: the estimators' default). ``clock`` times the
    fits for the duration estimate (a fake one in tests). See the module docstring."""
    if task not in TASKS:
        raise BotaclipError(f"Unknown task {task!r}; use one of {', '.join(TASKS)}.")
    feats = np.asarray(features, dtype="float32")
    t = np.asarray(target, dtype="float64")
    if feats.ndim != 2 or len(feats) != len(t) or len(t) != len(np.asarray(x)):
        raise BotaclipError(f"Cross-validation needs one feature row and one target value per "
                            f"point; got {feats.shape} features, {t.shape} targets and "
                            f"{np.shape(x)} coordinates.")
    if not np.isfinite(t).all():
        raise BotaclipError(f"{int((~np.isfinite(t)).sum())} target values are empty or NaN; "
                            "leave those points out before cross-validation.")
    if repeats < 1:
        raise BotaclipError(f"The number of repeats must be at least 1, not {repeats}.")
    if task == "classes" and n_classes is None:
        n_classes = int(t.max()) + 1
    check_counts(t, task, folds, n_classes)
    make_estimator(estimator, task, seed=seed, n_classes=n_classes)    # name check, early
    out = CvResult(task, estimator, int(folds), int(repeats), float(block_m),
                   float(buffer_m or 0.0), int(seed), n_jobs=cores(n_jobs),
                   trees=int(trees or RF_TREES))
    shape = (repeats, len(t), n_classes) if task == "classes" else (repeats, len(t))
    out.oof = np.full(shape, np.nan)
    start, total = time.monotonic(), repeats * folds
    for r in range(repeats):
        fold = block_kfold(x, y, block_m, folds, seed + r)
        for k in range(folds):
            progress.check()
            first = r == 0 and k == 0
            if first:
                announce(out, _probe_seconds(x, y, feats, t, fold, out, n_classes, clock),
                         progress)
            t_fold = clock()
            out.folds.append(_run_fold(x, y, feats, t, fold, k, r, out, n_classes))
            if first and out.estimated_s is None:
                announce(out, clock() - t_fold, progress)
            done = len(out.folds)
            progress.report(done / total, f"Cross-validation: fold {done} of {total} "
                                          f"({time.monotonic() - start:.0f} s)")
        pooled, note = _score(task, t, out.oof[r], n_classes)
        out.pooled.append(pooled)
        if note:
            out.messages.append(f"Repeat {r + 1}: pooled out-of-fold metrics unavailable: {note}")
    _summarise(out, progress)
    return out


def _run_fold(x, y, feats, t, fold, k, r, out: CvResult, n_classes) -> Fold:
    """Fit and score fold ``k`` of repeat ``r``; write its predictions into ``out.oof``."""
    roles = fold_roles(x, y, fold, k, out.buffer_m)
    train, test = np.flatnonzero(roles == TRAIN), np.flatnonzero(roles == TEST)
    n_buffer = int(np.count_nonzero(roles == BUFFER))
    if out.task != "abundance" and len(np.unique(t[train])) < 2:
        raise BotaclipError(
            f"Fold {k + 1} of repeat {r + 1}: its {len(train)} training points (after "
            f"{n_buffer} left out by the {out.buffer_m:g} m buffer) hold one class only. "
            "Use a smaller buffer (--buffer-m), smaller blocks or fewer folds.")
    model = make_estimator(out.estimator, out.task, seed=out.seed + r, n_jobs=out.n_jobs,
                           n_classes=n_classes, trees=out.trees)
    fit_estimator(model, feats[train], t[train], out.task)
    pred = predict_scores(model, feats[test], out.task, n_classes)
    out.oof[r, test] = pred
    metrics, note = _score(out.task, t[test], pred, n_classes)
    if note:
        note = f"Fold {k + 1} of repeat {r + 1} not scored on its own: {note}"
        out.messages.append(note)
    return Fold(r, k, train, test, n_buffer, metrics, model, note)


def duration_text(seconds: float) -> str:
    """"about 2.5 min", "about 12 min", "about 1.5 h": as precise as an estimate deserves."""
    minutes = float(seconds) / 60.0
    if minutes < 10:
        return f"about {max(0.5, round(minutes * 2) / 2):g} min"
    if minutes < 90:
        return f"about {round(minutes)} min"
    return f"about {minutes / 60:.1f} h"


def time_message(fit_s: float, *, folds: int, repeats: int, estimator: str,
                 n_jobs: int) -> str | None:
    """What to tell the user before a cross-validation of ``folds x repeats`` fits of
    ``fit_s`` seconds each, or None when the whole takes at most :data:`ANNOUNCE_S`."""
    total = float(fit_s) * folds * repeats
    if total <= ANNOUNCE_S:
        return None
    what = ESTIMATOR_LABELS.get(estimator, estimator)
    on = f" on {n_jobs} core{'s' if n_jobs != 1 else ''}" if estimator == "rf" else ""
    return (f"Cross-validation: {duration_text(total)} ({folds} folds x {repeats} "
            f"repeat{'s' if repeats != 1 else ''}, {what}{on}).")


def announce(out: CvResult, fit_s: float | None, progress: Progress) -> None:
    """Record the estimated duration of ``out``'s cross-validation from the seconds of one
    fit (None: not known yet) and say it when over a minute."""
    if fit_s is None:
        return
    out.estimated_s = float(fit_s) * out.n_folds * out.repeats
    text = time_message(fit_s, folds=out.n_folds, repeats=out.repeats,
                        estimator=out.estimator, n_jobs=out.n_jobs)
    if text:
        progress.info(text)


def _probe_seconds(x, y, feats, t, fold, out: CvResult, n_classes, clock) -> float | None:
    """The expected seconds of one fold's fit, from a forest of :data:`PROBE_TREES` trees on
    the first fold's training points (see the module docstring); None for the other
    estimators, or when that fold cannot be fitted (the fold itself then says why)."""
    if out.estimator != "rf":
        return None
    train = np.flatnonzero(fold_roles(x, y, fold, 0, out.buffer_m) == TRAIN)
    if len(train) == 0 or (out.task != "abundance" and len(np.unique(t[train])) < 2):
        return None
    model = make_estimator("rf", out.task, seed=out.seed, n_jobs=out.n_jobs,
                           n_classes=n_classes)
    probe = max(2, min(PROBE_TREES, out.trees // 20))
    model.set_params(n_estimators=probe)
    t0 = clock()
    fit_estimator(model, feats[train], t[train], out.task)
    return (clock() - t0) * out.trees / probe


def _summarise(out: CvResult, progress: Progress) -> None:
    """Messages about the split: points per fold and points left out by the buffer."""
    for f in out.folds:
        if out.buffer_m:
            out.messages.append(
                f"Repeat {f.repeat + 1}, fold {f.index + 1}: {len(f.test)} test and "
                f"{len(f.train)} training points; {f.n_buffer} training points closer than "
                f"{out.buffer_m:g} m to a test point left out (buffer).")
    scored = sum(f.metrics is not None for f in out.folds)
    out.messages.append(f"{scored} of {len(out.folds)} folds scored ({out.repeats} repeat(s) "
                        f"of {out.n_folds} folds, blocks of {out.block_m:g} m).")
    for m in out.messages:
        progress.info(m)
