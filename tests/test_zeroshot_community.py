"""Community and species suitability from the shared space (backend/zeroshot: community,
names, retrieval, suitability; `botaclip suitability`).

On the 2 km demo landscape at 2 m pixels, a BotaCLIP with the spectral backbone trained for
20 epochs (a few seconds: the spectral features separate the demo's habitats, so the heads
learn something real -- its test recall@10 is reported and checked against chance below) and
its embedding raster at a 50 m stride (40 x 40 pixels). The demo's truth: every taxon's
expected cover follows from the habitat, elevation and moisture rasters through
``backend.demo.ecology.expected_cover``, so each taxon has its own truth map.
"""

import json
import shutil

import numpy as np
import pytest
from helpers import epsg, run_cli, write_embedding
from osgeo import gdal
from scipy.stats import spearmanr

from botaclip.backend.demo import ecology
from botaclip.backend.embed.engine import embed_raster
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.progress import Progress
from botaclip.backend.train import train_model
from botaclip.backend.zeroshot.community import (
    check_model_embeddings,
    query_from_releves,
    query_from_taxa,
)
from botaclip.backend.zeroshot.names import TaxonIndex, parse_taxa_text
from botaclip.backend.zeroshot.retrieval import fit_temperature, nll
from botaclip.backend.zeroshot.suitability import suitability_map, top_taxa_at

pytestmark = pytest.mark.usefixtures("two_threads")


@pytest.fixture(scope="module")
def scene(demo_2m, tmp_path_factory):
    root = tmp_path_factory.mktemp("zs")
    demo = demo_2m
    model = root / "model"
    summary = train_model(demo.orthophoto, demo.releves, model, patch_m=100.0, epochs=20,
                          device="cpu", cache_dir=root / "cache", batch_size=64,
                          precision="float32", backbone="spectral")
    emb = root / "emb.tif"
    embed_raster(demo.orthophoto, emb, model=model, stride_m=50.0, device="cpu",
                 cache_dir=root / "cache")
    return {"demo": demo, "model": model, "emb": emb, "summary": summary, "root": root}


@pytest.fixture(scope="module")
def community_map(scene):
    out = scene["root"] / "suit.tif"
    res = suitability_map(scene["model"], scene["emb"], out,
                          taxa="Fagus sylvatica; picea abies", expected_community=True)
    return res, gdal.Open(str(out)).ReadAsArray()


def _truth_cover(scene, shape_from):
    """The demo's expected cover of every taxon at the centre of each embedding pixel."""
    ds = gdal.Open(str(shape_from))
    gt, w, h = ds.GetGeoTransform(), ds.RasterXSize, ds.RasterYSize
    X, Y = np.meshgrid(gt[0] + (np.arange(w) + 0.5) * gt[1], gt[3] + (np.arange(h) + 0.5) * gt[5])
    layers = []
    for name in ("habitat", "elevation", "moisture"):
        t = gdal.Open(str(scene["demo"].truth_dir / f"{name}.tif"))
        tg = t.GetGeoTransform()
        arr = t.ReadAsArray()
        layers.append(arr[((Y - tg[3]) / tg[5]).astype(int), ((X - tg[0]) / tg[1]).astype(int)])
    return ecology.expected_cover(*(a.ravel() for a in layers))


def test_the_model_learnt_something(scene):
    # the checks below need a model better than chance: recall@10 among the test plots
    # (60 of 300) is 10/60 by chance
    s = scene["summary"]
    assert s.n_test > 0 and s.metrics["test"]["test_R@10"] > 2 * 10 / s.n_test


def test_suitability_follows_each_taxons_truth(scene, community_map):
    res, a = community_map
    assert res.taxa == ["Fagus sylvatica", "Picea abies"]          # case fixed by matching
    assert res.bands[:2] == ["suitability_Fagus sylvatica", "suitability_Picea abies"]
    cover = _truth_cover(scene, res.out)
    for band, name in enumerate(res.taxa):
        # the two dominant trees of the two largest habitats (broadleaf, conifer forest):
        # their truth is close to habitat membership, which the spectral features see. A
        # Spearman rho of 0.1 would already be significant over 1,600 pixels; 0.3 asks for
        # a clear positive association while leaving room for a tiny, briefly trained model
        rho = spearmanr(a[band].ravel(), cover[:, ecology.TAXON_NAMES.index(name)]).correlation
        assert rho > 0.3, (name, rho)
        assert np.all(np.abs(a[band]) <= 1.0 + 1e-6)                  # cosines


def test_expected_richness_within_the_reference_range(scene, community_map):
    res, a = community_map
    lo, hi = res.richness_range
    # the demo draws 10 to 35 taxa per relevé (ecology.MIN/MAX_RICHNESS)
    assert ecology.MIN_RICHNESS <= lo < hi <= ecology.MAX_RICHNESS
    rich = a[res.bands.index("expected_richness")]
    assert np.isfinite(rich).all()
    # a probability-weighted mean of the relevés' richness cannot leave their range
    assert rich.min() >= lo - 1e-3 and rich.max() <= hi + 1e-3
    top = a[res.bands.index("top_taxon")]
    assert np.all(top == np.round(top)) and top.min() >= 0 and top.max() < 66
    names = res.tags["BOTACLIP_CLASS_NAMES"]
    species = json.loads((scene["model"] / "config.json").read_text())["species"]
    assert names == {str(i): s for i, s in enumerate(species)} and len(species) == 66


def test_temperature_fitted_on_validation(community_map):
    res, _ = community_map
    fit = res.tags["BOTACLIP_RETRIEVAL"]
    assert fit["method"] == "validation" and fit["n_val"] == 60 and fit["n_reference"] == 300
    # a model better than chance explains its validation relevés better than a uniform
    # guess among the 300 (log 300 = 5.70 nats)
    assert fit["nll"] < fit["nll_uniform"] == pytest.approx(np.log(300))
    assert 1e-3 < res.temperature < 1.0


def test_fit_temperature_recovers_a_known_one():
    # similarities drawn so that the true column is softmax-likely at T = 0.05: the fitted
    # T minimises the likelihood, so it sits near 0.05 (within the noise of 400 rows)
    rng = np.random.default_rng(0)
    sims = rng.uniform(-0.2, 0.2, size=(400, 50))
    true = np.array([rng.choice(50, p=np.exp(s / 0.05) / np.exp(s / 0.05).sum())
                     for s in sims])
    t = fit_temperature(sims, true)
    assert 0.035 < t < 0.07
    assert nll(sims, true, t) <= nll(sims, true, 1.0)


def test_top_taxa_at_a_pixel(scene, community_map):
    res, a = community_map
    ds = gdal.Open(str(res.out))
    gt = ds.GetGeoTransform()
    x, y = gt[0] + 10.5 * gt[1], gt[3] + 20.5 * gt[5]          # centre of row 20, column 10
    top = top_taxa_at(scene["model"], scene["emb"], x, y, k=5)
    assert len(top) == 5
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True) and all(0 <= p <= 1 for p in probs)
    # the first is the taxon the map's top-taxon band names at that pixel
    code = int(a[res.bands.index("top_taxon"), 20, 10])
    assert top[0][0] == res.tags["BOTACLIP_CLASS_NAMES"][str(code)]


def test_taxa_text_and_suggestions(scene):
    assert parse_taxa_text("Carex nigra; Caltha palustris=20\n") == [
        ("Carex nigra", None), ("Caltha palustris", 20.0)]
    index = TaxonIndex(["Carex nigra", "Picea abies"])
    assert index.find("carex NIGRA") == 0
    assert index.find("Picea abies (L.) H.Karst.") == 1             # author left out
    with pytest.raises(BotaclipError, match="Did you mean: Picea abies"):
        query_from_taxa(scene["model"], scene["emb"], "Fagus sylvatica; Pica abies")
    with pytest.raises(BotaclipError, match="must be a number"):
        parse_taxa_text("Carex nigra=lots")


def test_queries_are_unit_vectors(scene):
    q = query_from_taxa(scene["model"], scene["emb"], "Carex nigra; Caltha palustris=20")
    assert q.shape == (32,) and np.linalg.norm(q) == pytest.approx(1.0, abs=1e-5)
    r = query_from_releves(scene["model"], scene["emb"], scene["demo"].releves,
                           ["P0001", "P0002"])
    assert r.shape == (32,) and np.linalg.norm(r) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(BotaclipError, match="no plot NOPE"):
        query_from_releves(scene["model"], scene["emb"], scene["demo"].releves, ["NOPE"])


def test_raster_from_another_model_is_refused(scene, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(scene["model"], other)
    cfg = json.loads((other / "config.json").read_text())
    cfg["created"] = "another time"                  # another bundle: another sha256
    (other / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(BotaclipError, match="made with another model") as err:
        check_model_embeddings(other, scene["emb"])
    assert str(other) in str(err.value) and str(scene["emb"]) in str(err.value)
    plain = write_embedding(tmp_path / "plain.tif", np.ones((4, 4, 32)), origin=(0, 100),
                            pixel=25, srs=epsg())
    with pytest.raises(BotaclipError, match="--model"):
        check_model_embeddings(scene["model"], plain)


class _CancelAfter(Progress):
    def __init__(self, n):
        self.n = n

    def report(self, fraction, message=""):
        self.n -= 1

    def is_cancelled(self):
        return self.n <= 0


def test_cancel_leaves_nothing(scene, tmp_path):
    out = tmp_path / "suit.tif"
    with pytest.raises(Cancelled):
        suitability_map(scene["model"], scene["emb"], out, all_taxa=True,
                        block_px=16, progress=_CancelAfter(2))
    assert list(tmp_path.iterdir()) == []


def test_cli(scene, tmp_path):
    out = tmp_path / "s.tif"
    rc, text, err = run_cli(["suitability", "--model", scene["model"], "--embeddings",
                             scene["emb"], "--taxa", "Carex nigra; Nardus stricta", "--out",
                             out, "--quiet"])
    assert rc == 0, err
    assert gdal.Open(str(out)).RasterCount == 2 and str(out) in text
    rc, _, err = run_cli(["suitability", "--model", scene["model"], "--embeddings",
                          scene["emb"], "--taxa", "Carx nigra", "--out", tmp_path / "x.tif"])
    assert rc == 2 and "Did you mean: Carex nigra" in err and "Traceback" not in err
    rc, _, err = run_cli(["suitability", "--model", scene["model"], "--embeddings",
                          scene["emb"], "--out", tmp_path / "y.tif"])
    assert rc == 2 and "Nothing to map" in err
    assert not (tmp_path / "x.tif").exists() and not (tmp_path / "y.tif").exists()


def test_temperature_falls_back_to_the_training_one(scene):
    from helpers import Log

    from botaclip.backend.bundle import load_bundle
    from botaclip.backend.zeroshot.retrieval import retrieval

    b = load_bundle(scene["model"])
    b.config["inputs"] = {**b.config["inputs"], "ortho": str(scene["root"] / "gone.tif")}
    b.sha256 = "another-key"            # not the fit cached for the real bundle
    log = Log()
    r = retrieval(b, scene["demo"].releves, log)
    assert r.fit["method"] == "training loss scale" and "not where it recorded" in log.warnings[0]
    assert r.temperature == pytest.approx(1 / float(b.loss.logit_scale.detach().exp()))
