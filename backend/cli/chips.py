"""`botaclip embed-chips`: embed image chips taken whole (GeoTIFF, PNG, JPEG...) with a
trained model (adapted, L2-normalised embeddings) or with a bare backbone (its pooled
features), one CSV row per chip."""

from __future__ import annotations

import sys

from ..errors import BotaclipError
from .options import BACKBONE_CHOICES, add_overwrite_option, json_object, terminal_progress


def register(sub) -> None:
    """Add the embed-chips subcommand to the `botaclip` parser."""
    p = sub.add_parser("embed-chips", help="embed image chips (whole files) into a CSV",
                       description="One CSV row per chip: its path, then one column per "
                       "dimension. With --model: the model's adapted, L2-normalised embedding; "
                       "with --backbone: the backbone's pooled features.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", metavar="MODEL_DIR", help="a trained model folder")
    src.add_argument("--backbone", metavar="NAME", help=BACKBONE_CHOICES)
    p.add_argument("--weights", metavar="PATH|none", help="backbone weights (with --backbone; "
                   "with --model, where the recorded file has moved)")
    p.add_argument("--weights-dir", metavar="DIR")
    p.add_argument("--backbone-config", type=json_object, metavar="JSON")
    p.add_argument("--wavelengths", metavar="LIST", help="band centre wavelengths of the "
                   "chips in micrometres (default: from the chips' band descriptions or "
                   "colours; with --model, the model's)")
    p.add_argument("--normalize", default="auto", choices=["auto", "none"],
                   help="auto: the model's normalisation, or for a backbone ImageNet "
                   "statistics for 8-bit RGB chips and else the chips' own per-band "
                   "statistics; none: values go to the backbone unchanged")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--precision", default=None, choices=["float32", "bfloat16"],
                   help="backbone precision (default: the model's; float32 for a backbone)")
    p.add_argument("--out", required=True, metavar="FEATURES.csv")
    add_overwrite_option(p, "a CSV file")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("chips", nargs="+", metavar="CHIP")
    p.set_defaults(func=cmd_embed_chips)


def cmd_embed_chips(args) -> int:
    from ..embed import embed_chips

    if args.backbone is None and args.backbone_config is not None:
        raise BotaclipError("--backbone-config goes with --backbone, not --model (a model "
                            "records its backbone).")
    rows, _ = embed_chips(
        args.chips, args.out, model=args.model, backbone=args.backbone, weights=args.weights,
        weights_dir=args.weights_dir, backbone_config=args.backbone_config,
        wavelengths=args.wavelengths, normalize=args.normalize, device=args.device,
        precision=args.precision, overwrite=args.overwrite, progress=terminal_progress(args))
    print(f"{len(rows)} chip(s) embedded ({rows.shape[1]} dimensions) into {args.out}",
          file=sys.stderr)
    return 0
