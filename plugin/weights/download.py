"""Download a published checkpoint through QGIS's own network manager, so that the proxy,
certificates and authentication set in QGIS's options apply (the first thing that fails in an
institute's network).

One :class:`WeightsDownload` fetches one file on the main thread's event loop (an
asynchronous QNetworkReply: no thread blocks on the network). Bytes stream into
``<name>.part`` beside the final name; an interrupted transfer is picked up where it stopped
with an HTTP Range request (automatically a few times, and by any later download of the same
file); a server that ignores Range and answers 200 has its whole answer written from byte 0.
When the file is complete its sha256 is checked in a QgsTask (reading 1.3 GB would freeze
QGIS): right, it is renamed into place; wrong, the .part is removed and the user told why.
Cancel keeps the .part for a later resume. The byte bookkeeping lives in :mod:`.store`.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsNetworkAccessManager
from qgis.PyQt.QtCore import QObject, QUrl, pyqtSignal
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest

from ...backend.errors import BotaclipError
from ...backend.units import format_bytes
from ..i18n import tr
from ..tasks import BackendTask, start
from .store import (
    APPEND,
    COMPLETE,
    REFETCH,
    RESTART,
    HashCache,
    PartWriter,
    check_room,
    finish_download,
    range_header,
    read_answer,
    resume_offset,
)

IDLE, RUNNING, VERIFYING = "idle", "running", "verifying"
DONE, CANCELLED, INTERRUPTED, FAILED = "done", "cancelled", "interrupted", "failed"
FINAL = (DONE, CANCELLED, INTERRUPTED, FAILED)

_Attr = QNetworkRequest.Attribute


class WeightsDownload(QObject):
    """Fetch ``url`` into ``target``, expecting ``sha256`` (and ``size_bytes`` when
    published). ``retries``: how many times a transfer cut after some progress is resumed
    without asking. ``state`` ends in one of :data:`FINAL`, with ``message`` for the user
    (also sent by :attr:`ended`). ``requests`` records each request's Range header."""

    progressChanged = pyqtSignal(float, str)    # noqa: N815 (Qt naming) fraction, text
    ended = pyqtSignal(str, str)                # final state, message

    def __init__(self, url: str, target, sha256: str, size_bytes: int | None = None, *,
                 retries: int = 3, cache: HashCache | None = None, parent=None):
        super().__init__(parent)
        self.url, self.target, self.sha256 = url, Path(target), sha256.lower()
        self.size_bytes, self.retries_left, self.cache = size_bytes, retries, cache
        self.writer = PartWriter(self.target)
        self.state, self.message = IDLE, ""
        self.requests: list[str | None] = []
        self.reply: QNetworkReply | None = None
        self.task: BackendTask | None = None
        self._offset = 0
        self._answer = None
        self._got = 0                 # bytes received in the current request
        self._stop_reason = ""        # "cancel" or a write error's message
        self._refetched = False
        self._opened = False          # the .part opened for the current answer
        self._last_fraction = -1.0

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            if self.target.exists():
                raise BotaclipError(tr("{path} is already there: nothing to download.").format(
                    path=self.target))
            have = resume_offset(self.writer.part, self.size_bytes)
            check_room(self.target.parent, max(0, (self.size_bytes or 0) - have))
        except OSError as exc:
            return self._end(FAILED, tr("Cannot create the weights folder {folder}: "
                                        "{reason}.").format(folder=self.target.parent,
                                                            reason=exc.strerror or exc))
        except BotaclipError as exc:
            return self._end(FAILED, str(exc))
        self._request(None)

    def cancel(self) -> None:
        """Stop; the bytes downloaded so far stay in the .part for a later resume."""
        if self.reply is not None:
            self._stop_reason = "cancel"
            self.reply.abort()
        elif self.task is not None and self.state == VERIFYING:
            self.task.cancel()

    @property
    def busy(self) -> bool:
        return self.state in (RUNNING, VERIFYING)

    # ------------------------------------------------------------------ network
    def _request(self, offset: int | None) -> None:
        """Ask for the bytes after ``offset`` (None: after what the .part holds)."""
        self._offset = resume_offset(self.writer.part, self.size_bytes) if offset is None \
            else offset
        if self.size_bytes is not None and self._offset == self.size_bytes:
            return self._verify()                  # complete before: only the check is left
        request = QNetworkRequest(QUrl(self.url))
        rng = range_header(self._offset)
        if rng:
            request.setRawHeader(b"Range", rng.encode("ascii"))
        request.setAttribute(_Attr.RedirectPolicyAttribute,
                             QNetworkRequest.RedirectPolicy.NoLessSafeRedirectPolicy)
        request.setAttribute(_Attr.CacheSaveControlAttribute, False)   # not 1 GB in a cache
        request.setAttribute(_Attr.CacheLoadControlAttribute,
                             QNetworkRequest.CacheLoadControl.AlwaysNetwork)
        self.requests.append(rng)
        self._answer, self._got, self._stop_reason, self._opened = None, 0, "", False
        self.state = RUNNING
        self.reply = QgsNetworkAccessManager.instance().get(request)
        self.reply.readyRead.connect(self._on_data)
        self.reply.finished.connect(self._on_finished)

    def _read_answer(self, reply: QNetworkReply):
        status = reply.attribute(_Attr.HttpStatusCodeAttribute)
        content_range = bytes(reply.rawHeader(b"Content-Range")).decode("latin-1") or None
        length = reply.header(QNetworkRequest.KnownHeaders.ContentLengthHeader)
        return read_answer(int(status or 0), content_range,
                           int(length) if length is not None else None,
                           self._offset, self.size_bytes)

    def _on_data(self) -> None:
        reply = self.reply
        if reply is None:
            return
        if self._answer is None:
            self._answer = self._read_answer(reply)
            if self._answer.action == REFETCH:
                reply.abort()                  # unusable body: ask again from byte 0
                return
            if self._answer.action in (APPEND, RESTART) and not self._open():
                return
        data = bytes(reply.readAll())
        if self._answer.action not in (APPEND, RESTART) or self._stop_reason:
            return                             # an error page: not written
        try:
            self.writer.write(data)
        except BotaclipError as exc:
            self._stop_reason = str(exc)
            reply.abort()
            return
        self._got += len(data)
        self._report()

    def _open(self) -> bool:
        """Open the .part where the answer starts; False (and the reply stopped) if the
        disk refuses."""
        try:
            self.writer.open(self._answer.start)
        except BotaclipError as exc:
            self._stop_reason = str(exc)
            if self.reply is not None:
                self.reply.abort()
            return False
        self._opened = True
        return True

    def _report(self) -> None:
        total = self._total()
        fraction = self.writer.size / total if total else 0.0
        if fraction - self._last_fraction >= 0.001 or fraction >= 1.0:
            self._last_fraction = fraction
            text = tr("{done} of {total}").format(
                done=format_bytes(self.writer.size),
                total=format_bytes(total) if total else "?")
            self.progressChanged.emit(min(1.0, fraction), text)

    def _total(self) -> int | None:
        if self._answer is not None and self._answer.total is not None:
            return self._answer.total
        return self.size_bytes

    def _on_finished(self) -> None:
        reply, self.reply = self.reply, None
        if self._answer is None:
            self._answer = self._read_answer(reply)    # no body: an error, a 416, empty
        if self._answer is not None and self._answer.action in (APPEND, RESTART) \
                and not self._opened and not self._stop_reason:
            self._open()
        self.writer.close()
        status = int(reply.attribute(_Attr.HttpStatusCodeAttribute) or 0)
        error, error_text = reply.error(), reply.errorString()
        reply.deleteLater()
        if self._stop_reason == "cancel":
            return self._end(CANCELLED, self._kept_text(tr("Download cancelled.")))
        if self._stop_reason:
            return self._end(FAILED, self._kept_text(self._stop_reason))
        if self._answer.action == COMPLETE:
            return self._verify()
        if self._answer.action == REFETCH:
            return self._refetch()
        if self._answer.action not in (APPEND, RESTART):
            return self._end(FAILED, self._http_error(status, error_text))
        total = self._total()
        if total is None and error == QNetworkReply.NetworkError.NoError:
            return self._verify()
        if total is not None and self.writer.size >= total:
            return self._verify()
        if self._got > 0 and self.retries_left > 0:
            self.retries_left -= 1
            return self._request(None)
        return self._end(INTERRUPTED, self._kept_text(
            tr("The download stopped before the end ({reason}).").format(
                reason=error_text or tr("connection closed"))))

    def _refetch(self) -> None:
        """The server's answer to a Range request did not fit the .part: start over once,
        from byte 0 (the .part is rewritten when the new answer comes)."""
        if self._refetched:
            return self._end(FAILED, tr("The server of {url} answers resumed downloads "
                                        "wrongly; delete {part} and try again.").format(
                url=self.url, part=self.writer.part))
        self._refetched = True
        self._request(0)

    def _http_error(self, status: int, error_text: str) -> str:
        where = tr("Could not download {url}").format(url=self.url)
        reason = tr("HTTP status {status}").format(status=status) if status else error_text
        return self._kept_text(tr("{where}: {reason}. Check the network connection, and the "
                                  "proxy in QGIS's Settings > Options > Network.").format(
            where=where, reason=reason))

    def _kept_text(self, text: str) -> str:
        have = resume_offset(self.writer.part, self.size_bytes)
        if not have:
            return text
        return text + " " + tr("The {size} already downloaded are kept in {part}: Get "
                               "weights… again resumes from there.").format(
            size=format_bytes(have), part=self.writer.part)

    # ------------------------------------------------------------------ check and place
    def _verify(self) -> None:
        self.state = VERIFYING
        self.progressChanged.emit(1.0, tr("checking the sha256…"))
        self.task = BackendTask(
            tr("Checking the downloaded {name}").format(name=self.target.name),
            finish_download, {"target": self.target, "sha256": self.sha256,
                              "cache": self.cache},
            on_success=self._verified, on_error=lambda msg: self._end(FAILED, msg),
            on_cancel=lambda: self._end(CANCELLED, self._kept_text(
                tr("Check cancelled."))))
        start(self.task)

    def _verified(self, verdict) -> None:
        if verdict.ok:
            return self._end(DONE, tr("{name} downloaded and its sha256 checked: it is in "
                                      "{folder}.").format(name=self.target.name,
                                                          folder=self.target.parent))
        self._end(FAILED, tr(
            "The downloaded file is not the published {name}: its sha256 is {got}, the "
            "published one {expected}. It was removed. The server (or a proxy in between) "
            "sent something else: try again later, or get the file another way and use "
            "Import file….").format(name=self.target.name, got=verdict.sha256,
                                    expected=self.sha256))

    def _end(self, state: str, message: str) -> None:
        self.state, self.message, self.task = state, message, None
        self.ended.emit(state, message)
