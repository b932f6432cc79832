"""Block-wise maps on Dask (backend/distributed/blockwise.py: ``botaclip apply | similarity |
habitats --scheduler``), against the single-process maps.

One real LocalCluster of two worker processes (one task at a time each) for the module; an
embedding raster written here: 600 x 300 pixels of 6 bands, three groups of columns (< 200,
200-399, >= 400) each near one unit direction, with NaN pixels (one in every band, one in a
single band, a 32-pixel block and a strip along the bottom edge). Similarity and habitats run
in 32-pixel blocks cut into tiles of 4 x 4 blocks (128 px): 5 x 3 = 15 tiles, the last column
88 px wide and the last row 44 px high; a saved predictor's map runs in 256-pixel blocks: 3 x 2
tiles of one block, cut at the same edges. A tile holds exactly the blocks of the whole run,
so every map must be the single-process one to the last bit (the same decoded bytes in every
band, NaN at the same places) with the same statistics.
"""

import hashlib
import os
import subprocess
import sys
import time
import warnings

import dask
import numpy as np
import pytest
from helpers import epsg, run_cli, write_embedding
from osgeo import gdal

from botaclip.backend.distributed.scheduler import connect
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.habitats import cluster_map
from botaclip.backend.maps.applicability import fit_aoa
from botaclip.backend.maps.apply import apply_predictor
from botaclip.backend.maps.estimators import fit_estimator, make_estimator
from botaclip.backend.maps.predictor import SavedPredictor, save_predictor
from botaclip.backend.progress import Progress
from botaclip.backend.zeroshot import similarity_map

gdal.UseExceptions()

W, H, D = 600, 300, 6
X0, Y0, PIX = 900000.0, 6503000.0, 10.0
BLOCK, TILE_PX = 32, 128 * 128          # 15 tiles of 4 x 4 blocks
N_NAN = 1 + 32 * 32 + 10 * W            # NaN pixels in every band (see _features)
UNREACHABLE = "tcp://127.0.0.1:9"       # the discard port: nothing listens there


def _features():
    """(H, W, D): group g = column // 200 near the unit vector of band g, a gradient along the
    rows in band 3 (0 to 0.5), noise (sd 0.05); NaN at (3, 3), in band 2 only at (5, 7) (a
    pixel that is nodata too), over the block rows 32-63 x columns 64-95 and over the last 10
    rows."""
    rng = np.random.default_rng(0)
    f = rng.normal(0.0, 0.05, size=(H, W, D)).astype(np.float32)
    cols = np.arange(W)
    for g in range(3):
        f[:, cols // 200 == g, g] += 1.0
    f[:, :, 3] += np.linspace(0.0, 0.5, H, dtype=np.float32)[:, None]
    f[3, 3, :] = np.nan
    f[5, 7, 2] = np.nan
    f[32:64, 64:96, :] = np.nan
    f[H - 10:, :, :] = np.nan
    return f


def _tile_count(side):
    return -(-W // side) * -(-H // side)


@pytest.fixture(scope="module")
def client():
    """A client of a real local cluster: two worker processes, one thread each."""
    with connect("local:2") as conn:
        assert len(conn.workers()) == 2
        yield conn.client


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The embedding raster, its features and a saved presence predictor (5 trees, two fold
    models, the area of applicability) fitted on 300 of its pixels."""
    root = tmp_path_factory.mktemp("maps_data")
    f = _features()
    emb = write_embedding(root / "emb.tif", f, origin=(X0, Y0), pixel=PIX, srs=epsg(),
                          tags={"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": str(D)})
    rng = np.random.default_rng(1)
    ok = np.argwhere(np.isfinite(f).all(axis=2))
    x = f[tuple(ok[rng.choice(len(ok), 300, replace=False)].T)]
    y = (x[:, 0] + 0.3 * x[:, 3] > 0.6).astype(int)

    def rf(rows):
        m = make_estimator("rf", "presence", seed=0)
        m.set_params(n_estimators=5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fit_estimator(m, x[rows], y[rows], "presence")

    halves = [np.arange(0, 300, 2), np.arange(1, 300, 2)]
    p = SavedPredictor(task="presence", estimator="rf", target_names=["present"],
                       final_model=rf(np.arange(300)), fold_models=[rf(h) for h in halves],
                       aoa=fit_aoa(x), embedding={"source": "emb.tif", "bands": D},
                       points="pts.gpkg")
    predictor = save_predictor(root / "p.predictor.zip", p)
    queries = np.stack([f[150, 100], f[150, 500]])          # a group-0 and a group-2 pixel
    return {"emb": emb, "f": f, "predictor": predictor, "queries": queries}


def _assert_same_map(got, ref):
    """The same raster: size, grid, band names, tags (but the time written), overviews and
    the same decoded bytes in every band, so NaN at the same places."""
    a, b = gdal.Open(str(got)), gdal.Open(str(ref))
    assert (a.RasterXSize, a.RasterYSize, a.RasterCount) == \
        (b.RasterXSize, b.RasterYSize, b.RasterCount) and a.RasterXSize == W
    assert a.GetGeoTransform() == b.GetGeoTransform()
    for i in range(1, a.RasterCount + 1):
        ba, bb = a.GetRasterBand(i), b.GetRasterBand(i)
        assert ba.GetDescription() == bb.GetDescription()
        assert ba.DataType == bb.DataType and ba.GetOverviewCount() == bb.GetOverviewCount()
        assert ba.ReadRaster() == bb.ReadRaster(), f"band {i} differs"
        pa, pb = ba.ReadAsArray(), bb.ReadAsArray()
        if ba.DataType == gdal.GDT_Float32:
            assert np.array_equal(np.isnan(pa), np.isnan(pb))
        else:
            assert np.array_equal(pa, pb)
    own = {"BOTACLIP_CREATED"}
    assert {k: v for k, v in a.GetMetadata().items() if k not in own} == \
        {k: v for k, v in b.GetMetadata().items() if k not in own}


def _only(folder, *names):
    """Nothing in ``folder`` but ``names`` (and GDAL's .aux.xml side-cars): no tile folder,
    no temporary, no lock."""
    left = {p.name for p in folder.iterdir()} - {n + ".aux.xml" for n in names}
    assert left == set(names), left


class _FirstTile(Progress):
    """Cancelled from the first report of a finished tile on (``Tiles: N of M``)."""

    def __init__(self):
        self.seen = None
        self.warnings = []

    def _emit(self, fraction, message):
        if self.seen is None and message.startswith("Tiles: "):
            self.seen = message

    def warn(self, message):
        self.warnings.append(message)

    def is_cancelled(self):
        return self.seen is not None


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ the maps

def test_apply_on_two_workers_gives_the_single_process_map(data, client, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "dask").mkdir()
    ref = apply_predictor(data["predictor"], data["emb"], tmp_path / "one" / "p.tif")
    got = apply_predictor(data["predictor"], data["emb"], tmp_path / "dask" / "p.tif",
                          scheduler=client, tile_pixels=1)          # one 256-px block a tile
    _assert_same_map(got.out, ref.out)
    assert got.bands == ref.bands == ["probability_present", "uncertainty_present",
                                      "applicability"]
    assert (got.n_valid, got.n_nodata, got.n_inside, got.max_pixels_held) == \
        (ref.n_valid, ref.n_nodata, ref.n_inside, ref.max_pixels_held)
    # (5, 7) is nodata too (one band NaN), as are the all-NaN pixels
    assert ref.n_nodata == N_NAN + 1 and ref.max_pixels_held == 256 * 256
    assert 0 < ref.n_inside <= ref.n_valid
    _only(tmp_path / "dask", "p.tif")


def test_similarity_on_two_workers_gives_the_single_process_map(data, client, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "dask").mkdir()
    args = dict(names=["west", "east"], threshold=0.9, block_px=BLOCK, tags={"query": "two"})
    ref = similarity_map(data["emb"], tmp_path / "one" / "s.tif", data["queries"], **args)
    got = similarity_map(data["emb"], tmp_path / "dask" / "s.tif", data["queries"], **args,
                         scheduler=client, tile_pixels=TILE_PX)
    _assert_same_map(got.out, ref.out)
    # every statistic exactly: counts, min, max, histogram percentiles, the mean's sum
    assert got.stats == ref.stats and got.area_above_km2 == ref.area_above_km2
    assert got.n_valid == ref.n_valid == W * H - N_NAN - 1
    # the group-0 query is most like the group-0 columns: a third of the valid pixels or so
    assert 0.2 < ref.area_above_km2["west"] / (ref.n_valid * PIX * PIX / 1e6) < 0.45
    _only(tmp_path / "dask", "s.tif")


def test_habitats_on_two_workers_give_the_single_process_map(data, client, tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "dask").mkdir()
    ref = cluster_map(data["emb"], tmp_path / "one" / "h.tif", k=3, block_px=BLOCK)
    got = cluster_map(data["emb"], tmp_path / "dask" / "h.tif", k=3, block_px=BLOCK,
                      scheduler=client, tile_pixels=TILE_PX)
    _assert_same_map(got.out, ref.out)
    assert got.sizes == ref.sizes and (got.n_valid, got.max_pixels_held) == \
        (ref.n_valid, ref.max_pixels_held) == (W * H - N_NAN - 1, BLOCK * BLOCK)
    # three groups of 200 columns, the NaN block in the first: about a third each
    assert sorted(ref.sizes) == sorted([200 * 290 - 32 * 32 - 2, 200 * 290, 200 * 290])
    _only(tmp_path / "dask", "h.tif")


# ------------------------------------------------------------------------------ stops

@pytest.mark.parametrize("stage", ["similarity", "apply"])
def test_a_cancel_after_the_first_tile_leaves_nothing(stage, data, client, tmp_path):
    def run(out, progress, overwrite=False):
        if stage == "similarity":
            return similarity_map(data["emb"], out, data["queries"], block_px=BLOCK,
                                  scheduler=client, tile_pixels=TILE_PX, progress=progress,
                                  overwrite=overwrite)
        return apply_predictor(data["predictor"], data["emb"], out, scheduler=client,
                               tile_pixels=1, progress=progress, overwrite=overwrite)

    out = tmp_path / "map.tif"
    progress = _FirstTile()
    with pytest.raises(Cancelled):
        run(out, progress)
    assert progress.seen.startswith("Tiles: ")
    _only(tmp_path)
    # an existing map is left as it was: only the final move would have replaced it
    run(out, Progress())
    before, mtime = _sha(out), out.stat().st_mtime_ns
    with pytest.raises(Cancelled):
        run(out, _FirstTile(), overwrite=True)
    assert (_sha(out), out.stat().st_mtime_ns) == (before, mtime)
    _only(tmp_path, "map.tif")
    # no task of the stopped runs still runs on a worker or waits for one

    def running():
        from botaclip.backend.distributed import control

        return sum(control._RUNNING.values())

    assert not any(client.run(running).values()) and not any(client.processing().values())


def test_a_failed_tile_stops_the_run_and_leaves_nothing(data, client, tmp_path):
    """One tile of 15 fails (its error said as is); the others are stopped or dropped and
    the tile folder removed."""
    from botaclip.backend.distributed.blockwise import TileJob, map_tiles

    def fail_one(embeddings, tile_path, window, block_px, payload, progress):
        from botaclip.backend.errors import BotaclipError

        if window[:2] == (256, 128):
            raise BotaclipError(f"the tile at {window[:2]} is refused")
        time.sleep(0.2)
        open(tile_path, "wb").close()           # (never pasted: the run fails)
        return {}

    with pytest.raises(BotaclipError, match=r"the tile at \(256, 128\) is refused"):
        map_tiles(data["emb"], tmp_path / "m.tif", tmp_path / "work.tif",
                  TileJob(fail_one, None, "test map"), scheduler=client, block_px=BLOCK,
                  tile_pixels=TILE_PX)
    _only(tmp_path)


@pytest.mark.parametrize("stage", ["similarity", "habitats"])
def test_an_unreachable_scheduler_is_a_clear_error_within_seconds(stage, data, tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(BotaclipError, match=f"Cannot reach the Dask scheduler at {UNREACHABLE}"):
        if stage == "similarity":
            similarity_map(data["emb"], tmp_path / "s.tif", data["queries"],
                           scheduler=UNREACHABLE)
        else:                               # connected before the k-means fit
            cluster_map(data["emb"], tmp_path / "h.tif", k=3, scheduler=UNREACHABLE)
    assert time.perf_counter() - t0 < 15
    _only(tmp_path)


def test_a_local_cluster_that_cannot_start_is_a_clear_error(tmp_path):
    """A worker process that cannot start (here: a preload module that does not exist) is
    said with its cause and the fixes, not a raw traceback."""
    with dask.config.set({"distributed.worker.preload": ["botaclip_no_such_module"]}):
        with pytest.raises(BotaclipError, match="Could not start the local Dask cluster") as e:
            with connect("local:1"):
                pass
    assert "botaclip_no_such_module" in str(e.value) and "fewer workers" in str(e.value)


# ------------------------------------------------------------------------------ the command

def test_cli_similarity_with_a_local_cluster(data, tmp_path):
    """`botaclip similarity --scheduler local:2` as a person runs it (its own cluster, the
    default blocks and tiles: 3 x 2 tiles of one 256-px block), against the same command
    without it."""
    x, y = X0 + 100.5 * PIX, Y0 - 150.5 * PIX
    args = ["similarity", "--embeddings", data["emb"], "--at", f"{x},{y}", "--quiet"]
    rc, said, err = run_cli(args + ["--out", tmp_path / "one.tif"])
    assert rc == 0, err
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, "-m", "botaclip.backend.cli", *map(str, args),
                           "--out", str(tmp_path / "dask.tif"), "--scheduler", "local:2"],
                          capture_output=True, text=True, timeout=300, env=env,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    _assert_same_map(tmp_path / "dask.tif", tmp_path / "one.tif")
    # the same statistics said: the similarity line (min, median, max, pixels)
    assert [t for t in proc.stdout.splitlines() if not t.startswith("map:")] == \
        [t for t in said.splitlines() if not t.startswith("map:")]
    assert "similarity: min" in said
