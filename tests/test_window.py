"""The plugin in REAL QGIS: the `qgis` binary under Xvfb with OpenGL on (xcb + GLX, Mesa's
libLLVM loaded, as on a Linux desktop), driven through its menu actions and dialogs by
tests/window/ (harness.py starts it, driver.py runs one scenario of scenarios.py inside it).

The offscreen tests load no OpenGL, so they could not see QGIS die (signal 11) when torch's
triton met Mesa's libLLVM during Train and Embed; these tests do. One QGIS launch per
scenario (~3-10 s each). A crash fails the test with the faulthandler Python stacks and the
native stack of QGIS's crash handler; screenshots of each run are in the test's tmp folder
(BOTACLIP_UPDATE_SCREENSHOTS=1 copies the chosen ones to resources/screenshots/window-*.png).
Without Xvfb or qgis the tests are skipped, except under CI=true where they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from conftest import make_small_scene

pytestmark = pytest.mark.window

_spec = importlib.util.spec_from_file_location(
    "botaclip_window_harness", Path(__file__).resolve().parent / "window" / "harness.py")
harness = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = harness
_spec.loader.exec_module(harness)


@pytest.fixture(scope="session")
def display():
    missing = harness.missing_tools()
    if missing:
        message = f"real-window tests need {', '.join(missing)} (tools/setup.sh installs them)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    with harness.Display() as d:
        yield d


@pytest.fixture(scope="session")
def scene(tmp_path_factory):
    """The small synthetic scene (800 m orthophoto, 200 relevés)."""
    ortho, releves = make_small_scene(tmp_path_factory.mktemp("window_scene"))
    return {"ortho": ortho, "releves": releves}


@pytest.fixture(scope="session")
def spectral_model(scene, tmp_path_factory):
    """A model folder trained (here, outside QGIS) on the scene with the spectral baseline,
    for the embed scenario (~4 s)."""
    from botaclip.backend.train import train_model

    root = tmp_path_factory.mktemp("window_model")
    summary = train_model(str(scene["ortho"]), str(scene["releves"]), str(root / "model"),
                          backbone="spectral", epochs=3, seed=0, device="cpu",
                          cache_dir=str(root / "cache"))
    return Path(summary.out)


@pytest.fixture(scope="session")
def previous_embedding(scene, spectral_model, tmp_path_factory):
    """An embedding raster BotaCLIP wrote earlier (the result a new run may replace)."""
    from botaclip.backend.embed import embed_raster

    out = tmp_path_factory.mktemp("window_previous") / "previous.tif"
    embed_raster(str(scene["ortho"]), str(out), model=str(spectral_model), device="cpu",
                 cache_dir=str(out.parent / "state"))
    return out


def run(name, display, tmp_path, data, **kwargs):
    result = harness.run_scenario(name, display, tmp_path / name, data=data, **kwargs)
    print(f"window scenario {name}: {result.elapsed:.1f} s, screenshots in "
          f"{result.shots_dir}")
    return result.check()


def facts_text(run_) -> str:
    return json.dumps(run_.facts, indent=1, default=str)[:6000]


def assert_gl_and_plugin(r) -> None:
    """What every scenario relies on: OpenGL really on (else the harness proves nothing)
    and the plugin loaded from this checkout."""
    gl, plugin = r.facts["gl"], r.facts["plugin"]
    assert gl["platform"] == "xcb", gl
    assert gl["llvm"] and gl["libgl"], f"no libLLVM/libGL in QGIS's process: {gl}"
    assert plugin["loaded"], plugin
    assert Path(plugin["module"]).resolve().parent == harness.PLUGIN_DIR, plugin["module"]


def assert_no_triton(r) -> None:
    """torch ran in QGIS's process without triton's native library (which crashes next to
    Mesa's libLLVM)."""
    native = r.result["native_end"]
    assert native["triton_libs"] == [] and native["triton_modules"] == 0, native


def overlaps(r) -> dict:
    """Widgets drawn over one another in the dialog states the scenario recorded."""
    return {key: value["overlaps"] for key, value in r.facts.items()
            if isinstance(value, dict) and value.get("overlaps")}


def python_errors(r) -> list:
    """Critical messages of Python or BotaCLIP in the message log since the driver
    started, and what the Log Messages panel holds from QGIS's start: its "Python error"
    tab, CRITICAL lines of its BotaCLIP tab."""
    found = [m for m in r.result.get("messages", [])
             if m["tag"] == "Python error"      # an exception in a slot (logged as Warning)
             or (m["level"] == "Critical" and (m["tag"] == "BotaCLIP" or "Python" in m["tag"]))]
    tabs = r.result.get("log_tabs") or {}
    if isinstance(tabs, dict):
        if tabs.get("Python error", "").strip():
            found.append({"tab": "Python error", "text": tabs["Python error"][-3000:]})
        found += [{"tab": "BotaCLIP", "text": line}
                  for line in tabs.get("BotaCLIP", "").splitlines() if "CRITICAL" in line]
    return found


# ----------------------------------------------------------------------------- scenarios

def test_startup(display, tmp_path):
    r = run("startup", display, tmp_path, {})
    assert_gl_and_plugin(r)
    plugin = r.facts["plugin"]
    assert plugin["deps_ok"], plugin
    assert all(a["enabled"] for a in plugin["actions"].values()), plugin["actions"]
    assert plugin["raster_menu"] == [a["text"] for a in plugin["actions"].values()]
    assert [m["text"] for m in r.facts["menu_shown"]] == plugin["raster_menu"]
    assert all(m["enabled"] and m["icon"] for m in r.facts["menu_shown"]), r.facts["menu_shown"]
    assert plugin["toolbar_visible"]
    assert r.facts["gl_context"]["made_current"], r.facts["gl_context"]
    assert python_errors(r) == []
    assert not [i for i in r.facts["qgis_bar"] if i["level"] in ("Warning", "Critical")], \
        r.facts["qgis_bar"]


def test_check(display, tmp_path, scene):
    r = run("check", display, tmp_path, scene)
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["preselected"] == {"ortho": "Orthophoto", "releves": "Relevés",
                                "plot_id": "plot_id"}, f["preselected"]
    assert f["before_run"]["run_enabled"], f["before_run"]
    assert f["status"] == "success", facts_text(r)
    assert [row["name"] for row in f["layers"]] == ["Plot status", "Relevés", "Orthophoto"]
    assert f["plot_status"]["renderer"] == "categorizedSymbol", f["plot_status"]
    assert f["plot_status"]["attribute"] == "status"
    assert f["plot_status"]["categories"]["usable"] == "usable"
    assert f["plot_status"]["features"] == 200
    assert f["summary"].startswith("200 of 200 plots usable"), f["summary"]
    assert {"plot_status.gpkg", "check.json"} <= set(f["outputs"]), f["outputs"]
    assert any("200 of 200 plots" in i["text"] and i["level"] == "Success"
               for i in f["dialog"]["bar"]), \
        f["dialog"]["bar"]
    assert python_errors(r) == []
    assert overlaps(r) == {}


def test_train(display, tmp_path, scene):
    r = run("train", display, tmp_path, scene)
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["before_run"]["run_enabled"], f["before_run"]
    assert f["while_running"]["close_text"] == "Cancel", f["while_running"]
    # the guide's "running task" picture shows the task running, its progress bar with it
    running = f["running_shot"]
    assert running["task_status"] == "running" and running["close_text"] == "Cancel", running
    assert running["progress"] is not None and running["progress"] >= 20, running
    assert f["status"] == "success", facts_text(r)
    assert {"config.json", "report"} <= set(f["model_files"]), f["model_files"]
    model = str(r.work_dir / "model")
    assert [i["level"] for i in f["dialog"]["bar"]] == ["Success"], f["dialog"]["bar"]
    headline = f["dialog"]["bar"][0]["text"]
    assert headline.startswith("Model trained. It finds the right relevé among its 10 "
                               "nearest for "), headline
    assert f["model_details"].startswith(f"Model written to {model}."), f["model_details"]
    assert not any("Model trained" in i["text"] for i in f["qgis_bar"]), f["qgis_bar"]
    # closed, the dialog hands its result to QGIS's bar: one message, not beside QGIS's own
    # "Task complete" notice
    after = f["qgis_bar_after_close"]
    assert [i["title"] for i in after] == ["BotaCLIP"], after
    assert after[0]["text"].startswith("Model trained.") and "Open report" in \
        after[0]["buttons"], after
    assert f["dialog"]["close_text"] == "Close" and f["dialog"]["run_enabled"]
    assert python_errors(r) == []
    assert overlaps(r) == {}
    assert_no_triton(r)


def test_embed(display, tmp_path, scene, spectral_model):
    r = run("embed", display, tmp_path, dict(scene, model=spectral_model))
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["status"] == "success", facts_text(r)
    # the points stay on top; the results go right above the orthophoto, the preview shown
    tree = [(row["name"], row["visible"]) for row in f["layers"]]
    preview = "emb preview: alike colour, alike place"
    assert tree == [("Relevés", True), (preview, True), ("emb (embeddings)", False),
                    ("Orthophoto", True)], tree
    rows = {row["name"]: row for row in f["layers"]}
    assert rows[preview]["renderer"] == "multibandcolor" and rows[preview]["bands"] == 3
    assert f["preview_legend"] == ["Red: 1st main contrast", "Green: 2nd main contrast",
                                   "Blue: 3rd main contrast"], f["preview_legend"]
    config = json.loads((spectral_model / "config.json").read_text())
    assert rows["emb (embeddings)"]["bands"] == config["embedding_dim"]
    assert set(f["outputs"]) == {"emb.tif", "emb_preview.tif"}, f["outputs"]
    assert any("Embeddings written to" in i["text"] for i in f["dialog"]["bar"])
    assert python_errors(r) == []
    assert overlaps(r) == {}
    assert_no_triton(r)


def test_cancel(display, tmp_path, scene, previous_embedding):
    r = run("cancel", display, tmp_path, dict(scene, previous=previous_embedding))
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["at_cancel"]["close_text"] == "Cancel", f["at_cancel"]
    assert f["status"] == "cancelled", facts_text(r)
    assert f["max_percent"] < 100.0
    assert f["out_unchanged"] and f["outputs"] == ["cancelled.tif"], f["outputs"]
    bar = f["dialog"]["bar"]
    assert len(bar) == 1 and bar[0]["level"] == "Info", bar
    assert bar[0]["text"].startswith("Cancelled") and "not written" in bar[0]["text"], bar
    assert not [i for i in f["qgis_bar"] if i["level"] in ("Warning", "Critical")], \
        f["qgis_bar"]
    assert f["dialog"]["close_text"] == "Close" and f["dialog"]["run_enabled"]
    # the earlier result stays shown, and QGIS's own "Task failed" notice is gone
    assert [row["name"] for row in f["layers"]] == ["previous result", "Relevés",
                                                    "Orthophoto"], f["layers"]
    assert not [i for i in f["qgis_bar"] if i["text"] == "Embed orthophoto"], f["qgis_bar"]
    assert python_errors(r) == []
    assert overlaps(r) == {}


def test_traps(display, tmp_path, scene, spectral_model):
    r = run("traps", display, tmp_path, dict(scene, model=spectral_model))
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["active_after_check"] == "Plot status"
    assert f["train_releves"] == "Relevés"                   # not our own layer
    taxa = f["taxa_offered"]
    assert len(taxa) == 24 and not {"fid", "plot_id", "valid_fraction", "n_taxa"} & set(taxa)
    missing = f["weights_missing"]
    assert f["backbone"] == "dofa-base" and not missing["run_enabled"], missing
    assert "needs its weights file" in missing["validation"], missing
    assert {"Choose weights file…", "Use the spectral baseline"} <= set(missing["buttons"])
    assert f["after_fix"]["backbone"] == "spectral" and f["after_fix"]["run_enabled"]
    assert "Use the spectral baseline" not in f["after_fix"]["buttons"]
    assert "already holds files" in f["overwrite_question"]["text"], f["overwrite_question"]
    assert f["after_no"] == {"task": False, "files": ["notes.txt"]}
    assert f["help"]["section"] == "train-a-model", f["help"]
    assert f["help"]["top_line"].startswith("Train a model"), f["help"]
    model = f["embed_model"]
    assert model["info"].startswith("This model uses the Spectral baseline backbone"), model
    assert model["backbone"].startswith("Spectral baseline") and not model["backbone_enabled"]
    assert not model["weights_enabled"]
    assert python_errors(r) == []
    assert overlaps(r) == {}


@pytest.fixture(scope="session")
def map_scene(tmp_path_factory):
    """The demo landscape (2 km, 2 m pixels) embedded with the spectral baseline at a 40 m
    stride (50 x 50 pixels), and its butterfly points (0/1 per species): what a user has
    after Create demo data and Embed (~10 s)."""
    from botaclip.backend.demo import generate_demo_data
    from botaclip.backend.embed import embed_raster

    root = tmp_path_factory.mktemp("window_maps")
    demo = generate_demo_data(root / "demo", size_m=2000.0, pixel_m=2.0, seed=0)
    emb = embed_raster(str(demo.orthophoto), str(root / "demo_embeddings.tif"),
                       backbone="spectral", patch_m=100.0, stride_m=40.0, device="cpu",
                       cache_dir=str(root / "state"))
    return {"ortho": demo.orthophoto, "embeddings": emb.out, "points": demo.butterflies}


def test_predict(display, tmp_path, map_scene):
    r = run("predict", display, tmp_path, map_scene)
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["preselected"] == {"embeddings": "demo (embeddings)", "points": "Butterflies"}
    before = f["before_run"]
    assert before["run_enabled"] and before["task"] == "presence", before
    assert before["hint"] == "'Parnassius apollo' holds only 0 and 1: presence / absence."
    assert f["status"] == "success", facts_text(r)
    # the map's layers in their group above the orthophoto, under the points
    tree = [(row["name"], row["file"]) for row in f["layers"]]
    maps = [row for row in f["layers"] if row["file"] == "apollo.tif"]
    assert len(maps) == 3, tree
    assert tree[0] == ("Butterflies", "butterflies.gpkg") and tree[-1][1] == "orthophoto.tif"
    assert all(row["kind"] == "raster" and row["bands"] == 3 for row in maps), maps
    bar = f["dialog"]["bar"]
    assert len(bar) == 1 and bar[0]["level"] in ("Success", "Warning"), bar
    assert bar[0]["text"].startswith("Predicted 'Parnassius apollo': TSS "), bar
    assert bar[0]["text"].endswith("(5 spatial folds)."), bar
    after = f["qgis_bar_after_close"]
    assert [i["title"] for i in after] == ["BotaCLIP"], after
    assert after[0]["text"] == bar[0]["text"] and "Open metrics" in after[0]["buttons"]
    assert {"apollo.tif", "apollo_report"} <= set(f["outputs"]), f["outputs"]
    cancel = f["cancel"]
    assert cancel["status"] == "cancelled", facts_text(r)
    assert cancel["out_unchanged"] and cancel["outputs"] == f["outputs"], cancel["outputs"]
    assert cancel["layers"] == f["layers"], cancel["layers"]
    assert [i["text"] for i in cancel["dialog"]["bar"]] == [
        "Cancelled: the prediction map was not written; the previous one, if any, is "
        "unchanged."]
    assert not [i for i in cancel["qgis_bar"] if i["level"] == "Critical"], cancel["qgis_bar"]
    assert python_errors(r) == []
    assert overlaps(r) == {}


def test_similar(display, tmp_path, map_scene):
    r = run("similar", display, tmp_path, map_scene)
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["tool"] == {"active": True, "checked": True, "panel": True}, f["tool"]
    view = f["view"]
    assert view["name"] == "Similar places" and view["renderer"] == "singlebandpseudocolor"
    # the clicked pixel is its own query: cosine 1 up to float32 rounding
    assert view["value_at_click"] == pytest.approx(1.0, abs=1e-4), view
    assert [row["name"] for row in f["layers"]][:2] == ["Butterflies", "Similar places"]
    lower = f["lower"]
    assert lower["threshold"] == pytest.approx(view["threshold"] - 0.2)
    assert lower["area"] != view["area"] and "km²" in lower["area"], (view, lower)
    assert python_errors(r) == []


@pytest.fixture(scope="session")
def demo_qgz(tmp_path_factory):
    """``botaclip demo --quick`` run here, outside QGIS (~35 s: the 2 km scene at 2 m
    pixels, spectral backbone, 20 epochs), as tests/test_demo_chain.py runs it: its
    demo.qgz is written by the plugin's project writer in QGIS's Python."""
    import torch
    from helpers import run_cli

    out = tmp_path_factory.mktemp("window_demo") / "run"
    threads = torch.get_num_threads()
    torch.set_num_threads(2)                     # as test_demo_chain (two_threads)
    try:
        rc, _stdout, stderr = run_cli(["demo", "--quick", "--out", out])
    finally:
        torch.set_num_threads(threads)
    assert rc == 0, stderr[-2000:]
    return out / "demo.qgz"


def test_demo_project(display, tmp_path, demo_qgz):
    from botaclip.backend.demo.chain import GROUPS

    r = run("demo_project", display, tmp_path, {"project": demo_qgz})
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["opened"], facts_text(r)
    assert f["title"] == "BotaCLIP demo (synthetic landscape)"
    # the layer tree holds the five groups and nothing else at its top level
    assert [(n["name"], n["group"]) for n in f["top_level"]] == [(g, True) for g in GROUPS]
    # all five in the layer panel at once: the groups not drawn are folded, and so are the
    # long legends (the embedding raster's 32 bands), else the panel must be scrolled
    assert all(n["in_view"] for n in f["top_level"]), f["top_level"]
    assert [g for g in GROUPS if next(n for n in f["top_level"] if n["name"] == g)[
        "expanded"]] == ["Inputs", "Zero-shot"], f["top_level"]
    assert f["invalid"] == [] and all(row["valid"] for row in f["layers"]), f["layers"]
    groups = {row["top_group"] for row in f["layers"]}
    assert groups == set(GROUPS), groups              # every group holds a layer
    # the map opens on the orthophoto (all of it, filling most of the canvas) with the
    # relevés on top and at least one result between them: drawn top to bottom, the
    # orthophoto last, so nothing hides it but what is meant to lie over it
    canvas = f["canvas"]
    assert canvas["shows_ortho"] and canvas["ortho_fraction"] > 0.3, canvas
    drawn = f["drawn_top_down"]
    assert drawn[-1] == "Orthophoto (synthetic)" and "Relevés" in drawn, drawn
    group_of = {row["name"]: row["top_group"] for row in f["layers"]}
    results = [name for name in drawn if group_of.get(name) != "Inputs"]
    assert results, drawn
    assert not [i for i in f["qgis_bar"] if i["level"] in ("Warning", "Critical")], \
        f["qgis_bar"]
    assert python_errors(r) == []
    # the guide's menu picture: every action of the plugin, over the demo project
    assert f["menu_over_project"] == r.facts["plugin"]["raster_menu"], f["menu_over_project"]


def test_habitats(display, tmp_path, map_scene):
    r = run("habitats", display, tmp_path, map_scene)
    assert_gl_and_plugin(r)
    f = r.facts
    assert f["preselected"] == "demo (embeddings)"
    assert f["before_run"]["run_enabled"], f["before_run"]
    assert f["status"] == "success", facts_text(r)
    # the map above the rasters, under the points; paletted, a legend entry per cluster
    tree = [(row["name"], row["file"]) for row in f["layers"]]
    assert tree[:2] == [("Butterflies", "butterflies.gpkg"), ("habitats", "habitats.tif")], tree
    assert tree[-1][1] == "orthophoto.tif", tree
    row = next(row for row in f["layers"] if row["file"] == "habitats.tif")
    assert row["renderer"] == "paletted" and row["bands"] == 1, row
    # the legend: the band, then "habitat 1" (the largest) to "habitat k"
    k = len(f["legend"]) - 1
    assert 3 <= k <= 8, f["legend"]
    assert f["legend"][1:] == [f"habitat {i}" for i in range(1, k + 1)], f["legend"]
    bar = f["dialog"]["bar"]
    assert len(bar) == 1 and bar[0]["level"] == "Success", bar
    assert bar[0]["text"].startswith(f"{k} habitat clusters mapped"), bar
    assert {"habitats.tif", "habitats_summary"} <= set(f["outputs"]), f["outputs"]
    assert python_errors(r) == []
    assert overlaps(r) == {}


FRENCH_PROFILE = "[locale]\noverrideFlag=true\nuserLocale=fr\nglobalLocale=fr\n"
TS_FR = harness.REPO / "i18n" / "botaclip_fr.ts"
# the plugin's Raster > BotaCLIP entries in English, in menu order (as tests/test_plugin.py)
MENU_EN = ("Create demo data…", "Check orthophoto and relevés…",
           "Import relevés from a long table…", "Train model…", "Embed orthophoto…",
           "Predict map…", "Evaluate…", "Find similar places", "Species suitability…",
           "Top taxa here", "Habitat clusters…", "Settings…", "Help", "Copy diagnostics")
TOOL_ENTRIES = MENU_EN[:13]           # every entry but the newest, all translated already
DEMO_DIALOG_EN = ("BotaCLIP: create demo data", "Output folder", "Scene size", "Random seed",
                  "Run", "Close")


def french_translations() -> dict:
    """Source -> French of i18n/botaclip_fr.ts: the entries with a text that lrelease
    compiles (an "unfinished" one with a text is compiled too; obsolete ones are not)."""
    import xml.etree.ElementTree as ET

    found = {}
    for message in ET.parse(TS_FR).getroot().iter("message"):
        tr = message.find("translation")
        if tr is not None and tr.get("type") not in ("obsolete", "vanished") \
                and (tr.text or "").strip():
            found[message.findtext("source")] = tr.text
    return found


def processing_names_en() -> dict:
    """name() -> displayName() literal of each Processing algorithm class of the plugin
    (read from plugin/processing/*.py)."""
    import ast

    names = {}
    for path in sorted((harness.REPO / "plugin" / "processing").glob("*.py")):
        for cls in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(cls, ast.ClassDef):
                continue
            got = {}
            for fn in cls.body:
                if isinstance(fn, ast.FunctionDef) and fn.name in ("name", "displayName"):
                    value = next((n.value for n in ast.walk(fn) if isinstance(n, ast.Return)),
                                 None)
                    if isinstance(value, ast.Call) and value.args:
                        value = value.args[0]                     # tr("...")
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        got[fn.name] = value.value
            if len(got) == 2:
                names[got["name"]] = got["displayName"]
    return names


def test_french_demo_job_from_the_menus(display, tmp_path):
    """A French QGIS: the menus, Processing and Help in French; the demo dialog, opened
    from its menu entry, runs the whole demo job and opens its project, styled."""
    from botaclip.backend.demo.chain import GROUPS, STEPS

    project = "demo.qgz"                                # the project the dialog writes

    folder = tmp_path / "demo-fr"
    result = harness.run_scenario("french_demo", display, tmp_path / "french_demo",
                                  data={"folder": folder}, timeout=420.0,
                                  profile_settings=FRENCH_PROFILE)
    print(f"window scenario french_demo: {result.elapsed:.1f} s, screenshots in "
          f"{result.shots_dir}")
    r = result.check()
    assert_gl_and_plugin(r)
    fr = french_translations()
    f = r.facts
    assert f["locale"]["qgis"].startswith("fr"), f["locale"]
    assert f["locale"]["translation"].endswith("botaclip_fr.qm"), f["locale"]
    # the menu: each entry is the French of its English label (where the .ts has one), and
    # every tool's entry has one
    assert [en for en in TOOL_ENTRIES if en not in fr] == []
    assert f["menu"] == [fr.get(en, en) for en in MENU_EN], f["menu"]
    assert f["menu"] == list(f["actions"].values()) == r.facts["plugin"]["raster_menu"]
    # Processing: every algorithm's name in French
    names = processing_names_en()
    assert f["processing"] == {n: fr.get(en, en) for n, en in names.items()}, f["processing"]
    assert all(en in fr for en in names.values()), names
    # the demo dialog: French title, labels and buttons; the whole-job option ticked
    dialog = f["demo_dialog"]
    assert [en for en in DEMO_DIALOG_EN if en not in fr] == []
    assert dialog["title"] == fr["BotaCLIP: create demo data"], dialog["title"]
    assert dialog["labels"][1:4] == [fr["Output folder"], fr["Scene size"],
                                     fr["Random seed"]], dialog["labels"]
    assert dialog["run_text"] == fr["Run"] and dialog["close_text"] == fr["Close"]
    assert dialog["whole_checked"] and dialog["run_enabled"], dialog
    whole_en = "Also run the whole demo job (about {seconds} s; a project opens)"
    assert dialog["labels"][4].startswith(fr.get(whole_en, whole_en).split("{")[0]), \
        dialog["labels"]
    assert dialog["hint"].startswith(fr["Orthophoto of {px} × {px} pixels at {res} m."]
                                     .format(px=1000, res=2)), dialog["hint"]
    assert overlaps(r) == {}
    # Help opens the French guide, at the demo's section
    assert Path(f["help"]["path"]).name == "README.fr.md", f["help"]
    assert Path(f["help"]["url"]).name == "README.fr.md", f["help"]
    assert f["help"]["section"] == "demo-data", f["help"]
    # the task: every step shown, in French where translated
    assert f["status"] == "success", facts_text(r)
    step_en = "Step {n} of {total}: {title}"
    assert f["step_headers"] == [
        fr.get(step_en, step_en).format(n=n, total=len(STEPS), title=fr.get(title, title))
        for n, (_key, title, _fn, _w) in enumerate(STEPS, start=1)], f["step_headers"]
    # the project it wrote and opened: the chain's groups in French, every layer valid,
    # styled maps
    assert Path(f["project_file"]) == folder / project, f["project_file"]
    assert (folder / project).is_file()
    assert [(n["name"], n["group"]) for n in f["top_level"]] == [(fr.get(g, g), True)
                                                                 for g in GROUPS]
    assert f["title"] == fr.get("BotaCLIP demo (synthetic landscape)",
                                "BotaCLIP demo (synthetic landscape)")
    assert f["invalid"] == [] and all(row["valid"] for row in f["layers"]), f["layers"]
    assert len(f["layers"]) >= 15, f["layers"]
    assert {"paletted", "singlebandpseudocolor"} <= set(f["raster_renderers"]), \
        f["raster_renderers"]
    ortho = "Orthophoto (synthetic)"
    assert f["drawn_top_down"][-1] == fr.get(ortho, ortho), f["drawn_top_down"]
    after = f["qgis_bar_after_close"]
    # closed, the dialog hands its result to QGIS's bar, alone (QGIS's "Task complete"
    # notice dropped)
    done_en = ("Whole demo job done in {seconds} s: its project is open. Tick the layers of "
               "each group to see its maps.")
    assert [i["title"] for i in after] == ["BotaCLIP"], after
    assert after[0]["text"].startswith(fr.get(done_en, done_en).split("{")[0]), after
    assert python_errors(r) == []
