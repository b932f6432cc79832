"""The `botaclip` command line: a thin front door onto the backend functions.

Exit status: 0 success; 1 the command ran but found nothing usable (check); 2 bad input or
environment (the message says what and how to fix); 130 cancelled or interrupted. Progress
goes to stderr, results (``--json``) to stdout.

SIGTERM (what ``kill``, ``timeout``, a batch scheduler or a closing terminal session send) is
handled like Ctrl-C: it raises :class:`Terminated`, a ``KeyboardInterrupt``, in the main
thread, so the same clean-up runs (temporary outputs removed, locks released, finished work
kept for the next run) and the run ends with status 130 and the same message. A second
SIGTERM during that clean-up is ignored, so that the clean-up completes; ``kill -9`` still
stops the process at once, and the next run resumes from what was saved.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from .. import __version__
from ..errors import BotaclipError, Cancelled
from . import (
    check,
    chips,
    demo,
    diagnostics,
    embed,
    evaluate,
    habitats,
    maps,
    presets,
    releves,
    suitability,
    train,
    zeroshot,
)
from .options import CommandParser


def build_parser() -> argparse.ArgumentParser:
    """The `botaclip` parser; each command module adds its subcommand (help lists them in
    this order)."""
    parser = CommandParser(
        prog="botaclip",
        description="BotaCLIP: botany-aware embeddings and habitat maps from orthophotos "
                    "and vegetation relevés.")
    parser.add_argument("--version", action="version", version=f"botaclip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo.register_demo_data(sub)
    check.register(sub)
    releves.register(sub)
    presets.register(sub)
    demo.register_demo(sub)
    train.register(sub)
    chips.register(sub)
    embed.register(sub)
    maps.register(sub)
    evaluate.register(sub)
    maps.register_apply(sub)
    habitats.register(sub)
    zeroshot.register(sub)
    suitability.register(sub)
    diagnostics.register(sub)
    return parser


INTERRUPTED = ("cancelled ({how}); no partial output was left. Work already done is kept: "
               "run the same command again to continue (train and embed resume where they "
               "stopped).")


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM."""


@contextlib.contextmanager
def sigterm_as_interrupt():
    """While the block runs, SIGTERM raises :class:`Terminated` in the main thread (once;
    later ones are ignored until the block ends). Outside the main thread, where Python
    cannot set signal handlers, or without SIGTERM, nothing changes."""
    if threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "SIGTERM"):
        yield
        return
    fired = []

    def on_term(signum, frame):
        if not fired:
            fired.append(signum)
            raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None) -> int:
    """Run `botaclip ARGV` (default: sys.argv[1:]) and return its exit status."""
    parser = build_parser()
    with sigterm_as_interrupt():
        try:
            args = parser.parse_args(argv)
            return int(args.func(args) or 0)
        except Cancelled as exc:
            print(f"botaclip: {exc}", file=sys.stderr)
            return 130
        except KeyboardInterrupt as exc:
            how = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
            print("\nbotaclip: " + INTERRUPTED.format(how=how), file=sys.stderr)
            return 130
        except BotaclipError as exc:
            print(f"botaclip: error: {exc}", file=sys.stderr)
            return 2
