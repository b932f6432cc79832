"""Run inside QGIS (``qgis --code tools/qgis_screenshot.py``) by tools/qgis_screenshot.sh:
loads the outputs of ``make demo`` the way the plugin shows them (orthophoto, relevés,
embedding preview visible, embedding raster unticked), zooms to them, then writes a
screenshot of the main window to $BOTACLIP_SHOT (with $BOTACLIP_SHOT_MENU set: of the screen
with Raster > BotaCLIP open) and quits."""

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
    if os.environ.get("BOTACLIP_SHOT_MENU"):
        open_menu()
        QTimer.singleShot(1500, save_screen)
        return
    iface.mainWindow().grab().save(shot)
    iface.actionExit().trigger()


def open_menu():
    """Raster > BotaCLIP opened, as a user sees the plugin's entries."""
    raster = iface.rasterMenu()
    bar = iface.mainWindow().menuBar()
    raster.popup(bar.mapToGlobal(bar.actionGeometry(raster.menuAction()).bottomLeft()))
    sub = next(a for a in raster.actions() if a.menu() and "BotaCLIP" in a.text())
    raster.setActiveAction(sub)
    sub.menu().popup(raster.mapToGlobal(raster.actionGeometry(sub).topRight()))


def save_screen():
    from qgis.PyQt.QtGui import QGuiApplication

    QGuiApplication.primaryScreen().grabWindow(0).save(shot)
    iface.actionExit().trigger()


QTimer.singleShot(8000, grab)
