"""The weights manager: resumable, hash-checked downloads through QGIS's real network manager
from an HTTP server on the loopback address, imports, and the table of the Settings dialog.

The server is Python's http.server with a handler written here: it honours ``Range`` (or
ignores it on request, answering 200 with the whole file), can cut the connection after N
bytes, stall after N bytes until released, and redirects ``/r/...`` to ``/f/...`` as Hugging
Face's resolve URLs redirect to their storage. It logs every request's Range header, status
and the bytes it sent, so that a resume is checked from the server's side.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

pytestmark = pytest.mark.qgis

SIZE = 3 * 2**20 + 12345                 # a few MB, not a multiple of any block size
NAME = "dofa_test_patch16_224-0000.pth"


# ---------------------------------------------------------------------------- the server

class RangeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):        # keep pytest's output clean
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        srv = self.server
        if self.path.startswith("/r/"):
            self.send_response(302)
            self.send_header("Location", "/f/" + self.path[3:])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        plan = srv.plan.pop(0) if srv.plan else {}
        data = srv.data
        rng = self.headers.get("Range")
        entry = {"range": rng, "status": 0, "sent": 0}
        srv.log.append(entry)
        match = re.fullmatch(r"bytes=(\d+)-", rng or "")
        start = int(match.group(1)) if match and not plan.get("ignore_range") else 0
        if match and not plan.get("ignore_range"):
            if start >= len(data):
                entry["status"] = 416
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            entry["status"] = 206
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            entry["status"] = 200
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._send(body, entry, plan.get("cut_after"), plan.get("stall_after"))

    def _send(self, body, entry, cut, stall):
        pos = 0
        try:
            while pos < len(body):
                if cut is not None and pos >= cut:
                    break
                if stall is not None and pos >= stall:
                    self.wfile.flush()
                    self.server.release.wait(30)
                    stall = None
                end = min(len(body), pos + 65536, cut if cut is not None else len(body),
                          stall if stall is not None else len(body))
                self.wfile.write(body[pos:end])
                pos = end
                entry["sent"] = pos
            self.wfile.flush()
        except OSError:                    # the client went away (a cancel)
            self.close_connection = True
            return
        if pos < len(body):                # cut: close the connection mid-body
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def payload():
    data = np.random.default_rng(7).integers(0, 256, SIZE, dtype=np.uint8).tobytes()
    return data, hashlib.sha256(data).hexdigest()


@pytest.fixture
def server(payload):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    srv.daemon_threads = True
    srv.data, srv.plan, srv.log, srv.release = payload[0], [], [], threading.Event()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


def known_entries(server, payload, name=NAME):
    """A test-made list of "published" checkpoints: ours, served by ``server``, and a
    second one that is never present."""
    from botaclip.backend.models.weight_files import WeightFile

    return {"dofa-base": (WeightFile(name, "torchgeo", payload[1], SIZE,
                                     f"{server.url}/r/{name}"),),
            "dofa-large": (WeightFile("dofa_missing.pth", "authors", "ab" * 32, 5000,
                                      f"{server.url}/f/dofa_missing.pth"),)}


def download(qtbot, server, payload, folder, sha=None, **kw):
    from botaclip.plugin.weights.download import FINAL, WeightsDownload

    dl = WeightsDownload(f"{server.url}/r/{NAME}", folder / NAME, sha or payload[1], SIZE,
                         **kw)
    dl.start()
    qtbot.waitUntil(lambda: dl.state in FINAL, timeout=30_000)
    return dl


# ---------------------------------------------------------------------------- no network

def test_answers_to_a_range_request():
    from botaclip.plugin.weights.store import (
        APPEND,
        COMPLETE,
        ERROR,
        REFETCH,
        RESTART,
        parse_content_range,
        range_header,
        read_answer,
    )

    assert range_header(0) is None and range_header(10) == "bytes=10-"
    assert parse_content_range("bytes 10-99/100") == (10, 99, 100)
    assert parse_content_range("bytes 10-99/*") == (10, 99, None)
    assert parse_content_range("10-99") is None
    assert read_answer(206, "bytes 10-99/100", 90, 10) == (APPEND, 10, 100)
    assert read_answer(200, None, 100, 10) == (RESTART, 0, 100)      # Range ignored
    assert read_answer(200, None, None, 0, 123) == (RESTART, 0, 123)
    assert read_answer(206, "bytes 0-99/100", 100, 10).action == REFETCH   # wrong start
    assert read_answer(206, None, 100, 10).action == REFETCH
    assert read_answer(404, None, 10, 10).action == ERROR
    assert read_answer(416, "bytes */10", 0, 10) == (COMPLETE, 10, 10)     # all there
    assert read_answer(416, "bytes */8", 0, 10).action == REFETCH          # another file
    assert read_answer(416, None, 0, 0).action == ERROR


def test_part_file_bookkeeping(tmp_path):
    from botaclip.plugin.weights.store import PartWriter, part_path, resume_offset

    target = tmp_path / "w.pth"
    part = part_path(target)
    assert part.name == "w.pth.part" and resume_offset(part, 100) == 0
    part.write_bytes(b"x" * 60)
    assert resume_offset(part, 100) == 60
    assert resume_offset(part, 50) == 0               # larger than the file: useless
    writer = PartWriter(target)
    writer.open(40)                                   # an answer starting at byte 40
    writer.write(b"y" * 10)
    writer.close()
    assert part.read_bytes() == b"x" * 40 + b"y" * 10 and writer.size == 50
    writer.open(0)                                    # a 200: rewritten from zero
    writer.write(b"z")
    writer.close()
    assert part.read_bytes() == b"z" and writer.size == 1


def test_hash_cache_follows_size_and_mtime(tmp_path):
    from botaclip.plugin.weights.store import HashCache

    path = tmp_path / "w.pth"
    path.write_bytes(b"abc")
    cache = HashCache(tmp_path / "cache" / "hashes.json")
    assert cache.get(path) is None
    assert cache.sha256(path) == hashlib.sha256(b"abc").hexdigest()
    assert HashCache(tmp_path / "cache" / "hashes.json").get(path) == cache.get(path)
    path.write_bytes(b"abd")                          # same size, new mtime
    os.utime(path, ns=(1, 1))
    assert cache.get(path) is None
    assert cache.sha256(path) == hashlib.sha256(b"abd").hexdigest()
    (tmp_path / "cache" / "hashes.json").write_text("{not json")
    assert HashCache(tmp_path / "cache" / "hashes.json").get(path) is None


def test_hash_cache_keeps_the_latest_entries(tmp_path):
    """With max_entries (the diagnostics' cache: 200), the file keeps the newest hashes."""
    from botaclip.plugin.weights.store import HashCache

    paths = [tmp_path / f"w{i}.pth" for i in range(3)]
    cache = HashCache(tmp_path / "hashes.json", max_entries=2)
    for i, path in enumerate(paths):
        path.write_bytes(bytes([i]))
        cache.sha256(path)
    again = HashCache(tmp_path / "hashes.json")
    assert [again.get(p) for p in paths] == [None] + [hashlib.sha256(bytes([i])).hexdigest()
                                                      for i in (1, 2)]


# ---------------------------------------------------------------------------- downloads

def test_interrupted_download_resumes_with_a_range_request(qgis_app, qtbot, server, payload,
                                                           tmp_path):
    from botaclip.plugin.weights.download import DONE, INTERRUPTED

    folder = tmp_path / "weights"
    cut = 1_200_000
    server.plan = [{"cut_after": cut}]
    first = download(qtbot, server, payload, folder, retries=0)
    assert first.state == INTERRUPTED, first.message
    assert "resumes" in first.message and NAME + ".part" in first.message
    assert (folder / (NAME + ".part")).stat().st_size == cut
    assert not (folder / NAME).exists()

    second = download(qtbot, server, payload, folder)
    assert second.state == DONE, second.message
    assert [e["range"] for e in server.log] == [None, f"bytes={cut}-"]
    assert server.log[1]["status"] == 206 and server.log[1]["sent"] == SIZE - cut
    assert (folder / NAME).read_bytes() == payload[0]
    assert sorted(os.listdir(folder)) == [NAME]                  # no .part left


def test_a_cut_transfer_is_resumed_by_itself(qgis_app, qtbot, server, payload, tmp_path):
    from botaclip.plugin.weights.download import DONE

    server.plan = [{"cut_after": 500_000}, {"cut_after": 1_000_000}]
    dl = download(qtbot, server, payload, tmp_path, retries=3)
    assert dl.state == DONE, dl.message
    assert [e["range"] for e in server.log] == [None, "bytes=500000-", "bytes=1500000-"]
    assert [e["sent"] for e in server.log] == [500_000, 1_000_000, SIZE - 1_500_000]
    assert hashlib.sha256((tmp_path / NAME).read_bytes()).hexdigest() == payload[1]


def test_wrong_hash_is_refused_and_nothing_is_left(qgis_app, qtbot, server, payload,
                                                   tmp_path):
    from botaclip.plugin.weights.download import FAILED

    folder = tmp_path / "weights"
    dl = download(qtbot, server, payload, folder, sha="0" * 64)
    assert dl.state == FAILED
    assert payload[1] in dl.message and "0" * 64 in dl.message and "removed" in dl.message
    assert os.listdir(folder) == []


def test_server_ignoring_range_restarts_from_zero(qgis_app, qtbot, server, payload, tmp_path):
    from botaclip.plugin.weights.download import DONE

    (tmp_path / (NAME + ".part")).write_bytes(b"\xff" * 500_000)  # not the file's start
    server.plan = [{"ignore_range": True}]
    dl = download(qtbot, server, payload, tmp_path)
    assert dl.state == DONE, dl.message
    assert server.log == [{"range": "bytes=500000-", "status": 200, "sent": SIZE}]
    assert (tmp_path / NAME).read_bytes() == payload[0]
    assert not (tmp_path / (NAME + ".part")).exists()


def test_cancel_keeps_the_part_for_a_resume(qgis_app, qtbot, server, payload, tmp_path):
    from botaclip.plugin.weights.download import CANCELLED, DONE, RUNNING, WeightsDownload

    stall = 1_000_000
    server.plan = [{"stall_after": stall}]
    dl = WeightsDownload(f"{server.url}/f/{NAME}", tmp_path / NAME, payload[1], SIZE)
    fractions = []
    dl.progressChanged.connect(lambda f, _text: fractions.append(f))
    dl.start()
    qtbot.waitUntil(lambda: dl.writer.size == stall, timeout=30_000)
    assert dl.state == RUNNING
    dl.cancel()
    qtbot.waitUntil(lambda: dl.state == CANCELLED, timeout=10_000)
    assert "cancelled" in dl.message.lower() and "resumes" in dl.message
    assert (tmp_path / (NAME + ".part")).stat().st_size == stall
    assert not (tmp_path / NAME).exists()
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(stall / SIZE,
                                                                             abs=2e-3)
    server.release.set()
    again = download(qtbot, server, payload, tmp_path)
    assert again.state == DONE and server.log[-1]["range"] == f"bytes={stall}-"
    assert (tmp_path / NAME).read_bytes() == payload[0]


def test_a_complete_part_is_only_checked(qgis_app, qtbot, server, payload, tmp_path):
    """A .part as long as the published file needs no request, only the hash check; with
    no published size, the server's 416 to the Range request says the same."""
    from botaclip.plugin.weights.download import DONE, FINAL, WeightsDownload

    (tmp_path / (NAME + ".part")).write_bytes(payload[0])
    dl = download(qtbot, server, payload, tmp_path)
    assert dl.state == DONE and server.log == [] and dl.requests == []
    assert (tmp_path / NAME).read_bytes() == payload[0]

    other = tmp_path / "unsized"
    other.mkdir()
    (other / (NAME + ".part")).write_bytes(payload[0])
    dl = WeightsDownload(f"{server.url}/f/{NAME}", other / NAME, payload[1], None)
    dl.start()
    qtbot.waitUntil(lambda: dl.state in FINAL, timeout=30_000)
    assert dl.state == DONE, dl.message
    assert [(e["range"], e["status"]) for e in server.log] == [(f"bytes={SIZE}-", 416)]
    assert (other / NAME).read_bytes() == payload[0]

    longer = tmp_path / "longer"                      # a .part longer than the file:
    longer.mkdir()                                    # not its start, fetched again
    (longer / (NAME + ".part")).write_bytes(payload[0] + b"extra")
    dl = WeightsDownload(f"{server.url}/f/{NAME}", longer / NAME, payload[1], None)
    dl.start()
    qtbot.waitUntil(lambda: dl.state in FINAL, timeout=30_000)
    assert dl.state == DONE, dl.message
    assert [(e["range"], e["status"]) for e in server.log[1:]] == [
        (f"bytes={SIZE + 5}-", 416), (None, 200)]
    assert sorted(os.listdir(longer)) == [NAME]


def test_unreachable_server_is_a_clear_failure(qgis_app, qtbot, tmp_path):
    from botaclip.plugin.weights.download import FAILED, FINAL, WeightsDownload

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()                                     # nothing listens there now
    dl = WeightsDownload(f"http://127.0.0.1:{port}/f/x.pth", tmp_path / "x.pth", "0" * 64)
    dl.start()
    qtbot.waitUntil(lambda: dl.state in FINAL, timeout=30_000)
    assert dl.state == FAILED and f"127.0.0.1:{port}" in dl.message and "proxy" in dl.message
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------- the dialog

def _statuses(dlg):
    return {dlg.table.item(i, 5).text(): dlg.rows[i].status for i in range(len(dlg.rows))}


def test_table_shows_present_files_with_size_and_sha256(qgis_app, qtbot, server, payload,
                                                        tmp_path):
    from botaclip.backend.units import format_bytes
    from botaclip.plugin.dialogs.weights_dialog import WeightsDialog
    from botaclip.plugin.weights.store import HashCache

    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / NAME).write_bytes(payload[0])
    own = folder / "my_finetuned.pth"
    own.write_bytes(b"mine" * 1000)
    (folder / "notes.txt").write_text("not a weights file")
    cache = HashCache(tmp_path / "hashes.json")
    dlg = WeightsDialog(folder, known=known_entries(server, payload), cache=cache)
    qtbot.waitUntil(lambda: dlg.task is None, timeout=30_000)
    assert _statuses(dlg) == {str(folder / NAME): "verified",
                              str(folder / "dofa_missing.pth"): "missing",
                              str(own): "own"}
    row = [r.path for r in dlg.rows].index(folder / NAME)
    cells = [dlg.table.item(row, j).text() for j in range(6)]
    assert cells[:2] == ["DOFA base", "torchgeo's conversion"]
    assert cells[3] == format_bytes(SIZE) and cells[4] == payload[1]
    own_row = [r.path for r in dlg.rows].index(own)
    assert dlg.table.item(own_row, 4).text() == hashlib.sha256(b"mine" * 1000).hexdigest()
    menu = [a.text() for a in dlg.get_menu.actions()]
    assert menu == [f"DOFA large, the DOFA authors ({format_bytes(5000)})"]
    dlg.deleteLater()
    again = WeightsDialog(folder, known=known_entries(server, payload),
                          cache=HashCache(tmp_path / "hashes.json"))
    assert again.task is None                        # every hash remembered: no re-read
    assert _statuses(again)[str(folder / NAME)] == "verified"
    again.deleteLater()


def test_dialog_downloads_from_its_menu(qgis_app, qtbot, server, payload, tmp_path):
    from botaclip.plugin.dialogs.weights_dialog import WeightsDialog
    from botaclip.plugin.weights.store import HashCache

    folder = tmp_path / "weights"
    dlg = WeightsDialog(folder, known=known_entries(server, payload),
                        cache=HashCache(None))
    assert _statuses(dlg)[str(folder / NAME)] == "missing"
    with qtbot.waitSignal(dlg.weightsChanged, timeout=30_000):
        dlg.get_menu.actions()[0].trigger()
        assert not dlg.get_button.isEnabled() and dlg.stop_button.isEnabled()
    qtbot.waitUntil(lambda: dlg.task is None and not dlg.busy, timeout=10_000)
    assert _statuses(dlg)[str(folder / NAME)] == "verified"
    assert "sha256 checked" in dlg.message.text()
    assert dlg.get_button.isEnabled()
    dlg.deleteLater()


def test_import_of_a_known_and_an_unknown_file(qgis_app, qtbot, server, payload, tmp_path):
    from qgis.PyQt.QtWidgets import QMessageBox

    from botaclip.plugin.dialogs.weights_dialog import WeightsDialog
    from botaclip.plugin.weights.store import HashCache

    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    known_src = elsewhere / "renamed by the browser.bin"
    known_src.write_bytes(payload[0])
    own_src = elsewhere / "my_finetuned.pth"
    own_src.write_bytes(b"mine" * 1000)
    folder = tmp_path / "weights"
    folder.mkdir()
    dlg = WeightsDialog(folder, known=known_entries(server, payload), cache=HashCache(None))

    def run_import(path):
        dlg.import_file(path)
        qtbot.waitUntil(lambda: dlg.task is None, timeout=30_000)

    run_import(known_src)                            # recognised: its published name
    assert (folder / NAME).read_bytes() == payload[0]
    assert known_src.read_bytes() == payload[0]       # copied, not moved
    assert "Imported" in dlg.message.text()
    assert _statuses(dlg)[str(folder / NAME)] == "verified"
    run_import(known_src)
    assert "already in the weights folder" in dlg.message.text()

    for answer in (QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes):
        run_import(own_src)
        qtbot.waitUntil(lambda: dlg.question is not None and dlg.question.isVisible())
        assert "not one of the published" in dlg.question.text()
        dlg.question.button(answer).click()
        qtbot.waitUntil(lambda: dlg.question is None and dlg.task is None, timeout=30_000)
        if answer == QMessageBox.StandardButton.No:
            assert "not imported" in dlg.message.text()
            assert sorted(os.listdir(folder)) == [NAME]
    assert (folder / own_src.name).read_bytes() == own_src.read_bytes()
    assert own_src.exists() and _statuses(dlg)[str(folder / own_src.name)] == "own"

    damaged = elsewhere / NAME                       # a published name, other content
    damaged.write_bytes(payload[0][:1000])
    (folder / NAME).unlink()
    run_import(damaged)
    assert "not imported" in dlg.message.text() and not (folder / NAME).exists()
    assert sorted(os.listdir(folder)) == [own_src.name]        # no temporary copy left
    dlg.deleteLater()


def test_settings_dialog_opens_the_weights_manager(qgis_app, qtbot, tmp_path):
    from botaclip.plugin.dialogs.weights_dialog import WeightsDialog
    from botaclip.plugin.settings import Settings
    from botaclip.plugin.settings_dialog import SettingsDialog

    Settings().reset()
    try:
        dlg = SettingsDialog(Settings())
        dlg.weights.setFilePath(str(tmp_path))
        assert dlg.weights_summary.text() == "0 of 4 present"
        assert dlg.manage_weights.toolTip()
        dlg.manage_weights.click()
        assert isinstance(dlg.weights_dialog, WeightsDialog)
        assert dlg.weights_dialog.folder == tmp_path
        assert len(dlg.weights_dialog.rows) == 4
        dlg.weights_dialog.reject()
        dlg.weights.setFilePath(str(tmp_path / "missing"))
        assert not dlg.manage_weights.isEnabled()
        dlg.deleteLater()
    finally:
        Settings().reset()
