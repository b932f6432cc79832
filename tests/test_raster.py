"""Orthophoto reading: raster headers, band wavelengths, patches centred on plots, masks,
band statistics and mosaics. Real data: the S2-BMS Sentinel-2 sample (16 GeoTIFFs) as a VRT;
everything else is synthetic and made in tmp_path."""

import csv
import json

import numpy as np
import pytest
from osgeo import gdal, osr

from botaclip.backend.errors import BotaclipError
from botaclip.backend.io.band_stats import sample_band_stats
from botaclip.backend.io.mosaic import build_vrt
from botaclip.backend.io.patches import PatchReader
from botaclip.backend.io.presets import (
    PRESETS_FILE,
    BandSpec,
    list_presets,
    parse_wavelengths,
    resolve_bands,
    wavelength_from_name,
)
from botaclip.backend.io.raster import RasterInfo, raster_info, to_raster_crs

gdal.UseExceptions()


def _wkt(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s.ExportToWkt()


def make_raster(path, arrays, *, gt=(500000.0, 1.0, 0.0, 6000000.0, 0.0, -1.0), epsg=32631,
                dtype=gdal.GDT_Float32, nodata=None, colours=None, descriptions=None,
                options=(), mask=None, driver="GTiff"):
    """A GeoTIFF from a list of 2-D arrays (one per band)."""
    arrays = [np.asarray(a) for a in arrays]
    h, w = arrays[0].shape
    ds = gdal.GetDriverByName(driver).Create(str(path), w, h, len(arrays), dtype,
                                             options=list(options))
    ds.SetGeoTransform(gt)
    if epsg:
        ds.SetProjection(_wkt(epsg))
    for i, a in enumerate(arrays, 1):
        b = ds.GetRasterBand(i)
        if colours:
            b.SetColorInterpretation(colours[i - 1])
        if descriptions:
            b.SetDescription(descriptions[i - 1])
        if nodata is not None:
            b.SetNoDataValue(nodata[i - 1] if isinstance(nodata, (list, tuple)) else nodata)
        b.WriteArray(a)
    if mask is not None:
        ds.CreateMaskBand(gdal.GMF_PER_DATASET)
        ds.GetRasterBand(1).GetMaskBand().WriteArray(np.where(mask, 255, 0).astype("uint8"))
    ds.FlushCache()
    ds = None
    return str(path)


def fake_info(count=4, descriptions=None, colours=None, dtype="uint16", alpha=()):
    descriptions = descriptions or [""] * count
    colours = colours or ["Undefined"] * count
    return RasterInfo(
        path="ortho.tif", driver="GTiff", width=10, height=10, count=count, dtype=dtype,
        srs_wkt=_wkt(2154), geotransform=(0, 1, 0, 10, 0, -1), pixel_size=(1.0, 1.0),
        bounds=(0, 0, 10, 10), nodata=[None] * count, has_mask=False,
        descriptions=list(descriptions), color_interp=list(colours),
        spectral_bands=[i for i in range(1, count + 1) if i not in alpha],
        alpha_bands=list(alpha))


# ---------------------------------------------------------------- S2-BMS as a VRT mosaic

@pytest.fixture(scope="module")
def s2(shared_dir, tmp_path_factory):
    folder = shared_dir / "data" / "s2bms_sample"
    tiles = sorted((folder / "images").glob("*.tif"))
    assert len(tiles) == 16
    vrt = build_vrt(tiles, tmp_path_factory.mktemp("s2") / "s2bms.vrt")
    with open(folder / "ukbms_presence_test16.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    lon, lat = zip(*(map(float, r["tuple_coords"].strip("()").split(",")) for r in rows))
    info = raster_info(vrt)
    x, y = to_raster_crs(info, lon, lat, _wkt(4326))
    return {"vrt": str(vrt), "tiles": tiles, "info": info, "x": x, "y": y,
            "names": [r["name_loc"] for r in rows]}


def test_s2_mosaic_header(s2):
    info = s2["info"]
    assert info.driver == "VRT" and info.count == 4 and info.dtype == "uint16"
    assert info.pixel_size == (10.0, 10.0)
    assert info.nodata == [0.0] * 4 and info.has_mask and info.mask_kinds == ["nodata"] * 4
    assert info.crs_label == "EPSG:32630"
    assert info.spectral_bands == [1, 2, 3, 4] and not info.is_geographic


def test_s2_plots_valid_fraction(s2):
    with PatchReader(s2["vrt"], patch_m=1000, patch_px=100) as r:
        fr = np.array([r.valid_fraction(x, y) for x, y in zip(s2["x"], s2["y"])])
        full = np.array([r.read(x, y).valid_fraction for x, y in zip(s2["x"], s2["y"])])
    no_image = [9, 12]
    assert np.all(fr[no_image] == 0.0) and np.all(full[no_image] == 0.0)
    others = np.delete(np.arange(18), no_image)
    assert np.all(fr[others] == 1.0) and np.all(full[others] == 1.0)


@pytest.mark.parametrize("resampling", ["nearest", "bilinear", "average"])
def test_s2_patch_equals_source_pixels(s2, resampling):
    """640 m at 10 m pixels -> 64 px, window on the pixel grid: patch == direct GDAL read."""
    tile = str(s2["tiles"][0])
    ds = gdal.Open(tile)
    gt = ds.GetGeoTransform()
    col, row = 90, 70                                  # window's top-left pixel in the tile
    cx = gt[0] + (col + 32) * gt[1]
    cy = gt[3] + (row + 32) * gt[5]
    expected = ds.ReadAsArray(col, row, 64, 64).astype("float32")
    with PatchReader(s2["vrt"], patch_m=640, patch_px=64, resampling=resampling) as r:
        p = r.read(cx, cy)
    assert p.data.shape == (4, 64, 64) and p.data.dtype == np.float32
    assert p.valid.all() and p.valid_fraction == 1.0
    np.testing.assert_array_equal(p.data, expected)


def test_s2_bands_need_a_preset(s2):
    with pytest.raises(BotaclipError) as e:
        resolve_bands(s2["info"])
    msg = str(e.value)
    assert "4 spectral bands" in msg
    for name in ("naip", "rgbn", "s2-4band", "--sensor", "--wavelengths"):
        assert name in msg
    spec = resolve_bands(s2["info"], sensor="s2-4band")
    assert spec.wavelengths_um == [0.665, 0.56, 0.49, 0.842]
    assert spec.names == ["B4", "B3", "B2", "B8"] and spec.source == "preset:s2-4band"
    assert spec.normalization == "sampled" and spec.bands == [1, 2, 3, 4]


def test_s2_band_stats_skip_the_holes(s2):
    """The mosaic is 99.9 % holes; windows are drawn where GDAL says there is data."""
    s = sample_band_stats(s2["vrt"], n_windows=32, window_px=128, seed=0)
    assert "% of it is empty" in s.source and s.n_read == 32 * 128 * 128
    pixels = np.concatenate([gdal.Open(str(t)).ReadAsArray().reshape(4, -1) for t in s2["tiles"]],
                            axis=1).astype("float64")
    pixels = pixels[:, (pixels > 0).all(axis=0)]
    true_mean, true_std = pixels.mean(axis=1), pixels.std(axis=1)
    np.testing.assert_allclose(s.mean, true_mean, rtol=0.15)
    np.testing.assert_allclose(s.std, true_std, rtol=0.25)
    info = s2["info"]
    assert s.n_read < 1e-3 * info.width * info.height


# ---------------------------------------------------------------- validity masks

def test_nodata_mask(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.integers(1, 1000, (40, 40)).astype("uint16")
    b = rng.integers(1, 1000, (40, 40)).astype("uint16")
    a[5:12, 3:30] = 0          # nodata in band 1 only
    b[20:25, 10:15] = 0        # nodata in band 2 only
    path = make_raster(tmp_path / "nd.tif", [a, b], dtype=gdal.GDT_UInt16, nodata=0)
    assert raster_info(path).mask_kinds == ["nodata", "nodata"]
    with PatchReader(path, patch_m=40, patch_px=40, resampling="nearest") as r:
        p = r.read(500020.0, 5999980.0)
    expected = (a != 0) & (b != 0)          # valid only where every band is valid
    np.testing.assert_array_equal(p.valid, expected)
    assert np.isnan(p.data[:, ~expected]).all()        # invalid pixels are NaN, never data
    np.testing.assert_array_equal(p.data[0][expected], a[expected])
    assert p.valid_fraction == pytest.approx(expected.mean())


def test_alpha_band_is_a_mask_not_data(tmp_path):
    rng = np.random.default_rng(1)
    rgb = [rng.integers(0, 256, (32, 32)).astype("uint8") for _ in range(3)]
    alpha = np.full((32, 32), 255, "uint8")
    alpha[:, :8] = 0
    path = make_raster(tmp_path / "rgba.tif", rgb + [alpha], dtype=gdal.GDT_Byte,
                       colours=[gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand,
                                gdal.GCI_AlphaBand])
    info = raster_info(path)
    assert info.count == 4 and info.spectral_bands == [1, 2, 3] and info.alpha_bands == [4]
    spec = resolve_bands(info)
    assert spec.source == "colour interpretation" and spec.names == ["red", "green", "blue"]
    assert spec.normalization == "imagenet" and any("alpha" in n for n in spec.notes)
    with PatchReader(path, patch_m=32, patch_px=32, resampling="nearest") as r:
        p = r.read(500016.0, 5999984.0)
        assert p.data.shape == (3, 32, 32)
        assert r.valid_fraction(500016.0, 5999984.0, px=32) == pytest.approx(0.75)
    np.testing.assert_array_equal(p.valid, alpha > 0)
    np.testing.assert_array_equal(p.data[:, :, 8:], np.stack(rgb)[:, :, 8:])
    assert np.isnan(p.data[:, :, :8]).all()


def test_alpha_band_gdal_does_not_use_as_mask(tmp_path):
    """RGBN + alpha (5 bands, as gdalwarp -dstalpha writes): GDAL reports every band valid;
    we still take the alpha band as the mask, also in the resampling."""
    data = [np.full((40, 40), 100, "uint8") for _ in range(4)]
    alpha = np.full((40, 40), 255, "uint8")
    alpha[:, 20:] = 0
    for d in data:
        d[:, 20:] = 0
    path = make_raster(tmp_path / "rgbna.tif", data + [alpha], dtype=gdal.GDT_Byte,
                       colours=[gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand,
                                gdal.GCI_Undefined, gdal.GCI_AlphaBand])
    assert gdal.Open(path).GetRasterBand(1).GetMaskFlags() == gdal.GMF_ALL_VALID
    info = raster_info(path)
    assert info.spectral_bands == [1, 2, 3, 4] and info.mask_kinds[:4] == ["alpha"] * 4
    assert resolve_bands(info, sensor="naip").bands == [1, 2, 3, 4]
    with PatchReader(path, patch_m=40, patch_px=9, resampling="bilinear") as r:
        p = r.read(500020.0, 5999980.0)
        assert r.valid_fraction(500020.0, 5999980.0, px=40) == 0.5
    assert p.data.shape == (4, 9, 9)
    assert p.valid[:, :4].all() and not p.valid[:, 5:].any()
    assert np.all(p.data[:, p.valid] == 100)      # no blending with the transparent zeros


def test_per_dataset_mask(tmp_path):
    a = np.arange(30 * 30, dtype="float32").reshape(30, 30) + 1
    mask = np.ones((30, 30), bool)
    mask[10:20, 10:20] = False
    path = make_raster(tmp_path / "msk.tif", [a, a * 2], mask=mask)
    assert raster_info(path).mask_kinds == ["per-dataset mask"] * 2
    with PatchReader(path, patch_m=30, patch_px=30, resampling="bilinear") as r:
        p = r.read(500015.0, 5999985.0)
    np.testing.assert_array_equal(p.valid, mask)
    np.testing.assert_array_equal(p.data[1][mask], 2 * a[mask])
    assert p.valid_fraction == pytest.approx(800 / 900)


def test_resampling_ignores_invalid_pixels(tmp_path):
    """Downsampled next to nodata: values are not pulled towards the nodata value."""
    a = np.full((40, 40), 100, "uint16")
    a[:, 20:] = 0
    path = make_raster(tmp_path / "half.tif", [a], dtype=gdal.GDT_UInt16, nodata=0)
    with PatchReader(path, patch_m=40, patch_px=9, resampling="bilinear") as r:
        p = r.read(500020.0, 5999980.0)
    assert np.all(p.data[0][p.valid] == 100)
    assert p.valid[:, :4].all() and not p.valid[:, 5:].any()


# ---------------------------------------------------------------- geometry

def _gradient(tmp_path, name="grad.tif", n=200, gt=(500000.0, 1.0, 0.0, 6000200.0, 0.0, -1.0)):
    """Value at each pixel centre = 3 * x_map + 2 * y_map (minus a constant)."""
    cols = gt[0] + (np.arange(n) + 0.5) * gt[1]
    rows = gt[3] + (np.arange(n) + 0.5) * gt[5]
    f = lambda x, y: 3.0 * (x - 500000.0) + 2.0 * (y - 6000000.0)
    arr = f(cols[None, :], rows[:, None]).astype("float32")
    return make_raster(tmp_path / name, [arr], gt=gt), f


@pytest.mark.parametrize("patch_m,patch_px,resampling,tol_px", [
    (50.0, 50, "bilinear", 0.01),      # 1:1 scale, off the pixel grid
    (50.0, 50, "cubic", 0.01),
    (57.3, 23, "bilinear", 0.03),      # downsampling 2.5x
    (57.3, 23, "cubic", 0.01),
    (57.3, 23, "average", 0.5),        # GDAL snaps "average" footprints to whole pixels
    (20.0, 64, "bilinear", 0.01),      # upsampling 3.2x
])
def test_subpixel_centring(tmp_path, patch_m, patch_px, resampling, tol_px):
    path, f = _gradient(tmp_path)
    x, y = 500093.37, 6000104.81                     # not on the pixel grid
    with PatchReader(path, patch_m=patch_m, patch_px=patch_px, resampling=resampling) as r:
        p = r.read(x, y)
    assert p.valid.all()
    assert float(p.data.mean()) == pytest.approx(f(x, y), abs=0.02)
    # every output pixel carries the value at its own centre
    step = patch_m / patch_px
    cx = x - patch_m / 2 + (np.arange(patch_px) + 0.5) * step
    cy = y + patch_m / 2 - (np.arange(patch_px) + 0.5) * step
    expected = f(cx[None, :], cy[:, None])
    # the gradient is 3 per pixel along x, 2 along y: an error of e px shows as <= 5 e
    assert np.abs(p.data[0] - expected).max() <= 5 * tol_px


def test_padded_path_matches_direct_read(tmp_path):
    """The edge path (copy into a padded in-memory raster) resamples like the direct read."""
    path, _ = _gradient(tmp_path)
    for patch_m, px in ((57.3, 23), (50.0, 50), (30.0, 64)):
        with PatchReader(path, patch_m=patch_m, patch_px=px) as r:
            win = r._window(500093.37, 6000104.81, px)
            d1, v1 = r._read_direct(win, px)
            d2, v2 = r._read_padded(win, px)
        np.testing.assert_array_equal(v1, v2)
        np.testing.assert_allclose(d1, d2, atol=1e-3)


def test_patch_across_the_raster_edge(tmp_path):
    a = np.arange(100 * 100, dtype="float32").reshape(100, 100) + 1
    path = make_raster(tmp_path / "edge.tif", [a], gt=(0.0, 1.0, 0.0, 100.0, 0.0, -1.0))
    with PatchReader(path, patch_m=40, patch_px=40, resampling="nearest") as r:
        p = r.read(0.0, 50.0)                      # left half outside
        assert p.valid_fraction == pytest.approx(0.5)
        assert not p.valid[:, :20].any() and p.valid[:, 20:].all()
        assert np.isnan(p.data[:, :, :20]).all()
        np.testing.assert_array_equal(p.data[0][:, 20:], a[30:70, 0:20])
        assert r.valid_fraction(0.0, 50.0) == pytest.approx(0.5)
        corner = r.read(100.0, 0.0)                # a quarter inside, nothing wraps around
        assert corner.valid_fraction == pytest.approx(0.25)
        assert corner.valid[:20, :20].all() and not corner.valid[20:, :].any()
        np.testing.assert_array_equal(corner.data[0][:20, :20], a[80:, 80:])
        assert r.valid_fraction(100.0, 0.0) == pytest.approx(0.25)
        assert r.read(300.0, 50.0).valid_fraction == 0.0
        assert r.valid_fraction(300.0, 50.0) == 0.0
        assert r.read(float("nan"), 50.0).valid_fraction == 0.0


def test_cheap_valid_fraction_agrees_with_read(tmp_path):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(120, 120)).astype("float32")
    a[rng.random((120, 120)) < 0.1] = -9999
    a[30:70, 40:90] = -9999
    path = make_raster(tmp_path / "holes.tif", [a], gt=(0.0, 1.0, 0.0, 120.0, 0.0, -1.0),
                       nodata=-9999)
    with PatchReader(path, patch_m=37.3, patch_px=32) as r:
        for x, y in rng.uniform(-20, 140, (40, 2)):
            assert r.valid_fraction(x, y, px=32) == pytest.approx(r.read(x, y).valid_fraction)


def test_bilinear_downsampling_antialiases(tmp_path):
    """GDAL widens the bilinear kernel when reducing, so white noise is smoothed, not aliased."""
    noise = np.random.default_rng(0).normal(size=(520, 520)).astype("float32")
    path = make_raster(tmp_path / "noise.tif", [noise], gt=(0.0, 0.2, 0.0, 104.0, 0.0, -0.2))
    stds = {}
    for alg in ("nearest", "average", "bilinear"):
        with PatchReader(path, patch_m=100, patch_px=224, resampling=alg) as r:
            stds[alg] = float(r.read(52.0, 52.0).data.std())
    assert stds["nearest"] > 0.9
    assert stds["average"] < 0.5 and stds["bilinear"] < 0.4


def test_south_up_raster_gives_north_up_patches(tmp_path):
    a = np.arange(50 * 50, dtype="float32").reshape(50, 50)
    north = make_raster(tmp_path / "n.tif", [a], gt=(0.0, 1.0, 0.0, 50.0, 0.0, -1.0))
    south = make_raster(tmp_path / "s.tif", [a[::-1]], gt=(0.0, 1.0, 0.0, 0.0, 0.0, 1.0))
    with PatchReader(north, 20, 20) as rn, PatchReader(south, 20, 20) as rs:
        np.testing.assert_array_equal(rn.read(20.3, 30.6).data, rs.read(20.3, 30.6).data)


def test_patch_size_is_metres_in_a_feet_crs(tmp_path):
    # EPSG:2227 (California zone 3) is in US survey feet: 30.48006 m = 100 ft = 100 px
    a = np.arange(200 * 200, dtype="float32").reshape(200, 200)
    path = make_raster(tmp_path / "ft.tif", [a], gt=(6e6, 1.0, 0.0, 2e6, 0.0, -1.0), epsg=2227)
    assert raster_info(path).linear_unit_m == pytest.approx(0.3048006)
    with PatchReader(path, patch_m=100 * 0.3048006096, patch_px=100, resampling="nearest") as r:
        p = r.read(6e6 + 100, 2e6 - 100)
    np.testing.assert_array_equal(p.data[0], a[50:150, 50:150])


def test_geographic_crs_refused(tmp_path):
    path = make_raster(tmp_path / "ll.tif", [np.zeros((10, 10), "float32")],
                       gt=(2.0, 0.001, 0.0, 48.0, 0.0, -0.001), epsg=4326)
    assert raster_info(path).is_geographic
    with pytest.raises(BotaclipError, match="projected CRS"):
        PatchReader(path, 100, 32)


def test_header_errors(tmp_path):
    with pytest.raises(BotaclipError, match="does not exist"):
        raster_info(tmp_path / "missing.tif")
    txt = tmp_path / "notes.txt"
    txt.write_text("not a raster")
    with pytest.raises(BotaclipError, match="GDAL cannot read"):
        raster_info(txt)
    nocrs = make_raster(tmp_path / "nocrs.tif", [np.zeros((5, 5))], epsg=None)
    with pytest.raises(BotaclipError, match="no coordinate reference system"):
        raster_info(nocrs)
    rot = make_raster(tmp_path / "rot.tif", [np.zeros((5, 5))], gt=(0, 1, 0.2, 10, 0.1, -1))
    with pytest.raises(BotaclipError, match="rotated"):
        raster_info(rot)
    ds = gdal.GetDriverByName("GTiff").Create(str(tmp_path / "nogt.tif"), 5, 5, 1)
    ds.FlushCache()
    ds = None
    with pytest.raises(BotaclipError, match="not georeferenced"):
        raster_info(tmp_path / "nogt.tif")
    ok = make_raster(tmp_path / "ok.tif", [np.zeros((5, 5))])
    with pytest.raises(BotaclipError, match="Unknown resampling"):
        PatchReader(ok, 10, 10, resampling="bicubic")
    with pytest.raises(BotaclipError, match="positive number of metres"):
        PatchReader(ok, -5, 10)


def test_to_raster_crs_keeps_missing_points(tmp_path):
    info = raster_info(make_raster(tmp_path / "utm.tif", [np.zeros((5, 5))], epsg=32630))
    x, y = to_raster_crs(info, [-2.165105, np.nan], [50.956811, np.nan], _wkt(4326))
    assert x[0] == pytest.approx(558630, abs=15) and y[0] == pytest.approx(5645360, abs=15)
    assert np.isnan(x[1]) and np.isnan(y[1])
    with pytest.raises(BotaclipError, match="no coordinate reference system"):
        to_raster_crs(info, [1.0], [2.0], "")


# ---------------------------------------------------------------- wavelengths

def test_presets_file():
    presets = list_presets()
    for name in ("bdortho-rvb", "bdortho-irc", "naip", "sentinel2-l2a", "landsat8", "rgb",
                 "rgbn", "s2-4band"):
        p = presets[name]
        assert p["label"] and p["source"] and p["dtype"] and p["normalization"]
        assert len(p["bands"]) == len(p["wavelengths_um"])
        assert all(0.3 < w < 3 for w in p["wavelengths_um"])
    assert presets["bdortho-irc"]["bands"] == ["nir", "red", "green"]
    s2 = presets["sentinel2-l2a"]
    assert len(s2["bands"]) == 12 and "B10" not in s2["bands"] and s2["bands"][8] == "B8A"
    assert len(presets["landsat8"]["bands"]) == 7
    assert {n for n, p in presets.items() if p["normalization"] == "imagenet"} == {
        "bdortho-rvb", "rgb"}
    assert json.loads(PRESETS_FILE.read_text())["presets"].keys() == presets.keys()


@pytest.mark.parametrize("text,um", [
    ("red", 0.665), ("Red", 0.665), ("R", 0.665), ("Rouge", 0.665), ("green", 0.56),
    ("blue", 0.49), ("nir", 0.842), ("NIR", 0.842), ("near-infrared", 0.842),
    ("Near Infrared", 0.842), ("PIR", 0.842), ("B4", 0.665), ("B04", 0.665), ("B8A", 0.865),
    ("B08A", 0.865), ("B11", 1.61), ("B12", 2.19), ("SR_B5", 0.865), ("665 nm", 0.665),
    ("0.665", 0.665), ("842", 0.842), ("0.56 um", 0.56), ("Band 4 - Red", 0.665),
    ("B4 (red)", 0.665), ("Red Edge 1", 0.705), ("swir16", 1.61), ("coastal", 0.443),
    ("B4, central wavelength 665 nm", 0.665), ("Infrared band", 0.842), ("vert", 0.56),
])
def test_band_names(text, um):
    assert wavelength_from_name(text)[0] == pytest.approx(um)


@pytest.mark.parametrize("text", ["", "Band 1", "Alpha", "Red Edge", "red and nir", "B13",
                                  "Thermal Infrared", "Shortwave infrared", "panchromatic"])
def test_band_names_not_understood(text):
    assert wavelength_from_name(text) is None


def test_resolution_order():
    info = fake_info(4, descriptions=["Red", "Green", "Blue", "NIR"])
    by_desc = resolve_bands(info)
    assert by_desc.source == "band descriptions"
    assert by_desc.wavelengths_um == [0.665, 0.56, 0.49, 0.842]
    assert by_desc.names == ["red", "green", "blue", "nir"]
    by_preset = resolve_bands(info, sensor="naip")          # preset beats descriptions
    assert by_preset.source == "preset:naip" and by_preset.wavelengths_um[0] == 0.635
    by_user = resolve_bands(info, sensor="naip", wavelengths="0.66, 0.55, 0.48, 0.85")
    assert by_user.source == "user" and by_user.wavelengths_um == [0.66, 0.55, 0.48, 0.85]
    assert by_user.names == ["red", "green", "blue", "nir"]
    nm = resolve_bands(info, wavelengths=[665, 560, 490, 842])
    assert nm.wavelengths_um == [0.665, 0.56, 0.49, 0.842]
    assert any("nanometres" in n for n in nm.notes)
    rgb = fake_info(3, colours=["Red", "Green", "Blue"], dtype="uint8")
    c = resolve_bands(rgb)
    assert c.source == "colour interpretation" and c.normalization == "imagenet"
    assert resolve_bands(fake_info(3, colours=["Blue", "Green", "Red"], dtype="uint8")
                         ).normalization == "sampled"           # imagenet stats are for R, G, B
    s2names = fake_info(4, descriptions=["B04", "B03", "B02", "B08"])
    assert resolve_bands(s2names).wavelengths_um == [0.665, 0.56, 0.49, 0.842]
    assert resolve_bands(fake_info(3, dtype="uint16"), sensor="rgb").normalization == "sampled"
    assert resolve_bands(fake_info(3, dtype="uint8"), sensor="BDORTHO_RVB").preset == \
        "bdortho-rvb"


def test_wavelength_errors():
    info = fake_info(4, descriptions=["red", "green", "blue", "nir"])
    with pytest.raises(BotaclipError) as e:
        resolve_bands(info, wavelengths="0.665,0.56,0.49")
    msg = str(e.value)
    assert "3 wavelengths" in msg and "4 spectral bands" in msg and "'nir'" in msg
    with pytest.raises(BotaclipError) as e:
        resolve_bands(fake_info(4, colours=["Red", "Green", "Blue", "Undefined"]))
    msg = str(e.value)
    assert "4 spectral bands" in msg and "--wavelengths 0.665,0.56,0.49,0.842" in msg
    assert "--sensor naip" in msg and "rgbn" in msg and "s2-4band" in msg
    assert "bdortho-rvb" not in msg                             # only presets with 4 bands
    with pytest.raises(BotaclipError) as e:
        resolve_bands(info, sensor="spot7")
    assert "Unknown sensor preset 'spot7'" in str(e.value)
    assert all(n in str(e.value) for n in ("bdortho-rvb", "sentinel2-l2a", "landsat8"))
    with pytest.raises(BotaclipError) as e:
        resolve_bands(info, sensor="bdortho-irc")
    assert "3 bands" in str(e.value) and "4 spectral bands" in str(e.value)
    with pytest.raises(BotaclipError, match="not a number"):
        parse_wavelengths("0.665,red")
    with pytest.raises(BotaclipError, match="plausible"):
        parse_wavelengths([42])
    with pytest.raises(BotaclipError, match="not understood: 'Band A'"):
        resolve_bands(fake_info(2, descriptions=["red", "Band A"]))


def test_bandspec_type():
    assert isinstance(resolve_bands(fake_info(3, colours=["Red", "Green", "Blue"])), BandSpec)


# ---------------------------------------------------------------- statistics

def test_sample_band_stats(tmp_path):
    rng = np.random.default_rng(5)
    a = rng.normal(100, 10, (1024, 1024)).astype("float32")
    b = rng.uniform(0, 1000, (1024, 1024)).astype("float32")
    a[:, :256] = -1                                          # a quarter is nodata
    b[:, :256] = -1
    path = make_raster(tmp_path / "stats.tif", [a, b], nodata=-1,
                       options=["TILED=YES"])
    s = sample_band_stats(path, n_windows=24, window_px=96, seed=1)
    assert s.n_read == 24 * 96 * 96 and s.n_read < 0.25 * a.size
    assert "24 random windows" in s.source
    assert s.mean[0] == pytest.approx(100, abs=0.5) and s.std[0] == pytest.approx(10, rel=0.05)
    assert s.mean[1] == pytest.approx(500, abs=15) and s.std[1] == pytest.approx(288.7, rel=0.05)
    assert s.p2[0] == pytest.approx(100 - 2.054 * 10, abs=1.0)
    assert s.p98[1] == pytest.approx(980, abs=10)
    assert 0.6 < s.valid_fraction < 0.9 and s.n_pixels == round(s.valid_fraction * s.n_read)
    again = sample_band_stats(path, n_windows=24, window_px=96, seed=1)
    assert again.mean == s.mean and again.p98 == s.p98
    assert sample_band_stats(path, n_windows=24, window_px=96, seed=2).mean != s.mean


def test_sample_band_stats_exact_for_integers(tmp_path):
    """8/16-bit bands are counted in histograms: exact moments and numpy's percentiles."""
    rng = np.random.default_rng(8)
    a = rng.gamma(2.0, 300.0, (60, 50)).astype("uint16") + 1
    b = rng.integers(1, 255, (60, 50)).astype("uint16")
    a[:10, :] = 0
    path = make_raster(tmp_path / "u16.tif", [a, b], dtype=gdal.GDT_UInt16, nodata=0)
    s = sample_band_stats(path, n_windows=1, window_px=100)   # one window = whole raster
    ok = (a > 0) & (b > 0)
    for i, band in enumerate((a, b)):
        v = band[ok].astype("float64")
        assert s.mean[i] == pytest.approx(v.mean()) and s.std[i] == pytest.approx(v.std())
        assert s.p2[i] == pytest.approx(np.percentile(v, 2))
        assert s.p98[i] == pytest.approx(np.percentile(v, 98))
    assert s.n_pixels == ok.sum() and s.valid_fraction == pytest.approx(ok.mean())


def test_nan_is_never_data(tmp_path):
    a = np.ones((20, 20), "float32")
    a[:, :5] = np.nan                                        # NaN without a nodata setting
    b = np.ones((20, 20), "float32")
    b[:, 15:] = np.nan
    no_nodata = make_raster(tmp_path / "nan.tif", [a])
    with_nodata = make_raster(tmp_path / "nan_nd.tif", [b], nodata=float("nan"))
    with PatchReader(no_nodata, 20, 20) as r:
        p = r.read(500010.0, 5999990.0)
    assert p.valid_fraction == 0.75
    np.testing.assert_array_equal(p.data, np.where(p.valid, 1, np.nan)[None])
    with PatchReader(with_nodata, 20, 20) as r:
        assert r.read(500010.0, 5999990.0).valid_fraction == 0.75
        assert r.valid_fraction(500010.0, 5999990.0, px=20) == 0.75
    s = sample_band_stats(no_nodata, n_windows=1, window_px=20)
    assert s.mean == [1.0] and s.valid_fraction == 0.75


def test_one_reader_per_thread(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path, _ = _gradient(tmp_path)
    pts = np.random.default_rng(4).uniform(500010, 500190, (24, 2)) + [0, 5999990 - 500000]

    def work(chunk):
        with PatchReader(path, 30.0, 16) as r:
            return [r.read(x, y).data for x, y in chunk]

    with ThreadPoolExecutor(2) as ex:
        parallel = sum(ex.map(work, [pts[:12], pts[12:]]), [])
    serial = work(pts)
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(parallel, serial))


def test_sample_band_stats_uses_an_overview(tmp_path):
    rng = np.random.default_rng(6)
    a = rng.integers(1, 200, (1024, 1024)).astype("uint8")
    path = make_raster(tmp_path / "ovr.tif", [a], dtype=gdal.GDT_Byte, options=["TILED=YES"])
    ds = gdal.Open(path, gdal.GA_Update)
    ds.BuildOverviews("NEAREST", [2, 4])
    ds = None
    s = sample_band_stats(path, n_windows=8, window_px=128)
    assert s.source.startswith("overview 2 of 2 (256 x 256")
    assert s.n_read == 256 * 256 and s.mean[0] == pytest.approx(a.mean(), abs=1.5)
    w = sample_band_stats(path, n_windows=8, window_px=128, use_overviews=False)
    assert "random windows" in w.source


def test_sample_band_stats_all_invalid(tmp_path):
    path = make_raster(tmp_path / "empty.tif", [np.zeros((64, 64), "float32")], nodata=0)
    with pytest.raises(BotaclipError, match="No valid pixel"):
        sample_band_stats(path, n_windows=4, window_px=32)


# ---------------------------------------------------------------- formats and mosaics

def test_jpeg2000_reads(tmp_path):
    if gdal.GetDriverByName("JP2OpenJPEG") is None:
        pytest.skip("GDAL has no JP2OpenJPEG driver here")
    rng = np.random.default_rng(7)
    bands = [rng.integers(0, 256, (64, 64)).astype("uint8") for _ in range(3)]
    src = make_raster(tmp_path / "src.tif", bands, dtype=gdal.GDT_Byte, epsg=2154,
                      gt=(700000.0, 0.5, 0.0, 6600000.0, 0.0, -0.5))
    jp2 = tmp_path / "ortho.jp2"
    gdal.Translate(str(jp2), src, format="JP2OpenJPEG",
                   creationOptions=["REVERSIBLE=YES", "QUALITY=100"])
    info = raster_info(jp2)
    assert info.driver == "JP2OpenJPEG" and info.count == 3 and info.crs_label == "EPSG:2154"
    with PatchReader(jp2, patch_m=16, patch_px=32, resampling="nearest") as r:
        p = r.read(700016.0, 6599984.0)
    np.testing.assert_array_equal(p.data, np.stack(bands)[:, 16:48, 16:48])


def test_overviews_ignored_unless_asked(tmp_path):
    """Patch values must not depend on how someone built the overviews."""
    path = make_raster(tmp_path / "ov.tif", [np.full((400, 400), 10, "uint8")],
                       dtype=gdal.GDT_Byte, gt=(0.0, 1.0, 0.0, 400.0, 0.0, -1.0),
                       options=["TILED=YES"])
    ds = gdal.Open(path, gdal.GA_Update)
    ds.BuildOverviews("NEAREST", [2, 4])
    ds.GetRasterBand(1).GetOverview(0).Fill(200)       # overviews that disagree with the data
    ds.GetRasterBand(1).GetOverview(1).Fill(250)
    ds = None
    with PatchReader(path, patch_m=200, patch_px=50) as r:
        assert np.all(r.read(200.0, 200.0).data == 10)
    with PatchReader(path, patch_m=200, patch_px=50, use_overviews=True) as r:
        assert np.all(r.read(200.0, 200.0).data == 250)


def test_cog_subpixel(tmp_path):
    path, f = _gradient(tmp_path, n=1100, gt=(500000.0, 1.0, 0.0, 6001100.0, 0.0, -1.0))
    cog = tmp_path / "grad_cog.tif"
    gdal.Translate(str(cog), path, format="COG",
                   creationOptions=["OVERVIEWS=AUTO", "BLOCKSIZE=256"])
    assert raster_info(cog).overviews                       # COG has overviews...
    with PatchReader(cog, patch_m=57.3, patch_px=23) as r:   # ...the reader does not use them
        p = r.read(500093.37, 6000104.81)
    assert float(p.data.mean()) == pytest.approx(f(500093.37, 6000104.81), abs=0.02)


def test_build_vrt_errors_and_holes(tmp_path):
    one = np.ones((30, 10), "uint8")                        # 10 m wide, 30 m high
    a = make_raster(tmp_path / "a.tif", [one, one], dtype=gdal.GDT_Byte, epsg=32631,
                    gt=(0.0, 1.0, 0.0, 30.0, 0.0, -1.0))
    b = make_raster(tmp_path / "b.tif", [one, one], dtype=gdal.GDT_Byte, epsg=32631,
                    gt=(20.0, 1.0, 0.0, 30.0, 0.0, -1.0))
    c = make_raster(tmp_path / "c.tif", [one, one], dtype=gdal.GDT_Byte, epsg=32632)
    d = make_raster(tmp_path / "d.tif", [one], dtype=gdal.GDT_Byte, epsg=32631)
    with pytest.raises(BotaclipError, match="different CRSs") as e:
        build_vrt([a, c], tmp_path / "x.vrt")
    assert "EPSG:32631" in str(e.value) and "EPSG:32632" in str(e.value)
    with pytest.raises(BotaclipError, match="different numbers of bands") as e:
        build_vrt([a, d], tmp_path / "x.vrt")
    assert "2 bands" in str(e.value) and "1 bands" in str(e.value)
    assert not (tmp_path / "x.vrt").exists()
    # no nodata in the tiles: a dataset mask marks the hole between them as invalid
    vrt = build_vrt([a, b], tmp_path / "ab.vrt")
    info = raster_info(vrt)
    assert info.width == 30 and info.count == 2 and info.alpha_bands == []
    assert info.mask_kinds == ["per-dataset mask"] * 2
    with PatchReader(vrt, patch_m=30, patch_px=30, resampling="nearest") as r:
        p = r.read(15.0, 15.0)
    assert p.data.shape[0] == 2 and p.valid[:, :10].all() and not p.valid[:, 10:20].any()
    assert p.valid[:, 20:].all() and p.valid_fraction == pytest.approx(2 / 3)


def test_100m_patches_from_20cm_ortho(tmp_path):
    """100 m patches from a 0.2 m 4-band uint8 GeoTIFF to 224 px, each at a new place (GDAL's
    block cache does not help), as when caching plot features. How fast that is belongs to
    make bench (bench_backbone's feature pipeline), not to a timed test."""
    n = 4000                                              # 800 m square
    rng = np.random.default_rng(0)
    path = tmp_path / "ortho20cm.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(path), n, n, 4, gdal.GDT_Byte,
                                              options=["TILED=YES", "PHOTOMETRIC=RGB",
                                                       "ALPHA=NO"])
    ds.SetGeoTransform((700000.0, 0.2, 0.0, 6600000.0, 0.0, -0.2))
    ds.SetProjection(_wkt(2154))
    tile = rng.integers(0, 256, (4, 1000, 1000)).astype("uint8")
    for y0 in range(0, n, 1000):
        for x0 in range(0, n, 1000):
            ds.WriteRaster(x0, y0, 1000, 1000, tile.tobytes())
    ds = None
    # 7 x 7 grid of non-overlapping 100 m patches, in random order
    centres = [(700050.0 + 110 * i + 3.3, 6599950.0 - 110 * j - 1.7)
               for i in range(7) for j in range(7)]
    order = rng.permutation(len(centres))
    with PatchReader(path, patch_m=100, patch_px=224) as r:
        patches = [r.read(*centres[k]) for k in order]
    assert all(p.data.shape == (4, 224, 224) and p.valid.all() for p in patches)


@pytest.mark.parametrize("gdal_type", [gdal.GDT_Byte, gdal.GDT_UInt16, gdal.GDT_Int16])
def test_edge_path_rounds_integer_bands_like_direct_reads(tmp_path, gdal_type):
    """A patch across the raster's edge is read through a masked copy; for integer bands its
    values must be rounded as GDAL rounds direct reads, or the same ground would give other
    values (up to 0.5 DN) depending on where the patch lies."""
    path = str(tmp_path / "int.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, 300, 300, 3, gdal_type)
    ds.SetGeoTransform((0, 1, 0, 300, 0, -1))
    ds.SetProjection(_wkt(2154))
    rng = np.random.default_rng(0)
    for b in range(3):
        ds.GetRasterBand(b + 1).WriteArray(rng.integers(1, 250, (300, 300)))
    ds = None
    with PatchReader(path, patch_m=37.3, patch_px=24) as r:
        win = r._window(150.3, 150.7, 24)
        direct, _ = r._read_direct(win, 24)
        padded, _ = r._read_padded(win, 24)
    np.testing.assert_array_equal(direct, padded)
