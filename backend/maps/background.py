"""Background points for presence-only targets, drawn uniformly from the valid pixels of an
embedding raster.

Presence-only data (occurrence records) have no absences; the model learns presences against
the conditions available in the study area, sampled by background points (Phillips et al.
2009). "Available" means: a pixel that has an embedding, so the background is drawn from the
raster's valid pixels (every band finite, none equal to its band's nodata value, not masked
-- the rule :func:`..maps.points.read_pixels` applies to points), never from nodata borders.

Drawing is exact and memory-flat: the raster is read one block at a time; each valid pixel
gets an independent uniform random key and the ``n`` pixels with the smallest keys are kept
(a random permutation's first ``n``: every set of ``n`` valid pixels is equally likely), so
memory holds one block and ``n`` candidates whatever the raster's size. The keys come from one
generator seeded with ``seed`` and the blocks are read in a fixed order, so a seed always gives
the same points. The count drawn, the number of valid pixels and the seed are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..errors import BotaclipError
from ..io.raster import open_raster
from ..progress import SILENT, Progress
from .points import valid_window

# Rows read at once when the raster is stored in strips of a few rows: a window of at least
# this many rows keeps the number of reads (and per-read overhead) low while a window of a
# 64-band float32 raster 10 000 pixels wide stays near 64 * 10 000 * 64 * 4 B = 164 MB.
MIN_WINDOW_ROWS = 64


@dataclass
class Background:
    """Background points: pixel ``rows``/``cols`` and their centres ``x``/``y`` (raster CRS;
    NaN when drawn from bare masks without a geotransform), ``n_valid`` pixels they were
    drawn from, and the ``seed``. ``messages`` say it in words for the report."""

    rows: np.ndarray
    cols: np.ndarray
    x: np.ndarray
    y: np.ndarray
    n_valid: int
    seed: int
    messages: list = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(len(self.rows))


def valid_blocks(path, progress: Progress = SILENT) -> Iterator[tuple[int, int, np.ndarray]]:
    """(row0, col0, valid mask (h, w) bool) per block of the raster at ``path``, in row-major
    order; only one block's values are in memory at a time."""
    ds = open_raster(path)
    nb = ds.RasterCount
    band1 = ds.GetRasterBand(1)
    bx, by = band1.GetBlockSize()
    by = max(int(by), MIN_WINDOW_ROWS)
    bx = int(bx)
    n_rows = (ds.RasterYSize + by - 1) // by
    for i, r0 in enumerate(range(0, ds.RasterYSize, by)):
        h = min(by, ds.RasterYSize - r0)
        for c0 in range(0, ds.RasterXSize, bx):
            w = min(bx, ds.RasterXSize - c0)
            win = ds.ReadAsArray(c0, r0, w, h).reshape(nb, h, w)
            yield r0, c0, valid_window(ds, win, c0, r0)
        progress.report((i + 1) / n_rows, "Drawing background points")
        progress.check()


def sample_valid(blocks: Iterable[tuple[int, int, np.ndarray]], n: int, seed: int
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """(rows, cols, number of valid pixels): ``n`` valid pixels drawn uniformly without
    replacement from ``blocks`` of (row0, col0, valid mask), smallest random keys first.
    Rows and columns come sorted by key, i.e. in the random order of the draw."""
    rng = np.random.default_rng(int(seed))
    keys = np.empty(0)
    rows = np.empty(0, dtype="int64")
    cols = np.empty(0, dtype="int64")
    n_valid = 0
    for r0, c0, ok in blocks:
        rr, cc = np.nonzero(ok)
        n_valid += rr.size
        if not rr.size:
            continue
        keys = np.concatenate([keys, rng.random(rr.size)])
        rows = np.concatenate([rows, rr.astype("int64") + r0])
        cols = np.concatenate([cols, cc.astype("int64") + c0])
        if keys.size > n:
            keep = np.argpartition(keys, n)[:n] if n else np.empty(0, dtype="int64")
            keys, rows, cols = keys[keep], rows[keep], cols[keep]
    order = np.argsort(keys, kind="stable")
    return rows[order], cols[order], n_valid


def draw_background(source, n: int, seed: int, *, progress: Progress = SILENT) -> Background:
    """``n`` background points drawn uniformly from the valid pixels of ``source``: an
    embedding raster's path, or an iterable of (row0, col0, valid mask) blocks (a valid-mask
    reader such as :func:`valid_blocks`). Refused when the raster has fewer valid pixels
    than ``n``, with the number it has."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise BotaclipError(f"The number of background points must be a positive whole "
                            f"number, not {n!r}; 10 000 is the usual choice.")
    n = int(n)
    gt = None
    label = "the given valid-pixel mask"
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        gt = open_raster(source).GetGeoTransform()
        label = str(source)
        source = valid_blocks(source, progress)
    rows, cols, n_valid = sample_valid(source, n, seed)
    if n_valid < n:
        raise BotaclipError(
            f"{label} has only {n_valid} valid (non-nodata) pixels, fewer than the {n} "
            f"background points asked for. Ask for at most {n_valid} background points, or "
            "use a raster covering a larger area.")
    if gt is not None:
        x = gt[0] + (cols + 0.5) * gt[1] + (rows + 0.5) * gt[2]
        y = gt[3] + (cols + 0.5) * gt[4] + (rows + 0.5) * gt[5]
    else:
        x = y = np.full(n, np.nan)
    out = Background(rows, cols, x, y, n_valid, int(seed))
    out.messages.append(f"{n} background points drawn uniformly from the {n_valid} valid "
                        f"pixels of {label} (seed {int(seed)}).")
    return out
