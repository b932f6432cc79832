"""Real-window harness: the `qgis` binary under Xvfb with OpenGL on (Qt's xcb platform with
GLX, as on a Linux desktop), the plugin loaded from this checkout, driven by
tests/window/driver.py running one scenario of tests/window/scenarios.py.

The offscreen tests (QT_QPA_PLATFORM=offscreen) load no OpenGL at all, so they cannot see
native-library clashes with Mesa's libLLVM that QGIS loads for GLX; this harness does.

Use from pytest (tests/test_window.py)::

    with Display() as display:
        run = run_scenario("train", display, tmp_path, data={...})
        run.check()                   # AssertionError with the crash report on a crash
        run.facts["status"]

Nothing here imports qgis: it runs in the pytest process and only starts processes.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

WINDOW_DIR = Path(__file__).resolve().parent
REPO = WINDOW_DIR.parents[1]
DRIVER = WINDOW_DIR / "driver.py"
SCREENSHOTS = REPO / "resources" / "screenshots"
# the plugin folder QGIS loads: this checkout, or another one (an older commit unpacked
# with `git archive`, to bisect) named by $BOTACLIP_WINDOW_PLUGIN
PLUGIN_DIR = Path(os.environ.get("BOTACLIP_WINDOW_PLUGIN") or REPO).resolve()
SCREEN = "1600x1000x24"
# environment that would take OpenGL out of the process (or the window out of the screen):
# the harness removes them so that QGIS runs as on a desktop; pass them in `env` to test a
# workaround on purpose
GL_OFF_VARIABLES = ("QT_QPA_PLATFORM", "QT_XCB_GL_INTEGRATION", "QT_QUICK_BACKEND",
                    "QT_OPENGL", "WAYLAND_DISPLAY")
PROFILE_INI = """\
[PythonPlugins]
botaclip=true

[qgis]
checkVersion=false
askToSaveProjectChanges=false
warnOldProjectVersion=false

[app]
askToSaveMemoryLayers=false

[core]
NewsFeed\\httpsfeedqgisorg\\disabled=true

[botaclip]
device=cpu
"""


def missing_tools() -> list[str]:
    """The programs the harness needs that are not on PATH."""
    return [name for name in ("Xvfb", "qgis") if shutil.which(name) is None]


# ----------------------------------------------------------------------------- display

class Display:
    """An Xvfb server on a free display number (chosen by Xvfb itself, -displayfd), with
    GLX (Xvfb's default). A context manager; ``env()`` gives DISPLAY."""

    def __init__(self, screen: str = SCREEN, timeout: float = 20.0):
        self.screen = screen
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.number: int | None = None

    def start(self) -> Display:
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self.screen,
                 "-nolisten", "tcp", "+extension", "GLX", "-noreset"],
                pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True)
        finally:
            os.close(write_fd)
        text = b""
        deadline = time.monotonic() + self.timeout
        while not text.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([read_fd], [], [], 0.2)
            if ready:
                chunk = os.read(read_fd, 64)
                if not chunk:
                    break
                text += chunk
            if self.proc.poll() is not None:
                break
        os.close(read_fd)
        if not text.strip().isdigit():
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() \
                is not None else ""
            self.stop()
            raise RuntimeError(f"Xvfb did not start (no display number): {err[-2000:]}")
        self.number = int(text.strip())
        return self

    def env(self) -> dict:
        return {"DISPLAY": f":{self.number}"}

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _kill_group(self.proc)
        self.proc = None

    def __enter__(self) -> Display:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _kill_group(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM then SIGKILL to the process group of ``proc`` (started in its own session)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


# ----------------------------------------------------------------------------- one run

@dataclass
class Run:
    """What one QGIS launch left: exit status, the driver's JSON, stderr, the
    faulthandler log, the screenshots."""

    scenario: str
    rc: int | None
    elapsed: float
    timed_out: bool
    result: dict | None
    stderr: str
    fault_log: str
    shots_dir: Path
    work_dir: Path
    env_extra: dict = field(default_factory=dict)

    # -- outcome
    @property
    def facts(self) -> dict:
        return (self.result or {}).get("facts", {})

    @property
    def signal(self) -> int | None:
        """The fatal signal: the one QGIS's handler reports ("QGIS died on signal 11"; it
        then aborts, so the exit status says SIGABRT), else the exit status's."""
        m = re.search(r"QGIS died on signal (\d+)", self.stderr)
        if m:
            return int(m.group(1))
        m = re.search(r"Fatal Python error: (Segmentation fault|Bus error|Aborted|"
                      r"Floating point exception|Illegal instruction)", self.fault_log)
        if m:
            return {"Segmentation fault": 11, "Bus error": 7, "Aborted": 6,
                    "Floating point exception": 8, "Illegal instruction": 4}[m.group(1)]
        if self.timed_out:
            return None
        return -self.rc if self.rc is not None and self.rc < 0 else None

    @property
    def crashed(self) -> bool:
        """Died of a signal (not of the harness's own kill after a timeout)."""
        if "Fatal Python error" in self.fault_log or "QGIS died on signal" in self.stderr:
            return True
        return not self.timed_out and self.rc is not None and self.rc < 0

    @property
    def shots(self) -> list[Path]:
        return sorted(self.shots_dir.glob("*.png"))

    def last_step(self) -> str:
        steps = (self.result or {}).get("steps") or []
        return f"{steps[-1]['step']} (at {steps[-1]['t']:.1f} s)" if steps else "none"

    # -- reports
    def native_stack(self, frames: int = 12) -> str:
        """The first frames of the gdb backtrace QGIS's crash handler prints (where gdb is
        installed), one short line each. gdb shows the main thread, which is not
        necessarily the one that crashed: the faulthandler stacks say which did."""
        lines = [ln.strip()[:160] for ln in self.stderr.splitlines()
                 if re.match(r"#\d+ ", ln)]
        return "\n".join(lines[:frames])

    def report(self) -> str:
        head = (f"scenario {self.scenario!r}: rc={self.rc}, signal={self.signal}, "
                f"{self.elapsed:.1f} s{', TIMED OUT' if self.timed_out else ''}; "
                f"last step reached: {self.last_step()}")
        if self.env_extra:
            head += f"; extra env {self.env_extra}"
        parts = [head]
        if self.fault_log.strip():
            what = "at the crash" if self.crashed else "when the harness gave up waiting"
            parts.append(f"--- faulthandler (Python stacks {what}):\n"
                         + _trim_fault_log(self.fault_log))
        native = self.native_stack()
        if native:
            parts.append("--- native stack of the main thread (QGIS's crash handler, gdb; "
                         "not necessarily the thread that crashed):\n" + native)
        for modal in (self.result or {}).get("blocked_by_modal", []):
            parts.append(f"--- blocked by a modal {modal['class']} at step {modal['step']!r}: "
                         f"{modal['title']!r}: {modal['text']!r}")
        error = (self.result or {}).get("error")
        if error:
            parts.append("--- scenario error:\n" + error)
        if self.result is None:
            parts.append("--- no result JSON was written by the driver")
        parts.append("--- stderr tail:\n" + _stderr_tail(self.stderr))
        parts.append(f"--- screenshots: {self.shots_dir}")
        return "\n".join(parts)

    def check(self) -> Run:
        """Raise AssertionError (with :meth:`report`) unless QGIS ran the scenario to its
        end and quit cleanly."""
        if self.crashed:
            raise AssertionError(f"QGIS CRASHED (signal {self.signal})\n" + self.report())
        if self.timed_out:
            raise AssertionError("QGIS did not finish in time\n" + self.report())
        if self.result is None or not self.result.get("finished"):
            raise AssertionError("the driver did not finish the scenario\n" + self.report())
        if self.result.get("error"):
            raise AssertionError("the scenario raised\n" + self.report())
        if self.result.get("blocked_by_modal"):
            raise AssertionError("a modal dialog blocked a step (rejected by the driver; "
                                 "use click_async() and answer() where one is expected): "
                                 f"{self.result['blocked_by_modal']}\n" + self.report())
        if self.rc != 0:
            raise AssertionError(f"QGIS exited with status {self.rc}\n" + self.report())
        return self


def _trim_fault_log(text: str, limit: int = 8000) -> str:
    """faulthandler's dump without its noise: the "Extension modules: ..." list, and the
    frames of the import machinery (each run of them becomes one "[import]" line)."""
    text = re.sub(r"\nExtension modules: [^\n]*", "\n", text)
    # QGIS's own handler aborts after the first dump: faulthandler dumps the same stacks
    # again for SIGABRT
    second = text.find("Fatal Python error: Aborted", 1)
    if second > 0 and "Fatal Python error" in text[:second]:
        text = text[:second] + "(then QGIS's crash handler aborted)"
    lines, skipped = [], False
    for line in text.splitlines():
        noise = '"<frozen importlib' in line or ("qgis/utils.py" in line and " _import" in line)
        if noise and not skipped:
            lines.append("  [import]")
        skipped = noise
        if not noise:
            lines.append(line)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[:limit] + "\n[...]"


def _stderr_tail(text: str, lines: int = 30) -> str:
    # gdb's output is summarised by native_stack(); keep what came before it
    cut = text.find("QGIS died on signal")
    if cut >= 0:
        text = text[:cut + 80]
    return "\n".join(text.splitlines()[-lines:])


def venv_purelib() -> str:
    """site-packages of the interpreter running the tests (the project's venv)."""
    return sysconfig.get_paths()["purelib"]


def make_profile(root: Path, settings: str = "") -> Path:
    """A fresh QGIS profile folder enabling the plugin; ``settings`` is appended to
    QGIS3.ini."""
    ini = root / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text(PROFILE_INI + settings)
    return root


def run_scenario(scenario: str, display: Display, root: Path, *, data: dict | None = None,
                 timeout: float = 150.0, env: dict | None = None,
                 profile_settings: str = "", plugin_dir: Path | None = None) -> Run:
    """Start QGIS on ``display`` with a fresh profile under ``root`` and the plugin from
    this checkout, run ``scenario`` in it, wait for it to quit (killing its process group
    after ``timeout`` s). ``data``: paths handed to the scenario (ctx.data); ``env``: extra
    environment (e.g. a workaround under test); ``plugin_dir``: the plugin folder to load
    (default: :data:`PLUGIN_DIR`, this checkout)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    plugins = root / "plugins"
    plugins.mkdir(exist_ok=True)
    link = plugins / "botaclip"
    if not link.exists():
        link.symlink_to(Path(plugin_dir or PLUGIN_DIR), target_is_directory=True)
    profile = make_profile(root / "profile", profile_settings)
    shots = root / "shots"
    work = root / "work"
    runtime = root / "xdg-runtime"
    for d in (shots, work, runtime):
        d.mkdir(exist_ok=True)
    runtime.chmod(0o700)
    result_path = root / "result.json"
    fault_path = root / "faulthandler.log"
    stderr_path = root / "stderr.log"
    for p in (result_path, fault_path):
        p.unlink(missing_ok=True)

    full_env = {k: v for k, v in os.environ.items() if k not in GL_OFF_VARIABLES}
    full_env.update(display.env())
    pythonpath = [venv_purelib()] + [p for p in os.environ.get("PYTHONPATH", "").split(
        os.pathsep) if p]
    full_env.update({
        "QT_QPA_PLATFORM": "xcb",
        "XDG_RUNTIME_DIR": str(runtime),
        "QGIS_PLUGINPATH": str(plugins),
        "QGIS_CUSTOM_CONFIG_PATH": str(profile),
        "PYTHONPATH": os.pathsep.join(pythonpath),
        "PYTHONFAULTHANDLER": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "BOTACLIP_SCENARIO": scenario,
        "BOTACLIP_RESULT": str(result_path),
        "BOTACLIP_FAULTLOG": str(fault_path),
        "BOTACLIP_SHOTS": str(shots),
        "BOTACLIP_WORK": str(work),
        "BOTACLIP_WINDOW_DIR": str(WINDOW_DIR),
        "BOTACLIP_REPO": str(REPO),
        "BOTACLIP_WINDOW_DATA": json.dumps({k: str(v) for k, v in (data or {}).items()}),
        "BOTACLIP_WINDOW_TIMEOUT": str(timeout),
    })
    full_env.update(env or {})
    start = time.monotonic()
    timed_out = False
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            ["qgis", "--nologo", "--noversioncheck", "--code", str(DRIVER)],
            env=full_env, cwd=str(work), stdin=subprocess.DEVNULL, stdout=err,
            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:                       # the driver's faulthandler dumps every Python stack
                os.kill(proc.pid, signal.SIGUSR1)
                time.sleep(1.0)
            except ProcessLookupError:
                pass
            _kill_group(proc)
            rc = proc.returncode
    elapsed = time.monotonic() - start
    result = None
    if result_path.exists():
        try:
            result = json.loads(result_path.read_text())
        except ValueError:
            result = None
    run = Run(scenario=scenario, rc=rc, elapsed=elapsed, timed_out=timed_out, result=result,
              stderr=stderr_path.read_text(errors="replace"),
              fault_log=fault_path.read_text(errors="replace") if fault_path.exists() else "",
              shots_dir=shots, work_dir=work, env_extra=dict(env or {}))
    if os.environ.get("BOTACLIP_UPDATE_SCREENSHOTS") == "1":
        update_screenshots(run)
    return run


def update_screenshots(run: Run) -> list[Path]:
    """Copy the screenshots the scenario chose (ctx.shot(..., keep=True)) to
    resources/screenshots/window-<name>.png."""
    copied = []
    for name in (run.result or {}).get("keep_shots", []):
        src = run.shots_dir / f"{name}.png"
        if src.exists():
            dst = SCREENSHOTS / f"window-{name}.png"
            shutil.copyfile(src, dst)
            copied.append(dst)
    return copied


if __name__ == "__main__":   # python tests/window/harness.py SCENARIO [DIR]: a manual run
    import tempfile

    name = sys.argv[1] if len(sys.argv) > 1 else "startup"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="win-"))
    with Display() as d:
        r = run_scenario(name, d, out)
    print(r.report())
    print(json.dumps(r.facts, indent=1, default=str))
