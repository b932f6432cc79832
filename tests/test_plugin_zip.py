"""The release zip (``make plugin-zip``, tools/plugin_zip.py): what it holds, the plugin
repository's rules it enforces, and the zip installed as QGIS's *Install from ZIP* does it
into a fresh profile, then loaded by PyQGIS and by ``qgis_process`` from that copy alone.

The installed copy must be the only ``botaclip`` the subprocesses can import: the virtual
environment's site-packages holds a ``botaclip`` link to this checkout (tools/setup.sh), so
they get a mirror of it without that link, and run from a temporary folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "tools" / "plugin_zip.py"
SYSTEM_PYTHON = "/usr/bin/python3.11"  # QGIS's own Python (the venv is made from it)
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
QGIS_UNZIP = Path("/usr/share/qgis/python/pyplugin_installer/unzip.py")
#: Algorithms that exist since the first release; others may be added.
CORE_ALGORITHMS = {"botaclip:demodata", "botaclip:check", "botaclip:importreleves",
                   "botaclip:train", "botaclip:embed"}


def _load_tool():
    spec = importlib.util.spec_from_file_location("botaclip_plugin_zip_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plugin_zip = _load_tool()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The zip as ``make plugin-zip`` builds it (the tool as a command), and the build time."""
    if not shutil.which("git"):
        pytest.skip("git not installed")
    out = tmp_path_factory.mktemp("dist")
    start = time.perf_counter()
    run = subprocess.run([sys.executable, str(TOOL), "--out", str(out)], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - start
    assert run.returncode == 0, run.stderr
    zips = list(out.iterdir())
    assert len(zips) == 1, zips
    print(f"\nplugin zip: {zips[0].stat().st_size / 1e6:.2f} MB, built in {seconds:.2f} s")
    return zips[0]


def _names(path):
    with zipfile.ZipFile(path) as zf:
        return [n for n in zf.namelist() if not n.endswith("/")]


def _metadata_version():
    return plugin_zip.parse_metadata((REPO / "metadata.txt").read_text("utf-8"))["version"]


# ----------------------------------------------------------------------------- contents

def test_zip_holds_what_a_user_needs_and_nothing_else(built):
    names = _names(built)
    assert built.name == f"botaclip-{_metadata_version()}.zip"
    assert all(n.startswith("botaclip/") for n in names)
    for needed in ("__init__.py", "metadata.txt", "LICENSE", "README.md", "requirements.txt",
                   "resources/icons/botaclip.svg", "resources/presets/sensors.json",
                   "plugin/plugin.py", "backend/__init__.py", "i18n/botaclip_fr.qm"):
        assert f"botaclip/{needed}" in names, needed
    top = {n.split("/")[1] for n in names}
    assert not top & {"tests", "bench", "tools", ".ci", "docs", "dist", "Makefile",
                      "pyproject.toml", "requirements-dev.txt", ".gitignore", ".venv"}
    assert not [n for n in names if n.endswith((".pyc", ".ts")) or "__pycache__" in n
                or "/." in n or n.endswith("make_styles.py") or n.endswith("update_ts.py")]
    # every Python module git knows under plugin/ and backend/ ships
    tracked = subprocess.run(["git", "ls-files", "plugin", "backend"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.split()
    assert {f"botaclip/{p}" for p in tracked if (REPO / p).is_file()} <= set(names)
    assert plugin_zip.check_zip(built) == []


def test_licence_is_gpl2_or_later(built):
    with zipfile.ZipFile(built) as zf:
        text = zf.read("botaclip/LICENSE").decode("utf-8")
    assert "either version 2" in text and "any later version" in text
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 2, June 1991" in text


def test_translations_are_compiled_from_the_current_sources(built, tmp_path):
    """The .qm in the zip is lrelease's output for today's .ts, byte for byte: never a stale
    compiled file lying in the checkout."""
    for ts in sorted((REPO / "i18n").glob("*.ts")):
        qm = tmp_path / ts.with_suffix(".qm").name
        subprocess.run([plugin_zip.find_lrelease(), "-silent", str(ts), "-qm", str(qm)],
                       check=True)
        with zipfile.ZipFile(built) as zf:
            assert zf.read(f"botaclip/i18n/{qm.name}") == qm.read_bytes()


def test_two_builds_give_the_same_bytes(built, tmp_path):
    again = plugin_zip.build(REPO, tmp_path, log=lambda _m: None)
    assert hashlib.sha256(again.read_bytes()).digest() == \
        hashlib.sha256(built.read_bytes()).digest()
    with zipfile.ZipFile(again) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert len({i.date_time for i in infos}) == 1


def test_failed_build_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(plugin_zip, "MAX_ZIP_BYTES", 1000)
    out = tmp_path / "out"
    with pytest.raises(plugin_zip.PluginZipError, match="takes at most 0 MB"):
        plugin_zip.build(REPO, out, log=lambda _m: None)
    assert list(out.iterdir()) == []


def test_every_top_level_entry_must_be_classified():
    assert plugin_zip.select(["plugin/a.py", "tests/test_a.py", "Makefile", "i18n/x.ts",
                              "i18n/update_ts.py", "README.fr.md", "LICENSE"]) == [
        "plugin/a.py", "README.fr.md", "LICENSE"]
    with pytest.raises(plugin_zip.PluginZipError, match=r"not classified.*notes\.txt.*SHIP_TOP"):
        plugin_zip.select(["plugin/a.py", "notes.txt"])


# ----------------------------------------------------------------------------- the rules

def _rewrite(src, dst, drop=(), add=None, metadata=None, top="botaclip"):
    """A copy of zip ``src`` with entries dropped, added, metadata.txt edited by
    ``metadata(text)`` and the top folder renamed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name in drop:
                continue
            data = zin.read(name)
            if name == "botaclip/metadata.txt" and metadata:
                data = metadata(data.decode("utf-8")).encode("utf-8")
            zout.writestr(top + name[len("botaclip"):], data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _field(key, value):
    return lambda text: re.sub(rf"(?m)^{key}=.*$", f"{key}={value}", text)


def _screenshot(built):
    readme = zipfile.ZipFile(built).read("botaclip/README.md").decode("utf-8")
    return "botaclip/" + plugin_zip.image_refs(readme)[0]


BAD_ZIPS = {
    "pyc": (dict(add={"botaclip/plugin/__pycache__/x.cpython-311.pyc": b"\x00"}),
            "compiled Python, caches"),
    "no licence": (dict(drop={"botaclip/LICENSE"}), "botaclip/LICENSE is missing"),
    "no email": (dict(metadata=_field("email", "")), "'email' is missing or empty"),
    "placeholder tracker": (dict(metadata=_field("tracker", "http://bugs")),
                            "tracker=http://bugs is not a web address"),
    "changelog without version": (dict(metadata=_field("changelog", "Many things.")),
                                  "changelog does not say what"),
    "missing icon": (dict(metadata=_field("icon", "icon.png")),
                     "icon=icon.png is not in the zip"),
    "slash in author": (dict(metadata=_field("author", "A/B")), "author cannot contain '/'"),
    "tests": (dict(add={"botaclip/tests/test_x.py": b"x = 1\n"}), "developer files (tests/)"),
    "two folders": (dict(add={"other/a.txt": b"a"}), "one folder with everything in it"),
    "folder name": (dict(top="botaclip-main"), "must be a Python identifier"),
    "second metadata": (dict(add={"botaclip/resources/old_metadata.txt": b"[general]\n"}),
                        "exactly one file may end with 'metadata.txt'"),
    "binary": (dict(add={"botaclip/backend/fast.so": b"\x7fELF\x02\x01\x01\x00" * 8}),
               "botaclip/backend/fast.so: a binary file"),
    "fake image": (dict(add={"botaclip/resources/icons/x.png": b"<svg/>"}),
                   "x.png: not a real .png file"),
    "no qm": (dict(drop={"botaclip/i18n/botaclip_fr.qm"}), "no compiled translation"),
    "path escape": (dict(add={"botaclip/../evil.py": b"x = 1\n"}), "may not contain '..'"),
    "versions disagree": (dict(metadata=_field("version", "9.9.9")), "versions disagree"),
}


@pytest.mark.parametrize("case", sorted(BAD_ZIPS))
def test_check_refuses_what_the_repository_refuses(built, tmp_path, case):
    kwargs, message = BAD_ZIPS[case]
    bad = _rewrite(built, tmp_path / "bad.zip", **kwargs)
    problems = plugin_zip.check_zip(bad)
    assert any(message in p for p in problems), problems


def test_check_refuses_a_screenshot_the_help_cannot_show(built, tmp_path):
    shot = _screenshot(built)
    problems = plugin_zip.check_zip(_rewrite(built, tmp_path / "bad.zip", drop={shot}))
    rel = shot[len("botaclip/"):]
    # each guide that shows it is named (the French one mirrors the English screenshots)
    guides = [g for g in ("README.fr.md", "README.md") if rel in (REPO / g).read_text("utf-8")]
    assert "README.md" in guides
    assert sorted(problems) == sorted(f"botaclip/{g} shows {rel}, which is not in the zip"
                                      for g in guides)


def test_check_refuses_a_zip_over_the_size_limit(built, monkeypatch):
    monkeypatch.setattr(plugin_zip, "MAX_ZIP_BYTES", built.stat().st_size - 1)
    assert any("the plugin repository takes at most" in p
               for p in plugin_zip.check_zip(built))


def test_check_command_exit_codes(built, tmp_path):
    ok = subprocess.run([sys.executable, str(TOOL), "--check", str(built)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "passes" in ok.stdout
    bad = _rewrite(built, tmp_path / "bad.zip", drop={"botaclip/LICENSE"})
    refused = subprocess.run([sys.executable, str(TOOL), "--check", str(bad)],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "plugin-zip: botaclip/LICENSE is missing"
    assert "Traceback" not in refused.stderr


# ----------------------------------------------------------------------------- installed

@pytest.fixture(scope="module")
def installed(built, tmp_path_factory):
    """The zip unpacked into a fresh profile's python/plugins by QGIS's own installer code
    (pyplugin_installer/unzip.py, what Install from ZIP calls), the plugin enabled there."""
    if not QGIS_UNZIP.is_file():
        pytest.skip("QGIS's plugin installer not found")
    root = tmp_path_factory.mktemp("installed")
    profile = root / "config"
    plugins = profile / "profiles" / "default" / "python" / "plugins"
    spec = importlib.util.spec_from_file_location("qgis_plugin_unzip", QGIS_UNZIP)
    unzip = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(unzip)
    unzip.unzip(str(built), str(plugins))
    # the name QGIS gives the plugin: the folder of the first *metadata.txt, sorted
    assert sorted(n for n in _names(built) if n.endswith("metadata.txt"))[0] == \
        "botaclip/metadata.txt"
    ini = profile / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nbotaclip=true\n", encoding="utf-8")
    site = root / "site-packages"  # the venv's packages without the link to the checkout
    site.mkdir()
    purelib = Path(sysconfig.get_paths()["purelib"])
    for entry in purelib.iterdir():
        if not entry.name.lower().startswith("botaclip"):
            (site / entry.name).symlink_to(entry)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QGIS_", "PYTHON"))}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=str(profile),
               HOME=str(root), PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    return root, plugins, env


LOAD_SCRIPT = r'''
import json, sys, traceback
plugins_dir = sys.argv[1]
sys.path.insert(0, plugins_dir)          # as QGIS puts its plugin folders first
# pytest-qgis's iface stub, imported before the application exists (as under pytest): its
# slots fail to connect to QgsProject's signals when the class is made after
from pytest_qgis.mock_qgis_classes import MockMessageBar
from pytest_qgis.qgis_interface import QgisInterface
from qgis.core import QgsApplication
app = QgsApplication([], True)
app.initQgis()
import qgis.utils
def report(type, value, tb, msg, *args, **kwargs):
    sys.stderr.write(f"{msg}\n{''.join(traceback.format_exception(type, value, tb))}")
qgis.utils.showException = report
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtWidgets import QMainWindow
window = QMainWindow()
qgis.utils.iface = QgisInterface(QgsMapCanvas(window), MockMessageBar(), window)
qgis.utils.plugin_paths = [plugins_dir]
qgis.utils.updateAvailablePlugins()
result = {"available": qgis.utils.available_plugins,
          "version": qgis.utils.pluginMetadata("botaclip", "version"),
          "loaded": qgis.utils.loadPlugin("botaclip"),
          "started": qgis.utils.startPlugin("botaclip")}
# nothing heavy at load: the pip packages are imported only when a tool runs
result["heavy_at_load"] = sorted({"torch", "timm", "sklearn", "safetensors"} & set(sys.modules))
import botaclip
result["file"] = botaclip.__file__
provider = QgsApplication.processingRegistry().providerById("botaclip")
result["algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []
from botaclip.plugin.i18n import PluginTranslator
from botaclip.plugin import help as plugin_help
translator = PluginTranslator()
result["qm"] = str(translator.install("fr"))
from botaclip.plugin.i18n import tr
result["train_fr"] = tr("Train model…")
translator.remove()
result["readme"] = str(plugin_help.README.resolve())
result["readme_found"] = plugin_help.README.is_file()
result["unloaded"] = qgis.utils.unloadPlugin("botaclip")
print("RESULT " + json.dumps(result))
app.exitQgis()
'''


@pytest.mark.qgis
@pytest.mark.slow
def test_installed_zip_loads_in_pyqgis(installed):
    root, plugins, env = installed
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip(f"{SYSTEM_PYTHON} (QGIS's Python) not installed")
    script = root / "load_plugin.py"
    script.write_text(LOAD_SCRIPT, encoding="utf-8")
    run = subprocess.run([SYSTEM_PYTHON, str(script), str(plugins)], cwd=root, env=env,
                         capture_output=True, text=True, timeout=300)
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT "):])
    home = (plugins / "botaclip").resolve()
    assert result["available"] == ["botaclip"]
    assert result["version"] == _metadata_version()
    assert result["loaded"] and result["started"], run.stderr[-3000:]
    assert Path(result["file"]).resolve() == home / "__init__.py"
    assert result["heavy_at_load"] == []
    assert CORE_ALGORITHMS <= set(result["algorithms"])
    assert Path(result["qm"]) == home / "i18n" / "botaclip_fr.qm"
    assert result["train_fr"] == _french("Train model…")
    assert result["readme_found"] and Path(result["readme"]) == home / "README.md"
    assert result["unloaded"]
    assert not list(home.rglob("__pycache__"))


def _french(source: str) -> str:
    """What i18n/botaclip_fr.ts says ``source`` is in French (itself while unfinished)."""
    import xml.etree.ElementTree as ET

    for message in ET.parse(REPO / "i18n" / "botaclip_fr.ts").getroot().iter("message"):
        translation = message.find("translation")
        if message.findtext("source") == source and translation.get("type") is None:
            return translation.text or source
    return source


def _qgis_process(args, env, cwd, timeout=300):
    return subprocess.run([QGIS_PROCESS, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.qgis
@pytest.mark.slow
def test_installed_zip_runs_in_qgis_process(installed):
    """QGIS_PLUGINPATH unset: qgis_process finds the plugin only in the fresh profile."""
    root, _plugins, env = installed
    if not os.access(QGIS_PROCESS, os.X_OK):
        pytest.skip("qgis_process.bin not installed")
    assert "QGIS_PLUGINPATH" not in env
    listing = _qgis_process(["list"], env, root)
    assert listing.returncode == 0, listing.stderr[-2000:]
    ids = {ln.split("\t")[1] for ln in listing.stdout.splitlines()
           if ln.startswith("\tbotaclip:")}
    assert CORE_ALGORITHMS <= ids
    out_dir = root / "demo"
    run = _qgis_process(["--json", "run", "botaclip:demodata", "--",
                         f"OUTPUT_FOLDER={out_dir}", "SIZE_M=300", "SEED=0"], env, root)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout)["results"]
    assert results["N_RELEVES"] == 30
    for key in ("ORTHOPHOTO", "RELEVES", "BUTTERFLIES", "SOIL"):
        assert Path(results[key]).is_file() and Path(results[key]).parent == out_dir, key
