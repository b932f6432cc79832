"""Adding backend outputs to the QGIS project with styles, and handing QGIS layers to the
backend as files."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsLayerTreeGroup,
    QgsMapLayer,
    QgsMapLayerLegendUtils,
    QgsProject,
    QgsRasterLayer,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

from ..backend.errors import BotaclipError
from .compat import WRITER_NO_ERROR
from .i18n import tr, translatable

STYLES_DIR = Path(__file__).resolve().parents[1] / "resources" / "styles"
# custom layer property naming the kind of BotaCLIP result a layer shows
OUTPUT_PROPERTY = "botaclip/output"

# Category labels of the plot status style (resources/styles/plot_status.qml), translated
# when the style is applied.
STATUS_LABELS = {
    "usable": translatable("usable"),
    "outside_raster": translatable("outside the orthophoto"),
    "too_much_nodata": translatable("too few valid pixels"),
    "no_taxa": translatable("no taxon recorded"),
    "duplicate_id": translatable("plot id used twice"),
    "no_geometry": translatable("no coordinates"),
}


def style_path(name: str) -> Path:
    """``resources/styles/<name>.qml``."""
    return STYLES_DIR / (name if name.endswith(".qml") else name + ".qml")


def apply_style(layer: QgsMapLayer, name: str) -> bool:
    """Load the QML style ``name`` from resources/styles onto ``layer``; True on success."""
    path = style_path(name)
    if not path.exists():
        return False
    _msg, ok = layer.loadNamedStyle(str(path))
    if ok and name.startswith("plot_status"):
        _translate_status_labels(layer)
    layer.triggerRepaint()
    return bool(ok)


def _translate_status_labels(layer: QgsMapLayer) -> None:
    renderer = layer.renderer() if isinstance(layer, QgsVectorLayer) else None
    if renderer is None or not hasattr(renderer, "categories"):
        return
    for i, cat in enumerate(renderer.categories()):
        key = str(cat.value())
        if key in STATUS_LABELS:
            renderer.updateCategoryLabel(i, tr(STATUS_LABELS[key]))


def layer_group(name: str, project: QgsProject | None = None) -> QgsLayerTreeGroup:
    """The top-level layer tree group ``name``, created at the top when missing."""
    root = (project or QgsProject.instance()).layerTreeRoot()
    group = root.findGroup(name)
    return group if group is not None else root.insertGroup(0, name)


def _add(layer: QgsMapLayer, what: str, group, style, project, visible: bool = True,
         output: str = "") -> QgsMapLayer:
    """Add ``layer`` with ``style``: in the place of the project layers read from the same
    file (the result they showed is replaced), else into ``group`` (a name or a group), else
    where :func:`default_slot` says. ``output``: what kind of BotaCLIP result it is (kept
    as a custom property, so that inputs pickers never offer our results as inputs)."""
    if not layer.isValid():
        raise BotaclipError(tr("QGIS cannot open the {what} {path}.").format(
            what=what, path=layer.source()))
    project = project or QgsProject.instance()
    if style:
        apply_style(layer, style)
    if output:
        layer.setCustomProperty(OUTPUT_PROPERTY, output)
    old = layers_reading([layer.source()], project)
    if isinstance(group, str):
        group = layer_group(group, project)
    parent, index = slot_of(old[0], project) if old else \
        ((group, len(group.children())) if group is not None else default_slot(layer, project))
    project.addMapLayer(layer, False)
    parent.insertLayer(index, layer)
    if old:
        project.removeMapLayers([lyr.id() for lyr in old])
    if not visible:
        set_layer_visible(layer, False, project)
    return layer


def slot_of(layer: QgsMapLayer, project: QgsProject):
    """(group, index) of ``layer``'s node in the layer tree."""
    node = project.layerTreeRoot().findLayer(layer.id())
    if node is None:
        return project.layerTreeRoot(), 0
    parent = node.parent()
    return parent, parent.children().index(node)


def default_slot(layer: QgsMapLayer, project: QgsProject):
    """Where a new result goes: a vector layer at the top; a raster directly above the
    topmost raster of the layer tree, in its group, so that it covers the orthophoto but
    not the points above it (at the bottom when there is no raster)."""
    root = project.layerTreeRoot()
    if not isinstance(layer, QgsRasterLayer):
        return root, 0
    for node in root.findLayers():
        if isinstance(node.layer(), QgsRasterLayer):
            parent = node.parent()
            return parent, parent.children().index(node)
    return root, len(root.children())


def set_legend_labels(layer: QgsMapLayer, labels, iface=None,
                      project: QgsProject | None = None) -> bool:
    """Replace the labels of ``layer``'s legend entries (for people, instead of band
    names); False when it is not in the layer tree."""
    node = (project or QgsProject.instance()).layerTreeRoot().findLayer(layer.id())
    if node is None:
        return False
    for index, label in enumerate(labels):
        QgsMapLayerLegendUtils.setLegendNodeUserLabel(node, index, label)
    if iface is not None:
        iface.layerTreeView().layerTreeModel().refreshLayerLegend(node)
    return True


def set_layer_visible(layer: QgsMapLayer, visible: bool,
                      project: QgsProject | None = None) -> bool:
    """Tick or untick ``layer`` in the layer tree; False when it is not in the tree."""
    root = (project or QgsProject.instance()).layerTreeRoot()
    node = root.findLayer(layer.id())
    if node is None:
        return False
    node.setItemVisibilityChecked(visible)
    return True


def add_raster_layer(path, name: str, *, group=None, style: str | None = None,
                     project: QgsProject | None = None, visible: bool = True,
                     output: str = "") -> QgsRasterLayer:
    """Add a raster file to the project (see :func:`_add`); ``visible=False`` adds it
    unticked in the layer tree."""
    return _add(QgsRasterLayer(str(path), name, "gdal"), tr("raster"), group, style, project,
                visible, output)


def add_vector_layer(path, name: str, *, group=None, style: str | None = None,
                     project: QgsProject | None = None, output: str = "") -> QgsVectorLayer:
    """Add an OGR vector (``path`` or ``path|layername=x``) to the project."""
    return _add(QgsVectorLayer(str(path), name, "ogr"), tr("vector layer"), group, style,
                project, True, output)


def _file_of(source: str) -> str:
    return os.path.normcase(os.path.abspath(str(source).split("|")[0]))


def layers_reading(paths, project: QgsProject | None = None) -> list[QgsMapLayer]:
    """The project layers read from any of the files ``paths``."""
    project = project or QgsProject.instance()
    wanted = {_file_of(p) for p in paths if p}
    return [lyr for lyr in project.mapLayers().values() if _file_of(lyr.source()) in wanted]


class HeldLayers:
    """The project layers showing files a run is about to replace. They stay while it runs
    and are replaced in place by the new result (:func:`_add`). Where an open file cannot
    be replaced (Windows), :meth:`release` takes them out for the run and :meth:`restore`
    puts them back, in their place and style, when it is cancelled or fails."""

    def __init__(self, paths, project: QgsProject | None = None):
        self.paths = [str(p) for p in paths if p]
        self.project = project or QgsProject.instance()
        self._saved: list = []

    def release(self, must: bool = os.name == "nt") -> int:
        if not must:
            return 0
        layers = layers_reading(self.paths, self.project)
        for layer in layers:
            parent, index = slot_of(layer, self.project)
            self._saved.append((layer.clone(), parent, index))
        self.project.removeMapLayers([lyr.id() for lyr in layers])
        return len(self._saved)

    def restore(self) -> int:
        saved, self._saved = self._saved, []
        for layer, parent, index in saved:
            self.project.addMapLayer(layer, False)
            parent.insertLayer(min(index, len(parent.children())), layer)
        return len(saved)


def remove_layers_from(paths, project: QgsProject | None = None) -> int:
    """Remove project layers read from any of ``paths``. Returns how many were removed."""
    project = project or QgsProject.instance()
    ids = [lyr.id() for lyr in layers_reading(paths, project)]
    if ids:
        project.removeMapLayers(ids)
    return len(ids)


# ----------------------------------------------------------------------------- layer -> file

def raster_source(layer: QgsRasterLayer) -> str:
    """What GDAL can open for a raster layer (its source), or a BotaclipError."""
    if layer is None:
        raise BotaclipError(tr("Choose an orthophoto layer."))
    if layer.providerType() != "gdal":
        raise BotaclipError(tr(
            "The layer '{name}' is not a raster file (it comes from the '{provider}' "
            "provider). Save it as a GeoTIFF first (right-click > Export > Save As…) and "
            "use that file.").format(name=layer.name(), provider=layer.providerType()))
    return layer.source()


class LayerCopy(str):
    """The source string of a temporary GeoPackage copy of a QGIS layer, which the backend
    reads like any path. ``recorded_as`` names the user's own layer (its name and public
    source): outputs record that, not a temporary path that will be gone
    (:func:`backend.io.outputs.recorded_name`). ``folder`` is the copy's temporary folder,
    removed by :func:`remove_copies` when the run ends."""

    recorded_as: str
    folder: str

    def __new__(cls, source: str, recorded_as: str, folder: str):
        obj = super().__new__(cls, source)
        obj.recorded_as, obj.folder = recorded_as, folder
        return obj


def remove_copies(values) -> int:
    """Remove the temporary folders of the :class:`LayerCopy` among ``values`` (a run's
    arguments; lists and dicts are searched). Returns how many were removed."""
    n = 0
    for value in values:
        if isinstance(value, dict):
            n += remove_copies(value.values())
        elif isinstance(value, (list, tuple)):
            n += remove_copies(value)
        elif isinstance(value, LayerCopy) and os.path.isdir(value.folder):
            shutil.rmtree(value.folder, ignore_errors=True)
            n += 1
    return n


def vector_source(layer: QgsVectorLayer, temp_parent=None) -> str:
    """A source the backend's OGR readers can open for ``layer``.

    A file layer of the OGR provider is passed as its source (``path|layername=x``, with a
    ``|subset=`` filter if any: the backend reads that syntax). Any other layer -- a memory
    (scratch) layer, a delimited-text CSV, a database or web layer -- exists only inside
    QGIS or behind a URI that OGR does not understand, so it is first written to a
    GeoPackage in a new temporary folder (inside ``temp_parent`` if given), returned as a
    :class:`LayerCopy`: pass the run's arguments to :func:`remove_copies` when it ends."""
    if layer is None:
        raise BotaclipError(tr("Choose a relevé layer."))
    if layer.providerType() == "ogr":
        path = layer.source().split("|")[0]
        if os.path.exists(path):
            return layer.source()
    temp_dir = Path(tempfile.mkdtemp(prefix="botaclip-",
                                     dir=str(temp_parent) if temp_parent else None))
    safe = "".join(c if c.isalnum() else "_" for c in layer.name()) or "layer"
    target = temp_dir / f"{safe}.gpkg"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = safe
    context = (layer.transformContext() if hasattr(layer, "transformContext")
               else QgsCoordinateTransformContext())
    result = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(target), context, options)
    error, message = result[0], result[1]
    if error != WRITER_NO_ERROR:
        with contextlib.suppress(OSError):
            shutil.rmtree(temp_dir)
        raise BotaclipError(tr("Cannot copy the layer '{name}' to {path} for BotaCLIP: "
                               "{message}").format(name=layer.name(), path=target,
                                                   message=message))
    recorded = (f"QGIS layer '{layer.name()}' ({layer.providerType()}: "
                f"{layer.publicSource()})")
    return LayerCopy(f"{target}|layername={safe}", recorded, str(temp_dir))
