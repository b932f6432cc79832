"""`botaclip demo --quick`: the whole chain (data -> check -> train -> embed -> predict ->
evaluate -> similarity -> suitability -> habitats) and the QGIS project it ends in, opened in
real PyQGIS.

The chain runs once (module fixture) on the quick scene: the 2 km demo landscape at 2 m
pixels, the spectral backbone, 20 epochs, a 25 m stride (80 x 80 embedding pixels). The
project is written by the real writer in a subprocess (QGIS's Python), as `botaclip demo`
does for a user, and read back here with QgsProject.read.
"""

from __future__ import annotations

import json

import pytest
from helpers import run_cli
from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProject,
    QgsRasterLayer,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorLayer,
)

from botaclip.backend.demo import chain
from botaclip.backend.errors import BotaclipError

pytestmark = [pytest.mark.qgis, pytest.mark.usefixtures("two_threads")]

VIRIDIS_LOW = "#440154"      # the first stop of viridis (prediction_probability.qml)
RDBU_LOW = "#2166ac"         # the blue end of the similarity ramp (similarity.qml)


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "run"
    rc, stdout, stderr = run_cli(["demo", "--quick", "--out", out])
    assert rc == 0, stderr[-2000:]
    return out, stdout


def test_every_step_wrote_its_files(quick):
    out, stdout = quick
    for rel in ("data/orthophoto.tif", "data/releves.gpkg", "check.json", "model/config.json",
                "embedding.tif", "embedding_preview.tif", "predictions/butterfly.tif",
                "predictions/soil.tif", "predictions/plant.tif",
                "predictions/butterfly_report/metrics.json", "evaluation/evaluation.json",
                "evaluation/report.html", "zeroshot/similarity.tif", "zeroshot/suitability.tif",
                "habitats.tif", "habitats/clusters.json", "demo-project.json", "demo.qgz"):
        assert (out / rel).is_file(), rel
    # one headline per step, and how to open the project
    for step, _title, _fn, _w in chain.STEPS:
        assert f"  {step} " in stdout
    assert f"Open {out / 'demo.qgz'} in QGIS (Project > Open...)" in stdout
    assert not list(out.glob(".*partial*"))          # no temporary left behind


def _first_colour(layer) -> str:
    fn = layer.renderer().shader().rasterShaderFunction()
    return fn.colorRampItemList()[0].color.name()


def test_project_opens_with_every_layer_valid_grouped_and_styled(quick, qgis_app):
    out, _ = quick
    project = QgsProject()
    assert project.read(str(out / "demo.qgz"))
    root = project.layerTreeRoot()
    assert [g.name() for g in root.children()] == list(chain.GROUPS)
    group_of = {}
    for name in chain.GROUPS:
        for node in root.findGroup(name).findLayers():
            group_of[node.layer().name()] = name
    layers = list(project.mapLayers().values())
    # inputs (4 + plot check), embedding x2, 3 prediction maps (each at least a prediction
    # and an uncertainty layer), similarity, 2 suitability bands, habitats
    assert len(layers) >= 5 + 2 + 3 * 2 + 1 + 2 + 1
    assert all(lyr.isValid() for lyr in layers), [lyr.name() for lyr in layers
                                                  if not lyr.isValid()]
    by_name = {lyr.name(): lyr for lyr in layers}
    assert group_of["Orthophoto (synthetic)"] == "Inputs"
    assert isinstance(by_name["Relevés"], QgsVectorLayer) and group_of["Relevés"] == "Inputs"
    assert group_of["Embedding (RGB preview)"] == "Embeddings"
    prob = by_name[f"{chain.BUTTERFLY}: probability"]
    assert group_of[prob.name()] == "Predictions"
    assert isinstance(prob.renderer(), QgsSingleBandPseudoColorRenderer)
    assert _first_colour(prob) == VIRIDIS_LOW
    sim = next(lyr for lyr in layers if lyr.name().startswith("Similarity to wetland"))
    assert group_of[sim.name()] == "Zero-shot"
    assert isinstance(sim.renderer(), QgsSingleBandPseudoColorRenderer)
    assert _first_colour(sim) == RDBU_LOW
    suit = [by_name[f"Suitability: {t}"] for t in chain.SUITABILITY_TAXA]
    assert [s.renderer().band() for s in suit] == [1, 2]     # one band per taxon
    hab = next(lyr for lyr in layers if lyr.name().startswith("Habitat clusters"))
    assert group_of[hab.name()] == "Habitats"
    assert isinstance(hab.renderer(), QgsPalettedRasterRenderer)
    k = json.loads((out / "habitats/clusters.json").read_text())["k"]
    assert [c.label for c in hab.renderer().classes()] == [f"habitat {i}"
                                                            for i in range(1, k + 1)]
    ortho = by_name["Orthophoto (synthetic)"]
    assert isinstance(ortho, QgsRasterLayer)
    assert project.crs() == ortho.crs()
    assert project.viewSettings().defaultViewExtent() == ortho.extent()


def test_a_failing_step_leaves_no_project(tmp_path, monkeypatch):
    def broken(run, progress):
        raise BotaclipError("simulated failure of the check")

    steps = tuple((n, t, broken if n == "check" else f, w) for n, t, f, w in chain.STEPS)
    monkeypatch.setattr(chain, "STEPS", steps)
    rc, _out, err = run_cli(["demo", "--quick", "--out", tmp_path / "run"])
    assert rc != 0 and "simulated failure of the check" in err
    assert (tmp_path / "run/data/orthophoto.tif").is_file()     # the step before: complete
    assert not (tmp_path / "run/demo.qgz").exists()
    assert not (tmp_path / "run/demo-project.json").exists()
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["data"]


def test_writer_refuses_a_file_that_is_not_a_spec(tmp_path, qgis_app):
    from botaclip.plugin.project_writer import write_project

    bad = tmp_path / "other.json"
    bad.write_text(json.dumps({"kind": "something else"}))
    with pytest.raises(BotaclipError, match="not a BotaCLIP project spec"):
        write_project(bad, tmp_path / "demo.qgz")
    assert list(tmp_path.iterdir()) == [bad]


def test_without_qgis_the_project_is_left_for_later(tmp_path, monkeypatch, capsys):
    import importlib.util

    from botaclip.backend.cli import demo

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "qgis" else real(name, *a))
    assert demo.write_project(tmp_path / "demo-project.json", tmp_path / "demo.qgz") is None
    err = capsys.readouterr().err
    assert "not written" in err and "botaclip.plugin.project_writer" in err
    assert not (tmp_path / "demo.qgz").exists()
