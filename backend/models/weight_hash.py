"""sha256 of weight files, streamed, and a cache of them on disk.

Why one module: a DOFA file is 0.4 to 1.3 GB, so its hash is computed in one place that
reports progress and can be cancelled (:func:`stream_sha256`), and remembered in one place
(:class:`HashCache`) by real path, size and modification time, so that neither the weights
manager nor ``botaclip diagnostics`` reads the file again while it is unchanged. Without
torch, Qt or QGIS: the diagnostics must run on a machine without torch and the plugin's
weights manager in a worker thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path

from ..io.atomic import temp_sibling
from ..progress import SILENT, Progress

CHUNK = 4 * 2**20


def stream_sha256(src, size: int, progress: Progress = SILENT, message: str = "",
                  copy_to=None) -> str:
    """The sha256 of the open binary file ``src`` read to its end in :data:`CHUNK` blocks,
    each also written to ``copy_to`` when given (a copy hashed as it is made); reports
    ``done / size`` and checks for cancel before each block."""
    digest, done = hashlib.sha256(), 0
    while True:
        progress.check()
        block = src.read(CHUNK)
        if not block:
            return digest.hexdigest()
        digest.update(block)
        if copy_to is not None:
            copy_to.write(block)
        done += len(block)
        progress.report(done / size if size else 1.0, message)


def sha256_file(path, progress: Progress = SILENT, message: str = "") -> str:
    """The sha256 of the file at ``path`` (see :func:`stream_sha256`); OSError as raised."""
    with open(path, "rb") as fh:
        return stream_sha256(fh, os.fstat(fh.fileno()).st_size, progress, message)


class HashCache:
    """sha256 of files remembered by real path, size and modification time. Kept in a JSON
    file (None: in memory only), at most ``max_entries`` of them (the latest; None: all); a
    damaged or unreadable cache file is simply started afresh, and one that cannot be
    written only costs a later re-hash. Shared between the main thread and worker threads,
    hence the lock."""

    def __init__(self, path=None, max_entries: int | None = None):
        self.path = Path(path) if path else None
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[str, list] = self._load()

    def _load(self) -> dict:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 3}

    @staticmethod
    def _stamp(path) -> tuple[str, int, int]:
        st = os.stat(path)
        return os.path.realpath(path), st.st_size, st.st_mtime_ns

    def get(self, path) -> str | None:
        """The remembered sha256 of ``path`` if it has not changed since; else None."""
        try:
            key, size, mtime = self._stamp(path)
        except OSError:
            return None
        with self._lock:
            entry = self._entries.get(key)
        return entry[2] if entry and entry[0] == size and entry[1] == mtime else None

    def put(self, path, sha256: str) -> None:
        key, size, mtime = self._stamp(path)
        with self._lock:
            self._entries.pop(key, None)            # the newest last, for max_entries
            self._entries[key] = [size, mtime, sha256]

    def sha256(self, path, progress: Progress = SILENT, message: str = "") -> str:
        """``path``'s sha256, from the cache when it is still valid, else computed (and
        saved)."""
        cached = self.get(path)
        if cached:
            return cached
        sha = sha256_file(path, progress, message)
        self.put(path, sha)
        self.save()
        return sha

    def save(self) -> None:
        """Write the cache file whole under a temporary name and rename it, so that a reader
        never sees half; a failure only costs a later re-hash."""
        if self.path is None:
            return
        with self._lock:
            entries = list(self._entries.items())
        if self.max_entries is not None:
            entries = entries[-self.max_entries:]
        text = json.dumps(dict(entries), indent=0)
        tmp = temp_sibling(self.path, "tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
