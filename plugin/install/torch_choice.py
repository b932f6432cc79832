"""Which torch build to install: CPU, a CUDA build the NVIDIA driver can run, or MPS.

torch comes in builds per accelerator. A CUDA build needs an NVIDIA GPU and a driver of at
least its CUDA major version (``nvidia-smi`` prints the newest CUDA the driver runs as
"CUDA Version: 12.4"; CUDA's minor version compatibility runs a 12.8 build on any 12.x
driver), and a GPU recent enough for the build; without them it is gigabytes downloaded for
nothing, and the CPU build (about 200 MB) is the right one. On a Mac, the regular build
uses the Apple GPU (MPS).

:func:`detect` asks ``nvidia-smi`` (when there is one) for the GPU, its driver and compute
capability; :func:`choose` is a pure function of that, the platform and the machine, so tests
give it any GPU. The dialog shows the choice and its reason and lets the user change it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from .names import translatable

TORCH_INDEX = "https://download.pytorch.org/whl/"


@dataclass(frozen=True)
class Variant:
    key: str                        # "cpu", "cu126", "mps"
    label: str                      # shown in the combo box (translated by the dialog)
    index_url: str | None           # pip index holding torch for it; None: PyPI
    cuda: tuple[int, int] | None = None
    min_capability: float = 0.0     # oldest GPU (compute capability) the build supports


CPU = Variant("cpu", translatable("CPU only (about 200 MB)"), TORCH_INDEX + "cpu")
CPU_PYPI = Variant("cpu", translatable("CPU (about 200 MB)"), None)
MPS = Variant("mps", translatable("Apple GPU (MPS)"), None)
CUDA_LABEL = translatable("NVIDIA GPU, CUDA {version} (about 3 GB)")
# Newest first. Compute capabilities: CUDA 12.8+ builds dropped GPUs older than Volta (7.0),
# 12.6 and 11.8 builds still run Maxwell (5.0) and Pascal.
CUDA_BUILDS = (
    Variant("cu130", CUDA_LABEL, TORCH_INDEX + "cu130", (13, 0), 7.5),
    Variant("cu128", CUDA_LABEL, TORCH_INDEX + "cu128", (12, 8), 7.0),
    Variant("cu126", CUDA_LABEL, TORCH_INDEX + "cu126", (12, 6), 5.0),
    Variant("cu118", CUDA_LABEL, TORCH_INDEX + "cu118", (11, 8), 5.0),
)
# Linux driver version -> newest CUDA it runs (when nvidia-smi does not print it).
DRIVER_CUDA = ((580.65, (13, 0)), (570.26, (12, 8)), (560.28, (12, 6)), (550.54, (12, 4)),
               (525.60, (12, 0)), (520.61, (11, 8)), (450.80, (11, 0)))


@dataclass(frozen=True)
class GpuInfo:
    name: str = ""
    driver: str = ""                 # "550.54.15"
    cuda: tuple[int, int] | None = None     # newest CUDA the driver runs
    capability: float | None = None  # compute capability, e.g. 8.6
    memory_mb: int | None = None
    error: str = ""                  # why nvidia-smi could not tell (shown, not raised)

    @property
    def found(self) -> bool:
        return bool(self.name)


# Why a build was chosen: templates the dialog translates, filled with Choice.params.
REASONS = {
    "mps": translatable("Apple silicon: the standard build uses the Mac's GPU (MPS)."),
    "intel_mac": translatable("Intel Mac: torch runs on the CPU."),
    "no_gpu": translatable("No NVIDIA GPU found: the CPU build is the one that runs."),
    "no_cuda_build": translatable("{gpu}: no CUDA build of torch for this machine; CPU "
                                  "build."),
    "old_driver": translatable("{gpu}: its driver ({driver}) is too old for CUDA 11.8; "
                               "update the NVIDIA driver to use the GPU."),
    "old_gpu": translatable("{gpu} (compute capability {capability}) is older than any "
                            "current CUDA build of torch supports: CPU build."),
    "old_cuda": translatable("{gpu}: its driver runs CUDA {cuda}, older than any CUDA build "
                             "of torch; update the NVIDIA driver to use the GPU."),
    "cuda": translatable("{gpu}, driver {driver} (runs CUDA up to {cuda}): the CUDA {build} "
                         "build."),
}


@dataclass(frozen=True)
class Choice:
    variant: Variant
    why: str                                     # a key of REASONS
    params: dict = field(default_factory=dict)   # its placeholders' values

    @property
    def reason(self) -> str:
        """The reason in plain English (the dialog shows ``tr(REASONS[why])`` filled in)."""
        return REASONS[self.why].format(**self.params)


def label(variant: Variant) -> str:
    """The variant's label in English (the dialog translates the template)."""
    return variant.label.format(version=cuda_text(variant.cuda)) if variant.cuda \
        else variant.label


def cuda_text(cuda) -> str:
    return f"{cuda[0]}.{cuda[1]}" if cuda else ""


def variants(platform: str | None = None, machine: str | None = None) -> list[Variant]:
    """What the user can pick on this platform, the default first among equals."""
    platform = platform or sys.platform
    machine = (machine or _machine()).lower()
    if platform == "darwin":
        return [MPS] if machine in ("arm64", "aarch64") else [CPU_PYPI]
    return [CPU, *CUDA_BUILDS] if machine in ("x86_64", "amd64") else [CPU]


def driver_cuda(driver: str) -> tuple[int, int] | None:
    """The newest CUDA a Linux driver version runs (None: too old or unknown)."""
    m = re.match(r"(\d+)\.(\d+)", driver or "")
    if not m:
        return None
    value = float(f"{m.group(1)}.{m.group(2)}")
    return next((cuda for least, cuda in DRIVER_CUDA if value >= least), None)


def choose(gpu: GpuInfo, platform: str | None = None, machine: str | None = None) -> Choice:
    """The torch build for this GPU (or none), platform and machine, with the reason."""
    platform = platform or sys.platform
    options = variants(platform, machine)
    if platform == "darwin":
        return Choice(options[0], "mps" if options[0] is MPS else "intel_mac")
    if not gpu.found:
        return Choice(CPU, "no_gpu")
    builds = [v for v in options if v.cuda]
    if not builds:
        return Choice(CPU, "no_cuda_build", {"gpu": gpu.name})
    cuda = gpu.cuda or driver_cuda(gpu.driver)
    if cuda is None:
        return Choice(CPU, "old_driver", {"gpu": gpu.name, "driver": gpu.driver or "?"})
    cap = gpu.capability
    # CUDA's minor version compatibility: a build for CUDA M.m runs on any driver of major
    # version M (12.8 on a 12.4 driver), and on newer majors.
    fits = [v for v in builds if v.cuda[0] <= cuda[0]
            and (cap is None or cap >= v.min_capability)]
    if not fits:
        if cap is not None and cap < min(v.min_capability for v in builds):
            return Choice(CPU, "old_gpu", {"gpu": gpu.name, "capability": cap})
        return Choice(CPU, "old_cuda", {"gpu": gpu.name, "cuda": cuda_text(cuda)})
    return Choice(fits[0], "cuda", {"gpu": gpu.name, "driver": gpu.driver,
                                    "cuda": cuda_text(cuda), "build": cuda_text(fits[0].cuda)})


def parse_query(text: str) -> GpuInfo | None:
    """The first GPU of ``nvidia-smi --query-gpu=name,driver_version,memory.total,
    compute_cap --format=csv,noheader,nounits`` (compute_cap may be missing)."""
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2 or not parts[0]:
            continue
        mem = int(float(parts[2])) if len(parts) > 2 and _number(parts[2]) else None
        cap = float(parts[3]) if len(parts) > 3 and _number(parts[3]) else None
        return GpuInfo(name=parts[0], driver=parts[1], memory_mb=mem, capability=cap)
    return None


def parse_cuda_version(text: str) -> tuple[int, int] | None:
    """"CUDA Version: 12.4" in ``nvidia-smi``'s banner -> (12, 4)."""
    m = re.search(r"CUDA Version\s*:\s*(\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def _number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?", text))


def _machine() -> str:
    import platform

    return platform.machine()


def find_nvidia_smi(which=shutil.which) -> str | None:
    found = which("nvidia-smi")
    if found or sys.platform != "win32":
        return found
    for base in (os.environ.get("SystemRoot", r"C:\Windows") + r"\System32",
                 os.environ.get("ProgramFiles", r"C:\Program Files")
                 + r"\NVIDIA Corporation\NVSMI"):
        path = os.path.join(base, "nvidia-smi.exe")
        if os.path.exists(path):
            return path
    return None


def detect(run=subprocess.run, smi: str | None = None) -> GpuInfo:
    """The first NVIDIA GPU, from ``nvidia-smi`` (none found: an empty :class:`GpuInfo`)."""
    smi = smi or find_nvidia_smi()
    if not smi:
        return GpuInfo()
    from .pip_process import NO_WINDOW

    def call(*args):
        return run([smi, *args], capture_output=True, text=True, timeout=15,
                   stdin=subprocess.DEVNULL, creationflags=NO_WINDOW)

    try:
        fields = "name,driver_version,memory.total,compute_cap"
        proc = call(f"--query-gpu={fields}", "--format=csv,noheader,nounits")
        if proc.returncode != 0:              # drivers before 510 lack compute_cap
            proc = call("--query-gpu=name,driver_version,memory.total",
                        "--format=csv,noheader,nounits")
        info = parse_query(proc.stdout) if proc.returncode == 0 else None
        if info is None:
            message = (proc.stderr or proc.stdout or "").strip().splitlines()
            return GpuInfo(error="nvidia-smi: " + (message[0] if message else "no GPU"))
        banner = call()
        cuda = parse_cuda_version(banner.stdout) if banner.returncode == 0 else None
    except (OSError, subprocess.SubprocessError) as exc:
        return GpuInfo(error=f"nvidia-smi failed: {exc}")
    return GpuInfo(info.name, info.driver, cuda, info.capability, info.memory_mb)
