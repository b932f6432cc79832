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
    QgsColorRampShader,
    QgsContrastEnhancement,
    QgsMarkerSymbol,
    QgsMultiBandColorRenderer,
    QgsPalettedRasterRenderer,
    QgsRasterLayer,
    QgsRasterMinMaxOrigin,
    QgsRasterShader,
    QgsRendererCategory,
    QgsSingleBandPseudoColorRenderer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor  # noqa: E402

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
    prediction_styles()
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


# --------------------------------------------------------------------- prediction maps
# Viridis (matplotlib's, at 0, 0.25, 0.5, 0.75, 1): perceptually uniform, readable in grey
# and by the colour-blind, the usual ramp for a probability; fixed at 0-1 so that two maps
# (or two places of one map) compare by colour.
VIRIDIS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
# ColorBrewer YlGn (5 classes): a sequential ramp from little (pale) to much (dark green)
# for abundance; its 0-1 positions are stretched to the band's minimum and maximum when the
# plugin loads a map (plugin/layers.py), since abundance has no fixed range.
YLGN = ("#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837")
# Light to dark grey for uncertainty: it reads as "how unsure", and stays apart from the
# colours of the prediction it is compared with; stretched from 0 to the band's maximum.
GREYS = ("#f7f7f7", "#cccccc", "#969696", "#525252", "#252525")
# Outside the area of applicability: grey at 60 % opacity over the prediction (it dims what
# the model extrapolates without hiding it); inside: fully transparent.
OUTSIDE_AOA = QColor(128, 128, 128, 153)


def float_raster(values) -> QgsRasterLayer:
    """A tiny float32 raster (NaN nodata) for building raster styles on."""
    import numpy as np
    from osgeo import gdal

    path = tempfile.mkdtemp() + "/pred.tif"
    a = np.asarray(values, dtype="float32").reshape(1, -1)
    ds = gdal.GetDriverByName("GTiff").Create(path, a.shape[1], 1, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((0, 1, 0, 1, 0, -1))
    ds.GetRasterBand(1).WriteArray(a)
    ds.GetRasterBand(1).SetNoDataValue(float("nan"))
    ds = None
    layer = QgsRasterLayer(path, "pred", "gdal")
    assert layer.isValid()
    return layer


def ramp_layer(colours, labels) -> QgsRasterLayer:
    """Band 1 drawn with ``colours`` interpolated from 0 to 1, legend ``labels``."""
    layer = float_raster([0.0, 0.5, 1.0])
    n = len(colours) - 1
    items = [QgsColorRampShader.ColorRampItem(i / n, QColor(c), label)
             for i, (c, label) in enumerate(zip(colours, labels))]
    shader_fn = QgsColorRampShader(0.0, 1.0)
    shader_fn.setColorRampType(QgsColorRampShader.Type.Interpolated)
    shader_fn.setColorRampItemList(items)
    shader = QgsRasterShader(0.0, 1.0)
    shader.setRasterShaderFunction(shader_fn)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader)
    renderer.setClassificationMin(0.0)
    renderer.setClassificationMax(1.0)
    origin = renderer.minMaxOrigin()
    origin.setLimits(QgsRasterMinMaxOrigin.Limits.None_)
    renderer.setMinMaxOrigin(origin)
    layer.setRenderer(renderer)
    return layer


def applicability_layer() -> QgsRasterLayer:
    """Band 1: 0 outside the area of applicability (grey, 60 % opaque), 1 inside
    (transparent). The labels are translated by the plugin when it applies the style."""
    layer = float_raster([0.0, 1.0])
    classes = [QgsPalettedRasterRenderer.Class(0, OUTSIDE_AOA,
                                               "outside the area of applicability"),
               QgsPalettedRasterRenderer.Class(1, QColor(0, 0, 0, 0),
                                               "inside the area of applicability")]
    layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, classes))
    return layer


def prediction_styles() -> None:
    """The styles of prediction maps (see the colour constants above for the choices)."""
    quarters = ("0", "0.25", "0.5", "0.75", "1")
    save(ramp_layer(VIRIDIS, quarters), "prediction_probability")
    save(ramp_layer(YLGN, quarters), "prediction_abundance")
    save(ramp_layer(GREYS, quarters), "prediction_uncertainty")
    save(applicability_layer(), "prediction_applicability")


if __name__ == "__main__":
    if sys.argv[1:] in (["embedding_preview"], ["prediction"]):
        _app = QgsApplication([], False)
        _app.initQgis()
        if sys.argv[1] == "prediction":
            prediction_styles()
        else:
            save(preview_layer(), "embedding_preview")
        _app.exitQgis()
    else:
        main()
