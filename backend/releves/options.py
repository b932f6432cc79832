"""How to read a relevé source: :class:`ReleveOptions` (fields, layout, cover scale, CRS)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReleveOptions:
    """How to read a relevé source (see :func:`read_releves`)."""

    plot_id: str | None = None            # field holding the plot id (default: 'plot_id' if
    #                                       present, else the layer's FID / the CSV data row)
    species_columns: list[str] | None = None   # wide: default every field of covers (numbers
    #                                            or cover codes) except the plot id,
    #                                            coordinates, ids and excluded ones
    exclude_columns: list[str] | None = None
    table: str | None = None              # long table (plot id, taxon, cover) joined on plot id
    taxon: str | None = None
    cover: str | None = None
    cover_scale: str = "auto"             # auto|presence|percent|fraction|braun-blanquet|count
    cover_mapping: dict[str, float] | None = None   # user code -> percent, overrides/extends BB
    x: str | None = None                  # when the point source is a header table with X/Y
    y: str | None = None
    crs: str | None = None                # CRS of x/y (e.g. EPSG:4326)
    layer: str | None = None              # layer name inside a multi-layer vector file
    table_plot_id: str | None = None      # plot id field of the long table (default: plot_id)
