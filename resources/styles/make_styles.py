"""Regenerate the QML styles of this folder with PyQGIS (run with the project's Python:
``.venv/bin/python resources/styles/make_styles.py``). The styles are written by QGIS 3.22,
the oldest QGIS BotaCLIP supports, so that every later version reads them."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsContrastEnhancement,
    QgsMarkerSymbol,
    QgsMultiBandColorRenderer,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)

HERE = Path(__file__).resolve().parent

STATUS = [  # value, colour, shape, label (translated by the plugin when applied)
    ("usable", "#2e7d32", "circle", "usable"),
    ("outside_raster", "#9e9e9e", "cross2", "outside the orthophoto"),
    ("too_much_nodata", "#ef6c00", "square", "too few valid pixels"),
    ("no_taxa", "#fbc02d", "diamond", "no taxon recorded"),
    ("duplicate_id", "#c62828", "triangle", "plot id used twice"),
    ("no_geometry", "#6a1b9a", "circle", "no coordinates"),
]


def marker(shape: str, fill: str, outline: str = "#1b1b1b", size: str = "2.6"):
    return QgsMarkerSymbol.createSimple({"name": shape, "color": fill, "outline_color": outline,
                                         "outline_width": "0.3", "size": size})


def ring(shape: str, colour: str):
    return QgsMarkerSymbol.createSimple({"name": shape, "color": "0,0,0,0",
                                         "outline_color": colour, "outline_width": "0.9",
                                         "size": "4.6"})


def points_layer(fields: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(f"Point?crs=EPSG:2154&{fields}", "tmp", "memory")
    assert layer.isValid()
    return layer


def save(layer, name: str) -> None:
    path = HERE / f"{name}.qml"
    msg, ok = layer.saveNamedStyle(str(path))
    if not ok:
        raise SystemExit(f"cannot write {path}: {msg}")
    print("wrote", path)


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()

    layer = points_layer("field=plot_id:string&field=status:string")
    # rings drawn around the relevé points, so both stay visible when both layers are shown
    cats = [QgsRendererCategory(v, ring(shape, colour), label)
            for v, colour, shape, label in STATUS]
    layer.setRenderer(QgsCategorizedSymbolRenderer("status", cats))
    save(layer, "plot_status")

    for name, shape, colour, size in (("releves", "circle", "#43a047", "2.8"),
                                      ("butterflies", "triangle", "#fb8c00", "3.0"),
                                      ("soil", "square", "#8d6e63", "2.6")):
        layer = points_layer("field=id:string")
        layer.setRenderer(QgsSingleSymbolRenderer(marker(shape, colour, size=size)))
        save(layer, name)

    # natural colour (bands 1, 2, 3 = red, green, blue) with a 2-98 % stretch computed on
    # a demo orthophoto: the demo's radiometry is the same for every seed and size
    from botaclip.backend.demo import generate_demo_data

    with tempfile.TemporaryDirectory() as tmp:
        res = generate_demo_data(tmp, size_m=600.0, seed=0)
        ortho = QgsRasterLayer(str(res.orthophoto), "ortho", "gdal")
        renderer = QgsMultiBandColorRenderer(ortho.dataProvider(), 1, 2, 3)
        ortho.setRenderer(renderer)
        ortho.setDefaultContrastEnhancement()
        renderer = ortho.renderer()
        origin = renderer.minMaxOrigin()
        origin.setLimits(QgsRasterMinMaxOrigin.Limits.CumulativeCut)
        renderer.setMinMaxOrigin(origin)
        ortho.setContrastEnhancement(QgsContrastEnhancement.StretchToMinimumMaximum,
                                     QgsRasterMinMaxOrigin.Limits.CumulativeCut)
        save(ortho, "orthophoto")
    save(preview_layer(), "embedding_preview")
    app.exitQgis()


def preview_layer() -> QgsRasterLayer:
    """The RGB preview of an embedding raster: bands 1-3 are already 8-bit principal
    components scaled by the backend, so they are shown 0-255 as they are (no stretch that
    would change with the extent on screen)."""
    import numpy as np
    from osgeo import gdal

    path = tempfile.mkdtemp() + "/preview.tif"
    ds = gdal.GetDriverByName("GTiff").Create(path, 4, 4, 3, gdal.GDT_Byte)
    ds.SetGeoTransform((0, 1, 0, 4, 0, -1))
    for b in range(3):
        ds.GetRasterBand(b + 1).WriteArray(np.full((4, 4), 60 * b + 10, dtype="uint8"))
        ds.GetRasterBand(b + 1).SetNoDataValue(0)
    ds = None
    layer = QgsRasterLayer(path, "preview", "gdal")
    renderer = QgsMultiBandColorRenderer(layer.dataProvider(), 1, 2, 3)
    for setter in (renderer.setRedContrastEnhancement, renderer.setGreenContrastEnhancement,
                   renderer.setBlueContrastEnhancement):
        ce = QgsContrastEnhancement(Qgis.DataType.Byte)
        ce.setContrastEnhancementAlgorithm(
            QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum)
        ce.setMinimumValue(0)
        ce.setMaximumValue(255)
        setter(ce)
    origin = renderer.minMaxOrigin()
    origin.setLimits(QgsRasterMinMaxOrigin.Limits.None_)
    renderer.setMinMaxOrigin(origin)
    layer.setRenderer(renderer)
    return layer


if __name__ == "__main__":
    if sys.argv[1:] == ["embedding_preview"]:
        _app = QgsApplication([], False)
        _app.initQgis()
        save(preview_layer(), "embedding_preview")
        _app.exitQgis()
    else:
        main()
