"""Relevés (vegetation plots) as ecologists have them, read into a sites x taxa matrix.

Two layouts are read:

* **wide**: a point layer (any OGR vector: GeoPackage, shapefile, GeoJSON, a CSV with a WKT
  column..., or a header CSV with X/Y columns and a CRS) with one numeric column per taxon;
* **long**: a table of (plot id, taxon, cover) rows (CSV, or any OGR table) joined on the plot
  id to a point layer or to a header table with X/Y columns.

A source may be a QGIS-style string ``path|layername=name`` (or ``|layerid=N``; a
``|subset=...`` filter is applied as an OGR attribute filter).

Rules worth knowing (the tests hold them):

* Plot ids are text: ``790150``, ``790150.0`` and ``"790150.0"`` are all ``"790150"``.
* Taxon names (:func:`normalise_taxon`): see its docstring. Authorities are not parsed, and
  names that differ only by one ("Vaccinium myrtillus L." and "Vaccinium myrtillus") stay two
  taxa, with a notice (``author_variants``): an author can separate two concepts of a name,
  so merging is left to the user, who knows.
* Two rows or columns that normalise to the same taxon in one plot (a species recorded in the
  tree and the shrub layer) are combined: percent covers as 1 - prod(1 - c/100) (independent
  overlap), presence as the maximum, counts as the sum; a notice (``combined_entries``) says
  how many, with examples, since a row entered twice by mistake looks the same.
* Notices (:class:`Notice` in ``Releves.notices``) are what a reader must know about the set
  as a whole: ``check`` lists them in its report, ``train`` and ``releves import`` warn.
* Covers: see :mod:`.covers` (scales, ``auto`` rules, mappings). Empty cells mean absent.
* Duplicate plot ids in the points: every row is kept and reported in ``problems`` as
  ``duplicate_id`` (a long table's rows then go to each of them); :func:`import_releves`
  refuses them.
* Long-table plot ids missing from the points: if none matches, that is an error (the join
  fields are almost certainly wrong). If some match, the others are dropped with a warning
  and reported as ``not_in_points``: a long table exported from a whole database is often
  joined to the header of a study area.
* Points without a geometry (or with empty X/Y) are kept with NaN coordinates and reported as
  ``no_geometry``; polygons are read at their centroid. Plots without any taxon are kept and
  reported as ``no_taxa``.
* Defaults: the plot id is the field ``plot_id`` (any case) if there is one, else the FID (a
  header table without one: its data row number). A long table joins on ``plot_id`` when both
  sides have it, else on the only field name the two share; its taxon and cover fields default
  to ``taxon``/``species``... and ``cover``/``abundance``... when present. The taxa of a wide
  layer default to its numeric fields except the plot id, the X/Y fields, excluded fields and
  fields named like coordinates or ids (fid, id, objectid, x, y, lon, lat, longitude,
  latitude, easting, northing, elevation, altitude...). Text fields are taxa too when at least
  half of their filled cells look like covers (numbers, Braun-Blanquet codes,
  :func:`.covers.cover_like`): a wide table of Braun-Blanquet codes is read whole, and a cover
  column with one typing error is reported with the bad cell instead of vanishing; the other
  text fields (habitat, observer...) are named in a notice (``text_fields``).
* :func:`write_releves` stores the scale of the numbers it writes in the layer metadata
  (GeoPackage), so reading its output back does not guess (counts up to 100 stay counts).
* Reading fetches only the fields it needs; GeoPackage attributes are read straight from
  SQLite (5000 plots x 300 taxa in about a second).

Where things are:

* :mod:`.model`: :class:`Releves` (the sites x taxa matrix), :func:`transform_values` and
  :data:`TRANSFORMS`, the assembly of (plot, taxon, value) entries into the matrix;
* :mod:`.covers`: cover scales, codes and their conversion to numbers;
* :mod:`.names`: taxon names and plot ids in one spelling;
* :mod:`.tables`: CSV and OGR tables (:func:`split_source`, :func:`sniff_delimiter`);
* :mod:`.options`: :class:`ReleveOptions`, how to read a source;
* :mod:`.points`: the plots' table, coordinates, CRS and ids;
* :mod:`.wide`, :mod:`.long`: the two layouts;
* :mod:`.read`: :func:`read_releves`;
* :mod:`.write`: :func:`write_releves`, :func:`import_releves`.
"""

from .covers import (
    BRAUN_BLANQUET_PERCENT,
    SCALES,
    detect_cover_scale,
    normalise_scale,
    parse_covers,
    read_cover_mapping,
)
from .model import TRANSFORMS, Notice, Releves, transform_values
from .names import author_variants, normalise_plot_id, normalise_taxon
from .options import ReleveOptions
from .read import read_releves
from .tables import sniff_delimiter, split_source
from .wide import NOT_TAXA_FIELDS
from .write import ImportResult, import_releves, write_releves

__all__ = [
    "BRAUN_BLANQUET_PERCENT", "NOT_TAXA_FIELDS", "SCALES", "TRANSFORMS", "ImportResult",
    "Notice", "ReleveOptions", "Releves", "author_variants", "detect_cover_scale",
    "import_releves", "normalise_plot_id", "normalise_scale", "normalise_taxon",
    "parse_covers", "read_cover_mapping", "read_releves", "sniff_delimiter", "split_source",
    "transform_values", "write_releves",
]
