"""`botaclip habitats`: habitat clusters of an embedding raster (k-means, fixed k or chosen
by the Davies-Bouldin index) into a categorical map with a palette and a legend, and an
optional per-cluster summary folder."""

from __future__ import annotations

from .options import add_overwrite_option, add_scheduler_option, terminal_progress

EPILOG = ("--k auto fits k-means for every k of --k-range on the sample and keeps the k with "
          "the lowest Davies-Bouldin index (printed as a curve). --summary DIR writes "
          "clusters.json and clusters.html (area per cluster; with --ortho a thumbnail of "
          "the patch nearest each cluster's centre; with --model the taxa most typical of "
          "each cluster, for an embedding raster made with that model).")


def register(sub) -> None:
    """Add the habitats subcommand to the `botaclip` parser."""
    p = sub.add_parser("habitats", help="habitat clusters (k-means) of an embedding raster "
                       "into a categorical map with a legend", epilog=EPILOG)
    p.add_argument("--embeddings", required=True, metavar="EMB.tif",
                   help="embedding raster written by 'botaclip embed'")
    p.add_argument("--k", required=True, metavar="K|auto",
                   help="number of clusters (2-254), or 'auto' to choose it")
    p.add_argument("--k-range", default="3-15", metavar="LOW-HIGH",
                   help="with --k auto: the k tried, both ends included (default 3-15)")
    p.add_argument("--sample", type=int, default=20000, metavar="N",
                   help="pixels drawn uniformly to fit the clusters on (default 20000)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="random seed (the same seed gives the same map)")
    p.add_argument("--summary", metavar="DIR", help="write DIR/clusters.json, clusters.html "
                   "and thumbnails")
    p.add_argument("--ortho", metavar="RASTER", help="with --summary: orthophoto for a "
                   "thumbnail per cluster")
    p.add_argument("--model", metavar="MODEL_DIR", help="with --summary: the bundle the "
                   "embedding raster was made with, for the typical taxa")
    p.add_argument("--out", required=True, metavar="HAB.tif", help="habitat map (COG)")
    add_scheduler_option(p, "map")
    add_overwrite_option(p, "an output file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_habitats)


def cmd_habitats(args) -> int:
    from ..errors import BotaclipError
    from ..habitats import cluster_map

    if (args.ortho or args.model) and not args.summary:
        raise BotaclipError("--ortho and --model only feed the summary: add --summary DIR, "
                            "or leave them out.")
    res = cluster_map(args.embeddings, args.out, k=args.k, k_range=args.k_range,
                      sample=args.sample, seed=args.seed, summary_dir=args.summary,
                      ortho=args.ortho, model=args.model, overwrite=args.overwrite,
                      progress=terminal_progress(args), scheduler=args.scheduler)
    if len(res.db_curve) > 1:
        print("Davies-Bouldin index (lower is better): " + ", ".join(
            f"k={k} {v:.3f}" for k, v in res.db_curve.items()))
    print(f"k = {res.k}; pixels per cluster: "
          + ", ".join(f"{i + 1}: {n}" for i, n in enumerate(res.sizes)))
    print(f"map: {res.out}")
    if res.summary:
        print(f"summary: {res.summary} (and {res.summary.with_name('clusters.html')})")
    return 0
