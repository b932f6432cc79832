"""`botaclip suitability`: where each taxon would find its habitat, and the expected community
(expected richness, the most likely taxon), from a model bundle and an embedding raster made
with it (see :mod:`backend.zeroshot.suitability`).
"""

from __future__ import annotations

from .options import add_overwrite_option, terminal_progress

EPILOG = ("Examples: --taxa 'Carex nigra; Caltha palustris' (one band each); --all (every "
          "taxon the model knows); --expected-community (expected richness and the most "
          "likely taxon per pixel, retrieved over the relevés the model was trained on, or "
          "--releves VECTOR).")


def register(sub) -> None:
    """Add the suitability subcommand to the `botaclip` parser."""
    p = sub.add_parser("suitability", help="per-taxon suitability and expected community "
                       "from a model's shared space (no new labels)", epilog=EPILOG)
    p.add_argument("--model", required=True, metavar="MODEL_DIR",
                   help="model bundle from 'botaclip train'")
    p.add_argument("--embeddings", required=True, metavar="EMB.tif",
                   help="embedding raster written by 'botaclip embed --model MODEL_DIR'")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--taxa", metavar="'A; B'", help="taxa separated by ';' (one band each)")
    what.add_argument("--all", action="store_true", help="every taxon of the model")
    p.add_argument("--expected-community", action="store_true",
                   help="add the expected-richness and top-taxon bands (soft retrieval over "
                   "the training relevés)")
    p.add_argument("--releves", metavar="VECTOR", help="relevés to retrieve from (default: "
                   "those the model was trained on)")
    p.add_argument("--out", required=True, metavar="SUIT.tif", help="suitability map (COG)")
    add_overwrite_option(p, "an output file")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_suitability)


def cmd_suitability(args) -> int:
    from ..zeroshot.suitability import suitability_map

    res = suitability_map(args.model, args.embeddings, args.out, taxa=args.taxa,
                          all_taxa=args.all, expected_community=args.expected_community,
                          releves=args.releves, overwrite=args.overwrite,
                          progress=terminal_progress(args))
    print(f"map: {res.out} ({len(res.bands)} bands: {', '.join(res.bands[:6])}"
          f"{' ...' if len(res.bands) > 6 else ''})")
    print(f"pixels: {res.n_valid} valid of {res.width * res.height}")
    if res.temperature is not None:
        lo, hi = res.richness_range
        print(f"expected community: temperature {res.temperature:.3f} "
              f"({res.tags['BOTACLIP_RETRIEVAL'].get('method')}), reference richness "
              f"{lo:g}-{hi:g} taxa; top-taxon legend in the BOTACLIP_CLASS_NAMES tag")
    return 0
