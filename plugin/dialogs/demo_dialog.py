"""Create the synthetic demo landscape and add it to the project."""

from __future__ import annotations

import os
from pathlib import Path

from qgis.core import Qgis, QgsCoordinateTransform, QgsProject
from qgis.PyQt.QtWidgets import QLabel, QSpinBox

from ...backend.demo import MAX_SIZE_M, MIN_SIZE_M, generate_demo_data
from ..i18n import tr, translatable
from ..layers import add_raster_layer, add_vector_layer, layer_group
from ..settings_dialog import folder_widget
from ..tasks import BackendTask
from .base import TaskDialog

GROUP_NAME = translatable("BotaCLIP demo")
DEMO_FILES = ("orthophoto.tif", "releves.gpkg", "butterflies.gpkg", "soil.gpkg")
PIXEL_M = 0.5


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

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.form.addRow("", self.hint)

        self.folder.fileChanged.connect(self.refresh)
        self.size.valueChanged.connect(self.refresh)
        self.finish_layout()

    def refresh(self, *args) -> None:
        px = int(round(self.size.value() / PIXEL_M))
        self.hint.setText(tr("Orthophoto of {px} × {px} pixels at {res} m.").format(
            px=px, res=PIXEL_M))
        super().refresh(*args)

    def validation_error(self) -> str:
        folder = self.folder.filePath().strip()
        if not folder:
            return tr("Choose an output folder.")
        if os.path.exists(folder) and not os.path.isdir(folder):
            return tr("{path} is a file: choose a folder.").format(path=folder)
        return ""

    def output_paths(self) -> list:
        out = Path(self.folder.filePath().strip())
        return [out / name for name in DEMO_FILES]

    def make_task(self) -> BackendTask:
        out = Path(self.folder.filePath().strip())
        return BackendTask(tr("Create BotaCLIP demo data"), generate_demo_data,
                           {"out_dir": out, "size_m": float(self.size.value()),
                            "seed": int(self.seed.value())})

    def on_success(self, result) -> None:
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
