"""Adapters from the backend's :class:`Progress` to QgsTask and QgsProcessingFeedback."""

from __future__ import annotations

import threading

from qgis.core import QgsProcessingFeedback

from ..backend.progress import Progress


class TaskProgress(Progress):
    """Progress for a backend call running inside a QgsTask (a worker thread).

    ``report`` -> ``task.setProgress(0..100)`` (thread-safe in QGIS), ``is_cancelled`` ->
    ``task.isCanceled()``. Warnings and information lines are collected (under a lock) and
    shown on the main thread when the task ends; the latest message is kept for the UI.
    """

    def __init__(self, task):
        self.task = task
        self.warnings: list[str] = []
        self.infos: list[str] = []
        self.message = ""
        self.max_percent = 0.0
        self._lock = threading.Lock()
        self._last = -1.0

    def _emit(self, fraction: float, message: str) -> None:
        pct = round(100.0 * fraction, 1)
        with self._lock:
            if message:
                self.message = message
            self.max_percent = max(self.max_percent, pct)
            changed = pct != self._last
            self._last = pct
        if changed:
            self.task.setProgress(pct)
        if message and hasattr(self.task, "report_message"):
            self.task.report_message(message)

    def warn(self, message: str) -> None:
        with self._lock:
            self.warnings.append(str(message))

    def info(self, message: str) -> None:
        with self._lock:
            self.infos.append(str(message))

    def is_cancelled(self) -> bool:
        return bool(self.task.isCanceled())


class FeedbackProgress(Progress):
    """Progress for a Processing algorithm: ``warn`` -> ``pushWarning``, ``info`` ->
    ``pushInfo``, ``report`` -> ``setProgress`` / ``setProgressText``, ``is_cancelled`` ->
    ``isCanceled``."""

    def __init__(self, feedback: QgsProcessingFeedback | None):
        self.feedback = feedback if feedback is not None else QgsProcessingFeedback()
        self._text = ""

    def _emit(self, fraction: float, message: str) -> None:
        if message and message != self._text:
            self._text = message
            self.feedback.setProgressText(message)
        self.feedback.setProgress(100.0 * fraction)

    def warn(self, message: str) -> None:
        self.feedback.pushWarning(str(message))

    def info(self, message: str) -> None:
        self.feedback.pushInfo(str(message))

    def is_cancelled(self) -> bool:
        return bool(self.feedback.isCanceled())
