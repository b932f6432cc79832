"""Reading relevés: :func:`read_releves` (a wide point layer, or a long table joined to the
plots) and :func:`read_releves_and_rows`, which also counts the long-table rows read and can
refuse duplicate plot ids (for :func:`.write.import_releves`)."""

from __future__ import annotations

import numpy as np

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .covers import normalise_scale
from .long import long_id_fields, read_long
from .model import Notice, Releves
from .names import author_variants
from .options import ReleveOptions
from .points import duplicate_ids, read_points, set_plot_ids
from .tables import read_table, rows_text
from .wide import read_wide, settle_taxon_fields, wide_fields


def read_releves_and_rows(source, options: ReleveOptions, progress: Progress, *,
                          refuse_duplicates: bool = False):
    """Releves and the number of long-table rows read (0 for a wide layer)."""
    scale = normalise_scale(options.cover_scale)
    chosen: dict = {}
    n_rows = 0
    if options.table:
        progress.report(0.0, "Reading the long table")
        lt = read_table(options.table, "long table", progress.sub(0.0, 0.3))
        if len(lt) == 0:
            raise BotaclipError(f"The long table {lt.label} has no rows.")
        n_rows = len(lt)

        def choose(schema):
            chosen["id"], chosen["table_id"] = long_id_fields(schema, lt, options, progress)
            return [chosen["id"]]

        pts = read_points(source, options, progress.sub(0.3, 0.6), choose)
        set_plot_ids(pts, chosen["id"])
        taxa, values, used, kind, problems, notices = read_long(
            pts, lt, chosen["table_id"], options, scale, progress.sub(0.6, 0.95))
        sources = f"{pts.table.label} + {lt.label}"
    else:
        def choose(schema):
            chosen["id"], chosen["fields"] = wide_fields(schema, options, progress)
            return ([chosen["id"]] if chosen["id"] else []) + chosen["fields"]

        pts = read_points(source, options, progress.sub(0.0, 0.8), choose)
        set_plot_ids(pts, chosen["id"])
        fields, notice = settle_taxon_fields(pts.table, chosen["fields"], options, scale)
        progress.report(0.85, "Reading the covers")
        progress.check()
        taxa, values, used, kind, notices = read_wide(pts, fields, options, scale)
        notices = ([notice] if notice else []) + notices
        problems = []
        sources = pts.table.label
    progress.check()
    dups = duplicate_ids(pts.ids)
    if dups and refuse_duplicates:
        lines = [f"  {pid}: rows {rows_text([pts.table.rows[k] for k in ks])}"
                 for pid, ks in list(dups.items())[:20]]
        more = f"\n  ... {len(dups) - 20} more" if len(dups) > 20 else ""
        raise BotaclipError(
            f"{len(dups)} plot id(s) appear more than once in {pts.table.label} (field "
            f"{pts.id_field!r}):\n" + "\n".join(lines) + more +
            "\nEach plot must have one row: remove or rename the duplicates.")
    problems = [(pid, "duplicate_id") for pid in dups] + problems
    nogeo = ~(np.isfinite(pts.x) & np.isfinite(pts.y))
    problems += [(pts.ids[k], "no_geometry") for k in np.flatnonzero(nogeo)]
    empty = ~(values > 0).any(axis=1)
    if empty.all():
        raise BotaclipError(
            f"No plot of {sources} has any taxon with a cover above 0 (covers read as {used}). "
            "Check the taxon/cover fields, or the plot id fields that join the two tables.")
    problems += [(pts.ids[k], "no_taxa") for k in np.flatnonzero(empty)]
    notices += _author_notice(taxa, sources)
    progress.report(1.0, f"{len(pts.ids)} plots, {len(taxa)} taxa")
    rel = Releves(plot_ids=list(pts.ids), taxa=taxa, values=values, value_kind=kind,
                  x=np.asarray(pts.x, dtype="float64"), y=np.asarray(pts.y, dtype="float64"),
                  srs_wkt=pts.srs_wkt, source=sources, cover_scale=used, problems=problems,
                  notices=notices)
    return rel, n_rows


def _author_notice(taxa: list[str], sources: str) -> list[Notice]:
    """A notice for taxon names that differ only by an authority ("Vaccinium myrtillus L."
    and "Vaccinium myrtillus"). They are not merged: an author can tell two concepts of a
    name apart and free-text authorities cannot be parsed with certainty, so the user, who
    knows, is told and can write the names one way."""
    groups = author_variants(taxa)
    if not groups:
        return []
    shown = "; ".join(" / ".join(repr(t) for t in g) for g in groups[:5])
    return [Notice("author_variants", len(groups), (
        f"{len(groups)} taxon name(s) in {sources} are written both with and without an "
        f"author, or with different authors ({shown}{' ...' if len(groups) > 5 else ''}). "
        "They are kept as separate taxa; if they are the same taxon, write the name one way "
        "in the relevés."))]


def read_releves(source: str, options: ReleveOptions | None = None,
                 progress: Progress = SILENT) -> Releves:
    """Read relevés from a wide point layer, or a long table joined to points (the rules are in
    the docstring of :mod:`backend.releves`).

    ``source`` is any OGR vector (``path|layername=name`` accepted), or a header table when
    ``options.x``/``options.y`` are given (then ``options.crs`` is required).
    """
    rel, _ = read_releves_and_rows(source, options or ReleveOptions(), progress)
    return rel
