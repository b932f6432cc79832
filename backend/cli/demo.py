"""`botaclip demo-data` (write the synthetic demo landscape) and `botaclip demo` (the whole
job on it: data, check, train, embed)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import BotaclipError
from .options import add_overwrite_option, terminal_progress


def register_demo_data(sub) -> None:
    """Add the demo-data subcommand to the `botaclip` parser."""
    p = sub.add_parser("demo-data", help="write the synthetic demo landscape")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write into (a folder holding other files is refused "
                   "unless --overwrite; demo files written before are replaced)")
    add_overwrite_option(p, "a file or folder")
    p.add_argument("--size-m", type=float, default=2000.0, help="side of the scene in metres")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo_data)


def register_demo(sub) -> None:
    """Add the demo subcommand to the `botaclip` parser."""
    p = sub.add_parser("demo", help="run the whole job on the synthetic demo landscape")
    p.add_argument("--out", default="demo-out", metavar="DIR")
    add_overwrite_option(p, "a file or folder")
    p.add_argument("--size-m", type=float, default=2000.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--backbone", help="backbone to train on (default: dofa-base when its "
                   "weights are found, else spectral)")
    p.add_argument("--weights", metavar="PATH|none", help="backbone weights file, or none")
    p.add_argument("--weights-dir", metavar="DIR", help="folder holding the DOFA weights")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default 50)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.set_defaults(func=cmd_demo)


def cmd_demo_data(args) -> int:
    from ..demo import generate_demo_data

    res = generate_demo_data(args.out, size_m=args.size_m, seed=args.seed,
                             overwrite=args.overwrite,
                             progress=terminal_progress(args))
    print(f"Synthetic demo landscape written to {res.out_dir}: {res.n_releves} relevés, "
          f"{len(res.taxa)} taxa.", file=sys.stderr)
    return 0


def _demo_backbone(args, prog) -> tuple[str, str | None]:
    """dofa-base when its weights are in the weights folder (or given), else the spectral
    baseline: DOFA with random weights would run the same pipeline but give meaningless
    embeddings, while the baseline's are real (if weaker) and need no download."""
    if args.backbone:
        return args.backbone, args.weights
    from ..models.weights import find_dofa_weights

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
    from ..check import check_data
    from ..demo import generate_demo_data
    from ..embed import embed_raster
    from ..progress import TerminalProgress
    from ..train import train_model

    out = Path(args.out)
    prog = TerminalProgress()
    prog.info(f"1/4 Generating the synthetic demo landscape in {out / 'data'}")
    res = generate_demo_data(out / "data", size_m=args.size_m, seed=args.seed,
                             overwrite=args.overwrite, progress=prog)
    prog.info("2/4 Checking the orthophoto against the relevés")
    report = check_data(res.orthophoto, res.releves, contact_sheet=out / "check_contact.png",
                        plots_out=out / "check_plots.gpkg", json_out=out / "check.json",
                        overwrite=args.overwrite, progress=prog)
    print(report.summary())
    if not report.plots_usable:
        return 1
    backbone, weights = _demo_backbone(args, prog)
    prog.info(f"3/4 Training a model on backbone {backbone}")
    summary = train_model(res.orthophoto, res.releves, out / "model", backbone=backbone,
                          weights=weights, weights_dir=args.weights_dir, seed=args.seed,
                          epochs=args.epochs, device=args.device, overwrite=args.overwrite,
                          progress=prog)
    print(summary.text())
    prog.info("4/4 Embedding the orthophoto with the trained model")
    emb = embed_raster(res.orthophoto, out / "embedding.tif", model=out / "model",
                       preview=out / "embedding_preview.tif", device=args.device,
                       overwrite=args.overwrite, progress=prog)
    print(f"Embedding raster: {emb.out} ({emb.shape[0]} bands, {emb.shape[2]} x "
          f"{emb.shape[1]} px), preview {emb.preview}")
    print(f"Outputs in {out}: data/ (synthetic), check.json, check_plots.gpkg, "
          "check_contact.png, model/ (report/report.html), embedding.tif, "
          "embedding_preview.tif")
    return 0
