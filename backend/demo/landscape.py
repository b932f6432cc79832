"""The synthetic alpine landscape: environmental fields, habitats and the rendered orthophoto.

Coarse fields (elevation, moisture, lake shape, habitat thresholds) live on a ~5 m grid for
the whole scene; everything finer (habitat edges, crowns, stones, textures) is a pure function
of the coordinates (hashed noise), so the 0.5 m image is rendered in row strips that join
seamlessly and memory stays flat whatever the scene size.

Local coordinates: ``u`` metres east of the west edge, ``w`` metres south of the north edge.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from . import noise as nz

BROADLEAF, CONIFER, GRASSLAND, SCREE, WETLAND, LAKE = 1, 2, 3, 4, 5, 6
HABITATS = {  # code: (name, colour for the truth raster)
    BROADLEAF: ("broadleaf forest", "#6aa84f"),
    CONIFER: ("conifer forest", "#1e5631"),
    GRASSLAND: ("subalpine grassland", "#c9e27f"),
    SCREE: ("scree", "#b9b3a6"),
    WETLAND: ("wetland", "#8c7a3c"),
    LAKE: ("lake", "#2b5d9c"),
}
LAND = (BROADLEAF, CONIFER, GRASSLAND, SCREE, WETLAND)

E_BOTTOM, E_TOP = 1300.0, 2300.0
WET_T = 0.47  # moisture above which the ground is a wetland

# Sun from the south-south-east (azimuth ~153 degrees) at 45 degrees: a cast-shadow step of
# one column east and two rows south points at the sun.
_SUN_STEP = (2, 1)  # (rows, cols) per step towards the sun
_SUN_EL = math.radians(55.0)
_SUN_AZ = math.atan2(_SUN_STEP[1], -_SUN_STEP[0]) % (2 * math.pi)  # from north, clockwise
_SUN = np.array([math.cos(_SUN_EL) * math.sin(_SUN_AZ),      # east
                 -math.cos(_SUN_EL) * math.cos(_SUN_AZ),     # south
                 math.sin(_SUN_EL)], dtype=np.float32)

# Colours (red, green, blue, near-infrared), uint8 digital numbers before shading. Vegetation
# reflects strongly in the NIR (broadleaf more than conifer), rock moderately, water hardly.
_C = {
    "floor": (54, 64, 44, 104), "broadleaf": (74, 104, 52, 206), "broadleaf2": (98, 112, 58, 188),
    "conifer": (50, 76, 56, 140), "lush": (92, 134, 66, 205), "alpine": (138, 146, 100, 198),
    "heath": (72, 78, 52, 118), "scree": (178, 172, 160, 160), "scree_gap": (96, 92, 86, 92),
    "sedge": (80, 102, 58, 168), "peat": (88, 76, 54, 112), "pool": (26, 38, 38, 9),
    "shallow": (46, 70, 62, 16), "deep": (16, 30, 42, 5), "track": (186, 166, 132, 160),
    "rut": (146, 126, 98, 122), "cotton": (225, 228, 222, 205),
}
_HAZE = np.array([3, 4, 9, 0], dtype=np.float32)


def _rgb(name):
    return np.array(_C[name], dtype=np.float32)[:, None, None]


def _smoothstep(t):
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _mix(a, b, t):
    """Blend colour arrays/vectors ``a`` -> ``b`` by weight ``t`` (broadcast over bands)."""
    return a + (b - a) * t


class Landscape:
    """All fields of one synthetic scene (``size_m`` square, ``pixel_m`` image pixels)."""

    def __init__(self, size_m: float, pixel_m: float, seed: int):
        self.size = float(size_m)
        self.pixel = float(pixel_m)
        self.seed = int(seed)
        self.n = int(round(self.size / self.pixel))
        self.x0 = 950000.0
        self.y_top = 6450000.0 + math.ceil(self.size)
        self.key = nz.layer_key(self.seed, 0xB07A)
        s = self.size
        rng = np.random.default_rng([self.seed & 0xFFFFFFFF, 0xB07A])
        # a valley winding from south to north, holding a lake about 60 % of the way up
        self.valley = (s * rng.uniform(0.38, 0.55), s * rng.uniform(0.05, 0.10),
                       rng.uniform(0.6, 1.1), rng.uniform(0.0, 2 * math.pi))
        self.valley_w = 0.11 * s
        self.lake_w = s * rng.uniform(0.33, 0.42)
        self.lake_u = float(self.valley_u(self.lake_w))
        r0 = float(np.clip(0.045 * s, 22.0, 250.0))
        self.lake_r0 = r0
        self.lake_rx, self.lake_ry = r0 * rng.uniform(1.1, 1.5), r0 * rng.uniform(0.7, 0.95)
        self.lake_angle = rng.uniform(-0.5, 0.5)
        # a track on one side of the valley, the whole way up
        side = -1.0 if rng.uniform() < 0.5 else 1.0
        self.track = (side * s * rng.uniform(0.2, 0.26), s * rng.uniform(0.03, 0.05),
                      rng.uniform(1.5, 2.5), rng.uniform(0.0, 2 * math.pi))
        # coarse grid (truth rasters)
        self.ng = max(16, int(round(s / 5.0)))
        self.cres = s / self.ng
        self._build_fields()

    # ------------------------------------------------------------------ coarse fields

    def valley_u(self, w):
        u0, amp, freq, ph = self.valley
        return u0 + amp * np.sin(2 * np.pi * freq * np.asarray(w, dtype=np.float64) / self.size
                                 + ph)

    def track_u(self, w):
        off, amp, freq, ph = self.track
        u = self.valley_u(w) + off + amp * np.sin(2 * np.pi * freq * np.asarray(w) / self.size
                                                   + ph)
        return np.clip(u, 0.08 * self.size, 0.92 * self.size)

    def _line_distance(self, u, w, line, dw=1.0):
        """Distance (m) from points to the curve u = line(w), for gentle curves."""
        w = np.asarray(w, dtype=np.float64)
        lu = line(w)
        slope = (line(w + dw) - line(w - dw)) / (2 * dw)
        return (np.abs(np.asarray(u, dtype=np.float64) - lu) / np.sqrt(1.0 + slope ** 2))

    def _build_fields(self):
        s, k = self.size, self.key
        c = (np.arange(self.ng) + 0.5) * self.cres
        u, w = c[None, :], c[:, None]
        v = 1.0 - w / s  # 0 at the bottom (south), 1 at the top (north)
        big = min(s / 2.5, 900.0)
        elev = E_BOTTOM + (E_TOP - E_BOTTOM) * v
        elev = elev + 100.0 * nz.fbm(c, c, big, nz.layer_key(k, 1), 3)
        elev = elev + 25.0 * nz.fbm(c, c, big / 4, nz.layer_key(k, 2), 2)
        dv = (u - self.valley_u(w)) / self.valley_w
        elev = elev - 80.0 * np.exp(-dv ** 2)
        # lake: a noisy rotated ellipse; the water is flat
        du, dw = u - self.lake_u, w - self.lake_w
        ca, sa = math.cos(self.lake_angle), math.sin(self.lake_angle)
        ex, ey = (du * ca + dw * sa) / self.lake_rx, (-du * sa + dw * ca) / self.lake_ry
        lake = np.sqrt(ex ** 2 + ey ** 2) - 1.0
        lake = lake + 0.22 * nz.fbm(c, c, self.lake_r0 * 0.8, nz.layer_key(k, 3), 2)
        iw = min(self.ng - 1, int(self.lake_w / self.cres))
        iu = min(self.ng - 1, int(self.lake_u / self.cres))
        e_water = float(elev[iw, iu]) - 3.0
        elev = np.where(lake < 0.0, e_water,
                        e_water + (elev - e_water) * _smoothstep(lake / 0.6)).astype(np.float32)
        # moisture: valley bottom, lake shore, hollows, noise
        hollow = ndimage.gaussian_filter(elev, sigma=max(1.0, 60.0 / self.cres),
                                         mode="nearest") - elev
        moist = (0.22 + 0.08 * np.exp(-(dv / 0.45) ** 2)
                 + 0.50 * np.exp(-np.maximum(lake, 0.0) * 2.2)
                 + 0.36 * nz.fbm(c, c, min(s / 7, 250.0), nz.layer_key(k, 4), 3)
                 + 0.06 * np.clip(hollow / 15.0, -1.0, 1.0) + 0.06 * (1.0 - v))
        self.elevation = elev.astype(np.float32)
        self.moisture = np.clip(moist, 0.0, 1.0).astype(np.float32)
        self.lake = lake.astype(np.float32)
        # habitat limits: conifer line, treeline, scree line (m), clearings (-1..1)
        self.conifer_line = (1540.0 + 70.0 * nz.fbm(c, c, s / 4, nz.layer_key(k, 5), 2)
                             ).astype(np.float32)
        # avalanche corridors and scree cones: streaks running down the slope
        uw = u + 0.06 * s * nz.fbm(c, c, s / 5, nz.layer_key(k, 11), 2)
        sig = max(0.5, 8.0 / self.cres)
        wb = np.broadcast_to(w, uw.shape)
        streak, streak2 = (
            ndimage.gaussian_filter(nz.fbm(uw * 3.0, wb, s / 2.5, nz.layer_key(k, lay), 3,
                                           grid=False), sig, mode="nearest")
            for lay in (9, 10))
        self.treeline = (1880.0 + 70.0 * nz.fbm(c, c, s / 4, nz.layer_key(k, 6), 3)
                         - 450.0 * np.maximum(streak - 0.25, 0.0)).astype(np.float32)
        self.scree_line = (2170.0 + 60.0 * nz.fbm(c, c, s / 4, nz.layer_key(k, 7), 3)
                           - 500.0 * np.maximum(streak2 - 0.2, 0.0)).astype(np.float32)
        self.clearing = nz.fbm(c, c, min(140.0, s / 3), nz.layer_key(k, 8), 3).astype(np.float32)
        # terrain shading; the regional slope is capped so small scenes are not all shadow
        gy, gx = np.gradient(elev.astype(np.float64) - (E_TOP - E_BOTTOM) * v, self.cres)
        gy = gy - min(0.5, (E_TOP - E_BOTTOM) / s)  # w points south, elevation rises north
        illum = (-gx * _SUN[0] - gy * _SUN[1] + _SUN[2]) / np.sqrt(1 + gx ** 2 + gy ** 2)
        self.hillshade = np.clip(1.0 + 0.4 * (illum / _SUN[2] - 1.0), 0.6, 1.3
                                 ).astype(np.float32)
        self.habitat = self.classify_points(np.broadcast_to(u, (self.ng, self.ng)),
                                            np.broadcast_to(w, (self.ng, self.ng)))["habitat"]

    # ------------------------------------------------------------------ sampling

    def _coarse_index(self, coord):
        f = np.asarray(coord, dtype=np.float64) / self.cres - 0.5
        f = np.clip(f, 0.0, self.ng - 1.000001)
        i = np.floor(f).astype(np.int64)
        return i, (f - i).astype(np.float32)

    def _interp_points(self, grid, iu, fu, iw, fw):
        a = grid[iw, iu] * (1 - fw) + grid[iw + 1, iu] * fw
        b = grid[iw, iu + 1] * (1 - fw) + grid[iw + 1, iu + 1] * fw
        return a * (1 - fu) + b * fu

    def _interp_grid(self, grid, iu, fu, iw, fw):
        rows = grid[iw] * (1 - fw)[:, None] + grid[iw + 1] * fw[:, None]
        return rows[:, iu] * (1 - fu) + rows[:, iu + 1] * fu

    _FIELDS = ("elevation", "moisture", "lake", "conifer_line", "treeline", "scree_line",
               "clearing", "hillshade")

    def _classify(self, f, edge):
        e = f["elevation"]
        cls = np.full(e.shape, BROADLEAF, dtype=np.uint8)
        cls[e > f["conifer_line"] + 30.0 * edge] = CONIFER
        grass = (e > f["treeline"] + 35.0 * edge) | (f["clearing"] + 0.25 * edge > 0.42)
        cls[grass] = GRASSLAND
        cls[e > f["scree_line"] + 40.0 * edge] = SCREE
        wet = (f["moisture"] + 0.07 * edge > WET_T) & (e < f["scree_line"] - 30.0)
        cls[wet] = WETLAND
        cls[f["lake"] + 0.06 * edge < 0.0] = LAKE
        f["habitat"] = cls
        return f

    def classify_points(self, u, w) -> dict:
        """Fields and habitat code at points (local metres); arrays shaped like ``u``."""
        iu, fu = self._coarse_index(u)
        iw, fw = self._coarse_index(w)
        f = {name: self._interp_points(getattr(self, name), iu, fu, iw, fw)
             for name in self._FIELDS}
        edge = nz.fbm(u, w, 14.0, nz.layer_key(self.key, 20), 3, grid=False)
        return self._classify(f, edge)

    def classify_grid(self, us, ws) -> dict:
        """Fields and habitat code on the grid ``ws`` (rows) x ``us`` (columns)."""
        iu, fu = self._coarse_index(us)
        iw, fw = self._coarse_index(ws)
        f = {name: self._interp_grid(getattr(self, name), iu, fu, iw, fw)
             for name in self._FIELDS}
        edge = nz.fbm(us, ws, 14.0, nz.layer_key(self.key, 20), 3)
        return self._classify(f, edge)

    def to_crs(self, u, w):
        """Local metres -> EPSG:2154 (x, y)."""
        return self.x0 + np.asarray(u, dtype=np.float64), self.y_top - np.asarray(w, np.float64)

    def geotransform(self, pixel: float):
        return (self.x0, pixel, 0.0, self.y_top, 0.0, -pixel)

    # ------------------------------------------------------------------ trees

    def _tree_density(self, kind, f):
        """Probability that a tree cell of ``kind`` holds a tree, from the fields at its centre."""
        cls, e = f["habitat"], f["elevation"]
        open_ = _smoothstep((e - (f["treeline"] - 170.0)) / 170.0)  # forest thins near treeline
        if kind == "conifer":
            p = np.where(cls == CONIFER, 0.85 - 0.55 * open_, 0.0)
            p = np.where(cls == BROADLEAF, 0.08, p)
            p = np.where(cls == GRASSLAND, 0.05 * (e < f["treeline"] + 60.0), p)
            p = np.where(cls == WETLAND, 0.03 * (e < f["treeline"]), p)
        else:
            p = np.where(cls == BROADLEAF, 0.93, 0.0)
            p = np.where((cls == CONIFER) & (e < f["conifer_line"] + 120.0), 0.12, p)
            p = np.where((cls == GRASSLAND) & (e < 1600.0), 0.02, p)
        return p.astype(np.float32), open_

    def _canopy(self, r0, r1, c1, kind):
        """Canopy height (m), shading and tone for pixel rows r0..r1, columns 0..c1."""
        px = self.pixel
        cell_m = 4.5 if kind == "conifer" else 5.5
        cp = max(2, int(round(cell_m / px)))
        gk = nz.layer_key(self.key, 100 if kind == "conifer" else 200)
        ci0, ci1 = r0 // cp, (r1 - 1) // cp + 1
        cj1 = (c1 - 1) // cp + 1
        ci = np.arange(ci0 - 1, ci1 + 1)[:, None]
        cj = np.arange(-1, cj1 + 1)[None, :]
        jx = nz.unit(nz.hash2(cj, ci, gk + 1)) * cp
        jy = nz.unit(nz.hash2(cj, ci, gk + 2)) * cp
        tu = (cj * cp + jx) * px
        tw = (ci * cp + jy) * px
        f = self.classify_points(tu, tw)
        p, open_ = self._tree_density(kind, f)
        present = nz.unit(nz.hash2(cj, ci, gk + 3)) < p
        # keep the track, the stream and the lake shore clear of crowns
        present &= self._line_distance(tu, tw, self.track_u) > 4.5
        present &= ~self._stream_mask(tu, tw, 4.0)
        present &= f["lake"] > 0.12
        size = nz.unit(nz.hash2(cj, ci, gk + 4))
        shrink = 1.0 - 0.35 * open_  # smaller trees near the treeline
        if kind == "conifer":
            r = np.minimum((2.0 + 1.6 * size) * shrink, cp * px) / px
            h = (15.0 + 13.0 * size) * shrink
        else:  # a closed canopy of rounded crowns of similar height
            r = np.minimum((3.4 + 1.6 * size) * shrink, cp * px) / px
            h = (19.0 + 5.0 * nz.unit(nz.hash2(cj, ci, gk + 7))) * shrink
        r = np.where(present, r, 0.0).astype(np.float32)
        h = h.astype(np.float32)
        tone = nz.signed(nz.hash2(cj, ci, gk + 5))
        tone2 = nz.unit(nz.hash2(cj, ci, gk + 6))
        # 4-D broadcast: (cell row, pixel row in cell, cell col, pixel col in cell)
        nci, ncj = ci1 - ci0, cj1
        loc = np.arange(cp, dtype=np.float32) + 0.5
        ly, lx = loc[None, :, None, None], loc[None, None, None, :]
        shape = (nci, cp, ncj, cp)
        zbest = np.zeros(shape, np.float32)
        best = {k: np.zeros(shape, np.float32) for k in ("dx", "dy", "r", "h", "t", "t2")}
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                sl = (slice(1 + di, 1 + di + nci), slice(1 + dj, 1 + dj + ncj))

                def cell(a, sl=sl):
                    return a[sl][:, None, :, None]

                rr = cell(r)
                dx = lx - (cell(jx) + dj * cp)
                dy = ly - (cell(jy) + di * cp)
                q = (dx * dx + dy * dy) / np.maximum(rr * rr, 1e-6)
                inside = q < 1.0
                hh = cell(h)
                if kind == "conifer":
                    z = hh * (1.0 - 0.65 * np.sqrt(q))
                else:
                    cd = np.float32(0.6 * px) * rr  # crown depth: a flattened dome
                    z = hh - cd + cd * np.sqrt(np.maximum(1.0 - q, 0.0))
                upd = inside & (z > zbest)
                zbest = np.where(upd, z, zbest)
                for name, val in (("dx", dx), ("dy", dy), ("r", rr), ("h", hh),
                                  ("t", cell(tone)), ("t2", cell(tone2))):
                    best[name] = np.where(upd, val, best[name])

        def flat(a):
            a = a.reshape(nci * cp, ncj * cp)
            o = r0 - ci0 * cp
            return a[o:o + (r1 - r0), :c1]

        z = flat(zbest)
        dx, dy, rr, hh = (flat(best[k]) for k in ("dx", "dy", "r", "h"))
        d = np.sqrt(dx * dx + dy * dy) + 1e-3
        rm = np.maximum(rr, 1e-3) * px
        if kind == "conifer":
            gmag = np.full_like(hh, 2.2)  # cone: constant slope (steeper looks flat-lit)
        else:
            q = np.minimum((d * px / rm) ** 2, 0.97)
            gmag = np.minimum(0.6 * np.sqrt(q) / np.sqrt(1.0 - q), 3.0)
        gx, gy = -gmag * dx / d, -gmag * dy / d
        shade = (gx * -_SUN[0] + gy * -_SUN[1] + _SUN[2]) / np.sqrt(1 + gx * gx + gy * gy)
        shade = np.clip(shade / _SUN[2], 0.25, 1.5)
        return z, shade, flat(best["t"]), flat(best["t2"])

    def _stream_mask(self, u, w, half_width):
        below = np.asarray(w) > self.lake_w + 0.6 * self.lake_ry
        return below & (self._line_distance(u, w, self.valley_u) < half_width)

    # ------------------------------------------------------------------ rendering

    @property
    def shadow_steps(self) -> int:
        drop = math.hypot(*_SUN_STEP) * self.pixel * math.tan(_SUN_EL)
        return int(math.ceil(28.0 / drop))

    def render_strip(self, r0: int, r1: int) -> np.ndarray:
        """Image rows r0..r1 as a (4, rows, n) uint8 array: red, green, blue, NIR."""
        n, px = self.n, self.pixel
        nrow = r1 - r0
        rows = np.arange(r0, r1)
        us = (np.arange(n) + 0.5) * px
        ws = (rows + 0.5) * px
        f = self.classify_grid(us, ws)
        cls = f["habitat"]
        k = self.key
        fine = nz.white(np.arange(n), rows, nz.layer_key(k, 30))
        img = np.empty((4, nrow, n), np.float32)
        img[:] = _rgb("floor") * (1.0 + 0.15 * nz.fbm(us, ws, 3.0, nz.layer_key(k, 31), 2))
        # each habitat's texture is computed only on the rows where it occurs (habitats
        # come in elevation belts, so most strips hold only two or three of them)
        rocky = (cls == SCREE) | ((cls == GRASSLAND)
                                  & (f["elevation"] > f["scree_line"] - 140.0))
        for mask, paint in ((cls == GRASSLAND, self._paint_grass), (rocky, self._paint_rock),
                            (cls == WETLAND, self._paint_wetland),
                            (cls == LAKE, self._paint_lake)):
            rr = np.flatnonzero(mask.any(axis=1))
            if rr.size:
                sl = slice(int(rr[0]), int(rr[-1]) + 1)
                sub = {name: v[sl] for name, v in f.items()}
                out = paint(us, ws[sl], rows[sl], sub, fine[sl], img[:, sl])
                img[:, sl] = np.where(mask[sl][None], out, img[:, sl])
        self._paint_line(img, us, ws, cls, fine, self.valley_u, 0.9, "stream",
                         start_w=self.lake_w + 0.6 * self.lake_ry)
        self._paint_line(img, us, ws, cls, fine, self.track_u, 2.0, "track")
        shadow = self._paint_trees(img, r0, r1, fine)
        # shadows (blue keeps some skylight), terrain shading, haze, sensor noise
        dark = np.array([0.48, 0.48, 0.58, 0.54], np.float32)[:, None, None]
        img *= 1.0 - (1.0 - dark) * shadow[None]
        img *= f["hillshade"][None]
        img += _HAZE[:, None, None] + 2.0 * fine[None]
        return np.clip(np.rint(img), 0, 255).astype(np.uint8)

    def _tex(self, us, ws, scale, layer, octaves=2):
        return nz.fbm(us, ws, scale, nz.layer_key(self.key, layer), octaves)

    def _paint_grass(self, us, ws, rows, f, fine, under):
        """Lush where low and moist, paler and browner high and dry; dwarf-shrub heath
        patches around the treeline."""
        e, m, tl = f["elevation"], f["moisture"], f["treeline"]
        a = np.clip(0.5 + (e - tl) / 350.0 - (m - 0.4) * 1.5, 0.0, 1.0)
        g = _mix(_rgb("lush"), _rgb("alpine"), a[None])
        g = g * (1.0 + 0.10 * self._tex(us, ws, 1.5, 32) + 0.04 * fine)
        heath_w = np.clip(1.0 - np.abs(e - tl) / 220.0, 0.0, 1.0) * 0.55
        heath = _smoothstep((self._tex(us, ws, 7.0, 33, 3) + heath_w - 0.55) / 0.15)
        return _mix(g, _rgb("heath") * (1.0 + 0.15 * self._tex(us, ws, 1.0, 34)), heath[None])

    def _paint_rock(self, us, ws, rows, f, fine, under):
        """Scree (and stones in the grassland just below it): embossed stones and boulders,
        streaks down the slope, some vegetation low down."""
        px, k = self.pixel, self.key
        cls, e, sline = f["habitat"], f["elevation"], f["scree_line"]
        s1 = self._tex(us, ws, 1.1, 35)
        s1b = nz.fbm(us + 0.7 * px, ws + 1.4 * px, 1.1, nz.layer_key(k, 35), 2)
        s2 = self._tex(us, ws, 4.0, 44)
        s2b = nz.fbm(us + 1.4 * px, ws + 2.8 * px, 4.0, nz.layer_key(k, 44), 2)
        relief = (np.clip((s1 - s1b) * 2.5, -0.3, 0.3) + np.clip((s2 - s2b) * 6.0, -0.3, 0.3))
        broad = (0.18 * self._tex(us, ws, 30.0, 36, 3)
                 + 0.14 * nz.fbm(us * 4.0, ws, 80.0, nz.layer_key(k, 45), 2))
        st = _mix(_rgb("scree_gap"), _rgb("scree"), _smoothstep((s1 + 0.35) / 0.5)[None])
        st = st * (1.0 + relief + broad + 0.05 * fine)
        veg = np.clip((sline - e) / 160.0, 0.0, 0.6) * _smoothstep(
            (self._tex(us, ws, 4.0, 37) + 0.2) / 0.5)
        st = _mix(st, _rgb("alpine") * (1.0 + 0.08 * fine), veg[None])
        rock_frac = _smoothstep((e - sline + 140.0) / 140.0) * 0.8
        stones = _smoothstep((s1 + self._tex(us, ws, 5.0, 38) * 0.5 + 1.1 - 1.6 * rock_frac)
                             / 0.2)
        stones = np.where(cls == SCREE, 1.0, stones)
        return _mix(under, st, stones[None])

    def _paint_wetland(self, us, ws, rows, f, fine, under):
        """Mottled sedge and peat, small pools, cotton-grass specks."""
        mot = _smoothstep((self._tex(us, ws, 4.0, 39, 3) + 0.25) / 0.5)
        wl = _mix(_rgb("sedge"), _rgb("peat"), mot[None]) * (1.0 + 0.07 * fine)
        pool = _smoothstep((self._tex(us, ws, 9.0, 40) - 0.42) / 0.08)
        wl = _mix(wl, _rgb("pool"), pool[None])
        cotton = (nz.unit(nz.hash2(np.arange(self.n)[None, :], rows[:, None],
                                   nz.layer_key(self.key, 41))) > 0.994) & (pool < 0.5)
        return np.where(cotton[None], _rgb("cotton"), wl)

    def _paint_lake(self, us, ws, rows, f, fine, under):
        depth = _smoothstep(-f["lake"] / 0.35)
        return _mix(_rgb("shallow"), _rgb("deep"), depth[None]) + 1.5 * fine

    def _paint_line(self, img, us, ws, cls, fine, line, half_width, kind, start_w=None):
        """A track or stream along u = line(w): only a narrow band of columns per row."""
        px = self.pixel
        lu = line(ws)
        slope = (line(ws + 1.0) - line(ws - 1.0)) / 2.0
        scale = 1.0 / np.sqrt(1.0 + slope ** 2)
        span = int(math.ceil((half_width + 1.0) / px / np.min(scale))) + 1
        cols = np.rint(lu / px - 0.5).astype(np.int64)[:, None] + np.arange(-span, span + 1)
        ok = (cols >= 0) & (cols < self.n)
        if start_w is not None:
            ok &= (ws >= start_w)[:, None]
        ri, cj = np.nonzero(ok)
        cc = cols[ri, cj]
        d = (np.abs((cc + 0.5) * px - lu[ri]) * scale[ri]).astype(np.float32)
        a = np.clip((half_width - d) / 0.5, 0.0, 1.0) * (cls[ri, cc] != LAKE)
        if kind == "track":
            rut = np.exp(-((d - 0.5 * half_width) / 0.3) ** 2)
            col = _mix(_rgb("track")[:, :, 0], _rgb("rut")[:, :, 0], rut[None])
            tex = nz.fbm(us[cc], ws[ri], 0.8, nz.layer_key(self.key, 42), 2, grid=False)
            col = col * (1.0 + 0.08 * tex + 0.05 * fine[ri, cc])
        else:
            col = _rgb("pool")[:, :, 0] * 1.2
        img[:, ri, cc] = _mix(img[:, ri, cc], col, a[None])

    def _paint_trees(self, img, r0, r1, fine):
        """Crowns over ``img`` (in place); returns the cast-shadow weight (0..1) per pixel.
        Rows below the strip are included so their trees cast shadows into it."""
        n, px, nrow = self.n, self.pixel, r1 - r0
        K = self.shadow_steps
        sr, sc = _SUN_STEP
        r_ext = min(self.n, r1 + sr * K)
        c_ext = n + sc * K
        zc, shc, tc, _ = self._canopy(r0, r_ext, c_ext, "conifer")
        zb, shb, tb, t2b = self._canopy(r0, r_ext, c_ext, "broadleaf")
        zall = np.maximum(zc, zb)
        pad_r = r0 + nrow + sr * K - r_ext
        if pad_r > 0:
            zall = np.pad(zall, ((0, pad_r), (0, 0)))
        zs = zall[:nrow, :n]
        drop = math.hypot(sr, sc) * px * math.tan(_SUN_EL)
        occl = np.zeros((nrow, n), np.float32)
        for step in range(1, K + 1):
            np.maximum(occl, zall[sr * step:sr * step + nrow, sc * step:sc * step + n]
                       - np.float32(step * drop), out=occl)
        shadow = np.clip((occl - zs) / 1.5, 0.0, 1.0)
        zb, zc = zb[:nrow, :n], zc[:nrow, :n]
        leaf = 1.0 + 0.06 * fine
        ci, cj = np.nonzero(zc > zb)
        if ci.size:
            img[:, ci, cj] = (_rgb("conifer")[:, :, 0] * (1.0 + 0.16 * tc[ci, cj])
                              * shc[ci, cj] * leaf[ci, cj])
        bi, bj = np.nonzero((zb >= zc) & (zb > 0))
        if bi.size:
            col = _mix(_rgb("broadleaf")[:, :, 0], _rgb("broadleaf2")[:, :, 0],
                       t2b[bi, bj][None] ** 2)
            img[:, bi, bj] = col * (1.0 + 0.12 * tb[bi, bj]) * shb[bi, bj] * leaf[bi, bj]
        return shadow
