"""Estimators that map embeddings to a target: random forest (the paper's, the default),
logistic regression, histogram gradient boosting and a multilayer perceptron, all from
scikit-learn, one classifier and one regressor each.

Occurrence data are imbalanced (a plant present at 5 % of the plots), and an unweighted
classifier then learns to say "absent" everywhere, which maximises accuracy and maps nothing.
Each class is therefore weighted inversely to its frequency ("balanced": weight
``n / (k * n_class)``), for presence, presence-only and classes alike:

- rf, logistic, hgb take ``class_weight="balanced"`` themselves;
- mlp has no ``class_weight``: :func:`fit_estimator` passes the same balanced weights as
  ``sample_weight`` to its fit (scikit-learn >= 1.7), which weights the loss identically.

Regression (task ``abundance``) uses the matching regressor: random forest, ridge (the linear
counterpart of logistic regression), histogram gradient boosting and an MLP regressor; no
weights. Linear models and the MLP see standardised features (a pipeline with a
``StandardScaler``), since embedding dimensions differ in scale and both are fitted by
gradient steps or penalties that assume comparable scales; trees do not need it.

:func:`predict_scores` gives one array per task: the probability of presence (1-d), the
predicted abundance (1-d) or class probabilities (n, k) with columns in code order 0..k-1,
which is what :func:`..maps.metrics.metrics_for` and the raster writer expect.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import BotaclipError
from .metrics import TASKS

ESTIMATORS = ("rf", "logistic", "hgb", "mlp")
DEFAULT_ESTIMATOR = "rf"

# A forest of 500 trees: the paper's random forests (and R's randomForest default ntree=500);
# beyond a few hundred trees the out-of-bag error of embedding features no longer changes.
RF_TREES = 500
# Enough iterations for lbfgs to converge on standardised embeddings of a few thousand points.
LINEAR_MAX_ITER = 2000
# One hidden layer of 128 units with early stopping: embeddings are already a learnt
# representation, so a small head suffices and early stopping guards a few hundred points.
MLP_HIDDEN = (128,)
MLP_MAX_ITER = 500


def _check(name: str, task: str) -> None:
    if name not in ESTIMATORS:
        raise BotaclipError(f"Unknown estimator {name!r}; use one of {', '.join(ESTIMATORS)} "
                            f"(default {DEFAULT_ESTIMATOR}, a random forest as in the paper).")
    if task not in TASKS:
        raise BotaclipError(f"Unknown task {task!r}; use one of {', '.join(TASKS)}.")


def make_estimator(name: str, task: str, *, seed: int, n_jobs: int | None = None,
                   n_classes: int | None = None, trees: int | None = None):
    """An unfitted scikit-learn estimator ``name`` (one of :data:`ESTIMATORS`) for ``task``
    (one of :data:`..maps.metrics.TASKS`), seeded with ``seed`` so that a run repeats.

    ``n_jobs``: cores for the estimators that use several (rf; None: all of them, see
    :func:`cores`). ``n_classes`` is only checked (a classes task needs at least 2). Fit it
    with :func:`fit_estimator`, which adds the balanced sample weights the mlp needs.
    ``trees``: the forest's size (rf only; None: :data:`RF_TREES`)."""
    _check(name, task)
    n_jobs = cores(n_jobs)
    if task == "classes" and n_classes is not None and n_classes < 2:
        raise BotaclipError(f"A classes target needs at least 2 classes, not {n_classes}; "
                            "choose a field with several categories.")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    seed = int(seed)
    trees = int(trees or RF_TREES)
    if task == "abundance":
        return _regressor(name, seed, n_jobs, make_pipeline, StandardScaler, trees)
    if name == "rf":
        from sklearn.ensemble import RandomForestClassifier
        return RandomForestClassifier(n_estimators=trees, class_weight="balanced",
                                      n_jobs=n_jobs, random_state=seed)
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression
        return make_pipeline(StandardScaler(), LogisticRegression(
            class_weight="balanced", max_iter=LINEAR_MAX_ITER, random_state=seed))
    if name == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier
        return HistGradientBoostingClassifier(class_weight="balanced", random_state=seed)
    from sklearn.neural_network import MLPClassifier
    return make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=MLP_HIDDEN, max_iter=MLP_MAX_ITER, early_stopping=True,
        random_state=seed))


def cores(n_jobs: int | None) -> int:
    """The CPU cores ``n_jobs`` stands for: None means all of them (a forest of 500 trees is
    the slowest step of a map and its trees are independent, so every core shortens it);
    a negative number counts back from all, as in scikit-learn (-1: all, -2: all but one)."""
    n = os.cpu_count() or 1
    if n_jobs is None:
        return n
    n_jobs = int(n_jobs)
    return max(1, n + 1 + n_jobs) if n_jobs < 0 else max(1, n_jobs)


def _regressor(name, seed, n_jobs, make_pipeline, scaler, trees=RF_TREES):
    """The regression counterpart of ``name`` (see the module docstring)."""
    if name == "rf":
        from sklearn.ensemble import RandomForestRegressor
        return RandomForestRegressor(n_estimators=trees, n_jobs=n_jobs, random_state=seed)
    if name == "logistic":
        from sklearn.linear_model import Ridge
        return make_pipeline(scaler(), Ridge())
    if name == "hgb":
        from sklearn.ensemble import HistGradientBoostingRegressor
        return HistGradientBoostingRegressor(random_state=seed)
    from sklearn.neural_network import MLPRegressor
    return make_pipeline(scaler(), MLPRegressor(
        hidden_layer_sizes=MLP_HIDDEN, max_iter=MLP_MAX_ITER, early_stopping=True,
        random_state=seed))


def balanced_weights(y) -> np.ndarray:
    """Per-point weights ``n / (k * n_class)``: every class weighs as much in total."""
    y = np.asarray(y)
    labels, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    return (len(y) / (len(labels) * counts))[inverse.reshape(-1)]


def fit_estimator(model, x, y, task: str):
    """Fit ``model`` (from :func:`make_estimator`) on features ``x`` (n, d) and target ``y``
    and return it. Classification targets are integer codes; the mlp, which has no
    ``class_weight``, gets :func:`balanced_weights` as ``sample_weight``."""
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y)
    if task == "abundance":
        return model.fit(x, y.astype("float64"))
    y = y.astype("int64")
    if len(np.unique(y)) < 2:
        raise BotaclipError(f"Cannot fit a classifier on {len(y)} points that all hold the "
                            f"value {int(y[0]) if len(y) else 'none'}: the target needs at "
                            "least two classes among the training points.")
    from sklearn.neural_network import MLPClassifier

    steps = getattr(model, "steps", None)
    if steps and isinstance(steps[-1][1], MLPClassifier):
        return model.fit(x, y, **{f"{steps[-1][0]}__sample_weight": balanced_weights(y)})
    return model.fit(x, y)


def predict_scores(model, x, task: str, n_classes: int | None = None) -> np.ndarray:
    """The model's prediction for ``task``: probability of code 1 (presence, presence-only),
    the value (abundance), or an (n, n_classes) probability matrix whose column j is code j
    (a class absent from the training points gets probability 0)."""
    x = np.asarray(x, dtype="float32")
    if task == "abundance":
        return np.asarray(model.predict(x), dtype="float64")
    proba = np.asarray(model.predict_proba(x), dtype="float64")
    seen = np.asarray(model.classes_, dtype="int64")
    k = int(n_classes) if n_classes is not None else int(seen.max()) + 1
    if task != "classes":
        k = 2
    out = np.zeros((len(x), k))
    out[:, seen] = proba
    return out[:, 1] if task != "classes" else out
