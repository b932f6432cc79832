"""`botaclip releves import`: a long table (plot, taxon, cover) and a header table (plot,
x, y) -> one wide relevé point layer."""

from __future__ import annotations

from .options import COVER_SCALES, add_overwrite_option, cover_mapping, terminal_progress


def register(sub) -> None:
    """Add the releves subcommand group (releves import) to the `botaclip` parser."""
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
    q.add_argument("--out", required=True, metavar="OUT.gpkg",
                   help="relevé layer to write (into an existing GeoPackage as its layer "
                   "'releves', other layers kept)")
    add_overwrite_option(q, "a file or layer 'releves'")
    q.add_argument("--cover-scale", choices=COVER_SCALES, default="auto")
    q.add_argument("--cover-mapping", type=cover_mapping, metavar="MAP")
    q.add_argument("--quiet", action="store_true")
    q.set_defaults(func=cmd_releves_import)


def cmd_releves_import(args) -> int:
    from ..releves import import_releves

    res = import_releves(args.table, args.header, plot_id=args.plot_id, taxon=args.taxon,
                         cover=args.cover, x=args.x, y=args.y, crs=args.crs, out=args.out,
                         cover_scale=args.cover_scale, cover_mapping=args.cover_mapping,
                         table_plot_id=args.table_plot_id, overwrite=args.overwrite,
                         progress=terminal_progress(args))
    print(f"{res.n_plots} plots, {res.n_taxa} taxa (covers read as {res.cover_scale}) "
          f"written to {res.path}")
    return 0
