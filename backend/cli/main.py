"""The `botaclip` command line: a thin front door onto the backend functions.

Exit status: 0 success; 1 the command ran but found nothing usable (check); 2 bad input or
environment (the message says what and how to fix); 130 interrupted. Progress goes to stderr,
results (``--json``) to stdout.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import BotaclipError, Cancelled
from . import check, chips, demo, embed, presets, releves, train


def build_parser() -> argparse.ArgumentParser:
    """The `botaclip` parser; each command module adds its subcommand (help lists them in
    this order)."""
    parser = argparse.ArgumentParser(
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
    return parser


def main(argv=None) -> int:
    """Run `botaclip ARGV` (default: sys.argv[1:]) and return its exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except Cancelled as exc:
        print(f"botaclip: {exc}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\nbotaclip: interrupted; no partial output was left.", file=sys.stderr)
        return 130
    except BotaclipError as exc:
        print(f"botaclip: error: {exc}", file=sys.stderr)
        return 2
