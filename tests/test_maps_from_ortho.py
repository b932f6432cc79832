"""`botaclip predict --ortho RASTER --model MODEL_DIR` (backend/maps/from_ortho.py): the
orthophoto embedded on the way beside the map, the features at the points computed exactly,
the embedding raster reused by a second run, and the two ways of giving embeddings kept
apart. On the 2 km demo landscape at 2 m pixels with a tiny BotaCLIP (2 epochs) and a
100 m stride, so the embedding raster is 20 x 20 pixels.
"""

import os

import numpy as np
import pytest
from helpers import TINY, run_cli
from osgeo import gdal

from botaclip.backend.embed.at_points import embed_at_points
from botaclip.backend.maps.from_ortho import embeddings_beside, exact_features, reusable
from botaclip.backend.maps.points import features_at_points
from botaclip.backend.train import train_model

pytestmark = pytest.mark.usefixtures("two_threads")


@pytest.fixture(scope="module")
def demo(demo_2m):
    return demo_2m


@pytest.fixture(scope="module")
def bundle(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "model"
    with pytest.warns(UserWarning, match="RANDOM"):
        train_model(demo.orthophoto, demo.releves, out, patch_m=100.0, epochs=2, device="cpu",
                    cache_dir=tmp_path_factory.mktemp("cache"), batch_size=64,
                    precision="float32", backbone="dofa-custom", backbone_config=dict(TINY),
                    weights="none")
    return out


@pytest.fixture(scope="module")
def predicted(demo, bundle, tmp_path_factory):
    out = tmp_path_factory.mktemp("pred") / "habitat.tif"
    argv = ["predict", "--ortho", str(demo.orthophoto), "--model", str(bundle),
            "--stride-m", "100", "--points", str(demo.butterflies), "--target", "habitat",
            "--task", "classes", "--estimator", "logistic", "--folds", "3", "--out", str(out)]
    rc, text, err = run_cli(argv)
    assert rc == 0, err
    return out, argv, text


def test_map_and_kept_embeddings_beside_it(predicted):
    out, _, text = predicted
    emb = embeddings_beside(out)
    assert emb.name == "habitat.embeddings.tif" and emb.exists() and out.exists()
    ds = gdal.Open(str(emb))
    assert (ds.RasterXSize, ds.RasterYSize) == (20, 20)      # 2 km at a 100 m stride
    assert str(emb) in text


def test_point_features_are_the_patches_centred_on_the_points(demo, bundle, predicted):
    out, _, _ = predicted
    emb = embeddings_beside(out)
    pf = features_at_points(emb, demo.butterflies)
    nearest = pf.features.copy()
    pf = exact_features(pf, demo.orthophoto, bundle)
    rows = np.flatnonzero(pf.usable)
    want, valid = embed_at_points(demo.orthophoto, pf.x[rows], pf.y[rows], model_dir=bundle)
    assert valid.all()
    np.testing.assert_array_equal(pf.features[rows], want)
    assert np.all(pf.distance[rows] == 0)
    # the points are not on pixel centres (up to 50 m away at this stride), so the exact
    # features differ from the nearest pixel's for most points
    differ = ~np.all(np.isclose(nearest[rows], want, atol=1e-3), axis=1)
    assert differ.mean() > 0.5


def test_second_run_reuses_the_embeddings(demo, bundle, predicted):
    out, argv, _ = predicted
    emb = embeddings_beside(out)
    assert reusable(emb, demo.orthophoto, bundle, 100.0)
    assert not reusable(emb, demo.orthophoto, bundle, 50.0)     # another stride
    before = os.stat(emb).st_mtime_ns
    rc, text, err = run_cli(argv)
    assert rc == 0, err
    assert os.stat(emb).st_mtime_ns == before
    assert "reused" in err + text


@pytest.mark.parametrize("extra, message", [
    (["--embeddings", "E.tif", "--ortho", "O.tif", "--model", "M"], "not allowed with"),
    (["--ortho", "O.tif"], "--ortho and --model go together"),
])
def test_embedding_sources_kept_apart(demo, tmp_path, extra, message):
    rc, _, err = run_cli(["predict", *extra, "--points", str(demo.butterflies), "--target",
                          "habitat", "--out", str(tmp_path / "p.tif")])
    assert rc == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "p.tif").exists()
