"""Training settings: :class:`TrainConfig` and its validation, the default cover transform and
the minimum numbers of plots per role (training, validation, test).

Light on purpose (numpy and torch are not imported): the command line builds its parser from
:data:`DEFAULT_COVER_TRANSFORM` without loading torch.

Default cover transform: ``sqrt``. Relevés record covers on very different scales (a
dominant grass at 80 %, a dozen companions at 1 %); the square root keeps abundance (unlike
presence) while damping the dominants, so that the many subordinate taxa, which carry most of
the ecological signal, still weigh in the relevé encoder. It is the usual choice in
vegetation ecology (with Hellinger, its row-normalised form) and it leaves presence/absence
data unchanged (sqrt(1) = 1). Measured on the demo landscape it did as well as or better
than presence and Hellinger (see tests/test_train.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BotaclipError

DEFAULT_COVER_TRANSFORM = "sqrt"
MIN_TRAIN_PLOTS = 50
MIN_VAL_PLOTS = 50
# The test figure is recall@10 among the test plots: with 50 of them chance is 20 % and the
# binomial standard error of a recall near 50 % is about 7 points, small enough to tell a
# useful model from chance; fewer would make the headline figure mostly noise. The same
# reasoning as for validation (5 candidates per k), for the k of the headline, 10.
MIN_TEST_PLOTS = 50
TEST_K = 10


@dataclass
class TrainConfig:
    """Training settings (the defaults follow BotaCLIP's paper where it gives them).

    ``patience``: epochs without a better validation recall@``select_k`` before stopping;
    0 or None never stops early. ``reg_knn``: restrict the regulariser to each sample's k
    nearest frozen neighbours (None: all pairs). ``threads``: torch CPU threads while training
    (0: leave as is). ``device``: "auto", "cpu" or "cuda". ``precision``: the adapter's and
    encoder's matrix products in training steps: "bfloat16" (autocast; losses, optimiser
    state and validation stay float32), "float32", or "auto" = bfloat16 where the device
    computes it natively (CUDA with bf16, CPUs with AVX512-BF16 or AMX), else float32; the
    result's config records the precision actually used. Scoring (validation every epoch,
    the final validation and test figures) always runs in float32.

    Split (:func:`backend.train.splits.spatial_roles`): whole ``block_m`` blocks go to
    validation (``val_fraction`` of the plots: early stopping and the epoch kept), test
    (``test_fraction``: the figure reported, never used to choose anything) and training
    (the rest); training plots closer than ``buffer_m`` (along both axes) to a validation or
    test plot are left out. ``buffer_m`` None: the patch size in :func:`train_model
    <backend.train.pipeline.train_model>`, 0 in :func:`train_on_features
    <backend.train.loop.train_on_features>` (which knows no patch).
    """

    epochs: int = 50
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.05
    warmup_epochs: int = 2
    loss: str = "sigmoid"
    reg_lambda: float = 1.0
    reg_knn: int | None = None
    adapter_hidden: int = 256
    encoder_hidden: int = 512
    dropout: float = 0.1
    taxon_dropout: float = 0.2
    val_fraction: float = 0.2
    test_fraction: float = 0.2
    block_m: float = 500.0
    buffer_m: float | None = None
    patience: int | None = 10
    select_k: int = 10
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    precision: str = "auto"


def min_val_plots(config: TrainConfig) -> int:
    """Validation plots needed: :data:`MIN_VAL_PLOTS`, and at least 5 candidates per
    ``select_k`` so that recall@k means more than chance."""
    return max(MIN_VAL_PLOTS, 5 * int(config.select_k))


def min_plots(config: TrainConfig) -> tuple[int, int, int]:
    """(training, validation, test) plots a training run needs at least."""
    return MIN_TRAIN_PLOTS, min_val_plots(config), MIN_TEST_PLOTS


def check_config(config: TrainConfig) -> None:
    """Raise one :class:`BotaclipError` listing every invalid setting of ``config``."""
    from ..models.losses import LOSSES  # here: importing the losses loads torch

    problems = []
    if int(config.epochs) < 1:
        problems.append(f"epochs (--epochs) must be at least 1 (got {config.epochs})")
    if int(config.batch_size) < 2:
        problems.append(f"batch_size must be at least 2 (got {config.batch_size})")
    if not config.lr > 0:
        problems.append(f"lr must be positive (got {config.lr})")
    if config.weight_decay < 0:
        problems.append(f"weight_decay cannot be negative (got {config.weight_decay})")
    if config.warmup_epochs < 0:
        problems.append(f"warmup_epochs cannot be negative (got {config.warmup_epochs})")
    if config.loss not in LOSSES:
        problems.append(f"loss must be one of {', '.join(LOSSES)} (got {config.loss!r})")
    if config.reg_lambda < 0:
        problems.append(f"reg_lambda cannot be negative (got {config.reg_lambda})")
    if config.reg_knn is not None and int(config.reg_knn) < 1:
        problems.append(f"reg_knn must be None or at least 1 (got {config.reg_knn})")
    if not 0 <= config.dropout < 1 or not 0 <= config.taxon_dropout < 1:
        problems.append(f"dropout and taxon_dropout must be in [0, 1) (got {config.dropout}, "
                        f"{config.taxon_dropout})")
    if str(config.precision).lower() not in ("auto", "float32", "bfloat16"):
        problems.append(f"precision must be auto, float32 or bfloat16 (got {config.precision!r})")
    if int(config.select_k) < 1:
        problems.append(f"select_k must be at least 1 (got {config.select_k})")
    if int(config.adapter_hidden) < 1 or int(config.encoder_hidden) < 1:
        problems.append("adapter_hidden and encoder_hidden must be at least 1")
    problems += _split_problems(config)
    if problems:
        raise BotaclipError("Invalid training settings: " + "; ".join(problems) + ".")


def check_batch_size(batch_size) -> None:
    """Refuse a backbone batch size (plots read and embedded together, ``--batch-size``) that
    is not a whole number of at least 1, before any work; None lets the device choose. (The
    feature step used to replace 0 by its default and a negative number by 1, silently.)"""
    if batch_size is None:
        return
    try:
        ok = float(batch_size) == int(batch_size) and int(batch_size) >= 1
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise BotaclipError(f"The batch size (--batch-size, plots read and embedded together) "
                            f"must be a whole number of at least 1, not {batch_size}; leave it "
                            "out to let BotaCLIP choose (8 on a CPU, 32 on a GPU).")


def _split_problems(config: TrainConfig) -> list[str]:
    """What is wrong with the split settings of ``config`` (block size, shares, buffer),
    each naming the setting and its command-line option."""
    problems = []
    vf, tf = float(config.val_fraction), float(config.test_fraction)
    if not (0 < vf < 1 and 0 < tf < 1 and vf + tf < 1):
        problems.append(f"val_fraction (--val-fraction) and test_fraction (--test-fraction) "
                        f"must each be between 0 and 1 and together below 1, to leave plots "
                        f"to train on (got {vf:g} and {tf:g})")
    if not float(config.block_m) > 0:
        problems.append(f"block_m (--block-m) must be a positive number of metres (got "
                        f"{config.block_m})")
    if config.buffer_m is not None and not float(config.buffer_m) >= 0:
        problems.append(f"buffer_m (--buffer-m) must be 0 or more metres (got "
                        f"{config.buffer_m}); 0 means no buffer")
    return problems
