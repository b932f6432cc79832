"""Metrics of prediction maps against values worked out by hand on small tables (the
arithmetic is in the comments), their refusal of degenerate input, and a cross-check against
scikit-learn where its function is exactly the same definition."""

import math

import numpy as np
import pytest

from botaclip.backend.errors import BotaclipError
from botaclip.backend.maps import (
    accuracy,
    auc,
    boyce,
    confusion_matrix,
    f1,
    kappa,
    macro_f1,
    mae,
    metrics_for,
    r2,
    rmse,
    sensitivity,
    spearman,
    specificity,
    tss,
)

# 3 presences and 4 absences. Presence predicted where score >= t; TP, FP per threshold:
#   t=0.9: TP 1 FP 0 -> 1/3 + 4/4 - 1 = 0.333
#   t=0.8: TP 2 FP 0 -> 2/3 + 1   - 1 = 0.667
#   t=0.7: TP 2 FP 1 -> 2/3 + 3/4 - 1 = 0.417
#   t=0.3: TP 3 FP 1 -> 3/3 + 3/4 - 1 = 0.750  <- maximum
#   t=0.2: TP 3 FP 2 -> 1   + 2/4 - 1 = 0.500, then 0.25 and 0 below
PRES_TRUE = [1, 1, 1, 0, 0, 0, 0]
PRES_SCORE = [0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.05]


def test_auc_by_hand_counts_ties_half():
    # pairs (presence, absence): (.9,.6) win, (.9,.1) win, (.4,.6) loss, (.4,.1) win -> 3/4
    assert auc([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1]) == pytest.approx(0.75)
    # (.7,.5) win = 1, (.5,.5) tie = 1/2 -> 1.5 / 2 pairs
    assert auc([1, 1, 0], [0.7, 0.5, 0.5]) == pytest.approx(0.75)
    # the table above: 3 x 4 = 12 pairs, the only loss is presence .3 < absence .7 -> 11/12
    assert auc(PRES_TRUE, PRES_SCORE) == pytest.approx(11 / 12)


def test_tss_is_sens_plus_spec_minus_one_at_its_threshold():
    value, thr = tss(PRES_TRUE, PRES_SCORE)
    assert value == pytest.approx(0.75)
    assert thr == 0.3
    # the 2x2 table at 0.3: TP 3, FN 0, FP 1, TN 3
    assert sensitivity(PRES_TRUE, PRES_SCORE, thr) == pytest.approx(3 / 3)
    assert specificity(PRES_TRUE, PRES_SCORE, thr) == pytest.approx(3 / 4)
    assert value == pytest.approx(1.0 + 3 / 4 - 1)
    # F1 = 2 TP / (2 TP + FP + FN) = 6 / (6 + 1 + 0)
    assert f1(PRES_TRUE, PRES_SCORE, thr) == pytest.approx(6 / 7)


def test_tss_ties_take_the_highest_threshold_and_tied_scores_stay_together():
    # t=.8: 1/2 + 2/2 - 1 = .5; t=.6: 1/2 + 1/2 - 1 = 0; t=.4: 1 + 1/2 - 1 = .5; t=.2: 0
    assert tss([1, 0, 1, 0], [0.8, 0.6, 0.4, 0.2]) == (pytest.approx(0.5), 0.8)
    # one presence and one absence with the same score: the only table is 1 + 0 - 1 = 0
    assert tss([1, 0], [0.5, 0.5]) == (pytest.approx(0.0), 0.5)


def test_f1_is_zero_when_no_presence_is_predicted():
    # threshold above every score: TP 0, FP 0, FN 2 -> 0 / (0 + 0 + 2)
    assert f1([1, 1, 0], [0.2, 0.3, 0.1], 0.9) == 0.0


# Boyce on a range [0, 3] cut into 3 windows of width 1 ([0,1], [1,2], [2,3]; exact in floats):
# background 0, .5 | 1.5, 1.5 | 2.5, 3 -> E = 2/6 in each window.
BACKGROUND = [0.0, 0.5, 1.5, 1.5, 2.5, 3.0]


def test_boyce_monotonic_is_one_and_reversed_is_minus_one():
    # presences 1.5 | 2.5, 2.5 -> P = 0, 1/3, 2/3 -> P/E = 0, 1, 2: rises with the centre
    up = boyce([1.5, 2.5, 2.5], BACKGROUND, n_windows=3, width_fraction=1 / 3)
    assert up == pytest.approx(1.0)
    # presences .5, .5 | 1.5 -> P/E = 2, 1, 0: falls with the centre
    down = boyce([0.5, 0.5, 1.5], BACKGROUND, n_windows=3, width_fraction=1 / 3)
    assert down == pytest.approx(-1.0)


def test_boyce_counts_a_flat_run_of_p_over_e_once():
    # range [0, 4], 4 windows of width 1. Background 0, .5 | 1.5 | 2.5 | 3.5, 4 -> E = 2/6,
    # 1/6, 1/6, 2/6; presences 2.5 | 3.5, 3.5, 3.5 -> P = 0, 0, 1/4, 3/4 -> P/E = 0, 0, 1.5,
    # 2.25. The run 0, 0 counts once: 0, 1.5, 2.25 rise strictly -> 1.0. Kept twice it would
    # be Spearman((1,2,3,4), (1.5,1.5,3,4)) = 4.5 / sqrt(5 * 4.5) = 0.949.
    back = [0.0, 0.5, 1.5, 2.5, 3.5, 4.0]
    value = boyce([2.5, 3.5, 3.5, 3.5], back, n_windows=4, width_fraction=0.25)
    assert value == pytest.approx(1.0)


def test_boyce_with_the_default_windows_follows_a_suitability_gradient():
    # background uniform on [0, 1]; presences with density 2s (the square root of a uniform)
    # -> P/E ~ 2c at window centre c, rising by 2 x 0.009 = 0.018 per step of the 101 windows.
    # With ~20000 x 0.2c presences per window the relative noise is ~1/sqrt(2000) ~ 2 % at
    # c = .5, so neighbours can swap but the rank order over the whole range stays: > 0.95.
    rng = np.random.default_rng(0)
    back = rng.uniform(0, 1, 100_000)
    pres = np.sqrt(rng.uniform(0, 1, 20_000))
    assert boyce(pres, back) > 0.95
    assert boyce(1 - pres, back) < -0.95


def test_boyce_refuses_what_it_cannot_rank():
    with pytest.raises(BotaclipError, match="does not vary"):
        boyce([0.5, 0.5], [0.5, 0.5, 0.5])
    # presences spread exactly like the background: P/E = 1 in every window
    with pytest.raises(BotaclipError, match="constant"):
        boyce(BACKGROUND, BACKGROUND, n_windows=3, width_fraction=1 / 3)
    with pytest.raises(BotaclipError, match="NaN"):
        boyce([0.5, math.nan], BACKGROUND)
    with pytest.raises(BotaclipError, match="no points"):
        boyce([], BACKGROUND)


def test_abundance_by_hand():
    t, p = [1, 2, 3, 4], [1, 3, 2, 6]
    # errors 0, 1, -1, 2
    assert mae(t, p) == pytest.approx((0 + 1 + 1 + 2) / 4)
    assert rmse(t, p) == pytest.approx(math.sqrt((0 + 1 + 1 + 4) / 4))
    # ranks 1,2,3,4 vs 1,3,2,4: d^2 sum 2 -> 1 - 6 * 2 / (4 * (16 - 1)) = 0.8
    assert spearman(t, p) == pytest.approx(0.8)
    # mean 2.5: SS_tot = 2.25 + .25 + .25 + 2.25 = 5, SS_res = 6 -> 1 - 6/5
    assert r2(t, p) == pytest.approx(-0.2)


# rows observed, columns predicted, classes A, B, C (n = 15)
TABLE = np.array([[5, 1, 0],
                  [2, 3, 1],
                  [0, 1, 2]])


def _from_table(table, labels=("A", "B", "C")):
    """Observed and predicted label lists that give the confusion table."""
    t, p = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            t += [labels[i]] * int(count)
            p += [labels[j]] * int(count)
    return t, p


def test_class_metrics_from_a_3x3_table():
    t, p = _from_table(TABLE)
    m, labels = confusion_matrix(t, p)
    assert labels == ["A", "B", "C"] and m.tolist() == TABLE.tolist()
    # p_o = (5 + 3 + 2) / 15 = 2/3
    assert accuracy(t, p) == pytest.approx(2 / 3)
    # rows 6, 6, 3; columns 7, 5, 3 -> p_e = (6*7 + 6*5 + 3*3) / 15^2 = 81/225 = 9/25
    # kappa = (2/3 - 9/25) / (1 - 9/25) = (23/75) / (16/25) = 23/48
    assert kappa(t, p) == pytest.approx(23 / 48)
    # per class 2 TP / (row + column): A 10/13, B 6/11, C 4/6
    assert macro_f1(t, p) == pytest.approx((10 / 13 + 6 / 11 + 4 / 6) / 3)


def test_metrics_for_each_task_returns_the_issue_keys():
    got = metrics_for("presence", PRES_TRUE, PRES_SCORE)
    assert got["tss"] == pytest.approx(0.75) and got["tss_threshold"] == 0.3
    assert got["auc"] == pytest.approx(11 / 12) and got["f1"] == pytest.approx(6 / 7)
    assert (got["sensitivity"], got["specificity"]) == (pytest.approx(1.0), pytest.approx(0.75))
    assert (got["n_presences"], got["n_absences"]) == (3, 4)

    # presence-only splits the scores by label into presences and background: the same
    # number as boyce() on the two sets (default windows), and the counts behind it
    rng = np.random.default_rng(1)
    pres, back = np.sqrt(rng.uniform(0, 1, 300)), rng.uniform(0, 1, 1000)
    po = metrics_for("presence-only", [1] * 300 + [0] * 1000, np.concatenate([pres, back]))
    assert po["boyce"] == pytest.approx(boyce(pres, back))
    assert (po["n_presences"], po["n_background"]) == (300, 1000)

    ab = metrics_for("abundance", [1, 2, 3, 4], [1, 3, 2, 6])
    assert set(ab) == {"mae", "rmse", "spearman", "r2", "n"} and ab["mae"] == pytest.approx(1)

    t, p = _from_table(TABLE)
    # the same predictions as a probability matrix: argmax of a one-hot row is its label
    proba = np.eye(3)[[["A", "B", "C"].index(x) for x in p]]
    cl = metrics_for("classes", t, proba, classes=["A", "B", "C"])
    assert cl["kappa"] == pytest.approx(23 / 48) and cl["confusion"] == TABLE.tolist()
    assert cl["labels"] == ["A", "B", "C"] and cl["n"] == 15
    assert metrics_for("classes", t, p)["macro_f1"] == pytest.approx(cl["macro_f1"])


@pytest.mark.parametrize("call, message", [
    (lambda: auc([1, 1, 1], [0.1, 0.2, 0.3]), "all presences"),
    (lambda: tss([0, 0], [0.1, 0.2]), "all absences"),
    (lambda: auc([1, 2, 0], [0.1, 0.2, 0.3]), r"found \[2.0\]"),
    (lambda: auc([1, 0, math.nan], [0.1, 0.2, 0.3]), "NaN"),
    (lambda: auc([1, 0], [0.1]), "2 observed values but 1 predictions"),
    (lambda: mae([], []), "no points"),
    (lambda: spearman([1, 1, 1], [1, 2, 3]), "every observed value is 1"),
    (lambda: r2([2, 2], [1, 3]), "every observed value is 2"),
    (lambda: kappa(["A", "A"], ["A", "A"]), "one class 'A'"),
    (lambda: accuracy(["A", None], ["A", "B"]), "empty or NaN"),
    (lambda: confusion_matrix(["A", "B"], ["A", "B"], labels=["A"]), r"\['B'\]"),
    (lambda: metrics_for("classes", ["A"], np.ones((1, 2))), "needs `classes`"),
    (lambda: metrics_for("occupancy", [1, 0], [0.5, 0.5]), "Unknown task 'occupancy'"),
])
def test_degenerate_input_is_refused_with_a_reason(call, message):
    with pytest.raises(BotaclipError, match=message):
        call()


def test_same_numbers_as_scikit_learn_where_the_definition_is_the_same():
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    # scores rounded to 0.1 so that ties between presences and absences occur
    s = np.round(rng.uniform(0, 1, 200) + 0.3 * y, 1)
    assert auc(y, s) == pytest.approx(skm.roc_auc_score(y, s))
    assert f1(y, s, 0.6) == pytest.approx(skm.f1_score(y, s >= 0.6))
    t, p = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    assert kappa(t, p) == pytest.approx(skm.cohen_kappa_score(t, p))
    assert macro_f1(t, p) == pytest.approx(skm.f1_score(t, p, average="macro"))
    a, b = rng.normal(size=50), rng.normal(size=50)
    assert r2(a, b) == pytest.approx(skm.r2_score(a, b))
    assert mae(a, b) == pytest.approx(skm.mean_absolute_error(a, b))
