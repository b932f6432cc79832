"""`botaclip presets`: list the sensor band presets (names, bands, wavelengths)."""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    """Add the presets subcommand to the `botaclip` parser."""
    p = sub.add_parser("presets", help="list the sensor band presets")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_presets)


def cmd_presets(args) -> int:
    from ..io.presets import list_presets

    presets = list_presets()
    if args.json:
        json.dump(presets, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for name, p in presets.items():
        wl = ", ".join(f"{w:g}" for w in p["wavelengths_um"])
        print(f"{name:15s} {p.get('label', '')}\n{'':15s} bands {', '.join(p['bands'])}: {wl} um")
    return 0
