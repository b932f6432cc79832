"""Adding backend outputs to the QGIS project with styles, and handing QGIS layers to the
backend as files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsLayerTreeGroup,
    QgsMapLayer,
    QgsProject,
    QgsRasterLayer,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

from ..backend.errors import BotaclipError
from .compat import WRITER_NO_ERROR
from .i18n import tr, translatable

STYLES_DIR = Path(__file__).resolve().parents[1] / "resources" / "styles"

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


def _add(layer: QgsMapLayer, what: str, group, style, project,
         visible: bool = True) -> QgsMapLayer:
    if not layer.isValid():
        raise BotaclipError(tr("QGIS cannot open the {what} {path}.").format(
            what=what, path=layer.source()))
    project = project or QgsProject.instance()
    if style:
        apply_style(layer, style)
    if group is None:
        project.addMapLayer(layer)
    else:
        if isinstance(group, str):
            group = layer_group(group, project)
        project.addMapLayer(layer, False)
        group.addLayer(layer)
    if not visible:
        set_layer_visible(layer, False, project)
    return layer


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
                     project: QgsProject | None = None, visible: bool = True) -> QgsRasterLayer:
    """Add a raster file to the project (optionally into ``group``: a name or a group);
    ``visible=False`` adds it unticked in the layer tree."""
    return _add(QgsRasterLayer(str(path), name, "gdal"), tr("raster"), group, style, project,
                visible)


def add_vector_layer(path, name: str, *, group=None, style: str | None = None,
                     project: QgsProject | None = None) -> QgsVectorLayer:
    """Add an OGR vector (``path`` or ``path|layername=x``) to the project."""
    return _add(QgsVectorLayer(str(path), name, "ogr"), tr("vector layer"), group, style,
                project)


def remove_layers_from(paths, project: QgsProject | None = None) -> int:
    """Remove project layers read from any of ``paths``: a run is about to replace those
    files (on Windows an open file cannot be replaced). Returns how many were removed."""
    project = project or QgsProject.instance()
    wanted = {os.path.normcase(os.path.abspath(str(p))) for p in paths if p}
    ids = [lid for lid, lyr in project.mapLayers().items()
           if os.path.normcase(os.path.abspath(lyr.source().split("|")[0])) in wanted]
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


def vector_source(layer: QgsVectorLayer, temp_parent=None) -> str:
    """A source the backend's OGR readers can open for ``layer``.

    A file layer of the OGR provider is passed as its source (``path|layername=x``, with a
    ``|subset=`` filter if any: the backend reads that syntax). Any other layer -- a memory
    (scratch) layer, a delimited-text CSV, a database or web layer -- exists only inside
    QGIS or behind a URI that OGR does not understand, so it is first written to a
    GeoPackage in a new temporary folder (inside ``temp_parent`` if given)."""
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
        raise BotaclipError(tr("Cannot copy the layer '{name}' to {path} for BotaCLIP: "
                               "{message}").format(name=layer.name(), path=target,
                                                   message=message))
    return f"{target}|layername={safe}"
