"""Scenarios for the real-window harness: what a user does in QGIS with the plugin, as
generator functions run by tests/window/driver.py inside QGIS.

A scenario is ``@scenario def name(ctx): ...`` yielding what to wait for::

    yield 0.5                                     # let QGIS run for half a second
    yield ctx.until(lambda: cond, 60, "what")     # poll until cond (TimeoutError after 60 s)
    dlg = yield from open_tool(ctx, "train")      # a helper that itself waits
    yield SETTLE                                  # after changing widgets, before a
                                                  # record or a screenshot
    click(ctx, dlg.ok_button, "Run")              # a real mouse click
    click_async(ctx, dlg.ok_button, "Run")        # one that opens a question, then
    info = yield from answer(ctx, "Yes")          # answer it

A modal dialog that a synchronous click() opens blocks the step: the driver records it,
shoots it and rejects it after 10 s ($BOTACLIP_MODAL_GRACE), and the test fails with its
text.

It records what it sees in ``ctx.facts`` (JSON-able values); tests/test_window.py starts
QGIS with ``run_scenario("name", ...)`` and asserts on those facts. ``ctx`` also has
``iface``, ``plugin`` (the loaded BotaclipPlugin), ``project``, ``data`` (paths handed by
the test: ``ortho``, ``releves``, ``model``…), ``work`` (an empty folder for outputs),
``step(label)`` (progress marker, shown in crash reports), ``shot(label, keep=False)``
(screenshot of the whole screen), ``messages`` (QGIS message log entries since the driver
started) and ``gl_context()`` (makes an OpenGL context current; returns its renderer).

To add one: write the function here, then a test in tests/test_window.py.
"""

from __future__ import annotations

from pathlib import Path

from helpers import TINY  # a DOFA that embeds the test scene in seconds
from qgis.core import QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import QPoint, QRect, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QApplication,
    QMessageBox,
    QPushButton,
    QWidget,
)

from botaclip.plugin.layers import apply_style

SCENARIOS: dict = {}
# what to yield after changing widgets, before recording or a screenshot: the event loop then
# lays the dialog out again and deletes the widgets it dropped (deleteLater), as it does
# between two actions of a user; without it a screenshot can show a state no user sees
SETTLE = 0.3
DONE = ("success", "error", "cancelled")


def scenario(function):
    """Register ``function`` under its name."""
    SCENARIOS[function.__name__] = function
    return function


class ScenarioError(AssertionError):
    """The UI is not in the state a user would need to go on (e.g. Run is disabled)."""


# ----------------------------------------------------------------------------- helpers

def load_inputs(ctx):
    """Open the orthophoto and the relevés the way a user does (Layer > Add), styled with
    the plugin's styles, and zoom to them. Returns (ortho, releves) layers."""
    ortho = ctx.iface.addRasterLayer(str(ctx.data["ortho"]), "Orthophoto")
    releves = ctx.iface.addVectorLayer(str(ctx.data["releves"]), "Relevés", "ogr")
    if ortho is None or not ortho.isValid() or releves is None or not releves.isValid():
        raise ScenarioError(f"QGIS could not open the inputs {ctx.data}")
    apply_style(ortho, "orthophoto")
    apply_style(releves, "releves")
    ctx.iface.setActiveLayer(releves)
    canvas = ctx.iface.mapCanvas()
    canvas.setExtent(ortho.extent())
    canvas.refreshAllLayers()
    ctx.step("inputs loaded")
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    return ortho, releves


def open_tool(ctx, key: str):
    """Open a plugin tool through its menu action (Raster > BotaCLIP > …), as a click on
    the menu entry does; returns the dialog once shown."""
    action = ctx.plugin.actions[key]
    if not action.isEnabled():
        raise ScenarioError(f"the {key!r} action is disabled: {action.toolTip()}")
    action.trigger()
    dlg = ctx.plugin.dialogs.get(key)
    if dlg is None:
        raise ScenarioError(f"triggering {key!r} opened no dialog")
    yield ctx.until(dlg.isVisible, 10, f"the {key} dialog to show")
    yield SETTLE
    ctx.step(f"{key} dialog open")
    return dlg


def select_data(combo, data) -> None:
    """Choose the combo box entry whose data is ``data``."""
    index = combo.findData(data)
    if index < 0:
        raise ScenarioError(f"no entry {data!r} in {combo.objectName() or combo}")
    combo.setCurrentIndex(index)


def click(ctx, button, what: str = "") -> None:
    """A real mouse click on ``button`` (which must be visible and enabled, else the user
    could not click it either: the validation message says why)."""
    if not button.isVisible() or not button.isEnabled():
        dlg = button.window()
        why = getattr(getattr(dlg, "validation_label", None), "text", lambda: "")()
        raise ScenarioError(f"cannot click {what or button.text()!r}: visible="
                            f"{button.isVisible()}, enabled={button.isEnabled()}; "
                            f"validation message: {why!r}")
    ctx.step(f"click {what or button.text()}")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def click_async(ctx, button, what: str = "") -> None:
    """Click ``button`` from the event loop once this step yields: for a click that opens
    a modal dialog (a question), whose event loop would otherwise block the step. Then
    ``info = yield from answer(ctx, "Yes")``."""
    if not button.isVisible() or not button.isEnabled():
        click(ctx, button, what)                 # raises with the reason
    label = what or button.text()
    QTimer.singleShot(0, lambda: QTest.mouseClick(button, Qt.MouseButton.LeftButton))
    ctx.step(f"click {label} (async)")


def answer(ctx, button_text: str, timeout: float = 10.0):
    """Wait for a modal message box and click its button ``button_text`` (``&`` ignored);
    returns what the box said: title, text, buttons."""
    yield ctx.until(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox),
                    timeout, "a question (modal message box)")
    box = QApplication.activeModalWidget()
    info = {"title": box.windowTitle(), "text": box.text(),
            "buttons": [b.text().replace("&", "") for b in box.buttons()]}
    ctx.shot(f"question-{len(ctx.shots_taken())}")
    button = next((b for b in box.buttons() if b.text().replace("&", "") == button_text),
                  None)
    if button is None:
        raise ScenarioError(f"no button {button_text!r} in the question {info}")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    ctx.step(f"answered {button_text!r} to {info['text'][:60]!r}")
    yield SETTLE
    return info


def wait_task(ctx, dlg, timeout: float = 120.0):
    """Wait for the dialog's task to end; returns its status."""
    yield ctx.until(lambda: dlg.task is not None and dlg.task.status in DONE, timeout,
                    f"the task of {dlg.windowTitle()!r} to end")
    ctx.step(f"task {dlg.task.status}")
    return dlg.task.status


def bar_items(bar) -> list:
    """A QgsMessageBar's messages, oldest first, with the texts of their buttons."""
    levels = {0: "Info", 1: "Warning", 2: "Critical", 3: "Success"}
    return [{"title": i.title(), "text": i.text(),
             "level": levels.get(int(i.level()), str(i.level())),
             "buttons": [b.text() for b in i.findChildren(QAbstractButton)
                         if b.text() and b.isVisibleTo(i)]}
            for i in bar.items()]


def layer_tree(ctx) -> list:
    """The project's layers in layer-tree order, top to bottom."""
    rows = []
    for node in ctx.project.layerTreeRoot().findLayers():
        layer = node.layer()
        row = {"name": layer.name(), "visible": node.itemVisibilityChecked(),
               "file": Path(layer.source().split("|")[0]).name,
               "group": node.parent().name() if node.parent() is not None else ""}
        if isinstance(layer, QgsRasterLayer):
            row.update(kind="raster", bands=layer.bandCount(),
                       renderer=layer.renderer().type() if layer.renderer() else None)
        elif isinstance(layer, QgsVectorLayer):
            row.update(kind="vector", features=layer.featureCount(),
                       renderer=layer.renderer().type() if layer.renderer() else None)
        rows.append(row)
    return rows


def legend_labels(ctx, file_name: str) -> list:
    """The legend entries the layer panel shows for the layer read from ``file_name``."""
    model = ctx.iface.layerTreeView().layerTreeModel()
    for node in ctx.project.layerTreeRoot().findLayers():
        if Path(node.layer().source().split("|")[0]).name == file_name:
            return [n.data(Qt.ItemDataRole.DisplayRole) for n in model.layerLegendNodes(node)]
    return []


def overlapping_widgets(window, min_px: int = 4) -> list:
    """Pairs of visible leaf widgets of ``window`` that overlap on screen (by more than
    ``min_px`` in both directions): in a laid-out dialog, a widget drawn over another one
    is a layout bug (e.g. a widget left visible after it was taken out of its layout)."""
    leaves = []
    for w in window.findChildren(QWidget):
        if not w.isVisible() or w.isWindow() or w.width() <= 1 or w.height() <= 1:
            continue
        if any(c.isVisible() and not c.isWindow() for c in w.findChildren(QWidget)):
            continue
        top_left = w.mapTo(window, QPoint(0, 0))
        leaves.append((w, QRect(top_left, w.size())))
    found = []
    for i, (a, ra) in enumerate(leaves):
        for b, rb in leaves[i + 1:]:
            inter = ra.intersected(rb)
            if inter.width() > min_px and inter.height() > min_px \
                    and not a.isAncestorOf(b) and not b.isAncestorOf(a):
                found.append([describe(a), describe(b)])
    return found


def describe(widget) -> str:
    text = getattr(widget, "text", None)
    text = text() if callable(text) else ""
    return f"{type(widget).__name__}" + (f" {text!r}" if text else "") + \
        (f" #{widget.objectName()}" if widget.objectName() else "")


def dialog_state(dlg) -> dict:
    """The common TaskDialog widgets as the user sees them, the texts of its visible
    buttons, and widgets drawn over one another."""
    return {"title": dlg.windowTitle(), "visible": dlg.isVisible(),
            "buttons": [b.text() for b in dlg.findChildren(QPushButton) if b.isVisible()],
            "overlaps": overlapping_widgets(dlg),
            "validation": dlg.validation_label.text() if dlg.validation_label.isVisible()
            else "",
            "run_enabled": dlg.ok_button.isEnabled(), "close_text": dlg.close_button.text(),
            "status_text": dlg.status_label.text() if dlg.status_label.isVisible() else "",
            "progress": dlg.progress.value() if dlg.progress.isVisible() else None,
            "bar": bar_items(dlg.bar)}


def outcome(ctx, dlg) -> dict:
    """What the user sees once a task ended."""
    task = dlg.task
    return {"status": task.status, "error_message": task.error_message,
            "max_percent": task.progress_adapter.max_percent,
            "dialog": dialog_state(dlg), "qgis_bar": bar_items(ctx.iface.messageBar())}


# ----------------------------------------------------------------------------- scenarios

def open_plugin_menu(ctx):
    """Raster > BotaCLIP opened with the mouse's path (menus pop up, nothing triggered);
    returns the submenu."""
    raster = ctx.iface.rasterMenu()
    bar = ctx.iface.mainWindow().menuBar()
    raster.popup(bar.mapToGlobal(bar.actionGeometry(raster.menuAction()).bottomLeft()))
    yield ctx.until(raster.isVisible, 5, "the Raster menu")
    sub = next((a for a in raster.actions()
                if a.menu() is not None and "BotaCLIP" in a.text().replace("&", "")), None)
    if sub is None:
        raster.hide()
        raise ScenarioError("no BotaCLIP entry in the Raster menu")
    raster.setActiveAction(sub)
    sub.menu().popup(raster.mapToGlobal(raster.actionGeometry(sub).topRight()))
    yield ctx.until(sub.menu().isVisible, 5, "the BotaCLIP menu")
    yield 0.3
    return sub.menu()


@scenario
def startup(ctx):
    """QGIS starts with the plugin: its menu, toolbar, no Python error, and a GL context
    can be made current (the renderer is recorded)."""
    yield 1.0                                           # let start-up messages arrive
    ctx.facts["gl_context"] = ctx.gl_context()
    ctx.facts["qgis_bar"] = bar_items(ctx.iface.messageBar())
    ctx.shot("startup")
    menu = yield from open_plugin_menu(ctx)
    ctx.facts["menu_shown"] = [{"text": a.text(), "enabled": a.isEnabled(),
                                "icon": not a.icon().isNull()}
                               for a in menu.actions() if not a.isSeparator()]
    ctx.shot("startup-menu")
    menu.hide()
    ctx.iface.rasterMenu().hide()


@scenario
def check(ctx):
    """Check dialog on the small scene: Run, wait, a styled 'Plot status' layer."""
    yield from load_inputs(ctx)
    dlg = yield from open_tool(ctx, "check")
    ctx.facts["preselected"] = {"ortho": dlg.ortho.currentLayer().name(),
                                "releves": dlg.releves.currentLayer().name(),
                                "plot_id": dlg.plot_id.currentField()}
    dlg.folder.setFilePath(str(ctx.work / "check"))
    yield SETTLE
    ctx.facts["before_run"] = dialog_state(dlg)
    ctx.shot("check-dialog")
    click(ctx, dlg.ok_button, "Run")
    yield from wait_task(ctx, dlg)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["summary"] = dlg.summary.toPlainText()
    ctx.facts["layers"] = layer_tree(ctx)
    status = ctx.project.mapLayersByName("Plot status")
    if status:
        renderer = status[0].renderer()
        ctx.facts["plot_status"] = {
            "renderer": renderer.type(),
            "attribute": getattr(renderer, "classAttribute", lambda: None)(),
            "categories": {str(c.value()): c.label()
                           for c in getattr(renderer, "categories", list)()},
            "features": status[0].featureCount()}
    ctx.facts["outputs"] = sorted(p.name for p in (ctx.work / "check").glob("*"))
    ctx.shot("check-done")
    click(ctx, dlg.close_button, "Close")
    yield ctx.until(lambda: not dlg.isVisible(), 5, "the dialog to close")
    yield SETTLE
    canvas = ctx.iface.mapCanvas()
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    ctx.shot("check-map", keep=True)


RUNNING_SHOT_AT = 20.0      # % of a run at which the guide's "running task" picture is taken


def shoot_running(ctx, dlg, label: str, percent: float):
    """Once the dialog's task has reached ``percent``, a screenshot of it running (kept for
    the guide) and ``ctx.facts["running_shot"]``: the dialog as shown then, with the task's
    status (the picture shows a running task only if that status is "running")."""
    yield ctx.until(lambda: dlg.task is not None and (
        dlg.task.status in DONE or dlg.task.progress_adapter.max_percent >= percent), 120,
        f"the task to reach {percent} %")
    yield 0.1                                   # the progress bar repainted
    ctx.facts["running_shot"] = dict(dialog_state(dlg), task_status=dlg.task.status)
    ctx.shot(label, keep=True)


@scenario
def train(ctx):
    """Train dialog: spectral backbone, 3 epochs, into a new model folder (the call path
    that crashed QGIS on Linux desktops: torch training in a QgsTask with Mesa's libLLVM
    loaded)."""
    yield from load_inputs(ctx)
    dlg = yield from open_tool(ctx, "train")
    select_data(dlg.backbone.backbone, "spectral")
    select_data(dlg.device, "cpu")
    dlg.epochs.setValue(3)
    model = ctx.work / "model"
    dlg.folder.setFilePath(str(model))
    yield SETTLE
    ctx.facts["before_run"] = dialog_state(dlg)
    ctx.shot("train-dialog")
    click(ctx, dlg.ok_button, "Run")
    yield 0.2
    ctx.facts["while_running"] = dialog_state(dlg)
    yield from shoot_running(ctx, dlg, "train-running", RUNNING_SHOT_AT)
    yield from wait_task(ctx, dlg, timeout=150)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["model_files"] = sorted(p.name for p in model.glob("*")) \
        if model.exists() else []
    ctx.facts["report_button"] = dlg.open_report_button.isVisible()
    ctx.facts["model_details"] = dlg._pending[2] if dlg._pending else ""
    ctx.shot("train-done", keep=True)
    click(ctx, dlg.close_button, "Close")
    yield ctx.until(lambda: not dlg.isVisible(), 5, "the dialog to close")
    yield SETTLE
    ctx.facts["qgis_bar_after_close"] = bar_items(ctx.iface.messageBar())


@scenario
def embed(ctx):
    """Embed dialog with a trained model folder (ctx.data['model']): the embeddings
    (unticked) and the preview (shown, styled) appear in the layer tree."""
    yield from load_inputs(ctx)
    dlg = yield from open_tool(ctx, "embed")
    dlg.model.setFilePath(str(ctx.data["model"]))
    select_data(dlg.device, "cpu")
    out = ctx.work / "emb.tif"
    dlg.output.setFilePath(str(out))
    yield SETTLE
    ctx.facts["before_run"] = dialog_state(dlg)
    ctx.shot("embed-dialog")
    click(ctx, dlg.ok_button, "Run")
    yield from wait_task(ctx, dlg, timeout=150)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["layers"] = layer_tree(ctx)
    ctx.facts["preview_legend"] = legend_labels(ctx, "emb_preview.tif")
    ctx.facts["outputs"] = sorted(p.name for p in ctx.work.glob("*.tif"))
    canvas = ctx.iface.mapCanvas()
    canvas.refreshAllLayers()
    yield 0.2
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    ctx.shot("embed-done")
    click(ctx, dlg.close_button, "Close")
    yield ctx.until(lambda: not dlg.isVisible(), 5, "the dialog to close")
    yield SETTLE
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    ctx.shot("embed-map", keep=True)


CANCEL_AT = 10.0


@scenario
def cancel(ctx):
    """Embed with a tiny random DOFA at a 4 m stride (runs ~5 s), Cancel clicked at 10 %:
    nothing is written, the user is told."""
    yield from load_inputs(ctx)
    dlg = yield from open_tool(ctx, "embed")
    select_data(dlg.backbone.backbone, "dofa-small")
    dlg.backbone.random.setChecked(True)
    dlg.backbone_config = dict(TINY)
    select_data(dlg.device, "cpu")
    dlg.stride.setValue(4.0)
    out = ctx.work / "cancelled.tif"
    # the result of an earlier run at the same path, shown in the project
    out.write_bytes(Path(ctx.data["previous"]).read_bytes())
    ctx.facts["previous_bytes"] = out.stat().st_size
    ctx.iface.addRasterLayer(str(out), "previous result")
    dlg.output.setFilePath(str(out))
    yield SETTLE
    ctx.facts["before_run"] = dialog_state(dlg)
    click(ctx, dlg.ok_button, "Run")
    # cancel inside the embedding loop (2-90 %), once some blocks are done
    yield ctx.until(lambda: dlg.task.status in DONE
                    or dlg.task.progress_adapter.max_percent >= CANCEL_AT, 60,
                    f"progress to reach {CANCEL_AT} %")
    ctx.facts["at_cancel"] = dict(dialog_state(dlg), task_status=dlg.task.status,
                                  percent=dlg.task.progress_adapter.max_percent)
    ctx.shot("cancel-running")
    if dlg.task.status in DONE:
        raise ScenarioError(f"the embedding ended ({dlg.task.status}) before Cancel could "
                            f"be clicked: make it longer")
    click(ctx, dlg.close_button, "Cancel")
    ctx.facts["after_click"] = dialog_state(dlg)
    yield from wait_task(ctx, dlg, timeout=60)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["outputs"] = sorted(p.name for p in ctx.work.glob("*.tif*"))
    ctx.facts["out_unchanged"] = out.read_bytes() == Path(ctx.data["previous"]).read_bytes()
    ctx.facts["layers"] = layer_tree(ctx)
    ctx.shot("cancel-done", keep=True)



@scenario
def traps(ctx):
    """The traps a first-time user fell into: after Check our own layer is the active one;
    Train must still pick the relevés, offer only taxa, hold Run back while DOFA has no
    weights (with one-click ways out), ask before replacing a model folder, and open its
    help at its section; Embed must say what a chosen model uses."""
    from botaclip.plugin import help as plugin_help

    yield from load_inputs(ctx)
    check_dlg = yield from open_tool(ctx, "check")
    check_dlg.folder.setFilePath(str(ctx.work / "check"))
    yield SETTLE
    click(ctx, check_dlg.ok_button, "Run")
    yield from wait_task(ctx, check_dlg)
    click(ctx, check_dlg.close_button, "Close")
    yield SETTLE
    status = ctx.project.mapLayersByName("Plot status")
    if status:
        ctx.iface.setActiveLayer(status[0])
    active = ctx.iface.activeLayer()
    ctx.facts["active_after_check"] = active.name() if active is not None else None

    dlg = yield from open_tool(ctx, "train")
    ctx.facts["train_releves"] = dlg.releves.currentLayer().name()
    ctx.facts["taxa_offered"] = [dlg.species.item(i).text() for i in range(dlg.species.count())]
    ctx.facts["backbone"] = dlg.backbone.key()
    ctx.facts["weights_missing"] = dialog_state(dlg)
    ctx.shot("train-weights-missing", keep=True)
    spectral = next(b for b in dlg._fix_buttons if b.text() == "Use the spectral baseline")
    click(ctx, spectral, "Use the spectral baseline")
    yield SETTLE
    ctx.facts["after_fix"] = dict(dialog_state(dlg), backbone=dlg.backbone.key())

    existing = ctx.work / "my-model"
    existing.mkdir()
    (existing / "notes.txt").write_text("my notes")
    dlg.folder.setFilePath(str(existing))
    yield SETTLE
    click_async(ctx, dlg.ok_button, "Run")
    ctx.facts["overwrite_question"] = yield from answer(ctx, "No")
    ctx.facts["after_no"] = {"task": dlg.task is not None,
                             "files": sorted(p.name for p in existing.iterdir())}

    click(ctx, dlg.buttons.button(dlg.buttons.StandardButton.Help), "Help")
    yield ctx.until(lambda: plugin_help._alive(plugin_help._DIALOG)
                    and plugin_help._DIALOG.isVisible(), 10, "the help window")
    yield SETTLE
    help_dlg = plugin_help._DIALOG
    browser = help_dlg.browser
    top = browser.cursorForPosition(QPoint(5, 5))
    top.select(top.SelectionType.LineUnderCursor)
    ctx.facts["help"] = {"section": help_dlg.section, "top_line": top.selectedText()}
    ctx.shot("help-train", keep=True)
    help_dlg.close()
    click(ctx, dlg.close_button, "Close")
    yield SETTLE

    embed_dlg = yield from open_tool(ctx, "embed")
    embed_dlg.model.setFilePath(str(ctx.data["model"]))
    yield SETTLE
    ctx.facts["embed_model"] = dict(
        dialog_state(embed_dlg), info=embed_dlg.model_info.text(),
        backbone=embed_dlg.backbone.backbone.currentText(),
        backbone_enabled=embed_dlg.backbone.backbone.isEnabled(),
        weights_enabled=embed_dlg.backbone.weights.isEnabled())
    ctx.shot("embed-with-model")


PREDICT_TARGET = "Parnassius apollo"     # 20 presences among the demo's 150 points


def show_presence(layer, field: str) -> None:
    """Points drawn by their value in ``field``: presences as orange triangles, absences as
    small hollow circles, so that the map can be read against them."""
    from qgis.core import QgsCategorizedSymbolRenderer, QgsMarkerSymbol, QgsRendererCategory

    present = QgsMarkerSymbol.createSimple({"name": "triangle", "color": "#ff7f00",
                                            "outline_color": "#000000", "size": "3.2"})
    absent = QgsMarkerSymbol.createSimple({"name": "circle", "color": "255,255,255,0",
                                           "outline_color": "#ffffff", "size": "1.8"})
    layer.setRenderer(QgsCategorizedSymbolRenderer(field, [
        QgsRendererCategory(1, present, f"{field} present"),
        QgsRendererCategory(0, absent, f"{field} absent")]))


def load_map_inputs(ctx):
    """The demo's orthophoto, its embedding raster (unticked, as Embed adds it) and the
    butterfly points (active, drawn by the presence of :data:`PREDICT_TARGET`), zoomed to
    the orthophoto."""
    ortho = ctx.iface.addRasterLayer(str(ctx.data["ortho"]), "Orthophoto")
    emb = ctx.iface.addRasterLayer(str(ctx.data["embeddings"]), "demo (embeddings)")
    points = ctx.iface.addVectorLayer(str(ctx.data["points"]), "Butterflies", "ogr")
    if any(lyr is None or not lyr.isValid() for lyr in (ortho, emb, points)):
        raise ScenarioError(f"QGIS could not open the inputs {ctx.data}")
    apply_style(ortho, "orthophoto")
    show_presence(points, PREDICT_TARGET)
    ctx.project.layerTreeRoot().findLayer(emb.id()).setItemVisibilityChecked(False)
    ctx.iface.setActiveLayer(points)
    canvas = ctx.iface.mapCanvas()
    canvas.setExtent(ortho.extent())
    canvas.refreshAllLayers()
    ctx.step("map inputs loaded")
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")


@scenario
def predict(ctx):
    """Predict map from the menu on the demo's embeddings and butterflies: the task is
    suggested from the 0/1 field, the run adds the styled prediction, uncertainty and
    applicability layers; run again and cancelled, the map file and its layers stay as
    they were."""
    yield from load_map_inputs(ctx)
    dlg = yield from open_tool(ctx, "predict")
    ctx.facts["preselected"] = {"embeddings": dlg.embeddings.currentLayer().name(),
                                "points": dlg.points.currentLayer().name()}
    dlg.targets.set_fields([PREDICT_TARGET])
    out = ctx.work / "apollo.tif"
    dlg.output.setFilePath(str(out))
    yield SETTLE
    ctx.facts["before_run"] = dict(dialog_state(dlg), task=dlg.task_combo.currentData(),
                                   hint=dlg.task_hint.text())
    ctx.shot("predict", keep=True)
    click(ctx, dlg.ok_button, "Run")
    yield from wait_task(ctx, dlg, timeout=120)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["layers"] = layer_tree(ctx)
    ctx.facts["outputs"] = sorted(p.name for p in ctx.work.iterdir())
    click(ctx, dlg.close_button, "Close")
    yield ctx.until(lambda: not dlg.isVisible(), 5, "the dialog to close")
    yield SETTLE
    ctx.facts["qgis_bar_after_close"] = bar_items(ctx.iface.messageBar())
    canvas = ctx.iface.mapCanvas()
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    ctx.shot("predict-result", keep=True)
    yield from cancel_predict(ctx, out)


def cancel_predict(ctx, out):
    """The Predict dialog again, Run with the same settings, Cancel during the
    cross-validation: records what is left."""
    before = out.read_bytes()
    dlg = yield from open_tool(ctx, "predict")
    click(ctx, dlg.ok_button, "Run")
    yield ctx.until(lambda: dlg.task.status in DONE
                    or dlg.task.progress_adapter.max_percent >= 6.0, 60,
                    "the cross-validation to start")
    if dlg.task.status in DONE:
        raise ScenarioError(f"the prediction ended ({dlg.task.status}) before Cancel could "
                            "be clicked")
    click(ctx, dlg.close_button, "Cancel")
    yield from wait_task(ctx, dlg, timeout=60)
    yield SETTLE
    ctx.facts["cancel"] = dict(outcome(ctx, dlg), layers=layer_tree(ctx),
                               outputs=sorted(p.name for p in ctx.work.iterdir()),
                               out_unchanged=out.read_bytes() == before)


@scenario
def habitats(ctx):
    """Habitat clusters from the menu on the demo's embeddings: k chosen automatically
    (Davies-Bouldin over 3 to 8), a summary with thumbnails from the orthophoto; the map
    comes back paletted with a legend "habitat 1"..., above the orthophoto."""
    yield from load_map_inputs(ctx)
    ctx.project.layerTreeRoot().findLayer(
        ctx.project.mapLayersByName("Butterflies")[0].id()).setItemVisibilityChecked(False)
    dlg = yield from open_tool(ctx, "habitats")
    ctx.facts["preselected"] = dlg.embeddings.currentLayer().name()
    dlg.auto_k.setChecked(True)
    dlg.k_max.setValue(8)
    dlg.summary.setFilePath(str(ctx.work / "habitats_summary"))
    dlg.ortho.setLayer(ctx.project.mapLayersByName("Orthophoto")[0])
    out = ctx.work / "habitats.tif"
    dlg.output.setFilePath(str(out))
    yield SETTLE
    ctx.facts["before_run"] = dialog_state(dlg)
    ctx.shot("habitats-dialog")
    click(ctx, dlg.ok_button, "Run")
    yield from wait_task(ctx, dlg, timeout=120)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["layers"] = layer_tree(ctx)
    ctx.facts["legend"] = legend_labels(ctx, "habitats.tif")
    ctx.facts["outputs"] = sorted(p.name for p in ctx.work.iterdir())
    click(ctx, dlg.close_button, "Close")
    yield ctx.until(lambda: not dlg.isVisible(), 5, "the dialog to close")
    yield SETTLE
    canvas = ctx.iface.mapCanvas()
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    ctx.shot("habitats-map", keep=True)


@scenario
def similar(ctx):
    """Find similar places from the plugin's action over the demo's embeddings: a real
    mouse click on the map adds the similarity layer of the view (the clicked place is
    ~1), and moving the threshold changes the area the panel reports."""
    yield from load_map_inputs(ctx)
    ctx.plugin.actions["similar"].trigger()
    tool = ctx.plugin.similar_places
    canvas = ctx.iface.mapCanvas()
    yield SETTLE
    ctx.facts["tool"] = {"active": canvas.mapTool() is tool.tool,
                         "checked": ctx.plugin.actions["similar"].isChecked(),
                         "panel": tool.panel.isVisible()}
    # 13 m off the centre: the centre of the 2 km scene is a corner of its 40 m pixels
    centre = canvas.extent().center()
    at = type(centre)(centre.x() + 13.0, centre.y() - 13.0)
    pos = canvas.getCoordinateTransform().transform(at).toQPointF().toPoint()
    ctx.step("click on the map")
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, pos)
    yield ctx.until(lambda: tool.view_layer is not None, 20, "the similarity layer")
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw")
    layer = tool.view_layer
    value, ok = layer.dataProvider().sample(at, 1)
    ctx.facts["view"] = {"name": layer.name(), "renderer": layer.renderer().type(),
                         "value_at_click": float(value) if ok else None,
                         "threshold": tool.panel.threshold(), "area": tool.panel.area.text()}
    ctx.facts["layers"] = layer_tree(ctx)
    yield SETTLE
    ctx.shot("similar", keep=True)
    tool.panel.slider.setValue(tool.panel.slider.value() - 20)
    yield SETTLE
    ctx.facts["lower"] = {"threshold": tool.panel.threshold(),
                          "area": tool.panel.area.text()}


def in_view(view, node) -> bool:
    """Whether the row of ``node`` is in the layer panel as shown, without scrolling up or
    down (its start at least: a long name may run past the panel's right edge)."""
    rect = view.visualRect(view.node2index(node))
    return rect.isValid() and rect.top() >= 0 and rect.bottom() < view.viewport().height() \
        and 0 <= rect.left() < view.viewport().width()


def top_group(node) -> str:
    """The name of the top-level group holding ``node`` ("" for a layer at the top)."""
    top = node
    while top.parent() is not None and top.parent().parent() is not None:
        top = top.parent()                       # up to the child of the root
    return "" if top is node else top.name()


@scenario
def demo_project(ctx):
    """Project > Open on the demo.qgz that ``botaclip demo --quick`` wrote
    (ctx.data['project']), as a user opens it: the layer tree with its groups, every layer
    valid, the canvas on the orthophoto's extent, drawn; records what is ticked and what
    the map draws, top to bottom."""
    from qgis.core import QgsLayerTree

    canvas = ctx.iface.mapCanvas()
    drawn = []
    canvas.mapCanvasRefreshed.connect(lambda: drawn.append(True))
    ctx.step("Project > Open demo.qgz")
    # what Project > Open calls: QgsProject.instance().read plus the application's own
    # handling (canvas extent from the project, bad-layer dialog if a file is missing)
    ctx.facts["opened"] = bool(ctx.iface.addProject(str(ctx.data["project"])))
    yield ctx.until(lambda: drawn and not canvas.isDrawing(), 60, "the map canvas to draw")
    yield SETTLE
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw again")
    root = ctx.project.layerTreeRoot()
    ctx.facts["title"] = ctx.project.title()
    view = ctx.iface.layerTreeView()
    ctx.facts["top_level"] = [{"name": n.name(), "group": QgsLayerTree.isGroup(n),
                               "checked": n.itemVisibilityChecked(),
                               "expanded": n.isExpanded(),
                               "in_view": in_view(view, n)} for n in root.children()]
    ctx.facts["layers"] = [dict(row, shown=node.isVisible(), valid=node.layer().isValid(),
                                top_group=top_group(node), expanded=node.isExpanded())
                           for row, node in zip(layer_tree(ctx), root.findLayers())]
    ctx.facts["invalid"] = [lyr.name() for lyr in ctx.project.mapLayers().values()
                            if not lyr.isValid()]
    ctx.facts["drawn_top_down"] = [lyr.name() for lyr in canvas.layers()]
    ortho = next((lyr for lyr in ctx.project.mapLayers().values()
                  if lyr.name() == "Orthophoto (synthetic)"), None)
    extent = canvas.extent()
    ctx.facts["canvas"] = {
        "crs": canvas.mapSettings().destinationCrs().authid(),
        "extent": [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(),
                   extent.yMaximum()],
        "shows_ortho": ortho is not None and extent.contains(ortho.extent()),
        "ortho_fraction": ortho.extent().width() * ortho.extent().height()
        / max(extent.width() * extent.height(), 1e-9) if ortho is not None else 0.0}
    ctx.facts["qgis_bar"] = bar_items(ctx.iface.messageBar())
    ctx.shot("demo-project", keep=True)
    # the guide's picture of the menu: Raster > BotaCLIP open over the demo project
    menu = yield from open_plugin_menu(ctx)
    ctx.facts["menu_over_project"] = [a.text() for a in menu.actions() if not a.isSeparator()]
    ctx.shot("menu", keep=True)
    menu.hide()
    ctx.iface.rasterMenu().hide()


def form_labels(dlg) -> list:
    """The texts of a dialog's form, row by row: the label column, then a checkbox's own
    text (a row spanning both columns)."""
    from qgis.PyQt.QtWidgets import QCheckBox, QFormLayout, QLabel

    rows = []
    for row in range(dlg.form.rowCount()):
        for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.SpanningRole):
            item = dlg.form.itemAt(row, role)
            widget = item.widget() if item is not None else None
            if isinstance(widget, (QLabel, QCheckBox)) and widget.text().strip():
                rows.append(widget.text())
    return rows


def watch_next_task(messages: list) -> None:
    """Record every status message of the next task added to QGIS's task manager, from
    its first: taskAdded is emitted on this thread inside addTask, before the task's
    Python code can run."""
    from qgis.core import QgsApplication

    manager = QgsApplication.taskManager()

    def added(task_id):
        manager.taskAdded.disconnect(added)
        manager.task(task_id).messageChanged.connect(messages.append)

    manager.taskAdded.connect(added)


@scenario
def french_demo(ctx):
    """QGIS in French (the test's profile): Raster > BotaCLIP, the Processing names, the
    demo dialog from its menu entry with the whole demo job ticked, its Help, then Run: the
    task's steps, and the project it opens with its styled maps, the dialog closed."""
    import time

    from qgis.core import QgsApplication, QgsLayerTree, QgsRasterLayer

    from botaclip.plugin import help as plugin_help
    from botaclip.plugin.i18n import user_locale

    yield 1.0                                           # let start-up messages arrive
    ctx.facts["locale"] = {"qgis": user_locale(),
                           "translation": str(ctx.plugin.translator.path)}
    menu = yield from open_plugin_menu(ctx)
    ctx.facts["menu"] = [a.text() for a in menu.actions() if not a.isSeparator()]
    ctx.facts["actions"] = {key: a.text() for key, a in ctx.plugin.actions.items()}
    ctx.shot("fr-menu", keep=True)
    menu.hide()
    ctx.iface.rasterMenu().hide()
    provider = QgsApplication.processingRegistry().providerById("botaclip")
    ctx.facts["processing"] = {a.name(): a.displayName() for a in provider.algorithms()} \
        if provider is not None else None

    dlg = yield from open_tool(ctx, "demo")            # Raster > BotaCLIP > Créer des données…
    dlg.folder.setFilePath(str(ctx.data["folder"]))
    box = dlg.whole
    ctx.step("tick the whole demo job")                # a click on the box itself
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(8, box.height() // 2))
    yield SETTLE
    ctx.facts["demo_dialog"] = dict(dialog_state(dlg), labels=form_labels(dlg),
                               whole_checked=box.isChecked(), whole_tooltip=box.toolTip(),
                               hint=dlg.hint.text(), run_text=dlg.ok_button.text())
    ctx.shot("fr-demo-dialog", keep=True)

    click(ctx, dlg.buttons.button(dlg.buttons.StandardButton.Help), "Help")
    yield ctx.until(lambda: plugin_help._alive(plugin_help._DIALOG)
                    and plugin_help._DIALOG.isVisible(), 10, "the help window")
    help_dlg = plugin_help._DIALOG
    ctx.facts["help"] = {"path": str(help_dlg.path), "section": help_dlg.section,
                         "title": help_dlg.windowTitle(),
                         "url": plugin_help.help_url(dlg.help_section).toLocalFile()}
    help_dlg.close()
    yield SETTLE

    messages = []
    watch_next_task(messages)
    canvas = ctx.iface.mapCanvas()
    drawn = []
    canvas.mapCanvasRefreshed.connect(lambda: drawn.append(True))
    t0 = time.monotonic()
    click(ctx, dlg.ok_button, "Run")
    yield from wait_task(ctx, dlg, timeout=360)
    ctx.facts["task_seconds"] = round(time.monotonic() - t0, 1)
    yield SETTLE
    ctx.facts.update(outcome(ctx, dlg))
    ctx.facts["step_headers"] = list(dict.fromkeys(m.split(" — ")[0] for m in messages))
    ctx.facts["project_file"] = ctx.project.fileName()
    ctx.facts["title"] = ctx.project.title()
    root = ctx.project.layerTreeRoot()
    ctx.facts["top_level"] = [{"name": n.name(), "group": QgsLayerTree.isGroup(n)}
                              for n in root.children()]
    ctx.facts["layers"] = [dict(row, valid=node.layer().isValid(), top_group=top_group(node))
                           for row, node in zip(layer_tree(ctx), root.findLayers())]
    ctx.facts["invalid"] = [lyr.name() for lyr in ctx.project.mapLayers().values()
                            if not lyr.isValid()]
    ctx.facts["raster_renderers"] = sorted({lyr.renderer().type() for lyr in
                                            ctx.project.mapLayers().values()
                                            if isinstance(lyr, QgsRasterLayer)})
    click(ctx, dlg.close_button, "Close")
    yield ctx.until(lambda: not dlg.isVisible(), 5, "the dialog to close")
    yield ctx.until(lambda: drawn and not canvas.isDrawing(), 60, "the map canvas to draw")
    yield SETTLE
    yield ctx.until(lambda: not canvas.isDrawing(), 30, "the map canvas to draw again")
    ctx.facts["drawn_top_down"] = [lyr.name() for lyr in canvas.layers()]
    ctx.facts["qgis_bar_after_close"] = bar_items(ctx.iface.messageBar())
    ctx.shot("fr-demo-project", keep=True)
