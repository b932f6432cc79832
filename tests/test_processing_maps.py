"""The prediction map front doors in QGIS: ``botaclip:predict`` through processing.run and
in a Graphical Modeler chain after ``botaclip:embed``, the styled result layers
(``plugin.layers.add_prediction_layers``) and ``qgis_process``.

The scene: a 24 x 24 embedding raster of 10 m pixels (EPSG:2154), 4 bands. Columns < 12 are
habitat A (bands near (1, 0, 0, 0)), columns >= 12 habitat B (near (0, 1, 0, 0)), noise sd
0.05 per band; the corner rows and columns >= 18 is a third kind, (5, 5, 5, 5), that no point
samples. Points sit at the centres of every second pixel outside that corner (12 x 12 - 3 x 3
= 135), with ``present`` 1 in A and 0 in B, ``cover`` 3 in A and 1 in B and ``habitat``
"meadow" in A, "forest" in B.
"""

from __future__ import annotations

import json
import subprocess
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from helpers import epsg, write_embedding, write_points
from osgeo import gdal, ogr
from test_qgis_process import QGIS_PROCESS, qgis_env  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.qgis, pytest.mark.usefixtures("two_threads")]

N, PIX, X0, Y0 = 24, 10.0, 900000.0, 6500240.0
CORNER, HALF = 18, 12
N_POINTS = (N // 2) ** 2 - ((N - CORNER) // 2) ** 2          # 135
VIRIDIS_LOW, VIRIDIS_HIGH = "#440154", "#fde725"              # viridis at 0 and at 1
PREDICT_PARAMS = ["EMBEDDINGS", "ORTHO", "MODEL", "STRIDE_M", "POINTS", "TARGETS", "TASK",
                  "ESTIMATOR", "FOLDS", "BUFFER_M", "BLOCK_M", "BACKGROUND", "SEED", "OUTPUT",
                  "REPORT", "PREDICTOR"]
TASK_INDEX = {"presence": 0, "presence-only": 1, "abundance": 2, "classes": 3}


def _raster(path):
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(N, N, 4)).astype(np.float32)
    f[:, :HALF, 0] += 1.0
    f[:, HALF:, 1] += 1.0
    f[CORNER:, CORNER:, :] = 5.0
    return write_embedding(path, f, origin=(X0, Y0), pixel=PIX, srs=epsg(), options=(),
                           tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "4",
                                 "BOTACLIP_SETTINGS": json.dumps({"patch_m": 10.0})})


def _points(path):
    cells = [(r, c) for r in range(0, N, 2) for c in range(0, N, 2)
             if not (r >= CORNER and c >= CORNER)]
    a = [c < HALF for _, c in cells]
    return write_points(path, epsg(), [X0 + (c + 0.5) * PIX for _, c in cells],
                        [Y0 - (r + 0.5) * PIX for r, _ in cells],
                        {"present": (ogr.OFTInteger, [int(k) for k in a]),
                         "cover": (ogr.OFTReal, [3.0 if k else 1.0 for k in a]),
                         "habitat": (ogr.OFTString, ["meadow" if k else "forest" for k in a])})


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("processing_maps")
    return tmp, _raster(tmp / "emb.tif"), _points(tmp / "pts.gpkg")


@pytest.fixture(scope="module")
def provider(qgis_processing):
    from qgis.core import QgsApplication

    from botaclip.plugin.processing.provider import BotaclipProvider

    registry = QgsApplication.processingRegistry()
    p = BotaclipProvider()
    assert registry.addProvider(p)
    yield p
    registry.removeProvider(p)


def _predict(scene, name, **params):
    import processing

    tmp, emb, pts = scene
    base = {"EMBEDDINGS": str(emb), "POINTS": str(pts), "FOLDS": 3,
            "OUTPUT": str(tmp / f"{name}.tif")}
    return processing.run("botaclip:predict", dict(base, **params))


@pytest.fixture(scope="module")
def presence(provider, scene):
    return _predict(scene, "presence", TARGETS=["present"], TASK=TASK_INDEX["presence"],
                    REPORT=str(scene[0] / "report"),
                    PREDICTOR=str(scene[0] / "presence.predictor.zip"))


@pytest.fixture(scope="module")
def classes(provider, scene):
    return _predict(scene, "classes", TARGETS=["habitat"], TASK=TASK_INDEX["classes"])


def _read(path, band=None):
    """The raster's pixels (one band, or all); the dataset is kept until read (a band of a
    dataset already collected crashes GDAL's Python bindings)."""
    ds = gdal.Open(str(path))
    return ds.GetRasterBand(band).ReadAsArray() if band else ds.ReadAsArray()


def _tags(path):
    ds = gdal.Open(str(path))
    return ds.GetMetadata()


def _bands(path):
    ds = gdal.Open(str(path))
    return [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)]


def test_predict_declares_its_parameters_and_outputs(provider):
    from qgis.core import QgsApplication

    from botaclip.backend.maps.estimators import ESTIMATORS
    from botaclip.backend.maps.metrics import TASKS
    from botaclip.plugin import labels

    alg = QgsApplication.processingRegistry().algorithmById("botaclip:predict")
    assert alg.displayName() == "Predict map"
    assert alg.group() == "Prediction maps" and alg.groupId() == "maps"
    assert len(alg.shortHelpString()) > 300
    assert [p.name() for p in alg.parameterDefinitions()] == PREDICT_PARAMS
    assert alg.parameterDefinition("TARGETS").allowMultiple()
    assert alg.parameterDefinition("TARGETS").parentLayerParameterName() == "POINTS"
    assert alg.parameterDefinition("FOLDS").defaultValue() == 5
    for name in ("BUFFER_M", "BLOCK_M", "BACKGROUND", "REPORT", "PREDICTOR"):
        assert alg.parameterDefinition(name).flags() & 8, name    # FlagOptional
    outputs = {o.name(): o.type() for o in alg.outputDefinitions()}
    # a declared raster output: the Modeler offers it to the next step
    assert outputs["OUTPUT"] == "outputRaster" and outputs["REPORT"] == "outputFolder"
    assert outputs["PREDICTOR"] == outputs["METRICS"] == "outputFile"
    for name in ("N_POINTS", "N_BACKGROUND", "AUC", "TSS", "BOYCE", "MAE", "SPEARMAN",
                 "MACRO_F1", "KAPPA"):
        assert outputs[name] == "outputNumber", name
    # the plugin's own copies of the backend's choices (it imports no backend at load)
    assert labels.TASKS == TASKS and labels.ESTIMATORS == ESTIMATORS


def test_apply_and_evaluate_declare_their_parameters_and_outputs(provider):
    from qgis.core import QgsApplication

    registry = QgsApplication.processingRegistry()
    apply, evaluate = (registry.algorithmById(f"botaclip:{n}") for n in ("apply", "evaluate"))
    assert [p.name() for p in apply.parameterDefinitions()] == ["PREDICTOR", "EMBEDDINGS",
                                                                 "OUTPUT"]
    assert {o.name(): o.type() for o in apply.outputDefinitions()} == {
        "OUTPUT": "outputRaster", "N_PIXELS": "outputNumber", "N_INSIDE": "outputNumber"}
    params = [p.name() for p in evaluate.parameterDefinitions()]
    assert params[:5] == ["ORTHO", "RELEVES", "PLOT_ID", "SPECIES_COLUMNS", "COVER_SCALE"]
    assert {"POINTS", "TARGETS", "TASK", "MODEL", "REPEATS", "FOLDS", "OUTPUT"} <= set(params)
    for name in ("POINTS", "TARGETS", "MODEL"):
        assert evaluate.parameterDefinition(name).flags() & 8, name    # FlagOptional
    assert evaluate.parameterDefinition("REPEATS").defaultValue() == 5
    assert evaluate.parameterDefinition("FOLDS").defaultValue() == 5
    assert {o.name(): o.type() for o in evaluate.outputDefinitions()} == {
        "OUTPUT": "outputFolder", "REPORT_HTML": "outputHtml", "REPORT_JSON": "outputFile"}
    for alg in (apply, evaluate):
        assert alg.group() == "Prediction maps" and len(alg.shortHelpString()) > 300


def test_predict_presence_map_and_metrics(presence, scene):
    tmp = scene[0]
    assert Path(presence["OUTPUT"]) == tmp / "presence.tif"
    assert _bands(presence["OUTPUT"]) == ["probability_present", "uncertainty_present",
                                          "applicability"]
    prob, _unc, aoa = _read(presence["OUTPUT"])
    # A and B are 1.41 apart in feature space with noise sd 0.05 per band (a mix-up needs
    # 14 sd): the forest gives about 1 over A and 0 over B; 0.6 leaves room for smoothing
    assert prob[:CORNER, :HALF].mean() - prob[:CORNER, HALF:CORNER].mean() > 0.6
    # the corner (5, 5, 5, 5) is tens of training spacings from every point: outside
    assert (aoa[CORNER:, CORNER:] == 0).all()
    # every point has an embedding; presence gives AUC/TSS and leaves the other tasks' empty
    assert presence["N_POINTS"] == N_POINTS
    # separable habitats: out-of-fold AUC and TSS near 1; 0.9 is a wide margin
    assert presence["AUC"] > 0.9 and presence["TSS"] > 0.9
    assert np.isnan(presence["MAE"]) and np.isnan(presence["KAPPA"])
    assert np.isnan(presence["N_BACKGROUND"])
    doc = json.loads(Path(presence["METRICS"]).read_text())
    assert Path(presence["METRICS"]).parent == Path(presence["REPORT"]) == tmp / "report"
    assert doc["targets"]["present"]["auc"] == pytest.approx(presence["AUC"])
    assert doc["targets"]["present"]["counts"]["used"] == N_POINTS


def test_apply_gives_the_same_map(presence, scene):
    import processing

    tmp, emb, _pts = scene
    assert Path(presence["PREDICTOR"]) == tmp / "presence.predictor.zip"
    res = processing.run("botaclip:apply", {"PREDICTOR": presence["PREDICTOR"],
                                            "EMBEDDINGS": str(emb),
                                            "OUTPUT": str(tmp / "applied.tif")})
    assert _bands(res["OUTPUT"]) == _bands(presence["OUTPUT"])
    # the saved models on the raster they were fitted on: the very same pixels
    np.testing.assert_array_equal(_read(res["OUTPUT"]), _read(presence["OUTPUT"]))
    aoa = _read(presence["OUTPUT"], 3)
    assert res["N_PIXELS"] == N * N and res["N_INSIDE"] == int(np.sum(aoa == 1))


def test_predict_classes(classes):
    assert _bands(classes["OUTPUT"])[-3:] == ["class", "uncertainty", "applicability"]
    tags = _tags(classes["OUTPUT"])
    assert set(json.loads(tags["BOTACLIP_CLASS_NAMES"]).values()) == {"meadow", "forest"}
    # separable habitats: out-of-fold accuracy near 1 (0.9: a wide margin); a class map has
    # no AUC
    assert classes["ACCURACY"] > 0.9 and classes["KAPPA"] > 0.8 and np.isnan(classes["AUC"])


def test_errors_reach_processing_as_messages(provider, scene):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="'nope'") as info:
        _predict(scene, "bad", TARGETS=["nope"])
    assert "Traceback" not in str(info.value)
    assert not (scene[0] / "bad.tif").exists()


def test_embeddings_or_orthophoto_with_model(provider, scene):
    """Both sources, or an orthophoto without a model, are refused before any work; the
    orthophoto route itself is tested on the command line (test_maps_from_ortho.py)."""
    from qgis.core import QgsProcessingException

    emb = str(scene[1])
    for extra in ({"ORTHO": emb}, {"EMBEDDINGS": None, "ORTHO": emb}):
        with pytest.raises(QgsProcessingException, match="but not both"):
            _predict(scene, "twice", **extra)
        assert not (scene[0] / "twice.tif").exists()


# ------------------------------------------------------------------------------ styles

def _colour(layer, value_row, value_col):
    """The colour QGIS draws at one pixel of ``layer`` (rendered at one pixel per cell)."""
    from qgis.PyQt.QtGui import QColor

    block = layer.renderer().block(1, layer.extent(), layer.width(), layer.height())
    return QColor.fromRgba(block.color(value_row, value_col))


@pytest.fixture
def project():
    from qgis.core import QgsProject

    p = QgsProject.instance()
    p.clear()
    yield p
    p.clear()


def test_probability_layers_styled_and_grouped(presence, project):
    from qgis.core import QgsLayerTreeGroup, QgsPalettedRasterRenderer

    from botaclip.plugin.layers import OUTPUT_PROPERTY, add_prediction_layers

    layers = add_prediction_layers(presence["OUTPUT"], "Presence map", project=project)
    aoa, prob, unc = layers
    group = project.layerTreeRoot().findGroup("Presence map")
    assert isinstance(group, QgsLayerTreeGroup)
    assert [n.layer().id() for n in group.findLayers()] == [lyr.id() for lyr in layers]
    visible = {lyr.id(): group.findLayer(lyr.id()).itemVisibilityChecked() for lyr in layers}
    assert visible == {aoa.id(): True, prob.id(): True, unc.id(): False}
    assert prob.customProperty(OUTPUT_PROPERTY) == "prediction"
    # the probability: viridis fixed from 0 to 1, on the probability band
    renderer = prob.renderer()
    assert renderer.type() == "singlebandpseudocolor" and renderer.band() == 1
    items = renderer.shader().rasterShaderFunction().colorRampItemList()
    assert (items[0].value, items[-1].value) == (0.0, 1.0)
    assert (items[0].color.name(), items[-1].color.name()) == (VIRIDIS_LOW, VIRIDIS_HIGH)
    # the uncertainty: on its band, from 0 (the fold models agree) to the band's maximum
    assert unc.renderer().band() == 2
    unc_band = _read(presence["OUTPUT"], 2)
    unc_items = unc.renderer().shader().rasterShaderFunction().colorRampItemList()
    assert unc_items[0].value == 0.0
    assert unc_items[-1].value == pytest.approx(float(np.nanmax(unc_band)), rel=1e-4)
    # the applicability: 0 drawn (grey, partly transparent), 1 fully transparent
    assert isinstance(aoa.renderer(), QgsPalettedRasterRenderer) and aoa.renderer().band() == 3
    outside, inside = _colour(aoa, N - 1, N - 1), _colour(aoa, 0, 0)
    assert 0 < outside.alpha() < 255 and inside.alpha() == 0
    labels = {c.value: c.label for c in aoa.renderer().classes()}
    assert labels == {0: "outside the area of applicability",
                      1: "inside the area of applicability"}
    # a pixel of A (probability about 1) is drawn near the top of viridis, B near the bottom
    assert _colour(prob, 0, 0).name() != _colour(prob, 0, N - 8).name()


def test_replaced_in_place(presence, project):
    from qgis.core import QgsRasterLayer

    from botaclip.plugin.layers import add_prediction_layers

    other = QgsRasterLayer(str(Path(presence["OUTPUT"]).parent / "emb.tif"), "emb", "gdal")
    project.addMapLayer(other)
    first = {lyr.id() for lyr in add_prediction_layers(presence["OUTPUT"], "Presence map",
                                                        project=project)}
    root = project.layerTreeRoot()
    # a new map group goes above the topmost raster
    assert [c.name() for c in root.children()] == ["Presence map", "emb"]
    root.insertGroup(0, "Mine")      # the user adds a group above: the map keeps its place
    second = add_prediction_layers(presence["OUTPUT"], "Presence map", project=project)
    ids = set(project.mapLayers())
    assert not ids & first
    assert {lyr.id() for lyr in second} | {other.id()} == ids
    assert [c.name() for c in root.children()] == ["Mine", "Presence map", "emb"]
    assert len(root.findGroup("Presence map").findLayers()) == 3


def test_class_layer_named_from_the_tag(classes, project):
    from botaclip.plugin.layers import add_prediction_layers, class_colours

    layers = add_prediction_layers(classes["OUTPUT"], "Habitats", project=project)
    names = [lyr.name() for lyr in layers]
    assert names == ["Area of applicability", "habitat: class", "habitat: uncertainty"]
    renderer = layers[1].renderer()
    assert renderer.type() == "paletted"
    assert renderer.band() == _bands(classes["OUTPUT"]).index("class") + 1
    tag = json.loads(_tags(classes["OUTPUT"])["BOTACLIP_CLASS_NAMES"])
    got = {int(c.value): c.label for c in renderer.classes()}
    assert got == {int(k): v for k, v in tag.items()}
    # the drawn colour of a meadow pixel is the colour given to the meadow class
    meadow = next(int(k) for k, v in tag.items() if v == "meadow")
    assert _colour(layers[1], 0, 0).name() == class_colours(2)[meadow].name()


def test_abundance_ramp_stretched_to_the_band(provider, scene, project):
    from botaclip.plugin.layers import add_prediction_layers

    res = _predict(scene, "abundance", TARGETS=["cover"], TASK=TASK_INDEX["abundance"])
    layers = add_prediction_layers(res["OUTPUT"], "Cover", project=project)
    band = _read(res["OUTPUT"], 1)
    items = layers[1].renderer().shader().rasterShaderFunction().colorRampItemList()
    # every one of the 576 pixels is in the statistics' sample: exact minimum and maximum
    assert items[0].value == pytest.approx(float(np.nanmin(band)), rel=1e-4)
    assert items[-1].value == pytest.approx(float(np.nanmax(band)), rel=1e-4)
    # cover is 1 in B and 3 in A: the ramp spans most of that
    assert items[-1].value - items[0].value > 1.5


def test_class_colours_distinct():
    from botaclip.plugin.layers import class_colours

    for n in (2, 9, 30):
        names = [c.name() for c in class_colours(n)]
        assert len(names) == n == len(set(names))


def test_processing_loads_the_output_styled(provider, scene, project):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    tmp, emb, pts = scene
    context = QgsProcessingContext()
    context.setProject(project)
    out = str(tmp / "loaded.tif")
    res = processing.runAndLoadResults("botaclip:predict", {
        "EMBEDDINGS": str(emb), "POINTS": str(pts), "TARGETS": ["present"], "FOLDS": 3,
        "OUTPUT": out}, feedback=QgsProcessingFeedback(), context=context)
    loaded = [lyr for lyr in project.mapLayers().values() if lyr.source() == res["OUTPUT"]]
    assert len(loaded) == 1
    items = loaded[0].renderer().shader().rasterShaderFunction().colorRampItemList()
    assert items[0].color.name() == VIRIDIS_LOW and items[-1].value == 1.0


# ------------------------------------------------------------------------------ chains

@pytest.mark.slow
def test_model_chains_embed_into_predict(provider, small_scene, tmp_path):
    """A model built in code: orthophoto -> botaclip:embed (spectral baseline, no weights)
    -> botaclip:predict on the relevé points (abundance of one taxon)."""
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterRasterLayer,
        QgsProcessingParameterVectorLayer,
    )

    from botaclip.plugin.labels import BACKBONES

    ortho, releves = small_scene
    model = QgsProcessingModelAlgorithm("embed then predict", "tests")
    for param in (QgsProcessingParameterRasterLayer("ortho", "Orthophoto"),
                  QgsProcessingParameterVectorLayer("points", "Points")):
        model.addModelParameter(param, QgsProcessingModelParameter(param.name()))
    Src = QgsProcessingModelChildParameterSource
    sources = {
        "embed": {"ORTHO": Src.fromModelParameter("ortho"),
                  "BACKBONE": Src.fromStaticValue(BACKBONES.index("spectral")),
                  "PATCH_M": Src.fromStaticValue(40.0), "DEVICE": Src.fromStaticValue(2)},
        "predict": {"EMBEDDINGS": Src.fromChildOutput("embed", "OUTPUT"),
                    "POINTS": Src.fromModelParameter("points"),
                    "TARGETS": Src.fromStaticValue(["Taxon Aus"]),
                    "TASK": Src.fromStaticValue(TASK_INDEX["abundance"]),
                    "FOLDS": Src.fromStaticValue(3)}}
    for child_id, params in sources.items():
        child = QgsProcessingModelChildAlgorithm(f"botaclip:{child_id}")
        child.setChildId(child_id)
        for name, source in params.items():
            # addParameterSources: setParameterSources with a dict crashes PyQGIS 3.22
            child.addParameterSources(name, [source])
        if child_id == "predict":
            output = QgsProcessingModelOutput("map", "Map")
            output.setChildId(child_id)
            output.setChildOutputName("OUTPUT")
            child.setModelOutputs({"map": output})
        model.addChildAlgorithm(child)
    assert "embed" in model.dependsOnChildAlgorithms("predict")
    out = tmp_path / "chained.tif"
    ok, msg = model.checkParameterValues({"ortho": str(ortho), "points": str(releves),
                                          "predict:map": str(out)}, QgsProcessingContext())
    assert ok, msg
    results, ok = model.run({"ortho": str(ortho), "points": str(releves),
                             "predict:map": str(out)}, QgsProcessingContext(),
                            QgsProcessingFeedback())
    assert ok and Path(results["predict:map"]) == out
    assert _bands(out) == ["abundance_Taxon Aus", "uncertainty_Taxon Aus", "applicability"]
    # the map is on the grid of the embedding the first step wrote: one pixel per patch
    # centre, 20 m apart (half the 40 m patch) over the 800 m orthophoto
    emb = gdal.Open(results["CHILD_RESULTS"]["embed"]["OUTPUT"])
    ds = gdal.Open(str(out))
    assert (ds.RasterXSize, ds.RasterYSize) == (emb.RasterXSize, emb.RasterYSize)
    assert ds.GetGeoTransform() == emb.GetGeoTransform()
    assert emb.GetGeoTransform()[1] == 20.0 and 35 <= ds.RasterXSize <= 40
    # the taxon's covers were learnt: some pixels get a higher abundance than others
    cover = ds.GetRasterBand(1).ReadAsArray()
    assert np.nanmax(cover) > np.nanmin(cover)


@pytest.mark.slow
def test_evaluate_writes_the_report(provider, small_scene, tmp_path):
    """Relevés (plant presence per taxon) and the same points' cover of one taxon
    (abundance), the spectral baseline only: no model, and the backbone asked for is the
    spectral baseline itself (a quick run that needs no weights)."""
    import processing

    from botaclip.plugin.labels import BACKBONES, ESTIMATORS

    ortho, releves = small_scene
    out = tmp_path / "evaluation"
    res = processing.run("botaclip:evaluate", {
        "ORTHO": str(ortho), "RELEVES": str(releves), "PLOT_ID": "plot_id",
        "POINTS": str(releves), "TARGETS": ["Taxon Aus"], "TASK": 1 + TASK_INDEX["abundance"],
        "BACKBONE": BACKBONES.index("spectral"), "PATCH_M": 40.0, "FOLDS": 3, "REPEATS": 2,
        "ESTIMATOR": ESTIMATORS.index("logistic"), "DEVICE": 2, "OUTPUT": str(out)})
    assert Path(res["OUTPUT"]) == out
    assert Path(res["REPORT_HTML"]) == out / "report.html" and Path(res["REPORT_HTML"]).is_file()
    doc = json.loads(Path(res["REPORT_JSON"]).read_text())
    assert Path(res["REPORT_JSON"]) == out / "evaluation.json"
    assert {s["key"]: s["available"] for s in doc["sources"]} == {
        "spectral": True, "frozen": False, "botaclip": False}
    # the relevés' taxa as plant presence, and the point layer's target as abundance, on the
    # 200 plots; 3 folds x 2 repeats
    assert [(t["task"], t["n_points"]) for t in doc["tasks"]] == [("presence", 200),
                                                                  ("abundance", 200)]
    assert all(len(t["folds"]) == 6 for t in doc["tasks"])


@pytest.mark.slow
def test_qgis_process_runs_predict(scene, qgis_env):  # noqa: F811
    """As QGIS itself loads the plugin (see tests/test_qgis_process.py)."""
    root, env = qgis_env
    env = dict(env, PYTHONPATH=sysconfig.get_paths()["purelib"])
    _tmp, emb, pts = scene
    out = root / "pred.tif"
    run = subprocess.run([QGIS_PROCESS, "--json", "run", "botaclip:predict", "--",
                          f"EMBEDDINGS={emb}", f"POINTS={pts}", "TARGETS=present", "FOLDS=3",
                          f"OUTPUT={out}"], env=env, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    res = json.loads(run.stdout)["results"]
    assert res["OUTPUT"] == str(out) and out.is_file()
    assert _bands(out)[0] == "probability_present"
    assert res["N_POINTS"] == N_POINTS and res["AUC"] > 0.9     # as in processing.run
