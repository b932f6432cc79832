"""BackendTask in QGIS's real task manager, and the Progress adapters."""

from __future__ import annotations

import pytest
from helpers import Calls

pytestmark = pytest.mark.qgis

DONE = ("success", "error", "cancelled")


def test_task_runs_to_completion(qgis_app, qtbot, tmp_path):
    from qgis.core import QgsApplication

    from botaclip.backend.demo import generate_demo_data
    from botaclip.plugin.tasks import _ALIVE, BackendTask

    calls = Calls()
    progress = []
    task = BackendTask("demo", generate_demo_data,
                       {"out_dir": tmp_path / "demo", "size_m": 300.0, "seed": 1},
                       **calls.kwargs())
    task.progressChanged.connect(progress.append)
    assert task in _ALIVE
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: task.status in DONE, timeout=60_000)
    assert task.status == "success" and calls.error == [] and calls.cancel == []
    assert len(calls.success) == 1 and calls.success[0] is task.result
    assert task.result.n_releves > 0 and task.result.orthophoto.exists()
    assert task.progress_adapter.max_percent == 100.0
    qtbot.waitUntil(lambda: progress and progress[-1] == 100.0, timeout=5_000)
    assert progress == sorted(progress) and len(progress) > 5
    assert task not in _ALIVE


def test_task_cancelled_mid_run_leaves_nothing(qgis_app, qtbot, tmp_path):
    from qgis.core import QgsApplication

    from botaclip.backend.demo import generate_demo_data
    from botaclip.plugin.tasks import BackendTask

    calls = Calls()
    out = tmp_path / "demo"
    task = BackendTask("big demo", generate_demo_data,
                       {"out_dir": out, "size_m": 1500.0, "seed": 0}, **calls.kwargs())
    manager = QgsApplication.taskManager()
    task_id = manager.addTask(task)
    qtbot.waitUntil(lambda: task.progress_adapter.max_percent >= 3.0, timeout=60_000)
    assert task.status == "running"
    manager.task(task_id).cancel()          # what the task manager's cancel button does
    qtbot.waitUntil(lambda: task.status in DONE, timeout=60_000)
    assert task.status == "cancelled"
    assert calls.cancel == [True] and calls.error == [] and calls.success == []
    assert task.progress_adapter.max_percent < 100
    assert list(out.iterdir()) == [], "a cancelled task must leave no output"


def _messages(qgis_app):
    from qgis.core import QgsApplication

    got = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda msg, tag, level: got.append((tag, msg)) if tag == "BotaCLIP" else None)
    return got


def _fails(message, progress):
    from botaclip.backend.errors import BotaclipError

    progress.warn("first warning")
    raise BotaclipError(message)


def _crashes(progress):
    return {}["no such key"]


def _warns(progress):
    progress.report(0.5, "half way")
    progress.warn("band 4 has no description")
    progress.info("read 3 bands")
    return 42


def test_task_errors(qgis_app, qtbot):
    from qgis.core import QgsApplication

    from botaclip.plugin.tasks import BackendTask

    log = _messages(qgis_app)
    calls = Calls()
    task = BackendTask("failing", _fails, {"message": "The file x.tif is not a raster."},
                       **calls.kwargs())
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: task.status in DONE, timeout=10_000)
    assert task.status == "error"
    assert calls.error == ["The file x.tif is not a raster."] and calls.cancel == []

    calls = Calls()
    task = BackendTask("crashing", _crashes, **calls.kwargs())
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: task.status in DONE, timeout=10_000)
    assert task.status == "error"
    assert calls.error[0].startswith("Unexpected error in crashing: KeyError")
    qtbot.waitUntil(lambda: any("Traceback" in m for _t, m in log), timeout=5_000)
    assert any("_crashes" in m for _t, m in log if "Traceback" in m)


def test_task_warnings_go_to_the_message_bar(qgis_iface, qtbot):
    from qgis.core import Qgis, QgsApplication

    from botaclip.plugin.tasks import BackendTask

    bar = qgis_iface.messageBar()
    bar.clear_messages()
    messages = []
    task = BackendTask("warning", _warns, on_success=None, message_bar=bar)
    task.messageChanged.connect(messages.append)
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: task.status in DONE, timeout=10_000)
    assert task.status == "success" and task.result == 42
    assert task.warnings == ["band 4 has no description"]
    warned = bar.get_messages(Qgis.MessageLevel.Warning)
    assert len(warned) == 1 and "band 4 has no description" in warned[0]
    qtbot.waitUntil(lambda: messages == ["half way"], timeout=5_000)


def test_task_without_callbacks_reports_to_the_bar(qgis_iface, qtbot):
    from qgis.core import Qgis, QgsApplication

    from botaclip.plugin.tasks import BackendTask

    bar = qgis_iface.messageBar()
    bar.clear_messages()
    task = BackendTask("failing", _fails, {"message": "Bad input."}, message_bar=bar)
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: task.status in DONE, timeout=10_000)
    assert bar.get_messages(Qgis.MessageLevel.Critical) == ["BotaCLIP:Bad input."]


def test_feedback_progress(qgis_app):
    from qgis.core import QgsProcessingFeedback

    from botaclip.backend.errors import Cancelled
    from botaclip.plugin.progress import FeedbackProgress

    class Feedback(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def pushWarning(self, text):  # noqa: N802
            self.lines.append(("warning", text))

        def pushInfo(self, text):  # noqa: N802
            self.lines.append(("info", text))

        def setProgressText(self, text):  # noqa: N802
            self.lines.append(("text", text))

    fb = Feedback()
    p = FeedbackProgress(fb)
    p.report(0.25, "reading")
    p.sub(0.5, 1.0).report(0.5, "reading")
    assert fb.progress() == 75.0
    p.warn("careful")
    p.info("fyi")
    assert fb.lines == [("text", "reading"), ("warning", "careful"), ("info", "fyi")]
    p.check()
    fb.cancel()
    assert p.is_cancelled()
    with pytest.raises(Cancelled):
        p.check()


def test_threads_setting_reaches_torch(qgis_app, qtbot):
    """The CPU threads chosen in Settings take effect when a task runs."""
    import torch
    from qgis.core import QgsApplication

    from botaclip.plugin.settings import Settings
    from botaclip.plugin.tasks import BackendTask

    old = torch.get_num_threads()
    s = Settings()
    s.threads = 1
    seen = []
    try:
        task = BackendTask("threads", lambda progress: seen.append(torch.get_num_threads()))
        QgsApplication.taskManager().addTask(task)
        qtbot.waitUntil(lambda: task.status in DONE, timeout=10000)
        assert task.status == "success" and seen == [1]
    finally:
        s.threads = 0
        torch.set_num_threads(old)
