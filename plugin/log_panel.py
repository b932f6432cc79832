"""The BotaCLIP tab of QGIS's log panel: what the plugin tells the user goes there too, and
its last warnings and errors are kept for *Copy diagnostics*.

Why: a message bar item is gone once closed, and a dialog's own bar with its dialog; the
log panel keeps them, and a report pasted into an issue needs the last errors verbatim.
:class:`LogPanel` listens to QGIS's message log (every message under :data:`LOG_TAG`, from
any thread: tasks log from their own) and keeps the last :data:`KEEP` warnings and errors
in a ring buffer; it also watches message bars (QGIS's, for items titled BotaCLIP, and each
dialog's own) and logs what they show, unless the same text was logged moments before (a
task's error is logged by the task, then shown by its dialog: it is logged once).

Loaded with the plugin, so it imports no backend module.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt import sip

LOG_TAG = "BotaCLIP"        # the tag of plugin/tasks.py's log() (tasks.LOG_TAG): one tab
KEEP = 50                   # warnings and errors kept for the diagnostics
RECENT_SECONDS = 30.0       # a bar message logged this recently is not logged again
MAX_CHARS = 4000            # of one kept message (a traceback is kept whole up to here)

LEVEL_NAMES = {Qgis.MessageLevel.Info: "INFO", Qgis.MessageLevel.Warning: "WARNING",
               Qgis.MessageLevel.Critical: "ERROR", Qgis.MessageLevel.Success: "SUCCESS"}
KEPT_LEVELS = (Qgis.MessageLevel.Warning, Qgis.MessageLevel.Critical)


def log(message: str, level=Qgis.MessageLevel.Info) -> None:
    """``message`` in the BotaCLIP tab of the log panel (the tab appears with the first)."""
    QgsMessageLog.logMessage(message, LOG_TAG, level)


@dataclass(frozen=True)
class Entry:
    when: str           # local time, HH:MM:SS
    level: str          # WARNING or ERROR
    message: str

    def text(self) -> str:
        first, *rest = self.message.splitlines() or [""]
        return "\n".join([f"{self.when} {self.level} {first}"] + ["    " + r for r in rest])


class LogPanel:
    """Listens to the message log while started; :meth:`entries` gives the kept warnings
    and errors, oldest first."""

    def __init__(self, keep: int = KEEP):
        self._kept: deque[Entry] = deque(maxlen=keep)
        self._recent: deque[tuple[float, str]] = deque(maxlen=100)
        self._lock = threading.Lock()
        self._bars: list = []           # (bar, slot) pairs to disconnect at stop
        self.started = False

    # ------------------------------------------------------------------ message log
    def start(self) -> None:
        if not self.started:
            QgsApplication.messageLog().messageReceived.connect(self.on_message)
            self.started = True

    def stop(self) -> None:
        """Disconnect from the message log and from every watched bar."""
        if self.started:
            try:
                QgsApplication.messageLog().messageReceived.disconnect(self.on_message)
            except (TypeError, RuntimeError):   # already gone (QGIS closing)
                pass
            self.started = False
        bars, self._bars = self._bars, []
        for bar, slot in bars:
            if not sip.isdeleted(bar):
                try:
                    bar.widgetAdded.disconnect(slot)
                except (TypeError, RuntimeError):
                    pass

    def on_message(self, message: str, tag: str, level) -> None:
        """Slot of QgsMessageLog.messageReceived (any thread)."""
        if tag != LOG_TAG:
            return
        with self._lock:
            self._recent.append((time.monotonic(), message))
            if level in KEPT_LEVELS:
                name = LEVEL_NAMES.get(level, str(level))
                self._kept.append(Entry(time.strftime("%H:%M:%S"), name, message[:MAX_CHARS]))

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._kept)

    def logged_recently(self, text: str) -> bool:
        """Whether ``text`` is (part of) a message logged under our tag in the last
        :data:`RECENT_SECONDS`."""
        now = time.monotonic()
        with self._lock:
            return any(now - t <= RECENT_SECONDS and text in m for t, m in self._recent)

    # ------------------------------------------------------------------ message bars
    def watch(self, bar, titles: tuple[str, ...] | None = None) -> None:
        """Log what ``bar`` shows: every item, or only those titled one of ``titles``."""
        if bar is None or sip.isdeleted(bar) or any(b is bar for b, _s in self._bars):
            return

        def slot(item, bar=bar):
            self.on_bar_item(bar, item, titles)

        bar.widgetAdded.connect(slot)
        self._bars.append((bar, slot))

    def on_bar_item(self, bar, item, titles) -> None:
        item = bar_item(item)
        if item is None:
            return
        title, text = item.title().strip(), item.text().strip()
        if titles is not None and title not in titles:
            return
        if not text or self.logged_recently(text):
            return
        log(text, item.level())


def bar_item(widget):
    """The QgsMessageBarItem that ``widgetAdded`` passed (None if it is not one): PyQGIS 3.22
    hands an item made in C++ (by ``pushMessage``) over as a plain QWidget."""
    from qgis.gui import QgsMessageBarItem  # here: qgis_process loads this module too

    if widget is None or sip.isdeleted(widget):
        return None
    if isinstance(widget, QgsMessageBarItem):
        return widget
    try:
        return sip.cast(widget, QgsMessageBarItem)
    except (TypeError, AttributeError):
        return None
