"""Deterministic noise without stored grids: hashed lattice values, smoothly interpolated.

Every value is a pure function of (seed, layer, coordinates), so a strip of the scene can be
rendered on its own and still join its neighbours seamlessly, whatever the strip size, and the
memory used does not grow with the scene.
"""

from __future__ import annotations

import numpy as np

_MASK = 0xFFFFFFFF


def layer_key(seed: int, layer: int) -> int:
    """A 32-bit key for one noise layer of one seed."""
    h = (int(seed) * 0x9E3779B1 + int(layer) * 0x85EBCA77 + 0x165667B1) & _MASK
    for mul in (0x7FEB352D, 0x846CA68B):
        h ^= h >> 16
        h = (h * mul) & _MASK
    return h ^ (h >> 16)


def hash2(ix, iy, key: int) -> np.ndarray:
    """uint32 hash of integer lattice coordinates (any int arrays, broadcast together)."""
    ix = (np.asarray(ix, dtype=np.int64) & _MASK).astype(np.uint32)
    iy = (np.asarray(iy, dtype=np.int64) & _MASK).astype(np.uint32)
    h = (ix * np.uint32(0x9E3779B1)) ^ (iy * np.uint32(0x85EBCA77) + np.uint32(key))
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x7FEB352D)
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x846CA68B)
    h ^= h >> np.uint32(16)
    return h


def unit(h: np.ndarray) -> np.ndarray:
    """uint32 hash -> float32 uniform in [0, 1)."""
    return (h >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / (1 << 24))


def signed(h: np.ndarray) -> np.ndarray:
    """uint32 hash -> float32 uniform in [-1, 1)."""
    return unit(h) * np.float32(2.0) - np.float32(1.0)


def _cells(coord, scale, offset):
    g = np.asarray(coord, dtype=np.float64) / scale + offset
    i = np.floor(g)
    t = (g - i).astype(np.float32)
    return i.astype(np.int64), t * t * (np.float32(3.0) - np.float32(2.0) * t)


def value_noise_grid(xs, ys, scale: float, key: int) -> np.ndarray:
    """Value noise in [-1, 1] on the grid ``ys`` (rows) x ``xs`` (columns), float32.

    Lattice spacing ``scale`` in the units of the coordinates. Separable: hashes only the
    lattice rows and columns the grid touches, then interpolates along x and along y.
    """
    off = (key & 0xFFFF) / 65536.0  # shift each layer's lattice so octaves do not align
    ix, sx = _cells(xs, scale, off)
    iy, sy = _cells(ys, scale, 1.0 - off)
    x0, y0 = int(ix.min()), int(iy.min())
    lx = np.arange(x0, int(ix.max()) + 2)
    ly = np.arange(y0, int(iy.max()) + 2)
    lat = signed(hash2(lx[None, :], ly[:, None], key))
    cx = ix - x0
    rows = lat[:, cx] * (1 - sx) + lat[:, cx + 1] * sx  # (lattice rows, len(xs))
    cy = iy - y0
    return rows[cy] * (1 - sy)[:, None] + rows[cy + 1] * sy[:, None]


def value_noise_points(xs, ys, scale: float, key: int) -> np.ndarray:
    """Value noise at scattered points, the same function as :func:`value_noise_grid`."""
    off = (key & 0xFFFF) / 65536.0
    ix, sx = _cells(xs, scale, off)
    iy, sy = _cells(ys, scale, 1.0 - off)
    h00 = signed(hash2(ix, iy, key))
    h01 = signed(hash2(ix + 1, iy, key))
    h10 = signed(hash2(ix, iy + 1, key))
    h11 = signed(hash2(ix + 1, iy + 1, key))
    a = h00 * (1 - sx) + h01 * sx
    b = h10 * (1 - sx) + h11 * sx
    return a * (1 - sy) + b * sy


def fbm(xs, ys, scale: float, key: int, octaves: int = 3, grid: bool = True) -> np.ndarray:
    """Sum of ``octaves`` value-noise layers, each half the scale and amplitude, about [-1, 1]."""
    f = value_noise_grid if grid else value_noise_points
    out = None
    amp, total = 1.0, 0.0
    for o in range(octaves):
        n = f(xs, ys, scale / (2 ** o), layer_key(key, o))
        out = n * np.float32(amp) if out is None else out + n * np.float32(amp)
        total += amp
        amp *= 0.5
    return out * np.float32(1.0 / total)


def white(cols, rows, key: int) -> np.ndarray:
    """Per-pixel uniform noise in [-1, 1) for pixel indices ``rows`` x ``cols`` (grid)."""
    return signed(hash2(np.asarray(cols)[None, :], np.asarray(rows)[:, None], key))
