"""Runs inside real QGIS (``qgis --code tests/window/driver.py``, started by harness.py): one
scenario of tests/window/scenarios.py, named by $BOTACLIP_SCENARIO, as a generator-based
coroutine stepped by QTimer, so that Qt's event loop (and QGIS's task manager) keeps running
between steps. A scenario step may

    yield 0.5                                     # let the event loop run half a second
    yield ctx.until(lambda: cond, 60, "what")     # poll until cond is true (TimeoutError
                                                  # thrown into the scenario after 60 s)
    value = yield from helper(ctx)                # sub-steps

What the scenario records in ``ctx.facts`` is written as JSON to $BOTACLIP_RESULT after
every step (so a crash leaves the last step reached) and at the end, with the traceback
if the scenario raised; then QGIS is asked to quit (project marked clean, running tasks
waited for). Python stacks of a fatal signal go to $BOTACLIP_FAULTLOG (faulthandler), and
so do those at a SIGUSR1 (the harness sends one before killing a QGIS that hangs).

QGIS runs this file with exec() in its __main__ namespace, without a file name; the file then
loads itself as the module ``botaclip_window_driver`` and runs from there.
"""

import faulthandler
import importlib.util
import os
import signal
import sys
from pathlib import Path

MODULE_NAME = "botaclip_window_driver"


def _botaclip_window_main():
    fault_file = open(os.environ.get("BOTACLIP_FAULTLOG", os.devnull), "w")  # noqa: SIM115
    faulthandler.enable(file=fault_file, all_threads=True)
    # the harness sends SIGUSR1 before killing a QGIS that ran past its time: where it hung
    faulthandler.register(signal.SIGUSR1, file=fault_file, all_threads=True)
    import json
    import re
    import time
    import traceback

    from qgis.core import Qgis, QgsApplication, QgsProject
    from qgis.PyQt.QtCore import QTimer
    from qgis.PyQt.QtGui import QGuiApplication
    from qgis.utils import iface, plugins

    t0 = time.monotonic()
    window_dir = Path(os.environ["BOTACLIP_WINDOW_DIR"])
    result_path = Path(os.environ["BOTACLIP_RESULT"])
    shots_dir = Path(os.environ["BOTACLIP_SHOTS"])
    work_dir = Path(os.environ["BOTACLIP_WORK"])
    name = os.environ.get("BOTACLIP_SCENARIO", "startup")
    overall = float(os.environ.get("BOTACLIP_WINDOW_TIMEOUT", "150"))
    LEVELS = {0: "Info", 1: "Warning", 2: "Critical", 3: "Success", 4: "None"}

    def level_name(level) -> str:
        try:
            return LEVELS.get(int(level), str(level))
        except (TypeError, ValueError):
            return str(level)

    # ------------------------------------------------------------------ what is recorded
    result = {"scenario": name, "finished": False, "error": None, "facts": {}, "steps": [],
              "messages": [], "keep_shots": [], "shots": []}

    def save() -> None:
        tmp = result_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, indent=1, default=str))
        tmp.replace(result_path)

    def on_message(message, tag, level) -> None:
        result["messages"].append({"t": round(time.monotonic() - t0, 2), "tag": tag,
                                   "level": level_name(level), "text": str(message)[:4000]})

    try:
        QgsApplication.messageLog().messageReceived[str, str, Qgis.MessageLevel].connect(
            on_message)
    except (KeyError, TypeError):
        QgsApplication.messageLog().messageReceived.connect(on_message)

    # ------------------------------------------------------------------ OpenGL
    gl_keep = []          # the forced context lives as long as QGIS, as a desktop's would

    def gl_libs() -> list:
        found = set()
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) < 6 or not parts[5].startswith("/"):
                    continue
                base = os.path.basename(parts[5])
                if re.match(r"lib(LLVM|GL|GLX|EGL|GLdispatch|glapi)\b", base) \
                        or base.endswith("_dri.so"):
                    found.add(parts[5])
        return sorted(found)

    def native_libs(pattern: str) -> list:
        found = set()
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and re.search(pattern, os.path.basename(parts[5])):
                    found.add(parts[5])
        return sorted(found)

    def make_gl_context() -> dict:
        """What a desktop does when something draws with OpenGL: a context made current on
        a surface; returns its renderer string."""
        import ctypes

        from qgis.PyQt.QtGui import QOffscreenSurface, QOpenGLContext

        surface = QOffscreenSurface()
        surface.create()
        context = QOpenGLContext()
        created = context.create()
        current = created and context.makeCurrent(surface)
        renderer = ""
        if current:
            try:
                gl = ctypes.CDLL("libGL.so.1")
                gl.glGetString.restype = ctypes.c_char_p
                renderer = (gl.glGetString(0x1F01) or b"").decode(errors="replace")
                version = (gl.glGetString(0x1F02) or b"").decode(errors="replace")
                renderer = f"{renderer} | {version}"
            except OSError as exc:
                renderer = f"(glGetString failed: {exc})"
            context.doneCurrent()
        gl_keep.extend([surface, context])
        return {"context_created": bool(created), "made_current": bool(current),
                "renderer": renderer}

    def gl_facts() -> dict:
        libs = gl_libs()
        llvm_at_start = any("libLLVM" in p for p in libs)
        facts = {"platform": QGuiApplication.platformName(),
                 "QT_XCB_GL_INTEGRATION": os.environ.get("QT_XCB_GL_INTEGRATION"),
                 "llvm_at_start": llvm_at_start, "forced_context": False}
        if not llvm_at_start:
            facts["forced_context"] = True
            facts.update(make_gl_context())
            libs = gl_libs()
        facts["libs"] = libs
        facts["llvm"] = any("libLLVM" in p for p in libs)
        facts["libgl"] = any(re.search(r"/libGLX?[._]", p) for p in libs)
        return facts

    # ------------------------------------------------------------------ the context
    class WaitUntil:
        def __init__(self, predicate, timeout: float, what: str, interval: float):
            self.predicate, self.timeout, self.what = predicate, timeout, what
            self.interval = interval
            self.deadline = 0.0

    class Context:
        """What a scenario gets: QGIS (``iface``, ``plugin``), its inputs (``data``: the
        paths the test handed over; ``work``: an empty folder for outputs), ``facts`` to
        fill, and helpers."""

        def __init__(self):
            self.iface = iface
            self.plugin = plugins.get("botaclip")
            self.project = QgsProject.instance()
            self.data = {k: Path(v) for k, v in
                         json.loads(os.environ.get("BOTACLIP_WINDOW_DATA") or "{}").items()}
            self.work = work_dir
            self.shots_dir = shots_dir
            self.facts = result["facts"]
            self.messages = result["messages"]
            self.gl_context = make_gl_context

        def until(self, predicate, timeout: float = 60.0, what: str = "",
                  interval: float = 0.1) -> WaitUntil:
            """``yield ctx.until(...)``: wait until ``predicate()`` is true."""
            return WaitUntil(predicate, timeout, what or getattr(predicate, "__name__", ""),
                             interval)

        def step(self, label: str) -> None:
            """Mark progress: the last step reached is in the crash report."""
            result["steps"].append({"step": label, "t": round(time.monotonic() - t0, 2)})
            save()

        def elapsed(self) -> float:
            return time.monotonic() - t0

        def shots_taken(self) -> list:
            return list(result["shots"])

        def shot(self, label: str, keep: bool = False) -> str:
            """The whole screen (dialogs included) to $BOTACLIP_SHOTS/<label>.png; ``keep``:
            copied to resources/screenshots/window-<label>.png when the harness runs with
            BOTACLIP_UPDATE_SCREENSHOTS=1."""
            QgsApplication.processEvents()
            path = shots_dir / f"{label}.png"
            pixmap = QGuiApplication.primaryScreen().grabWindow(0)
            pixmap.save(str(path), "PNG")
            result["shots"].append(label)
            if keep:
                result["keep_shots"].append(label)
            return str(path)

    ctx = Context()

    # ------------------------------------------------------------------ common facts
    def plugin_facts() -> dict:
        plugin = ctx.plugin
        facts = {"loaded": plugin is not None,
                 "module": getattr(sys.modules.get("botaclip"), "__file__", None)}
        if plugin is None:
            return facts
        facts["actions"] = {k: {"text": a.text(), "enabled": a.isEnabled()}
                            for k, a in plugin.actions.items()}
        facts["deps_ok"] = bool(plugin.deps_report and plugin.deps_report.ok)
        menu = []
        for action in iface.rasterMenu().actions():
            if action.menu() is not None and "BotaCLIP" in action.text().replace("&", ""):
                menu = [a.text() for a in action.menu().actions() if not a.isSeparator()]
        facts["raster_menu"] = menu
        facts["toolbar_visible"] = bool(plugin.toolbar is not None
                                        and plugin.toolbar.isVisible())
        return facts

    def log_dock_texts() -> dict:
        """The Log Messages panel's tabs (messages logged before the driver started are
        only there)."""
        from qgis.PyQt.QtWidgets import QPlainTextEdit, QTabWidget, QWidget

        texts = {}
        viewers = [w for w in iface.mainWindow().findChildren(QWidget)
                   if w.metaObject().className() == "QgsMessageLogViewer"]
        for viewer in viewers:
            for tabs in viewer.findChildren(QTabWidget):
                for i in range(tabs.count()):
                    edits = [tabs.widget(i)] if isinstance(tabs.widget(i), QPlainTextEdit) \
                        else tabs.widget(i).findChildren(QPlainTextEdit)
                    texts[tabs.tabText(i)] = "\n".join(e.toPlainText() for e in edits)[-8000:]
        return texts

    def qgis_bar() -> list:
        return [{"title": i.title(), "text": i.text(), "level": level_name(i.level())}
                for i in iface.messageBar().items()]

    # ------------------------------------------------------------------ the runner
    sys.path.insert(0, str(window_dir.parent))        # tests/: helpers.py
    spec = importlib.util.spec_from_file_location("botaclip_window_scenarios",
                                                  window_dir / "scenarios.py")
    scenarios = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = scenarios

    state = {"gen": None, "done": False, "busy_since": None}

    def resume(value=None, exc=None) -> None:
        if state["done"]:
            return
        state["busy_since"] = time.monotonic()
        try:
            command = state["gen"].throw(exc) if exc is not None \
                else state["gen"].send(value)
        except StopIteration:
            finish(None)
            return
        except BaseException:  # noqa: BLE001  (recorded; the test reads it)
            finish(traceback.format_exc())
            return
        finally:
            state["busy_since"] = None
        save()
        schedule(command)

    modal_grace = float(os.environ.get("BOTACLIP_MODAL_GRACE", "10"))

    def modal_watch() -> None:
        """A modal dialog (a question) opened by a step blocks that step until answered:
        after ``modal_grace`` s it is recorded, shot and rejected, so that the scenario
        goes on (and the test fails with its text) instead of hanging to the timeout.
        Scenarios that expect a question click with click_async() and answer it."""
        from qgis.PyQt.QtWidgets import QApplication

        busy = state["busy_since"]
        modal = QApplication.activeModalWidget()
        if busy is None or modal is None or time.monotonic() - busy < modal_grace:
            return
        text = getattr(modal, "text", None)
        result.setdefault("blocked_by_modal", []).append({
            "class": type(modal).__name__, "title": modal.windowTitle(),
            "text": text() if callable(text) else "",
            "step": result["steps"][-1]["step"] if result["steps"] else ""})
        try:
            ctx.shot(f"blocked-by-modal-{len(result['blocked_by_modal'])}")
        except Exception:  # noqa: BLE001
            pass
        save()
        state["busy_since"] = time.monotonic()
        modal.reject()

    modal_timer = QTimer()
    modal_timer.setInterval(1000)
    modal_timer.timeout.connect(modal_watch)
    modal_timer.start()

    def schedule(command) -> None:
        if command is None:
            command = 0
        if isinstance(command, (int, float)):
            QTimer.singleShot(int(command * 1000), resume)
        elif isinstance(command, WaitUntil):
            command.deadline = time.monotonic() + command.timeout
            poll(command)
        else:
            resume(exc=TypeError(f"a scenario yielded {command!r}: yield seconds or "
                                 f"ctx.until(...)"))

    def poll(wait) -> None:
        try:
            value = wait.predicate()
        except Exception as exc:  # noqa: BLE001  (thrown into the scenario)
            resume(exc=exc)
            return
        if value:
            resume(value)
        elif time.monotonic() > wait.deadline:
            resume(exc=TimeoutError(f"timed out after {wait.timeout:g} s waiting for "
                                    f"{wait.what}"))
        else:
            QTimer.singleShot(int(wait.interval * 1000), lambda: poll(wait))

    def start() -> None:
        try:
            window = iface.mainWindow()
            window.setGeometry(0, 0, 1600, 1000)
            QgsApplication.processEvents()
            result["qgis_version"] = Qgis.QGIS_VERSION
            result["python"] = sys.version.split()[0]
            ctx.facts["gl"] = gl_facts()
            ctx.facts["plugin"] = plugin_facts()
            ctx.step("started")
            spec.loader.exec_module(scenarios)
            function = scenarios.SCENARIOS.get(name)
            if function is None:
                raise KeyError(f"no scenario {name!r}; known: {sorted(scenarios.SCENARIOS)}")
            if ctx.plugin is None:
                raise RuntimeError("the botaclip plugin is not loaded (qgis.utils.plugins: "
                                   f"{sorted(plugins)})")
            state["gen"] = function(ctx)
        except BaseException:  # noqa: BLE001
            finish(traceback.format_exc())
            return
        resume()

    def finish(error) -> None:
        if state["done"]:
            return
        state["done"] = True
        result["error"] = error
        ctx.step("finish")
        for label, what in (("qgis_bar", qgis_bar), ("log_tabs", log_dock_texts)):
            try:
                result[label] = what()
            except Exception:  # noqa: BLE001
                result[label] = traceback.format_exc()
        result["native_end"] = {
            "torch_imported": "torch" in sys.modules,
            "triton_modules": len([m for m, mod in list(sys.modules.items())
                                   if m.split(".")[0] == "triton" and mod is not None]),
            "triton_kept_out": "triton" in sys.modules and sys.modules["triton"] is None,
            "triton_libs": native_libs(r"triton"),
            "llvm_libs": native_libs(r"LLVM"),
        }
        try:
            ctx.shot("final")
        except Exception:  # noqa: BLE001
            pass
        save()
        manager = QgsApplication.taskManager()
        if error is not None and manager.countActiveTasks():
            manager.cancelAll()
        deadline = time.monotonic() + 60.0

        def wait_tasks():
            if manager.countActiveTasks() and time.monotonic() < deadline:
                QTimer.singleShot(200, wait_tasks)
            else:
                result["tasks_left_at_quit"] = manager.countActiveTasks()
                quit_qgis()

        wait_tasks()

    def quit_qgis() -> None:
        result["finished"] = True
        result["seconds"] = round(time.monotonic() - t0, 2)
        save()
        QgsProject.instance().setDirty(False)
        QTimer.singleShot(20000, quit_blocked)
        iface.actionExit().trigger()

    def quit_blocked() -> None:
        """QGIS did not quit: a dialog (a question at exit?) is in the way."""
        result["quit_blocked"] = True
        try:
            ctx.shot("quit-blocked")
        except Exception:  # noqa: BLE001
            pass
        save()
        fault_file.flush()
        os._exit(97)

    def watchdog() -> None:
        """Shortly before the harness kills QGIS: a screenshot of what is in the way."""
        if state["done"]:
            return
        result["watchdog"] = f"the scenario was still running after {watchdog_s:.0f} s"
        try:
            ctx.shot("watchdog")
        except Exception:  # noqa: BLE001
            pass
        save()

    watchdog_s = max(5.0, overall - 15.0)
    QTimer.singleShot(int(watchdog_s * 1000), watchdog)
    QTimer.singleShot(300, start)
    # kept referenced for QGIS's lifetime
    return ctx, state, gl_keep, fault_file, modal_timer


if __name__ == MODULE_NAME:
    _BOTACLIP_WINDOW = _botaclip_window_main()
elif MODULE_NAME not in sys.modules:
    # QGIS exec()s this file without a name: load it again as a module, so that tracebacks
    # and faulthandler stacks name this file and its lines
    _spec = importlib.util.spec_from_file_location(
        MODULE_NAME, Path(os.environ["BOTACLIP_WINDOW_DIR"]) / "driver.py")
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[MODULE_NAME] = _module
    _spec.loader.exec_module(_module)
