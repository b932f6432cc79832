"""Evaluation of embedding sources, the BotaCLIP paper's protocol on the user's data (behind
``botaclip evaluate``): the spectral baseline, the frozen backbone and the BotaCLIP model
compared as predictors of plant presence per taxon (TSS), occurrences (Boyce), abundance (MAE,
Spearman) and classes (macro-F1), by repeated spatial block cross-validation with a buffer on
the same folds for every source, and a paired test across folds.

Where things are: :mod:`.sources` (which sources, and why one is skipped), :mod:`.heldout`
(the plots a model trained on, left out of plant presence), :mod:`.data` (the tasks and their
targets), :mod:`.protocol` (the cross-validation), :mod:`.stats` (Wilcoxon, effect size, the
sentences), :mod:`.report` and :mod:`.boxplot` (evaluation.json, report.html),
:mod:`.pipeline` (:func:`evaluate_sources`, the steps in order).
"""

from .pipeline import EvaluationResult, PointLayer, evaluate_sources
from .sources import BOTACLIP, FROZEN, SPECTRAL, Source, SourceOptions, choose_sources
from .stats import Comparison, compare, rank_biserial

__all__ = ["evaluate_sources", "EvaluationResult", "PointLayer", "Source", "SourceOptions",
           "choose_sources", "SPECTRAL", "FROZEN", "BOTACLIP", "Comparison", "compare",
           "rank_biserial"]
