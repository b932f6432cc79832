"""Processing algorithm ``botaclip:train``: train a BotaCLIP model on an orthophoto and
relevés, into a model folder (bundle) with a training report."""

from __future__ import annotations

import math

from qgis.core import (
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)

from ..compat import NUMBER_DOUBLE, NUMBER_INTEGER
from ..i18n import tr
from ..labels import TRANSFORM_LABELS, choice_label, cover_transforms
from ..settings import Settings
from .modelparams import (
    ModelAlgorithm,
    add_backbone_parameters,
    add_device_parameter,
    advanced,
    backbone_kwargs,
    device_value,
)

# backend.train.DEFAULT_COVER_TRANSFORM, not imported: the plugin imports no backend module
# while QGIS loads it (tests/test_dialog_traps.py checks that the two agree)
DEFAULT_TRANSFORM = "sqrt"

# (output name, metrics entry, key) of the validation recalls reported as numbers
RECALL_OUTPUTS = (
    ("RECALL_IMG2REL_10", "best", "img2rel@10"),
    ("RECALL_REL2IMG_10", "best", "rel2img@10"),
    ("UNTRAINED_IMG2REL_10", "untrained", "img2rel@10"),
    ("UNTRAINED_REL2IMG_10", "untrained", "rel2img@10"),
    ("CHANCE_10", "chance", "img2rel@10"),
)


def metric(summary, entry: str, key: str) -> float:
    """``summary.metrics[entry][key]`` as a float (NaN when absent)."""
    try:
        value = (summary.metrics or {}).get(entry, {}).get(key)
        return float(value) if value is not None else math.nan
    except (AttributeError, TypeError, ValueError):
        return math.nan


class TrainAlgorithm(ModelAlgorithm):
    # ORTHO ... PATCH_M: see BotaclipAlgorithm
    COVER_TRANSFORM = "COVER_TRANSFORM"
    EPOCHS = "EPOCHS"
    SEED = "SEED"
    MIN_VALID = "MIN_VALID"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"

    def name(self) -> str:
        return "train"

    def displayName(self) -> str:  # noqa: N802
        return tr("Train BotaCLIP model")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Trains a BotaCLIP model: it teaches a frozen Earth-observation image model "
            "(DOFA) what the vegetation relevés say about the image around each plot. A "
            "light adapter on the image features and a relevé encoder are trained together so "
            "that the image patch of a plot and its list of taxa get similar embeddings.\n\n"
            "Relevés: one point (or polygon) per plot with one numeric column per taxon. "
            "Taxon columns: by default every numeric column except the plot id and "
            "coordinates. At least 100 usable plots are needed (half of them, in separate "
            "spatial blocks, check the model while it trains).\n\n"
            "Sensor or wavelengths give each band its wavelength (see 'Check orthophoto and "
            "relevés'). Patch size: side of the square of image around each plot, in "
            "metres. Backbone: DOFA base is the reference; its weights file is looked up in "
            "the weights folder of BotaCLIP settings unless you give one. The spectral "
            "baseline needs no weights. Random weights are for testing the set-up only.\n\n"
            "The backbone runs once per plot (and per flip and rotation of its patch); its "
            "features are cached, so a second training on the same data starts at once. "
            "Training stops early when the validation recall stops improving.\n\n"
            "Outputs: the model folder (used by 'Embed orthophoto'), an HTML report with the "
            "loss curves and the validation recall@1/5/10 of the trained model, the untrained "
            "model and chance, and these recalls as numbers.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_releve_parameters()
        transforms = cover_transforms()
        self.addParameter(advanced(QgsProcessingParameterEnum(
            self.COVER_TRANSFORM, tr("Cover transform for the relevé encoder"),
            [choice_label(TRANSFORM_LABELS, t) for t in transforms], False,
            transforms.index(DEFAULT_TRANSFORM))))
        self.add_band_parameters()
        add_backbone_parameters(self)
        self.addParameter(QgsProcessingParameterNumber(
            self.EPOCHS, tr("Epochs (at most; training stops early when it no longer "
                            "improves)"), NUMBER_INTEGER, 50, False, 1, 10000))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, tr("Random seed"), NUMBER_INTEGER, 0, False, 0, 2**31 - 1))
        add_device_parameter(self)
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.MIN_VALID, tr("Minimum valid fraction of a patch"), NUMBER_DOUBLE, 0.8,
            False, 0.0, 1.0)))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT, tr("Model folder")))
        self.addOutput(QgsProcessingOutputHtml(self.REPORT, tr("Training report")))
        self.addOutput(QgsProcessingOutputNumber(
            "RECALL_IMG2REL_10", tr("Validation recall@10, image to relevé (trained)")))
        self.addOutput(QgsProcessingOutputNumber(
            "RECALL_REL2IMG_10", tr("Validation recall@10, relevé to image (trained)")))
        self.addOutput(QgsProcessingOutputNumber(
            "UNTRAINED_IMG2REL_10", tr("Validation recall@10, image to relevé (untrained)")))
        self.addOutput(QgsProcessingOutputNumber(
            "UNTRAINED_REL2IMG_10", tr("Validation recall@10, relevé to image (untrained)")))
        self.addOutput(QgsProcessingOutputNumber("CHANCE_10",
                                                 tr("Validation recall@10 by chance")))
        self.addOutput(QgsProcessingOutputNumber("N_PLOTS", tr("Plots used")))
        self.addOutput(QgsProcessingOutputNumber("N_TAXA", tr("Taxa")))
        self.addOutput(QgsProcessingOutputNumber("BEST_EPOCH", tr("Best epoch")))

    def run_backend(self, parameters, context, progress):
        from ...backend.train import train_model

        inputs = self.releve_inputs(parameters, context)
        bands = self.band_kwargs(parameters, context)
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        summary = train_model(
            out=out, **inputs, **bands,
            **backbone_kwargs(self, parameters, context),
            epochs=self.parameterAsInt(parameters, self.EPOCHS, context),
            seed=self.parameterAsInt(parameters, self.SEED, context),
            device=device_value(self, parameters, context),
            cover_transform=cover_transforms()[
                self.parameterAsEnum(parameters, self.COVER_TRANSFORM, context)],
            min_valid=self.parameterAsDouble(parameters, self.MIN_VALID, context),
            cache_dir=Settings().cache_folder or None, progress=progress)
        results = {self.OUTPUT: str(summary.out), self.REPORT: str(summary.report_html),
                   "N_PLOTS": summary.n_plots, "N_TAXA": summary.n_taxa,
                   "BEST_EPOCH": summary.best_epoch}
        for name, entry, key in RECALL_OUTPUTS:
            results[name] = metric(summary, entry, key)
        for line in summary.text().splitlines():
            progress.info(line)
        return results

