"""Resume checkpoints: an interrupted training continues where it stopped.

After every epoch the loop writes ``<checkpoint_dir>/train_state.pt`` (atomically): the
trainer's tensors, optimiser and random generators, plus the :class:`LoopState` (history, best
model so far, early-stopping count). A checkpoint is resumed only by a run with the same data
(:func:`fingerprint`) and the same settings (:func:`resume_settings`); the device and the
thread count may differ. :func:`train_model <backend.train.pipeline.train_model>` keeps its
checkpoints in the feature cache under ``_training/`` (:func:`checkpoint_dir`) and deletes
them once the model is written. The file format is :data:`CHECKPOINT_FORMAT`.

Portable: tensors are read onto the CPU and copied to this run's device, so a checkpoint
written on a GPU resumes on a CPU and the reverse. A random generator's state is the one
thing that cannot move: a CPU generator's state (Mersenne Twister, 5,056 bytes) and a CUDA
one's (Philox seed and offset, 16 bytes) are different things, and ``set_state`` refuses the
other kind. :func:`restore_generator` restores a state of the right kind and otherwise seeds
the generator afresh, deterministically, and says so: the run goes on, reproducibly, but is
no longer bit-identical to one that never moved. Since training resumes by itself, a
checkpoint that cannot be resumed at all (torn, foreign, another format) must never block
the runs that follow: :func:`set_aside` renames it and training starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..errors import BotaclipError
from ..io.atomic import atomic_output
from .config import TrainConfig
from .data import ReleveRows
from .features import cache_root

CHECKPOINT_NAME = "train_state.pt"
CHECKPOINT_FORMAT = 1
RESUME_IGNORED = ("device", "threads")      # settings a resumed run may change


@dataclass
class LoopState:
    """Where the epoch loop stands; saved with the trainer's state after every epoch."""

    history: list = field(default_factory=list)   # one dict per epoch; 0 is the untrained
    timings: list = field(default_factory=list)   # seconds per trained epoch
    best_state: list | None = None                # state dicts of the best model so far
    best_epoch: int = 0
    best_score: float = -math.inf
    bad_epochs: int = 0                           # epochs since the best one
    stopped: bool = False                         # early stopping has triggered
    epoch: int = 0                                # the last epoch done


def resume_settings(config: TrainConfig) -> dict:
    """The settings a checkpoint must have been made with to be resumed."""
    return {k: v for k, v in asdict(config).items() if k not in RESUME_IGNORED}


def fingerprint(feats: np.ndarray, rows: ReleveRows, n_taxa: int, train_idx, val_idx,
                test_idx=()) -> str:
    """A hash of the training data and split (features sampled, species rows in full, the
    plots of each role: a checkpoint never resumes with another test split)."""
    h = hashlib.sha256()
    h.update(repr((feats.shape, str(feats.dtype), n_taxa)).encode())
    for arr in (rows.indptr.numpy(), rows.indices.numpy(), rows.values.numpy(),
                np.ascontiguousarray(feats[:: max(1, len(feats) // 64)]),
                np.asarray(train_idx, dtype=np.int64), np.asarray(val_idx, dtype=np.int64),
                np.asarray(test_idx, dtype=np.int64)):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def checkpoint_dir(cache_dir, feature_key: str, species: np.ndarray, x, y,
                   config: TrainConfig) -> Path:
    """Where :func:`train_model <backend.train.pipeline.train_model>` keeps the checkpoint of
    a run: under the feature cache, keyed by the features, the species, the plot coordinates
    and the settings that :func:`resume_settings` keeps."""
    h = hashlib.sha256(feature_key.encode())
    for arr in (species, x, y):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(json.dumps(resume_settings(config), sort_keys=True, default=str).encode())
    return cache_root(cache_dir) / "_training" / h.hexdigest()[:32]


def save_checkpoint(path: Path, state: LoopState, trainer_state: dict, data_fingerprint: str,
                    settings: dict) -> None:
    """Write the checkpoint ``path`` (atomically: a crash leaves the previous one)."""
    content = {"format": CHECKPOINT_FORMAT, "fingerprint": data_fingerprint,
               "config": settings, "epoch": state.epoch, "trainer": trainer_state,
               "history": state.history, "timings": state.timings,
               "best_state": state.best_state, "best_epoch": state.best_epoch,
               "best_score": state.best_score, "bad_epochs": state.bad_epochs,
               "stopped": state.stopped}
    with atomic_output(path, what="training checkpoint") as tmp:
        torch.save(content, tmp)


def read_checkpoint(path: Path, data_fingerprint: str, settings: dict
                    ) -> tuple[LoopState, dict]:
    """(loop state, trainer state) of the checkpoint ``path``, every tensor on the CPU
    (whatever device wrote it). A checkpoint that cannot be read, or was made with other
    data or settings, raises a :class:`BotaclipError` whose text is the reason, to follow
    "cannot be resumed: "; the caller sets it aside (:func:`set_aside`) rather than stop."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a torn or foreign file: say which
        raise BotaclipError(f"the file cannot be read ({str(exc).splitlines()[0][:200]})"
                            ) from exc
    if not isinstance(saved, dict) or saved.get("format") != CHECKPOINT_FORMAT:
        raise BotaclipError("it is not a checkpoint of this version of BotaCLIP")
    if saved.get("fingerprint") != data_fingerprint or saved.get("config") != settings:
        raise BotaclipError("it was made with other data or settings than this run")
    try:
        state = LoopState(history=list(saved["history"]), timings=list(saved["timings"]),
                          best_state=saved["best_state"], best_epoch=saved["best_epoch"],
                          best_score=saved["best_score"], bad_epochs=saved["bad_epochs"],
                          stopped=saved["stopped"], epoch=saved["epoch"])
        return state, saved["trainer"]
    except (KeyError, TypeError) as exc:
        raise BotaclipError(f"it lacks {exc}") from exc


def set_aside(path: Path) -> Path:
    """Rename the checkpoint ``path`` that cannot be resumed to
    ``train_state.unusable-<time>.pt`` beside it (kept for a look, never read again, removed
    with the folder when a training completes); return the new name. When even the rename
    fails, the file is removed: a checkpoint that blocks every later run helps nobody."""
    path = Path(path)
    aside = path.with_name(f"{path.stem}.unusable-{time.strftime('%Y%m%d%H%M%S')}"
                           f"-{os.getpid()}{path.suffix}")
    try:
        os.replace(path, aside)
        return aside
    except OSError:
        path.unlink(missing_ok=True)
        return path


def restore_generator(gen: torch.Generator, saved, reseed: int) -> bool:
    """Give ``gen`` the ``saved`` state when it is a state of this generator's kind (CPU or
    CUDA: see the module doc); else seed it with ``reseed``. True when restored."""
    try:
        current = gen.get_state()
        saved = torch.as_tensor(saved)
        if saved.dtype == current.dtype and saved.shape == current.shape:
            gen.set_state(saved.to(current.device))
            return True
    except (RuntimeError, TypeError, ValueError):
        pass
    gen.manual_seed(int(reseed) % (1 << 63))
    return False
