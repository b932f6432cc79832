"""The wide layout: a point layer with one numeric column per taxon (:func:`wide_fields` picks
the plot id and taxon columns, :func:`read_wide` reads their covers into the matrix)."""

from __future__ import annotations

import numpy as np

from ..errors import BotaclipError
from ..progress import Progress
from .covers import bad_values_message, parse_cells
from .model import META_SCALE, assemble
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
    """(plot id field or None, taxon fields) of a wide layer, from its field names."""
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
                  if f in schema.numeric and f != id_field and f not in excluded
                  and f not in coords and f not in skipped]
        if skipped:
            progress.info(f"Not read as taxa (coordinates or ids): {', '.join(skipped)}.")
    if not fields:
        raise BotaclipError(
            f"{schema.label} has no numeric field to read as taxa (fields: "
            f"{', '.join(schema.fields)}). Name the taxon columns with --species-columns, or "
            "give a long table with --table.")
    names = [normalise_taxon(f) for f in fields]
    empty = [f for f, nm in zip(fields, names) if not nm]
    if empty:
        raise BotaclipError(f"Column(s) {', '.join(map(repr, empty))} of {schema.label} have no "
                            "usable taxon name: leave them out of --species-columns.")
    return id_field, fields


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


def read_wide(pts: Points, fields: list[str], options: ReleveOptions, scale: str):
    """(taxa, matrix, scale used, value kind) from the taxon columns ``fields`` of the plots."""
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
        idx = np.flatnonzero(bad)
        loc = [(fields[k // n], table.rows[k % n]) for k in idx]
        text_fields = [f for f in dict.fromkeys(f for f, _ in loc) if f not in table.numeric]
        if text_fields:
            first: dict = {}
            for k, (f, r) in zip(idx, loc):
                first.setdefault(f, (cells[k], r))
            ex = "; ".join(f"{f!r}: e.g. {first[f][0]!r} in row {first[f][1]}"
                           for f in text_fields)
            raise BotaclipError(
                f"Taxon column(s) of {table.label} hold text that is not a cover value: {ex}. "
                f"Take them out of --species-columns (or add them to --exclude-columns), or "
                f"if they are cover codes, say how they are written with --cover-scale or "
                f"--cover-mapping.")
        items = [(cells[k], f"field {f!r} row {r}") for k, (f, r) in zip(idx, loc)]
        raise BotaclipError(bad_values_message(f"the taxon columns of {table.label}", used, scale,
                                               items))
    names = [normalise_taxon(f) for f in fields]
    taxa = sorted(set(names))
    col = {name: j for j, name in enumerate(taxa)}
    taxon_idx = np.repeat(np.array([col[nm] for nm in names], dtype="int64"), n)
    plot_idx = np.tile(np.arange(n, dtype="int64"), len(fields))
    return taxa, assemble(n, len(taxa), plot_idx, taxon_idx, nums, kind), used, kind
