"""Training BotaCLIP's heads on cached backbone features.

The frozen backbone has already run once per plot and per dihedral variant of its patch; this
module only sees the cached features ``[N, V, D]`` and the transformed species matrix
``[N, T]``. Each epoch draws one random variant per plot; validation uses variant 0 (the
patch as it is) on a spatial block split (:func:`backend.splits.block_split`).

Reproducible: every random draw (initialisation, shuffling, variants, dropout) comes from
generators seeded by ``config.seed``; two runs in one process give the same weights bit for
bit on the CPU (CUDA's scatter kernels are not deterministic). A run interrupted between
epochs and resumed from its checkpoint ends with exactly the same weights.
"""

from __future__ import annotations

import copy
import hashlib
import math
import time
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from .errors import BotaclipError
from .io.atomic import atomic_output
from .models.backbones import resolve_device
from .models.heads import ImageAdapter, ReleveEncoder, l2_normalize
from .models.losses import LOSSES, ContrastiveLoss, cosine_matrix, gram, regulariser_from_sims
from .progress import SILENT, Progress
from .splits import block_split

CHECKPOINT_NAME = "train_state.pt"
CHECKPOINT_FORMAT = 1
MIN_TRAIN_PLOTS = 50
MIN_VAL_PLOTS = 50
TIE_EPS = 1e-6          # similarities closer than this count as ties in recall@k
RECALL_CHUNK = 1024     # rows of the validation similarity matrix held at once


@dataclass
class TrainConfig:
    """Training settings (the defaults follow BotaCLIP's paper where it gives them).

    ``patience``: epochs without a better validation recall@``select_k`` before stopping;
    0 or None never stops early. ``reg_knn``: restrict the regulariser to each sample's k
    nearest frozen neighbours (None: all pairs). ``threads``: torch CPU threads while training
    (0: leave as is). ``device``: "auto", "cpu" or "cuda". ``precision``: the adapter's and
    encoder's matrix products in training steps: "bfloat16" (autocast; losses, optimiser
    state and validation stay float32), "float32", or "auto" = bfloat16 where the device
    computes it natively (CUDA with bf16, CPUs with AVX512-BF16 or AMX), else float32.
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
    block_m: float = 500.0
    patience: int | None = 10
    select_k: int = 10
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    precision: str = "auto"

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


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
    def dim(self) -> int:
        return self.adapter.dim

    @property
    def n_taxa(self) -> int:
        return self.encoder.n_taxa

    def state_dicts(self) -> dict:
        return {"adapter": self.adapter.state_dict(), "releve_encoder": self.encoder.state_dict(),
                "loss": self.loss.state_dict()}


# ----------------------------------------------------------------------------- metrics

def recall_at_k(a: Tensor, b: Tensor, ks=(1, 5, 10), sim_dtype=torch.float32) -> dict:
    """Retrieval recall of the pairs a[i] <-> b[i] among all n candidates, both directions.

    "img2rel@k": share of rows i whose b[i] is among the k most similar b's to a[i] (cosine);
    "rel2img@k" the other way. Ties (within 1e-6) are split evenly: a pair tied with t others
    and beaten by g counts (k - g) / (t + 1), clipped to [0, 1], the expected recall under a
    random order of the ties, so degenerate (identical) embeddings score chance, not 0 or 1.
    """
    a = l2_normalize(a.detach().float())
    b = l2_normalize(b.detach().float())
    if sim_dtype != torch.float32:
        # a quick approximation (for choosing epochs): similarities of the rounded vectors,
        # themselves rounded to sim_dtype, as the matrix product returns them; pairs that
        # the rounding makes equal count as ties (split evenly, see above)
        a, b = a.to(sim_dtype), b.to(sim_dtype)
    n = a.shape[0]
    if b.shape[0] != n or n == 0:
        raise ValueError(f"recall_at_k needs two non-empty aligned sets, got {n} and {b.shape[0]}")
    diag = (a.float() * b.float()).sum(1).to(sim_dtype).float()
    greater_r = torch.zeros(n, device=a.device)
    equal_r = torch.zeros(n, device=a.device)
    greater_c = torch.zeros(n, device=a.device)
    equal_c = torch.zeros(n, device=a.device)
    for r0 in range(0, n, RECALL_CHUNK):
        r1 = min(n, r0 + RECALL_CHUNK)
        s = (a[r0:r1] @ b.T).float()
        rows = torch.arange(r1 - r0, device=a.device)
        s[rows, rows + r0] = math.nan          # the pair itself is never a competitor
        d = diag[r0:r1, None]
        # int32 sums: counting a bool matrix into int64 costs twice the comparison itself
        greater_r[r0:r1] = (s > d + TIE_EPS).sum(1, dtype=torch.int32)
        equal_r[r0:r1] = (s >= d - TIE_EPS).sum(1, dtype=torch.int32)
        greater_c += (s > diag[None, :] + TIE_EPS).sum(0, dtype=torch.int32)
        equal_c += (s >= diag[None, :] - TIE_EPS).sum(0, dtype=torch.int32)
    out = {}
    for name, g, ge in (("img2rel", greater_r, equal_r), ("rel2img", greater_c, equal_c)):
        ties = ge - g
        for k in ks:
            hit = ((k - g) / (ties + 1)).clamp(0, 1)
            out[f"{name}@{k}"] = float(hit.mean())
    return out


def chance_recall(n: int, ks=(1, 5, 10)) -> dict:
    """Recall@k of a random ranking of n candidates: k / n."""
    return {f"{d}@{k}": min(1.0, k / n) for d in ("img2rel", "rel2img") for k in ks}


def _ks(select_k: int) -> tuple:
    return tuple(sorted({1, 5, 10, int(select_k)}))


def selection_score(metrics: dict, k: int) -> float:
    return 0.5 * (metrics[f"img2rel@{k}"] + metrics[f"rel2img@{k}"])


# ----------------------------------------------------------------------------- data

class _Releves:
    """The species matrix as CSR arrays (torch), with a vectorised gather of rows."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, values: np.ndarray):
        self.indptr = torch.from_numpy(indptr.astype(np.int64))
        self.indices = torch.from_numpy(indices.astype(np.int64))
        self.values = torch.from_numpy(values.astype(np.float32))

    def gather(self, rows: Tensor, device) -> tuple[Tensor, Tensor, Tensor]:
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        offsets = torch.zeros(len(rows), dtype=torch.long)
        if len(rows) > 1:
            offsets[1:] = torch.cumsum(lengths, 0)[:-1]
        total = int(lengths.sum())
        pos = torch.arange(total) + torch.repeat_interleave(starts - offsets, lengths)
        return (self.indices[pos].to(device), offsets.to(device), self.values[pos].to(device))


def _species_csr(species, n_plots: int):
    """(indptr, indices, values, n_taxa) of a dense array or a scipy sparse matrix."""
    if hasattr(species, "tocsr"):          # scipy.sparse: memory-sane for big species lists
        csr = species.tocsr().astype(np.float32)
        csr.sum_duplicates()
        csr.eliminate_zeros()
        csr.sort_indices()
        if csr.shape[0] != n_plots:
            raise BotaclipError(f"The features hold {n_plots} plots but the species matrix has "
                                f"{csr.shape[0]} rows; both must list the same plots in the "
                                "same order.")
        vals = csr.data
        if not np.all(np.isfinite(vals)):
            raise BotaclipError("The species matrix holds NaN or infinite values; fix the "
                                "covers (empty cells mean absent) and transform them again.")
        return csr.indptr, csr.indices, vals, csr.shape[1]
    species = np.asarray(species)
    if species.ndim != 2:
        raise BotaclipError(f"The species matrix must be 2-D [plots, taxa], not of shape "
                            f"{species.shape}.")
    if species.shape[0] != n_plots:
        raise BotaclipError(f"The features hold {n_plots} plots but the species matrix has "
                            f"{species.shape[0]} rows; both must list the same plots in the "
                            "same order.")
    rows, cols, vals = [], [], []
    step = max(1, 2_000_000 // max(1, species.shape[1]))     # ~8 MB of float32 per chunk
    for r0 in range(0, n_plots, step):
        block = np.asarray(species[r0:r0 + step], dtype=np.float32)
        if not np.all(np.isfinite(block)):
            bad = r0 + int(np.flatnonzero(~np.all(np.isfinite(block), axis=1))[0])
            raise BotaclipError(f"The species matrix holds NaN or infinite values (first at "
                                f"plot row {bad}); fix the covers and transform them again.")
        r, c = np.nonzero(block)
        rows.append(r + r0)
        cols.append(c)
        vals.append(block[r, c])
    rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    indptr = np.zeros(n_plots + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_plots), out=indptr[1:])
    return indptr, np.concatenate(cols), np.concatenate(vals), species.shape[1]


def _check_features(features) -> np.ndarray:
    if not isinstance(features, np.ndarray):
        raise BotaclipError(f"The image features must be a numpy array, not "
                            f"{type(features).__name__}.")
    if features.ndim == 2:
        features = features[:, None, :]
    if features.ndim != 3:
        raise BotaclipError(f"The image features must be [plots, variants, dim] (or [plots, "
                            f"dim]), not of shape {features.shape}.")
    if features.dtype not in (np.float16, np.float32):
        if not np.issubdtype(features.dtype, np.floating):
            raise BotaclipError(f"The image features must be floating point, not "
                                f"{features.dtype}.")
        features = features.astype(np.float32)
    n, v, d = features.shape
    if v < 1 or d < 1:
        raise BotaclipError(f"The image features have an empty axis: shape {features.shape}.")
    step = max(1, 4_000_000 // (v * d))
    for r0 in range(0, n, step):
        ok = np.isfinite(features[r0:r0 + step]).all(axis=(1, 2))
        if not ok.all():
            bad = r0 + np.flatnonzero(~ok)
            more = n - r0 - step
            raise BotaclipError(
                f"The image features of plot row {bad[0]} (and {len(bad) - 1} more in rows "
                f"{r0}..{min(n, r0 + step) - 1}{', maybe others after' if more > 0 else ''}) "
                "hold NaN or infinite values. Recompute the feature cache for those plots (a "
                "patch outside the raster or over nodata, or a float16 overflow).")
    return features


def _check_config(c: TrainConfig) -> None:
    problems = []
    if int(c.epochs) < 1:
        problems.append(f"epochs must be at least 1 (got {c.epochs})")
    if int(c.batch_size) < 2:
        problems.append(f"batch_size must be at least 2 (got {c.batch_size})")
    if not c.lr > 0:
        problems.append(f"lr must be positive (got {c.lr})")
    if c.weight_decay < 0:
        problems.append(f"weight_decay cannot be negative (got {c.weight_decay})")
    if c.warmup_epochs < 0:
        problems.append(f"warmup_epochs cannot be negative (got {c.warmup_epochs})")
    if c.loss not in LOSSES:
        problems.append(f"loss must be one of {', '.join(LOSSES)} (got {c.loss!r})")
    if c.reg_lambda < 0:
        problems.append(f"reg_lambda cannot be negative (got {c.reg_lambda})")
    if c.reg_knn is not None and int(c.reg_knn) < 1:
        problems.append(f"reg_knn must be None or at least 1 (got {c.reg_knn})")
    if not 0 <= c.dropout < 1 or not 0 <= c.taxon_dropout < 1:
        problems.append(f"dropout and taxon_dropout must be in [0, 1) (got {c.dropout}, "
                        f"{c.taxon_dropout})")
    if str(c.precision).lower() not in ("auto", "float32", "bfloat16"):
        problems.append(f"precision must be auto, float32 or bfloat16 (got {c.precision!r})")
    if int(c.select_k) < 1:
        problems.append(f"select_k must be at least 1 (got {c.select_k})")
    if int(c.adapter_hidden) < 1 or int(c.encoder_hidden) < 1:
        problems.append("adapter_hidden and encoder_hidden must be at least 1")
    if problems:
        raise BotaclipError("Invalid training settings: " + "; ".join(problems) + ".")


# ----------------------------------------------------------------------------- training

def _lr_factor(step: int, warmup: int, total: int) -> float:
    """Linear warm-up over ``warmup`` steps, then a cosine decay to 0 at ``total``."""
    if step < warmup:
        return (step + 1) / warmup
    span = max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (step - warmup) / span)))


def _param_groups(modules, weight_decay: float):
    """Decay matrices (and the taxon vectors); leave biases, norms and logit scale/bias free."""
    decay, free = [], []
    for m in modules:
        for p in m.parameters():
            (decay if p.dim() >= 2 else free).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": free, "weight_decay": 0.0}]


def _make_optimizer(groups, lr, device):
    try:     # fused AdamW: one kernel for all parameters, the cheapest on CPU and GPU
        return torch.optim.AdamW(groups, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(groups, lr=lr, foreach=True)


def _clone_state(*modules) -> list[dict]:
    return [{k: v.detach().clone() for k, v in m.state_dict().items()} for m in modules]


def _fingerprint(feats: np.ndarray, rel: _Releves, n_taxa: int, train_idx, val_idx) -> str:
    h = hashlib.sha256()
    h.update(repr((feats.shape, str(feats.dtype), n_taxa)).encode())
    for arr in (rel.indptr.numpy(), rel.indices.numpy(), rel.values.numpy(),
                np.ascontiguousarray(feats[:: max(1, len(feats) // 64)]),
                np.asarray(train_idx), np.asarray(val_idx)):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


_RESUME_IGNORED = ("device", "threads")


def _as_tensor(features: np.ndarray) -> Tensor:
    with warnings.catch_warnings():      # read-only memory maps are fine: we never write
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(np.ascontiguousarray(features))


class _Trainer:
    def __init__(self, features, rel: _Releves, train_idx, val_idx, n_taxa, config, device,
                 progress):
        self.c, self.device, self.progress = config, device, progress
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
        c = config
        g_init = torch.Generator().manual_seed(int(c.seed))
        self.adapter = ImageAdapter(self.d, c.adapter_hidden, generator=g_init).to(device)
        self.encoder = ReleveEncoder(n_taxa, self.d, c.encoder_hidden, c.dropout,
                                     c.taxon_dropout, generator=g_init).to(device)
        self.loss = ContrastiveLoss(c.loss).to(device)
        self.modules = (self.adapter, self.encoder, self.loss)
        self.opt = _make_optimizer(_param_groups(self.modules, c.weight_decay), c.lr, device)
        self.g_data = torch.Generator().manual_seed(int(c.seed) + 1)
        self.g_drop = torch.Generator(device=device).manual_seed(int(c.seed) + 2)
        n_train = len(self.train_idx)
        self.batches_per_epoch = max(1, round(n_train / int(c.batch_size)))
        self.total_steps = int(c.epochs) * self.batches_per_epoch
        self.warmup_steps = int(c.warmup_epochs) * self.batches_per_epoch
        self.step = 0
        self.knn = int(c.reg_knn) if c.reg_knn else None
        self.bf16 = _use_bf16(c.precision, device)
        self.ks = _ks(c.select_k)
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
                               generator=torch.Generator().manual_seed(int(self.c.seed) + 3))
        n_b = max(1, round(len(order) / int(self.c.batch_size)))
        self.val_batches = [b.to(self.device) for b in torch.tensor_split(order, n_b)]
        with torch.no_grad():
            self.val_frozen_sims = [cosine_matrix(self.val_f[b]) if self.c.reg_lambda > 0
                                    else None for b in self.val_batches]

    def _losses(self, img: Tensor, rel: Tensor, frozen_sim: Tensor | None):
        """(total, contrastive, regulariser) of one batch; each side normalised once."""
        img_n, rel_n = l2_normalize(img), l2_normalize(rel)
        con = self.loss.from_cos(img_n @ rel_n.T)
        if frozen_sim is None:
            return con, con, torch.zeros((), device=con.device)
        reg = regulariser_from_sims(gram(img_n), frozen_sim, self.knn)
        return con + self.c.reg_lambda * reg, con, reg

    def train_epoch(self) -> dict:
        c = self.c
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
            f = self._features(rows, variants[b])
            # bfloat16 autocast (where native) covers the matrix products of the heads and of
            # the loss; the optimiser, its state and validation stay float32
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
                img = self.adapter(f)
                rel = self.encoder.forward_sparse(*self.rel.gather(rows, self.device),
                                                  generator=self.g_drop)
                with torch.no_grad():
                    frozen_sim = cosine_matrix(f) if c.reg_lambda > 0 else None
                total, con, reg = self._losses(img, rel, frozen_sim)
            lr = c.lr * _lr_factor(self.step, self.warmup_steps, self.total_steps)
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
        out[f"val_R@{self.c.select_k}"] = selection_score(out, self.c.select_k)
        out["logit_scale"] = float(self.loss.logit_scale.exp())
        out["logit_bias"] = float(self.loss.logit_bias)
        return out, img, rel

    # checkpoint --------------------------------------------------------------------------
    def state(self) -> dict:
        return {"adapter": self.adapter.state_dict(), "encoder": self.encoder.state_dict(),
                "loss": self.loss.state_dict(), "optimizer": self.opt.state_dict(),
                "step": self.step, "rng_data": self.g_data.get_state(),
                "rng_dropout": self.g_drop.get_state()}

    def load(self, s: dict) -> None:
        self.adapter.load_state_dict(s["adapter"])
        self.encoder.load_state_dict(s["encoder"])
        self.loss.load_state_dict(s["loss"])
        self.opt.load_state_dict(s["optimizer"])
        self.step = int(s["step"])
        self.g_data.set_state(s["rng_data"])
        self.g_drop.set_state(s["rng_dropout"])


def _use_bf16(precision: str, device: torch.device) -> bool:
    from .models.backbones import bf16_native_cpu

    p = (precision or "auto").lower()
    if p == "float32":
        return False
    if p == "bfloat16":
        return True
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return bf16_native_cpu()


def _metric_subset(entry: dict) -> dict:
    skip = ("epoch", "lr", "train_loss", "train_contrastive", "train_regulariser", "train_s",
            "val_s", "seconds")
    return {k: v for k, v in entry.items() if k not in skip}


def _load_checkpoint(path: Path) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a torn or foreign file: say which and how to recover
        raise BotaclipError(f"Cannot read the training checkpoint {path} ({exc}). Delete it to "
                            "start again, or train without resume.") from exc


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
    c = copy.deepcopy(config) if config is not None else TrainConfig()
    _check_config(c)
    device = resolve_device(c.device)
    old_threads = torch.get_num_threads()
    if int(c.threads) > 0:
        torch.set_num_threads(int(c.threads))
    # Denormal floats (tiny gradients once the loss saturates) make CPU matmuls 4-6x slower;
    # flushing them to zero changes nothing measurable. Torch has no getter: restore the
    # default (off) afterwards.
    flushing = torch.set_flush_denormal(True)
    try:
        return _train(features, species, x, y, c, device, progress, checkpoint_dir, resume)
    finally:
        torch.set_num_threads(old_threads)
        if flushing:
            torch.set_flush_denormal(False)


def _prepare_inputs(features, species, x, y, c: TrainConfig):
    features = _check_features(features)
    n = features.shape[0]
    indptr, indices, values, n_taxa = _species_csr(species, n)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if len(x) != n or len(y) != n:
        raise BotaclipError(f"The features hold {n} plots but {len(x)} x and {len(y)} y "
                            "coordinates were given; give one coordinate pair per plot.")
    counts = np.diff(indptr)
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        rows = ", ".join(map(str, empty[:8])) + (", ..." if len(empty) > 8 else "")
        raise BotaclipError(f"{len(empty)} plot(s) have no taxon in the species list (rows "
                            f"{rows}); a relevé without taxa cannot be encoded. Remove those "
                            "plots (or keep the taxa their relevés hold).")
    min_plots = MIN_TRAIN_PLOTS + _min_val(c)
    if n < min_plots:
        raise BotaclipError(
            f"Training needs at least {min_plots} plots, {n} were given: at least "
            f"{_min_val(c)} for validation (recall@{c.select_k} ranks each validation plot "
            f"among the others; with fewer candidates chance alone reaches "
            f"{100 * c.select_k / _min_val(c):.0f} % and the figure means little) and "
            f"{MIN_TRAIN_PLOTS} to train on (a contrastive batch needs many negatives).")
    first = slice(indptr[0], indptr[1])
    same_len = np.all(counts == counts[0])
    if same_len:
        k = counts[0]
        if (np.array_equal(indices.reshape(n, k), np.broadcast_to(indices[first], (n, k)))
                and np.array_equal(values.reshape(n, k), np.broadcast_to(values[first], (n, k)))):
            raise BotaclipError(
                "Every plot has the same taxa with the same values, so no relevé can be told "
                "from another and the contrastive task is impossible. Check the species "
                "matrix (a join that repeated one relevé?) or use relevés that differ.")
    return features, _Releves(indptr, indices, values), n_taxa, x, y


def _min_val(c: TrainConfig) -> int:
    return max(MIN_VAL_PLOTS, 5 * int(c.select_k))


def _train(features, species, x, y, c: TrainConfig, device, progress, checkpoint_dir, resume):
    features, rel, n_taxa, x, y = _prepare_inputs(features, species, x, y, c)
    train_idx, val_idx = block_split(x, y, c.block_m, c.val_fraction, seed=int(c.seed))
    if len(val_idx) < _min_val(c) or len(train_idx) < MIN_TRAIN_PLOTS:
        raise BotaclipError(
            f"The spatial split of {len(x)} plots into blocks of {c.block_m:g} m gave "
            f"{len(train_idx)} training and {len(val_idx)} validation plots; at least "
            f"{MIN_TRAIN_PLOTS} and {_min_val(c)} are needed. Use a smaller block size "
            f"(block_m) or a larger validation fraction (val_fraction={c.val_fraction}).")
    t = _Trainer(features, rel, train_idx, val_idx, n_taxa, c, device, progress)
    ks = t.ks
    fingerprint = _fingerprint(features, rel, n_taxa, train_idx, val_idx)
    cfg = {k: v for k, v in asdict(c).items() if k not in _RESUME_IGNORED}
    ckpt = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None

    history: list[dict] = []
    timings: list[float] = []
    best_state = None
    best_epoch, best_score, bad_epochs, stopped, start = 0, -math.inf, 0, False, 1
    if resume and ckpt is not None and ckpt.exists():
        s = _load_checkpoint(ckpt)
        if s.get("format") != CHECKPOINT_FORMAT or s.get("fingerprint") != fingerprint \
                or s.get("config") != cfg:
            raise BotaclipError(
                f"The checkpoint {ckpt} was made with other data or settings than this run; "
                "resume only with the same features, relevés and training settings, or "
                "delete the checkpoint (or train without resume) to start again.")
        t.load(s["trainer"])
        history, timings = list(s["history"]), list(s["timings"])
        best_state, best_epoch, best_score = s["best_state"], s["best_epoch"], s["best_score"]
        bad_epochs, stopped, start = s["bad_epochs"], s["stopped"], s["epoch"] + 1
        progress.info(f"Resuming training after epoch {s['epoch']} from {ckpt}.")
    else:
        if resume and ckpt is not None:
            progress.info(f"No checkpoint at {ckpt}; training from the start.")
        progress.report(0.0, "validating the untrained model")
        metrics0, _, _ = t.validate()
        history.append({"epoch": 0, "lr": 0.0, "train_loss": None, "train_contrastive": None,
                        "train_regulariser": None, **metrics0, "train_s": 0.0,
                        "val_s": 0.0, "seconds": 0.0})
        best_score = metrics0[f"val_R@{c.select_k}"]
        best_state = _clone_state(t.adapter, t.encoder, t.loss)
    progress.report((start - 1) / c.epochs, f"epoch {start - 1}/{c.epochs} val "
                    f"R@{c.select_k} {history[-1][f'val_R@{c.select_k}']:.3f}")

    patience = int(c.patience) if c.patience else 0
    epoch = start - 1
    for epoch in range(start, int(c.epochs) + 1):
        if stopped:
            break
        t0 = time.perf_counter()
        train_stats = t.train_epoch()
        t1 = time.perf_counter()
        metrics, _, _ = t.validate(exact=False)
        t2 = time.perf_counter()
        entry = {"epoch": epoch, **train_stats, **metrics, "train_s": t1 - t0, "val_s": t2 - t1,
                 "seconds": t2 - t0}
        history.append(entry)
        timings.append(t2 - t0)
        score = metrics[f"val_R@{c.select_k}"]
        if score > best_score:
            best_score, best_epoch, bad_epochs = score, epoch, 0
            best_state = _clone_state(t.adapter, t.encoder, t.loss)
        else:
            bad_epochs += 1
        if patience > 0 and bad_epochs >= patience:
            stopped = True
        if ckpt is not None:
            _save_checkpoint(ckpt, {
                "format": CHECKPOINT_FORMAT, "fingerprint": fingerprint, "config": cfg,
                "epoch": epoch, "trainer": t.state(), "history": history, "timings": timings,
                "best_state": best_state, "best_epoch": best_epoch, "best_score": best_score,
                "bad_epochs": bad_epochs, "stopped": stopped})
        progress.report(epoch / c.epochs,
                        f"epoch {epoch}/{c.epochs} loss {train_stats['train_loss']:.3f} val "
                        f"R@{c.select_k} {score:.3f}")
    if stopped:
        progress.report(1.0, f"stopped early after epoch {history[-1]['epoch']}: no better "
                        f"validation recall for {patience} epochs (best: epoch {best_epoch})")

    for m, sd in zip((t.adapter, t.encoder, t.loss), best_state):
        m.load_state_dict(sd)
    final, img, rel_emb = t.validate()
    adapter, encoder, loss = (m.to("cpu").eval() for m in (t.adapter, t.encoder, t.loss))
    by_epoch = {h["epoch"]: h for h in history}
    metrics = {"untrained": _metric_subset(by_epoch[0]),
               "best": _metric_subset(final),
               "chance": chance_recall(len(val_idx), ks)}
    return TrainResult(
        adapter=adapter, encoder=encoder, loss=loss, history=history, best_epoch=best_epoch,
        metrics=metrics, train_idx=np.asarray(train_idx), val_idx=np.asarray(val_idx),
        config=c, timings=timings, device=device.type, stopped_early=stopped,
        val_image_embeddings=l2_normalize(img).cpu().numpy(),
        val_releve_embeddings=l2_normalize(rel_emb).cpu().numpy(),
        extra={"n_plots": int(features.shape[0]), "n_variants": int(features.shape[1]),
               "n_taxa": int(n_taxa), "dim": int(features.shape[2]),
               "batches_per_epoch": t.batches_per_epoch})


def _save_checkpoint(path: Path, state: dict) -> None:
    with atomic_output(path) as tmp:
        torch.save(state, tmp)
