"""Paired comparison of two sources' fold scores: Wilcoxon signed-rank test, matched-pairs
rank-biserial correlation, median paired difference, and the sentence that says it.

Why these: the two sources are scored on the same folds (same training and test points, same
estimator and seed), so the question is whether the per-fold differences lean one way. Fold
scores are bounded and skewed (TSS near 1, MAE with outliers), so a rank test on the
differences (Wilcoxon 1945) rather than a t-test; its effect size is the matched-pairs
rank-biserial correlation (Kerby 2014), r = (R+ - R-) / (R+ + R-) over the ranks of the
non-zero |differences|: +1 when every fold favours the first source, 0 when they balance, and
it reads the same whatever the number of folds, which a p-value does not.

Zero differences are dropped (Wilcoxon's own convention, ``zero_method="wilcox"``), and r is
computed on the same pairs. The p-value is exact (all 2^n sign patterns) when there are at
most 50 pairs and no tied |differences|, otherwise from the normal approximation (scipy
chooses the same; it is asked explicitly here so that zeros or ties never raise a warning).
With fewer than :data:`MIN_PAIRS` non-zero differences no test is run: even all of them in
one direction give a two-sided exact p of 2 / 2^n >= 0.0625, so the test could never
detect anything and a p-value would only look like evidence.

Folds are not independent (repeats reuse the same points; a training set overlaps another),
so the p-values are optimistic, as every cross-validated test is (Nadeau & Bengio 2003); the
report says so, and gives the effect size and the number of folds next to each p-value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
MIN_PAIRS = 6        # the fewest non-zero differences whose exact two-sided p can be < 0.05


@dataclass
class Comparison:
    """Source ``a`` against ``b`` on paired scores (``higher_better`` says which way is
    better). ``median_difference`` is the median of a - b (the metric's unit); ``r`` is
    oriented so that > 0 favours ``a``; ``p`` is None when no test was run (``note`` says
    why); ``winner`` is "a", "b" or "" (no detectable difference, or no test)."""

    n_pairs: int
    n_nonzero: int
    median_a: float | None
    median_b: float | None
    median_difference: float | None
    statistic: float | None
    p: float | None
    r: float | None
    method: str
    winner: str
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def rank_biserial(d) -> float:
    """Matched-pairs rank-biserial correlation of differences ``d`` (zeros dropped, average
    ranks for ties): (R+ - R-) / (R+ + R-). NaN when no difference is non-zero."""
    d = np.asarray(d, dtype=np.float64)
    d = d[d != 0]
    if not d.size:
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    plus, minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    return float((plus - minus) / (plus + minus))


def _finite_median(v) -> float | None:
    v = np.asarray(v, dtype=np.float64)
    return float(np.median(v)) if v.size else None


def compare(a, b, *, higher_better: bool = True) -> Comparison:
    """Compare paired scores ``a`` and ``b`` (one per fold; pairs with a NaN are dropped)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired scores of different lengths: {a.size} and {b.size}")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    d = a - b
    nz = d[d != 0]
    sign = 1.0 if higher_better else -1.0
    out = Comparison(int(d.size), int(nz.size), _finite_median(a), _finite_median(b),
                     _finite_median(d), None, None, None, "", "")
    if nz.size:
        out.r = sign * rank_biserial(nz)
    if nz.size < MIN_PAIRS:
        out.note = (f"only {nz.size} of {d.size} paired folds differ; a Wilcoxon test needs "
                    f"at least {MIN_PAIRS} to be able to reach p < {ALPHA:g}")
        return out
    ties = np.unique(np.abs(nz)).size < nz.size
    method = "exact" if nz.size <= 50 and not ties else "approx"
    res = stats.wilcoxon(nz, zero_method="wilcox", alternative="two-sided", method=method)
    out.statistic, out.p, out.method = float(res.statistic), float(res.pvalue), method
    if out.p < ALPHA and out.r:
        out.winner = "a" if out.r > 0 else "b"
    return out


def _num(v, digits: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _figures(metric: str, ma, mb, diff, behind: str) -> str:
    d = "n/a" if diff is None else f"{diff:+.2f}"
    return (f"median {metric} {_num(ma)} vs {_num(mb)} (median paired difference {d}) over "
            f"{behind}")


def sentence(c: Comparison, a: str, b: str, what: str, metric: str, behind: str) -> str:
    """The comparison in words, e.g. "BotaCLIP beats the frozen backbone for plant presence:
    median TSS 0.53 vs 0.45 (median paired difference +0.08) over 25 folds x 31 taxa on 180
    plots, Wilcoxon p = 0.002, r = 0.71." The winner comes first, its figures too.
    ``behind``: the folds and points ("25 folds x 31 taxa on 180 plots")."""
    ma, mb, diff, r = c.median_a, c.median_b, c.median_difference, c.r
    if c.winner == "b":
        a, b, ma, mb = b, a, mb, ma
        diff, r = -diff, -r
    figures = _figures(metric, ma, mb, diff, behind)
    if c.p is None:
        return f"Too few folds to test {a} against {b} for {what}: {figures}; {c.note}."
    test = f"Wilcoxon {_p_text(c.p)}, r = {_num(r)}"
    if c.winner:
        return f"{a[:1].upper() + a[1:]} beats {b} for {what}: {figures}, {test}."
    return f"No detectable difference between {a} and {b} for {what}: {figures}, {test}."
