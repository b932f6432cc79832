"""Training: from an orthophoto and relevés to a model folder (bundle + training report).

:func:`train_model` runs the whole job (``botaclip train``, the Processing algorithm, the
Train dialog); :func:`train_on_features` trains the heads on features already computed.

Where things are:

* :mod:`.pipeline`: :func:`train_model`, the steps of a run in order;
* :mod:`.config`: :class:`TrainConfig`, the default cover transform, the minimum plots;
* :mod:`.data`: the checks on the training data, the species matrix as CSR rows;
* :mod:`.splits`: spatial splits (:func:`spatial_roles`: training, validation, test and
  the buffer, for every stage that evaluates), :func:`choose_split` for a run;
* :mod:`.features`: the backbone features of the plots and their cache on disk;
* :mod:`.loop`: :func:`train_on_features` (the epoch loop), :class:`TrainResult`;
* :mod:`.metrics`: recall@k in both directions, chance;
* :mod:`.checkpoint`: resume checkpoints of an interrupted training;
* :mod:`.report`: the training report (report.json, report.html and its plots);
* :mod:`.summary`: :class:`TrainSummary`, what :func:`train_model` returns.

The model bundle itself is :mod:`backend.bundle` (embedding reads it too).

The names below are imported from their module on first use, so that ``from
botaclip.backend.train import DEFAULT_COVER_TRANSFORM`` (the command line's parser) does not
load torch.
"""

from __future__ import annotations

import importlib

# public name -> module of this package that defines it
_EXPORTS = {
    "train_model": "pipeline",
    "TrainSummary": "summary",
    "TrainConfig": "config",
    "DEFAULT_COVER_TRANSFORM": "config",
    "MIN_TRAIN_PLOTS": "config",
    "MIN_VAL_PLOTS": "config",
    "MIN_TEST_PLOTS": "config",
    "min_val_plots": "config",
    "min_plots": "config",
    "block_ids": "splits",
    "block_kfold": "splits",
    "block_split": "splits",
    "choose_split": "splits",
    "spatial_roles": "splits",
    "assign_blocks": "splits",
    "buffer_roles": "splits",
    "role_counts": "splits",
    "ROLE_NAMES": "splits",
    "compute_features": "features",
    "cache_key": "features",
    "default_cache_dir": "features",
    "train_on_features": "loop",
    "TrainResult": "loop",
    "param_groups": "loop",
    "use_bf16": "loop",
    "recall_at_k": "metrics",
    "CHECKPOINT_NAME": "checkpoint",
    "write_training_report": "report",
    "format_duration": "report",
    "percent": "report",
    "total_seconds": "report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
