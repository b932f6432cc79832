"""The demo dialog's "Also run the whole demo job": the chain of `botaclip demo --quick` in a
real QgsTask, its project written by the plugin's project writer inside QGIS and opened in
QgsProject; Cancel leaves the finished steps' files and no project. Real PyQGIS, the 1600 m
scene (the least the option accepts: ~40 s on two cores)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.qgis, pytest.mark.usefixtures("two_threads")]

SIZE_M = 1600            # the smallest scene the whole job accepts (WHOLE_MIN_M)
DONE = ("success", "error", "cancelled")


def _dialog(iface, qtbot, folder):
    from botaclip.plugin.dialogs.demo_dialog import DemoDialog

    dlg = DemoDialog(iface)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.folder.setFilePath(str(folder))
    return dlg


def _start(dlg) -> list:
    """Click Run; returns the list that receives every status message of its task, from
    the first (connected when QGIS's task manager adds the task: taskAdded is emitted on
    this thread inside addTask, before the task's Python code can run)."""
    from qgis.core import QgsApplication

    messages = []
    manager = QgsApplication.taskManager()

    def added(task_id):
        manager.taskAdded.disconnect(added)
        manager.task(task_id).messageChanged.connect(messages.append)

    manager.taskAdded.connect(added)
    dlg.accept()
    assert dlg.task is not None, [i.text() for i in dlg.bar.items()]
    return messages


def _run(dlg, qtbot, timeout_s: float = 300.0) -> list:
    """Click Run and wait; the status messages the dialog showed while the task ran."""
    messages = _start(dlg)
    qtbot.waitUntil(lambda: dlg.task.status in DONE, timeout=int(timeout_s * 1000))
    return messages


def _bar(dlg) -> list:
    return [i.text() for i in dlg.bar.items()]


def test_whole_demo_option_validates_its_scene(qgis_iface, qgis_new_project, qtbot, tmp_path):
    from botaclip.plugin.dialogs.demo_dialog import WHOLE_MIN_M, whole_demo_seconds

    dlg = _dialog(qgis_iface, qtbot, tmp_path / "demo")
    assert not dlg.whole.isChecked() and dlg.whole.toolTip()     # off unless asked
    dlg.size.setValue(1000)
    assert dlg.ok_button.isEnabled()                 # the data alone: any size
    assert "2000 × 2000 pixels at 0.5 m" in dlg.hint.text()
    dlg.whole.setChecked(True)
    assert not dlg.ok_button.isEnabled()
    assert f"at least {WHOLE_MIN_M:g} m" in dlg.validation_label.text()
    dlg.size.setValue(SIZE_M + 1)                    # not a whole number of 2 m pixels
    assert not dlg.ok_button.isEnabled()
    assert "multiple of 2 m" in dlg.validation_label.text()
    dlg.size.setValue(SIZE_M)
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    assert "800 × 800 pixels at 2 m" in dlg.hint.text()          # the quick settings
    assert dlg.whole.text() == (f"Also run the whole demo job (about "
                                f"{whole_demo_seconds(SIZE_M)} s; a project opens)")
    # the estimate grows with the scene's area, from the ~40-75 s measured at 1.6-2 km
    assert 40 <= whole_demo_seconds(SIZE_M) <= whole_demo_seconds(2000) <= 80
    assert whole_demo_seconds(4000) > 2 * whole_demo_seconds(2000) - 40


def test_whole_demo_job_writes_and_opens_its_project(qgis_iface, qgis_new_project, qtbot,
                                                     tmp_path):
    from qgis.core import (
        QgsPalettedRasterRenderer,
        QgsProject,
        QgsRasterLayer,
        QgsSingleBandPseudoColorRenderer,
    )

    from botaclip.backend.demo import chain
    from botaclip.plugin.dialogs.demo_dialog import DEMO_NAMES, DEMO_PATTERNS

    out = tmp_path / "demo"
    dlg = _dialog(qgis_iface, qtbot, out)
    dlg.size.setValue(SIZE_M)
    dlg.whole.setChecked(True)
    messages = _run(dlg, qtbot)
    assert dlg.task.status == "success", (dlg.task.error_message, _bar(dlg))
    qtbot.waitUntil(lambda: bool(_bar(dlg)), timeout=30_000)   # the project written, opened
    # the progress named each of the nine steps, in order
    headers = list(dict.fromkeys(m.split(" — ")[0] for m in messages
                                 if m.startswith("Step ")))
    assert headers == [f"Step {n} of {len(chain.STEPS)}: {title}"
                       for n, (_key, title, _fn, _w) in enumerate(chain.STEPS, start=1)]
    qgz = out / "demo.qgz"
    assert qgz.is_file() and (out / "demo-project.json").is_file()
    assert not [p for p in out.rglob("*") if "partial" in p.name], list(out.rglob("*"))
    # the project is open in QGIS: the chain's groups, every layer valid and styled
    project = QgsProject.instance()
    assert Path(project.fileName()) == qgz
    assert project.title() == "BotaCLIP demo (synthetic landscape)"
    root = project.layerTreeRoot()
    assert [g.name() for g in root.children()] == list(chain.GROUPS)
    layers = list(project.mapLayers().values())
    spec = json.loads((out / "demo-project.json").read_text())
    assert len(layers) >= len(spec["layers"])        # a prediction map is 2-3 layers
    assert all(lyr.isValid() for lyr in layers), [lyr.name() for lyr in layers
                                                  if not lyr.isValid()]
    rasters = [lyr for lyr in layers if isinstance(lyr, QgsRasterLayer)]
    assert any(isinstance(lyr.renderer(), QgsPalettedRasterRenderer) for lyr in rasters)
    assert sum(isinstance(lyr.renderer(), QgsSingleBandPseudoColorRenderer)
               for lyr in rasters) >= 4          # 3 probability/abundance maps + similarity
    # every name the chain gave its project is one the plugin translates
    names = [spec["title"], *spec["groups"], *(e["name"] for e in spec["layers"])]
    unknown = [n for n in names if n not in DEMO_NAMES
               and not any(p.match(n) for p, _template in DEMO_PATTERNS)]
    assert unknown == []
    bar = _bar(dlg)
    assert len(bar) == 1 and bar[0].startswith("Whole demo job done in "), bar
    assert bar[0].endswith("its project is open. Tick the layers of each group to see its "
                           "maps."), bar
    assert dlg.close_button.text() == "Close" and dlg.ok_button.isEnabled()


def test_whole_demo_job_cancelled_writes_no_project(qgis_iface, qgis_new_project, qtbot,
                                                    tmp_path):
    from qgis.core import QgsProject, QgsVectorLayer

    from botaclip.backend.demo import chain

    mine = QgsVectorLayer("Point?crs=EPSG:2056", "my layer", "memory")
    QgsProject.instance().addMapLayer(mine)
    out = tmp_path / "demo"
    dlg = _dialog(qgis_iface, qtbot, out)
    dlg.size.setValue(SIZE_M)
    dlg.whole.setChecked(True)
    messages = _start(dlg)
    train = f"Step 3 of {len(chain.STEPS)}: "
    qtbot.waitUntil(lambda: dlg.task.status in DONE
                    or any(m.startswith(train) for m in messages), timeout=120_000)
    assert dlg.task.status == "running", (dlg.task.status, dlg.task.error_message)
    dlg.close_button.click()
    qtbot.waitUntil(lambda: dlg.task.status in DONE, timeout=120_000)
    assert dlg.task.status == "cancelled"
    bar = _bar(dlg)
    assert len(bar) == 1 and bar[0].startswith("Cancelled: no project was written."), bar
    assert str(out) in bar[0]
    # the steps before the cancel are complete, the one under way left nothing
    assert not (out / "demo.qgz").exists() and not (out / "demo-project.json").exists()
    assert (out / "data" / "orthophoto.tif").is_file() and (out / "check.json").is_file()
    assert not (out / "model").exists()
    assert not [p for p in out.rglob("*") if "partial" in p.name or p.name.startswith(".")]
    # the user's project is untouched
    assert [lyr.name() for lyr in QgsProject.instance().mapLayers().values()] == ["my layer"]


def test_demo_names_in_french(qgis_app):
    from botaclip.plugin.dialogs.demo_dialog import demo_name
    from botaclip.plugin.i18n import PluginTranslator

    assert demo_name("Embeddings") == "Embeddings"           # English: as the chain says
    assert demo_name("My own layer") == "My own layer"
    translator = PluginTranslator()
    assert translator.install("fr_FR") is not None
    try:
        assert demo_name("Embeddings") == "Plongements"
        assert demo_name("My own layer") == "My own layer"   # a name it does not know
        # a made name keeps its variable part (a taxon, a plot)
        assert "Picea abies" in demo_name("Suitability: Picea abies")
        assert "Parnassius apollo" in demo_name("Parnassius apollo (presence)")
        assert "wetland" in demo_name("Similarity to wetland relevé P012")
    finally:
        translator.remove()
