"""The feature cache: variants, cache hits, resume after cancel, keys, disk full."""

import errno
import os
import warnings

import numpy as np
import pytest
import torch
from helpers import TINY
from osgeo import gdal, osr

from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.io.patches import PatchReader
from botaclip.backend.models.backbones import Normalization, build_backbone, dihedral
from botaclip.backend.progress import CancelFlag
from botaclip.backend.train import cache_key, compute_features
from botaclip.backend.train import features as F

RGBN = [0.665, 0.56, 0.49, 0.842]
PATCH_M = 20.0


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def raster(tmp_path_factory):
    """A 4-band 8-bit 200 m x 200 m raster at 1 m, in Lambert-93."""
    path = tmp_path_factory.mktemp("raster") / "ortho.tif"
    rng = np.random.default_rng(0)
    ds = gdal.GetDriverByName("GTiff").Create(str(path), 200, 200, 4, gdal.GDT_Byte,
                                              ["PHOTOMETRIC=MINISBLACK", "ALPHA=NO"])
    ds.SetGeoTransform((900000.0, 1.0, 0.0, 6500200.0, 0.0, -1.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    yy, xx = np.mgrid[0:200, 0:200]
    for b in range(4):
        base = 120 + 60 * np.sin(xx / (9.0 + 4 * b)) * np.cos(yy / (13.0 + 3 * b))
        ds.GetRasterBand(b + 1).WriteArray(np.clip(base + rng.normal(0, 12, base.shape),
                                                   0, 255).astype("uint8"))
    ds = None
    return path


def _plots(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return (900000.0 + rng.uniform(15, 185, n), 6500000.0 + rng.uniform(15, 185, n))


def _tiny(seed=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return build_backbone("dofa-base", "none", wavelengths=RGBN,
                              normalization=_norm4(), config=TINY, seed=seed)


def _norm4():
    return Normalization("sampled", [120.0] * 4, [40.0] * 4)


def _spectral():
    return build_backbone("spectral", None, wavelengths=RGBN, normalization=_norm4())


class _Counting:
    """Counts the patches the backbone computes (wraps forward_prepared)."""

    def __init__(self, bb, fail=False):
        self.n, self.fail, self._orig = 0, fail, bb.forward_prepared
        bb.forward_prepared = self

    def __call__(self, x, precision=None):
        if self.fail:
            raise AssertionError("the backbone was called")
        self.n += len(x)
        return self._orig(x, precision)


def _chunk_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "key.json")


def test_variants_are_the_backbone_on_dihedral_patches(raster, tmp_path):
    bb = _tiny()
    xs, ys = _plots(3)
    feats = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path)
    assert feats.shape == (3, 8, 32) and feats.dtype == np.float32
    with PatchReader(raster, PATCH_M, bb.input_px) as rd:
        patch = rd.read(float(xs[1]), float(ys[1])).data
    for k in range(8):
        want = bb.features(np.ascontiguousarray(dihedral(patch, k))[None])[0].numpy()
        np.testing.assert_allclose(feats[1, k], want, rtol=1e-5, atol=1e-5)
    assert not np.allclose(feats[1, 0], feats[1, 1])
    one = compute_features(raster, xs, ys, bb, PATCH_M, variants=1, cache_dir=False)
    np.testing.assert_allclose(one[:, 0], feats[:, 0], rtol=1e-5, atol=1e-5)
    with pytest.raises(BotaclipError, match="between 1 and 8"):
        compute_features(raster, xs, ys, bb, PATCH_M, variants=9, cache_dir=False)


def test_second_call_is_a_cache_hit_and_new_plots_reuse_the_others(raster, tmp_path):
    bb = _spectral()
    xs, ys = _plots(12)
    report = {}
    first = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path, report=report)
    assert report["computed"] == 12 and report["cached"] == 0
    _Counting(bb, fail=True)
    report = {}
    again = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path, report=report)
    assert np.array_equal(first, again) and report["cached"] == 12
    # 3 more plots (and the old ones in another order): only the new ones are computed
    bb2 = _spectral()
    counter = _Counting(bb2)
    x2, y2 = _plots(3, seed=5)
    xs2, ys2 = np.concatenate([x2, xs[::-1]]), np.concatenate([y2, ys[::-1]])
    report = {}
    more = compute_features(raster, xs2, ys2, bb2, PATCH_M, cache_dir=tmp_path, report=report)
    assert report == {**report, "cached": 12, "computed": 3} and counter.n == 3 * 8
    assert np.array_equal(more[3:], first[::-1])


def test_resume_after_cancel_computes_only_missing_plots(raster, tmp_path, monkeypatch):
    monkeypatch.setattr(F, "CHUNK_PLOTS", 4)
    xs, ys = _plots(10)
    bb = _spectral()
    full = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=False)
    counter = _Counting(bb)
    flag = CancelFlag(cancel_after_reports=3)            # after 3 batches of 2 plots
    with pytest.raises(Cancelled):
        compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path, batch_size=2,
                         progress=flag)
    assert counter.n == 3 * 2 * 8
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    # one full chunk of 4 plots and the 2 plots of the chunk in progress, saved on cancel
    # (each chunk: features, valid fractions, locations)
    files = _chunk_files(folder)
    assert len(files) == 2 * 3 and all(f.startswith("chunk-") for f in files)
    counter.n = 0
    report = {}
    resumed = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path, batch_size=2,
                               report=report)
    assert report["cached"] == 6 and report["computed"] == 4 and counter.n == 4 * 8
    np.testing.assert_array_equal(resumed, full)
    rows = sum(len(np.load(folder / f)) for f in _chunk_files(folder) if f.endswith(".xy.npy"))
    assert rows == 10                                     # no plot stored twice


def test_two_plots_at_one_place_are_computed_once(raster, tmp_path):
    bb = _spectral()
    counter = _Counting(bb)
    xs, ys = _plots(3)
    xs = np.append(xs, xs[0])                            # two relevés of one plot
    ys = np.append(ys, ys[0])
    feats = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path)
    assert counter.n == 3 * 8 and np.array_equal(feats[3], feats[0])


def test_valid_fractions_travel_with_the_features_into_the_cache(raster, tmp_path,
                                                                  monkeypatch):
    # plots at the raster's edges: the 20 m patch of one centred 5 m inside the west edge is
    # 15/20 = 75 % inside, one on the north-east corner 25 %; one well inside is complete
    xs = np.array([900005.0, 900200.0, 900100.0])
    ys = np.array([6500100.0, 6500200.0, 6500100.0])
    bb = _spectral()
    with PatchReader(raster, PATCH_M, bb.input_px) as r:
        want = np.array([r.read(x, y).valid_fraction for x, y in zip(xs, ys)], "float32")
    np.testing.assert_allclose(want, [0.75, 0.25, 1.0], atol=1 / bb.input_px)  # pixel steps
    report = {}
    feats, valid = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path,
                                    report=report, return_valid=True)
    assert valid.dtype == np.float32 and np.array_equal(valid, want)
    assert report["valid_fraction"] == {"min": round(float(want[1]), 4),
                                        "mean": round(float(want.mean(dtype="float64")), 4),
                                        "with_nodata": 2}
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    stored = np.load(next(folder.glob("chunk-*.valid.npy")))
    assert stored.dtype == np.float32 and sorted(stored) == sorted(want)
    # from the cache: the same fractions, in the caller's order, no backbone call
    _Counting(bb, fail=True)
    again, valid2 = compute_features(raster, xs[::-1], ys[::-1], bb, PATCH_M,
                                     cache_dir=tmp_path, return_valid=True)
    assert np.array_equal(valid2, want[::-1]) and np.array_equal(again, feats[::-1])
    # a chunk without its valid fractions (torn, or written by an older format) is not used
    next(folder.glob("chunk-*.valid.npy")).unlink()
    flag = CancelFlag()
    bb2 = _spectral()
    counter = _Counting(bb2)
    compute_features(raster, xs, ys, bb2, PATCH_M, cache_dir=tmp_path, progress=flag)
    assert counter.n == 3 * 8 and any("damaged" in w for w in flag.warnings)
    # the cache format is part of the key: caches of the zero-filled format are not reused
    desc = cache_key(raster, bb, PATCH_M)[1]
    assert desc["format"] == F.FEATURE_FORMAT >= 3 and desc["nodata_fill"] == bb.nodata_fill
    base = cache_key(raster, bb, PATCH_M)[0]
    monkeypatch.setattr(F, "FEATURE_FORMAT", 2)
    assert cache_key(raster, bb, PATCH_M)[0] != base


def test_key_changes_with_weights_patch_settings_and_raster(raster, tmp_path):
    import shutil

    bb = _tiny(seed=0)
    base = cache_key(raster, bb, PATCH_M)[0]
    assert cache_key(raster, _tiny(seed=0), PATCH_M)[0] == base
    assert cache_key(raster, _tiny(seed=1), PATCH_M)[0] != base        # other weights
    assert cache_key(raster, bb, 30.0)[0] != base
    assert cache_key(raster, bb, PATCH_M, variants=1)[0] != base
    assert cache_key(raster, bb, PATCH_M, resampling="cubic")[0] != base
    bb.precision = "bfloat16"
    assert cache_key(raster, bb, PATCH_M)[0] != base
    bb.precision = "float32"
    copy = tmp_path / "copy.tif"
    shutil.copy(raster, copy)
    k_copy = cache_key(copy, bb, PATCH_M)[0]
    assert k_copy != base
    st = os.stat(copy)
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))        # the file changed
    assert cache_key(copy, bb, PATCH_M)[0] != k_copy
    # a VRT: its sources are part of the key
    vrt = tmp_path / "mosaic.vrt"
    gdal.BuildVRT(str(vrt), [str(copy)]).FlushCache()
    desc = cache_key(vrt, bb, PATCH_M)[1]
    assert str(copy.resolve()) in [f[0] for f in desc["raster"]["files"]]
    k_vrt = cache_key(vrt, bb, PATCH_M)[0]
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10**9))
    assert cache_key(vrt, bb, PATCH_M)[0] != k_vrt


def test_disk_full_gives_a_clear_message_and_no_torn_chunk(raster, tmp_path, monkeypatch):
    def full_disk(path, array):
        with open(path, "wb") as fh:
            fh.write(b"\x93NUMPY partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(F, "_save_npy", full_disk)
    xs, ys = _plots(5)
    with pytest.raises(BotaclipError) as err:
        compute_features(raster, xs, ys, _spectral(), PATCH_M, cache_dir=tmp_path)
    msg = str(err.value)
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert "disk is full" in msg and str(folder) in msg and "needs about" in msg
    assert "--cache-dir" in msg
    assert _chunk_files(folder) == []                     # nothing torn, no temporary left


def test_too_little_free_space_is_refused_before_computing(raster, tmp_path, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 1000, 1000))
    bb = _spectral()
    _Counting(bb, fail=True)
    with pytest.raises(BotaclipError, match=r"Not enough free disk space .* needs about"):
        compute_features(raster, *_plots(5), bb, PATCH_M, cache_dir=tmp_path)


def test_damaged_chunk_is_ignored_with_a_warning(raster, tmp_path):
    bb = _spectral()
    xs, ys = _plots(4)
    first = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path)
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    feat = next(folder.glob("chunk-*.features.npy"))
    feat.write_bytes(b"garbage")
    flag = CancelFlag()
    report = {}
    again = compute_features(raster, xs, ys, bb, PATCH_M, cache_dir=tmp_path, progress=flag,
                             report=report)
    assert report["computed"] == 4 and any("damaged" in w for w in flag.warnings)
    np.testing.assert_array_equal(again, first)


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BOTACLIP_CACHE_DIR", str(tmp_path / "c"))
    assert F.default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("BOTACLIP_CACHE_DIR")
    assert F.default_cache_dir().parts[-3:] == (".cache", "botaclip", "features")
