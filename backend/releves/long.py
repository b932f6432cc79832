"""The long layout: a table of (plot id, taxon, cover) rows joined on the plot id to the plots
(:func:`long_id_fields` picks the join fields, :func:`read_long` reads and joins the rows into
the matrix)."""

from __future__ import annotations

import numpy as np

from ..errors import BotaclipError
from ..progress import Progress
from .covers import bad_values_message, parse_cells
from .model import COMBINE_RULE, Notice, assemble
from .names import normalise_plot_id, normalise_taxon
from .options import ReleveOptions
from .points import Points
from .tables import Table, find_field, rows_text

_TAXON_DEFAULTS = ("taxon", "species", "taxon_name", "species_name", "taxonname", "taxa")
_COVER_DEFAULTS = ("cover", "cover_percent", "cover_pct", "abundance")


def _default_field(table: Table, candidates, what: str, option: str) -> str:
    low = {f.strip().lower(): f for f in table.fields}
    for c in candidates:
        if c in low:
            return low[c]
    raise BotaclipError(f"Which field of {table.label} holds the {what}? Name it with {option}. "
                        f"Its fields: {', '.join(table.fields)}.")


def _ids_text(ids, limit: int = 10) -> str:
    ids = list(ids)
    more = f" ... ({len(ids)} in all)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def long_id_fields(schema: Table, lt: Table, options: ReleveOptions, progress) -> tuple[str, str]:
    """(plot id field of the points, of the long table)."""
    if options.plot_id:
        fh = find_field(schema, options.plot_id, "plot id", "--plot-id")
        fl = find_field(lt, options.table_plot_id or options.plot_id, "plot id", "--plot-id")
        return fh, fl
    if options.table_plot_id:
        fl = find_field(lt, options.table_plot_id, "plot id", "--plot-id")
        return find_field(schema, fl, "plot id", "--plot-id"), fl
    low_h = {f.strip().lower(): f for f in schema.fields}
    low_l = {f.strip().lower(): f for f in lt.fields}
    if "plot_id" in low_h and "plot_id" in low_l:
        return low_h["plot_id"], low_l["plot_id"]
    common = [k for k in low_l if k in low_h]
    if len(common) == 1:
        progress.info(f"Joining {lt.label} to {schema.label} on their common field "
                      f"{low_l[common[0]]!r}.")
        return low_h[common[0]], low_l[common[0]]
    raise BotaclipError(
        f"Which field holds the plot id? Name it with --plot-id. Fields of {schema.label}: "
        f"{', '.join(schema.fields)}; of {lt.label}: {', '.join(lt.fields)}.")


def read_long(pts: Points, lt: Table, fl: str, options: ReleveOptions, scale: str,
              progress: Progress):
    """(taxa, matrix, scale used, value kind, problems, notices) of the long table ``lt``
    joined on its field ``fl`` to the plots ``pts``; plot ids missing from the plots are
    ``not_in_points``, (plot, taxon) pairs in several rows a notice."""
    ftax = (find_field(lt, options.taxon, "taxon", "--taxon") if options.taxon
            else _default_field(lt, _TAXON_DEFAULTS, "taxon names", "--taxon"))
    fcov = (find_field(lt, options.cover, "cover", "--cover") if options.cover
            else _default_field(lt, _COVER_DEFAULTS, "covers", "--cover"))
    progress.report(0.0, "Reading the covers")
    progress.check()
    covers = lt.columns[fcov]
    nums, used, kind, bad = parse_cells(covers, scale, options.cover_mapping,
                                        decimal_comma=lt.decimal_comma)
    if bad.any():
        items = [(covers[k], lt.rows[k]) for k in np.flatnonzero(bad)]
        raise BotaclipError(bad_values_message(f"field {fcov!r} of {lt.label}", used, scale, items))
    ids = [normalise_plot_id(v) for v in lt.columns[fl]]
    names = [normalise_taxon(v) for v in lt.columns[ftax]]
    no_id = [lt.rows[k] for k in range(len(lt)) if ids[k] == "" and nums[k] > 0]
    if no_id:
        raise BotaclipError(f"The plot id field {fl!r} of {lt.label} is empty in rows "
                            f"{rows_text(no_id)}. Every row needs the id of its plot.")
    no_taxon = [lt.rows[k] for k in range(len(lt)) if names[k] == "" and nums[k] > 0]
    if no_taxon:
        raise BotaclipError(f"The taxon field {ftax!r} of {lt.label} is empty in rows "
                            f"{rows_text(no_taxon)} although they have a cover. Give the "
                            "taxon name or delete these rows.")
    progress.report(0.5, "Joining the long table to the plots")
    progress.check()
    index: dict[str, list[int]] = {}
    for k, pid in enumerate(pts.ids):
        index.setdefault(pid, []).append(k)
    unmatched = list(dict.fromkeys(pid for pid in ids if pid and pid not in index))
    problems: list[tuple[str, str]] = []
    if unmatched and not any(pid in index for pid in ids):
        raise BotaclipError(
            f"No plot id of the long table {lt.label} (field {fl!r}) is in {pts.table.label} "
            f"(field {pts.id_field!r}). Ids of the long table: {_ids_text(unmatched)}; ids of "
            f"the plots: {_ids_text(list(dict.fromkeys(pts.ids)))}. Check the plot id fields "
            "(--plot-id) and that both files describe the same plots.")
    if unmatched:
        lost = set(unmatched)
        n_rows = sum(1 for pid in ids if pid in lost)
        progress.warn(f"{len(unmatched)} plot id(s) of {lt.label} are not in "
                      f"{pts.table.label}; their {n_rows} rows are left out: "
                      f"{_ids_text(unmatched)}.")
        problems += [(pid, "not_in_points") for pid in unmatched]
    p_idx, t_names, vals = [], [], []
    rows_of: dict[tuple[str, str], list[int]] = {}
    for k in range(len(lt)):
        if nums[k] <= 0 or ids[k] not in index:
            continue
        rows_of.setdefault((ids[k], names[k]), []).append(lt.rows[k])
        for pk in index[ids[k]]:
            p_idx.append(pk)
            t_names.append(names[k])
            vals.append(nums[k])
    taxa = sorted(set(t_names))
    col = {name: j for j, name in enumerate(taxa)}
    values = assemble(len(pts.ids), len(taxa), p_idx, [col[nm] for nm in t_names], vals, kind)
    notice = _repeated_pairs(lt, rows_of)
    return taxa, values, used, kind, problems, [notice] if notice else []


def _repeated_pairs(lt: Table, rows_of: dict) -> Notice | None:
    """A notice for (plot, taxon) pairs given in more than one row: their covers are
    combined, which is right for a taxon recorded in several layers and wrong for a row
    entered twice, so the user is told which."""
    repeated = [(key, rows) for key, rows in rows_of.items() if len(rows) > 1]
    if not repeated:
        return None
    shown = "; ".join(f"plot {pid}, {taxon}: rows {rows_text(rows)}"
                      for (pid, taxon), rows in repeated[:3])
    return Notice("combined_entries", len(repeated), (
        f"{len(repeated)} plot and taxon pair(s) have more than one row in {lt.label} "
        f"({shown}{' ...' if len(repeated) > 3 else ''}); their covers were combined "
        f"({COMBINE_RULE}). That is right for a taxon recorded in several layers (trees, "
        "shrubs, herbs); if a row was entered twice by mistake, delete it."))
