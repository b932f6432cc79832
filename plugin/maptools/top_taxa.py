"""The "Top taxa here" map tool: click on the map over a suitability map and read the taxa
most likely present at that pixel, with their probabilities, in QGIS's message bar.

The suitability map's tags name the model and the embedding raster it was made from
(``BOTACLIP_MODEL``, ``BOTACLIP_EMBEDDINGS``), and how many taxa to list
(``BOTACLIP_TOP_K``); the answer comes from the same soft retrieval as the map's expected
community (``backend.zeroshot.suitability.top_taxa_at``).

Why a task for every click, not the main thread: the first click loads the model and fits
the retrieval temperature on its validation plots (seconds to minutes on a real model); later
clicks are quick (the fit is cached per process) but still load the model, and QGIS must not
freeze meanwhile. A click made while an earlier one is still being answered replaces it: only
the last click's answer is shown.

Why the message bar rather than a dialog: the answer is a few names, read and left; a bar
item does not take the focus from the map, so the next click can follow at once, and each
answer replaces the previous one.
"""

from __future__ import annotations

import contextlib
import os

from qgis.core import Qgis, QgsCoordinateTransform, QgsPointXY, QgsProject, QgsRasterLayer
from qgis.gui import QgsMapTool
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt

from ..i18n import tr

SUITABILITY_KIND = "suitability"        # BOTACLIP_KIND of a suitability map
DEFAULT_K = 5                           # the backend's default when the map records none


def map_tags(layer) -> dict:
    """The ``BOTACLIP_*`` tags of a raster layer's file (JSON values decoded; empty when it
    has none, or is no file GDAL reads)."""
    if not isinstance(layer, QgsRasterLayer) or layer.providerType() != "gdal":
        return {}
    from ...backend.embed.cog import read_embedding_tags

    try:
        return read_embedding_tags(layer.source())
    except (RuntimeError, AttributeError):
        return {}


def is_suitability_layer(layer) -> bool:
    return map_tags(layer).get("BOTACLIP_KIND") == SUITABILITY_KIND


def suitability_layer(iface, project: QgsProject | None = None):
    """The suitability map the tool reads: the active layer when it is one, else the first
    layer of the layer tree that is (None when there is none)."""
    active = iface.activeLayer() if iface is not None else None
    if is_suitability_layer(active):
        return active
    project = project or QgsProject.instance()
    for node in project.layerTreeRoot().findLayers():
        if is_suitability_layer(node.layer()):
            return node.layer()
    return None


def query_arguments(layer) -> tuple[dict, str]:
    """(``top_taxa_at``'s arguments but the point, "") from a suitability map's tags, or
    ({}, why not) when the model or the embedding raster it names is not there."""
    tags = map_tags(layer)
    model, embeddings = tags.get("BOTACLIP_MODEL"), tags.get("BOTACLIP_EMBEDDINGS")
    for what, path in ((tr("model folder"), model), (tr("embedding raster"), embeddings)):
        if not path or not os.path.exists(str(path)):
            return {}, tr("The suitability map '{name}' was made from the {what} {path}, which "
                          "is not there any more; make the map again with 'Species "
                          "suitability…'.").format(name=layer.name(), what=what,
                                                   path=path or "?")
    k = int(tags.get("BOTACLIP_TOP_K") or DEFAULT_K)
    kwargs = {"model_dir": str(model), "embeddings": str(embeddings), "k": k}
    releves = (tags.get("BOTACLIP_RETRIEVAL") or {}).get("releves")
    if releves and releves != training_releves(model):
        kwargs["releves"] = releves          # retrieved over other relevés than training's
    return kwargs, ""


def training_releves(model) -> str:
    """The relevé file training recorded in the model's config.json ("" when none)."""
    from ..dialogs.embed_dialog import model_config

    return str(((model_config(str(model)) or {}).get("inputs") or {}).get("releves") or "")


def answer_text(taxa) -> str:
    """``[(name, p)]`` as one line, most likely first: "Carex curvula 82% · ..."."""
    return " · ".join(tr("{name} {p:.0%}").format(name=name, p=p) for name, p in taxa)


class TopTaxaTool(QgsMapTool):
    """A left click asks for the taxa most likely present at the clicked point."""

    def __init__(self, canvas, controller: TopTaxa):
        super().__init__(canvas)
        self.controller = controller
        self.setCursor(Qt.CursorShape.WhatsThisCursor)

    def canvasReleaseEvent(self, event):  # noqa: N802 (QGIS's name)
        if event.button() == Qt.MouseButton.LeftButton:
            self.controller.query_point(event.mapPoint())


class TopTaxa:
    """The tool and what it last asked and answered (``task``, ``answer``)."""

    def __init__(self, iface, project: QgsProject | None = None):
        self.iface = iface
        self.project = project or QgsProject.instance()
        self.canvas = iface.mapCanvas()
        self.tool = TopTaxaTool(self.canvas, self)
        self.task = None              # the last click's task
        self.answer = None            # [(name, p)] of the last answer
        self.item = None              # its message bar item

    def activate(self, action=None) -> None:
        if action is not None:
            self.tool.setAction(action)
        self.canvas.setMapTool(self.tool)
        if suitability_layer(self.iface, self.project) is None:
            self.warn(tr("Top taxa here needs a suitability map in the project (made by "
                         "'Species suitability…'): add one, or make it the active layer."))

    def unload(self) -> None:
        if self.canvas.mapTool() is self.tool:
            self.canvas.unsetMapTool(self.tool)
        self.pop_item()

    def query_point(self, point: QgsPointXY):
        """Start the task answering for the map point ``point`` (canvas CRS); None (and a
        message) when it cannot be asked."""
        from ...backend.zeroshot.suitability import top_taxa_at
        from ..tasks import BackendTask, start

        layer = suitability_layer(self.iface, self.project)
        if layer is None:
            self.warn(tr("Top taxa here needs a suitability map in the project (made by "
                         "'Species suitability…'): add one, or make it the active layer."))
            return None
        kwargs, why = query_arguments(layer)
        if why:
            self.warn(why)
            return None
        at = QgsCoordinateTransform(self.canvas.mapSettings().destinationCrs(), layer.crs(),
                                    self.project).transform(QgsPointXY(point))
        kwargs.update(x=at.x(), y=at.y())
        task = BackendTask(tr("Top taxa here"), top_taxa_at, kwargs,
                           message_bar=self.iface.messageBar())
        task.on_success = lambda taxa: self.show(task, taxa, at)
        task.on_error = lambda text: self.warn(text) if task is self.task else None
        task.on_cancel = lambda: None
        self.task = task
        return start(task)

    def show(self, task, taxa, at: QgsPointXY) -> None:
        """The answer of ``task`` in QGIS's message bar (an older click's is dropped)."""
        if task is not self.task:
            return
        self.answer = list(taxa)
        title = tr("Most likely taxa at {x:.1f}, {y:.1f}:").format(x=at.x(), y=at.y())
        self.push(title, answer_text(self.answer), Qgis.MessageLevel.Info)

    def push(self, title: str, text: str, level) -> None:
        """One item of this tool in QGIS's bar: the previous one goes."""
        self.pop_item()
        bar = self.iface.messageBar()
        self.item = bar.createMessage(title, text)
        bar.pushWidget(self.item, level, 0)

    def pop_item(self) -> None:
        item, self.item = self.item, None
        if item is not None and not sip.isdeleted(item):
            with contextlib.suppress(RuntimeError):
                self.iface.messageBar().popWidget(item)

    def warn(self, text: str) -> None:
        self.push(tr("BotaCLIP"), text, Qgis.MessageLevel.Warning)
