"""What the BotaCLIP tool dialogs share: a form, an inline message bar, a Run button that is
enabled only for valid input, a progress bar, and Cancel while a task runs.

The work runs as a :class:`BackendTask` in QGIS's task manager, so the dialog (and QGIS)
stays responsive; closing the dialog does not stop the task, and its results are still
added to the project when it ends.
"""

from __future__ import annotations

from qgis.core import Qgis
from qgis.gui import QgsMessageBar
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
)

from ..help import open_help
from ..i18n import tr
from ..tasks import BackendTask, start


class TaskDialog(QDialog):
    """Subclasses fill :attr:`form`, and implement :meth:`validation_error`,
    :meth:`make_task` and :meth:`on_success`."""

    help_section = ""

    def __init__(self, iface, parent=None, title: str = ""):
        super().__init__(parent)
        self.iface = iface
        self.task: BackendTask | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(560)

        self.layout_ = QVBoxLayout(self)
        self.bar = QgsMessageBar(self)
        self.bar.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.layout_.addWidget(self.bar)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.addLayout(self.form)

        self.validation_label = QLabel()
        self.validation_label.setObjectName("botaclip_validation")
        self.validation_label.setWordWrap(True)
        self.validation_label.setStyleSheet("color: #b00020;")
        self.layout_.addWidget(self.validation_label)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.status_label)
        self.layout_.addWidget(self.progress)
        self.status_label.hide()
        self.progress.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
            | QDialogButtonBox.StandardButton.Help)
        self.ok_button.setText(tr("Run"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.close_or_cancel)
        self.buttons.helpRequested.connect(lambda: open_help(self.help_section))

    def finish_layout(self) -> None:
        """Called by subclasses once their form is filled."""
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.buttons)
        self.refresh()

    # ------------------------------------------------------------------ state
    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def close_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Close)

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.status in ("queued", "running")

    def validation_error(self) -> str:
        """Why the input cannot be run yet ("" when it can)."""
        return ""

    def refresh(self, *_args) -> None:
        """Enable Run only for valid input, and say why not."""
        error = "" if self.running else self.validation_error()
        self.validation_label.setText(error)
        self.validation_label.setVisible(bool(error))
        self.ok_button.setEnabled(not error and not self.running)
        self.close_button.setText(tr("Cancel") if self.running else tr("Close"))

    # ------------------------------------------------------------------ running
    def make_task(self) -> BackendTask:
        raise NotImplementedError

    def accept(self) -> None:
        """Run (the dialog stays open to show progress and results)."""
        if self.running:
            return
        error = self.validation_error()
        if error:
            self.refresh()
            return
        self.bar.clearWidgets()
        try:
            task = self.make_task()
        except Exception as exc:  # noqa: BLE001  (BotaclipError and friends: inline)
            self.show_error(str(exc))
            return
        task.on_success = self._success
        task.on_error = self._error
        task.on_cancel = self._cancelled
        task.message_bar = self.iface.messageBar() if self.iface is not None else None
        task.progressChanged.connect(self._progress)
        task.messageChanged.connect(self.status_label.setText)
        self.task = task
        self.progress.setValue(0)
        self.progress.show()
        self.status_label.setText(tr("Waiting for the task manager…"))
        self.status_label.show()
        start(task)
        self.refresh()

    def close_or_cancel(self) -> None:
        if self.running:
            self.cancel()
        else:
            self.reject()

    def cancel(self) -> None:
        if self.running:
            self.status_label.setText(tr("Cancelling…"))
            self.task.cancel()

    def _progress(self, value: float) -> None:
        self.progress.setValue(int(round(value)))

    def _ended(self) -> None:
        self.progress.hide()
        self.status_label.hide()
        self.refresh()

    def _success(self, result) -> None:
        self.progress.setValue(100)
        try:
            self.on_success(result)
        finally:
            self._ended()

    def _error(self, message: str) -> None:
        self._ended()
        self.show_error(message)

    def _cancelled(self) -> None:
        self._ended()
        self.show_message(tr("Cancelled; nothing was written."), Qgis.MessageLevel.Info)

    def on_success(self, result) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ messages
    def show_message(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 0) -> None:
        """In the dialog's own bar; also in QGIS's bar when the dialog is hidden."""
        self.bar.pushMessage("", text, level, duration)
        if not self.isVisible() and self.iface is not None:
            self.iface.messageBar().pushMessage(tr("BotaCLIP"), text, level, duration)

    def show_error(self, text: str) -> None:
        self.show_message(text, Qgis.MessageLevel.Critical)
