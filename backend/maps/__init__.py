"""Prediction maps from embeddings: features at points, estimators, spatial
cross-validation, block-wise raster prediction, and the metrics that judge them.

The stage's building blocks: ``metrics`` (AUC, TSS, Boyce, MAE, kappa...),
``points`` (the embedding at each point of a layer, with every unusable point counted and
named), ``targets`` (target fields read for a task, with clear errors), ``estimators``
(random forest, logistic, gradient boosting, MLP, class-balanced), ``background`` (background
points for presence-only data), ``cv`` (spatial block cross-validation with a buffer),
``applicability`` (the area of applicability, Meyer & Pebesma 2021) and ``predict_raster``
(block-wise prediction into a COG with uncertainty and applicability bands), joined by
``pipeline.predict_map`` behind ``botaclip predict``; ``predictor`` (a fitted predictor saved
to a file that cannot run code when read, on ``safe_store``) and ``apply`` (a saved predictor
mapped onto another embedding raster, behind ``botaclip apply``); ``from_ortho`` (an
orthophoto embedded on the way when no embedding raster is given). With a Dask scheduler the
block-wise prediction runs tile by tile (``predict_raster.on_tiles``, imported lazily).
Public names are re-exported here so that front doors import from ``backend.maps`` only.
"""

from .applicability import Aoa, fit_aoa
from .apply import apply_predictor
from .background import Background, draw_background
from .cv import CvResult, Fold, spatial_cv
from .estimators import ESTIMATORS, make_estimator
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
from .pipeline import PredictMapResult, predict_map
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
from .predict_raster import PredictResult, predict_raster
from .predictor import SavedPredictor, check_compatible, load_predictor, save_predictor
from .targets import Target, Targets, read_targets

__all__ = [
    "Aoa",
    "Background",
    "CvResult",
    "ESTIMATORS",
    "Fold",
    "PredictMapResult",
    "PredictResult",
    "SavedPredictor",
    "apply_predictor",
    "check_compatible",
    "load_predictor",
    "save_predictor",
    "draw_background",
    "fit_aoa",
    "make_estimator",
    "predict_map",
    "predict_raster",
    "spatial_cv",
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
