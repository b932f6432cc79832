"""Labels for people that the dialogs and the Processing algorithms share."""

from __future__ import annotations

from .i18n import tr, translatable

# The backend's cover scales (backend.releves.SCALES) with a label for people.
COVER_SCALE_LABELS = {
    "auto": translatable("Automatic (detected from the values)"),
    "presence": translatable("Presence / absence (1/0, x, yes/no)"),
    "percent": translatable("Percent cover (0-100)"),
    "fraction": translatable("Fraction of cover (0-1)"),
    "braun-blanquet": translatable("Braun-Blanquet codes (r, +, 1, 2m, 2a, 2b, 3, 4, 5)"),
    "count": translatable("Counts (individuals)"),
}


def cover_scales() -> list[str]:
    """The backend's cover scale names, in its order (``auto`` first)."""
    from ..backend.releves import SCALES

    return list(SCALES)


def cover_scale_label(scale: str) -> str:
    return tr(COVER_SCALE_LABELS.get(scale, scale))


def sensor_choices() -> list[tuple[str | None, str]]:
    """(preset name, or None for automatic; label) for every sensor preset."""
    from ..backend.io.presets import list_presets

    choices = [(None, tr("Automatic (from the band names or colours)"))]
    for name, preset in list_presets().items():
        choices.append((name, f"{name}: {preset.get('label', name)}"))
    return choices


# Image backbones (backend.models.backbones); "timm" stands for "timm:<name given apart>".
BACKBONE_LABELS = {
    "dofa-base": translatable("DOFA base (768 dimensions, recommended)"),
    "dofa-small": translatable("DOFA small (384 dimensions, fastest)"),
    "dofa-large": translatable("DOFA large (1024 dimensions)"),
    "spectral": translatable("Spectral baseline (band statistics, no weights needed)"),
    "timm": translatable("timm model (RGB only; give its name)"),
}
BACKBONES = tuple(BACKBONE_LABELS)


def backbone_name(key: str, timm_name: str = "") -> str:
    """The backend's backbone name: ``key``, or ``timm:<timm_name>`` for ``timm``."""
    return f"timm:{timm_name.strip()}" if key == "timm" else key


def needs_weights(key: str) -> bool:
    """Whether a backbone needs a weights file (the spectral baseline does not)."""
    return key != "spectral"


DEVICE_LABELS = {
    "auto": translatable("Automatic (the GPU if there is one)"),
    "cpu": translatable("CPU"),
    "cuda": translatable("GPU (CUDA)"),
}
DEVICES = tuple(DEVICE_LABELS)

PRECISION_LABELS = {
    "auto": translatable("Automatic (bfloat16 where it agrees with float32)"),
    "float32": translatable("float32 (exact, slower)"),
    "bfloat16": translatable("bfloat16 (faster; checked against float32)"),
    # last, so that the Processing enum's indices of the others stay what they were; never
    # chosen by auto: with DOFA base it changed the nearest neighbour of 12 % of the patches
    "int8": translatable("int8 (CPU only; fastest on some CPUs but changes some results; "
                         "checked against float32)"),
}
PRECISIONS = tuple(PRECISION_LABELS)

DTYPE_LABELS = {
    "float16": translatable("float16 (half the disk space)"),
    "float32": translatable("float32"),
}
DTYPES = tuple(DTYPE_LABELS)


def choice_label(labels: dict, key: str) -> str:
    return tr(labels.get(key, key))

# How covers are turned into the relevé encoder's input (backend.releves.TRANSFORMS).
TRANSFORM_LABELS = {
    "presence": translatable("Presence / absence"),
    "sqrt": translatable("Square root of cover"),
    "log": translatable("Logarithm of cover (log 1 + x)"),
    "hellinger": translatable("Hellinger (square root of relative cover)"),
    "none": translatable("Covers as they are"),
}


def cover_transforms() -> list[str]:
    """The backend's cover transforms, in its order."""
    from ..backend.releves import TRANSFORMS

    return list(TRANSFORMS)

# Prediction map tasks and estimators (backend.maps.metrics.TASKS, backend.maps.estimators.
# ESTIMATORS, same order; not imported: the plugin imports no backend module while QGIS
# loads it; tests/test_processing_maps.py checks that they agree).
TASK_LABELS = {
    "presence": translatable("Presence / absence (0/1 field): probability of presence"),
    "presence-only": translatable("Presence only (every point a presence): "
                                  "relative suitability against background points"),
    "abundance": translatable("Abundance or cover (numbers): predicted value"),
    "classes": translatable("Classes (text or codes): most probable class"),
}
TASKS = tuple(TASK_LABELS)

ESTIMATOR_LABELS = {
    "rf": translatable("Random forest (recommended)"),
    "logistic": translatable("Logistic / ridge regression (linear)"),
    "hgb": translatable("Histogram gradient boosting"),
    "mlp": translatable("Multilayer perceptron (small neural network)"),
}
ESTIMATORS = tuple(ESTIMATOR_LABELS)
