"""Writing relevés: :func:`write_releves` (a wide point layer, GeoPackage or GeoJSON) and
:func:`import_releves` (long table + header -> a wide GeoPackage, :class:`ImportResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import BotaclipError
from ..io.gdalutil import srs_from_wkt
from ..io.outputs import input_files
from ..io.vector import check_points_output, write_points
from ..progress import SILENT, Progress
from .model import META_SCALE, Releves
from .options import ReleveOptions
from .read import read_releves_and_rows


@dataclass
class ImportResult:
    """What :func:`import_releves` wrote."""

    path: Path
    n_plots: int
    n_taxa: int
    n_rows: int                     # long-table rows read
    cover_scale: str
    value_kind: str
    problems: list[tuple[str, str]] = field(default_factory=list)
    notices: list = field(default_factory=list)     # model.Notice: combined covers...


# FlatGeobuf is left out: it drops features without geometry and reorders the others.
_WRITABLE = {".gpkg", ".geojson", ".json"}
LAYER = "releves"


def _check_suffix(out: Path) -> None:
    if out.suffix.lower() not in _WRITABLE:
        raise BotaclipError(
            f"Cannot write relevés to {out}: use .gpkg (recommended) or .geojson. "
            "Shapefiles cut field names to 10 characters, which would merge taxa; CSV and "
            "FlatGeobuf lose plots without coordinates.")


def write_releves(releves: Releves, out, layer: str | None = None, *,
                  overwrite: bool = False) -> Path:
    """A wide point layer: a text ``plot_id`` field then one numeric field per taxon (named by
    the taxon). Integers for presence/counts, reals for percent cover. Written atomically;
    into an existing GeoPackage as one more layer (or in place of our layer of that name),
    its other layers kept; a layer or file of the user's is replaced only with
    ``overwrite``."""
    out = Path(out)
    _check_suffix(out)
    seen: dict[str, str] = {}
    for taxon in releves.taxa:
        key = taxon.lower()
        if key in ("plot_id", "fid") or key in seen:
            other = seen.get(key, "plot_id")
            raise BotaclipError(f"Taxa {other!r} and {taxon!r} would be the same field in {out} "
                                "(field names ignore case). Rename one of them.")
        seen[key] = taxon
    fields: dict = {"plot_id": np.asarray(releves.plot_ids, dtype=object)}
    v = np.asarray(releves.values, dtype="float64")
    if releves.value_kind in ("presence", "count"):
        v = np.round(v).astype("int64")
        stored = "presence" if releves.value_kind == "presence" else "count"
    else:
        v = np.round(v, 4)
        stored = "percent"
    for j, taxon in enumerate(releves.taxa):
        fields[taxon] = v[:, j]
    meta = {META_SCALE: stored, "botaclip_value_kind": releves.value_kind,
            "botaclip_cover_scale": releves.cover_scale, "botaclip_source": releves.source}
    return write_points(out, srs_from_wkt(releves.srs_wkt), releves.x, releves.y, fields,
                        layer=layer or LAYER, metadata=meta,
                        description=f"BotaCLIP relevés from {releves.source}", kind=LAYER,
                        overwrite=overwrite)


def import_releves(table, header, *, plot_id, taxon, cover, x=None, y=None, crs=None, out,
                   cover_scale: str = "auto", cover_mapping=None, table_plot_id=None,
                   overwrite: bool = False, progress: Progress = SILENT) -> ImportResult:
    """Long table (plot id, taxon, cover) + header (X/Y fields and ``crs``, or a point layer
    when ``x``/``y`` are None) -> a wide point layer ``out`` (GeoPackage). ``table_plot_id``
    names the long table's plot id field when it differs from the header's. Duplicate plot
    ids in the header are refused; nothing is written on any error. ``out`` is checked
    before anything is read (not an input, not a layer of the user's unless
    ``overwrite``: see :func:`write_releves`)."""
    _check_suffix(Path(out))
    check_points_output(out, layer=LAYER, kind=LAYER, overwrite=overwrite,
                        inputs=input_files(table, header), what="relevé layer")
    options = ReleveOptions(plot_id=plot_id, table=str(table), taxon=taxon, cover=cover,
                            cover_scale=cover_scale, cover_mapping=cover_mapping, x=x, y=y,
                            crs=crs, table_plot_id=table_plot_id)
    rel, n_rows = read_releves_and_rows(header, options, progress.sub(0.0, 0.8),
                                        refuse_duplicates=True)
    for pid, reason in rel.problems:
        if reason == "no_geometry":
            progress.warn(f"Plot {pid} has no coordinates in {header}; it is written with an "
                          "empty geometry.")
    for notice in rel.notices:
        (progress.warn if notice.is_warning else progress.info)(notice.message)
    progress.report(0.85, f"Writing {Path(out).name}")
    progress.check()
    path = write_releves(rel, out, overwrite=overwrite)
    progress.report(1.0, f"{rel.n_plots} plots, {rel.n_taxa} taxa written")
    return ImportResult(path=path, n_plots=rel.n_plots, n_taxa=rel.n_taxa, n_rows=n_rows,
                        cover_scale=rel.cover_scale, value_kind=rel.value_kind,
                        problems=list(rel.problems), notices=list(rel.notices))
