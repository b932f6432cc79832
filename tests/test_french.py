"""French: every string translated, the compiled .qm current, and QGIS started in French
showing French menus, dialogs, Processing names and help (PyQGIS, and qgis_process with a
French profile). The real window in French is a scenario of tests/test_window.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TS = REPO / "i18n" / "botaclip_fr.ts"
QM = REPO / "i18n" / "botaclip_fr.qm"
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\d|%n|</?[a-zA-Z][^>]*>")


def _messages():
    root = ET.parse(TS).getroot()
    for m in root.iter("message"):
        tr = m.find("translation")
        if tr.get("type") != "obsolete":
            yield m.findtext("source"), tr


def _lrelease() -> str:
    found = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    if not Path(found).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("lrelease (Qt tools) not installed: run make setup")
        pytest.skip("lrelease (Qt tools) not installed")
    return found


def test_every_string_has_a_french_translation_with_the_same_placeholders():
    untranslated, broken = [], []
    for source, tr in _messages():
        text = tr.text or ""
        if tr.get("type") == "unfinished" or not text.strip():
            untranslated.append(source)
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            broken.append((source, text))
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not broken, broken[:5]


def test_french_is_french_not_a_copy():
    """A translation equal to its English source is allowed only for names and short
    technical words (QGIS, DOFA, 'Raster', '{name}'); prose must differ."""
    same = [s for s, tr in _messages() if (tr.text or "") == s and len(s.split()) > 3]
    assert not same, same[:10]


def test_the_compiled_qm_is_the_ts_compiled(tmp_path):
    out = tmp_path / "botaclip_fr.qm"
    subprocess.run([_lrelease(), "-silent", str(TS), "-qm", str(out)], check=True,
                   capture_output=True)
    assert QM.exists(), "run: make translations"
    assert out.read_bytes() == QM.read_bytes(), "run: make translations"


@pytest.fixture
def french(qgis_app):
    from botaclip.plugin.i18n import PluginTranslator

    translator = PluginTranslator()
    assert translator.install("fr_FR") == QM
    yield translator
    translator.remove()


def test_menus_and_toolbar_in_french(french, qgis_iface):
    from botaclip.plugin.plugin import BotaclipPlugin

    plugin = BotaclipPlugin(qgis_iface)
    plugin.translator.install("fr_FR")         # QGIS's locale is English in this session
    plugin.initGui()
    try:
        texts = {key: action.text() for key, action in plugin.actions.items()}
        assert texts["train"] == "Entraîner un modèle…"
        assert texts["embed"] == "Calculer les plongements…"
        assert texts["predict"] == "Prédire une carte…"
        assert plugin.menu_name == "&BotaCLIP"
        assert all(text and not text.startswith(("Train", "Embed", "Check")) for text in
                   texts.values()), texts
    finally:
        plugin.unload()


def test_a_dialog_in_french(french, qgis_iface, qtbot):
    from qgis.PyQt.QtWidgets import QLabel

    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    dlg = TrainDialog(qgis_iface)
    qtbot.addWidget(dlg)
    labels = [w.text() for w in dlg.findChildren(QLabel) if w.text().strip()]
    assert dlg.ok_button.text() == "Exécuter"
    assert any("Relevés" in t or "relevés" in t for t in labels), labels
    assert any("Orthophoto" in t or "orthophoto" in t for t in labels), labels


def test_processing_names_and_help_in_french(french, qgis_app):
    from botaclip.plugin.processing.provider import BotaclipProvider

    provider = BotaclipProvider()
    provider.refreshAlgorithms()
    names = {a.name(): a.displayName() for a in provider.algorithms()}
    assert names["predict"] == "Prédire une carte"
    assert names["train"] == "Entraîner le modèle BotaCLIP"
    predict = next(a for a in provider.algorithms() if a.name() == "predict")
    assert "validation croisée" in predict.shortHelpString()
    assert provider.longName() or provider.name()


def test_help_opens_the_french_guide(french, qgis_app, qtbot):
    from botaclip.plugin.help import README, HelpDialog, guide_path

    assert guide_path("fr_FR") == REPO / "README.fr.md" != README
    assert guide_path("de_DE") == README
    dlg = HelpDialog(path=guide_path("fr_FR"))
    qtbot.addWidget(dlg)
    assert dlg.show_section("train") == "train-a-model"   # English anchors kept
    titles = [text for _level, text, _anchor in dlg.headings]
    assert "Entraîner un modèle" in titles, titles


def _french_profile(root: Path) -> dict:
    ini = root / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nbotaclip=true\n\n[locale]\noverrideFlag=true\n"
                   "userLocale=fr\nglobalLocale=fr\n", encoding="utf-8")
    plugins = root / "plugins"
    plugins.mkdir()
    (plugins / "botaclip").symlink_to(REPO, target_is_directory=True)
    import sysconfig

    env = dict(os.environ, QGIS_PLUGINPATH=str(plugins), QGIS_CUSTOM_CONFIG_PATH=str(root),
               QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=sysconfig.get_paths()["purelib"])
    return env


def test_qgis_process_in_french(tmp_path):
    exe = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    if not Path(exe).exists():
        pytest.skip("qgis_process.bin not installed")
    env = _french_profile(tmp_path)
    listed = subprocess.run([exe, "list"], env=env, capture_output=True, text=True,
                            timeout=180)
    assert "botaclip:predict\tPrédire une carte" in listed.stdout, listed.stdout[-2000:]
    helped = subprocess.run([exe, "help", "botaclip:habitats"], env=env,
                            capture_output=True, text=True, timeout=180)
    assert "Groupes d'habitats" in helped.stdout, helped.stdout[-2000:]
