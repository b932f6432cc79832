"""Every BotaCLIP Processing algorithm explains itself: its help (the panel beside the
parameters in the toolbox dialog, and `qgis_process help`) names every input parameter and
every output as the dialog shows it, and says what the algorithm does and what comes back.

A parameter is named by its label up to the first parenthesis, comma or colon: "Taxon
columns (default: every numeric column)" is named "Taxon columns", "Stride (m; 0: half the
patch size)" is named "Stride"; what follows is a unit, a default or a condition, which the
help says in its own words. The algorithms are those the provider registers in the real
Processing registry, created as the toolbox creates them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

# the shortest help that can say what an algorithm does, with its inputs and outputs named
MIN_CHARS = 400
REPO = Path(__file__).resolve().parents[1]
# a markdown image: ![caption](path)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def algorithms(qgis_processing):
    from qgis.core import QgsApplication

    from botaclip.plugin.processing.provider import BotaclipProvider

    registry = QgsApplication.processingRegistry()
    provider = BotaclipProvider()
    assert registry.addProvider(provider)
    # as the toolbox does: a fresh instance from the registry, initialised
    yield {a.name(): registry.createAlgorithmById(a.id()) for a in provider.algorithms()}
    registry.removeProvider(provider)


def label(description: str) -> str:
    """What the help must contain for a parameter or output labelled ``description``."""
    return re.split(r"[(,:]", description, maxsplit=1)[0].strip()


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def unnamed(alg) -> list:
    """The parameters and outputs of ``alg`` whose label its help does not contain."""
    help_text = normalised(alg.shortHelpString())
    items = [("parameter", p.name(), p.description()) for p in alg.parameterDefinitions()]
    items += [("output", o.name(), o.description()) for o in alg.outputDefinitions()]
    return [f"{kind} {name}: {label(description)!r}" for kind, name, description in items
            if normalised(label(description)) not in help_text]


def test_label_is_the_name_before_qualifiers():
    assert label("Taxon columns (default: every numeric column)") == "Taxon columns"
    assert label("Stride (m; 0: half the patch size)") == "Stride"
    assert label("True skill statistic, TSS (presence)") == "True skill statistic"
    assert label("Taxa evaluated: at least this many presences") == "Taxa evaluated"
    assert label("Orthophoto") == "Orthophoto"


def test_every_algorithm_is_checked(algorithms):
    from botaclip.plugin.processing.provider import ALGORITHMS

    assert len(algorithms) == len(ALGORITHMS) == 11
    assert all(a is not None for a in algorithms.values())


@pytest.mark.parametrize("name", ["demodata", "check", "importreleves", "train", "embed",
                                  "predict", "apply", "evaluate", "similarity",
                                  "suitability", "habitats"])
def test_help_names_every_input_and_output(algorithms, name):
    alg = algorithms[name]
    text = alg.shortHelpString()
    assert len(text) >= MIN_CHARS, text
    # a section for what goes in and one for what comes back, in that order
    lines = text.splitlines()
    assert "Inputs" in lines and "Outputs" in lines, text
    assert lines.index("Inputs") < lines.index("Outputs")
    assert lines.index("Inputs") > 0, "the help starts with what the algorithm does"
    missing = unnamed(alg)
    assert missing == [], "\n".join(missing)


def test_help_is_translated_text(algorithms):
    """The help goes through tr(): with a translator that marks every string, every line of
    every help comes back marked (a line built outside tr() would not)."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    class Marking(QTranslator):
        def translate(self, context, source, disambiguation=None, n=-1):
            return "§" + source.replace("\n", "\n§") if context == "BotaCLIP" else ""

        def isEmpty(self):  # noqa: N802
            return False

    marker = Marking()
    QCoreApplication.installTranslator(marker)
    try:
        for name, alg in algorithms.items():
            lines = [line for line in alg.shortHelpString().splitlines() if line.strip()]
            assert all(line.startswith("§") for line in lines), (name, [
                line for line in lines if not line.startswith("§")][:3])
    finally:
        QCoreApplication.removeTranslator(marker)


# ----------------------------------------------------------------------------- the guide

def guide_images() -> list:
    """The pictures README.md (the user guide, also shown inside QGIS) shows, in order."""
    return IMAGE.findall((REPO / "README.md").read_text(encoding="utf-8"))


def test_every_picture_of_the_guide_exists():
    images = guide_images()
    assert len(images) >= 10, images
    missing = [p for p in images if not (REPO / p).is_file()]
    assert missing == [], missing
    # real pictures, not a Git LFS pointer or a file cut short
    bad = [p for p in images if not (REPO / p).read_bytes().startswith(PNG_SIGNATURE)
           or (REPO / p).stat().st_size < 10_000]
    assert bad == [], bad


def test_window_pictures_are_retaken_by_make_screenshots():
    """Every resources/screenshots/window-<name>.png of the guide is a screenshot a window
    scene keeps (``ctx.shot("<name>", keep=True)``, or ``shoot_running(ctx, dlg, "<name>",
    ...)``), so that `make screenshots` takes it again from the current code, and it cannot
    go stale unnoticed."""
    scenes = (REPO / "tests" / "window" / "scenarios.py").read_text(encoding="utf-8")
    kept = set(re.findall(r'ctx\.shot\("([^"]+)", keep=True\)', scenes))
    kept |= set(re.findall(r'shoot_running\(ctx, \w+, "([^"]+)"', scenes))   # kept too
    shown = [Path(p).stem.removeprefix("window-") for p in guide_images()
             if Path(p).name.startswith("window-")]
    assert len(shown) >= 5, shown
    assert sorted(set(shown) - kept) == []
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^screenshots:.*\n\t.*BOTACLIP_UPDATE_SCREENSHOTS=1 .*tests/test_window\.py",
                     makefile, re.M), "make screenshots must run the window scenes"
