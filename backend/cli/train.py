"""`botaclip train`: a thin front door onto :func:`backend.train.train_model`; writes a model
folder (bundle + report/)."""

from __future__ import annotations

import json
import sys

from .options import (
    BACKBONE_CHOICES,
    add_band_options,
    add_overwrite_option,
    add_releve_options,
    json_object,
    releve_options,
    terminal_progress,
)


def register(sub) -> None:
    """Add the train subcommand to the `botaclip` parser."""
    p = sub.add_parser("train", help="train a BotaCLIP model on an orthophoto and relevés",
                       description="Train BotaCLIP's image adapter and relevé encoder on a "
                       "frozen backbone; writes a model folder (bundle + report/).")
    p.add_argument("--ortho", required=True, metavar="RASTER", help="orthophoto (any GDAL "
                   "raster in a projected CRS)")
    p.add_argument("--releves", required=True, metavar="VECTOR", help="relevé point layer "
                   "(or header table with --x/--y/--crs)")
    add_releve_options(p)
    add_band_options(p)
    _add_model_options(p)
    _add_split_options(p)
    p.add_argument("--out", required=True, metavar="MODEL_DIR", help="model folder to write")
    add_overwrite_option(p, "a folder holding other files")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_train)


def _add_model_options(p) -> None:
    """The "model" option group: backbone, training and feature-cache settings."""
    from ..releves import TRANSFORMS
    from ..train import DEFAULT_COVER_TRANSFORM

    g = p.add_argument_group("model")
    g.add_argument("--backbone", default="dofa-base", metavar="NAME",
                   help=f"{BACKBONE_CHOICES} (default dofa-base)")
    g.add_argument("--weights", metavar="PATH|none", help="backbone weights file; 'none' for "
                   "random weights (tests and demonstrations only); default: DOFA's file in "
                   "--weights-dir")
    g.add_argument("--weights-dir", metavar="DIR", help="folder of DOFA weight files "
                   "(default $BOTACLIP_WEIGHTS_DIR or ~/.botaclip/weights)")
    g.add_argument("--backbone-config", type=json_object, metavar="JSON",
                   help="DOFA architecture as a JSON object or .json file (dofa-custom)")
    g.add_argument("--epochs", type=int, default=50, help="training epochs (default 50)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where the backbone and the training run (default auto)")
    g.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16"],
                   help="backbone precision; bfloat16 is used only where its embeddings agree "
                   "with float32 (default auto)")
    g.add_argument("--cover-transform", default=DEFAULT_COVER_TRANSFORM, choices=TRANSFORMS,
                   help=f"transform of the covers (default {DEFAULT_COVER_TRANSFORM})")
    g.add_argument("--min-valid", type=float, default=0.8, metavar="F",
                   help="least fraction of valid pixels in a plot's patch (default 0.8)")
    g.add_argument("--batch-size", type=int, metavar="N", help="plots per backbone batch "
                   "(each gives 8 patches; default 8 on a CPU, 32 on a GPU)")
    g.add_argument("--cache-dir", metavar="DIR", help="feature cache (default "
                   "$BOTACLIP_CACHE_DIR or ~/.cache/botaclip/features)")
    g.add_argument("--no-cache", action="store_true", help="do not read or write the feature "
                   "cache (and do not resume an interrupted training)")


def _add_split_options(p) -> None:
    """The "split" option group: how plots are held out to choose the epoch and to test."""
    g = p.add_argument_group(
        "split", "Plots are split in whole square blocks into training, validation (chooses "
        "the epoch kept) and test (the figure reported); training plots closer than the "
        "buffer to a validation or test plot are left out.")
    g.add_argument("--buffer-m", type=float, metavar="M", help="leave out training plots "
                   "closer than M metres (along x and y) to a validation or test plot "
                   "(default: the patch size, so that no training patch overlaps a held-out "
                   "one; 0: no buffer)")
    g.add_argument("--block-m", type=float, default=500.0, metavar="M",
                   help="side of the spatial blocks (default 500; made smaller when too few "
                   "blocks hold plots)")
    g.add_argument("--val-fraction", type=float, default=0.2, metavar="F",
                   help="share of the plots for validation (default 0.2)")
    g.add_argument("--test-fraction", type=float, default=0.2, metavar="F",
                   help="share of the plots for the test (default 0.2)")


def cmd_train(args) -> int:
    from ..train import TrainConfig, train_model

    config = TrainConfig(block_m=args.block_m, val_fraction=args.val_fraction,
                         test_fraction=args.test_fraction, buffer_m=args.buffer_m)
    summary = train_model(
        args.ortho, args.releves, args.out, options=releve_options(args), sensor=args.sensor,
        wavelengths=args.wavelengths, patch_m=args.patch_m, backbone=args.backbone,
        weights=args.weights, weights_dir=args.weights_dir,
        backbone_config=args.backbone_config, epochs=args.epochs, seed=args.seed,
        device=args.device, precision=args.precision, cover_transform=args.cover_transform,
        min_valid=args.min_valid, cache_dir=False if args.no_cache else args.cache_dir,
        batch_size=args.batch_size, config=config, overwrite=args.overwrite,
        progress=terminal_progress(args))
    if args.json:
        from ..bundle import to_jsonable

        json.dump(to_jsonable(summary.to_dict()), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(summary.text())
    return 0
