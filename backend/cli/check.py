"""`botaclip check`: check an orthophoto and relevés before training.

Exit status 1 when no plot is usable (the reasons are in the report).
"""

from __future__ import annotations

import json
import sys

from .options import (
    add_band_options,
    add_overwrite_option,
    add_releve_options,
    releve_options,
    terminal_progress,
)


def register(sub) -> None:
    """Add the check subcommand to the `botaclip` parser."""
    p = sub.add_parser("check", help="check an orthophoto and relevés before training")
    p.add_argument("--ortho", required=True, metavar="RASTER")
    p.add_argument("--releves", required=True, metavar="VECTOR")
    add_releve_options(p)
    add_band_options(p)
    p.add_argument("--min-valid", type=float, default=0.8, metavar="F",
                   help="least fraction of valid pixels in a plot's patch (default 0.8)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--json-out", metavar="FILE", help="also write the JSON report to FILE")
    p.add_argument("--contact-sheet", metavar="PNG", help="write sample patches to PNG")
    p.add_argument("--plots-out", metavar="GPKG", help="write plots with their status (into "
                   "an existing GeoPackage as its layer plot_status, other layers kept)")
    add_overwrite_option(p, "an output file or layer")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_check)


def cmd_check(args) -> int:
    from ..check import check_data

    report = check_data(
        args.ortho, args.releves, releve_options(args), sensor=args.sensor,
        wavelengths=args.wavelengths, patch_m=args.patch_m, min_valid=args.min_valid,
        contact_sheet=args.contact_sheet, plots_out=args.plots_out, json_out=args.json_out,
        overwrite=args.overwrite, progress=terminal_progress(args))
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(report.summary())
        for k, v in report.outputs.items():
            print(f"{k}: {v}")
    if report.plots_usable == 0:
        print("botaclip: no usable plot: see the reasons above "
              "(fix the CRS, the extent, nodata or --min-valid).", file=sys.stderr)
        return 1
    return 0
