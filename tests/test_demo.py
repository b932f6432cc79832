"""The synthetic demo landscape: formats, sampling design, consistency, determinism, cancel."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from osgeo import gdal, ogr
from scipy.spatial.distance import pdist

from botaclip.backend.demo import BAND_NAMES, ecology, generate_demo_data, noise
from botaclip.backend.demo.landscape import (
    BROADLEAF,
    CONIFER,
    GRASSLAND,
    HABITATS,
    LAKE,
    SCREE,
    WETLAND,
    Landscape,
)
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.io.gdalutil import srs_from_wkt, srs_label
from botaclip.backend.progress import CancelFlag
from botaclip.backend.releves import BRAUN_BLANQUET_PERCENT

gdal.UseExceptions()
SIZE = 400.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "data"
    return generate_demo_data(out, size_m=SIZE, seed=0)


def _layer(path):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    fields = [(defn.GetFieldDefn(i).GetName(), defn.GetFieldDefn(i).GetType())
              for i in range(defn.GetFieldCount())]
    rows, xy = [], []
    for feat in lyr:
        rows.append({name: feat.GetField(name) for name, _ in fields})
        g = feat.GetGeometryRef()
        xy.append((g.GetX(), g.GetY()))
    srs = lyr.GetSpatialRef()
    desc = ds.GetMetadataItem("DESCRIPTION") or lyr.GetMetadataItem("DESCRIPTION") or ""
    return fields, rows, np.array(xy), srs, desc


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------ orthophoto

def test_orthophoto_format(demo):
    ds = gdal.Open(str(demo.orthophoto))
    assert srs_label(srs_from_wkt(ds.GetProjection())) == "EPSG:2154"
    gt = ds.GetGeoTransform()
    assert gt[1] == 0.5 and gt[5] == -0.5 and gt[2] == gt[4] == 0.0
    assert gt[0] == round(gt[0]) and gt[3] == round(gt[3])  # origin on whole metres
    assert 900000 < gt[0] < 1000000 and 6400000 < gt[3] < 6500000  # French Alps
    assert (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == (800, 800, 4)
    bands = [ds.GetRasterBand(i + 1) for i in range(4)]
    assert tuple(b.GetDescription() for b in bands) == BAND_NAMES == ("red", "green", "blue",
                                                                      "nir")
    assert [b.GetColorInterpretation() for b in bands] == [
        gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand, gdal.GCI_Undefined]
    assert all(b.DataType == gdal.GDT_Byte for b in bands)
    assert all(b.GetBlockSize() == [512, 512] for b in bands)
    assert all(b.GetOverviewCount() >= 1 for b in bands)
    md = ds.GetMetadata()
    assert md["BOTACLIP_SYNTHETIC"] == "yes"
    assert md["BOTACLIP_DEMO_SEED"] == "0"
    assert "SYNTHETIC" in md["DESCRIPTION"] and "seed 0" in md["DESCRIPTION"]
    struct = ds.GetMetadata("IMAGE_STRUCTURE")
    assert struct["COMPRESSION"] in ("ZSTD", "DEFLATE")
    assert struct.get("PREDICTOR") == "2"
    assert struct.get("LAYOUT") == "COG"


def _pixels_by_habitat(demo):
    img = gdal.Open(str(demo.orthophoto)).ReadAsArray().astype(float)
    hab = gdal.Open(str(demo.truth_dir / "habitat.tif")).ReadAsArray()
    k = img.shape[1] // hab.shape[0]
    hab = np.kron(hab, np.ones((k, k), dtype=hab.dtype))
    return img, hab


def test_spectral_signatures(demo):
    img, hab = _pixels_by_habitat(demo)
    med = {c: np.median(img[:, hab == c], axis=1) for c in HABITATS if (hab == c).any()}
    red, nir = 0, 3
    for c in (BROADLEAF, CONIFER, GRASSLAND, WETLAND):
        assert med[c][nir] > 1.3 * med[c][red], HABITATS[c][0]
    assert med[LAKE][nir] < 20 and med[LAKE][nir] < med[LAKE][red]
    # bare scree: near-infrared in between water and vegetation, about as bright as red
    assert med[LAKE][nir] < med[SCREE][nir] < med[BROADLEAF][nir]
    assert 0.7 < med[SCREE][nir] / med[SCREE][red] < 1.2
    # conifers are darker than broadleaf trees; scree is the brightest in the visible
    assert med[CONIFER][:3].sum() < med[BROADLEAF][:3].sum() < med[SCREE][:3].sum()


def _patch_accuracy(res, half_px=30):
    """Leave-one-out accuracy of a nearest-centroid habitat classifier on simple statistics of
    the image patch around each plot, and the accuracy of always guessing the commonest."""
    ds = gdal.Open(str(res.orthophoto))
    img, gt = ds.ReadAsArray().astype(float), ds.GetGeoTransform()
    feats, labels = [], []
    for p in _csv(res.plots):
        c = int((float(p["x"]) - gt[0]) / gt[1])
        r = int((float(p["y"]) - gt[3]) / gt[5])
        patch = img[:, r - half_px:r + half_px, c - half_px:c + half_px].reshape(4, -1)
        ndvi = (patch[3] - patch[0]) / (patch[3] + patch[0] + 1.0)
        feats.append(np.concatenate([patch.mean(1), patch.std(1), [ndvi.mean(), ndvi.std()]]))
        labels.append(p["habitat"])
    X = np.array(feats)
    X = (X - X.mean(0)) / X.std(0)
    y = np.array(labels)
    hits = 0
    for i in range(len(y)):
        rest = np.arange(len(y)) != i
        cents = {h: X[rest & (y == h)].mean(0) for h in set(y[rest])}
        guess = min(cents, key=lambda h: np.sum((X[i] - cents[h]) ** 2))
        hits += guess == y[i]
    return hits / len(y), max(np.mean(y == h) for h in set(y))


def test_habitats_are_recognisable_from_the_image(demo):
    """The demo's point: images and relevés share a learnable signal. Even a plain
    nearest-centroid classifier on 30 m patch statistics beats chance clearly."""
    acc, chance = _patch_accuracy(demo)
    assert acc > chance + 0.25, (acc, chance)


def test_strips_join_seamlessly():
    """Rendering is a function of coordinates: two overlapping strips agree exactly, so the
    strip size never shows in the image."""
    L = Landscape(300.0, 0.5, 3)
    a = L.render_strip(280, 360)
    b = L.render_strip(320, 400)
    assert np.array_equal(a[:, 40:], b[:, :40])


def test_noise_grid_and_points_agree():
    xs = np.linspace(3.0, 97.0, 37)
    ys = np.linspace(-5.0, 55.0, 23)
    key = noise.layer_key(5, 7)
    grid = noise.fbm(xs, ys, 9.0, key, 3)
    pts = noise.fbm(*np.meshgrid(xs, ys), 9.0, key, 3, grid=False)
    np.testing.assert_allclose(grid, pts, atol=1e-6)
    assert -1.0 <= grid.min() and grid.max() <= 1.0 and grid.std() > 0.1


# ------------------------------------------------------------------ relevés

def test_releves_design(demo):
    fields, rows, xy, srs, desc = _layer(demo.releves)
    assert srs_label(srs) == "EPSG:2154"
    assert "SYNTHETIC" in desc
    assert [f[0] for f in fields[:2]] == ["plot_id", "habitat"]
    assert all(t == ogr.OFTString for _, t in fields[:2])
    # every other field is a taxon with a numeric cover, nothing else is numeric
    assert [f[0] for f in fields[2:]] == demo.taxa
    assert all(t == ogr.OFTReal for _, t in fields[2:])
    assert 50 <= len(demo.taxa) <= len(ecology.TAXA)
    assert len(rows) == demo.n_releves >= 40
    ids = [r["plot_id"] for r in rows]
    assert ids == [f"P{i + 1:04d}" for i in range(len(rows))]
    # spacing and margin
    assert pdist(xy).min() >= 40.0 - 0.02
    gt = gdal.Open(str(demo.orthophoto)).GetGeoTransform()
    x0, y1 = gt[0], gt[3]
    x1, y0 = x0 + SIZE, y1 - SIZE
    margin = np.min([xy[:, 0] - x0, x1 - xy[:, 0], xy[:, 1] - y0, y1 - xy[:, 1]])
    assert margin >= 50.0 - 0.01
    habs = {r["habitat"] for r in rows}
    assert "lake" not in habs
    assert habs == {HABITATS[c][0] for c in (BROADLEAF, CONIFER, GRASSLAND, SCREE, WETLAND)}
    # realistic richness
    rich = np.array([sum(1 for t in demo.taxa if r[t] > 0) for r in rows])
    assert rich.min() >= 10 and rich.max() <= 35 and 14 <= np.median(rich) <= 30


def test_wide_covers_equal_long_codes(demo):
    _, rows, _, _, _ = _layer(demo.releves)
    wide = {r["plot_id"]: r for r in rows}
    long_rows = _csv(demo.releves_long)
    assert list(long_rows[0]) == ["plot_id", "taxon", "cover"]
    seen = set()
    for r in long_rows:
        assert r["cover"] in BRAUN_BLANQUET_PERCENT and r["cover"] != "2"
        assert wide[r["plot_id"]][r["taxon"]] == BRAUN_BLANQUET_PERCENT[r["cover"]]
        seen.add((r["plot_id"], r["taxon"]))
    # everything not in the long table is 0 in the wide one
    for pid, r in wide.items():
        for t in demo.taxa:
            if (pid, t) not in seen:
                assert r[t] == 0.0
    assert len(seen) == len(long_rows)  # no duplicates


def test_plots_csv_matches_gpkg(demo):
    _, rows, xy, _, _ = _layer(demo.releves)
    plots = _csv(demo.plots)
    assert list(plots[0]) == ["plot_id", "x", "y", "elevation", "habitat"]
    assert [p["plot_id"] for p in plots] == [r["plot_id"] for r in rows]
    np.testing.assert_array_equal(np.array([[float(p["x"]), float(p["y"])] for p in plots]),
                                  xy)
    assert [p["habitat"] for p in plots] == [r["habitat"] for r in rows]
    elev = np.array([float(p["elevation"]) for p in plots])
    assert 1150 < elev.min() and elev.max() < 2450
    # elevation agrees with the truth raster at the plot (5 m cells)
    ds = gdal.Open(str(demo.truth_dir / "elevation.tif"))
    dem, gt = ds.ReadAsArray(), ds.GetGeoTransform()
    c = ((xy[:, 0] - gt[0]) / gt[1]).astype(int)
    r = ((xy[:, 1] - gt[3]) / gt[5]).astype(int)
    assert np.abs(dem[r, c] - elev).max() < 25.0


def test_composition_follows_gradients():
    """Within one habitat, composition turns over along elevation and moisture."""
    def bray_curtis(a, b):
        return np.abs(a - b).sum() / (a + b).sum()

    g = np.array([GRASSLAND, GRASSLAND])
    low, high = ecology.expected_cover(g, [1450.0, 2200.0], [0.3, 0.3])
    assert bray_curtis(low, high) > 0.5
    dry, wet = ecology.expected_cover(g, [1900.0, 1900.0], [0.15, 0.6])
    assert bray_curtis(dry, wet) > 0.3
    # and habitats differ at the same elevation and moisture
    forest, grass = ecology.expected_cover([CONIFER, GRASSLAND], [1800.0] * 2, [0.3] * 2)
    assert bray_curtis(forest, grass) > 0.5


def test_bb_codes():
    got = ecology.bb_code(np.array([0.05, 0.5, 2.0, 4.0, 10.0, 20.0, 40.0, 60.0, 90.0]))
    assert got.tolist() == ["r", "+", "1", "2m", "2a", "2b", "3", "4", "5"]
    assert set(ecology.BB_CODES) <= set(BRAUN_BLANQUET_PERCENT)


# ------------------------------------------------------------------ other layers

def test_butterflies_and_soil(demo):
    fields, rows, xy, srs, desc = _layer(demo.butterflies)
    assert srs_label(srs) == "EPSG:2154" and "SYNTHETIC" in desc
    assert [f[0] for f in fields[:2]] == ["point_id", "habitat"]
    assert [f[0] for f in fields[2:]] == demo.butterfly_species
    assert all(t in (ogr.OFTInteger, ogr.OFTInteger64) for _, t in fields[2:])
    assert len(rows) >= 30 and len(demo.butterfly_species) >= 5
    vals = np.array([[r[s] for s in demo.butterfly_species] for r in rows])
    assert set(np.unique(vals)) <= {0, 1} and vals.sum() > 0
    assert "lake" not in {r["habitat"] for r in rows}

    fields, rows, xy, srs, desc = _layer(demo.soil)
    assert srs_label(srs) == "EPSG:2154" and "SYNTHETIC" in desc
    assert [f[0] for f in fields] == ["sample_id", "habitat"] + demo.soil_groups
    assert demo.soil_groups == ["bacterivores", "fungivores", "plant_parasites", "omnivores",
                                "predators"]
    counts = np.array([[r[g] for g in demo.soil_groups] for r in rows])
    # samples lie on land, where the poorest habitat (scree) averages about 214 nematodes per
    # 100 g over the five groups: an empty sample is practically impossible
    assert len(rows) >= 25 and counts.min() >= 0 and counts.sum(1).min() > 0


def test_soil_follows_habitat():
    """Scree holds far fewer nematodes than grassland (means 214 vs 1,840 per 100 g): with
    400 samples each, the sample means cannot come out the other way round."""
    from botaclip.backend.demo import ecology, landscape

    rng = np.random.default_rng(0)
    n = 400
    scree = ecology.sample_soil(np.full(n, landscape.SCREE), np.full(n, 0.35), rng)
    grass = ecology.sample_soil(np.full(n, landscape.GRASSLAND), np.full(n, 0.35), rng)
    assert scree.sum(1).mean() < 0.5 * grass.sum(1).mean()


def test_truth_files(demo):
    ds = gdal.Open(str(demo.truth_dir / "habitat.tif"))
    gt = ds.GetGeoTransform()
    assert gt[1] == 5.0 and ds.RasterXSize == 80
    band = ds.GetRasterBand(1)
    assert band.DataType == gdal.GDT_Byte and band.GetNoDataValue() == 0
    names = band.GetCategoryNames()
    ct = band.GetColorTable()
    legend = json.loads((demo.truth_dir / "habitats.json").read_text())
    for code, (name, colour) in HABITATS.items():
        assert names[code] == name == legend[str(code)]["name"]
        assert legend[str(code)]["colour"] == colour
        assert ct.GetColorEntry(code)[:3] == tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    hab = band.ReadAsArray()
    assert set(np.unique(hab)) == set(HABITATS)
    for name in ("elevation", "moisture"):
        d = gdal.Open(str(demo.truth_dir / f"{name}.tif"))
        assert d.GetRasterBand(1).DataType == gdal.GDT_Float32
        assert d.GetGeoTransform() == gt
    dem = gdal.Open(str(demo.truth_dir / "elevation.tif")).ReadAsArray()
    # elevation rises from the south (bottom rows) to the north (top rows)
    assert dem[:10].mean() > dem[-10:].mean() + 700
    moist = gdal.Open(str(demo.truth_dir / "moisture.tif")).ReadAsArray()
    assert 0.0 <= moist.min() and moist.max() <= 1.0
    assert moist[hab == WETLAND].mean() > moist[hab == SCREE].mean()
    for readme in (demo.out_dir / "README.txt", demo.truth_dir / "README.txt"):
        assert "SYNTHETIC" in readme.read_text()
    assert "seed 0" in (demo.out_dir / "README.txt").read_text()
    # nothing else left behind
    assert sorted(p.name for p in demo.out_dir.iterdir()) == sorted(
        ["README.txt", "orthophoto.tif", "releves.gpkg", "releves_long.csv", "plots.csv",
         "butterflies.gpkg", "soil.gpkg", "truth"])


# ------------------------------------------------------------------ determinism, cancel

def test_deterministic(demo, tmp_path):
    again = generate_demo_data(tmp_path / "again", size_m=SIZE, seed=0)
    for name in ("releves_long.csv", "plots.csv", "README.txt"):
        assert (again.out_dir / name).read_bytes() == (demo.out_dir / name).read_bytes()
    for rel in ("orthophoto.tif", "truth/habitat.tif", "truth/elevation.tif",
                "truth/moisture.tif"):
        a = gdal.Open(str(again.out_dir / rel)).ReadAsArray()
        b = gdal.Open(str(demo.out_dir / rel)).ReadAsArray()
        assert np.array_equal(a, b), rel
    other = generate_demo_data(tmp_path / "other", size_m=SIZE, seed=1)
    a = gdal.Open(str(other.orthophoto)).ReadAsArray()
    b = gdal.Open(str(demo.orthophoto)).ReadAsArray()
    assert np.mean(a != b) > 0.5
    assert (other.plots.read_bytes() != demo.plots.read_bytes())


@pytest.mark.parametrize("after", [1, 2, 4])
def test_cancel_leaves_nothing(tmp_path, after):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    flag = CancelFlag(cancel_after_reports=after)
    with pytest.raises(Cancelled):     # a folder of the user's: written into only when told
        generate_demo_data(out, size_m=300, seed=0, overwrite=True, progress=flag)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "mine"


def test_cancel_keeps_an_earlier_complete_set(demo, tmp_path):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(demo.out_dir, out)
    before = (out / "plots.csv").read_bytes()
    with pytest.raises(Cancelled):
        generate_demo_data(out, size_m=300, seed=5, progress=CancelFlag(3))
    assert (out / "plots.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_bad_arguments(tmp_path):
    with pytest.raises(BotaclipError, match="between 300 and 20000"):
        generate_demo_data(tmp_path / "a", size_m=100)
    with pytest.raises(BotaclipError, match="pixel size"):
        generate_demo_data(tmp_path / "a", size_m=400, pixel_m=0.01)
    with pytest.raises(BotaclipError, match="whole number"):
        generate_demo_data(tmp_path / "a", size_m=400.3, pixel_m=0.5)
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(BotaclipError, match="is a file"):
        generate_demo_data(f, size_m=400)


def test_other_pixel_size(tmp_path):
    res = generate_demo_data(tmp_path / "p1", size_m=400, seed=2, pixel_m=1.0)
    ds = gdal.Open(str(res.orthophoto))
    assert ds.RasterXSize == 400 and ds.GetGeoTransform()[1] == 1.0
    assert res.n_releves >= 40


# ------------------------------------------------------------------ default scene

@pytest.mark.slow
def test_default_scene(tmp_path):
    res = generate_demo_data(tmp_path / "d", seed=0)
    assert res.seconds < 120
    ds = gdal.Open(str(res.orthophoto))
    assert (ds.RasterXSize, ds.RasterYSize) == (4000, 4000)
    hab = gdal.Open(str(res.truth_dir / "habitat.tif")).ReadAsArray()
    frac = {c: float(np.mean(hab == c)) for c in HABITATS}
    for c in (BROADLEAF, CONIFER, GRASSLAND, SCREE):
        assert 0.08 < frac[c] < 0.45, (HABITATS[c][0], frac[c])
    assert 0.01 < frac[WETLAND] < 0.15 and 0.002 < frac[LAKE] < 0.05
    assert res.n_releves >= 300
    assert all(n >= 15 for n in res.plots_per_habitat.values()), res.plots_per_habitat
    assert len(res.taxa) >= 60 and len(res.butterfly_species) == 8
    _, rows, xy, _, _ = _layer(res.releves)
    assert pdist(xy).min() >= 40.0 - 0.02
    _, brows, _, _, _ = _layer(res.butterflies)
    assert 120 <= len(brows) <= 180
    acc, chance = _patch_accuracy(res)
    assert acc > chance + 0.5, (acc, chance)
