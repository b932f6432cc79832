"""The embedding engine (backend.embed) and `botaclip embed`.

A tiny DOFA with random weights (32 px input, 32 dimensions) on the 400 m demo orthophoto
(0.5 m pixels): 20 m patches every 10 m give a 40 x 40 embedding in about a second.
"""

import json
import warnings

import numpy as np
import pytest
from helpers import TINY
from osgeo import gdal, ogr, osr

from botaclip.backend.cli import main
from botaclip.backend.embed import embed_raster, parse_extent, plan_grid, read_embedding_tags
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.io.mosaic import build_vrt
from botaclip.backend.io.patches import PatchReader
from botaclip.backend.progress import CancelFlag

gdal.UseExceptions()

X0, Y1 = 950000.0, 6450400.0          # the demo's north-west corner (EPSG:2154)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from botaclip.backend.demo import generate_demo_data

    return generate_demo_data(tmp_path_factory.mktemp("demo"), size_m=400, seed=0)


def _embed(ortho, out, tmp, **kw):
    args = dict(backbone="dofa", weights="none", backbone_config=TINY, patch_m=20.0,
                stride_m=10.0, precision="float32", batch_size=64, block_px=16,
                cache_dir=tmp / "state")
    args.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)     # random weights: warned loudly
        return embed_raster(str(ortho), str(out), **args)


def _read(path):
    """(pixels, geotransform), the file closed again."""
    ds = gdal.Open(str(path))
    try:
        return ds.ReadAsArray(), ds.GetGeoTransform()
    finally:
        ds = None


def _band_info(path, band=1):
    ds = gdal.Open(str(path))
    b = ds.GetRasterBand(band)
    out = {"nbits": b.GetMetadataItem("NBITS", "IMAGE_STRUCTURE"), "type": b.DataType,
           "nodata": b.GetNoDataValue(), "overviews": b.GetOverviewCount(),
           "block": b.GetBlockSize(), "count": ds.RasterCount, "gt": ds.GetGeoTransform(),
           "descriptions": [ds.GetRasterBand(i + 1).GetDescription()
                            for i in range(ds.RasterCount)],
           "srs": ds.GetSpatialRef().ExportToWkt()}
    b = ds = None
    return out


def _backbone_of(path):
    """The backbone an embedding raster records in its tags, rebuilt."""
    from botaclip.backend.models.backbones import backbone_from_reference

    ref = read_embedding_tags(path)["BOTACLIP_BACKBONE_REFERENCE"]
    return backbone_from_reference(ref)


@pytest.fixture(scope="module")
def run32(demo, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run32")
    res = _embed(demo.orthophoto, tmp / "emb32.tif", tmp, dtype="float32")
    return res, tmp


# ----------------------------------------------------------------------------- grid

def test_grid_edges_on_multiples_of_the_stride_and_centres_inside():
    g = plan_grid((950003.0, 6450001.0, 950397.0, 6450399.0), 10.0)
    assert (g.x0, g.y0, g.width, g.height) == (950000.0, 6450400.0, 40, 40)
    assert g.geotransform == (950000.0, 10.0, 0.0, 6450400.0, 0.0, -10.0)
    assert (g.cx(0), g.cy(0)) == (950005.0, 6450395.0)        # pixel centre = patch centre
    # a centre exactly on the area's edge is inside; one just outside is not
    g = plan_grid((950005.0, 6450000.0, 950015.0, 6450010.0), 10.0)
    assert (g.cx(0), g.width, g.height) == (950005.0, 2, 1)
    g = plan_grid((950005.5, 6450000.0, 950020.0, 6450010.0), 10.0)
    assert (g.cx(0), g.width) == (950015.0, 1)
    with pytest.raises(BotaclipError, match="smaller than the stride"):
        plan_grid((950001.0, 6450001.0, 950004.0, 6450004.0), 10.0)


def test_parse_extent():
    assert parse_extent("1,2,3,4") == (1.0, 2.0, 3.0, 4.0)
    assert parse_extent((1, 2, 3, 4)) == (1.0, 2.0, 3.0, 4.0)
    assert parse_extent(None) is None
    with pytest.raises(BotaclipError, match="xmin,ymin,xmax,ymax"):
        parse_extent("1,2,3")
    with pytest.raises(BotaclipError, match="inverted"):
        parse_extent("3,2,1,4")


# ----------------------------------------------------------------------------- values

def test_georeferencing_is_exact_and_pixels_are_the_patch_embeddings(demo, run32):
    res, tmp = run32
    arr, gt = _read(res.out)
    assert res.shape == (32, 40, 40) and arr.shape == (32, 40, 40)
    assert gt == (X0, 10.0, 0.0, Y1, 0.0, -10.0)
    srs = osr.SpatialReference(_band_info(res.out)["srs"])
    ortho = osr.SpatialReference(_band_info(demo.orthophoto)["srs"])
    assert srs.IsSame(ortho)
    # every pixel is computed: at the corners 0.75 x 0.75 of the patch is inside (>= 0.5)
    assert res.n_patches == 1600 and res.n_nodata == 0 and np.isfinite(arr).all()
    bb = _backbone_of(res.out)
    reader = PatchReader(demo.orthophoto, 20.0, 32)
    rng = np.random.default_rng(0)
    picks = [(0, 0), (0, 39), (39, 0), (39, 39), (20, 20)] + \
        [tuple(v) for v in rng.integers(0, 40, (6, 2))]
    for r, c in picks:
        x, y = gt[0] + (c + 0.5) * gt[1], gt[3] + (r + 0.5) * gt[5]
        want = bb.features(reader.read(x, y).data[None], "float32").numpy()[0]
        np.testing.assert_allclose(arr[:, r, c], want, rtol=1e-5, atol=1e-6)
    # union reads (8 x 8 patches per window) were used inside the raster
    assert res.union == 8


def test_float16_output_is_half_floats_close_to_float32(demo, run32, tmp_path):
    res32, _ = run32
    res16 = _embed(demo.orthophoto, tmp_path / "emb16.tif", tmp_path, dtype="float16")
    a32, _ = _read(res32.out)
    a16, _ = _read(res16.out)
    info = _band_info(res16.out)
    assert info["nbits"] == "16" and info["type"] == gdal.GDT_Float32
    assert _band_info(res32.out)["nbits"] is None
    # rounded to the nearest half float
    np.testing.assert_array_equal(a16, a32.astype(np.float16).astype(np.float32))


def test_cog_layout_tags_and_preview(demo, tmp_path):
    # 200 x 200 pixels, so the COG has overviews (16 m patches every 2 m)
    res = _embed(demo.orthophoto, tmp_path / "emb.tif", tmp_path, patch_m=16.0, stride_m=2.0,
                 preview=tmp_path / "preview.tif", batch_size=256, block_px=64)
    info = gdal.Info(str(res.out))
    assert "LAYOUT=COG" in info and ("COMPRESSION=ZSTD" in info or "COMPRESSION=DEFLATE" in info)
    assert "PREDICTOR=3" in info
    info = _band_info(res.out)
    assert info["overviews"] >= 1 and info["block"] == [128, 128]
    assert np.isnan(info["nodata"])
    assert [info["descriptions"][i] for i in (0, 1, 31)] == ["emb_000", "emb_001", "emb_031"]
    ds = gdal.Open(str(res.out))
    ovr = ds.GetRasterBand(1).GetOverview(0).ReadAsArray()
    full = ds.GetRasterBand(1).ReadAsArray()
    ds = None
    # corner patches are less than half inside the raster: nodata, and so in the overview
    assert np.isnan(full[0, 0]) and np.isnan(ovr[0, 0]) and np.isfinite(full[2:-2, 2:-2]).all()
    # average overviews (float16 rounding aside)
    np.testing.assert_allclose(ovr[10, 10], full[20:22, 20:22].mean(), rtol=2e-3, atol=2e-3)
    tags = read_embedding_tags(res.out)
    assert tags["BOTACLIP_BACKBONE"].startswith("dofa")
    assert tags["BOTACLIP_RANDOM_WEIGHTS"] == "yes"
    assert tags["BOTACLIP_PRECISION"] == "float32"
    assert tags["BOTACLIP_PRECISION_CHECK"]["chosen"] == "float32"
    assert tags["BOTACLIP_SETTINGS"]["stride_m"] == 2.0
    assert tags["BOTACLIP_SETTINGS"]["patch_m"] == 16.0
    assert tags["BOTACLIP_NODATA"]["fill"].startswith("band mean")     # how holes were filled
    assert tags["BOTACLIP_NODATA"]["min_valid"] == 0.5
    assert tags["BOTACLIP_INPUT"].endswith("orthophoto.tif")
    assert tags["BOTACLIP_SOFTWARE"]["botaclip"] and tags["BOTACLIP_CREATED"]
    # the preview: 8-bit RGB on the same grid, nodata 0
    pv = _band_info(res.preview)
    assert pv["count"] == 3 and pv["type"] == gdal.GDT_Byte
    assert pv["gt"] == info["gt"] and pv["nodata"] == 0
    assert "LAYOUT=COG" in gdal.Info(str(res.preview))
    rgb, _ = _read(res.preview)
    emb, _ = _read(res.out)
    valid = np.isfinite(emb).all(axis=0)
    assert ((rgb > 0).all(axis=0) == valid).all()              # 0 exactly where nodata
    assert all(rgb[i][valid].std() > 5 for i in range(3))
    # nothing else is left beside the outputs, and the state folder is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emb.tif", "preview.tif", "state"]
    assert list((tmp_path / "state").iterdir()) == []


# ----------------------------------------------------------------------------- resume

class CancelAfterBatches(CancelFlag):
    """Cancels after ``n`` embedding batches (the earlier steps report too)."""

    def __init__(self, n):
        super().__init__()
        self.n = n

    def _emit(self, fraction, message):
        super()._emit(fraction, message)
        if message.startswith("Embedding:"):
            self.n -= 1
            if self.n <= 0:
                self.cancel()


def test_cancel_leaves_no_output_and_resume_equals_an_uninterrupted_run(demo, tmp_path):
    out = tmp_path / "out" / "emb.tif"
    prev = tmp_path / "out" / "preview.tif"
    kw = dict(batch_size=32, preview=prev, dtype="float16", workers=2)
    out.parent.mkdir()
    with pytest.raises(Cancelled, match="continue"):
        _embed(demo.orthophoto, out, tmp_path, progress=CancelAfterBatches(20), **kw)
    assert list((tmp_path / "out").iterdir()) == []            # no output, no temporary
    states = list((tmp_path / "state").iterdir())
    assert len(states) == 1
    done = [d for d in (states[0] / "done.txt").read_text().split("\n") if d]
    assert 1 <= len(done) < 9                                   # some of the 9 blocks
    # a crash between writing the list and the block (simulated): a block listed as done
    # but absent from the GeoTIFF is computed again; a torn last line is ignored
    missing = sorted(set(range(9)) - {int(d.split()[0]) for d in done})[0]
    with open(states[0] / "done.txt", "a") as fh:
        fh.write(f"{missing} 100 ok\n8 10")
    res = _embed(demo.orthophoto, out, tmp_path, **kw)
    assert res.blocks_resumed == len(done) and res.blocks == 9
    assert res.n_patches == 1600 and res.patches_resumed > 0
    assert not states[0].exists()                               # cleaned once complete
    # an uninterrupted run with the same settings (another state folder)
    ref = _embed(demo.orthophoto, tmp_path / "ref.tif", tmp_path / "ref", **dict(
        kw, preview=tmp_path / "ref_preview.tif"))
    assert ref.blocks_resumed == 0
    a, gt = _read(res.out)
    b, gt2 = _read(ref.out)
    assert gt == gt2
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(_read(res.preview)[0], _read(ref.preview)[0])
    ta, tb = read_embedding_tags(res.out), read_embedding_tags(ref.out)
    ta.pop("BOTACLIP_CREATED"), tb.pop("BOTACLIP_CREATED")
    assert ta == tb


def test_no_resume_starts_afresh(demo, tmp_path):
    with pytest.raises(Cancelled):
        _embed(demo.orthophoto, tmp_path / "e.tif", tmp_path,
               extent=(X0, Y1 - 200, X0 + 200, Y1), progress=CancelAfterBatches(3),
               batch_size=16)
    res = _embed(demo.orthophoto, tmp_path / "e.tif", tmp_path,
                 extent=(X0, Y1 - 200, X0 + 200, Y1), resume=False, batch_size=16)
    assert res.blocks_resumed == 0 and res.n_patches == 400


# ----------------------------------------------------------------------------- nodata

def _with_hole(src, dst, x0, y0, x1, y1):
    """A copy of ``src`` whose pixels [y0:y1, x0:x1] are masked out (internal mask)."""
    ds = gdal.Translate(str(dst), str(src), format="GTiff", creationOptions=["TILED=YES"])
    ds.CreateMaskBand(gdal.GMF_PER_DATASET)
    m = np.full((ds.RasterYSize, ds.RasterXSize), 255, np.uint8)
    m[y0:y1, x0:x1] = 0
    ds.GetRasterBand(1).GetMaskBand().WriteArray(m)
    ds = None
    return dst


def test_a_nodata_region_becomes_nodata(demo, tmp_path):
    # a 100 m square hole (pixels 200..400 = 100..200 m from the north-west corner)
    ortho = _with_hole(demo.orthophoto, tmp_path / "holed.tif", 200, 200, 400, 400)
    res = _embed(ortho, tmp_path / "emb.tif", tmp_path, dtype="float32")
    arr, gt = _read(res.out)
    nan = np.isnan(arr)
    assert (nan.all(axis=0) == nan.any(axis=0)).all()         # whole pixels, all bands
    nan = nan[0]
    # patches well inside the hole are nodata, those outside are not
    assert nan[12, 12] and nan[14:16, 14:16].all()
    assert not nan[5, 5] and not nan[30, 30]
    # across its northern edge (y = 100 m): centred 5 m outside, 75 % valid: kept;
    # centred 5 m inside, 25 % valid: nodata
    assert not nan[9, 15] and nan[10, 15]
    # the rule: computed when at least min_valid of the patch is valid
    reader = PatchReader(ortho, 20.0, 32)
    for r, c in [(9, 15), (10, 15), (11, 15), (12, 12), (10, 10), (11, 11)]:
        p = reader.read(gt[0] + (c + 0.5) * 10, gt[3] - (r + 0.5) * 10)
        assert nan[r, c] == (p.valid_fraction < 0.5), (r, c, p.valid_fraction)
    assert res.n_nodata == int(nan.sum()) > 0
    # a stricter threshold leaves more nodata
    strict = _embed(ortho, tmp_path / "strict.tif", tmp_path, min_valid=0.9)
    assert strict.n_nodata > res.n_nodata


def test_the_edge_ring_does_not_stand_out(demo, tmp_path):
    """Patches centred 5 m inside the edge are 25 % outside the orthophoto. Their nodata is
    left out of the spectral baseline's statistics, so the step from the outer ring to the
    next is a sub-sample of the same landscape and should be no larger than an ordinary step
    between neighbours inside (1 - cos, averaged). With the outside filled with raw 0 it was
    about three times larger: a frame around every embedding."""
    res = _embed(demo.orthophoto, tmp_path / "emb.tif", tmp_path, backbone="spectral",
                 weights=None, backbone_config=None, dtype="float32")
    e, _ = _read(res.out)
    e = e.astype("float64") / np.linalg.norm(e, axis=0, keepdims=True)

    def step(a, b):                                # 1 - cos between neighbouring pixels
        return 1.0 - (a * b).sum(axis=0)
    mid = slice(1, -1)
    edge = np.concatenate([step(e[:, mid, 0], e[:, mid, 1]), step(e[:, mid, -1], e[:, mid, -2]),
                           step(e[:, 0, mid], e[:, 1, mid]), step(e[:, -1, mid], e[:, -2, mid])])
    inner = np.concatenate([step(e[:, 2:-2, 2:-3], e[:, 2:-2, 3:-2]).ravel(),
                            step(e[:, 2:-3, 2:-2], e[:, 3:-2, 2:-2]).ravel()])
    assert edge.mean() <= inner.mean(), (edge.mean(), inner.mean())


def test_a_vrt_mosaic_with_holes(demo, tmp_path):
    # two tiles with a 60 m gap between them (pixels 300..420 missing)
    for name, win in (("west", [0, 0, 300, 800]), ("east", [420, 0, 380, 800])):
        gdal.Translate(str(tmp_path / f"{name}.tif"), str(demo.orthophoto), srcWin=win)
    vrt = build_vrt([tmp_path / "west.tif", tmp_path / "east.tif"], tmp_path / "mosaic.vrt")
    # gdalbuildvrt drops band descriptions: the band preset tells the wavelengths
    res = _embed(vrt, tmp_path / "emb.tif", tmp_path, dtype="float32", sensor="rgbn")
    arr, gt = _read(res.out)
    assert arr.shape == (32, 40, 40) and gt[0] == X0
    nan = np.isnan(arr[0])
    # gap from x = 150 m to 210 m: patches centred at 175 m (col 17) and 185 m are all hole
    assert nan[:, 17].all() and nan[:, 18].all()
    assert not nan[:, 5].any() and not nan[:, 35].any()
    bb = _backbone_of(res.out)
    reader = PatchReader(vrt, 20.0, 32)
    for r, c in [(3, 5), (20, 30), (39, 39), (0, 14)]:
        p = reader.read(gt[0] + (c + 0.5) * 10, gt[3] - (r + 0.5) * 10)
        want = bb.features(p.data[None], "float32").numpy()[0]
        np.testing.assert_allclose(arr[:, r, c], want, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- limits

def _square_in_4326(path, x0, y0, x1, y1):
    """A square given in Lambert-93, written in longitude/latitude (so it is reprojected)."""
    l93 = osr.SpatialReference()
    l93.ImportFromEPSG(2154)
    l93.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]:
        ring.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    poly.Segmentize(5.0)               # stays a square once back in Lambert-93
    poly.Transform(osr.CoordinateTransformation(l93, wgs))
    ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(str(path))
    lyr = ds.CreateLayer("mask", wgs, ogr.wkbPolygon)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(poly)
    lyr.CreateFeature(f)
    ds = None
    return path


def test_extent_and_polygon_mask_limit_the_output(demo, tmp_path):
    ext = (X0 + 100, Y1 - 250, X0 + 200, Y1 - 100)
    # read on the compute thread (workers=0): the same pixels as with reader threads
    res = _embed(demo.orthophoto, tmp_path / "ext.tif", tmp_path, extent=ext, workers=0)
    assert res.workers == 0
    arr, gt = _read(res.out)
    assert gt == (X0 + 100, 10.0, 0.0, Y1 - 100, 0.0, -10.0)
    assert arr.shape == (32, 15, 10) and np.isfinite(arr).all()
    # the same pixels as the whole-raster run
    full = _embed(demo.orthophoto, tmp_path / "full.tif", tmp_path)
    fa, _ = _read(full.out)
    np.testing.assert_array_equal(arr, fa[:, 10:25, 10:20])
    # polygon mask in EPSG:4326: pixels whose centre is outside it are nodata
    mask = _square_in_4326(tmp_path / "mask.geojson", X0 + 120, Y1 - 380, X0 + 280, Y1 - 220)
    res = _embed(demo.orthophoto, tmp_path / "mask.tif", tmp_path, mask=mask)
    arr, gt = _read(res.out)
    # output limited to the polygon's envelope (a hair larger once reprojected)
    assert abs(gt[0] - (X0 + 120)) <= 10 and abs(gt[3] - (Y1 - 220)) <= 10
    xs = gt[0] + (np.arange(arr.shape[2]) + 0.5) * 10
    ys = gt[3] - (np.arange(arr.shape[1]) + 0.5) * 10
    inside = ((xs[None, :] > X0 + 120) & (xs[None, :] < X0 + 280)
              & (ys[:, None] > Y1 - 380) & (ys[:, None] < Y1 - 220))
    np.testing.assert_array_equal(np.isfinite(arr[0]), inside)
    assert res.n_patches == int(inside.sum()) == 16 * 16
    with pytest.raises(BotaclipError, match="does not overlap"):
        _embed(demo.orthophoto, tmp_path / "x.tif", tmp_path,
               extent=(0, 0, 1000, 1000))


# ----------------------------------------------------------------------------- model bundle

@pytest.fixture(scope="module")
def bundle(demo, tmp_path_factory):
    """A bundle trained on random features of the tiny backbone (its config records it)."""
    from botaclip.backend.bundle import save_bundle
    from botaclip.backend.io.band_stats import sample_band_stats
    from botaclip.backend.io.presets import resolve_bands
    from botaclip.backend.io.raster import raster_info
    from botaclip.backend.models.backbones import Normalization, build_backbone
    from botaclip.backend.train import TrainConfig, train_on_features

    info = raster_info(demo.orthophoto)
    spec = resolve_bands(info)
    norm = Normalization.from_stats(sample_band_stats(demo.orthophoto, bands=spec.bands))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bb = build_backbone("dofa", "none", wavelengths=spec.wavelengths_um,
                            normalization=norm, config=TINY)
    rng = np.random.default_rng(0)
    n, taxa = 300, 12
    feats = rng.standard_normal((n, 1, 32)).astype(np.float32)
    species = (rng.random((n, taxa)) < 0.3).astype(np.float32)
    species[np.arange(n), rng.integers(0, taxa, n)] = 1.0       # at least one taxon each
    xy = rng.uniform(0, 2000, (n, 2))
    cfg = TrainConfig(epochs=1, batch_size=32, adapter_hidden=16, encoder_hidden=16,
                      patience=0, threads=1, device="cpu", block_m=200.0, val_fraction=0.25)
    result = train_on_features(feats, species, xy[:, 0], xy[:, 1], cfg)
    meta = {"backbone": bb.reference(), "patch_m": 20.0, "patch_px": 32,
            "bands": {"wavelengths_um": spec.wavelengths_um, "bands": spec.bands},
            "normalization": norm.to_dict(), "precision": "float32",
            "species": [f"taxon {i}" for i in range(taxa)], "cover_transform": "presence"}
    return save_bundle(tmp_path_factory.mktemp("bundle") / "model", result, meta)


def test_a_bundle_embeds_with_its_adapter_and_is_recorded(demo, bundle, tmp_path):
    from botaclip.backend.bundle import load_bundle

    ext = (X0 + 100, Y1 - 200, X0 + 200, Y1 - 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = embed_raster(str(demo.orthophoto), str(tmp_path / "emb.tif"), model=str(bundle),
                           stride_m=10.0, extent=ext, precision="float32", dtype="float32",
                           cache_dir=tmp_path / "state", block_px=16)
    arr, gt = _read(res.out)
    assert arr.shape == (32, 10, 10)
    np.testing.assert_allclose(np.linalg.norm(arr, axis=0), 1.0, atol=1e-5)
    b = load_bundle(bundle)
    tags = read_embedding_tags(res.out)
    assert tags["BOTACLIP_MODEL_SHA256"] == b.sha256
    assert tags["BOTACLIP_EMBEDDING"].startswith("bundle")
    bb = _backbone_of(res.out)
    reader = PatchReader(demo.orthophoto, 20.0, 32)
    for r, c in [(0, 0), (9, 9), (4, 7)]:
        p = reader.read(gt[0] + (c + 0.5) * 10, gt[3] - (r + 0.5) * 10)
        want = b.embed_image_features(bb.features(p.data[None], "float32").numpy())[0]
        np.testing.assert_allclose(arr[:, r, c], want, rtol=1e-5, atol=1e-6)
    with pytest.raises(BotaclipError, match="trained on patches of 20 m"):
        embed_raster(str(demo.orthophoto), str(tmp_path / "x.tif"), model=str(bundle),
                     patch_m=50.0, cache_dir=tmp_path / "state")


# ----------------------------------------------------------------------------- checks

def test_not_enough_disk_is_a_clear_error(demo, tmp_path, monkeypatch):
    import shutil

    from botaclip.backend.embed import state as embed_mod

    monkeypatch.setattr(embed_mod.shutil, "disk_usage",
                        lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(BotaclipError, match="Not enough free disk space"):
        _embed(demo.orthophoto, tmp_path / "e.tif", tmp_path)
    assert not (tmp_path / "e.tif").exists()


def test_bad_inputs_are_clear_errors(demo, tmp_path):
    with pytest.raises(BotaclipError, match="either"):
        embed_raster(str(demo.orthophoto), str(tmp_path / "e.tif"))
    with pytest.raises(BotaclipError, match="must be a GeoTIFF"):
        embed_raster(str(demo.orthophoto), str(tmp_path / "e.png"), backbone="spectral")
    with pytest.raises(BotaclipError, match="float16"):
        embed_raster(str(demo.orthophoto), str(tmp_path / "e.tif"), backbone="spectral",
                     dtype="int8")
    with pytest.raises(BotaclipError, match="does not exist"):
        embed_raster(str(tmp_path / "nope.tif"), str(tmp_path / "e.tif"), backbone="spectral")
    gdal.Warp(str(tmp_path / "geo.tif"), str(demo.orthophoto), dstSRS="EPSG:4326")
    with pytest.raises(BotaclipError, match="geographic CRS"):
        embed_raster(str(tmp_path / "geo.tif"), str(tmp_path / "e.tif"), backbone="spectral")


# ----------------------------------------------------------------------------- CLI

def test_cli_contract(demo, tmp_path, capsys):
    out = tmp_path / "emb.tif"
    argv = ["embed", "--backbone", "dofa", "--weights", "none", "--backbone-config",
            json.dumps(TINY), "--patch-m", "20", "--ortho", str(demo.orthophoto), "--out",
            str(out), "--stride-m", "20", "--extent", f"{X0},{Y1 - 100},{X0 + 100},{Y1}",
            "--preview", str(tmp_path / "pv.tif"), "--device", "cpu", "--precision",
            "float32", "--batch-size", "8", "--dtype", "float32", "--min-valid", "0.6",
            "--workers", "1", "--cache-dir", str(tmp_path / "state"), "--quiet", "--json"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert main(argv) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["shape"] == [32, 5, 5] and res["out"] == str(out) and res["batch_size"] == 8
    assert res["geotransform"] == [X0, 20.0, 0.0, Y1, 0.0, -20.0]
    assert _band_info(out)["count"] == 32 and (tmp_path / "pv.tif").exists()
    # bad input: exit 2 with a message naming the problem
    assert main(["embed", "--backbone", "spectral", "--ortho", str(tmp_path / "no.tif"),
                 "--out", str(tmp_path / "x.tif"), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["embed", "--backbone", "spectral", "--ortho", str(demo.orthophoto),
                 "--out", str(tmp_path / "x.tif"), "--extent", "1,2,3", "--quiet"]) == 2
    assert "xmin,ymin,xmax,ymax" in capsys.readouterr().err
    # --model and --backbone together, or neither: a usage error (exit 2)
    for bad in (["--model", "m", "--backbone", "spectral"], []):
        with pytest.raises(SystemExit) as exc:
            main(["embed", *bad, "--ortho", str(demo.orthophoto), "--out", "x.tif"])
        assert exc.value.code == 2
    capsys.readouterr()
