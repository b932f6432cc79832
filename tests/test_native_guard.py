"""QGIS on a Linux desktop has Mesa's libLLVM loaded for OpenGL; torch's optional triton then
crashes the process with a segmentation fault when torch's optimizer (or torch._dynamo)
imports it. These tests reproduce that condition in a subprocess: libLLVM loaded first with
RTLD_GLOBAL, as QGIS does, then (control) torch's optimizer step dies, and (fix) the same
step, a whole training run and an embedding run survive once the plugin is loaded through
QGIS's entry point ``classFactory``, which keeps triton out before anything imports torch."""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import signal
import subprocess
import sys
import textwrap

import pytest

LLVM = "libLLVM-15.so.1"

LOAD_LLVM = f"""
import ctypes, os
ctypes.CDLL({LLVM!r}, mode=os.RTLD_GLOBAL | os.RTLD_NOW)
"""

OPTIMIZER_STEP = """
import torch
m = torch.nn.Linear(4, 2)
opt = torch.optim.Adam(m.parameters())
m(torch.randn(3, 4)).sum().backward()
opt.step()
print("step done")
"""


def _condition_or_skip() -> None:
    """The crash needs libLLVM (Mesa's, installed with QGIS) and triton (torch's Linux
    wheel). Where either is missing there is nothing to protect against; in CI they are
    installed by tools/setup.sh, so a missing one is a set-up failure, not a skip."""
    missing = []
    try:
        ctypes.CDLL(LLVM)
    except OSError:
        missing.append(LLVM)
    if importlib.util.find_spec("triton") is None:
        missing.append("triton")
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} not installed: tools/setup.sh should bring them")
        pytest.skip(f"{', '.join(missing)} not installed: the crash condition cannot occur")


def _run(code: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONFAULTHANDLER="1")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_control_triton_crashes_once_llvm_is_loaded():
    """Without the guard the condition is real: the process dies by SIGSEGV in the step."""
    _condition_or_skip()
    proc = _run(LOAD_LLVM + OPTIMIZER_STEP)
    assert proc.returncode == -signal.SIGSEGV, (proc.returncode, proc.stderr[-2000:])
    assert "step done" not in proc.stdout
    assert "triton" in proc.stderr          # the fault handler's stack names the culprit


def test_guard_keeps_triton_out_and_torch_works():
    _condition_or_skip()
    proc = _run(LOAD_LLVM + """
import importlib.util, sys
from botaclip.plugin.native_guard import protect, conflicts
done = protect()
assert [c.action for c in done] == ["kept_out"], done
assert importlib.util.find_spec("triton") is None
try:
    import triton
except ImportError:
    pass
else:
    raise SystemExit("triton imported")
""" + OPTIMIZER_STEP + """
import torch._dynamo
print("dynamo imported;", conflicts()[0].sentence())
""")
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    assert "step done" in proc.stdout and "dynamo imported" in proc.stdout
    assert "torch works without it" in proc.stdout


def test_guard_reports_a_module_already_loaded():
    from botaclip.plugin.native_guard import protect

    done = protect({"json": "stands in for a module another plugin loaded first"})
    assert [(c.module, c.action) for c in done] == [("json", "already_loaded")]
    assert "another plugin" in done[0].sentence()
    assert protect({"no_such_module_xyz": "not installed"}) == []


@pytest.mark.slow
@pytest.mark.qgis
def test_plugin_entry_point_survives_training_and_embedding(small_scene, tmp_path):
    """The plugin's own path in a process where libLLVM is loaded first: QGIS application,
    ``classFactory`` (as QGIS calls it), then a training run (heads trained with torch's
    optimizer: where QGIS died at 70 %) and an embedding run with the trained model."""
    _condition_or_skip()
    ortho, releves = small_scene
    proc = _run(LOAD_LLVM + f"""
import sys
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
import botaclip
plugin = botaclip.classFactory(None)
assert sys.modules["triton"] is None
from botaclip.backend.train import train_model
from botaclip.backend.embed import embed_raster
s = train_model({str(ortho)!r}, {str(releves)!r}, {str(tmp_path / 'model')!r},
                backbone="spectral", epochs=3, seed=0, device="cpu", cache_dir=False)
print("trained", s.out)
r = embed_raster({str(ortho)!r}, {str(tmp_path / 'emb.tif')!r}, model=s.out, device="cpu",
                 extent=(900000.0, 6500000.0, 900400.0, 6500400.0))
print("embedded", r.out)
""")
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    assert "trained" in proc.stdout and "embedded" in proc.stdout
    assert (tmp_path / "model" / "config.json").exists() and (tmp_path / "emb.tif").exists()
