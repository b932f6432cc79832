"""Band statistics of a raster (mean, std, 2nd/98th percentiles per spectral band) from a
sample of it: :func:`sample_band_stats` never reads a whole band.

It reads random windows drawn where the raster has data (the holes of a mosaic are avoided),
or a small overview when there is one, and says which in :attr:`BandStats.source`. Validity
follows the raster's masks (:func:`.raster.mask_sources`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from osgeo import gdal

from ..errors import BotaclipError
from ..progress import SILENT, Progress
from .raster import mask_sources, open_raster, raster_info


@dataclass
class BandStats:
    """Per-band statistics over valid pixels of a sample of the raster."""

    mean: list
    std: list
    p2: list
    p98: list
    valid_fraction: float           # valid pixels / pixels read
    n_pixels: int                   # valid pixels the statistics come from
    n_read: int = 0                 # pixels read per band
    source: str = ""                # "overview N (W x H px)" or "K random windows of S px"
    bands: list = field(default_factory=list)


def _pick_overview(ds, bands, budget: int):
    """Index of the most detailed overview with at most ``budget`` and at least 256 x 256
    pixels, present with the same size for every band; None if there is none."""
    band = ds.GetRasterBand(bands[0])
    best = None
    for k in range(band.GetOverviewCount()):
        ovr = band.GetOverview(k)
        n = ovr.XSize * ovr.YSize
        if not (65536 <= n <= budget):
            continue
        same = all(ds.GetRasterBand(i).GetOverviewCount() > k
                   and ds.GetRasterBand(i).GetOverview(k).XSize == ovr.XSize
                   and ds.GetRasterBand(i).GetOverview(k).YSize == ovr.YSize for i in bands)
        if same and (best is None or n > best[1]):
            best = (k, n)
    return None if best is None else best[0]


def _coverage(band, x0, y0, w, h) -> float:
    """Percentage of the window GDAL says holds data (100 when the driver cannot tell)."""
    try:
        flags, pct = band.GetDataCoverageStatus(int(x0), int(y0), int(w), int(h))
    except (RuntimeError, AttributeError):
        return 100.0
    if flags & gdal.GDAL_DATA_COVERAGE_STATUS_UNIMPLEMENTED:
        return 100.0
    return float(pct)


def _data_windows(band, info, ww, wh, n_windows, rng):
    """``n_windows`` random window origins spread over the parts of the raster that hold data.

    Mosaics can be mostly holes (a VRT of scattered tiles): GDAL's data-coverage status
    (cheap for VRT and sparse GeoTIFF) on a grid of at most 32 x 32 cells gives where the data
    is; a cell is drawn with probability proportional to its data, then a window overlapping
    it, redrawn when GDAL says the window is empty. Returns (positions, empty fraction)."""
    w, h = info.width, info.height
    gx, gy = min(32, -(-w // ww)), min(32, -(-h // wh))
    ex = np.linspace(0, w, gx + 1).astype(int)
    ey = np.linspace(0, h, gy + 1).astype(int)
    pct = np.array([[_coverage(band, ex[i], ey[j], ex[i + 1] - ex[i], ey[j + 1] - ey[j])
                     for i in range(gx)] for j in range(gy)])
    area = np.diff(ey)[:, None] * np.diff(ex)[None, :]
    weight = (pct * area).ravel()
    if weight.sum() <= 0:
        return [], 1.0
    empty = 1.0 - float(weight.sum() / (100.0 * area.sum()))
    cells = rng.choice(weight.size, n_windows, p=weight / weight.sum())
    positions = []
    for c in cells.tolist():
        j, i = divmod(c, gx)
        for _ in range(50):
            x0 = int(rng.integers(max(ex[i] - ww + 1, 0), min(ex[i + 1], w - ww) + 1))
            y0 = int(rng.integers(max(ey[j] - wh + 1, 0), min(ey[j + 1], h - wh) + 1))
            if empty == 0.0 or _coverage(band, x0, y0, ww, wh) > 0:
                positions.append((x0, y0))
                break
    return positions, empty


class _StatsAccumulator:
    """Moments and percentiles over chunks of valid pixels. 8- and 16-bit unsigned bands are
    counted in exact histograms; other types keep a random subsample for the percentiles."""

    def __init__(self, nb: int, dtype: str, n_chunks: int, seed: int):
        self.nb, self.count, self.n_read = nb, 0, 0
        self.hist = None
        if dtype in ("uint8", "uint16"):
            self.hist = np.zeros((nb, 256 if dtype == "uint8" else 65536), dtype=np.int64)
        self.sum = np.zeros(nb)
        self.mean = np.zeros(nb)
        self.m2 = np.zeros(nb)
        self.samples: list[np.ndarray] = []
        self.cap = max(1000, 400_000 // n_chunks)   # values kept per chunk for percentiles
        self.rng = np.random.default_rng([seed, 1])

    def add(self, values: np.ndarray, valid: np.ndarray) -> None:
        self.n_read += valid.size
        if values.dtype.kind == "f":
            valid = valid & np.isfinite(values.reshape(self.nb, *valid.shape)).all(axis=0)
        v = values.reshape(self.nb, -1)[:, valid.ravel()]
        k = v.shape[1]
        if k == 0:
            return
        self.count += k
        if self.hist is not None:
            for c in range(self.nb):
                self.hist[c] += np.bincount(v[c], minlength=self.hist.shape[1])
            return
        v = v.astype("float64")
        mu = v.mean(axis=1)
        s2 = ((v - mu[:, None]) ** 2).sum(axis=1)
        n0 = self.count - k
        delta = mu - self.mean
        self.mean = self.mean + delta * k / self.count   # Chan et al.: merge partial moments
        self.m2 = self.m2 + s2 + delta ** 2 * n0 * k / self.count
        if k > self.cap:
            v = v[:, self.rng.integers(0, k, self.cap)]
        self.samples.append(v.astype("float32"))

    def result(self):
        if self.hist is not None:
            x = np.arange(self.hist.shape[1], dtype="float64")
            n = self.hist.sum(axis=1).astype("float64")
            mean = (self.hist * x).sum(axis=1) / n
            var = (self.hist * (x - mean[:, None]) ** 2).sum(axis=1) / n
            cdf = np.cumsum(self.hist, axis=1)
            pct = []
            for q in (0.02, 0.98):           # numpy's default (linear) percentile, exactly
                r = q * (n - 1)
                lo = np.floor(r)
                v_lo = np.array([np.searchsorted(cdf[c], lo[c], side="right")
                                 for c in range(self.nb)], dtype="float64")
                v_hi = np.array([np.searchsorted(cdf[c], lo[c] + 1, side="right")
                                 for c in range(self.nb)], dtype="float64")
                hi_ok = lo + 1 <= n - 1
                pct.append(np.where(hi_ok, v_lo + (r - lo) * (v_hi - v_lo), v_lo))
            std = np.sqrt(var)
            p2, p98 = pct
        else:
            allv = np.concatenate(self.samples, axis=1)
            p2, p98 = np.percentile(allv, [2, 98], axis=1)
            std = np.sqrt(np.maximum(self.m2 / self.count, 0.0))
            mean = self.mean
        return ([float(v) for v in mean], [float(v) for v in std], [float(v) for v in p2],
                [float(v) for v in p98])


def sample_band_stats(path, n_windows: int = 64, window_px: int = 256, seed: int = 0,
                      progress: Progress = SILENT, *, bands: list[int] | None = None,
                      use_overviews: bool = True) -> BandStats:
    """Mean, std and 2nd/98th percentiles of each spectral band over valid pixels.

    Never reads a whole band: reads ``n_windows`` random windows of ``window_px`` pixels
    (deterministic for a ``seed``; windows GDAL reports empty, such as the holes of a VRT
    mosaic, are redrawn), or, when ``use_overviews`` and the raster has an overview
    of between 256 x 256 and n_windows x window_px^2 pixels, the most detailed such overview
    (``source`` says which). Overviews built with averaging give a slightly smaller std than
    full-resolution pixels. A pixel counts when it is valid in every band used.
    """
    info = raster_info(path)
    bands = [int(b) for b in (bands or info.spectral_bands)]
    ds = open_raster(path)
    n_windows = max(1, int(n_windows))
    acc = _StatsAccumulator(len(bands), info.dtype, n_windows, seed)
    rng = np.random.default_rng(seed)

    budget = n_windows * int(window_px) ** 2
    k_ovr = _pick_overview(ds, bands, budget) if use_overviews else None
    try:
        if k_ovr is not None:
            source = _sample_overview(ds, info, bands, k_ovr, acc, progress)
        else:
            source = _sample_windows(ds, info, bands, n_windows, window_px, rng, acc, progress)
    except RuntimeError as exc:     # a damaged or truncated block: say which file, not GDAL's
        first = (str(exc).strip().splitlines() or ["unknown error"])[0]
        raise BotaclipError(f"GDAL failed to read {path} while sampling its band statistics "
                            f"({first}). The file may be damaged or truncated: copy or export "
                            "it again.") from exc
    if acc.count == 0:
        raise BotaclipError(f"No valid pixel in {source} of {path}: the raster is empty or its "
                            "nodata value / mask hides everything. Check it in QGIS.")
    mean, std, p2, p98 = acc.result()
    return BandStats(mean=mean, std=std, p2=p2, p98=p98,
                     valid_fraction=float(acc.count / max(acc.n_read, 1)),
                     n_pixels=int(acc.count), n_read=int(acc.n_read), source=source,
                     bands=bands)


def _sample_overview(ds, info, bands, k_ovr: int, acc: _StatsAccumulator,
                     progress: Progress) -> str:
    """Every pixel of overview ``k_ovr`` into ``acc``; returns the description of the source."""
    ovs = [ds.GetRasterBand(b).GetOverview(k_ovr) for b in bands]
    ow, oh = ovs[0].XSize, ovs[0].YSize
    source = f"overview {k_ovr + 1} of {len(info.overviews)} ({ow} x {oh} px)"
    ovr_masks = mask_sources(ds, bands, overview=k_ovr)[0]
    step = max(1, int(math.ceil(oh / 16)))
    for r0 in range(0, oh, step):     # in row strips, for progress and cancel
        rh = min(step, oh - r0)
        vals = np.stack([ovr.ReadAsArray(0, r0, ow, rh) for ovr in ovs])
        valid = np.ones((rh, ow), dtype=bool)
        for m in ovr_masks:
            valid &= m.ReadAsArray(0, r0, ow, rh) >= 128
        acc.add(vals, valid)
        progress.report((r0 + rh) / oh, "Sampling band statistics")
        progress.check()
    return source


def _sample_windows(ds, info, bands, n_windows: int, window_px: int, rng,
                    acc: _StatsAccumulator, progress: Progress) -> str:
    """Random full-resolution windows where the raster has data into ``acc``; returns the
    description of the source."""
    nb = len(bands)
    ww, wh = min(int(window_px), info.width), min(int(window_px), info.height)
    source = f"{n_windows} random windows of {ww} x {wh} px"
    reader_masks = mask_sources(ds, bands)[0]
    positions, empty = _data_windows(ds.GetRasterBand(bands[0]), info, ww, wh, n_windows, rng)
    if empty > 0:
        source += f" drawn where the raster has data ({100 * empty:.1f} % of it is empty)"
    for i, (x0, y0) in enumerate(positions):
        vals = ds.ReadAsArray(x0, y0, ww, wh, band_list=bands).reshape(nb, wh, ww)
        valid = np.ones((wh, ww), dtype=bool)
        for m in reader_masks:
            valid &= m.ReadAsArray(x0, y0, ww, wh) >= 128
        acc.add(vals, valid)
        progress.report((i + 1) / len(positions), "Sampling band statistics")
        progress.check()
    return source
