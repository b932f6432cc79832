"""Training and embedding as QgsTasks in QGIS's real task manager (complete, cancel), and
the Train / Embed dialogs, on a tiny configuration: the demo landscape at 2 m pixels and a
tiny DOFA with random weights; the Embed dialog's int8, calibration and Dask scheduler (a
real LocalCluster of one worker)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import TINY, Calls

pytestmark = [pytest.mark.qgis,
              pytest.mark.filterwarnings("ignore:DOFA runs with RANDOM weights")]

DONE = ("success", "error", "cancelled")


@pytest.fixture(scope="module")
def demo(demo_2m):
    return demo_2m


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


def train_kwargs(demo, out, cache_dir) -> dict:
    return dict(ortho=str(demo.orthophoto), releves=str(demo.releves), out=str(out),
                backbone="dofa-custom", weights="none", backbone_config=dict(TINY),
                epochs=2, seed=0, device="cpu", precision="float32",
                cache_dir=str(cache_dir))


def embed_kwargs(demo, out, **extra) -> dict:
    kwargs = dict(ortho=str(demo.orthophoto), out=str(out), backbone="dofa-custom",
                  weights="none", backbone_config=dict(TINY), patch_m=100.0, device="cpu",
                  precision="float32", preview=str(Path(out).with_name("preview.tif")),
                  cache_dir=str(Path(out).with_name("embed-state")))
    kwargs.update(extra)
    return kwargs


def run_task(qtbot, function, kwargs, timeout=180_000, cancel_at: float | None = None):
    from qgis.core import QgsApplication

    from botaclip.plugin.tasks import BackendTask

    calls = Calls()
    task = BackendTask("test", function, kwargs, **calls.kwargs())
    manager = QgsApplication.taskManager()
    task_id = manager.addTask(task)
    if cancel_at is not None:
        qtbot.waitUntil(lambda: task.progress_adapter.max_percent >= cancel_at
                        or task.status in DONE, timeout=timeout)
        assert task.status == "running", "the task ended before it could be cancelled"
        manager.task(task_id).cancel()      # what the task manager's cancel button does
    qtbot.waitUntil(lambda: task.status in DONE, timeout=timeout)
    return task, calls


@pytest.fixture(scope="module")
def trained(qgis_app, demo, cache, tmp_path_factory):
    """A tiny model trained once (directly: the task tests below go through QGIS)."""
    from botaclip.backend.train import train_model

    out = tmp_path_factory.mktemp("model") / "model"
    return train_model(**train_kwargs(demo, out, cache))


# ----------------------------------------------------------------------------- tasks

@pytest.mark.slow
def test_train_task_completes(qgis_app, qtbot, demo, cache, tmp_path):
    from botaclip.backend.train import train_model

    out = tmp_path / "model"
    task, calls = run_task(qtbot, train_model, train_kwargs(demo, out, cache))
    assert task.status == "success", task.error_message
    assert calls.error == [] and calls.cancel == [] and len(calls.success) == 1
    summary = calls.success[0]
    assert Path(summary.out) == out and (out / "config.json").exists()
    assert summary.random_weights
    assert set(summary.metrics) >= {"untrained", "best", "chance", "test", "test_untrained",
                                    "test_chance"}
    assert 0.0 <= summary.metrics["best"]["img2rel@10"] <= 1.0
    assert 0.0 <= summary.metrics["test"]["img2rel@10"] <= 1.0 and summary.n_test >= 50
    assert task.progress_adapter.max_percent == 100.0


def test_train_task_cancelled_leaves_no_model(qgis_app, qtbot, demo, tmp_path):
    from botaclip.backend.train import train_model

    out = tmp_path / "model"
    # a fresh feature cache: the backbone has to run (10-70 % of the progress), and the
    # task is cancelled while it does
    task, calls = run_task(qtbot, train_model, train_kwargs(demo, out, tmp_path / "cache"),
                           cancel_at=15.0)
    assert task.progress_adapter.max_percent < 70.0
    assert task.status == "cancelled", task.error_message
    assert calls.cancel == [True] and calls.error == [] and calls.success == []
    assert not out.exists(), "a cancelled training must leave no model folder"


@pytest.mark.slow
def test_embed_task_completes(qgis_app, qtbot, demo, trained, tmp_path):
    from qgis.core import QgsRasterLayer

    from botaclip.backend.embed import embed_raster

    out = tmp_path / "emb.tif"
    task, calls = run_task(qtbot, embed_raster,
                           dict(ortho=str(demo.orthophoto), out=str(out),
                                model=str(trained.out), device="cpu",
                                preview=str(tmp_path / "preview.tif"),
                                cache_dir=str(tmp_path / "embed-state")))
    assert task.status == "success", task.error_message
    result = calls.success[0]
    emb = QgsRasterLayer(str(result.out), "emb", "gdal")
    assert emb.isValid() and emb.bandCount() == 32
    assert QgsRasterLayer(str(result.preview), "p", "gdal").bandCount() == 3


def test_embed_task_cancelled_leaves_no_raster(qgis_app, qtbot, demo, tmp_path):
    from botaclip.backend.embed import embed_raster

    out = tmp_path / "emb.tif"
    task, calls = run_task(qtbot, embed_raster,
                           embed_kwargs(demo, out, stride_m=20.0), cancel_at=2.0)
    assert task.status == "cancelled", task.error_message
    assert calls.cancel == [True] and calls.error == [] and calls.success == []
    assert not out.exists() and not (tmp_path / "preview.tif").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".tif", ".tiff")] == []


# ----------------------------------------------------------------------------- dialogs

@pytest.fixture
def project(qgis_new_project, demo):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    ortho = QgsRasterLayer(str(demo.orthophoto), "orthophoto", "gdal")
    releves = QgsVectorLayer(str(demo.releves), "releves", "ogr")
    assert ortho.isValid() and releves.isValid()
    QgsProject.instance().addMapLayers([ortho, releves])
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


@pytest.fixture
def settings(qgis_app, cache):
    from botaclip.plugin.settings import Settings

    s = Settings()
    s.reset()
    s.cache_folder = str(cache)
    s.device = "cpu"
    yield s
    s.reset()


def _wait(qtbot, dlg, timeout=180_000):
    qtbot.waitUntil(lambda: dlg.task is not None and dlg.task.status in DONE,
                    timeout=timeout)
    return dlg.task.status


def test_train_dialog_builds_its_parameters(qgis_iface, project, settings, qtbot, demo,
                                            tmp_path):
    from botaclip.plugin.dialogs.train_dialog import MODEL_FOLDER, TrainDialog

    dlg = TrainDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.releves.currentLayer().name() == "releves"
    assert dlg.ortho.currentLayer().name() == "orthophoto"
    assert dlg.plot_id.currentField() == "plot_id"
    assert dlg.folder.filePath() == str(Path(demo.releves).parent / MODEL_FOLDER)
    assert dlg.device.currentData() == "cpu"                 # from the settings
    assert len(dlg.species_columns()) == len(demo.taxa)
    # DOFA base by default, and no weights file anywhere: Run waits, with two ways out
    assert not dlg.ok_button.isEnabled()
    assert "needs its weights file" in dlg.validation_label.text()
    assert [b.text() for b in dlg._fix_buttons] == ["Get weights…", "Choose weights file…",
                                                    "Use the spectral baseline"]
    dlg._fix_buttons[2].click()
    assert dlg.backbone.key() == "spectral" and not dlg._fix_buttons
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.species.set_all(False)
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == "Tick at least one taxon column."
    dlg.species.set_all(True)
    dlg.backbone.backbone.setCurrentIndex(dlg.backbone.backbone.findData("timm"))
    assert dlg.validation_label.text() == "Give the timm model's name (e.g. resnet50)."
    dlg.backbone.timm_name.setText("resnet18")
    assert dlg.validation_label.text() == "A timm backbone needs its weights file."
    dlg.backbone.random.setChecked(True)
    assert dlg.ok_button.isEnabled()
    dlg.backbone.backbone.setCurrentIndex(dlg.backbone.backbone.findData("dofa-base"))
    dlg.backbone.random.setChecked(False)
    dlg.backbone.weights.setFilePath(str(tmp_path / "missing.safetensors"))
    assert "does not exist" in dlg.validation_label.text()
    dlg.backbone.weights.setFilePath("")
    dlg.folder.setFilePath(str(tmp_path / "m"))
    dlg.epochs.setValue(7)
    dlg.patch.setValue(80.0)
    kwargs = dlg.task_kwargs()
    assert kwargs["out"] == str(tmp_path / "m")
    assert (kwargs["backbone"], kwargs["weights"], kwargs["epochs"]) == ("dofa-base", None, 7)
    assert kwargs["weights_dir"] is None and kwargs["cache_dir"] == settings.cache_folder
    assert kwargs["patch_m"] == 80.0 and kwargs["device"] == "cpu"
    assert kwargs["options"].plot_id == "plot_id"
    assert kwargs["options"].species_columns == dlg.species_columns()
    assert kwargs["ortho"] == str(demo.orthophoto)


@pytest.mark.slow
def test_train_dialog_runs_and_reports(qgis_iface, project, settings, qtbot, tmp_path):
    from qgis.core import Qgis
    from qgis.PyQt.QtWidgets import QPushButton

    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    qgis_iface.messageBar().clearWidgets()
    dlg = TrainDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.backbone.backbone.setCurrentIndex(dlg.backbone.backbone.findData("dofa-small"))
    dlg.backbone.random.setChecked(True)
    dlg.backbone_config = dict(TINY)
    dlg.epochs.setValue(2)
    dlg.folder.setFilePath(str(tmp_path / "model"))
    dlg.accept()
    assert dlg.close_button.text() == "Cancel"
    assert _wait(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    assert (tmp_path / "model" / "config.json").exists()
    texts = [i.text() for i in dlg.bar.items()]
    assert len(texts) == 1, texts                              # one message, not a pile
    assert "finds the right relevé among its 10 nearest" in texts[0] and "chance" in texts[0]
    assert not any("Model trained" in i.text() for i in qgis_iface.messageBar().items())
    assert dlg.open_report_button.isVisible()
    dlg.close()                         # the result goes on in QGIS's bar, with its buttons
    items = qgis_iface.messageBar().items()
    assert items and items[-1].text().startswith("Model trained. It finds")
    assert items[-1].level() == Qgis.MessageLevel.Warning      # random weights
    buttons = items[-1].findChildren(QPushButton, "botaclip_result_button")
    assert [b.text() for b in buttons] == ["Open report", "Details…"]
    assert dlg.report_path().endswith(".html")
    assert dlg.ok_button.isEnabled() and dlg.close_button.text() == "Close"


def test_train_dialog_cancel(qgis_iface, project, settings, qtbot, tmp_path):
    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    settings.cache_folder = str(tmp_path / "fresh-cache")
    dlg = TrainDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.backbone.backbone.setCurrentIndex(dlg.backbone.backbone.findData("dofa-small"))
    dlg.backbone.random.setChecked(True)
    dlg.backbone_config = dict(TINY)
    dlg.folder.setFilePath(str(tmp_path / "model"))
    dlg.accept()
    qtbot.waitUntil(lambda: dlg.task.progress_adapter.max_percent >= 15.0, timeout=60_000)
    dlg.close_or_cancel()                                      # the Cancel button
    assert _wait(qtbot, dlg) == "cancelled"
    assert not (tmp_path / "model").exists()
    assert any("Cancelled" in i.text() for i in dlg.bar.items())


def test_embed_dialog_builds_its_parameters(qgis_iface, project, settings, qtbot, demo,
                                            tmp_path):
    from qgis.core import QgsRectangle

    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog

    dlg = EmbedDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    ortho = Path(demo.orthophoto)
    assert dlg.output.filePath() == str(ortho.with_name(ortho.stem + "_embeddings.tif"))
    assert "needs its weights file" in dlg.validation_label.text()
    dlg._fix_buttons[2].click()                            # use the spectral baseline
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    assert dlg.extent_value() is None                      # whole orthophoto by default
    dlg.model.setFilePath(str(tmp_path))
    assert "is not a model folder" in dlg.validation_label.text()
    assert not dlg.backbone.backbone.isEnabled() and not dlg.patch.isEnabled()
    dlg.model.setFilePath("")
    assert dlg.backbone.backbone.isEnabled()
    dlg.backbone.backbone.setCurrentIndex(dlg.backbone.backbone.findData("spectral"))
    dlg.output.setFilePath(str(tmp_path / "e.tif"))
    dlg.stride.setValue(50.0)
    e = dlg.ortho.currentLayer().extent()
    dlg.extent.setOutputExtentFromUser(QgsRectangle(e.xMinimum(), e.yMinimum(),
                                                    e.xMinimum() + 500, e.yMinimum() + 400),
                                       dlg.ortho.currentLayer().crs())
    kwargs = dlg.task_kwargs()
    assert kwargs["backbone"] == "spectral" and kwargs["weights"] is None
    assert kwargs["out"] == str(tmp_path / "e.tif")
    assert kwargs["preview"] == str(tmp_path / "e_preview.tif")
    assert kwargs["stride_m"] == 50.0 and kwargs["patch_m"] == 100.0
    assert kwargs["extent"] == pytest.approx((e.xMinimum(), e.yMinimum(), e.xMinimum() + 500,
                                              e.yMinimum() + 400))
    assert kwargs["mask"] is None and kwargs["device"] == "cpu"
    assert kwargs["cache_dir"] == str(Path(settings.cache_folder) / "embed")
    assert (kwargs["precision"], kwargs["dtype"]) == ("auto", "float16")
    assert kwargs["calibrate"] == "auto" and kwargs["scheduler"] is None
    dlg.preview.setChecked(False)
    dlg.stride.setValue(0.0)
    kwargs = dlg.task_kwargs()
    assert kwargs["preview"] is None and kwargs["stride_m"] is None
    # int8 offered last; "Calibrate first" measures at this run's start
    combo = dlg.precision
    assert [combo.itemData(i) for i in range(combo.count())] == ["auto", "float32",
                                                                 "bfloat16", "int8"]
    assert combo.itemText(3).startswith("int8 (CPU only") and "int8" in combo.toolTip()
    combo.setCurrentIndex(3)
    dlg.calibrate.setChecked(True)
    kwargs = dlg.task_kwargs()
    assert (kwargs["precision"], kwargs["calibrate"]) == ("int8", "always")
    # the Dask scheduler, folded away in Advanced; a malformed one stops Run
    assert dlg.advanced.isCollapsed()
    dlg.scheduler.setText("locale:2")
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text().startswith("Dask scheduler: give local, local:N")
    for text in ("local:1", " tcp://10.0.0.5:8786 ", str(tmp_path / "scheduler.json")):
        dlg.scheduler.setText(text)
        assert dlg.ok_button.isEnabled(), (text, dlg.validation_label.text())
        assert dlg.task_kwargs()["scheduler"] == text.strip()
    dlg.scheduler.setText("  ")
    assert dlg.task_kwargs()["scheduler"] is None


def test_embed_dialog_does_not_import_dask():
    """Opening the plugin's embed front doors imports neither Dask nor torch: only a run
    with a scheduler does (a QGIS without Dask still embeds in its own process)."""
    code = ("import sys\n"
            "import botaclip.plugin.dialogs.embed_dialog, botaclip.plugin.processing.provider\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('dask', 'distributed', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_embed_dialog_adds_preview_visible_and_embeddings_unticked(
        qgis_iface, project, settings, qtbot, trained, tmp_path):
    from qgis.core import QgsRectangle

    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog

    dlg = EmbedDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.model.setFilePath(str(trained.out))
    dlg.output.setFilePath(str(tmp_path / "emb.tif"))
    e = dlg.ortho.currentLayer().extent()
    dlg.extent.setOutputExtentFromUser(QgsRectangle(e.xMinimum(), e.yMinimum(),
                                                    e.xMinimum() + 800, e.yMinimum() + 800),
                                       dlg.ortho.currentLayer().crs())
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.accept()
    assert _wait(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    root = project.layerTreeRoot()
    layers = {Path(lyr.source()).name: lyr for lyr in project.mapLayers().values()}
    emb, preview = layers["emb.tif"], layers["emb_preview.tif"]
    assert emb.name() == "emb (embeddings)"
    assert preview.name() == "emb preview: alike colour, alike place"
    assert not root.findLayer(emb.id()).itemVisibilityChecked()
    assert root.findLayer(preview.id()).itemVisibilityChecked()
    assert preview.renderer().type() == "multibandcolor"
    assert preview.renderer().redContrastEnhancement().maximumValue() == 255
    assert json.loads((Path(trained.out) / "config.json").read_text())["embedding_dim"] \
        == emb.bandCount()


def _small_extent(dlg, side_m: float) -> None:
    from qgis.core import QgsRectangle

    e = dlg.ortho.currentLayer().extent()
    dlg.extent.setOutputExtentFromUser(QgsRectangle(e.xMinimum(), e.yMinimum(),
                                                    e.xMinimum() + side_m,
                                                    e.yMinimum() + side_m),
                                       dlg.ortho.currentLayer().crs())


@pytest.mark.slow
def test_embed_dialog_int8_on_a_local_dask_cluster(qgis_iface, project, settings, qtbot,
                                                   trained, tmp_path):
    """int8, "Calibrate first" and the scheduler local:1 go through the task to the Dask
    run: the raster says int8, was made tile by tile, and is loaded like any other."""
    from botaclip.backend.embed import read_embedding_tags
    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog

    dlg = EmbedDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.model.setFilePath(str(trained.out))
    dlg.output.setFilePath(str(tmp_path / "emb.tif"))
    dlg.preview.setChecked(False)
    _small_extent(dlg, 600.0)
    dlg.precision.setCurrentIndex(dlg.precision.findData("int8"))
    dlg.calibrate.setChecked(True)
    dlg.scheduler.setText("local:1")
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.accept()
    assert _wait(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    tags = read_embedding_tags(tmp_path / "emb.tif")
    assert tags["BOTACLIP_PRECISION"] == "int8"
    assert tags["BOTACLIP_PRECISION_CHECK"]["requested"] == "int8"
    assert "local Dask cluster" in tags["BOTACLIP_TILES"]["scheduler"]
    assert not (tmp_path / "emb.tiles").exists()
    layers = {Path(lyr.source()).name: lyr for lyr in project.mapLayers().values()}
    assert layers["emb.tif"].name() == "emb (embeddings)"
    assert dlg.result.precision == "int8" and dlg.result.n_tiles == 1
    details = " ".join(i.text() for i in dlg.bar.items())
    assert "Embeddings written to" in details


def test_embed_dialog_unreachable_scheduler_is_a_clear_error(qgis_iface, project, settings,
                                                             qtbot, tmp_path):
    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog

    with socket.socket() as s:              # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dlg = EmbedDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.backbone.backbone.setCurrentIndex(dlg.backbone.backbone.findData("spectral"))
    dlg.output.setFilePath(str(tmp_path / "emb.tif"))
    dlg.scheduler.setText(f"tcp://127.0.0.1:{port}")
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.accept()
    assert _wait(qtbot, dlg, timeout=60_000) == "error"
    texts = " ".join(i.text() for i in dlg.bar.items())
    assert f"Cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in texts
    assert "Unexpected error" not in texts and "Traceback" not in texts
    assert not (tmp_path / "emb.tif").exists() and not (tmp_path / "emb.tiles").exists()
