"""Embedding on Dask (backend.distributed, `botaclip embed --scheduler`).

A real LocalCluster of two worker processes (started once for the module), the tiny DOFA
(random weights) on the 400 m demo orthophoto: 20 m patches every 10 m give a 40 x 40 grid of
16-pixel blocks, cut into 9 tiles of one block (the last row and column 8 pixels wide).

Identity. A forward pass's last float32 bits depend on torch's thread count (the K-split of
large matrix products), so the reference single-process run uses the workers' thread count
(this machine's cores shared by the two workers, as the workers set it); the raster is then
identical, band for band (max abs difference 0 after decoding the half floats, the same
nodata).
"""

import json
import os
import signal
import socket
import time
import warnings

import numpy as np
import pytest
from helpers import TINY, TINY_JSON, run_cli
from osgeo import gdal

from botaclip.backend.distributed import embed_distributed, parse_scheduler, tiles_folder
from botaclip.backend.distributed.manifest import MANIFEST_NAME, Manifest
from botaclip.backend.distributed.scheduler import (
    LocalLayout,
    connect,
    cpu_count,
    gpu_worker_specs,
    local_layout,
    start_local_cluster,
)
from botaclip.backend.distributed.tiles import split_grid, tile_side_px
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.progress import Progress

gdal.UseExceptions()

SETTINGS = dict(backbone="dofa", weights="none", backbone_config=TINY, patch_m=20.0,
                stride_m=10.0, precision="float32", batch_size=64, block_px=16,
                calibrate="never")
TILE_PATCHES = 256              # one 16-pixel block per tile: 9 tiles
N_TILES = 9


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from botaclip.backend.demo import generate_demo_data

    return generate_demo_data(tmp_path_factory.mktemp("demo"), size_m=400, seed=0)


@pytest.fixture(scope="module")
def client():
    """A client of a real local cluster: two worker processes, one task at a time each."""
    with connect("local:2") as conn:
        yield conn.client


@pytest.fixture(scope="module")
def reference(demo, tmp_path_factory):
    """The single-process engine's raster (pixels, nodata mask, tags) at the workers' torch
    thread count."""
    import torch

    from botaclip.backend.embed import embed_raster

    tmp = tmp_path_factory.mktemp("ref")
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, cpu_count() // 2))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res = embed_raster(str(demo.orthophoto), str(tmp / "ref.tif"),
                               cache_dir=tmp / "state", **SETTINGS)
    finally:
        torch.set_num_threads(before)
    return _read(res.out)


def _read(path):
    ds = gdal.Open(str(path))
    try:
        band = ds.GetRasterBand(1)
        return {"pixels": ds.ReadAsArray(), "gt": ds.GetGeoTransform(),
                "tags": dict(ds.GetMetadata()), "nbits": band.GetMetadataItem(
                    "NBITS", "IMAGE_STRUCTURE"), "overviews": band.GetOverviewCount(),
                "descriptions": [ds.GetRasterBand(i + 1).GetDescription()
                                 for i in range(ds.RasterCount)]}
    finally:
        ds = None


def _assert_identical(got, ref):
    a, b = got["pixels"], ref["pixels"]
    assert a.shape == b.shape == (32, 40, 40)
    assert got["gt"] == ref["gt"]
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert float(np.nanmax(np.abs(a - b))) == 0.0


def _distributed(demo, out, client, **kw):
    args = dict(SETTINGS, scheduler=client, tile_patches=TILE_PATCHES)
    args.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return embed_distributed(str(demo.orthophoto), str(out), **args)


class _Tiles(Progress):
    """Calls ``action(n)`` once, at the first report of ``n >= at`` finished tiles."""

    def __init__(self, at, action):
        self.at, self.action, self.fired, self.cancelled = at, action, False, False
        self.warnings = []

    def _emit(self, fraction, message):
        if not self.fired and message.startswith("Tiles: "):
            n = int(message.split()[1])
            if n >= self.at:
                self.fired = True
                self.action(n)

    def warn(self, message):
        self.warnings.append(message)

    def is_cancelled(self):
        return self.cancelled


# ----------------------------------------------------------------------------- no cluster

def test_scheduler_forms_are_parsed_and_bad_ones_refused():
    assert parse_scheduler("local").kind == "local" and parse_scheduler("local").n_workers is None
    assert parse_scheduler("local:3").n_workers == 3
    assert parse_scheduler("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_scheduler("/shared/sched.json").kind == "file"
    for bad in ("local:0", "cluster", "10.0.0.5:8786"):
        with pytest.raises(BotaclipError, match="--scheduler"):
            parse_scheduler(bad)


def test_tiles_are_whole_blocks_that_cover_the_grid_once():
    assert tile_side_px(32, 4096) == 64 and tile_side_px(16, 256) == 16
    assert tile_side_px(64, 100) == 64                  # at least one block
    tiles = split_grid(150, 70, 32, 4096)               # 64 px tiles: 3 x 2
    assert [(t.c0, t.r0, t.w, t.h) for t in tiles[:3]] == [(0, 0, 64, 64), (64, 0, 64, 64),
                                                           (128, 0, 22, 64)]
    cover = np.zeros((70, 150), int)
    for t in tiles:
        assert t.c0 % 32 == 0 and t.r0 % 32 == 0
        cover[t.r0:t.r0 + t.h, t.c0:t.c0 + t.w] += 1
    assert (cover == 1).all() and len({t.name for t in tiles}) == len(tiles) == 6
    with pytest.raises(BotaclipError, match="--tile-patches"):
        tile_side_px(32, 10)


def test_gpu_layout_is_one_worker_per_device():
    """The GPU code path with the device list injected (no GPU here: unmeasured)."""
    layout = local_layout(None, "cuda", cores=16, gpus=[0, 1, 2, 3])
    assert (layout.n_workers, layout.threads, layout.gpus) == (4, 4, [0, 1, 2, 3])
    assert local_layout(2, "cuda", cores=16, gpus=[0, 1, 2, 3]).gpus == [0, 1]
    assert local_layout(None, "cpu", cores=16).n_workers == 4
    assert local_layout(3, "cpu", cores=2).threads == 1
    with pytest.raises(BotaclipError, match="no CUDA device"):
        local_layout(None, "cuda", cores=4, gpus=[])
    specs = gpu_worker_specs([0, 3], threads=8)
    assert [s["options"]["env"]["CUDA_VISIBLE_DEVICES"] for s in specs.values()] == ["0", "3"]


def test_gpu_workers_each_see_their_device_only():
    """Without dask-cuda: one process per device, each started with CUDA_VISIBLE_DEVICES set
    to its index (real processes; the variable is all a CPU machine can check)."""
    from distributed import Client

    cluster = start_local_cluster(LocalLayout(2, 1, [0, 1]))
    try:
        with Client(cluster) as c:
            c.wait_for_workers(2, timeout=60)
            seen = c.run(lambda: os.environ.get("CUDA_VISIBLE_DEVICES"))
    finally:
        cluster.close()
    assert sorted(seen.values()) == ["0", "1"]


def test_an_unreachable_scheduler_is_a_clear_error_within_seconds(demo, tmp_path):
    with socket.socket() as s:              # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    rc, _, err = run_cli(["embed", "--backbone", "dofa", "--weights", "none",
                          "--backbone-config", TINY_JSON, "--ortho", demo.orthophoto,
                          "--out", tmp_path / "e.tif", "--scheduler",
                          f"tcp://127.0.0.1:{port}", "--quiet"])
    assert time.perf_counter() - t0 < 15
    assert rc == 2
    assert f"Cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "e.tif").exists() and not tiles_folder(tmp_path / "e.tif").exists()
    with pytest.raises(BotaclipError, match="does not exist"):
        with connect(str(tmp_path / "nowhere.json")):
            pass
    rc, _, err = run_cli(["embed", "--backbone", "dofa", "--weights", "none", "--ortho",
                          demo.orthophoto, "--out", tmp_path / "e.tif", "--keep-tiles"])
    assert rc == 2 and "go with --scheduler" in err


# ----------------------------------------------------------------------------- a cluster

def test_two_workers_give_the_single_process_raster(demo, client, reference, tmp_path):
    """Joining the cluster through a scheduler file (a remote cluster's path: the workers
    choose their threads from their host's cores)."""
    sched = tmp_path / "scheduler.json"
    sched.write_text(json.dumps({"address": client.scheduler.address}))
    out = tmp_path / "emb.tif"
    res = _distributed(demo, out, client, scheduler=str(sched))
    assert (res.n_tiles, res.tiles_computed, res.n_patches) == (N_TILES, N_TILES, 1600)
    assert res.workers == 2 and res.patches_computed == 1600
    got = _read(out)
    _assert_identical(got, reference)
    # written like the engine's: half floats, band names, the same tags but the run's own
    assert got["nbits"] == reference["nbits"] == "16"
    assert got["descriptions"] == reference["descriptions"]
    own = {"BOTACLIP_CREATED", "BOTACLIP_TILES", "BOTACLIP_CALIBRATION"}
    assert {k: v for k, v in got["tags"].items() if k not in own} == \
        {k: v for k, v in reference["tags"].items() if k not in own}
    assert json.loads(got["tags"]["BOTACLIP_TILES"])["tiles"] == N_TILES
    assert not tiles_folder(out).exists()           # tiles removed once the COG is written
    # each worker loaded the model once, not once per tile
    from botaclip.backend.distributed.worker import loaded_models

    assert set(client.run(loaded_models).values()) <= {0, 1}


def test_a_killed_worker_still_gives_the_same_raster(demo, client, reference, tmp_path):
    pids = client.run(os.getpid)               # {worker address: process id}
    killed = []

    def kill(_n):
        """Kill the worker with the most tiles on hand (running or queued on it): Dask
        must run them on the other one."""
        busy = client.processing()
        addr = max(pids, key=lambda a: len(busy.get(a, ())))
        killed.append((pids[addr], len(busy.get(addr, ()))))
        os.kill(pids[addr], signal.SIGKILL)

    out = tmp_path / "emb.tif"
    progress = _Tiles(1, kill)
    res = _distributed(demo, out, client, keep_tiles=True, tile_patches=64,
                       progress=progress)
    assert len(killed) == 1 and killed[0][1] >= 1 and res.tiles_computed == N_TILES
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0][0], 0)
    folder = tiles_folder(out)
    assert res.out == out.with_suffix(".vrt") and res.tiles_dir == folder
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith(".state"))
    assert names == sorted([MANIFEST_NAME] + [f"tile_{r:04d}_{c:04d}.tif" for r in range(3)
                                             for c in range(3)])   # no torn or partial tile
    _assert_identical(_read(res.out), reference)
    client.wait_for_workers(2, timeout=60)          # the nanny restarted it


def test_a_stopped_run_resumes_with_only_the_missing_tiles(demo, client, reference, tmp_path):
    out = tmp_path / "emb.tif"
    progress = _Tiles(2, lambda n: setattr(progress, "cancelled", True))
    with pytest.raises(Cancelled, match="run the same command again"):
        _distributed(demo, out, client, progress=progress)
    assert not out.exists()
    recorded = json.loads((tiles_folder(out) / MANIFEST_NAME).read_text())["tiles"]
    assert 2 <= len(recorded) < N_TILES
    res = _distributed(demo, out, client)
    assert res.tiles_resumed == len(recorded)
    assert res.tiles_computed == N_TILES - len(recorded)
    _assert_identical(_read(out), reference)


def test_the_manifest_refuses_tiles_of_another_model(demo, client, tmp_path):
    out = tmp_path / "emb.tif"
    _distributed(demo, out, client, keep_tiles=True)
    other = dict(TINY, embed_dim=16, dynamic_embed_dim=16)
    with pytest.raises(BotaclipError, match="holds tiles of another model"):
        _distributed(demo, out, client, keep_tiles=True, backbone_config=other)
    with pytest.raises(BotaclipError, match=r"other settings \(min_valid\)"):
        _distributed(demo, out, client, keep_tiles=True, min_valid=0.6)
    # a tile whose bytes changed since is computed again, not trusted
    tile = tiles_folder(out) / "tile_0000_0000.tif"
    with open(tile, "r+b") as fh:
        fh.seek(tile.stat().st_size // 2)
        fh.write(b"\0\1\2\3")
    res = _distributed(demo, out, client, keep_tiles=True)
    assert (res.tiles_computed, res.tiles_resumed) == (1, N_TILES - 1)
    key = json.loads((tiles_folder(out) / MANIFEST_NAME).read_text())["key"]
    with pytest.raises(BotaclipError, match="another output grid"):
        Manifest.open(tiles_folder(out), {**key, "grid": {"width": 41}})
