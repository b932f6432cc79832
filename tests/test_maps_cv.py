"""Estimators, background points and spatial cross-validation (backend/maps/estimators.py,
background.py, cv.py), on synthetic points and tiny rasters whose expected results are
worked out by hand in the comments."""

import os

import numpy as np
import pytest
from osgeo import gdal

from botaclip.backend.errors import BotaclipError
from botaclip.backend.maps.background import draw_background, sample_valid
from botaclip.backend.maps.cv import duration_text, fold_roles, spatial_cv, time_message
from botaclip.backend.maps.estimators import (
    ESTIMATORS,
    balanced_weights,
    fit_estimator,
    make_estimator,
    predict_scores,
)
from botaclip.backend.maps.pipeline import target_metrics
from botaclip.backend.progress import Progress
from botaclip.backend.train.splits import BUFFER, TEST, TRAIN


def _points(n=400, seed=0):
    """Points spread over 2 km x 2 km with 4 features; presence = f0 + noise(sd 0.5) > 0.

    Features do not depend on location, so spatial blocks neither help nor hurt. The score
    f0 itself ranks a presence above an absence with probability ~0.936 (P(f0_p > f0_a)
    under this model, by Monte Carlo on 10^6 points); a model that learns f0 comes close."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 2000, n), rng.uniform(0, 2000, n)
    f = rng.normal(size=(n, 4))
    label = (f[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(float)
    return x, y, f, label


# --- cross-validation -------------------------------------------------------------------

def test_auc_well_above_chance():
    # Bound: the attainable AUC is ~0.936 (see _points); the standard error of an AUC on
    # ~200 presences and ~200 absences is about 0.015 (Hanley & McNeil 1982), and 5 folds of
    # 320 training points cost little for a 4-feature logistic model. 0.85 sits > 5 SE below
    # 0.936 and 23 SE above chance (0.5): a model that ignores f0 cannot reach it.
    x, y, f, label = _points()
    res = spatial_cv(x, y, f, label, "presence", estimator="logistic", folds=5,
                     block_m=400, buffer_m=0, seed=1)
    assert res.pooled[0]["auc"] > 0.85
    assert res.pooled[0]["tss"] > 0.5          # 0.77 here; chance gives a max TSS near 0.1
    assert len(res.models) == 5 and not np.isnan(res.oof).any()
    # 5 x 5 blocks of 400 m, each fold an own set of blocks: every point tested exactly once
    tested = np.concatenate([fd.test for fd in res.folds])
    assert sorted(tested.tolist()) == list(range(400))


def test_rf_default_presence():
    # The paper's forest, fewer points (200) to keep the test short: same bound reasoning as
    # above with SE ~0.02 -> 0.8 is > 6 SE below 0.936.
    x, y, f, label = _points(200, seed=3)
    res = spatial_cv(x, y, f, label, "presence", folds=3, block_m=500, seed=0, n_jobs=2)
    assert res.estimator == "rf" and res.pooled[0]["auc"] > 0.8


def _grid():
    """A 6 x 6 grid of points 10 m apart (x, y in 5, 15, ..., 55)."""
    gx, gy = np.meshgrid(np.arange(5.0, 60.0, 10.0), np.arange(5.0, 60.0, 10.0))
    return gx.ravel(), gy.ravel()


@pytest.mark.parametrize("buffer_m, dropped", [(0, 0), (10, 0), (15, 6), (20.5, 12)])
def test_buffer_drops_exactly_the_close_points(buffer_m, dropped):
    # Test fold = left half (x 5, 15, 25), training = right half (x 35, 45, 55), 6 rows.
    # A training point is dropped when |dx| < buffer and |dy| < buffer to a test point; the
    # nearest test point of column x has dy = 0 and dx = x - 25: column 35 at 10 m, 45 at
    # 20 m, 55 at 30 m. Buffer 10: 10 < 10 is false -> 0 dropped (strict); 15: column 35
    # -> 6; 20.5: columns 35 and 45 -> 12.
    x, y = _grid()
    fold = (x > 30).astype(int)
    roles = fold_roles(x, y, fold, 0, buffer_m)
    assert int((roles == BUFFER).sum()) == dropped
    assert int((roles == TEST).sum()) == 18
    assert set(x[roles == BUFFER]) <= {35.0, 45.0}
    assert int((roles == TRAIN).sum()) == 18 - dropped


def test_cv_reports_buffer_per_fold_as_brute_force():
    # Per fold, the number left out must equal a brute-force count: training points whose
    # Chebyshev distance to the nearest test point is below the buffer.
    x, y, f, label = _points(300, seed=5)
    res = spatial_cv(x, y, f, label, "presence", estimator="logistic", folds=4,
                     block_m=500, buffer_m=120, seed=2)
    for fd in res.folds:
        others = np.setdiff1d(np.arange(300), fd.test)
        d = np.maximum(np.abs(x[others, None] - x[fd.test]), np.abs(y[others, None] - y[fd.test]))
        assert fd.n_buffer == int((d.min(axis=1) < 120).sum())
        assert len(fd.train) == len(others) - fd.n_buffer
    assert sum(fd.n_buffer for fd in res.folds) > 0       # 120 m against 500 m blocks


def test_folds_deterministic_by_seed():
    x, y, f, label = _points(300, seed=7)
    kw = dict(estimator="logistic", folds=5, block_m=300, seed=11)
    a = spatial_cv(x, y, f, label, "presence", **kw)
    b = spatial_cv(x, y, f, label, "presence", **kw)
    c = spatial_cv(x, y, f, label, "presence", **{**kw, "seed": 12})
    assert all(np.array_equal(p.test, q.test) for p, q in zip(a.folds, b.folds))
    np.testing.assert_array_equal(a.oof, b.oof)
    assert not all(np.array_equal(p.test, q.test) for p, q in zip(a.folds, c.folds))


def test_repeats_redraw_folds():
    x, y, f, label = _points(300, seed=7)
    res = spatial_cv(x, y, f, label, "presence", estimator="logistic", folds=3, repeats=2,
                     block_m=300, seed=0)
    assert len(res.folds) == 6 and res.oof.shape == (2, 300) and len(res.pooled) == 2
    assert len(res.fold_metric("auc")) == 6


def test_repeats_headline_is_mean_with_spread():
    # Three repeats redraw the folds, so the pooled AUCs differ a little; the headline must
    # be their mean (not the first repeat's), the spread their sample SD, min and max, and
    # counts that every repeat shares (all 300 points pooled each time) stay as they are.
    x, y, f, label = _points(300, seed=7)
    res = spatial_cv(x, y, f, label, "presence", estimator="logistic", folds=3, repeats=3,
                     block_m=300, seed=0)
    aucs = np.array([p["auc"] for p in res.pooled])
    assert aucs.std() > 0                               # the folds did change
    head, spread = res.headline()
    assert head["auc"] == pytest.approx(aucs.mean())
    assert spread["auc"]["sd"] == pytest.approx(aucs.std(ddof=1))
    assert (spread["auc"]["min"], spread["auc"]["max"]) == (aucs.min(), aucs.max())
    assert head["n_presences"] == int(label.sum()) and "n_presences" not in spread
    m = target_metrics(type("Fit", (), {"cv": res})(), {"points": 300})
    assert m["auc"] == pytest.approx(aucs.mean()) and m["cv"]["repeats"] == 3
    assert m["repeats"]["n"] == 3 and m["repeats"]["scored"] == 3
    assert [r["auc"] for r in m["repeats"]["pooled"]] == pytest.approx(aucs.tolist())
    one = spatial_cv(x, y, f, label, "presence", estimator="logistic", folds=3, block_m=300)
    m1 = target_metrics(type("Fit", (), {"cv": one})(), {})
    assert m1["auc"] == one.pooled[0]["auc"] and "repeats" not in m1


def test_time_message_wording_and_threshold():
    # 5 folds x 1 repeat of 48 s = 240 s: over a minute, said in minutes; 12 s x 5 = 60 s
    # is not over a minute: nothing said.
    assert time_message(48, folds=5, repeats=1, estimator="rf", n_jobs=2) == (
        "Cross-validation: about 4 min (5 folds x 1 repeat, random forest on 2 cores).")
    assert time_message(12, folds=5, repeats=1, estimator="rf", n_jobs=2) is None
    assert time_message(30, folds=5, repeats=2, estimator="logistic", n_jobs=4) == (
        "Cross-validation: about 5 min (5 folds x 2 repeats, logistic regression).")
    assert duration_text(150) == "about 2.5 min" and duration_text(700) == "about 12 min"
    assert duration_text(5400) == "about 1.5 h"


class _Infos(Progress):
    def __init__(self):
        self.infos = []

    def info(self, message):
        self.infos.append(message)


def _fake_clock(step):
    """A clock that moves ``step`` seconds at every reading: every timed fit lasts ``step``."""
    ticks = iter(range(0, 10**6, step))
    return lambda: float(next(ticks))


def test_rf_time_estimated_before_the_first_fold():
    # The probe (a 25-tree forest) "takes" 100 s on the fake clock; scaled to 500 trees a
    # fold takes 2000 s, and 3 folds x 1 repeat 6000 s = 1.7 h, said before fold 1 runs.
    x, y, f, label = _points(90, seed=3)
    pr = _Infos()
    res = spatial_cv(x, y, f, label, "presence", folds=3, block_m=500, n_jobs=2,
                     progress=pr, clock=_fake_clock(100))
    assert res.estimated_s == pytest.approx(3 * 100 * 500 / 25)
    assert pr.infos[0] == ("Cross-validation: about 1.7 h (3 folds x 1 repeat, random "
                           "forest on 2 cores).")


@pytest.mark.parametrize("step, said", [(30, True), (10, False)])
def test_other_estimators_timed_on_the_first_fold(step, said):
    # logistic has no probe: the first fold "takes" step seconds, 5 folds step x 5:
    # 150 s is said, 50 s (under a minute) is not
    x, y, f, label = _points(200, seed=2)
    pr = _Infos()
    res = spatial_cv(x, y, f, label, "presence", estimator="logistic", folds=5,
                     block_m=400, progress=pr, clock=_fake_clock(step))
    assert res.estimated_s == pytest.approx(5 * step)
    told = [m for m in pr.infos if m.startswith("Cross-validation: about")]
    assert told == (["Cross-validation: about 2.5 min (5 folds x 1 repeat, logistic "
                     "regression)."] if said else [])


def test_all_cores_by_default():
    x, y, f, label = _points(60, seed=4)
    res = spatial_cv(x, y, f, label, "presence", folds=2, block_m=500)
    assert res.n_jobs == os.cpu_count() and res.models[0].n_jobs == os.cpu_count()
    assert make_estimator("rf", "abundance", seed=0, n_jobs=-1).n_jobs == os.cpu_count()


def test_too_few_presences_refused_with_number_needed():
    x, y, f, _ = _points(100)
    label = np.zeros(100)
    label[:3] = 1
    with pytest.raises(BotaclipError, match=r"Only 3 presences .* at least 5 .* Add 2"):
        spatial_cv(x, y, f, label, "presence", folds=5, block_m=400)


def test_too_few_points_of_a_class_refused():
    x, y, f, _ = _points(100)
    codes = np.arange(100) % 2
    codes[:2] = 2                      # class 2 holds 2 points, fewer than 3 folds
    codes = codes.astype(float)
    with pytest.raises(BotaclipError, match=r"Only 2 points of class 2"):
        spatial_cv(x, y, f, codes, "classes", folds=3, block_m=400)


# --- estimators -------------------------------------------------------------------------

def _task_data(task, n=60):
    rng = np.random.default_rng(0)
    f = rng.normal(size=(n, 3))
    if task == "abundance":
        return f, 2.0 * f[:, 0] + rng.normal(size=n) * 0.1, None
    if task == "classes":
        return f, np.digitize(f[:, 0], [-0.5, 0.5]).astype(float), 3
    return f, (f[:, 0] > 0.8).astype(float), None       # imbalanced: ~21 % presences


@pytest.mark.parametrize("task", ["presence", "presence-only", "abundance", "classes"])
@pytest.mark.parametrize("name", ESTIMATORS)
def test_each_estimator_fits_and_predicts_each_task(name, task):
    f, t, k = _task_data(task)
    model = fit_estimator(make_estimator(name, task, seed=0, n_classes=k), f, t, task)
    s = predict_scores(model, f, task, k)
    if task == "classes":
        assert s.shape == (60, 3)
        np.testing.assert_allclose(s.sum(axis=1), 1.0, atol=1e-6)
    else:
        assert s.shape == (60,) and np.isfinite(s).all()
    if task in ("presence", "presence-only"):
        assert ((s >= 0) & (s <= 1)).all()


def test_unknown_estimator_named():
    with pytest.raises(BotaclipError, match=r"'svm'.*rf, logistic, hgb, mlp"):
        make_estimator("svm", "presence", seed=0)


def test_balanced_weights_by_hand():
    # 3 absences, 1 presence: n / (k * n_class) = 4 / (2 * 3) and 4 / (2 * 1)
    np.testing.assert_allclose(balanced_weights([0, 0, 0, 1]), [2 / 3, 2 / 3, 2 / 3, 2.0])


# --- background points ------------------------------------------------------------------

def test_sample_valid_exact_and_uniform_across_blocks():
    # Block A (row 0) has 1 valid pixel, block B (row 1) 3: uniform means 1/4 each, not
    # 1/2 for A's pixel. 4000 draws of one pixel: 1000 expected per pixel, SD
    # sqrt(4000 * 1/4 * 3/4) = 27.4, so +-150 is 5.5 SD.
    blocks = [(0, 0, np.array([[True, False, False]])), (1, 0, np.array([[True, True, True]]))]
    hits = {}
    for s in range(4000):
        r, c, nv = sample_valid(blocks, 1, s)
        hits[(int(r[0]), int(c[0]))] = hits.get((int(r[0]), int(c[0])), 0) + 1
    assert nv == 4 and set(hits) == {(0, 0), (1, 0), (1, 1), (1, 2)}
    assert all(850 < v < 1150 for v in hits.values())
    r, c, _ = sample_valid(blocks, 4, 0)            # all of them, each once
    assert sorted(zip(r.tolist(), c.tolist())) == [(0, 0), (1, 0), (1, 1), (1, 2)]


def test_draw_background_from_raster(tmp_path):
    # 40 x 40 pixels of 10 m in 16 x 16 tiles, 2 bands, nodata -9999 on the left 10 columns
    # and NaN at (20, 20): 40 * 30 - 1 = 1199 valid pixels.
    path = str(tmp_path / "emb.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, 40, 40, 2, gdal.GDT_Float32,
                                              ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    ds.SetGeoTransform((1000.0, 10.0, 0.0, 2000.0, 0.0, -10.0))
    for b in (1, 2):
        a = np.ones((40, 40), dtype="float32")
        a[:, :10] = -9999
        a[20, 20] = np.nan
        ds.GetRasterBand(b).WriteArray(a)
        ds.GetRasterBand(b).SetNoDataValue(-9999)
    ds = None
    bg = draw_background(path, 300, seed=4)
    assert bg.n == 300 and bg.n_valid == 1199 and bg.seed == 4
    assert (bg.cols >= 10).all() and not ((bg.rows == 20) & (bg.cols == 20)).any()
    assert len(set(zip(bg.rows.tolist(), bg.cols.tolist()))) == 300
    np.testing.assert_allclose(bg.x, 1000.0 + (bg.cols + 0.5) * 10.0)
    np.testing.assert_allclose(bg.y, 2000.0 - (bg.rows + 0.5) * 10.0)
    again = draw_background(path, 300, seed=4)
    np.testing.assert_array_equal(bg.rows, again.rows)
    assert "1199 valid pixels" in bg.messages[0] and "seed 4" in bg.messages[0]
    with pytest.raises(BotaclipError, match=r"only 1199 valid .* at most 1199"):
        draw_background(path, 5000, seed=0)
