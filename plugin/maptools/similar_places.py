"""The "Find similar places" map tool: click a point (or drag a rectangle) over an embedding
raster and see, for the current view, how much every pixel looks like that place.

Three pieces: :class:`SimilarPlacesTool` (the canvas tool: a click is a point query, a drag
a rectangle query), :class:`SimilarityPanel` (a dock with the threshold slider, the area
above it and *Save full resolution…*) and :class:`SimilarPlaces`, which ties them to the
project and calls the backend (``backend.zeroshot.similarity``).

Why the view is computed on the main thread, not in a QgsTask: ``similarity_view`` reads
the overview level that matches the screen, so its cost is bounded by the canvas size
(about a million pixels), not by the raster's, and it returns within about two seconds even
for a 768-band raster; a task would add a round trip through the task manager and a layer
that appears later than the click that asked for it. The whole raster, which can be far
larger, goes through a :class:`~..tasks.BackendTask` (*Save full resolution…*).

The view is written to a small GeoTIFF in a temporary folder of its own (QGIS's GDAL
provider reads files, and a file lets the user keep or export the layer); each new view
replaces the layer of the previous one in place, and the folder goes when the plugin
unloads.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRasterTransparency,
    QgsRectangle,
    QgsUnitTypes,
)
from qgis.gui import QgsMapTool, QgsRubberBand
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ...backend.errors import BotaclipError
from ..compat import enum_value
from ..i18n import tr
from ..layers import OUTPUT_PROPERTY, add_raster_layer, apply_style, slot_of

STYLE = "similarity"
VIEW_OUTPUT = "similarity_view"        # OUTPUT_PROPERTY of the view layer
MAP_OUTPUT = "similarity"              # ... and of a saved full-resolution map
DRAG_PIXELS = 4                        # a press and release further apart is a rectangle
SLIDER_STEPS = 100                     # slider units per similarity unit (0.01 steps)
# the first threshold: the 90th percentile of the view. A fixed cosine cut means different
# things for different embeddings (many are positive almost everywhere), while "the tenth
# of the view most like the clicked place" always shows something to look at.
START_QUANTILE = 0.9
REFRESH_MS = 400                       # wait for the canvas to settle after a pan or zoom

METERS = enum_value("Qgis.DistanceUnit.Meters", "QgsUnitTypes.DistanceUnit.DistanceMeters")
SQUARE_METERS = enum_value("Qgis.AreaUnit.SquareMeters",
                           "QgsUnitTypes.AreaUnit.AreaSquareMeters")
POLYGON = enum_value("Qgis.GeometryType.Polygon", "QgsWkbTypes.GeometryType.PolygonGeometry")


def embedding_layer(iface, project: QgsProject | None = None):
    """The embedding raster the tool queries: the active layer when it is one, else the
    first layer of the layer tree that is (None when there is none)."""
    from ..dialogs.predict_dialog import is_embedding_layer

    active = iface.activeLayer() if iface is not None else None
    if isinstance(active, QgsRasterLayer) and is_embedding_layer(active):
        return active
    project = project or QgsProject.instance()
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        if isinstance(layer, QgsRasterLayer) and is_embedding_layer(layer):
            return layer
    return None


def pixel_area_m2(crs, geotransform, centre: QgsPointXY, context) -> float:
    """The area of one pixel of ``geotransform`` in square metres: planar in a projected
    CRS (as the backend counts the full-resolution map, so that both areas agree), on the
    ellipsoid at ``centre`` in a geographic one (degrees have no fixed area)."""
    width, height = abs(geotransform[1]), abs(geotransform[5])
    if not crs.isGeographic():
        factor = QgsUnitTypes.fromUnitToUnitFactor(crs.mapUnits(), METERS)
        return width * height * factor * factor
    measure = QgsDistanceArea()
    measure.setSourceCrs(crs, context)
    measure.setEllipsoid(crs.ellipsoidAcronym() or "EPSG:7030")
    rect = QgsRectangle(centre.x(), centre.y(), centre.x() + width, centre.y() + height)
    return measure.convertAreaMeasurement(measure.measureArea(QgsGeometry.fromRect(rect)),
                                          SQUARE_METERS)


def write_view(folder: Path, index: int, values: np.ndarray, geotransform, wkt: str) -> Path:
    """``values`` as a float32 GeoTIFF (NaN no-data) ``folder/view-<index>.tif``."""
    from osgeo import gdal

    path = folder / f"view-{index}.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(path), values.shape[1], values.shape[0], 1,
                                              gdal.GDT_Float32)
    ds.SetGeoTransform(tuple(float(v) for v in geotransform))
    ds.SetProjection(wkt)
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(float("nan"))
    band.WriteArray(values.astype(np.float32))
    band.SetDescription(tr("similarity"))
    ds = None
    return path


def show_above(layer: QgsRasterLayer, threshold: float | None) -> None:
    """Make the pixels of ``layer`` below ``threshold`` transparent (all shown for None),
    the colour ramp kept: the places that pass keep their shade of similarity."""
    renderer = layer.renderer()
    if renderer is None:
        return
    transparency = QgsRasterTransparency()
    if threshold is not None:
        below = QgsRasterTransparency.TransparentSingleValuePixel()
        below.min, below.max, below.percentTransparent = -1e30, threshold - 1e-6, 100.0
        transparency.setTransparentSingleValuePixelList([below])
    renderer.setRasterTransparency(transparency)
    layer.triggerRepaint()


class SimilarPlacesTool(QgsMapTool):
    """A click asks for the places like the clicked point; a drag, for the places like
    the dragged rectangle (its mean embedding: a meadow rather than one tree in it)."""

    def __init__(self, canvas, controller: SimilarPlaces):
        super().__init__(canvas)
        self.controller = controller
        self.start = None
        self.band = QgsRubberBand(canvas, POLYGON)
        self.band.setColor(QColor(178, 24, 43, 60))
        self.band.setStrokeColor(QColor(178, 24, 43))
        self.band.setWidth(2)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def canvasPressEvent(self, event):  # noqa: N802 (QGIS's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self.start = event.pos()

    def canvasMoveEvent(self, event):  # noqa: N802
        if self.start is not None and self.dragged(event.pos()):
            self.band.setToGeometry(QgsGeometry.fromRect(self.rectangle(event)), None)

    def canvasReleaseEvent(self, event):  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        rect = self.rectangle(event) if self.start is not None and \
            self.dragged(event.pos()) else None
        self.start = None
        self.band.reset(POLYGON)
        if rect is not None:
            self.controller.query_rectangle(rect)
        else:
            self.controller.query_point(event.mapPoint())

    def dragged(self, pos) -> bool:
        return (pos - self.start).manhattanLength() > DRAG_PIXELS

    def rectangle(self, event) -> QgsRectangle:
        first = self.toMapCoordinates(self.start)
        return QgsRectangle(first, event.mapPoint())

    def deactivate(self):
        self.start = None
        self.band.reset(POLYGON)
        super().deactivate()


class SimilarityPanel(QDockWidget):
    """The dock beside the map: what was asked, the threshold slider with the matching
    area, and *Save full resolution…*."""

    def __init__(self, controller: SimilarPlaces, parent=None):
        super().__init__(tr("Similar places"), parent)
        self.setObjectName("botaclip_similar_places")
        self.controller = controller
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.info = QLabel(tr("Click on the map over an embedding raster (or drag a "
                              "rectangle) to see where else looks like that place."), body)
        self.info.setWordWrap(True)
        self.slider = QSlider(Qt.Orientation.Horizontal, body)
        self.slider.setRange(-SLIDER_STEPS, SLIDER_STEPS)
        self.slider.setToolTip(tr("Show only the pixels at least this similar to the place "
                                  "you clicked (cosine similarity, -1 to 1)"))
        self.threshold_label = QLabel(body)
        self.area = QLabel(body)
        self.area.setWordWrap(True)
        self.area.setToolTip(tr("Area of the pixels of the current view at or above the "
                                "threshold"))
        self.save_button = QPushButton(tr("Save full resolution…"), body)
        self.save_button.setToolTip(tr("Compute the similarity over the whole embedding "
                                       "raster, at its full resolution, into a GeoTIFF "
                                       "(runs in the background)"))
        for widget in (self.info, self.threshold_label, self.slider, self.area,
                       self.save_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.setWidget(body)
        self.slider.valueChanged.connect(self.threshold_moved)
        self.save_button.clicked.connect(self.ask_save)
        self.set_ready(False)

    def set_ready(self, ready: bool) -> None:
        self.slider.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def threshold(self) -> float:
        return self.slider.value() / SLIDER_STEPS

    def set_threshold(self, value: float) -> None:
        self.slider.setValue(round(float(np.clip(value, -1.0, 1.0)) * SLIDER_STEPS))
        self.threshold_moved()

    def threshold_moved(self, *_args) -> None:
        self.threshold_label.setText(tr("Threshold: {value:.2f}").format(
            value=self.threshold()))
        self.controller.threshold_changed(self.threshold())

    def show_area(self, km2: float, share: float) -> None:
        self.area.setText(tr("{km2:.3g} km² at or above the threshold in this view "
                             "({share:.0%} of its valid pixels).").format(km2=km2,
                                                                          share=share))

    def ask_save(self) -> None:
        start = self.controller.default_output()
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("Save the similarity map"), start, tr("GeoTIFF (*.tif *.tiff)"))
        if path:
            if not path.lower().endswith((".tif", ".tiff")):
                path += ".tif"
            self.controller.save_full_resolution(path, overwrite=Path(path).exists())


class SimilarPlaces:
    """The tool, its panel and the state between clicks: the embedding raster, the query
    vector, the view layer and its values."""

    def __init__(self, iface, project: QgsProject | None = None):
        self.iface = iface
        self.project = project or QgsProject.instance()
        self.canvas = iface.mapCanvas()
        self.tool = SimilarPlacesTool(self.canvas, self)
        self.panel = SimilarityPanel(self, iface.mainWindow())
        self.folder = Path(tempfile.mkdtemp(prefix="botaclip-similar-"))
        self.layer = None                # the embedding raster queried
        self.query = None                # its (d,) query vector
        self.query_label = ""
        self.view_layer = None
        self.values = None               # the view's similarity values
        self.pixel_m2 = 0.0
        self.count = 0
        self.task = None                 # the last Save full resolution task
        self.docked = False
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh_view)
        self.canvas.extentsChanged.connect(self.view_moved)

    # ------------------------------------------------------------------ activation
    def activate(self, action=None) -> None:
        """Make the tool the canvas's map tool and show the panel."""
        if action is not None:
            self.tool.setAction(action)
        self.canvas.setMapTool(self.tool)
        if not self.docked:
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
            self.docked = True
        self.panel.show()
        self.panel.raise_()

    def unload(self) -> None:
        """Release the tool, the panel, the view layer and the temporary folder."""
        self.timer.stop()
        with contextlib.suppress(TypeError, RuntimeError):
            self.canvas.extentsChanged.disconnect(self.view_moved)
        if self.canvas.mapTool() is self.tool:
            self.canvas.unsetMapTool(self.tool)
        self.remove_view_layer()
        self.iface.removeDockWidget(self.panel)
        self.panel.deleteLater()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ queries
    def query_point(self, point: QgsPointXY) -> bool:
        """Ask for the places like the map point ``point`` (canvas CRS); False (and a
        message) when it cannot be answered."""
        layer = self.find_layer()
        if layer is None:
            return False
        at = self.to_layer(layer).transform(QgsPointXY(point))
        label = tr("the point {x:.1f}, {y:.1f}").format(x=at.x(), y=at.y())
        return self.run_query(layer, label, "query_at_point", at.x(), at.y())

    def query_rectangle(self, rect: QgsRectangle) -> bool:
        """Ask for the places like the rectangle ``rect`` (canvas CRS) on average."""
        layer = self.find_layer()
        if layer is None:
            return False
        geometry = QgsGeometry.fromRect(rect)
        geometry.transform(self.to_layer(layer))
        return self.run_query(layer, tr("the rectangle drawn"), "query_in_polygon",
                              geometry.asWkt())

    def run_query(self, layer, label: str, function: str, *args) -> bool:
        from ...backend.zeroshot import similarity

        try:
            query = getattr(similarity, function)(layer.source(), *args)
        except BotaclipError as exc:
            self.warn(str(exc))
            return False
        first = self.query is None
        self.layer, self.query, self.query_label = layer, np.asarray(query), label
        if not self.refresh_view():
            return False
        if first and self.values is not None and np.isfinite(self.values).any():
            self.panel.set_threshold(np.nanquantile(self.values, START_QUANTILE))
        else:
            self.threshold_changed(self.panel.threshold())
        return True

    def find_layer(self):
        layer = embedding_layer(self.iface, self.project)
        if layer is None:
            self.warn(tr("Find similar places needs an embedding raster in the project "
                         "(made by Embed orthophoto): add one, or make it the active "
                         "layer."))
        return layer

    def to_layer(self, layer) -> QgsCoordinateTransform:
        return QgsCoordinateTransform(self.canvas.mapSettings().destinationCrs(),
                                      layer.crs(), self.project)

    # ------------------------------------------------------------------ the view layer
    def view_moved(self) -> None:
        if self.query is not None and self.view_layer is not None:
            self.timer.start()

    def view_window(self):
        """(extent in the embedding's CRS, width, height): the part of the canvas over the
        raster, at the canvas's own pixel size."""
        canvas_extent = self.to_layer(self.layer).transformBoundingBox(self.canvas.extent())
        inside = canvas_extent.intersect(self.layer.extent())
        if inside.isEmpty():
            return None
        size = self.canvas.mapSettings().outputSize()
        width = max(1, round(size.width() * inside.width() / canvas_extent.width()))
        height = max(1, round(size.height() * inside.height() / canvas_extent.height()))
        return inside, width, height

    def refresh_view(self) -> bool:
        """Compute the similarity of the current view and show it (replacing the last)."""
        from osgeo import gdal

        from ...backend.zeroshot.similarity import similarity_view

        window = self.view_window()
        if window is None:
            self.warn(tr("The map shows no part of the embedding raster {name}: pan or zoom "
                         "to it.").format(name=self.layer.name()))
            return False
        extent, width, height = window
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            values, geotransform = similarity_view(
                self.layer.source(), self.query,
                (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()),
                width, height)
        except BotaclipError as exc:
            self.warn(str(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        ds = gdal.Open(self.layer.source())
        wkt = ds.GetProjection() if ds is not None else self.layer.crs().toWkt()
        self.count += 1
        self.values = np.asarray(values, dtype=np.float32)
        self.pixel_m2 = pixel_area_m2(self.layer.crs(), geotransform, extent.center(),
                                      self.project.transformContext())
        self.replace_view_layer(write_view(self.folder, self.count, self.values,
                                           geotransform, wkt))
        self.panel.info.setText(tr("Similarity of every pixel of the view to {what} on "
                                   "{layer}.").format(what=self.query_label,
                                                      layer=self.layer.name()))
        self.panel.set_ready(True)
        self.threshold_changed(self.panel.threshold())
        return True

    def replace_view_layer(self, path: Path) -> None:
        old = self.view_layer
        if old is not None and self.project.mapLayer(old.id()) is not None:
            parent, index = slot_of(old, self.project)
            layer = QgsRasterLayer(str(path), tr("Similar places"), "gdal")
            apply_style(layer, STYLE)
            layer.setCustomProperty(OUTPUT_PROPERTY, VIEW_OUTPUT)
            self.project.addMapLayer(layer, False)
            parent.insertLayer(index, layer)
            self.project.removeMapLayer(old.id())
        else:
            layer = add_raster_layer(path, tr("Similar places"), style=STYLE,
                                     project=self.project, output=VIEW_OUTPUT)
        self.view_layer = layer
        for stale in self.folder.glob("view-*.tif"):
            if stale != path:
                with contextlib.suppress(OSError):
                    stale.unlink()

    def remove_view_layer(self) -> None:
        layer, self.view_layer = self.view_layer, None
        if layer is not None:
            with contextlib.suppress(RuntimeError):
                if self.project.mapLayer(layer.id()) is not None:
                    self.project.removeMapLayer(layer.id())

    def threshold_changed(self, threshold: float) -> None:
        """Show only the view's pixels at or above ``threshold`` and say their area."""
        from ...backend.zeroshot.similarity import area_above

        if self.values is None or self.view_layer is None:
            return
        with contextlib.suppress(RuntimeError):
            show_above(self.view_layer, threshold)
        valid = np.isfinite(self.values)
        n_valid = int(valid.sum())
        share = float((self.values[valid] >= threshold).sum()) / n_valid if n_valid else 0.0
        self.panel.show_area(float(area_above(self.values, threshold, self.pixel_m2)), share)

    # ------------------------------------------------------------------ full resolution
    def default_output(self) -> str:
        if self.layer is None:
            return ""
        source = Path(self.layer.source())
        return str(source.with_name(source.stem + "_similar.tif"))

    def save_full_resolution(self, path: str, *, overwrite: bool = False):
        """Start the similarity of the whole embedding raster into the COG ``path`` as a
        task; the map is added, styled and cut at the panel's threshold, when it ends."""
        from ...backend.zeroshot.similarity import similarity_map
        from ..tasks import BackendTask, start

        if self.query is None:
            return None
        threshold = self.panel.threshold()
        kwargs = {"embeddings": self.layer.source(), "out": path, "queries": [self.query],
                  "names": [self.query_label], "threshold": threshold, "overwrite": overwrite}
        self.task = BackendTask(tr("Similarity map"), similarity_map, kwargs,
                                on_success=lambda res: self.saved(res, threshold),
                                on_error=self.warn, message_bar=self.iface.messageBar())
        return start(self.task)

    def saved(self, result, threshold: float) -> None:
        layer = add_raster_layer(result.out, Path(str(result.out)).stem, style=STYLE,
                                 project=self.project, output=MAP_OUTPUT)
        show_above(layer, threshold)
        area = result.area_above_km2               # band name -> km2 (one band here)
        area = next(iter(area.values()), None) if area else None
        text = tr("Similarity map written to {path}.").format(path=result.out)
        if area is not None:
            text += " " + tr("{km2:.3g} km² at or above {threshold:.2f}.").format(
                km2=float(area), threshold=threshold)
        self.iface.messageBar().pushMessage(tr("BotaCLIP"), text, Qgis.MessageLevel.Success,
                                            8)

    def warn(self, text: str) -> None:
        self.iface.messageBar().pushMessage(tr("BotaCLIP"), text, Qgis.MessageLevel.Warning, 8)
