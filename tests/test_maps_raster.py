"""Area of applicability (backend/maps/applicability.py) and block-wise prediction maps
(backend/maps/predict_raster.py), with tiny scikit-learn models on a small embedding raster
written here. Every expected value is worked out by hand from the way things are built."""

import numpy as np
import pytest
from osgeo import gdal, osr
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression

from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.maps.applicability import fit_aoa, upper_whisker
from botaclip.backend.maps.predict_raster import halve, overview_factors, predict_raster
from botaclip.backend.progress import CancelFlag

W, H, D, BLOCK = 48, 40, 3, 16      # 3 x 3 blocks, the last row of blocks 8 px high
CORNER = 32                         # rows and columns >= CORNER: the unknown corner


def _features(w=W, h=H):
    """(h, w, D) features: smooth gradients, and +10 in every band in the bottom-right
    corner (rows and columns >= CORNER), which no training point comes from. Pixel (3, 3)
    is NaN in every band, pixel (4, 4) in band 2 only, and the block rows 0-15 x columns
    32-47 is NaN everywhere (a block that is never written)."""
    r, c = np.mgrid[0:h, 0:w].astype(np.float32)
    f = np.stack([c / w, r / h, np.sin(c / 5.0) * np.cos(r / 7.0)], axis=-1)
    f[(r >= CORNER) & (c >= CORNER)] += 10.0
    f[3, 3, :] = np.nan
    f[4, 4, 1] = np.nan
    f[0:16, 32:48, :] = np.nan
    return f.astype(np.float32)


def _write(path, f):
    h, w, d = f.shape
    ds = gdal.GetDriverByName("GTiff").Create(
        str(path), w, h, d, gdal.GDT_Float32,
        ["TILED=YES", f"BLOCKXSIZE={BLOCK}", f"BLOCKYSIZE={BLOCK}", "INTERLEAVE=PIXEL"])
    ds.SetGeoTransform((900000.0, 10.0, 0.0, 6500640.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    for b in range(d):
        ds.GetRasterBand(b + 1).WriteArray(f[:, :, b])
        ds.GetRasterBand(b + 1).SetNoDataValue(float("nan"))
    ds.SetMetadata({"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": str(d),
                    "BOTACLIP_BACKBONE": "test"})
    ds = None
    return path


def _training(f, n=200, seed=0):
    """n training pixels outside the corner and off nodata; presence where band 0 > 0.5."""
    rng = np.random.default_rng(seed)
    h, w, _ = f.shape
    rows, cols = [], []
    while len(rows) < n:
        r, c = rng.integers(0, h), rng.integers(0, w)
        if (r >= CORNER and c >= CORNER) or not np.isfinite(f[r, c]).all():
            continue
        rows.append(r)
        cols.append(c)
    x = f[rows, cols]
    return x, (x[:, 0] > 0.5).astype(int)


def _read(path):
    ds = gdal.Open(str(path))
    arr = ds.ReadAsArray()
    names = [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)]
    return arr, names, ds.GetMetadata()


@pytest.fixture
def emb(tmp_path):
    f = _features()
    return _write(tmp_path / "emb.tif", f), f


def _rf(x, y, seed=0):
    return RandomForestClassifier(n_estimators=5, random_state=seed).fit(x, y)


# ------------------------------------------------------------------------------ AOA by hand

def test_threshold_and_di_match_hand_computation():
    # x = 0, 1, 2, 3, 13 (one feature). In 1-D standardising divides every distance by the
    # same sd, so DI = raw nearest distance / raw mean pairwise distance.
    # Pairwise sums: from 0: 1+2+3+13 = 19, from 1: 1+2+12 = 15, from 2: 1+11 = 12,
    # from 3: 10 -> 56 over 10 pairs: mean 5.6. Nearest other: 1, 1, 1, 1, 10.
    # Training DIs 1/5.6 (x4) and 10/5.6; Tukey hinges (n = 5: 2nd and 4th values) are both
    # 1/5.6, spread 0, so the fence is 1/5.6 and the whisker (threshold) is 1/5.6.
    aoa = fit_aoa(np.array([[0.0], [1.0], [2.0], [3.0], [13.0]]))
    assert aoa.mean_distance * np.std([0, 1, 2, 3, 13], ddof=1) == pytest.approx(5.6)
    np.testing.assert_allclose(aoa.train_di, np.array([1, 1, 1, 1, 10]) / 5.6)
    assert aoa.threshold == pytest.approx(1 / 5.6)
    # 13 -> 0 inside; 3.5 -> 0.5/5.6 inside; 5 -> 2/5.6 outside; NaN -> outside (0)
    new = np.array([[13.0], [3.5], [5.0], [np.nan]])
    np.testing.assert_allclose(aoa.di(new)[:3], np.array([0, 0.5, 2]) / 5.6)
    assert np.isnan(aoa.di(new)[3])
    assert aoa.inside(new).tolist() == [1, 1, 0, 0]


def test_threshold_with_folds_uses_the_other_folds():
    # folds {0, 1} and {2, 3, 13}: 0 -> 2 (nearest in the other fold), 1 -> 1, 2 -> 1,
    # 3 -> 2, 13 -> 12; DIs [2, 1, 1, 2, 12] / 5.6; sorted 1, 1, 2, 2, 12: hinges 1 and 2,
    # fence 2 + 1.5 * 1 = 3.5, whisker 2 -> threshold 2 / 5.6.
    aoa = fit_aoa(np.array([[0.0], [1.0], [2.0], [3.0], [13.0]]), folds=[0, 0, 1, 1, 1])
    np.testing.assert_allclose(aoa.train_di, np.array([2, 1, 1, 2, 12]) / 5.6)
    assert aoa.threshold == pytest.approx(2 / 5.6)


def test_upper_whisker_even_count():
    # n = 4: hinges at positions 1.5 and 3.5 -> (1+1)/2 = 1 and (1+4)/2 = 2.5, fence
    # 2.5 + 1.5 * 1.5 = 4.75: 4 is kept -> 4
    assert upper_whisker([1, 1, 1, 4]) == 4.0
    # [1, 1, 1, 1, 9]: hinges 1 and 1, fence 1 -> 9 is an outlier, whisker 1
    assert upper_whisker([1, 1, 1, 1, 9]) == 1.0


def test_zero_weight_ignores_a_feature():
    # feature 2 is random and weighted 0: the DIs are those of feature 1 alone
    rng = np.random.default_rng(1)
    x1 = np.array([0.0, 1.0, 2.0, 3.0, 13.0])
    x = np.stack([x1, rng.normal(size=5)], axis=1)
    aoa = fit_aoa(x, weights=[1.0, 0.0])
    np.testing.assert_allclose(aoa.train_di, np.array([1, 1, 1, 1, 10]) / 5.6)


def test_bad_aoa_inputs():
    with pytest.raises(BotaclipError, match="at least 2 training points"):
        fit_aoa(np.zeros((1, 3)))
    with pytest.raises(BotaclipError, match="same features"):
        fit_aoa(np.ones((4, 2)))
    with pytest.raises(BotaclipError, match="weights"):
        fit_aoa(np.eye(3), weights=[0, 0, 0])
    with pytest.raises(BotaclipError, match="2 different folds"):
        fit_aoa(np.eye(3), folds=[1, 1, 1])


# ------------------------------------------------------------------------------ the map

def test_presence_map_matches_predict_proba(emb, tmp_path):
    path, f = emb
    x, y = _training(f)
    final = _rf(x, y)
    folds = [_rf(x, y, seed=s) for s in (1, 2, 3)]
    aoa = fit_aoa(x)
    res = predict_raster(path, tmp_path / "pred.tif", models=folds, final_model=final,
                         task="presence", target_names=["orchid"], aoa=aoa, block_px=BLOCK,
                         tags={"metrics": {"tss": 0.5}})
    arr, names, md = _read(res.out)
    assert names == ["probability_orchid", "uncertainty_orchid", "applicability"]
    assert md["BOTACLIP_KIND"] == "prediction" and '"tss": 0.5' in md["BOTACLIP_METRICS"]
    assert gdal.Open(str(res.out)).GetMetadata("IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    valid = np.isfinite(f).all(axis=2)
    pix = f[valid]
    # float32 storage of probabilities in [0, 1]: rounding error <= 2**-24 ~ 6e-8
    np.testing.assert_allclose(arr[0][valid], final.predict_proba(pix)[:, 1], atol=1e-6)
    spread = np.stack([m.predict_proba(pix)[:, 1] for m in folds]).std(axis=0)
    np.testing.assert_allclose(arr[1][valid], spread, atol=1e-6)
    # nodata: 16 x 16 block + pixel (3, 3) + pixel (4, 4) = 258 pixels, NaN in every band
    assert (~valid).sum() == 258 and res.n_nodata == 258
    assert np.isnan(arr[:, ~valid]).all()
    # the corner is +10 in every band, ~ 10 / sd (~0.3) = 30 standard deviations per band
    # from any training point: far beyond the threshold; training pixels have DI 0: inside
    corner = arr[2][CORNER:, CORNER:]
    assert (corner == 0).all()
    assert (aoa.inside(x) == 1).all()
    assert res.n_inside == int(np.nansum(arr[2]))


def test_uncertainty_zero_when_fold_models_agree(emb, tmp_path):
    path, f = emb
    x, y = _training(f)
    final = _rf(x, y)
    res = predict_raster(path, tmp_path / "p.tif", models=[final, final], final_model=final,
                         task="presence", target_names=["t"], block_px=BLOCK)
    arr, names, _ = _read(res.out)
    assert names == ["probability_t", "uncertainty_t"]
    valid = np.isfinite(f).all(axis=2)
    assert (arr[1][valid] == 0).all()


def test_class_map(emb, tmp_path):
    path, f = emb
    x, _ = _training(f)
    y = np.digitize(x[:, 0], [0.33, 0.66])          # classes 0, 1, 2 from band 0
    labels = np.array(["low", "mid", "high"])[y]
    final = RandomForestClassifier(n_estimators=5, random_state=0).fit(x, labels)
    classes = ["low", "mid", "high"]
    res = predict_raster(path, tmp_path / "c.tif", models=[], final_model=final,
                         task="classes", classes=classes, target_names=["habitat"],
                         block_px=BLOCK)
    arr, names, md = _read(res.out)
    assert names == ["probability_low", "probability_mid", "probability_high", "class"]
    valid = np.isfinite(f).all(axis=2)
    p = final.predict_proba(f[valid])                  # columns in final.classes_ order
    order = [list(final.classes_).index(c) for c in classes]
    np.testing.assert_allclose(arr[:3, valid].T, p[:, order], atol=1e-6)
    assert (arr[3][valid] == np.argmax(p[:, order], axis=1)).all()
    assert '"2": "high"' in md["BOTACLIP_CLASSES"]


def test_abundance_two_targets(emb, tmp_path):
    path, f = emb
    x, _ = _training(f)
    yy = np.stack([2 * x[:, 0], x[:, 1] - 1], axis=1)
    final = LinearRegression().fit(x, yy)
    res = predict_raster(path, tmp_path / "a.tif", models=None, final_model=final,
                         task="abundance", target_names=["a", "b"], block_px=BLOCK)
    arr, names, _ = _read(res.out)
    assert names == ["abundance_a", "abundance_b"]
    valid = np.isfinite(f).all(axis=2)
    # exact linear fit; float32 values up to ~20 in the corner: rounding ~ 20 * 2**-24
    np.testing.assert_allclose(arr[:, valid].T, final.predict(f[valid]), atol=1e-5)


def test_cancel_leaves_no_output(emb, tmp_path):
    path, f = emb
    x, y = _training(f)
    final = _rf(x, y)
    out = tmp_path / "cancel.tif"
    with pytest.raises(Cancelled):
        predict_raster(path, out, models=[], final_model=final, task="presence",
                       target_names=["t"], block_px=BLOCK, progress=CancelFlag(2))
    assert not out.exists()
    left = [p.name for p in tmp_path.iterdir() if "cancel" in p.name and "lock" not in p.name]
    assert left == []


def test_pixels_held_do_not_grow_with_raster(tmp_path):
    # a 48 x 40 and a 192 x 160 raster (16 x the pixels) predicted in 16 px blocks: at most
    # one block (16 * 16 = 256 pixels) is held at once in both
    held = []
    for k in (1, 4):
        f = _features(W * k, H * k)
        path = _write(tmp_path / f"emb{k}.tif", f)
        x, y = _training(f)
        res = predict_raster(path, tmp_path / f"p{k}.tif", models=[], final_model=_rf(x, y),
                             task="presence", target_names=["t"], block_px=16)
        held.append(res.max_pixels_held)
    assert held == [256, 256]


def test_bad_inputs(emb, tmp_path):
    path, f = emb
    x, y = _training(f)
    wrong = _rf(x[:, :2], y)
    with pytest.raises(BotaclipError, match="fitted on 2 features"):
        predict_raster(path, tmp_path / "w.tif", models=[], final_model=wrong,
                       task="presence", target_names=["t"])
    with pytest.raises(BotaclipError, match="at least 2 cross-validation models"):
        predict_raster(path, tmp_path / "w.tif", models=[_rf(x, y)], final_model=_rf(x, y),
                       task="presence", target_names=["t"])
    mine = tmp_path / "mine.tif"
    mine.write_bytes(b"not ours")
    with pytest.raises(BotaclipError, match="not written by BotaCLIP"):
        predict_raster(path, mine, models=[], final_model=_rf(x, y), task="presence",
                       target_names=["t"])
    assert mine.read_bytes() == b"not ours"


def test_class_bands_named_by_class_name(emb, tmp_path):
    # Codes 0, 1, 2 (what the pipeline passes) with their names: QGIS shows band
    # descriptions, so the probability bands carry the names; the tags keep code and name.
    path, f = emb
    x, _ = _training(f)
    codes = np.digitize(x[:, 0], [0.33, 0.66])
    final = RandomForestClassifier(n_estimators=5, random_state=0).fit(x, codes)
    named = ["wet meadow", "forest", "water"]
    res = predict_raster(path, tmp_path / "n.tif", models=[], final_model=final,
                         task="classes", classes=[0, 1, 2], class_names=named,
                         target_names=["habitat"], block_px=BLOCK)
    arr, names, md = _read(res.out)
    assert names == ["probability_wet meadow", "probability_forest", "probability_water",
                     "class"]
    assert '"0": "0"' in md["BOTACLIP_CLASSES"] and '"0": "wet meadow"' in md[
        "BOTACLIP_CLASS_NAMES"]
    # the same names from the pipeline's tag (index -> name); without names, the codes
    res = predict_raster(path, tmp_path / "t.tif", models=[], final_model=final,
                         task="classes", classes=[0, 1, 2], target_names=["habitat"],
                         tags={"class_names": {"0": "a", "1": "b", "2": "c"}}, block_px=BLOCK)
    assert res.bands[:3] == ["probability_a", "probability_b", "probability_c"]
    res = predict_raster(path, tmp_path / "c.tif", models=[], final_model=final,
                         task="classes", classes=[0, 1, 2], target_names=["habitat"],
                         block_px=BLOCK)
    assert res.bands[:3] == ["probability_0", "probability_1", "probability_2"]
    with pytest.raises(BotaclipError, match="2 class names for 3 classes"):
        predict_raster(path, tmp_path / "w.tif", models=[], final_model=final,
                       task="classes", classes=[0, 1, 2], class_names=["a", "b"],
                       target_names=["habitat"])


def test_nodata_value_pixels_stay_nodata(tmp_path):
    # An embedding whose nodata is -9999 rather than NaN: pixel (5, 7) is -9999 in band 0
    # only. It must be nodata in the map (as the points reader counts it), not predicted.
    f = _features()
    f[5, 7, 0] = -9999.0
    path = _write(tmp_path / "nd.tif", f)
    ds = gdal.Open(str(path), gdal.GA_Update)
    gdal.PushErrorHandler("CPLQuietErrorHandler")   # "one nodata per GeoTIFF": that is the aim
    try:
        for b in range(D):
            ds.GetRasterBand(b + 1).SetNoDataValue(-9999.0)
    finally:
        gdal.PopErrorHandler()
    ds = None
    x, y = _training(f)
    res = predict_raster(path, tmp_path / "p.tif", models=[], final_model=_rf(x, y),
                         task="presence", target_names=["t"], block_px=BLOCK)
    arr, _, _ = _read(res.out)
    assert np.isnan(arr[5, 7])                   # one band: the probability
    # NaN stays invalid too: 258 NaN pixels (see test_presence_map...) + this one
    assert res.n_nodata == 259 and np.isnan(arr).sum() == 259


def test_halve_by_hand():
    # cells of 2 x 2 from the top left; the odd last row and column make cells of their own:
    # [1 2 | 3 NaN] -> mean(1, 2, 3) = 2; [3 | 5] -> 4; [7 8] -> 7.5; [9] -> 9
    a = np.array([[1, 2, 3], [3, np.nan, 5], [7, 8, 9]], dtype=np.float32)
    np.testing.assert_allclose(halve(a, nearest=False), [[2, 4], [7.5, 9]])
    np.testing.assert_array_equal(halve(a, nearest=True), [[1, 3], [7, 9]])
    assert np.isnan(halve(np.full((2, 2), np.nan, dtype=np.float32), nearest=False)).all()
    # levels until one 128 (or 256) px tile holds the whole map, as the COG driver makes them
    assert overview_factors(300, 260, 128) == [2, 4]           # 150, then 75 <= 128
    assert overview_factors(128, 100, 128) == []
    assert overview_factors(8192, 8192, 256) == [2, 4, 8, 16, 32]


def test_map_overviews_are_means_of_valid_pixels(tmp_path):
    # 300 x 260 pixels: COG tiles of 128 px (width <= 512), overviews at 2 (150 x 130) and
    # 4 (75 x 65). Each level is the mean of the valid pixels of 2 x 2 cells of the level
    # below (GDAL's AVERAGE with NaN as nodata): the 16 x 16 NaN block stays NaN, the cell
    # holding pixel (3, 3) averages its 3 other pixels.
    f = _features(300, 260)
    path = _write(tmp_path / "big.tif", f)
    x, y = _training(f)
    res = predict_raster(path, tmp_path / "o.tif", models=[], final_model=_rf(x, y),
                         task="presence", target_names=["t"], block_px=64)
    ds = gdal.Open(str(res.out))                   # kept: a band outliving it crashes GDAL
    band = ds.GetRasterBand(1)
    assert band.GetOverviewCount() == 2
    full, o1, o2 = (band.ReadAsArray(), band.GetOverview(0).ReadAsArray(),
                    band.GetOverview(1).ReadAsArray())
    assert o1.shape == (130, 150) and o2.shape == (65, 75)
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):   # all-NaN cells
        want1 = np.nanmean(full.reshape(130, 2, 150, 2), axis=(1, 3))
    np.testing.assert_allclose(o1, want1, rtol=1e-6)                  # NaN where NaN
    assert np.isnan(o1[0:8, 16:24]).all()                              # the NaN block
    assert o1[1, 1] == pytest.approx(np.mean([full[2, 2], full[2, 3], full[3, 2]]))
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        want2 = np.nanmean(o1.reshape(65, 2, 75, 2), axis=(1, 3))
    np.testing.assert_allclose(o2, want2, rtol=1e-6)
