"""Find similar places (backend/zeroshot/similarity.py, `botaclip similarity`) on the 2 km demo
landscape at 2 m pixels, embedded by the spectral backbone (32 band statistics) at a 50 m
stride: a 40 x 40 embedding raster whose habitats are known (truth/habitat.tif, 5 m pixels:
10 x 10 truth pixels per embedding pixel; class 5 is wetland, truth/habitats.json)."""

import json
import shutil

import numpy as np
import pytest
from helpers import run_cli
from osgeo import gdal, osr

from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.progress import CancelFlag
from botaclip.backend.zeroshot import (
    area_above,
    query_at_point,
    query_in_polygon,
    similarity_map,
    similarity_view,
)

pytestmark = pytest.mark.usefixtures("two_threads")
WETLAND = 5


@pytest.fixture(scope="module")
def demo(demo_2m):
    return demo_2m


@pytest.fixture(scope="module")
def emb(demo_2m_spectral):
    return demo_2m_spectral


def _array(path):
    ds = gdal.Open(str(path))
    a = ds.ReadAsArray().astype(np.float64)
    return a.reshape(ds.RasterCount, ds.RasterYSize, ds.RasterXSize), ds.GetGeoTransform()


def _cos(e, q):
    """numpy's cosine of each pixel of e (bands, h, w) to q (bands,)."""
    return np.tensordot(q, e, axes=1) / np.linalg.norm(e, axis=0) / np.linalg.norm(q)


@pytest.fixture(scope="module")
def wet(demo, emb):
    """Share of wetland in each embedding pixel, and the centre of the pure-wetland pixel
    nearest (cosine) to the mean of the pure-wetland pixels: where someone would click in the
    heart of a typical wetland."""
    assert json.loads((demo.truth_dir / "habitats.json").read_text())[str(WETLAND)]["name"] \
        == "wetland"
    truth = gdal.Open(str(demo.truth_dir / "habitat.tif")).ReadAsArray()
    e, gt = _array(emb)
    _, h, w = e.shape
    f = truth.shape[0] // h
    share = (truth.reshape(h, f, w, f) == WETLAND).mean(axis=(1, 3))
    pure = np.argwhere(share == 1)
    mean = e[:, share == 1].mean(axis=1)
    r, c = pure[np.argmax([_cos(e[:, i:i + 1, j:j + 1], mean)[0, 0] for i, j in pure])]
    return share, (gt[0] + (c + 0.5) * gt[1], gt[3] + (r + 0.5) * gt[5]), (r, c)


@pytest.fixture(scope="module")
def sim(emb, wet, tmp_path_factory):
    q = query_at_point(emb, *wet[1])
    out = tmp_path_factory.mktemp("sim") / "sim.tif"
    return q, similarity_map(emb, out, q, threshold=0.95, tags={"query": "wetland point"})


def test_wetland_point_finds_wetland(wet, sim):
    share, _, _ = wet
    s = _array(sim[1].out)[0][0]
    inside, outside = s[share >= 0.5], s[share == 0]
    # 30 of 300 relevés are wetland: a few dozen wetland pixels, hundreds without any. The
    # spectral features of all land covers point roughly the same way (all positive band
    # statistics: cosines of 0.3-1 everywhere), so the honest claim is a ranking one: the
    # typical wetland pixel is more similar than three quarters of the land without wetland.
    assert inside.size >= 20 and outside.size >= 500
    assert np.median(inside) > np.percentile(outside, 75)


def test_values_are_numpys_cosine_and_stats_and_tags(emb, sim):
    q, res = sim
    e, gt = _array(emb)
    s, sgt = _array(res.out)
    expect = _cos(e, q.astype(np.float64))
    assert sgt == gt and s.shape == (1,) + e.shape[1:]
    for r, c in [(0, 0), (5, 17), (39, 39), (20, 3)]:
        assert s[0, r, c] == pytest.approx(expect[r, c], abs=1e-5)
    assert np.nanmax(s) == pytest.approx(1.0, abs=1e-5)   # the query's own pixel
    st = res.stats["similarity"]
    assert st["min"] == pytest.approx(expect.min(), abs=1e-5)
    assert st["mean"] == pytest.approx(expect.mean(), abs=1e-5)
    for p in (5, 50, 95):   # from a histogram of 4000 bins over [-1, 1]: the value where
        # the share of pixels reaches p (numpy's inverted_cdf), to within one bin (0.0005)
        want = np.percentile(expect, p, method="inverted_cdf")
        assert st[f"p{p}"] == pytest.approx(want, abs=6e-4)
    px = 50.0 * 50.0
    assert res.pixel_area_m2 == px and res.n_valid == 1600
    assert res.area_above_km2["similarity"] == pytest.approx(
        np.count_nonzero(expect >= 0.95 - 1e-6) * px / 1e6, abs=2 * px / 1e6)
    assert area_above(s[0], 0.95, px) == pytest.approx(res.area_above_km2["similarity"])
    ds = gdal.Open(str(res.out))
    md = ds.GetMetadata()
    assert md["BOTACLIP_KIND"] == "similarity" and md["BOTACLIP_QUERY"] == "wetland point"
    assert json.loads(md["BOTACLIP_EMBEDDINGS_PROVENANCE"])["BOTACLIP_BACKBONE"] == "spectral"
    assert ds.GetRasterBand(1).GetDescription() == "similarity"


def test_block_wise_equals_whole_array(emb, sim, tmp_path):
    q, res = sim
    e, _ = _array(emb)
    queries = np.stack([q, e[:, 0, 0]])
    small = similarity_map(emb, tmp_path / "b16.tif", queries, names=["a", "b"], block_px=16)
    s = _array(small.out)[0]
    whole = np.stack([_cos(e, x.astype(np.float64)) for x in queries])
    assert small.bands == ["a", "b"]
    np.testing.assert_allclose(s, whole, atol=1e-5)
    # 16 px blocks = one 256 px block, to float32 rounding (BLAS sums in another order)
    np.testing.assert_allclose(s[0], _array(res.out)[0][0], atol=1e-6)


def test_view_at_full_resolution_matches_the_map(emb, sim):
    q, res = sim
    s = _array(res.out)[0][0]
    # 10 x 8 pixels from column 4, row 6 (x0 950000, y0 6452000, 50 m pixels), one screen
    # pixel per embedding pixel: the map's window exactly
    ext = (950200.0, 6452000 - 14 * 50.0, 950700.0, 6452000 - 6 * 50.0)
    v, gt = similarity_view(emb, q, ext, 10, 8)
    assert v.shape == (8, 10) and gt == (950200.0, 50.0, 0.0, 6451700.0, 0.0, -50.0)
    np.testing.assert_allclose(v, s[6:14, 4:14], atol=1e-6)
    # twice as many screen pixels: each embedding pixel drawn as 2 x 2; beyond the raster NaN
    v2, _ = similarity_view(emb, q, (949900.0, 6451600.0, 950400.0, 6452000.0), 20, 16)
    np.testing.assert_allclose(v2[::2, 4::2], s[0:8, 0:8], atol=1e-6)
    assert np.isnan(v2[:, :4]).all()


def test_view_reads_the_overview_matching_the_screen(emb, sim, tmp_path):
    q, _ = sim
    copy = tmp_path / "ov.tif"
    shutil.copy(emb, copy)
    ds = gdal.Open(str(copy), gdal.GA_Update)
    ds.BuildOverviews("AVERAGE", [2, 4])
    ds = None
    ov = gdal.OpenEx(str(copy), open_options=["OVERVIEW_LEVEL=0"]).ReadAsArray()   # 20 x 20
    # the whole 2 km on 20 screen pixels: 100 m each, the factor-2 overview's pixel
    v, _ = similarity_view(copy, q, (950000.0, 6450000.0, 952000.0, 6452000.0), 20, 20)
    np.testing.assert_allclose(v, _cos(ov.astype(np.float64), q.astype(np.float64)),
                               atol=1e-5)


def test_point_in_another_crs_and_polygon(emb, wet, sim):
    q, _ = sim
    x, y = wet[1]
    t = osr.CoordinateTransformation(_srs(2154), _srs(4326))
    lon, lat, _ = t.TransformPoint(x, y)
    np.testing.assert_array_equal(query_at_point(emb, lon, lat, "EPSG:4326"), q)
    # a square holding the centres of 2 x 2 pixels (rows 2-3, columns 5-6)
    e, _ = _array(emb)
    x0, y0 = 950000 + 5 * 50 + 10, 6452000 - 2 * 50 - 10
    wkt = f"POLYGON(({x0} {y0},{x0 + 80} {y0},{x0 + 80} {y0 - 80},{x0} {y0 - 80},{x0} {y0}))"
    np.testing.assert_allclose(query_in_polygon(emb, wkt), e[:, 2:4, 5:7].mean(axis=(1, 2)),
                               rtol=1e-5)


def _srs(code):
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def test_outside_and_nodata_points_refused(emb, tmp_path):
    with pytest.raises(BotaclipError, match=r"\(940000, 6451000\) is outside the embedding "
                       r"raster .* x 950000 to 952000"):
        query_at_point(emb, 940000, 6451000)
    holed = tmp_path / "holed.tif"
    src = gdal.Open(str(emb))
    ds = gdal.GetDriverByName("GTiff").CreateCopy(str(holed), src)
    ds.GetRasterBand(3).WriteArray(np.full((1, 1), np.nan, dtype=np.float32), 7, 2)
    ds = None
    with pytest.raises(BotaclipError, match=r"nodata pixel .* \(row 2, column 7"):
        query_at_point(holed, 950000 + 7.5 * 50, 6452000 - 2.5 * 50)
    with pytest.raises(BotaclipError, match="no valid embedding pixel"):
        query_in_polygon(emb, "POLYGON((0 0,10 0,10 10,0 0))")


def test_cli_writes_the_map_and_refuses_cleanly(emb, wet, tmp_path):
    x, y = wet[1]
    out = tmp_path / "cli.tif"
    rc, stdout, err = run_cli(["similarity", "--embeddings", emb, "--at", f"{x},{y}",
                               "--threshold", "0.9", "--out", out, "--quiet"])
    assert rc == 0, err
    assert out.exists() and "area with similarity >= 0.9" in stdout
    assert gdal.Open(str(out)).GetMetadataItem("BOTACLIP_QUERY") == f"point {x:.10g},{y:.10g}"
    for argv, msg in [(["--at", "940000,6451000"], "outside the embedding raster"),
                      (["--at", "abc"], "is not a point"),
                      (["--taxa", "Carex nigra", "--at", f"{x},{y}"], "need --model")]:
        rc, _, err = run_cli(["similarity", "--embeddings", emb, *argv, "--out",
                              tmp_path / "bad.tif", "--quiet"])
        assert rc == 2 and msg in err and "Traceback" not in err, err
    user = tmp_path / "mine.tif"
    user.write_bytes(b"not ours")
    rc, _, err = run_cli(["similarity", "--embeddings", emb, "--at", f"{x},{y}", "--out",
                          user, "--quiet"])
    assert rc == 2 and user.read_bytes() == b"not ours" and "Traceback" not in err
    assert not (tmp_path / "bad.tif").exists()


def test_cancel_leaves_nothing(emb, sim, tmp_path):
    out = tmp_path / "sim.tif"
    with pytest.raises(Cancelled):
        similarity_map(emb, out, sim[0], block_px=16, progress=CancelFlag(3))
    assert list(tmp_path.iterdir()) == []
