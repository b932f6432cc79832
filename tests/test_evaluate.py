"""`botaclip evaluate` (backend/evaluate, backend/embed/at_points.py, backend/cli/evaluate.py)
on the 2 km demo landscape at 2 m pixels (300 relevés of 66 taxa, 150 butterfly points, 100
soil samples; 1.4 s to write), with tiny models: the spectral baseline, a tiny DOFA with
random weights and a BotaCLIP bundle trained on it for 2 epochs (2 s).

The protocol runs with 3 folds x 3 repeats (9 paired folds, the fewest for which a Wilcoxon
test can give p < 0.01 with every fold one way: 2 / 2^9 = 0.004) and logistic regression
(fast; the default forest of 500 trees would take minutes here).
"""

import contextlib
import json
import re
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest
from helpers import TINY, TINY_JSON, Log, run_cli
from osgeo import gdal

from botaclip.backend.embed import embed_raster
from botaclip.backend.embed.at_points import embed_at_points, point_embedder
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.evaluate import (
    PointLayer,
    Source,
    compare,
    evaluate_sources,
    rank_biserial,
)
from botaclip.backend.evaluate.sources import embedder_source
from botaclip.backend.io.raster import raster_info, to_raster_crs
from botaclip.backend.progress import CancelFlag
from botaclip.backend.releves import read_releves
from botaclip.backend.train import train_model

pytestmark = pytest.mark.usefixtures("two_threads")

FAST = dict(folds=3, repeats=3, estimator="logistic", device="cpu")
DOFA = dict(backbone="dofa-custom", backbone_config=dict(TINY), weights="none")


@pytest.fixture(scope="module")
def demo(demo_2m):
    return demo_2m


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def bundle(demo, cache, tmp_path_factory):
    """A tiny BotaCLIP trained on the demo relevés (100 m patches, 2 epochs)."""
    out = tmp_path_factory.mktemp("model") / "model"
    with pytest.warns(UserWarning, match="RANDOM"):
        train_model(demo.orthophoto, demo.releves, out, patch_m=100.0, epochs=2, device="cpu",
                    cache_dir=cache, batch_size=64, precision="float32", **DOFA)
    return out


def _noise_source(dim=16):
    """Features that carry no information: random numbers, drawn afresh for every call."""
    rng = np.random.default_rng(123)

    def features(xs, ys, progress=None):
        return (rng.normal(size=(len(xs), dim)).astype("float32"),
                np.ones(len(xs), dtype=bool))

    return Source("noise", "pure noise", features, "random numbers", text="pure noise")


@pytest.fixture(scope="module")
def noise_run(demo, cache, tmp_path_factory):
    """The spectral baseline against pure noise on plant presence (6 taxa), butterfly
    occurrences (Boyce), soil abundance (MAE, Spearman) and butterfly habitats (classes)."""
    spectral = point_embedder(demo.orthophoto, backbone="spectral", patch_m=100.0,
                              cache_dir=cache)
    sources = [embedder_source("spectral", "spectral baseline", spectral, adapter=False,
                               description="band statistics", text="the spectral baseline"),
               _noise_source()]
    out = tmp_path_factory.mktemp("noise") / "report"
    log = Log()
    res = evaluate_sources(
        demo.orthophoto, demo.releves, out_dir=out, sources=sources, patch_m=100.0,
        max_taxa=6, background=300, progress=log,
        points=[PointLayer(str(demo.butterflies), None, "presence-only"),
                PointLayer(str(demo.soil), "bacterivores", "abundance"),
                PointLayer(str(demo.butterflies), "habitat", "classes")], **FAST)
    return res, log


# ------------------------------------------------------------------------ embedding at points

def test_embed_at_points_is_what_embed_writes(demo, bundle, tmp_path):
    """At the centre of an embedding raster's pixel, the vector is the raster's, for the
    bundle (adapter), its frozen backbone and the spectral baseline."""
    info = raster_info(demo.orthophoto)
    cases = [dict(model_dir=bundle), dict(model_dir=bundle, adapter=False),
             dict(backbone="spectral")]
    raster_kw = [dict(model=str(bundle)), dict(backbone="dofa-custom", weights="none",
                                               backbone_config=dict(TINY)),
                 dict(backbone="spectral")]
    for i, (kw, rkw) in enumerate(zip(cases, raster_kw)):
        out = tmp_path / f"emb{i}.tif"
        with warnings_ignored():
            embed_raster(demo.orthophoto, out, patch_m=100.0, stride_m=100.0, dtype="float32",
                         device="cpu", precision="float32", cache_dir=tmp_path / "state",
                         **rkw)
        ds = gdal.Open(str(out))
        arr, gt = ds.ReadAsArray(), ds.GetGeoTransform()
        rows, cols = np.array([0, 4, 9, 13, 19]), np.array([0, 7, 3, 19, 11])
        xs, ys = gt[0] + (cols + 0.5) * gt[1], gt[3] + (rows + 0.5) * gt[5]
        with warnings_ignored():
            f, valid = embed_at_points(demo.orthophoto, xs, ys, patch_m=100.0,
                                       cache_dir=False, precision="float32", **kw)
        assert valid.all() and f.shape == (5, arr.shape[0]), i
        np.testing.assert_allclose(f, arr[:, rows, cols].T, atol=1e-5)
    # no location, or a patch wholly outside the orthophoto: invalid, NaN
    xmin, ymin, xmax, ymax = info.bounds
    f, valid = embed_at_points(demo.orthophoto, [np.nan, xmax + 500.0, xmin + 300.0],
                               [ymin + 300.0, ymin + 300.0, ymin + 300.0],
                               backbone="spectral", cache_dir=False)
    assert valid.tolist() == [False, False, True]
    assert np.isnan(f[:2]).all() and np.isfinite(f[2]).all()


@contextlib.contextmanager
def warnings_ignored():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)        # tiny DOFA's random weights
        yield


def test_embed_at_points_reuses_the_training_features(demo, bundle, cache):
    """At the relevés, the frozen features come from training's cache entry (same precision
    as training, float32): nothing new is written to the cache, and they equal the features
    computed afresh."""
    rel = read_releves(demo.releves)
    xs, ys = to_raster_crs(raster_info(demo.orthophoto), rel.x, rel.y, rel.srs_wkt)
    before = sorted(p.name for p in cache.iterdir() if not p.name.startswith("_"))
    with warnings_ignored():
        cached, v1 = embed_at_points(demo.orthophoto, xs[:40], ys[:40], model_dir=bundle,
                                     adapter=False, cache_dir=cache, precision="float32")
        fresh, v2 = embed_at_points(demo.orthophoto, xs[:40], ys[:40], model_dir=bundle,
                                    adapter=False, cache_dir=False, precision="float32")
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith("_")) == before
    assert v1.all() and v2.all()
    np.testing.assert_allclose(cached, fresh, atol=1e-5)


# ------------------------------------------------------------------------------ statistics

def test_wilcoxon_and_effect_size_by_hand():
    # differences +0.12 -0.03 +0.11 +0.07 +0.08 +0.10 +0.09 +0.02 (no tie among |d|):
    # ranks of |d| 8 2 7 3 4 6 5 1, so R- = 2 and R+ = 34; r = (34 - 2) / 36. Exact
    # two-sided p: sign patterns with R+ <= 2 are {}, {1}, {2} (3 of 256), as many with
    # R+ >= 34, so p = 6 / 256.
    d = np.array([0.12, -0.03, 0.11, 0.07, 0.08, 0.10, 0.09, 0.02])
    b = np.linspace(0.4, 0.6, 8)
    c = compare(b + d, b)
    assert c.n_pairs == c.n_nonzero == 8
    assert c.p == pytest.approx(6 / 256) and c.method == "exact"
    assert c.statistic == pytest.approx(2.0)
    assert c.r == pytest.approx(32 / 36) == pytest.approx(rank_biserial(d))
    assert c.median_difference == pytest.approx(0.085)         # (0.08 + 0.09) / 2
    assert c.winner == "a"
    # the same scores as errors (lower is better): b wins, r changes sign
    e = compare(b + d, b, higher_better=False)
    assert e.winner == "b" and e.r == pytest.approx(-32 / 36) and e.p == pytest.approx(c.p)
    # zeros are dropped and NaN pairs left out; with fewer than 6 differences, no test
    few = compare([0.5, 0.6, 0.7, 0.8, 0.9, np.nan, 0.3], [0.4, 0.5, 0.6, 0.7, 0.9, 0.1, 0.3])
    assert (few.n_pairs, few.n_nonzero) == (6, 4)
    assert few.p is None and few.winner == "" and "only 4 of 6" in few.note
    assert few.r == pytest.approx(1.0)


# --------------------------------------------------------------------- the protocol, end to end

def test_informative_source_beats_noise(noise_run):
    res, _ = noise_run
    rep = json.loads(res.json_path.read_text())
    assert rep == res.report and rep["kind"] == "botaclip-evaluation"
    c = next(c for c in rep["comparisons"] if c["task"] == "plant_presence")
    # 9 folds: with every fold one way the exact two-sided p is 2 / 512
    assert (c["a"], c["b"], c["n_pairs"]) == ("noise", "spectral", 9)
    assert c["winner_key"] == "spectral" and c["p"] < 0.05 and c["r"] < -0.5
    assert c["sentence"].startswith("The spectral baseline beats pure noise for plant "
                                    "presence: median TSS ")
    assert "over 9 folds x 6 taxa on 300 plots, Wilcoxon p = " in c["sentence"]
    row = next(r for r in rep["table"] if r["task"] == "plant_presence")
    assert row["best"] == ["spectral"]
    # the noise's TSS is the best of many thresholds on random scores: above 0 by chance,
    # but far below a source that sees the habitats (the demo's taxa follow them)
    assert row["sources"]["spectral"]["median"] > row["sources"]["noise"]["median"] + 0.2
    assert res.sentences == rep["sentences"] and c["sentence"] in res.sentences


def test_every_source_and_task_has_its_fold_counts(noise_run, demo):
    res, _ = noise_run
    rep = res.report
    rows = {(r["task"], r["metric"]) for r in rep["table"]}
    assert rows == {("plant_presence", "tss"), ("butterflies_presence-only", "boyce"),
                    ("soil_abundance", "mae"), ("soil_abundance", "spearman"),
                    ("butterflies_classes", "macro_f1")}
    for r in rep["table"]:
        for key in ("spectral", "noise"):
            cell = r["sources"][key]
            assert cell["n_folds"] == 9 == len(cell["fold_scores"]), (r["task"], key)
            assert cell["q1"] <= cell["median"] <= cell["q3"]
        assert r["n_folds"] == 9 and r["n_targets"] >= 1 and r["n_points"] > 0
    tasks = {t["key"]: t for t in rep["tasks"]}
    assert tasks["plant_presence"]["n_points"] == 300 and len(tasks["plant_presence"]
                                                              ["targets"]) == 6
    assert len(tasks["plant_presence"]["folds"]) == 9
    for f in tasks["plant_presence"]["folds"]:
        assert f["n_test"] > 0 and f["n_train"] + f["n_test"] + f["n_buffer"] == 300
    # occurrences: 150 butterfly points and the 300 background points asked for
    bf = tasks["butterflies_presence-only"]
    assert bf["n_background"] == 300 and bf["n_points"] == 450
    assert rep["settings"]["buffer_m"] == 100.0 and rep["settings"]["block_m"] == 200.0
    assert {s["key"] for s in rep["sources"]} == {"spectral", "noise"}
    # one comparison per (task, metric) row: the two sources
    assert sorted((c["task"], c["metric"]) for c in rep["comparisons"]) == sorted(rows)
    # taxa kept: each has >= 10 presences and >= 10 absences in the 300 plots
    rel = read_releves(demo.releves)
    pres = (rel.values > 0).sum(axis=0)
    for t in tasks["plant_presence"]["targets"]:
        assert 10 <= pres[rel.taxa.index(t)] <= 290


class _Checker(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_html_is_well_formed_and_holds_the_table(noise_run):
    res, _ = noise_run
    page = res.html_path.read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert "<script" not in page and "src=" not in page        # self-contained
    assert page.count("<svg") == 5                               # one box plot per row
    table = re.search(r"<table>(.*?)</table>", page, re.S).group(1)
    rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert rows[0] == ["task", "metric", "spectral baseline", "pure noise",
                       "folds × targets", "points"]
    plant = next(r for r in rows if r[0] == "plant presence")
    med = res.report["table"][0]["sources"]["spectral"]["median"]
    assert plant[2].startswith(f"<b>{med:.3f}") and "<b>" not in plant[3]
    assert plant[4] == "9 × 6" and plant[5] == "300"
    for s in res.sentences:
        assert s.replace("'", "&#x27;") in page


def test_model_is_scored_only_on_plots_it_did_not_train_on(demo, bundle, cache, tmp_path):
    log = Log()
    with warnings_ignored():
        res = evaluate_sources(demo.orthophoto, demo.releves, out_dir=tmp_path / "r",
                               model=bundle, cache_dir=cache, min_presences=5, max_taxa=4,
                               precision="float32", progress=log, **FAST)
    rep = res.report
    assert [s["key"] for s in rep["sources"] if s["available"]] == ["spectral", "frozen",
                                                                    "botaclip"]
    # what the bundle recorded: roles by usable plot (all 300 demo plots are usable)
    split = json.loads((bundle / "report" / "report.json").read_text())["split"]
    rel = read_releves(demo.releves)
    x, y = to_raster_crs(raster_info(demo.orthophoto), rel.x, rel.y, rel.srs_wkt)
    train, val = np.array(split["train_idx"]), np.array(split["val_idx"])
    cheb = np.max(np.abs(np.stack([x, y], 1)[:, None] - np.stack([x, y], 1)[None, train]),
                  axis=2).min(axis=1)
    # seen: the patch (100 m, the buffer training used) overlaps a training plot's, or a
    # validation plot (chose the epoch)
    seen = (cheb < 100.0)
    seen[val] = True
    task = next(t for t in rep["tasks"] if t["key"] == "plant_presence")
    assert task["counts"]["seen_by_model"] == int(seen.sum()) > 200
    assert sorted(task["excluded_ids"]) == sorted(np.array(rel.plot_ids)[seen].tolist())
    assert task["n_points"] == 300 - int(seen.sum())
    assert set(np.array(split["test_idx"])) <= set(np.flatnonzero(~seen))   # kept
    assert rep["honesty"]["found"] and rep["honesty"]["warning"] == ""
    assert rep["honesty"]["roles"]["training"] == len(train)
    assert any(f"{int(seen.sum())} plots at or next to its" in m for m in rep["messages"])
    for c in rep["comparisons"]:
        assert f"on {300 - int(seen.sum())} plots" in c["sentence"]


def test_a_model_without_its_split_is_a_loud_warning(demo, bundle, cache, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(bundle, copy)
    shutil.rmtree(copy / "report")
    log = Log()
    with warnings_ignored():
        res = evaluate_sources(demo.orthophoto, demo.releves, out_dir=tmp_path / "r",
                               model=copy, cache_dir=cache, max_taxa=2, precision="float32",
                               progress=log, **FAST)
    w = res.report["honesty"]["warning"]
    assert w.startswith("WARNING: which plots the model") and "optimistic" in w
    assert w in log.warnings and w in res.messages
    assert 'class="warn"' in res.html_path.read_text()
    task = res.report["tasks"][0]
    assert task["n_points"] == 300 and "seen_by_model" not in task["counts"]


# ---------------------------------------------------------------------------- bad inputs

def test_no_taxon_frequent_enough_names_the_best(demo, cache, tmp_path):
    rel = read_releves(demo.releves)
    p = (rel.values > 0).sum(axis=0)
    best = int(np.minimum(p, len(p) and 300 - p).max())          # at most 150 of 300
    with pytest.raises(BotaclipError) as e:
        evaluate_sources(demo.orthophoto, demo.releves, out_dir=tmp_path / "r",
                         min_presences=200, backbone="spectral", cache_dir=cache, **FAST)
    msg = str(e.value)
    assert "No taxon has at least 200 presences and 200 absences among the 300 plots" in msg
    assert f"to at most {best}" in msg and "the best is '" in msg
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("kw, text", [
    (dict(ortho="missing.tif"), "does not exist"),
    (dict(min_presences=2), "--min-presences 2 is below the 3 folds"),
    (dict(estimator="svm"), "Unknown estimator 'svm'"),
    (dict(folds=1), "number of folds (--folds) must be a whole number of at least 2"),
    (dict(points="x.gpkg", task="counts"), "Unknown task 'counts'"),
])
def test_bad_arguments_are_refused_before_any_work(demo, tmp_path, kw, text):
    args = {**FAST, "backbone": "spectral", "cache_dir": False, **kw}
    ortho = args.pop("ortho", demo.orthophoto)
    if "ortho" in kw:
        ortho = tmp_path / ortho
    with pytest.raises(BotaclipError, match=re.escape(text)):
        evaluate_sources(ortho, demo.releves, out_dir=tmp_path / "r", **args)
    assert not (tmp_path / "r").exists()


def test_a_folder_of_the_users_is_kept(demo, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(BotaclipError, match="already exists and was not written by BotaCLIP"):
        evaluate_sources(demo.orthophoto, demo.releves, out_dir=folder, backbone="spectral",
                         cache_dir=False, **FAST)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("after", [20, 40])
def test_cancel_leaves_no_report(demo, cache, tmp_path, after):
    """Cancelled while reading the relevés (20th report) or cross-validating (40th of 53):
    stopped there, and no report, not even a partial one."""
    flag = CancelFlag(cancel_after_reports=after)
    with pytest.raises(Cancelled):
        evaluate_sources(demo.orthophoto, demo.releves, out_dir=tmp_path / "r",
                         backbone="spectral", cache_dir=cache, max_taxa=2, progress=flag,
                         **FAST)
    assert len(flag.fractions) == after and max(flag.fractions) < 1.0
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


# ----------------------------------------------------------------------------------- CLI

def test_cli_writes_both_files(demo, cache, tmp_path):
    out = tmp_path / "report"
    code, stdout, err = run_cli([
        "evaluate", "--ortho", str(demo.orthophoto), "--releves", str(demo.releves),
        "--points", str(demo.butterflies), "--target", "Parnassius apollo",
        "--backbone", "dofa-custom", "--backbone-config", TINY_JSON, "--weights", "none",
        "--repeats", "2", "--folds", "3", "--estimator", "logistic", "--max-taxa", "2",
        "--device", "cpu", "--precision", "float32", "--batch-size", "64", "--cache-dir",
        str(cache), "--out", str(out), "--quiet"])
    assert code == 0, err
    assert (out / "evaluation.json").exists() and (out / "report.html").exists()
    rep = json.loads((out / "evaluation.json").read_text())
    assert [t["key"] for t in rep["tasks"]] == ["plant_presence", "butterflies_presence"]
    assert rep["settings"]["folds"] == 3 and rep["settings"]["repeats"] == 2
    assert "BotaCLIP: not evaluated (no model given" in stdout
    assert "for plant presence: median TSS" in stdout
    assert "for butterflies (presence/absence): median TSS" in stdout
    assert f"report: {out / 'report.html'}" in stdout
    # run again: the folder is ours, replaced without --overwrite
    code, _, err = run_cli(["evaluate", "--ortho", str(demo.orthophoto), "--releves",
                            str(demo.releves), "--backbone", "spectral", "--folds", "3",
                            "--repeats", "1", "--estimator", "logistic", "--max-taxa", "1",
                            "--cache-dir", str(cache), "--out", str(out), "--quiet"])
    assert code == 0, err
    assert "Only one source was evaluated" in (out / "report.html").read_text()


def test_cli_errors_are_messages(demo, tmp_path):
    code, _, err = run_cli(["evaluate", "--ortho", str(tmp_path / "none.tif"), "--releves",
                            str(demo.releves), "--out", str(tmp_path / "r")])
    assert code == 2 and "botaclip: error: The raster" in err and "does not exist" in err
    code, _, err = run_cli(["evaluate", "--ortho", str(demo.orthophoto), "--releves",
                            str(demo.releves), "--target", "x", "--out", str(tmp_path / "r")])
    assert code == 2 and "--target goes with --points" in err


def test_sources_without_weights_are_skipped_with_the_reason(demo, cache, tmp_path,
                                                            monkeypatch):
    monkeypatch.setenv("BOTACLIP_WEIGHTS_DIR", str(tmp_path / "no-weights"))
    res = evaluate_sources(demo.orthophoto, demo.releves, out_dir=tmp_path / "r",
                           cache_dir=cache, max_taxa=1, **FAST)
    frozen = next(s for s in res.report["sources"] if s["key"] == "frozen")
    assert not frozen["available"] and "No dofa-base weights found" in frozen["skipped"]
    assert "--weights PATH" in frozen["skipped"]
    cells = res.report["table"][0]["sources"]
    assert cells["frozen"]["n_folds"] == 0 and "No dofa-base weights" in cells["frozen"][
        "skipped"]
    assert res.report["comparisons"] == [] and res.sentences == []


def test_a_long_task_says_how_long_before_the_rest():
    """Evaluate's own estimate (the per-cross-validation one is muted): the first target's
    seconds times the number of targets, said only past a minute (the maps' rule)."""
    from types import SimpleNamespace

    from botaclip.backend.evaluate.protocol import CvSettings, announce_task

    task = SimpleNamespace(label="plant presence", targets=list(range(54)))
    settings = CvSettings(5, 5, 200.0, 100.0, "rf", 0)
    quick, slow = Log(), Log()
    announce_task(task, ["spectral", "botaclip"], settings, 1.0, quick)      # 54 s in all
    announce_task(task, ["spectral", "botaclip"], settings, 5.0, slow)       # 270 s
    assert quick.infos == []
    assert slow.infos == ["plant presence: about 4.5 min (54 targets x 2 sources x 25 folds)."]
