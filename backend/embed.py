"""The embedding engine: a whole orthophoto streamed through the model into a cloud-optimised
embedding raster (one band per dimension), in flat memory, resumable.

Grid (map units of the raster's CRS; patch and stride are given in metres and converted with
the CRS's linear unit). The output pixel size is the stride ``S``. Pixel edges lie on the
multiples of ``S`` in the raster's CRS, so the centre of global column ``k`` is
``x = (k + 0.5) * S`` and of global row ``j`` (counted northwards) ``y = (j + 0.5) * S``.
Each output pixel is the embedding of the patch of ``patch_m`` metres centred on the pixel's
centre: for output column ``c`` and row ``r`` (geotransform ``(x0, S, 0, y0, 0, -S)``) the
patch centre is ``(x0 + (c + 0.5) S, y0 - (r + 0.5) S)``. The output covers every such centre
that lies inside the raster's bounds (and the ``extent``, and the envelope of the ``mask``):
``k`` runs from ``ceil(xmin / S - 0.5)`` to ``floor(xmax / S - 0.5)``, likewise for ``j``.
Anchoring on the CRS rather than on the raster's corner means outputs of neighbouring
orthophotos, of different extents or of a re-run line up pixel for pixel (a 50 m stride in
Lambert-93 gives pixel edges on the 50 m national grid). Default stride: half the patch, so
every point of the ground is seen by four patches and the map is twice as fine as the patch;
that is also BD ORTHO's 100 m / 50 m setting.

Validity. A patch is computed when its fraction of valid pixels (as
:meth:`PatchReader.read` counts it, at full patch resolution) is at least ``min_valid`` (and
above zero); other pixels, and pixels whose centre is outside the ``mask`` polygons, are
nodata (NaN). A cheap mask preview first skips patches more than 0.15 below the threshold
without reading them.

Streaming. The output is cut into blocks of ``block_px`` x ``block_px`` pixels (the tiles of
a temporary GeoTIFF and the unit of resume). Worker threads, each with its own
:class:`PatchReader`, read a block's patches, resample them and prepare them
(:meth:`Backbone.prepare`: normalise, resize) into batches that feed a bounded queue, while
the calling thread only runs the model (:meth:`Backbone.forward_prepared`, then the bundle's
adapter) and writes each block as soon as its last batch is done. When the stride is a whole
number of patch pixels and patches overlap, neighbouring patches are read as one window of
up to 8 x 8 patches and cut from it (the pixels are the same: GDAL samples the same source
positions), which reads each source pixel once instead of up to four times. Memory holds a
few blocks and a few batches, whatever the raster size; the GDAL block cache is capped at
:data:`GDAL_CACHE_MB` during the run.

Resume. Finished blocks are written to ``embedding.tif`` in a state folder of the cache
(``cache_dir``, default ``$BOTACLIP_CACHE_DIR/embed``, else ``~/.cache/botaclip/embed``),
named by a hash of the inputs and settings, with ``done.txt`` listing finished blocks and
``state.json`` pinning the precision and batch size chosen by the first run (batch
composition changes the last bits of a forward pass), so a cancelled, interrupted or killed
run continues where it stopped and gives the same values. Nothing is written beside the
output until the end: the COG is made from the state's GeoTIFF under a temporary name and
renamed when complete; then the state folder is removed.

Output. A COG (GDAL's COG driver: tiled, ZSTD or DEFLATE with the floating-point predictor,
average overviews), float16 (GDAL's half-float GeoTIFF: Float32 with ``NBITS=16``) or float32,
nodata NaN, band descriptions ``emb_000``..., and metadata tags (``BOTACLIP_*``: the bundle's
sha256 or the backbone's name, weights sha256 and random-weights flag; the precision and its
check; the input; the settings; software versions; creation time). The optional preview is
the first three principal components (fitted on a sample of output pixels) as an 8-bit RGB
COG, nodata 0.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import math
import os
import queue
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr

from . import __version__
from .errors import BotaclipError, Cancelled
from .io import gdalutil  # noqa: F401  (turns GDAL exceptions on)
from .io.atomic import atomic_output
from .io.gdalutil import srs_from_wkt, srs_label
from .io.raster import PatchReader, raster_info
from .progress import SILENT, Progress

__all__ = ["embed_raster", "EmbedResult", "Grid", "plan_grid", "auto_batch_size",
           "default_state_dir", "parse_extent", "read_embedding_tags", "DTYPES"]

STATE_FORMAT = 1
DEFAULT_PATCH_M = 100.0
DTYPES = ("float16", "float32")
FLOAT16_MAX = 65504.0
GDAL_CACHE_MB = 64          # GDAL block cache during a run: enough for the read-ahead windows
DEFAULT_BLOCK_PX = 32       # output block (temporary tile, unit of resume) in pixels
MAX_UNION = 8               # at most 8 x 8 overlapping patches read as one window
UNION_BYTES = 24 << 20      # ... and at most this much per window
PRECHECK_MARGIN = 0.15
_DISK_MARGIN = 32 << 20
_PREVIEW_SAMPLE = 16384


# ------------------------------------------------------------------------------ results

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

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("out", "preview", "state_dir"):
            d[k] = str(d[k]) if d[k] is not None else None
        d["shape"] = list(self.shape)
        d["geotransform"] = list(self.geotransform)
        return d


# ------------------------------------------------------------------------------ grid

@dataclass(frozen=True)
class Grid:
    """The output grid: pixel edges on multiples of ``step`` (map units), see module doc."""

    col0: int          # global column index of output column 0
    row0: int          # global row index (northwards) of output row 0 (the northern row)
    step: float
    width: int
    height: int

    @property
    def x0(self) -> float:
        return self.col0 * self.step

    @property
    def y0(self) -> float:
        return (self.row0 + 1) * self.step

    @property
    def geotransform(self) -> tuple:
        return (self.x0, self.step, 0.0, self.y0, 0.0, -self.step)

    def cx(self, col) -> float:
        """x of the centre of output column ``col`` (= the patch centre)."""
        return (self.col0 + col + 0.5) * self.step

    def cy(self, row) -> float:
        return (self.row0 - row + 0.5) * self.step

    def to_dict(self) -> dict:
        return {"col0": self.col0, "row0": self.row0, "step": self.step, "width": self.width,
                "height": self.height, "geotransform": list(self.geotransform)}


def plan_grid(area: tuple, step: float) -> Grid:
    """The grid of pixels of size ``step`` whose centres lie in ``area`` (xmin, ymin, xmax,
    ymax); edges on multiples of ``step``. Raises when no centre falls inside."""
    xmin, ymin, xmax, ymax = (float(v) for v in area)
    eps = 1e-9
    k0 = math.ceil(xmin / step - 0.5 - eps)
    k1 = math.floor(xmax / step - 0.5 + eps)
    j0 = math.ceil(ymin / step - 0.5 - eps)
    j1 = math.floor(ymax / step - 0.5 + eps)
    if k1 < k0 or j1 < j0:
        raise BotaclipError(
            f"The area to embed ({xmin:.2f}, {ymin:.2f}, {xmax:.2f}, {ymax:.2f}) holds no patch "
            f"centre on a {step:g}-unit grid: it is smaller than the stride. Give a larger "
            "extent or a smaller --stride-m.")
    return Grid(col0=k0, row0=j1, step=float(step), width=k1 - k0 + 1, height=j1 - j0 + 1)


def parse_extent(extent) -> tuple | None:
    """(xmin, ymin, xmax, ymax) from a 4-sequence or 'xmin,ymin,xmax,ymax' text."""
    if extent is None or (isinstance(extent, str) and not extent.strip()):
        return None
    items = extent.replace(";", ",").split(",") if isinstance(extent, str) else list(extent)
    try:
        vals = tuple(float(v) for v in items)
    except (TypeError, ValueError):
        vals = ()
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise BotaclipError(f"Cannot read the extent {extent!r}: give four numbers "
                            "xmin,ymin,xmax,ymax in the orthophoto's CRS, e.g. "
                            "--extent 950000,6450000,950400,6450400.")
    if vals[0] >= vals[2] or vals[1] >= vals[3]:
        raise BotaclipError(f"The extent {extent!r} is empty or inverted: it must be written "
                            "xmin,ymin,xmax,ymax with xmin < xmax and ymin < ymax.")
    return vals


# ------------------------------------------------------------------------------ polygon mask

class _AreaMask:
    """Polygons (any OGR layer) reprojected to the raster's CRS. Output pixels whose centre
    lies outside every polygon are not computed. Rasterising needs one OGR layer per thread:
    :meth:`rasterizer` makes a thread's own."""

    def __init__(self, path, raster_srs_wkt: str):
        from .io.releves import split_source

        p, source_opts = split_source(path)      # QGIS sources: 'file.gpkg|layername=x'
        layer_name = source_opts.get("layername")
        if not p.startswith("/vsi") and not Path(p).exists():
            raise BotaclipError(f"The mask layer {p} does not exist. Check the path.")
        try:
            ds = ogr.Open(p)
        except RuntimeError as exc:
            raise BotaclipError(f"OGR cannot read the mask {p} as a vector layer "
                                f"({str(exc).strip()}). Give polygons in a GeoPackage, "
                                "shapefile or GeoJSON.") from exc
        if ds is None or ds.GetLayerCount() == 0:
            raise BotaclipError(f"The mask {p} has no vector layer; give a polygon layer.")
        layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
        if layer is None:
            raise BotaclipError(f"The mask {p} has no layer named {layer_name!r}.")
        dst = srs_from_wkt(raster_srs_wkt)
        src = layer.GetSpatialRef()
        ct = None
        if src is None:
            self.note = (f"the mask {p} has no CRS; its coordinates are taken to be in the "
                         f"orthophoto's ({srs_label(raster_srs_wkt)})")
        else:
            src = src.Clone()
            src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            self.note = ""
            if not src.IsSame(dst):
                ct = osr.CoordinateTransformation(src, dst)
        self.wkbs: list[bytes] = []
        env = [math.inf, math.inf, -math.inf, -math.inf]
        for feat in layer:
            g = feat.GetGeometryRef()
            if g is None:
                continue
            if ogr.GT_Flatten(g.GetGeometryType()) not in (ogr.wkbPolygon, ogr.wkbMultiPolygon,
                                                           ogr.wkbCurvePolygon,
                                                           ogr.wkbMultiSurface):
                continue
            g = g.Clone()
            if ct is not None:
                try:
                    g.Transform(ct)
                except RuntimeError as exc:
                    raise BotaclipError(f"A polygon of the mask {p} cannot be reprojected to "
                                        f"the orthophoto's CRS ({srs_label(raster_srs_wkt)}): "
                                        f"{str(exc).strip()}.") from exc
            e = g.GetEnvelope()  # minx, maxx, miny, maxy
            env = [min(env[0], e[0]), min(env[1], e[2]), max(env[2], e[1]), max(env[3], e[3])]
            self.wkbs.append(bytes(g.ExportToWkb()))
        if not self.wkbs:
            raise BotaclipError(f"The mask {p} holds no polygon: give a polygon layer (areas "
                                "to embed), not points or lines.")
        self.envelope = tuple(env)
        self.path = p
        self.srs_wkt = raster_srs_wkt
        st = os.stat(p) if Path(p).exists() else None
        self.identity = {"path": str(Path(p).resolve()) if st else p, "layer": layer_name,
                         "size": st.st_size if st else None,
                         "mtime_ns": st.st_mtime_ns if st else None}

    def rasterizer(self):
        """A function (grid, col, row, w, h) -> bool [h, w], for one thread."""
        drv = ogr.GetDriverByName("Memory")
        ds = drv.CreateDataSource("")
        srs = srs_from_wkt(self.srs_wkt)
        lyr = ds.CreateLayer("mask", srs, ogr.wkbUnknown)
        for w in self.wkbs:
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetGeometry(ogr.CreateGeometryFromWkb(w))
            lyr.CreateFeature(f)
        mem = gdal.GetDriverByName("MEM")

        def rasterize(grid: Grid, col: int, row: int, w: int, h: int) -> np.ndarray:
            r = mem.Create("", w, h, 1, gdal.GDT_Byte)
            r.SetGeoTransform((grid.x0 + col * grid.step, grid.step, 0.0,
                               grid.y0 - row * grid.step, 0.0, -grid.step))
            gdal.RasterizeLayer(r, [1], lyr, burn_values=[1])
            out = r.GetRasterBand(1).ReadAsArray() > 0
            _ = ds   # keep the layer's data source alive with the closure
            return out

        return rasterize


# ------------------------------------------------------------------------------ model

@dataclass
class _Model:
    backbone: object
    bundle: object | None
    patch_m: float
    patch_px: int
    bands: list
    resampling: str
    dim: int
    identity: dict          # what identifies the model (state key, tags)
    notes: list = field(default_factory=list)


def _load_backbone_config(cfg):
    if cfg is None or isinstance(cfg, dict):
        return cfg
    text = str(cfg).strip()
    if not text:
        return None
    p = Path(text)
    if not text.startswith("{") and p.exists():
        text = p.read_text(encoding="utf-8")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BotaclipError(f"Cannot read the backbone config {cfg!r} as JSON ({exc}); give "
                            "a JSON object or a .json file, e.g. '{\"img_size\": 32, "
                            "\"patch_size\": 8, \"embed_dim\": 32, \"depth\": 1, "
                            "\"num_heads\": 2, \"dynamic_embed_dim\": 32}'.") from exc
    if not isinstance(value, dict):
        raise BotaclipError(f"The backbone config {cfg!r} must be a JSON object.")
    return value


def _resolve_model(info, *, model, backbone, weights, sensor, wavelengths, backbone_config,
                   patch_m, device, progress) -> _Model:
    from .io.presets import resolve_bands
    from .models.backbones import Normalization, backbone_from_reference, build_backbone

    if (model is None) == (backbone is None):
        raise BotaclipError("Give either a trained model bundle (--model MODEL_DIR) or a "
                            "backbone (--backbone NAME --weights PATH|none), not "
                            + ("both." if model is not None else "neither."))
    if model is not None:
        from .bundle import load_bundle

        bundle = load_bundle(model)
        cfg = bundle.config
        ref = cfg.get("backbone")
        if not isinstance(ref, dict) or "name" not in ref or "wavelengths" not in ref:
            raise BotaclipError(f"The bundle {bundle.path} does not record its backbone "
                                "(config.json 'backbone' with name and wavelengths); it was "
                                "not written by `botaclip train`. Train it again.")
        try:
            b_patch_m = float(cfg["patch_m"])
        except (KeyError, TypeError, ValueError):
            raise BotaclipError(f"The bundle {bundle.path} does not record its patch size "
                                "(config.json 'patch_m'). Train it again.") from None
        if patch_m is not None and abs(float(patch_m) - b_patch_m) > 1e-6 * b_patch_m:
            raise BotaclipError(
                f"The model {bundle.path} was trained on patches of {b_patch_m:g} m; embedding "
                f"with --patch-m {float(patch_m):g} would give embeddings it was not trained "
                "for. Leave --patch-m out (the model's size is used).")
        bb = backbone_from_reference(ref, weights=weights, device=device, progress=progress)
        patch_px = int(cfg.get("patch_px") or bb.input_px)
        rec = cfg.get("bands")
        if isinstance(rec, dict):          # train.py: {"wavelengths_um", "names", "bands"...}
            rec = rec.get("bands")
        bands = [int(b) for b in (rec or info.spectral_bands)]
        bad = [b for b in bands if not 1 <= b <= info.count]
        n_model = (len(bb.wavelengths) if not bb.band_index
                   else max(bb.band_index) + 1)
        if bad or len(bands) < n_model or (not bb.band_index and len(bands) != n_model):
            raise BotaclipError(
                f"The model {bundle.path} reads {n_model} band(s) "
                f"({', '.join(f'{w:g}' for w in ref['wavelengths'])} µm; raster bands "
                f"{bands}) but {info.path} has {len(info.spectral_bands)} spectral band(s). "
                "Embed an orthophoto with the bands the model was trained on.")
        notes = []
        if sensor or wavelengths:
            spec = resolve_bands(info, sensor, wavelengths)
            mine = [float(w) for w in ref["wavelengths"]]
            theirs = spec.wavelengths_um if not bb.band_index else \
                [spec.wavelengths_um[i] for i in bb.band_index]
            if len(mine) != len(theirs) or any(abs(a - b) > 0.02 for a, b in zip(mine, theirs)):
                raise BotaclipError(
                    f"The model was trained on bands at {', '.join(f'{w:g}' for w in mine)} µm "
                    f"but --sensor/--wavelengths say {', '.join(f'{w:g}' for w in theirs)} µm. "
                    "Leave them out with --model (the model knows its bands) or embed a "
                    "matching orthophoto.")
        identity = {"kind": "bundle", "bundle_sha256": bundle.sha256,
                    "bundle_path": str(Path(bundle.path).resolve()),
                    "backbone": _ref_for_key(bb.reference())}
        resampling = (cfg.get("features") or {}).get("resampling") or cfg.get("resampling")
        return _Model(bb, bundle, b_patch_m, patch_px, bands, str(resampling or "bilinear"),
                      int(bundle.dim), identity, notes)

    spec = resolve_bands(info, sensor, wavelengths)
    if spec.normalization == "imagenet":
        norm = Normalization.imagenet()
    else:
        from .io.raster import sample_band_stats

        stats = sample_band_stats(info.path, bands=spec.bands, progress=progress.sub(0, 0.02))
        norm = Normalization.from_stats(stats)
    bb = build_backbone(backbone, weights, wavelengths=spec.wavelengths_um, normalization=norm,
                        device=device, progress=progress,
                        config=_load_backbone_config(backbone_config))
    pm = DEFAULT_PATCH_M if patch_m is None else float(patch_m)
    identity = {"kind": "backbone", "backbone": _ref_for_key(bb.reference())}
    return _Model(bb, None, pm, int(bb.input_px), list(spec.bands), "bilinear", int(bb.dim),
                  identity, list(spec.notes))


def _ref_for_key(ref: dict) -> dict:
    ref = dict(ref)
    if ref.get("weights_sha256"):
        ref.pop("weights_path", None)   # the same file elsewhere gives the same embeddings
    return ref


# ------------------------------------------------------------------------------ sizes

def _activation_bytes(backbone, channels: int) -> int:
    """Rough bytes of the widest activations of one patch in the forward pass."""
    px = int(backbone.input_px)
    cfg = backbone.config or {}
    if backbone.model is None:
        return channels * px * px * 4 * 4
    patch = int(cfg.get("patch_size", 16))
    tokens = (px // patch) ** 2 + 1
    dim = int(backbone.dim)
    heads = int(cfg.get("num_heads", max(1, dim // 64)))
    return tokens * (dim * 4 + heads * tokens) * 4 * 2


def auto_batch_size(backbone, channels: int, patch_px: int) -> int:
    """A batch size from the device and its free memory.

    CPU: batches whose widest activations stay around 64 MB (dofa-base 4, dofa-small 8,
    tiny models 256; on a 2-core CPU a ViT's throughput hardly changes from 1 to 32
    patches, while tiny models need large batches), never more than a quarter of the
    available memory. GPU: as large as half the free memory allows, up to 256."""
    import psutil

    act = max(1, _activation_bytes(backbone, channels))
    inp = (channels * patch_px * patch_px + len(backbone.wavelengths) * backbone.input_px ** 2) * 4
    per_patch = act + 4 * inp         # input, prepared copies in the queue, raw patches
    if backbone.device.type == "cuda":
        import torch

        free, _ = torch.cuda.mem_get_info(backbone.device)
        n = int(0.5 * free // per_patch)
        cap = 256
    else:
        avail = psutil.virtual_memory().available
        n = min(int(0.25 * avail // per_patch), int((64 << 20) // act))
        cap = 256 if backbone.model is not None else 64
    n = max(1, min(cap, n))
    return 1 << (n.bit_length() - 1)       # a power of two


def default_state_dir() -> Path:
    """``$BOTACLIP_CACHE_DIR/embed``, else ``~/.cache/botaclip/embed``."""
    env = os.environ.get("BOTACLIP_CACHE_DIR")
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "botaclip"
    return base / "embed"


def _human(n: float) -> str:
    return f"{n / 2**20:.1f} MB" if n < 2**30 else f"{n / 2**30:.2f} GB"


def _check_disk(needs: dict, progress: Progress) -> None:
    """``needs``: {folder: bytes}. Folders on one file system are added up."""
    by_dev: dict = {}
    for folder, n in needs.items():
        folder = Path(folder)
        probe = folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        try:
            dev = os.stat(probe).st_dev
            free = shutil.disk_usage(probe).free
        except OSError:
            continue
        entry = by_dev.setdefault(dev, {"free": free, "need": 0, "folders": []})
        entry["need"] += int(n)
        entry["folders"].append(f"{folder} ({_human(n)})")
    for entry in by_dev.values():
        need = entry["need"] + _DISK_MARGIN
        if entry["free"] < need:
            raise BotaclipError(
                f"Not enough free disk space: this embedding needs about {_human(need)} "
                f"({'; '.join(entry['folders'])}) and only {_human(entry['free'])} are free. "
                "Free some space, write to another disk (--out, --cache-dir), or make the "
                "output smaller: --dtype float16, a larger --stride-m, an --extent or a --mask.")


# ------------------------------------------------------------------------------ state

class _State:
    """The resume state of one embedding: ``state.json``, ``done.txt``, ``embedding.tif``."""

    def __init__(self, folder: Path, key_desc: dict):
        self.folder = folder
        self.key_desc = key_desc
        self.tif = folder / "embedding.tif"
        self.json = folder / "state.json"
        self.done_path = folder / "done.txt"
        self.lock = folder / "lock"
        self.data: dict = {}

    def exists(self) -> bool:
        return self.json.exists() and self.tif.exists()

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def acquire(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BotaclipError(f"Cannot create the embedding state folder {self.folder}: "
                                f"{exc.strerror or exc}. Choose another --cache-dir.") from exc
        for _ in range(2):
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                try:
                    pid = int(self.lock.read_text().strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and pid != os.getpid() and _pid_alive(pid):
                    raise BotaclipError(
                        f"Another embedding of the same orthophoto with the same settings is "
                        f"running (process {pid}, state {self.folder}). Wait for it, or stop "
                        "it first.") from None
                self.lock.unlink(missing_ok=True)   # left by a run that died
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            return

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.lock.unlink()

    def load(self) -> dict:
        self.data = json.loads(self.json.read_text(encoding="utf-8"))
        return self.data

    def save(self, data: dict) -> None:
        self.data = data
        tmp = self.json.with_name(f".state-{uuid.uuid4().hex[:8]}.json")
        tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, self.json)
        info = self.folder / "key.json"
        if not info.exists():
            info.write_text(json.dumps(self.key_desc, indent=1, default=str), encoding="utf-8")

    def done(self) -> dict:
        """{block id: patches computed} of finished blocks (a torn last line is ignored)."""
        out = {}
        if not self.done_path.exists():
            return out
        for line in self.done_path.read_text(encoding="ascii", errors="ignore").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == "ok":
                with contextlib.suppress(ValueError):
                    out[int(parts[0])] = int(parts[1])
        return out

    def mark(self, fh, uid: int, n: int) -> None:
        fh.write(f"{uid} {n} ok\n")
        fh.flush()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _state_key(desc: dict) -> str:
    text = json.dumps(desc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------ GDAL helpers

@contextlib.contextmanager
def _gdal_cache(limit_mb: int):
    """Cap GDAL's block cache (process-wide) for the run, so memory does not grow with the
    raster; restored afterwards."""
    old = gdal.GetCacheMax()
    limit = int(limit_mb) << 20
    if old > limit:
        gdal.SetCacheMax(limit)
    try:
        yield
    finally:
        if old > limit:
            gdal.SetCacheMax(old)


@contextlib.contextmanager
def _gdal_errors_collected():
    """GDAL errors as a list instead of exceptions, for one call; yields (messages, ok) where
    ok says whether exceptions could be turned off.

    GDAL 3.6 reports spurious "beyond range of float16" errors when it writes overviews of a
    half-float (NBITS=16) GeoTIFF: it converts the padding of partial edge blocks, which holds
    leftovers (the pixels and overviews written are right; the tests check them). The Python
    bindings would turn that into an exception with no message, so the caller collects the
    errors and ignores those. The bindings keep one error-handler stack for gdal, ogr and osr:
    exceptions are turned off in the reverse of the order :mod:`.io.gdalutil` turned them on
    (osr, ogr, gdal) and back on in that order."""
    msgs: list = []
    mods = [m for m in (osr, ogr, gdal) if m.GetUseExceptions()]
    off: list = []
    try:
        for mod in mods:
            mod.DontUseExceptions()
            off.append(mod)
    except RuntimeError:
        for mod in reversed(off):
            mod.UseExceptions()
        off = None
    if off is None:
        yield msgs, False
        return

    def handler(cls, no, msg):
        msgs.append((cls, no, msg))

    gdal.PushErrorHandler(handler)
    try:
        yield msgs, True
    finally:
        gdal.PopErrorHandler()
        for mod in reversed(off):
            mod.UseExceptions()


def _compression() -> str:
    opts = gdal.GetDriverByName("COG").GetMetadataItem("DMD_CREATIONOPTIONLIST") or ""
    return "ZSTD" if "ZSTD" in opts else "DEFLATE"


def _gdal_progress(progress: Progress, start: float, end: float, message: str):
    def cb(fraction, _msg, _data):
        progress.report(start + (end - start) * float(fraction), message)
        return 0 if progress.is_cancelled() else 1
    return cb


def _write_cog(src_path: Path, dst_path: Path, *, block: int, predictor: bool,
               resampling: str, progress: Progress, start: float, end: float,
               message: str) -> None:
    """COG copy of ``src_path`` at ``dst_path``; Cancelled when progress asks to stop."""
    opts = [f"COMPRESS={_compression()}", f"BLOCKSIZE={block}",
            f"OVERVIEW_RESAMPLING={resampling}", "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS"]
    if predictor:
        opts.append("PREDICTOR=YES")
    src = gdal.Open(str(src_path))
    half = (src.GetRasterBand(1).GetMetadataItem("NBITS", "IMAGE_STRUCTURE") == "16")
    cb = _gdal_progress(progress, start, end, message)
    with _gdal_errors_collected() as (msgs, collected):
        try:
            out = gdal.GetDriverByName("COG").CreateCopy(str(dst_path), src, options=opts,
                                                         callback=cb)
            ok = out is not None
            out = None
        except RuntimeError as exc:
            # exceptions could not be turned off: accept GDAL 3.6's message-less failure on
            # half floats only when the file it wrote opens with its overviews
            if progress.is_cancelled():
                raise Cancelled() from None
            ok = half and not str(exc).strip() and _opens_as_cog(dst_path, src)
            if not ok:
                msgs.append((gdal.CE_Failure, 0, str(exc).strip()))
    src = None
    if progress.is_cancelled():
        raise Cancelled()
    real = [m for m in msgs if m[0] >= gdal.CE_Failure and "beyond range of float16" not in m[2]]
    if not ok or real:
        text = "; ".join(m[2] for m in real) or "no message"
        raise BotaclipError(f"GDAL could not write the cloud-optimised GeoTIFF {dst_path} "
                            f"({text}). Check the free disk space and that the folder is "
                            "writable.")


def _opens_as_cog(path: Path, src) -> bool:
    try:
        ds = gdal.Open(str(path))
        md = ds.GetMetadata("IMAGE_STRUCTURE") or {}
        return (ds.RasterCount == src.RasterCount and ds.RasterXSize == src.RasterXSize
                and md.get("LAYOUT") == "COG")
    except RuntimeError:
        return False


def read_embedding_tags(path) -> dict:
    """The ``BOTACLIP_*`` metadata of an embedding raster, JSON values decoded."""
    ds = gdal.Open(str(path))
    md = ds.GetMetadata() or {}
    out = {}
    for k, v in md.items():
        if not k.startswith("BOTACLIP_"):
            continue
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


# ------------------------------------------------------------------------------ reading

class _Stop(Exception):
    pass


class _Producer:
    """Reads, resamples and prepares the patches of output blocks in worker threads."""

    def __init__(self, *, ortho, model: _Model, grid: Grid, blocks: list, min_valid: float,
                 batch_size: int, union: int, step_px: int, mask: _AreaMask | None,
                 n_workers: int, queue_size: int, bounds: tuple, unit_m: float):
        self.ortho = str(ortho)
        self.m = model
        self.grid = grid
        self.min_valid = float(min_valid)
        self.batch_size = int(batch_size)
        self.union = int(union)
        self.step_px = int(step_px)
        self.mask = mask
        self.todo: queue.Queue = queue.Queue()
        for b in blocks:
            self.todo.put(b)
        self.out: queue.Queue = queue.Queue(maxsize=max(2, queue_size))
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, name=f"botaclip-embed-read-{i}",
                                         daemon=True) for i in range(max(0, n_workers))]
        self.read_seconds = 0.0
        self._numpy_ok = None
        self._lock = threading.Lock()
        # the side of a union window (map units) and the raster's bounds
        self.union_size = (self.union - 1) * grid.step + model.patch_m / unit_m
        self.bounds = bounds

    def start(self):
        for t in self.threads:
            t.start()

    def shutdown(self):
        self.stop.set()
        while any(t.is_alive() for t in self.threads):
            with contextlib.suppress(queue.Empty):
                while True:
                    self.out.get_nowait()
            for t in self.threads:
                t.join(timeout=0.05)

    def _put(self, item):
        while True:
            if self.stop.is_set():
                raise _Stop()
            try:
                self.out.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self):
        try:
            reader, ureader, rasterize = self._readers()
            try:
                while not self.stop.is_set():
                    try:
                        block = self.todo.get_nowait()
                    except queue.Empty:
                        break
                    for item in self._block_items(block, reader, ureader, rasterize):
                        self._put(item)
            finally:
                reader.close()
                if ureader is not None:
                    ureader.close()
        except _Stop:
            pass
        except BaseException as exc:       # handed to the compute thread, which raises it
            with contextlib.suppress(_Stop):
                self._put(("error", exc))
        finally:
            with contextlib.suppress(_Stop):
                self._put(("worker-done",))

    def _prepare(self, raw: np.ndarray):
        """:meth:`Backbone.prepare` without torch on this thread when no resize is needed.

        Torch ops called from a reader thread start a second OpenMP team whose threads
        compete with the model's for the cores (measured: the forward pass runs up to 20 %
        slower). Normalising in numpy gives the same float32 values (one IEEE subtraction
        and division per value); the first batch checks that it is bit for bit what
        Backbone.prepare gives, else prepare is used throughout."""
        import torch

        bb = self.m.backbone
        if self._numpy_ok is False or bb.name == "spectral" or raw.shape[-1] != bb.input_px:
            return bb.prepare(raw)
        x = raw.astype(np.float32, copy=False)
        if bb.band_index is not None:
            x = x[:, bb.band_index]
        norm = bb.normalization
        if norm.kind != "none" and len(norm.mean) == x.shape[1]:
            mean = np.asarray(norm.mean, dtype=np.float32).reshape(1, -1, 1, 1)
            std = np.asarray(norm.std, dtype=np.float32).reshape(1, -1, 1, 1)
            x = (x - mean) / std
        elif norm.kind != "none":
            return bb.prepare(raw)          # let prepare raise its clear error
        t = torch.from_numpy(np.ascontiguousarray(x))
        if self._numpy_ok is None:
            with self._lock:
                if self._numpy_ok is None:
                    ref = bb.prepare(raw).cpu()
                    self._numpy_ok = bool(ref.shape == t.shape and torch.equal(ref, t))
            if not self._numpy_ok:
                return bb.prepare(raw)
        return t.to(bb.device) if bb.device.type != "cpu" else t

    def _precheck_skip(self, cheap: float) -> bool:
        if cheap <= 0.0:
            return True
        return cheap < self.min_valid - PRECHECK_MARGIN

    def _keep(self, fraction: float) -> bool:
        return fraction > 0.0 and fraction >= self.min_valid

    def _inside(self, xc: float, yc: float) -> bool:
        """Whether the union window centred on (xc, yc) lies inside the raster."""
        half = self.union_size / 2.0
        b = self.bounds
        return (xc - half >= b[0] and xc + half <= b[2] and yc - half >= b[1]
                and yc + half <= b[3])

    def _single(self, reader, col, row, r_in, c_in, rows, cols, data):
        x, y = self.grid.cx(col), self.grid.cy(row)
        if self._precheck_skip(reader.valid_fraction(x, y)):
            return
        p = reader.read(x, y)
        if self._keep(p.valid_fraction):
            rows.append(r_in)
            cols.append(c_in)
            data.append(p.data)

    def _block_items(self, block, reader, ureader, rasterize):
        """The items of one output block: ("batch", block id, rows, cols, prepared input)
        for each batch of its valid patches, then ("block", block id, number of batches)."""
        uid, c0, r0, w, h = block
        g, k, sp, pp = self.grid, self.union, self.step_px, self.m.patch_px
        t0 = time.perf_counter()
        want = np.ones((h, w), dtype=bool)
        if rasterize is not None:
            want &= rasterize(g, c0, r0, w, h)
        rows: list = []
        cols: list = []
        data: list = []
        n_batches = 0

        def batches(final=False):
            nonlocal rows, cols, data, n_batches, t0
            while len(data) >= self.batch_size or (final and data):
                n = min(self.batch_size, len(data))
                x = self._prepare(np.stack(data[:n]))
                item = ("batch", uid, np.asarray(rows[:n]), np.asarray(cols[:n]), x)
                rows, cols, data = rows[n:], cols[n:], data[n:]
                n_batches += 1
                self.read_seconds += time.perf_counter() - t0
                yield item
                t0 = time.perf_counter()

        for br in range(0, h, k):
            for bc in range(0, w, k):
                if self.stop.is_set():
                    raise _Stop()
                sub = want[br:br + k, bc:bc + k]
                if not sub.any():
                    continue
                if k == 1:
                    self._single(reader, c0 + bc, r0 + br, br, bc, rows, cols, data)
                else:
                    half = (k - 1) / 2.0 * g.step
                    xc, yc = g.cx(c0 + bc) + half, g.cy(r0 + br) - half
                    if not self._inside(xc, yc):
                        # across the raster's edge GDAL reads through a padded copy, whose
                        # values differ (by <= 0.5 DN for 8-bit) from a direct read: read
                        # these patches one by one, exactly as PatchReader.read does
                        for a in range(sub.shape[0]):
                            for b in range(sub.shape[1]):
                                if sub[a, b]:
                                    self._single(reader, c0 + bc + b, r0 + br + a, br + a,
                                                 bc + b, rows, cols, data)
                        yield from batches()
                        continue
                    upx = ureader.patch_px
                    cheap = ureader.valid_fraction(xc, yc, px=max(32, (8 * upx) // pp))
                    if cheap <= 0.0:
                        continue
                    u = ureader.read(xc, yc)
                    for a in range(sub.shape[0]):
                        for b in range(sub.shape[1]):
                            if not sub[a, b]:
                                continue
                            sl = (slice(a * sp, a * sp + pp), slice(b * sp, b * sp + pp))
                            if self._keep(float(u.valid[sl].mean())):
                                rows.append(br + a)
                                cols.append(bc + b)
                                data.append(u.data[(slice(None),) + sl])
                yield from batches()
        yield from batches(final=True)
        yield ("block", uid, n_batches)

    def _readers(self):
        m = self.m
        reader = PatchReader(self.ortho, m.patch_m, m.patch_px, m.resampling, m.bands)
        ureader = None
        if self.union > 1:
            ureader = PatchReader(self.ortho, self.union_size * reader.info.linear_unit_m,
                                  (self.union - 1) * self.step_px + m.patch_px, m.resampling,
                                  m.bands)
        rasterize = self.mask.rasterizer() if self.mask is not None else None
        return reader, ureader, rasterize

    def inline_items(self):
        """All items, read on the calling thread (``workers=0``)."""
        reader, ureader, rasterize = self._readers()
        try:
            while True:
                try:
                    block = self.todo.get_nowait()
                except queue.Empty:
                    break
                yield from self._block_items(block, reader, ureader, rasterize)
        finally:
            reader.close()
            if ureader is not None:
                ureader.close()


# ------------------------------------------------------------------------------ main

def embed_raster(ortho, out, *, model=None, backbone: str | None = None, weights=None,
                 sensor: str | None = None, wavelengths=None, backbone_config=None,
                 patch_m: float | None = None, stride_m: float | None = None, extent=None,
                 mask=None, preview=None, device: str = "auto", precision: str = "auto",
                 batch_size: int | None = None, dtype: str = "float16",
                 min_valid: float = 0.5, workers: int | None = None, resume: bool = True,
                 cache_dir=None, block_px: int | None = None,
                 progress: Progress = SILENT, _keep_inputs: list | None = None
                 ) -> EmbedResult:
    """Embed ``ortho`` into the COG ``out`` (see the module doc for the grid, streaming,
    resume and output).

    ``model``: a bundle folder (backbone + adapter; its patch size and bands are used), or
    ``backbone`` (dofa-small|base|large, timm:NAME, spectral) with ``weights`` (a path or
    "none"), ``sensor``/``wavelengths`` (the band options) and ``backbone_config`` (a DOFA
    config dict or JSON, for tiny test models). ``patch_m`` (default 100 m, or the bundle's);
    ``stride_m`` (default ``patch_m / 2``); ``extent`` (xmin, ymin, xmax, ymax in the raster's
    CRS); ``mask`` (polygon layer, reprojected); ``preview`` (path of the RGB preview);
    ``batch_size`` None adapts to the device and free memory; ``workers`` reader threads
    (default 2 to 4 by CPU count; 0 reads on the calling thread between forward passes,
    which can do as well on a CPU whose cores the model already fills); ``block_px`` output
    block size (16, 32 or 64; default 32).
    ``_keep_inputs`` (benchmarks): a list that receives every prepared batch.
    """
    t_start = time.perf_counter()
    from .bundle import software_versions
    from .models.backbones import PRECISIONS, bf16_native_cpu

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
        raise BotaclipError(f"The batch size must be at least 1 (got {batch_size}).")
    if workers is not None and int(workers) < 0:
        raise BotaclipError(f"--workers must be 0 (read on the compute thread) or more "
                            f"(got {workers}).")
    block_px = int(block_px or DEFAULT_BLOCK_PX)
    if block_px not in (16, 32, 64):
        raise BotaclipError(f"block_px must be 16, 32 or 64 (got {block_px}).")
    extent = parse_extent(extent)

    info = raster_info(ortho)
    if info.is_geographic:
        raise BotaclipError(
            f"{ortho} is in a geographic CRS ({info.crs_label}, degrees): patches and strides "
            "in metres need a projected CRS. Reproject it first, e.g. gdalwarp -t_srs "
            "EPSG:2154 (QGIS: Raster > Projections > Warp).")
    from .models.backbones import resolve_device

    dev = resolve_device(device)
    m = _resolve_model(info, model=model, backbone=backbone, weights=weights, sensor=sensor,
                       wavelengths=wavelengths, backbone_config=backbone_config,
                       patch_m=patch_m, device=dev, progress=progress)
    for note in m.notes:
        progress.info(note)
    unit = info.linear_unit_m
    if not (math.isfinite(m.patch_m) and m.patch_m > 0):
        raise BotaclipError(f"The patch size must be a positive number of metres, not "
                            f"{m.patch_m}.")
    stride = m.patch_m / 2.0 if stride_m is None else float(stride_m)
    if not (math.isfinite(stride) and stride > 0):
        raise BotaclipError(f"--stride-m must be a positive number of metres (got {stride_m}).")
    step = stride / unit                            # map units
    if step < 0.5 * max(info.pixel_size):
        raise BotaclipError(
            f"A stride of {stride:g} m is finer than the orthophoto's pixels "
            f"({info.pixel_size[0] * unit:g} m); give a stride of at least one pixel.")

    # -- the area and the grid
    area = list(info.bounds)
    if extent is not None:
        area = [max(area[0], extent[0]), max(area[1], extent[1]),
                min(area[2], extent[2]), min(area[3], extent[3])]
        if area[0] >= area[2] or area[1] >= area[3]:
            b = info.bounds
            raise BotaclipError(
                f"The extent ({', '.join(f'{v:.2f}' for v in extent)}) does not overlap the "
                f"orthophoto {ortho} ({b[0]:.2f}, {b[1]:.2f}, {b[2]:.2f}, {b[3]:.2f}, "
                f"{info.crs_label}). Give the extent in the orthophoto's CRS, as "
                "xmin,ymin,xmax,ymax.")
    area_mask = None
    if mask is not None:
        area_mask = _AreaMask(mask, info.srs_wkt)
        if area_mask.note:
            progress.warn(area_mask.note)
        e = area_mask.envelope
        area = [max(area[0], e[0]), max(area[1], e[1]), min(area[2], e[2]), min(area[3], e[3])]
        if area[0] >= area[2] or area[1] >= area[3]:
            raise BotaclipError(f"The mask {mask} does not overlap the orthophoto {ortho}"
                                + (" within the extent" if extent else "")
                                + f" (after reprojection to {info.crs_label}).")
    grid = plan_grid(tuple(area), step)
    D = m.dim
    pp = m.patch_px
    patch_map = m.patch_m / unit
    step_px_f = step / (patch_map / pp)
    step_px = int(round(step_px_f))
    union = 1
    if abs(step_px_f - step_px) < 1e-6 and 0 < step_px <= pp:
        for k in (8, 4, 2):
            upx = (k - 1) * step_px + pp
            if k <= MAX_UNION and upx * upx * len(m.bands) * 4 <= UNION_BYTES:
                union = k
                break
    if union > block_px:
        union = block_px

    # -- resume state
    cache_root = Path(cache_dir).expanduser() if cache_dir else default_state_dir()
    from .features import raster_identity

    key_desc = {
        "format": STATE_FORMAT, "raster": raster_identity(ortho), "model": m.identity,
        "patch_m": m.patch_m, "patch_px": pp, "bands": m.bands, "resampling": m.resampling,
        "stride_m": stride, "grid": grid.to_dict(), "extent": extent,
        "mask": area_mask.identity if area_mask else None, "min_valid": min_valid,
        "dtype": dtype, "precision": precision, "block_px": block_px, "device": dev.type,
    }
    key = _state_key(key_desc)
    state = _State(cache_root / key[:32], key_desc)
    state.acquire()
    try:
        with _gdal_cache(GDAL_CACHE_MB):
            return _run(ortho=ortho, out=out, preview=preview, info=info, m=m, grid=grid,
                        D=D, dtype=dtype, precision=precision, batch_size=batch_size,
                        workers=workers, resume=resume, state=state, union=union,
                        step_px=step_px, stride=stride, extent=extent, area_mask=area_mask,
                        min_valid=min_valid, block_px=block_px, progress=progress,
                        t_start=t_start, software=software_versions(),
                        bf16_native=bf16_native_cpu, keep=_keep_inputs)
    finally:
        state.release()


def _sample_patches(ortho, m: _Model, grid: Grid, min_valid: float, n: int = 8):
    """Up to ``n`` valid patches spread over the grid (for the precision check)."""
    out = []
    with PatchReader(ortho, m.patch_m, m.patch_px, m.resampling, m.bands) as reader:
        cand = np.linspace(0, grid.width * grid.height - 1, num=min(64, grid.width * grid.height))
        for idx in np.unique(cand.astype(np.int64)):
            r, c = divmod(int(idx), grid.width)
            p = reader.read(grid.cx(c), grid.cy(r))
            if p.valid_fraction > 0 and p.valid_fraction >= min_valid:
                out.append(p.data)
                if len(out) >= n:
                    break
    return np.stack(out) if out else None


def _run(*, ortho, out: Path, preview, info, m: _Model, grid: Grid, D: int, dtype: str,
         precision: str, batch_size, workers, resume: bool, state: _State, union: int,
         step_px: int, stride: float, extent, area_mask, min_valid: float, block_px: int,
         progress: Progress, t_start: float, software: dict, bf16_native, keep
         ) -> EmbedResult:
    import torch

    bb = m.backbone
    W, H = grid.width, grid.height
    bytes_per = 2 if dtype == "float16" else 4
    nb_c, nb_r = -(-W // block_px), -(-H // block_px)
    blocks_all = [(r * nb_c + c, c * block_px, r * block_px,
                   min(block_px, W - c * block_px), min(block_px, H - r * block_px))
                  for r in range(nb_r) for c in range(nb_c)]

    if not resume and state.folder.exists():
        for p in (state.tif, state.json, state.done_path):
            p.unlink(missing_ok=True)
    data = None
    if resume and state.exists():
        try:
            data = state.load()
        except (OSError, ValueError):
            data = None
    if data is None:
        for p in (state.tif, state.json, state.done_path):
            p.unlink(missing_ok=True)

    # -- free disk (what is left to write)
    raw = W * H * D * bytes_per
    have = state.tif.stat().st_size if state.tif.exists() else 0
    needs = {state.folder: max(0, raw - have) + (W * H * 3 if preview else 0),
             out.parent if str(out.parent) else Path("."): int(raw * 1.4)}
    if preview is not None:
        pp_ = preview.parent if str(preview.parent) else Path(".")
        needs[pp_] = needs.get(pp_, 0) + W * H * 3 * 2
    _check_disk(needs, progress)

    # -- precision and batch size (chosen once, pinned for a resumed run)
    if data is not None:
        bb.precision = data["precision"]
        bb.precision_check = dict(data.get("precision_check") or {})
        bs = int(data["batch_size"])
        if batch_size is not None and int(batch_size) != bs:
            progress.info(f"Resuming with the batch size of the interrupted run ({bs}, not "
                          f"{batch_size}), so that the values are the same as one run's.")
        progress.info(f"Resuming the embedding from {state.folder}.")
    else:
        needs_samples = precision == "bfloat16" or (
            precision == "auto" and bb.model is not None
            and (bb.device.type == "cuda" or bf16_native()))
        samples = _sample_patches(ortho, m, grid, min_valid) if needs_samples else None
        if samples is None and needs_samples:
            progress.info("No patch with enough valid pixels for the bfloat16 check: "
                          "float32 is used.")
            bb.precision, bb.precision_check = "float32", {"requested": precision,
                                                           "chosen": "float32",
                                                           "note": "no sample patch"}
        else:
            bb.choose_precision(precision, samples, progress)
        bs = int(batch_size) if batch_size else auto_batch_size(bb, len(m.bands), m.patch_px)
        data = {"format": STATE_FORMAT, "precision": bb.precision,
                "precision_check": bb.precision_check, "batch_size": bs,
                "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "output": str(out), "blocks": len(blocks_all), "block_px": block_px}
        _create_temp(state.tif, W, H, D, dtype, grid, info.srs_wkt, block_px)
        state.done_path.write_text("", encoding="ascii")
        state.save(data)

    done = state.done()
    # a block marked done but absent from the GeoTIFF (a crash between the two): redo it
    tds = gdal.Open(str(state.tif), gdal.GA_Update)
    band1 = tds.GetRasterBand(1)
    for uid, n in list(done.items()):
        if n > 0:
            _, c0, r0, w, h = blocks_all[uid]
            with contextlib.suppress(RuntimeError, AttributeError):
                flags, _pct = band1.GetDataCoverageStatus(c0, r0, w, h)
                if flags & gdal.GDAL_DATA_COVERAGE_STATUS_EMPTY and not (
                        flags & gdal.GDAL_DATA_COVERAGE_STATUS_DATA):
                    done.pop(uid)
    todo = [b for b in blocks_all if b[0] not in done]
    n_resumed_blocks = len(blocks_all) - len(todo)
    patches_resumed = int(sum(done.values()))
    if workers is None:
        n_workers = max(2, min(4, (os.cpu_count() or 2) // 2))
    else:
        n_workers = int(workers)
    if n_workers > 0:
        n_workers = max(1, min(n_workers, len(todo) or 1))
    progress.info(
        f"Embedding {info.path}: {W} x {H} output pixels of {stride:g} m ({W * H} patches of "
        f"{m.patch_m:g} m at {m.patch_px} px), {D} bands {dtype}, batch {bs}, "
        f"{bb.precision}, "
        + (f"{n_workers} reader thread(s)" if n_workers else "reading on the compute thread")
        + (f", {union} x {union} patches per read" if union > 1 else "")
        + (f"; {n_resumed_blocks} of {len(blocks_all)} blocks already done" if done else "")
        + ".")

    # -- the streaming loop
    total_px = W * H
    px_done = px_start = sum(blocks_all[u][3] * blocks_all[u][4] for u in done)
    n_computed = 0
    fwd_s = 0.0
    t_loop = time.perf_counter()
    cpu_loop = time.process_time()
    adapter = None
    if m.bundle is not None and bb.device.type != "cpu":
        adapter = m.bundle.adapter.to(bb.device)
    prod = _Producer(ortho=ortho, model=m, grid=grid, blocks=todo, min_valid=min_valid,
                     batch_size=bs, union=union, step_px=step_px, mask=area_mask,
                     n_workers=n_workers, queue_size=2 * n_workers + 2,
                     bounds=info.bounds, unit_m=info.linear_unit_m)
    pending: dict = {}
    block_of = {b[0]: b for b in blocks_all}
    loop_progress = progress.sub(0.02, 0.9)
    cancelled = False
    n_written = 0
    with open(state.done_path, "a", encoding="ascii") as done_fh:
        if n_workers:
            prod.start()
            alive = len(prod.threads)
            next_item = functools.partial(prod.out.get, timeout=0.2)
        else:
            alive = 1
            source = prod.inline_items()

            def next_item():
                return next(source, ("worker-done",))
        try:
            while alive or len(pending):
                try:
                    item = next_item()
                except queue.Empty:
                    if progress.is_cancelled():
                        cancelled = True
                        break
                    if not alive:
                        break
                    continue
                kind = item[0]
                if kind == "error":
                    raise item[1]
                if kind == "worker-done":
                    alive -= 1
                    continue
                uid = item[1]
                ent = pending.get(uid)
                if ent is None:
                    ent = pending[uid] = {"buf": None, "got": 0, "expect": None, "n": 0}
                if kind == "batch":
                    _, _, rows, cols, x = item
                    if keep is not None:
                        keep.append(x)
                    t0 = time.perf_counter()
                    feats = bb.forward_prepared(x)
                    if m.bundle is not None:
                        if adapter is not None:
                            from .models.heads import l2_normalize
                            with torch.no_grad():
                                emb = l2_normalize(adapter(feats)).float().cpu().numpy()
                        else:
                            emb = m.bundle.embed_image_features(feats.cpu().numpy())
                    else:
                        emb = feats.cpu().numpy()
                    fwd_s += time.perf_counter() - t0
                    if ent["buf"] is None:
                        _, c0, r0, w, h = block_of[uid]
                        ent["buf"] = np.full((h, w, D), np.nan, dtype=np.float32)
                    ent["buf"][rows, cols] = emb
                    ent["got"] += 1
                    ent["n"] += len(rows)
                    n_computed += len(rows)
                elif kind == "block":
                    ent["expect"] = item[2]
                if ent["expect"] is not None and ent["got"] == ent["expect"]:
                    _, c0, r0, w, h = block_of[uid]
                    _write_block(tds, ent["buf"], c0, r0, dtype)
                    state.mark(done_fh, uid, ent["n"])
                    n_written += 1
                    px_done += w * h
                    del pending[uid]
                elapsed = time.perf_counter() - t_loop
                rate = n_computed / elapsed if elapsed > 0 else 0.0
                frac = px_done / total_px if total_px else 1.0
                loop_progress.report(frac, f"Embedding: {n_computed + patches_resumed} "
                                           f"patches, {rate:.1f}/s"
                                           + _eta(px_done - px_start, total_px - px_done,
                                                  elapsed))
                if progress.is_cancelled():
                    cancelled = True
                    break
        finally:
            prod.shutdown()
            if not n_workers:
                source.close()          # closes the readers
            tds.FlushCache()
    loop_s = time.perf_counter() - t_loop
    loop_cpu = time.process_time() - cpu_loop
    if cancelled:
        tds = None
        progress.info(f"Stopped. {len(state.done())} of {len(blocks_all)} blocks are kept in "
                      f"{state.folder}; run the same command again to continue.")
        raise Cancelled("Cancelled by the user; no output was written. The finished blocks "
                        "are kept: run the same embedding again to continue where it stopped.")
    if n_written != len(todo):
        raise BotaclipError(f"Internal error: {len(todo) - n_written} output block(s) were not "
                            "finished by the reader threads. Run the same command again to "
                            "complete them.")

    # -- tags, COG, preview
    total_computed = patches_resumed + n_computed
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    tags = _tags(ortho=ortho, m=m, bb=bb, grid=grid, stride=stride, extent=extent,
                 area_mask=area_mask, min_valid=min_valid, dtype=dtype, software=software,
                 created=created, n_computed=total_computed, total=total_px, info=info,
                 batch_size=bs)
    tds.SetMetadata({k: (v if isinstance(v, str) else json.dumps(v, default=str))
                     for k, v in tags.items()})
    width = max(3, len(str(D - 1)))
    for b in range(1, D + 1):
        tds.GetRasterBand(b).SetDescription(f"emb_{b - 1:0{width}d}")
    tds.FlushCache()
    tds = None
    # 128 px tiles for many bands (a tile of 768 half floats is 24 MB) and small outputs
    cog_block = 256 if D <= 64 and max(W, H) > 512 else 128
    with atomic_output(out) as tmp_out:
        _write_cog(state.tif, tmp_out, block=cog_block, predictor=True, resampling="AVERAGE",
                   progress=progress, start=0.9, end=0.96 if preview else 1.0,
                   message="Writing the cloud-optimised GeoTIFF")
        if preview is not None:
            with atomic_output(preview) as tmp_prev:
                _write_preview(state, tmp_prev, grid, info.srs_wkt, D, progress.sub(0.96, 1.0),
                               tags)
    state.clear()
    seconds = time.perf_counter() - t_start
    progress.report(1.0, "Embedding written")
    return EmbedResult(
        out=out, preview=preview, shape=(D, H, W), geotransform=grid.geotransform,
        crs=info.crs_label, n_patches=total_computed, n_nodata=total_px - total_computed,
        seconds=seconds, loop_seconds=loop_s, loop_cpu_seconds=loop_cpu, forward_seconds=fwd_s,
        patches_per_s=n_computed / seconds if seconds > 0 else 0.0, precision=bb.precision,
        precision_check=dict(bb.precision_check), batch_size=bs, workers=n_workers,
        dtype=dtype, blocks=len(blocks_all), blocks_resumed=n_resumed_blocks,
        patches_resumed=patches_resumed, state_dir=state.folder, union=union, tags=tags)


def _eta(px_done: int, px_left: int, elapsed: float) -> str:
    """', about N min left' once a few blocks are done."""
    if px_done <= 0 or elapsed < 5 or px_left <= 0:
        return ""
    left = px_left * elapsed / px_done
    if left < 90:
        return f", about {left:.0f} s left"
    if left < 5400:
        return f", about {left / 60:.0f} min left"
    return f", about {left / 3600:.1f} h left"


def _create_temp(path: Path, W, H, D, dtype, grid: Grid, srs_wkt: str, block_px: int) -> None:
    """The state's tiled GeoTIFF: uncompressed (blocks are rewritten in place and survive a
    crash once flushed), sparse (blocks never written read as nodata), half floats for
    float16."""
    opts = ["TILED=YES", f"BLOCKXSIZE={block_px}", f"BLOCKYSIZE={block_px}", "SPARSE_OK=TRUE",
            "INTERLEAVE=PIXEL", "BIGTIFF=IF_SAFER"]
    if dtype == "float16":
        opts.append("NBITS=16")
    try:
        ds = gdal.GetDriverByName("GTiff").Create(str(path), W, H, D, gdal.GDT_Float32, opts)
    except RuntimeError as exc:
        raise BotaclipError(f"Cannot create the temporary embedding {path}: "
                            f"{str(exc).strip()}. Check the free space of --cache-dir.") from exc
    ds.SetGeoTransform(grid.geotransform)
    ds.SetProjection(srs_wkt)
    for b in range(1, D + 1):
        ds.GetRasterBand(b).SetNoDataValue(float("nan"))
    ds.FlushCache()
    ds = None


def _write_block(ds, buf: np.ndarray | None, c0: int, r0: int, dtype: str) -> None:
    """Write one finished block ([h, w, D] float32) and make it durable. A block with no
    computed patch is not written: the sparse GeoTIFF reads it as nodata."""
    if buf is None:
        return
    h, w, d = buf.shape
    if dtype == "float16":
        # GDAL 3.6 truncates float32 to half (up to 1 unit in the last place towards zero):
        # round to nearest here, so GDAL only stores exactly representable values
        np.clip(buf, -FLOAT16_MAX, FLOAT16_MAX, out=buf)   # NaN stays NaN
        buf = buf.astype(np.float16).astype(np.float32)
    try:
        ds.WriteRaster(c0, r0, w, h, buf.tobytes(), w, h, gdal.GDT_Float32, None,
                       4 * d, 4 * d * w, 4)
        # GDAL 3.6 writes the last block's offset in the TIFF directory on the second flush
        ds.FlushCache()
        ds.FlushCache()
    except RuntimeError as exc:
        raise BotaclipError(f"Cannot write the temporary embedding ({str(exc).strip()}); the "
                            "disk may be full. Free some space and run again: finished "
                            "blocks are kept.") from exc


def _tags(*, ortho, m: _Model, bb, grid: Grid, stride, extent, area_mask, min_valid, dtype,
          software, created, n_computed, total, info, batch_size) -> dict:
    ref = bb.reference()
    tags = {
        "BOTACLIP_KIND": "embedding",
        "BOTACLIP_VERSION": __version__,
        "BOTACLIP_EMBEDDING": ("bundle (backbone + adapter, L2-normalised)"
                               if m.bundle is not None else "backbone features"),
        "BOTACLIP_DIM": str(m.dim),
        "BOTACLIP_BACKBONE": bb.name,
        "BOTACLIP_WEIGHTS_SHA256": bb.weights_sha256 or "",
        "BOTACLIP_RANDOM_WEIGHTS": "yes" if bb.random_weights else "no",
        "BOTACLIP_BACKBONE_REFERENCE": ref,
        "BOTACLIP_PRECISION": bb.precision,
        "BOTACLIP_PRECISION_CHECK": bb.precision_check,
        "BOTACLIP_INPUT": str(Path(str(ortho)).resolve()) if not str(ortho).startswith("/vsi")
        else str(ortho),
        "BOTACLIP_INPUT_CRS": info.crs_label,
        "BOTACLIP_SETTINGS": {
            "patch_m": m.patch_m, "patch_px": m.patch_px, "stride_m": stride,
            "bands": m.bands, "resampling": m.resampling, "extent": extent,
            "mask": area_mask.path if area_mask else None, "min_valid": min_valid,
            "dtype": dtype, "batch_size": batch_size,
            "grid": "pixel edges on multiples of the stride; pixel centre = patch centre"},
        "BOTACLIP_PATCHES": {"computed": n_computed, "nodata": total - n_computed},
        "BOTACLIP_SOFTWARE": software,
        "BOTACLIP_CREATED": created,
    }
    if m.bundle is not None:
        tags["BOTACLIP_MODEL_SHA256"] = m.bundle.sha256
        tags["BOTACLIP_MODEL"] = str(Path(m.bundle.path).resolve())
    return tags


# ------------------------------------------------------------------------------ preview

def _windows(W: int, H: int, D: int, align: int, budget: int = 32 << 20):
    """Windows (x, y, w, h) covering W x H, aligned to ``align``, each <= budget bytes."""
    side = max(align, int(math.sqrt(budget / (4 * D))) // align * align)
    for y in range(0, H, side):
        for x in range(0, W, side):
            yield x, y, min(side, W - x), min(side, H - y)


def _write_preview(state: _State, dst: Path, grid: Grid, srs_wkt: str, D: int,
                   progress: Progress, tags: dict) -> None:
    """First three principal components of the embeddings as an 8-bit RGB COG (nodata 0).

    PCA is fitted on up to 16,384 output pixels (a regular sample of rows and columns, read
    one row at a time); components are signed so their largest loading is positive and
    scaled between their 2nd and 98th percentiles to 1..255."""
    src = gdal.Open(str(state.tif))
    W, H = src.RasterXSize, src.RasterYSize
    n_rows = min(H, max(1, int(math.sqrt(_PREVIEW_SAMPLE * H / max(W, 1)))))
    rows = np.unique(np.linspace(0, H - 1, n_rows).astype(int))
    per_row = max(1, _PREVIEW_SAMPLE // len(rows))
    cols = np.unique(np.linspace(0, W - 1, min(W, per_row)).astype(int))
    sample = []
    for i, r in enumerate(rows):
        a = src.ReadAsArray(0, int(r), W, 1).reshape(D, W)[:, cols].T
        sample.append(a[np.isfinite(a).all(axis=1)])
        progress.report(0.3 * (i + 1) / len(rows), "Preview: sampling")
        progress.check()
    x = np.concatenate(sample) if sample else np.empty((0, D), np.float32)
    x = x.astype(np.float64)
    if len(x) >= 2:
        mean = x.mean(axis=0)
        _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
        comps = vt[:3]
        for i in range(len(comps)):
            if comps[i][np.argmax(np.abs(comps[i]))] < 0:
                comps[i] = -comps[i]
        if len(comps) < 3:
            comps = np.vstack([comps, np.zeros((3 - len(comps), D))])
        proj = (x - mean) @ comps.T
        lo, hi = np.percentile(proj, 2, axis=0), np.percentile(proj, 98, axis=0)
    else:
        mean, comps = np.zeros(D), np.zeros((3, D))
        lo, hi = np.zeros(3), np.ones(3)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    tmp = state.folder / "preview.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(tmp), W, H, 3, gdal.GDT_Byte,
                                              ["TILED=YES", "INTERLEAVE=PIXEL"])
    ds.SetGeoTransform(grid.geotransform)
    ds.SetProjection(srs_wkt)
    for b, ci in enumerate((gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand), 1):
        band = ds.GetRasterBand(b)
        band.SetNoDataValue(0)
        band.SetColorInterpretation(ci)
        band.SetDescription(f"PC{b}")
    ds.SetMetadata({
        "BOTACLIP_KIND": "embedding preview",
        "BOTACLIP_PREVIEW": "first three principal components of the embeddings, scaled "
                            "from their 2nd-98th percentiles to 1..255; 0 is nodata",
        "BOTACLIP_MODEL_SHA256": str(tags.get("BOTACLIP_MODEL_SHA256", "")),
        "BOTACLIP_BACKBONE": str(tags.get("BOTACLIP_BACKBONE", "")),
        "BOTACLIP_CREATED": str(tags.get("BOTACLIP_CREATED", "")),
    })
    wins = list(_windows(W, H, D, 16))
    for i, (x0, y0, w, h) in enumerate(wins):
        a = src.ReadAsArray(x0, y0, w, h).reshape(D, h * w).T
        ok = np.isfinite(a).all(axis=1)
        p = (np.where(ok[:, None], a, 0.0).astype(np.float64) - mean) @ comps.T
        rgb = np.clip(1 + 254 * (p - lo) / span, 1, 255).round().astype(np.uint8)
        rgb[~ok] = 0
        ds.WriteRaster(x0, y0, w, h, np.ascontiguousarray(rgb.reshape(h, w, 3)).tobytes(),
                       w, h, gdal.GDT_Byte, None, 3, 3 * w, 1)
        progress.report(0.3 + 0.5 * (i + 1) / len(wins), "Preview: principal components")
        progress.check()
    ds.FlushCache()
    ds = None
    src = None
    try:
        _write_cog(tmp, dst, block=256, predictor=False, resampling="AVERAGE",
                   progress=progress, start=0.8, end=1.0, message="Preview: writing")
    finally:
        tmp.unlink(missing_ok=True)
