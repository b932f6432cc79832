"""`botaclip predict`: a prediction map from an embedding raster and a point layer
(``--save-model FILE`` keeps the fitted predictor); `botaclip apply`: a saved predictor mapped
onto another embedding raster made with the same model.

``predict`` takes an embedding raster, or an orthophoto and a model bundle (``--ortho
--model``: the orthophoto is embedded on the way into ``PRED.embeddings.tif``, kept beside the
map, and the features at the points are those of the patch centred on each point).
"""

from __future__ import annotations

from .options import add_overwrite_option, add_scheduler_option, terminal_progress

EPILOG = ("Either --embeddings EMB.tif (from 'botaclip embed'), or --ortho RASTER --model "
          "MODEL_DIR: the orthophoto is then embedded on the way into PRED.embeddings.tif "
          "beside the map (kept, and reused by a later run with the same inputs).")


def register(sub) -> None:
    """Add the predict subcommand to the `botaclip` parser."""
    from ..maps.estimators import ESTIMATORS
    from ..maps.metrics import TASKS

    p = sub.add_parser("predict", help="a prediction map (probability, abundance or classes, "
                       "with uncertainty and applicability bands) from embeddings and points",
                       epilog=EPILOG)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--embeddings", metavar="EMB.tif",
                     help="embedding raster written by 'botaclip embed'")
    src.add_argument("--ortho", metavar="RASTER", help="orthophoto, embedded on the way "
                     "with --model")
    p.add_argument("--model", metavar="MODEL_DIR", help="model bundle from 'botaclip train' "
                   "(with --ortho)")
    p.add_argument("--stride-m", type=float, metavar="M", help="with --ortho: the "
                   "embedding's stride (default: half the model's patch side)")
    p.add_argument("--points", required=True, metavar="VECTOR", help="point layer")
    p.add_argument("--layer", metavar="NAME", help="layer of VECTOR (default: the first)")
    p.add_argument("--target", metavar="FIELD[,FIELD]", help="target field(s); several only "
                   "for abundance; none for presence-only means every point is a presence")
    p.add_argument("--task", choices=TASKS, default="presence")
    p.add_argument("--estimator", choices=ESTIMATORS, default="rf")
    p.add_argument("--folds", type=int, default=5, metavar="K",
                   help="spatial cross-validation folds (default 5)")
    p.add_argument("--buffer-m", type=float, metavar="M", help="training points closer than "
                   "M to a test point are left out (default: the embedding's patch side)")
    p.add_argument("--block-m", type=float, metavar="M", help="side of the spatial blocks "
                   "(default: 5 pixels, at least twice the buffer)")
    p.add_argument("--background", type=int, metavar="N", help="presence-only: background "
                   "points (default 10 per presence, at most 10 000)")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="CPU cores for the estimators (default: all)")
    p.add_argument("--report", metavar="DIR", help="write DIR/metrics.json")
    p.add_argument("--save-model", metavar="FILE", help="save the fitted predictor to FILE "
                   "(a zip, e.g. pred.predictor.zip) to map other rasters with 'botaclip "
                   "apply'")
    p.add_argument("--out", required=True, metavar="PRED.tif", help="prediction map (COG)")
    add_scheduler_option(p, "map")
    add_overwrite_option(p, "an output file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_predict)


def _metric_line(name: str, m: dict) -> str:
    keys = ("auc", "tss", "boyce", "mae", "spearman", "r2", "accuracy", "macro_f1", "kappa")
    shown = ", ".join(f"{k} {m[k]:.3f}" for k in keys if isinstance(m.get(k), (int, float)))
    return f"  {name}: {shown or 'no pooled metrics (see the messages)'}"


def cmd_predict(args) -> int:
    from ..maps.pipeline import predict_map

    res = predict_map(
        args.embeddings, args.points, args.target, args.out, ortho=args.ortho,
        model=args.model, stride_m=args.stride_m, task=args.task,
        estimator=args.estimator, folds=args.folds, buffer_m=args.buffer_m,
        block_m=args.block_m, seed=args.seed, background=args.background,
        report_dir=args.report, layer=args.layer, n_jobs=args.jobs,
        save_model=args.save_model, overwrite=args.overwrite,
        progress=terminal_progress(args), scheduler=args.scheduler)
    c = res.point_counts
    left = {k: v for k, v in c.items() if k != "usable" and v}
    print(f"points: {c['usable']} with an embedding"
          + (f", left out: {', '.join(f'{v} {k}' for k, v in left.items())}" if left else ""))
    if res.n_background is not None:
        print(f"background points: {res.n_background}")
    print(f"cross-validated metrics ({res.task}, blocks {res.block_m:g} m, "
          f"buffer {res.buffer_m:g} m):")
    for name, m in res.metrics.items():
        print(_metric_line(name, m))
    if res.embeddings:
        print(f"embeddings: {res.embeddings} (kept beside the map; reused by a later run)")
    print(f"map: {res.out} (bands: {', '.join(res.raster.bands)})")
    if res.report:
        print(f"metrics: {res.report}")
    if res.predictor:
        print(f"predictor: {res.predictor} (map another embedding raster with 'botaclip apply "
              f"--predictor {res.predictor} --embeddings EMB.tif --out PRED.tif')")
    return 0


def register_apply(sub) -> None:
    """Add the apply subcommand to the `botaclip` parser."""
    p = sub.add_parser("apply", help="map another embedding raster with a predictor saved by "
                       "'botaclip predict --save-model'")
    p.add_argument("--predictor", required=True, metavar="FILE",
                   help="the predictor saved by 'botaclip predict --save-model FILE'")
    p.add_argument("--embeddings", required=True, metavar="EMB.tif",
                   help="embedding raster made with the same model as the predictor's")
    p.add_argument("--out", required=True, metavar="PRED.tif", help="prediction map (COG)")
    add_scheduler_option(p, "map")
    add_overwrite_option(p, "an output file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_apply)


def cmd_apply(args) -> int:
    from ..maps.apply import apply_predictor

    res = apply_predictor(args.predictor, args.embeddings, args.out,
                          overwrite=args.overwrite, progress=terminal_progress(args),
                          scheduler=args.scheduler)
    print(f"map: {res.out} (bands: {', '.join(res.bands)})")
    print(f"pixels: {res.n_valid} predicted, {res.n_nodata} nodata"
          + (f", {res.n_inside} inside the area of applicability"
             if res.n_inside is not None else ""))
    return 0
