"""Parameters the model algorithms share (train, embed): backbone, weights, device.

The weights file is optional: empty means the DOFA file is looked up in the weights folder of
BotaCLIP > Settings…; "random weights" (tests only) passes ``weights="none"`` to the backend,
which warns and records it in every output.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..compat import FILE_BEHAVIOR_FILE, PARAMETER_ADVANCED
from ..i18n import tr
from ..labels import (
    BACKBONE_LABELS,
    BACKBONES,
    DEVICE_LABELS,
    DEVICES,
    backbone_name,
    choice_label,
    needs_weights,
)
from ..settings import Settings
from .base import BotaclipAlgorithm

BACKBONE = "BACKBONE"
TIMM_MODEL = "TIMM_MODEL"
WEIGHTS = "WEIGHTS"
DOFA_SIZES = ("dofa-small", "dofa-base", "dofa-large")
RANDOM_WEIGHTS = "RANDOM_WEIGHTS"
DEVICE = "DEVICE"


class ModelAlgorithm(BotaclipAlgorithm):
    """An algorithm of the Model group (train, embed)."""

    def group(self) -> str:
        return tr("Model")

    def groupId(self) -> str:  # noqa: N802
        return "model"


def advanced(param):
    param.setFlags(param.flags() | PARAMETER_ADVANCED)
    return param


def weights_filter() -> str:
    return tr("Weights files (*.safetensors *.pth *.pt *.ckpt *.bin);;All files (*.*)")


def add_backbone_parameters(alg) -> None:
    """Backbone (enum), timm model name, weights file, random-weights switch."""
    alg.addParameter(QgsProcessingParameterEnum(
        BACKBONE, tr("Image backbone"), [choice_label(BACKBONE_LABELS, k) for k in BACKBONES],
        False, 0))
    alg.addParameter(advanced(QgsProcessingParameterString(
        TIMM_MODEL, tr("timm model name (for the timm backbone, e.g. resnet50)"), None, False,
        True)))
    alg.addParameter(QgsProcessingParameterFile(
        WEIGHTS, tr("Backbone weights file (empty: looked up in the weights folder of "
                    "BotaCLIP settings)"), FILE_BEHAVIOR_FILE, "", None, True, weights_filter()))
    alg.addParameter(QgsProcessingParameterBoolean(
        RANDOM_WEIGHTS, tr("Random weights (for testing only: the results mean nothing)"),
        False))


def backbone_help() -> str:
    """The help lines of the parameters of :func:`add_backbone_parameters`."""
    return tr(
        "Image backbone: the frozen image model. DOFA base (the default, recommended) reads "
        "any bands through their wavelengths; DOFA small is the fastest, DOFA large the "
        "largest; a timm model reads red, green and blue; the spectral baseline (band "
        "statistics) needs no weights and runs in seconds, to try a set-up.\n"
        "timm model name: for the timm backbone only, the model's name as timm spells it "
        "(e.g. resnet50; an advanced parameter).\n"
        "Backbone weights file: the backbone's checkpoint (.safetensors, .pth...); empty, "
        "the DOFA file is looked up in the weights folder of BotaCLIP settings.\n"
        "Random weights: seeded random backbone weights, to test a set-up without the "
        "weights file; the results mean nothing, and every output records it.")


def device_help() -> str:
    """The help line of the parameter of :func:`add_device_parameter`."""
    return tr(
        "Device: where the model runs. As in BotaCLIP settings (the default), Automatic (a "
        "CUDA GPU when PyTorch sees one), the CPU, or the GPU.")


def add_device_parameter(alg) -> None:
    alg.addParameter(QgsProcessingParameterEnum(
        DEVICE, tr("Device"), [tr("As in BotaCLIP settings")]
        + [choice_label(DEVICE_LABELS, d) for d in DEVICES], False, 0))


def backbone_kwargs(alg, parameters, context) -> dict:
    """``backbone``, ``weights`` and ``weights_dir`` for the backend."""
    key = BACKBONES[alg.parameterAsEnum(parameters, BACKBONE, context)]
    timm_name = alg.parameterAsString(parameters, TIMM_MODEL, context).strip()
    if key == "timm" and not timm_name:
        raise QgsProcessingException(tr(
            "Give the timm model's name (e.g. resnet50) for the timm backbone."))
    if alg.parameterAsBool(parameters, RANDOM_WEIGHTS, context) and needs_weights(key):
        weights = "none"
    else:
        weights = alg.parameterAsFile(parameters, WEIGHTS, context).strip() or None
    return {"backbone": backbone_name(key, timm_name), "weights": weights,
            "weights_dir": Settings().weights_folder or None}


def device_value(alg, parameters, context) -> str:
    index = alg.parameterAsEnum(parameters, DEVICE, context)
    return Settings().device if index == 0 else DEVICES[index - 1]


def embed_cache_dir() -> str | None:
    """Where interrupted embedding runs keep their state (to resume): ``embed`` in the cache
    folder of the settings."""
    folder = Settings().cache_folder
    return str(Path(folder) / "embed") if folder else None


def embed_raster_with_settings(*, weights_dir=None, **kwargs):
    """``backend.embed.embed_raster`` with the weights folder of the settings
    (:func:`with_weights_file`). Runs in the task's thread."""
    from ...backend.embed import embed_raster

    return embed_raster(**with_weights_file(kwargs, weights_dir))


def with_weights_file(kwargs: dict, weights_dir) -> dict:
    """``kwargs`` with ``weights`` set to the DOFA file found in ``weights_dir`` (by the
    backend's own lookup) when no weights file is given for a raw DOFA backbone: the backend
    looks DOFA weights up only in its default folder."""
    name = str(kwargs.get("backbone") or "").lower()
    if weights_dir and kwargs.get("weights") is None and name in DOFA_SIZES:
        from ...backend.models.weights import find_dofa_weights

        kwargs = {**kwargs, "weights": str(find_dofa_weights(name, weights_dir))}
    return kwargs
