"""The Species suitability and Habitat clusters dialogs and the Top taxa here map tool in real
QGIS (offscreen), their work in QGIS's real task manager: what Run waits for (and why not,
in words), the backend arguments, runs to the end (a styled suitability map; a paletted
habitat map named "habitat 1"...), a cancelled run (nothing written), and the top taxa
listed for a clicked pixel.

Two scenes. For the model-based tools: a BotaCLIP with the spectral backbone trained for 3
epochs on the conftest's small scene (24 taxa "Taxon Aus"..., of which the model keeps those
with enough plots) and its embedding raster at a 100 m stride, as in
test_processing_zeroshot.py. For the clusters: a 20 x 20 embedding raster of 10 m pixels
(EPSG:2154), 3 bands, no model: columns < 10 habitat A ((1, 0, 0) + noise sd 0.05),
columns >= 10 habitat B ((0, 1, 0) + the same noise).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import epsg, write_embedding
from osgeo import gdal

pytestmark = [pytest.mark.qgis, pytest.mark.usefixtures("two_threads")]

N, PIX, X0, Y0, HALF = 20, 10.0, 900000.0, 6500200.0, 10
DONE = ("success", "error", "cancelled")


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(N, N, 3)).astype(np.float32)
    f[:, :HALF, 0] += 1.0
    f[:, HALF:, 1] += 1.0
    path = tmp_path_factory.mktemp("habitats") / "plain.tif"
    return write_embedding(path, f, origin=(X0, Y0), pixel=PIX, srs=epsg(),
                           tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "3",
                                 "BOTACLIP_SETTINGS": json.dumps({"patch_m": PIX})})


@pytest.fixture(scope="module")
def bundle(small_scene, tmp_path_factory):
    from botaclip.backend.embed.engine import embed_raster
    from botaclip.backend.train import train_model

    ortho, releves = small_scene
    root = tmp_path_factory.mktemp("suitability_model")
    train_model(ortho, releves, root / "model", patch_m=40.0, epochs=3, device="cpu",
                cache_dir=root / "cache", batch_size=64, precision="float32",
                backbone="spectral")
    emb = root / "emb.tif"
    embed_raster(ortho, emb, model=root / "model", stride_m=100.0, device="cpu",
                 cache_dir=root / "cache")
    return root / "model", emb


@pytest.fixture(scope="module")
def species(bundle):
    return json.loads((bundle[0] / "config.json").read_text("utf-8"))["species"]


@pytest.fixture
def project(qgis_new_project, bundle, plain):
    from qgis.core import QgsProject, QgsRasterLayer

    layers = [QgsRasterLayer(str(plain), "plain embeddings", "gdal"),
              QgsRasterLayer(str(bundle[1]), "model embeddings", "gdal")]
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


def _show(qtbot, dlg):
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _layer(project, name):
    return project.mapLayersByName(name)[0]


def _run(qtbot, dlg):
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.accept()
    qtbot.waitUntil(lambda: dlg.task is not None and dlg.task.status in DONE,
                    timeout=120_000)
    return dlg.task.status


def _added(project, out):
    return [lyr for lyr in project.mapLayers().values()
            if Path(lyr.source().split("|")[0]) == Path(out)]


# ----------------------------------------------------------------------------- suitability

def _suitability(qtbot, iface):
    from botaclip.plugin.dialogs.suitability_dialog import SuitabilityDialog

    return _show(qtbot, SuitabilityDialog(iface))


def test_suitability_says_why_it_cannot_run(qgis_iface, project, settings, qtbot, bundle,
                                            species, tmp_path):
    model, emb = bundle
    dlg = _suitability(qtbot, qgis_iface)
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == "Choose the model folder (made by 'Train model…')."
    dlg.model.setFilePath(str(tmp_path))
    assert dlg.validation_label.text() == (
        f"{tmp_path} is not a model folder (it has no readable config.json with the "
        "model's taxa).")
    dlg.embeddings.setLayer(_layer(project, "plain embeddings"))
    dlg.model.setFilePath(str(model))
    # the raster embedded with the model is chosen for it (its sha256 tag)
    assert dlg.embeddings.currentLayer().name() == "model embeddings"
    assert dlg.model_info.text() == f"The model knows {len(species)} taxa."
    assert dlg.output.filePath() == str(Path(emb).with_name("emb_suitability.tif"))
    assert dlg.validation_label.text().startswith("Type the taxa to map")
    # a raster made without the model: refused with the backend's reason
    dlg.embeddings.setLayer(_layer(project, "plain embeddings"))
    assert "was not made with a BotaCLIP model" in dlg.validation_label.text()
    dlg.embeddings.setLayer(_layer(project, "model embeddings"))
    dlg.taxa.setText("Taxon Xuss")
    assert "does not know the taxon 'Taxon Xuss'" in dlg.validation_label.text()
    # the model spells its taxa as the relevé readers normalise them ("Taxon xus")
    assert "Did you mean: Taxon xus" in dlg.validation_label.text()
    dlg.taxa.setText("Taxon Xus=20")
    assert dlg.validation_label.text() == ("Per-taxon suitability places each taxon alone, "
                                           "without a cover: remove '=20' after Taxon Xus.")
    dlg.taxa.setText("Taxon Xus; taxon wus")
    assert dlg.taxa_count.text() == "2 taxon band(s)"
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    dlg.output.setFilePath(str(emb))
    assert dlg.validation_label.text() == ("The suitability map cannot replace the embedding "
                                           "raster; choose another name.")
    dlg.output.setFilePath(str(tmp_path / "s.png"))
    assert dlg.validation_label.text() == "The suitability map must be a GeoTIFF (.tif) file."
    dlg.output.setFilePath(str(tmp_path / "s.tif"))
    assert dlg.task_kwargs() == dict(model_dir=str(model), embeddings=str(emb),
                                     out=str(tmp_path / "s.tif"),
                                     taxa=["Taxon Xus", "taxon wus"], all_taxa=False,
                                     expected_community=False)
    dlg.all_taxa.setChecked(True)
    assert not dlg.taxa.isEnabled() and dlg.taxa_count.text() == \
        f"{len(species)} taxon band(s)"
    kwargs = dlg.task_kwargs()
    assert (kwargs["taxa"], kwargs["all_taxa"]) == (None, True)


def test_the_taxa_line_completes_the_name_being_typed(qgis_iface, project, settings, qtbot,
                                                     bundle, species):
    dlg = _suitability(qtbot, qgis_iface)
    dlg.model.setFilePath(str(bundle[0]))
    first = species[0]
    # "xu" is in one name only ("Taxon xus"; "Taxon" holds "xo", not "xu"), case ignored
    assert dlg.taxa.suggest(f"{first}; xu") == 1
    assert dlg.taxa.completer_.currentCompletion() == "Taxon xus"
    dlg.taxa.setText(f"{first}; xu")
    dlg.taxa.insert_name("Taxon xus")
    assert dlg.taxa.text() == f"{first}; Taxon xus; "
    assert dlg.taxa_count.text() == "2 taxon band(s)"
    assert dlg.taxa.suggest(f"{first}; ") == 0            # nothing typed yet: no popup


def test_suitability_run_adds_a_styled_map(qgis_iface, project, settings, qtbot, bundle,
                                           tmp_path):
    dlg = _suitability(qtbot, qgis_iface)
    dlg.model.setFilePath(str(bundle[0]))
    dlg.taxa.setText("Taxon Xus; Taxon Wus")
    dlg.expected.setChecked(True)
    out = tmp_path / "suit.tif"
    dlg.output.setFilePath(str(out))
    assert _run(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    ds = gdal.Open(str(out))
    bands = [ds.GetRasterBand(b).GetDescription() for b in range(1, ds.RasterCount + 1)]
    # named as the model spells the taxa
    assert bands == ["suitability_Taxon xus", "suitability_Taxon wus", "expected_richness",
                     "top_taxon"]
    cosines = ds.ReadAsArray()[:2]
    assert np.isfinite(cosines).any() and np.nanmax(np.abs(cosines)) <= 1.0 + 1e-6
    layers = _added(project, out)
    assert len(layers) == 1 and layers[0].customProperty("botaclip/output") == "suitability"
    renderer = layers[0].renderer()
    # a cosine's fixed range on the first taxon's band (the similarity ramp)
    assert renderer.type() == "singlebandpseudocolor" and renderer.band() == 1
    assert (renderer.classificationMin(), renderer.classificationMax()) == (-1.0, 1.0)
    assert [i.text() for i in dlg.bar.items()] == [
        "Suitability map written with 4 band(s): suitability_Taxon xus, "
        "suitability_Taxon wus, expected_richness, top_taxon."]


def test_suitability_refuses_to_run_without_a_model_raster(qgis_iface, project, settings,
                                                           qtbot, bundle, tmp_path):
    """The check's reason is shown before Run, and Run does nothing."""
    dlg = _suitability(qtbot, qgis_iface)
    dlg.model.setFilePath(str(bundle[0]))
    dlg.expected.setChecked(True)
    dlg.embeddings.setLayer(_layer(project, "plain embeddings"))
    dlg.output.setFilePath(str(tmp_path / "x.tif"))
    assert not dlg.ok_button.isEnabled()
    dlg.accept()
    assert dlg.task is None and not (tmp_path / "x.tif").exists()


# ----------------------------------------------------------------------------- top taxa

@pytest.fixture(scope="module")
def community_map(bundle, tmp_path_factory):
    from botaclip.backend.zeroshot.suitability import suitability_map

    out = tmp_path_factory.mktemp("community") / "community.tif"
    return suitability_map(bundle[0], bundle[1], out, expected_community=True).out


@pytest.fixture
def top_taxa(qgis_new_project, qgis_iface, community_map, settings):
    from qgis.core import QgsProject, QgsRasterLayer

    from botaclip.plugin.maptools.top_taxa import TopTaxa

    layer = QgsRasterLayer(str(community_map), "community", "gdal")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    qgis_iface.setActiveLayer(layer)
    canvas = qgis_iface.mapCanvas()
    canvas.resize(400, 400)
    canvas.setDestinationCrs(layer.crs())
    canvas.setLayers([layer])
    canvas.setExtent(layer.extent())
    controller = TopTaxa(qgis_iface)
    controller.activate()
    yield controller
    controller.unload()
    QgsProject.instance().removeAllMapLayers()


def _click(canvas, tool, x, y):
    from qgis.core import QgsPointXY
    from qgis.gui import QgsMapMouseEvent
    from qgis.PyQt.QtCore import QEvent, QPoint, Qt

    pos = canvas.getCoordinateTransform().transform(QgsPointXY(x, y)).toQPointF().toPoint()
    event = QgsMapMouseEvent(canvas, QEvent.Type.MouseButtonRelease, QPoint(pos),
                             Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier)
    tool.canvasReleaseEvent(event)


def test_top_taxa_lists_k_taxa_for_a_clicked_pixel(top_taxa, qgis_iface, qtbot,
                                                   community_map, species):
    canvas = qgis_iface.mapCanvas()
    assert canvas.mapTool() is top_taxa.tool
    ds = gdal.Open(str(community_map))
    gt = ds.GetGeoTransform()
    tags = ds.GetMetadata()
    row, col = 3, 4
    _click(canvas, top_taxa.tool, gt[0] + (col + 0.5) * gt[1], gt[3] + (row + 0.5) * gt[5])
    task = top_taxa.task
    assert task is not None
    qtbot.waitUntil(lambda: task.status in DONE, timeout=120_000)
    assert task.status == "success", task.error_message
    answer = top_taxa.answer
    k = int(tags["BOTACLIP_TOP_K"])              # what the map recorded: the default 5
    assert k == 5 and len(answer) == k
    names = [n for n, _p in answer]
    probs = [p for _n, p in answer]
    assert len(set(names)) == k and set(names) <= set(species)
    assert all(0.0 <= p <= 1.0 for p in probs) and probs == sorted(probs, reverse=True)
    # no taxon asked for: the map is the expected community's two bands alone
    richness = ds.GetRasterBand(1).ReadAsArray()[row, col]
    top = ds.GetRasterBand(2).ReadAsArray()[row, col]
    # a taxon's probability is the retrieval's weight on the relevés holding it, so all
    # taxa's sum to the expected richness and the k largest cannot exceed it; and the
    # map's most likely taxon at that pixel is the first one listed
    assert sum(probs) <= float(richness) + 1e-4
    assert json.loads(tags["BOTACLIP_CLASS_NAMES"])[str(int(top))] == names[0]
    item = top_taxa.item
    assert item is not None and item in qgis_iface.messageBar().items()
    assert item.text().split(" · ") == [f"{n} {p:.0%}" for n, p in answer]


def test_top_taxa_without_a_suitability_map_says_so(qgis_new_project, qgis_iface, plain):
    from qgis.core import QgsPointXY, QgsProject, QgsRasterLayer

    from botaclip.plugin.maptools.top_taxa import TopTaxa

    QgsProject.instance().addMapLayer(QgsRasterLayer(str(plain), "plain", "gdal"))
    controller = TopTaxa(qgis_iface)
    try:
        assert controller.query_point(QgsPointXY(X0, Y0)) is None
        assert controller.task is None
        assert controller.item.text().startswith("Top taxa here needs a suitability map")
    finally:
        controller.unload()
        QgsProject.instance().removeAllMapLayers()


# ----------------------------------------------------------------------------- habitats

def _habitats(qtbot, iface, project):
    from botaclip.plugin.dialogs.habitats_dialog import HabitatsDialog

    dlg = _show(qtbot, HabitatsDialog(iface))
    dlg.embeddings.setLayer(_layer(project, "plain embeddings"))
    return dlg


def test_habitats_says_why_it_cannot_run(qgis_iface, project, settings, qtbot, plain,
                                         tmp_path):
    dlg = _habitats(qtbot, qgis_iface, project)
    assert dlg.output.filePath() == str(Path(plain).with_name("plain_habitats.tif"))
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    assert dlg.task_kwargs() == dict(
        embeddings=str(plain), out=str(Path(plain).with_name("plain_habitats.tif")), k=8,
        k_range=(3, 15), seed=0, summary_dir=None, ortho=None, model=None)
    dlg.auto_k.setChecked(True)
    assert not dlg.k.isEnabled() and dlg.k_min.isEnabled()
    dlg.k_min.setValue(15)
    assert dlg.validation_label.text() == ("The range of k is empty: the smallest k (15) must "
                                           "be below the largest (15).")
    dlg.k_min.setValue(2)
    dlg.k_max.setValue(4)
    dlg.ortho.setLayer(_layer(project, "model embeddings"))
    assert dlg.validation_label.text() == (
        "The orthophoto and the model folder only serve the summary: choose a summary "
        "folder, or leave them empty.")
    (tmp_path / "a-file").write_text("x")
    dlg.summary.setFilePath(str(tmp_path / "a-file"))
    assert dlg.validation_label.text() == (f"{tmp_path / 'a-file'} is a file; choose a "
                                           "folder for the summary.")
    dlg.summary.setFilePath(str(tmp_path / "summary"))
    dlg.output.setFilePath(str(plain))
    assert dlg.validation_label.text() == ("The habitat map cannot replace one of its inputs; "
                                           "choose another name.")
    dlg.output.setFilePath(str(tmp_path / "summary"))
    assert dlg.validation_label.text() == "The habitat map must be a GeoTIFF (.tif) file."
    dlg.output.setFilePath(str(tmp_path / "hab.tif"))
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    kwargs = dlg.task_kwargs()
    assert (kwargs["k"], kwargs["k_range"], kwargs["summary_dir"]) == (
        "auto", (2, 4), str(tmp_path / "summary"))
    assert kwargs["ortho"] == str(_layer(project, "model embeddings").source())
    dlg.ortho.setLayer(None)
    dlg.output.setFilePath("")
    assert dlg.validation_label.text() == "Choose where to write the habitat map."
    # a map BotaCLIP wrote is not an embedding raster
    from qgis.core import QgsRasterLayer

    other = tmp_path / "old.tif"
    gdal.Translate(str(other), str(plain))
    ds = gdal.Open(str(other), gdal.GA_Update)
    ds.SetMetadataItem("BOTACLIP_KIND", "habitats")
    ds = None
    layer = QgsRasterLayer(str(other), "old map", "gdal")
    project.addMapLayer(layer)
    dlg.embeddings.setLayer(layer)
    assert dlg.validation_label.text() == ("'old map' is a BotaCLIP habitats map, not an "
                                           "embedding raster: choose the embeddings it was "
                                           "made from.")


def test_habitats_run_adds_a_paletted_map_with_names(qgis_iface, project, settings, qtbot,
                                                     tmp_path):
    from qgis.PyQt.QtWidgets import QPushButton

    qgis_iface.messageBar().clearWidgets()
    dlg = _habitats(qtbot, qgis_iface, project)
    dlg.k.setValue(2)
    out = tmp_path / "hab.tif"
    dlg.output.setFilePath(str(out))
    dlg.summary.setFilePath(str(tmp_path / "summary"))
    assert _run(qtbot, dlg) == "success", [i.text() for i in dlg.bar.items()]
    ds = gdal.Open(str(out))          # kept until read: a band outlives no dataset
    cls = ds.GetRasterBand(1).ReadAsArray()
    # two habitats 1.4 apart against noise of sd 0.05: the clusters are the halves exactly
    left, right = np.unique(cls[:, :HALF]), np.unique(cls[:, HALF:])
    assert len(left) == len(right) == 1 and left[0] != right[0]
    layers = _added(project, out)
    assert len(layers) == 1 and layers[0].customProperty("botaclip/output") == "habitats"
    renderer = layers[0].renderer()
    assert renderer.type() == "paletted"
    assert [c.label for c in renderer.classes()] == ["habitat 1", "habitat 2"]
    # 200 pixels each: the largest holds half
    assert [i.text() for i in dlg.bar.items()] == [
        "2 habitat clusters mapped; the largest covers 50% of the pixels."]
    assert dlg.summary_page() == str(tmp_path / "summary" / "clusters.html")
    assert dlg.open_summary_button.isVisible()
    dlg.close()                      # the result goes on in QGIS's bar, with its buttons
    item = qgis_iface.messageBar().items()[-1]
    buttons = item.findChildren(QPushButton, "botaclip_result_button")
    assert [b.text() for b in buttons] == ["Open summary", "Details…"]


def test_cancelled_habitats_leave_nothing(qgis_iface, project, settings, qtbot, tmp_path):
    dlg = _habitats(qtbot, qgis_iface, project)
    dlg.auto_k.setChecked(True)
    # 59 k-means fits over 2-60: long enough to be cancelled between two of them
    dlg.k_min.setValue(2)
    dlg.k_max.setValue(60)
    out = tmp_path / "hab.tif"
    dlg.output.setFilePath(str(out))
    dlg.summary.setFilePath(str(tmp_path / "summary"))
    dlg.accept()
    # the choice of k runs from 15% to 40% of the progress bar
    qtbot.waitUntil(lambda: dlg.task.progress_adapter.max_percent >= 16.0
                    or dlg.task.status in DONE, timeout=60_000)
    assert dlg.task.status == "running", "the run ended before it could be cancelled"
    dlg.close_or_cancel()                                      # the Cancel button
    qtbot.waitUntil(lambda: dlg.task.status in DONE, timeout=60_000)
    assert dlg.task.status == "cancelled"
    assert list(tmp_path.iterdir()) == []
    assert _added(project, out) == []
    assert [i.text() for i in dlg.bar.items()] == [
        "Cancelled: the habitat map was not written; the previous one, if any, is "
        "unchanged."]


# ----------------------------------------------------------------------------- the menu

def test_the_menu_opens_the_new_tools(qgis_iface, qgis_new_project, settings):
    import botaclip
    from botaclip.plugin.dialogs.habitats_dialog import HabitatsDialog
    from botaclip.plugin.dialogs.suitability_dialog import SuitabilityDialog

    plugin = botaclip.classFactory(qgis_iface)
    plugin.initGui()
    try:
        for key, cls in (("suitability", SuitabilityDialog), ("habitats", HabitatsDialog)):
            plugin.actions[key].trigger()
            assert isinstance(plugin.dialogs[key], cls) and plugin.dialogs[key].isVisible()
        plugin.actions["toptaxa"].trigger()           # a map tool, not a dialog
        assert qgis_iface.mapCanvas().mapTool() is plugin.top_taxa.tool
        assert plugin.actions["toptaxa"].isChecked()
        plugin.actions["similar"].trigger()           # another tool: this one unchecks
        assert not plugin.actions["toptaxa"].isChecked()
    finally:
        plugin.unload()
