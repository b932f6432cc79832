"""The plugin as QGIS itself loads it, through the qgis_process command line.

``qgis_process.bin`` is called directly: the ``qgis_process`` wrapper script adds a flag that
the binary rejects. QGIS finds the plugin through QGIS_PLUGINPATH (a temporary folder with a
``botaclip`` link to this checkout) and enables it from a temporary profile
(QGIS_CUSTOM_CONFIG_PATH), so the user's own QGIS profile is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"


@pytest.fixture(scope="module")
def qgis_env(tmp_path_factory):
    if not os.access(QGIS_PROCESS, os.X_OK):
        pytest.skip("qgis_process.bin not installed")
    root = tmp_path_factory.mktemp("qgis_process")
    plugins = root / "plugins"
    plugins.mkdir()
    (plugins / "botaclip").symlink_to(REPO, target_is_directory=True)
    ini = root / "profile" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nbotaclip=true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QGIS_", "PYTHON"))}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=str(plugins),
               QGIS_CUSTOM_CONFIG_PATH=str(root / "profile"), HOME=str(root))
    return root, env


def _run(args, env, timeout=120):
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_list_without_the_venv(qgis_env):
    """QGIS's embedded Python (the system one) loads the plugin even where torch and the
    other pip packages are missing: nothing heavy is imported at load."""
    _root, env = qgis_env
    out = _run(["list"], env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "BotaCLIP" in lines
    ids = {line.split("\t")[1] for line in lines if line.startswith("\tbotaclip:")}
    assert ids == {"botaclip:demodata", "botaclip:check", "botaclip:importreleves",
                   "botaclip:train", "botaclip:embed", "botaclip:predict", "botaclip:apply",
                   "botaclip:evaluate", "botaclip:similarity", "botaclip:suitability",
                   "botaclip:habitats"}


def test_run_demodata_json(qgis_env):
    root, env = qgis_env
    # the venv's packages (torch, timm...) for QGIS's embedded Python, as a user would get
    # with the extra packages folder
    env = dict(env, PYTHONPATH=sysconfig.get_paths()["purelib"])
    out_dir = root / "demo"
    out = _run(["--json", "run", "botaclip:demodata", "--", f"OUTPUT_FOLDER={out_dir}",
                "SIZE_M=300", "SEED=0"], env)
    assert out.returncode == 0, out.stderr[-2000:]
    doc = json.loads(out.stdout)
    assert doc["algorithm_details"]["id"] == "botaclip:demodata"
    res = doc["results"]
    assert res["OUTPUT_FOLDER"] == str(out_dir)
    assert res["N_RELEVES"] == 30
    for key in ("ORTHOPHOTO", "RELEVES", "RELEVES_LONG", "PLOTS_TABLE", "BUTTERFLIES",
                "SOIL"):
        assert Path(res[key]).is_file(), key
        assert Path(res[key]).parent == out_dir
    assert not any(p.name.startswith(".demo-partial") for p in out_dir.iterdir())
