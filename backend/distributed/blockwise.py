"""Block-wise maps on a Dask cluster, tile by tile: ``botaclip predict | apply | similarity |
habitats --scheduler``.

A map stage (prediction, similarity, habitat clusters) computes its output one block of
``block_px`` pixels at a time from the embedding raster (:mod:`backend.maps.predict_raster`).
:func:`map_tiles` runs that same computation on a Dask cluster: the raster's grid is cut into
tiles of whole blocks (:mod:`.tiles`), so that a tile holds exactly the blocks, pixels and
model calls of the single-process run; one task per tile opens the embedding raster (a path
every worker reads: a COG, or the ``OUT.vrt`` an embedding run keeps over its tiles),
computes the tile's window block by block with the stage's own function and writes a tile
GeoTIFF, under a temporary name renamed when complete, into a temporary folder beside the
output. The client then copies the tiles into the stage's temporary GeoTIFF, the one the
single-process run streams into, and the stage finishes it as it always does (overviews,
tags, the COG moved in place): the map is the one a run without ``--scheduler`` writes.

What each tile applies (a fitted scikit-learn model, unit query vectors, k-means centres) is
sent to every worker once (``client.scatter``), not with each tile. The stage's tile function
is a module-level function: only its name travels, and this package imports no stage (the
stages import it, lazily, when ``--scheduler`` is given). Each tile returns its statistics
(pixel counts, a similarity histogram...) for the stage to merge.

A stop (``progress`` cancelled) or a failed tile stops the tiles still running, waits for
them to end (:func:`.control.stop_tasks`) and removes the tile folder: nothing is left
behind, and an existing output is only ever replaced by the stage's final atomic move. The
folder has a temporary output name (:func:`backend.io.atomic.temp_sibling`), so that what a
killed run left is removed by the next run that holds the output's lock.

Tile size: whole blocks, about :data:`DEFAULT_TILE_PIXELS` pixels, fewer on a small raster
so that every worker gets :data:`TILES_PER_WORKER` tiles or more (a map's block costs
milliseconds to a second, so a tile's own cost (a task, a small GeoTIFF, a copy) stays small
at a million pixels, while a worker that finishes early still finds work).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from osgeo import gdal

from ..errors import BotaclipError, Cancelled
from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..io.atomic import temp_sibling
from ..progress import SILENT, Progress
from .control import STOP_WAIT_S, eta_text, stop_tasks, task_error, task_running
from .tiles import Tile, tiles_of_side

DEFAULT_TILE_PIXELS = 1 << 20       # 4 x 4 blocks of 256 pixels
TILES_PER_WORKER = 4
POLL_S = 0.25
_KILLED_FIX = ("The usual cause is memory: give the workers more (dask worker --memory-limit, "
               "or the batch job's memory). Nothing was written; run the command again.")


@dataclass(frozen=True)
class TileJob:
    """What every tile runs: ``fn(embeddings, tile_path, window, block_px, payload,
    progress) -> dict`` writes the tile's window (c0, r0, w, h) of the map into the GeoTIFF
    ``tile_path`` and returns its statistics; ``payload`` is what it applies, sent to each
    worker once; ``what`` names the map in messages ("prediction map")."""

    fn: Callable
    payload: object
    what: str


def map_tiles(embeddings, out, work_tif, job: TileJob, *, scheduler, block_px: int,
              tile_pixels: int | None = None, progress: Progress = SILENT) -> list:
    """Compute the map of ``job`` over the embedding raster ``embeddings`` tile by tile on the
    Dask cluster ``scheduler`` (``local[:N]``, ``tcp://HOST:PORT``, a scheduler file, or a
    connected ``distributed.Client``) and copy the tiles into ``work_tif`` (the stage's
    temporary GeoTIFF, of the raster's size, already created). Returns each tile's
    statistics, in tile order (row by row). ``out`` is the map's final path: the tile folder
    goes beside it. ``tile_pixels``: about this many pixels per tile (whole blocks; default:
    see the module docstring)."""
    from .scheduler import connect

    path = worker_path(embeddings)
    width, height = _size(path)
    folder = temp_sibling(Path(out).expanduser().absolute())
    try:
        with connect(scheduler, device="cpu", progress=progress) as conn:
            run = _Run(conn, job, path, folder, block_px, progress)
            side = tile_side(width, height, block_px, tile_pixels, len(conn.workers()))
            tiles = tiles_of_side(width, height, side)
            folder.mkdir()
            results = run.compute(tiles)
        paste_tiles(folder, tiles, work_tif, progress.sub(0.95, 1.0))
        return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def connected(scheduler, progress: Progress = SILENT):
    """A ``distributed.Client`` of ``scheduler`` for the block (a local cluster started and
    shut down again), for a stage that connects before a long step (a fit) and maps later:
    :func:`map_tiles` given this client uses it as it is."""
    from .scheduler import connect

    with connect(scheduler, device="cpu", progress=progress) as conn:
        yield conn.client


def worker_path(path) -> str:
    """``path`` as the workers must be given it: absolute (they may run elsewhere, in another
    folder); GDAL's virtual paths (/vsi...) as they are."""
    p = str(path)
    return p if p.startswith("/vsi") else str(Path(p).expanduser().absolute())


def _size(path: str) -> tuple[int, int]:
    from ..io.raster import open_raster

    ds = open_raster(path)
    try:
        return ds.RasterXSize, ds.RasterYSize
    finally:
        ds = None


def tile_side(width: int, height: int, block_px: int, tile_pixels: int | None,
              n_workers: int) -> int:
    """The side of a tile in pixels: whole blocks (at least one) whose square is closest to
    ``tile_pixels``; by default :data:`DEFAULT_TILE_PIXELS`, or less so that each of the
    ``n_workers`` gets :data:`TILES_PER_WORKER` tiles."""
    if tile_pixels is None:
        share = width * height / max(1, TILES_PER_WORKER * n_workers)
        tile_pixels = min(DEFAULT_TILE_PIXELS, share)
    elif isinstance(tile_pixels, bool) or not float(tile_pixels) >= 1:
        raise BotaclipError(f"The tile size must be a positive number of pixels, not "
                            f"{tile_pixels!r} (a tile is a square of whole blocks of "
                            f"{block_px} pixels).")
    return max(1, round(math.sqrt(float(tile_pixels)) / block_px)) * block_px


class _Run:
    """One run's connection, cancel event and the payload scattered to the workers."""

    def __init__(self, conn, job: TileJob, path: str, folder: Path, block_px: int,
                 progress: Progress):
        from distributed import Event

        self.conn, self.job, self.path, self.folder = conn, job, path, folder
        self.block_px, self.progress = int(block_px), progress
        self.run_id = f"botaclip-map-{uuid.uuid4().hex}"
        self.event = Event(self.run_id, client=conn.client)
        # the threads of each worker's BLAS: the local layout's, else its host's share
        self.spec = {"torch_threads": conn.threads, "workers_per_host": conn.workers_per_host()}
        progress.info(f"Computing the {job.what} on {conn.description} "
                      f"({len(conn.workers())} worker(s)), tile by tile.")

    def compute(self, tiles: list) -> list:
        """Submit every tile, watch for a stop, report tiles and the time left; each tile's
        result, in tile order."""
        from distributed import wait

        client = self.conn.client
        payload = client.scatter([self.job.payload], broadcast=True, hash=False)[0]
        futures = {client.submit(
            map_tile_task, self.job.fn, self.path, str(self.folder / t.name), t.window,
            self.block_px, payload, self.run_id, self.spec,
            key=f"{self.run_id}-{t.name}", pure=False, retries=1): i
            for i, t in enumerate(tiles)}
        results: list = [None] * len(tiles)
        total = sum(t.pixels for t in tiles) or 1
        done_px, t0 = 0, time.perf_counter()
        pending = set(futures)
        try:
            while pending:
                self._check_cancel(pending)
                try:
                    finished = wait(list(pending), timeout=POLL_S,
                                    return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    continue
                for fut in finished:
                    pending.discard(fut)
                    i = futures[fut]
                    results[i] = self._result(fut, tiles[i], pending)
                    done_px += tiles[i].pixels
                self._report(len(tiles) - len(pending), len(tiles), done_px, total, t0)
        finally:
            with contextlib.suppress(Exception):
                payload.release()
        return [r["stats"] for r in results]

    def _result(self, fut, tile: Tile, pending: set) -> dict:
        try:
            res = fut.result()
        except Exception as exc:
            self._stop(pending)
            raise task_error(exc, f"the tile {tile.name} of the {self.job.what}",
                             _KILLED_FIX) from None
        fut.release()
        return res

    def _report(self, n: int, n_total: int, done_px: int, total: int, t0: float) -> None:
        elapsed = time.perf_counter() - t0
        rate = done_px / elapsed if elapsed > 0 else 0.0
        self.progress.sub(0.02, 0.95).report(
            done_px / total, f"Tiles: {n} of {n_total}, {rate:,.0f} pixels/s"
            + eta_text(done_px, total - done_px, elapsed))

    def _check_cancel(self, pending: set) -> None:
        if self.progress.is_cancelled():
            self._stop(pending)
            raise Cancelled()

    def _stop(self, pending: set) -> None:
        if not stop_tasks(self.conn.client, self.event, pending, self.run_id):
            self.progress.warn(f"Some tiles of the {self.job.what} were still stopping on "
                               f"the workers after {STOP_WAIT_S:g} s.")


# ------------------------------------------------------------------------------ on a worker

def map_tile_task(fn, embeddings: str, tile_path: str, window: tuple, block_px: int,
                  payload, run_id: str, spec: dict) -> dict:
    """One tile, on a worker: ``fn`` writes it under a temporary name in the tile folder,
    renamed to ``tile_path`` when complete. Its statistics, the seconds and the worker."""
    from .worker import WorkerProgress, torch_threads, worker_address

    t0 = time.perf_counter()
    tile_path = Path(tile_path)
    _check_shared(tile_path.parent, embeddings, worker_address())
    progress = WorkerProgress(run_id)
    tmp = temp_sibling(tile_path)
    with task_running(run_id, progress), _threads(torch_threads(spec)):
        try:
            stats = fn(embeddings, tmp, tuple(window), int(block_px), payload, progress)
            os.replace(tmp, tile_path)
        finally:
            for p in (tmp, tmp.with_name(tmp.name + ".aux.xml")):
                with contextlib.suppress(OSError):
                    p.unlink()
    return {"stats": stats, "seconds": time.perf_counter() - t0, "worker": worker_address(),
            "pid": os.getpid()}


def _check_shared(folder: Path, embeddings: str, worker: str) -> None:
    """A clear error when this worker does not see the tile folder or the embedding raster."""
    from .worker import unshared_output

    if not folder.is_dir():
        raise unshared_output(f"the folder {folder} beside the output")
    if not embeddings.startswith("/vsi") and not Path(embeddings).exists():
        raise BotaclipError(
            f"The Dask worker {worker} does not see the embedding raster {embeddings}: it "
            "must be on a file system that the client and every worker share, under the "
            "same path.")


@contextlib.contextmanager
def _threads(n: int):
    """The worker's BLAS and OpenMP threads for the tile (Dask starts workers with one)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=max(1, int(n))):
        yield


# ------------------------------------------------------------------------------ the copy

def paste_tiles(folder: Path, tiles: list, dst_path, progress: Progress = SILENT) -> None:
    """Copy each tile of ``folder`` into its window of the GeoTIFF ``dst_path``, block by
    block as the tile stores them; blocks a sparse tile never wrote stay unwritten (they
    read as nodata in both). The tile's cached blocks go with it once copied."""
    from ..embed.cog import block_is_empty

    dst = gdal.Open(str(dst_path), gdal.GA_Update)
    try:
        for i, tile in enumerate(tiles):
            progress.check()
            src = gdal.Open(str(folder / tile.name))
            bw, bh = src.GetRasterBand(1).GetBlockSize()
            for r in range(0, tile.h, bh):
                for c in range(0, tile.w, bw):
                    w, h = min(bw, tile.w - c), min(bh, tile.h - r)
                    if block_is_empty(src, c, r, w, h):
                        continue
                    dst.WriteRaster(tile.c0 + c, tile.r0 + r, w, h,
                                    src.ReadRaster(c, r, w, h))
            src = None
            dst.FlushCache()
            progress.report((i + 1) / len(tiles), "Putting the tiles together")
    finally:
        dst = None
