"""`predict_map` (backend/maps/pipeline.py) and `botaclip predict`, end to end on a small
embedding raster and point layer written here.

The raster: 40 x 40 pixels of 10 m (EPSG:2154), 4 bands. Columns < 20 are habitat A (bands
near (1, 0, 0, 0)), columns >= 20 habitat B (near (0, 1, 0, 0)), noise sd 0.05 per band; the
corner rows >= 30 and columns >= 30 is a third kind, (5, 5, 5, 5), that no point samples.
Points sit at the centres of every second pixel outside that corner (20 x 20 - 5 x 5 = 375),
present exactly in habitat A (columns < 20), with an abundance field ``cover`` (3 in A, 1 in B).
"""

import json

import numpy as np
import pytest
from helpers import epsg, run_cli, write_embedding, write_points
from osgeo import gdal, ogr

from botaclip.backend.maps.pipeline import ColumnStack, default_geometry, predict_map

pytestmark = pytest.mark.usefixtures("two_threads")

N, PIX, X0, Y0 = 40, 10.0, 900000.0, 6500400.0
CORNER = 30


def _features():
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(N, N, 4)).astype(np.float32)
    f[:, :20, 0] += 1.0
    f[:, 20:, 1] += 1.0
    f[CORNER:, CORNER:, :] = 5.0
    return f


def _raster(path):
    return write_embedding(path, _features(), origin=(X0, Y0), pixel=PIX, srs=epsg(),
                           tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "4",
                                 "BOTACLIP_SETTINGS": json.dumps({"patch_m": 10.0})})


def _points(path, presence):
    """A GeoPackage of the 375 points with the integer field ``present`` = presence(col)."""
    cells = [(r, c) for r in range(0, N, 2) for c in range(0, N, 2)
             if not (r >= CORNER and c >= CORNER)]
    return write_points(path, epsg(), [X0 + (c + 0.5) * PIX for _, c in cells],
                        [Y0 - (r + 0.5) * PIX for r, _ in cells],
                        {"present": (ogr.OFTInteger, [int(presence(r, c)) for r, c in cells]),
                         "cover": (ogr.OFTReal, [3.0 if c < 20 else 1.0 for _, c in cells])})


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("maps_pipeline")
    return tmp, _raster(tmp / "emb.tif"), _points(tmp / "pts.gpkg", lambda r, c: c < 20)


@pytest.fixture(scope="module")
def predicted(scene):
    tmp, emb, pts = scene
    out = tmp / "pred.tif"
    rc, stdout, stderr = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target",
                                  "present", "--folds", 3, "--report", tmp / "rep", "--out", out,
                                  "--quiet"])
    return rc, stdout, stderr, out, tmp / "rep" / "metrics.json"


def test_cli_writes_the_map_and_summary(predicted):
    rc, stdout, stderr, out, _ = predicted
    assert rc == 0, stderr
    assert "375 with an embedding" in stdout and str(out) in stdout
    ds = gdal.Open(str(out))
    assert ds.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"
    names = [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)]
    assert names == ["probability_present", "uncertainty_present", "applicability"]


def test_map_follows_habitat_a_and_aoa_marks_the_third_kind(predicted):
    *_, out, _ = predicted
    a = gdal.Open(str(out)).ReadAsArray()               # (3, 40, 40)
    prob, aoa = a[0], a[2]
    # A and B are 1.41 apart in feature space with noise sd 0.05 per band (a mix-up needs
    # noise of about 0.7 = 14 sd): the classes separate perfectly, so the forest gives about
    # 1 over A and 0 over B; 0.6 leaves room for the forest's smoothing.
    a_mean = prob[:CORNER, :20].mean()
    b_mean = prob[:CORNER, 20:CORNER].mean()
    assert a_mean - b_mean > 0.6
    # training bands 0 and 1 have sd about 0.5 (half the points at 1, half at 0), bands 2-3
    # sd 0.05; the corner (5, 5, 5, 5) is then >= 8 sd from every training point in bands 0-1
    # and ~100 sd in bands 2-3, while training points are about 2-3 scaled units apart: its
    # DI is tens of mean distances, the whisker under 1: every corner pixel extrapolates.
    assert (aoa[CORNER:, CORNER:] == 0).all()
    # pixels of A and B are drawn like the training points: a pixel's DI exceeds the whisker
    # about as rarely as a training point's (a few per cent at most), so > 90 % are inside.
    assert aoa[:CORNER, :].mean() > 0.9


def test_metrics_json_has_the_issues_keys(predicted):
    *_, path = predicted
    doc = json.loads(path.read_text())
    m = doc["targets"]["present"]
    for k in ("auc", "tss", "tss_threshold", "f1", "sensitivity", "specificity", "folds",
              "counts"):
        assert k in m
    # perfectly separable habitats (see above): out-of-fold AUC near 1; 0.9 is a wide margin
    assert m["auc"] > 0.9
    assert len(m["folds"]) == 3 and m["counts"]["used"] == 375
    # presences: columns 0, 2, ..., 18 (10 of 20) over 20 rows = 200; the other 175 absent
    assert m["n_presences"] == 200 and m["n_absences"] == 175


def test_missing_field_exit_2(scene):
    tmp, emb, pts = scene
    rc, _, err = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target", "nope",
                          "--out", tmp / "x.tif", "--quiet"])
    assert rc == 2 and "'nope'" in err and "present" in err and "Traceback" not in err


def test_too_few_presences_exit_2(scene):
    tmp, emb, _ = scene
    pts = _points(tmp / "few.gpkg", lambda r, c: r == 0 and c < 6)   # 3 presences
    rc, _, err = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target", "present",
                          "--folds", 5, "--out", tmp / "y.tif", "--quiet"])
    assert rc == 2 and "Only 3 presences" in err and "Traceback" not in err
    assert not (tmp / "y.tif").exists()


def test_abundance_two_targets_and_defaults(scene):
    tmp, emb, pts = scene
    # two abundance fields in one map (the ColumnStack path); the tags' patch_m (10) is the
    # buffer and the blocks are max(5 pixels = 50, 2 * 10) = 50 m
    res = predict_map(emb, pts, "present,cover", tmp / "ab.tif", task="abundance",
                      estimator="rf", folds=3)
    assert res.raster.bands == ["abundance_present", "abundance_cover", "uncertainty_present",
                                "uncertainty_cover", "applicability"]
    assert res.buffer_m == 10.0 and res.block_m == 50.0
    cover = gdal.Open(str(res.out)).ReadAsArray()[1]
    # cover is 3 over A and 1 over B, perfectly separable: the forest's means differ by
    # about 2; 1.5 leaves room for smoothing
    assert cover[:CORNER, :20].mean() - cover[:CORNER, 20:CORNER].mean() > 1.5
    # out-of-fold MAE near 0 for separable habitats; 0.5 is a quarter of the 3 - 1 gap
    assert set(res.metrics) == {"present", "cover"} and res.metrics["cover"]["mae"] < 0.5


def test_default_geometry():
    class Info:
        pixel_size = (10.0, 10.0)
    # patch 100 m from the tags: buffer 100, blocks max(5 * 10, 2 * 100) = 200
    assert default_geometry(Info, {"BOTACLIP_SETTINGS": {"patch_m": 100}}, None, None)[:2] \
        == (200.0, 100.0)
    # no tags: buffer one pixel (10), blocks max(50, 20) = 50
    assert default_geometry(Info, {}, None, None)[:2] == (50.0, 10.0)


def test_column_stack():
    class M:
        n_features_in_ = 2

        def __init__(self, k):
            self.k = k

        def predict(self, x):
            return np.full(len(x), self.k)
    s = ColumnStack([M(1), M(2)])
    assert s.n_features_in_ == 2 and s.predict(np.zeros((3, 2))).tolist() == [[1, 2]] * 3


def test_foreign_metrics_file_refused_before_work(scene):
    tmp, emb, pts = scene
    rep = tmp / "foreign"
    rep.mkdir()
    (rep / "metrics.json").write_text("my notes")
    rc, _, err = run_cli(["predict", "--embeddings", emb, "--points", pts, "--target", "present",
                          "--report", rep, "--out", tmp / "z.tif", "--quiet"])
    assert rc == 2 and "metrics.json" in err and "Traceback" not in err
    assert (rep / "metrics.json").read_text() == "my notes" and not (tmp / "z.tif").exists()
