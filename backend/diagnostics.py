"""A report of this installation, ready to paste into an issue (`botaclip diagnostics`, and
*Raster > BotaCLIP > Copy diagnostics* in QGIS, which adds QGIS's own part).

Why: the first questions on any problem with a deep-learning tool are "which Python, which
torch, which CUDA, which GDAL, which weights, where do they come from": answered here in one
paste, with each package's location as well as its version (two copies of numpy or PROJ are
the usual cause of crashes). Nothing here may fail: a broken installation is the very case
a report is for, so every probe catches its own errors and reports them as values. torch is
imported only inside :func:`torch_info`, and its absence is reported, not raised.

The report is in English on purpose: it is read by the people who answer the issue.

``collect()`` gives a dict of sections (for ``--json``); ``report_text()`` renders it as
Markdown: a heading per section and its lines in a fenced block. Home folders are written
``~`` so that a report does not give away a user name.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

from . import __version__
from .errors import Cancelled
from .models.weight_hash import HashCache
from .progress import SILENT, Progress
from .units import format_bytes

SECTION_TITLES = {
    "botaclip": "BotaCLIP",
    "python": "Python",
    "system": "System",
    "environment": "Environment variables",
    "gdal": "GDAL and PROJ",
    "packages": "Python packages",
    "torch": "torch",
    "native": "Native libraries loaded",
    "weights": "DOFA weights",
    "cache": "Cache and disk",
}

# (import name, distribution name, optional): the packages BotaCLIP uses, as the plugin's
# check (plugin/deps.py) sees them: timm, torchvision (the timm backbone) and dask (the
# scheduler) serve an option only, reported as absent, not as missing; psutil sizes the
# embedding's batches.
PACKAGES = (
    ("numpy", "numpy", False),
    ("scipy", "scipy", False),
    ("matplotlib", "matplotlib", False),
    ("sklearn", "scikit-learn", False),
    ("timm", "timm", True),
    ("safetensors", "safetensors", False),
    ("torchvision", "torchvision", True),
    ("dask", "dask", True),
    ("psutil", "psutil", False),
)

ENV_VARIABLES = (
    "BOTACLIP_WEIGHTS_DIR", "BOTACLIP_CACHE_DIR", "PYTHONPATH", "PYTHONHOME",
    "CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "KMP_DUPLICATE_LIB_OK",
    "GDAL_DATA", "PROJ_LIB", "PROJ_DATA", "QT_XCB_GL_INTEGRATION", "VIRTUAL_ENV",
    "CONDA_PREFIX",
)

# CPU flags that decide speed and precision: AVX-512 BF16 or AMX make bfloat16 native (the
# same rule as backend.models.backbones.bf16_native_cpu); ARM's "bf16" feature likewise.
X86_FLAGS = ("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16",
             "amx_tile", "amx_bf16")
ARM_FLAGS = ("asimd", "fphp", "sve", "sve2", "i8mm", "bf16")
BF16_FLAGS = ("avx512_bf16", "amx_bf16")

# Native libraries whose second copy (or whose mix) crashes a process: OpenMP runtimes, GDAL,
# PROJ, SQLite, GEOS.
NATIVE_PREFIXES = ("libgomp", "libiomp", "libomp", "libgdal", "libproj", "libsqlite3",
                   "libgeos", "libtorch_cpu", "libcudart")

WEIGHT_SUFFIXES = (".pth", ".pt", ".safetensors", ".ckpt", ".bin")
MAX_WEIGHT_FILES = 20
HASH_CACHE_NAME = "sha256-cache.json"
MAX_HASH_ENTRIES = 200


# ----------------------------------------------------------------------------- entry points

def collect(weights_folder=None, cache_folder=None, progress: Progress = SILENT) -> dict:
    """Every section of the report, as plain JSON-able values. ``weights_folder`` and
    ``cache_folder``: the folders the caller uses (default: BotaCLIP's defaults)."""
    weights = Path(weights_folder).expanduser() if weights_folder else default_weights_folder()
    cache = Path(cache_folder).expanduser() if cache_folder else default_cache_folder()
    steps = [("botaclip", botaclip_info), ("python", python_info), ("system", system_info),
             ("environment", environment_info), ("gdal", gdal_info),
             ("packages", packages_info), ("torch", torch_info), ("native", native_libraries),
             ("weights", lambda: weights_info(weights, cache, progress.sub(0.6, 0.95))),
             ("cache", lambda: cache_info(cache, weights))]
    out: dict = {"generated": datetime.datetime.now(datetime.timezone.utc)
                 .strftime("%Y-%m-%d %H:%M UTC")}
    for i, (key, probe) in enumerate(steps):
        progress.report(min(i / len(steps), 0.6) if key != "cache" else 0.95,
                        f"Diagnostics: {SECTION_TITLES[key]}")
        progress.check()
        out[key] = safe(probe)
    progress.report(1.0, "Diagnostics: done")
    return hide_home(out)


def safe(probe):
    """``probe()``, or ``{"error": ...}`` when it raised: one broken probe must not cost the
    rest of the report (a cancel still stops it)."""
    try:
        return probe()
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001  (reported in the report, never raised)
        return {"error": f"{type(exc).__name__}: {exc}"}


def report_text(info: dict, titles: dict | None = None,
                heading: str = "BotaCLIP diagnostics") -> str:
    """``info`` (sections as :func:`collect` gives them, in order) as Markdown: a heading per
    section, its values in a fenced block that survives a paste into an issue."""
    titles = {**SECTION_TITLES, **(titles or {})}
    lines = [f"## {heading}", ""]
    if info.get("generated"):
        lines += [f"Made on {info['generated']}. Paste it whole into the issue.", ""]
    for key, value in info.items():
        if key == "generated":
            continue
        lines += [f"### {titles.get(key, key)}", "", "```text"]
        body = render_value(value) or ["(nothing)"]
        lines += [line.replace("```", "'''") for line in body]   # a value cannot close it
        lines += ["```", ""]
    return "\n".join(lines)


def render_value(value, indent: str = "") -> list[str]:
    """Plain-text lines for a section's value: ``key: value``, lists as ``- item``."""
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{indent}{k}:")
                lines += render_value(v, indent + "  ")
            else:
                lines.append(f"{indent}{k}: {scalar(v)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            sub = render_value(item, indent + "  ")
            if isinstance(item, (dict, list)) and sub:
                lines.append(f"{indent}- {sub[0].lstrip()}")
                lines += sub[1:]
            else:
                lines.append(f"{indent}- {scalar(item)}")
        return lines
    return [f"{indent}{scalar(value)}"]


def scalar(value) -> str:
    if value is None or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def hide_home(value):
    """``value`` with the home folder written ``~`` in every string."""
    home = str(Path.home())
    if len(home) < 2:
        return value
    if isinstance(value, dict):
        return {k: hide_home(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hide_home(v) for v in value]
    if isinstance(value, str):
        return value.replace(home + os.sep, "~" + os.sep) if home in value else value
    return value


# ----------------------------------------------------------------------------- Python

def botaclip_info() -> dict:
    return {"version": __version__, "location": str(Path(__file__).resolve().parent)}


def python_info() -> dict:
    """The interpreter, and the sys.path entries that decide which packages are found (the
    standard library's own folders left out)."""
    return {
        "version": sys.version.replace("\n", " "),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "prefix": sys.prefix,
        "virtual_environment": sys.prefix != getattr(sys, "base_prefix", sys.prefix),
        "user_site": _user_site(),
        "sys_path": [p for p in sys.path if p and not _is_stdlib(p)],
    }


def _user_site() -> str | None:
    import site

    try:
        return site.getusersitepackages() if site.ENABLE_USER_SITE else None
    except Exception:  # noqa: BLE001  (some embedded Pythons lack it)
        return None


def _is_stdlib(entry: str) -> bool:
    paths = sysconfig.get_paths()
    stdlib = {os.path.normpath(paths.get(k, "")) for k in ("stdlib", "platstdlib") if
              paths.get(k)}
    norm = os.path.normpath(entry)
    return norm in stdlib or norm.endswith(".zip") or (
        os.path.dirname(norm) in stdlib and os.path.basename(norm) == "lib-dynload")


def environment_info() -> dict:
    return {name: os.environ[name] for name in ENV_VARIABLES if name in os.environ}


def module_info(module: str, distribution: str, optional: bool = False) -> dict:
    """Version and location of ``module``, imported; the import error when it fails (the
    message names what is wrong: a missing native library, a numpy too new...)."""
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001  (any import failure is a finding)
        spec = _find_spec(module)
        if spec is None:
            return {"installed": False,
                    "note": "not installed (optional)" if optional else "MISSING"}
        return {"installed": True, "import_error": f"{type(exc).__name__}: {exc}",
                "location": spec.origin}
    info = {"version": getattr(mod, "__version__", None) or _dist_version(distribution),
            "location": str(Path(mod.__file__).parent) if getattr(mod, "__file__", None)
            else None}
    meta = _dist_version(distribution)
    if meta and info["version"] and meta.split("+")[0] != str(info["version"]).split("+")[0]:
        info["metadata_version"] = f"{meta} (differs: two copies installed?)"
    return info


def _find_spec(module: str):
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError, AttributeError):
        return None


def _dist_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except Exception:  # noqa: BLE001  (no metadata)
        return None


def packages_info() -> dict:
    return {dist: module_info(mod, dist, optional) for mod, dist, optional in PACKAGES}


# ----------------------------------------------------------------------------- system

def system_info() -> dict:
    cpu = cpu_info()
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu.get("model") or platform.processor() or None,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else None,
        "cpu_flags": cpu.get("flags"),
        "bfloat16_native": cpu.get("bf16"),
        **memory_info(),
    }


def cpu_info(path: str = "/proc/cpuinfo") -> dict:
    """CPU model and the flags of :data:`X86_FLAGS`/:data:`ARM_FLAGS` present (Linux);
    ``{}`` where /proc/cpuinfo does not exist."""
    try:
        with open(path, encoding="ascii", errors="ignore") as fh:
            text = fh.read(1 << 16)
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    flags = set(fields.get("flags", "").split()) | set(fields.get("features", "").split())
    wanted = X86_FLAGS if "flags" in fields else ARM_FLAGS
    return {"model": fields.get("model name") or fields.get("hardware"),
            "flags": [f for f in wanted if f in flags],
            "bf16": any(f in flags for f in BF16_FLAGS) or "bf16" in
            fields.get("features", "").split()}


def memory_info() -> dict:
    """Total and available memory: psutil where installed, else /proc/meminfo, else
    sysconf."""
    total = avail = None
    try:
        import psutil

        vm = psutil.virtual_memory()
        total, avail = vm.total, vm.available
    except Exception:  # noqa: BLE001  (diagnostics must run without psutil)
        total, avail = _meminfo()
    return {"memory_total": format_bytes(total) if total else None,
            "memory_available": format_bytes(avail) if avail else None}


def _meminfo() -> tuple[int | None, int | None]:
    values = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if values:
        return values.get("MemTotal"), values.get("MemAvailable")
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), None
    except (ValueError, OSError, AttributeError):
        return None, None


# ----------------------------------------------------------------------------- GDAL, torch

def gdal_info() -> dict:
    try:
        from osgeo import gdal, osr
    except Exception as exc:  # noqa: BLE001
        return {"installed": False, "import_error": f"{type(exc).__name__}: {exc}"}
    proj = None
    if hasattr(osr, "GetPROJVersionMajor"):
        proj = f"{osr.GetPROJVersionMajor()}.{osr.GetPROJVersionMinor()}." \
               f"{osr.GetPROJVersionMicro()}"
    search = list(osr.GetPROJSearchPaths() or []) if hasattr(osr, "GetPROJSearchPaths") \
        else []
    return {"gdal": gdal.__version__,
            "gdal_release": gdal.VersionInfo("RELEASE_NAME"),
            "gdal_location": str(Path(gdal.__file__).parent),
            "gdal_data": gdal.GetConfigOption("GDAL_DATA"),
            "proj": proj,
            "proj_search_paths": search,
            "drivers": gdal.GetDriverCount()}


def torch_info() -> dict:
    """torch's version, build and devices; ``installed: no`` with the reason when it cannot be
    imported."""
    try:
        import torch
    except Exception as exc:  # noqa: BLE001  (absent or broken: both are findings)
        return {"installed": False, "import_error": f"{type(exc).__name__}: {exc}",
                "note": "torch is missing: Train, Embed, Evaluate and the zero-shot tools "
                        "need it."}
    info = {"version": torch.__version__, "location": str(Path(torch.__file__).parent),
            "cuda_build": torch.version.cuda or "none (CPU build)",
            "rocm_build": getattr(torch.version, "hip", None),
            "threads": torch.get_num_threads(),
            "cpu_capability": safe(lambda: torch.backends.cpu.get_cpu_capability()),
            "mkldnn": safe(lambda: torch.backends.mkldnn.is_available())}
    info.update(cuda_info(torch))
    mps = getattr(torch.backends, "mps", None)
    info["mps_built"] = safe(mps.is_built) if mps else False
    info["mps_available"] = safe(mps.is_available) if mps else False
    return info


def cuda_info(torch) -> dict:
    """Whether CUDA works, and each GPU's name, compute capability and free memory."""
    try:
        available = bool(torch.cuda.is_available())
    except Exception as exc:  # noqa: BLE001
        return {"cuda_available": False, "cuda_error": f"{type(exc).__name__}: {exc}"}
    info: dict = {"cuda_available": available}
    if not available:
        return info
    info["cudnn"] = safe(lambda: torch.backends.cudnn.version())
    info["bf16_supported"] = safe(lambda: torch.cuda.is_bf16_supported())
    devices = []
    for i in range(torch.cuda.device_count()):
        devices.append(safe(lambda i=i: _gpu(torch, i)))
    info["devices"] = devices
    return info


def _gpu(torch, i: int) -> dict:
    props = torch.cuda.get_device_properties(i)
    free, total = torch.cuda.mem_get_info(i)
    return {"index": i, "name": props.name, "capability": f"{props.major}.{props.minor}",
            "memory_total": format_bytes(total), "memory_free": format_bytes(free)}


def native_libraries(maps: str = "/proc/self/maps") -> list[str]:
    """The OpenMP, GDAL, PROJ, SQLite, GEOS and torch libraries mapped in this process
    (Linux): two of a kind here explain most native crashes."""
    try:
        with open(maps, encoding="utf-8", errors="replace") as fh:
            paths = {line.split(None, 5)[5].strip() for line in fh
                     if len(line.split(None, 5)) == 6}
    except OSError:
        return []
    return sorted(p for p in paths if os.path.basename(p).startswith(NATIVE_PREFIXES))


# ----------------------------------------------------------------------------- weights, cache

def default_weights_folder() -> Path:
    from .models.weight_files import default_weights_dir

    return default_weights_dir()


def default_cache_folder() -> Path:
    """The feature cache's default (backend.train.features.default_cache_dir, which is not
    imported here because it imports torch)."""
    env = os.environ.get("BOTACLIP_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "botaclip" / "features"


def weights_info(folder: Path, cache: Path, progress: Progress = SILENT) -> dict:
    """The weight files in ``folder``: each known DOFA checkpoint present or not, and every
    weight-like file there with its size and sha256 checked against the published one."""
    from .models.weight_files import KNOWN_WEIGHTS, OLD_LAYOUT_FILES

    known = {f.name.lower(): (size, f) for size, files in KNOWN_WEIGHTS.items() for f in files}
    files = _weight_files(folder)
    found, n = [], max(len(files), 1)
    for i, path in enumerate(files):
        sha = cached_sha256(path, cache, progress.sub(i / n, (i + 1) / n))
        found.append(_weight_entry(path, sha, known.get(path.name.lower()), OLD_LAYOUT_FILES))
    present = {p.name.lower() for p in files}
    return {"folder": str(folder), "exists": folder.is_dir(), "files": found,
            "known_files_absent": [f.name for _s, f in known.values()
                                   if f.name.lower() not in present]}


def _weight_files(folder: Path) -> list[Path]:
    try:
        entries = sorted(e for e in folder.iterdir()
                         if e.is_file() and e.suffix.lower() in WEIGHT_SUFFIXES)
    except OSError:
        return []
    return entries[:MAX_WEIGHT_FILES]


def _weight_entry(path: Path, sha: str, known, old_files) -> dict:
    size = path.stat().st_size
    if sha in old_files:
        status = "OLD file (before the August 2024 fix of DOFA): must not be used"
    elif known is None:
        status = "not a published DOFA file (your own)"
    elif sha == known[1].sha256:
        status = f"published {known[1].source} file for {known[0]}: sha256 matches"
    else:
        status = (f"sha256 DIFFERS from the published {known[1].sha256[:16]}...: corrupt or "
                  "incomplete, download it again")
    return {"name": path.name, "size": format_bytes(size), "size_bytes": size,
            "sha256": sha, "status": status}


def cached_sha256(path: Path, cache: Path, progress: Progress = SILENT) -> str:
    """sha256 of ``path``, remembered in ``cache``/:data:`HASH_CACHE_NAME` by path, size and
    modification time, so that the next report is instant (a 450 MB file takes about a
    second). A cache that cannot be read or written is only a slower report."""
    store = HashCache(Path(cache) / HASH_CACHE_NAME, max_entries=MAX_HASH_ENTRIES)
    return store.sha256(path, progress, f"sha256 of {path.name}")


def cache_info(cache: Path, weights: Path) -> dict:
    """The cache folder and the free space where BotaCLIP writes."""
    return {"cache_folder": str(cache), "cache_exists": cache.is_dir(),
            "free_disk_cache": free_space(cache), "free_disk_weights": free_space(weights),
            "temp_folder": tempfile.gettempdir(),
            "free_disk_temp": free_space(Path(tempfile.gettempdir()))}


def free_space(path: Path) -> str | None:
    """Free space on the disk of ``path`` (or of its nearest existing parent)."""
    p = Path(path)
    while not p.exists() and p.parent != p:
        p = p.parent
    try:
        return format_bytes(shutil.disk_usage(p).free)
    except OSError:
        return None
