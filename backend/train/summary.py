"""What a training run did, for its callers: :class:`TrainSummary` (``botaclip train --json``
prints its ``to_dict()``, the dialogs and Processing show its figures) and the warning given
when the model does no better than chance.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, fields
from pathlib import Path

from .metrics import mean_recall
from .report import format_duration

NO_BETTER_THAN_CHANCE = (
    "The model does no better than chance: it finds the right relevé among its 10 nearest "
    "for {trained:.1f} % of the {n} validation plots, and chance alone gives {chance:.1f} %. "
    "Check that the taxon columns hold taxa (not identifiers or measurements), that the "
    "relevés lie on the orthophoto in the same place (coordinates, CRS), and that the plots "
    "differ in what grows there.")


@dataclass
class TrainSummary:
    """What :func:`train_model` did; ``to_dict()`` is what ``botaclip train --json`` prints."""

    out: Path
    metrics: dict                   # validation {"untrained", "best", "chance"}: recall@k
    n_plots: int                    # plots used (usable)
    n_plots_total: int              # plots read
    left_out: dict                  # status -> count of plots not used
    n_taxa: int
    n_train: int
    n_val: int
    block_m: float
    val_fraction: float
    best_epoch: int
    epochs_trained: int
    report_html: Path
    bundle_sha256: str
    backbone: str
    random_weights: bool
    precision: str
    seconds: float
    timings: dict = field(default_factory=dict)     # seconds per step
    features: dict = field(default_factory=dict)    # cache hits, computed plots, plots/s
    result: object = field(default=None, repr=False)  # the TrainResult (not serialised)

    def recall(self, which: str = "best", k: int = 10) -> float:
        """Mean of image->relevé and relevé->image recall@k on the validation plots."""
        return mean_recall(self.metrics[which], k)

    def beats_chance(self, k: int = 10) -> bool:
        """Whether the trained model's image->relevé recall@k on the ``n_val`` validation
        plots exceeds chance by more than two binomial standard errors of chance (a random
        ranking reaches that about once in 40 runs): below it, training found nothing that
        can be told from luck."""
        p, hit = self.metrics["chance"][f"img2rel@{k}"], self.metrics["best"][f"img2rel@{k}"]
        return hit > p + 2.0 * math.sqrt(p * (1.0 - p) / max(self.n_val, 1))

    def no_better_than_chance(self) -> str:
        """The warning :data:`NO_BETTER_THAN_CHANCE` with this run's figures."""
        return NO_BETTER_THAN_CHANCE.format(
            trained=100 * self.metrics["best"]["img2rel@10"],
            chance=100 * self.metrics["chance"]["img2rel@10"], n=self.n_val)

    def to_dict(self) -> dict:
        d = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
             if f.name != "result"}             # asdict would deep-copy the whole TrainResult
        d["out"], d["report_html"] = str(self.out), str(self.report_html)
        d["val_recall@10"] = {w: self.recall(w) for w in ("chance", "untrained", "best")}
        return d

    def text(self) -> str:
        lines = [
            f"Model written to {self.out} ({self.backbone}"
            + (", RANDOM backbone weights" if self.random_weights else "")
            + f", {self.precision}).",
            f"{self.n_plots} of {self.n_plots_total} plots used ({self.n_train} training, "
            f"{self.n_val} validation in blocks of {self.block_m:g} m), {self.n_taxa} taxa.",
            f"Validation recall@10: trained {self.recall('best'):.3f} (epoch "
            f"{self.best_epoch} of {self.epochs_trained}), untrained "
            f"{self.recall('untrained'):.3f}, chance {self.recall('chance'):.3f}.",
            f"Report: {self.report_html}",
            f"Took {format_duration(self.seconds)}.",
        ]
        return "\n".join(lines)
