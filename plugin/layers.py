"""Adding backend outputs to the QGIS project with styles, and handing QGIS layers to the
backend as files."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
from pathlib import Path

from qgis.core import (
    QgsColorRampShader,
    QgsCoordinateTransformContext,
    QgsLayerTreeGroup,
    QgsMapLayer,
    QgsMapLayerLegendUtils,
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from ..backend.errors import BotaclipError
from .compat import WRITER_NO_ERROR, enum_value
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


# ----------------------------------------------------------------------------- prediction maps

PREDICTION_STYLES = {"probability": "prediction_probability",
                     "abundance": "prediction_abundance",
                     "uncertainty": "prediction_uncertainty",
                     "applicability": "prediction_applicability"}
# legend labels of resources/styles/prediction_applicability.qml, by value, translated on load
AOA_LABELS = {0: translatable("outside the area of applicability"),
              1: translatable("inside the area of applicability")}
# Paul Tol's "muted" qualitative scheme (https://personal.sron.nl/~pault/): nine colours
# made to be told apart as categories, by colour-blind readers too, and none so light that
# it vanishes on a white map or so dark that it reads as "no data".
CATEGORY_COLOURS = ("#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77",
                    "#cc6677", "#882255", "#aa4499")
# pixels sampled for the statistics that stretch the abundance and uncertainty ramps: every
# pixel of a map up to 500 x 500, and a bounded wait on a larger one, where an extreme the
# sample misses only puts its few pixels at the end colour of the ramp
STATS_SAMPLE = 250_000
# the band statistics asked for (Qgis.RasterBandStatistic from QGIS 3.36, QGIS 4)
MIN_MAX = (enum_value("Qgis.RasterBandStatistic.Min", "QgsRasterBandStats.Stats.Min")
           | enum_value("Qgis.RasterBandStatistic.Max", "QgsRasterBandStats.Stats.Max"))


def class_colours(n: int) -> list:
    """``n`` distinct colours (QColor) for the classes of a class map, in class order.

    Up to nine classes take :data:`CATEGORY_COLOURS` (distinct for colour-blind readers).
    Beyond, each further class gets the hue 137.5 degrees (the golden angle) past the
    previous one, so that consecutive classes are far apart on the colour wheel and no two
    hues coincide, with the lightness alternating so that neighbours differ in grey too."""
    colours = [QColor(c) for c in CATEGORY_COLOURS[:n]]
    for i in range(n - len(colours)):
        colours.append(QColor.fromHsvF((i * 137.508 / 360.0) % 1.0, 0.65,
                                       0.85 if i % 2 == 0 else 0.6))
    return colours


class MapBands:
    """The bands of a prediction map (read from its band descriptions and tags): the
    ``predictions`` as (band, kind, target) with kind ``probability``, ``abundance`` or
    ``class``; ``uncertainty`` as (band, target); ``applicability`` (band or None);
    ``class_names`` {class value: name} of a class map."""

    def __init__(self, path, descriptions: list, tags: dict):
        self.path = str(path)
        self.task = tags.get("BOTACLIP_TASK", "")
        self.predictions, self.uncertainty, self.applicability = [], [], None
        for band, desc in enumerate(descriptions, start=1):
            kind, _sep, target = desc.partition("_")
            if desc == "class":
                self.predictions.append((band, "class", ""))
            elif kind in ("probability", "abundance") and self.task != "classes":
                self.predictions.append((band, kind, target))
            elif kind == "uncertainty":
                self.uncertainty.append((band, target))
            elif desc == "applicability":
                self.applicability = band
        names = tags.get("BOTACLIP_CLASS_NAMES") or tags.get("BOTACLIP_CLASSES") or {}
        self.class_names = {int(k): str(v) for k, v in names.items()}
        self.targets = list(tags.get("BOTACLIP_TARGETS") or [])


def prediction_bands(path) -> MapBands:
    """What the prediction map ``path`` holds (:class:`MapBands`), or a BotaclipError when
    it is not one (a file BotaCLIP's predict or apply did not write)."""
    import json

    from osgeo import gdal

    ds = gdal.OpenEx(str(path), gdal.OF_RASTER)
    if ds is None:
        raise BotaclipError(tr("QGIS cannot open the prediction map {path}.").format(path=path))
    descriptions = [ds.GetRasterBand(b).GetDescription() for b in range(1, ds.RasterCount + 1)]
    tags = {}
    for key, value in (ds.GetMetadata() or {}).items():
        try:
            tags[key] = json.loads(value)
        except ValueError:
            tags[key] = value
    bands = MapBands(path, descriptions, tags)
    if not bands.predictions:
        raise BotaclipError(tr(
            "{path} is not a prediction map: none of its bands is a probability, abundance "
            "or class band (its bands: {bands}). Give a map written by BotaCLIP's Predict "
            "map or Apply predictor.").format(path=path, bands=", ".join(descriptions)))
    return bands


def _band_range(layer: QgsRasterLayer, band: int) -> tuple[float, float]:
    """(minimum, maximum) of ``band`` from a sample of its pixels; (0, 1) when it has none."""
    stats = layer.dataProvider().bandStatistics(band, MIN_MAX, QgsRectangle(), STATS_SAMPLE)
    lo, hi = stats.minimumValue, stats.maximumValue
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return 0.0, 1.0
    return float(lo), float(hi) if hi > lo else float(lo) + 1.0


def stretch_ramp(layer: QgsRasterLayer, lo: float, hi: float) -> None:
    """Move the colour stops of ``layer``'s pseudocolour renderer, made for its style's
    range, onto ``lo``..``hi`` (their relative positions kept) and relabel the legend."""
    renderer = layer.renderer()
    fn = renderer.shader().rasterShaderFunction()
    old_lo, old_hi = fn.minimumValue(), fn.maximumValue()
    span = (old_hi - old_lo) or 1.0
    items = []
    for item in fn.colorRampItemList():
        value = lo + (item.value - old_lo) / span * (hi - lo)
        items.append(QgsColorRampShader.ColorRampItem(value, item.color, f"{value:.3g}"))
    fn.setMinimumValue(lo)
    fn.setMaximumValue(hi)
    fn.setColorRampItemList(items)
    renderer.shader().setMinimumValue(lo)
    renderer.shader().setMaximumValue(hi)
    renderer.setClassificationMin(lo)
    renderer.setClassificationMax(hi)


def _paletted(layer: QgsRasterLayer, band: int, classes: list) -> None:
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), band, classes))


def style_map_band(layer: QgsRasterLayer, kind: str, band: int, bands: MapBands) -> None:
    """Style ``layer`` to show ``band`` of a prediction map as ``kind``: probability
    (viridis, fixed 0-1), abundance (sequential, stretched to the band's minimum and
    maximum), uncertainty (greys, stretched from 0 to the band's maximum: 0 is models that
    agree), applicability (grey where 0, transparent where 1) or class (one colour and
    name per class, from the map's class names)."""
    if kind == "class":
        colours = class_colours(len(bands.class_names))
        _paletted(layer, band, [QgsPalettedRasterRenderer.Class(value, colour, name)
                                for (value, name), colour in zip(
                                    sorted(bands.class_names.items()), colours)])
    elif kind == "applicability":
        apply_style(layer, PREDICTION_STYLES[kind])
        _paletted(layer, band, [QgsPalettedRasterRenderer.Class(
            c.value, c.color, tr(AOA_LABELS.get(int(c.value), c.label)))
            for c in layer.renderer().classes()])
    else:
        apply_style(layer, PREDICTION_STYLES[kind])
        layer.renderer().setBand(band)
        if kind != "probability":
            lo, hi = _band_range(layer, band)
            stretch_ramp(layer, 0.0 if kind == "uncertainty" else lo,
                         hi if kind != "uncertainty" or hi > 0 else 1.0)
    layer.triggerRepaint()


def style_prediction_layer(layer: QgsRasterLayer) -> bool:
    """Style a layer of a whole prediction map (as Processing loads it) to show its first
    prediction band; False when its file is not a prediction map."""
    try:
        bands = prediction_bands(layer.source())
    except BotaclipError:
        return False
    band, kind, _target = bands.predictions[0]
    style_map_band(layer, kind, band, bands)
    return True


def _map_layers(path, bands: MapBands) -> list[tuple]:
    """(layer, visible) of a prediction map, styled, in layer tree order: the
    applicability on top, the predictions, the uncertainties."""
    labels = {"probability": translatable("{target}: probability"),
              "abundance": translatable("{target}: abundance"),
              "class": translatable("{target}: class")}
    target0 = bands.targets[0] if bands.targets else ""
    wanted = []
    if bands.applicability:
        wanted.append((bands.applicability, "applicability", tr("Area of applicability"),
                       "prediction_applicability", True))
    for band, kind, target in bands.predictions:
        wanted.append((band, kind, tr(labels[kind]).format(target=target or target0),
                       "prediction", True))
    for band, target in bands.uncertainty:
        wanted.append((band, "uncertainty", tr("{target}: uncertainty").format(
            target=target or target0), "prediction_uncertainty", False))
    layers = []
    for band, kind, name, output, visible in wanted:
        layer = QgsRasterLayer(str(path), name, "gdal")
        if not layer.isValid():
            raise BotaclipError(tr("QGIS cannot open the raster {path}.").format(path=path))
        style_map_band(layer, kind, band, bands)
        layer.setCustomProperty(OUTPUT_PROPERTY, output)
        layers.append((layer, visible))
    return layers


def _map_group(name: str, group, old: list, probe: QgsMapLayer, project: QgsProject):
    """(map group, index in it) for the layers of a map: where the topmost of the ``old``
    layers of the same file was (in its group of the map's name, else in a new group of
    that name in its place); else in ``group`` (a name or a group), else at
    :func:`default_slot`; an existing group of the map's name there is reused."""
    root = project.layerTreeRoot()
    if old:
        parent, index = slot_of(old[0], project)
        if parent is not root and parent.name() == name:
            return parent, index
    elif isinstance(group, str):
        parent, index = layer_group(group, project), 0
    elif group is not None:
        parent, index = group, 0
    else:
        parent, index = default_slot(probe, project)
    for child in parent.children():
        if isinstance(child, QgsLayerTreeGroup) and child.name() == name:
            return child, 0
    return parent.insertGroup(index, name), 0


def add_prediction_layers(path, name: str, *, group=None, project: QgsProject | None = None,
                          replace: bool = True) -> list:
    """Add the prediction map ``path`` to the project, styled, in a group ``name``: the
    applicability overlay on top (grey where the model extrapolates), the prediction layer
    (one per target of a multi-target abundance map) and the uncertainty layer (unticked:
    it is there to be looked at on purpose, not to hide the prediction). ``replace``: the
    project layers already reading ``path`` are replaced in place (their group and position
    kept). ``group``: where a new map group goes (a group or a group name; default: above
    the topmost raster). Returns the layers in layer tree order: the applicability (if the
    map has the band), the predictions, the uncertainties."""
    project = project or QgsProject.instance()
    made = _map_layers(path, prediction_bands(path))
    ids = {lyr.id() for lyr in layers_reading([path], project)} if replace else set()
    old = [node.layer() for node in project.layerTreeRoot().findLayers()
           if node.layer() is not None and node.layer().id() in ids]
    parent, index = _map_group(name, group, old, made[0][0], project)
    for offset, (layer, visible) in enumerate(made):
        project.addMapLayer(layer, False)
        parent.insertLayer(index + offset, layer).setItemVisibilityChecked(visible)
    emptied = [slot_of(lyr, project)[0] for lyr in old]
    if ids:
        project.removeMapLayers(list(ids))
    for g in emptied:                       # a group that held only the old layers
        if g is not parent and g is not project.layerTreeRoot() and not g.children() \
                and g.parent() is not None:
            g.parent().removeChildNode(g)
    return [layer for layer, _visible in made]
