"""Create the synthetic demo landscape and add it to the project; or, with "Also run the
whole demo job", run the whole job on it (``botaclip demo --quick``: the same
:func:`run_chain`) and open the project it ends in, written here by the plugin's project
writer in the user's language."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from qgis.core import Qgis, QgsCoordinateTransform, QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QCheckBox, QLabel, QSpinBox

from ...backend.demo import MAX_SIZE_M, MIN_SIZE_M, generate_demo_data
from ...backend.demo.chain import DemoSettings, run_chain
from ...backend.errors import BotaclipError
from ...backend.progress import Progress
from ..i18n import tr, translatable
from ..layers import add_raster_layer, add_vector_layer, layer_group
from ..project_writer import read_spec, write_project
from ..settings import Settings
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog

GROUP_NAME = translatable("BotaCLIP demo")
DEMO_FILES = ("orthophoto.tif", "releves.gpkg", "butterflies.gpkg", "soil.gpkg")
PIXEL_M = 0.5
# The whole job runs with the quick settings (DemoSettings: 2 m pixels, the spectral
# baseline backbone, no weights to download). Training needs 150 usable plots beyond those
# its spatial buffer leaves out; the demo places 300 plots per 2 km square, so 1500 m (169
# plots) is the least that trained (seeds 0 to 4), and 1600 m (192) leaves a margin.
WHOLE_MIN_M = 1600.0
SPEC_NAME = "demo-project.json"
PROJECT_NAME = "demo.qgz"
STEP_LINE = re.compile(r"^(\d+)/(\d+) (.*)$")     # run_chain's "n/N title" lines

# The names the chain gives its project (backend/demo/chain.py, English), for tr(): the
# project written inside QGIS shows them in the user's language.
DEMO_NAMES = (translatable("BotaCLIP demo (synthetic landscape)"), translatable("Inputs"),
              translatable("Embeddings"), translatable("Predictions"),
              translatable("Zero-shot"), translatable("Habitats"),
              translatable("Orthophoto (synthetic)"), translatable("Relevés"),
              translatable("Butterfly transects"), translatable("Soil samples"),
              translatable("Plot check"), translatable("Embedding (RGB preview)"),
              translatable("Embedding raster (click here to find similar places)"))
DEMO_PATTERNS = (
    (re.compile(r"^Similarity to (?P<habitat>\S+) relevé (?P<plot>.+)$"),
     translatable("Similarity to {habitat} relevé {plot}")),
    (re.compile(r"^Suitability: (?P<taxon>.+)$"), translatable("Suitability: {taxon}")),
    (re.compile(r"^Habitat clusters \(k = (?P<k>\d+)\)$"),
     translatable("Habitat clusters (k = {k})")),
    (re.compile(r"^(?P<target>.+) \((?P<task>presence|abundance)\)$"),
     translatable("{target} ({task})")))
TASK_WORDS = (translatable("presence"), translatable("abundance"))
STEP_TITLES = (translatable("Generating the synthetic demo landscape"),
               translatable("Checking the orthophoto against the relevés"),
               translatable("Training a model"), translatable("Embedding the orthophoto"),
               translatable("Predicting maps from point layers"),
               translatable("Evaluating the embeddings against the baselines"),
               translatable("Similarity to a relevé"), translatable("Species suitability"),
               translatable("Habitat clusters"))


def whole_demo_seconds(size_m: float) -> int:
    """About how long the whole job takes on a scene of ``size_m``, rounded to 10 s.
    Measured with the quick settings on two CPU cores: 37-41 s at 1600 m, 58-75 s at
    2000 m, 60 s at 3000 m. About 30 s do not grow with the scene (training's 20 epochs on
    few plots, the three maps' random forests, the evaluation), the rest (the landscape,
    its embedding, the plots) grows with its area."""
    return int(10 * math.ceil((35.0 + 25.0 * (size_m / 2000.0) ** 2) / 10.0))


def demo_name(text: str) -> str:
    """A name of the demo project (a group, a layer, the title) in the user's language:
    the fixed ones through tr(), the made ones (a taxon, a plot, k) through their
    pattern; a name it does not know comes back unchanged."""
    if text in DEMO_NAMES:
        return tr(text)
    for pattern, template in DEMO_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = match.groupdict()
            if "task" in parts:
                parts["task"] = tr(parts["task"])
            return tr(template).format(**parts)
    return text


class StepProgress(Progress):
    """The chain's progress with its step in front of every message ("Step 4 of 9:
    Embedding the orthophoto — block 3 of 12"): run_chain says each step as an information
    line "n/N title", which becomes the header until the next one."""

    def __init__(self, parent: Progress):
        self.parent = parent
        self.header = ""
        self.fraction = 0.0

    def info(self, message: str) -> None:
        self.parent.info(message)
        match = STEP_LINE.match(message)
        if match:
            self.header = tr("Step {n} of {total}: {title}").format(
                n=match.group(1), total=match.group(2), title=tr(match.group(3)))
            self.parent.report(self.fraction, self.header)

    def warn(self, message: str) -> None:
        self.parent.warn(message)

    def is_cancelled(self) -> bool:
        return self.parent.is_cancelled()

    def _emit(self, fraction: float, message: str) -> None:
        self.fraction = fraction
        text = f"{self.header} — {message}" if self.header and message else \
            (self.header or message)
        self.parent.report(fraction, text)


def run_whole_demo(settings: DemoSettings, progress: Progress):
    """The task's function: :func:`run_chain` with the steps shown."""
    return run_chain(settings, StepProgress(progress))


def open_project(iface, path) -> bool:
    """Open ``path`` as QGIS's Project > Open does after asking, through QGIS's own
    prompt, whether to save the current project's unsaved changes (and layer edits);
    False when the user cancels that prompt (the current project is kept as it was)."""
    if iface is None:
        return QgsProject.instance().read(str(path))
    if not iface.newProject(True):
        return False
    return bool(iface.addProject(str(path)))


class DemoDialog(TaskDialog):
    help_section = "demo-data"

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent, tr("BotaCLIP: create demo data"))
        intro = QLabel(tr("Writes a small synthetic alpine landscape: a 4-band orthophoto "
                          "(red, green, blue, near-infrared), vegetation relevés, butterfly "
                          "and soil samples, and the ground truth they were drawn from. "
                          "Everything is made up, so you can try BotaCLIP without data."))
        intro.setWordWrap(True)
        self.form.addRow(intro)

        self.folder = folder_widget()
        self.folder.setFilePath(str(Path.home() / "botaclip-demo"))
        self.folder.setToolTip(tr("The files are written into this folder (created if "
                                  "needed); existing demo files there are replaced."))
        self.form.addRow(tr("Output folder"), self.folder)

        self.size = QSpinBox()
        self.size.setRange(int(MIN_SIZE_M), int(MAX_SIZE_M))
        self.size.setSingleStep(100)
        self.size.setValue(2000)
        self.size.setSuffix(tr(" m"))
        self.size.setToolTip(tr("Side of the square scene. 2000 m takes about a minute."))
        self.form.addRow(tr("Scene size"), self.size)

        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip(tr("The same seed and size always give the same files; another "
                                "seed gives another landscape."))
        self.form.addRow(tr("Random seed"), self.seed)

        self.form.addRow(self._whole_checkbox())

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.form.addRow("", self.hint)

        self.folder.fileChanged.connect(self.refresh)
        self.size.valueChanged.connect(self.refresh)
        self.whole.toggled.connect(self._whole_toggled)
        self.finish_layout()

    def _whole_checkbox(self) -> QCheckBox:
        """The whole-job option (unticked: the dialog writes the data only, as before)."""
        quick = DemoSettings(out=Path(), quick=True)
        self.quick_pixel_m = quick.pixel_m
        self.whole = QCheckBox()
        self.whole.setObjectName("botaclip_whole_demo")
        self.whole.setToolTip(tr(
            "Runs the same steps as 'botaclip demo --quick', on this scene drawn at {px} m "
            "pixels: checks the relevés against the orthophoto, trains a model on the "
            "spectral baseline backbone ({epochs} epochs, no weights to download), embeds "
            "the orthophoto, predicts a butterfly, a soil fauna and a plant map, maps the "
            "similarity to a relevé, the suitability of two trees and habitat clusters, "
            "then writes the project {project} into the folder and opens it. The data go "
            "into the folder's 'data' subfolder.").format(
                px=f"{quick.pixel_m:g}", epochs=quick.run_epochs, project=PROJECT_NAME))
        return self.whole

    def _whole_toggled(self, *_args) -> None:
        """The hint gains or loses lines: the dialog grows or shrinks to show all of it
        (a layout does not resize its window for a label's new height)."""
        self.refresh()
        QTimer.singleShot(0, self.adjustSize)

    @property
    def whole_job(self) -> bool:
        return self.whole.isChecked()

    def out_dir(self) -> Path:
        return Path(self.folder.filePath().strip())

    def refresh(self, *args) -> None:
        pixel = self.quick_pixel_m if self.whole_job else PIXEL_M
        px = int(round(self.size.value() / pixel))
        text = tr("Orthophoto of {px} × {px} pixels at {res} m.").format(px=px,
                                                                         res=f"{pixel:g}")
        if self.whole_job:
            text += " " + tr(
                "The whole job: check, train, embed, predict maps, similarity, suitability, "
                "habitat clusters (its time is for two CPU cores), then the project "
                "{project} opens with their styled maps.").format(project=PROJECT_NAME)
        self.hint.setText(text)
        self.whole.setText(tr("Also run the whole demo job (about {seconds} s; a project "
                              "opens)").format(seconds=whole_demo_seconds(self.size.value())))
        super().refresh(*args)

    def validation_error(self) -> str:
        folder = self.folder.filePath().strip()
        if not folder:
            return tr("Choose an output folder.")
        if os.path.exists(folder) and not os.path.isdir(folder):
            return tr("{path} is a file: choose a folder.").format(path=folder)
        if self.whole_job:
            return self.whole_job_error()
        return ""

    def whole_job_error(self) -> str:
        size = self.size.value()
        if size < WHOLE_MIN_M:
            return tr("The whole demo job needs a scene of at least {min} m: a smaller one "
                      "holds too few relevés to train a model on. Make the scene larger, or "
                      "untick the whole job.").format(min=f"{WHOLE_MIN_M:g}")
        if abs(size / self.quick_pixel_m - round(size / self.quick_pixel_m)) > 1e-9:
            return tr("The whole demo job draws the scene at {px} m pixels: choose a size "
                      "that is a multiple of {px} m.").format(px=f"{self.quick_pixel_m:g}")
        return ""

    def output_paths(self) -> list:
        out = self.out_dir()
        if not self.whole_job:
            return [out / name for name in DEMO_FILES]
        paths = [out / "data" / name for name in DEMO_FILES]
        try:                    # the maps of an earlier whole job, which this one replaces
            paths += [entry["path"] for entry in read_spec(out / SPEC_NAME)["layers"]]
        except (BotaclipError, KeyError, TypeError):
            pass
        return paths

    def make_task(self) -> BackendTask:
        out = self.out_dir()
        if self.whole_job:
            settings = Settings()
            run = DemoSettings(out=out, quick=True, size_m=float(self.size.value()),
                               seed=int(self.seed.value()), device=settings.device,
                               weights_dir=settings.weights_folder or None,
                               cache_dir=settings.cache_folder or None)
            return BackendTask(tr("Run the whole BotaCLIP demo job"), run_whole_demo,
                               {"settings": run})
        return BackendTask(tr("Create BotaCLIP demo data"), generate_demo_data,
                           {"out_dir": out, "size_m": float(self.size.value()),
                            "seed": int(self.seed.value())})

    def cancel_text(self) -> str:
        if self.task is not None and self.task.function is run_whole_demo:
            return tr("Cancelled: no project was written. The steps finished before the "
                      "cancel keep their complete files in {folder}; the step under way "
                      "left nothing.").format(folder=self.task.kwargs["settings"].out)
        return super().cancel_text()

    def on_success(self, result) -> None:
        if self.task is not None and self.task.function is run_whole_demo:
            # once the task manager is done with the task: opening a project (and QGIS's
            # question about the current one) inside QgsTask.finished would run them in the
            # middle of its bookkeeping, before QGIS's own "Task complete" notice that the
            # task drops at the next turn of the event loop
            QTimer.singleShot(0, lambda: self.open_whole_demo(result))
            return
        project = QgsProject.instance()
        group = layer_group(tr(GROUP_NAME), project)
        add_vector_layer(result.releves, tr("Relevés (demo)"), group=group, style="releves")
        add_vector_layer(result.butterflies, tr("Butterflies (demo)"), group=group,
                         style="butterflies")
        add_vector_layer(result.soil, tr("Soil samples (demo)"), group=group, style="soil")
        ortho = add_raster_layer(result.orthophoto, tr("Orthophoto (demo)"), group=group,
                                 style="orthophoto")
        self._zoom_to(ortho)
        self.show_message(tr("Demo data written to {folder}: {n} relevés, {t} taxa.").format(
            folder=result.out_dir, n=result.n_releves, t=len(result.taxa)),
            Qgis.MessageLevel.Success)

    def open_whole_demo(self, run) -> None:
        """Write the project of the finished chain (names in the user's language) and
        open it, replacing the current project as Project > Open does."""
        out = Path(run.settings.out)
        seconds = sum(run.seconds.values())
        details = "\n".join(run.headlines)
        try:
            project = write_project(out / SPEC_NAME, out / PROJECT_NAME, rename=demo_name)
        except BotaclipError as exc:
            self.report_result(str(exc), Qgis.MessageLevel.Critical, details)
            return
        details = tr("Project: {path}").format(path=project) + "\n" + details
        if open_project(self.iface, project):
            self.report_result(tr(
                "Whole demo job done in {seconds} s: its project is open. Tick the layers "
                "of each group to see its maps.").format(seconds=f"{seconds:.0f}"),
                details=details)
        else:
            self.report_result(tr(
                "Whole demo job done in {seconds} s. Its project {path} was not opened, so "
                "the current project stays as it was: open it with Project > Open.").format(
                    seconds=f"{seconds:.0f}", path=project), Qgis.MessageLevel.Info,
                details)

    def _zoom_to(self, layer) -> None:
        if self.iface is None:
            return
        canvas = self.iface.mapCanvas()
        dest = canvas.mapSettings().destinationCrs()
        if not dest.isValid():
            canvas.setDestinationCrs(layer.crs())
            dest = layer.crs()
        extent = QgsCoordinateTransform(layer.crs(), dest, QgsProject.instance()) \
            .transformBoundingBox(layer.extent())
        canvas.setExtent(extent)
        canvas.refresh()
