"""Write a QGIS project (.qgz) from a project spec (``demo-project.json``, written by
``backend/demo/chain.py``): groups in order, every layer styled, the CRS and extent of the
orthophoto.

Run as ``python -m botaclip.plugin.project_writer SPEC.json OUT.qgz`` with QGIS's Python: the
backend never imports qgis, so ``botaclip demo`` runs this in a subprocess (offscreen). The
styles are the plugin's own (:mod:`.layers`), so the project looks as the results look when
the plugin adds them one by one.

Render order: the layer tree keeps the spec's groups in the spec's order (inputs first, as a
reader expects), while the map draws the points on top, then the results, the orthophoto at
the bottom (a custom layer order), so that ticking a result never hides the plots and the
orthophoto never hides a result. Only the orthophoto, the relevés and the first zero-shot
map are ticked at first: the rest are there to be looked at one at a time (their groups and
legends folded, so that the layer panel shows the five groups without scrolling).

The .qgz is written under a temporary name beside ``OUT`` (paths in it are stored relative
to the project's folder, which is the same) and moved in place when complete.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

from qgis.core import (
    QgsColorRampShader,
    QgsLayerTreeGroup,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsRasterShader,
    QgsReferencedRectangle,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from ..backend.errors import BotaclipError
from .layers import add_prediction_layers, apply_style, stretch_ramp

SPEC_KIND = "botaclip-demo-project"
# RdBu (ColorBrewer), blue for unlike, red for alike: the similarity maps' ramp when
# resources/styles/similarity.qml is missing.
DIVERGING = ("#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62", "#b2182b")
ZERO_SHOT_OPACITY = 0.8      # opacity of a zero-shot map: the orthophoto shows through a little


def diverging_renderer(layer: QgsRasterLayer, band: int = 1) -> None:
    """A diverging pseudocolour ramp from -1 to 1 (a cosine's range) on ``band``."""
    fn = QgsColorRampShader(-1.0, 1.0)
    fn.setColorRampType(QgsColorRampShader.Interpolated)
    fn.setColorRampItemList([QgsColorRampShader.ColorRampItem(-1.0 + 0.5 * i, QColor(c),
                                                              f"{-1.0 + 0.5 * i:g}")
                             for i, c in enumerate(DIVERGING)])
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(fn)
    layer.setRenderer(QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, shader))


def class_renderer(layer: QgsRasterLayer) -> None:
    """The map's own colour table as a paletted renderer, each class named from the map's
    ``BOTACLIP_CLASS_NAMES`` tag (as prediction maps name their classes; a COG keeps no
    category names), nodata and the unused 0 entry left out of the legend."""
    from osgeo import gdal

    ds = gdal.Open(layer.source())
    try:
        names = json.loads(ds.GetMetadataItem("BOTACLIP_CLASS_NAMES") or "{}")
    except (ValueError, AttributeError):
        names = {}
    classes = [QgsPalettedRasterRenderer.Class(int(c.value), c.color, names[str(int(c.value))])
               for c in QgsPalettedRasterRenderer.colorTableToClassData(
                   layer.dataProvider().colorTable(1)) if str(int(c.value)) in names]
    if not classes:
        raise BotaclipError(f"{layer.source()} names no classes (tag BOTACLIP_CLASS_NAMES): "
                            "write it again with 'botaclip habitats'.")
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))


def raster_layer(entry: dict) -> QgsRasterLayer:
    """A raster of the spec, styled: its QML style (with ``band`` and ``range``: that band,
    the ramp stretched onto the range), or its classes."""
    layer = QgsRasterLayer(entry["path"], entry["name"], "gdal")
    if not layer.isValid():
        raise BotaclipError(f"QGIS cannot open the raster {entry['path']}; run the demo again.")
    style, kind = entry.get("style"), entry.get("kind", "raster")
    if kind == "classes":
        class_renderer(layer)
    elif style:
        if not apply_style(layer, style):
            if style != "similarity":
                raise BotaclipError(f"The style {style}.qml is missing from "
                                    "resources/styles; reinstall the plugin.")
            diverging_renderer(layer)
        if entry.get("band") and hasattr(layer.renderer(), "setBand"):
            layer.renderer().setBand(int(entry["band"]))
        if entry.get("range") and isinstance(layer.renderer(),
                                             QgsSingleBandPseudoColorRenderer):
            stretch_ramp(layer, *map(float, entry["range"]))
    return layer


def vector_layer(entry: dict) -> QgsVectorLayer:
    layer = QgsVectorLayer(entry["path"], entry["name"], "ogr")
    if not layer.isValid():
        raise BotaclipError(f"QGIS cannot open the vector layer {entry['path']}; run the demo "
                            "again.")
    if entry.get("style") and not apply_style(layer, entry["style"]):
        raise BotaclipError(f"The style {entry['style']}.qml is missing from "
                            "resources/styles; reinstall the plugin.")
    return layer


def add_entry(entry: dict, group: QgsLayerTreeGroup, project: QgsProject) -> list:
    """Add one layer of the spec at the top of ``group``; returns the layers added."""
    kind = entry.get("kind", "raster")
    if kind == "prediction":
        return add_prediction_layers(entry["path"], entry["name"], group=group,
                                     project=project, replace=False)
    layer = vector_layer(entry) if kind == "vector" else raster_layer(entry)
    if kind not in ("vector", "classes") and entry.get("style") == "similarity":
        layer.renderer().setOpacity(ZERO_SHOT_OPACITY)
    project.addMapLayer(layer, False)
    group.insertLayer(0, layer).setItemVisibilityChecked(entry.get("visible", True))
    return [layer]


def fold_tree(groups: dict) -> None:
    """Unticked groups folded, every legend folded but those of the results shown: opened,
    the layer panel then lists the five groups at once (unfolded, the 32 bands of the
    embedding raster, the orthophoto's bands and the plot check's six classes pushed three
    of them out of sight), and the only legend in view is the one of the map drawn."""
    for name, group in groups.items():
        group.setExpanded(group.itemVisibilityChecked())
        for node in group.findLayers():
            node.setExpanded(name != "Inputs" and node.isVisible())


def render_order(project: QgsProject, inputs: QgsLayerTreeGroup) -> None:
    """Points on top, then the results in tree order, the input rasters at the bottom."""
    nodes = [n.layer() for n in project.layerTreeRoot().findLayers() if n.layer()]
    bottom = [n.layer() for n in inputs.findLayers() if isinstance(n.layer(), QgsRasterLayer)]
    vectors = [lyr for lyr in nodes if not isinstance(lyr, QgsRasterLayer)]
    middle = [lyr for lyr in nodes if isinstance(lyr, QgsRasterLayer) and lyr not in bottom]
    root = project.layerTreeRoot()
    root.setHasCustomLayerOrder(True)
    root.setCustomLayerOrder(vectors + middle + bottom)


def build_project(spec: dict, project: QgsProject, rename=None) -> None:
    """Fill ``project`` from ``spec``: groups, layers, render order, CRS and extent.
    ``rename`` (text -> text), when given, renames the title, the groups and the layers
    once the project is built (the plugin passes its translation: the spec's names are
    English, and the choices above go by them)."""
    root = project.layerTreeRoot()
    groups = {name: root.addGroup(name) for name in spec["groups"]}
    for entry in spec["layers"]:
        if entry["group"] not in groups:
            raise BotaclipError(f"The layer {entry['name']} names the group {entry['group']}, "
                                f"which the spec does not list ({', '.join(groups)}).")
        add_entry(entry, groups[entry["group"]], project)
    for name, group in groups.items():     # a result group shown only when ticked
        if name not in ("Inputs", "Zero-shot"):
            group.setItemVisibilityChecked(False)
    fold_tree(groups)
    render_order(project, groups[spec["groups"][0]])
    ortho = QgsRasterLayer(spec["extent_from"], "extent", "gdal")
    if not ortho.isValid():
        raise BotaclipError(f"QGIS cannot open the orthophoto {spec['extent_from']}.")
    project.setCrs(ortho.crs())
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(ortho.extent(),
                                                                       ortho.crs()))
    project.setTitle(spec.get("title", "BotaCLIP"))
    if rename is not None:
        rename_project(project, rename)


def rename_project(project: QgsProject, rename) -> None:
    """The title, every group (nested ones included) and every layer renamed by
    ``rename``."""
    project.setTitle(rename(project.title()))
    for group in project.layerTreeRoot().findGroups(True):
        group.setName(rename(group.name()))
    for layer in project.mapLayers().values():
        layer.setName(rename(layer.name()))


def read_spec(path) -> dict:
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BotaclipError(f"Cannot read the project spec {path}: {exc}. Run 'botaclip demo' "
                            "again to write it.") from exc
    if not isinstance(spec, dict) or spec.get("kind") != SPEC_KIND:
        raise BotaclipError(f"{path} is not a BotaCLIP project spec (written by "
                            "'botaclip demo' as demo-project.json).")
    return spec


def write_project(spec_path, out, rename=None) -> Path:
    """Build the project of ``spec_path`` and write it to ``out`` (.qgz), whole or not at
    all. Needs a running QgsApplication. ``rename``: see :func:`build_project` (the demo
    dialog writes the project inside QGIS, in the user's language)."""
    out = Path(out)
    if out.suffix.lower() != ".qgz":
        raise BotaclipError(f"The project file {out} must end in .qgz.")
    spec = read_spec(spec_path)
    project = QgsProject()
    build_project(spec, project, rename)
    tmp = out.with_name(f".{out.stem}.partial-{uuid.uuid4().hex[:8]}.qgz")
    try:
        if not project.write(str(tmp)):
            raise BotaclipError(f"QGIS could not write the project {out}: "
                                f"{project.error() or 'no reason given'}. Check that the "
                                "folder is writable.")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def main(argv=None) -> int:
    """Start QGIS offscreen, write the project, say where it is; errors as one message."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m botaclip.plugin.project_writer SPEC.json OUT.qgz",
              file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        print(f"QGIS project written: {write_project(argv[0], argv[1])}")
        return 0
    except BotaclipError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    finally:
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
