"""Every input of every BotaCLIP dialog says what it is for: the dialogs opened in real QGIS
(offscreen) over real layers, their widget trees walked, and each input widget asked for its
own tooltip.

The rule, one for every dialog: the tooltip is on the input widget itself (hovering the field
shows it; a label's buddy is not enough, since the label of a check box or of a row built
with a plain string has none). Input widgets are line edits, combo boxes (layer and field
combos included), spin boxes, check boxes, radio buttons, file and extent widgets, sliders
and list views; the parts Qt or QGIS build inside one of them (the line edit of a file
widget or of a spin box) belong to it and are not asked separately. Widgets hidden in the
dialog's current state (the timm model name while another backbone is chosen) are asked
too: they show in another state. The dialogs' message bar and button box hold no inputs.

The settings dialog (its own test) and the dependency dialog (no inputs) are not here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import epsg, write_embedding, write_points

pytestmark = pytest.mark.qgis

N, PIX, X0, Y0 = 12, 20.0, 900000.0, 6500600.0
# a tooltip shorter than this cannot say what a field is for and what to put in it
MIN_CHARS = 25


def input_classes():
    from qgis.gui import QgsExtentWidget, QgsFileWidget, QgsProjectionSelectionWidget
    from qgis.PyQt.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSlider,
        QAbstractSpinBox,
        QCheckBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QRadioButton,
    )

    del QAbstractButton                      # push buttons are actions, not inputs
    return (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox, QRadioButton, QgsFileWidget,
            QgsExtentWidget, QgsProjectionSelectionWidget, QAbstractSlider, QAbstractItemView,
            QPlainTextEdit)


def is_input(widget) -> bool:
    from qgis.PyQt.QtWidgets import QPlainTextEdit, QScrollBar

    if not isinstance(widget, input_classes()) or isinstance(widget, QScrollBar):
        return False                          # a scroll bar moves a view, it is no input
    if isinstance(widget, QPlainTextEdit) and widget.isReadOnly():
        return False                          # a result shown, not an input
    return True


def inputs_of(window) -> list:
    """The input widgets of ``window`` that a user fills, outermost only (not the parts of
    a file widget or a spin box), outside its message bar and button box."""
    from qgis.gui import QgsMessageBar
    from qgis.PyQt.QtWidgets import QDialogButtonBox, QWidget

    found = []
    for w in window.findChildren(QWidget):
        if not is_input(w):
            continue
        parent, inside = w.parentWidget(), False
        while parent is not None and parent is not window:
            if is_input(parent) or isinstance(parent, (QgsMessageBar, QDialogButtonBox)):
                inside = True
                break
            parent = parent.parentWidget()
        if not inside:
            found.append(w)
    return found


def row_label(window, widget) -> str:
    """The form label of ``widget``'s row (or its own text), to name it in a failure."""
    from qgis.PyQt.QtWidgets import QFormLayout, QLabel

    for form in window.findChildren(QFormLayout):
        for target in (widget, widget.parentWidget()):
            label = form.labelForField(target) if target is not None else None
            if isinstance(label, QLabel) and label.text():
                return label.text()
    text = getattr(widget, "text", None)
    return text() if callable(text) and text() else widget.objectName() or "?"


def missing_tooltips(window) -> list:
    """'Class (row label)' for each input of ``window`` without a useful tooltip."""
    return [f"{type(w).__name__} ({row_label(window, w)!r}): {w.toolTip()!r}"
            for w in inputs_of(window) if len(w.toolTip().strip()) < MIN_CHARS]


# ----------------------------------------------------------------------------- scene

@pytest.fixture(scope="module")
def layers(small_scene, tmp_path_factory):
    """The small scene's orthophoto and relevés, an embedding raster (12 x 12, 4 bands) and
    points with a 0/1 field, a cover and a class."""
    tmp = tmp_path_factory.mktemp("tooltips")
    rng = np.random.default_rng(0)
    emb = write_embedding(tmp / "emb.tif", rng.normal(size=(N, N, 4)).astype(np.float32),
                          origin=(X0, Y0), pixel=PIX, srs=epsg(),
                          tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": "4",
                                "BOTACLIP_SETTINGS": json.dumps({"patch_m": PIX})})
    from osgeo import ogr

    xs = [X0 + (i + 0.5) * PIX for i in range(N)]
    ys = [Y0 - (i + 0.5) * PIX for i in range(N)]
    points = write_points(tmp / "points.gpkg", epsg(), xs, ys, {
        "present": (ogr.OFTInteger, [i % 2 for i in range(N)]),
        "cover": (ogr.OFTReal, [float(i) for i in range(N)]),
        "habitat": (ogr.OFTString, ["A" if i < N // 2 else "B" for i in range(N)])})
    ortho, releves = small_scene
    return {"ortho": ortho, "releves": releves, "embeddings": emb, "points": points}


@pytest.fixture
def project(qgis_new_project, layers):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    made = [QgsRasterLayer(str(layers["ortho"]), "Orthophoto", "gdal"),
            QgsVectorLayer(str(layers["releves"]), "Relevés", "ogr"),
            QgsRasterLayer(str(layers["embeddings"]), "embeddings", "gdal"),
            QgsVectorLayer(str(layers["points"]), "observations", "ogr")]
    assert all(lyr.isValid() for lyr in made)
    QgsProject.instance().addMapLayers(made)
    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()


DIALOGS = {
    "demo": ("demo_dialog", "DemoDialog"),
    "check": ("check_dialog", "CheckDialog"),
    "import": ("import_dialog", "ImportDialog"),
    "train": ("train_dialog", "TrainDialog"),
    "embed": ("embed_dialog", "EmbedDialog"),
    "predict": ("predict_dialog", "PredictDialog"),
    "evaluate": ("evaluate_dialog", "EvaluateDialog"),
    "suitability": ("suitability_dialog", "SuitabilityDialog"),
    "habitats": ("habitats_dialog", "HabitatsDialog"),
}


@pytest.mark.parametrize("key", list(DIALOGS))
def test_every_input_has_a_tooltip(key, qgis_iface, project, qtbot):
    import importlib

    module, name = DIALOGS[key]
    cls = getattr(importlib.import_module(f"botaclip.plugin.dialogs.{module}"), name)
    dlg = cls(qgis_iface)
    qtbot.addWidget(dlg)
    dlg.show()
    found = inputs_of(dlg)
    # the walk finds the fields (a dialog with fewer than 3 would mean the walk is broken)
    assert len(found) >= 3, [type(w).__name__ for w in found]
    missing = missing_tooltips(dlg)
    assert missing == [], "\n".join(missing)


def test_similar_places_panel_has_tooltips(qgis_iface, project, qtbot):
    from botaclip.plugin.maptools.similar_places import SimilarPlaces

    tool = SimilarPlaces(qgis_iface)
    panel = tool.panel
    qtbot.addWidget(panel)
    assert inputs_of(panel), "the panel's slider was not found"
    assert missing_tooltips(panel) == []


def test_the_walk_finds_what_it_must(qgis_iface, project, qtbot):
    """The walk itself: a file widget counts once (not its line edit), hidden rows count,
    a read-only text is no input, and a missing tooltip is reported by its row label."""
    from qgis.gui import QgsFileWidget
    from qgis.PyQt.QtWidgets import QDialog, QFormLayout, QLineEdit, QPlainTextEdit

    dlg = QDialog()
    qtbot.addWidget(dlg)
    form = QFormLayout(dlg)
    files = QgsFileWidget()
    files.setToolTip("The folder where the outputs are written.")
    hidden = QLineEdit()
    summary = QPlainTextEdit()
    summary.setReadOnly(True)
    form.addRow("Output folder", files)
    form.addRow("Hidden name", hidden)
    form.addRow(summary)
    hidden.hide()
    assert inputs_of(dlg) == [files, hidden]
    assert missing_tooltips(dlg) == ["QLineEdit ('Hidden name'): ''"]
