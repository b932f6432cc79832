"""The dependency installer (plugin/install/): constraints, torch choice, proxy, manifest,
staging, and the real thing end to end.

The end-to-end tests build a real wheelhouse here (torch's CPU wheel from pip's find-links,
the rest from the index: once per session), install from it with the package index and
every pip setting of this machine disabled into an empty folder, then run QGIS's own Python
(/usr/bin/python3.11, not the venv) with only that folder added to its path: torch,
safetensors, scikit-learn and psutil import and the backend writes a tiny DOFA embedding. A
real pip install is cancelled midway and the folder is byte-for-byte as it was; the dialog,
offscreen, installs from the wheelhouse's zip in a real QgsTask and says what now works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.progress import Progress
from botaclip.plugin.install import (
    constraints,
    manifest,
    network,
    packages,
    pip_job,
    site_dir,
    staging,
    torch_choice,
    wheelhouse,
)
from botaclip.plugin.install.torch_choice import GpuInfo

QGIS_PYTHON = "/usr/bin/python3.11"      # Debian's: the Python QGIS 3.22 embeds here
REPO = Path(__file__).resolve().parents[1]
MEASURED: dict = {}


def needs_qgis_python():
    if not Path(QGIS_PYTHON).exists():
        pytest.skip(f"{QGIS_PYTHON} (QGIS's Python) is not on this machine")


# ----------------------------------------------------------------------------- constraints

def test_constraints_pin_what_qgis_ships_and_nothing_else():
    found = {"numpy": "1.24.2", "GDAL": "3.6.2", "scipy": "1.10.1", "Pillow": "9.4.0",
             "PyQt5": "5.15.9", "kiwisolver": "0.0.0", "lz4": "4.0.2+dfsg",
             "typing_extensions": "4.4.0", "sympy": "1.11.1", "torch": "2.1.0",
             "matplotlib": "not-a-version", "Jinja2": "3.1.2"}
    lines = constraints.constraint_lines(found, exclude=["SciPy"])
    # shipped, versioned: pinned; asked for (scipy): free; pure-Python helpers torch needs
    # newer (typing_extensions, sympy) and unknown packages: free; 0.0.0 and junk: no pin
    assert lines == ["GDAL==3.6.2", "Jinja2==3.1.2", "numpy==1.24.2", "Pillow==9.4.0",
                     "PyQt5==5.15.9"]
    text = constraints.constraints_text(lines)
    assert text.startswith("#") and "numpy==1.24.2\n" in text


def test_constraints_probe_qgis_python():
    needs_qgis_python()
    found = constraints.probe(QGIS_PYTHON)
    lines = constraints.constraint_lines(found)
    numpy = subprocess.run([QGIS_PYTHON, "-c", "import numpy; print(numpy.__version__)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert f"numpy=={numpy}" in lines                       # QGIS's numpy stays
    assert any(line.startswith("GDAL==") for line in lines)
    assert not any(line.lower().startswith(("torch", "setuptools", "pip==")) for line in lines)


# ----------------------------------------------------------------------------- torch choice

@pytest.mark.parametrize("gpu, platform, machine, key, why", [
    (GpuInfo(), "linux", "x86_64", "cpu", "no_gpu"),
    (GpuInfo("NVIDIA GeForce RTX 3060", "550.54.15", (12, 4), 8.6), "linux", "x86_64",
     "cu128", "cuda"),                                    # 12.8 build on a 12.4 driver
    (GpuInfo("NVIDIA GeForce GTX 1080", "535.104.05", (12, 2), 6.1), "win32", "AMD64",
     "cu126", "cuda"),                                    # Pascal: not in 12.8 builds
    (GpuInfo("NVIDIA GeForce RTX 5090", "580.65.06", (13, 0), 12.0), "linux", "x86_64",
     "cu130", "cuda"),
    (GpuInfo("NVIDIA H200", "570.86.15", None, 9.0), "linux", "x86_64", "cu128", "cuda"),
    (GpuInfo("Tesla K80", "470.82.01", (11, 4), 3.7), "linux", "x86_64", "cpu", "old_gpu"),
    (GpuInfo("Quadro K2200", "418.87", (10, 1), 5.0), "linux", "x86_64", "cpu", "old_cuda"),
    (GpuInfo("GeForce GT 710", "390.1", None, None), "linux", "x86_64", "cpu", "old_driver"),
    (GpuInfo("Jetson", "540.3", (12, 2), 8.7), "linux", "aarch64", "cpu", "no_cuda_build"),
    (GpuInfo(), "darwin", "arm64", "mps", "mps"),
    (GpuInfo(), "darwin", "x86_64", "cpu", "intel_mac"),
])
def test_torch_choice(gpu, platform, machine, key, why):
    choice = torch_choice.choose(gpu, platform, machine)
    assert (choice.variant.key, choice.why) == (key, why)
    assert choice.reason and "{" not in choice.reason           # every template filled
    assert choice.variant in torch_choice.variants(platform, machine)   # offered in the combo
    if key.startswith("cu"):
        assert choice.variant.index_url.endswith("/whl/" + key)
        assert gpu.name in choice.reason
    if key == "cpu" and platform != "darwin":
        assert choice.variant.index_url == "https://download.pytorch.org/whl/cpu"


def test_nvidia_smi_output_is_read():
    query = "NVIDIA GeForce RTX 3060, 550.54.15, 12288, 8.6\nNVIDIA T4, 550.54.15, 15360, 7.5\n"
    info = torch_choice.parse_query(query)
    assert (info.name, info.driver, info.memory_mb, info.capability) == (
        "NVIDIA GeForce RTX 3060", "550.54.15", 12288, 8.6)
    assert torch_choice.parse_query("NVIDIA T4, 418.87.01, 15360, [N/A]").capability is None
    banner = "| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |"
    assert torch_choice.parse_cuda_version(banner) == (12, 4)
    assert torch_choice.driver_cuda("535.104.05") == (12, 0)
    assert torch_choice.driver_cuda("418.87") is None


def test_detect_asks_nvidia_smi_in_a_real_subprocess(tmp_path):
    """A stand-in nvidia-smi script (a real executable run by detect) prints what the
    driver would; no nvidia-smi at all gives no GPU."""
    assert not torch_choice.detect(smi=None, run=subprocess.run).found or \
        torch_choice.find_nvidia_smi()
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\nif [ -n \"$1\" ]; then echo 'NVIDIA T4, 550.54.15, 15360, 7.5';"
                   " else echo '| Driver Version: 550.54.15   CUDA Version: 12.4 |'; fi\n")
    smi.chmod(0o755)
    info = torch_choice.detect(smi=str(smi))
    assert (info.name, info.cuda, info.capability) == ("NVIDIA T4", (12, 4), 7.5)
    assert torch_choice.choose(info, "linux", "x86_64").variant.key == "cu128"


# ----------------------------------------------------------------------------- proxy

def test_qgis_proxy_settings_become_pip_options():
    off = network.pip_options(network.ProxySettings(enabled=False, kind="HttpProxy",
                                                    host="proxy", port=3128))
    assert (off.args, off.env) == ([], {})
    plain = network.pip_options(network.ProxySettings(True, "HttpProxy", "proxy.lan", 3128),
                                cert_file="/p/ca.pem")
    assert plain.args == ["--proxy", "http://proxy.lan:3128", "--cert", "/p/ca.pem"]
    secret = network.ProxySettings(True, "HttpCachingProxy", "proxy.lan", 8080,
                                   user="ana@inrae", password="p:ss/w@rd")
    net = network.pip_options(secret)
    assert net.args == []                                  # no password on a command line
    assert net.env == {"PIP_PROXY": "http://ana%40inrae:p%3Ass%2Fw%40rd@proxy.lan:8080"}
    assert net.shown == ["--proxy", "http://ana%40inrae:***@proxy.lan:8080"]
    system = network.ProxySettings(True, "DefaultProxy", system=("HttpProxy", "sys.lan", 80))
    assert network.pip_options(system).args == ["--proxy", "http://sys.lan:80"]
    assert network.pip_options(network.ProxySettings(True, "DefaultProxy")).args == []
    excluded = network.ProxySettings(True, "HttpProxy", "proxy.lan", 3128,
                                     excluded=("https://pypi.org",))
    assert network.pip_options(excluded).args == []
    socks = network.pip_options(network.ProxySettings(True, "Socks5Proxy", "s.lan", 1080))
    assert socks.args == ["--proxy", "socks5://s.lan:1080"] and socks.warnings
    ftp = network.pip_options(network.ProxySettings(True, "FtpCachingProxy", "f.lan", 21))
    assert ftp.args == []
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    assert network.ca_bundle([pem, pem, "", "junk"]) == pem + "\n"


# ----------------------------------------------------------------------------- manifest

def _fake_wheel(folder: Path, name: str, version: str, requires=()) -> Path:
    """A small but real wheel (a zip with METADATA)."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
            f"Requires-Dist: {r}\n" for r in requires)
        zf.writestr(f"{name}-{version}.dist-info/METADATA", meta)
        zf.writestr(f"{name}/__init__.py", f"__version__ = '{version}'\n" + "#" * 5000)
    return path


@pytest.fixture
def small_house(tmp_path):
    folder = tmp_path / "house"
    folder.mkdir()
    _fake_wheel(folder, "alpha", "1.0", ["beta>=1", "gamma; extra == 'test'"])
    _fake_wheel(folder, "beta", "2.0")
    _fake_wheel(folder, "gamma", "3.0")
    info = {"platform": "linux-x86_64", "python": "3.11", "tag": "cp311"}
    data = wheelhouse.write_manifest(folder, info, ["alpha>=1", "gamma"], ["numpy==1.24.2"],
                                     "none")
    return folder, data


def test_manifest_lists_every_file_and_what_it_serves(small_house):
    folder, data = small_house
    files = {f["distribution"]: f for f in data["files"]}
    assert set(files) == {"alpha", "beta", "gamma"}
    assert files["beta"]["serves"] == ["alpha>=1"]          # a dependency of alpha
    assert files["gamma"]["serves"] == ["gamma"]            # the extra's requirement not
    assert files["alpha"]["sha256"] == manifest.sha256_file(folder / files["alpha"]["name"])
    assert manifest.verify(folder)["files"] == data["files"]
    assert manifest.verify(folder / "manifest.json")["python"] == "3.11"
    zipped = wheelhouse.write_zip(folder, folder.parent / "house.zip")
    assert manifest.verify(zipped)["files"] == data["files"]
    assert manifest.compatibility(data, "3.11", "linux-x86_64") == ""
    assert "Python 3.11" in manifest.compatibility(data, "3.12", "linux-x86_64")
    assert "win-amd64" in manifest.compatibility(data, "3.11", "win-amd64")


def test_manifest_refuses_a_tampered_missing_or_extra_file(small_house, tmp_path):
    folder, data = small_house
    beta = folder / next(f["name"] for f in data["files"] if f["distribution"] == "beta")
    raw = bytearray(beta.read_bytes())
    raw[-30] ^= 0xFF                                        # same size, another byte
    beta.write_bytes(bytes(raw))
    with pytest.raises(manifest.WheelhouseError, match=r"beta-2\.0-py3-none-any\.whl was "
                                                       r"changed \(its sha256"):
        manifest.verify(folder)
    beta.write_bytes(bytes(raw[:-100]))
    with pytest.raises(manifest.WheelhouseError, match="bytes instead of"):
        manifest.verify(folder)
    beta.unlink()
    _fake_wheel(folder, "evil", "9.9")
    with pytest.raises(manifest.WheelhouseError) as err:
        manifest.verify(folder)
    assert "beta-2.0-py3-none-any.whl is missing" in str(err.value)
    assert "evil-9.9-py3-none-any.whl is not in the manifest" in str(err.value)
    (folder / "manifest.json").unlink()
    with pytest.raises(manifest.WheelhouseError, match="no manifest.json"):
        manifest.verify(folder)


def test_a_zip_with_an_extra_wheel_is_refused_before_extraction(small_house, tmp_path):
    folder, _data = small_house
    zipped = wheelhouse.write_zip(folder, tmp_path / "w.zip")
    with zipfile.ZipFile(zipped, "a") as zf:
        zf.writestr("../escape.whl", b"x")
    with pytest.raises(manifest.WheelhouseError, match="not in the manifest"):
        manifest.open_verified(zipped, tmp_path / "work")
    assert not (tmp_path / "escape.whl").exists()


# ----------------------------------------------------------------------------- staging

def _tree(folder: Path) -> dict:
    """{relative path: (size, mtime_ns, content hash)} of every file under ``folder``."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns,
                                               manifest.sha256_file(p))
    return out


def _installed_dist(folder: Path, name: str, version: str, files: dict) -> None:
    meta = folder / f"{name}-{version}.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    record = [f"{meta.name}/METADATA,,", f"{meta.name}/RECORD,,"]
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
        record.append(f"{rel},,")
    (meta / "RECORD").write_text("\n".join(record) + "\n")


def test_staging_clone_merge_and_swap_leave_the_original_alone(tmp_path):
    target = tmp_path / "py3.11"
    _installed_dist(target, "old_pkg", "1.0", {"old_pkg/__init__.py": "v1",
                                              "nvidia/cublas/lib.so": "cublas"})
    _installed_dist(target, "keep", "1.0", {"keep.py": "kept"})
    before = _tree(target)
    stage = tmp_path / "stage"
    assert staging.clone(target, stage) == len(before)
    assert _tree(stage).keys() == before.keys()
    assert staging.remove_distributions(stage, ["Old-Pkg"]) == ["old_pkg==1.0"]
    new = tmp_path / "new"
    _installed_dist(new, "old_pkg", "2.0", {"old_pkg/__init__.py": "v2",
                                           "nvidia/cudnn/lib.so": "cudnn"})
    staging.merge(new, stage)
    assert _tree(target) == before                          # hard links, never written
    assert (stage / "old_pkg/__init__.py").read_text() == "v2"
    assert (stage / "nvidia/cudnn/lib.so").exists()         # the namespace folder merged
    assert not (stage / "old_pkg-1.0.dist-info").exists()
    assert (stage / "keep.py").read_text() == "kept"
    assert staging.swap_in(stage, target) == "done"
    assert (target / "old_pkg/__init__.py").read_text() == "v2"
    assert not stage.exists()


def test_pending_install_and_crash_leftovers_are_finished_at_start(tmp_path):
    target = tmp_path / "py3.11"
    target.mkdir()
    (target / "a.py").write_text("old")
    pending = staging.pending_path(target)
    pending.mkdir()
    (pending / "a.py").write_text("new")
    assert site_dir.activate(target) is True               # finishes the pending swap first
    try:
        assert (target / "a.py").read_text() == "new" and not pending.exists()
        assert site_dir.is_active(target) and sys.path[0] == str(target)
        assert site_dir.activate(target) and sys.path.count(str(target)) == 1   # once
    finally:
        site_dir.deactivate(target)
    assert not site_dir.is_active(target)
    # a crash between the two renames of a swap: the folder is put back
    old = staging.new_sibling(target, staging.OLD_TAG)
    os.replace(target, old)
    assert staging.finish_pending(target) == "restored"
    assert (target / "a.py").read_text() == "new"
    assert staging.finish_pending(tmp_path / "nowhere" / "py3.11") is None
    assert site_dir.activate(tmp_path / "absent") is False


def test_folder_is_per_profile_and_python_version(tmp_path):
    folder = site_dir.folder_for(tmp_path / "profiles" / "default", (3, 12))
    assert folder == tmp_path / "profiles/default/python/botaclip-packages/py3.12"


# ----------------------------------------------------------------------------- what to install

def test_what_is_installed_follows_the_dependency_check():
    from importlib.util import find_spec

    from botaclip.plugin import deps

    hidden = {"torch", "sklearn", "timm", "psutil", "osgeo"}
    report = deps.check_dependencies(finder=lambda n: None if n in hidden else find_spec(n))
    wanted = packages.to_install(report)
    specs = [w.spec for w in wanted]
    assert specs == ["torch>=2.1", "scikit-learn>=1.0", "psutil>=5.8"]   # no GDAL, no timm
    assert [w.spec for w in packages.torch_family(wanted)] == ["torch>=2.1"]
    with_timm = packages.to_install(report, optional=["timm"])
    assert "timm>=0.9" in [w.spec for w in with_timm]
    assert [w.distribution for w in packages.torch_family(with_timm)] == ["torch",
                                                                          "torchvision"]
    runtime = [w.distribution for w in packages.runtime()]
    assert runtime == ["torch", "safetensors", "scikit-learn", "psutil"]   # no Dask unasked
    assert [w.spec for w in packages.runtime(optional=["distributed"])][-1] == \
        "distributed>=2025.5"
    # psutil alone missing is installed too: the embedding cannot size its batches without it
    alone = deps.check_dependencies(finder=lambda n: None if n == "psutil" else find_spec(n))
    assert [w.spec for w in packages.to_install(alone)] == ["psutil>=5.8"]
    assert packages.to_install(deps.check_dependencies(finder=find_spec)) == []


def test_offline_pip_environment_cannot_reach_an_index():
    base = {"PATH": "/usr/bin", "PIP_FIND_LINKS": "/opt/wheels", "PIP_INDEX_URL": "http://x",
            "PIP_REQUIRE_VIRTUALENV": "1", "PYTHONPATH": "/qgis/python"}
    env = pip_job.pip_env(base, offline=True, path_first=["/stage"])
    assert env["PIP_CONFIG_FILE"] == os.devnull and env["PIP_NO_INDEX"] == "1"
    assert "PIP_FIND_LINKS" not in env and "PIP_INDEX_URL" not in env
    assert env["PYTHONPATH"] == os.pathsep.join(["/stage", "/qgis/python"])
    online = pip_job.pip_env(base, offline=False)
    assert online["PIP_INDEX_URL"] == "http://x" and "PIP_REQUIRE_VIRTUALENV" not in online


# ----------------------------------------------------------------------------- pip process

# A stand-in for pip that starts a child the way pip starts a build backend (sharing its output)
# that appends to a file until it is killed. "wait": pip runs on and the child ignores SIGTERM
# (as a badly written one may); "exit": pip ends at once and leaves the child running.
WRITER = r"""
import os, subprocess, sys, time
child = r'''
import os, signal, sys, time
if sys.argv[2] == "wait":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
with open(sys.argv[1], "a") as fh:
    fh.write(str(os.getpid()) + "\n"); fh.flush()
    while True:
        fh.write("x" * 1000); fh.flush(); time.sleep(0.01)
'''
subprocess.Popen([sys.executable, "-c", child, *sys.argv[1:]])
deadline = time.monotonic() + 30
while os.path.getsize(sys.argv[1]) == 0:
    if time.monotonic() > deadline:
        sys.exit("the child never wrote")
    time.sleep(0.01)
print("writing", flush=True)
if sys.argv[2] == "wait":
    time.sleep(60)
"""


def _stopped(path: Path) -> None:
    """Checks that the writer is dead: its file no longer grows, and the process is gone (or
    a zombie waiting for init to reap it)."""
    import psutil

    pid = int(path.read_text().split("\n", 1)[0])
    size = path.stat().st_size
    time.sleep(0.3)
    assert path.stat().st_size == size            # nothing writes into it any more
    try:
        assert psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="process groups: POSIX")
def test_cancel_waits_for_every_process_pip_started(tmp_path):
    from botaclip.plugin.install import pip_process

    out = tmp_path / "written.txt"
    out.touch()
    seen: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        pip_process.run([sys.executable, "-c", WRITER, out, "wait"], on_line=seen.append,
                        is_cancelled=lambda: "writing" in seen, poll=0.05)
    took = time.monotonic() - t0
    _stopped(out)
    # the child ignored SIGTERM: killed once the grace period (3 s) was over, not left behind
    assert 3.0 <= took < 30, took


@pytest.mark.skipif(sys.platform == "win32", reason="process groups: POSIX")
def test_nothing_a_finished_pip_left_running_outlives_it(tmp_path):
    from botaclip.plugin.install import pip_process

    out = tmp_path / "written.txt"
    out.touch()
    rc, tail = pip_process.run([sys.executable, "-c", WRITER, out, "exit"])
    assert rc == 0 and tail == ["writing"]
    _stopped(out)


# ----------------------------------------------------------------------------- end to end

class Lines(Progress):
    """Keeps every message; cancels once ``stop_at`` was seen and ``delay`` s passed."""

    def __init__(self, stop_at: str | None = None, delay: float = 0.0):
        self.lines: list[str] = []
        self.stop_at, self.delay, self._seen = stop_at, delay, None

    def _emit(self, fraction, message):
        if message:
            self.lines.append(message)
            if self.stop_at and self._seen is None and message.startswith(self.stop_at):
                self._seen = time.monotonic()

    def is_cancelled(self):
        return self._seen is not None and time.monotonic() - self._seen >= self.delay


def offline_base_env() -> dict:
    """This machine's environment with pip pointed at places that would serve torch
    (/opt/wheels) or fail loudly (an unreachable index): the install must ignore both."""
    env = dict(os.environ)
    env.update({"PIP_FIND_LINKS": "/opt/wheels", "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
                "PIP_EXTRA_INDEX_URL": "http://127.0.0.1:9/more"})
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="session")
def built_wheelhouse(tmp_path_factory):
    needs_qgis_python()
    out = tmp_path_factory.mktemp("wheelhouse")
    t0 = time.monotonic()
    data = wheelhouse.build(out / "wheelhouse", python=QGIS_PYTHON, zip_dir=out)
    MEASURED["build_s"] = time.monotonic() - t0
    MEASURED["size"] = sum(f["size"] for f in data["files"])
    MEASURED["zip"] = Path(data["zip"]).stat().st_size
    return out / "wheelhouse", Path(data["zip"]), data


def _request(target, wheelhouse_path, requirements, imports):
    return pip_job.InstallRequest(target=target, requirements=requirements,
                                  python=QGIS_PYTHON, imports=imports,
                                  wheelhouse=wheelhouse_path, base_env=offline_base_env())


@pytest.mark.slow
def test_wheelhouse_holds_a_cpu_torch_and_no_cuda(built_wheelhouse):
    folder, zipped, data = built_wheelhouse
    names = {f["distribution"]: f for f in data["files"]}
    assert "+cpu" in names["torch"]["version"] and data["torch"] == names["torch"]["version"]
    assert not any(n.startswith("nvidia") or n == "triton" for n in names)
    assert {"safetensors", "scikit-learn", "psutil", "pip"} <= set(names)
    assert names["numpy"]["shipped_by_qgis"] and names["numpy"]["serves"] == \
        ["scikit-learn>=1.0"]
    assert data["python"] == "3.11" and data["platform"] == "linux-x86_64"
    assert zipped.name == "botaclip-wheelhouse-linux-x86_64-cp311.zip"
    assert manifest.verify(zipped)["files"] == data["files"]
    # far below the 5 GB of the index's CUDA torch: the CPU wheel and small packages
    assert MEASURED["size"] < 400e6, MEASURED


TINY_EMBED = r"""
import json, sys, warnings
import numpy as np
from osgeo import gdal, osr
import torch, safetensors, sklearn, psutil
from botaclip.backend.embed import embed_raster
ortho, out = sys.argv[1], sys.argv[2]
gdal.UseExceptions()
ds = gdal.GetDriverByName("GTiff").Create(ortho, 64, 64, 4, gdal.GDT_Byte)
ds.SetGeoTransform((900000.0, 0.5, 0.0, 6500032.0, 0.0, -0.5))
srs = osr.SpatialReference(); srs.ImportFromEPSG(2154); ds.SetProjection(srs.ExportToWkt())
rng = np.random.default_rng(0)
for b, name in enumerate(("red", "green", "blue", "nir")):
    ds.GetRasterBand(b + 1).WriteArray(rng.integers(0, 255, (64, 64), dtype=np.uint8))
    ds.GetRasterBand(b + 1).SetDescription(name)
ds = None
tiny = {"img_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 1, "num_heads": 2,
        "dynamic_embed_dim": 32}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    embed_raster(ortho, out, backbone="dofa", weights="none", backbone_config=tiny,
                 patch_m=8.0, stride_m=4.0, precision="float32", block_px=16,
                 cache_dir=sys.argv[3])   # batch size from psutil's free memory
r = gdal.Open(out)
a = r.ReadAsArray().astype("float64")
ok = np.isfinite(a).all(axis=0)          # pixels whose patch lay in the raster
print(json.dumps({"torch": torch.__file__, "sklearn": sklearn.__file__,
                  "safetensors": safetensors.__file__, "psutil": psutil.__file__,
                  "numpy": np.__file__, "bands": r.RasterCount,
                  "size": [r.RasterXSize, r.RasterYSize],
                  "valid": float(ok.mean()), "spread": float(a[:, ok].std())}))
"""


@pytest.mark.slow
def test_offline_install_into_an_empty_folder_then_embed_in_qgis_python(built_wheelhouse,
                                                                         tmp_path):
    folder, _zipped, _data = built_wheelhouse
    target = tmp_path / "profile" / "python" / "botaclip-packages" / "py3.11"
    specs = [w.spec for w in packages.runtime()]
    lines = Lines()
    t0 = time.monotonic()
    result = pip_job.install(_request(target, folder, specs, ["torch", "safetensors",
                                                             "sklearn", "psutil"]), lines)
    MEASURED["install_s"] = time.monotonic() - t0
    assert result.state == "done" and result.replaced == []
    installed = {n.split("==")[0].lower().replace("_", "-") for n in result.installed}
    assert {"torch", "safetensors", "scikit-learn", "psutil"} <= installed
    assert not installed & {"numpy", "scipy", "jinja2", "markupsafe"}   # QGIS ships them
    processed = [ln for ln in lines.lines if ln.startswith("Processing ")]
    assert processed and all("/wheels/" in ln or str(folder) in ln for ln in processed)
    assert not any("127.0.0.1" in ln or "/opt/wheels" in ln for ln in lines.lines)
    assert [p.name for p in target.parent.iterdir()] == ["py3.11"]   # no staging left
    MEASURED["installed_bytes"] = sum(p.stat().st_size for p in target.rglob("*")
                                      if p.is_file())

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    source = tmp_path / "plugins"              # the plugin as QGIS sees it: botaclip/ only
    source.mkdir()
    (source / "botaclip").symlink_to(REPO, target_is_directory=True)
    code = f"import sys; sys.path[:0] = [{str(target)!r}, {str(source)!r}]\n" + TINY_EMBED
    t0 = time.monotonic()
    proc = subprocess.run([QGIS_PYTHON, "-s", "-c", code, str(tmp_path / "ortho.tif"),
                           str(tmp_path / "emb.tif"), str(tmp_path / "state")],
                          capture_output=True, text=True, env=env, timeout=600)
    MEASURED["embed_s"] = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    for name in ("torch", "sklearn", "safetensors", "psutil"):
        assert out[name].startswith(str(target)), out        # from the private folder
    assert out["numpy"].startswith("/usr/lib/python3/dist-packages")   # QGIS's own numpy
    assert out["bands"] == 32 and out["size"][0] > 0
    # patches reaching past the 32 m raster's edge are nodata; the inner ones are features
    assert out["valid"] > 0 and out["spread"] > 0, out
    assert (tmp_path / "emb.tif").exists()
    print("\nMEASURED", json.dumps(MEASURED))


def _children() -> set:
    """This process's live children (pid, start time). Processes other tests leave running
    for the whole session (a resource tracker, a pool's workers) are in it before and after."""
    import psutil

    out = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                out.add((child.pid, child.create_time()))
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.slow
def test_cancelled_install_leaves_the_folder_exactly_as_it_was(built_wheelhouse, tmp_path):
    folder, _zipped, _data = built_wheelhouse
    target = tmp_path / "py3.11"
    first = pip_job.install(_request(target, folder, ["psutil>=5.8"], ["psutil"]))
    assert first.state == "done"
    before = _tree(target)
    children = _children()
    # cancel while pip unpacks torch into its folder (a second after it started to)
    lines = Lines(stop_at="Installing collected packages", delay=1.0)
    request = _request(target, folder, ["torch>=2.1", "safetensors>=0.3"], ["torch"])
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        pip_job.install(request, lines)
    MEASURED["cancel_s"] = time.monotonic() - t0
    assert any(ln.startswith("Installing collected packages") for ln in lines.lines)
    assert _tree(target) == before                      # every byte, size and time
    assert sorted(p.name for p in target.parent.iterdir()) == ["py3.11"]
    assert _children() <= children          # pip and its children stopped, not orphaned
    # a second install is not blocked by the cancelled one (its lock was released)
    again = pip_job.install(_request(target, folder, ["psutil>=5.8"], ["psutil"]))
    assert again.state == "nothing"


@pytest.mark.slow
def test_a_failed_import_check_changes_nothing(built_wheelhouse, tmp_path):
    folder, _zipped, _data = built_wheelhouse
    target = tmp_path / "py3.11"
    with pytest.raises(BotaclipError, match="cannot import them: ModuleNotFoundError") as err:
        pip_job.install(_request(target, folder, ["psutil>=5.8"], ["psutil", "no_such_mod"]))
    assert "Nothing was changed" in str(err.value)
    assert not target.exists() and list(target.parent.iterdir()) == []


@pytest.mark.slow
@pytest.mark.qgis
def test_dialog_installs_from_the_wheelhouse_zip_in_a_task(built_wheelhouse, tmp_path,
                                                           qgis_iface, qtbot, monkeypatch):
    from importlib.util import find_spec

    from qgis.gui import QgsFileWidget

    from botaclip.plugin import deps
    from botaclip.plugin.dialogs.deps_dialog import InstallerDialog

    _folder, zipped, _data = built_wheelhouse
    monkeypatch.setattr(sys, "path", list(sys.path))      # the dialog activates the folder
    hidden = {"sklearn", "safetensors"}
    report = deps.check_dependencies(finder=lambda n: None if n in hidden else find_spec(n))
    target = tmp_path / "profile" / "python" / "botaclip-packages" / "py3.11"
    dlg = InstallerDialog(qgis_iface, report=report, folder=target, python=QGIS_PYTHON,
                          gpu=GpuInfo(), action_names={"predict": "Predict map"})
    qtbot.addWidget(dlg)
    dlg.show()
    assert "scikit-learn" in dlg.missing_label.text() and "safetensors" in \
        dlg.missing_label.text()
    assert dlg.torch_combo.currentData().key == "cpu"
    assert "No NVIDIA GPU" in dlg.torch_reason.text()
    for widget in dlg.findChildren((QgsFileWidget,)) + [dlg.torch_combo, dlg.online,
                                                        dlg.offline, dlg.timm]:
        assert len(widget.toolTip()) >= 25, widget
    dlg.offline.setChecked(True)
    assert not dlg.ok_button.isEnabled() and "Choose a wheelhouse" in \
        dlg.validation_label.text()
    dlg.wheelhouse.setFilePath(str(zipped))
    assert dlg.ok_button.isEnabled(), dlg.validation_label.text()
    assert "torch 2.13.0+cpu" in dlg.torch_reason.text() or "+cpu" in dlg.torch_reason.text()
    dlg.base_env = offline_base_env()
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: dlg.task.status in ("success", "error", "cancelled"),
                    timeout=300_000)
    assert dlg.task.status == "success", dlg.task.error_message
    text = dlg.bar.currentItem().text()
    assert text.startswith("Installed") and str(target) in text
    assert "Now available:" in text and "Predict map" in text     # scikit-learn's action
    log = dlg.log.toPlainText()
    assert "Successfully installed" in log and "scikit-learn" in log
    assert (target / "sklearn").is_dir() and (target / "safetensors").is_dir()
    assert not (target / "numpy").exists()
    assert sys.path[0] == str(target)                      # active without a restart
    assert not dlg.ok_button.isEnabled()                   # nothing left to install


@pytest.mark.qgis
def test_load_time_message_offers_install_and_classfactory_activates_the_folder(
        qgis_iface, qtbot, monkeypatch):
    import importlib.util

    from qgis.core import QgsApplication
    from qgis.PyQt.QtWidgets import QPushButton

    import botaclip
    from botaclip.plugin import deps
    from botaclip.plugin.dialogs.deps_dialog import InstallerDialog

    monkeypatch.setattr(sys, "path", list(sys.path))
    folder = site_dir.folder_for(QgsApplication.qgisSettingsDirPath())
    folder.mkdir(parents=True, exist_ok=True)               # as an earlier install left it
    monkeypatch.setattr(deps, "find_spec", lambda n: None if n == "sklearn"
                        else importlib.util.find_spec(n))
    qgis_iface.messageBar().clearWidgets()
    plugin = botaclip.classFactory(qgis_iface)
    try:
        assert sys.path[0] == str(folder)                     # before anything imports torch
        plugin.initGui()
        items = qgis_iface.messageBar().items()
        assert len(items) == 1 and "scikit-learn" in items[0].text()
        install = items[0].findChildren(QPushButton, "botaclip_deps_install")
        assert len(install) == 1 and install[0].text() == "Install…"
        install[0].click()
        dlg = plugin.dialogs["deps"]
        assert isinstance(dlg, InstallerDialog) and dlg.isVisible()
        assert dlg.folder == folder and not dlg.text.isVisible()
        assert "scikit-learn" in dlg.missing_label.text()
        assert dlg.ok_button.isEnabled() and dlg.ok_button.text() == "Install"
        plugin.show_dependency_details()                      # Details…: the commands shown
        assert plugin.dialogs["deps"].text.isVisible()
        assert "pip install" in plugin.dialogs["deps"].text.toPlainText()
    finally:
        plugin.unload()
        folder.rmdir()


def _simple_index(root: Path, wheels) -> str:
    """A PEP 503 index (``root/<name>/index.html``) serving ``wheels``; its file:// URL."""
    for wheel in wheels:
        name = manifest.wheel_name(wheel.name)[0].replace(".", "-")
        page = root / name / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        old = page.read_text() if page.exists() else ""
        page.write_text(old + f'<a href="{wheel.resolve().as_uri()}#sha256='
                        f'{manifest.sha256_file(wheel)}">{wheel.name}</a>\n')
    return root.resolve().as_uri() + "/"


@pytest.mark.slow
def test_online_torch_comes_from_the_chosen_builds_index(built_wheelhouse, tmp_path):
    """Online, PyPI's newer torch (a stand-in 99.0 here) must not win over the chosen
    build's index: the plan takes torch from that index and the rest from PyPI, each file
    with its hash. Two local indexes stand in for PyPI and download.pytorch.org."""
    folder, _zipped, data = built_wheelhouse
    wheels = sorted(folder.glob("*.whl"))
    fake = _fake_wheel(tmp_path, "torch", "99.0")
    pypi = _simple_index(tmp_path / "pypi", [w for w in wheels if not w.name.startswith(
        "torch-")] + [fake])
    torch_index = _simple_index(tmp_path / "cpu", [w for w in wheels
                                                   if w.name.startswith("torch-")])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update({"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": pypi})
    target = tmp_path / "py3.11"
    request = pip_job.InstallRequest(target=target, requirements=["torch>=2.1",
                                                                  "scikit-learn>=1.0"],
                                     python=QGIS_PYTHON, torch=["torch>=2.1"],
                                     torch_index=torch_index, base_env=env)
    work, stage = tmp_path / "work", tmp_path / "work" / "stage"
    stage.mkdir(parents=True)
    staged = pip_job.pip_env(env, offline=False, path_first=[stage])
    plan = {n: (v, u) for n, v, u in pip_job.plan_urls(
        pip_job.resolve(request, work, stage, staged, Lines()))}
    assert plan["torch"][0] == data["torch"]                   # the build's, not 99.0
    assert plan["scikit-learn"][0] == next(f["version"] for f in data["files"]
                                           if f["distribution"] == "scikit-learn")
    assert all("#sha256=" in url for _v, url in plan.values())
    assert "numpy" not in plan                                   # QGIS's numpy kept
    assert "torch==" in (work / "constraints.txt").read_text()
    assert not target.exists()                                   # resolving writes nothing
