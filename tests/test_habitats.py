"""Habitat clusters (backend/habitats, backend/cli/habitats.py) on the 2 km demo landscape at
2 m pixels, embedded with the spectral baseline (band statistics of 100 m patches) at a 50 m
stride: a 40 x 40 embedding raster (4 s to make), whose truth is known (truth/habitat.tif,
six habitats at 5 m: each embedding pixel covers 10 x 10 truth pixels)."""

import json

import numpy as np
import pytest
from helpers import epsg, run_cli, write_embedding
from osgeo import gdal

from botaclip.backend.embed import embed_raster
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.habitats import cluster_map
from botaclip.backend.habitats.kmeans import fit_kmeans
from botaclip.backend.habitats.raster import write_cluster_raster
from botaclip.backend.progress import CancelFlag

pytestmark = pytest.mark.usefixtures("two_threads")


@pytest.fixture(scope="module")
def demo(demo_2m):
    return demo_2m


@pytest.fixture(scope="module")
def emb(demo_2m_spectral):
    return demo_2m_spectral


@pytest.fixture(scope="module")
def truth(demo, emb):
    """The habitat of each embedding pixel: the majority of the 10 x 10 truth pixels it
    covers (its grid is the truth's, coarser by 10: both start at the scene's corner)."""
    e = gdal.Open(str(emb))
    t = gdal.Open(str(demo.truth_dir / "habitat.tif"))
    assert e.GetGeoTransform()[0::3] == t.GetGeoTransform()[0::3]
    f = int(round(e.GetGeoTransform()[1] / t.GetGeoTransform()[1]))
    a = t.ReadAsArray()
    h, w = e.RasterYSize, e.RasterXSize
    cells = a[:h * f, :w * f].reshape(h, f, w, f).transpose(0, 2, 1, 3).reshape(h * w, -1)
    return np.array([np.bincount(c).argmax() for c in cells])


def _map(path):
    ds = gdal.Open(str(path))
    md = ds.GetMetadata()           # (also makes GTiff load the .aux.xml: category names)
    band = ds.GetRasterBand(1)
    return ds, band, band.ReadAsArray(), md


def _ari(a, b):
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b)


def test_clusters_agree_with_the_habitat_truth(emb, truth, tmp_path):
    res = cluster_map(emb, tmp_path / "hab.tif", k=6, seed=0)
    ds, band, labels, md = _map(res.out)
    # the six habitats differ in colour and texture (forests, grassland, scree, wetland,
    # lake), which band statistics of 100 m patches see; the two forests and patch edges
    # mixing habitats are where they err. Chance agreement has an ARI of 0; an ARI of 0.3
    # means most habitat boundaries are found (it measured 0.55-0.65 for k from 4 to 8).
    assert _ari(truth, labels.ravel()) > 0.3
    assert res.k == 6 and len(res.sizes) == 6 and sum(res.sizes) == 40 * 40
    assert sorted(res.sizes, reverse=True) == res.sizes        # numbered by size
    assert set(np.unique(labels)) == set(range(1, 7))
    assert np.bincount(labels.ravel(), minlength=7)[1:].tolist() == res.sizes
    assert list(res.db_curve) == [6] and res.db_curve[6] > 0
    # categorical: Byte, nodata 255, a palette with 6 distinct opaque colours, names
    assert band.DataType == gdal.GDT_Byte and band.GetNoDataValue() == 255
    ct = band.GetColorTable()
    colours = {ct.GetColorEntry(i) for i in range(1, 7)}
    assert len(colours) == 6 and all(c[3] == 255 for c in colours)
    assert ct.GetColorEntry(255)[3] == 0
    assert band.GetCategoryNames()[1:7] == [f"habitat {i}" for i in range(1, 7)]
    assert md["BOTACLIP_KIND"] == "habitats" and md["BOTACLIP_K"] == "6"
    assert json.loads(md["BOTACLIP_EMBEDDINGS_PROVENANCE"])["BOTACLIP_BACKBONE"] == "spectral"
    assert ds.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE") == "COG"


def test_same_seed_same_map(emb, tmp_path):
    a = cluster_map(emb, tmp_path / "a.tif", k=5, seed=3)
    b = cluster_map(emb, tmp_path / "b.tif", k=5, seed=3)
    assert np.array_equal(_map(a.out)[2], _map(b.out)[2])
    assert a.sizes == b.sizes and a.db_curve == b.db_curve


def test_k_auto_reports_the_curve(emb, tmp_path):
    res = cluster_map(emb, tmp_path / "hab.tif", k="auto", k_range=(3, 7))
    assert list(res.db_curve) == [3, 4, 5, 6, 7]
    assert res.k == min(res.db_curve, key=res.db_curve.get)
    assert all(v > 0 for v in res.db_curve.values())
    md = _map(res.out)[3]
    assert md["BOTACLIP_K"] == str(res.k)
    assert set(json.loads(md["BOTACLIP_DB_CURVE"])) == {"3", "4", "5", "6", "7"}
    assert any("Davies-Bouldin" in m for m in res.messages)


def test_summary_with_thumbnails(emb, demo, tmp_path):
    res = cluster_map(emb, tmp_path / "hab.tif", k=4, summary_dir=tmp_path / "sum",
                      ortho=demo.orthophoto)
    doc = json.loads(res.summary.read_text())
    assert doc["k"] == 4 and [c["value"] for c in doc["clusters"]] == [1, 2, 3, 4]
    # 50 m pixels: 0.0025 km2 each; the whole 2 km scene is 4 km2
    assert sum(c["area_km2"] for c in doc["clusters"]) == pytest.approx(4.0, abs=1e-3)
    assert [c["pixels"] for c in doc["clusters"]] == res.sizes
    for c in doc["clusters"]:
        png = gdal.Open(str(tmp_path / "sum" / c["thumbnail"]))
        assert png.GetDriver().ShortName == "PNG" and png.RasterCount == 3
        assert png.ReadAsArray().std() > 0                     # an image, not a flat tile
    html = (tmp_path / "sum" / "clusters.html").read_text()
    assert "habitat 4" in html and "cluster_04.png" in html
    # a second run replaces its own summary without --overwrite
    cluster_map(emb, tmp_path / "hab.tif", k=3, summary_dir=tmp_path / "sum")
    assert json.loads(res.summary.read_text())["k"] == 3


@pytest.fixture
def small(tmp_path):
    """A 10 x 12 embedding raster of 3 bands: 120 valid pixels, two obvious groups."""
    f = np.zeros((10, 12, 3), dtype=np.float32)
    f[:, 6:] = 5.0
    f += np.random.default_rng(0).normal(0, 0.1, f.shape).astype(np.float32)
    return write_embedding(tmp_path / "small.tif", f, origin=(900000.0, 6500000.0),
                           pixel=10.0, srs=epsg())


@pytest.mark.parametrize("kw, message", [
    (dict(k=1), "from 2 to 254"),
    (dict(k="many"), "neither a whole number nor 'auto'"),
    (dict(k="auto", k_range=(8, 3)), "inverted"),
    (dict(k="auto", k_range="3 to 8"), "LOW-HIGH"),
    (dict(k=150), "only 120 valid pixels"),
    (dict(k=3, sample=10), "at least 100"),
])
def test_bad_inputs(small, tmp_path, kw, message):
    with pytest.raises(BotaclipError, match=message):
        cluster_map(small, tmp_path / "hab.tif", **kw)
    assert not (tmp_path / "hab.tif").exists()


def test_two_groups_found_exactly(small, tmp_path):
    res = cluster_map(small, tmp_path / "hab.tif", k=2)
    labels = _map(res.out)[2]
    assert res.sizes == [60, 60]
    assert len(np.unique(labels[:, :6])) == 1 and len(np.unique(labels[:, 6:])) == 1
    assert labels[0, 0] != labels[0, 11]


def test_nodata_stays_nodata(tmp_path):
    f = np.random.default_rng(1).normal(size=(20, 20, 4)).astype(np.float32)
    f[:5, :5] = np.nan
    path = write_embedding(tmp_path / "e.tif", f, origin=(0.0, 2000.0), pixel=10.0,
                           srs=epsg())
    res = cluster_map(path, tmp_path / "hab.tif", k=3)
    labels = _map(res.out)[2]
    assert (labels[:5, :5] == 255).all() and (labels[5:] != 255).all()
    assert sum(res.sizes) == 400 - 25 == res.n_valid


def test_pixels_held_do_not_grow_with_raster(tmp_path):
    km = fit_kmeans(np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32), 3, 0)
    held = []
    for side in (40, 120):
        f = np.random.default_rng(2).normal(size=(side, side, 3)).astype(np.float32)
        path = write_embedding(tmp_path / f"e{side}.tif", f, origin=(0.0, 5000.0),
                               pixel=10.0, srs=epsg())
        stats = write_cluster_raster(path, tmp_path / f"h{side}.tif", km, {}, block_px=16)
        assert stats["counts"].sum() == side * side
        held.append(stats["max_pixels"])
    assert held == [16 * 16, 16 * 16]


def test_cancel_leaves_nothing(emb, tmp_path):
    counter = CancelFlag()
    cluster_map(emb, tmp_path / "full.tif", k=4, progress=counter)
    n = len(counter.fractions)
    (tmp_path / "full.tif").unlink()
    (tmp_path / "full.tif.aux.xml").unlink()
    # cancelled at the first report (sampling), halfway, and at the last report before
    # the map is complete: never a file left, not even a hidden temporary or a lock
    for after in (1, n // 2, n - 2):
        with pytest.raises(Cancelled):
            cluster_map(emb, tmp_path / "hab.tif", k=4, summary_dir=tmp_path / "sum",
                        progress=CancelFlag(cancel_after_reports=after))
        assert list(tmp_path.iterdir()) == [], after


def test_cli(emb, demo, tmp_path):
    rc, out, err = run_cli(["habitats", "--embeddings", emb, "--k", "auto", "--k-range",
                            "3-5", "--out", tmp_path / "hab.tif", "--summary",
                            tmp_path / "sum", "--ortho", demo.orthophoto, "--quiet"])
    assert rc == 0, err
    assert "Davies-Bouldin" in out and "k=4" in out and (tmp_path / "hab.tif").exists()
    assert (tmp_path / "sum" / "clusters.json").exists()
    rc, _, err = run_cli(["habitats", "--embeddings", emb, "--k", "auto", "--k-range", "9-4",
                          "--out", tmp_path / "hab2.tif", "--quiet"])
    assert rc == 2 and "inverted" in err and not (tmp_path / "hab2.tif").exists()
    rc, _, err = run_cli(["habitats", "--embeddings", emb, "--k", "4", "--ortho",
                          demo.orthophoto, "--out", tmp_path / "hab3.tif"])
    assert rc == 2 and "--summary" in err
    rc, _, err = run_cli(["habitats", "--embeddings", emb, "--out", tmp_path / "x.tif"])
    assert rc == 2 and "--k" in err                 # argparse: a required option missing


@pytest.fixture(scope="module")
def bundle_emb(demo, tmp_path_factory):
    """A tiny BotaCLIP (random tiny DOFA, 2 epochs; as tests/test_evaluate.py) and the demo
    embedded with it at a 100 m stride (20 x 20 pixels)."""
    import warnings

    from helpers import TINY

    from botaclip.backend.train import train_model

    root = tmp_path_factory.mktemp("model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)      # the tiny DOFA's random weights
        train_model(demo.orthophoto, demo.releves, root / "model", patch_m=100.0, epochs=2,
                    device="cpu", cache_dir=root / "cache", batch_size=64,
                    precision="float32", backbone="dofa-custom", backbone_config=dict(TINY),
                    weights="none")
        embed_raster(demo.orthophoto, root / "emb.tif", model=root / "model", stride_m=100.0,
                     device="cpu", cache_dir=root / "cache")
    return root / "model", root / "emb.tif"


def test_typical_taxa_with_the_model(bundle_emb, demo, emb, tmp_path):
    from botaclip.backend.bundle import load_bundle

    model, memb = bundle_emb
    res = cluster_map(memb, tmp_path / "hab.tif", k=3, summary_dir=tmp_path / "sum",
                      model=model)
    doc = json.loads(res.summary.read_text())
    species = set(load_bundle(model).species)
    for c in doc["clusters"]:
        taxa = c["typical_taxa"]
        assert len(taxa) == 5 and {t["taxon"] for t in taxa} <= species
        cos = [t["cosine"] for t in taxa]
        assert cos == sorted(cos, reverse=True) and all(-1 <= v <= 1 for v in cos)
    # an embedding raster not made with that model is refused before any work
    with pytest.raises(BotaclipError, match="not made with a model bundle"):
        cluster_map(emb, tmp_path / "hab2.tif", k=3, summary_dir=tmp_path / "sum2",
                    model=model)
    assert not (tmp_path / "hab2.tif").exists() and not (tmp_path / "sum2").exists()
