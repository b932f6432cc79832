"""Reading ahead: the patches of output blocks read, resampled and prepared in worker threads
while the calling thread runs the model.

Validity. A patch is computed when its fraction of valid pixels (as
:meth:`PatchReader.read` counts it, at full patch resolution) is at least ``min_valid`` (and
above zero); other pixels, and pixels whose centre is outside the ``mask`` polygons, are
nodata (NaN). A cheap mask preview first skips patches more than 0.15 below the threshold
without reading them.

Streaming. The output is cut into blocks of ``block_px`` x ``block_px`` pixels (the tiles of a
temporary GeoTIFF and the unit of resume). Worker threads, each with its own
:class:`PatchReader`, read a block's patches, resample them and prepare them
(:meth:`Backbone.prepare`: normalise, fill nodata, resize) into batches that feed a bounded
queue, while the calling thread only runs the model (:meth:`Backbone.forward_prepared`, then the
bundle's adapter) and writes each block as soon as its last batch is done. When the stride is a
whole number of patch pixels and patches overlap, neighbouring patches are read as one window of
up to 8 x 8 patches and cut from it (the pixels are the same: GDAL samples the same source
positions), which reads each source pixel once instead of up to four times
(:func:`choose_union`).
"""

from __future__ import annotations

import contextlib
import queue
import threading

import numpy as np

from ..io.patches import PatchReader
from .grid import Grid
from .mask import AreaMask
from .model import EmbedModel

MAX_UNION = 8               # at most 8 x 8 overlapping patches read as one window
UNION_BYTES = 24 << 20      # ... and at most this much per window
PRECHECK_MARGIN = 0.15
# GDAL's block cache above which a reader drops its own blocks: memory stays flat whatever
# the raster's size, without lowering the process-wide limit other tasks and QGIS share
CACHE_SHARE = 32 << 20


def choose_union(model: EmbedModel, step: float, unit_m: float, block_px: int) -> tuple[int, int]:
    """(patches per side read as one window, the stride in patch pixels). Windows of several
    patches only when the stride is a whole number of patch pixels and patches overlap."""
    pp = model.patch_px
    patch_map = model.patch_m / unit_m
    step_px_f = step / (patch_map / pp)
    step_px = int(round(step_px_f))
    union = 1
    if abs(step_px_f - step_px) < 1e-6 and 0 < step_px <= pp:
        for k in (8, 4, 2):
            upx = (k - 1) * step_px + pp
            if k <= MAX_UNION and upx * upx * len(model.bands) * 4 <= UNION_BYTES:
                union = k
                break
    return min(union, block_px), step_px


class _Stop(Exception):
    pass


class _Pending:
    """The valid patches of one block not yet handed on as a batch."""

    def __init__(self):
        self.rows: list = []
        self.cols: list = []
        self.data: list = []
        self.n_batches = 0

    def add(self, row: int, col: int, data: np.ndarray) -> None:
        self.rows.append(row)
        self.cols.append(col)
        self.data.append(data)


class PatchProducer:
    """Reads, resamples and prepares the patches of output blocks in worker threads.

    Items on :attr:`out` (or from :meth:`inline_items`): ``("batch", block id, rows, cols,
    prepared input)``, ``("block", block id, number of batches)`` once a block is read,
    ``("error", exception)`` and, from each worker at its end, ``("worker-done",)``."""

    def __init__(self, *, ortho, model: EmbedModel, grid: Grid, blocks: list,
                 min_valid: float, batch_size: int, union: int, step_px: int,
                 mask: AreaMask | None, n_workers: int, queue_size: int, bounds: tuple,
                 unit_m: float):
        self.ortho = str(ortho)
        self.model = model
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
        self._numpy_ok = None
        self._lock = threading.Lock()
        # the side of a union window (map units) and the raster's bounds
        self.union_size = (self.union - 1) * grid.step + model.patch_m / unit_m
        self.bounds = bounds

    def start(self):
        for thread in self.threads:
            thread.start()

    def shutdown(self):
        self.stop.set()
        while any(thread.is_alive() for thread in self.threads):
            with contextlib.suppress(queue.Empty):
                while True:
                    self.out.get_nowait()
            for thread in self.threads:
                thread.join(timeout=0.05)

    def inline_items(self):
        """All items, read on the calling thread (``workers=0``)."""
        with self._readers() as readers:
            yield from self._items(*readers)

    # -- the worker threads

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
            with self._readers() as readers:
                for item in self._items(*readers):
                    self._put(item)
        except _Stop:
            pass
        except BaseException as exc:       # handed to the compute thread, which raises it
            with contextlib.suppress(_Stop):
                self._put(("error", exc))
        finally:
            with contextlib.suppress(_Stop):
                self._put(("worker-done",))

    @contextlib.contextmanager
    def _readers(self):
        """(patch reader, union-window reader or None, mask rasterizer or None) of one
        thread, closed afterwards."""
        model = self.model
        reader = PatchReader(self.ortho, model.patch_m, model.patch_px, model.resampling,
                             model.bands)
        ureader = None
        if self.union > 1:
            ureader = PatchReader(self.ortho, self.union_size * reader.info.linear_unit_m,
                                  (self.union - 1) * self.step_px + model.patch_px,
                                  model.resampling, model.bands)
        rasterize = self.mask.rasterizer() if self.mask is not None else None
        try:
            yield reader, ureader, rasterize
        finally:
            reader.close()
            if ureader is not None:
                ureader.close()

    def _items(self, reader, ureader, rasterize):
        """The items of the blocks left to read, until none is left or :attr:`stop`."""
        while not self.stop.is_set():
            try:
                block = self.todo.get_nowait()
            except queue.Empty:
                break
            yield from self._block_items(block, reader, ureader, rasterize)

    # -- one block

    def _block_items(self, block, reader, ureader, rasterize):
        """The items of one output block: ("batch", block id, rows, cols, prepared input)
        for each batch of its valid patches, then ("block", block id, number of batches)."""
        uid, c0, r0, w, h = block
        k = self.union
        want = np.ones((h, w), dtype=bool)
        if rasterize is not None:
            want &= rasterize(self.grid, c0, r0, w, h)
        pend = _Pending()
        for br in range(0, h, k):
            for bc in range(0, w, k):
                if self.stop.is_set():
                    raise _Stop()
                sub = want[br:br + k, bc:bc + k]
                if not sub.any():
                    continue
                if k == 1:
                    self._single(reader, c0 + bc, r0 + br, br, bc, pend)
                else:
                    self._window(reader, ureader, c0, r0, br, bc, sub, pend)
                for rd in (reader, ureader):
                    if rd is not None:
                        rd.drop_cached_blocks(above=CACHE_SHARE)
                yield from self._batches(uid, pend)
        yield from self._batches(uid, pend, final=True)
        yield ("block", uid, pend.n_batches)

    def _batches(self, uid: int, pend: _Pending, final: bool = False):
        """Full batches of the pending patches (with ``final``, the rest too), prepared."""
        while len(pend.data) >= self.batch_size or (final and pend.data):
            n = min(self.batch_size, len(pend.data))
            x = self._prepare(np.stack(pend.data[:n]))
            item = ("batch", uid, np.asarray(pend.rows[:n]), np.asarray(pend.cols[:n]), x)
            del pend.rows[:n], pend.cols[:n], pend.data[:n]
            pend.n_batches += 1
            yield item

    def _single(self, reader, col, row, r_in, c_in, pend: _Pending):
        x, y = self.grid.cx(col), self.grid.cy(row)
        if self._precheck_skip(reader.valid_fraction(x, y)):
            return
        patch = reader.read(x, y)
        if self._keep(patch.valid_fraction):
            pend.add(r_in, c_in, patch.data)

    def _window(self, reader, ureader, c0, r0, br, bc, sub, pend: _Pending):
        """The patches of the window of ``union`` x ``union`` output pixels at block row
        ``br``, column ``bc`` whose ``sub`` is set, read as one window where it can be."""
        grid, k = self.grid, self.union
        half = (k - 1) / 2.0 * grid.step
        xc, yc = grid.cx(c0 + bc) + half, grid.cy(r0 + br) - half
        if not self._inside(xc, yc):
            # across the raster's edge GDAL reads through a padded copy, whose values differ
            # (by <= 0.5 DN for 8-bit) from a direct read: read these patches one by one,
            # exactly as PatchReader.read does
            for a in range(sub.shape[0]):
                for b in range(sub.shape[1]):
                    if sub[a, b]:
                        self._single(reader, c0 + bc + b, r0 + br + a, br + a, bc + b, pend)
            return
        sp, pp = self.step_px, self.model.patch_px
        cheap = ureader.valid_fraction(xc, yc, px=max(32, (8 * ureader.patch_px) // pp))
        if cheap <= 0.0:
            return
        window = ureader.read(xc, yc)
        for a in range(sub.shape[0]):
            for b in range(sub.shape[1]):
                if not sub[a, b]:
                    continue
                sl = (slice(a * sp, a * sp + pp), slice(b * sp, b * sp + pp))
                if self._keep(float(window.valid[sl].mean())):
                    pend.add(br + a, bc + b, window.data[(slice(None),) + sl])

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

    # -- preparing a batch

    def _prepare(self, raw: np.ndarray):
        """:meth:`Backbone.prepare` without torch on this thread when no resize is needed.

        Torch ops called from a reader thread start a second OpenMP team whose threads
        compete with the model's for the cores (measured: the forward pass runs up to 20 %
        slower). Normalising in numpy gives the same float32 values (one IEEE subtraction
        and division per value, then invalid pixels, NaN, set to 0); the first batch checks
        that it is bit for bit what Backbone.prepare gives, else prepare is used throughout."""
        import torch

        bb = self.model.backbone
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
        x = np.where(np.isnan(x), np.float32(0.0), x)  # nodata at the band mean, as prepare does
        tensor = torch.from_numpy(np.ascontiguousarray(x))
        if self._numpy_ok is None:
            with self._lock:
                if self._numpy_ok is None:
                    ref = bb.prepare(raw).cpu()
                    self._numpy_ok = bool(ref.shape == tensor.shape and torch.equal(ref, tensor))
            if not self._numpy_ok:
                return bb.prepare(raw)
        return tensor.to(bb.device) if bb.device.type != "cpu" else tensor
