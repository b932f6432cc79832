"""Keep native modules that crash QGIS out of its process.

torch's default Linux wheel installs ``triton``, a GPU compiler with its own copy of LLVM.
torch treats it as optional and imports it lazily (its optimizers and ``torch._dynamo`` probe
for it). Inside QGIS on a Linux desktop, Mesa's ``libLLVM`` is already loaded for OpenGL
(llvmpipe, radeonsi), and triton's native module then dies with a segmentation fault while
it loads, taking QGIS down in the middle of Train or Embed. BotaCLIP never needs triton: it
compiles nothing.

:func:`protect` runs first thing when QGIS loads the plugin (``classFactory``), before
anything imports torch, in the desktop and in ``qgis_process`` alike. It puts ``None`` under
each such name in :data:`sys.modules`: ``import triton`` then raises ImportError and
``importlib.util.find_spec("triton")`` returns None, which is how torch tests for an
optional package, so torch carries on without it. Pure Python: no qgis, no Qt, so that a
test can run it in a bare interpreter.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

# module name -> why it must not load inside QGIS
KEPT_OUT = {
    "triton": "torch's optional GPU compiler; its native module crashes QGIS when Mesa's "
              "OpenGL (libLLVM) is loaded, as on Linux desktops",
}


@dataclass(frozen=True)
class Conflict:
    module: str
    reason: str
    action: str     # "kept_out" | "already_loaded"

    def sentence(self) -> str:
        if self.action == "kept_out":
            return (f"{self.module} is not loaded in QGIS's process ({self.reason}); torch "
                    "works without it.")
        return (f"{self.module} was already loaded by another plugin before BotaCLIP "
                f"({self.reason}). If QGIS crashes during Train or Embed, disable the other "
                "plugin or start QGIS with QT_XCB_GL_INTEGRATION=none.")


_DONE: list[Conflict] = []


def protect(modules=None) -> list[Conflict]:
    """Keep ``modules`` (default :data:`KEPT_OUT`) from loading in this process; returns
    what was done, one :class:`Conflict` per module that is installed or loaded. Idempotent."""
    import importlib.util

    modules = KEPT_OUT if modules is None else modules
    done = []
    for name, reason in modules.items():
        if name in sys.modules and sys.modules[name] is not None:
            done.append(Conflict(name, reason, "already_loaded"))
            continue
        if name not in sys.modules:
            try:
                installed = importlib.util.find_spec(name) is not None
            except (ImportError, ValueError):
                installed = False
            if not installed:
                continue
            sys.modules[name] = None      # import -> ImportError; find_spec -> None
        done.append(Conflict(name, reason, "kept_out"))
    _DONE[:] = done
    return done


def conflicts() -> list[Conflict]:
    """What the last :func:`protect` call did."""
    return list(_DONE)
