"""The tile folder's manifest: what its tiles are, so that a run resumes only its own.

``manifest.json`` in the tile folder records the model (its identity and the weights'
sha256), the grid, the settings that decide the pixels (the orthophoto's identity, patch,
stride, bands, extent, mask, output type, precision, batch size, block and tile size) and,
for each finished tile, its file's sha256, size and patches. A later run with the same key
skips every tile whose file is there with that checksum (a tile changed or cut short since
is computed again); a run of another model, grid or setting is refused with a message that
says which differs, so a folder never mixes tiles of two models. The file is rewritten
whole under a temporary name after each tile (a few hundred lines for a département).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

from ..errors import BotaclipError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_WHAT = {"model": "another model", "weights_sha256": "other backbone weights",
         "grid": "another output grid", "tiling": "another tiling"}


def sha256_file(path, chunk: int = 1 << 22) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            data = fh.read(chunk)
            if not data:
                return h.hexdigest()
            h.update(data)


def manifest_key(plan: dict, *, tile_px: int, batch_size: int | None) -> dict:
    """The key of a run from its plan (:func:`backend.distributed.worker.plan_task`): the
    model, weights, grid and tiling apart (each has its own refusal), the rest as
    settings."""
    key = dict(plan["key"])
    # the precision asked for is left out: what decides the pixels is the one chosen
    settings = {k: v for k, v in key.items()
                if k not in ("model", "grid", "format", "precision")}
    settings["precision_chosen"] = plan["precision"]
    settings["batch_size"] = batch_size
    return {"model": key.get("model"), "weights_sha256": plan.get("weights_sha256") or "",
            "grid": key.get("grid"), "tiling": {"block_px": plan["block_px"],
                                                "tile_px": int(tile_px)},
            "settings": settings}


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class Manifest:
    """``manifest.json`` of a tile folder: the run's key and the finished tiles."""

    def __init__(self, folder: Path, key: dict):
        self.folder = Path(folder)
        self.path = self.folder / MANIFEST_NAME
        self.key = key
        self.tiles: dict = {}

    @classmethod
    def open(cls, folder: Path, key: dict) -> Manifest:
        """The folder's manifest for ``key``: read (and checked against ``key``) when there
        is one, else a new one written now."""
        man = cls(folder, key)
        if man.path.exists():
            man._load()
        else:
            man.save()
        return man

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            old_key, tiles = data["key"], dict(data.get("tiles") or {})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BotaclipError(
                f"The tile manifest {self.path} cannot be read ({exc}). Remove the tile "
                f"folder {self.folder} to start afresh.") from None
        for part, what in _WHAT.items():
            if _canonical(old_key.get(part)) != _canonical(self.key.get(part)):
                raise self._refusal(what, old_key.get(part), self.key.get(part))
        if _canonical(old_key.get("settings")) != _canonical(self.key.get("settings")):
            old, new = old_key.get("settings") or {}, self.key.get("settings") or {}
            diff = sorted(k for k in set(old) | set(new)
                          if _canonical(old.get(k)) != _canonical(new.get(k)))
            raise self._refusal(f"other settings ({', '.join(diff)})",
                                {k: old.get(k) for k in diff}, {k: new.get(k) for k in diff})
        self.tiles = tiles

    def _refusal(self, what: str, old, new) -> BotaclipError:
        def short(v):
            text = _canonical(v)
            return text if len(text) <= 240 else text[:237] + "..."
        return BotaclipError(
            f"The tile folder {self.folder} holds tiles of {what} than this run: theirs "
            f"{short(old)}, this run's {short(new)}. Mixing them would give one raster made "
            f"of two. Remove the folder {self.folder} to start afresh (its tiles are ours: "
            "nothing else is in it), or give another --out.")

    def save(self) -> None:
        """Write the manifest whole under a temporary name, then rename it in place."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"format": MANIFEST_FORMAT, "key": self.key, "tiles": self.tiles}
        tmp = self.folder / f".manifest-{uuid.uuid4().hex[:8]}.json"
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=str),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def record(self, name: str, *, window, sha256: str, size: int, n_patches: int) -> None:
        """A finished tile, saved at once."""
        self.tiles[name] = {"window": list(window), "sha256": sha256, "bytes": int(size),
                            "patches": int(n_patches)}
        self.save()

    def finished(self, names) -> dict:
        """{name: record} of the tiles among ``names`` whose file is in the folder with the
        recorded size and checksum; records of missing or changed files are dropped."""
        done = {}
        for name in names:
            rec = self.tiles.get(name)
            path = self.folder / name
            if rec is None:
                continue
            try:
                ok = (path.stat().st_size == rec["bytes"] and sha256_file(path) == rec["sha256"])
            except (OSError, KeyError, TypeError):
                ok = False
            if ok:
                done[name] = rec
            else:
                self.tiles.pop(name, None)
        return done
