"""Diagnostics: the backend's report (every section, real values, weights with their sha256
and its cache), `botaclip diagnostics` and `--json`, a report without torch (a subprocess in
which torch cannot be imported), and in QGIS *Copy diagnostics* (clipboard, message bar,
report dialog) with the BotaCLIP log tab it reads the last warnings from."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
KNOWN_NAME = "dofa_base_patch16_224-a0275954.pth"       # a name from KNOWN_WEIGHTS


def _home(path) -> str:
    """``path`` as the report writes it (home folder as ~)."""
    from botaclip.backend.diagnostics import hide_home

    return hide_home(str(path))


@pytest.fixture
def weights(tmp_path):
    """A weights folder holding a file with a published name but other bytes (3 MB), and a
    file of the user's own; returns (folder, cache folder, {name: sha256})."""
    folder, cache = tmp_path / "weights", tmp_path / "cache"
    folder.mkdir()
    shas = {}
    for name, seed in ((KNOWN_NAME, 1), ("my_dofa.safetensors", 2)):
        data = bytes((seed * i) % 251 for i in range(3 << 20))
        (folder / name).write_bytes(data)
        shas[name] = hashlib.sha256(data).hexdigest()
    (folder / "notes.txt").write_text("not a weight file")
    return folder, cache, shas


# ----------------------------------------------------------------------------- backend

def test_report_has_every_section_with_real_values(weights):
    import numpy
    import torch
    from osgeo import gdal

    from botaclip.backend import __version__
    from botaclip.backend.diagnostics import SECTION_TITLES, collect, report_text

    folder, cache, shas = weights
    info = collect(folder, cache)
    assert list(info) == ["generated", *SECTION_TITLES]
    assert info["botaclip"]["version"] == __version__
    assert info["gdal"]["gdal"] == gdal.__version__
    assert info["gdal"]["proj"].count(".") == 2
    assert info["torch"]["version"] == torch.__version__
    assert info["torch"]["location"] == _home(Path(torch.__file__).parent)
    assert info["torch"]["cuda_available"] == torch.cuda.is_available()
    assert info["packages"]["numpy"] == {"version": numpy.__version__,
                                         "location": _home(Path(numpy.__file__).parent)}
    assert info["system"]["cores"] == os.cpu_count()
    assert info["python"]["executable"] == _home(sys.executable)

    files = {f["name"]: f for f in info["weights"]["files"]}
    assert set(files) == set(shas)                       # notes.txt is not a weight file
    for name, sha in shas.items():
        assert files[name]["sha256"] == sha
        assert files[name]["size_bytes"] == 3 << 20
    assert "DIFFERS from the published a027595480a4b064" in files[KNOWN_NAME]["status"]
    assert files["my_dofa.safetensors"]["status"] == "not a published DOFA file (your own)"
    assert KNOWN_NAME not in info["weights"]["known_files_absent"]
    assert "DOFA_ViT_base_e100.pth" in info["weights"]["known_files_absent"]
    assert info["cache"]["cache_folder"] == _home(cache)

    text = report_text(info)
    for title in SECTION_TITLES.values():
        assert f"\n### {title}\n\n```text\n" in text
    assert text.count("```") == 2 * len(SECTION_TITLES)       # every block closed
    assert f"gdal: {gdal.__version__}" in text and f"version: {torch.__version__}" in text
    assert f"sha256: {shas[KNOWN_NAME]}" in text


def test_sha256_is_cached_by_path_size_and_mtime(weights):
    """The second report reads the hash from the cache file (shown by planting another value
    under the same key); a changed file is hashed again; an unusable cache only costs time."""
    from botaclip.backend.diagnostics import HASH_CACHE_NAME, cached_sha256

    folder, cache, shas = weights
    path = folder / KNOWN_NAME
    assert cached_sha256(path, cache) == shas[KNOWN_NAME]
    store = cache / HASH_CACHE_NAME
    table = json.loads(store.read_text())
    st = path.stat()
    assert table == {str(path.resolve()): [st.st_size, st.st_mtime_ns, shas[KNOWN_NAME]]}
    store.write_text(json.dumps({str(path.resolve()): [st.st_size, st.st_mtime_ns,
                                                       "planted"]}))
    assert cached_sha256(path, cache) == "planted"
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert cached_sha256(path, cache) == shas[KNOWN_NAME]
    not_a_folder = folder / "notes.txt"
    assert cached_sha256(path, not_a_folder) == shas[KNOWN_NAME]
    assert not [p for d in (folder, cache) for p in d.glob(".*tmp*")]   # no temporary left


def test_cpu_flags_and_native_libraries_from_proc_files(tmp_path):
    from botaclip.backend.diagnostics import cpu_info, native_libraries

    x86 = tmp_path / "cpuinfo"
    x86.write_text("processor\t: 0\nmodel name\t: Xeon Test\nflags\t\t: fpu sse avx2 avx512f "
                   "avx512_bf16 amx_tile\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_info(str(x86)) == {"model": "Xeon Test",
                                  "flags": ["avx2", "avx512f", "avx512_bf16", "amx_tile"],
                                  "bf16": True}
    arm = tmp_path / "cpuinfo_arm"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd sve\nCPU part\t: 0xd40\n")
    assert cpu_info(str(arm)) == {"model": None, "flags": ["asimd", "sve"], "bf16": False}
    assert cpu_info(str(tmp_path / "absent")) == {}
    maps = tmp_path / "maps"
    maps.write_text(
        "7f00-7f01 r-xp 00000000 08:01 1 /usr/lib/libgomp.so.1\n"
        "7f01-7f02 r-xp 00000000 08:01 2 /opt/conda/lib/libiomp5.so\n"
        "7f02-7f03 r--p 00001000 08:01 2 /opt/conda/lib/libiomp5.so\n"
        "7f03-7f04 r-xp 00000000 08:01 3 /usr/lib/libc.so.6\n"
        "7f04-7f05 rw-p 00000000 00:00 0\n")
    assert native_libraries(str(maps)) == ["/opt/conda/lib/libiomp5.so",
                                           "/usr/lib/libgomp.so.1"]


def test_a_failing_probe_is_reported_not_raised():
    from botaclip.backend.diagnostics import report_text, safe

    value = safe(lambda: 1 / 0)
    assert value == {"error": "ZeroDivisionError: division by zero"}
    assert "error: ZeroDivisionError" in report_text({"torch": value})


# ----------------------------------------------------------------------------- command line

def test_cli_text_and_json(weights):
    from botaclip.backend.diagnostics import SECTION_TITLES

    folder, cache, shas = weights
    rc, out, err = run_cli(["diagnostics", "--weights-dir", folder, "--cache-dir", cache])
    assert rc == 0, err
    assert out.startswith("## BotaCLIP diagnostics\n")
    assert f"sha256: {shas[KNOWN_NAME]}" in out and "Traceback" not in err
    rc, out, err = run_cli(["diagnostics", "--json", "--weights-dir", folder,
                            "--cache-dir", cache])
    assert rc == 0, err
    info = json.loads(out)
    assert set(info) == {"generated", *SECTION_TITLES}
    assert {f["name"]: f["sha256"] for f in info["weights"]["files"]} == shas
    assert err == ""                                     # --json: no progress lines


def test_report_without_torch_says_so(weights, tmp_path):
    """torch hidden (sys.modules['torch'] = None, what Python does for a module that cannot
    be imported): the command still succeeds, says torch is missing and shows no
    traceback; timm, which imports torch, reports its import error."""
    folder, cache, _shas = weights
    code = ("import sys; sys.modules['torch'] = None\n"
            "from botaclip.backend.cli.main import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    args = ["diagnostics", "--weights-dir", str(folder), "--cache-dir", str(cache)]
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    torch_part = proc.stdout.split("### torch\n", 1)[1].split("###", 1)[0]
    assert "installed: no" in torch_part and "torch is missing" in torch_part
    proc = subprocess.run([sys.executable, "-c", code, *args, "--json"], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    info = json.loads(proc.stdout)
    assert info["torch"]["installed"] is False
    assert "torch" in info["packages"]["timm"]["import_error"]


# ----------------------------------------------------------------------------- QGIS

@pytest.fixture
def plugin(qgis_iface, weights):
    """The plugin loaded with settings pointing at the test's weights and cache folders."""
    import botaclip
    from botaclip.plugin.settings import Settings

    folder, cache, _shas = weights
    Settings().reset()
    Settings().weights_folder, Settings().cache_folder = str(folder), str(cache)
    qgis_iface.messageBar().clearWidgets()
    plug = botaclip.classFactory(qgis_iface)
    plug.initGui()
    yield plug
    plug.unload()
    Settings().reset()


def _logged(qgis_app):
    """A list receiving every (message, tag, level) logged from now on, and its slot."""
    from qgis.core import QgsApplication

    got = []

    def slot(message, tag, level):
        got.append((message, tag, level))

    QgsApplication.messageLog().messageReceived.connect(slot)
    return got, slot


@pytest.mark.qgis
def test_copy_diagnostics_to_clipboard(plugin, qgis_iface, qtbot, weights):
    from qgis.core import Qgis, QgsMessageLog
    from qgis.PyQt.QtCore import PYQT_VERSION_STR
    from qgis.PyQt.QtWidgets import QApplication, QPushButton

    _folder, _cache, shas = weights
    QgsMessageLog.logMessage("Disk nearly full under /tmp/xyz-7f3a", "BotaCLIP",
                             Qgis.MessageLevel.Warning)
    QgsMessageLog.logMessage("another plugin's warning 7f3a", "Other",
                             Qgis.MessageLevel.Warning)
    QApplication.clipboard().setText("")
    action = plugin.actions["diagnostics"]
    assert action.text() == "Copy diagnostics" and not action.icon().isNull()
    assert action not in plugin.toolbar.actions()
    action.trigger()
    qtbot.waitUntil(lambda: "BotaCLIP diagnostics" in QApplication.clipboard().text(),
                    timeout=120_000)
    text = QApplication.clipboard().text()
    assert f"version: {Qgis.QGIS_VERSION}\n" in text
    assert f"pyqt: {PYQT_VERSION_STR}\n" in text
    assert "WARNING Disk nearly full under /tmp/xyz-7f3a" in text
    assert "another plugin's warning" not in text
    assert f"sha256: {shas[KNOWN_NAME]}" in text                  # the settings' folder
    for title in ("QGIS", "BotaCLIP settings", "Dependency check", "torch", "DOFA weights"):
        assert f"### {title}\n" in text

    buttons = [b for item in qgis_iface.messageBar().items()
               for b in item.findChildren(QPushButton, "botaclip_diagnostics_show")]
    assert len(buttons) == 1
    buttons[0].click()
    dialog = plugin.diagnostics.dialog
    assert dialog.isVisible() and dialog.view.isReadOnly()
    assert dialog.view.toPlainText() == text
    plugin.diagnostics.unload()                  # what plugin.unload() calls
    assert not dialog.isVisible() and not qgis_iface.messageBar().items()


@pytest.mark.qgis
def test_log_tab_gets_what_the_plugin_says(qgis_app, qgis_iface, weights, qtbot):
    """At load one Info line opens the BotaCLIP tab; what QGIS's bar shows under our title
    and what a dialog's own bar shows are logged once; after unload nothing is kept."""
    from qgis.core import Qgis, QgsApplication, QgsMessageLog

    import botaclip
    from botaclip.plugin import log_panel, tasks
    from botaclip.plugin.help import metadata

    assert log_panel.LOG_TAG == tasks.LOG_TAG
    got, slot = _logged(qgis_app)
    try:
        plug = botaclip.classFactory(qgis_iface)
        plug.initGui()
        ours = [(m, lvl) for m, tag, lvl in got if tag == "BotaCLIP"]
        version = metadata("version")
        assert ours[0][0].startswith(f"BotaCLIP {version} loaded (QGIS {Qgis.QGIS_VERSION}")
        assert ours[0][1] == Qgis.MessageLevel.Info

        got.clear()
        bar = qgis_iface.messageBar()      # pytest-qgis's: only pushWidget really pushes
        bar.pushWidget(bar.createMessage("BotaCLIP", "Embedding finished: 12 blocks"),
                       Qgis.MessageLevel.Success)
        bar.pushWidget(bar.createMessage("Other plugin", "not ours"), Qgis.MessageLevel.Info)
        tasks.log("Training failed: no plots\nTraceback ...", Qgis.MessageLevel.Critical)
        bar.pushWidget(bar.createMessage("BotaCLIP", "Training failed: no plots"),
                       Qgis.MessageLevel.Critical)
        dialog = plug.show_demo_dialog()
        dialog.bar.pushMessage("", "Choose an output folder", Qgis.MessageLevel.Warning)
        assert [(m, t, lvl) for m, t, lvl in got if t == "BotaCLIP"] == [
            ("Embedding finished: 12 blocks", "BotaCLIP", Qgis.MessageLevel.Success),
            ("Training failed: no plots\nTraceback ...", "BotaCLIP", Qgis.MessageLevel.Critical),
            ("Choose an output folder", "BotaCLIP", Qgis.MessageLevel.Warning)]
        assert [e.message for e in plug.log_panel.entries()][-2:] == [
            "Training failed: no plots\nTraceback ...", "Choose an output folder"]
        panel = plug.log_panel
        plug.unload()
        QgsMessageLog.logMessage("after unload", "BotaCLIP", Qgis.MessageLevel.Warning)
        assert "after unload" not in [e.message for e in panel.entries()]
    finally:
        QgsApplication.messageLog().messageReceived.disconnect(slot)


def test_log_panel_keeps_the_last_warnings(qgis_app):
    from qgis.core import Qgis

    from botaclip.plugin.log_panel import LogPanel

    panel = LogPanel(keep=3)
    for i in range(5):
        panel.on_message(f"warning {i}", "BotaCLIP", Qgis.MessageLevel.Warning)
    panel.on_message("info", "BotaCLIP", Qgis.MessageLevel.Info)
    panel.on_message("not ours", "Processing", Qgis.MessageLevel.Critical)
    assert [e.message for e in panel.entries()] == ["warning 2", "warning 3", "warning 4"]
    assert panel.logged_recently("info") and not panel.logged_recently("not ours")
    assert panel.entries()[0].text().endswith(" WARNING warning 2")
