"""`botaclip embed`: stream an orthophoto through a model into an embedding raster.

    botaclip embed (--model MODEL_DIR | --backbone NAME --weights PATH|none [band options]
                    [--patch-m M]) --ortho RASTER --out EMB.tif [--stride-m S]
                   [--extent xmin,ymin,xmax,ymax] [--mask POLYGONS] [--preview PREVIEW.tif]
                   [--device auto|cpu|cuda] [--precision auto|float32|bfloat16|int8]
                   [--batch-size N] [--dtype float16|float32] [--min-valid F] [--workers N]
                   [--calibrate auto|always|never] [--no-resume] [--cache-dir DIR]
                   [--backbone-config JSON] [--quiet] [--json]
                   [--scheduler local[:N]|tcp://HOST:PORT|FILE.json [--keep-tiles]
                    [--tile-patches N]]

Exit status as for every command (see backend.cli.main): 0 written, 2 bad input or
environment, 130 cancelled or interrupted (finished blocks are kept: the same command
continues).
"""

from __future__ import annotations

import json
import sys

from ..errors import BotaclipError
from .options import add_band_options, add_overwrite_option, terminal_progress

EMBED_BACKBONE_CHOICES = "dofa-small, dofa-base, dofa-large, timm:NAME or spectral"


def register(sub) -> None:
    """Add the embed subcommand to the `botaclip` parser."""
    p = sub.add_parser(
        "embed", help="embed an orthophoto into a cloud-optimised embedding raster",
        description="Stream an orthophoto through a trained model (--model) or a bare backbone "
                    "(--backbone) into a cloud-optimised GeoTIFF with one band per embedding "
                    "dimension; pixel size = stride, pixel centre = patch centre. An "
                    "interrupted run continues where it stopped when run again.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", metavar="MODEL_DIR",
                     help="trained model bundle (its patch size and bands are used)")
    src.add_argument("--backbone", metavar="NAME",
                     help=f"bare backbone: {EMBED_BACKBONE_CHOICES}")
    p.add_argument("--weights", metavar="PATH|none",
                   help="backbone weights file, or 'none' for random weights (tests only); "
                   "with --model: where the backbone weights are now, if they moved")
    p.add_argument("--backbone-config", metavar="JSON",
                   help="DOFA architecture as JSON text or a .json file (tiny test models)")
    add_band_options(p)
    p.set_defaults(patch_m=None)          # None: 100 m, or the model's patch size
    p.add_argument("--ortho", required=True, metavar="RASTER",
                   help="orthophoto (any GDAL raster or VRT mosaic, projected CRS)")
    p.add_argument("--out", required=True, metavar="EMB.tif", help="embedding raster to write")
    add_overwrite_option(p, "a raster (--out, --preview)")
    _add_extent_options(p)
    _add_run_options(p)
    _add_scale_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=cmd_embed)


def _add_extent_options(p) -> None:
    """Where patches are taken and what else is written: stride, extent, mask, preview."""
    p.add_argument("--stride-m", type=float, metavar="S",
                   help="distance between patch centres = output pixel size, in metres "
                   "(default: half the patch)")
    p.add_argument("--extent", metavar="xmin,ymin,xmax,ymax",
                   help="limit to this rectangle, in the orthophoto's CRS (write "
                   "--extent=-10,... when xmin is negative)")
    p.add_argument("--mask", metavar="POLYGONS",
                   help="limit to these polygons (any OGR layer; reprojected)")
    p.add_argument("--preview", metavar="PREVIEW.tif",
                   help="also write the first three principal components as an RGB raster")


def _add_run_options(p) -> None:
    """How the run goes: device, precision, batches, output type, workers, resume."""
    p.add_argument("--device", default="auto", metavar="auto|cpu|cuda",
                   help="where the model runs (default auto: a GPU when there is one)")
    p.add_argument("--precision", default="auto",
                   choices=["auto", "float32", "bfloat16", "int8"],
                   help="float32, bfloat16 (autocast) or int8 (CPU: linear layers quantised) "
                   "as asked, with a warning when it agrees poorly with float32 on sample "
                   "patches; default auto: bfloat16 where it is native and agrees, else float32 "
                   "(auto never picks int8: see the README's Precision section)")
    p.add_argument("--batch-size", type=int, metavar="N",
                   help="patches per forward pass (default: measured on this machine, see "
                   "--calibrate)")
    p.add_argument("--dtype", default="float16", choices=["float16", "float32"],
                   help="output values (default float16: half the size)")
    p.add_argument("--min-valid", type=float, default=0.5, metavar="F",
                   help="least fraction of valid pixels for a patch to be embedded "
                   "(default 0.5); other pixels are nodata")
    p.add_argument("--workers", type=int, metavar="N",
                   help="reader threads (default: from the measured read and model times; "
                   "0: read on the compute thread)")
    p.add_argument("--calibrate", default="auto", choices=["auto", "always", "never"],
                   help="time a few batches at the start to choose the batch size and "
                   "reader threads; auto: once per machine, model and precision (cached), "
                   "and only for runs large enough to pay for it")
    p.add_argument("--no-resume", action="store_true",
                   help="start afresh even if an interrupted run of the same job is found")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where the resume state lives (default $BOTACLIP_CACHE_DIR/embed or "
                   "~/.cache/botaclip/embed)")


def _add_scale_options(p) -> None:
    """Scale out on Dask: where the tiles run, how big they are, whether they are kept."""
    p.add_argument("--scheduler", metavar="local[:N]|tcp://HOST:PORT|FILE.json",
                   help="embed tile by tile on Dask: local:N starts N worker processes here "
                   "(one per GPU with --device cuda), tcp://HOST:PORT or a scheduler file "
                   "joins a running cluster; the same raster, resumable tile by tile")
    p.add_argument("--keep-tiles", action="store_true",
                   help="with --scheduler: keep the tiles (OUT.tiles/) and write OUT.vrt over "
                   "them instead of one COG")
    p.add_argument("--tile-patches", type=int, metavar="N",
                   help="with --scheduler: about N patches per tile (default 4096)")


def cmd_embed(args) -> int:
    from ..embed import embed_raster

    if args.model and args.backbone_config:
        raise BotaclipError("--backbone-config goes with --backbone; a model bundle records "
                            "its backbone's architecture.")
    if args.scheduler:
        return _cmd_distributed(args)
    if args.keep_tiles or args.tile_patches is not None:
        raise BotaclipError("--keep-tiles and --tile-patches go with --scheduler (a run on "
                            "Dask, tile by tile).")
    res = embed_raster(
        args.ortho, args.out, model=args.model, backbone=args.backbone, weights=args.weights,
        sensor=args.sensor, wavelengths=args.wavelengths,
        backbone_config=args.backbone_config, patch_m=args.patch_m, stride_m=args.stride_m,
        extent=args.extent, mask=args.mask, preview=args.preview, device=args.device,
        precision=args.precision, batch_size=args.batch_size, dtype=args.dtype,
        min_valid=args.min_valid, workers=args.workers, resume=not args.no_resume,
        cache_dir=args.cache_dir, overwrite=args.overwrite, calibrate=args.calibrate,
        progress=terminal_progress(args))
    if args.json:
        from ..bundle import to_jsonable

        json.dump(to_jsonable(res.to_dict()), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_summary(res)
    return 0


def _cmd_distributed(args) -> int:
    """`botaclip embed --scheduler ...`: the same settings, run tile by tile on Dask."""
    from ..distributed import DEFAULT_TILE_PATCHES, embed_distributed

    if args.cache_dir:
        raise BotaclipError("--cache-dir does not apply with --scheduler: the tiles' resume "
                            "state lives in the tile folder beside --out.")
    res = embed_distributed(
        args.ortho, args.out, scheduler=args.scheduler, keep_tiles=args.keep_tiles,
        tile_patches=args.tile_patches or DEFAULT_TILE_PATCHES, preview=args.preview,
        resume=not args.no_resume, overwrite=args.overwrite, progress=terminal_progress(args),
        model=args.model, backbone=args.backbone, weights=args.weights, sensor=args.sensor,
        wavelengths=args.wavelengths, backbone_config=args.backbone_config,
        patch_m=args.patch_m, stride_m=args.stride_m, extent=args.extent, mask=args.mask,
        device=args.device, precision=args.precision, batch_size=args.batch_size,
        dtype=args.dtype, min_valid=args.min_valid, workers=args.workers,
        calibrate=args.calibrate)
    if args.json:
        from ..bundle import to_jsonable

        json.dump(to_jsonable(res.to_dict()), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    d, h, w = res.shape
    print(f"Embedding written to {res.out}: {w} x {h} pixels, {d} bands ({res.dtype}); "
          f"{res.n_patches} patches embedded; {res.n_tiles} tiles ({res.tiles_computed} "
          f"computed, {res.tiles_resumed} resumed) on {res.scheduler}; {res.seconds:.1f} s "
          f"({res.patches_per_s:.1f} patches/s, {res.precision}).")
    if res.preview:
        print(f"Preview written to {res.preview}.")
    return 0


def _print_summary(res) -> None:
    """The human-readable result of an embed run, on stdout."""
    d, h, w = res.shape
    print(f"Embedding written to {res.out}: {w} x {h} pixels, {d} bands ({res.dtype}), "
          f"{res.crs}; {res.n_patches} patches embedded, {res.n_nodata} nodata; "
          f"{res.seconds:.1f} s ({res.patches_per_s:.1f} patches/s, {res.precision}, "
          f"batch {res.batch_size}, {res.workers} reader thread(s), "
          f"{_chosen_by(res.calibration)}).")
    if res.preview:
        print(f"Preview written to {res.preview}.")


def _chosen_by(calibration: dict) -> str:
    """How the batch size was chosen, in a few words."""
    return {"measured": "measured on this machine", "cache": "from the calibration cache",
            "given": "as given"}.get((calibration or {}).get("source"), "memory rule")
