"""The output grid cut into tiles, the unit of work of a distributed embedding.

A tile is a rectangle of whole output blocks of the single-machine engine (``block_px``
pixels square, :mod:`backend.embed.engine`), so a tile computes exactly the blocks, patch
centres and batches the whole run would (batches never span blocks): the tiles mosaic into
the very raster one process would write. Tiles are square, ``side`` blocks a side, chosen so
that a tile holds about ``tile_patches`` output pixels (patches): a few thousand keep the
scheduling cost (a task, a tile COG, a manifest line) far below the compute (minutes on a
CPU, seconds on a GPU) while a lost worker loses little. The last row and column of tiles
are cut at the grid's edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import BotaclipError

DEFAULT_TILE_PATCHES = 4096
MIN_TILE_PATCHES, MAX_TILE_PATCHES = 64, 1 << 22


@dataclass(frozen=True)
class Tile:
    """One tile: its row and column among the tiles, and its window (c0, r0, w, h) in the
    full grid's pixels."""

    row: int
    col: int
    c0: int
    r0: int
    w: int
    h: int

    @property
    def name(self) -> str:
        """The tile's file name in the tile folder."""
        return f"tile_{self.row:04d}_{self.col:04d}.tif"

    @property
    def window(self) -> tuple:
        return (self.c0, self.r0, self.w, self.h)

    @property
    def pixels(self) -> int:
        return self.w * self.h


def tile_side_px(block_px: int, tile_patches: int) -> int:
    """The side of a tile in output pixels: a whole number of blocks (at least one) whose
    square is closest to ``tile_patches``."""
    n = int(tile_patches)
    if not MIN_TILE_PATCHES <= n <= MAX_TILE_PATCHES:
        raise BotaclipError(f"--tile-patches must be between {MIN_TILE_PATCHES} and "
                            f"{MAX_TILE_PATCHES} patches per tile (got {tile_patches}); "
                            f"{DEFAULT_TILE_PATCHES}, the default, suits CPUs and GPUs.")
    blocks = max(1, round(math.sqrt(n) / block_px))
    return blocks * block_px


def split_grid(width: int, height: int, block_px: int, tile_patches: int) -> list[Tile]:
    """The tiles of a ``width`` x ``height`` grid, row by row from the north-west."""
    return tiles_of_side(width, height, tile_side_px(block_px, tile_patches))


def tiles_of_side(width: int, height: int, side: int) -> list[Tile]:
    """The tiles of ``side`` pixels (a whole number of blocks) of a ``width`` x ``height``
    grid, row by row from the north-west; the last row and column cut at the edge."""
    tiles = []
    for row, r0 in enumerate(range(0, height, side)):
        for col, c0 in enumerate(range(0, width, side)):
            tiles.append(Tile(row, col, c0, r0, min(side, width - c0), min(side, height - r0)))
    return tiles
