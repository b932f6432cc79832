"""What a training run did, for its callers: :class:`TrainSummary` (``botaclip train --json``
prints its ``to_dict()``, the dialogs and Processing show its figures) and the warning given
when the model does no better than chance.

The figure to quote is the test score (``metrics["test"]``: plots in their own spatial
blocks, used neither to train nor to choose the epoch); ``metrics["best"]`` is the
validation score of the epoch kept, which chose it and so flatters it (the selection score).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, fields
from pathlib import Path

from .metrics import mean_recall
from .report import format_duration
from .splits import buffer_text

NO_BETTER_THAN_CHANCE = (
    "The model does no better than chance: it finds the right relevé among its 10 nearest "
    "for {trained:.1f} % of the {n} test plots, and chance alone gives {chance:.1f} %. "
    "Check that the taxon columns hold taxa (not identifiers or measurements), that the "
    "relevés lie on the orthophoto in the same place (coordinates, CRS), and that the plots "
    "differ in what grows there.")


@dataclass
class TrainSummary:
    """What :func:`train_model` did; ``to_dict()`` is what ``botaclip train --json`` prints."""

    out: Path
    # recall@k; validation (selection): "untrained", "best", "chance"; test (the figure to
    # report): "test", "test_untrained", "test_chance"
    metrics: dict
    n_plots: int                    # plots used (usable)
    n_plots_total: int              # plots read
    left_out: dict                  # status -> count of plots not used
    n_taxa: int
    n_train: int                    # training plots (after the buffer)
    n_val: int                      # validation plots (choose the epoch)
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
    n_test: int = 0                 # test plots (the figure reported)
    n_buffer: int = 0               # training plots left out by the buffer
    buffer_m: float = 0.0           # the buffer between training and held-out plots
    test_fraction: float = 0.0
    heads_precision: str = ""       # the adapter's and encoder's training steps

    def recall(self, which: str = "test", k: int = 10) -> float:
        """Mean of image->relevé and relevé->image recall@k: ``which`` "test",
        "test_untrained", "test_chance" on the test plots, "best", "untrained", "chance" on
        the validation plots."""
        return mean_recall(self.metrics[which], k)

    def beats_chance(self, k: int = 10) -> bool:
        """Whether the trained model's image->relevé recall@k on the ``n_test`` test plots
        exceeds chance by more than two binomial standard errors of chance (a random ranking
        reaches that about once in 40 runs): below it, training found nothing that can be
        told from luck."""
        p = self.metrics["test_chance"][f"img2rel@{k}"]
        hit = self.metrics["test"][f"img2rel@{k}"]
        return hit > p + 2.0 * math.sqrt(p * (1.0 - p) / max(self.n_test, 1))

    def no_better_than_chance(self) -> str:
        """The warning :data:`NO_BETTER_THAN_CHANCE` with this run's figures."""
        return NO_BETTER_THAN_CHANCE.format(
            trained=100 * self.metrics["test"]["img2rel@10"],
            chance=100 * self.metrics["test_chance"]["img2rel@10"], n=self.n_test)

    def split_text(self) -> str:
        """The plots per role, the blocks and the buffer, in a sentence."""
        return (f"{self.n_plots} of {self.n_plots_total} plots used: {self.n_train} training, "
                f"{self.n_val} validation and {self.n_test} test plots in blocks of "
                f"{self.block_m:g} m; {buffer_text(self.n_buffer, self.buffer_m)}; "
                f"{self.n_taxa} taxa.")

    def to_dict(self) -> dict:
        d = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
             if f.name != "result"}             # asdict would deep-copy the whole TrainResult
        d["out"], d["report_html"] = str(self.out), str(self.report_html)
        d["val_recall@10"] = {w: self.recall(w) for w in ("chance", "untrained", "best")}
        d["test_recall@10"] = {w: self.recall(f"test_{w}" if w != "trained" else "test")
                               for w in ("chance", "untrained", "trained")}
        return d

    def text(self) -> str:
        lines = [
            f"Model written to {self.out} ({self.backbone}"
            + (", RANDOM backbone weights" if self.random_weights else "")
            + f", {self.precision}).",
            self.split_text(),
            f"Test recall@10 (held-out test plots, used neither to train nor to choose the "
            f"epoch): trained {self.recall('test'):.3f}, untrained "
            f"{self.recall('test_untrained'):.3f}, chance {self.recall('test_chance'):.3f}.",
            f"Validation recall@10 (the selection score: it chose epoch {self.best_epoch} of "
            f"{self.epochs_trained}): trained {self.recall('best'):.3f}, untrained "
            f"{self.recall('untrained'):.3f}, chance {self.recall('chance'):.3f}.",
            f"Report: {self.report_html}",
            f"Took {format_duration(self.seconds)}.",
        ]
        return "\n".join(lines)
