"""The output grid of an embedding and the area it covers.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import BotaclipError


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

    def spread_centres(self, n: int = 64):
        """Centres (x, y) of up to ``n`` output pixels spread evenly over the grid, row by
        row (the candidates of a sample of patches)."""
        cand = np.linspace(0, self.width * self.height - 1, num=min(n, self.width * self.height))
        for idx in np.unique(cand.astype(np.int64)):
            r, c = divmod(int(idx), self.width)
            yield self.cx(c), self.cy(r)

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


def intersect(area, box) -> list:
    """The intersection of two (xmin, ymin, xmax, ymax) boxes (empty when xmin >= xmax or
    ymin >= ymax)."""
    return [max(area[0], box[0]), max(area[1], box[1]), min(area[2], box[2]),
            min(area[3], box[3])]


def is_empty(area) -> bool:
    return area[0] >= area[2] or area[1] >= area[3]
