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
from ..i18n import tr, translatable
from ..labels import TRANSFORM_LABELS, choice_label, cover_transforms
from ..settings import Settings
from .modelparams import (
    ModelAlgorithm,
    add_backbone_parameters,
    add_device_parameter,
    advanced,
    backbone_help,
    backbone_kwargs,
    device_help,
    device_value,
)

# backend.train.DEFAULT_COVER_TRANSFORM, not imported: the plugin imports no backend module
# while QGIS loads it (tests/test_dialog_traps.py checks that the two agree)
DEFAULT_TRANSFORM = "sqrt"

# (output name, metrics entry, key, description) of the recalls reported as numbers. The
# names are those of earlier versions; RECALL_*, UNTRAINED_* and CHANCE_10 are now the
# held-out TEST plots (earlier: the validation plots, which chose the epoch and flatter the
# model); the validation figures, the selection score, are the VAL_* outputs.
RECALL_OUTPUTS = (
    ("RECALL_IMG2REL_10", "test", "img2rel@10",
     translatable("Test recall@10, image to relevé (trained)")),
    ("RECALL_REL2IMG_10", "test", "rel2img@10",
     translatable("Test recall@10, relevé to image (trained)")),
    ("UNTRAINED_IMG2REL_10", "test_untrained", "img2rel@10",
     translatable("Test recall@10, image to relevé (untrained)")),
    ("UNTRAINED_REL2IMG_10", "test_untrained", "rel2img@10",
     translatable("Test recall@10, relevé to image (untrained)")),
    ("CHANCE_10", "test_chance", "img2rel@10", translatable("Test recall@10 by chance")),
    ("VAL_RECALL_IMG2REL_10", "best", "img2rel@10",
     translatable("Validation recall@10, image to relevé (trained; chose the epoch)")),
    ("VAL_RECALL_REL2IMG_10", "best", "rel2img@10",
     translatable("Validation recall@10, relevé to image (trained; chose the epoch)")),
    ("VAL_CHANCE_10", "chance", "img2rel@10", translatable("Validation recall@10 by chance")),
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
    BUFFER_M = "BUFFER_M"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"

    def name(self) -> str:
        return "train"

    def displayName(self) -> str:  # noqa: N802
        return tr("Train BotaCLIP model")

    def shortHelpString(self) -> str:  # noqa: N802
        return "\n".join((tr(
            "Trains a BotaCLIP model: it teaches a frozen Earth-observation image model "
            "(DOFA) what the vegetation relevés say about the image around each plot. A "
            "light adapter on the image features and a relevé encoder are trained together so "
            "that the image patch of a plot and its list of taxa get similar embeddings. The "
            "backbone runs once per plot (and per flip and rotation of its patch); its "
            "features are cached, so a second training on the same data starts at once.\n"
            "At least 150 usable plots are needed: 50 each to train, to choose the epoch kept "
            "(validation) and to test the model (the figures reported); by default 60 %, 20 % "
            "and 20 % of the plots, in separate spatial blocks.\n\n"
            "Inputs"),
            self.releve_help(), tr(
            "Cover transform for the relevé encoder: how covers are fed to it (an advanced "
            "parameter); the square root of cover (the default) keeps rare taxa visible "
            "beside dominant ones."),
            self.band_help(), backbone_help(), tr(
            "Epochs: passes over the training plots, at most (default 50): training stops "
            "early when the validation recall no longer improves, so a high value costs "
            "little.\n"
            "Random seed: the same seed gives the same split of the plots and the same "
            "model (default 0)."),
            device_help(), tr(
            "Minimum valid fraction of a patch: the share of a plot's patch that must hold "
            "image pixels for the plot to be used (0 to 1, default 0.8).\n"
            "Buffer between training and held-out plots: training plots closer than this "
            "(in metres; empty, the patch size) to a validation or test plot are left out, "
            "so that no training patch overlaps a held-out one.\n"
            "Model folder: the folder to write the model into (config.json, the trained "
            "weights, the report); 'Embed orthophoto' reads it.\n\n"
            "Outputs\n"
            "Model folder: the trained model.\n"
            "Training report: an HTML page with the loss curves and the recall@1/5/10 of the "
            "trained model, the untrained model and chance.\n"
            "Recall@10 is the share of plots whose own relevé is among the 10 nearest to "
            "their image (image to relevé) or whose image is among the 10 nearest to their "
            "relevé (relevé to image). Test recall@10 (of the trained and the untrained "
            "model) and Test recall@10 by chance are measured on the test plots, which chose "
            "nothing: the figures to report. Validation recall@10 (trained) and Validation "
            "recall@10 by chance are measured on the validation plots, which chose the epoch "
            "and so flatter the model.\n"
            "Plots used, Test plots, Training plots left out by the buffer, Taxa and Best "
            "epoch: where the plots went and when training peaked.")))

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
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.BUFFER_M, tr("Buffer between training and held-out plots, in metres "
                              "(empty: the patch size)"), NUMBER_DOUBLE, None, True, 0.0)))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT, tr("Model folder")))
        self.addOutput(QgsProcessingOutputHtml(self.REPORT, tr("Training report")))
        for name, _entry, _key, description in RECALL_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, tr(description)))
        self.addOutput(QgsProcessingOutputNumber("N_PLOTS", tr("Plots used")))
        self.addOutput(QgsProcessingOutputNumber("N_TEST", tr("Test plots")))
        self.addOutput(QgsProcessingOutputNumber(
            "N_BUFFER", tr("Training plots left out by the buffer")))
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
            buffer_m=self.buffer_value(parameters, context),
            cache_dir=Settings().cache_folder or None, progress=progress)
        results = {self.OUTPUT: str(summary.out), self.REPORT: str(summary.report_html),
                   "N_PLOTS": summary.n_plots, "N_TAXA": summary.n_taxa,
                   "BEST_EPOCH": summary.best_epoch, "N_TEST": summary.n_test,
                   "N_BUFFER": summary.n_buffer}
        for name, entry, key, _description in RECALL_OUTPUTS:
            results[name] = metric(summary, entry, key)
        for line in summary.text().splitlines():
            progress.info(line)
        return results


    def buffer_value(self, parameters, context) -> float | None:
        """The buffer in metres, or None (empty: the patch size)."""
        value = parameters.get(self.BUFFER_M)
        if value is None or value == "":
            return None
        return self.parameterAsDouble(parameters, self.BUFFER_M, context)
