"""A deterministic synthetic alpine landscape, so the product can be tried and tested without
real data: a 4-band orthophoto (red, green, blue, NIR), vegetation relevés, butterfly transect
points, soil samples and the ground truth they were drawn from.

Everything is made up: the scene is placed in Lambert-93 (EPSG:2154) in the French Alps only so
that it looks at home in a GIS. Same seed and size give identical files (CSV bytes, raster
pixels); another seed gives another scene.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from osgeo import gdal
from scipy import ndimage

from .. import __version__
from ..errors import BotaclipError, Cancelled
from ..io import gdalutil
from ..io.atomic import atomic_output, write_error
from ..io.outputs import check_writable, is_our_raster
from ..io.vector import layer_owned, write_points
from ..progress import SILENT, Progress
from . import ecology
from .landscape import BROADLEAF, CONIFER, HABITATS, LAKE, LAND, Landscape

GENERATOR_VERSION = "1"
CRS = "EPSG:2154"
BAND_NAMES = ("red", "green", "blue", "nir")
MIN_SIZE_M, MAX_SIZE_M = 300.0, 20000.0
MIN_PIXEL_M, MAX_PIXEL_M = 0.2, 2.0
PLOT_MARGIN_M = 50.0   # plot centres this far from the edge, so 100 m patches fit
PLOT_SPACING_M = 40.0  # least distance between two plot centres
_STRIP_ROWS = 256
_REF_AREA = 2000.0 ** 2  # counts below are given for the default 2 km scene

README_BANNER = "BotaCLIP demo data"
# the demo's files that carry a mark of their own (tags, layer metadata): one of them in the
# output folder without the mark is the user's, however it is named
_MARKED = {"orthophoto.tif": None, "truth/habitat.tif": None, "truth/elevation.tif": None,
           "truth/moisture.tif": None, "releves.gpkg": "releves",
           "butterflies.gpkg": "butterflies", "soil.gpkg": "soil"}

__all__ = ["DemoResult", "generate_demo_data", "BAND_NAMES", "GENERATOR_VERSION"]


@dataclass
class DemoResult:
    """What :func:`generate_demo_data` wrote."""

    out_dir: Path
    orthophoto: Path
    releves: Path
    releves_long: Path
    plots: Path
    butterflies: Path
    soil: Path
    truth_dir: Path
    n_releves: int
    taxa: list
    butterfly_species: list
    soil_groups: list
    seed: int = 0
    size_m: float = 0.0
    plots_per_habitat: dict = field(default_factory=dict)
    seconds: float = 0.0


def _n_scaled(per_default: int, size_m: float, least: int) -> int:
    return max(least, int(round(per_default * size_m * size_m / _REF_AREA)))


def _compression() -> str:
    opts = gdal.GetDriverByName("GTiff").GetMetadataItem("DMD_CREATIONOPTIONLIST") or ""
    return "ZSTD" if "ZSTD" in opts else "DEFLATE"


def _gdal_callback(progress: Progress, start: float, end: float, message: str):
    def cb(frac, _msg, _data):
        progress.report(start + (end - start) * frac, message)
        return 0 if progress.is_cancelled() else 1
    return cb


# ------------------------------------------------------------------ orthophoto

def _write_orthophoto(L: Landscape, path: Path, staging: Path, progress: Progress,
                      describe: str) -> None:
    n = L.n
    src = staging / ".orthophoto-source.tif"
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(str(src), n, n, 4, gdal.GDT_Byte,
                    ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "INTERLEAVE=PIXEL",
                     "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform(L.geotransform(L.pixel))
    ds.SetProjection(gdalutil.srs_from_user(CRS).ExportToWkt())
    ds.SetMetadata({
        "BOTACLIP_SYNTHETIC": "yes",
        "BOTACLIP_DEMO_GENERATOR": GENERATOR_VERSION,
        "BOTACLIP_DEMO_SEED": str(L.seed),
        "BOTACLIP_DEMO_SIZE_M": f"{L.size:g}",
        "BOTACLIP_VERSION": __version__,
        "DESCRIPTION": describe,
        "TIFFTAG_IMAGEDESCRIPTION": describe,
        "TIFFTAG_SOFTWARE": f"BotaCLIP {__version__} demo generator {GENERATOR_VERSION}",
    })
    interp = (gdal.GCI_RedBand, gdal.GCI_GreenBand, gdal.GCI_BlueBand, gdal.GCI_Undefined)
    for b, (name, ci) in enumerate(zip(BAND_NAMES, interp), start=1):
        band = ds.GetRasterBand(b)
        band.SetDescription(name)
        band.SetColorInterpretation(ci)
    strips = list(range(0, n, _STRIP_ROWS))
    for i, r0 in enumerate(strips):
        progress.check()
        r1 = min(n, r0 + _STRIP_ROWS)
        block = L.render_strip(r0, r1)
        for b in range(4):
            ds.GetRasterBand(b + 1).WriteArray(block[b], 0, r0)
        ds.FlushCache()  # keep memory flat: finished rows go to disk, not GDAL's cache
        progress.report(0.75 * (i + 1) / len(strips),
                        f"Orthophoto rows {r1} of {n}")
    ds.FlushCache()
    ds = None
    progress.check()
    comp = _compression()
    with atomic_output(path) as tmp:
        try:
            out = gdal.Translate(
                str(tmp), str(src), format="COG",
                creationOptions=[f"COMPRESS={comp}", "PREDICTOR=YES", "BLOCKSIZE=512",
                                 "OVERVIEW_RESAMPLING=AVERAGE", "BIGTIFF=IF_SAFER"],
                callback=_gdal_callback(progress, 0.75, 1.0,
                                        "Orthophoto: compressing, overviews"))
        except RuntimeError as exc:
            if progress.is_cancelled():
                raise Cancelled() from None
            raise BotaclipError(f"Could not write the demo orthophoto {path}: {exc}. "
                                "Check the free disk space.") from exc
        if out is None or progress.is_cancelled():
            out = None
            raise Cancelled()
        out = None
    src.unlink()


# ------------------------------------------------------------------ truth rasters

def _write_truth_raster(path: Path, L: Landscape, array: np.ndarray, describe: str,
                        habitat: bool = False) -> list:
    """Write one truth raster straight into the staging folder (itself moved into place only
    when complete): a temporary name would strand the .aux.xml side-car that holds the
    category names. Returns the files written."""
    dtype = gdal.GDT_Byte if habitat else gdal.GDT_Float32
    ds = gdal.GetDriverByName("GTiff").Create(
        str(path), L.ng, L.ng, 1, dtype,
        ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE",
         f"PREDICTOR={2 if habitat else 3}"])
    ds.SetGeoTransform(L.geotransform(L.cres))
    ds.SetProjection(gdalutil.srs_from_user(CRS).ExportToWkt())
    ds.SetMetadata({"BOTACLIP_SYNTHETIC": "yes", "DESCRIPTION": describe,
                    "BOTACLIP_DEMO_SEED": str(L.seed)})
    band = ds.GetRasterBand(1)
    band.SetDescription(Path(path).stem)
    if habitat:
        band.SetNoDataValue(0)
        ct = gdal.ColorTable()
        ct.SetColorEntry(0, (0, 0, 0, 0))
        names = ["none"]
        for code in range(1, max(HABITATS) + 1):
            name, colour = HABITATS[code]
            ct.SetColorEntry(code, tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
                             + (255,))
            names.append(name)
        band.SetRasterColorTable(ct)
        band.SetRasterColorInterpretation(gdal.GCI_PaletteIndex)
        band.SetCategoryNames(names)
    band.WriteArray(array)
    ds.FlushCache()
    ds = None
    side = path.with_name(path.name + ".aux.xml")
    return [path] + ([side] if side.exists() else [])


# ------------------------------------------------------------------ sampling designs

def _place_plots(L: Landscape, n_target: int, rng: np.random.Generator):
    """Plot centres on a jittered hexagonal lattice (so they are >= 40 m apart and >= 50 m
    from the edge), a random subset with a quota in every land habitat, none in the lake."""
    lo, hi = PLOT_MARGIN_M, L.size - PLOT_MARGIN_M
    area = (hi - lo) ** 2
    s = max(PLOT_SPACING_M * 1.1,
            math.sqrt(2.0 * area / (math.sqrt(3.0) * 2.5 * max(n_target, 1))))
    jitter = 0.5 * (s - PLOT_SPACING_M) * 0.999
    us, ws = [], []
    i = 0
    while lo + i * s * math.sqrt(3.0) / 2.0 <= hi + 1e-9:
        w = lo + i * s * math.sqrt(3.0) / 2.0
        u = lo + (s / 2.0 if i % 2 else 0.0)
        while u <= hi + 1e-9:
            us.append(u)
            ws.append(w)
            u += s
        i += 1
    us, ws = np.array(us), np.array(ws)
    ang = rng.uniform(0.0, 2 * math.pi, us.size)
    rad = jitter * np.sqrt(rng.uniform(0.0, 1.0, us.size))
    # projecting onto the allowed square never moves a point further from its lattice site,
    # so the spacing guarantee survives the clipping
    us = np.clip(us + rad * np.cos(ang), lo, hi)
    ws = np.clip(ws + rad * np.sin(ang), lo, hi)
    hab = L.classify_points(us, ws)["habitat"]
    land = np.flatnonzero(hab != LAKE)
    n = min(n_target, land.size)
    chosen: list[int] = []
    quota = max(3, int(math.ceil(0.06 * n)))
    for h in LAND:
        idx = land[hab[land] == h]
        if idx.size:
            chosen.extend(rng.choice(idx, size=min(quota, idx.size), replace=False).tolist())
    rest = np.setdiff1d(land, np.array(chosen, dtype=int))
    extra = max(0, n - len(chosen))
    chosen.extend(rng.choice(rest, size=min(extra, rest.size), replace=False).tolist())
    sel = np.array(sorted(chosen, key=lambda j: (ws[j], us[j])), dtype=int)
    return us[sel], ws[sel]


def _random_land_points(L: Landscape, n: int, margin: float, rng: np.random.Generator):
    us = np.empty(0)
    ws = np.empty(0)
    while us.size < n:
        u = rng.uniform(margin, L.size - margin, 2 * n)
        w = rng.uniform(margin, L.size - margin, 2 * n)
        keep = L.classify_points(u, w)["habitat"] != LAKE
        us, ws = np.concatenate([us, u[keep]]), np.concatenate([ws, w[keep]])
    order = np.lexsort((us[:n], ws[:n]))
    return us[:n][order], ws[:n][order]


def _canonical_xy(L: Landscape, u, w):
    """EPSG:2154 coordinates rounded to the centimetre, as written in both CSV and GPKG."""
    x, y = L.to_crs(u, w)
    return (np.array([float(f"{v:.2f}") for v in x]),
            np.array([float(f"{v:.2f}") for v in y]))


def _write_csv(path: Path, header, rows) -> None:
    with atomic_output(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            wr = csv.writer(fh, lineterminator="\n")
            wr.writerow(header)
            wr.writerows(rows)


def _write_text(path: Path, text: str) -> None:
    with atomic_output(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ main entry

def is_demo_folder(folder) -> bool:
    """Whether ``folder`` holds demo data written before (its README's first line)."""
    try:
        with open(Path(folder) / "README.txt", encoding="utf-8") as fh:
            return fh.readline().startswith(README_BANNER)
    except (OSError, UnicodeDecodeError):
        return False


def _check_out_dir(out_dir: Path, n_px: int, overwrite: bool) -> None:
    """Before any work: ``out_dir`` is a folder that is new, empty or holds demo data, and
    none of the files the demo writes is one of the user's (unless ``overwrite``: even then
    the folder's other files are kept); it can be written to and has room for the
    uncompressed orthophoto built on the way (``n_px`` pixels a side, 4 bytes each)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BotaclipError(f"{out_dir} is a file; give a folder for the demo data.")
    if (out_dir / "truth").exists() and not (out_dir / "truth").is_dir():
        raise BotaclipError(f"{out_dir / 'truth'} is a file, where the demo writes its truth "
                            "folder. Move it away or choose another folder.")
    fix = ("Choose a new or empty folder (on the command line, --overwrite writes the demo "
           "files into it anyway, replacing files of the same names and keeping the others).")
    if not overwrite and out_dir.is_dir() and any(out_dir.iterdir()) \
            and not is_demo_folder(out_dir):
        raise BotaclipError(f"The folder {out_dir} already holds files that are not BotaCLIP "
                            f"demo data, so nothing was written. {fix}")
    for name, layer in _MARKED.items():
        path = out_dir / name
        if overwrite or not path.exists():
            continue
        ours = is_our_raster(path) if layer is None else layer_owned(path, layer, layer)
        if not ours:
            raise BotaclipError(f"{path} already exists and was not written by BotaCLIP, so "
                                f"nothing was written. {fix}")
    check_writable(out_dir, what="demo data", need_bytes=4 * n_px * n_px)


def generate_demo_data(out_dir, size_m: float = 2000.0, seed: int = 0, pixel_m: float = 0.5,
                       overwrite: bool = False, progress: Progress = SILENT) -> DemoResult:
    """Write the synthetic demo landscape into ``out_dir`` and say what was written.

    Files appear only when the whole set is complete: everything is built in a hidden
    staging folder inside ``out_dir`` and moved into place at the end (each file by
    ``os.replace``); a cancel or an error removes the staging folder and leaves ``out_dir``
    as it was. ``out_dir`` must be new, empty or hold demo data written before, unless
    ``overwrite`` (see :func:`_check_out_dir`); other files in it are never touched.
    """
    t0 = time.monotonic()
    size_m, pixel_m = float(size_m), float(pixel_m)
    if not (MIN_SIZE_M <= size_m <= MAX_SIZE_M) or not math.isfinite(size_m):
        raise BotaclipError(f"Demo scene size {size_m:g} m is out of range: choose a side "
                            f"between {MIN_SIZE_M:g} and {MAX_SIZE_M:g} m.")
    if not (MIN_PIXEL_M <= pixel_m <= MAX_PIXEL_M):
        raise BotaclipError(f"Demo pixel size {pixel_m:g} m is out of range: choose between "
                            f"{MIN_PIXEL_M:g} and {MAX_PIXEL_M:g} m.")
    if abs(round(size_m / pixel_m) * pixel_m - size_m) > 1e-6 * size_m:
        raise BotaclipError(f"The scene side {size_m:g} m is not a whole number of "
                            f"{pixel_m:g} m pixels; choose a size that is.")
    seed = int(seed)
    out_dir = Path(out_dir)
    _check_out_dir(out_dir, int(round(size_m / pixel_m)), overwrite)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BotaclipError(f"Cannot create the demo folder {out_dir}: {exc.strerror}. "
                            "Choose a folder you can write to.") from exc
    staging = out_dir / f".demo-partial-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
        (staging / "truth").mkdir()
        written = _generate(staging, size_m, seed, pixel_m, progress)
        progress.check()
        # move into place: quick renames within one folder
        (out_dir / "truth").mkdir(exist_ok=True)
        for rel in written["files"]:
            os.replace(staging / rel, out_dir / rel)
    except (OSError, RuntimeError) as exc:        # a full disk, a folder made read-only
        raise write_error(out_dir, exc, "demo data") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress.report(1.0, "Demo data written")
    res = written["result"]
    res.out_dir = out_dir
    for name in ("orthophoto", "releves", "releves_long", "plots", "butterflies", "soil"):
        setattr(res, name, out_dir / getattr(res, name).name)
    res.truth_dir = out_dir / "truth"
    res.seconds = time.monotonic() - t0
    return res


def _generate(st: Path, size_m: float, seed: int, pixel_m: float, progress: Progress) -> dict:
    tag = (f"BotaCLIP demo generator {GENERATOR_VERSION}, seed {seed}, "
           f"{size_m:g} m square")
    progress.report(0.0, "Laying out the synthetic landscape")
    L = Landscape(size_m, pixel_m, seed)
    progress.check()
    describe = (f"SYNTHETIC orthophoto, not real imagery ({tag} at {pixel_m:g} m; "
                "bands red, green, blue, near-infrared)")
    _write_orthophoto(L, st / "orthophoto.tif", st, progress.sub(0.02, 0.85), describe)
    files = ["orthophoto.tif"]
    progress.check()
    progress.report(0.86, "Ground truth rasters")
    files += _write_truth(st, L, tag)
    progress.check()
    progress.report(0.88, "Relevés")
    srs = gdalutil.srs_from_user(CRS)
    rel = _write_releves(st, L, srs, seed, size_m, tag)
    files += ["releves.gpkg", "releves_long.csv", "plots.csv"]
    progress.check()
    progress.report(0.93, "Butterfly transects")
    species, n_bf = _write_butterflies(st, L, srs, seed, size_m, tag)
    files.append("butterflies.gpkg")
    progress.check()
    progress.report(0.96, "Soil samples")
    n_soil = _write_soil(st, L, srs, seed, size_m, tag)
    files.append("soil.gpkg")
    progress.report(0.98, "Read-me files")
    _write_text(st / "truth" / "README.txt", _truth_readme(L, tag))
    _write_text(st / "README.txt", _readme(L, tag, len(rel["ids"]), len(rel["taxa"]), n_bf,
                                           n_soil, rel["per_hab"]))
    files += ["truth/README.txt", "README.txt"]
    res = DemoResult(
        out_dir=st, orthophoto=st / "orthophoto.tif", releves=st / "releves.gpkg",
        releves_long=st / "releves_long.csv", plots=st / "plots.csv",
        butterflies=st / "butterflies.gpkg", soil=st / "soil.gpkg", truth_dir=st / "truth",
        n_releves=len(rel["ids"]), taxa=rel["taxa"], butterfly_species=species,
        soil_groups=list(ecology.SOIL_GROUPS), seed=seed, size_m=size_m,
        plots_per_habitat=rel["per_hab"])
    return {"files": files, "result": res}


def _write_truth(st: Path, L: Landscape, tag: str) -> list[str]:
    """The ground-truth rasters (habitat, elevation, moisture) and the habitat legend."""
    truth = (_write_truth_raster(st / "truth" / "habitat.tif", L, L.habitat,
                                 f"SYNTHETIC habitat classes ({tag})", habitat=True)
             + _write_truth_raster(st / "truth" / "elevation.tif", L, L.elevation,
                                   f"SYNTHETIC elevation in metres ({tag})")
             + _write_truth_raster(st / "truth" / "moisture.tif", L, L.moisture,
                                   f"SYNTHETIC soil moisture index 0-1 ({tag})"))
    legend = {str(c): {"name": name, "colour": colour}
              for c, (name, colour) in HABITATS.items()}
    _write_text(st / "truth" / "habitats.json", json.dumps(legend, indent=1) + "\n")
    return [f"truth/{p.name}" for p in truth] + ["truth/habitats.json"]


def _habitat_names(hab) -> np.ndarray:
    return np.array([HABITATS[int(h)][0] for h in hab], dtype=object)


def _write_releves(st: Path, L: Landscape, srs, seed: int, size_m: float, tag: str) -> dict:
    """The relevés: a wide GeoPackage of percent covers, and the same as a long table of
    Braun-Blanquet codes with a plot header. Returns ids, taxa and plots per habitat."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 1])
    pu, pw = _place_plots(L, _n_scaled(300, size_m, 40), rng)
    f = L.classify_points(pu, pw)
    hab = f["habitat"]
    codes, pct = ecology.sample_releves(hab, f["elevation"], f["moisture"], rng)
    keep = np.flatnonzero((pct > 0).any(axis=0))
    taxa = [ecology.TAXON_NAMES[j] for j in keep]
    ids = [f"P{i + 1:04d}" for i in range(len(pu))]
    hab_names = _habitat_names(hab)
    x, y = _canonical_xy(L, pu, pw)
    fields = {"plot_id": np.array(ids, dtype=object), "habitat": hab_names}
    for j, name in zip(keep, taxa):
        fields[name] = pct[:, j].astype(np.float64)
    meta = {"BOTACLIP_SYNTHETIC": "yes", "BOTACLIP_DEMO_SEED": str(seed),
            "COVER_UNITS": "percent (Braun-Blanquet code mid-points)"}
    write_points(st / "releves.gpkg", srs, x, y, fields, layer="releves", metadata=meta,
                 description=f"SYNTHETIC vegetation relevés, wide table of percentage covers "
                             f"({tag}); not real data")
    long_rows = [(ids[i], ecology.TAXON_NAMES[j], codes[i, j])
                 for i in range(len(ids)) for j in keep if codes[i, j]]
    _write_csv(st / "releves_long.csv", ("plot_id", "taxon", "cover"), long_rows)
    _write_csv(st / "plots.csv", ("plot_id", "x", "y", "elevation", "habitat"),
               [(ids[i], f"{x[i]:.2f}", f"{y[i]:.2f}", f"{f['elevation'][i]:.1f}",
                 hab_names[i]) for i in range(len(ids))])
    per_hab = {HABITATS[h][0]: int((hab == h).sum()) for h in LAND}
    return {"ids": ids, "taxa": taxa, "per_hab": per_hab}


def _write_butterflies(st: Path, L: Landscape, srs, seed: int, size_m: float,
                       tag: str) -> tuple[list[str], int]:
    """Butterfly presence/absence points, depending on habitat, elevation and the share of
    forest within 50 m. Returns the species seen and the number of points."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 2])
    bu, bw = _random_land_points(L, _n_scaled(150, size_m, 30), 20.0, rng)
    fb = L.classify_points(bu, bw)
    forest = np.isin(L.habitat, (BROADLEAF, CONIFER)).astype(np.float32)
    win = 2 * max(1, int(round(50.0 / L.cres))) + 1
    share = ndimage.uniform_filter(forest, size=win, mode="nearest")
    ci = np.clip((bw / L.cres).astype(int), 0, L.ng - 1)
    cj = np.clip((bu / L.cres).astype(int), 0, L.ng - 1)
    pres = ecology.sample_butterflies(fb["habitat"], fb["elevation"], share[ci, cj], rng)
    bkeep = np.flatnonzero(pres.any(axis=0))
    species = [ecology.BUTTERFLY_NAMES[j] for j in bkeep]
    bx, by = _canonical_xy(L, bu, bw)
    bfields = {"point_id": np.array([f"B{i + 1:03d}" for i in range(len(bu))], dtype=object),
               "habitat": _habitat_names(fb["habitat"])}
    for j, name in zip(bkeep, species):
        bfields[name] = pres[:, j]
    write_points(st / "butterflies.gpkg", srs, bx, by, bfields, layer="butterflies",
                 metadata={"BOTACLIP_SYNTHETIC": "yes", "BOTACLIP_DEMO_SEED": str(seed)},
                 description=f"SYNTHETIC butterfly transect points, 1 = seen ({tag}); "
                             "not real data")
    return species, len(bu)


def _write_soil(st: Path, L: Landscape, srs, seed: int, size_m: float, tag: str) -> int:
    """Soil nematode counts per trophic group; returns the number of samples."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, 3])
    su, sw = _random_land_points(L, _n_scaled(100, size_m, 25), 20.0, rng)
    fs = L.classify_points(su, sw)
    counts = ecology.sample_soil(fs["habitat"], fs["moisture"], rng)
    sx, sy = _canonical_xy(L, su, sw)
    sfields = {"sample_id": np.array([f"S{i + 1:03d}" for i in range(len(su))], dtype=object),
               "habitat": _habitat_names(fs["habitat"])}
    for j, g in enumerate(ecology.SOIL_GROUPS):
        sfields[g] = counts[:, j]
    write_points(st / "soil.gpkg", srs, sx, sy, sfields, layer="soil",
                 metadata={"BOTACLIP_SYNTHETIC": "yes", "BOTACLIP_DEMO_SEED": str(seed),
                           "UNITS": "nematodes per 100 g of soil"},
                 description=f"SYNTHETIC soil nematode counts per 100 g by trophic group "
                             f"({tag}); not real data")
    return len(su)


def _readme(L: Landscape, tag: str, n_plots, n_taxa, n_bf, n_soil, per_hab) -> str:
    hab = ", ".join(f"{k} {v}" for k, v in per_hab.items())
    return f"""BotaCLIP demo data: EVERYTHING HERE IS SYNTHETIC
=================================================

Made by {tag}, at {L.pixel:g} m pixels. No file here is a real observation or a real
image: the landscape, the plants, the butterflies and the soil animals were drawn by a
program so that BotaCLIP can be tried and tested without real data. The species names are
real; where they grow here is invented. The same seed and size give the same files.

Coordinates are in Lambert-93 (EPSG:2154), placed in the French Alps only so that the scene
sits somewhere plausible on a map: the scene's west edge is x = {L.x0:.0f}, its north edge
y = {L.y_top:.0f}, {L.size:g} m square.

orthophoto.tif    4 bands, uint8: red, green, blue, near-infrared; {L.pixel:g} m pixels;
                  cloud-optimised GeoTIFF with overviews. Tag BOTACLIP_SYNTHETIC=yes.
releves.gpkg      {n_plots} vegetation plots (point layer "releves"): plot_id, habitat, then
                  one field per taxon ({n_taxa}) with its percentage cover (the mid-point of
                  its Braun-Blanquet code), 0 where absent. Plots per habitat: {hab}.
                  Plot centres are at least {PLOT_SPACING_M:g} m apart and {PLOT_MARGIN_M:g} m
                  from the edge, so 100 m patches around them lie inside the image.
releves_long.csv  the same relevés as a long table: plot_id, taxon, cover (Braun-Blanquet
                  code: r, +, 1, 2m, 2a, 2b, 3, 4, 5); only taxa present.
plots.csv         plot_id, x, y (EPSG:2154), elevation (m), habitat: the header table that
                  goes with releves_long.csv.
butterflies.gpkg  {n_bf} transect points: point_id, habitat, one 0/1 field per species.
soil.gpkg         {n_soil} soil samples: sample_id, habitat, nematode counts per 100 g of soil
                  for the trophic groups {", ".join(ecology.SOIL_GROUPS)}.
truth/            the fields everything above was drawn from (see truth/README.txt).
"""


def _truth_readme(L: Landscape, tag: str) -> str:
    legend = "\n".join(f"  {c} {name} ({colour})" for c, (name, colour) in HABITATS.items())
    return f"""Ground truth of the SYNTHETIC demo landscape ({tag})
Everything here is made up by a program; nothing was measured.

habitat.tif    habitat class per {L.cres:g} m cell (uint8, colour table, 0 = none):
{legend}
elevation.tif  elevation in metres (float32): a regional gradient from about
               1300 m at the south edge to 2300 m at the north edge, smooth noise and a
               winding valley holding a lake.
moisture.tif   soil moisture index 0 (dry) to 1 (wet) (float32): valley bottom, lake shore,
               hollows and noise.
habitats.json  class code -> name and colour.

How it was generated: habitats follow elevation belts (broadleaf forest low, conifer forest
above ~1540 m, subalpine grassland above a noisy treeline near 1880 m with avalanche
corridors and forest clearings, scree above ~2170 m with scree cones), wetlands where
moisture is high, the lake in the valley. The orthophoto paints each habitat at
{L.pixel:g} m: broadleaf crowns (rounded, light), conifer crowns (pointed, dark) with shadows
cast by a sun in the south-south-east, textured grassland with dwarf-shrub heath, embossed
stones on scree, mottled wetland with pools, dark water with near-zero near-infrared, a
track (not in habitat.tif) and a stream below the lake. Plant taxa follow habitat
affinities and Gaussian niches along elevation and moisture; covers are drawn around the
expected cover and coded on the Braun-Blanquet scale. Butterflies and soil nematodes follow
habitat, elevation, forest edges and moisture in the same way.
"""

