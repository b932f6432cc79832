"""The QGIS plugin with real PyQGIS (pytest-qgis's iface stub): load/unload/reload, the
dependency check, settings, translations and the three tool dialogs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

REPO = Path(__file__).resolve().parents[1]
ACTION_TEXTS = {
    "demo": "Create demo data…",
    "check": "Check orthophoto and relevés…",
    "import": "Import relevés from a long table…",
    "train": "Train model…",
    "embed": "Embed orthophoto…",
    "predict": "Predict map…",
    "evaluate": "Evaluate…",
    "similar": "Find similar places",
    "suitability": "Species suitability…",
    "toptaxa": "Top taxa here",
    "habitats": "Habitat clusters…",
    "settings": "Settings…",
    "help": "Help",
    "diagnostics": "Copy diagnostics",
}


@pytest.fixture
def clean_settings(qgis_app):
    from botaclip.plugin.settings import Settings

    Settings().reset()
    yield Settings()
    Settings().reset()


def _flush_deletes():
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _load(iface):
    import botaclip

    plugin = botaclip.classFactory(iface)
    plugin.initGui()
    return plugin


def _bar_items(iface):
    return [i for i in iface.messageBar().items()]


# ----------------------------------------------------------------------------- load / unload

def test_load_unload_reload(qgis_iface, clean_settings):
    from qgis.core import QgsApplication
    from qgis.PyQt import sip
    from qgis.PyQt.QtWidgets import QToolBar

    registry = QgsApplication.processingRegistry()
    qgis_iface.addPluginToRasterMenu.reset_mock()
    qgis_iface.removePluginRasterMenu.reset_mock()
    for _cycle in range(2):
        plugin = _load(qgis_iface)
        assert {k: a.text() for k, a in plugin.actions.items()} == ACTION_TEXTS
        assert all(not a.icon().isNull() for a in plugin.actions.values())
        toolbars = qgis_iface.mainWindow().findChildren(QToolBar, "BotaCLIPToolBar")
        assert len(toolbars) == 1 and toolbars[0] is plugin.toolbar
        assert [a.text() for a in plugin.toolbar.actions()] == [
            ACTION_TEXTS[k] for k in ("demo", "check", "import", "train", "embed",
                                      "predict", "evaluate", "similar", "suitability",
                                      "toptaxa", "habitats", "settings")]
        menu_calls = qgis_iface.addPluginToRasterMenu.call_args_list
        assert [c.args for c in menu_calls] == [("&BotaCLIP", a)
                                                for a in plugin.actions.values()]
        provider = registry.providerById("botaclip")
        assert provider is not None and provider.name() == "BotaCLIP"
        assert {a.id() for a in provider.algorithms()} == {
            "botaclip:demodata", "botaclip:check", "botaclip:importreleves",
            "botaclip:train", "botaclip:embed", "botaclip:predict", "botaclip:apply",
            "botaclip:evaluate", "botaclip:similarity", "botaclip:suitability",
            "botaclip:habitats"}

        toolbar = plugin.toolbar
        actions = list(plugin.actions.values())
        plugin.unload()
        _flush_deletes()
        assert registry.providerById("botaclip") is None
        assert sip.isdeleted(toolbar)
        assert all(sip.isdeleted(a) for a in actions)
        assert qgis_iface.mainWindow().findChildren(QToolBar, "BotaCLIPToolBar") == []
        removed = [c.args[1] for c in qgis_iface.removePluginRasterMenu.call_args_list]
        assert removed == actions
        assert plugin.translator.translator is None
        qgis_iface.addPluginToRasterMenu.reset_mock()
        qgis_iface.removePluginRasterMenu.reset_mock()


def test_initprocessing_alone_registers_once(qgis_app):
    """qgis_process calls classFactory(None) then initProcessing() only."""
    from qgis.core import QgsApplication

    import botaclip

    plugin = botaclip.classFactory(None)
    plugin.initProcessing()
    plugin.initProcessing()
    registry = QgsApplication.processingRegistry()
    assert [p.id() for p in registry.providers()].count("botaclip") == 1
    plugin.unload()
    assert registry.providerById("botaclip") is None


def test_loading_imports_neither_torch_nor_the_backend():
    code = ("import sys, botaclip; import botaclip.plugin.plugin, botaclip.plugin.deps; "
            "print(sorted(m for m in sys.modules if m == 'torch' or "
            "m.startswith('botaclip.backend')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- dependencies

def _hide(*names):
    import importlib.util

    def finder(name):
        return None if name in names else importlib.util.find_spec(name)

    return finder


def test_dependency_check_lists_what_is_missing(monkeypatch):
    from botaclip.plugin import deps

    monkeypatch.setattr(deps, "find_spec", _hide("safetensors", "sklearn"))
    report = deps.check_dependencies()
    assert report.missing == ["safetensors", "sklearn"]
    assert [p.kind for p in report.problems] == ["missing", "missing"]
    assert report.unavailable(deps.ACTION_NEEDS["demo"]) == []
    assert report.unavailable(deps.ACTION_NEEDS["embed"]) == ["safetensors"]
    text = deps.details_text(report, pins={"safetensors": "safetensors==0.8.0",
                                           "scikit-learn": "scikit-learn==1.9.1"},
                             interp=deps.Interpreter("/usr/bin/python3.11", "a terminal",
                                                     True, False))
    numpy = report.versions["numpy"]
    assert f"/usr/bin/python3.11 -m pip install --user safetensors==0.8.0 " \
           f"scikit-learn==1.9.1 numpy=={numpy}" in text
    assert "--target FOLDER safetensors==0.8.0 scikit-learn==1.9.1" in text
    assert "scikit-learn (imported as sklearn): not found" in text
    assert "Extra Python packages folder" in text
    assert "torch" not in text


def test_timm_is_optional(monkeypatch):
    """Without timm (and torchvision) every action stays enabled and nothing warns: DOFA
    needs torch alone; only the timm backbone, a choice inside train and embed, needs it."""
    from botaclip.plugin import deps

    assert not any("timm" in needs for needs in deps.ACTION_NEEDS.values())
    monkeypatch.setattr(deps, "find_spec", _hide("timm"))
    report = deps.check_dependencies()
    assert report.ok and report.problems == [] and report.missing == []
    assert ("timm", "missing") in [(p.requirement.module, p.kind) for p in report.optional]
    assert deps.pip_packages(report, pins={}) == []


def test_dask_is_optional_and_psutil_is_needed_to_embed(monkeypatch):
    """Dask (distributed) serves only the optional scheduler of the embedding: without it
    nothing warns and every action stays enabled. psutil sizes the embedding's batches from
    the free memory: without it embed is disabled and the check says so."""
    from botaclip.plugin import deps

    assert not any("distributed" in needs or "dask" in needs
                   for needs in deps.ACTION_NEEDS.values())
    monkeypatch.setattr(deps, "find_spec", _hide("distributed"))
    report = deps.check_dependencies()
    assert report.ok
    assert [p.requirement.module for p in report.optional] == ["distributed"]
    monkeypatch.setattr(deps, "find_spec", _hide("psutil"))
    report = deps.check_dependencies()
    assert report.missing == ["psutil"]
    assert report.unavailable(deps.ACTION_NEEDS["embed"]) == ["psutil"]
    assert report.unavailable(deps.ACTION_NEEDS["train"]) == []


def test_dependency_check_versions_and_pins(tmp_path):
    from botaclip.plugin import deps

    old = deps.check_dependencies(requirements=deps.REQUIREMENTS,
                                  version_of=lambda d: "0.1" if d in ("timm", "safetensors")
                                  else None)
    assert old.missing == ["safetensors"] and old.problems[0].kind == "too_old"
    assert "version 0.1 found, 0.3 or newer needed" in deps.details_text(old)
    assert ("timm", "too_old") in [(p.requirement.module, p.kind) for p in old.optional]
    assert deps.version_at_least("2.14.1+cpu", "2.1") and not deps.version_at_least("1.13",
                                                                                     "2.1")
    req = tmp_path / "requirements.txt"
    req.write_text("# c\ntorch==2.14.1\ntimm==1.0.31  # x\nscikit-learn>=1.3\n")
    assert deps.pinned_versions(req) == {"torch": "torch==2.14.1", "timm": "timm==1.0.31",
                                         "scikit-learn": "scikit-learn>=1.3"}
    # the repository's own pins are used by default
    assert deps.pinned_versions()["torch"].startswith("torch==")


def test_qgis_python_per_platform():
    from botaclip.plugin.deps import qgis_python

    linux = qgis_python("linux", "/usr/bin/qgis", "/usr", "/usr", (3, 11),
                        exists=lambda p: p in ("/usr/bin/python3.11",
                                               "/usr/lib/python3.11/EXTERNALLY-MANAGED"),
                        which=lambda n: None, stdlib="/usr/lib/python3.11")
    assert (linux.python, linux.user_flag, linux.externally_managed) == (
        "/usr/bin/python3.11", True, True)
    mac = qgis_python("darwin", "/Applications/QGIS.app/Contents/MacOS/QGIS",
                      "/Applications/QGIS.app/Contents/Frameworks/Python.framework", "x",
                      (3, 9), exists=lambda p: p.endswith("MacOS/bin/python3"),
                      which=lambda n: None, stdlib="")
    assert mac.python == "/Applications/QGIS.app/Contents/MacOS/bin/python3"
    win = qgis_python("win32", r"C:\OSGeo4W\bin\qgis-bin.exe", r"C:\OSGeo4W\apps\Python39",
                      r"C:\OSGeo4W\apps\Python39", (3, 9))
    assert win.python == "python" and "OSGeo4W Shell" in win.shell and not win.user_flag
    # embedded Python: sys.executable may be any python3 on PATH (a pyenv shim here)
    shim = qgis_python("linux", "/root/.pyenv/shims/python3", "/usr", "/usr", (3, 11),
                       exists=lambda p: p == "/usr/bin/python3.11", which=lambda n: None,
                       stdlib="/usr/lib/python3.11")
    assert shim.python == "/usr/bin/python3.11"
    venv = qgis_python("linux", "/x/.venv/bin/python", "/x/.venv", "/usr", (3, 11),
                       exists=lambda p: True, stdlib="/usr/lib/python3.11")
    assert venv.python == "/x/.venv/bin/python" and not venv.user_flag
    assert not venv.externally_managed


def test_missing_dependency_disables_actions_and_shows_one_message(qgis_iface, monkeypatch,
                                                                  clean_settings, qtbot):
    from qgis.PyQt.QtWidgets import QPushButton

    from botaclip.plugin import deps
    from botaclip.plugin.dialogs.deps_dialog import DependencyDialog

    qgis_iface.messageBar().clearWidgets()
    monkeypatch.setattr(deps, "find_spec", _hide("scipy", "torch"))
    plugin = _load(qgis_iface)
    try:
        assert not plugin.actions["demo"].isEnabled()
        assert "scipy" in plugin.actions["demo"].toolTip()
        assert plugin.actions["check"].isEnabled() and plugin.actions["import"].isEnabled()
        items = _bar_items(qgis_iface)
        assert len(items) == 1
        assert "scipy, torch" in items[0].text()
        buttons = items[0].findChildren(QPushButton, "botaclip_deps_details")
        assert len(buttons) == 1 and buttons[0].text() == "Details…"
        buttons[0].click()
        dlg = plugin.dialogs["deps"]
        assert isinstance(dlg, DependencyDialog)
        details = dlg.text.toPlainText()
        assert "scipy" in details and "torch==" in details and "pip install" in details
    finally:
        plugin.unload()
    assert _bar_items(qgis_iface) == []


def test_extra_packages_folder_is_prepended(qgis_iface, clean_settings, tmp_path):
    import sys

    pkg = tmp_path / "extra"
    (pkg / "botaclip_fake_pkg").mkdir(parents=True)
    (pkg / "botaclip_fake_pkg" / "__init__.py").write_text("")
    clean_settings.extra_python_path = str(pkg)
    plugin = _load(qgis_iface)
    try:
        assert sys.path[0] == str(pkg)
        from botaclip.plugin import deps

        fake = deps.Requirement("botaclip_fake_pkg", "fake", "0", "tests")
        assert deps.check_dependencies([fake]).ok
    finally:
        plugin.unload()
    assert str(pkg) not in sys.path


# ----------------------------------------------------------------------------- settings

def test_settings_round_trip(clean_settings):
    from qgis.core import QgsApplication

    from botaclip.plugin.settings import Settings

    s = clean_settings
    assert s.device == "auto" and s.threads == 0 and s.weights_folder == ""
    assert s.cache_folder == str(Path(QgsApplication.qgisSettingsDirPath()) / "botaclip"
                                 / "cache")
    s.weights_folder = "/data/weights/"
    s.device = "CUDA"
    s.cache_folder = "/tmp/botaclip-cache"
    s.threads = 6
    s.extra_python_path = "/opt/py"
    again = Settings()
    assert again.backend_values() == {
        "weights_folder": "/data/weights", "device": "cuda",
        "cache_folder": "/tmp/botaclip-cache", "threads": 6, "extra_python_path": "/opt/py"}
    with pytest.raises(ValueError):
        again.device = "tpu"
    with pytest.raises(ValueError):
        again.threads = -1
    from qgis.core import QgsSettings

    QgsSettings().setValue("botaclip/threads", "many")
    assert Settings().threads == 0


def test_settings_dialog_validates_and_saves(qgis_app, clean_settings, tmp_path):
    from botaclip.plugin.settings_dialog import SettingsDialog

    dlg = SettingsDialog(clean_settings)
    assert dlg.ok_button.isEnabled()
    dlg.weights.setFilePath(str(tmp_path / "missing"))
    assert not dlg.ok_button.isEnabled()
    assert "does not exist" in dlg.error_label.text()
    dlg.weights.setFilePath(str(tmp_path))
    dlg.cache.setFilePath(str(tmp_path / "no" / "such" / "parent"))
    assert not dlg.ok_button.isEnabled()
    dlg.cache.setFilePath(str(tmp_path / "cache"))
    dlg.device.setCurrentIndex(dlg.device.findData("cpu"))
    dlg.threads.setValue(3)
    assert dlg.ok_button.isEnabled()
    dlg.accept()
    assert clean_settings.weights_folder == str(tmp_path)
    assert clean_settings.cache_folder == str(tmp_path / "cache")
    assert (clean_settings.device, clean_settings.threads) == ("cpu", 3)
    dlg.deleteLater()


# ----------------------------------------------------------------------------- translations

def test_translation_file_is_valid_and_up_to_date():
    sys.path.insert(0, str(REPO / "i18n"))
    try:
        import update_ts
    finally:
        sys.path.pop(0)
    root = ET.parse(REPO / "i18n" / "botaclip_fr.ts").getroot()
    assert root.tag == "TS" and root.get("language") == "fr"
    assert [c.findtext("name") for c in root.iter("context")] == ["BotaCLIP"]
    sources = {m.findtext("source") for m in root.iter("message")
               if (m.find("translation").get("type") != "obsolete")}
    in_code = {t for t, _f, _l in update_ts.collect()}
    assert set(ACTION_TEXTS.values()) <= in_code
    assert sources == in_code, "run: .venv/bin/python i18n/update_ts.py"


def test_translator_installs_and_removes(qgis_app, tmp_path):
    from botaclip.plugin.i18n import PluginTranslator, tr

    if not shutil.which("lrelease"):        # tools/setup.sh installs it (qttools5-dev-tools)
        message = "lrelease (Qt tools) not installed"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)

    ts = tmp_path / "botaclip_fr.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" '
                  'language="fr"><context><name>BotaCLIP</name><message><source>Settings…'
                  '</source><translation>Paramètres…</translation></message></context></TS>',
                  encoding="utf-8")
    subprocess.run(["lrelease", str(ts), "-qm", str(tmp_path / "botaclip_fr.qm")],
                   check=True, capture_output=True)
    t = PluginTranslator(tmp_path)
    assert t.install("de_DE") is None and tr("Settings…") == "Settings…"
    assert t.install("fr_FR") == tmp_path / "botaclip_fr.qm"
    assert tr("Settings…") == "Paramètres…"
    t.remove()
    assert tr("Settings…") == "Settings…"


# ----------------------------------------------------------------------------- dialogs

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from botaclip.backend.demo import generate_demo_data

    return generate_demo_data(tmp_path_factory.mktemp("demo"), size_m=300.0, seed=3)


@pytest.fixture
def project(qgis_new_project):
    from qgis.core import QgsProject

    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()
    QgsProject.instance().layerTreeRoot().removeAllChildren()


def _wait_task(qtbot, dlg, timeout=60_000):
    qtbot.waitUntil(lambda: dlg.task is not None and dlg.task.status in (
        "success", "error", "cancelled"), timeout=timeout)
    return dlg.task.status


def _bar_texts(dlg):
    return [i.text() for i in dlg.bar.items()]


def test_demo_dialog(qgis_iface, project, qtbot, tmp_path):
    from qgis.core import QgsRasterLayer, QgsVectorLayer

    from botaclip.plugin.dialogs.demo_dialog import DemoDialog

    dlg = DemoDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.folder.setFilePath("")
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == "Choose an output folder."
    (tmp_path / "afile").write_text("x")
    dlg.folder.setFilePath(str(tmp_path / "afile"))
    assert not dlg.ok_button.isEnabled()
    dlg.folder.setFilePath(str(tmp_path / "demo"))
    dlg.size.setValue(300)
    assert dlg.ok_button.isEnabled()
    assert "600 × 600 pixels" in dlg.hint.text()
    dlg.accept()
    assert not dlg.ok_button.isEnabled() and dlg.close_button.text() == "Cancel"
    assert _wait_task(qtbot, dlg) == "success", _bar_texts(dlg)
    group = project.layerTreeRoot().findGroup("BotaCLIP demo")
    assert group is not None
    layers = [n.layer() for n in group.findLayers()]
    assert [lyr.name() for lyr in layers] == ["Relevés (demo)", "Butterflies (demo)",
                                              "Soil samples (demo)", "Orthophoto (demo)"]
    assert isinstance(layers[-1], QgsRasterLayer) and layers[-1].isValid()
    releves = layers[0]
    assert isinstance(releves, QgsVectorLayer) and releves.featureCount() == 30
    assert releves.renderer().symbol().color().name() == "#43a047"  # releves.qml
    assert any("30 relevés" in t for t in _bar_texts(dlg))
    assert dlg.ok_button.isEnabled() and dlg.close_button.text() == "Close"


def _add_demo_layers(demo):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    ortho = QgsRasterLayer(str(demo.orthophoto), "ortho", "gdal")
    releves = QgsVectorLayer(str(demo.releves), "releves", "ogr")
    assert ortho.isValid() and releves.isValid()
    QgsProject.instance().addMapLayers([ortho, releves])
    return ortho, releves


def test_check_dialog_fills_from_layers_and_validates(qgis_iface, project, demo, qtbot,
                                                      tmp_path):
    from qgis.PyQt.QtCore import Qt

    from botaclip.plugin.dialogs.check_dialog import CheckDialog

    ortho, releves = _add_demo_layers(demo)
    dlg = CheckDialog(qgis_iface)
    qtbot.addWidget(dlg)
    assert dlg.ortho.currentLayer() is ortho
    assert dlg.releves.currentLayer() is releves
    assert dlg.plot_id.currentField() == "plot_id"
    items = {dlg.species.item(i).text(): dlg.species.item(i).checkState()
             for i in range(dlg.species.count())}
    assert set(demo.taxa) <= set(items)
    assert all(items[t] == Qt.CheckState.Checked for t in demo.taxa)
    assert "habitat" not in items and "plot_id" not in items    # text fields
    assert items.get("fid", Qt.CheckState.Unchecked) == Qt.CheckState.Unchecked
    assert dlg.sensor.count() > 3 and dlg.sensor.itemData(0) is None
    assert dlg.folder.filePath() == str(Path(demo.releves).parent / "botaclip_check")
    assert dlg.ok_button.isEnabled()

    dlg._set_all_species(False)
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == "Tick at least one taxon column."
    dlg._set_all_species(True)
    dlg.folder.setFilePath("")
    assert not dlg.ok_button.isEnabled()
    dlg.folder.setFilePath(str(tmp_path / "out"))
    assert dlg.ok_button.isEnabled()


def test_check_dialog_runs(qgis_iface, project, demo, qtbot, tmp_path):
    from botaclip.plugin.dialogs.check_dialog import CheckDialog

    _add_demo_layers(demo)
    dlg = CheckDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.folder.setFilePath(str(tmp_path / "out"))
    dlg.accept()
    assert _wait_task(qtbot, dlg) == "success", _bar_texts(dlg)
    status = project.mapLayersByName("Plot status")
    n = demo.n_releves
    assert len(status) == 1 and status[0].featureCount() == n
    renderer = status[0].renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "status"
    assert {c.value(): c.label() for c in renderer.categories()}["outside_raster"] == \
        "outside the orthophoto"
    assert dlg.summary.toPlainText().startswith(f"{n} of {n} plots usable")
    assert not dlg.open_sheet.isHidden()
    report = json.loads((tmp_path / "out" / "check.json").read_text())
    assert report["plots_total"] == n


def test_check_dialog_error_is_shown_inline(qgis_iface, project, demo, qtbot, tmp_path):
    from botaclip.plugin.dialogs.check_dialog import CheckDialog

    _add_demo_layers(demo)
    dlg = CheckDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.folder.setFilePath(str(tmp_path / "out"))
    dlg.wavelengths.setText("0.665,0.56")
    dlg.accept()
    assert _wait_task(qtbot, dlg) == "error"
    texts = _bar_texts(dlg)
    assert len(texts) == 1 and "2 wavelengths were given" in texts[0]
    assert not (tmp_path / "out" / "plot_status.gpkg").exists()


def test_import_dialog(qgis_iface, project, demo, qtbot, tmp_path):
    from qgis.core import QgsCoordinateReferenceSystem

    from botaclip.plugin.dialogs.import_dialog import ImportDialog, csv_header

    assert csv_header(demo.plots) == ["plot_id", "x", "y", "elevation", "habitat"]
    dlg = ImportDialog(qgis_iface)
    qtbot.addWidget(dlg)
    assert not dlg.ok_button.isEnabled()
    dlg.table.setFilePath(str(demo.releves_long))
    assert [dlg.table_plot_id.currentText(), dlg.taxon.currentText(),
            dlg.cover.currentText()] == ["plot_id", "taxon", "cover"]
    assert dlg.output.filePath() == str(Path(demo.releves_long).with_name(
        "releves_long_releves.gpkg"))
    assert not dlg.ok_button.isEnabled()
    dlg.header.setFilePath(str(demo.plots))
    assert [dlg.plot_id.currentText(), dlg.x.currentText(), dlg.y.currentText()] == [
        "plot_id", "x", "y"]
    assert not dlg.ok_button.isEnabled()
    assert dlg.validation_label.text() == "Choose the CRS of the X and Y columns."
    dlg.crs.setCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
    assert dlg.ok_button.isEnabled()
    dlg.y.setCurrentIndex(dlg.y.findText("x"))
    assert not dlg.ok_button.isEnabled()
    dlg.y.setCurrentIndex(dlg.y.findText("y"))
    dlg.output.setFilePath(str(tmp_path / "imported.gpkg"))
    assert dlg.ok_button.isEnabled()
    dlg.accept()
    assert _wait_task(qtbot, dlg) == "success", _bar_texts(dlg)
    layers = project.mapLayersByName("imported")
    assert len(layers) == 1 and layers[0].featureCount() == demo.n_releves
    assert layers[0].crs().authid() == "EPSG:2154"
    assert dlg.result.cover_scale == "braun-blanquet"


def test_plugin_actions_open_dialogs(qgis_iface, clean_settings, project, demo):
    from botaclip.plugin.dialogs.check_dialog import CheckDialog
    from botaclip.plugin.dialogs.demo_dialog import DemoDialog
    from botaclip.plugin.dialogs.embed_dialog import EmbedDialog
    from botaclip.plugin.dialogs.evaluate_dialog import EvaluateDialog
    from botaclip.plugin.dialogs.import_dialog import ImportDialog
    from botaclip.plugin.dialogs.predict_dialog import PredictDialog
    from botaclip.plugin.dialogs.train_dialog import TrainDialog
    from botaclip.plugin.settings_dialog import SettingsDialog

    _add_demo_layers(demo)
    plugin = _load(qgis_iface)
    try:
        for key, cls in (("demo", DemoDialog), ("check", CheckDialog),
                         ("import", ImportDialog), ("train", TrainDialog),
                         ("embed", EmbedDialog), ("predict", PredictDialog),
                         ("evaluate", EvaluateDialog)):
            plugin.actions[key].trigger()
            assert isinstance(plugin.dialogs[key], cls) and plugin.dialogs[key].isVisible()
        plugin.actions["similar"].trigger()           # a map tool, not a dialog
        tool = plugin.similar_places
        assert qgis_iface.mapCanvas().mapTool() is tool.tool
        assert plugin.actions["similar"].isChecked() and not tool.panel.isHidden()
        first = plugin.dialogs["check"]
        plugin.actions["check"].trigger()
        assert plugin.dialogs["check"] is first          # one dialog per tool
        plugin.actions["settings"].trigger()
        assert isinstance(plugin.dialogs["settings"], SettingsDialog)
        plugin.dialogs["settings"].reject()
    finally:
        plugin.unload()


def test_every_plugin_module_imports(qgis_app):
    """Every module imports on this QGIS (3.22 here), so every enum named at import time
    exists; compat resolves the names that moved."""
    import importlib
    import pkgutil

    import botaclip.plugin as pkg
    from botaclip.plugin import compat

    names = [m.name for m in pkgutil.walk_packages(pkg.__path__, "botaclip.plugin.")]
    assert len(names) >= 20
    for name in names:
        importlib.import_module(name)
    assert compat.enum_value("Nope.Nothing", "QgsTask.Flag.CanCancel") is not None
    with pytest.raises(AttributeError):
        compat.enum_value("Nope.Nothing")


def test_check_dialog_prefers_the_releve_layer(qgis_iface, project, demo):
    from qgis.core import QgsVectorLayer

    from botaclip.plugin.dialogs.check_dialog import CheckDialog

    birds = QgsVectorLayer(str(demo.butterflies), "Butterflies", "ogr")
    project.addMapLayer(birds)
    _ortho, releves = _add_demo_layers(demo)
    releves.setName("Relevés 2024")
    dlg = CheckDialog(qgis_iface)
    assert dlg.releves.currentLayer() is releves
    assert dlg.plot_id.currentField() == "plot_id"
    dlg.deleteLater()


def test_dialog_cancel_while_running(qgis_iface, project, qtbot, tmp_path):
    from botaclip.plugin.dialogs.demo_dialog import DemoDialog

    dlg = DemoDialog(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.folder.setFilePath(str(tmp_path / "demo"))
    dlg.size.setValue(1500)
    dlg.accept()
    qtbot.waitUntil(lambda: dlg.task.progress_adapter.max_percent >= 3.0, timeout=60_000)
    assert dlg.close_button.text() == "Cancel" and dlg.isVisible()
    dlg.close_button.click()
    assert _wait_task(qtbot, dlg) == "cancelled"
    assert _bar_texts(dlg) == ["Cancelled; nothing was written."]
    assert dlg.isVisible() and dlg.close_button.text() == "Close"
    assert dlg.ok_button.isEnabled()
    assert list((tmp_path / "demo").iterdir()) == []
    assert project.layerTreeRoot().findGroup("BotaCLIP demo") is None


def test_help_url(qgis_app):
    from botaclip.plugin.help import ROOT, help_url, metadata

    url = help_url("check")
    assert url.fragment() == "check"
    if (ROOT / "README.md").exists():
        assert url.isLocalFile() and url.toLocalFile().endswith("README.md")
    else:
        assert url.toString().startswith(metadata("homepage"))
    assert metadata("hasProcessingProvider") == "yes"
