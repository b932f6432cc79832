"""The Predict map and Evaluate dialogs in real QGIS (offscreen), their tasks in QGIS's real
task manager: what Run waits for, the task suggested from a field, the backend arguments, a
prediction run to the end (three styled layers, one message with the headline metric) and a
cancelled one (nothing written, the earlier map and its layers kept).

The scene, written here: a 30 x 30 embedding raster of 20 m pixels (EPSG:2154), 4 bands,
habitat A (columns < 15, bands near (1, 0, 0, 0)) and habitat B (near (0, 1, 0, 0)), noise
sd 0.05; a point at the centre of every second pixel (225), with ``present`` 1 in A and 0 in
B, ``cover`` 3 in A and 1 in B, ``habitat`` 'A' or 'B', ``survey`` (0/1 as a real field
with one NULL), and fields that are never targets: the primary key ``fid``, an identifier
``name`` (P000, P001...), the coordinate ``x`` and a date ``taken``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import epsg, write_embedding, write_points

pytestmark = [pytest.mark.qgis, pytest.mark.usefixtures("two_threads")]

N, PIX, X0, Y0 = 30, 20.0, 900000.0, 6500600.0
DONE = ("success", "error", "cancelled")


def _embedding(path):
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(N, N, 4)).astype(np.float32)
    f[:, :15, 0] += 1.0
    f[:, 15:, 1] += 1.0
    return write_embedding(path, f, origin=(X0, Y0), pixel=PIX, srs=epsg(),
                           tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "4",
                                 "BOTACLIP_SETTINGS": json.dumps({"patch_m": PIX})})


def _points(path):
    from osgeo import ogr

    cells = [(r, c) for r in range(0, N, 2) for c in range(0, N, 2)]
    a = [c < 15 for _, c in cells]
    xs = [X0 + (c + 0.5) * PIX for _, c in cells]
    n = len(cells)
    return write_points(path, epsg(), xs, [Y0 - (r + 0.5) * PIX for r, _ in cells], {
        "name": (ogr.OFTString, [f"P{k:03d}" for k in range(n)]),
        "present": (ogr.OFTInteger, [int(k) for k in a]),
        "cover": (ogr.OFTReal, [3.0 if k else 1.0 for k in a]),
        "habitat": (ogr.OFTString, ["A" if k else "B" for k in a]),
        # the first point has no survey value
        "survey": (ogr.OFTReal, [None] + [float(k) for k in a[1:]]),
        "x": (ogr.OFTReal, xs),
        "taken": (ogr.OFTDate, ["2024-06-01"] * n)}, layer="observations")


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("maps_scene")
    return _embedding(tmp / "emb.tif"), _points(tmp / "points.gpkg")


@pytest.fixture
def project(qgis_new_project, scene):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    emb, pts = scene
    layers = [QgsRasterLayer(str(emb), "embeddings", "gdal"),
              QgsVectorLayer(str(pts), "observations", "ogr")]
    assert all(lyr.isValid() for lyr in layers)
    QgsProject.instance().addMapLayers(layers)
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


@pytest.fixture
def settings(qgis_app):
    from botaclip.plugin.settings import Settings

    s = Settings()
    s.reset()
    s.threads = 2
    s.device = "cpu"
    yield s
    s.reset()


def _dialog(qtbot, iface):
    from botaclip.plugin.dialogs.predict_dialog import PredictDialog

    dlg = PredictDialog(iface)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _wait(qtbot, dlg, timeout=120_000):
    qtbot.waitUntil(lambda: dlg.task is not None and dlg.task.status in DONE,
                    timeout=timeout)
    return dlg.task.status


# ----------------------------------------------------------------------------- predict

def test_labels_match_the_backend():
    from botaclip.backend.maps import ESTIMATORS, TASKS
    from botaclip.plugin.labels import ESTIMATOR_LABELS, TASK_LABELS

    assert tuple(TASK_LABELS) == tuple(TASKS)
    assert tuple(ESTIMATOR_LABELS) == tuple(ESTIMATORS)


def test_headline_gives_each_task_its_metrics(qgis_app):
    from types import SimpleNamespace

    from botaclip.plugin.dialogs.predict_dialog import headline, result_details

    cv = {"cv": {"folds": 4}}

    def result(task, metrics, **extra):
        return SimpleNamespace(task=task, targets=list(metrics), metrics=metrics,
                               out="/x/map.tif", **extra)

    assert headline(result("presence", {"sp": {"tss": 0.618, "auc": 0.884, **cv}})) == \
        "Predicted 'sp': TSS 0.62, AUC 0.88 (4 spatial folds)."
    assert headline(result("presence-only", {"presence": {"boyce": None, **cv}},
                           n_background=300)) == (
        "Predicted 'presence' from presences only: Boyce index – (4 spatial folds, 300 "
        "background points).")                          # not computable: a dash, not 'nan'
    assert headline(result("classes", {"hab": {"accuracy": 0.9, "kappa": 0.75, **cv}})) == \
        "Predicted 'hab': accuracy 0.90, kappa 0.75 (4 spatial folds)."
    assert headline(result("abundance", {"c": {"spearman": 0.5, "mae": 1.23456, **cv}})) == \
        "Predicted 'c': Spearman 0.50, MAE 1.235 (4 spatial folds)."
    two = result("abundance", {"a": {"spearman": 0.5, **cv}, "b": {"spearman": float("nan")}},
                 messages=["5 of 5 folds scored."], report=None, predictor="/x/p.zip")
    assert headline(two) == "Predicted 2 abundances: Spearman a 0.50, b – (4 spatial folds)."
    assert result_details(two).splitlines() == [
        "Spearman 0 is chance; MAE is in the field's own unit.", "Map written to /x/map.tif.",
        "Predictor saved to /x/p.zip.", "5 of 5 folds scored."]


def test_task_follows_the_field_until_chosen(qgis_iface, project, settings, qtbot):
    dlg = _dialog(qtbot, qgis_iface)
    assert dlg.embeddings.currentLayer().name() == "embeddings"
    assert dlg.points.currentLayer().name() == "observations"
    # numbers and text only; neither the primary key, a coordinate, a date nor the text
    # field that names each point
    assert dlg.targets.names() == ["present", "cover", "habitat", "survey"]
    assert dlg.targets.fields() == [] and dlg.task_combo.currentData() == "presence-only"
    assert dlg.background.isEnabled()
    expected = {"present": "presence", "cover": "abundance", "habitat": "classes",
                "survey": "presence"}          # 0/1 with a NULL is still presence
    for name, task in expected.items():
        dlg.targets.set_fields([name])
        assert (dlg.targets.fields(), dlg.task_combo.currentData()) == ([name], task)
        assert dlg.task_hint.text().startswith(f"'{name}'")
    assert not dlg.background.isEnabled()
    dlg.targets.set_fields(["present", "cover"])     # several: presence keeps one
    assert dlg.targets.fields() == ["present"] and dlg.task_combo.currentData() == "presence"
    dlg.targets.set_fields(["cover"])
    dlg.targets.set_fields(["cover", "survey"])      # abundance takes several
    assert dlg.targets.fields() == ["cover", "survey"]
    assert dlg.task_combo.currentData() == "abundance"
    # a task chosen by hand stays, and keeps one field
    dlg.task_combo.setCurrentIndex(dlg.task_combo.findData("classes"))
    assert dlg.targets.fields() == ["cover"]
    dlg.targets.set_fields(["present"])
    assert dlg.task_combo.currentData() == "classes"
    assert dlg.task_hint.text().endswith("You chose another task.")


def test_run_waits_for_what_is_missing(qgis_iface, project, settings, qtbot, scene,
                                       tmp_path):
    from qgis.core import QgsRasterLayer

    emb, _pts = scene
    dlg = _dialog(qtbot, qgis_iface)
    dlg.task_combo.setCurrentIndex(dlg.task_combo.findData("presence"))
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == (
        "Tick the field that holds 1 where the species is present and 0 where it is absent.")
    dlg.targets.set_fields(["present"])
    # proposed beside the embedding, named after the target, the report beside it
    assert dlg.output.filePath() == str(Path(emb).with_name("present_map.tif"))
    assert dlg.report.filePath() == str(Path(emb).with_name("present_map_report"))
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.output.setFilePath(str(emb))
    assert dlg.validation_label.text() == (
        "The prediction map cannot replace one of its inputs; choose another name.")
    dlg.output.setFilePath(str(tmp_path / "map.png"))
    assert dlg.validation_label.text() == "The prediction map must be a GeoTIFF (.tif) file."
    dlg.output.setFilePath("")
    assert dlg.validation_label.text() == "Choose where to write the prediction map."
    dlg.output.setFilePath(str(tmp_path / "map.tif"))
    (tmp_path / "a-file").write_text("x")
    dlg.report.setFilePath(str(tmp_path / "a-file"))
    assert dlg.validation_label.text().endswith("is a file; choose a folder for the metrics.")
    dlg.report.setFilePath("")
    assert dlg.ok_button.isEnabled()
    # a prediction map offered as the embeddings: refused, by name
    pred = tmp_path / "pred.tif"
    pred.write_bytes(Path(emb).read_bytes())
    from osgeo import gdal

    ds = gdal.Open(str(pred), gdal.GA_Update)
    ds.SetMetadataItem("BOTACLIP_KIND", "prediction")
    ds = None
    layer = QgsRasterLayer(str(pred), "old map", "gdal")
    project.addMapLayer(layer)
    dlg.embeddings.setLayer(layer)
    assert dlg.validation_label.text() == ("'old map' is a prediction map, not an embedding "
                                           "raster: choose the embeddings it was made from.")
    project.removeMapLayer(layer.id())
    project.removeMapLayer(project.mapLayersByName("observations")[0].id())
    assert dlg.validation_label.text() == (
        "Add a point layer with your observations to the project and choose it.")
    project.removeMapLayer(project.mapLayersByName("embeddings")[0].id())
    assert dlg.validation_label.text().startswith("Add an embedding raster (made by "
                                                  "'Embed orthophoto…')")
    assert not dlg.ok_button.isEnabled()


def test_no_embedding_offers_to_embed(qgis_iface, qgis_new_project, settings, qtbot):
    """Opened from the menu in an empty project, Predict says what is missing and offers
    the Embed dialog with one click."""
    import botaclip
    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog

    plugin = botaclip.classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.actions["predict"].trigger()
        dlg = plugin.dialogs["predict"]
        assert not dlg.ok_button.isEnabled()
        assert [b.text() for b in dlg._fix_buttons] == ["Embed orthophoto…"]
        dlg._fix_buttons[0].click()
        assert isinstance(plugin.dialogs.get("embed"), EmbedDialog)
        assert plugin.dialogs["embed"].isVisible()
    finally:
        plugin.unload()


def test_a_raster_without_tags_is_used_with_a_note(qgis_iface, project, settings, qtbot,
                                                   tmp_path, scene):
    from osgeo import gdal
    from qgis.core import QgsRasterLayer

    plain = tmp_path / "plain.tif"
    gdal.Translate(str(plain), str(scene[0]))
    ds = gdal.Open(str(plain), gdal.GA_Update)
    ds.SetMetadata({})
    ds = None
    dlg = _dialog(qtbot, qgis_iface)
    assert not dlg.embedding_note.isVisible()
    layer = QgsRasterLayer(str(plain), "my bands", "gdal")
    project.addMapLayer(layer)
    dlg.embeddings.setLayer(layer)
    assert dlg.embedding_note.isVisible()
    assert dlg.embedding_note.text() == ("'my bands' is not an embedding raster made by "
                                         "BotaCLIP: its 4 bands are used as they are.")


def test_predict_dialog_builds_its_parameters(qgis_iface, project, settings, qtbot, scene,
                                              tmp_path):
    emb, pts = scene
    dlg = _dialog(qtbot, qgis_iface)
    dlg.targets.set_fields(["habitat"])
    kwargs = dlg.task_kwargs()
    assert kwargs == dict(embeddings=str(emb), points=str(pts),
                          targets=["habitat"], out=str(Path(emb).with_name("habitat_map.tif")),
                          task="classes", estimator="rf", folds=5, buffer_m=None,
                          block_m=None, seed=0, background=None,
                          report_dir=str(Path(emb).with_name("habitat_map_report")),
                          n_jobs=2)
    dlg.output.setFilePath(str(tmp_path / "m.tif"))      # edited: the report follows it
    dlg.targets.set_fields([])                           # presence-only
    dlg.estimator.setCurrentIndex(dlg.estimator.findData("logistic"))
    dlg.folds.setValue(3)
    dlg.buffer.setValue(0.0)                              # no buffer, said explicitly
    dlg.block.setValue(150.0)
    dlg.background.setValue(400)
    dlg.seed.setValue(7)
    dlg.report.setFilePath("")
    dlg.predictor.setFilePath(str(tmp_path / "m.predictor"))
    kwargs = dlg.task_kwargs()
    assert kwargs["out"] == str(tmp_path / "m.tif") and kwargs["targets"] == []
    assert (kwargs["task"], kwargs["estimator"], kwargs["folds"]) == ("presence-only",
                                                                      "logistic", 3)
    assert (kwargs["buffer_m"], kwargs["block_m"], kwargs["background"], kwargs["seed"]) \
        == (0.0, 150.0, 400, 7)
    assert kwargs["report_dir"] is None
    assert kwargs["save_model"] == str(tmp_path / "m.predictor")
    settings.threads = 0
    assert dlg.task_kwargs()["n_jobs"] == -1          # automatic: every core


def _run(qtbot, dlg):
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.accept()
    assert dlg.close_button.text() == "Cancel"
    return _wait(qtbot, dlg)


def _prediction_layers(project, out):
    return [lyr for lyr in project.mapLayers().values()
            if Path(lyr.source().split("|")[0]) == Path(out)]


def test_predict_runs_adds_layers_and_cancel_keeps_them(qgis_iface, project, settings,
                                                        qtbot, tmp_path):
    from qgis.PyQt.QtWidgets import QPushButton

    qgis_iface.messageBar().clearWidgets()
    dlg = _dialog(qtbot, qgis_iface)
    dlg.targets.set_fields(["present"])
    out = tmp_path / "present.tif"
    dlg.output.setFilePath(str(out))
    assert _run(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    layers = _prediction_layers(project, out)
    # probability, uncertainty and applicability, each a styled view of the one file
    assert len(layers) == 3, [lyr.name() for lyr in layers]
    assert all(lyr.isValid() for lyr in layers)
    texts = [i.text() for i in dlg.bar.items()]
    assert len(texts) == 1, texts
    # A and B are 1.41 apart in feature space against noise of sd 0.05: every held-out
    # block is ranked right, so AUC and TSS reach 1 up to the odd tie; 0.9 leaves room
    metrics = dlg.result.metrics["present"]
    assert metrics["auc"] >= 0.9 and metrics["tss"] >= 0.9, metrics
    assert texts[0] == (f"Predicted 'present': TSS {metrics['tss']:.2f}, AUC "
                        f"{metrics['auc']:.2f} (5 spatial folds).")
    report = tmp_path / "present_report" / "metrics.json"
    assert report.exists() and dlg.metrics_path() == str(report)
    assert dlg.open_metrics_button.isVisible()
    dlg.close()                      # the result goes on in QGIS's bar, with its buttons
    item = qgis_iface.messageBar().items()[-1]
    assert item.text() == texts[0]
    buttons = item.findChildren(QPushButton, "botaclip_result_button")
    assert [b.text() for b in buttons] == ["Open metrics", "Details…"]

    # again, cancelled during the cross-validation: the map and its layers stay as they were
    before = out.read_bytes()
    ids = sorted(lyr.id() for lyr in layers)
    dlg.show()
    dlg.accept()
    qtbot.waitUntil(lambda: dlg.task.progress_adapter.max_percent >= 6.0
                    or dlg.task.status in DONE, timeout=60_000)
    assert dlg.task.status == "running", "the run ended before it could be cancelled"
    dlg.close_or_cancel()                                      # the Cancel button
    assert _wait(qtbot, dlg) == "cancelled"
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["present.tif", "present_report"]
    assert sorted(lyr.id() for lyr in _prediction_layers(project, out)) == ids
    assert [i.text() for i in dlg.bar.items()] == [
        "Cancelled: the prediction map was not written; the previous one, if any, is "
        "unchanged."]


# ----------------------------------------------------------------------------- evaluate

@pytest.fixture
def scene_project(qgis_new_project, small_scene):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    ortho, releves = small_scene
    layers = [QgsRasterLayer(str(ortho), "orthophoto", "gdal"),
              QgsVectorLayer(str(releves), "releves", "ogr")]
    assert all(lyr.isValid() for lyr in layers)
    QgsProject.instance().addMapLayers(layers)
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


def _evaluate_dialog(qtbot, iface):
    from botaclip.plugin.dialogs.evaluate_dialog import EvaluateDialog

    dlg = EvaluateDialog(iface)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_evaluate_dialog_builds_its_parameters(qgis_iface, scene_project, settings, qtbot,
                                               small_scene, tmp_path):
    from botaclip.plugin.dialogs.evaluate_dialog import REPORT_FOLDER

    ortho, releves = small_scene
    settings.cache_folder = str(tmp_path / "cache")
    dlg = _evaluate_dialog(qtbot, qgis_iface)
    assert dlg.releves.currentLayer().name() == "releves"
    assert dlg.points.currentLayer() is None                  # optional, empty at first
    assert dlg.folder.filePath() == str(Path(releves).parent / REPORT_FOLDER)
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    kwargs = dlg.task_kwargs()
    options = kwargs.pop("options")
    assert options.plot_id == "plot_id" and len(options.species_columns) == 24
    assert kwargs == dict(ortho=str(ortho), releves=str(releves),
                          out_dir=str(Path(releves).parent / REPORT_FOLDER), model=None,
                          sensor=None, wavelengths=None, patch_m=100.0, weights_dir=None,
                          repeats=5, folds=5, estimator="rf", device="cpu",
                          cache_dir=str(tmp_path / "cache"), n_jobs=2)
    # neither relevés nor points: nothing to evaluate on
    dlg.releves.setLayer(None)
    assert dlg.validation_label.text() == ("Choose relevés, a point layer, or both: there is "
                                           "nothing to evaluate on yet.")
    dlg.points.setLayer(scene_project.mapLayersByName("releves")[0])
    # no field ticked: every point an occurrence (presence only), which needs no field
    assert dlg.target.task_name() == "presence-only" and dlg.ok_button.isEnabled()
    dlg.target.targets.set_fields(["Taxon Aus"])            # percent covers: abundance
    assert dlg.target.task_name() == "abundance" and dlg.ok_button.isEnabled()
    model = tmp_path / "model"
    model.mkdir()
    dlg.model.setFilePath(str(model))
    assert dlg.validation_label.text() == (f"{model} is not a model folder (it has no "
                                           "readable config.json).")
    (model / "config.json").write_text(json.dumps({"backbone": {"name": "spectral"},
                                                   "patch_m": 40.0}))
    dlg.model.setFilePath("")
    dlg.model.setFilePath(str(model))                        # chosen again, now a model
    assert dlg.ok_button.isEnabled() and not dlg.patch.isEnabled()
    assert dlg.model_info.text().startswith("This model uses the Spectral baseline")
    dlg.repeats.setValue(2)
    dlg.folds.setValue(3)
    kwargs = dlg.task_kwargs()
    assert kwargs["releves"] is None and "options" not in kwargs
    assert (kwargs["points"], kwargs["targets"], kwargs["task"]) == (
        str(releves), ["Taxon Aus"], "abundance")
    assert kwargs["model"] == str(model) and "patch_m" not in kwargs   # the model's own
    assert (kwargs["repeats"], kwargs["folds"]) == (2, 3)


def test_evaluate_runs_and_opens_the_report(qgis_iface, scene_project, settings, qtbot,
                                            tmp_path):
    from qgis.PyQt.QtWidgets import QPushButton

    qgis_iface.messageBar().clearWidgets()
    settings.cache_folder = str(tmp_path / "cache")
    settings.weights_folder = str(tmp_path / "no-weights")   # no DOFA: spectral only
    dlg = _evaluate_dialog(qtbot, qgis_iface)
    dlg.releves.setLayer(None)
    dlg.points.setLayer(scene_project.mapLayersByName("releves")[0])
    dlg.target.targets.set_fields(["Taxon Aus"])
    dlg.estimator.setCurrentIndex(dlg.estimator.findData("logistic"))   # seconds, not minutes
    dlg.patch.setValue(40.0)
    dlg.repeats.setValue(1)
    dlg.folds.setValue(3)
    dlg.folder.setFilePath(str(tmp_path / "evaluation"))
    assert _run(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    assert (tmp_path / "evaluation" / "report.html").exists()
    assert (tmp_path / "evaluation" / "evaluation.json").exists()
    texts = [i.text() for i in dlg.bar.items()]
    assert len(texts) == 1 and texts[0].startswith("Evaluation report written."), texts
    assert dlg.report_path() == str(tmp_path / "evaluation" / "report.html")
    assert dlg.open_report_button.isVisible()
    dlg.close()
    item = qgis_iface.messageBar().items()[-1]
    buttons = item.findChildren(QPushButton, "botaclip_result_button")
    assert [b.text() for b in buttons][:1] == ["Open report"]
