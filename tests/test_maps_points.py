"""Features at points (backend/maps/points.py) and target fields (backend/maps/targets.py),
on tiny rasters and GeoPackages written here: every expected value is worked out by hand
from the way they are built."""

import numpy as np
import pytest
from osgeo import gdal, osr

from botaclip.backend.errors import BotaclipError
from botaclip.backend.io.gdalutil import srs_from_user, transform_xy
from botaclip.backend.io.vector import write_points
from botaclip.backend.maps.points import NODATA, OUTSIDE, USABLE, features_at_points, nearest_pixels
from botaclip.backend.maps.targets import read_targets

X0, Y_TOP, PX = 900000.0, 6500640.0, 10.0      # Lambert-93, 10 m pixels
SIZE, BLOCK, D = 64, 16, 3                      # 4 x 4 blocks of 16 x 16 pixels, 3 bands


def _value(b, r, c):
    """The value of band b (0-based) at row r, column c: unique, so a feature vector tells
    which pixel it came from."""
    return b * 10000.0 + r * 100.0 + c


def _write_raster(path, tags=True):
    """A SIZE x SIZE float32 embedding tiled in BLOCK x BLOCK blocks; pixel (5, 5) is NaN in
    every band, pixel (6, 6) in band 2 only (both must count as nodata)."""
    r, c = np.mgrid[0:SIZE, 0:SIZE]
    ds = gdal.GetDriverByName("GTiff").Create(
        str(path), SIZE, SIZE, D, gdal.GDT_Float32,
        ["TILED=YES", f"BLOCKXSIZE={BLOCK}", f"BLOCKYSIZE={BLOCK}", "INTERLEAVE=PIXEL"])
    ds.SetGeoTransform((X0, PX, 0.0, Y_TOP, 0.0, -PX))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    for b in range(D):
        arr = _value(b, r, c).astype("float32")
        arr[5, 5] = np.nan
        if b == 1:
            arr[6, 6] = np.nan
        ds.GetRasterBand(b + 1).WriteArray(arr)
    if tags:
        ds.SetMetadata({"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": str(D)})
    ds = None
    return path


def _centre(r, c):
    return X0 + (c + 0.5) * PX, Y_TOP - (r + 0.5) * PX


def _points(path, xy, epsg=2154):
    xs = np.array([p[0] for p in xy])
    ys = np.array([p[1] for p in xy])
    return write_points(path, srs_from_user(f"EPSG:{epsg}"), xs, ys,
                        {"n": np.arange(len(xs))})


@pytest.fixture
def emb(tmp_path):
    return _write_raster(tmp_path / "emb.tif")


def test_pixel_picked_near_edges(emb, tmp_path):
    # The edge between columns 2 and 3 is at X0 + 30 m; between rows 7 and 8 at Y_TOP - 80 m.
    # 1 cm left of it -> column 2, whose centre (X0 + 25) is 4.99 m away; 1 cm right ->
    # column 3, centre X0 + 35, 4.99 m away. The same in y across the row edge. Exactly on
    # the edge goes right/down (documented rule): column 3 at 5.00 m.
    y_mid = Y_TOP - 7.5 * PX                    # centre of row 7: no y offset
    pts = [(X0 + 29.99, y_mid), (X0 + 30.01, y_mid), (X0 + 30.0, y_mid),
           (X0 + 2.5 * PX, Y_TOP - 79.99), (X0 + 2.5 * PX, Y_TOP - 80.01)]
    res = features_at_points(emb, _points(tmp_path / "p.gpkg", pts))
    assert list(res.col) == [2, 3, 3, 2, 2]
    assert list(res.row) == [7, 7, 7, 7, 8]
    np.testing.assert_allclose(res.distance, [4.99, 4.99, 5.0, 4.99, 4.99], atol=1e-6)
    for k in range(5):
        want = [_value(b, res.row[k], res.col[k]) for b in range(D)]
        np.testing.assert_array_equal(res.features[k], want)
    assert res.counts()[USABLE] == 5 and not res.reprojected and not res.warnings


def test_reprojected_from_4326(emb, tmp_path):
    # Centres of pixels (10, 20) and (40, 3) sent to longitude/latitude and back by PROJ:
    # the round trip is exact to well under a millimetre, so each point must land on its
    # pixel at a distance below 1 cm (a pixel is 10 m; a wrong pixel would be >= 5 m).
    cells = [(10, 20), (40, 3)]
    xy = [_centre(r, c) for r, c in cells]
    lon, lat = transform_xy([p[0] for p in xy], [p[1] for p in xy],
                            srs_from_user("EPSG:2154"), srs_from_user("EPSG:4326"))
    res = features_at_points(emb, _points(tmp_path / "ll.gpkg", list(zip(lon, lat)),
                                          epsg=4326))
    assert res.reprojected and res.points_crs == "EPSG:4326"
    assert res.raster_crs == "EPSG:2154"
    assert [(int(r), int(c)) for r, c in zip(res.row, res.col)] == cells
    assert np.all(res.distance < 0.01)
    assert any("reprojected" in m for m in res.messages)


def test_outside_and_nodata_counted_and_listed(emb, tmp_path):
    # 6 points: 2 usable, 1 west of the raster, 1 far north, 1 on the all-NaN pixel (5, 5),
    # 1 on (6, 6) whose band 2 alone is NaN -> counts 2 / 2 / 2; GeoPackage FIDs start at 1
    # in writing order, so the lists are [2, 3] and [4, 5].
    pts = [_centre(0, 0), (X0 - 5.0, Y_TOP - 5.0), (X0 + 5.0, Y_TOP + 1000.0),
           _centre(5, 5), _centre(6, 6), _centre(63, 63)]
    res = features_at_points(emb, _points(tmp_path / "p.gpkg", pts))
    assert res.counts() == {USABLE: 2, OUTSIDE: 2, NODATA: 2, "no_location": 0}
    assert res.ids_with(OUTSIDE) == [2, 3] and res.ids_with(NODATA) == [4, 5]
    assert np.isnan(res.features[~res.usable]).all()
    assert np.isnan(res.distance[1]) and res.row[1] == -1
    text = " ".join(res.warnings)
    assert "2 of 6 points" in text and "feature ids 2, 3" in text and "4, 5" in text


def test_no_usable_point_is_an_error(emb, tmp_path):
    with pytest.raises(BotaclipError, match="None of the 1 points"):
        features_at_points(emb, _points(tmp_path / "p.gpkg", [(X0 - 50.0, Y_TOP)]))


def test_windowed_read_matches_whole_array(emb, tmp_path):
    # 40 random points in the 16 x 16 block at rows 16-31, columns 32-47, plus 2 in the
    # block at rows 48-63, columns 0-15: at most 2 windows of 16 x 16 = 512 pixels are read,
    # an eighth of the 64 x 64 = 4096 a whole read costs; values equal the whole read's.
    rng = np.random.default_rng(0)
    cells = [(int(r), int(c)) for r, c in zip(rng.integers(16, 32, 40),
                                              rng.integers(32, 48, 40))]
    cells += [(50, 2), (63, 15)]
    res = features_at_points(emb, _points(tmp_path / "p.gpkg", [_centre(*rc) for rc in cells]))
    assert res.pixels_read <= 2 * BLOCK * BLOCK
    whole = gdal.Open(str(emb)).ReadAsArray()                      # (D, SIZE, SIZE)
    rows = np.array([rc[0] for rc in cells])
    cols = np.array([rc[1] for rc in cells])
    np.testing.assert_array_equal(res.features, whole[:, rows, cols].T)


def test_raster_without_tags_warns(tmp_path):
    plain = _write_raster(tmp_path / "plain.tif", tags=False)
    res = features_at_points(plain, _points(tmp_path / "p.gpkg", [_centre(1, 1)]))
    assert res.usable.all() and res.tags == {}
    assert any("no BotaCLIP provenance tags" in w for w in res.warnings)


def test_nearest_pixels_is_the_nearest_centre():
    # Brute force over every centre for 500 random points: the pixel holding a point is the
    # nearest centre (ties only on edges, which random floats never hit).
    class Info:
        geotransform = (X0, PX, 0.0, Y_TOP, 0.0, -PX)
        width = height = SIZE

    rng = np.random.default_rng(1)
    x = X0 + rng.uniform(0, SIZE * PX, 500)
    y = Y_TOP - rng.uniform(0, SIZE * PX, 500)
    row, col, dist = nearest_pixels(Info, x, y)
    cx = X0 + (np.arange(SIZE) + 0.5) * PX
    cy = Y_TOP - (np.arange(SIZE) + 0.5) * PX
    assert np.array_equal(col, np.abs(x[:, None] - cx).argmin(axis=1))
    assert np.array_equal(row, np.abs(y[:, None] - cy).argmin(axis=1))
    assert dist.max() <= PX * np.sqrt(0.5) + 1e-9        # half a diagonal at most


# ------------------------------------------------------------------------------ targets

def _layer(tmp_path, **fields):
    n = len(next(iter(fields.values())))
    xs = X0 + np.arange(n) * 10.0
    return write_points(tmp_path / "t.gpkg", srs_from_user("EPSG:2154"), xs, xs * 0 + Y_TOP,
                        {k: np.asarray(v, dtype=object if isinstance(v[0], str) or None in v
                                       else None) for k, v in fields.items()})


def test_presence_forms_and_abundance(tmp_path):
    path = _layer(tmp_path, pa=[1, 0, 1, 0], word=["yes", "No", "TRUE", "f"],
                  ab=[0.0, 2.5, np.nan, 7.0])
    t = read_targets(path, "pa, word", "presence")
    assert t.ids == [1, 2, 3, 4]
    np.testing.assert_array_equal(t["pa"].values, [1, 0, 1, 0])
    np.testing.assert_array_equal(t["word"].values, [1, 0, 1, 0])
    assert t["word"].counts() == {"0": 2, "1": 2}
    a = read_targets(path, ["AB"], "abundance")["ab"]          # field names: any case
    assert list(a.valid) == [True, True, False, True]
    assert a.counts() == {"n": 3}
    notice = read_targets(path, ["ab"], "abundance").notices[0]
    assert notice.kind == "target_empty" and "feature ids 3" in notice.message


def test_presence_only_and_classes(tmp_path):
    path = _layer(tmp_path, pa=[1, 0, 1, 1], cls=["wood", "meadow", "wood", "fen"],
                  code=[3.0, 1.0, 3.0, 1.0])
    po = read_targets(path, None, "presence-only")
    assert po["presence"].valid.all()
    po2 = read_targets(path, "pa", "presence-only")
    assert list(po2["pa"].valid) == [True, False, True, True]
    assert po2.notices[0].kind == "absences_ignored"
    c = read_targets(path, "cls,code", "classes")
    assert c["cls"].classes == ["fen", "meadow", "wood"]          # sorted names, codes 0..2
    np.testing.assert_array_equal(c["cls"].values, [2, 1, 2, 0])
    assert c["code"].classes == ["1", "3"]
    # 'fen' and 'meadow' have one point each -> one notice naming both (2 classes)
    single = [n for n in c.notices if n.kind == "class_single_point"]
    assert len(single) == 1 and single[0].count == 2 and "'fen' (feature id 4)" in \
        single[0].message


@pytest.mark.parametrize("fields,task,match", [
    ("missing", "presence", r"'missing' is not in .*Its fields: .*pa"),
    ("one", "presence", "only presences"),
    ("one_cls", "classes", "single class"),
    ("text", "abundance", r"text where numbers .* feature ids 2 \('abc'\)"),
    ("pa2", "presence", r"neither presence nor absence at feature ids 3 \('2'\)"),
    ("neg", "abundance", r"negative abundances at feature ids 1"),
    ("frac", "classes", "fractions"),
    ("pa", "occupancy", "Unknown task"),
])
def test_bad_targets(tmp_path, fields, task, match):
    path = _layer(tmp_path, pa=[1, 0, 1], one=[1, 1, 1], one_cls=["a", "a", "a"],
                  text=["1", "abc", "3"], pa2=["1", "0", "2"], neg=[-1.0, 2.0, 3.0],
                  frac=[1.5, 2.0, 1.0])
    with pytest.raises(BotaclipError, match=match):
        read_targets(path, fields, task)


def test_band_nodata_value_is_nodata(tmp_path):
    # A raster that marks nodata by a value (-9999 in band 3 at pixel (2, 2)) rather than NaN:
    # that pixel is nodata, its neighbour (2, 3) is usable.
    path = _write_raster(tmp_path / "nd.tif")
    ds = gdal.Open(str(path), gdal.GA_Update)
    band = ds.GetRasterBand(3)
    band.SetNoDataValue(-9999.0)
    band.WriteArray(np.array([[-9999.0]], dtype="float32"), 2, 2)
    ds = band = None
    res = features_at_points(path, _points(tmp_path / "p.gpkg", [_centre(2, 2), _centre(2, 3)]))
    assert list(res.status) == [NODATA, USABLE]
