"""Run a backend function in QGIS's task manager, off the main thread.

``BackendTask(description, function, kwargs, on_success=..., on_error=..., on_cancel=...)``
calls ``function(**kwargs, progress=TaskProgress)`` in a worker thread. When it ends, on the
main thread: ``on_success(result)``; or ``on_error(message)`` (a BotaclipError's message as
is; any other exception as "unexpected error" with its traceback in the QGIS log, tag
"BotaCLIP"); or ``on_cancel()`` when the user cancelled (from the task manager or
:meth:`cancel`) -- a cancel is never reported as an error. Without a callback the outcome is
pushed to ``message_bar`` (if given). Warnings the backend raised are kept in ``warnings``
(and pushed to ``message_bar`` when there is no ``on_success`` to report them with).
"""

from __future__ import annotations

import traceback

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsTask
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QTimer, pyqtSignal

from ..backend.errors import BotaclipError, Cancelled
from .i18n import tr
from .layers import remove_copies
from .progress import TaskProgress
from .settings import Settings, apply_threads

LOG_TAG = "BotaCLIP"

# QGIS 3.26+ has a Silent flag: QGIS then leaves the reporting of the outcome to us (it would
# otherwise say "Task failed" for a task the user cancelled). 3.22 lacks it: see
# drop_failure_notice.
TASK_FLAGS = QgsTask.Flag.CanCancel | getattr(QgsTask.Flag, "Silent", QgsTask.Flag.CanCancel)

# The task manager owns the C++ task, but the Python wrapper (whose run/finished overrides
# QGIS calls) must stay referenced until the task has finished, or it is garbage collected
# under QGIS's feet.
_ALIVE: set = set()


def log(message: str, level=Qgis.MessageLevel.Info) -> None:
    QgsMessageLog.logMessage(message, LOG_TAG, level)


class BackendTask(QgsTask):
    """A backend call as a cancellable QgsTask. ``status`` goes queued -> running ->
    success | error | cancelled; ``result``, ``error_message``, ``warnings`` hold the
    outcome."""

    messageChanged = pyqtSignal(str)  # noqa: N815 (Qt naming)

    def __init__(self, description: str, function, kwargs: dict | None = None, *,
                 on_success=None, on_error=None, on_cancel=None, message_bar=None):
        super().__init__(description, TASK_FLAGS)
        self.function = function
        self.kwargs = dict(kwargs or {})
        self.on_success, self.on_error, self.on_cancel = on_success, on_error, on_cancel
        self.message_bar = message_bar
        self.progress_adapter = TaskProgress(self)
        self.status = "queued"
        self.result = None
        self.error_message: str | None = None
        self.traceback: str | None = None
        self._was_cancelled = False
        self.threads = Settings().threads         # read here: QgsSettings on the main thread
        _ALIVE.add(self)

    # ------------------------------------------------------------------ worker thread
    def report_message(self, message: str) -> None:
        self.messageChanged.emit(message)

    def run(self) -> bool:
        self.status = "running"
        try:
            apply_threads(self.threads)
            self.result = self.function(**self.kwargs, progress=self.progress_adapter)
            return True
        except Cancelled:
            self._was_cancelled = True
        except BotaclipError as exc:
            self.error_message = str(exc)
        except Exception as exc:  # noqa: BLE001  (reported to the user, traceback logged)
            self.traceback = traceback.format_exc()
            self.error_message = tr(
                "Unexpected error in {task}: {error}. The details are in the log "
                "(View > Panels > Log Messages, BotaCLIP tab).").format(
                    task=self.description(), error=f"{type(exc).__name__}: {exc}")
        return False

    # ------------------------------------------------------------------ main thread
    @property
    def warnings(self) -> list[str]:
        return list(self.progress_adapter.warnings)

    def finished(self, ok: bool) -> None:  # noqa: FBT001 (QGIS's signature)
        try:
            self._finish(ok)
        except Exception:  # noqa: BLE001  (an exception here would be lost by QGIS)
            log(tr("Error while finishing {task}:").format(task=self.description()) + "\n"
                + traceback.format_exc(), Qgis.MessageLevel.Critical)
        finally:
            remove_copies(self.kwargs.values())    # temporary copies of layers (layers.py)
            _ALIVE.discard(self)

    def _finish(self, ok: bool) -> None:
        for line in self.progress_adapter.infos:
            log(line)
        for line in self.progress_adapter.warnings:
            log(line, Qgis.MessageLevel.Warning)
        if ok:
            self.status = "success"
            self._drop_qgis_notice()
            if self.on_success is not None:
                self.on_success(self.result)     # the caller reports the warnings with it
            else:
                self._push_warnings()
            return
        if self._was_cancelled or (self.error_message is None and self.isCanceled()):
            self.status = "cancelled"
            log(tr("{task}: cancelled.").format(task=self.description()))
            self._drop_qgis_notice()
            if self.on_cancel is not None:
                self.on_cancel()
            else:
                self._push(tr("{task} was cancelled; nothing was written.").format(
                    task=self.description()), Qgis.MessageLevel.Info)
            return
        self.status = "error"
        if self.error_message is None:
            self.error_message = tr("{task} stopped without a result.").format(
                task=self.description())
        log(self.error_message + (("\n" + self.traceback) if self.traceback else ""),
            Qgis.MessageLevel.Critical)
        if self.on_error is not None:
            self.on_error(self.error_message)
        else:
            self._push(self.error_message, Qgis.MessageLevel.Critical)

    def _drop_qgis_notice(self) -> None:
        """QGIS before 3.26 adds its own "Task complete" / "Task failed" notice right after
        :meth:`finished`; where our dialog reports the outcome (success or cancel), that
        notice only piles up beside it, or calls a cancel a failure."""
        if self.message_bar is not None and self.on_success is not None:
            bar, text = self.message_bar, self.description()
            QTimer.singleShot(0, lambda: drop_qgis_notice(bar, text))

    def _push(self, text: str, level, details: str = "") -> None:
        if self.message_bar is None:
            return
        if details:
            self.message_bar.pushMessage("BotaCLIP", text, details, level, 0)
        else:
            self.message_bar.pushMessage("BotaCLIP", text, level, 0 if
                                         level == Qgis.MessageLevel.Critical else 8)

    def _push_warnings(self) -> None:
        warnings = self.progress_adapter.warnings
        if warnings:
            self._push(tr("{task}: {n} warning(s). {first}").format(
                task=self.description(), n=len(warnings), first=warnings[0]),
                Qgis.MessageLevel.Warning, "\n".join(warnings))


def drop_qgis_notice(bar, description: str) -> int:
    """Remove the "Task complete" / "Task failed: <description>" notice that QGIS before
    3.26 pushes into its message bar for every task that ends (a cancelled one is "failed")
    right after ``finished``, for tasks longer than a few seconds. Returns how many items
    were removed."""
    if sip.isdeleted(bar):
        return 0
    items = [item for item in bar.items() if item.text() == description]
    for item in items:
        bar.popWidget(item)
    return len(items)


def start(task: BackendTask) -> BackendTask:
    """Hand ``task`` to QGIS's task manager."""
    QgsApplication.taskManager().addTask(task)
    return task
