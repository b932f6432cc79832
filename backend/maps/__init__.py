"""Prediction maps from embeddings: features at points, estimators, spatial
cross-validation, block-wise raster prediction, and the metrics that judge them.

So far the stage holds its foundations: ``metrics`` (AUC, TSS, Boyce, MAE, kappa...),
``points`` (the embedding at each point of a layer, with every unusable point counted and
named) and ``targets`` (target fields read for a task, with clear errors). The estimators,
cross-validation, raster prediction and the predict / apply / evaluate front doors come next.
Public names are re-exported here so that front doors import from ``backend.maps`` only.
"""

from .metrics import (
    TASKS,
    accuracy,
    auc,
    boyce,
    confusion_matrix,
    f1,
    kappa,
    macro_f1,
    mae,
    metrics_for,
    r2,
    rmse,
    sensitivity,
    spearman,
    specificity,
    tss,
)
from .points import (
    NO_LOCATION,
    NODATA,
    OUTSIDE,
    USABLE,
    PointFeatures,
    features_at_points,
    nearest_pixels,
    read_pixels,
)
from .targets import Target, Targets, read_targets

__all__ = [
    "NODATA",
    "NO_LOCATION",
    "OUTSIDE",
    "USABLE",
    "PointFeatures",
    "Target",
    "Targets",
    "features_at_points",
    "nearest_pixels",
    "read_pixels",
    "read_targets",
    "TASKS",
    "accuracy",
    "auc",
    "boyce",
    "confusion_matrix",
    "f1",
    "kappa",
    "macro_f1",
    "mae",
    "metrics_for",
    "r2",
    "rmse",
    "sensitivity",
    "spearman",
    "specificity",
    "tss",
]
