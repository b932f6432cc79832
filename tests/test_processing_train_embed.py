"""The Train and Embed Processing algorithms through processing.run, on a tiny configuration
(the demo landscape at 2 m pixels, the spectral baseline or a tiny random DOFA, 2 epochs);
Embed's precisions, calibration and Dask scheduler (a real LocalCluster of one worker)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import TINY

pytestmark = [pytest.mark.qgis,
              pytest.mark.filterwarnings("ignore:DOFA runs with RANDOM weights")]

TRAIN_PARAMS = ["ORTHO", "RELEVES", "PLOT_ID", "SPECIES_COLUMNS", "COVER_SCALE",
                "COVER_TRANSFORM", "SENSOR", "WAVELENGTHS", "PATCH_M", "BACKBONE", "TIMM_MODEL",
                "WEIGHTS", "RANDOM_WEIGHTS", "EPOCHS", "SEED", "DEVICE", "MIN_VALID", "BUFFER_M",
                "OUTPUT"]
EMBED_PARAMS = ["ORTHO", "MODEL", "BACKBONE", "TIMM_MODEL", "WEIGHTS", "RANDOM_WEIGHTS",
                "SENSOR", "WAVELENGTHS", "PATCH_M", "STRIDE_M", "EXTENT", "MASK", "PRECISION",
                "DEVICE", "DTYPE", "BATCH_SIZE", "MIN_VALID", "CALIBRATE", "SCHEDULER",
                "KEEP_TILES", "TILE_PATCHES", "OUTPUT", "PREVIEW"]
CPU = 2          # DEVICE: 0 = as in the settings, then auto, cpu, cuda
FLOAT32, INT8 = 1, 3    # PRECISION: auto, float32, bfloat16, int8 (int8 appended: stable ids)


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


def test_embed_precision_and_scale_parameters(provider):
    """int8 is offered last (models saved with 0-2 keep their meaning); calibration and the
    Dask options are advanced, off by default, and agree with the backend's bounds."""
    from qgis.core import QgsApplication

    from botaclip.backend.distributed import tiles
    from botaclip.backend.models.precision import PRECISIONS
    from botaclip.plugin.compat import PARAMETER_ADVANCED
    from botaclip.plugin.processing import embed as E

    alg = QgsApplication.processingRegistry().algorithmById("botaclip:embed")
    options = alg.parameterDefinition("PRECISION").options()
    assert [o.split(" ")[0] for o in options] == ["Automatic", "float32", "bfloat16", "int8"]
    assert options[INT8].startswith("int8 (CPU only") and "changes some results" in \
        options[INT8]
    assert set(E.PRECISIONS) == set(PRECISIONS)
    for name in ("CALIBRATE", "SCHEDULER", "KEEP_TILES", "TILE_PATCHES"):
        p = alg.parameterDefinition(name)
        assert p.flags() & PARAMETER_ADVANCED, name
    assert alg.parameterDefinition("CALIBRATE").defaultValue() is False
    assert alg.parameterDefinition("KEEP_TILES").defaultValue() is False
    assert alg.parameterDefinition("SCHEDULER").flags() & alg.parameterDefinition(
        "MASK").flags()                                       # optional, as the mask
    patches = alg.parameterDefinition("TILE_PATCHES")
    assert (patches.minimum(), patches.maximum()) == (tiles.MIN_TILE_PATCHES,
                                                      tiles.MAX_TILE_PATCHES)
    assert E.DEFAULT_TILE_PATCHES == tiles.DEFAULT_TILE_PATCHES
    assert str(tiles.DEFAULT_TILE_PATCHES) in patches.description()
    help_text = " ".join(alg.shortHelpString().split())
    for words in ("int8 (CPU only) quantises", "Automatic never takes it",
                  "Measure the best batch size", "local or local:N", "tcp://HOST:PORT",
                  "Keep the tiles", "Patches per tile"):
        assert words in help_text, words


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


# ----------------------------------------------------------------------------- precision, Dask

@pytest.fixture(scope="module")
def tiny_model(provider, demo, tmp_path_factory):
    """A model on the tiny random DOFA (trained directly, ~10 s): Processing has no parameter
    for a tiny architecture, but a model folder records its own."""
    from botaclip.backend.train import train_model

    root = tmp_path_factory.mktemp("tiny")
    return train_model(ortho=str(demo.orthophoto), releves=str(demo.releves),
                       out=str(root / "model"), backbone="dofa-custom", weights="none",
                       backbone_config=dict(TINY), epochs=1, seed=0, device="cpu",
                       precision="float32", cache_dir=str(root / "cache")).out


def corner_extent(demo, side_m: float) -> str:
    """The ``side_m`` square at the orthophoto's south-west corner, as Processing takes it."""
    from qgis.core import QgsRasterLayer

    ortho = QgsRasterLayer(str(demo.orthophoto), "o", "gdal")
    e = ortho.extent()
    return (f"{e.xMinimum()},{e.xMinimum() + side_m},{e.yMinimum()},{e.yMinimum() + side_m} "
            f"[{ortho.crs().authid()}]")


def test_embed_int8_and_calibration_reach_the_backend(provider, demo, tiny_model, tmp_path):
    import processing

    from botaclip.backend.embed import read_embedding_tags

    res = processing.run("botaclip:embed", {
        "ORTHO": str(demo.orthophoto), "MODEL": str(tiny_model),
        "EXTENT": corner_extent(demo, 400.0), "PRECISION": INT8, "CALIBRATE": True,
        "DEVICE": CPU, "OUTPUT": str(tmp_path / "emb.tif")})
    tags = read_embedding_tags(res["OUTPUT"])
    assert tags["BOTACLIP_PRECISION"] == "int8"
    check = tags["BOTACLIP_PRECISION_CHECK"]
    assert check["requested"] == check["chosen"] == "int8" and check["samples"] > 0
    # "Calibrate first": measured at this run's start, not the cache nor the memory rule
    assert tags["BOTACLIP_CALIBRATION"]["source"] == "measured"


DASK_PARAMS = {"PRECISION": FLOAT32, "DTYPE": 1, "DEVICE": CPU}


def float32_run(demo, model, out, **params) -> str:
    """The raster of a float32 run, in this process unless ``params`` name a scheduler."""
    import processing

    return processing.run("botaclip:embed", dict(
        DASK_PARAMS, ORTHO=str(demo.orthophoto), MODEL=str(model), OUTPUT=str(out),
        **params))["OUTPUT"]


def assert_same_raster(path, reference, shape) -> None:
    """The same grid, nodata and values. The worker's torch threads are this machine's
    cores, as this process's, so the float32 values are expected equal; 1e-5 allows for a
    differing thread count changing the order of float32 sums (a relative 1e-7 per operation
    on values of at most 1: the embeddings are L2-normalised), far below what a misplaced or
    missing tile would change."""
    from osgeo import gdal

    a, b = gdal.Open(str(reference)), gdal.Open(str(path))
    assert a.GetGeoTransform() == b.GetGeoTransform() and a.RasterCount == b.RasterCount
    x, y = a.ReadAsArray(), b.ReadAsArray()
    assert x.shape == y.shape == shape
    assert np.array_equal(np.isnan(x), np.isnan(y)) and np.isfinite(x).any()
    assert float(np.nanmax(np.abs(x - y))) <= 1e-5


@pytest.mark.slow
def test_embed_on_a_local_dask_cluster_gives_the_same_raster(provider, demo, tiny_model,
                                                             tmp_path):
    """SCHEDULER local:1 (one worker process) writes the raster the run in this process
    writes (a 600 m corner: 12 x 12 pixels), as one COG (the tile folder removed), with its
    preview; and the Processing context does not outlive the run (Dask's client can keep an
    exception of its timed waits, and with it every frame under the call: see
    plugin/processing/embed.py, in_own_thread; whether it does depends on timing)."""
    import gc

    from qgis.core import QgsProcessingContext

    from botaclip.backend.embed import read_embedding_tags

    def contexts() -> int:
        gc.collect()
        return sum(type(o) is QgsProcessingContext for o in gc.get_objects())

    corner = {"EXTENT": corner_extent(demo, 600.0)}
    ref = float32_run(demo, tiny_model, tmp_path / "ref.tif", **corner)
    before = contexts()
    out = float32_run(demo, tiny_model, tmp_path / "dask.tif", SCHEDULER="local:1",
                      PREVIEW=str(tmp_path / "dask_preview.tif"), **corner)
    assert contexts() == before
    assert out == str(tmp_path / "dask.tif")
    assert (tmp_path / "dask_preview.tif").is_file()
    assert not (tmp_path / "dask.tiles").exists()
    assert_same_raster(out, ref, (32, 12, 12))
    tags = read_embedding_tags(out)
    assert tags["BOTACLIP_PRECISION"] == "float32"
    assert "local Dask cluster" in tags["BOTACLIP_TILES"]["scheduler"]


@pytest.mark.slow
def test_embed_on_dask_keeps_the_tiles_and_loads_the_vrt(provider, demo, tiny_model,
                                                         tmp_path, qgis_iface):
    """KEEP_TILES and TILE_PATCHES reach the backend: on the whole orthophoto (40 x 40
    pixels: 100 m patches every 50 m, two 32-pixel blocks a side), 4 tiles of 64 patches
    (the default 4096 would make one) kept beside a VRT over them, which is what QGIS loads
    (not the .tif name given), with the values of the run in this process."""
    import processing
    from qgis.core import QgsProject

    ref = float32_run(demo, tiny_model, tmp_path / "ref.tif")
    project = QgsProject.instance()
    try:
        res = processing.runAndLoadResults("botaclip:embed", dict(
            DASK_PARAMS, ORTHO=str(demo.orthophoto), MODEL=str(tiny_model),
            SCHEDULER="local:1", KEEP_TILES=True, TILE_PATCHES=64,
            OUTPUT=str(tmp_path / "emb.tif")))
        assert res["OUTPUT"] == str(tmp_path / "emb.vrt")
        assert not (tmp_path / "emb.tif").exists()
        assert len(list((tmp_path / "emb.tiles").glob("tile_*.tif"))) == 4
        loaded = [Path(lyr.source()).name for lyr in project.mapLayers().values()]
        assert loaded == ["emb.vrt"]
        assert_same_raster(res["OUTPUT"], ref, (32, 40, 40))
    finally:
        project.removeAllMapLayers()
        project.layerTreeRoot().removeAllChildren()


def test_embed_unreachable_scheduler_is_a_clear_error(provider, demo, tiny_model, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with socket.socket() as s:              # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    params = {"ORTHO": str(demo.orthophoto), "MODEL": str(tiny_model), "DEVICE": CPU,
              "OUTPUT": str(tmp_path / "e.tif")}
    t0 = time.perf_counter()
    with pytest.raises(QgsProcessingException) as err:
        processing.run("botaclip:embed", dict(params, SCHEDULER=f"tcp://127.0.0.1:{port}"))
    assert time.perf_counter() - t0 < 20      # the backend gives up after 5 s
    assert f"Cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in str(err.value)
    assert "Traceback" not in str(err.value)
    assert not (tmp_path / "e.tif").exists() and not (tmp_path / "e.tiles").exists()
    with pytest.raises(QgsProcessingException) as err:
        processing.run("botaclip:embed", dict(params, SCHEDULER="locale:2"))
    assert "Cannot read --scheduler 'locale:2'" in str(err.value)
    # the tile options without a scheduler are refused before any work, not ignored
    with pytest.raises(QgsProcessingException) as err:
        processing.run("botaclip:embed", dict(params, KEEP_TILES=True))
    assert "go with a Dask scheduler" in str(err.value)
    assert not (tmp_path / "e.tif").exists()


def qgis_process(args, tmp_path, timeout=300):
    """``qgis_process.bin ARGS`` with this checkout as its only plugin, enabled in a
    temporary profile (as tests/test_qgis_process.py does), the venv's packages on
    PYTHONPATH; skipped where QGIS's command line is not installed."""
    import os
    import shutil
    import subprocess
    import sysconfig

    exe = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    if not os.access(exe, os.X_OK):
        pytest.skip("qgis_process.bin not installed")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "botaclip").symlink_to(Path(__file__).resolve().parents[1],
                                      target_is_directory=True)
    ini = tmp_path / "profile" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nbotaclip=true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QGIS_", "PYTHON"))}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=str(plugins),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"), HOME=str(tmp_path),
               PYTHONPATH=sysconfig.get_paths()["purelib"])
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.slow
def test_qgis_process_starts_dask_workers_with_qgis_python(tmp_path):
    """SCHEDULER local:1 run by QGIS itself (qgis_process), where sys.executable need not
    be QGIS's Python (measured here: a pyenv shim found on PATH; in the desktop, the QGIS
    program): the worker processes start with the interpreter QGIS runs
    (plugin/processing/embed.py, workers_python), and the raster is written."""
    from botaclip.backend.demo import generate_demo_data
    from botaclip.backend.embed import read_embedding_tags

    demo = generate_demo_data(tmp_path / "demo", size_m=300, seed=0)
    out = tmp_path / "emb.tif"
    run = qgis_process(["--json", "run", "botaclip:embed", "--", f"ORTHO={demo.orthophoto}",
                        f"BACKBONE={backbone_index('spectral')}", "PATCH_M=100",
                        f"DEVICE={CPU}", "SCHEDULER=local:1", f"OUTPUT={out}"], tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout)["results"]["OUTPUT"] == str(out)
    tags = read_embedding_tags(out)
    assert "local Dask cluster" in tags["BOTACLIP_TILES"]["scheduler"]
