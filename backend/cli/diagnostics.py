"""`botaclip diagnostics`: a report of this installation (Python, GDAL, PROJ, torch, CUDA,
devices, packages with their locations, DOFA weights with their sha256, cache and free disk)
to paste into an issue; ``--json`` for the same as JSON."""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    """Add the diagnostics subcommand to the `botaclip` parser."""
    p = sub.add_parser("diagnostics",
                       help="report versions, devices and weights, to paste into an issue")
    p.add_argument("--weights-dir", metavar="DIR",
                   help="folder of DOFA weight files (default $BOTACLIP_WEIGHTS_DIR, else "
                        "~/.botaclip/weights)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="cache folder, where the weights' sha256 are remembered (default "
                        "$BOTACLIP_CACHE_DIR, else ~/.cache/botaclip/features)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.set_defaults(func=cmd_diagnostics)


def cmd_diagnostics(args) -> int:
    from ..diagnostics import collect, report_text
    from ..progress import TerminalProgress

    info = collect(args.weights_dir, args.cache_dir,
                   progress=TerminalProgress(quiet=args.quiet or args.json))
    if args.json:
        json.dump(info, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report_text(info))
    return 0
