"""The "Maps without labels" Processing algorithms in real QGIS: ``botaclip:similarity``
(from a point, from taxa with a model), ``botaclip:suitability`` and ``botaclip:habitats``,
run through processing.run, their declared outputs and the styles their layers load with.

The scene for similarity and habitats: a 20 x 20 embedding raster of 10 m pixels
(EPSG:2154), 3 bands; columns < 10 are habitat A ((1, 0, 0) + noise sd 0.05), columns >= 10
habitat B ((0, 1, 0) + the same noise). For the model-based algorithms (taxa "Taxon Xus"... of
the small scene, 23 of whose 24 taxa the model keeps): a BotaCLIP with the
spectral backbone trained for 3 epochs on the conftest's small scene and its embedding
raster at a 100 m stride (a few seconds in all).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import epsg, write_embedding
from osgeo import gdal
from qgis.core import QgsProject

pytestmark = [pytest.mark.qgis, pytest.mark.usefixtures("two_threads")]

N, PIX, X0, Y0, HALF = 20, 10.0, 900000.0, 6500200.0, 10


@pytest.fixture(scope="module")
def embedding(tmp_path_factory):
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(N, N, 3)).astype(np.float32)
    f[:, :HALF, 0] += 1.0
    f[:, HALF:, 1] += 1.0
    path = tmp_path_factory.mktemp("zeroshot") / "emb.tif"
    return write_embedding(path, f, origin=(X0, Y0), pixel=PIX, srs=epsg(),
                           tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "3",
                                 "BOTACLIP_SETTINGS": json.dumps({"patch_m": PIX})})


@pytest.fixture(scope="module")
def provider(qgis_processing):
    from qgis.core import QgsApplication

    from botaclip.plugin.processing.provider import BotaclipProvider

    registry = QgsApplication.processingRegistry()
    p = BotaclipProvider()
    assert registry.addProvider(p)
    yield p
    registry.removeProvider(p)


@pytest.fixture(scope="module")
def bundle(small_scene, tmp_path_factory):
    from botaclip.backend.embed.engine import embed_raster
    from botaclip.backend.train import train_model

    ortho, releves = small_scene
    root = tmp_path_factory.mktemp("zeroshot_model")
    train_model(ortho, releves, root / "model", patch_m=40.0, epochs=3, device="cpu",
                cache_dir=root / "cache", batch_size=64, precision="float32",
                backbone="spectral")
    emb = root / "emb.tif"
    embed_raster(ortho, emb, model=root / "model", stride_m=100.0, device="cpu",
                 cache_dir=root / "cache")
    return root / "model", emb


def test_the_group_and_parameters(provider):
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    expected = {
        "similarity": ["EMBEDDINGS", "POINT", "MODEL", "TAXA", "RELEVES", "PLOT_IDS",
                       "THRESHOLD", "OUTPUT"],
        "suitability": ["MODEL", "EMBEDDINGS", "TAXA", "ALL", "EXPECTED_COMMUNITY", "OUTPUT"],
        "habitats": ["EMBEDDINGS", "K", "K_MIN", "K_MAX", "SEED", "ORTHO", "MODEL", "SUMMARY",
                     "OUTPUT"],
    }
    for name, params in expected.items():
        alg = registry.algorithmById(f"botaclip:{name}")
        assert alg.group() == "Maps without labels" and alg.groupId() == "zeroshot"
        assert len(alg.shortHelpString()) > 300, name
        assert [p.name() for p in alg.parameterDefinitions()] == params
        outputs = {o.name(): o.type() for o in alg.outputDefinitions()}
        assert outputs["OUTPUT"] == "outputRaster", name


def _read(path):
    """Band 1 of ``path``; the dataset is kept until read (a band of a dataset already
    collected crashes GDAL's Python bindings)."""
    ds = gdal.Open(str(path))
    return ds.GetRasterBand(1).ReadAsArray()


def _loaded(path):
    """The project layer that processing.runAndLoadResults loaded from ``path``."""
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values()
              if lyr.source() == str(path)]
    assert len(layers) == 1
    return layers[0]


@pytest.fixture
def project(qgis_iface):
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()


def test_similarity_from_a_point(provider, embedding, tmp_path, project):
    import processing

    res = processing.runAndLoadResults("botaclip:similarity", {
        "EMBEDDINGS": str(embedding), "POINT": f"{X0 + 3.5 * PIX},{Y0 - 5.5 * PIX} "
                                                f"[EPSG:2154]",
        "THRESHOLD": 0.5, "OUTPUT": str(tmp_path / "sim.tif")})
    sims = _read(res["OUTPUT"])
    # the clicked pixel is the query (1); the rest of A is noise away from it (> 0.9), B
    # near orthogonal (< 0.3)
    assert sims[5, 3] == pytest.approx(1.0, abs=1e-5)
    assert (sims[:, :HALF] > 0.9).all() and (sims[:, HALF:] < 0.3).all()
    # at 0.5 habitat A passes: 200 pixels of 100 m2 = 0.02 km2
    assert res["AREA_ABOVE_KM2"] == pytest.approx(0.02)
    assert res["N_VALID"] == N * N
    layer = _loaded(res["OUTPUT"])
    assert layer.renderer().type() == "singlebandpseudocolor"
    assert layer.renderer().classificationMin() == -1.0


def test_similarity_needs_one_query(provider, embedding, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="one query"):
        processing.run("botaclip:similarity", {"EMBEDDINGS": str(embedding),
                                               "OUTPUT": str(tmp_path / "x.tif")})
    assert not (tmp_path / "x.tif").exists()


@pytest.mark.parametrize("k", [2, 0])
def test_habitats_map_the_two_halves(provider, embedding, tmp_path, k, project):
    import processing

    res = processing.runAndLoadResults("botaclip:habitats", {
        "EMBEDDINGS": str(embedding), "K": k, "K_MIN": 2, "K_MAX": 4,
        "OUTPUT": str(tmp_path / "hab.tif")})
    # two habitats, well apart (distance ~1.4 against noise 0.05): k = 2 is the lowest
    # Davies-Bouldin index, and the clusters are the two halves exactly
    assert res["N_CLUSTERS"] == 2
    cls = _read(res["OUTPUT"])
    left, right = np.unique(cls[:, :HALF]), np.unique(cls[:, HALF:])
    assert len(left) == len(right) == 1 and left[0] != right[0]
    layer = _loaded(res["OUTPUT"])
    assert layer.renderer().type() == "paletted"
    assert [c.label for c in layer.renderer().classes()] == ["habitat 1", "habitat 2"]


def test_suitability_and_similarity_from_taxa(provider, bundle, small_scene, tmp_path):
    import processing

    releves = small_scene[1]
    model, emb = bundle
    res = processing.run("botaclip:suitability", {
        "MODEL": str(model), "EMBEDDINGS": str(emb), "TAXA": "Taxon Xus; Taxon Wus",
        "OUTPUT": str(tmp_path / "suit.tif")})
    ds = gdal.Open(res["OUTPUT"])
    assert res["N_TAXA"] == 2 and ds.RasterCount == 2
    values = ds.ReadAsArray()
    assert np.isfinite(values).any() and np.nanmax(np.abs(values)) <= 1.0 + 1e-6
    sim = processing.run("botaclip:similarity", {
        "EMBEDDINGS": str(emb), "MODEL": str(model), "TAXA": "Taxon Xus; Taxon Wus=20",
        "OUTPUT": str(tmp_path / "sim.tif")})
    assert sim["N_VALID"] > 0
    by_plots = processing.run("botaclip:similarity", {
        "EMBEDDINGS": str(emb), "MODEL": str(model), "RELEVES": str(releves),
        "PLOT_IDS": "P000, P001", "OUTPUT": str(tmp_path / "plots.tif")})
    assert by_plots["N_VALID"] == sim["N_VALID"]        # same raster, same valid pixels


def test_suitability_refuses_an_unknown_taxon(provider, bundle, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    model, emb = bundle
    with pytest.raises(QgsProcessingException, match="(?i)did you mean.*taxon xus"):
        processing.run("botaclip:suitability", {
            "MODEL": str(model), "EMBEDDINGS": str(emb), "TAXA": "Taxon Xuss",
            "OUTPUT": str(tmp_path / "suit.tif")})
