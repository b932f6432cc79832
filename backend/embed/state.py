"""The resume state of an embedding, its lock, and the free-disk check.

Resume. Finished blocks are written to ``embedding.tif`` in a state folder of the cache
(``cache_dir``, default ``$BOTACLIP_CACHE_DIR/embed``, else ``~/.cache/botaclip/embed``),
named by a hash of the inputs and settings, with ``done.txt`` listing finished blocks and
``state.json`` pinning the precision and batch size chosen by the first run (batch
composition changes the last bits of a forward pass), so a cancelled, interrupted or killed
run continues where it stopped and gives the same values. Nothing is written beside the
output until the end but its hidden lock file (:func:`backend.io.lock.hold_outputs`): the COG
is made from the state's GeoTIFF under a temporary name and renamed when complete; then the
state folder is removed. The state's own lock is a :class:`backend.io.lock.StateLock`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from ..errors import BotaclipError
from ..io.lock import StateLock
from ..units import format_bytes

STATE_FORMAT = 1
DISK_MARGIN = 32 << 20


def default_state_dir() -> Path:
    """``$BOTACLIP_CACHE_DIR/embed``, else ``~/.cache/botaclip/embed``."""
    env = os.environ.get("BOTACLIP_CACHE_DIR")
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "botaclip"
    return base / "embed"


def state_key(desc: dict) -> str:
    """The sha256 (hex) that names the state folder of the inputs and settings ``desc``."""
    text = json.dumps(desc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbedState:
    """The resume state of one embedding: ``state.json``, ``done.txt``, ``embedding.tif``."""

    def __init__(self, folder: Path, key_desc: dict):
        self.folder = folder
        self.key_desc = key_desc
        self.tif = folder / "embedding.tif"
        self.json = folder / "state.json"
        self.done_path = folder / "done.txt"
        self.lock = folder / "lock"
        self._lock: StateLock | None = None
        self.data: dict = {}

    def exists(self) -> bool:
        return self.json.exists() and self.tif.exists()

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def forget(self) -> None:
        """Remove the temporary GeoTIFF, ``state.json`` and ``done.txt`` (a fresh start)."""
        for path in (self.tif, self.json, self.done_path):
            path.unlink(missing_ok=True)

    def acquire(self) -> None:
        """Take the state's lock, or say which run holds it. See :class:`StateLock`."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BotaclipError(f"Cannot create the embedding state folder {self.folder}: "
                                f"{exc.strerror or exc}. Choose another --cache-dir.") from exc
        self._lock = StateLock(self.lock)
        holder = self._lock.take()
        if holder is not None:
            self._lock = None
            raise BotaclipError(
                f"Another embedding of the same orthophoto with the same settings is "
                f"running ({holder}, state {self.folder}). Wait for it to finish, or stop it "
                "first; its finished blocks will then be reused.")

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def load(self) -> dict:
        self.data = json.loads(self.json.read_text(encoding="utf-8"))
        return self.data

    def save(self, data: dict) -> None:
        self.data = data
        tmp = self.json.with_name(f".state-{uuid.uuid4().hex[:8]}.json")
        tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, self.json)
        info = self.folder / "key.json"
        if not info.exists():
            info.write_text(json.dumps(self.key_desc, indent=1, default=str), encoding="utf-8")

    def done(self) -> dict:
        """{block id: patches computed} of finished blocks (a torn last line is ignored)."""
        out = {}
        if not self.done_path.exists():
            return out
        for line in self.done_path.read_text(encoding="ascii", errors="ignore").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == "ok":
                with contextlib.suppress(ValueError):
                    out[int(parts[0])] = int(parts[1])
        return out

    def mark(self, fh, uid: int, n: int) -> None:
        fh.write(f"{uid} {n} ok\n")
        fh.flush()


def check_disk(needs: dict) -> None:
    """``needs``: {folder: bytes}. Folders on one file system are added up."""
    by_dev: dict = {}
    for folder, n in needs.items():
        folder = Path(folder)
        probe = folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            dev = os.stat(probe).st_dev
            free = shutil.disk_usage(probe).free
        except OSError:
            continue
        entry = by_dev.setdefault(dev, {"free": free, "need": 0, "folders": []})
        entry["need"] += int(n)
        entry["folders"].append(f"{folder} ({format_bytes(n)})")
    for entry in by_dev.values():
        need = entry["need"] + DISK_MARGIN
        if entry["free"] < need:
            raise BotaclipError(
                f"Not enough free disk space: this embedding needs about {format_bytes(need)} "
                f"({'; '.join(entry['folders'])}) and only {format_bytes(entry['free'])} are "
                "free. Free some space, write to another disk (--out, --cache-dir), or make the "
                "output smaller: --dtype float16, a larger --stride-m, an --extent or a --mask.")
