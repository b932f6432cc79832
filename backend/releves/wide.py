"""The wide layout: a point layer with one column of covers per taxon (:func:`wide_fields` picks
the plot id and the candidate taxon columns, :func:`settle_taxon_fields` keeps the text columns
that hold covers, :func:`read_wide` reads their covers into the matrix)."""

from __future__ import annotations

import numpy as np

from ..errors import BotaclipError
from ..progress import Progress
from .covers import bad_values_message, cover_like, parse_cells
from .model import COMBINE_RULE, META_SCALE, Notice, assemble
from .names import normalise_taxon
from .options import ReleveOptions
from .points import Points
from .tables import Table, find_field

# numeric fields that a wide layer holds beside its taxa: never read as taxa by default (also
# never offered as taxa by the front doors)
NOT_TAXA_FIELDS = frozenset({
    "fid", "ogc_fid", "objectid", "id", "x", "y", "z", "lon", "lat", "long", "lng",
    "longitude", "latitude", "easting", "northing", "xcoord", "ycoord", "x_coord",
    "y_coord", "elevation", "altitude", "area", "perimeter", "shape_area",
    "shape_length", "shape_leng", "shape_len", "geom_area", "geom_length",
    # the fields of check's status layer (backend.check.write_status_layer)
    "valid_fraction", "n_taxa"})


def wide_fields(schema: Table, options: ReleveOptions, progress: Progress):
    """(plot id field or None, candidate taxon fields) of a wide layer, from its field names:
    the taxon columns named by the user, else every field but the plot id, the coordinates,
    the excluded fields and those named like coordinates or ids. Text fields are candidates
    too: :func:`settle_taxon_fields` keeps those whose cells look like covers, once read."""
    if options.plot_id:
        id_field = find_field(schema, options.plot_id, "plot id", "--plot-id")
    else:
        id_field = next((f for f in schema.fields if f.strip().lower() == "plot_id"), None)
    coords = set()
    if options.x and options.y:
        coords = {find_field(schema, options.x, "x coordinate", "--x"),
                  find_field(schema, options.y, "y coordinate", "--y")}
    excluded = {find_field(schema, name, "excluded", "--exclude-columns")
                for name in options.exclude_columns or []}
    if options.species_columns:
        fields = [find_field(schema, name, "taxon", "--species-columns")
                  for name in options.species_columns]
        fields = [f for f in dict.fromkeys(fields) if f not in excluded]
    else:
        skipped = [f for f in schema.fields if f in schema.numeric and f != id_field
                   and f not in coords and f.strip().lower() in NOT_TAXA_FIELDS]
        fields = [f for f in schema.fields
                  if f != id_field and f not in excluded and f not in coords
                  and f not in skipped and f.strip().lower() not in NOT_TAXA_FIELDS]
        if skipped:
            progress.info(f"Not read as taxa (coordinates or ids): {', '.join(skipped)}.")
    if not fields:
        raise _no_taxon_field(schema)
    names = [normalise_taxon(f) for f in fields]
    empty = [f for f, nm in zip(fields, names) if not nm]
    if empty:
        how = ("leave them out of --species-columns" if options.species_columns else
               "leave them out with --exclude-columns, or name the taxon columns with "
               "--species-columns")
        raise BotaclipError(f"Column(s) {', '.join(map(repr, empty))} of {schema.label} have no "
                            f"usable taxon name (no letter or digit): {how}.")
    return id_field, fields


def _no_taxon_field(table: Table) -> BotaclipError:
    return BotaclipError(
        f"{table.label} has no numeric field or field of cover codes to read as taxa "
        f"(fields: {', '.join(table.fields)}). "
        "Name the taxon columns with --species-columns, or give a long table of plot, "
        "taxon and cover with --table.")


def settle_taxon_fields(table: Table, fields: list[str], options: ReleveOptions,
                        scale: str) -> tuple[list[str], Notice | None]:
    """The taxon fields among the candidates ``fields`` of the read ``table``, and a notice
    naming the text fields left out.

    A field the user named (``--species-columns``) and a numeric field are taxa. A text field
    is a taxon when at least half of its filled cells look like covers
    (:func:`.covers.cover_like`): a cover column with a typing error in it stays a taxon, so
    that :func:`read_wide` reports the bad cell instead of the whole taxon vanishing; a
    column of words (habitat, observer, date) or an empty one is left out, and said so."""
    if options.species_columns:
        return fields, None
    kept, dropped = [], []
    for f in fields:
        if f in table.numeric:
            kept.append(f)
            continue
        filled, like = cover_like(table.columns[f], scale, options.cover_mapping,
                                  decimal_comma=table.decimal_comma)
        if filled and 2 * like >= filled:
            kept.append(f)
        else:
            dropped.append(f)
    if not kept:
        raise _no_taxon_field(table)
    if not dropped:
        return kept, None
    examples = []
    for f in dropped[:3]:
        cell = next((c for c in table.columns[f] if c not in (None, "")), None)
        examples.append(f"{f!r} empty" if cell is None else f"{f!r} holds e.g. {str(cell)!r}")
    message = (f"{len(dropped)} text field(s) of {table.label} are not read as taxa, since "
               f"their cells are not covers: {', '.join(dropped[:10])}"
               f"{' ...' if len(dropped) > 10 else ''} ({'; '.join(examples)}). If one of them "
               "is a taxon, name the taxon columns with --species-columns.")
    return kept, Notice("text_fields", len(dropped), message)


def _combined_columns(table: Table, fields: list[str], names: list[str]) -> Notice | None:
    """A notice for columns whose names normalise to one taxon (their covers are combined)."""
    by_name: dict[str, list[str]] = {}
    for f, nm in zip(fields, names):
        by_name.setdefault(nm, []).append(f)
    groups = [(nm, fs) for nm, fs in by_name.items() if len(fs) > 1]
    if not groups:
        return None
    shown = "; ".join(f"{' and '.join(map(repr, fs))} -> {nm}" for nm, fs in groups[:5])
    return Notice("combined_entries", len(groups), (
        f"{len(groups)} taxon name(s) are written in more than one column of {table.label} "
        f"({shown}{' ...' if len(groups) > 5 else ''}); their covers in each plot were combined "
        f"({COMBINE_RULE}). If they are different taxa, rename the columns."))


def _numeric_cells(table: Table, fields: list[str]):
    """All cells of ``fields``, field after field: a float array (NaN = empty) when every
    value is already a number (typed layers), else a list of raw cells."""
    if all(f in table.typed for f in fields):
        # numpy reads None as NaN in a float array
        return np.concatenate([np.array(table.columns[f], dtype="float64") for f in fields])
    cells: list = []
    for f in fields:
        cells.extend(table.columns[f])
    return cells


def _bad_cells(table: Table, fields: list[str], cells, bad, used: str,
               scale: str) -> BotaclipError:
    """The error for cells of the taxon columns that are not covers: for a text column, its
    first bad cell (a typing error, or a column that is no taxon); else every bad value."""
    n = len(table)
    idx = np.flatnonzero(bad)
    loc = [(fields[k // n], table.rows[k % n]) for k in idx]
    text_fields = [f for f in dict.fromkeys(f for f, _ in loc) if f not in table.numeric]
    if text_fields:
        first: dict = {}
        for k, (f, r) in zip(idx, loc):
            first.setdefault(f, (cells[k], r))
        ex = "; ".join(f"{f!r}: e.g. {first[f][0]!r} in row {first[f][1]}" for f in text_fields)
        return BotaclipError(
            f"Taxon column(s) of {table.label} hold text that is not a cover value: {ex}. "
            "Correct these cells (an empty cell means absent); if a column is not a taxon, "
            "leave it out with --exclude-columns (or name the taxon columns with "
            "--species-columns); if the cells are cover codes, say how they are written "
            "with --cover-scale or --cover-mapping.")
    items = [(cells[k], f"field {f!r} row {r}") for k, (f, r) in zip(idx, loc)]
    return BotaclipError(bad_values_message(f"the taxon columns of {table.label}", used, scale,
                                            items))


def read_wide(pts: Points, fields: list[str], options: ReleveOptions, scale: str):
    """(taxa, matrix, scale used, value kind, notices) from the taxon columns ``fields`` of
    the plots."""
    table = pts.table
    cells = _numeric_cells(table, fields)
    n = len(table)
    stored = table.metadata.get(META_SCALE)
    use = scale
    if scale == "auto" and not options.cover_mapping and stored in ("presence", "percent", "count"):
        use = stored        # written by write_releves: no need to guess
    nums, used, kind, bad = parse_cells(cells, use, options.cover_mapping,
                                        decimal_comma=table.decimal_comma)
    if bad.any():
        raise _bad_cells(table, fields, cells, bad, used, scale)
    names = [normalise_taxon(f) for f in fields]
    taxa = sorted(set(names))
    col = {name: j for j, name in enumerate(taxa)}
    taxon_idx = np.repeat(np.array([col[nm] for nm in names], dtype="int64"), n)
    plot_idx = np.tile(np.arange(n, dtype="int64"), len(fields))
    notice = _combined_columns(table, fields, names)
    return (taxa, assemble(n, len(taxa), plot_idx, taxon_idx, nums, kind), used, kind,
            [notice] if notice else [])
