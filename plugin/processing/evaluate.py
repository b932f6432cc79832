"""Processing algorithm ``botaclip:evaluate``: the spectral baseline, the frozen backbone and a
BotaCLIP model compared as predictors on the user's own data, into a report folder
(evaluation.json and report.html)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputHtml,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ..compat import FIELD_TYPE_ANY, FILE_BEHAVIOR_FOLDER, NUMBER_INTEGER, SOURCE_VECTOR_POINT
from ..i18n import tr
from ..labels import ESTIMATOR_LABELS, ESTIMATORS, TASK_LABELS, TASKS, choice_label
from ..settings import Settings
from .modelparams import (
    add_backbone_parameters,
    add_device_parameter,
    advanced,
    backbone_help,
    backbone_kwargs,
    device_help,
    device_value,
)
from .predict import MapAlgorithm, n_jobs

# backend.evaluate's defaults, not imported (the plugin imports no backend at load):
# 5 folds x 5 repeats give 25 paired scores per source, enough for a Wilcoxon test
DEFAULT_FOLDS = 5
DEFAULT_REPEATS = 5
DEFAULT_MIN_PRESENCES = 10


class EvaluateAlgorithm(MapAlgorithm):
    # ORTHO, RELEVES, PLOT_ID, SPECIES_COLUMNS, COVER_SCALE, SENSOR, WAVELENGTHS, PATCH_M:
    # see BotaclipAlgorithm
    POINTS = "POINTS"
    TARGETS = "TARGETS"
    TASK = "TASK"
    MODEL = "MODEL"
    REPEATS = "REPEATS"
    FOLDS = "FOLDS"
    ESTIMATOR = "ESTIMATOR"
    MIN_PRESENCES = "MIN_PRESENCES"
    SEED = "SEED"
    OUTPUT = "OUTPUT"
    REPORT_HTML = "REPORT_HTML"
    REPORT_JSON = "REPORT_JSON"

    def name(self) -> str:
        return "evaluate"

    def displayName(self) -> str:  # noqa: N802
        return tr("Evaluate embedding sources")

    def shortHelpString(self) -> str:  # noqa: N802
        return "\n".join((tr(
            "Compares embedding sources as predictors on your data, with the protocol of "
            "the BotaCLIP paper: the spectral baseline (band statistics, always), the frozen "
            "image backbone (with a model folder, or when DOFA weights are found) and the "
            "BotaCLIP model (with a model folder). A source that cannot be evaluated is "
            "named in the report with the reason. Every source is judged on the same spatial "
            "folds (blocks with a buffer, repeated with new blocks), so that the comparison "
            "is paired: a Wilcoxon test across folds says whether one source beats another, "
            "and by how much.\n\n"
            "Inputs"),
            self.releve_help(), tr(
            "The relevés give one task per taxon, plant presence; the plots the model was "
            "trained on are left out.\n"
            "Point layer to evaluate on as well: optional, your own observations (e.g. "
            "butterflies, soil samples).\n"
            "Target field: the field(s) of the point layer to predict.\n"
            "Task of the point layer: presence, presence only, abundance or classes; "
            "Automatic (the default): presence with a target field, presence only "
            "without.\n"
            "Model folder: a model made by 'Train BotaCLIP model'; it adds the BotaCLIP "
            "source and the frozen backbone it was built on. Empty: no BotaCLIP source, and "
            "the backbone below is compared when its weights are found."),
            backbone_help(), self.band_help(without_model=True), tr(
            "Repeats of the cross-validation: how many times it is repeated with new blocks "
            "(default 5); 5 folds × 5 repeats give 25 paired scores per source, enough for "
            "a Wilcoxon test.\n"
            "Spatial cross-validation folds: blocks of points held out together, the same "
            "for every source (default 5).\n"
            "Estimator: the model fitted on each source's embeddings (an advanced parameter); "
            "the random forest (the default) is the paper's.\n"
            "Taxa evaluated: a taxon is a task only with at least this many presences and as "
            "many absences among the plots (default 10).\n"
            "Random seed: the same seed gives the same blocks and folds (default 0)."),
            device_help(), tr(
            "Evaluation report folder: where the report is written.\n\n"
            "Outputs\n"
            "Evaluation report folder: the folder holding both files below.\n"
            "Evaluation report: report.html, with box plots per source, a table laid out "
            "like the paper's, and sentences saying which source wins where, with how many "
            "folds and points stand behind each figure (also written in the log).\n"
            "Evaluation figures: evaluation.json, every score of every fold, for scripts.")))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_releve_parameters()
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.POINTS, tr("Point layer to evaluate on as well (optional)"),
            [SOURCE_VECTOR_POINT], None, True))
        self.addParameter(QgsProcessingParameterField(
            self.TARGETS, tr("Target field(s) of the point layer"), None, self.POINTS,
            FIELD_TYPE_ANY, True, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.TASK, tr("Task of the point layer"),
            [tr("Automatic (presence with a target field, presence only without)")]
            + [choice_label(TASK_LABELS, t) for t in TASKS], False, 0))
        self.addParameter(QgsProcessingParameterFile(
            self.MODEL, tr("Model folder (empty: no BotaCLIP source; the backbone below)"),
            FILE_BEHAVIOR_FOLDER, "", None, True))
        add_backbone_parameters(self)
        self.add_band_parameters(without_model=True)
        self.addParameter(QgsProcessingParameterNumber(
            self.REPEATS, tr("Repeats of the cross-validation"), NUMBER_INTEGER,
            DEFAULT_REPEATS, False, 1, 100))
        self.addParameter(QgsProcessingParameterNumber(
            self.FOLDS, tr("Spatial cross-validation folds"), NUMBER_INTEGER, DEFAULT_FOLDS,
            False, 2, 100))
        self.addParameter(advanced(QgsProcessingParameterEnum(
            self.ESTIMATOR, tr("Estimator"),
            [choice_label(ESTIMATOR_LABELS, e) for e in ESTIMATORS], False, 0)))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.MIN_PRESENCES, tr("Taxa evaluated: at least this many presences and "
                                   "absences"), NUMBER_INTEGER, DEFAULT_MIN_PRESENCES, False,
            2)))
        self.addParameter(advanced(QgsProcessingParameterNumber(
            self.SEED, tr("Random seed"), NUMBER_INTEGER, 0, False, 0, 2**31 - 1)))
        add_device_parameter(self)
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT, tr("Evaluation report folder")))
        self.addOutput(QgsProcessingOutputHtml(self.REPORT_HTML, tr("Evaluation report")))
        self.addOutput(QgsProcessingOutputFile(
            self.REPORT_JSON, tr("Evaluation figures (evaluation.json)")))

    def point_kwargs(self, parameters, context) -> dict:
        """``points``, ``targets`` and ``task`` for the backend (none without points)."""
        if parameters.get(self.POINTS) in (None, ""):
            return {}
        index = self.parameterAsEnum(parameters, self.TASK, context)
        return {"points": self.vector_path(parameters, self.POINTS, context),
                "targets": self.parameterAsFields(parameters, self.TARGETS, context) or (),
                "task": TASKS[index - 1] if index else None}

    def run_backend(self, parameters, context, progress):
        from ...backend.evaluate import evaluate_sources

        inputs = self.releve_inputs(parameters, context)
        model = self.parameterAsFile(parameters, self.MODEL, context).strip() or None
        bands = self.band_kwargs(parameters, context)
        if model:
            bands.pop("patch_m")            # the model's own patch side
        res = evaluate_sources(
            inputs["ortho"], inputs["releves"], options=inputs["options"],
            out_dir=self.parameterAsFileOutput(parameters, self.OUTPUT, context),
            **self.point_kwargs(parameters, context), model=model,
            **backbone_kwargs(self, parameters, context), **bands,
            repeats=self.parameterAsInt(parameters, self.REPEATS, context),
            folds=self.parameterAsInt(parameters, self.FOLDS, context),
            estimator=ESTIMATORS[self.parameterAsEnum(parameters, self.ESTIMATOR, context)],
            min_presences=self.parameterAsInt(parameters, self.MIN_PRESENCES, context),
            seed=self.parameterAsInt(parameters, self.SEED, context),
            device=device_value(self, parameters, context),
            cache_dir=Settings().cache_folder or None, n_jobs=n_jobs(), progress=progress)
        for sentence in res.sentences:
            progress.info(sentence)
        return {self.OUTPUT: str(res.out_dir), self.REPORT_HTML: str(res.html_path),
                self.REPORT_JSON: str(res.json_path)}
