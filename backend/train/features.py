"""The feature cache: the frozen backbone runs once per plot and per dihedral variant.

:func:`compute_features` returns float32 features ``[N, V, D]`` for plots at (x, y) in the
raster's CRS: variant 0 is the patch as read, variants 1..7 its quarter turns and mirror
images (:func:`backend.models.backbones.dihedral`), so the raster is read once per plot and
the backbone runs V times. Training then only iterates over these arrays.

Cache layout (``cache_dir`` default: ``$BOTACLIP_CACHE_DIR``, else
``~/.cache/botaclip/features``)::

    <cache_dir>/<key[:32]>/key.json                what the key was made of (for people)
    <cache_dir>/<key[:32]>/chunk-<id>.features.npy float32 [n, V, D]
    <cache_dir>/<key[:32]>/chunk-<id>.valid.npy    float32 [n]: each patch's valid fraction
    <cache_dir>/<key[:32]>/chunk-<id>.xy.npy       int64 [n, 2]: x, y in millimetres

The valid fraction (:attr:`backend.io.patches.Patch.valid_fraction`, at the backbone's input
resolution) is kept with the features it was computed from, so whoever uses a plot's
features can tell how much of its patch was nodata (filled as
:attr:`backend.models.backbones.Backbone.nodata_fill` says) without reading the raster again.

The key hashes the raster's identity (:func:`backend.cache_keys.raster_identity`: resolved
path, size and mtime of the file and of every file GDAL reads for it: VRT sources, .msk masks;
not .aux.xml statistics nor .ovr overviews, which QGIS may write and the reader never uses),
the backbone's reference (name, weights sha256, wavelengths, normalisation, config:
:func:`backend.cache_keys.backbone_key_reference`), its precision and nodata fill, the patch
size in metres and pixels, the resampling, the bands read, the number of variants and
:data:`FEATURE_FORMAT` (a new format is a new folder: older caches are computed again).
Entries are keyed by plot location rounded to 1 mm, so adding relevés reuses the others and
two relevés at one place share one entry.

Each chunk (up to :data:`CHUNK_PLOTS` plots) is three files, each renamed into place when
complete; the ``.xy.npy`` file is written last and is the commit: a chunk without it (a
crash between the renames) is ignored. So an interrupted run keeps every completed
chunk (a cancel also saves the plots of the chunk in progress), a resumed run computes only
the missing plots, and a plot found in two chunks (two runs at once) is counted once.

How often: a chunk is committed after :data:`CHUNK_PLOTS` plots or :data:`SAVE_SECONDS` of
work, whichever comes first, and always after a whole batch. The count bounds a chunk's size
on a GPU; the time bounds what a hard kill (``kill -9``, a power cut) loses on a CPU, where
256 plots of DOFA-base are 2,048 forward passes (about 6 minutes at the 5.6 patches/s of
float32 on the 2-core build machine): at most :data:`SAVE_SECONDS` plus one batch.
Because chunks hold whole batches of the plots in a fixed order, a resumed run computes the
rest in the same batches as an uninterrupted one, so its features are the same bit for bit
(batch composition can change the last bits of a forward pass).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..cache_keys import backbone_key_reference, raster_identity
from ..errors import BotaclipError, Cancelled
from ..io.atomic import atomic_output
from ..io.patches import PatchReader
from ..models.backbones import dihedral
from ..progress import SILENT, Progress
from ..units import format_bytes

# 2: integer patches across the raster edge rounded like the others; 3: nodata at the band
# mean instead of raw 0, spectral NDVI on raw values, valid fractions stored
FEATURE_FORMAT = 3
CHUNK_PLOTS = 256
# Seconds of feature extraction between two saves: a hard kill loses at most this plus one
# batch (DOFA-base on the 2-core build machine: 8 plots = 64 forward passes, 11 s in float32
# at 5.6 patches/s, 3.4 s in bfloat16), about 40 s; a chunk is three small files, so 30 s
# makes at most 120 of them per hour.
SAVE_SECONDS = 30.0
DEFAULT_VARIANTS = 8
_MARGIN_BYTES = 16 << 20         # free space kept beyond the estimate (file-system slack)


def default_cache_dir() -> Path:
    """``$BOTACLIP_CACHE_DIR``, else ``~/.cache/botaclip/features``."""
    env = os.environ.get("BOTACLIP_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "botaclip" / "features"


def cache_root(cache_dir=None) -> Path:
    """The cache folder of a ``cache_dir`` argument: that folder, or :func:`default_cache_dir`
    when None."""
    return Path(cache_dir).expanduser() if cache_dir else default_cache_dir()


def cache_key(ortho, backbone, patch_m: float, *, variants: int = DEFAULT_VARIANTS,
              resampling: str = "bilinear", bands=None) -> tuple[str, dict]:
    """(hex sha256, the dict it hashes) for features of ``ortho`` by ``backbone``."""
    desc = {
        "format": FEATURE_FORMAT,
        "raster": raster_identity(ortho),
        "backbone": backbone_key_reference(backbone.reference()),
        "precision": backbone.precision,
        "nodata_fill": backbone.nodata_fill,
        "patch_m": float(patch_m),
        "input_px": int(backbone.input_px),
        "resampling": str(resampling).lower(),
        "bands": list(bands) if bands else None,
        "variants": int(variants),
    }
    text = json.dumps(desc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), desc


def location_keys(xs, ys) -> np.ndarray:
    """int64 [N, 2]: coordinates rounded to 1 mm (the cache's plot identity)."""
    xy = np.stack([np.asarray(xs, dtype=np.float64).ravel(),
                   np.asarray(ys, dtype=np.float64).ravel()], axis=1)
    if not np.all(np.isfinite(xy)):
        bad = int(np.flatnonzero(~np.isfinite(xy).all(axis=1))[0])
        raise BotaclipError(f"Plot {bad} has no finite coordinates; features need a location "
                            "for every plot (remove plots without geometry first).")
    return np.round(xy * 1000.0).astype(np.int64)


def _save_npy(path: Path, array: np.ndarray) -> None:
    """Write one array to ``path`` (a temporary name; the caller renames it)."""
    with open(path, "wb") as fh:
        np.save(fh, array, allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())


class FeatureCache:
    """One cache entry (a folder of chunks) for one raster + backbone + patch settings."""

    def __init__(self, folder: Path, desc: dict | None = None):
        self.folder = Path(folder)
        self.desc = desc

    # -- reading ------------------------------------------------------------------------
    def chunks(self) -> list[Path]:
        """Committed chunks (their .xy.npy files), oldest first."""
        if not self.folder.is_dir():
            return []
        found = [p for p in self.folder.glob("chunk-*.xy.npy") if not p.name.startswith(".")]
        return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def lookup(self, keys: np.ndarray, progress: Progress = SILENT
               ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """(features for the found plots [N, V, D] or None if none found, their valid
        fractions [N] (NaN where not found), found mask [N])."""
        n = len(keys)
        found = np.zeros(n, dtype=bool)
        valid = np.full(n, np.nan, dtype=np.float32)
        if n == 0:
            return None, valid, found
        want: dict[tuple[int, int], list[int]] = {}
        for i, (a, b) in enumerate(keys.tolist()):
            want.setdefault((a, b), []).append(i)
        out = None
        for xy_path in self.chunks():
            stem = xy_path.name[:-len(".xy.npy")]
            try:
                xy = np.load(xy_path, allow_pickle=False)
                feats = np.load(xy_path.with_name(stem + ".features.npy"), mmap_mode="r",
                                allow_pickle=False)
                fractions = np.load(xy_path.with_name(stem + ".valid.npy"), allow_pickle=False)
                if (feats.ndim != 3 or len(feats) != len(xy) or xy.ndim != 2
                        or fractions.shape != (len(xy),)):
                    raise ValueError("inconsistent shapes")
            except (OSError, ValueError) as exc:
                progress.warn(f"Ignoring the damaged feature cache chunk {xy_path.name} in "
                              f"{self.folder} ({exc}); its plots are computed again.")
                continue
            rows, dest = [], []
            for r, (a, b) in enumerate(xy.tolist()):
                idx = want.get((a, b))
                if idx is None:
                    continue
                idx = [i for i in idx if not found[i]]
                if not idx:
                    continue                 # already found in an earlier chunk: once only
                rows += [r] * len(idx)
                dest += idx
                found[idx] = True
            if not rows:
                continue
            block = np.asarray(feats[np.asarray(rows)], dtype=np.float32)
            if out is None:
                out = np.zeros((n,) + block.shape[1:], dtype=np.float32)
            elif block.shape[1:] != out.shape[1:]:
                raise BotaclipError(f"The feature cache {self.folder} holds chunks of different "
                                    "shapes; delete the folder to rebuild it.")
            out[np.asarray(dest)] = block
            valid[np.asarray(dest)] = fractions[np.asarray(rows)]
            if found.all():
                break
        return out, valid, found

    # -- writing ------------------------------------------------------------------------
    def ensure_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            info = self.folder / "key.json"
            if self.desc is not None and not info.exists():
                with atomic_output(info) as tmp:
                    tmp.write_text(json.dumps(self.desc, indent=1, default=str) + "\n",
                                   encoding="utf-8")
        except OSError as exc:
            raise BotaclipError(f"Cannot write the feature cache folder {self.folder}: "
                                f"{exc.strerror or exc}. Choose another folder with --cache-dir "
                                "(or BOTACLIP_CACHE_DIR).") from exc

    def check_space(self, n_bytes: int) -> None:
        """Raise a clear BotaclipError when the cache's disk has less than ``n_bytes`` free."""
        try:
            free = shutil.disk_usage(self.folder).free
        except OSError:
            return
        need = int(n_bytes) + _MARGIN_BYTES
        if free < need:
            raise BotaclipError(
                f"Not enough free disk space for the feature cache in {self.folder}: it needs "
                f"about {format_bytes(need)} and {format_bytes(free)} are free. Free some "
                "space, or choose a cache folder on another disk with --cache-dir (or "
                "BOTACLIP_CACHE_DIR).")

    def write_chunk(self, keys: np.ndarray, feats: np.ndarray, valid: np.ndarray) -> Path:
        """Store one chunk: features [n, V, D], valid fractions [n], locations [n, 2]; the
        .xy.npy file, renamed last, commits it."""
        stem = f"chunk-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        feat_path = self.folder / f"{stem}.features.npy"
        valid_path = self.folder / f"{stem}.valid.npy"
        xy_path = self.folder / f"{stem}.xy.npy"
        need = feats.nbytes + valid.nbytes + keys.nbytes + 384
        try:
            with atomic_output(feat_path) as tmp:
                _save_npy(tmp, np.ascontiguousarray(feats, dtype=np.float32))
            with atomic_output(valid_path) as tmp:
                _save_npy(tmp, np.ascontiguousarray(valid, dtype=np.float32))
            with atomic_output(xy_path) as tmp:
                _save_npy(tmp, np.ascontiguousarray(keys, dtype=np.int64))
        except (OSError, BotaclipError) as exc:
            feat_path.unlink(missing_ok=True)      # never leave half a chunk behind
            valid_path.unlink(missing_ok=True)
            # atomic_output reports an OSError as a BotaclipError caused by it: say it for
            # the cache, whose fix (another --cache-dir, nothing lost) differs from an output's
            cause = exc if isinstance(exc, OSError) else exc.__cause__
            if not isinstance(cause, OSError):
                raise
            full = cause.errno in (errno.ENOSPC, errno.EDQUOT)
            raise BotaclipError(
                f"Cannot write the feature cache in {self.folder}: "
                f"{'the disk is full' if full else (cause.strerror or cause)} (this chunk needs "
                f"about {format_bytes(need)}). Free some space or choose another cache folder "
                "with --cache-dir (or BOTACLIP_CACHE_DIR); plots already cached are kept.") from exc
        return xy_path


def _default_batch(backbone) -> int:
    if backbone.model is None:
        return 64
    return 32 if backbone.device.type == "cuda" else 8


def _variants(patches: np.ndarray, variants: int) -> np.ndarray:
    """[B, C, P, P] -> [B * V, C, P, P], plot-major: rows b*V .. b*V+V-1 are plot b."""
    stacked = np.stack([np.ascontiguousarray(dihedral(patches, k)) for k in range(variants)],
                       axis=1)
    return stacked.reshape((-1,) + patches.shape[1:])


@dataclass
class _Missing:
    """The plots the cache lacks, one per location, and those computed but not yet stored."""

    out: np.ndarray                  # [N, V, D], filled in place
    valid: np.ndarray                # [N] valid fractions, filled in place
    todo: np.ndarray                 # one plot index per missing location
    locations: np.ndarray            # int64 [len(todo), 2]: their cache keys
    cache: FeatureCache | None
    pending: list[int] = field(default_factory=list)   # positions in todo not yet stored

    def flush(self) -> None:
        """Store the computed plots not yet stored as one chunk."""
        if self.cache is not None and self.pending:
            rows = self.todo[self.pending]
            self.cache.write_chunk(self.locations[self.pending], self.out[rows], self.valid[rows])
        self.pending.clear()


def valid_summary(valid: np.ndarray) -> dict:
    """The valid fractions of the plots' patches in a few numbers (for reports): the lowest,
    the mean and how many patches hold some nodata."""
    v = np.asarray(valid, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not len(v):
        return {"min": None, "mean": None, "with_nodata": 0}
    return {"min": round(float(v.min()), 4), "mean": round(float(v.mean()), 4),
            "with_nodata": int((v < 1.0).sum())}


def compute_features(ortho, xs, ys, backbone, patch_m: float, *,
                     variants: int = DEFAULT_VARIANTS, cache_dir=None,
                     batch_size: int | None = None, resampling: str = "bilinear",
                     bands=None, progress: Progress = SILENT,
                     report: dict | None = None, reader: PatchReader | None = None,
                     key: tuple[str, dict] | None = None, return_valid: bool = False):
    """Backbone features of the patches of ``patch_m`` metres centred on (xs, ys).

    ``xs``, ``ys``: plot centres in the raster's CRS. Returns float32 ``[N, variants, dim]``;
    variant k is ``dihedral(patch, k)`` (k = 0: the patch as read). Cached (module doc):
    plots already in the cache are not recomputed. ``cache_dir=False`` disables the cache.
    ``batch_size``: plots read and embedded together (each gives ``variants`` model inputs);
    default 8 on a CPU, 32 on a GPU, 64 for the spectral baseline. The next batch is read
    in a worker thread while the backbone computes. Cancel is honoured between batches; the
    plots computed so far are saved. ``report``, when given, is filled with counts and times.
    ``reader``: a :class:`PatchReader` of ``ortho`` with these patch settings, used instead
    of opening one (and left open); ``key``: :func:`cache_key` of these settings, when the
    caller has it already. ``return_valid``: return (features, valid fractions float32 [N])
    instead: each plot's fraction of valid pixels, stored in the cache with its features
    (``report["valid_fraction"]`` sums them up either way).
    """
    t0 = time.perf_counter()
    variants = int(variants)
    if not 1 <= variants <= 8:
        raise BotaclipError(f"variants must be between 1 and 8 (the dihedral group), not "
                            f"{variants}.")
    keys = location_keys(xs, ys)
    n = len(keys)
    out = np.zeros((n, variants, int(backbone.dim)), dtype=np.float32)
    valid = np.full(n, np.nan, dtype=np.float32)
    cache = None
    if cache_dir is not False:
        digest, desc = key or cache_key(ortho, backbone, patch_m, variants=variants,
                                        resampling=resampling, bands=bands)
        cache = FeatureCache(cache_root(cache_dir) / digest[:32], desc)
    found = _from_cache(cache, keys, out, valid, progress)
    missing = np.flatnonzero(~found)
    n_cached = n - len(missing)
    if report is not None:
        report.update({"plots": n, "cached": int(n_cached), "computed": 0,
                       "cache_dir": str(cache.folder) if cache else None})
    if len(missing) == 0:
        progress.report(1.0, f"features: all {n} plots from the cache")
        if report is not None:
            report.update({"seconds": time.perf_counter() - t0,
                           "valid_fraction": valid_summary(valid)})
        return (out, valid) if return_valid else out
    # unique missing locations: two plots at one place are computed once
    uniq, first, inverse = np.unique(keys[missing], axis=0, return_index=True,
                                     return_inverse=True)
    job = _Missing(out, valid, missing[first], uniq, cache)
    if report is not None:
        report["computed"] = int(len(job.todo))
    if cache is not None:
        cache.ensure_folder()
        cache.check_space(len(job.todo) * (variants * out.shape[2] * 4 + 16) + 4096)
        if n_cached:
            progress.info(f"Feature cache {cache.folder}: {n_cached} of {n} plots already "
                          f"computed; computing the {n - n_cached} others.")
    bs = max(1, int(batch_size or _default_batch(backbone)))
    own_reader = reader is None
    if own_reader:
        reader = PatchReader(ortho, patch_m=patch_m, patch_px=backbone.input_px,
                             resampling=resampling, bands=bands)
    try:
        t_model = _compute(job, reader, xs, ys, backbone, bs, n_cached, progress)
    finally:
        if own_reader:
            reader.close()
    # every plot at a computed location gets its features (once per location computed)
    out[missing] = out[job.todo[inverse.ravel()]]
    valid[missing] = valid[job.todo[inverse.ravel()]]
    if report is not None:
        seconds = time.perf_counter() - t0
        report.update({"seconds": seconds, "model_seconds": t_model,
                       "plots_per_s": len(job.todo) / seconds if seconds > 0 else None,
                       "patches_per_s": len(job.todo) * variants / seconds if seconds else None,
                       "valid_fraction": valid_summary(valid)})
    return (out, valid) if return_valid else out


def _from_cache(cache: FeatureCache | None, keys: np.ndarray, out: np.ndarray,
                valid: np.ndarray, progress: Progress) -> np.ndarray:
    """Fill ``out`` and ``valid`` with the plots found in ``cache``; return the found mask."""
    if cache is None:
        return np.zeros(len(keys), dtype=bool)
    cached, fractions, found = cache.lookup(keys, progress)
    if cached is not None:
        if cached.shape[1:] != out.shape[1:]:
            raise BotaclipError(f"The feature cache {cache.folder} holds features of shape "
                                f"{cached.shape[1:]}, not {out.shape[1:]}; delete it.")
        out[found] = cached[found]
        valid[found] = fractions[found]
    return found


def _compute(job: _Missing, reader: PatchReader, xs, ys, backbone, bs: int, n_cached: int,
             progress: Progress) -> float:
    """Run the backbone on the plots of ``job`` in batches of ``bs``, the next batch read in a
    worker thread meanwhile, storing a chunk every :data:`CHUNK_PLOTS` plots or
    :data:`SAVE_SECONDS` seconds (and, on cancel, the plots done); return the seconds spent
    in the backbone."""
    todo, out = job.todo, job.out
    n, variants, dim = out.shape
    batches = [list(range(s, min(s + bs, len(todo)))) for s in range(0, len(todo), bs)]

    def read(batch):
        patches = [reader.read(float(xs[todo[j]]), float(ys[todo[j]])) for j in batch]
        return (np.stack([p.data for p in patches]),
                np.array([p.valid_fraction for p in patches], dtype=np.float32))

    t_model = 0.0
    done = 0
    future = None
    saved_at = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="botaclip-read")
    try:
        future = pool.submit(read, batches[0])
        for b, batch in enumerate(batches):
            progress.check()
            patches, fractions = future.result()
            future = pool.submit(read, batches[b + 1]) if b + 1 < len(batches) else None
            tm = time.perf_counter()
            f = backbone.features(_variants(patches, variants)).cpu().numpy()
            t_model += time.perf_counter() - tm
            if not np.all(np.isfinite(f)):
                raise BotaclipError(
                    f"The backbone {backbone.name} returned NaN or infinite features for the "
                    f"plot at ({xs[todo[batch[0]]]:.2f}, {ys[todo[batch[0]]]:.2f}) or its "
                    "batch; check the input normalisation and the raster's nodata.")
            out[todo[batch]] = f.reshape(len(batch), variants, dim)
            job.valid[todo[batch]] = fractions
            job.pending.extend(batch)
            done += len(batch)
            if len(job.pending) >= CHUNK_PLOTS or time.monotonic() - saved_at >= SAVE_SECONDS:
                job.flush()
                saved_at = time.monotonic()
            progress.report((n_cached + done) / n,
                            f"features: {n_cached + done}/{n} plots"
                            + (f" ({n_cached} from the cache)" if n_cached else ""))
        job.flush()
    except (Cancelled, KeyboardInterrupt):
        if future is not None:
            future.cancel()
        pool.shutdown(wait=True)
        try:
            job.flush()                           # keep what was computed for the next run
        except BotaclipError:
            pass
        raise
    finally:
        pool.shutdown(wait=True)                  # the reader is never closed while in use
    return t_model
