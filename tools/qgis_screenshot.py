"""Run inside QGIS (``qgis --code tools/qgis_screenshot.py``) by tools/qgis_screenshot.sh:
loads the outputs of ``make demo`` the way the plugin shows them (orthophoto, relevés,
embedding preview visible, embedding raster unticked), zooms to them, then writes a
screenshot of the main window to $BOTACLIP_SHOT and quits."""

import os
from pathlib import Path

from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface

demo = Path(os.environ.get("BOTACLIP_DEMO", "demo-out"))
shot = os.environ.get("BOTACLIP_SHOT", "qgis.png")
styles = Path(os.environ["BOTACLIP_REPO"]) / "resources" / "styles"
project = QgsProject.instance()


def add(layer, style=None, visible=True):
    if style and (styles / style).exists():
        layer.loadNamedStyle(str(styles / style))
    project.addMapLayer(layer)
    project.layerTreeRoot().findLayer(layer.id()).setItemVisibilityChecked(visible)
    return layer


ortho = add(QgsRasterLayer(str(demo / "data" / "orthophoto.tif"), "Orthophoto (demo)"),
            "orthophoto.qml", visible=False)
add(QgsRasterLayer(str(demo / "embedding.tif"), "Embedding (32 bands)"), visible=False)
add(QgsRasterLayer(str(demo / "embedding_preview.tif"), "Embedding preview (PCA)"),
    "embedding_preview.qml")
add(QgsVectorLayer(str(demo / "data" / "releves.gpkg"), "Relevés (demo)", "ogr"),
    "releves.qml")
iface.mapCanvas().setExtent(ortho.extent())


def grab():
    iface.mapCanvas().refreshAllLayers()
    QTimer.singleShot(4000, save)


def save():
    iface.mainWindow().grab().save(shot)
    iface.actionExit().trigger()


QTimer.singleShot(8000, grab)
