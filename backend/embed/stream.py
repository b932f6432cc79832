"""The compute side of the streaming loop: prepared batches from the :class:`.reader.
PatchProducer` through the model, and each output block into the temporary GeoTIFF (and
``done.txt``) as soon as its last batch is done. Only the calling thread runs the model."""

from __future__ import annotations

import functools
import queue
import time
from dataclasses import dataclass

import numpy as np

from ..progress import Progress
from .cog import write_block
from .model import EmbedModel
from .reader import PatchProducer
from .state import EmbedState


@dataclass
class StreamStats:
    """What the streaming loop did."""

    n_computed: int = 0             # patches computed by this run
    forward_seconds: float = 0.0    # model time on this thread
    loop_seconds: float = 0.0       # reading + model + writing
    loop_cpu_seconds: float = 0.0   # CPU time of the process (all threads) in the loop
    cancelled: bool = False


@dataclass
class _Block:
    buf: np.ndarray | None = None   # [h, w, D] float32, NaN where no patch was computed
    got: int = 0                    # batches received
    expect: int | None = None       # batches the reader made (known once it read the block)
    n_patches: int = 0              # patches computed


class BlockWriter:
    """Gathers the embeddings of each output block and writes the block into the temporary
    GeoTIFF ``ds`` (marking it in ``done_fh``) once all its batches are in."""

    def __init__(self, ds, state: EmbedState, done_fh, blocks: list, D: int, dtype: str,
                 px_done: int):
        self.ds = ds
        self.state = state
        self.done_fh = done_fh
        self.blocks = blocks        # (id, c0, r0, w, h), indexed by id
        self.D = D
        self.dtype = dtype
        self.pending: dict = {}
        self.n_written = 0          # blocks written by this run
        self.px_done = px_done      # output pixels of finished blocks, earlier runs' included

    def add(self, uid: int, rows, cols, emb: np.ndarray) -> None:
        ent = self.pending.setdefault(uid, _Block())
        if ent.buf is None:
            _, _, _, w, h = self.blocks[uid]
            ent.buf = np.full((h, w, self.D), np.nan, dtype=np.float32)
        ent.buf[rows, cols] = emb
        ent.got += 1
        ent.n_patches += len(rows)

    def expect(self, uid: int, n_batches: int) -> None:
        self.pending.setdefault(uid, _Block()).expect = n_batches

    def finish(self, uid: int) -> None:
        """Write block ``uid`` if all its batches are in."""
        ent = self.pending[uid]
        if ent.expect is None or ent.got != ent.expect:
            return
        _, c0, r0, w, h = self.blocks[uid]
        write_block(self.ds, ent.buf, c0, r0, self.dtype)
        self.state.mark(self.done_fh, uid, ent.n_patches)
        self.n_written += 1
        self.px_done += w * h
        del self.pending[uid]


def _embedder(model: EmbedModel):
    """A function: prepared batch -> embeddings [n, D] (numpy float32) of ``model``."""
    bb = model.backbone
    adapter = None
    if model.bundle is not None and bb.device.type != "cpu":
        adapter = model.bundle.adapter.to(bb.device)

    def embed(x) -> np.ndarray:
        feats = bb.forward_prepared(x)
        if model.bundle is None:
            return feats.cpu().numpy()
        if adapter is None:
            return model.bundle.embed_image_features(feats.cpu().numpy())
        import torch

        from ..models.heads import l2_normalize
        with torch.no_grad():
            return l2_normalize(adapter(feats)).float().cpu().numpy()

    return embed


def _item_source(prod: PatchProducer, n_workers: int):
    """(a function giving the next item, the number of sources that will end with
    "worker-done", a function closing them): the worker threads' queue, or the items read
    on this thread when ``n_workers`` is 0."""
    if n_workers:
        prod.start()
        return functools.partial(prod.out.get, timeout=0.2), len(prod.threads), lambda: None
    source = prod.inline_items()
    return (lambda: next(source, ("worker-done",))), 1, source.close


def stream_blocks(prod: PatchProducer, model: EmbedModel, writer: BlockWriter, *,
                  n_workers: int, total_px: int, patches_resumed: int, progress: Progress,
                  keep: list | None) -> StreamStats:
    """Run the model on every batch ``prod`` reads until all blocks are written, a reader
    fails (its exception is raised here) or ``progress`` is cancelled (then
    :attr:`StreamStats.cancelled`). ``keep`` (benchmarks) receives every prepared batch."""
    stats = StreamStats()
    t_loop = time.perf_counter()
    cpu_loop = time.process_time()
    embed = _embedder(model)
    loop_progress = progress.sub(0.02, 0.9)
    px_start = writer.px_done
    next_item, alive, close = _item_source(prod, n_workers)
    try:
        while alive or writer.pending:
            try:
                item = next_item()
            except queue.Empty:
                if progress.is_cancelled():
                    stats.cancelled = True
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
            if kind == "batch":
                _, uid, rows, cols, x = item
                if keep is not None:
                    keep.append(x)
                t0 = time.perf_counter()
                emb = embed(x)
                stats.forward_seconds += time.perf_counter() - t0
                writer.add(uid, rows, cols, emb)
                stats.n_computed += len(rows)
            elif kind == "block":
                writer.expect(item[1], item[2])
            writer.finish(item[1])
            elapsed = time.perf_counter() - t_loop
            rate = stats.n_computed / elapsed if elapsed > 0 else 0.0
            frac = writer.px_done / total_px if total_px else 1.0
            loop_progress.report(frac, f"Embedding: {stats.n_computed + patches_resumed} "
                                       f"patches, {rate:.1f}/s"
                                       + _eta(writer.px_done - px_start,
                                              total_px - writer.px_done, elapsed))
            if progress.is_cancelled():
                stats.cancelled = True
                break
    finally:
        prod.shutdown()
        close()                     # closes the readers of the calling thread
        writer.ds.FlushCache()
    stats.loop_seconds = time.perf_counter() - t_loop
    stats.loop_cpu_seconds = time.process_time() - cpu_loop
    return stats


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
