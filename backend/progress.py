"""Progress and cancel, the contract between long backend functions and the front doors.

Every long function takes a ``progress`` argument (default: :data:`SILENT`). It reports a
fraction in [0, 1] with a short message and asks, at least once per batch, whether to stop.
The plugin adapts QgsTask and QgsProcessingFeedback to this class; the CLI prints a bar.
"""

from __future__ import annotations

import sys
import threading
import time

from .errors import Cancelled


class Progress:
    """Base class: override :meth:`_emit` and :meth:`is_cancelled` in adapters."""

    def report(self, fraction: float, message: str = "") -> None:
        self._emit(min(1.0, max(0.0, float(fraction))), message)

    def info(self, message: str) -> None:
        """A line of information for the log (not a progress step)."""

    def warn(self, message: str) -> None:
        """A warning the user should see."""
        print(f"WARNING: {message}", file=sys.stderr)

    def is_cancelled(self) -> bool:
        return False

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self.is_cancelled():
            raise Cancelled()

    def sub(self, start: float, end: float) -> Progress:
        """A child whose 0..1 maps onto this progress's ``start``..``end``."""
        return _SubProgress(self, start, end)

    def relabel(self, message: str) -> Progress:
        """A child that reports with ``message`` instead of its caller's (a shared helper
        whose own wording does not fit, e.g. the sampler speaking of background points)."""
        return _SubProgress(self, 0.0, 1.0, message)

    def _emit(self, fraction: float, message: str) -> None:
        pass


class _SubProgress(Progress):
    def __init__(self, parent: Progress, start: float, end: float, message: str | None = None):
        self.parent, self.start, self.end, self.message = parent, start, end, message

    def _emit(self, fraction, message):
        self.parent.report(self.start + (self.end - self.start) * fraction,
                           self.message or message)

    def info(self, message):
        self.parent.info(message)

    def warn(self, message):
        self.parent.warn(message)

    def is_cancelled(self):
        return self.parent.is_cancelled()


class CancelFlag(Progress):
    """Silent progress that can be cancelled from another thread, or after N checks (tests)."""

    def __init__(self, cancel_after_reports: int | None = None):
        self._event = threading.Event()
        self._left = cancel_after_reports
        self.fractions: list[float] = []
        self.warnings: list[str] = []

    def cancel(self) -> None:
        self._event.set()

    def _emit(self, fraction, message):
        self.fractions.append(fraction)
        if self._left is not None:
            self._left -= 1
            if self._left <= 0:
                self._event.set()

    def warn(self, message):
        self.warnings.append(message)

    def is_cancelled(self):
        return self._event.is_set()


class TerminalProgress(Progress):
    """A one-line bar on stderr for the command line (plain lines when not a terminal)."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self._tty = getattr(self.stream, "isatty", lambda: False)()
        self._last = (-1.0, "")
        self._last_time = 0.0

    def _emit(self, fraction, message):
        if self.quiet:
            return
        now = time.monotonic()
        pct = int(fraction * 100)
        if (pct, message) == self._last[:2] or (now - self._last_time < 0.2 and fraction < 1.0
                                                 and message == self._last[1]):
            return
        self._last, self._last_time = (pct, message), now
        if self._tty:
            bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
            self.stream.write(f"\r[{bar}] {pct:3d}% {message[:60]:<60}")
            if fraction >= 1.0:
                self.stream.write("\n")
        else:
            self.stream.write(f"{pct:3d}% {message}\n")
        self.stream.flush()

    def info(self, message):
        if not self.quiet:
            if self._tty:
                self.stream.write("\r" + " " * 100 + "\r")
            self.stream.write(message + "\n")
            self.stream.flush()

    def warn(self, message):
        if self._tty:
            self.stream.write("\r" + " " * 100 + "\r")
        self.stream.write(f"WARNING: {message}\n")
        self.stream.flush()


SILENT = Progress()
