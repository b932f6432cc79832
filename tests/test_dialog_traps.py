"""The traps a first-time user fell into, each as a test on the real dialogs (offscreen; the
window suite repeats the main ones in a real QGIS window): identifiers offered as taxa, our
own output layer preselected as relevés, runs allowed that must fail, results that vanish on
Run, cancels reported as failures, messages that pile up, a preview hiding the points."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis


@pytest.fixture
def scene_project(qgis_new_project, small_scene):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    ortho, releves = small_scene
    layers = [QgsRasterLayer(str(ortho), "orthophoto", "gdal"),
              QgsVectorLayer(str(releves), "releves", "ogr")]
    assert all(lyr.isValid() for lyr in layers)
    for layer in layers:                   # the points above the orthophoto, as users do
        QgsProject.instance().addMapLayer(layer)
    root = QgsProject.instance().layerTreeRoot()
    assert [n.layer().name() for n in root.findLayers()] == ["releves", "orthophoto"]
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


@pytest.fixture
def settings(qgis_app, tmp_path):
    from botaclip.plugin.settings import Settings

    s = Settings()
    s.reset()
    s.cache_folder = str(tmp_path / "cache")
    s.device = "cpu"
    yield s
    s.reset()


def _status_layer(tmp_path, small_scene):
    """The check's plot status layer, added as the Check dialog adds it."""
    from botaclip.backend.check import check_data
    from botaclip.plugin.layers import add_vector_layer

    ortho, releves = small_scene
    report = check_data(str(ortho), str(releves), plots_out=tmp_path / "plot_status.gpkg")
    return add_vector_layer(report.outputs["plots"], "Plot status", style="plot_status",
                            output="plot_status")


def test_identifiers_and_our_fields_are_never_taxa(scene_project, settings, qtbot, tmp_path,
                                                   small_scene):
    from botaclip.plugin.dialogs.common import taxon_fields
    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    status = _status_layer(tmp_path, small_scene)
    assert status.fields().indexOf("valid_fraction") >= 0
    assert taxon_fields(status) == []      # plot_id, status, valid_fraction, n_taxa, top_taxa
    dlg = TrainDialog(None)
    qtbot.addWidget(dlg)
    dlg.releves.setLayer(scene_project.mapLayersByName("releves")[0])
    names = [dlg.species.item(i).text() for i in range(dlg.species.count())]
    assert len(names) == 24 and "fid" not in names and "plot_id" not in names
    dlg.species.set_all(False)
    dlg.species.set_all(True)              # "All" ticks taxa only
    assert dlg.species_columns() == names
    dlg.species.search.setText("bus")      # the search box narrows what All / None touch
    shown = [n for i, n in enumerate(names) if not dlg.species.item(i).isHidden()]
    assert shown and all("bus" in n.lower() for n in shown)
    dlg.species.set_all(False)
    assert sorted(dlg.species_columns()) == sorted(set(names) - set(shown))
    assert dlg.species.count_label.text() == f"{len(names) - len(shown)} of 24 ticked"


def test_our_plot_status_layer_is_never_preselected(scene_project, settings, qtbot, tmp_path,
                                                   small_scene, qgis_iface):
    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    status = _status_layer(tmp_path, small_scene)
    qgis_iface.setActiveLayer(status)      # after Check, our layer is the active one
    dlg = TrainDialog(qgis_iface)
    qtbot.addWidget(dlg)
    assert dlg.releves.currentLayer().name() == "releves"
    assert len(dlg.species_columns()) == 24


def test_too_few_plots_keep_run_disabled(scene_project, settings, qtbot, tmp_path):
    from qgis.core import QgsVectorLayer

    from botaclip.plugin.dialogs.train_dialog import MIN_PLOTS, TrainDialog

    layer = scene_project.mapLayersByName("releves")[0]
    few = QgsVectorLayer(layer.source(), "few plots", "ogr")
    few.setSubsetString("fid <= 40")
    scene_project.addMapLayer(few)
    dlg = TrainDialog(None)
    qtbot.addWidget(dlg)
    dlg.backbone.use_spectral()
    dlg.releves.setLayer(few)
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == (
        f"Training needs at least {MIN_PLOTS} plots (at least 50 each to train on, to choose "
        "the epoch and to test the model); 'few plots' has 40.")


def test_plugin_constants_match_the_backend():
    from botaclip.backend.train import DEFAULT_COVER_TRANSFORM
    from botaclip.plugin.processing.train import DEFAULT_TRANSFORM

    assert DEFAULT_TRANSFORM == DEFAULT_COVER_TRANSFORM


def test_minimum_plots_match_the_training_loop():
    from botaclip.backend.train import (
        MIN_TEST_PLOTS,
        MIN_TRAIN_PLOTS,
        TrainConfig,
        min_plots,
        min_val_plots,
    )
    from botaclip.plugin.dialogs.train_dialog import MIN_PLOTS

    assert MIN_PLOTS == sum(min_plots(TrainConfig())) == 150
    assert MIN_PLOTS == MIN_TRAIN_PLOTS + min_val_plots(TrainConfig()) + MIN_TEST_PLOTS


def test_the_result_message_quotes_the_test_figure():
    """The dialog's sentence is the test score, labelled "test"; the details give the
    validation score as the selection score, and where the plots went."""
    import types

    from botaclip.plugin.dialogs.train_dialog import recall_details, recall_text

    ks = {"img2rel@10": 0.55, "rel2img@10": 0.5}
    summary = types.SimpleNamespace(
        metrics={"test": ks, "test_untrained": {"img2rel@10": 0.2, "rel2img@10": 0.25},
                 "test_chance": {"img2rel@10": 1 / 6, "rel2img@10": 1 / 6},
                 "best": {"img2rel@10": 0.66, "rel2img@10": 0.62},
                 "untrained": {"img2rel@10": 0.1, "rel2img@10": 0.12},
                 "chance": {"img2rel@10": 10 / 58, "rel2img@10": 10 / 58}},
        n_test=60, n_val=58, n_train=151, n_buffer=31, buffer_m=100.0, n_plots=300,
        n_plots_total=300, block_m=500.0, n_taxa=66, best_epoch=24, epochs_trained=34)
    assert recall_text(summary) == (
        "It finds the right relevé among its 10 nearest for 55 % of 60 held-out test plots "
        "(chance: 17 %; untrained backbone: 20 %).")
    details = recall_details(summary).splitlines()
    assert details[0] == "Recall@10 on the test plots (trained / untrained / chance):"
    assert details[1] == "  image → relevé: 55 % / 20 % / 17 %"
    assert details[3].startswith("Recall@10 on the validation plots, which chose the epoch")
    assert details[4] == "  image → relevé: 66 % / 17 %"
    assert details[6] == (
        "300 of 300 plots used (151 to train, 58 to validate, 60 to test, in blocks of 500 m; "
        "31 training plots closer than 100 m to a validation or test plot left out); 66 taxa; "
        "best epoch 24 of 34.")


def test_an_existing_model_folder_is_replaced_only_when_the_user_says_so(
        scene_project, settings, qtbot, tmp_path):
    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    dlg = TrainDialog(None)
    qtbot.addWidget(dlg)
    dlg.backbone.use_spectral()
    dlg.folder.setFilePath(str(folder))
    asked = []
    dlg.confirm_overwrite = lambda path: asked.append(path) or False
    dlg.accept()
    assert asked == [str(folder)] and dlg.task is None
    assert (folder / "notes.txt").read_text() == "mine"


def test_weights_missing_offers_three_ways_out(scene_project, settings, qtbot, tmp_path):
    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    settings.weights_folder = str(tmp_path)        # an empty weights folder
    dlg = TrainDialog(None)
    qtbot.addWidget(dlg)
    assert dlg.backbone.key() == "dofa-base"
    assert not dlg.ok_button.isEnabled()
    assert str(tmp_path) in dlg.validation_label.text()
    assert [b.text() for b in dlg._fix_buttons] == ["Get weights…", "Choose weights file…",
                                                    "Use the spectral baseline"]
    from botaclip.plugin.dialogs.weights_dialog import WeightsDialog

    dlg._fix_buttons[0].click()                    # Get weights…: the manager on this folder
    manager = dlg.findChild(WeightsDialog)
    assert manager is not None and manager.isVisible()
    manager.reject()
    (tmp_path / "dofa_base_patch16_224-a0275954.pth").write_bytes(b"")   # found by name
    dlg.refresh()
    assert dlg.ok_button.isEnabled() and not dlg._fix_buttons


def test_result_layers_stay_until_replaced_in_place(scene_project, tmp_path, small_scene):
    from qgis.core import QgsRasterLayer, QgsVectorLayer

    from botaclip.plugin.layers import OUTPUT_PROPERTY, HeldLayers, add_raster_layer

    ortho, _releves = small_scene
    copy = tmp_path / "result.tif"
    copy.write_bytes(Path(ortho).read_bytes())
    first = add_raster_layer(copy, "result", output="embeddings")
    root = scene_project.layerTreeRoot()
    # a raster result goes above the topmost raster (the orthophoto), below the points
    assert [n.layer().name() for n in root.findLayers()] == ["releves", "result",
                                                            "orthophoto"]
    held = HeldLayers([copy])
    assert held.release() == 0                     # not on Linux: the layer stays
    assert scene_project.mapLayer(first.id()) is not None
    assert held.restore() == 0
    sketch = QgsVectorLayer("Point?crs=EPSG:2154", "sketch", "memory")
    scene_project.addMapLayer(sketch, False)
    root.insertLayer(0, sketch)
    first_id = first.id()
    second = add_raster_layer(copy, "result again", output="embeddings")
    assert scene_project.mapLayer(first_id) is None
    names = [n.layer().name() for n in root.findLayers()]
    assert names == ["sketch", "releves", "result again", "orthophoto"]   # the same place
    assert second.customProperty(OUTPUT_PROPERTY) == "embeddings"
    assert isinstance(second, QgsRasterLayer)


def test_held_layers_come_back_after_a_cancel_where_files_are_locked(scene_project, tmp_path,
                                                                     small_scene):
    from botaclip.plugin.layers import HeldLayers, add_raster_layer

    ortho, _releves = small_scene
    copy = tmp_path / "result.tif"
    copy.write_bytes(Path(ortho).read_bytes())
    add_raster_layer(copy, "result")
    held = HeldLayers([copy])
    assert held.release(must=True) == 1            # what Windows needs to replace the file
    assert not scene_project.mapLayersByName("result")
    assert held.restore() == 1
    root = scene_project.layerTreeRoot()
    assert [n.layer().name() for n in root.findLayers()] == ["releves", "result",
                                                            "orthophoto"]


def test_qgis_failure_notice_for_a_cancel_is_removed(qgis_app):
    from qgis.core import Qgis
    from qgis.gui import QgsMessageBar

    from botaclip.plugin.tasks import drop_qgis_notice

    bar = QgsMessageBar()
    bar.pushMessage("Task failed", "Embed orthophoto", Qgis.MessageLevel.Info, 0)
    bar.pushMessage("BotaCLIP", "Cancelled: the embedding raster was not written.",
                    Qgis.MessageLevel.Info, 0)
    assert drop_qgis_notice(bar, "Embed orthophoto") == 1
    assert [i.text() for i in bar.items()] == [
        "Cancelled: the embedding raster was not written."]


def test_messages_replace_each_other(scene_project, settings, qtbot, qgis_iface):
    from qgis.core import Qgis

    from botaclip.plugin.dialogs.check_dialog import CheckDialog

    dlg = CheckDialog(qgis_iface)
    qtbot.addWidget(dlg)
    for i in range(3):
        dlg.show_message(f"message {i}\nwith details {i}", Qgis.MessageLevel.Info)
    items = dlg.bar.items()
    assert [i.text() for i in items] == ["message 2"]


def test_embed_dialog_shows_what_the_model_uses(scene_project, settings, qtbot, tmp_path,
                                                small_scene):
    import json

    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog

    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({
        "backbone": {"name": "spectral", "weights_path": None},
        "bands": {"names": ["red", "green", "blue", "nir"],
                  "wavelengths_um": [0.665, 0.56, 0.49, 0.842]},
        "patch_m": 80.0, "species": ["a", "b", "c"], "check": {"plots_used": 150}}))
    dlg = EmbedDialog(None)
    qtbot.addWidget(dlg)
    dlg.model.setFilePath(str(model))
    assert dlg.backbone.key() == "spectral" and not dlg.backbone.backbone.isEnabled()
    assert not dlg.backbone.weights.isEnabled()           # the spectral baseline has none
    assert dlg.patch.value() == 80.0 and dlg.wavelengths.text() == "0.665, 0.56, 0.49, 0.842"
    assert dlg.model_info.text() == (
        "This model uses the Spectral baseline backbone on 4 bands (red, green, blue, nir) "
        "with 80 m patches; it was trained on 150 plots and 3 taxa.")


def test_no_better_than_chance_is_said():
    from botaclip.backend.train import TrainSummary

    def summary(test: float) -> TrainSummary:
        # the validation figure (which chose the epoch) is high; only the test one counts
        return TrainSummary(
            out=Path("m"), n_plots=150, n_plots_total=150, left_out={}, n_taxa=5,
            metrics={"chance": {"img2rel@10": 0.2}, "best": {"img2rel@10": 0.9},
                     "test_chance": {"img2rel@10": 0.2}, "test": {"img2rel@10": test}},
            n_train=50, n_val=50, block_m=100.0, val_fraction=1 / 3, best_epoch=1,
            epochs_trained=1, report_html=Path("r.html"), bundle_sha256="", backbone="x",
            random_weights=False, precision="float32", seconds=1.0, n_test=50)

    # chance 20 % on 50 plots: two standard errors are 2 * sqrt(0.2 * 0.8 / 50) = 11.3 points
    assert not summary(0.2).beats_chance()
    assert not summary(0.31).beats_chance()
    assert summary(0.32).beats_chance()
    assert "for 31.0 % of the 50 test plots, and chance alone gives 20.0 %" in \
        summary(0.31).no_better_than_chance()
