"""What the BotaCLIP tool dialogs share: a form, an inline message bar, a Run button that is
enabled only for valid input, a progress bar, and Cancel while a task runs.

The work runs as a :class:`BackendTask` in QGIS's task manager, so the dialog (and QGIS)
stays responsive; closing the dialog does not stop the task, and its results are still
added to the project when it ends.
"""

from __future__ import annotations

from qgis.core import Qgis
from qgis.gui import QgsMessageBar
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from ..help import open_help
from ..i18n import tr
from ..layers import HeldLayers
from ..tasks import BackendTask, start


class TaskDialog(QDialog):
    """Subclasses fill :attr:`form`, and implement :meth:`validation_error`,
    :meth:`make_task` and :meth:`on_success`."""

    help_section = ""

    def __init__(self, iface, parent=None, title: str = ""):
        super().__init__(parent)
        self.iface = iface
        self.task: BackendTask | None = None
        self.held = HeldLayers([])
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
        self.fix_row = QHBoxLayout()
        self.fix_row.setContentsMargins(0, 0, 0, 0)
        self.fix_row.addStretch(1)             # the buttons go before it, left-aligned
        self.layout_.addLayout(self.fix_row)
        self._fix_buttons: list[QPushButton] = []
        self._pending = None            # a result not yet in QGIS's bar (dialog open)
        self._qgis_item = None          # our last message in QGIS's own bar

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

    def validation_fixes(self) -> list:
        """One-click ways out of the current validation error: (label, slot) pairs."""
        return []

    def refresh(self, *_args) -> None:
        """Enable Run only for valid input, and say why not (with buttons that fix it)."""
        error = "" if self.running else self.validation_error()
        self.validation_label.setText(error)
        self.validation_label.setVisible(bool(error))
        self._show_fixes(self.validation_fixes() if error else [])
        self.ok_button.setEnabled(not error and not self.running)
        self.close_button.setText(tr("Cancel") if self.running else tr("Close"))

    def _show_fixes(self, fixes) -> None:
        labels = [label for label, _slot in fixes]
        if labels == [b.text() for b in self._fix_buttons]:
            return
        for button in self._fix_buttons:
            self.fix_row.removeWidget(button)
            button.deleteLater()
        self._fix_buttons = []
        for i, (label, slot) in enumerate(fixes):
            button = QPushButton(label)
            button.setObjectName("botaclip_fix")
            button.clicked.connect(slot)
            self.fix_row.insertWidget(i, button)
            self._fix_buttons.append(button)

    # ------------------------------------------------------------------ running
    def make_task(self) -> BackendTask:
        raise NotImplementedError

    def output_paths(self) -> list:
        """The files the run writes: the layers showing them stay until it replaces them."""
        return []

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
        self.held = HeldLayers(self.output_paths())
        self.held.release()
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
        self.held.restore()
        self._ended()
        self.show_error(message)

    def _cancelled(self) -> None:
        self.held.restore()
        self._ended()
        self.show_message(self.cancel_text(), Qgis.MessageLevel.Info)

    def cancel_text(self) -> str:
        """What the dialog says after a cancel (subclasses say how to continue)."""
        return tr("Cancelled; nothing was written.")

    def on_success(self, result) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ messages
    def show_message(self, text: str, level=Qgis.MessageLevel.Info, duration: int = 0,
                     details: str = "") -> None:
        """In the dialog's own bar, replacing the previous message; also in QGIS's bar
        (replacing this dialog's previous one there) when the dialog is hidden. A long
        text's first line is the message and the rest its details (a click away)."""
        text, details = split_details(text, details)
        self.bar.clearWidgets()
        if details:
            self.bar.pushMessage("", text, details, level, duration)
        else:
            self.bar.pushMessage("", text, level, duration)
        if not self.isVisible():
            self.push_to_qgis(text, level, details)

    def push_to_qgis(self, text: str, level, details: str = "", widget=None) -> None:
        """This dialog's one message in QGIS's bar: the previous one goes."""
        if self.iface is None:
            return
        bar = self.iface.messageBar()
        old, self._qgis_item = self._qgis_item, None
        if old is not None and not sip.isdeleted(old):
            bar.popWidget(old)
        if widget is not None:
            bar.pushWidget(widget, level, 0)
        elif details:
            bar.pushMessage(tr("BotaCLIP"), text, details, level, 0)
        else:
            bar.pushMessage(tr("BotaCLIP"), text, level, 0)
        self._qgis_item = bar.currentItem()     # the one just pushed

    def show_error(self, text: str) -> None:
        self.show_message(text, Qgis.MessageLevel.Critical)

    def report_result(self, text: str, level=Qgis.MessageLevel.Success, details: str = "",
                      buttons=()) -> None:
        """A run's result, in the dialog's bar while it is open, and in QGIS's bar once it
        is closed (or at once when it is hidden), so that it is never shown twice and never
        lost; each replaces this dialog's previous message. The task's warnings turn it into
        a warning and lead its details; ``buttons``: (label, slot) pairs shown beside the
        message in QGIS's bar."""
        warnings = self.task.warnings if self.task is not None else []
        if warnings and level in (Qgis.MessageLevel.Success, Qgis.MessageLevel.Info):
            level = Qgis.MessageLevel.Warning
        details = "\n".join([*warnings, details] if details else warnings)
        text, details = split_details(text, details)
        self._pending = (text, level, details, tuple(buttons))
        if self.isVisible():
            self.show_message(text, level, 0, details)
        else:
            self._push_pending()

    def _push_pending(self) -> None:
        if self._pending is None:
            return
        text, level, details, buttons = self._pending
        self._pending = None
        self.push_to_qgis(text, level, details, self._message_widget(text, details, buttons))

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Closing the dialog hands its last result to QGIS's bar."""
        self._push_pending()
        super().hideEvent(event)

    def _message_widget(self, text: str, details: str, buttons):
        """QGIS's message item with our buttons (None when there are none)."""
        if not buttons or self.iface is None:
            return None
        widget = self.iface.messageBar().createMessage(tr("BotaCLIP"), text)
        if details:
            buttons = [*buttons, (tr("Details…"), lambda: QMessageBox.information(
                self.iface.mainWindow(), self.windowTitle(), details))]
        for label, slot in buttons:
            button = QPushButton(label, widget)
            button.setObjectName("botaclip_result_button")
            button.clicked.connect(slot)
            widget.layout().addWidget(button)
        return widget


def split_details(text: str, details: str = "") -> tuple[str, str]:
    """(first paragraph, the rest + ``details``) of a message: the bars show two lines."""
    head, _sep, rest = text.strip().partition("\n")
    more = "\n".join(p for p in (rest.strip(), details.strip()) if p)
    return head.strip(), more
