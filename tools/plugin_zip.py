"""Builds the release zip, ``dist/botaclip-<version>.zip``, that QGIS installs with *Plugins >
Manage and Install Plugins > Install from ZIP* and that the QGIS plugin repository accepts;
``--check ZIP`` checks any zip against the same rules.

Why a tool: the checkout holds far more than a user needs (tests, benchmarks, set-up scripts,
developer notes), and the repository refuses archives that break its rules. The rules come
from the repository's own upload validator (github.com/qgis/QGIS-Plugins-Website,
``qgis-app/plugins/validator.py``) and its publishing page (plugins.qgis.org/docs/publish):
one top folder named like a Python identifier holding ``__init__.py``, ``metadata.txt`` and
``LICENSE``; mandatory metadata (name, description, version, qgisMinimumVersion, author,
email, about, tracker, repository) with real links; no ``.pyc``, ``__pycache__``, ``.git`` or
``__MACOSX``, no ``..`` in a path; no binaries; at most 25,000,000 bytes. QGIS's own *Install
from ZIP* takes the plugin's folder from the first ``*metadata.txt`` in sorted order, so only
one file may end so. Our own rules on top: a homepage, an icon that exists, a changelog that
names this version, the backend's ``__version__`` equal to the metadata's, and the French (and
any other) translations compiled with ``lrelease`` at build time, never a stale ``.qm``.

Files come from git (tracked, plus untracked ones that ``.gitignore`` does not exclude, so a
module not yet committed still ships; they are listed as a warning; ``--tracked-only`` leaves
them out), which keeps caches, virtual environments, profiles and build outputs out. Every
top-level entry must be classified below as shipped or developer-only, so a new one cannot
slip in or out unnoticed. The zip is deterministic: sorted entries, one timestamp (the last
commit's, or ``SOURCE_DATE_EPOCH``), fixed permissions, so two builds give the same bytes. It
is written to a temporary name, checked, and moved in place; a failed build leaves nothing.

Standard library only: ``python3 tools/plugin_zip.py`` works without the virtual environment.
"""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath

PLUGIN_DIR = "botaclip"
ROOT = Path(__file__).resolve().parents[1]
MAX_ZIP_BYTES = 25_000_000  # the repository's PLUGIN_MAX_UPLOAD_SIZE ("25 mb")
MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024

#: The repository refuses an upload without these (validator.py, PLUGIN_REQUIRED_METADATA).
REQUIRED_METADATA = ("name", "description", "version", "qgisMinimumVersion", "author",
                     "email", "about", "tracker", "repository")
#: Ours: the plugin manager shows them, and a release says what changed.
OUR_METADATA = ("homepage", "icon", "changelog")
BOOLEAN_METADATA = ("experimental", "deprecated", "server", "supportsQt6")
PLACEHOLDER_URLS = {"tracker": "http://bugs", "repository": "http://repo",
                    "homepage": "http://homepage"}

#: Top-level entries a user needs: the plugin, the backend, resources, translations, the
#: metadata, the licence, the README (the help inside QGIS renders it, with its screenshots)
#: and requirements.txt (plugin/deps.py reads the pinned versions from it).
SHIP_TOP = ("__init__.py", "metadata.txt", "LICENSE", "README.md", "README.*.md",
            "CHANGELOG*", "requirements.txt", "backend", "plugin", "resources", "i18n")
#: Developer-only top-level entries, never shipped.
DEV_TOP = ("tests", "bench", "tools", ".ci", "docs", "dist", "build", "wheelhouse*", "Makefile",
           "pyproject.toml", "requirements-*.txt", ".gitignore", ".gitattributes",
           ".github", ".gitlab-ci.yml", ".pre-commit-config.yaml", "setup.cfg")
#: Developer-only files inside shipped folders: translation sources and their tools (the
#: ``.qm`` are compiled fresh), the script that generates the QML styles.
DEV_INSIDE = ("i18n/*.ts", "i18n/*.qm", "i18n/*.py", "i18n/README.md",
              "resources/styles/make_styles.py")
#: Folders that must never reach the zip, whatever the classification says.
FORBIDDEN_DIRS = ("__pycache__", ".git", "__MACOSX")
DEV_DIRS_IN_ZIP = ("tests", "bench", "tools", ".ci", "docs")

#: Binary resources the plugin needs, recognised by their first bytes; every other file
#: must be UTF-8 text (the repository accepts no binaries: no .so, .pyd, weights, wheels).
RESOURCE_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
                  ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a"),
                  ".ico": (b"\x00\x00\x01\x00",), ".qm": (b"\x3c\xb8\x64\x18",)}
IMAGE_REF = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?|<img[^>]+src=[\"']([^\"']+)[\"']")


class PluginZipError(Exception):
    """A build or a check that failed; the message says what and how to fix it."""


# ----------------------------------------------------------------------------- metadata

def parse_metadata(text: str) -> dict[str, str]:
    """``[general]`` of a metadata.txt, keys in their own case (QGIS reads them so)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise PluginZipError(f"metadata.txt cannot be read: {exc}") from exc
    if not parser.has_section("general"):
        raise PluginZipError("metadata.txt has no [general] section")
    return {k: v.strip() for k, v in parser.items("general")}


def _version_tuple(text: str) -> tuple[int, ...] | None:
    return tuple(int(p) for p in text.split(".")) if re.fullmatch(r"\d+(\.\d+){1,2}",
                                                                    text) else None


def check_metadata(meta: dict[str, str]) -> list[str]:
    """What the repository (and we) would refuse in metadata.txt's fields, one line each."""
    problems = [f"metadata.txt: '{k}' is missing or empty; add '{k}=...' under [general]"
                for k in (*REQUIRED_METADATA, *OUR_METADATA) if not meta.get(k)]
    for key, placeholder in PLACEHOLDER_URLS.items():
        url = meta.get(key, "")
        if url and (url == placeholder or not re.fullmatch(r"https?://[^/\s]+\S*", url)):
            problems.append(f"metadata.txt: {key}={url} is not a web address "
                            "(https://host/...)")
    email = meta.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.append(f"metadata.txt: email={email} is not an e-mail address")
    if "/" in meta.get("author", ""):
        problems.append("metadata.txt: author cannot contain '/' (the repository refuses it)")
    problems += _check_versions(meta)
    for key in BOOLEAN_METADATA:
        if key in meta and meta[key].lower() not in ("true", "false", "1", "0", "yes", "no"):
            problems.append(f"metadata.txt: {key}={meta[key]} should be True or False")
    return problems


def _check_versions(meta: dict[str, str]) -> list[str]:
    problems = []
    version = meta.get("version", "")
    if version and _version_tuple(version) is None:
        problems.append(f"metadata.txt: version={version} should be like 1.2.0")
    elif version and not re.search(rf"(?<![\w.]){re.escape(version)}(?![\w]|\.\d)",
                                   meta.get("changelog", "")):
        problems.append(f"metadata.txt: the changelog does not say what {version} changed; "
                        f"add a line starting '{version} ' to changelog=")
    low, high = meta.get("qgisMinimumVersion", ""), meta.get("qgisMaximumVersion", "")
    for key, value in (("qgisMinimumVersion", low), ("qgisMaximumVersion", high)):
        if value and _version_tuple(value) is None:
            problems.append(f"metadata.txt: {key}={value} should be like 3.22")
    if _version_tuple(low) and _version_tuple(high) and _version_tuple(low) > _version_tuple(
            high):
        problems.append(f"metadata.txt: qgisMinimumVersion {low} is above "
                        f"qgisMaximumVersion {high}")
    return problems


# ----------------------------------------------------------------------------- the zip's rules

def _names_problems(names: list[str]) -> list[str]:
    """Paths: one top folder named as the repository wants, nothing it refuses, no dev files."""
    problems = []
    tops = sorted({n.split("/")[0] for n in names})
    if len(tops) != 1 or not all("/" in n for n in names):
        return [f"the zip must hold one folder with everything in it; found at its top: "
                f"{', '.join(tops)}"]
    top = tops[0]
    if not (re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]+", top) and top.isidentifier()):
        problems.append(f"the top folder '{top}' must be a Python identifier starting with a "
                        "letter (letters, digits, '_'): QGIS imports it by that name")
    for name in names:
        parts = name.split("/")
        if ".." in parts or name.startswith("/") or "\\" in name:
            problems.append(f"{name}: paths may not contain '..', '\\' or start with '/'")
        if name.endswith(".pyc") or set(parts) & set(FORBIDDEN_DIRS):
            problems.append(f"{name}: compiled Python, caches and VCS folders are refused")
        if len(parts) > 2 and parts[1] in DEV_DIRS_IN_ZIP:
            problems.append(f"{name}: developer files ({parts[1]}/) do not belong in the zip")
    metadata_like = [n for n in names if n.endswith("metadata.txt")]
    if metadata_like != [f"{top}/metadata.txt"]:
        problems.append(f"exactly one file may end with 'metadata.txt', {top}/metadata.txt "
                        f"(QGIS's Install from ZIP takes the first); found {metadata_like}")
    for needed in ("__init__.py", "LICENSE", "README.md"):
        if f"{top}/{needed}" not in names:
            problems.append(f"{top}/{needed} is missing")
    if not any(fnmatch.fnmatch(n, f"{top}/i18n/*.qm") for n in names):
        problems.append(f"no compiled translation ({top}/i18n/*.qm) in the zip")
    return problems


def _content_problems(name: str, data: bytes) -> list[str]:
    """A file is a known resource (recognised by its first bytes) or UTF-8 text."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in RESOURCE_MAGIC:
        if not data.startswith(RESOURCE_MAGIC[suffix]):
            return [f"{name}: not a real {suffix} file"]
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\0"
    if "\0" in text:
        return [f"{name}: a binary file; the plugin repository accepts no binaries "
                "(only text and PNG/JPEG/GIF/ICO images and .qm translations)"]
    return []


def image_refs(markdown: str) -> list[str]:
    """Local images a README shows (the help inside QGIS renders them from the plugin folder)."""
    refs = [a or b for a, b in IMAGE_REF.findall(markdown)]
    return [r.split("#")[0] for r in refs if not re.match(r"[a-z]+:", r) and r.split("#")[0]]


def _files_problems(zf: zipfile.ZipFile, top: str, names: set[str]) -> list[str]:
    problems = []
    for name in sorted(names):
        data = zf.read(name)
        problems += _content_problems(name, data)
        if fnmatch.fnmatch(name, f"{top}/README*.md"):
            folder = PurePosixPath(name).parent
            problems += [f"{name} shows {ref}, which is not in the zip"
                         for ref in image_refs(data.decode("utf-8", "replace"))
                         if str(folder / ref) not in names]
    return problems


def _metadata_problems(zf: zipfile.ZipFile, top: str, names: set[str]) -> list[str]:
    meta = parse_metadata(zf.read(f"{top}/metadata.txt").decode("utf-8"))
    problems = check_metadata(meta)
    icon = meta.get("icon", "").removeprefix("./")
    if icon and f"{top}/{icon}" not in names:
        problems.append(f"metadata.txt: icon={icon} is not in the zip")
    shot = meta.get("screenshot", "").removeprefix("./")
    if shot and f"{top}/{shot}" in names:
        if zf.getinfo(f"{top}/{shot}").file_size > MAX_SCREENSHOT_BYTES:
            problems.append(f"metadata.txt: screenshot {shot} is over 2 MB")
        if PurePosixPath(shot).suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif"):
            problems.append(f"metadata.txt: screenshot {shot} must be PNG, JPEG or GIF")
    backend_init = f"{top}/backend/__init__.py"
    if backend_init in names and meta.get("version"):
        found = re.search(r"__version__\s*=\s*[\"']([^\"']+)",
                          zf.read(backend_init).decode("utf-8"))
        if found and found.group(1) != meta["version"]:
            problems.append(f"versions disagree: metadata.txt says {meta['version']}, "
                            f"backend/__init__.py's __version__ says {found.group(1)}; "
                            "set them the same")
    return problems


def check_zip(path: Path | str) -> list[str]:
    """Every rule the zip at ``path`` breaks, one sentence each (empty: it passes)."""
    path = Path(path)
    size = path.stat().st_size
    problems = [] if size <= MAX_ZIP_BYTES else [
        f"{path.name} is {size / 1e6:.1f} MB; the plugin repository takes at most "
        f"{MAX_ZIP_BYTES / 1e6:.0f} MB"]
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [*problems, f"{path.name} is not a readable zip: {exc}"]
    with zf:
        bad = zf.testzip()
        if bad:
            return [*problems, f"{path.name}: {bad} is damaged (CRC error)"]
        names = [n for n in zf.namelist() if not n.endswith("/")]
        problems += _names_problems(names)
        top = names[0].split("/")[0] if names else ""
        if f"{top}/metadata.txt" in names:
            try:
                problems += _metadata_problems(zf, top, set(names))
            except PluginZipError as exc:
                problems.append(str(exc))
        problems += _files_problems(zf, top, set(names))
    return problems


# ----------------------------------------------------------------------------- building

def _git(root: Path, *args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                             check=True)
    except FileNotFoundError as exc:
        raise PluginZipError("git is not installed; the zip is built from git's file list") \
            from exc
    except subprocess.CalledProcessError as exc:
        raise PluginZipError(f"git {' '.join(args)} failed in {root}: {exc.stderr.strip()} "
                             "(the zip is built from a git checkout)") from exc
    return out.stdout


def source_files(root: Path, tracked_only: bool = False) -> tuple[list[str], list[str]]:
    """(every candidate file, the untracked ones among them), relative, sorted: tracked files
    and, unless ``tracked_only``, untracked files that .gitignore does not exclude."""
    tracked = set(_git(root, "ls-files", "-z", "--cached").split("\0")) - {""}
    others = set() if tracked_only else set(
        _git(root, "ls-files", "-z", "--others", "--exclude-standard").split("\0")) - {""}
    files = sorted(p for p in tracked | others
                   if (root / p).is_file() and not (root / p).is_symlink())
    return files, sorted(set(files) & others)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, pat) for pat in patterns)


def select(paths: list[str]) -> list[str]:
    """The paths that ship. A top-level entry in neither :data:`SHIP_TOP` nor :data:`DEV_TOP`
    stops the build: someone must decide whether users need it."""
    keep, unknown = [], set()
    for path in paths:
        top = path.split("/")[0]
        if _matches(top, DEV_TOP):
            continue
        if not _matches(top, SHIP_TOP):
            unknown.add(top)
        elif not _matches(path, DEV_INSIDE):
            keep.append(path)
    if unknown:
        raise PluginZipError(
            f"not classified for the zip: {', '.join(sorted(unknown))}; add each to SHIP_TOP "
            "(users need it) or DEV_TOP (developers only) in tools/plugin_zip.py")
    return keep


def find_lrelease() -> str:
    """Qt's translation compiler: $LRELEASE, lrelease on PATH, or Qt 5/6's usual places."""
    for candidate in (os.environ.get("LRELEASE"), shutil.which("lrelease"),
                      "/usr/lib/qt5/bin/lrelease", "/usr/lib/qt6/bin/lrelease"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise PluginZipError("lrelease (Qt's translation compiler) was not found: run make setup, "
                         "or apt install qttools5-dev-tools, or set LRELEASE=/path/to/lrelease")


def compile_translations(root: Path, ts_files: list[str], into: Path) -> dict[str, Path]:
    """``{i18n/x.qm: compiled file}`` for each ``.ts``, compiled now from the sources."""
    lrelease, out = find_lrelease(), {}
    for ts in ts_files:
        qm = into / PurePosixPath(ts).with_suffix(".qm").name
        run = subprocess.run([lrelease, "-silent", str(root / ts), "-qm", str(qm)],
                             capture_output=True, text=True)
        if run.returncode != 0 or not qm.is_file():
            raise PluginZipError(f"lrelease could not compile {ts}: "
                                 f"{(run.stderr or run.stdout).strip()}")
        out[str(PurePosixPath(ts).with_suffix(".qm"))] = qm
    return out


def build_date(root: Path) -> tuple[int, int, int, int, int, int]:
    """The one timestamp of every entry: SOURCE_DATE_EPOCH, else the last commit's (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git(root, "log", "-1", "--format=%ct")
    try:
        seconds = max(int(epoch.strip()), 315532800)  # zip dates start in 1980
    except ValueError as exc:
        raise PluginZipError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from exc
    return time.gmtime(seconds)[:6]


def write_zip(entries: dict[str, Path], path: Path, date_time) -> None:
    """Sorted entries under ``botaclip/``, one date, fixed permissions: the same bytes every
    time for the same files."""
    with zipfile.ZipFile(path, "w") as zf:
        for arcname in sorted(entries):
            info = zipfile.ZipInfo(f"{PLUGIN_DIR}/{arcname}", date_time=date_time)
            info.create_system = 3  # Unix, whatever the building system
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[arcname].read_bytes(), compresslevel=9)


def build(root: Path = ROOT, out_dir: Path | None = None, tracked_only: bool = False,
          log=print) -> Path:
    """Builds, checks and moves in place ``<out_dir>/botaclip-<version>.zip``; returns it."""
    root = Path(root).resolve()
    out_dir = Path(out_dir) if out_dir is not None else root / "dist"
    meta_file = root / "metadata.txt"
    if not meta_file.is_file():
        raise PluginZipError(f"{meta_file} not found: run this from the plugin's checkout")
    version = parse_metadata(meta_file.read_text(encoding="utf-8")).get("version") or "0"
    files, untracked = source_files(root, tracked_only)
    shipped = select(files)
    if set(untracked) & set(shipped):
        log("warning: not committed yet, but shipped: "
            + ", ".join(sorted(set(untracked) & set(shipped))))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PLUGIN_DIR}-{version}.zip"
    with tempfile.TemporaryDirectory(prefix="botaclip-zip-") as staging:
        entries = {p: root / p for p in shipped}
        entries.update(compile_translations(
            root, [p for p in files if fnmatch.fnmatchcase(p, "i18n/*.ts")], Path(staging)))
        # a name of our own, created with the user's umask (mkstemp would make it 0600)
        tmp_name = out_dir / f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.partial"
        try:
            write_zip(entries, Path(tmp_name), build_date(root))
            problems = check_zip(tmp_name)
            if problems:
                raise PluginZipError("the zip breaks the plugin repository's rules:\n  "
                                     + "\n  ".join(problems))
            os.replace(tmp_name, target)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plugin_zip", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for botaclip-<version>.zip (default: dist/)")
    parser.add_argument("--tracked-only", action="store_true",
                        help="leave out files git does not track yet")
    parser.add_argument("--check", type=Path, metavar="ZIP",
                        help="only check an existing zip against the rules")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check_zip(args.check)
            for line in problems:
                print(f"plugin-zip: {line}", file=sys.stderr)
            if not problems:
                print(f"{args.check}: passes the plugin repository's rules")
            return 1 if problems else 0
        start = time.perf_counter()
        path = build(ROOT, args.out, args.tracked_only)
    except (PluginZipError, OSError) as exc:
        print(f"plugin-zip: {exc}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as zf:
        count = len(zf.namelist())
    print(f"{path}: {count} files, {path.stat().st_size / 1e6:.1f} MB "
          f"(limit {MAX_ZIP_BYTES / 1e6:.0f} MB), built in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
