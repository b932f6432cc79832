"""Saved predictors (backend/maps/safe_store.py, predictor.py, apply.py), `botaclip predict
--save-model` and `botaclip apply`, on real scikit-learn models and small GDAL rasters.

The raster: 24 x 24 pixels of 10 m (EPSG:2154), 4 bands, three habitats by column: columns
< 8 near (1, 0, 0, 0), 8-15 near (0, 1, 0, 0), >= 16 near (0, 0, 1, 0), noise sd 0.05; pixel
(0, 23) is nodata. Points at every second pixel centre (12 x 12 = 144), ``present`` in the
first habitat, ``habitat`` naming the three, ``cover`` 3, 1, 2 in them.
"""

import io
import json
import os
import sys
import warnings
import zipfile

import numpy as np
import pytest
from helpers import epsg, run_cli, write_embedding, write_points
from osgeo import gdal, ogr

from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.maps.applicability import fit_aoa
from botaclip.backend.maps.apply import apply_predictor
from botaclip.backend.maps.estimators import ESTIMATORS, fit_estimator, make_estimator
from botaclip.backend.maps.predictor import (
    DOCUMENT,
    ColumnStack,
    SavedPredictor,
    check_compatible,
    load_predictor,
    save_predictor,
)
from botaclip.backend.maps.safe_store import ALLOWED, decode, encode
from botaclip.backend.progress import CancelFlag

N, PIX, X0, Y0 = 24, 10.0, 900000.0, 6500240.0
HABITATS = ("wet", "dry", "rock")
SHA_A, SHA_B = "a" * 64, "b" * 64
TAGS = {"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "4", "BOTACLIP_BACKBONE": "dofa-small",
        "BOTACLIP_WEIGHTS_SHA256": "c" * 64, "BOTACLIP_MODEL_SHA256": SHA_A,
        "BOTACLIP_SETTINGS": json.dumps({"patch_m": 10.0})}


# ------------------------------------------------------------------------------ data

def _habitat(c):
    return 0 if c < 8 else (1 if c < 16 else 2)


def _embedding(path, tags=TAGS, bands=4):
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(bands, N, N)).astype(np.float32)
    for c in range(N):
        f[_habitat(c) % bands, :, c] += 1.0
    f[:, 0, N - 1] = np.nan
    return write_embedding(path, np.moveaxis(f, 0, -1), origin=(X0, Y0), pixel=PIX,
                           srs=epsg(), tags=tags)


def _points(path):
    cells = [(r, c) for r in range(0, N, 2) for c in range(0, N, 2)]
    h = [_habitat(c) for _, c in cells]
    return write_points(path, epsg(), [X0 + (c + 0.5) * PIX for _, c in cells],
                        [Y0 - (r + 0.5) * PIX for r, _ in cells],
                        {"present": (ogr.OFTInteger, [int(k == 0) for k in h]),
                         "habitat": (ogr.OFTString, [HABITATS[k] for k in h]),
                         "cover": (ogr.OFTReal, [(3.0, 1.0, 2.0)[k] for k in h])})


def _read(path):
    ds = gdal.Open(str(path))
    names = [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)]
    return ds.ReadAsArray(), names, ds.GetMetadata()


# ------------------------------------------------------------------------------ round trips

def _fitted(name, task, x, y, seed=0):
    m = make_estimator(name, task, seed=seed, n_classes=3 if task == "classes" else None)
    if name == "rf":
        m.set_params(n_estimators=20)       # the same classes as 500 trees, in a tenth of the time
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # an MLP stopping early on 150 points says so
        return fit_estimator(m, x, y, task)


def _data(task):
    """150 random points of 6 features and the target(s) of ``task``."""
    x = np.random.default_rng(1).normal(size=(150, 6)).astype(np.float32)
    if task == "presence":
        return x, [(x[:, 0] > 0).astype(int)]
    if task == "classes":
        return x, [np.digitize(x[:, 0], [-0.4, 0.4])]        # 3 classes of about 50 points
    return x, [2.0 * x[:, 1] + 1.0, x[:, 2] - x[:, 3]]


def _predictor(name, task):
    """A SavedPredictor of ``name`` for ``task`` on :func:`_data`: the final model, two fold
    models (each half) and the area of applicability; abundance predicts two targets
    through a ColumnStack."""
    x, ys = _data(task)

    def model(rows):
        ms = [_fitted(name, task, x[rows], y[rows]) for y in ys]
        return ColumnStack(ms) if task == "abundance" else ms[0]

    halves = [np.arange(0, 150, 2), np.arange(1, 150, 2)]
    p = SavedPredictor(task=task, estimator=name, target_names=["a", "b"][:len(ys)],
                       final_model=model(np.arange(150)), fold_models=[model(h) for h in halves],
                       aoa=fit_aoa(x), class_names=list(HABITATS) if task == "classes" else None,
                       embedding={"source": "emb.tif", "bands": 6, "dim": "6",
                                  "provenance": {"BOTACLIP_MODEL_SHA256": SHA_A}},
                       metrics={"a": {"auc": 0.9, "counts": {"used": 150}}}, points="pts.gpkg")
    return p, x


def _outputs(model, x, task):
    if task == "abundance":
        return [model.predict(x)]
    return [model.predict_proba(x), model.predict(x)]


@pytest.mark.parametrize("task", ["presence", "classes", "abundance"])
@pytest.mark.parametrize("name", ESTIMATORS)
def test_round_trip_gives_identical_predictions(tmp_path, name, task):
    p, x = _predictor(name, task)
    path = save_predictor(tmp_path / "p.zip", p)
    q = load_predictor(path)
    new = np.random.default_rng(2).normal(size=(40, 6)).astype(np.float32)
    for a, b in zip([p.final_model] + p.fold_models, [q.final_model] + q.fold_models):
        for xx in (x, new):
            for u, v in zip(_outputs(a, xx, task), _outputs(b, xx, task)):
                assert u.dtype == v.dtype and np.array_equal(u, v)     # bit for bit
    assert np.array_equal(p.aoa.di(new), q.aoa.di(new)) and q.aoa.threshold == p.aoa.threshold
    assert (q.task, q.estimator, q.target_names, q.class_names, q.classes) == \
        (p.task, p.estimator, p.target_names, p.class_names, p.classes)
    assert (q.embedding, q.metrics, q.points, q.software, q.created) == \
        (p.embedding, p.metrics, p.points, p.software, p.created)
    assert q.warnings == [] and q.path == path


def test_the_allowlist_is_what_fitting_makes():
    # every class in the fitted graphs is allowlisted (encode refuses any other) and every
    # allowlisted class is met: the list holds nothing that no estimator needs
    seen = set()
    for name in ESTIMATORS:
        for task in ("presence", "classes", "abundance"):
            x, ys = _data(task)
            tree, _ = encode(_fitted(name, task, x, ys[0]))
            seen |= {n["class"] for n in _nodes(tree) if "class" in n}
    assert seen == set(ALLOWED)


def _nodes(tree):
    if isinstance(tree, dict):
        yield tree
        for v in tree.values():
            yield from _nodes(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _nodes(v)


def test_values_round_trip():
    # the leaves the module docstring lists, NaN and infinities included; a dict with an int
    # key or a "$" key, a structured array, numpy scalars and dtypes
    rec = np.zeros(3, dtype=[("a", "<i8"), ("b", "<f8"), ("c", "u1")])
    rec["b"] = [np.nan, np.inf, 1.5]
    obj = {"f": [np.nan, -np.inf, 0.1], "t": (1, "x", None, True), "d": {1: "one", "$": 2},
           "rec": rec, "s": [np.float32(0.1), np.int64(-3), np.uint64(2 ** 64 - 1),
                             np.bool_(True)], "dt": np.dtype("<u4"),
           "rng": np.random.RandomState(5)}
    tree, arrays = encode(obj)
    json.dumps(tree, allow_nan=False)           # JSON as it is, no NaN in the text
    back = decode(json.loads(json.dumps(tree)), arrays)
    assert np.isnan(back["f"][0]) and back["f"][1:] == [-np.inf, 0.1]
    assert back["t"] == (1, "x", None, True) and back["d"] == {1: "one", "$": 2}
    assert back["rec"].dtype == rec.dtype and back["rec"].tobytes() == rec.tobytes()
    assert [type(v) for v in back["s"]] == [np.float32, np.int64, np.uint64, np.bool_]
    assert back["s"][0] == np.float32(0.1) and back["s"][2] == np.uint64(2 ** 64 - 1)
    assert back["dt"] == np.dtype("<u4")
    assert isinstance(back["rng"], np.random.RandomState)


@pytest.mark.parametrize("value, what", [(object(), "builtins:object"),
                                         (np.array([1, "a"], dtype=object), "Python objects"),
                                         (b"bytes", "builtins:bytes"),
                                         ({(1, 2): 3}, "dictionary key")])
def test_what_cannot_be_saved_is_named(value, what):
    with pytest.raises(BotaclipError, match="Cannot save the predictor") as e:
        encode({"x": [value]})
    assert what in str(e.value) and "x[0]" in str(e.value)


# ------------------------------------------------------------------------------ hostile files

def _write_zip(path, doc, members=()):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(DOCUMENT, json.dumps(doc))
        for name, data in members:
            zf.writestr(name, data)
    return path


def _doc(final):
    return {"kind": "botaclip-predictor", "format_version": 1, "n_arrays": 0,
            "created": "2024-01-01T00:00:00+00:00", "software": {}, "task": "presence",
            "estimator": "rf", "target_names": ["a"], "class_names": None, "points": "",
            "embedding": {}, "metrics": {}, "models": {"final": {"model": final}, "folds": [],
                                                         "aoa": None}}


def test_a_class_not_allowlisted_is_refused_without_running_it(tmp_path, monkeypatch):
    mark = tmp_path / "ran"
    # a module that, imported, would leave a mark: proof that nothing was imported
    (tmp_path / "botaclip_trap.py").write_text(
        f"open({str(mark)!r}, 'w').close()\nclass Trap:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    attacks = [{"$": "reduce", "class": "os:system", "args": [f"touch {mark}"], "state": None},
               {"$": "object", "class": "botaclip_trap:Trap", "state": None},
               {"$": "cython", "class": "builtins:eval", "state": [f"open('{mark}','w')"]}]
    for i, attack in enumerate(attacks):
        path = _write_zip(tmp_path / f"evil{i}.zip", _doc(attack))
        with pytest.raises(BotaclipError, match="refused without loading or running") as e:
            load_predictor(path)
        assert attack["class"] in str(e.value) and str(path) in str(e.value)
    assert not mark.exists() and "botaclip_trap" not in sys.modules


class _Payload:
    """Pickled, this object is rebuilt by calling ``Path(mark).touch()``."""

    def __init__(self, mark):
        self.mark = mark

    def __reduce__(self):
        return (self.mark.touch, ())


def test_a_pickled_array_is_refused_without_running_it(tmp_path):
    mark = tmp_path / "ran"
    buf = io.BytesIO()
    np.save(buf, np.array([_Payload(mark)], dtype=object), allow_pickle=True)
    np.load(io.BytesIO(buf.getvalue()), allow_pickle=True)      # pickle runs the payload...
    assert mark.exists()
    mark.unlink()
    doc = _doc({"$": "array", "index": 0})
    doc["n_arrays"] = 1
    path = _write_zip(tmp_path / "pickled.zip", doc, [("arrays/0.npy", buf.getvalue())])
    with pytest.raises(BotaclipError, match="only pickle can read") as e:
        load_predictor(path)                                  # ... this never does
    assert "arrays/0.npy" in str(e.value) and not mark.exists()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    p, _ = _predictor("logistic", "presence")
    return save_predictor(tmp_path_factory.mktemp("saved") / "p.zip", p)


def _rewrite(src, dst, change=None, drop=None):
    """A copy of the saved predictor ``src`` with its document changed by ``change`` and
    the member ``drop`` left out."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == DOCUMENT and change:
                doc = json.loads(data)
                change(doc)
                data = json.dumps(doc)
            if item.filename != drop:
                zout.writestr(item, data)
    return dst


def test_files_that_are_not_predictors_are_refused_clearly(saved, tmp_path):
    (tmp_path / "notes.zip").write_text("my notes")
    with pytest.raises(BotaclipError, match="not a zip file"):
        load_predictor(tmp_path / "notes.zip")
    with pytest.raises(BotaclipError, match="does not exist"):
        load_predictor(tmp_path / "missing.zip")
    other = _rewrite(saved, tmp_path / "other.zip", lambda d: d.update(kind="something"))
    with pytest.raises(BotaclipError, match="'something', not 'botaclip-predictor'"):
        load_predictor(other)
    newer = _rewrite(saved, tmp_path / "newer.zip", lambda d: d.update(format_version=2))
    with pytest.raises(BotaclipError, match="newer BotaCLIP .format 2"):
        load_predictor(newer)
    short = _rewrite(saved, tmp_path / "short.zip", drop="arrays/1.npy")
    with pytest.raises(BotaclipError, match="incomplete: arrays/1.npy is missing"):
        load_predictor(short)


def test_another_scikit_learn_version_warns(saved, tmp_path):
    def older(doc):
        doc["software"]["scikit-learn"] = "0.0.1"
    q = load_predictor(_rewrite(saved, tmp_path / "old.zip", older))
    assert len(q.warnings) == 1 and "scikit-learn 0.0.1" in q.warnings[0]
    assert q.final_model.predict_proba(np.zeros((1, 6), np.float32)).shape == (1, 2)


def test_save_replaces_only_its_own_files(saved, tmp_path):
    p = load_predictor(saved)
    foreign = tmp_path / "notes.zip"
    foreign.write_text("my notes")
    with pytest.raises(BotaclipError, match="not written by BotaCLIP"):
        save_predictor(foreign, p)
    assert foreign.read_text() == "my notes"
    save_predictor(foreign, p, overwrite=True)
    save_predictor(foreign, p)                      # ours now: replaced without overwrite
    assert load_predictor(foreign).task == "presence"
    assert sorted(os.listdir(tmp_path)) == ["notes.zip"]     # no temporary left


# ------------------------------------------------------------------------------ compatible

def _with_embedding(p, **provenance):
    p.embedding = {"source": "emb.tif", "bands": 4, "dim": "4", "provenance": provenance}
    return p


def test_check_compatible(tmp_path):
    p, _ = _predictor("logistic", "presence")
    same = {k: v for k, v in TAGS.items() if k.endswith(("SHA256", "BACKBONE", "DIM"))}
    _with_embedding(p, **same)
    assert check_compatible(p, _embedding(tmp_path / "a.tif")) == []
    other = _embedding(tmp_path / "b.tif", {**TAGS, "BOTACLIP_MODEL_SHA256": SHA_B})
    with pytest.raises(BotaclipError, match=f"model sha256 {SHA_A}.*model sha256 {SHA_B}"):
        check_compatible(p, other)
    backbone = _embedding(tmp_path / "c.tif", {**TAGS, "BOTACLIP_BACKBONE": "timm:resnet"})
    with pytest.raises(BotaclipError, match=r"differ in backbone\)"):
        check_compatible(p, backbone)
    untagged = check_compatible(p, _embedding(tmp_path / "d.tif", tags=None))
    assert len(untagged) == 1 and "no BotaCLIP provenance tags" in untagged[0]
    with pytest.raises(BotaclipError, match="of 4 bands.*has 3 bands"):
        check_compatible(p, _embedding(tmp_path / "e.tif", bands=3))
    _with_embedding(p)                               # fitted on a raster without provenance
    assert "without provenance tags" in check_compatible(p, tmp_path / "a.tif")[0]


# ------------------------------------------------------------------------------ CLI

@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("maps_saved")
    return tmp, _embedding(tmp / "emb.tif"), _points(tmp / "pts.gpkg")


@pytest.fixture(scope="module")
def predicted(scene):
    """`botaclip predict --save-model` with the default estimator (a forest of 500 trees)."""
    tmp, emb, pts = scene
    rc, stdout, stderr = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target",
                                  "present", "--folds", 3, "--save-model", tmp / "p.zip",
                                  "--out", tmp / "pred.tif", "--quiet"])
    assert rc == 0, stderr
    return tmp / "p.zip", tmp / "pred.tif", stdout


def test_predict_saves_and_apply_remakes_the_same_map(scene, predicted):
    tmp, emb, _ = scene
    model, pred, stdout = predicted
    assert f"predictor: {model}" in stdout
    rc, out, err = run_cli(["apply", "--predictor", model, "--embeddings", emb,
                            "--out", tmp / "applied.tif", "--quiet"])
    assert rc == 0 and "WARNING" not in err, err
    a, names_a, tags_a = _read(pred)
    b, names_b, tags_b = _read(tmp / "applied.tif")
    assert names_b == names_a == ["probability_present", "uncertainty_present",
                                  "applicability"]
    np.testing.assert_array_equal(b, a)              # every band, NaN where NaN
    assert np.isnan(a[:, 0, N - 1]).all()            # the nodata pixel stays nodata
    assert tags_b.pop("BOTACLIP_PREDICTOR") == str(model)
    for t in (tags_a, tags_b):
        t.pop("BOTACLIP_CREATED")
    assert tags_b == tags_a
    assert f"{N * N - 1} predicted, 1 nodata" in out


def test_apply_to_another_model_is_refused(scene, predicted):
    tmp, _, _ = scene
    other = _embedding(tmp / "other.tif", {**TAGS, "BOTACLIP_MODEL_SHA256": SHA_B})
    rc, _, err = run_cli(["apply", "--predictor", predicted[0], "--embeddings", other,
                          "--out", tmp / "x.tif", "--quiet"])
    assert rc == 2 and SHA_A in err and SHA_B in err and "Traceback" not in err
    assert not (tmp / "x.tif").exists()


def test_apply_to_a_raster_without_tags_works_and_warns(scene, predicted):
    tmp, _, _ = scene
    plain = _embedding(tmp / "plain.tif", tags=None)       # the same pixels, no tags
    rc, _, err = run_cli(["apply", "--predictor", predicted[0], "--embeddings", plain,
                          "--out", tmp / "plain_pred.tif", "--quiet"])
    assert rc == 0 and "WARNING" in err and "no BotaCLIP provenance tags" in err
    np.testing.assert_array_equal(_read(tmp / "plain_pred.tif")[0], _read(predicted[1])[0])


def test_apply_with_other_band_count_is_refused(scene, predicted):
    tmp, _, _ = scene
    three = _embedding(tmp / "three.tif", {**TAGS, "BOTACLIP_DIM": "3"}, bands=3)
    rc, _, err = run_cli(["apply", "--predictor", predicted[0], "--embeddings", three,
                          "--out", tmp / "y.tif", "--quiet"])
    assert rc == 2 and "of 4 bands" in err and "has 3 bands" in err
    assert not (tmp / "y.tif").exists()


def test_a_classes_map_is_remade_the_same(scene):
    # three classes named by text: class names, class band and tags come back through apply
    tmp, emb, pts = scene
    rc, _, err = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target", "habitat",
                          "--task", "classes", "--estimator", "logistic", "--folds", 3,
                          "--save-model", tmp / "cls.zip", "--out", tmp / "cls.tif", "--quiet"])
    assert rc == 0, err
    rc, _, err = run_cli(["apply", "--predictor", tmp / "cls.zip", "--embeddings", emb,
                          "--out", tmp / "cls_applied.tif", "--quiet"])
    assert rc == 0, err
    a, names_a, tags_a = _read(tmp / "cls.tif")
    b, names_b, tags_b = _read(tmp / "cls_applied.tif")
    # 3 probabilities, the class, the uncertainty and the applicability
    assert names_b == names_a and len(names_a) == 3 + 1 + 1 + 1
    np.testing.assert_array_equal(b, a)
    for t in (tags_a, tags_b):
        t.pop("BOTACLIP_CREATED")
    tags_b.pop("BOTACLIP_PREDICTOR")
    assert tags_b == tags_a and "dry" in tags_a["BOTACLIP_CLASS_NAMES"]
    # the habitats are columns 0-7, 8-15, 16-23 and 1.41 apart in feature space (noise sd
    # 0.05): the class band is the habitat at almost every pixel; 0.95 leaves the borders.
    # Class codes follow the names in alphabetical order: dry 0, rock 1, wet 2.
    code = np.array([sorted(HABITATS).index(HABITATS[_habitat(c)]) for c in range(N)])
    assert names_a[:3] == ["probability_dry", "probability_rock", "probability_wet"]
    assert np.mean(a[3, 1:, :] == code[None, :]) > 0.95


def test_foreign_file_at_save_model_refused_before_work(scene):
    tmp, emb, pts = scene
    (tmp / "notes.zip").write_text("my notes")
    rc, _, err = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target", "present",
                          "--save-model", tmp / "notes.zip", "--out", tmp / "z.tif", "--quiet"])
    assert rc == 2 and "notes.zip" in err and "not written by BotaCLIP" in err
    assert (tmp / "notes.zip").read_text() == "my notes" and not (tmp / "z.tif").exists()
    rc, _, err = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target", "present",
                          "--save-model", tmp / "z.tif", "--out", tmp / "z.tif", "--quiet"])
    assert rc == 2 and "same file" in err and not (tmp / "z.tif").exists()


def test_cancelled_or_failed_apply_leaves_nothing(scene, predicted, tmp_path):
    _, emb, _ = scene
    with pytest.raises(Cancelled):
        apply_predictor(predicted[0], emb, tmp_path / "c.tif",
                        progress=CancelFlag(cancel_after_reports=2))
    with pytest.raises(BotaclipError, match="has 3 bands"):
        apply_predictor(predicted[0], _embedding(tmp_path / "three.tif", bands=3),
                        tmp_path / "f.tif")
    assert sorted(os.listdir(tmp_path)) == ["three.tif"]
