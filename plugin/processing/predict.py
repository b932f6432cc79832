"""Processing algorithm ``botaclip:predict``: a prediction map (probability, abundance or
classes, with uncertainty and applicability bands) from an embedding raster and points, with
its cross-validated metrics as numbers, so that it chains after ``botaclip:embed`` in the
Graphical Modeler and its figures can feed later steps."""

from __future__ import annotations

import math

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)

from ..compat import (
    FIELD_TYPE_ANY,
    FILE_BEHAVIOR_FOLDER,
    NUMBER_DOUBLE,
    NUMBER_INTEGER,
    SOURCE_VECTOR_POINT,
)
from ..i18n import tr, translatable
from ..labels import ESTIMATOR_LABELS, ESTIMATORS, TASK_LABELS, TASKS, choice_label
from ..layers import style_prediction_layer
from .base import BotaclipAlgorithm
from .modelparams import advanced

# What a saved predictor file is called (backend.maps.predictor writes a zip of JSON and
# numpy arrays that loads without running code).
PREDICTOR_FILTER = translatable("BotaCLIP predictor (*.zip);;All files (*.*)")

# (output name, metric key in metrics.json, description): the cross-validated figures of the
# first target, NaN where the task has no such metric (e.g. AUC of an abundance map)
METRIC_OUTPUTS = (
    ("AUC", "auc", translatable("AUC (presence)")),
    ("TSS", "tss", translatable("True skill statistic, TSS (presence)")),
    ("F1", "f1", translatable("F1 at the TSS threshold (presence)")),
    ("BOYCE", "boyce", translatable("Boyce index (presence only)")),
    ("MAE", "mae", translatable("Mean absolute error (abundance)")),
    ("RMSE", "rmse", translatable("Root mean square error (abundance)")),
    ("SPEARMAN", "spearman", translatable("Spearman correlation (abundance)")),
    ("R2", "r2", translatable("R² (abundance)")),
    ("ACCURACY", "accuracy", translatable("Accuracy (classes)")),
    ("MACRO_F1", "macro_f1", translatable("Macro-averaged F1 (classes)")),
    ("KAPPA", "kappa", translatable("Cohen's kappa (classes)")),
)


class MapAlgorithm(BotaclipAlgorithm):
    """An algorithm of the Prediction maps group (predict, apply, evaluate)."""

    def group(self) -> str:
        return tr("Prediction maps")

    def groupId(self) -> str:  # noqa: N802
        return "maps"

    def optional_number(self, parameters, name: str, context, kind=float):
        """The value of an optional number parameter, or None when it was left empty."""
        if parameters.get(name) in (None, ""):
            return None
        if kind is int:
            return self.parameterAsInt(parameters, name, context)
        return self.parameterAsDouble(parameters, name, context)


def metric_value(metrics: dict, key: str) -> float:
    """``metrics[key]`` as a float, NaN when absent or not a number."""
    value = (metrics or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def n_jobs() -> int:
    """Cores for the estimators: BotaCLIP's thread setting, all of them when automatic."""
    from ..settings import Settings

    return Settings().threads or -1


class PredictAlgorithm(MapAlgorithm):
    EMBEDDINGS = "EMBEDDINGS"
    ORTHO = "ORTHO"
    MODEL = "MODEL"
    STRIDE_M = "STRIDE_M"
    POINTS = "POINTS"
    TARGETS = "TARGETS"
    TASK = "TASK"
    ESTIMATOR = "ESTIMATOR"
    FOLDS = "FOLDS"
    BUFFER_M = "BUFFER_M"
    BLOCK_M = "BLOCK_M"
    BACKGROUND = "BACKGROUND"
    SEED = "SEED"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"
    PREDICTOR = "PREDICTOR"

    def name(self) -> str:
        return "predict"

    def displayName(self) -> str:  # noqa: N802
        return tr("Predict map")

    def shortHelpString(self) -> str:  # noqa: N802
        return tr(
            "Maps a plant, a habitat or any field of a point layer from an embedding raster "
            "(made by 'Embed orthophoto'): the embedding is read at every point, an "
            "estimator learns the field from it and predicts every pixel of the raster. The "
            "estimator is judged by spatial block cross-validation: the points are grouped "
            "in square blocks, the blocks dealt into folds, and training points closer than "
            "the buffer to a test point are left out, so that no test point is judged by a "
            "neighbour seen in training. Points outside the raster or on no-data are counted "
            "and named in the log, never dropped silently.\n\n"
            "Inputs\n"
            "Embedding raster: made by 'Embed orthophoto' (one band per dimension).\n"
            "Orthophoto, embedded on the way, with a Model folder: instead of an embedding "
            "raster; the orthophoto is embedded into PRED.embeddings.tif beside the map "
            "(kept, and reused by a later run with the same inputs), and the embedding at "
            "each point is that of the patch centred exactly on it.\n"
            "Embedding stride in metres: with the orthophoto, the pixel size of that "
            "embedding (an advanced parameter; empty, half the model's patch side).\n"
            "Points: your observations, one point each.\n"
            "Target field: the field to map; several only for abundance (one band each); "
            "none for presence only.\n"
            "Task: presence (a 0/1 field: the probability of presence), presence only (every "
            "point a presence, compared with background points drawn from the raster), "
            "abundance (numbers: the predicted value) or classes (text or codes: one "
            "probability per class and the most probable class).\n"
            "Estimator: the model fitted to the embeddings at the points; the random forest "
            "(the default: 500 trees, classes balanced) needs no tuning, the others are "
            "there to compare.\n"
            "Spatial cross-validation folds: how many folds the blocks are dealt into "
            "(default 5).\n"
            "Buffer around test points: in metres; empty, the embedding's patch side, since "
            "two points closer than that were seen through the same pixels.\n"
            "Side of the spatial blocks: in metres; empty, 5 pixels and at least twice the "
            "buffer.\n"
            "Background points for presence only: how many are drawn; empty, 10 per "
            "presence, at most 10 000.\n"
            "Random seed: the same seed gives the same folds, background points and model "
            "(default 0).\n"
            "Prediction map, Report folder and Saved predictor: where the outputs below "
            "are written; the last two are optional.\n\n"
            "Outputs\n"
            "Prediction map: a cloud-optimised GeoTIFF with the prediction band(s), an "
            "uncertainty band (the spread of the fold models' predictions) and an area of "
            "applicability band (1 inside, 0 where the embedding differs so much from every "
            "training point that the model extrapolates), loaded styled: probabilities in "
            "viridis from 0 to 1, abundance on a sequential ramp, classes with their "
            "names.\n"
            "Report folder: metrics.json with every target, every fold and the point "
            "counts; Metrics file is its path.\n"
            "Saved predictor: the fitted model in a file, which 'Apply predictor' maps onto "
            "another embedding raster made with the same model.\n"
            "Points with an embedding and Background points: the points the model was "
            "fitted on.\n"
            "The cross-validated figures of the first target, by task (the others are "
            "empty): presence: AUC, True skill statistic (TSS) and F1 at the TSS threshold; "
            "presence only: Boyce index; abundance: Mean absolute error, Root mean square "
            "error, Spearman correlation and R²; classes: Accuracy, Macro-averaged F1 and "
            "Cohen's kappa.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.EMBEDDINGS, tr("Embedding raster (or an orthophoto and a model below)"),
            None, True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.ORTHO, tr("Orthophoto, embedded on the way (instead of an embedding raster)"),
            None, True))
        self.addParameter(QgsProcessingParameterFile(
            self.MODEL, tr("Model folder (with the orthophoto)"), FILE_BEHAVIOR_FOLDER, "",
            None, True))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.STRIDE_M, tr("Embedding stride in metres, with the orthophoto (empty: half "
                              "the model's patch side)"), NUMBER_DOUBLE, None, True, 0.0)))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.POINTS, tr("Points"), [SOURCE_VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterField(
            self.TARGETS, tr("Target field(s) (several only for abundance; none for presence "
                             "only: every point is a presence)"), None, self.POINTS,
            FIELD_TYPE_ANY, True, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.TASK, tr("Task"), [choice_label(TASK_LABELS, t) for t in TASKS], False, 0))
        self.addParameter(QgsProcessingParameterEnum(
            self.ESTIMATOR, tr("Estimator"),
            [choice_label(ESTIMATOR_LABELS, e) for e in ESTIMATORS], False, 0))
        self.addParameter(QgsProcessingParameterNumber(
            self.FOLDS, tr("Spatial cross-validation folds"), NUMBER_INTEGER, 5, False, 2, 100))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.BUFFER_M, tr("Buffer around test points, in metres (empty: the embedding's "
                              "patch side)"), NUMBER_DOUBLE, None, True, 0.0)))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.BLOCK_M, tr("Side of the spatial blocks, in metres (empty: 5 pixels, at "
                             "least twice the buffer)"), NUMBER_DOUBLE, None, True, 0.0)))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.BACKGROUND, tr("Background points for presence only (empty: 10 per "
                                "presence, at most 10 000)"), NUMBER_INTEGER, None, True, 1)))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, tr("Random seed"), NUMBER_INTEGER, 0, False, 0, 2**31 - 1))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, tr("Prediction map")))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.REPORT, tr("Report folder (metrics.json)"), None, True, False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PREDICTOR, tr("Saved predictor (for 'Apply predictor')"),
            tr(PREDICTOR_FILTER), None, True, False))
        self.addOutput(QgsProcessingOutputFile("METRICS", tr("Metrics file (metrics.json)")))
        self.addOutput(QgsProcessingOutputNumber("N_POINTS", tr("Points with an embedding")))
        self.addOutput(QgsProcessingOutputNumber(
            "N_BACKGROUND", tr("Background points (presence only)")))
        for name, _key, description in METRIC_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, tr(description)))

    def supportedOutputRasterLayerExtensions(self) -> list[str]:  # noqa: N802
        return ["tif"]

    def embedding_source(self, parameters, context) -> dict:
        """predict_map's embeddings, ortho, model and stride_m: an embedding raster, or an
        orthophoto with a model folder (never both)."""
        given = {k: parameters.get(k) not in (None, "") for k in (self.EMBEDDINGS, self.ORTHO)}
        model = self.parameterAsFile(parameters, self.MODEL, context).strip() or None
        if given[self.EMBEDDINGS] == given[self.ORTHO] or (given[self.ORTHO] and not model):
            raise QgsProcessingException(tr(
                "Give an embedding raster, or an orthophoto and a model folder (the "
                "orthophoto is then embedded on the way), but not both."))
        if given[self.EMBEDDINGS]:
            return {"embeddings": self.raster_path(parameters, self.EMBEDDINGS, context)}
        return {"embeddings": None, "ortho": self.raster_path(parameters, self.ORTHO, context),
                "model": model,
                "stride_m": self.optional_number(parameters, self.STRIDE_M, context)}

    def run_backend(self, parameters, context, progress):
        from ...backend.maps import predict_map

        out = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        report = self.parameterAsFileOutput(parameters, self.REPORT, context) or None
        predictor = self.parameterAsFileOutput(parameters, self.PREDICTOR, context) or None
        source = self.embedding_source(parameters, context)
        res = predict_map(
            source.pop("embeddings"), self.vector_path(parameters, self.POINTS, context),
            self.parameterAsFields(parameters, self.TARGETS, context) or None, out,
            task=TASKS[self.parameterAsEnum(parameters, self.TASK, context)],
            estimator=ESTIMATORS[self.parameterAsEnum(parameters, self.ESTIMATOR, context)],
            folds=self.parameterAsInt(parameters, self.FOLDS, context),
            buffer_m=self.optional_number(parameters, self.BUFFER_M, context),
            block_m=self.optional_number(parameters, self.BLOCK_M, context),
            background=self.optional_number(parameters, self.BACKGROUND, context, int),
            seed=self.parameterAsInt(parameters, self.SEED, context),
            report_dir=report, save_model=predictor, n_jobs=n_jobs(), progress=progress,
            **source)
        out = str(res.out)
        self.style_on_load(context, out, style_prediction_layer)
        first = res.metrics[res.targets[0]] if res.targets else {}
        results = {self.OUTPUT: out, self.REPORT: str(res.report.parent) if res.report else None,
                   self.PREDICTOR: str(res.predictor) if res.predictor else None,
                   "METRICS": str(res.report) if res.report else None,
                   "N_POINTS": int(res.point_counts.get("usable", 0)),
                   "N_BACKGROUND": res.n_background if res.n_background is not None
                   else math.nan}
        for name, key, _description in METRIC_OUTPUTS:
            results[name] = metric_value(first, key)
        for name, metrics in res.metrics.items():
            progress.info(tr("Cross-validated metrics of {target}: {metrics}").format(
                target=name, metrics=", ".join(
                    f"{k} {v:.3f}" for k, v in metrics.items()
                    if isinstance(v, float) and not k.endswith("threshold"))))
        return results
