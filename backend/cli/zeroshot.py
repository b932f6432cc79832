"""`botaclip similarity`: where else looks like this place (a point or a polygon), this relevé
or this species list -- the cosine similarity of every pixel of an embedding raster to the
query, written as a COG (see :mod:`backend.zeroshot.similarity`).

A point or polygon needs only the embedding raster; relevés and species lists are encoded by
a model's relevé encoder (``--model``), which must be the model that made the raster.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BotaclipError
from .options import add_overwrite_option, add_scheduler_option, terminal_progress

EPILOG = ("Examples: --at 951000,6451000 (in the raster's CRS) or --at 6.5,45.2 --crs "
          "EPSG:4326; --polygon wetland.gpkg or --polygon 'POLYGON((...))'; --model MODEL_DIR "
          "--releves plots.gpkg --plot P12,P40; --model MODEL_DIR --taxa 'Carex nigra; "
          "Caltha palustris=20'.")


def register(sub) -> None:
    """Add the similarity subcommand to the `botaclip` parser."""
    p = sub.add_parser("similarity", help="where else looks like a place, a relevé or a "
                       "species list (cosine similarity map)", epilog=EPILOG)
    p.add_argument("--embeddings", required=True, metavar="EMB.tif",
                   help="embedding raster written by 'botaclip embed'")
    q = p.add_mutually_exclusive_group(required=True)
    q.add_argument("--at", metavar="X,Y", help="the place: a point (default: in the "
                   "raster's CRS)")
    q.add_argument("--polygon", metavar="WKT_OR_VECTOR", help="the place: a polygon as WKT "
                   "or a polygon layer (the mean of the pixels inside)")
    q.add_argument("--model", metavar="MODEL_DIR", help="model bundle that made the "
                   "raster, with --releves/--plot or --taxa")
    p.add_argument("--crs", metavar="CRS", help="CRS of --at or a WKT --polygon, e.g. "
                   "EPSG:4326 (longitude first)")
    p.add_argument("--releves", metavar="VECTOR", help="with --model: relevé layer")
    p.add_argument("--plot", metavar="ID[,ID]", help="with --releves: plot id(s); several "
                   "make their mean")
    p.add_argument("--taxa", metavar="TEXT", help="with --model: 'Name one; Name two[=cover]'")
    p.add_argument("--threshold", type=float, metavar="T", help="also report the area with a "
                   "similarity of at least T (a cosine, -1 to 1)")
    p.add_argument("--out", required=True, metavar="SIM.tif", help="similarity map (COG)")
    add_scheduler_option(p, "map")
    add_overwrite_option(p, "an output file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_similarity)


def _xy(text: str) -> tuple[float, float]:
    parts = [t.strip() for t in str(text).split(",")]
    try:
        x, y = (float(t) for t in parts)
    except ValueError:
        raise BotaclipError(f"--at {text!r} is not a point: write X,Y with two numbers, e.g. "
                            "--at 951000,6451000 (longitude first with --crs EPSG:4326).") \
            from None
    return x, y


def query_from_args(args) -> tuple:
    """(query vector, its description for the tags and the terminal) from the options."""
    from ..zeroshot.similarity import query_at_point, query_in_polygon, read_polygon

    crs = f" {args.crs}" if args.crs else ""
    if args.at:
        x, y = _xy(args.at)
        return query_at_point(args.embeddings, x, y, args.crs), f"point {x:.10g},{y:.10g}{crs}"
    if args.polygon:
        if Path(args.polygon).exists():
            wkt, srs = read_polygon(args.polygon)
            return (query_in_polygon(args.embeddings, wkt, srs or args.crs),
                    f"polygon layer {args.polygon}")
        return query_in_polygon(args.embeddings, args.polygon, args.crs), "polygon (WKT)"
    from ..zeroshot import community

    if args.releves and args.plot and not args.taxa:
        return (community.query_from_releves(args.model, args.embeddings, args.releves,
                                             args.plot),
                f"relevés {args.plot} of {args.releves} (model {args.model})")
    if args.taxa and not args.releves:
        return (community.query_from_taxa(args.model, args.embeddings, args.taxa),
                f"taxa {args.taxa} (model {args.model})")
    raise BotaclipError("With --model give either --releves VECTOR --plot ID[,ID] or --taxa "
                        "'Name one; Name two[=cover]' (one of the two).")


def cmd_similarity(args) -> int:
    from ..zeroshot.similarity import similarity_map

    if not args.model and (args.releves or args.plot or args.taxa):
        raise BotaclipError("--releves, --plot and --taxa need --model MODEL_DIR (the model "
                            "whose relevé encoder turns them into a query).")
    query, text = query_from_args(args)
    res = similarity_map(args.embeddings, args.out, query, threshold=args.threshold,
                         overwrite=args.overwrite, tags={"query": text},
                         progress=terminal_progress(args), scheduler=args.scheduler)
    s = res.stats.get(res.bands[0], {})
    print(f"query: {text}")
    if s:
        print(f"similarity: min {s['min']:.3f}, median {s['p50']:.3f}, max {s['max']:.3f} "
              f"over {res.n_valid} pixels")
    if res.area_above_km2 is not None:
        print(f"area with similarity >= {res.threshold:g}: "
              f"{res.area_above_km2[res.bands[0]]:.3f} km2")
    print(f"map: {res.out}")
    return 0
