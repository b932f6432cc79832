"""`botaclip evaluate`: the paper's protocol on the user's data, a thin front door onto
:func:`backend.evaluate.evaluate_sources`; writes REPORT_DIR/evaluation.json and
REPORT_DIR/report.html and prints who wins where."""

from __future__ import annotations

import json
import sys

from ..errors import BotaclipError
from .options import (
    BACKBONE_CHOICES,
    add_band_options,
    add_overwrite_option,
    add_releve_options,
    json_object,
    releve_options,
    terminal_progress,
)

DESCRIPTION = (
    "Compare embedding sources -- the spectral baseline, the frozen backbone and the BotaCLIP "
    "model -- as predictors of plant presence per taxon (TSS) from the relevés and of the "
    "targets of point layers (occurrences: Boyce; abundance: MAE, Spearman; classes: "
    "macro-F1), by repeated spatial block cross-validation with a buffer, the same folds for "
    "every source, and a paired Wilcoxon test across folds. With --model, plant presence is "
    "scored only on plots the model did not train on. Patches have the model's size with "
    "--model, else --patch-m (default 100).")


def register(sub) -> None:
    """Add the evaluate subcommand to the `botaclip` parser."""
    from ..maps.estimators import ESTIMATORS
    from ..maps.metrics import TASKS

    p = sub.add_parser("evaluate", help="compare the spectral baseline, the frozen backbone "
                       "and a BotaCLIP model as predictors (report with a paired test)",
                       description=DESCRIPTION)
    p.add_argument("--ortho", required=True, metavar="RASTER", help="orthophoto")
    p.add_argument("--releves", required=True, metavar="VECTOR", help="relevé point layer "
                   "(plant presence per taxon)")
    add_releve_options(p)
    add_band_options(p)
    p.set_defaults(patch_m=None)
    g = p.add_argument_group("point layers (repeat --points for several)")
    g.add_argument("--points", action="append", metavar="VECTOR", help="a point layer")
    g.add_argument("--target", action="append", metavar="FIELD[,FIELD]", help="its target "
                   "field(s); once per --points, in order (none: every point an occurrence)")
    g.add_argument("--task", action="append", choices=TASKS, help="its task, once per "
                   "--points or once for all (default presence, or presence-only without "
                   "--target)")
    g.add_argument("--points-layer", action="append", metavar="NAME", help="layer of the "
                   "--points file, once per --points")
    _add_model_options(p)
    _add_protocol_options(p, ESTIMATORS)
    p.add_argument("--out", required=True, metavar="REPORT_DIR", help="report folder "
                   "(evaluation.json, report.html)")
    add_overwrite_option(p, "a folder holding other files")
    p.add_argument("--json", action="store_true", help="print the comparisons as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_evaluate)


def _add_model_options(p) -> None:
    g = p.add_argument_group("sources")
    g.add_argument("--model", metavar="MODEL_DIR", help="a model folder written by 'botaclip "
                   "train': the BotaCLIP source, and its backbone as the frozen source")
    g.add_argument("--weights", metavar="PATH|none", help="backbone weights (the frozen source "
                   "without --model; with it, where the model's backbone file now is)")
    g.add_argument("--weights-dir", metavar="DIR", help="folder of DOFA weight files searched "
                   "without --weights (default $BOTACLIP_WEIGHTS_DIR or ~/.botaclip/weights)")
    g.add_argument("--backbone", default="dofa-base", metavar="NAME", help=f"the frozen source "
                   f"without --model: {BACKBONE_CHOICES} (default dofa-base)")
    g.add_argument("--backbone-config", type=json_object, metavar="JSON",
                   help="DOFA architecture as a JSON object or .json file (dofa-custom)")
    g.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    g.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16"])
    g.add_argument("--min-valid", type=float, default=0.5, metavar="F", help="least fraction "
                   "of valid pixels in a point's patch (default 0.5, as embed)")
    g.add_argument("--batch-size", type=int, metavar="N", help="patches per backbone batch")
    g.add_argument("--cache-dir", metavar="DIR", help="feature cache (default "
                   "$BOTACLIP_CACHE_DIR or ~/.cache/botaclip/features)")
    g.add_argument("--no-cache", action="store_true", help="do not read or write the cache")


def _add_protocol_options(p, estimators) -> None:
    g = p.add_argument_group("protocol")
    g.add_argument("--repeats", type=int, default=5, metavar="R",
                   help="repeats of the cross-validation (default 5)")
    g.add_argument("--folds", type=int, default=5, metavar="K", help="folds (default 5)")
    g.add_argument("--buffer-m", type=float, metavar="M", help="training points closer than "
                   "M to a test point are left out (default: the patch side)")
    g.add_argument("--block-m", type=float, metavar="M", help="side of the spatial blocks "
                   "(default: twice the buffer)")
    g.add_argument("--estimator", choices=estimators, default="rf",
                   help="default rf (a random forest, as in the paper)")
    g.add_argument("--trees", type=int, default=100, metavar="N", help="trees of each random "
                   "forest (default 100; the maps' forests have 500, the paper's size)")
    g.add_argument("--min-presences", type=int, default=10, metavar="N", help="score taxa "
                   "with at least N presences and N absences (default 10)")
    g.add_argument("--max-taxa", type=int, metavar="N", help="at most N taxa (the most even)")
    g.add_argument("--background", type=int, metavar="N", help="presence-only: background "
                   "points (default 10 per occurrence, at most 10 000)")
    g.add_argument("--seed", type=int, default=0, metavar="S")
    g.add_argument("--jobs", type=int, metavar="N",
                   help="CPU cores for the estimators (default: all)")


def _layers(args) -> list:
    """The --points groups as PointLayer objects (--target/--task/--points-layer aligned)."""
    from ..evaluate import PointLayer

    points = args.points or []
    per = {}
    for name in ("target", "task", "points_layer"):
        given = getattr(args, name) or []
        flag = "--" + name.replace("_", "-")
        if given and not points:
            raise BotaclipError(f"{flag} goes with --points VECTOR; give the point layer too.")
        if len(given) not in (0, len(points)) and not (name == "task" and len(given) == 1):
            raise BotaclipError(f"Give {flag} once per --points ({len(points)} layers, "
                                f"{len(given)} {flag}).")
        per[name] = given * len(points) if len(given) == 1 and name == "task" else given
    return [PointLayer(path, (per["target"] or [None] * len(points))[i],
                       (per["task"] or [None] * len(points))[i],
                       (per["points_layer"] or [None] * len(points))[i])
            for i, path in enumerate(points)]


def cmd_evaluate(args) -> int:
    from ..evaluate import evaluate_sources

    res = evaluate_sources(
        args.ortho, args.releves, out_dir=args.out, points=_layers(args),
        options=releve_options(args), model=args.model, weights=args.weights,
        weights_dir=args.weights_dir, backbone=args.backbone,
        backbone_config=args.backbone_config, sensor=args.sensor,
        wavelengths=args.wavelengths, patch_m=args.patch_m, repeats=args.repeats,
        folds=args.folds, block_m=args.block_m, buffer_m=args.buffer_m,
        estimator=args.estimator, trees=args.trees, min_presences=args.min_presences,
        max_taxa=args.max_taxa, min_valid=args.min_valid, seed=args.seed, n_jobs=args.jobs,
        device=args.device,
        precision=args.precision, cache_dir=False if args.no_cache else args.cache_dir,
        batch_size=args.batch_size, background=args.background, overwrite=args.overwrite,
        progress=terminal_progress(args))
    if args.json:
        json.dump({"report": str(res.json_path), "comparisons": res.report["comparisons"]},
                  sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for s in res.report["sources"]:
        if not s["available"]:
            print(f"{s['label']}: not evaluated ({s['skipped']})")
    for line in res.sentences or ["Only one source was evaluated: nothing to compare."]:
        print(line)
    print(f"report: {res.html_path}")
    print(f"data:   {res.json_path}")
    return 0
