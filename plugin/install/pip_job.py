"""Install packages into the private folder with QGIS's own pip, all or nothing.

:func:`install` runs ``<QGIS's python> -m pip`` in subprocesses (:mod:`.pip_process`):

1. ``pip install --dry-run --report`` resolves what to install against QGIS's Python with
   the private folder on its path (what is already there, or shipped by QGIS, is not
   installed again), under the constraints of :mod:`.constraints` (what QGIS ships stays as
   it is); online, torch comes from the index of the chosen build (:mod:`.torch_choice`);
   offline, from the verified wheelhouse only (``--no-index --find-links``).
2. ``pip install --target NEW --no-deps`` installs exactly the files the resolution chose
   (by URL, with their hashes) into an empty folder.
3. They are merged into a staging copy of the private folder (:mod:`.staging`), replacing the
   versions they upgrade; QGIS's Python imports the new packages from it; only then is it
   swapped in. A Cancel or a failure at any step leaves the private folder as it was.

No admin rights: pip only writes into the user's QGIS profile. A second install while one
runs is refused (an OS-held lock beside the folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...backend.errors import BotaclipError
from ...backend.progress import SILENT
from . import constraints, staging
from .manifest import open_verified
from .names import normalise, requirement_name
from .network import PipNetwork
from .pip_process import NO_WINDOW, run

MIN_PIP = (22, 2)               # pip install --dry-run --report
KEEP_ENV = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_CERT",
            "PIP_CLIENT_CERT", "PIP_PROXY", "PIP_TIMEOUT", "PIP_DEFAULT_TIMEOUT",
            "PIP_RETRIES", "PIP_FIND_LINKS", "PIP_CONFIG_FILE")


@dataclass
class InstallRequest:
    target: Path                      # the private folder (site_dir.folder_for)
    requirements: list[str]           # pip requirements, e.g. ["torch>=2.1", "psutil>=5.8"]
    python: str                       # QGIS's Python (deps.qgis_python().python)
    imports: list[str] = field(default_factory=list)   # checked before the swap
    torch: list[str] = field(default_factory=list)     # those of requirements from torch_index
    torch_index: str | None = None    # online: the chosen torch build's index
    wheelhouse: Path | None = None    # offline: a verified wheelhouse folder (see manifest)
    network: PipNetwork | None = None
    base_env: dict | None = None      # default: this process's environment


@dataclass
class InstallResult:
    target: Path
    installed: list[str]              # "name==version"
    replaced: list[str]               # the versions they replaced in the folder
    state: str                        # "done", "pending" (swapped in at restart), "nothing"


# ----------------------------------------------------------------------------- environment

def pip_env(base: dict, *, offline: bool, path_first=(), network: PipNetwork | None = None
            ) -> dict:
    """pip's environment. Offline: no pip configuration or ``PIP_*`` variable can add an
    index or a folder of wheels (only the wheelhouse serves). Online: the user's index,
    proxy and certificate settings are kept, nothing else. ``path_first``: folders put
    before ``PYTHONPATH``."""
    env = {k: v for k, v in base.items()
           if not k.startswith("PIP_") or (not offline and k in KEEP_ENV)}
    if offline:
        env["PIP_CONFIG_FILE"] = os.devnull
        env["PIP_NO_INDEX"] = "1"
    env.update({"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
                "PIP_ROOT_USER_ACTION": "ignore", "PYTHONUNBUFFERED": "1",
                "PYTHONIOENCODING": "utf-8"})
    if network is not None:
        env.update(network.env)
    paths = [str(p) for p in path_first]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def private_temp(env: dict, folder: Path) -> dict:
    """``env`` with its temporary folder inside the install's work folder: a pip stopped by
    Cancel leaves its half-unpacked wheels there (a torch is hundreds of MB), and the work
    folder is deleted whole, instead of in the system's temporary folder for good."""
    folder.mkdir(exist_ok=True)
    return {**env, "TMPDIR": str(folder), "TEMP": str(folder), "TMP": str(folder)}


def pip_version(python: str, env: dict) -> tuple[int, ...] | None:
    """The version of ``python -m pip`` (None: no pip)."""
    try:
        proc = subprocess.run([python, "-m", "pip", "--version"], capture_output=True,
                              text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
                              creationflags=NO_WINDOW)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"pip (\d+)\.(\d+)", proc.stdout or "")
    return (int(m.group(1)), int(m.group(2))) if proc.returncode == 0 and m else None


def pip_source(request: InstallRequest, env: dict) -> list[str]:
    """Folders to put before PYTHONPATH so that ``python -m pip`` is recent enough: none when
    QGIS's pip is, else the wheelhouse's pip wheel (pip runs from a wheel)."""
    version = pip_version(request.python, env)
    if version is not None and version >= MIN_PIP:
        return []
    wheel = None
    if request.wheelhouse is not None:
        wheel = next(iter(sorted(Path(request.wheelhouse).glob("pip-*.whl"))), None)
    if wheel is not None:
        return [str(wheel)]
    have = "has no pip" if version is None else \
        f"has pip {version[0]}.{version[1]}, older than {MIN_PIP[0]}.{MIN_PIP[1]}"
    raise BotaclipError(
        f"QGIS's Python ({request.python}) {have}, which the installer needs. On Debian or "
        "Ubuntu install the package python3-pip; elsewhere run that Python with "
        "'-m ensurepip --user', or install offline from a wheelhouse (it carries its pip).")


# ----------------------------------------------------------------------------- resolving

def _source_args(request: InstallRequest, torch_only: bool = False) -> list[str]:
    if request.wheelhouse is not None:
        return ["--no-index", "--find-links", str(request.wheelhouse)]
    if request.torch_index and torch_only:      # torch's version only: its deps come later
        return ["--index-url", request.torch_index, "--no-deps"]
    if request.torch_index and request.torch:
        return ["--extra-index-url", request.torch_index]
    return []


def _dry_run(request, specs, cons_file, report_file, env, progress, torch_only=False) -> list:
    argv = [request.python, "-m", "pip", "install", "--dry-run", "--report", report_file,
            "--progress-bar", "off", "-c", cons_file, *_source_args(request, torch_only),
            *(request.network.args if request.network else []), *specs]
    rc, tail = run(argv, env=env, on_line=lambda line: _tell(progress, 0.0, line),
                   is_cancelled=progress.is_cancelled)
    if rc != 0:
        raise BotaclipError(_pip_failure("find the packages to install", tail, request))
    with open(report_file, encoding="utf-8") as f:
        return json.load(f).get("install", [])


def _tell(progress, fraction: float, line: str) -> None:
    """A line of pip's: shown as the progress message and kept for the log."""
    progress.report(fraction, line)
    progress.info(line)


def _pip_failure(what: str, tail: list[str], request: InstallRequest) -> str:
    errors = [line.strip() for line in tail if "ERROR" in line or "error" in line.lower()]
    shown = "\n".join((errors or tail)[-8:])
    hint = ("The wheelhouse does not hold these packages for this QGIS (its Python "
            "version or platform differ): build one on this kind of machine with "
            "'make wheelhouse'." if request.wheelhouse is not None else
            "Check the internet connection (and the proxy in QGIS's Settings > Options > "
            "Network), or install offline from a wheelhouse.")
    return (f"pip could not {what}; nothing was changed in {request.target}.\n{shown}\n"
            f"{hint}")


def resolve(request: InstallRequest, work: Path, stage: Path, env: dict, progress) -> list:
    """The pip report's ``install`` items for ``request`` (pip sees ``stage`` as installed)."""
    found = constraints.probe(request.python, env)
    wanted = {requirement_name(s) for s in request.requirements}
    keep = constraints.QGIS_SHIPPED | {"torch", "torchvision"}    # torch stays unless asked
    lines = constraints.constraint_lines(found, exclude=wanted, shipped=keep)
    cons_file = work / "constraints.txt"
    torch_specs = [s for s in request.requirements if s in request.torch]
    if torch_specs and request.torch_index and request.wheelhouse is None:
        # The build's own index alone decides torch's version (PyPI's newer torch would
        # win otherwise); the full resolution then keeps that version.
        write_constraints(cons_file, lines)
        items = _dry_run(request, torch_specs, str(cons_file), str(work / "torch.json"),
                         env, progress.sub(0.0, 0.4), torch_only=True)
        family = {requirement_name(s) for s in torch_specs}
        lines += [f"{i['metadata']['name']}=={i['metadata']['version']}" for i in items
                  if normalise(i["metadata"]["name"]) in family]
    write_constraints(cons_file, lines)
    return _dry_run(request, request.requirements, str(cons_file), str(work / "plan.json"),
                    env, progress.sub(0.4, 1.0))


def write_constraints(path: Path, lines: list[str]) -> None:
    path.write_text(constraints.constraints_text(lines), encoding="utf-8")


def plan_urls(items) -> list[tuple[str, str, str]]:
    """(name, version, URL with its ``#sha256=`` fragment) of each item of a pip report."""
    out = []
    for item in items:
        info = item.get("download_info") or {}
        url = info.get("url", "")
        digest = (info.get("archive_info") or {}).get("hash", "")     # "sha256=..."
        if digest:
            url = url.split("#", 1)[0] + "#" + digest
        meta = item.get("metadata") or {}
        out.append((meta.get("name", "?"), meta.get("version", "?"), url))
    return out


# ----------------------------------------------------------------------------- installing

def _install_files(request, plan, new: Path, env, progress) -> None:
    argv = [request.python, "-m", "pip", "install", "--target", str(new), "--no-deps",
            "--no-index", "--progress-bar", "off", "--no-warn-script-location",
            *(request.network.args if request.network else []),
            *[url for _name, _version, url in plan]]
    done = [0]

    def on_line(line: str) -> None:
        if line.startswith(("Processing ", "Collecting ", "Downloading ")):
            done[0] += 1 if not line.startswith("Downloading") else 0
        if line.startswith("Installing collected packages"):
            done[0] = len(plan)
        _tell(progress, min(1.0, done[0] / max(1, len(plan))), line)

    rc, tail = run(argv, env=env, on_line=on_line, is_cancelled=progress.is_cancelled)
    if rc != 0:
        raise BotaclipError(_pip_failure("install the packages", tail, request))


IMPORT_CHECK = (
    "import importlib, sys\n"
    "for name in sys.argv[1:]:\n"
    "    module = importlib.import_module(name)\n"
    "    print(name, getattr(module, '__version__', ''), flush=True)\n"
)


def check_imports(request, stage: Path, env: dict, progress) -> None:
    """Import ``request.imports`` in QGIS's Python with ``stage`` first on its path."""
    if not request.imports:
        return
    argv = [request.python, "-c", IMPORT_CHECK, *request.imports]
    rc, tail = run(argv, env=env, on_line=lambda line: _tell(progress, 0.5, line),
                   is_cancelled=progress.is_cancelled)
    if rc != 0:
        last = next((line for line in reversed(tail) if line.strip()), "")
        raise BotaclipError(
            f"The packages were installed, but QGIS's Python cannot import them: {last}. "
            f"Nothing was changed in {request.target}. The details are in the log.")


def install(request: InstallRequest, progress=SILENT) -> InstallResult:
    """Install ``request.requirements`` into ``request.target``, all or nothing (see the
    module's docstring). Raises :class:`BotaclipError` (the folder unchanged) or
    :class:`Cancelled`."""
    from ...backend.io.lock import StateLock

    target = Path(request.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = StateLock(target.parent / f".{target.name}.install-lock")
    holder = lock.take()
    if holder is not None:
        raise BotaclipError(f"Another BotaCLIP install ({holder}) is writing {target}; wait "
                            "for it to finish.")
    work = staging.new_sibling(target, staging.STAGING_PREFIX)
    try:
        for old in staging.leftovers(target):        # a killed install's, we hold the lock
            shutil.rmtree(old, ignore_errors=True)
        return _install_locked(request, target, work, progress)
    except (OSError, subprocess.SubprocessError, RuntimeError, ValueError) as exc:
        raise BotaclipError(f"The install stopped: {exc}. Nothing was changed in "
                            f"{target}.") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
        lock.release()


def _install_locked(request, target: Path, work: Path, progress) -> InstallResult:
    work.mkdir()
    if request.wheelhouse is not None:
        progress.report(0.0, f"Checking the wheelhouse {request.wheelhouse}…")
        folder, _manifest = open_verified(request.wheelhouse, work)
        request = replace(request, wheelhouse=folder)
        progress.check()
    base = private_temp(dict(os.environ if request.base_env is None else request.base_env),
                        work / "tmp")
    offline = request.wheelhouse is not None
    plain = pip_env(base, offline=offline, network=request.network)
    first = pip_source(request, plain)
    stage, new = work / "stage", work / "new"
    progress.report(0.02, "Copying the current packages folder (hard links)…")
    staging.clone(target, stage)
    progress.check()
    progress.report(0.05, "Finding what to install…")
    staged_env = pip_env(base, offline=offline, path_first=[*first, stage],
                         network=request.network)
    plan = plan_urls(resolve(request, work, stage, staged_env, progress.sub(0.05, 0.25)))
    if not plan:
        progress.report(1.0, "Nothing to install: every package is already there.")
        return InstallResult(target, [], [], "nothing")
    names = [f"{n}=={v}" for n, v, _u in plan]
    progress.info("Installing: " + ", ".join(names))
    install_env = pip_env(base, offline=offline, path_first=first, network=request.network)
    _install_files(request, plan, new, install_env, progress.sub(0.25, 0.85))
    progress.check()
    progress.report(0.86, "Putting the new packages in place…")
    replaced = staging.remove_distributions(stage, [n for n, _v, _u in plan])
    staging.merge(new, stage)
    progress.report(0.88, "Importing the new packages in QGIS's Python…")
    check_env = pip_env(base, offline=offline, path_first=[stage])
    check_imports(request, stage, check_env, progress.sub(0.88, 0.97))
    progress.check()
    state = staging.swap_in(stage, target)
    progress.report(1.0, "Installed: " + ", ".join(names))
    return InstallResult(target, names, replaced, state)

