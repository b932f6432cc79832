"""The "Find similar places" map tool in real QGIS (offscreen) on a real map canvas: a click
adds a similarity layer for the view, the slider changes the area it reports, a dragged
rectangle is a query too, and Save full resolution writes a COG through QGIS's task manager.

The scene: a 20 x 20 embedding raster of 10 m pixels (EPSG:2154), 3 bands. Columns < 10
are habitat A (bands (1, 0, 0) + noise sd 0.05), columns >= 10 habitat B ((0, 1, 0) + the
same noise), so a pixel of A is near 1 in cosine to a click in A and near 0 to B.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import epsg, write_embedding
from osgeo import gdal

pytestmark = [pytest.mark.qgis]

N, PIX, X0, Y0, HALF = 20, 10.0, 900000.0, 6500200.0, 10
DONE = ("success", "error", "cancelled")


@pytest.fixture(scope="module")
def embedding(tmp_path_factory):
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(N, N, 3)).astype(np.float32)
    f[:, :HALF, 0] += 1.0
    f[:, HALF:, 1] += 1.0
    path = tmp_path_factory.mktemp("similar") / "emb.tif"
    return write_embedding(path, f, origin=(X0, Y0), pixel=PIX, srs=epsg(),
                           tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "3",
                                 "BOTACLIP_SETTINGS": json.dumps({"patch_m": PIX})})


@pytest.fixture
def tool(qgis_new_project, qgis_iface, embedding):
    from qgis.core import QgsProject, QgsRasterLayer

    from botaclip.plugin.maptools.similar_places import SimilarPlaces

    layer = QgsRasterLayer(str(embedding), "embeddings", "gdal")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    canvas = qgis_iface.mapCanvas()
    canvas.resize(400, 400)
    canvas.setDestinationCrs(layer.crs())
    canvas.setLayers([layer])
    canvas.setExtent(layer.extent())
    controller = SimilarPlaces(qgis_iface)
    controller.activate()
    yield controller
    controller.unload()
    QgsProject.instance().removeAllMapLayers()


def _value_at(layer, x, y):
    from qgis.core import QgsPointXY

    value, ok = layer.dataProvider().sample(QgsPointXY(x, y), 1)
    assert ok
    return value


def test_a_click_adds_a_similarity_layer_near_1_at_the_click(tool, qgis_iface):
    from qgis.core import QgsPointXY
    from qgis.gui import QgsMapMouseEvent
    from qgis.PyQt.QtCore import QEvent, QPoint, Qt

    canvas = qgis_iface.mapCanvas()
    assert canvas.mapTool() is tool.tool
    # the centre of pixel (row 5, column 3): habitat A
    x, y = X0 + 3.5 * PIX, Y0 - 5.5 * PIX
    pos = canvas.getCoordinateTransform().transform(QgsPointXY(x, y)).toQPointF().toPoint()
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        event = QgsMapMouseEvent(canvas, kind, QPoint(pos), Qt.MouseButton.LeftButton,
                                 Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        (tool.tool.canvasPressEvent if kind == QEvent.Type.MouseButtonPress
         else tool.tool.canvasReleaseEvent)(event)
    layer = tool.view_layer
    assert layer is not None and layer.isValid()
    assert layer.customProperty("botaclip/output") == "similarity_view"
    assert layer.renderer().type() == "singlebandpseudocolor"
    # the clicked pixel is the query itself (cosine 1, within float32 rounding); another
    # pixel of A is only noise away (sd 0.05 on a unit vector: cosine > 0.9), one of B is
    # near orthogonal (< 0.3)
    assert _value_at(layer, x, y) == pytest.approx(1.0, abs=1e-5)
    assert _value_at(layer, X0 + 7.5 * PIX, Y0 - 15.5 * PIX) > 0.9
    assert _value_at(layer, X0 + 15.5 * PIX, Y0 - 15.5 * PIX) < 0.3


def test_the_slider_changes_the_area(tool):
    from qgis.core import QgsPointXY

    assert tool.query_point(QgsPointXY(X0 + 3.5 * PIX, Y0 - 5.5 * PIX))
    panel = tool.panel
    assert panel.slider.isEnabled() and panel.save_button.isEnabled()
    # at 0.5 exactly habitat A passes: half the raster, 200 pixels of 100 m2 = 0.02 km2;
    # the view may be sampled finer than the raster, but it covers the same ground
    panel.set_threshold(0.5)
    assert "0.02 km²" in panel.area.text()
    panel.set_threshold(-1.0)                # everything: 400 pixels = 0.04 km2
    assert "0.04 km²" in panel.area.text()
    transparency = tool.view_layer.renderer().rasterTransparency()
    assert transparency.transparentSingleValuePixelList()[0].max < -0.99


def test_a_dragged_rectangle_is_a_query(tool):
    from qgis.core import QgsRectangle

    # columns 12..17, rows 2..8: habitat B
    assert tool.query_rectangle(QgsRectangle(X0 + 12 * PIX, Y0 - 8 * PIX, X0 + 17 * PIX,
                                             Y0 - 2 * PIX))
    assert _value_at(tool.view_layer, X0 + 15.5 * PIX, Y0 - 15.5 * PIX) > 0.9
    assert _value_at(tool.view_layer, X0 + 3.5 * PIX, Y0 - 15.5 * PIX) < 0.3


def test_without_an_embedding_raster_the_user_is_told(qgis_new_project, qgis_iface):
    from qgis.core import QgsPointXY

    from botaclip.plugin.maptools.similar_places import SimilarPlaces

    controller = SimilarPlaces(qgis_iface)
    try:
        assert not controller.query_point(QgsPointXY(X0, Y0))
        assert controller.view_layer is None
    finally:
        controller.unload()


def test_save_full_resolution_writes_a_cog(tool, qtbot, tmp_path):
    from qgis.core import QgsPointXY, QgsProject

    assert tool.query_point(QgsPointXY(X0 + 3.5 * PIX, Y0 - 5.5 * PIX))
    tool.panel.set_threshold(0.5)
    out = tmp_path / "similar.tif"
    task = tool.save_full_resolution(str(out))
    qtbot.waitUntil(lambda: task.status in DONE, timeout=60_000)
    assert task.status == "success", task.error_message
    ds = gdal.Open(str(out))
    assert ds.GetMetadata("IMAGE_STRUCTURE").get("LAYOUT") == "COG"
    sims = ds.GetRasterBand(1).ReadAsArray()
    assert sims[5, 3] == pytest.approx(1.0, abs=1e-5)
    assert (sims[:, :HALF] > 0.9).all() and (sims[:, HALF:] < 0.3).all()
    added = [lyr for lyr in QgsProject.instance().mapLayers().values()
             if lyr.customProperty("botaclip/output") == "similarity"]
    assert len(added) == 1 and added[0].source() == str(out)
