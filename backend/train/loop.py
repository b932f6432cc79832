"""Training BotaCLIP's heads on cached backbone features.

The frozen backbone has already run once per plot and per dihedral variant of its patch; this
module only sees the cached features ``[N, V, D]`` and the transformed species matrix
``[N, T]``. Each epoch draws one random variant per plot; validation uses variant 0 (the
patch as it is) on a spatial block split (:func:`backend.train.splits.block_split`).

Reproducible: every random draw (initialisation, shuffling, variants, dropout) comes from
generators seeded by ``config.seed``; two runs in one process give the same weights bit for
bit on the CPU (CUDA's scatter kernels are not deterministic). A run interrupted between
epochs and resumed from its checkpoint (:mod:`.checkpoint`) ends with exactly the same weights.

Steps of :func:`train_on_features`: check the inputs (:mod:`.data`), split, validate the
untrained model (or resume), train epoch after epoch keeping the best validation
recall@``select_k`` (:mod:`.metrics`), then restore the best model and measure it.
"""

from __future__ import annotations

import copy
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
    resume_settings,
    save_checkpoint,
)
from .config import MIN_TRAIN_PLOTS, TrainConfig, check_config, min_val_plots
from .data import ReleveRows, TrainingData, prepare_inputs
from .metrics import chance_recall, mean_recall, recall_at_k, recall_ks
from .splits import block_split


@dataclass
class TrainResult:
    """What training produced. Modules are on the CPU, in eval mode, holding the best state."""

    adapter: ImageAdapter
    encoder: ReleveEncoder
    loss: ContrastiveLoss
    history: list[dict]                 # one dict per epoch; epoch 0 is the untrained model
    best_epoch: int                     # 0 means training never beat the untrained model
    metrics: dict                       # {"untrained", "best", "chance"}: validation metrics
    train_idx: np.ndarray
    val_idx: np.ndarray
    config: TrainConfig
    timings: list[float]                # seconds per trained epoch (training + validation)
    device: str                         # "cpu" or "cuda"
    stopped_early: bool = False
    val_image_embeddings: np.ndarray | None = None    # [n_val, D] unit vectors, best model
    val_releve_embeddings: np.ndarray | None = None   # [n_val, D] unit vectors, best model
    extra: dict = field(default_factory=dict)

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

class _Trainer:
    """The heads, their loss and optimiser, and one epoch of training or validation."""

    def __init__(self, features, rel: ReleveRows, train_idx, val_idx, n_taxa, config, device,
                 progress):
        self.config, self.device, self.progress = config, device, progress
        self.n, self.v, self.d = features.shape
        self.rel = rel
        self.train_idx = torch.from_numpy(np.asarray(train_idx, dtype=np.int64))
        self.val_idx = torch.from_numpy(np.asarray(val_idx, dtype=np.int64))
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
        self._prepare_validation()

    def _features(self, rows: Tensor, variants: Tensor | None = None) -> Tensor:
        flat_rows = rows * self.v if variants is None else rows * self.v + variants
        return self.flat.index_select(0, flat_rows.to(self.flat.device)).to(
            self.device, torch.float32, non_blocking=True)

    def _prepare_validation(self):
        """Fixed validation tensors: variant 0, relevé bags, loss batches in a seeded random
        order (a spatially ordered file would otherwise fill a batch with neighbours), and the
        frozen cosine matrix of each loss batch, computed once for all epochs."""
        self.val_f = self._features(self.val_idx)
        self.val_bags = self.rel.gather(self.val_idx, self.device)
        order = torch.randperm(len(self.val_idx),
                               generator=torch.Generator().manual_seed(int(self.config.seed) + 3))
        n_b = max(1, round(len(order) / int(self.config.batch_size)))
        self.val_batches = [b.to(self.device) for b in torch.tensor_split(order, n_b)]
        with torch.no_grad():
            self.val_frozen_sims = [cosine_matrix(self.val_f[b]) if self.config.reg_lambda > 0
                                    else None for b in self.val_batches]

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
    def validate(self, exact: bool = True) -> tuple[dict, Tensor, Tensor]:
        """Validation losses and recall@k. With ``exact=False`` and bfloat16 training, the
        n x n similarities of recall@k are computed in bfloat16 (the cost of validating on
        a large split; fine for choosing the best epoch); reported metrics use exact=True."""
        for m in self.modules:
            m.eval()
        img = self.adapter(self.val_f)
        rel = self.encoder.forward_sparse(*self.val_bags)
        sums = np.zeros(3)
        for b, fsim in zip(self.val_batches, self.val_frozen_sims):
            self.progress.check()
            sums += [float(v) for v in self._losses(img[b], rel[b], fsim)]
        sums /= len(self.val_batches)
        out = {"val_loss": float(sums[0]), "val_contrastive": float(sums[1]),
               "val_regulariser": float(sums[2])}
        low = self.bf16 and not exact
        out.update(recall_at_k(img, rel, self.ks,
                               sim_dtype=torch.bfloat16 if low else torch.float32))
        out[f"val_R@{self.config.select_k}"] = mean_recall(out, self.config.select_k)
        out["logit_scale"] = float(self.loss.logit_scale.exp())
        out["logit_bias"] = float(self.loss.logit_bias)
        return out, img, rel

    # checkpoint --------------------------------------------------------------------------
    def state(self) -> dict:
        return {"adapter": self.adapter.state_dict(), "encoder": self.encoder.state_dict(),
                "loss": self.loss.state_dict(), "optimizer": self.opt.state_dict(),
                "step": self.step, "rng_data": self.g_data.get_state(),
                "rng_dropout": self.g_drop.get_state()}

    def load(self, state: dict) -> None:
        self.adapter.load_state_dict(state["adapter"])
        self.encoder.load_state_dict(state["encoder"])
        self.loss.load_state_dict(state["loss"])
        self.opt.load_state_dict(state["optimizer"])
        self.step = int(state["step"])
        self.g_data.set_state(state["rng_data"])
        self.g_drop.set_state(state["rng_dropout"])


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
    sparse matrix). ``x``, ``y``: plot coordinates in metres for the spatial validation split.
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


def _split(data: TrainingData, config: TrainConfig):
    """The spatial block split of ``config`` (train_idx, val_idx); refused when too small."""
    train_idx, val_idx = block_split(data.x, data.y, config.block_m, config.val_fraction,
                                     seed=int(config.seed))
    if len(val_idx) < min_val_plots(config) or len(train_idx) < MIN_TRAIN_PLOTS:
        raise BotaclipError(
            f"The spatial split of {len(data.x)} plots into blocks of {config.block_m:g} m gave "
            f"{len(train_idx)} training and {len(val_idx)} validation plots; at least "
            f"{MIN_TRAIN_PLOTS} and {min_val_plots(config)} are needed. Use a smaller block size "
            f"(block_m) or a larger validation fraction (val_fraction={config.val_fraction}).")
    return train_idx, val_idx


def _train(data: TrainingData, config: TrainConfig, device, progress, checkpoint_dir,
           resume) -> TrainResult:
    train_idx, val_idx = _split(data, config)
    trainer = _Trainer(data.features, data.rows, train_idx, val_idx, data.n_taxa, config, device,
                       progress)
    data_fp = fingerprint(data.features, data.rows, data.n_taxa, train_idx, val_idx)
    settings = resume_settings(config)
    ckpt = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    state = _start(trainer, ckpt if resume else None, data_fp, settings)
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
    return _finish(trainer, state, data, train_idx, val_idx)


def _start(trainer: _Trainer, resume_from: Path | None, data_fp: str, settings: dict) -> LoopState:
    """The loop's state before the first epoch to run: resumed from ``resume_from`` when it
    exists, else the untrained model validated (epoch 0)."""
    config, progress = trainer.config, trainer.progress
    if resume_from is not None and resume_from.exists():
        state, trainer_state = read_checkpoint(resume_from, data_fp, settings)
        trainer.load(trainer_state)
        progress.info(f"Resuming training after epoch {state.epoch} from {resume_from}.")
    else:
        if resume_from is not None:
            progress.info(f"No checkpoint at {resume_from}; training from the start.")
        progress.report(0.0, "validating the untrained model")
        metrics0, _, _ = trainer.validate()
        state = LoopState(
            history=[{"epoch": 0, "lr": 0.0, "train_loss": None, "train_contrastive": None,
                      "train_regulariser": None, **metrics0, "train_s": 0.0, "val_s": 0.0,
                      "seconds": 0.0}],
            best_score=metrics0[f"val_R@{config.select_k}"],
            best_state=_clone_state(trainer.adapter, trainer.encoder, trainer.loss))
    progress.report(state.epoch / config.epochs, f"epoch {state.epoch}/{config.epochs} val "
                    f"R@{config.select_k} {state.history[-1][f'val_R@{config.select_k}']:.3f}")
    return state


def _epoch(trainer: _Trainer, state: LoopState, epoch: int, patience: int) -> dict:
    """Train and validate one epoch; record it in ``state``; return its history entry."""
    t0 = time.perf_counter()
    train_stats = trainer.train_epoch()
    t1 = time.perf_counter()
    metrics, _, _ = trainer.validate(exact=False)
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


def _finish(trainer: _Trainer, state: LoopState, data: TrainingData, train_idx,
            val_idx) -> TrainResult:
    """Restore the best model, measure it exactly, and hand everything back on the CPU."""
    for m, sd in zip((trainer.adapter, trainer.encoder, trainer.loss), state.best_state):
        m.load_state_dict(sd)
    final, img, rel_emb = trainer.validate()
    adapter, encoder, loss = (m.to("cpu").eval() for m in trainer.modules)
    by_epoch = {h["epoch"]: h for h in state.history}
    metrics = {"untrained": _metric_subset(by_epoch[0]),
               "best": _metric_subset(final),
               "chance": chance_recall(len(val_idx), trainer.ks)}
    features = data.features
    return TrainResult(
        adapter=adapter, encoder=encoder, loss=loss, history=state.history,
        best_epoch=state.best_epoch, metrics=metrics, train_idx=np.asarray(train_idx),
        val_idx=np.asarray(val_idx), config=trainer.config, timings=state.timings,
        device=trainer.device.type, stopped_early=state.stopped,
        val_image_embeddings=l2_normalize(img).cpu().numpy(),
        val_releve_embeddings=l2_normalize(rel_emb).cpu().numpy(),
        extra={"n_plots": int(features.shape[0]), "n_variants": int(features.shape[1]),
               "n_taxa": int(data.n_taxa), "dim": int(features.shape[2]),
               "batches_per_epoch": trainer.batches_per_epoch})
