"""The `botaclip` command line: a thin front door onto the backend functions.

Exit status: 0 success; 1 the command ran but found nothing usable (check); 2 bad input or
environment (the message says what and how to fix); 130 interrupted. Progress goes to stderr,
results (``--json``) to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import BotaclipError, Cancelled

COVER_SCALES = ["auto", "presence", "percent", "fraction", "braun-blanquet", "count"]


def _csv_list(text):
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _cover_mapping(text):
    """'r=1,+=2,...', or a JSON file {code: percent}, or a CSV file of code,percent lines
    (a first line that is not a number, a header, is skipped)."""
    if not text:
        return None
    p = Path(text)
    if p.suffix.lower() == ".json" and p.exists():
        pairs = list(json.loads(p.read_text(encoding="utf-8")).items())
    elif p.exists():
        lines = [ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
        pairs = [ln.replace(";", ",").split(",")[:2] for ln in lines]
        if pairs and len(pairs[0]) == 2 and not _is_number(pairs[0][1]):
            pairs = pairs[1:]
    else:
        pairs = [item.split("=", 1) for item in text.split(",")]
    mapping = {}
    for pair in pairs:
        if len(pair) != 2 or not _is_number(pair[1]):
            raise BotaclipError(
                f"Cannot read the cover mapping {text!r} at {'='.join(map(str, pair))!r}: write "
                "CODE=PERCENT pairs separated by commas, e.g. 'r=1,+=2,1=3', or a CSV file of "
                "code,percent lines.")
        mapping[str(pair[0]).strip()] = float(pair[1])
    return mapping


def _is_number(text) -> bool:
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False


def add_releve_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("relevé options")
    g.add_argument("--plot-id", metavar="FIELD", help="field holding the plot id "
                   "(default: plot_id if present, else the feature id)")
    g.add_argument("--species-columns", metavar="A,B", type=_csv_list,
                   help="taxon columns of a wide layer (default: every numeric field except "
                   "the plot id and --exclude-columns)")
    g.add_argument("--exclude-columns", metavar="A,B", type=_csv_list,
                   help="numeric fields that are not taxa")
    g.add_argument("--table", metavar="CSV", help="long table (plot id, taxon, cover) joined "
                   "on the plot id to the relevé points")
    g.add_argument("--table-plot-id", metavar="FIELD", help="plot id field of the long "
                   "table when it differs from --plot-id")
    g.add_argument("--taxon", metavar="FIELD", help="taxon field of the long table")
    g.add_argument("--cover", metavar="FIELD", help="cover field of the long table")
    g.add_argument("--cover-scale", choices=COVER_SCALES, default="auto",
                   help="how covers are written (default: auto-detected)")
    g.add_argument("--cover-mapping", metavar="MAP", type=_cover_mapping,
                   help="your own cover codes in percent: 'r=1,+=2' or a CSV/JSON file")
    g.add_argument("--layer", metavar="NAME", help="layer name inside a multi-layer file")
    g.add_argument("--x", metavar="FIELD", help="x/longitude field when --releves is a CSV")
    g.add_argument("--y", metavar="FIELD", help="y/latitude field when --releves is a CSV")
    g.add_argument("--crs", metavar="CRS", help="CRS of --x/--y, e.g. EPSG:4326")


def releve_options(args):
    from .io.releves import ReleveOptions

    return ReleveOptions(
        plot_id=args.plot_id, species_columns=args.species_columns,
        exclude_columns=args.exclude_columns, table=args.table, taxon=args.taxon,
        cover=args.cover, cover_scale=args.cover_scale, cover_mapping=args.cover_mapping,
        x=args.x, y=args.y, crs=args.crs, layer=args.layer,
        table_plot_id=getattr(args, "table_plot_id", None))


def add_band_options(p: argparse.ArgumentParser, patch_default: float = 100.0) -> None:
    g = p.add_argument_group("band options")
    g.add_argument("--sensor", metavar="PRESET",
                   help="band preset, e.g. bdortho-rvb, bdortho-irc, naip, sentinel2-l2a "
                   "(`botaclip presets` lists them)")
    g.add_argument("--wavelengths", metavar="LIST",
                   help="band centre wavelengths in micrometres, e.g. 0.665,0.56,0.49,0.842")
    g.add_argument("--patch-m", type=float, default=patch_default, metavar="M",
                   help=f"patch side in metres (default {patch_default:g})")


def _progress(args):
    from .progress import TerminalProgress

    return TerminalProgress(quiet=getattr(args, "quiet", False))


# ---------------------------------------------------------------- commands

def cmd_demo_data(args) -> int:
    from .demo import generate_demo_data

    res = generate_demo_data(args.out, size_m=args.size_m, seed=args.seed,
                             progress=_progress(args))
    print(f"Synthetic demo landscape written to {res.out_dir}: {res.n_releves} relevés, "
          f"{len(res.taxa)} taxa.", file=sys.stderr)
    return 0


def cmd_check(args) -> int:
    from .check import check_data

    report = check_data(
        args.ortho, args.releves, releve_options(args), sensor=args.sensor,
        wavelengths=args.wavelengths, patch_m=args.patch_m, min_valid=args.min_valid,
        contact_sheet=args.contact_sheet, plots_out=args.plots_out, json_out=args.json_out,
        progress=_progress(args))
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


def cmd_releves_import(args) -> int:
    from .io.releves import import_releves

    res = import_releves(args.table, args.header, plot_id=args.plot_id, taxon=args.taxon,
                         cover=args.cover, x=args.x, y=args.y, crs=args.crs, out=args.out,
                         cover_scale=args.cover_scale, cover_mapping=args.cover_mapping,
                         table_plot_id=args.table_plot_id, progress=_progress(args))
    print(f"{res.n_plots} plots, {res.n_taxa} taxa (covers read as {res.cover_scale}) "
          f"written to {res.path}")
    return 0


def cmd_presets(args) -> int:
    from .io.presets import list_presets

    presets = list_presets()
    if args.json:
        json.dump(presets, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for name, p in presets.items():
        wl = ", ".join(f"{w:g}" for w in p["wavelengths_um"])
        print(f"{name:15s} {p.get('label', '')}\n{'':15s} bands {', '.join(p['bands'])}: {wl} um")
    return 0


def _demo_backbone(args, prog) -> tuple[str, str | None]:
    """dofa-base when its weights are in the weights folder (or given), else the spectral
    baseline: DOFA with random weights would run the same pipeline but give meaningless
    embeddings, while the baseline's are real (if weaker) and need no download."""
    if args.backbone:
        return args.backbone, args.weights
    from .models.weights import find_dofa_weights

    try:
        return "dofa-base", str(find_dofa_weights("dofa-base", args.weights_dir))
    except BotaclipError:
        prog.warn("No DOFA-base weights in the weights folder: the demo trains on the "
                  "'spectral' baseline backbone instead (no weights needed). Put "
                  "DOFA_ViT_base_e100.pth in ~/.botaclip/weights (or pass --weights-dir) to "
                  "run it on DOFA, or pass --backbone dofa-base --weights none to run DOFA "
                  "with random weights.")
        return "spectral", None


def cmd_demo(args) -> int:
    """The main job on the built-in demo landscape: data, check, train, embed."""
    from .check import check_data
    from .demo import generate_demo_data
    from .embed import embed_raster
    from .progress import TerminalProgress
    from .train import train_model

    out = Path(args.out)
    prog = TerminalProgress()
    prog.info(f"1/4 Generating the synthetic demo landscape in {out / 'data'}")
    res = generate_demo_data(out / "data", size_m=args.size_m, seed=args.seed,
                             progress=prog)
    prog.info("2/4 Checking the orthophoto against the relevés")
    report = check_data(res.orthophoto, res.releves, contact_sheet=out / "check_contact.png",
                        plots_out=out / "check_plots.gpkg", json_out=out / "check.json",
                        progress=prog)
    print(report.summary())
    if not report.plots_usable:
        return 1
    backbone, weights = _demo_backbone(args, prog)
    prog.info(f"3/4 Training a model on backbone {backbone}")
    summary = train_model(res.orthophoto, res.releves, out / "model", backbone=backbone,
                          weights=weights, weights_dir=args.weights_dir, seed=args.seed,
                          epochs=args.epochs, device=args.device, progress=prog)
    print(summary.text())
    prog.info("4/4 Embedding the orthophoto with the trained model")
    emb = embed_raster(res.orthophoto, out / "embedding.tif", model=out / "model",
                       preview=out / "embedding_preview.tif", device=args.device,
                       progress=prog)
    print(f"Embedding raster: {emb.out} ({emb.shape[0]} bands, {emb.shape[2]} x "
          f"{emb.shape[1]} px), preview {emb.preview}")
    print(f"Outputs in {out}: data/ (synthetic), check.json, check_plots.gpkg, "
          "check_contact.png, model/ (report/report.html), embedding.tif, "
          "embedding_preview.tif")
    return 0


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="botaclip",
        description="BotaCLIP: botany-aware embeddings and habitat maps from orthophotos "
                    "and vegetation relevés.")
    parser.add_argument("--version", action="version", version=f"botaclip {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("demo-data", help="write the synthetic demo landscape")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--size-m", type=float, default=2000.0, help="side of the scene in metres")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo_data)

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
    p.add_argument("--plots-out", metavar="GPKG", help="write plots with their status")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("releves", help="relevé tools")
    rsub = p.add_subparsers(dest="releves_command", metavar="SUBCOMMAND")
    rsub.required = True
    q = rsub.add_parser("import", help="long table + header -> wide point layer")
    q.add_argument("--table", required=True, metavar="LONG.csv")
    q.add_argument("--header", required=True, metavar="HEADER.csv")
    q.add_argument("--plot-id", required=True, metavar="FIELD",
                   help="plot id field of the header (and of the table, unless "
                   "--table-plot-id names another)")
    q.add_argument("--table-plot-id", metavar="FIELD",
                   help="plot id field of the long table when it differs from the header's")
    q.add_argument("--taxon", required=True, metavar="FIELD")
    q.add_argument("--cover", required=True, metavar="FIELD")
    q.add_argument("--x", required=True, metavar="FIELD")
    q.add_argument("--y", required=True, metavar="FIELD")
    q.add_argument("--crs", required=True, metavar="CRS")
    q.add_argument("--out", required=True, metavar="OUT.gpkg")
    q.add_argument("--cover-scale", choices=COVER_SCALES, default="auto")
    q.add_argument("--cover-mapping", type=_cover_mapping, metavar="MAP")
    q.add_argument("--quiet", action="store_true")
    q.set_defaults(func=cmd_releves_import)

    p = sub.add_parser("presets", help="list the sensor band presets")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_presets)

    p = sub.add_parser("demo", help="run the whole job on the synthetic demo landscape")
    p.add_argument("--out", default="demo-out", metavar="DIR")
    p.add_argument("--size-m", type=float, default=2000.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backbone", help="backbone to train on (default: dofa-base when its "
                   "weights are found, else spectral)")
    p.add_argument("--weights", metavar="PATH|none", help="backbone weights file, or none")
    p.add_argument("--weights-dir", metavar="DIR", help="folder holding the DOFA weights")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 50)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.set_defaults(func=cmd_demo)

    from . import cli_embed, cli_train
    cli_train.register(sub)
    cli_embed.register(sub)
    return parser


def main(argv=None) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
