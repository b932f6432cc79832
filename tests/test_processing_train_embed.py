"""The Train and Embed Processing algorithms through processing.run, on a tiny configuration
(the demo landscape at 2 m pixels, the spectral baseline or a tiny random DOFA, 2 epochs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

TRAIN_PARAMS = ["ORTHO", "RELEVES", "PLOT_ID", "SPECIES_COLUMNS", "COVER_SCALE",
                "COVER_TRANSFORM", "SENSOR", "WAVELENGTHS", "PATCH_M", "BACKBONE", "TIMM_MODEL",
                "WEIGHTS", "RANDOM_WEIGHTS", "EPOCHS", "SEED", "DEVICE", "MIN_VALID", "BUFFER_M",
                "OUTPUT"]
EMBED_PARAMS = ["ORTHO", "MODEL", "BACKBONE", "TIMM_MODEL", "WEIGHTS", "RANDOM_WEIGHTS",
                "SENSOR", "WAVELENGTHS", "PATCH_M", "STRIDE_M", "EXTENT", "MASK", "PRECISION",
                "DEVICE", "DTYPE", "BATCH_SIZE", "MIN_VALID", "OUTPUT", "PREVIEW"]
CPU = 2          # DEVICE: 0 = as in the settings, then auto, cpu, cuda


def backbone_index(key: str) -> int:
    from botaclip.plugin.labels import BACKBONES

    return BACKBONES.index(key)


@pytest.fixture(scope="module")
def provider(qgis_processing, tmp_path_factory):
    from qgis.core import QgsApplication

    from botaclip.plugin.processing.provider import BotaclipProvider
    from botaclip.plugin.settings import Settings

    Settings().cache_folder = str(tmp_path_factory.mktemp("cache"))
    registry = QgsApplication.processingRegistry()
    p = BotaclipProvider()
    assert registry.addProvider(p)
    yield p
    registry.removeProvider(p)
    Settings().reset()


@pytest.fixture(scope="module")
def demo(demo_2m):
    return demo_2m


@pytest.fixture(scope="module")
def trained(provider, demo, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("train") / "model"
    return processing.run("botaclip:train", {
        "ORTHO": str(demo.orthophoto), "RELEVES": str(demo.releves), "PLOT_ID": "plot_id",
        "PATCH_M": 100.0, "BACKBONE": backbone_index("spectral"), "EPOCHS": 2, "SEED": 0,
        "DEVICE": CPU, "OUTPUT": str(out)})


def test_algorithms_and_declared_outputs(provider):
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    train = registry.algorithmById("botaclip:train")
    embed = registry.algorithmById("botaclip:embed")
    assert train.displayName() == "Train BotaCLIP model"
    assert embed.displayName() == "Embed orthophoto"
    for alg in (train, embed):
        assert alg.group() == "Model" and alg.groupId() == "model"
        assert len(alg.shortHelpString()) > 300
    assert [p.name() for p in train.parameterDefinitions()] == TRAIN_PARAMS
    assert [p.name() for p in embed.parameterDefinitions()] == EMBED_PARAMS
    outputs = {o.name(): o.type() for o in train.outputDefinitions()}
    assert outputs["OUTPUT"] == "outputFolder" and outputs["REPORT"] == "outputHtml"
    for name in ("RECALL_IMG2REL_10", "RECALL_REL2IMG_10", "UNTRAINED_IMG2REL_10",
                 "UNTRAINED_REL2IMG_10", "CHANCE_10", "VAL_RECALL_IMG2REL_10",
                 "VAL_RECALL_REL2IMG_10", "VAL_CHANCE_10", "N_PLOTS", "N_TEST", "N_BUFFER",
                 "N_TAXA", "BEST_EPOCH"):
        assert outputs[name] == "outputNumber", name
    # declared raster outputs: the Graphical Modeler can chain them
    outputs = {o.name(): o.type() for o in embed.outputDefinitions()}
    assert outputs == {"OUTPUT": "outputRaster", "PREVIEW": "outputRaster"}
    assert embed.parameterDefinition("OUTPUT").type() == "rasterDestination"
    assert train.parameterDefinition("OUTPUT").type() == "folderDestination"
    assert train.parameterDefinition("EPOCHS").defaultValue() == 50
    assert embed.parameterDefinition("PATCH_M").defaultValue() == 100


@pytest.mark.slow
def test_train_writes_a_model_folder(trained):
    res = trained
    out = Path(res["OUTPUT"])
    config = json.loads((out / "config.json").read_text())
    assert (out / "model.safetensors").stat().st_size > 0
    assert config["backbone"]["name"] == "spectral" and config["cover_transform"] == "sqrt"
    assert Path(res["REPORT"]).suffix == ".html" and Path(res["REPORT"]).exists()
    assert res["N_PLOTS"] >= 150 and res["N_TAXA"] > 10
    for name in ("RECALL_IMG2REL_10", "RECALL_REL2IMG_10", "UNTRAINED_IMG2REL_10",
                 "CHANCE_10", "VAL_RECALL_IMG2REL_10", "VAL_CHANCE_10"):
        assert 0.0 <= res[name] <= 1.0, (name, res[name])
    # RECALL_* and CHANCE_10 are the test plots' figures: chance is 10 / test plots
    report = json.loads((out / "report" / "report.json").read_text())
    assert res["N_TEST"] == report["summary"]["plots_test"] >= 50
    assert res["CHANCE_10"] == pytest.approx(10 / res["N_TEST"])
    assert res["RECALL_IMG2REL_10"] == report["metrics"]["test"]["img2rel@10"]
    assert res["N_BUFFER"] == report["summary"]["plots_buffer"]
    assert 1 <= res["BEST_EPOCH"] <= 2


@pytest.mark.slow
def test_embed_with_the_model_and_an_extent_in_another_crs(trained, demo, tmp_path):
    import processing
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsProject,
        QgsRasterLayer,
        QgsRectangle,
    )

    ortho = QgsRasterLayer(str(demo.orthophoto), "o", "gdal")
    full = ortho.extent()
    # the lower-left quarter of the orthophoto, given in WGS 84
    quarter = QgsRectangle(full.xMinimum(), full.yMinimum(), full.center().x(),
                           full.center().y())
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    to_wgs = QgsCoordinateTransform(ortho.crs(), wgs84, QgsProject.instance())
    geo = to_wgs.transformBoundingBox(quarter)
    extent = (f"{geo.xMinimum()},{geo.xMaximum()},{geo.yMinimum()},{geo.yMaximum()} "
              "[EPSG:4326]")
    res = processing.run("botaclip:embed", {
        "ORTHO": str(demo.orthophoto), "MODEL": trained["OUTPUT"], "EXTENT": extent,
        "DEVICE": CPU, "OUTPUT": str(tmp_path / "emb.tif"),
        "PREVIEW": str(tmp_path / "preview.tif")})
    emb = QgsRasterLayer(res["OUTPUT"], "emb", "gdal")
    preview = QgsRasterLayer(res["PREVIEW"], "preview", "gdal")
    assert emb.isValid() and preview.isValid()
    assert emb.crs() == ortho.crs()
    config = json.loads((Path(trained["OUTPUT"]) / "config.json").read_text())
    assert emb.bandCount() == config["embedding_dim"]
    assert preview.bandCount() == 3
    # the embedding covers (about) the quarter, not the whole orthophoto
    e = emb.extent()
    assert e.width() < 0.75 * full.width() and e.height() < 0.75 * full.height()
    assert e.intersects(quarter)


def test_embed_raw_backbone_loads_preview_visible_and_embeddings_unticked(
        provider, demo, tmp_path, qgis_iface):
    import processing
    from qgis.core import QgsProject, QgsRasterLayer

    ortho = QgsRasterLayer(str(demo.orthophoto), "o", "gdal")
    e = ortho.extent()
    extent = (f"{e.xMinimum()},{e.xMinimum() + 600},{e.yMinimum()},{e.yMinimum() + 600} "
              f"[{ortho.crs().authid()}]")
    project = QgsProject.instance()
    try:
        processing.runAndLoadResults("botaclip:embed", {
            "ORTHO": str(demo.orthophoto), "BACKBONE": backbone_index("spectral"),
            "PATCH_M": 100.0, "STRIDE_M": 50.0, "EXTENT": extent, "DEVICE": CPU,
            "DTYPE": 1, "OUTPUT": str(tmp_path / "emb.tif"),
            "PREVIEW": str(tmp_path / "preview.tif")})
        root = project.layerTreeRoot()
        loaded = {Path(lyr.source()).name: lyr for lyr in project.mapLayers().values()}
        assert set(loaded) == {"emb.tif", "preview.tif"}
        emb, preview = loaded["emb.tif"], loaded["preview.tif"]
        assert not root.findLayer(emb.id()).itemVisibilityChecked()
        assert root.findLayer(preview.id()).itemVisibilityChecked()
        renderer = preview.renderer()
        assert renderer.type() == "multibandcolor"
        ce = renderer.redContrastEnhancement()
        assert (ce.minimumValue(), ce.maximumValue()) == (0, 255)
        assert emb.rasterUnitsPerPixelX() == pytest.approx(50.0)
        assert emb.dataProvider().dataType(1) == 6          # Qgis.DataType.Float32
    finally:
        project.removeAllMapLayers()
        project.layerTreeRoot().removeAllChildren()


def test_train_error_becomes_processing_exception(provider, demo, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        processing.run("botaclip:train", {
            "ORTHO": str(demo.orthophoto), "RELEVES": str(demo.releves),
            "BACKBONE": backbone_index("timm"), "EPOCHS": 1, "DEVICE": CPU,
            "OUTPUT": str(tmp_path / "model")})
    assert "timm model's name" in str(err.value)
    assert not (tmp_path / "model" / "config.json").exists()


@pytest.mark.slow
def test_train_embed_statistics_chain_in_a_model(provider, demo, tmp_path):
    """The Graphical Modeler's path: Train's model folder feeds Embed, whose declared raster
    output feeds a native raster algorithm."""
    import processing
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsRasterLayer,
    )

    model = QgsProcessingModelAlgorithm("chain", "tests")

    def child(alg_id, child_id, params):
        c = QgsProcessingModelChildAlgorithm(alg_id)
        c.setChildId(child_id)
        for name, source in params.items():
            c.addParameterSources(name, [source])
        model.addChildAlgorithm(c)
        assert c.algorithm() is not None, alg_id

    static = QgsProcessingModelChildParameterSource.fromStaticValue
    from_child = QgsProcessingModelChildParameterSource.fromChildOutput
    ortho, releves = str(demo.orthophoto), str(demo.releves)
    child("botaclip:train", "train", {
        "ORTHO": static(ortho), "RELEVES": static(releves), "PLOT_ID": static("plot_id"),
        "BACKBONE": static(backbone_index("spectral")), "EPOCHS": static(1),
        "DEVICE": static(CPU), "OUTPUT": static(str(tmp_path / "model"))})
    e = QgsRasterLayer(ortho, "o", "gdal").extent()
    x0, y0 = e.xMinimum(), e.yMinimum()
    child("botaclip:embed", "embed", {
        "ORTHO": static(ortho), "MODEL": from_child("train", "OUTPUT"),
        "EXTENT": static(f"{x0},{x0 + 500},{y0},{y0 + 500} [EPSG:2154]"),
        "DEVICE": static(CPU), "OUTPUT": static(str(tmp_path / "emb.tif")),
        "PREVIEW": static(str(tmp_path / "preview.tif"))})
    child("native:rasterlayerstatistics", "stats", {
        "INPUT": from_child("embed", "PREVIEW"), "BAND": static(1)})
    res = processing.run(model, {})["CHILD_RESULTS"]
    assert res["train"]["OUTPUT"] == str(tmp_path / "model")
    assert (tmp_path / "model" / "config.json").exists()
    assert res["embed"]["OUTPUT"] == str(tmp_path / "emb.tif")
    assert 0 < res["stats"]["MEAN"] <= 255 and res["stats"]["MAX"] <= 255
