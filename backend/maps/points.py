"""Features at points: the embedding vector of each point of a point layer, read from an
embedding raster written by :mod:`..embed`.

An embedding raster's pixel centres are patch centres (see the ``grid`` setting in its tags),
so the pixel that contains a point is the one whose patch centre is nearest to it: the grid is
regular, and a pixel is exactly the set of places nearer to its centre than to any other. The
distance to that centre is reported, because a point 0.7 of a pixel away from the centre was
described by a patch that is not centred on it, which a user should be able to see.

Every point gets a status -- ``usable``, ``outside_raster``, ``nodata`` or ``no_location`` (no
geometry, or coordinates the reprojection cannot handle) -- and none is dropped silently:
:class:`PointFeatures` counts and lists them. Only the pixels needed are read, one window per
raster block holding points, so that memory does not grow with the raster (embedding rasters
of a whole department are tens of gigabytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from osgeo import gdal

from ..embed import read_embedding_tags
from ..errors import BotaclipError
from ..io.gdalutil import same_crs, srs_from_wkt, srs_label
from ..io.raster import RasterInfo, open_raster, raster_info, to_raster_crs
from ..progress import SILENT, Progress
from ..releves.tables import read_ogr_table, rows_text

USABLE = "usable"
OUTSIDE = "outside_raster"
NODATA = "nodata"
NO_LOCATION = "no_location"
STATUSES = (USABLE, OUTSIDE, NODATA, NO_LOCATION)


@dataclass
class PointFeatures:
    """The embedding at each point of a layer, in the layer's feature order.

    ``features`` has one row per point (NaN rows where the status is not ``usable``);
    ``x``/``y`` are in the raster's CRS; ``row``/``col`` the pixel picked (-1 when none);
    ``distance`` the distance from the point to that pixel's centre in the raster's map
    units (NaN when no pixel)."""

    ids: list                       # feature ids (FIDs) of the layer
    features: np.ndarray            # (n, D) float32
    status: np.ndarray              # (n,) one of STATUSES
    distance: np.ndarray            # (n,) float64
    x: np.ndarray
    y: np.ndarray
    row: np.ndarray                 # (n,) int64
    col: np.ndarray
    raster_crs: str                 # labels, e.g. "EPSG:2154"
    points_crs: str
    reprojected: bool
    tags: dict                      # the raster's BOTACLIP_* tags ({} when it has none)
    pixels_read: int = 0            # pixels read from the raster (windowed reading)
    messages: list = field(default_factory=list)     # what the user should be told
    warnings: list = field(default_factory=list)     # the subset that are warnings

    @property
    def usable(self) -> np.ndarray:
        """Boolean mask of the points with a valid embedding."""
        return self.status == USABLE

    def counts(self) -> dict:
        """Number of points per status (every status listed, zeros included)."""
        return {s: int(np.count_nonzero(self.status == s)) for s in STATUSES}

    def ids_with(self, status: str) -> list:
        """Feature ids of the points with ``status``."""
        return [i for i, s in zip(self.ids, self.status) if s == status]


def features_at_points(embeddings_path, points_path, layer=None,
                       progress: Progress = SILENT) -> PointFeatures:
    """The embedding vector at each point of ``points_path`` (any OGR layer; other geometries
    at their centroid), read from the embedding raster ``embeddings_path``.

    Points in another CRS are reprojected to the raster's, and the result says so. A raster
    without BotaCLIP's provenance tags is read all the same (any raster of feature bands
    works), with a warning, because later steps cannot check which model made it."""
    info = raster_info(embeddings_path)
    table = read_ogr_table(points_path, layer, "point layer", want_geometry=True, fields=[],
                           progress=progress)
    if not table.has_geometry:
        raise BotaclipError(f"The point layer {table.label} has no geometry. Give a point "
                            "layer (GeoPackage, shapefile, GeoJSON...) with the points' "
                            "locations.")
    if not table.srs_wkt:
        raise BotaclipError(f"The point layer {table.label} has no coordinate reference "
                            "system: set one (QGIS: Layer Properties > Source) and save it.")
    reprojected = not same_crs(srs_from_wkt(table.srs_wkt), srs_from_wkt(info.srs_wkt))
    x, y = to_raster_crs(info, table.x, table.y, table.srs_wkt)
    row, col, dist = nearest_pixels(info, x, y)
    n = len(x)
    status = np.full(n, USABLE, dtype=object)
    status[~np.isfinite(x)] = NO_LOCATION
    status[np.isfinite(x) & (row < 0)] = OUTSIDE
    inside = np.flatnonzero(row >= 0)
    feats, valid, pixels = read_pixels(embeddings_path, row[inside], col[inside], progress)
    features = np.full((n, info.count), np.nan, dtype="float32")
    features[inside] = feats
    status[inside[~valid]] = NODATA
    features[status != USABLE] = np.nan
    tags = read_embedding_tags(embeddings_path)
    out = PointFeatures(
        ids=list(table.fids or range(n)), features=features, status=status.astype(str),
        distance=dist, x=x, y=y, row=row, col=col, raster_crs=info.crs_label,
        points_crs=srs_label(table.srs_wkt), reprojected=reprojected, tags=tags,
        pixels_read=pixels)
    _explain(out, table.label, str(embeddings_path))
    for m in out.messages:
        (progress.warn if m in out.warnings else progress.info)(m)
    return out


def nearest_pixels(info: RasterInfo, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, distance to the pixel centre) of the pixel holding each point (x, y in the
    raster's CRS); row = col = -1 and distance NaN outside the raster or without
    coordinates. A point on the edge between two pixels goes to the right/lower one (the
    two centres are then equally near: the choice only needs to be fixed)."""
    gt = info.geotransform
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    with np.errstate(invalid="ignore"):
        fc = np.floor((x - gt[0]) / gt[1])
        fr = np.floor((y - gt[3]) / gt[5])
        ok = (np.isfinite(fc) & np.isfinite(fr) & (fc >= 0) & (fc < info.width)
              & (fr >= 0) & (fr < info.height))
    col = np.where(ok, fc, -1).astype("int64")
    row = np.where(ok, fr, -1).astype("int64")
    cx = gt[0] + (col + 0.5) * gt[1]
    cy = gt[3] + (row + 0.5) * gt[5]
    dist = np.where(ok, np.hypot(x - cx, y - cy), np.nan)
    return row, col, dist


def read_pixels(path, rows, cols, progress: Progress = SILENT) -> tuple:
    """(values (n, bands) float32, valid (n,) bool, pixels read) at the given pixels, read
    one window per raster block that holds some of them: the window spans only those
    pixels, so reading never costs more than a block's worth of memory. A pixel is invalid
    when a band is NaN or infinite, equals its band's nodata value, or is masked."""
    rows = np.asarray(rows, dtype="int64")
    cols = np.asarray(cols, dtype="int64")
    ds = open_raster(path)
    nb = ds.RasterCount
    values = np.full((len(rows), nb), np.nan, dtype="float32")
    valid = np.zeros(len(rows), dtype=bool)
    if len(rows) == 0:
        return values, valid, 0
    bx, by = ds.GetRasterBand(1).GetBlockSize()
    key = (rows // by) * (ds.RasterXSize // bx + 1) + cols // bx
    order = np.argsort(key, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(key[order])) + 1)
    pixels = 0
    for k, idx in enumerate(groups):
        r0, c0 = int(rows[idx].min()), int(cols[idx].min())
        h, w = int(rows[idx].max()) - r0 + 1, int(cols[idx].max()) - c0 + 1
        win = ds.ReadAsArray(c0, r0, w, h).reshape(nb, h, w)
        pixels += h * w
        vals = win[:, rows[idx] - r0, cols[idx] - c0].T.astype("float32")
        ok = valid_window(ds, win, c0, r0)[rows[idx] - r0, cols[idx] - c0]
        values[idx] = vals
        valid[idx] = ok
        progress.report((k + 1) / len(groups), "Reading the embeddings at the points")
        progress.check()
    return values, valid, pixels


def valid_window(ds, win: np.ndarray, c0: int, r0: int) -> np.ndarray:
    """(h, w) bool for the window ``win`` (bands, h, w) read at column ``c0``, row ``r0``:
    where every band is finite and differs from its band's nodata value, and band 1's mask
    (per-dataset mask or alpha) lets the pixel through. The mask is read only when the
    raster declares one beyond nodata, the common case skipping the read."""
    _bands, h, w = win.shape
    ok = np.isfinite(win).all(axis=0)
    for b in range(win.shape[0]):
        nodata = ds.GetRasterBand(b + 1).GetNoDataValue()
        if nodata is not None:
            ok &= win[b] != nodata
    band = ds.GetRasterBand(1)
    flags = band.GetMaskFlags()
    if not (flags & gdal.GMF_ALL_VALID or flags & gdal.GMF_NODATA):
        ok &= band.GetMaskBand().ReadAsArray(c0, r0, w, h) > 0
    return ok


def _explain(out: PointFeatures, points_label: str, raster: str) -> None:
    """The messages a user should read about these points: reprojection, missing tags and
    every point that cannot be used, with its feature ids."""
    if out.reprojected:
        out.messages.append(f"The points of {points_label} ({out.points_crs}) were reprojected "
                            f"to the embedding raster's CRS ({out.raster_crs}).")
    if out.tags.get("BOTACLIP_KIND") != "embedding":
        w = (f"{raster} has no BotaCLIP provenance tags: it is read as plain feature bands, "
             "and later steps cannot check which model made it. Use a raster written by "
             "'botaclip embed' to keep that check.")
        out.messages.append(w)
        out.warnings.append(w)
    what = {OUTSIDE: "fall outside the embedding raster",
            NODATA: "fall on nodata pixels of the embedding raster (no embedding there)",
            NO_LOCATION: "have no location (no geometry, or one the reprojection to the "
                         "raster's CRS cannot handle)"}
    n = len(out.ids)
    for s, text in what.items():
        ids = out.ids_with(s)
        if ids:
            w = (f"{len(ids)} of {n} points of {points_label} {text} and are left out "
                 f"(feature ids {rows_text(ids)}).")
            out.messages.append(w)
            out.warnings.append(w)
    if not out.usable.any():
        raise BotaclipError(
            f"None of the {n} points of {points_label} has an embedding in {raster} "
            f"({', '.join(f'{v} {k}' for k, v in out.counts().items() if v)}). Check that "
            "the points and the raster cover the same area and that their CRSs are right.")
