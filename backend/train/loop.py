"""Training BotaCLIP's heads on cached backbone features.

The frozen backbone has already run once per plot and per dihedral variant of its patch; this
module only sees the cached features ``[N, V, D]`` and the transformed species matrix
``[N, T]``. Each epoch draws one random variant per plot; validation and test use variant 0
(the patch as it is). The plots are split by :func:`backend.train.splits.spatial_roles`:
training, validation (early stopping, the epoch kept) and test (measured twice, on the
untrained and on the kept model, and never used to choose anything), in whole spatial blocks
with a buffer around the held-out plots.

Every figure is scored the same way: heads in float32 (eval mode), similarities in float32,
every epoch including the untrained one; only training steps may run in bfloat16 autocast,
and the result's config records which precision they used.

Reproducible: every random draw (initialisation, shuffling, variants, dropout) comes from
generators seeded by ``config.seed``; two runs in one process give the same weights bit for
bit on the CPU (CUDA's scatter kernels are not deterministic). A run interrupted between
epochs and resumed from its checkpoint (:mod:`.checkpoint`) ends with exactly the same weights
on the same kind of device; a checkpoint moved between a GPU and a CPU resumes too, with its
dropout generator seeded afresh (said in a warning), and one that cannot be resumed is set
aside with a warning instead of stopping this run and every later one.

Steps of :func:`train_on_features`: check the inputs (:mod:`.data`), split, validate the
untrained model (or resume), train epoch after epoch keeping the best validation
recall@``select_k`` (:mod:`.metrics`), then measure the untrained and the kept model on the
validation and test plots.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ..errors import BotaclipError
from ..models.backbones import bf16_native_cpu, resolve_device
from ..models.heads import ImageAdapter, ReleveEncoder, l2_normalize
from ..models.losses import ContrastiveLoss, cosine_matrix, gram, regulariser_from_sims
from ..progress import SILENT, Progress
from .checkpoint import (
    CHECKPOINT_NAME,
    LoopState,
    fingerprint,
    read_checkpoint,
    restore_generator,
    resume_settings,
    save_checkpoint,
    set_aside,
)
from .config import TrainConfig, check_config, min_plots
from .data import ReleveRows, TrainingData, prepare_inputs
from .metrics import chance_recall, mean_recall, recall_at_k, recall_ks
from .splits import BUFFER, TEST, TRAIN, VALIDATION, config_roles, role_counts

SCORING_PRECISION = "float32"      # every validation and test figure


@dataclass
class TrainResult:
    """What training produced. Modules are on the CPU, in eval mode, holding the best state."""

    adapter: ImageAdapter
    encoder: ReleveEncoder
    loss: ContrastiveLoss
    history: list[dict]                 # one dict per epoch; epoch 0 is the untrained model
    best_epoch: int                     # 0 means training never beat the untrained model
    # {"untrained", "best", "chance"}: validation (the selection score); {"test",
    # "test_untrained", "test_chance"}: the test plots (the figure to report)
    metrics: dict
    train_idx: np.ndarray
    val_idx: np.ndarray
    config: TrainConfig                 # precision and buffer_m: what the run really used
    timings: list[float]                # seconds per trained epoch (training + validation)
    device: str                         # "cpu" or "cuda"
    stopped_early: bool = False
    val_image_embeddings: np.ndarray | None = None    # [n_val, D] unit vectors, best model
    val_releve_embeddings: np.ndarray | None = None   # [n_val, D] unit vectors, best model
    extra: dict = field(default_factory=dict)
    test_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    buffer_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def split(self) -> dict:
        """How the plots were split: block size, shares, buffer and plots per role."""
        c = self.config
        return {"block_m": float(c.block_m), "val_fraction": float(c.val_fraction),
                "test_fraction": float(c.test_fraction), "buffer_m": float(c.buffer_m or 0.0),
                "n_train": int(len(self.train_idx)), "n_val": int(len(self.val_idx)),
                "n_test": int(len(self.test_idx)), "n_buffer": int(len(self.buffer_idx))}

    @property
    def n_taxa(self) -> int:
        return self.encoder.n_taxa

    def state_dicts(self) -> dict:
        return {"adapter": self.adapter.state_dict(), "releve_encoder": self.encoder.state_dict(),
                "loss": self.loss.state_dict()}


# ----------------------------------------------------------------------------- optimiser

def _lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up over ``warmup`` steps, then a cosine decay to 0 at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    span = max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (step - warmup) / span)))


def param_groups(modules, weight_decay: float):
    """Decay matrices (and the taxon vectors); leave biases, norms and logit scale/bias free."""
    decay, free = [], []
    for m in modules:
        for p in m.parameters():
            (decay if p.dim() >= 2 else free).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": free, "weight_decay": 0.0}]


def _make_optimizer(groups, lr):
    try:     # fused AdamW: one kernel for all parameters, the cheapest on CPU and GPU
        return torch.optim.AdamW(groups, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(groups, lr=lr, foreach=True)


def _clone_state(*modules) -> list[dict]:
    return [{k: v.detach().clone() for k, v in m.state_dict().items()} for m in modules]


def _as_tensor(features: np.ndarray) -> Tensor:
    with warnings.catch_warnings():      # read-only memory maps are fine: we never write
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(np.ascontiguousarray(features))


def use_bf16(precision: str, device: torch.device) -> bool:
    """Whether training steps run in bfloat16 autocast (see :class:`TrainConfig`)."""
    p = (precision or "auto").lower()
    if p == "float32":
        return False
    if p == "bfloat16":
        return True
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return bf16_native_cpu()


# ----------------------------------------------------------------------------- trainer

@dataclass
class _Held:
    """A held-out set (validation or test) as scoring reads it, fixed for the whole run."""

    idx: Tensor
    feats: Tensor                       # variant 0 of each plot
    bags: tuple                         # the relevés, as the encoder's sparse input
    batches: list                       # loss batches: seeded random order
    frozen_sims: list                   # the frozen cosine matrix of each loss batch


class _Trainer:
    """The heads, their loss and optimiser, one epoch of training, and scoring."""

    def __init__(self, features, rel: ReleveRows, split: dict, n_taxa, config, device,
                 progress):
        self.config, self.device, self.progress = config, device, progress
        self.n, self.v, self.d = features.shape
        self.rel = rel
        self.train_idx = torch.from_numpy(np.asarray(split["train"], dtype=np.int64))
        flat = _as_tensor(features).reshape(self.n * self.v, self.d)
        if device.type == "cuda":
            free, _ = torch.cuda.mem_get_info(device)
            if flat.numel() * flat.element_size() < 0.5 * free:
                flat = flat.to(device)        # gather batches on the GPU
        self.flat = flat
        g_init = torch.Generator().manual_seed(int(config.seed))
        self.adapter = ImageAdapter(self.d, config.adapter_hidden, generator=g_init).to(device)
        self.encoder = ReleveEncoder(n_taxa, self.d, config.encoder_hidden, config.dropout,
                                     config.taxon_dropout, generator=g_init).to(device)
        self.loss = ContrastiveLoss(config.loss).to(device)
        self.modules = (self.adapter, self.encoder, self.loss)
        self.initial_state = _clone_state(*self.modules)      # the untrained model
        self.opt = _make_optimizer(param_groups(self.modules, config.weight_decay), config.lr)
        self.g_data = torch.Generator().manual_seed(int(config.seed) + 1)
        self.g_drop = torch.Generator(device=device).manual_seed(int(config.seed) + 2)
        n_train = len(self.train_idx)
        self.batches_per_epoch = max(1, round(n_train / int(config.batch_size)))
        self.total_steps = int(config.epochs) * self.batches_per_epoch
        self.warmup_steps = int(config.warmup_epochs) * self.batches_per_epoch
        self.step = 0
        self.knn = int(config.reg_knn) if config.reg_knn else None
        self.bf16 = use_bf16(config.precision, device)
        self.ks = recall_ks(config.select_k)
        self.val = self._held(split["val"], int(config.seed) + 3)
        self.test = self._held(split["test"], int(config.seed) + 4)

    def _features(self, rows: Tensor, variants: Tensor | None = None) -> Tensor:
        flat_rows = rows * self.v if variants is None else rows * self.v + variants
        return self.flat.index_select(0, flat_rows.to(self.flat.device)).to(
            self.device, torch.float32, non_blocking=True)

    def _held(self, idx, seed: int) -> _Held:
        """Fixed tensors of a held-out set: variant 0, relevé bags, loss batches in a seeded
        random order (a spatially ordered file would otherwise fill a batch with neighbours),
        and the frozen cosine matrix of each loss batch, computed once for all epochs."""
        idx = torch.from_numpy(np.asarray(idx, dtype=np.int64))
        feats = self._features(idx)
        order = torch.randperm(len(idx), generator=torch.Generator().manual_seed(seed))
        n_b = max(1, round(len(order) / int(self.config.batch_size)))
        batches = [b.to(self.device) for b in torch.tensor_split(order, n_b)]
        with torch.no_grad():
            sims = [cosine_matrix(feats[b]) if self.config.reg_lambda > 0 else None
                    for b in batches]
        return _Held(idx, feats, self.rel.gather(idx, self.device), batches, sims)

    def _losses(self, img: Tensor, rel: Tensor, frozen_sim: Tensor | None):
        """(total, contrastive, regulariser) of one batch; each side normalised once."""
        img_n, rel_n = l2_normalize(img), l2_normalize(rel)
        con = self.loss.from_cos(img_n @ rel_n.T)
        if frozen_sim is None:
            return con, con, torch.zeros((), device=con.device)
        reg = regulariser_from_sims(gram(img_n), frozen_sim, self.knn)
        return con + self.config.reg_lambda * reg, con, reg

    def train_epoch(self) -> dict:
        config = self.config
        for m in self.modules:
            m.train()
        n_train = len(self.train_idx)
        perm = torch.randperm(n_train, generator=self.g_data)
        variants = torch.randint(self.v, (n_train,), generator=self.g_data)
        sums = torch.zeros(3, device=self.device)     # summed on the device: no sync per batch
        batches = torch.tensor_split(perm, self.batches_per_epoch)
        for b in batches:
            self.progress.check()
            rows = self.train_idx[b]
            feats = self._features(rows, variants[b])
            # bfloat16 autocast (where native) covers the matrix products of the heads and of
            # the loss; the optimiser, its state and validation stay float32
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
                img = self.adapter(feats)
                rel = self.encoder.forward_sparse(*self.rel.gather(rows, self.device),
                                                  generator=self.g_drop)
                with torch.no_grad():
                    frozen_sim = cosine_matrix(feats) if config.reg_lambda > 0 else None
                total, con, reg = self._losses(img, rel, frozen_sim)
            lr = config.lr * _lr_factor(self.step, self.warmup_steps, self.total_steps)
            for group in self.opt.param_groups:
                group["lr"] = lr
            self.opt.zero_grad(set_to_none=True)
            total.backward()
            self.opt.step()
            self.step += 1
            sums += torch.stack([total.detach(), con.detach(), reg.detach()])
        mean = (sums / len(batches)).tolist()
        return {"lr": lr, "train_loss": mean[0], "train_contrastive": mean[1],
                "train_regulariser": mean[2]}

    @torch.no_grad()
    def score(self, held: _Held, prefix: str) -> tuple[dict, Tensor, Tensor]:
        """Losses and recall@k of the current model on ``held``, all in float32 (the heads
        in eval mode, no autocast; float32 similarities): every epoch is scored alike.
        Keys: ``{prefix}_loss``, ``{prefix}_contrastive``, ``{prefix}_regulariser``,
        ``img2rel@k``, ``rel2img@k``, ``{prefix}_R@{select_k}``."""
        for m in self.modules:
            m.eval()
        img = self.adapter(held.feats)
        rel = self.encoder.forward_sparse(*held.bags)
        sums = np.zeros(3)
        for b, fsim in zip(held.batches, held.frozen_sims):
            self.progress.check()
            sums += [float(v) for v in self._losses(img[b], rel[b], fsim)]
        sums /= len(held.batches)
        out = {f"{prefix}_loss": float(sums[0]), f"{prefix}_contrastive": float(sums[1]),
               f"{prefix}_regulariser": float(sums[2])}
        out.update(recall_at_k(img, rel, self.ks, sim_dtype=torch.float32))
        out[f"{prefix}_R@{self.config.select_k}"] = mean_recall(out, self.config.select_k)
        return out, img, rel

    @torch.no_grad()
    def validate(self) -> tuple[dict, Tensor, Tensor]:
        """:meth:`score` on the validation plots, with the loss's scale and bias."""
        out, img, rel = self.score(self.val, "val")
        out["logit_scale"] = float(self.loss.logit_scale.exp())
        out["logit_bias"] = float(self.loss.logit_bias)
        return out, img, rel

    def restore(self, states) -> None:
        """Load the state dicts of ``states`` into the adapter, the encoder and the loss."""
        for m, sd in zip(self.modules, states):
            m.load_state_dict(sd)

    # checkpoint --------------------------------------------------------------------------
    def state(self) -> dict:
        return {"adapter": self.adapter.state_dict(), "encoder": self.encoder.state_dict(),
                "loss": self.loss.state_dict(), "optimizer": self.opt.state_dict(),
                "step": self.step, "rng_data": self.g_data.get_state(),
                "rng_dropout": self.g_drop.get_state(), "device": self.device.type}

    def load(self, state: dict) -> list[str]:
        """Continue from a checkpoint's trainer state, read onto the CPU whatever device
        wrote it (:func:`read_checkpoint`): ``load_state_dict`` copies each tensor to this
        run's device. Returns the generators that could not take their saved state (a
        CUDA one on a CPU or the reverse) and were seeded afresh from the seed and step."""
        self.adapter.load_state_dict(state["adapter"])
        self.encoder.load_state_dict(state["encoder"])
        self.loss.load_state_dict(state["loss"])
        _load_optimizer(self.opt, state["optimizer"])
        self.step = int(state["step"])
        seed = int(self.config.seed)
        reseeded = []
        for name, gen, offset in (("data order", self.g_data, 1), ("dropout", self.g_drop, 2)):
            key = "rng_data" if offset == 1 else "rng_dropout"
            if not restore_generator(gen, state[key], (seed + offset) * 1_000_003 + self.step):
                reseeded.append(name)
        return reseeded


def _load_optimizer(opt, saved: dict) -> None:
    """``opt.load_state_dict(saved)`` keeping this run's kernel choice (fused or foreach,
    made for this device by :func:`_make_optimizer`; a GPU's choice may not run on a CPU),
    with the step counters where that kernel wants them."""
    flags = [{k: g[k] for k in ("fused", "foreach", "capturable") if k in g}
             for g in opt.param_groups]
    opt.load_state_dict(saved)
    for group, kept in zip(opt.param_groups, flags):
        group.update(kept)
        on_device = bool(group.get("fused") or group.get("capturable"))
        for p in group["params"]:
            st = opt.state.get(p, {})
            if on_device and torch.is_tensor(st.get("step")):
                st["step"] = st["step"].to(device=p.device, dtype=torch.float32)


def _metric_subset(entry: dict) -> dict:
    skip = ("epoch", "lr", "train_loss", "train_contrastive", "train_regulariser", "train_s",
            "val_s", "seconds")
    return {k: v for k, v in entry.items() if k not in skip}


# ----------------------------------------------------------------------------- training

def train_on_features(features: np.ndarray, species, x, y, config: TrainConfig | None = None,
                      progress: Progress = SILENT, checkpoint_dir=None,
                      resume: bool = False) -> TrainResult:
    """Train the image adapter and the relevé encoder on cached features.

    ``features``: float16/32 [N, V, D], V >= 1 variants per plot, variant 0 the patch as is
    ([N, D] is taken as V = 1). ``species``: [N, T] transformed covers (dense, or a scipy
    sparse matrix). ``x``, ``y``: plot coordinates in metres for the spatial split
    into training, validation and test plots (``config``'s block size, shares and buffer;
    the test plots are the figure to report, ``metrics["test"]``).
    With ``checkpoint_dir``, the full state is saved (atomically) after every epoch to
    ``checkpoint_dir/train_state.pt``; ``resume=True`` continues from it and ends with the
    same weights as an uninterrupted run (it is left in place at the end).
    Raises :class:`Cancelled` (nothing returned) when ``progress`` asks to stop.
    """
    config = copy.deepcopy(config) if config is not None else TrainConfig()
    check_config(config)
    device = resolve_device(config.device)
    old_threads = torch.get_num_threads()
    if int(config.threads) > 0:
        torch.set_num_threads(int(config.threads))
    # Denormal floats (tiny gradients once the loss saturates) make CPU matmuls 4-6x slower;
    # flushing them to zero changes nothing measurable. Torch has no getter: restore the
    # default (off) afterwards.
    flushing = torch.set_flush_denormal(True)
    try:
        data = prepare_inputs(features, species, x, y, config)
        return _train(data, config, device, progress, checkpoint_dir, resume)
    finally:
        torch.set_num_threads(old_threads)
        if flushing:
            torch.set_flush_denormal(False)


def _split(data: TrainingData, config: TrainConfig) -> dict:
    """The split of ``config`` (:func:`backend.train.splits.config_roles`) as {"train",
    "val", "test", "buffer"} -> plot indices; refused when a role is short of plots."""
    roles = config_roles(data.x, data.y, config)
    split = {name: np.flatnonzero(roles == r)
             for name, r in (("train", TRAIN), ("val", VALIDATION), ("test", TEST),
                             ("buffer", BUFFER))}
    counts = role_counts(roles)
    mins = min_plots(config)
    if any(counts[r] < m for r, m in zip(("training", "validation", "test"), mins)):
        raise BotaclipError(
            f"The spatial split of {len(data.x)} plots into blocks of {config.block_m:g} m gave "
            f"{counts['training']} training, {counts['validation']} validation and "
            f"{counts['test']} test plots ({counts['buffer']} training plots closer than "
            f"{float(config.buffer_m or 0):g} m to a held-out plot left out); at least "
            f"{mins[0]}, {mins[1]} and {mins[2]} are needed. Use a smaller block size "
            f"(block_m={config.block_m:g}), other shares (val_fraction={config.val_fraction:g}, "
            f"test_fraction={config.test_fraction:g}) or a smaller buffer "
            f"(buffer_m={float(config.buffer_m or 0):g}).")
    return split


def _train(data: TrainingData, config: TrainConfig, device, progress, checkpoint_dir,
           resume) -> TrainResult:
    split = _split(data, config)
    trainer = _Trainer(data.features, data.rows, split, data.n_taxa, config, device, progress)
    data_fp = fingerprint(data.features, data.rows, data.n_taxa, split["train"], split["val"],
                          split["test"])
    settings = resume_settings(config)
    ckpt = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    state = None
    if resume and ckpt is not None and ckpt.exists():
        state = _resume(trainer, ckpt, data_fp, settings)
        if state is None:     # set aside; the heads may hold part of it: start from fresh ones
            trainer = _Trainer(data.features, data.rows, split, data.n_taxa, config, device,
                               progress)
    elif resume and ckpt is not None:
        progress.info(f"No checkpoint at {ckpt}; training from the start.")
    if state is None:
        state = _start(trainer)
    patience = int(config.patience) if config.patience else 0
    for epoch in range(state.epoch + 1, int(config.epochs) + 1):
        if state.stopped:
            break
        entry = _epoch(trainer, state, epoch, patience)
        if ckpt is not None:
            save_checkpoint(ckpt, state, trainer.state(), data_fp, settings)
        progress.report(epoch / config.epochs,
                        f"epoch {epoch}/{config.epochs} loss {entry['train_loss']:.3f} val "
                        f"R@{config.select_k} {entry[f'val_R@{config.select_k}']:.3f}")
    if state.stopped:
        progress.report(1.0, f"stopped early after epoch {state.history[-1]['epoch']}: no "
                        f"better validation recall for {patience} epochs (best: epoch "
                        f"{state.best_epoch})")
    return _finish(trainer, state, data, split)


def _resume(trainer: _Trainer, path: Path, data_fp: str, settings: dict) -> LoopState | None:
    """The loop's state saved in the checkpoint ``path``, loaded into ``trainer`` (whatever
    device wrote it: see :meth:`_Trainer.load`). None when it cannot be resumed: it is then
    set aside with a warning, so that neither this run nor the next fails on it (training
    resumes by itself, so a checkpoint that raised would block every later run)."""
    config, progress = trainer.config, trainer.progress
    try:
        state, trainer_state = read_checkpoint(path, data_fp, settings)
        reseeded = trainer.load(trainer_state)
    except (BotaclipError, RuntimeError, KeyError, ValueError, TypeError, IndexError) as exc:
        aside = set_aside(path)
        kept = f"it was set aside as {aside.name}" if aside != path else "it was removed"
        progress.warn(f"The training checkpoint {path} cannot be resumed: "
                      f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; {kept} "
                      "and training starts again from the untrained model (backbone features "
                      "already in the cache are reused).")
        return None
    if reseeded:
        saved_on = str(trainer_state.get("device") or "another device")
        progress.warn(
            f"The training checkpoint {path} was written by a run on {saved_on} and this run "
            f"is on {trainer.device.type}: the saved state of the {' and '.join(reseeded)} "
            "random generator cannot move between the two, so it was seeded afresh from "
            "the seed and the step. Training resumes after epoch "
            f"{state.epoch}; the result is reproducible, but not bit for bit that of a run "
            "that never moved.")
    progress.info(f"Resuming training after epoch {state.epoch} from {path}.")
    progress.report(state.epoch / config.epochs, f"epoch {state.epoch}/{config.epochs} val "
                    f"R@{config.select_k} {state.history[-1][f'val_R@{config.select_k}']:.3f}")
    return state


def _start(trainer: _Trainer) -> LoopState:
    """The loop's state before the first epoch when nothing is resumed: the untrained model
    validated (epoch 0)."""
    config, progress = trainer.config, trainer.progress
    progress.report(0.0, "validating the untrained model")
    metrics0, _, _ = trainer.validate()
    state = LoopState(
        history=[{"epoch": 0, "lr": 0.0, "train_loss": None, "train_contrastive": None,
                  "train_regulariser": None, **metrics0, "train_s": 0.0, "val_s": 0.0,
                  "seconds": 0.0}],
        best_score=metrics0[f"val_R@{config.select_k}"],
        best_state=_clone_state(trainer.adapter, trainer.encoder, trainer.loss))
    progress.report(0.0, f"epoch 0/{config.epochs} val "
                    f"R@{config.select_k} {metrics0[f'val_R@{config.select_k}']:.3f}")
    return state


def _epoch(trainer: _Trainer, state: LoopState, epoch: int, patience: int) -> dict:
    """Train and validate one epoch; record it in ``state``; return its history entry."""
    t0 = time.perf_counter()
    train_stats = trainer.train_epoch()
    t1 = time.perf_counter()
    metrics, _, _ = trainer.validate()
    t2 = time.perf_counter()
    entry = {"epoch": epoch, **train_stats, **metrics, "train_s": t1 - t0, "val_s": t2 - t1,
             "seconds": t2 - t0}
    state.history.append(entry)
    state.timings.append(t2 - t0)
    score = metrics[f"val_R@{trainer.config.select_k}"]
    if score > state.best_score:
        state.best_score, state.best_epoch, state.bad_epochs = score, epoch, 0
        state.best_state = _clone_state(trainer.adapter, trainer.encoder, trainer.loss)
    else:
        state.bad_epochs += 1
    if patience > 0 and state.bad_epochs >= patience:
        state.stopped = True
    state.epoch = epoch
    return entry


def _finish(trainer: _Trainer, state: LoopState, data: TrainingData, split: dict
            ) -> TrainResult:
    """Measure the untrained model on the test plots, then restore the kept model and
    measure it on the validation and test plots; hand everything back on the CPU."""
    trainer.restore(trainer.initial_state)
    test0, _, _ = trainer.score(trainer.test, "test")
    trainer.restore(state.best_state)
    final, img, rel_emb = trainer.validate()
    test, _, _ = trainer.score(trainer.test, "test")
    adapter, encoder, loss = (m.to("cpu").eval() for m in trainer.modules)
    by_epoch = {h["epoch"]: h for h in state.history}
    metrics = {"untrained": _metric_subset(by_epoch[0]),
               "best": _metric_subset(final),
               "chance": chance_recall(len(split["val"]), trainer.ks),
               "test": test, "test_untrained": test0,
               "test_chance": chance_recall(len(split["test"]), trainer.ks)}
    features = data.features
    config = dataclasses.replace(trainer.config, buffer_m=float(trainer.config.buffer_m or 0.0),
                                 precision="bfloat16" if trainer.bf16 else "float32")
    return TrainResult(
        adapter=adapter, encoder=encoder, loss=loss, history=state.history,
        best_epoch=state.best_epoch, metrics=metrics, train_idx=split["train"],
        val_idx=split["val"], config=config, timings=state.timings,
        device=trainer.device.type, stopped_early=state.stopped,
        val_image_embeddings=l2_normalize(img).cpu().numpy(),
        val_releve_embeddings=l2_normalize(rel_emb).cpu().numpy(),
        extra={"n_plots": int(features.shape[0]), "n_variants": int(features.shape[1]),
               "n_taxa": int(data.n_taxa), "dim": int(features.shape[2]),
               "batches_per_epoch": trainer.batches_per_epoch,
               "scoring_precision": SCORING_PRECISION,
               "training_precision": config.precision},
        test_idx=split["test"], buffer_idx=split["buffer"])
