"""The embedding engine: :func:`embed_raster` checks the inputs and plans the grid, finds or
starts the resume state, streams the blocks through the model, then writes the tags, the COG
and the preview. Each step is a short function; :class:`_Job` carries what they share."""

from __future__ import annotations

import datetime as _dt
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from osgeo import gdal

from ..cache_keys import raster_identity
from ..errors import BotaclipError, Cancelled
from ..io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from ..io.atomic import atomic_output
from ..io.lock import hold_outputs
from ..io.outputs import check_output, input_files, is_our_raster, recorded_name
from ..io.raster import check_complete, check_patch_size, raster_info
from ..progress import SILENT, Progress
from .cog import block_is_empty, create_temp, embedding_tags, write_cog, write_tags
from .grid import Grid, intersect, is_empty, parse_extent, plan_grid
from .mask import AreaMask
from .model import EmbedModel, resolve_model
from .preview import write_preview
from .reader import PatchProducer, choose_union
from .state import STATE_FORMAT, EmbedState, check_disk, default_state_dir, state_key
from .stream import BlockWriter, StreamStats, stream_blocks
from .tuning import check_calibrate, resumed_calibration, tune

DTYPES = ("float16", "float32")
DEFAULT_BLOCK_PX = 32       # output block (temporary tile, unit of resume) in pixels


@dataclass
class EmbedResult:
    """What :func:`embed_raster` wrote and how fast."""

    out: Path
    preview: Path | None
    shape: tuple                   # (bands, height, width)
    geotransform: tuple
    crs: str                       # label, e.g. EPSG:2154
    n_patches: int                 # patches computed (valid output pixels)
    n_nodata: int                  # output pixels left nodata
    seconds: float                 # the whole call
    loop_seconds: float            # reading + model + writing (the streaming phase)
    loop_cpu_seconds: float        # CPU time of the process (all threads) in that phase
    forward_seconds: float         # model time on the compute thread
    patches_per_s: float           # n_patches / seconds (this run's share when resumed)
    precision: str
    precision_check: dict
    batch_size: int
    workers: int
    dtype: str
    blocks: int
    blocks_resumed: int            # blocks found done by an earlier, interrupted run
    patches_resumed: int
    state_dir: Path
    union: int                     # patches per side read as one window (1: one read each)
    tags: dict = field(default_factory=dict)
    calibration: dict = field(default_factory=dict)   # batch size and readers: how chosen

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("out", "preview", "state_dir"):
            d[k] = str(d[k]) if d[k] is not None else None
        d["shape"] = list(self.shape)
        d["geotransform"] = list(self.geotransform)
        return d


@dataclass
class _Job:
    """The checked inputs and settings of one embedding, shared by its steps."""

    ortho: object
    out: Path
    preview: Path | None
    info: object                   # RasterInfo of the orthophoto
    model: EmbedModel
    grid: Grid
    dtype: str
    precision: str
    batch_size: int | None
    workers: int | None
    resume: bool
    union: int
    step_px: int
    stride: float
    extent: tuple | None
    area_mask: AreaMask | None
    min_valid: float
    block_px: int
    progress: Progress
    t_start: float
    keep: list | None
    blocks: list                   # (id, c0, r0, w, h) of every output block, by id
    overwrite: bool = False        # replace a raster at out/preview that is not ours
    window: tuple | None = None    # (c0, r0, w, h) of the full grid: a tile (distributed)
    plan: dict | None = None       # filled with the chosen settings instead of running
    calibrate: str = "auto"        # measure batch size and readers: auto, always, never
    cache_root: Path | None = None  # the cache folder (resume states, calibration)
    tuning: object = None          # the run's Calibration (embed/tuning)


def embed_raster(ortho, out, *, model=None, backbone: str | None = None, weights=None,
                 sensor: str | None = None, wavelengths=None, backbone_config=None,
                 patch_m: float | None = None, stride_m: float | None = None, extent=None,
                 mask=None, preview=None, device: str = "auto", precision: str = "auto",
                 batch_size: int | None = None, dtype: str = "float16",
                 min_valid: float = 0.5, workers: int | None = None, resume: bool = True,
                 cache_dir=None, block_px: int | None = None, overwrite: bool = False,
                 calibrate: str = "auto",
                 progress: Progress = SILENT, _keep_inputs: list | None = None,
                 _window: tuple | None = None, _cache: dict | None = None,
                 _plan: dict | None = None) -> EmbedResult | None:
    """Embed ``ortho`` into the COG ``out`` (the grid: :mod:`.grid`; validity and streaming:
    :mod:`.reader`; resume: :mod:`.state`; output: :mod:`.cog`).

    ``model``: a bundle folder (backbone + adapter; its patch size and bands are used), or
    ``backbone`` (dofa-small|base|large, timm:NAME, spectral) with ``weights`` (a path or
    "none"), ``sensor``/``wavelengths`` (the band options) and ``backbone_config`` (a DOFA
    config dict or JSON, for tiny test models). ``patch_m`` (default 100 m, or the bundle's);
    ``stride_m`` (default ``patch_m / 2``); ``extent`` (xmin, ymin, xmax, ymax in the raster's
    CRS); ``mask`` (polygon layer, reprojected); ``preview`` (path of the RGB preview);
    ``batch_size`` None adapts to the device and free memory; ``workers`` reader threads
    (default 2 to 4 by CPU count; 0 reads on the calling thread between forward passes,
    which can do as well on a CPU whose cores the model already fills); ``block_px`` output
    block size (16, 32 or 64; default 32). ``out`` and ``preview`` are checked before any
    work: not an input (the orthophoto and its side-cars, the mask, the model), not a
    raster of the user's unless ``overwrite`` (ours, known by its tags, are replaced).
    ``calibrate``: batch size and reader threads measured at the start of a large run and
    cached per machine, model and precision ("auto"), at every start ("always") or never
    (the memory rule; :mod:`.calibrate`).
    ``_keep_inputs`` (benchmarks): a list that receives every prepared batch.
    Hooks of :mod:`backend.distributed` (tiles on Dask workers): ``_window`` (c0, r0, w, h),
    cells of the full grid with c0, r0 on block edges: only that window is computed and
    written, with the same patch centres, blocks and batches as the whole run (a tile may be
    all nodata); ``_cache`` a dict holding the resolved model under "model" (a worker
    resolves it once); ``_plan`` a dict filled with the settings a run would choose
    (precision, batch size, grid, state key) and None returned, nothing computed.
    """
    t_start = time.perf_counter()
    out, preview = _check_outputs(out, preview, input_files(ortho, mask, model, weights),
                                  overwrite)
    dtype, precision, min_valid, block_px = _check_settings(
        dtype=dtype, precision=precision, min_valid=min_valid, batch_size=batch_size,
        workers=workers, block_px=block_px)
    extent = parse_extent(extent)
    info = _projected_raster_info(ortho)
    from ..models.backbones import resolve_device

    dev = resolve_device(device)
    emb_model = (_cache or {}).get("model") or resolve_model(
        info, model=model, backbone=backbone, weights=weights, sensor=sensor,
        wavelengths=wavelengths, backbone_config=backbone_config, patch_m=patch_m,
        device=dev, progress=progress)
    if _cache is not None:
        _cache["model"] = emb_model
    for note in emb_model.notes:
        progress.info(note)
    stride, step = _stride(emb_model, stride_m, info, min_valid)
    area, area_mask = _area(ortho, info, extent, mask, progress)
    grid = plan_grid(tuple(area), step)
    if _window is not None:
        grid = _window_grid(grid, _window, block_px)
    union, step_px = choose_union(emb_model, step, info.linear_unit_m, block_px)
    job = _Job(ortho=ortho, out=out, preview=preview, info=info, model=emb_model, grid=grid,
               dtype=dtype, precision=precision, batch_size=batch_size, workers=workers,
               resume=resume, union=union, step_px=step_px, stride=stride, extent=extent,
               area_mask=area_mask, min_valid=min_valid, block_px=block_px,
               progress=progress, t_start=t_start, keep=_keep_inputs,
               blocks=_blocks(grid, block_px), overwrite=overwrite, window=_window,
               plan=_plan, calibrate=check_calibrate(calibrate))
    state = _state(job, cache_dir, dev.type)
    # another run writing the same raster (whatever its settings) is refused here, before work
    with hold_outputs(out, preview, what="embedding raster", progress=progress):
        state.acquire()
        try:
            return _run(job, state)
        finally:
            state.release()


# ------------------------------------------------------------------------------ checks

def _check_outputs(out, preview, inputs: list, overwrite: bool) -> tuple:
    """(out, preview or None) as paths, both GeoTIFF names, not the same file, neither one
    of the ``inputs`` nor a raster of the user's (unless ``overwrite``), in folders that
    accept files. Free space is checked once the size is known (:func:`_check_free_disk`)."""
    out = Path(out)
    if out.suffix.lower() not in (".tif", ".tiff"):
        raise BotaclipError(f"The embedding raster {out} must be a GeoTIFF: give a name ending "
                            "in .tif.")
    preview = Path(preview) if preview else None
    if preview is not None and preview.suffix.lower() not in (".tif", ".tiff"):
        raise BotaclipError(f"The preview {preview} must be a GeoTIFF: give a name ending in "
                            ".tif.")
    if preview is not None and preview.resolve() == out.resolve():
        raise BotaclipError("The preview and the embedding raster must be different files.")
    check_output(out, what="embedding raster", owned=is_our_raster, overwrite=overwrite,
                 inputs=inputs)
    if preview is not None:
        check_output(preview, what="preview", owned=is_our_raster, overwrite=overwrite,
                     inputs=inputs)
    return out, preview


def _check_settings(*, dtype, precision, min_valid, batch_size, workers, block_px) -> tuple:
    """(dtype, precision, min_valid, block_px) checked and normalised; batch_size and workers
    checked."""
    from ..models.backbones import PRECISIONS

    dtype = str(dtype).lower()
    if dtype not in DTYPES:
        raise BotaclipError(f"Unknown output type {dtype!r}: use float16 (half the size, "
                            "about 3 significant digits) or float32.")
    precision = (precision or "auto").lower()
    if precision not in PRECISIONS:
        raise BotaclipError(f"Unknown precision {precision!r}: use auto, float32 or bfloat16.")
    try:
        min_valid = float(min_valid)
    except (TypeError, ValueError):
        min_valid = math.nan
    if not 0.0 <= min_valid <= 1.0:
        raise BotaclipError(f"--min-valid must be a fraction between 0 and 1 (got {min_valid}).")
    if batch_size is not None and int(batch_size) < 1:
        raise BotaclipError(f"The batch size (--batch-size, patches per forward pass) must be "
                            f"at least 1, not {batch_size}; leave it out to let BotaCLIP "
                            "choose from the device and its free memory.")
    if workers is not None and int(workers) < 0:
        raise BotaclipError(f"The number of reader threads (--workers) must be 0 (read on the "
                            f"compute thread) or more, not {workers}.")
    block_px = int(block_px or DEFAULT_BLOCK_PX)
    if block_px not in (16, 32, 64):
        raise BotaclipError(f"block_px must be 16, 32 or 64 (got {block_px}).")
    return dtype, precision, min_valid, block_px


def _projected_raster_info(ortho):
    """The orthophoto's header; a GeoTIFF cut short or a CRS in degrees is refused."""
    info = raster_info(ortho)
    check_complete(info)
    if info.is_geographic:
        raise BotaclipError(
            f"{ortho} is in a geographic CRS ({info.crs_label}, degrees): patches and strides "
            "in metres need a projected CRS. Reproject it first, e.g. gdalwarp -t_srs "
            "EPSG:2154 (QGIS: Raster > Projections > Warp).")
    return info


def _stride(model: EmbedModel, stride_m, info, min_valid: float) -> tuple[float, float]:
    """(stride in metres, in map units), checked against the patch and the raster's pixels;
    the patch checked too: not under a pixel, not so large that every patch is nodata."""
    unit = info.linear_unit_m
    check_patch_size(info, model.patch_m, min_valid=min_valid)
    stride = model.patch_m / 2.0 if stride_m is None else float(stride_m)
    if not (math.isfinite(stride) and stride > 0):
        raise BotaclipError(f"--stride-m must be a positive number of metres (got {stride_m}).")
    step = stride / unit                            # map units
    if step < 0.5 * max(info.pixel_size):
        raise BotaclipError(
            f"A stride of {stride:g} m is finer than the orthophoto's pixels "
            f"({info.pixel_size[0] * unit:g} m); give a stride of at least one pixel.")
    return stride, step


def _area(ortho, info, extent, mask, progress: Progress) -> tuple:
    """(the area to embed: the raster's bounds cut to the extent and the mask's envelope,
    the mask or None)."""
    area = list(info.bounds)
    if extent is not None:
        area = intersect(area, extent)
        if is_empty(area):
            xmin, ymin, xmax, ymax = info.bounds
            raise BotaclipError(
                f"The extent ({', '.join(f'{v:.2f}' for v in extent)}) does not overlap the "
                f"orthophoto {ortho} ({xmin:.2f}, {ymin:.2f}, {xmax:.2f}, {ymax:.2f}, "
                f"{info.crs_label}). Give the extent in the orthophoto's CRS, as "
                "xmin,ymin,xmax,ymax.")
    if mask is None:
        return area, None
    area_mask = AreaMask(mask, info.srs_wkt)
    area_mask.path = recorded_name(mask, area_mask.path)   # the user's layer, not a copy
    if area_mask.note:
        progress.warn(area_mask.note)
    area = intersect(area, area_mask.envelope)
    if is_empty(area):
        raise BotaclipError(f"The mask {mask} does not overlap the orthophoto {ortho}"
                            + (" within the extent" if extent else "")
                            + f" (after reprojection to {info.crs_label}).")
    return area, area_mask


# ------------------------------------------------------------------------------ state

def _state(job: _Job, cache_dir, device_type: str) -> EmbedState:
    """The resume state of these inputs and settings (not yet locked)."""
    cache_root = Path(cache_dir).expanduser() if cache_dir else default_state_dir()
    job.cache_root = cache_root
    model = job.model
    key_desc = {
        "format": STATE_FORMAT, "raster": raster_identity(job.ortho), "model": model.identity,
        "patch_m": model.patch_m, "patch_px": model.patch_px, "bands": model.bands,
        "resampling": model.resampling, "stride_m": job.stride, "grid": job.grid.to_dict(),
        "extent": job.extent, "mask": job.area_mask.identity if job.area_mask else None,
        "min_valid": job.min_valid, "dtype": job.dtype, "precision": job.precision,
        "block_px": job.block_px, "device": device_type,
    }
    return EmbedState(cache_root / state_key(key_desc)[:32], key_desc)


def _blocks(grid: Grid, block_px: int) -> list:
    """(id, c0, r0, w, h) of the output blocks, row by row."""
    W, H = grid.width, grid.height
    nb_c, nb_r = -(-W // block_px), -(-H // block_px)
    return [(r * nb_c + c, c * block_px, r * block_px,
             min(block_px, W - c * block_px), min(block_px, H - r * block_px))
            for r in range(nb_r) for c in range(nb_c)]


def _window_grid(grid: Grid, window, block_px: int) -> Grid:
    """The part (c0, r0, w, h) of ``grid``, whose blocks are blocks of ``grid``."""
    c0, r0, w, h = (int(v) for v in window)
    if (c0 % block_px or r0 % block_px or w < 1 or h < 1 or c0 + w > grid.width
            or r0 + h > grid.height):
        raise BotaclipError(f"Internal error: the window {tuple(window)} is not made of "
                            f"whole {block_px}-pixel blocks of the {grid.width} x "
                            f"{grid.height} grid.")
    return Grid(col0=grid.col0 + c0, row0=grid.row0 - r0, step=grid.step, width=w, height=h)


def _saved_state(state: EmbedState, resume: bool) -> dict | None:
    """The state an interrupted run left (with ``resume``), else None after clearing it."""
    if not resume and state.folder.exists():
        state.forget()
    data = None
    if resume and state.exists():
        try:
            data = state.load()
        except (OSError, ValueError):
            data = None
    if data is None:
        state.forget()
    return data


def _check_free_disk(job: _Job, state: EmbedState) -> None:
    """Enough free space for what is left to write: the state's GeoTIFF, the COG, the
    preview."""
    W, H, D = job.grid.width, job.grid.height, job.model.dim
    raw = W * H * D * (2 if job.dtype == "float16" else 4)
    have = state.tif.stat().st_size if state.tif.exists() else 0
    preview = job.preview
    needs = {state.folder: max(0, raw - have) + (W * H * 3 if preview else 0),
             job.out.parent if str(job.out.parent) else Path("."): int(raw * 1.4)}
    if preview is not None:
        folder = preview.parent if str(preview.parent) else Path(".")
        needs[folder] = needs.get(folder, 0) + W * H * 3 * 2
    check_disk(needs)


def _resume(job: _Job, state: EmbedState, data: dict) -> int:
    """Pin the precision of the interrupted run; its batch size."""
    bb = job.model.backbone
    bb.precision = data["precision"]
    bb.precision_check = dict(data.get("precision_check") or {})
    bs = int(data["batch_size"])
    if job.batch_size is not None and int(job.batch_size) != bs:
        job.progress.info(f"Resuming with the batch size of the interrupted run ({bs}, not "
                          f"{job.batch_size}), so that the values are the same as one run's.")
    job.progress.info(f"Resuming the embedding from {state.folder}.")
    job.tuning = resumed_calibration(data, bs)
    return bs


def _start(job: _Job, state: EmbedState) -> int:
    """Choose the precision, the batch size and the reader threads (:mod:`.tuning`), create
    the state's GeoTIFF and save the state; the batch size."""
    model, bb = job.model, job.model.backbone
    job.tuning = tune(job, job.blocks, job.calibrate)
    bs = job.tuning.batch_size
    data = {"format": STATE_FORMAT, "precision": bb.precision,
            "precision_check": bb.precision_check, "batch_size": bs,
            "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "output": str(job.out), "blocks": len(job.blocks), "block_px": job.block_px,
            "calibration": job.tuning.record()}
    create_temp(state.tif, job.grid.width, job.grid.height, model.dim, job.dtype,
                job.grid.geotransform, job.info.srs_wkt, job.block_px)
    state.done_path.write_text("", encoding="ascii")
    state.save(data)
    return bs


def _blocks_done(state: EmbedState, tds, blocks: list) -> dict:
    """{block id: patches} of the blocks an earlier run finished. A block marked done but
    absent from the GeoTIFF (a crash between the two) is left out, to be redone."""
    done = state.done()
    for uid, n in list(done.items()):
        if n > 0:
            _, c0, r0, w, h = blocks[uid]
            if block_is_empty(tds, c0, r0, w, h):
                done.pop(uid)
    return done


def _n_workers(workers, todo: list) -> int:
    if workers is None:
        n_workers = max(2, min(4, (os.cpu_count() or 2) // 2))
    else:
        n_workers = int(workers)
    if n_workers > 0:
        n_workers = max(1, min(n_workers, len(todo) or 1))
    return n_workers


# ------------------------------------------------------------------------------ the run

def _run(job: _Job, state: EmbedState) -> EmbedResult:
    """Resume or start, stream the blocks left, then finish; state locked, GDAL cache set."""
    data = _saved_state(state, job.resume)
    _check_free_disk(job, state)
    bs = _resume(job, state, data) if data is not None else _start(job, state)
    if job.plan is not None:        # distributed planning: the settings, no work
        job.plan.update(grid=job.grid, batch_size=bs, key=state.key_desc, model=job.model,
                        block_px=job.block_px, calibration=job.tuning.record(),
                        precision_check=job.model.backbone.precision_check)
        return None
    tds = gdal.Open(str(state.tif), gdal.GA_Update)
    done = _blocks_done(state, tds, job.blocks)
    todo = [block for block in job.blocks if block[0] not in done]
    n_workers = _n_workers(job.workers if job.workers is not None else job.tuning.workers,
                           todo)
    _say_plan(job, bs, n_workers, len(job.blocks) - len(todo) if done else None)
    prod = PatchProducer(ortho=job.ortho, model=job.model, grid=job.grid, blocks=todo,
                         min_valid=job.min_valid, batch_size=bs, union=job.union,
                         step_px=job.step_px, mask=job.area_mask, n_workers=n_workers,
                         queue_size=2 * n_workers + 2, bounds=job.info.bounds,
                         unit_m=job.info.linear_unit_m)
    px_start = sum(job.blocks[uid][3] * job.blocks[uid][4] for uid in done)
    patches_resumed = int(sum(done.values()))
    with open(state.done_path, "a", encoding="ascii") as done_fh:
        writer = BlockWriter(tds, state, done_fh, job.blocks, job.model.dim, job.dtype, px_start)
        stats = stream_blocks(prod, job.model, writer, n_workers=n_workers,
                              total_px=job.grid.width * job.grid.height,
                              patches_resumed=patches_resumed, progress=job.progress,
                              keep=job.keep)
        n_written = writer.n_written
    writer = None
    if stats.cancelled:
        tds = None
        job.progress.info(f"Stopped. {len(state.done())} of {len(job.blocks)} blocks are "
                          f"kept in {state.folder}; run the same command again to continue.")
        raise Cancelled("Cancelled by the user; no output was written. The finished blocks "
                        "are kept: run the same embedding again to continue where it stopped.")
    if n_written != len(todo):
        raise BotaclipError(f"Internal error: {len(todo) - n_written} output block(s) were "
                            "not finished by the reader threads. Run the same command again "
                            "to complete them.")
    if patches_resumed + stats.n_computed == 0 and job.window is None:
        tds = None
        state.clear()
        raise _all_nodata(job)
    tags = _tag(job, tds, bs, patches_resumed + stats.n_computed)
    tds = None                  # closed before the COG is made from it
    _write_outputs(job, state, tags)
    state.clear()
    return _result(job, state, tags, stats, bs=bs, n_workers=n_workers,
                   blocks_resumed=len(job.blocks) - len(todo), patches_resumed=patches_resumed)


def _all_nodata(job: _Job) -> BotaclipError:
    """The error for a run in which no patch had enough valid pixels: its output would be
    nodata everywhere, so it is not written (an all-nodata raster with a success would
    pass for a result)."""
    nodata = [v for v in job.info.nodata if v is not None]
    why = (f"its nodata value ({nodata[0]:g}) or mask hides every pixel" if nodata else
           "its mask or alpha band hides every pixel" if job.info.has_mask else
           "its valid pixels are too few")
    where = " within the extent or mask given" if job.extent or job.area_mask else ""
    return BotaclipError(
        f"No patch of {job.info.path}{where} has at least {100 * job.min_valid:.0f} % valid "
        f"pixels (--min-valid), so the embedding would be nodata everywhere and was not "
        f"written. Perhaps {why}: look at the orthophoto in QGIS, or lower --min-valid.")


def _say_plan(job: _Job, bs: int, n_workers: int, n_resumed_blocks: int | None) -> None:
    """The one line of information that says what this run will do."""
    model, W, H = job.model, job.grid.width, job.grid.height
    job.progress.info(
        f"Embedding {job.info.path}: {W} x {H} output pixels of {job.stride:g} m ({W * H} "
        f"patches of {model.patch_m:g} m at {model.patch_px} px), {model.dim} bands "
        f"{job.dtype}, batch {bs}, {model.backbone.precision}, "
        + (f"{n_workers} reader thread(s)" if n_workers else "reading on the compute thread")
        + (f", {job.union} x {job.union} patches per read" if job.union > 1 else "")
        + (f"; {n_resumed_blocks} of {len(job.blocks)} blocks already done"
           if n_resumed_blocks is not None else "")
        + ".")


def _tag(job: _Job, tds, bs: int, n_computed: int) -> dict:
    """The tags and band descriptions written on the state's GeoTIFF; the tags."""
    from ..bundle import software_versions

    tags = embedding_tags(
        ortho=job.ortho, model=job.model, grid=job.grid, stride=job.stride, extent=job.extent,
        area_mask=job.area_mask, min_valid=job.min_valid, dtype=job.dtype,
        software=software_versions(),
        created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        n_computed=n_computed, total=job.grid.width * job.grid.height, info=job.info,
        batch_size=bs)
    tags["BOTACLIP_CALIBRATION"] = job.tuning.record()
    if job.window is not None:
        tags["BOTACLIP_WINDOW"] = {"window": list(job.window), "of": "the full grid's cells"}
    write_tags(tds, tags, job.model.dim)
    tds.FlushCache()
    return tags


def _result(job: _Job, state: EmbedState, tags: dict, stats: StreamStats, *, bs: int,
            n_workers: int, blocks_resumed: int, patches_resumed: int) -> EmbedResult:
    seconds = time.perf_counter() - job.t_start
    job.progress.report(1.0, "Embedding written")
    bb, grid = job.model.backbone, job.grid
    total_px = grid.width * grid.height
    n_patches = patches_resumed + stats.n_computed
    return EmbedResult(
        out=job.out, preview=job.preview, shape=(job.model.dim, grid.height, grid.width),
        geotransform=grid.geotransform, crs=job.info.crs_label, n_patches=n_patches,
        n_nodata=total_px - n_patches, seconds=seconds, loop_seconds=stats.loop_seconds,
        loop_cpu_seconds=stats.loop_cpu_seconds, forward_seconds=stats.forward_seconds,
        patches_per_s=stats.n_computed / seconds if seconds > 0 else 0.0,
        precision=bb.precision, precision_check=dict(bb.precision_check), batch_size=bs,
        workers=n_workers, dtype=job.dtype, blocks=len(job.blocks),
        blocks_resumed=blocks_resumed, patches_resumed=patches_resumed,
        state_dir=state.folder, union=job.union, tags=tags,
        calibration=job.tuning.record())


def _write_outputs(job: _Job, state: EmbedState, tags: dict) -> None:
    """The COG from the state's GeoTIFF, then the preview, each under a temporary name."""
    D, W, H = job.model.dim, job.grid.width, job.grid.height
    # 128 px tiles for many bands (a tile of 768 half floats is 24 MB) and small outputs
    cog_block = 256 if D <= 64 and max(W, H) > 512 else 128
    if job.window is not None:     # a tile: its blocks, not half-empty (padded) COG blocks
        cog_block = job.block_px
    with atomic_output(job.out, owned=is_our_raster, overwrite=job.overwrite,
                       what="embedding raster") as tmp_out:
        write_cog(state.tif, tmp_out, block=cog_block, predictor=True, resampling="AVERAGE",
                  progress=job.progress, start=0.9, end=0.96 if job.preview else 1.0,
                  message="Writing the cloud-optimised GeoTIFF")
        if job.preview is not None:
            with atomic_output(job.preview, owned=is_our_raster, overwrite=job.overwrite,
                               what="preview") as tmp_prev:
                write_preview(state.tif, state.folder / "preview.tif", tmp_prev, job.grid,
                              job.info.srs_wkt, D, job.progress.sub(0.96, 1.0), tags)
