"""The BotaCLIP Processing provider through processing.run, as the toolbox, the Modeler and
scripts use it."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def provider(qgis_processing):
    from qgis.core import QgsApplication

    from botaclip.plugin.processing.provider import BotaclipProvider

    registry = QgsApplication.processingRegistry()
    p = BotaclipProvider()
    assert registry.addProvider(p)
    yield p
    registry.removeProvider(p)


@pytest.fixture(scope="module")
def demo_run(provider, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("pdemo") / "demo"
    return processing.run("botaclip:demodata", {"OUTPUT_FOLDER": str(out), "SIZE_M": 300,
                                                "SEED": 0})


def test_provider_and_algorithms(provider):
    from qgis.core import QgsApplication

    from botaclip.backend.io.presets import list_presets

    registry = QgsApplication.processingRegistry()
    assert registry.providerById("botaclip").name() == "BotaCLIP"
    names = {a.id(): a.displayName() for a in provider.algorithms()}
    assert names == {"botaclip:demodata": "Create demo landscape",
                     "botaclip:check": "Check orthophoto and relevés",
                     "botaclip:importreleves": "Import relevés from a long table",
                     "botaclip:train": "Train BotaCLIP model",
                     "botaclip:embed": "Embed orthophoto",
                     "botaclip:predict": "Predict map",
                     "botaclip:apply": "Apply predictor",
                     "botaclip:evaluate": "Evaluate embedding sources",
                     "botaclip:similarity": "Similarity map",
                     "botaclip:suitability": "Species suitability",
                     "botaclip:habitats": "Habitat clusters"}
    for alg in provider.algorithms():
        group, group_id = ("Model", "model") if alg.name() in ("train", "embed") else \
            ("Prediction maps", "maps") if alg.name() in ("predict", "apply", "evaluate") \
            else ("Maps without labels", "zeroshot") if alg.name() in (
                "similarity", "suitability", "habitats") else ("Data", "data")
        assert alg.group() == group and alg.groupId() == group_id
        assert len(alg.shortHelpString()) > 300
    check = registry.algorithmById("botaclip:check")
    params = [p.name() for p in check.parameterDefinitions()]
    assert params == ["ORTHO", "RELEVES", "PLOT_ID", "SPECIES_COLUMNS", "EXCLUDE_COLUMNS",
                      "COVER_SCALE", "SENSOR", "WAVELENGTHS", "PATCH_M", "MIN_VALID",
                      "OUTPUT_PLOTS", "OUTPUT_JSON", "CONTACT_SHEET"]
    sensor = check.parameterDefinition("SENSOR")
    assert len(sensor.options()) == len(list_presets()) + 1
    assert check.parameterDefinition("PATCH_M").defaultValue() == 100
    assert check.parameterDefinition("MIN_VALID").defaultValue() == 0.8
    assert {o.name() for o in check.outputDefinitions()} >= {
        "OUTPUT_PLOTS", "OUTPUT_JSON", "CONTACT_SHEET", "PLOTS_USABLE", "PLOTS_TOTAL",
        "SPECIES"}
    demo = registry.algorithmById("botaclip:demodata")
    assert {o.name() for o in demo.outputDefinitions()} >= {
        "OUTPUT_FOLDER", "ORTHOPHOTO", "RELEVES", "RELEVES_LONG", "PLOTS_TABLE"}
    imp = registry.algorithmById("botaclip:importreleves")
    assert [p.name() for p in imp.parameterDefinitions()][:9] == [
        "TABLE", "HEADER", "PLOT_ID", "TAXON", "COVER", "X", "Y", "CRS", "COVER_SCALE"]


def test_demodata(demo_run):
    from pathlib import Path

    from qgis.core import QgsRasterLayer, QgsVectorLayer

    r = demo_run
    assert Path(r["OUTPUT_FOLDER"]).is_dir()
    ortho = QgsRasterLayer(r["ORTHOPHOTO"], "o", "gdal")
    assert ortho.isValid() and (ortho.width(), ortho.height(), ortho.bandCount()) == (
        600, 600, 4)
    releves = QgsVectorLayer(r["RELEVES"], "r", "ogr")
    assert releves.isValid() and releves.featureCount() == r["N_RELEVES"] == 30
    assert r["N_TAXA"] > 10
    for key in ("BUTTERFLIES", "SOIL"):
        layer = QgsVectorLayer(r[key], key, "ogr")
        assert layer.isValid() and layer.featureCount() > 0
    assert Path(r["RELEVES_LONG"]).exists() and Path(r["PLOTS_TABLE"]).exists()


def test_check_then_import_chain(demo_run, tmp_path):
    import processing
    from qgis.core import QgsVectorLayer

    r = demo_run
    res = processing.run("botaclip:check", {
        "ORTHO": r["ORTHOPHOTO"], "RELEVES": r["RELEVES"],
        "OUTPUT_PLOTS": str(tmp_path / "plots.gpkg"), "OUTPUT_JSON": str(tmp_path / "c.json"),
        "CONTACT_SHEET": str(tmp_path / "sheet.png")})
    assert (res["PLOTS_TOTAL"], res["PLOTS_USABLE"], res["SPECIES"]) == (30, 30,
                                                                          r["N_TAXA"])
    plots = QgsVectorLayer(res["OUTPUT_PLOTS"], "p", "ogr")
    assert plots.isValid() and plots.featureCount() == 30
    assert {f["status"] for f in plots.getFeatures()} == {"usable"}
    assert json.loads((tmp_path / "c.json").read_text())["plots_usable"] == 30
    assert (tmp_path / "sheet.png").stat().st_size > 1000

    res = processing.run("botaclip:importreleves", {
        "TABLE": r["RELEVES_LONG"], "HEADER": r["PLOTS_TABLE"], "PLOT_ID": "plot_id",
        "TAXON": "taxon", "COVER": "cover", "X": "x", "Y": "y", "CRS": "EPSG:2154",
        "COVER_SCALE": 0, "OUTPUT": str(tmp_path / "imported.gpkg")})
    imported = QgsVectorLayer(res["OUTPUT"], "i", "ogr")
    assert imported.isValid() and imported.featureCount() == res["N_PLOTS"] == 30
    assert res["N_TAXA"] == r["N_TAXA"]
    assert imported.crs().authid() == "EPSG:2154"
    assert imported.fields().indexOf("plot_id") >= 0


def test_check_reads_a_memory_layer(demo_run, tmp_path):
    """A layer that exists only in QGIS is copied to a GeoPackage for the backend."""
    import processing
    from qgis.core import QgsFeature, QgsProject, QgsVectorLayer

    src = QgsVectorLayer(demo_run["RELEVES"], "r", "ogr")
    mem = QgsVectorLayer(f"Point?crs={src.crs().authid()}", "scratch relevés", "memory")
    keep = ["plot_id", "Picea abies", "Vaccinium myrtillus"]
    mem.dataProvider().addAttributes([src.fields().field(n) for n in keep])
    mem.updateFields()
    feats = []
    for f in list(src.getFeatures())[:12]:
        g = QgsFeature(mem.fields())
        g.setGeometry(f.geometry())
        g.setAttributes([f[n] for n in keep])
        feats.append(g)
    mem.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(mem)
    try:
        res = processing.run("botaclip:check", {
            "ORTHO": demo_run["ORTHOPHOTO"], "RELEVES": mem, "PLOT_ID": "plot_id",
            "OUTPUT_PLOTS": str(tmp_path / "plots.gpkg"),
            "OUTPUT_JSON": str(tmp_path / "c.json"), "CONTACT_SHEET": None})
    finally:
        QgsProject.instance().removeMapLayer(mem.id())
    assert res["PLOTS_TOTAL"] == 12
    assert res["SPECIES"] <= 2
    assert "CONTACT_SHEET" not in res or not res["CONTACT_SHEET"]


def test_backend_error_becomes_processing_exception(demo_run, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        processing.run("botaclip:check", {
            "ORTHO": demo_run["ORTHOPHOTO"], "RELEVES": demo_run["RELEVES"],
            "WAVELENGTHS": "0.665,0.56", "OUTPUT_PLOTS": str(tmp_path / "plots.gpkg"),
            "OUTPUT_JSON": str(tmp_path / "c.json")})
    assert "2 wavelengths were given" in str(err.value)
    assert "4 spectral bands" in str(err.value)
    assert not (tmp_path / "plots.gpkg").exists()


def test_loaded_outputs_are_styled(demo_run, tmp_path, qgis_iface):
    """Processing's 'open output file' path: the plot status layer gets its QML style."""
    import processing
    from qgis.core import QgsProject

    processing.runAndLoadResults("botaclip:check", {
        "ORTHO": demo_run["ORTHOPHOTO"], "RELEVES": demo_run["RELEVES"],
        "OUTPUT_PLOTS": str(tmp_path / "plots.gpkg"), "OUTPUT_JSON": str(tmp_path / "c.json"),
        "CONTACT_SHEET": None})
    project = QgsProject.instance()
    try:
        loaded = [lyr for lyr in project.mapLayers().values()
                  if lyr.source().startswith(str(tmp_path / "plots.gpkg"))]
        assert len(loaded) == 1
        renderer = loaded[0].renderer()
        assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "status"
    finally:
        project.removeAllMapLayers()


def test_layer_sources_for_the_backend(demo_run, tmp_path):
    from qgis.core import QgsRasterLayer, QgsVectorLayer

    from botaclip.backend.errors import BotaclipError
    from botaclip.plugin.layers import raster_source, vector_source

    gpkg = QgsVectorLayer(demo_run["RELEVES"] + "|layername=releves", "r", "ogr")
    assert gpkg.isValid()
    assert vector_source(gpkg, tmp_path) == gpkg.source()          # passed as is
    assert list(tmp_path.iterdir()) == []                          # nothing copied
    csv = QgsVectorLayer(f"file://{demo_run['PLOTS_TABLE']}?type=csv&xField=x&yField=y"
                         "&crs=EPSG:2154", "plots", "delimitedtext")
    assert csv.isValid() and csv.featureCount() == 30
    src = vector_source(csv, tmp_path)
    path, _, layer = src.partition("|layername=")
    copied = QgsVectorLayer(src, "copy", "ogr")
    assert path.startswith(str(tmp_path)) and layer == "plots"
    assert copied.featureCount() == 30 and copied.crs().authid() == "EPSG:2154"
    ortho = QgsRasterLayer(demo_run["ORTHOPHOTO"], "o", "gdal")
    assert raster_source(ortho) == demo_run["ORTHOPHOTO"]
    with pytest.raises(BotaclipError, match="Choose a relevé layer"):
        vector_source(None)
