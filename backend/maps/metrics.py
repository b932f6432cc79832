"""Metrics of predicted maps against held-out points, one function per metric.

These are the figures the BotaCLIP paper reports and issue 11 asks for, computed the same way
for cross-validation folds, the final report and ``botaclip evaluate``, so that a number in a
report always means one thing:

- presence/absence: ``auc``, ``tss`` (the maximum True Skill Statistic over thresholds and the
  threshold that gives it), and ``f1``, ``sensitivity``, ``specificity`` at that threshold;
- presence-only: ``boyce``, the continuous Boyce index (Hirzel et al. 2006);
- abundance: ``mae``, ``rmse``, ``spearman``, ``r2``;
- classes: ``accuracy``, ``macro_f1``, ``kappa`` (Cohen's) and a confusion matrix.

Pure numpy/scipy: each metric is a few lines of its textbook definition, written out so that
its handling of ties and degenerate input is explicit here rather than in a library's
defaults. Where a scikit-learn function computes exactly the same number the docstring says
which (the tests do not depend on scikit-learn). Degenerate input (empty, NaN, one class only,
a constant target) raises :class:`BotaclipError` naming the value and what to do, never a
silent NaN that would later average into a report.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..errors import BotaclipError

TASKS = ("presence", "presence-only", "abundance", "classes")

# Continuous Boyce index defaults, as in ecospat.boyce (Di Cola et al. 2017), the reference
# implementation of Hirzel et al. (2006): a moving window one tenth of the range of predicted
# suitability wide, moved in 100 equal steps from the lowest to the highest value (so 101
# windows). A tenth of the range keeps enough background in each window for a stable expected
# frequency; 101 overlapping windows make the index continuous instead of depending on where
# class boundaries fall, which was the paper's point against the classed Boyce index.
BOYCE_WIDTH_FRACTION = 0.1
BOYCE_WINDOWS = 101


# --- input checks -----------------------------------------------------------------------

def _finite_pair(y_true, y_score, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Two aligned, non-empty, finite float vectors, or an error naming what is wrong."""
    t = np.asarray(y_true, dtype=float).ravel()
    s = np.asarray(y_score, dtype=float).ravel()
    if t.size != s.size:
        raise BotaclipError(
            f"{what}: {t.size} observed values but {s.size} predictions; "
            "give one prediction per point.")
    if t.size == 0:
        raise BotaclipError(f"{what}: no points to evaluate; check that the points fall on "
                            "the raster and that the target field has values.")
    for name, v in (("observed", t), ("predicted", s)):
        bad = int(np.count_nonzero(~np.isfinite(v)))
        if bad:
            raise BotaclipError(
                f"{what}: {bad} {name} value(s) are NaN or infinite; remove those points or "
                "fill the target field before evaluating.")
    return t, s


def _binary_pair(y_true, y_score, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Presence (1) / absence (0) labels as bool and their scores; both classes required."""
    t, s = _finite_pair(y_true, y_score, what)
    odd = np.setdiff1d(np.unique(t), [0.0, 1.0])
    if odd.size:
        raise BotaclipError(
            f"{what}: the observed values must be 1 (presence) or 0 (absence), found "
            f"{odd[:5].tolist()}; recode the target field to 0/1.")
    pos = t == 1.0
    n_pos = int(pos.sum())
    if n_pos == 0 or n_pos == t.size:
        only = "presences" if n_pos else "absences"
        raise BotaclipError(
            f"{what}: the {t.size} points are all {only}; it needs both presences and "
            "absences (use the presence-only task with background points otherwise).")
    return pos, s


def _labels(values, what: str) -> np.ndarray:
    """Class labels as an array, refusing empty input and missing values (None, NaN)."""
    v = np.asarray(values)
    if v.ndim != 1:
        v = v.ravel()
    if v.size == 0:
        raise BotaclipError(f"{what}: no points to evaluate; check the class field has values.")
    missing = [x for x in v.tolist() if x is None or (isinstance(x, float) and x != x)]
    if missing:
        raise BotaclipError(
            f"{what}: {len(missing)} class value(s) are empty or NaN; give every point a "
            "class or remove those points.")
    return v


# --- presence / absence -------------------------------------------------------------------

def auc(y_true, y_score) -> float:
    """Area under the ROC curve: the chance a random presence scores above a random absence.

    Computed as the Mann-Whitney U statistic over average ranks, so a tie between a presence
    and an absence counts one half (same number as ``sklearn.metrics.roc_auc_score``).
    """
    pos, s = _binary_pair(y_true, y_score, "AUC")
    ranks = stats.rankdata(s)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    u = ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def _counts(pos: np.ndarray, s: np.ndarray, threshold: float) -> tuple[int, int, int, int]:
    """(true pos, false neg, false pos, true neg) when presence is predicted at s >= threshold."""
    pred = s >= threshold
    tp = int(np.count_nonzero(pred & pos))
    fp = int(np.count_nonzero(pred & ~pos))
    return tp, int(pos.sum()) - tp, fp, int((~pos).sum()) - fp


def tss(y_true, y_score) -> tuple[float, float]:
    """Maximum True Skill Statistic over thresholds, and the threshold that gives it.

    TSS = sensitivity + specificity - 1 (Allouche et al. 2006): unlike kappa it does not
    depend on prevalence, which is why the paper reports it for plant presence. Presence is
    predicted where score >= threshold; every distinct score is tried (the only places the
    table changes). When several thresholds tie, the highest is returned: the same skill with
    the smallest predicted range, the cautious map.
    """
    pos, s = _binary_pair(y_true, y_score, "TSS")
    order = np.argsort(-s, kind="stable")
    s_sorted, pos_sorted = s[order], pos[order]
    tp = np.cumsum(pos_sorted)
    fp = np.cumsum(~pos_sorted)
    # the last index of each group of equal scores: thresholding at that score keeps them all
    ends = np.flatnonzero(np.append(s_sorted[1:] != s_sorted[:-1], True))
    skill = tp[ends] / tp[-1] - fp[ends] / fp[-1]
    best = int(np.argmax(skill))                 # the first maximum = the highest threshold
    return float(skill[best]), float(s_sorted[ends[best]])


def sensitivity(y_true, y_score, threshold: float) -> float:
    """Share of presences predicted present (score >= threshold): omission is 1 minus this."""
    tp, fn, _, _ = _counts(*_binary_pair(y_true, y_score, "Sensitivity"), threshold)
    return tp / (tp + fn)


def specificity(y_true, y_score, threshold: float) -> float:
    """Share of absences predicted absent (score < threshold): commission is 1 minus this."""
    _, _, fp, tn = _counts(*_binary_pair(y_true, y_score, "Specificity"), threshold)
    return tn / (tn + fp)


def f1(y_true, y_score, threshold: float) -> float:
    """F1 of presence at the threshold, 2 TP / (2 TP + FP + FN): precision and recall in one.

    0 when no presence is predicted right (same as ``sklearn.metrics.f1_score`` then).
    """
    tp, fn, fp, _ = _counts(*_binary_pair(y_true, y_score, "F1"), threshold)
    return 2 * tp / (2 * tp + fp + fn)


# --- presence-only --------------------------------------------------------------------------

def boyce(presence_scores, background_scores, *, n_windows: int = BOYCE_WINDOWS,
          width_fraction: float = BOYCE_WIDTH_FRACTION) -> float:
    """Continuous Boyce index (Hirzel et al. 2006) of predicted suitability at presences.

    For each window of predicted suitability, P/E = (share of presences in the window) /
    (share of background points in it): above 1 where the model puts more presences than the
    area would by chance. The index is the Spearman correlation of P/E with the window centre,
    from -1 (presences where the map says unsuitable) to 1. Windows are ``width_fraction`` of
    the range of all scores wide, their lower edges evenly spaced from the minimum to
    ``max - width`` (``n_windows`` of them), ends included; windows without background are
    skipped and runs of equal P/E count once (as ecospat.boyce does), so a flat stretch does
    not pass for a trend.
    """
    pres, back = (_finite_pair(v, v, "Boyce index")[0]
                  for v in (presence_scores, background_scores))
    if n_windows < 2 or not 0.0 < width_fraction <= 1.0:
        raise BotaclipError(f"Boyce index: {n_windows} windows of width {width_fraction} of "
                            "the range; use at least 2 windows and a width in (0, 1].")
    lo, hi = float(min(pres.min(), back.min())), float(max(pres.max(), back.max()))
    if hi <= lo:
        raise BotaclipError(f"Boyce index: every predicted value is {lo}; a map that does "
                            "not vary cannot be ranked. Check the model and its features.")
    width = (hi - lo) * width_fraction
    starts = np.linspace(lo, hi - width, n_windows)
    ends = starts + width
    # counts in [start, end] by sorted search: O((n + windows) log n), not windows x points
    def in_window(v):
        v = np.sort(v)
        return np.searchsorted(v, ends, "right") - np.searchsorted(v, starts, "left")
    p = in_window(pres) / pres.size
    e = in_window(back) / back.size
    keep = e > 0
    ratio, centre = p[keep] / e[keep], (starts + width / 2)[keep]
    first = np.append(True, ratio[1:] != ratio[:-1])
    ratio, centre = ratio[first], centre[first]
    if ratio.size < 2:
        raise BotaclipError(
            "Boyce index: presences and background are spread alike over every window "
            "(P/E is constant), so the index is undefined; add presences or background points.")
    return float(stats.spearmanr(centre, ratio)[0])


# --- abundance ---------------------------------------------------------------------------

def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the target's own unit (as sklearn's ``mean_absolute_error``)."""
    t, p = _finite_pair(y_true, y_pred, "MAE")
    return float(np.mean(np.abs(t - p)))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error: like MAE in the target's unit but weighting large misses more."""
    t, p = _finite_pair(y_true, y_pred, "RMSE")
    return float(np.sqrt(np.mean((t - p) ** 2)))


def spearman(y_true, y_pred) -> float:
    """Spearman rank correlation (average ranks for ties): is the abundance order right?"""
    t, p = _finite_pair(y_true, y_pred, "Spearman correlation")
    for name, v in (("observed", t), ("predicted", p)):
        if np.all(v == v[0]):
            raise BotaclipError(
                f"Spearman correlation: every {name} value is {v[0]:g}, so there is no order "
                "to compare; it needs points with different values.")
    return float(stats.spearmanr(t, p)[0])


def r2(y_true, y_pred) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot (as ``sklearn.metrics.r2_score``).

    Negative when the predictions are worse than the observed mean everywhere.
    """
    t, p = _finite_pair(y_true, y_pred, "R²")
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    if ss_tot == 0.0:
        raise BotaclipError(f"R²: every observed value is {t[0]:g}, so there is no variance "
                            "to explain; it needs points with different values.")
    return 1.0 - float(np.sum((t - p) ** 2)) / ss_tot


# --- classes -------------------------------------------------------------------------------

def confusion_matrix(y_true, y_pred, labels=None) -> tuple[np.ndarray, list]:
    """Counts of (observed row, predicted column) over ``labels`` (default: every label seen,
    sorted), and those labels. Same table as ``sklearn.metrics.confusion_matrix``.
    """
    t, p = _labels(y_true, "Confusion matrix"), _labels(y_pred, "Confusion matrix")
    if t.size != p.size:
        raise BotaclipError(f"Confusion matrix: {t.size} observed classes but {p.size} "
                            "predictions; give one prediction per point.")
    if labels is None:
        # sorted within each type, so a mix of numbers and text still has one order
        labels = sorted(set(t.tolist()) | set(p.tolist()), key=lambda x: (type(x).__name__, x))
    labels = list(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    unknown = sorted({str(x) for x in t.tolist() + p.tolist() if x not in index})
    if unknown:
        raise BotaclipError(f"Confusion matrix: class(es) {unknown[:5]} are not among the "
                            f"labels {labels[:10]}; add them to the class list.")
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(m, ([index[x] for x in t.tolist()], [index[x] for x in p.tolist()]), 1)
    return m, labels


def accuracy(y_true, y_pred) -> float:
    """Share of points whose predicted class is the observed one."""
    m, _ = confusion_matrix(y_true, y_pred)
    return float(np.trace(m) / m.sum())


def macro_f1(y_true, y_pred) -> float:
    """Unweighted mean over classes of each class's F1, so rare classes count as much as
    common ones. Classes are those observed or predicted; same number as
    ``sklearn.metrics.f1_score(average="macro")``.
    """
    m, _ = confusion_matrix(y_true, y_pred)
    tp = np.diag(m).astype(float)
    denom = m.sum(0) + m.sum(1)                   # 2 TP + FP + FN per class, never 0 here
    return float(np.mean(2 * tp / denom))


def kappa(y_true, y_pred) -> float:
    """Cohen's kappa: agreement beyond what the two marginals give by chance,
    (p_o - p_e) / (1 - p_e) (as ``sklearn.metrics.cohen_kappa_score``).
    """
    m, labels = confusion_matrix(y_true, y_pred)
    n = m.sum()
    p_o = np.trace(m) / n
    p_e = float(np.sum(m.sum(0) * m.sum(1))) / n**2
    if p_e >= 1.0:
        raise BotaclipError(f"Kappa: observed and predicted are all the one class {labels[0]!r}"
                            ", so chance agreement is total; it needs at least two classes.")
    return float((p_o - p_e) / (1.0 - p_e))


# --- per task ----------------------------------------------------------------------------

def _class_predictions(y_score, classes) -> np.ndarray:
    """Predicted labels: ``y_score`` itself, or the argmax of a (points, classes) matrix."""
    s = np.asarray(y_score)
    if s.ndim == 1:
        return s
    if classes is None or s.shape[1] != len(classes):
        raise BotaclipError(
            f"Class metrics: a probability matrix with {s.shape[1]} columns needs `classes`, "
            "the label of each column, in column order.")
    return np.asarray(list(classes), dtype=object)[np.argmax(s, axis=1)]


def metrics_for(task: str, y_true, y_score, *, classes=None) -> dict:
    """The issue's metrics for one target of one task, as a JSON-ready dict.

    - ``presence``: y_true 0/1, y_score a probability; keys auc, tss, tss_threshold, f1,
      sensitivity, specificity (the last three at tss_threshold), n_presences, n_absences.
    - ``presence-only``: y_true 1 for presences, 0 for background points; key boyce,
      n_presences, n_background.
    - ``abundance``: mae, rmse, spearman, r2, n.
    - ``classes``: y_score predicted labels or a probability matrix whose columns are
      ``classes``; accuracy, macro_f1, kappa, labels, confusion (rows observed), n.
    """
    if task == "presence":
        pos, s = _binary_pair(y_true, y_score, "Presence metrics")
        best, thr = tss(pos, s)
        return {"auc": auc(pos, s), "tss": best, "tss_threshold": thr,
                "f1": f1(pos, s, thr), "sensitivity": sensitivity(pos, s, thr),
                "specificity": specificity(pos, s, thr),
                "n_presences": int(pos.sum()), "n_absences": int((~pos).sum())}
    if task == "presence-only":
        pos, s = _binary_pair(y_true, y_score, "Presence-only metrics")
        return {"boyce": boyce(s[pos], s[~pos]),
                "n_presences": int(pos.sum()), "n_background": int((~pos).sum())}
    if task == "abundance":
        t, p = _finite_pair(y_true, y_score, "Abundance metrics")
        return {"mae": mae(t, p), "rmse": rmse(t, p), "spearman": spearman(t, p),
                "r2": r2(t, p), "n": int(t.size)}
    if task == "classes":
        pred = _class_predictions(y_score, classes)
        m, labels = confusion_matrix(y_true, pred)
        return {"accuracy": accuracy(y_true, pred), "macro_f1": macro_f1(y_true, pred),
                "kappa": kappa(y_true, pred), "labels": [_plain(x) for x in labels],
                "confusion": m.tolist(), "n": int(m.sum())}
    raise BotaclipError(f"Unknown task {task!r}; use one of {', '.join(TASKS)}.")


def _plain(x):
    """A numpy scalar as the Python value json can write."""
    return x.item() if isinstance(x, np.generic) else x
