"""A distributed embedding, driven from the client: :func:`embed_distributed`.

The run: check the outputs here (never an input, never a file of the user's), hold their
locks, connect (:mod:`.scheduler`), ask one worker for the plan (the precision and batch
size a single run would choose, checked on sample patches of the whole grid, and the grid),
cut the grid into tiles (:mod:`.tiles`), open the tile folder's manifest (:mod:`.manifest`:
tiles of another model or grid are refused; finished tiles whose checksum matches are
skipped), submit one task per tile left (:mod:`.worker`), record each tile as it comes back,
report tiles, patches/s and the time left, then put the tiles together (:mod:`.mosaic`):
one COG at ``out`` (the tile folder removed), or with ``keep_tiles`` a VRT over the kept
tiles. A worker lost mid-tile has its task run again elsewhere by Dask (the tile resumes from
the blocks the lost one finished); a stop (``progress`` cancelled, Ctrl-C) keeps the finished
tiles, and the same call continues from them.

The tile folder is ``OUT.tiles`` beside ``out``: tiles, ``manifest.json`` and the tiles'
resume states (``.state``). It must be on a file system every worker sees under the same
path, like the orthophoto (see README, "Scale out: Dask").
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BotaclipError, Cancelled
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, is_our_raster
from ..progress import SILENT, Progress
from .control import STOP_WAIT_S, eta_text, stop_tasks, task_error
from .manifest import MANIFEST_NAME, Manifest, manifest_key
from .scheduler import Connection, connect
from .tiles import DEFAULT_TILE_PATCHES, Tile, split_grid, tile_side_px

POLL_S = 0.5


@dataclass
class DistributedResult:
    """What :func:`embed_distributed` wrote and how fast."""

    out: Path                      # the COG, or the VRT with keep_tiles
    tiles_dir: Path | None         # kept tiles (keep_tiles), else None (removed)
    preview: Path | None
    shape: tuple                   # (bands, height, width)
    geotransform: tuple
    n_tiles: int
    tiles_computed: int            # by this run
    tiles_resumed: int             # found finished (manifest and checksum)
    n_patches: int                 # valid output pixels in the raster
    patches_computed: int          # by this run (blocks resumed inside a tile included)
    seconds: float                 # the whole call, cluster start included
    tiles_seconds: float           # from the first tile submitted to the last back
    task_seconds: float            # sum over tiles of the worker's time in the task
    loop_seconds: float            # sum over tiles of the engine's streaming phase
    patches_per_s: float           # patches_computed / tiles_seconds
    precision: str
    precision_check: dict
    batch_size: int | None         # None: each GPU worker chose its own
    dtype: str
    tile_px: int
    scheduler: str
    workers: int
    worker_pids: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("out", "tiles_dir", "preview"):
            d[k] = str(d[k]) if d[k] is not None else None
        d["shape"], d["geotransform"] = list(self.shape), list(self.geotransform)
        return d


def tiles_folder(out) -> Path:
    """The tile folder of ``out``: ``NAME.tiles`` beside it."""
    out = Path(out)
    return out.with_name(out.stem + ".tiles")


def embed_distributed(ortho, out, *, scheduler, keep_tiles: bool = False,
                      tile_patches: int = DEFAULT_TILE_PATCHES, preview=None,
                      resume: bool = True, overwrite: bool = False,
                      progress: Progress = SILENT, **settings) -> DistributedResult:
    """Embed ``ortho`` into ``out`` on the Dask cluster ``scheduler`` (``local[:N]``,
    ``tcp://HOST:PORT``, a scheduler file, or a connected ``distributed.Client``), tile by
    tile. ``settings``: those of :func:`backend.embed.embed_raster` (model or backbone,
    weights, band options, patch_m, stride_m, extent, mask, device, precision, batch_size,
    dtype, min_valid, workers, block_px); the result is the raster that function writes
    with the same settings. ``keep_tiles``: keep the tiles and write ``out`` with the
    suffix .vrt over them instead of one COG. ``tile_patches``: patches per tile (about).
    ``resume`` False recomputes every tile."""
    t0 = time.perf_counter()
    run = _Run.check(ortho, out, preview=preview, keep_tiles=keep_tiles,
                     overwrite=overwrite, progress=progress, settings=settings)
    tile_patches = int(tile_patches)
    tile_side_px(16, tile_patches)             # a bad --tile-patches is refused before work
    with hold_outputs(run.final, run.preview, what="embedding raster", progress=progress):
        run.claim_folder()
        device = settings.get("device") or "auto"
        with connect(scheduler, device=device, progress=progress) as conn:
            run.attach(conn)
            try:
                plan = run.plan()
            except BaseException:
                run.drop_new_folder()
                raise
            tiles, manifest = run.open_tiles(plan, tile_patches, resume)
            todo, done = run.todo(tiles, manifest)
            stats = run.compute(todo, manifest, n_total=len(tiles), n_done=len(done))
        return run.finish(plan, tiles, manifest, stats, t0)


@dataclass
class _Stats:
    computed: int = 0
    patches: int = 0
    task_seconds: float = 0.0
    loop_seconds: float = 0.0
    seconds: float = 0.0
    pids: set = field(default_factory=set)


class _Run:
    """The state of one distributed run, shared by its steps."""

    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.conn: Connection | None = None
        self.spec: dict = {}
        self.seen_warnings: set = set()

    # -- before any work

    @classmethod
    def check(cls, ortho, out, *, preview, keep_tiles, overwrite, progress, settings):
        """Paths made absolute (workers may run elsewhere), the outputs checked."""
        from ..embed.model import load_backbone_config

        unknown = set(settings) - set(_SETTINGS)
        if unknown:
            raise TypeError(f"embed_distributed() got unexpected settings {sorted(unknown)}")
        out = Path(out).expanduser().absolute()
        if out.suffix.lower() not in (".tif", ".tiff"):
            raise BotaclipError(f"The embedding raster {out} must be a GeoTIFF: give a name "
                                "ending in .tif.")
        final = out.with_suffix(".vrt") if keep_tiles else out
        preview = Path(preview).expanduser().absolute() if preview else None
        s = dict(settings)
        for k in ("model", "mask", "weights"):
            if s.get(k) and str(s[k]) != "none" and not str(s[k]).startswith("/vsi"):
                s[k] = str(Path(s[k]).expanduser().absolute())
        s["backbone_config"] = load_backbone_config(s.get("backbone_config"))
        ortho = str(ortho) if str(ortho).startswith("/vsi") else \
            str(Path(ortho).expanduser().absolute())
        inputs = input_files(ortho, s.get("mask"), s.get("model"), s.get("weights"))
        for path, what in ((final, "embedding raster"), (preview, "preview")):
            if path is not None:
                check_output(path, what=what, owned=is_our_raster, overwrite=overwrite,
                             inputs=inputs)
        return cls(ortho=ortho, out=out, final=final, preview=preview,
                   keep_tiles=keep_tiles, overwrite=overwrite, progress=progress,
                   settings=s, folder=tiles_folder(out))

    def claim_folder(self) -> None:
        """The tile folder: new, empty, or one of ours (it has a manifest)."""
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise BotaclipError(f"{folder} is a file: the tiles of {self.out} go into a "
                                "folder of that name. Move the file away or choose another "
                                "--out.")
        if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST_NAME).exists():
            raise BotaclipError(f"The folder {folder} (where the tiles of {self.out} go) "
                                "already exists and was not made by BotaCLIP, so it was left "
                                "untouched. Move it away or choose another --out.")
        self.new_folder = not folder.exists()

    def drop_new_folder(self) -> None:
        """Remove the tile folder this run created when it holds no tile yet (a run that
        failed before its first tile leaves nothing behind)."""
        if self.new_folder and not (self.folder / MANIFEST_NAME).exists():
            shutil.rmtree(self.folder, ignore_errors=True)

    def attach(self, conn: Connection) -> None:
        from distributed import Event

        self.conn = conn
        self.event = Event(f"botaclip-cancel-{uuid.uuid4().hex}", client=conn.client)
        s = self.settings
        self.spec = {**{k: s.get(k) for k in _SETTINGS}, "ortho": self.ortho,
                     "device": conn.device if conn.local else s.get("device") or "auto",
                     "precision": s.get("precision") or "auto",
                     "cancel_event": self.event.name, "torch_threads": conn.threads,
                     "workers_per_host": conn.workers_per_host()}
        self.n_workers = len(conn.workers())
        self.progress.info(f"Running on {conn.description} ({self.n_workers} worker(s)); "
                           f"tiles in {self.folder}.")

    # -- the plan and the tiles

    def _wait(self, futures: list, what: str):
        """Wait for ``futures`` (all of them) while watching for a stop."""
        from distributed import wait

        while True:
            self._check_cancel(futures)
            try:
                wait(futures, timeout=POLL_S)
                results = [f.result() for f in futures]
            except TimeoutError:
                continue
            except Exception as exc:
                raise task_error(exc, what, _KILLED_FIX) from None
            for f in futures:      # a result held on a worker that dies would be recomputed
                f.release()
            return results

    def plan(self) -> dict:
        from .worker import plan_task

        self.folder.mkdir(parents=True, exist_ok=True)
        self.progress.report(0.01, "Planning the tiles")
        tag = uuid.uuid4().hex[:8]
        fut = self.conn.client.submit(plan_task, self.spec, str(self.folder / ".plan.tif"),
                                      str(self.folder / f".plan-{tag}"), pure=False)
        plan = self._wait([fut], "the plan")[0]
        self._warn(plan.get("warnings"))
        return plan

    def open_tiles(self, plan: dict, tile_patches: int, resume: bool) -> tuple:
        grid = plan["grid"]
        block = int(plan["block_px"])
        tile_px = tile_side_px(block, tile_patches)
        tiles = split_grid(grid["width"], grid["height"], block, tile_patches)
        bs = self.settings.get("batch_size") or (
            plan["batch_size"] if not plan["device"].startswith("cuda") else None)
        readers = self.settings.get("workers")
        if readers is None:
            readers = (plan.get("calibration") or {}).get("workers")
        self.tile_settings = {"precision": plan["precision"], "batch_size": bs,
                              "workers": readers}
        self.tile_px = tile_px
        manifest = Manifest.open(self.folder, manifest_key(plan, tile_px=tile_px,
                                                           batch_size=bs))
        if not resume and manifest.tiles:
            manifest.tiles = {}
            shutil.rmtree(self.folder / ".state", ignore_errors=True)
            manifest.save()
        return tiles, manifest

    def todo(self, tiles: list, manifest: Manifest) -> tuple:
        """(tiles to compute, {name: record} of the finished ones)."""
        done = manifest.finished([t.name for t in tiles])
        manifest.save()
        todo = [t for t in tiles if t.name not in done]
        if done:
            self.progress.info(f"{len(done)} of {len(tiles)} tiles are already done (their "
                               "checksums match the manifest); computing the "
                               f"{len(todo)} left.")
        return todo, done

    # -- the tiles

    def compute(self, todo: list, manifest: Manifest, *, n_total: int, n_done: int) -> _Stats:
        """Submit every tile left and record each as it comes back."""
        from distributed import wait

        from .worker import tile_task

        stats = _Stats()
        total_px = sum(t.pixels for t in todo) or 1
        t_start, px_done = time.perf_counter(), 0
        futures = {self.conn.client.submit(
            tile_task, self.spec, tile.window, str(self.folder / tile.name), self.tile_settings,
            key=f"botaclip-{tile.name}-{self.event.name[-8:]}", pure=False, retries=1): tile
            for tile in todo}
        pending = set(futures)
        while pending:
            self._check_cancel(list(pending))
            try:
                finished = wait(list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                continue
            for fut in finished:
                pending.discard(fut)
                tile = futures.pop(fut)
                try:
                    res = fut.result()
                except Exception as exc:
                    self._stop(list(pending))
                    raise task_error(exc, f"the tile {tile.name}", _KILLED_FIX) from None
                # released at once: Dask would compute a finished tile again if the worker
                # holding its (small) result died while the client still held the future
                fut.release()
                self._record(manifest, tile, res, stats)
                px_done += tile.pixels
            stats.seconds = time.perf_counter() - t_start
            n = n_done + stats.computed
            rate = stats.patches / stats.seconds if stats.seconds > 0 else 0.0
            self.progress.sub(0.05, 0.9).report(
                px_done / total_px, f"Tiles: {n} of {n_total}, {rate:.1f} patches/s"
                + eta_text(px_done, total_px - px_done, stats.seconds))
        return stats

    def _record(self, manifest: Manifest, tile: Tile, res: dict, stats: _Stats) -> None:
        manifest.record(tile.name, window=tile.window, sha256=res["sha256"],
                        size=res["bytes"], n_patches=res["patches"])
        stats.computed += 1
        stats.patches += res["patches"] - res.get("patches_resumed", 0)
        stats.task_seconds += res["seconds"]
        stats.loop_seconds += res["loop_seconds"]
        stats.pids.add((res["worker"], res["pid"]))
        self._warn(res.get("warnings"))

    def _check_cancel(self, pending: list) -> None:
        if self.progress.is_cancelled():
            self._stop(pending)
            raise Cancelled(f"Stopped. The finished tiles are kept in {self.folder}: run the "
                            "same command again to continue where it stopped.")

    def _stop(self, pending: list) -> None:
        """Tell running tiles to stop (they keep their finished blocks), drop the rest, and
        wait (a few seconds at most) until no worker runs one: a run started again at once
        then finds every tile's lock released (:mod:`.control`)."""
        if not stop_tasks(self.conn.client, self.event, pending, self.event.name):
            self.progress.warn("Some tiles were still stopping on the workers after "
                               f"{STOP_WAIT_S:g} s; a run started again at once may find "
                               "them busy for a moment.")

    def _warn(self, messages) -> None:
        for m in messages or ():
            if m not in self.seen_warnings:
                self.seen_warnings.add(m)
                self.progress.warn(m)

    # -- the end

    def finish(self, plan: dict, tiles: list, manifest: Manifest, stats: _Stats,
               t0: float) -> DistributedResult:
        from .mosaic import run_tags, write_kept_vrt, write_single_cog, write_vrt

        grid = plan["grid"]
        total = grid["width"] * grid["height"]
        n_patches = sum(int(manifest.tiles[t.name]["patches"]) for t in tiles)
        if n_patches == 0:
            shutil.rmtree(self.folder, ignore_errors=True)
            min_valid = self.settings.get("min_valid")
            min_valid = 0.5 if min_valid is None else float(min_valid)
            raise BotaclipError(
                f"No patch of {self.ortho} has at least {100 * min_valid:.0f} % valid pixels"
                " (--min-valid), so the embedding would be nodata everywhere "
                "and was not written. Look at the orthophoto in QGIS, or lower --min-valid.")
        paths = [self.folder / t.name for t in tiles]
        tiling = {"tiles": len(tiles), "tile_px": self.tile_px, "scheduler":
                  self.conn.description}
        tags = run_tags(paths[0], n_patches=n_patches, total=total,
                        precision_check=plan["precision_check"],
                        calibration=plan.get("calibration"), tiling=tiling)
        dtype = self.settings.get("dtype") or "float16"
        if self.keep_tiles:
            write_kept_vrt(paths, self.final, tags, dtype=dtype, overwrite=self.overwrite)
            src = self.final
        else:
            src = self.folder / "mosaic.vrt"
            write_vrt(paths, src, tags, dtype=dtype)
            write_single_cog(src, self.final, overwrite=self.overwrite,
                             progress=self.progress, start=0.9,
                             end=0.96 if self.preview else 1.0)
        if self.preview is not None:
            self._write_preview(src, plan, tags)
        if not self.keep_tiles:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.progress.report(1.0, "Embedding written")
        return self._result(plan, tiles, stats, n_patches, t0)

    def _write_preview(self, src: Path, plan: dict, tags: dict) -> None:
        from osgeo import gdal

        from ..embed.grid import Grid
        from ..embed.preview import write_preview
        from ..io.atomic import atomic_output

        g = plan["grid"]
        grid = Grid(col0=g["col0"], row0=g["row0"], step=g["step"], width=g["width"],
                    height=g["height"])
        ds = gdal.Open(str(src))
        srs_wkt, D = ds.GetProjection(), ds.RasterCount
        ds = None
        with atomic_output(self.preview, owned=is_our_raster, overwrite=self.overwrite,
                           what="preview") as tmp:
            write_preview(src, self.folder / ".preview-work.tif", tmp, grid, srs_wkt, D,
                          self.progress.sub(0.96, 1.0), tags)

    def _result(self, plan, tiles, stats: _Stats, n_patches: int, t0: float):
        g = plan["grid"]
        return DistributedResult(
            out=self.final, tiles_dir=self.folder if self.keep_tiles else None,
            preview=self.preview, shape=(plan["dim"], g["height"], g["width"]),
            geotransform=tuple(g["geotransform"]), n_tiles=len(tiles),
            tiles_computed=stats.computed, tiles_resumed=len(tiles) - stats.computed,
            n_patches=n_patches, patches_computed=stats.patches,
            seconds=time.perf_counter() - t0, tiles_seconds=stats.seconds,
            task_seconds=stats.task_seconds, loop_seconds=stats.loop_seconds,
            patches_per_s=stats.patches / stats.seconds if stats.seconds > 0 else 0.0,
            precision=plan["precision"], precision_check=plan["precision_check"],
            batch_size=self.tile_settings["batch_size"],
            dtype=self.settings.get("dtype") or "float16", tile_px=self.tile_px,
            scheduler=self.conn.description, workers=self.n_workers,
            worker_pids=sorted(p for _, p in stats.pids))


_KILLED_FIX = ("The usual cause is memory: give the workers more (dask worker --memory-limit, "
              "or the batch job's memory) or lower --batch-size. The finished tiles are "
              "kept: run the same command again to continue.")
_SETTINGS = ("model", "backbone", "weights", "sensor", "wavelengths", "backbone_config",
             "patch_m", "stride_m", "extent", "mask", "device", "precision", "batch_size",
             "dtype", "min_valid", "workers", "block_px", "calibrate")
