"""Prediction maps on this machine's CPU: throughput against scikit-learn, flat memory, and
the cross-validation time estimate.

(a) Throughput. An embedding raster of 1024 x 1024 pixels (1.05 M) and 64 bands (float32,
    tiled 256 x 256, ZSTD, interleaved by pixel like an embedding COG), 400 training pixels
    with a presence that depends on the features. For the default estimator (random forest
    of RF_TREES trees, all cores) and logistic regression, the same fitted model predicts
    (i) every pixel held in one numpy array, ``model.predict_proba`` (the bare model), and
    (ii) the raster through :func:`predict_raster` (read a block, check validity, predict,
    write the block, then the COG). Ratio = bare seconds / ours, on the streaming phase
    (``loop_seconds``: reading, validity, model, writing: the per-pixel work; target >= 0.8)
    and on the whole call (with the COG conversion). Map only: the probability band, no fold
    models and no area of applicability, so that both sides run the same model on the same
    pixels. Then the map as ``botaclip predict`` makes it (5 fold models for the uncertainty
    band and the area of applicability) against the bare sum of the 6 models'
    ``predict_proba`` and ``Aoa.inside`` on the array: the same work, so the same target.
    Rounds alternate bare and ours and the figures are medians of the rounds' ratios, with
    the whole call's ratio of CPU seconds (all threads of this process) beside them, since a
    shared machine's load disturbs wall-clock times. The bare side is the faster, in each
    round, of one call on the whole array and calls of 65,536 rows (one block's pixels;
    both a forest and a scaled linear model run faster on such chunks than on a million
    rows at once), the strictest comparison; the ratio against the single call is printed
    too. The time to only read the blocks is the floor of the streaming whatever the model:
    it bounds a linear model, which predicts faster than GDAL decodes the raster.
(b) Peak resident memory (VmHWM) predicting rasters of 1024 x 1024 and 8192 x 8192 pixels
    (67 M), each in a fresh process (written beforehand by another one): 8 bands and logistic
    regression with 2 fold models (probability and uncertainty bands), so that the 8k run
    takes a minute or two, not the hours a 500-tree forest would; memory does not depend on
    the model (a block is predicted at a time). Target: the 8k peak within 1.2 x the 1k peak.
    The 8k raster (2 GB of float32) is a repeated, quantised pattern written block by block,
    a few MB compressed; everything is deleted afterwards.
(c) The cross-validation time estimate: 5-fold spatial cross-validation of the default forest
    on 2,000 points of 64 features, the estimate said before it starts against the time it
    took.

    python -m botaclip.bench.bench_maps [out_dir]
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .memory import peak_rss_mb

SIDE, BANDS, N_TRAIN, FOLDS = 1024, 64, 400, 5
MEM_SIZES, MEM_BANDS = (1024, 8192), 8
TARGET_RATIO, TARGET_MEMORY = 0.8, 1.2


def _create(path: Path, size: int, bands: int):
    from osgeo import gdal, osr

    ds = gdal.GetDriverByName("GTiff").Create(
        str(path), size, size, bands, gdal.GDT_Float32,
        ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=ZSTD", "PREDICTOR=3",
         "INTERLEAVE=PIXEL", "BIGTIFF=IF_NEEDED", "NUM_THREADS=ALL_CPUS"])
    ds.SetGeoTransform((900000.0, 10.0, 0.0, 6500000.0 + size * 10.0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    ds.SetProjection(srs.ExportToWkt())
    ds.SetMetadata({"BOTACLIP_KIND": "embedding", "BOTACLIP_DIM": str(bands)})
    return ds


def _pixels(n: int, bands: int, rng) -> np.ndarray:
    """Embedding-like pixels: 8 latent factors mixed into ``bands`` correlated features."""
    mix = np.random.default_rng(123).normal(size=(8, bands)) / np.sqrt(8)
    return (rng.normal(size=(n, 8)) @ mix + 0.1 * rng.normal(size=(n, bands))).astype(
        np.float32)


def throughput_raster(path: Path) -> np.ndarray:
    """The 1024 x 1024 x 64 raster of (a); returns its pixels as (n, 64)."""
    from osgeo import gdal

    pix = _pixels(SIDE * SIDE, BANDS, np.random.default_rng(0))
    ds = _create(path, SIDE, BANDS)
    ds.WriteRaster(0, 0, SIDE, SIDE, pix.tobytes(), SIDE, SIDE, gdal.GDT_Float32, None,
                   4 * BANDS, 4 * BANDS * SIDE, 4)
    ds = None
    return pix


def _models(pix: np.ndarray, name: str) -> tuple:
    """(final model, 5 fold models, training features) fitted on 400 of the raster's pixels,
    presence where the first latent direction plus noise is positive."""
    from ..backend.maps.estimators import fit_estimator, make_estimator

    rng = np.random.default_rng(1)
    idx = rng.choice(len(pix), N_TRAIN, replace=False)
    x = pix[idx]
    y = (x[:, 0] + x[:, 1] + 0.5 * rng.normal(size=N_TRAIN) > 0).astype(int)
    final = fit_estimator(make_estimator(name, "presence", seed=0), x, y, "presence")
    fold = np.arange(N_TRAIN) % FOLDS
    folds = [fit_estimator(make_estimator(name, "presence", seed=k), x[fold != k],
                           y[fold != k], "presence") for k in range(FOLDS)]
    return final, folds, x


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def _ours(emb: Path, out: Path, **kw) -> tuple:
    """(result, CPU seconds) of one predict_raster run."""
    from ..backend.maps.predict_raster import predict_raster

    c0 = time.process_time()
    res = predict_raster(emb, out, task="presence", target_names=["t"], overwrite=True, **kw)
    return res, time.process_time() - c0


def _bare(pix, models, aoa, rows: int | None):
    """The bare work on the array: every model's predict_proba (and the area of
    applicability), on all the rows at once or ``rows`` at a time."""
    step = rows or len(pix)

    def run():
        for s in range(0, len(pix), step):
            for m in models:
                m.predict_proba(pix[s:s + step])
            if aoa is not None:
                aoa.inside(pix[s:s + step])
    return run


def _compare(emb: Path, tmp: Path, pix, final, folds, aoa, rounds: int,
             chunked: bool) -> dict:
    """Rounds of: the bare model(s) on the array (at once; with ``chunked`` also 65,536
    rows at a time, the pixels of one block, the bare model's best case here), then
    predict_raster on the raster."""
    rows = []
    for rnd in range(rounds):
        whole, whole_cpu = _timed(_bare(pix, [final] + folds, aoa, None))
        row = {"bare_whole_s": whole, "bare_whole_cpu_s": whole_cpu}
        if chunked:
            row["bare_chunked_s"], row["bare_chunked_cpu_s"] = _timed(
                _bare(pix, [final] + folds, aoa, 256 * 256))
        # the bare model's better way in this round: the strictest comparison
        row["bare_s"] = min(whole, row.get("bare_chunked_s", whole))
        row["bare_cpu_s"] = min(whole_cpu, row.get("bare_chunked_cpu_s", whole_cpu))
        res, our_cpu = _ours(emb, tmp / f"pred-{rnd}.tif", models=folds, final_model=final,
                             aoa=aoa)
        row.update({"loop_s": res.loop_seconds, "model_s": res.model_seconds,
                    "call_s": res.seconds, "call_cpu_s": our_cpu,
                    "loop_ratio": row["bare_s"] / res.loop_seconds,
                    "loop_ratio_whole": whole / res.loop_seconds,
                    "call_ratio": row["bare_s"] / res.seconds,
                    "cpu_ratio_call": row["bare_cpu_s"] / our_cpu,
                    "load_average": os.getloadavg()[0]})
        rows.append(row)
        (tmp / f"pred-{rnd}.tif").unlink()

    def med(key):
        return float(np.median([r[key] for r in rows]))

    return {"rounds": rows, "loop_ratio": med("loop_ratio"),
            "loop_ratio_whole": med("loop_ratio_whole"), "call_ratio": med("call_ratio"),
            "cpu_ratio_call": med("cpu_ratio_call"), "bare_s": med("bare_s"),
            "loop_s": med("loop_s"), "model_share": med("model_s") / med("loop_s"),
            "mpix_per_s_bare": pix.shape[0] / 1e6 / med("bare_s"),
            "mpix_per_s_loop": pix.shape[0] / 1e6 / med("loop_s")}


def read_seconds(emb: Path) -> float:
    """Seconds to read every block of ``emb`` as predict_raster does, with no model: the
    floor of the streaming time, whatever the model."""
    from ..backend.io.raster import open_raster
    from ..backend.maps.predict_raster import read_block

    src = open_raster(emb)
    t0 = time.perf_counter()
    for r0 in range(0, src.RasterYSize, 256):
        for c0 in range(0, src.RasterXSize, 256):
            read_block(src, c0, r0, min(256, src.RasterXSize - c0),
                       min(256, src.RasterYSize - r0))
        src.FlushCache()
    return time.perf_counter() - t0


def throughput(tmp: Path) -> dict:
    """(a): random forest and logistic regression, map only and as predict makes it."""
    from ..backend.maps.applicability import fit_aoa
    from ..backend.maps.estimators import RF_TREES, cores

    emb = tmp / "emb64.tif"
    pix = throughput_raster(emb)
    out = {"pixels": int(pix.shape[0]), "bands": BANDS, "train_points": N_TRAIN,
           "cores": cores(None), "read_only_s": read_seconds(emb)}
    for name, rounds in (("rf", 3), ("logistic", 5)):
        final, folds, x = _models(pix, name)
        out[name] = {"map_only": _compare(emb, tmp, pix, final, [], None, rounds, True)}
        if name == "rf":
            out[name]["trees"] = RF_TREES
            out[name]["with_folds_and_aoa"] = _compare(emb, tmp, pix, final, folds,
                                                       fit_aoa(x), 1, False)
    out["read_only_s"] = min(out["read_only_s"], read_seconds(emb))
    return out


# ------------------------------------------------------------------------------ memory

def memory_raster(path: Path, size: int) -> None:
    """A size x size x 8 raster: one 256 x 256 block of smooth waves quantised to 1/16 (ZSTD
    shrinks it to a few kB), shifted by the block's index, written block by block."""
    from osgeo import gdal

    r, c = np.mgrid[0:256, 0:256].astype(np.float64)
    waves = [np.sin(r / (7 + k) + c / (11 + 2 * k) + k) for k in range(MEM_BANDS)]
    block = (np.round(np.stack(waves, axis=-1) * 16) / 16).reshape(-1, MEM_BANDS)
    ds = _create(path, size, MEM_BANDS)
    for i, r0 in enumerate(range(0, size, 256)):
        for j, c0 in enumerate(range(0, size, 256)):
            b = (block + ((i + j) % 8) / 8).astype(np.float32)
            ds.WriteRaster(c0, r0, 256, 256, b.tobytes(), 256, 256, gdal.GDT_Float32, None,
                           4 * MEM_BANDS, 4 * MEM_BANDS * 256, 4)
        ds.FlushCache()
    ds = None


def _peak_child(size: int, folder: str) -> dict:
    """In a fresh process: predict the memory raster of ``size`` pixels."""
    from osgeo import gdal

    from ..backend.maps.estimators import fit_estimator, make_estimator
    from ..backend.maps.predict_raster import predict_raster

    folder = Path(folder)
    emb = folder / f"mem_{size}.tif"
    rng = np.random.default_rng(3)
    x = gdal.Open(str(emb)).ReadAsArray(0, 0, 256, 256).reshape(MEM_BANDS, -1).T[
        rng.choice(256 * 256, 300, replace=False)]
    y = (x[:, 0] + 0.3 * rng.normal(size=300) > np.median(x[:, 0])).astype(int)
    models = [fit_estimator(make_estimator("logistic", "presence", seed=s), x, y, "presence")
              for s in range(3)]
    base = peak_rss_mb()
    res = predict_raster(emb, folder / f"pred_{size}.tif", models=models[1:],
                         final_model=models[0], task="presence", target_names=["t"])
    return {"size_px": size, "pixels": size * size, "seconds": res.seconds,
            "loop_seconds": res.loop_seconds, "peak_before_mb": base,
            "peak_rss_mb": peak_rss_mb(), "max_pixels_held": res.max_pixels_held,
            "raster_bytes_on_disk": os.path.getsize(emb),
            "map_bytes_on_disk": os.path.getsize(res.out)}


def _child(args: list) -> dict:
    cmd = [sys.executable, "-m", "botaclip.bench.bench_maps", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def peak_memory(tmp: Path) -> dict:
    rows = []
    for size in MEM_SIZES:
        _child(["--make-raster", str(size), str(tmp)])
        rows.append(_child(["--peak-child", str(size), str(tmp)]))
        for p in tmp.glob(f"*_{size}.tif"):
            p.unlink()
    return {"model": "logistic regression, 2 fold models (probability + uncertainty bands)",
            "bands": MEM_BANDS, "runs": rows,
            "ratio": rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"]}


# ------------------------------------------------------------------------------ CV time

def cv_estimate() -> dict:
    """(c): the estimate said before a 5-fold forest cross-validation against its time."""
    from ..backend.maps.cv import spatial_cv
    from ..backend.progress import Progress

    class Infos(Progress):
        def __init__(self):
            self.said = []

        def info(self, message):
            self.said.append(message)

    rng = np.random.default_rng(4)
    n = 2000
    f = _pixels(n, BANDS, rng)
    label = (f[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(float)
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    pr = Infos()
    t0 = time.perf_counter()
    res = spatial_cv(x, y, f, label, "presence", folds=5, block_m=500, progress=pr)
    took = time.perf_counter() - t0
    return {"points": n, "features": BANDS, "folds": 5, "cores": res.n_jobs,
            "estimated_s": res.estimated_s, "took_s": took,
            "estimate_over_actual": res.estimated_s / took,
            "said": [m for m in pr.said if m.startswith("Cross-validation: about")]}


# ------------------------------------------------------------------------------ run

def _rows(fig: dict) -> list:
    tp, mem, cv = fig["throughput"], fig["peak_memory"], fig["cv_estimate"]
    yes = {True: "met", False: "NOT met"}
    rf, lg = tp["rf"]["map_only"], tp["logistic"]["map_only"]
    full = tp["rf"]["with_folds_and_aoa"]

    def line(d):
        whole = f" ({d['loop_ratio_whole']:.2f} against one call on the whole array)"
        return (f"{d['loop_ratio']:.2f} streaming{whole}, {d['call_ratio']:.2f} whole "
                f"call, {d['cpu_ratio_call']:.2f} whole call in CPU time "
                f"({d['mpix_per_s_loop']:.3f} vs bare {d['mpix_per_s_bare']:.3f} Mpixel/s; "
                f"model {100 * d['model_share']:.0f} % of the streaming)")

    return [
        ("setup", f"{tp['pixels']:,} pixels x {tp['bands']} bands, {tp['train_points']} "
                  f"training points, {tp['cores']} cores; ratio = bare predict_proba on the "
                  "array (the faster of one call and calls of 65,536 rows) / predict_raster"),
        ("rf", line(rf) + f"; target {TARGET_RATIO}: "
               f"{yes[fig['meets']['throughput_rf']]}"),
        ("  +folds,aoa", line(full) + " (final + 5 fold models + area of applicability "
                         "on both sides)"),
        ("logistic", line(lg) + f"; reading the blocks alone takes {tp['read_only_s']:.2f} s "
                     f"(so at best {lg['bare_s'] / tp['read_only_s']:.2f}): a linear model "
                     "predicts faster than GDAL decodes the raster"),
        ("peak RSS", ", ".join(f"{r['size_px']} px: {r['peak_rss_mb']:.0f} MB "
                               f"({r['seconds']:.0f} s)" for r in mem["runs"])
         + f"; ratio {mem['ratio']:.2f} (target {TARGET_MEMORY}: "
           f"{yes[fig['meets']['memory']]}); {mem['model']}, {mem['bands']} bands"),
        ("CV time", f"estimated {cv['estimated_s']:.1f} s before it started, took "
                    f"{cv['took_s']:.1f} s ({cv['estimate_over_actual']:.2f} x; 5 folds, "
                    f"forest of 500 trees on {cv['cores']} cores, {cv['points']} points); "
                    f"said: {cv['said'] or 'nothing (under a minute)'}"),
        ("total", f"{fig['seconds']:.0f} s"),
    ]


def run(out_dir="bench-out") -> dict:
    """Run (a)-(c), print a table, write ``out_dir/bench_maps.json``; return the figures."""
    import sklearn

    from ..backend import __version__

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-maps-", dir=out_dir) as tmp:
        tp = throughput(Path(tmp))
        mem = peak_memory(Path(tmp))
    fig = {"throughput": tp, "peak_memory": mem, "cv_estimate": cv_estimate(),
           "seconds": time.perf_counter() - t0, "sklearn": sklearn.__version__,
           "cpu": platform.processor() or "?", "cpus": os.cpu_count(), "botaclip": __version__,
           "targets": {"throughput_ratio": TARGET_RATIO, "memory_ratio": TARGET_MEMORY}}
    fig["meets"] = {"throughput_rf": tp["rf"]["map_only"]["loop_ratio"] >= TARGET_RATIO,
                    "throughput_rf_with_folds": tp["rf"]["with_folds_and_aoa"]["loop_ratio"]
                    >= TARGET_RATIO,
                    "memory": mem["ratio"] <= TARGET_MEMORY}
    (out_dir / "bench_maps.json").write_text(json.dumps(fig, indent=2, default=str))
    print("bench_maps: prediction maps (CPU)")
    for k, v in _rows(fig):
        print(f"  {k:<12} {v}")
    return fig


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--make-raster":
        memory_raster(Path(sys.argv[3]) / f"mem_{sys.argv[2]}.tif", int(sys.argv[2]))
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "--peak-child":
        print(json.dumps(_peak_child(int(sys.argv[2]), sys.argv[3])))
        sys.exit(0)
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default="bench-out")
    run(parser.parse_args().out_dir)
