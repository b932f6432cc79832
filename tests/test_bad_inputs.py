"""The bad-input catalogue: inputs a real user could give, each with the exact outcome it gets.

Every row runs through the command line (``main([...])`` in this process, stdout and stderr
captured; two rows also as a real subprocess) and gets one of three outcomes:

* ``Err``: exit status 2 and a message that names the file, field or value and says how to
  fix it (``botaclip: error: ...`` or argparse's usage line);
* ``Report``: the run ends (0, or 1 for "nothing usable") and the check report lists the
  problem: a plot status with its count, or a notice about the relevés with its count;
* ``Works``: exit status 0 and the right result (paths with spaces and accents, Braun-Blanquet
  wide tables, degrees with their CRS).

Never a silent drop, never a traceback, never a Python type name in a message, never exit 0
with a wrong result. :func:`test_backend_functions` runs a representative subset through the
backend functions the dialogs and Processing call (a :class:`BotaclipError` with the same
message). The cases of issue 10's "Silent wrong analyses" list are marked ``# silent:``.

The data: a 200 m x 200 m four-band 8-bit orthophoto at 2 m in Lambert-93 (EPSG:2154) and six
plots on a 50 m grid at least 50 m from its edges, so that every 20 m patch lies wholly on the
image (every plot usable unless a row breaks something); covers of three taxa.
"""

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import TINY_JSON
from osgeo import gdal, osr

from botaclip.backend.cli import main
from botaclip.backend.errors import BotaclipError

gdal.UseExceptions()

X0, Y0, PX, SIZE = 900000.0, 6500000.0, 2.0, 100         # origin (south-west), pixel, pixels
PLOTS = [("p1", 900050, 6500050), ("p2", 900100, 6500050), ("p3", 900150, 6500050),
         ("p4", 900050, 6500150), ("p5", 900100, 6500150), ("p6", 900150, 6500150)]
TAXA = ("Abies alba", "Poa annua", "Carex flacca")
PERCENT = [["10", "5", ""], ["20", "3", "4"], ["", "7", "2"], ["5", "", "30"],
           ["15", "12", ""], ["8", "9", "1"]]
# Braun-Blanquet codes; the Abies column is all digits (1-5), so before issue 10 it was the
# only column read as a number and the table gave "1 taxon"
BRAUN_BLANQUET = [["1", "r", "+"], ["3", "3", ""], ["2", "1", "2b"], ["1", "", "4"],
                  ["5", "2m", ""], ["4", "+", "r"]]
NO_GPU = not torch.cuda.is_available()
TYPE_NAMES = re.compile(r"Traceback|NoneType|object has no attribute|<class |"
                        r"\b(Attribute|Type|Value|Key|Index|Runtime|OS|Botaclip)Error\b|"
                        r"invalid (int|float) value")


# ------------------------------------------------------------------------------ the data

def _srs(epsg=2154):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def _raster(path, *, bands=4, fill=None, nodata=None, srs=True, geo=True, size=SIZE,
            options=("PHOTOMETRIC=MINISBLACK",)):
    """A GeoTIFF over the scene: noise in 20..230 (every pixel valid), or ``fill``."""
    rng = np.random.default_rng(0)
    ds = gdal.GetDriverByName("GTiff").Create(str(path), size, size, bands, gdal.GDT_Byte,
                                              list(options))
    if geo:
        ds.SetGeoTransform((X0, PX, 0.0, Y0 + size * PX, 0.0, -PX))
    if srs:
        ds.SetProjection(_srs().ExportToWkt())
    names = ("red", "green", "blue", "nir")
    for b in range(bands):
        band = ds.GetRasterBand(b + 1)
        data = rng.integers(20, 230, (size, size)) if fill is None else np.full((size, size),
                                                                                  fill)
        band.WriteArray(data.astype("uint8"))
        if bands == 3:
            band.SetColorInterpretation((gdal.GCI_RedBand, gdal.GCI_GreenBand,
                                         gdal.GCI_BlueBand)[b])
        else:
            band.SetDescription(names[b])
        if nodata is not None:
            band.SetNoDataValue(nodata)
    ds = None
    return str(path)


def _csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for r in rows:
            fh.write(",".join(str(c) for c in r) + "\n")
    return str(path)


def _wide(path, covers, taxa=TAXA, plots=PLOTS, extra=None):
    """plot_id, x, y, one column per taxon; ``extra``: {column: cells} appended."""
    extra = extra or {}
    rows = [[pid, x, y, *cells, *(v[k] for v in extra.values())]
            for k, ((pid, x, y), cells) in enumerate(zip(plots, covers))]
    return _csv(path, ["plot_id", "x", "y", *taxa, *extra], rows)


def _long(path, rows):
    return _csv(path, ["plot_id", "taxon", "cover"], rows)


def _good_long_rows():
    return [[pid, t, c] for (pid, _, _), cells in zip(PLOTS, PERCENT)
            for t, c in zip(TAXA, cells) if c]


def _rasters(d: Path) -> dict:
    """The orthophotos: good, cut short, corrupt, empty, without CRS or georeferencing, in
    degrees, all nodata."""
    files = {"ortho": _raster(d / "ortho.tif")}
    # a GeoTIFF cut short: the first third of a 400 x 400 px file (strips of a few rows),
    # so that most image blocks lie beyond its end, as after an interrupted copy
    big = _raster(d / "big.tif", size=400)
    raw = Path(big).read_bytes()
    (d / "truncated.tif").write_bytes(raw[:len(raw) // 3])
    files["truncated"] = str(d / "truncated.tif")
    (d / "corrupt.tif").write_bytes(np.random.default_rng(1).bytes(5000))
    files["corrupt"] = str(d / "corrupt.tif")
    (d / "zero.tif").write_bytes(b"")
    files["zero_bytes"] = str(d / "zero.tif")
    files["no_crs"] = _raster(d / "no_crs.tif", srs=False)
    files["no_geo"] = _raster(d / "no_geo.tif", geo=False)
    files["degrees"] = str(d / "degrees.tif")
    gdal.Warp(files["degrees"], files["ortho"], dstSRS="EPSG:4326")
    files["all_nodata"] = _raster(d / "all_nodata.tif", fill=0, nodata=0)
    files["rgb_nodata"] = _raster(d / "rgb_nodata.tif", bands=3, fill=0, nodata=0)
    return files


def _wide_files(d: Path) -> dict:
    """The wide relevé tables (plot_id, x, y, one column per taxon), good and bad."""
    files = {"wide": _wide(d / "wide.csv", PERCENT)}
    # silent: one text cell in a taxon column (p2, Poa annua: spreadsheet row 3)
    bad = [list(r) for r in PERCENT]
    bad[1][1] = "abc"
    files["wide_text_cell"] = _wide(d / "wide_text_cell.csv", bad)
    neg = [list(r) for r in PERCENT]
    neg[2][1] = "-3"                                  # p3 (row 4), Poa annua
    files["wide_negative"] = _wide(d / "wide_negative.csv", neg)
    files["wide_bb"] = _wide(d / "wide_bb.csv", BRAUN_BLANQUET)
    files["wide_habitat"] = _wide(d / "wide_habitat.csv", PERCENT, extra={
        "habitat": ["forest", "meadow", "forest", "fen", "meadow", "forest"]})
    files["wide_same_taxon"] = _wide(d / "wide_same_taxon.csv", PERCENT, extra={
        "abies alba": ["", "5", "", "", "", ""]})
    dup_ids = [("p1" if pid == "p6" else pid, x, y) for pid, x, y in PLOTS]
    files["wide_dup_ids"] = _wide(d / "wide_dup_ids.csv", PERCENT, plots=dup_ids)
    lonlat = osr.CoordinateTransformation(_srs(2154), _srs(4326))
    ll = [(pid, *lonlat.TransformPoint(float(x), float(y))[:2]) for pid, x, y in PLOTS]
    files["wide_lonlat"] = _wide(d / "wide_lonlat.csv", PERCENT,
                                 plots=[(pid, f"{lon:.8f}", f"{lat:.8f}") for pid, lon, lat in ll])
    files["wide_degrees_as_metres"] = _wide(d / "wide_deg.csv", PERCENT, plots=[
        (pid, f"{lon:.6f}", f"{lat:.6f}") for pid, lon, lat in ll])
    files["wide_far"] = _wide(d / "wide_far.csv", PERCENT, plots=[
        (pid, x - 300000, y) for pid, x, y in PLOTS])
    files["wide_header_only"] = _csv(d / "wide_header_only.csv", ["plot_id", "x", "y", *TAXA],
                                     [])
    (d / "empty.csv").write_bytes(b"")
    files["empty_csv"] = str(d / "empty.csv")
    from botaclip.backend.io.vector import write_points

    files["empty_gpkg"] = str(write_points(d / "empty.gpkg", _srs(), [], [], {
        "plot_id": np.array([], dtype=object), "Abies alba": np.array([], dtype=float)}))
    return files


def _long_files(d: Path) -> dict:
    """The header of the plots and the long tables (plot_id, taxon, cover), good and bad;
    the cover mappings."""
    files = {}
    files["header"] = _csv(d / "header.csv", ["plot_id", "x", "y"], [list(p) for p in PLOTS])
    files["header_dup"] = _csv(d / "header_dup.csv", ["plot_id", "x", "y"],
                               [list(p) for p in PLOTS] + [list(PLOTS[0])])
    good = _good_long_rows()
    files["long"] = _long(d / "long.csv", good)
    # silent: a (plot, taxon) pair in two rows (rows 2 and 3: p1 Abies alba 10 then 20)
    files["long_dup"] = _long(d / "long_dup.csv", [good[0], ["p1", "Abies alba", 20]] + good[1:])
    # silent: the same species with and without its author
    files["long_author"] = _long(d / "long_author.csv", good + [
        ["p1", "Vaccinium myrtillus L.", 5], ["p2", "Vaccinium myrtillus", 5]])
    text = [list(r) for r in good]
    text[3][2] = "lots"                               # spreadsheet row 5
    files["long_text"] = _long(d / "long_text.csv", text)
    negl = [list(r) for r in good]
    negl[5][2] = -4                                   # spreadsheet row 7
    files["long_negative"] = _long(d / "long_negative.csv", negl)
    files["long_mixed"] = _long(d / "long_mixed.csv", [
        ["p1", "Abies alba", "r"], ["p2", "Abies alba", "+"], ["p3", "Poa annua", "35"],
        ["p4", "Poa annua", "60"], ["p5", "Carex flacca", "2a"]])
    files["long_zero"] = _long(d / "long_zero.csv", [[p, t, 0] for p, t, _ in good])
    files["long_header_only"] = _long(d / "long_header_only.csv", [])

    (d / "mapping_list.json").write_text('["r", 1, "+", 2]', encoding="utf-8")
    files["mapping_list"] = str(d / "mapping_list.json")
    (d / "mapping.json").write_text('{"r": 1, "+": 2, "2m": 4}', encoding="utf-8")
    files["mapping_json"] = str(d / "mapping.json")
    (d / "mapping_bad.json").write_text('{"r": 1, "+": ', encoding="utf-8")
    files["mapping_bad_json"] = str(d / "mapping_bad.json")
    files["mapping_missing"] = str(d / "no_such_mapping.json")
    return files


@pytest.fixture(scope="module")
def f(tmp_path_factory):
    """Every input file of the catalogue, by name."""
    d = tmp_path_factory.mktemp("bad_inputs")
    files = {"dir": d, **_rasters(d), **_wide_files(d), **_long_files(d)}
    # paths with spaces and accents: copies in "données été 2024"
    acc = d / "données été 2024"
    acc.mkdir()
    files["acc_dir"] = acc
    files["acc_ortho"] = str(shutil.copy(files["ortho"], acc / "ortho (été) n°1.tif"))
    files["acc_wide"] = str(shutil.copy(files["wide"], acc / "relevés Jura – été.csv"))
    files["acc_header"] = str(shutil.copy(files["header"], acc / "en-tête placettes.csv"))
    files["acc_long"] = str(shutil.copy(files["long"], acc / "espèces (liste longue).csv"))
    return files


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    """A folder that refuses new files, really: permissions for a normal user, a read-only
    tmpfs for root (whom permissions do not stop); None where neither can be made."""
    d = tmp_path_factory.mktemp("ro") / "read-only folder"
    d.mkdir()
    mounted = False
    if os.geteuid() != 0:
        d.chmod(0o555)
    else:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(d)],
                                 capture_output=True).returncode == 0
    try:
        (d / ".probe").write_bytes(b"")
        (d / ".probe").unlink()
        ok = False
    except OSError:
        ok = True
    yield d if ok else None
    if mounted:
        subprocess.run(["umount", str(d)], capture_output=True)
    elif os.geteuid() != 0:
        d.chmod(0o755)


# ------------------------------------------------------------------------------ outcomes

@dataclass
class Err:
    """Exit status 2; every fragment is in stderr (they name the file, field or value and
    the fix)."""

    fragments: tuple
    usage: bool = False            # argparse's own error (usage line), not botaclip's
    no_gpu: bool = False           # a refusal only where there is no GPU


@dataclass
class Report:
    """The check ends with ``rc`` and its JSON report lists the problem: plot statuses
    (``status``) and notices (``notices``) with their counts; ``species`` taxa."""

    rc: int = 0
    status: dict = field(default_factory=dict)
    notices: dict = field(default_factory=dict)
    species: int | None = None
    fragments: tuple = ()          # in the notices' messages


@dataclass
class Works:
    """Exit status 0; ``then(files, stdout, tmp_path)`` asserts what was written."""

    then: object = None


def _run(argv):
    """(exit status, stdout, stderr) of `botaclip ARGV`, run in this process; an exception
    escaping ``main`` (a traceback for a user) fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)         # random test weights: warned
        try:
            rc = main([str(a) for a in argv])
        except SystemExit as exc:                            # argparse: usage error
            rc = exc.code
    return rc, out.getvalue(), err.getvalue()


def _check(f, releves, *extra, ortho=None, patch="20"):
    base = ["check", "--ortho", ortho or f["ortho"], "--releves", f[releves]]
    if "--table" not in extra:
        base += ["--x", "x", "--y", "y"]
    if "--crs" not in extra:
        base += ["--crs", "EPSG:2154"]
    return base + ["--patch-m", patch, "--json", "--quiet", *extra]


def _long_check(f, table, *extra, ortho=None):
    return _check(f, "header", "--table", f[table], "--x", "x", "--y", "y", *extra,
                  ortho=ortho)


def _embed(f, tmp, *extra, ortho=None, out="emb.tif"):
    argv = ["embed", "--backbone", "spectral", "--ortho", ortho or f["ortho"], "--out",
            tmp / out, "--cache-dir", tmp / "state", "--quiet"]
    if "--patch-m" not in extra:
        argv += ["--patch-m", "20"]
    return argv + list(extra)


def _train(f, tmp, *extra, out=None):
    return ["train", "--ortho", f["ortho"], "--releves", f["wide"], "--x", "x", "--y", "y",
            "--crs", "EPSG:2154", "--patch-m", "20", "--backbone", "spectral", "--no-cache",
            "--out", out or tmp / "model", "--quiet", *extra]


def _import(f, tmp, table="long", header="header", out=None, *extra):
    return ["releves", "import", "--table", f[table], "--header", f[header], "--plot-id",
            "plot_id", "--taxon", "taxon", "--cover", "cover", "--x", "x", "--y", "y",
            "--crs", "EPSG:2154", "--out", out or tmp / "releves.gpkg", "--quiet", *extra]


def _bb_values(f, out, tmp):
    """The Braun-Blanquet table read whole: three taxa, the codes as the Turboveg percents
    (p1: Abies '1' = 3 %, Poa 'r' = 1 %, Carex '+' = 2 %)."""
    rep = json.loads(out)
    assert rep["species"] == 3 and rep["plots_usable"] == 6
    assert rep["releves"]["cover_scale"] == "braun-blanquet"
    from botaclip.backend.releves import ReleveOptions, read_releves

    rel = read_releves(f["wide_bb"], ReleveOptions(x="x", y="y", crs="EPSG:2154",
                                                   cover_scale="braun-blanquet"))
    assert rel.taxa == sorted(TAXA)
    p1 = dict(zip(rel.taxa, rel.values[0].astype("float32").tolist()))   # float32, exact
    assert p1 == {"Abies alba": 3.0, "Poa annua": 1.0, "Carex flacca": 2.0}


def _all_usable(f, out, tmp):
    rep = json.loads(out)
    assert rep["plots_total"] == 6 and rep["plots_usable"] == 6 and rep["species"] == 3


def _written(name):
    def then(f, out, tmp):
        assert (tmp / name).exists(), f"{name} was not written"
    return then


def _embedded(f, out, tmp):
    """The 200 m orthophoto at a 20 m stride: 10 x 10 patch centres, all on valid pixels."""
    ds = gdal.Open(str(f["acc_dir"] / "emb été.tif"))
    assert (ds.RasterXSize, ds.RasterYSize) == (10, 10)
    ds = None


# ------------------------------------------------------------------------------ the rows

ROWS = [
    # --- relevé tables -------------------------------------------------------------------
    ("wide table, one text cell in a taxon column",                 # silent: dropped the taxon
     lambda f, t: _check(f, "wide_text_cell"),
     Err(("wide_text_cell.csv", "'Poa annua'", "'abc' in row 3", "--exclude-columns"))),
    ("wide table of Braun-Blanquet codes, --cover-scale braun-blanquet",    # silent: "1 taxon"
     lambda f, t: _check(f, "wide_bb", "--cover-scale", "braun-blanquet"),
     Works(_bb_values)),
    ("wide table of Braun-Blanquet codes, scale auto-detected",
     lambda f, t: _check(f, "wide_bb"), Works(_bb_values)),
    ("wide table with a text field that is no taxon (habitat)",
     lambda f, t: _check(f, "wide_habitat"),
     Report(status={"usable": 6}, notices={"text_fields": 1}, species=3,
            fragments=("habitat", "--species-columns"))),
    ("wide table, one taxon in two columns ('Abies alba', 'abies alba')",
     lambda f, t: _check(f, "wide_same_taxon"),
     Report(status={"usable": 6}, notices={"combined_entries": 1}, species=3,
            fragments=("'Abies alba' and 'abies alba'", "rename"))),
    ("wide table, a negative cover",
     lambda f, t: _check(f, "wide_negative"),
     Err(("wide_negative.csv", "'-3'", "field 'Poa annua' row 4", "Correct these cells"))),
    ("long table, one plot and taxon in two rows",                  # silent: summed
     lambda f, t: _long_check(f, "long_dup"),
     Report(status={"usable": 6}, notices={"combined_entries": 1}, species=3,
            fragments=("plot p1, Abies alba: rows 2, 3", "delete it"))),
    ("long table, 'Vaccinium myrtillus L.' beside 'Vaccinium myrtillus'",   # silent: 2 taxa
     lambda f, t: _long_check(f, "long_author"),         # 3 taxa + the two spellings = 5
     Report(status={"usable": 6}, notices={"author_variants": 1}, species=5,
            fragments=("'Vaccinium myrtillus' / 'Vaccinium myrtillus L.'", "one way"))),
    ("long table, a text cover",
     lambda f, t: _long_check(f, "long_text"),
     Err(("field 'cover' of", "long_text.csv", "'lots' in row 5", "--cover-scale"))),
    ("long table, a negative cover",
     lambda f, t: _long_check(f, "long_negative"),
     Err(("long_negative.csv", "'-4' in row 7", "Correct these cells"))),
    ("long table, Braun-Blanquet codes mixed with percent",
     lambda f, t: _long_check(f, "long_mixed"),
     Err(("long_mixed.csv", "'35' in row 4", "'60' in row 5", "--cover-scale percent "
          "--cover-mapping"))),
    ("long table, every cover 0",
     lambda f, t: _long_check(f, "long_zero"),
     Err(("long_zero.csv", "has any taxon with a cover above 0", "plot id fields"))),
    ("long table with a header and no rows",
     lambda f, t: _long_check(f, "long_header_only"),
     Err(("long_header_only.csv", "has no rows"),)),
    ("points table with a header and no rows",
     lambda f, t: _check(f, "wide_header_only"),
     Err(("wide_header_only.csv", "has no rows"),)),
    ("empty CSV file (0 bytes)",
     lambda f, t: _check(f, "empty_csv"), Err(("empty.csv", "is empty"),)),
    ("GeoPackage layer without a feature",
     lambda f, t: ["check", "--ortho", f["ortho"], "--releves", f["empty_gpkg"], "--patch-m",
                   "20", "--quiet"],
     Err(("empty.gpkg", "is empty (no feature)"),)),
    ("duplicate plot ids (check)",     # p6 renamed p1: both p1 rows listed, the other 4 usable
     lambda f, t: _check(f, "wide_dup_ids"),
     Report(status={"usable": 4, "duplicate_id": 2})),
    ("duplicate plot ids (releves import)",    # p1 on row 2 and, appended, on row 8
     lambda f, t: _import(f, t, header="header_dup"),
     Err(("appear more than once", "header_dup.csv", "p1: rows 2, 8", "remove or rename"))),
    ("X/Y fields without a CRS",
     lambda f, t: ["check", "--ortho", f["ortho"], "--releves", f["wide"], "--x", "x", "--y",
                   "y", "--quiet"],
     Err(("wide.csv", "--crs", "EPSG:4326"),)),
    ("coordinates in degrees read as metres (--crs EPSG:2154)",
     lambda f, t: _check(f, "wide_degrees_as_metres"),
     Err(("lies inside the orthophoto", "look like longitude and latitude in degrees",
          "--crs EPSG:4326"))),
    ("coordinates in degrees with their CRS (--crs EPSG:4326)",
     lambda f, t: _check(f, "wide_lonlat", "--crs", "EPSG:4326"), Works(_all_usable)),
    ("plots that do not overlap the orthophoto",
     lambda f, t: _check(f, "wide_far"),
     Err(("No plot of", "wide_far.csv", "orthophoto extent (EPSG:2154)", "plots extent",
          "right CRS"))),
    ("unknown cover scale",
     lambda f, t: _check(f, "wide", "--cover-scale", "percentage"),
     Err(("--cover-scale", "invalid choice: 'percentage'", "braun-blanquet"), usage=True)),
    # --- cover mappings ------------------------------------------------------------------
    ("--cover-mapping JSON file holding a list",               # silent: AttributeError
     lambda f, t: _check(f, "wide_bb", "--cover-mapping", f["mapping_list"]),
     Err(("mapping_list.json", "holds a list", '{"r": 1, "+": 2, "1": 3}'))),
    ("--cover-mapping file that does not exist",               # silent: a format message
     lambda f, t: _check(f, "wide_bb", "--cover-mapping", f["mapping_missing"]),
     Err(("no_such_mapping.json", "was not found", "Check the path"))),
    ("--cover-mapping JSON file that is not valid JSON",
     lambda f, t: _check(f, "wide_bb", "--cover-mapping", f["mapping_bad_json"]),
     Err(("mapping_bad.json", "is not valid JSON", "line 1"))),
    ("--cover-mapping pair without a number",
     lambda f, t: _check(f, "wide_bb", "--cover-mapping", "r=one,+=2"),
     Err(("'r=one'", "CODE=PERCENT"),)),
    ("--cover-mapping percent above 100",
     lambda f, t: _check(f, "wide_bb", "--cover-mapping", "r=150"),
     Err(("150", "'r'", "between 0 and 100"),)),
    ("--cover-mapping JSON object (works)",
     lambda f, t: _check(f, "wide_bb", "--cover-mapping", f["mapping_json"]),
     Works(lambda f, out, t: json.loads(out)["species"] == 3 or pytest.fail(out))),
    # --- orthophotos ---------------------------------------------------------------------
    ("orthophoto that does not exist",
     lambda f, t: _check(f, "wide", ortho=str(f["dir"] / "no_such.tif")),
     Err(("no_such.tif does not exist", "Check the path"))),
    ("corrupt orthophoto (random bytes)",
     lambda f, t: _check(f, "wide", ortho=f["corrupt"]),
     Err(("GDAL cannot read", "corrupt.tif", "image format GDAL reads"))),
    ("empty orthophoto file (0 bytes)",
     lambda f, t: _check(f, "wide", ortho=f["zero_bytes"]),
     Err(("GDAL cannot read", "zero.tif"),)),
    ("truncated GeoTIFF (check)",                              # silent: "40 of 40 usable"
     lambda f, t: _check(f, "wide", ortho=f["truncated"]),
     Err(("truncated.tif is incomplete", "beyond the end of the file",
          "Copy or download it again"))),
    ("orthophoto without a CRS",
     lambda f, t: _check(f, "wide", ortho=f["no_crs"]),
     Err(("no_crs.tif has no coordinate reference system", "Assign Projection"))),
    ("orthophoto without georeferencing",
     lambda f, t: _check(f, "wide", ortho=f["no_geo"]),
     Err(("no_geo.tif is not georeferenced", "Georeferencer"))),
    ("orthophoto in degrees (EPSG:4326)",
     lambda f, t: _check(f, "wide", ortho=f["degrees"]),
     Err(("degrees.tif is in a geographic CRS", "gdalwarp -t_srs"))),
    ("orthophoto all nodata (check)",          # every pixel nodata: all 6 plots listed
     lambda f, t: _check(f, "wide", ortho=f["all_nodata"]),
     Report(rc=1, status={"usable": 0, "too_much_nodata": 6})),
    ("wrong number of wavelengths",
     lambda f, t: _check(f, "wide", "--wavelengths", "0.665,0.56,0.49"),
     Err(("3 wavelengths were given", "ortho.tif has 4 spectral bands", "one centre "
          "wavelength per band"))),
    ("wavelengths that are not numbers",
     lambda f, t: _check(f, "wide", "--wavelengths", "red,green,blue,nir"),
     Err(("Wavelength 1 ('red') is not a number", "micrometres"),)),
    ("unknown sensor preset",
     lambda f, t: _check(f, "wide", "--sensor", "pleiades-9"),
     Err(("Unknown sensor preset 'pleiades-9'", "--wavelengths"),)),
    # --- sizes and fractions (check) ---------------------------------------------------------
    ("patch of 0 m", lambda f, t: _check(f, "wide", patch="0"),
     Err(("--patch-m", "positive number of metres, not 0"),)),
    ("negative patch", lambda f, t: _check(f, "wide", patch="-5"),
     Err(("--patch-m", "positive number of metres, not -5"),)),
    ("patch 'nan'", lambda f, t: _check(f, "wide", patch="nan"),
     Err(("--patch-m", "not nan"),)),
    ("patch that is not a number", lambda f, t: _check(f, "wide", patch="ten"),
     Err(("--patch-m", "'ten' is not a number"), usage=True)),
    ("patch smaller than one pixel (1 m at 2 m pixels)",       # silent: accepted
     lambda f, t: _check(f, "wide", patch="1"),
     Err(("patch of 1 m is smaller than one pixel", "ortho.tif (2 m)", "--patch-m"))),
    ("patch larger than the orthophoto (1000 m over 200 m)",    # (200 / 1000)^2 = 4 %
     lambda f, t: _check(f, "wide", patch="1000"),
     Err(("larger than the orthophoto", "200 m x 200 m", "at most 4 %", "at most 200 m"))),
    ("--min-valid above 1", lambda f, t: _check(f, "wide", "--min-valid", "1.5"),
     Err(("--min-valid", "between 0 and 1", "1.5"),)),
    ("negative --min-valid", lambda f, t: _check(f, "wide", "--min-valid", "-0.1"),
     Err(("--min-valid", "between 0 and 1", "-0.1"),)),
    # --- embed -------------------------------------------------------------------------------
    ("embed an orthophoto that is all nodata",                 # silent: all-nodata output
     lambda f, t: ["embed", "--backbone", "dofa-small", "--weights", "none",
                   "--backbone-config", TINY_JSON, "--ortho", f["rgb_nodata"], "--out",
                   t / "nodata.tif", "--patch-m", "20", "--cache-dir", t / "state", "--quiet"],
     Err(("rgb_nodata.tif", "nodata everywhere and was not written", "nodata value (0)",
          "--min-valid"))),
    ("embed with a patch larger than the orthophoto",          # silent: all-nodata output
     lambda f, t: _embed(f, t, "--patch-m", "1000", "--stride-m", "100"),
     Err(("patch of 1000 m is larger than the orthophoto", "--patch-m"),)),
    ("embed with a patch smaller than one pixel",              # silent: accepted
     lambda f, t: _embed(f, t, "--patch-m", "0.5", "--stride-m", "2"),
     Err(("patch of 0.5 m is smaller than one pixel", "--patch-m"),)),
    ("embed a truncated GeoTIFF",
     lambda f, t: _embed(f, t, ortho=f["truncated"]),
     Err(("truncated.tif is incomplete", "Copy or download it again"),)),
    ("embed with a stride of 0", lambda f, t: _embed(f, t, "--stride-m", "0"),
     Err(("--stride-m must be a positive number of metres", "0"),)),
    ("embed with a negative stride", lambda f, t: _embed(f, t, "--stride-m", "-10"),
     Err(("--stride-m must be a positive number of metres", "-10"),)),
    ("embed with a stride finer than a pixel", lambda f, t: _embed(f, t, "--stride-m", "0.5"),
     Err(("stride of 0.5 m is finer than the orthophoto's pixels", "at least one pixel"),)),
    ("embed with --batch-size 0", lambda f, t: _embed(f, t, "--batch-size", "0"),
     Err(("--batch-size", "at least 1, not 0"),)),
    ("embed with negative --workers", lambda f, t: _embed(f, t, "--workers", "-1"),
     Err(("--workers", "not -1"),)),
    ("embed with --min-valid 2", lambda f, t: _embed(f, t, "--min-valid", "2"),
     Err(("--min-valid", "between 0 and 1"),)),
    ("embed into a folder that does not accept files",
     lambda f, t: _embed(f, t, out="READ_ONLY/emb.tif"),
     Err(("does not accept new files", "Choose a folder you can write to"),)),
    ("embed with paths with spaces and accents",
     lambda f, t: _embed(f, t, "--stride-m", "20", ortho=f["acc_ortho"],
                         out=f["acc_dir"] / "emb été.tif"),
     Works(_embedded)),
    # --- train (all refused before any work) ---------------------------------------------
    ("train with --batch-size 0",                              # silent: replaced by 8
     lambda f, t: _train(f, t, "--batch-size", "0"),
     Err(("--batch-size", "at least 1, not 0", "leave it out"),)),
    ("train with a negative --batch-size",                     # silent: replaced by 1
     lambda f, t: _train(f, t, "--batch-size", "-4"),
     Err(("--batch-size", "not -4"),)),
    ("train with --epochs 0", lambda f, t: _train(f, t, "--epochs", "0"),
     Err(("epochs (--epochs) must be at least 1 (got 0)",),)),
    ("train with --epochs 2.5", lambda f, t: _train(f, t, "--epochs", "2.5"),
     Err(("--epochs", "'2.5' is not a whole number"), usage=True)),
    ("train with --block-m 0", lambda f, t: _train(f, t, "--block-m", "0"),
     Err(("block_m (--block-m) must be a positive number of metres (got 0.0)",),)),
    ("train with --val-fraction 0", lambda f, t: _train(f, t, "--val-fraction", "0"),
     Err(("--val-fraction", "between 0 and 1", "got 0 and 0.2"),)),
    ("train with --val-fraction 1.5", lambda f, t: _train(f, t, "--val-fraction", "1.5"),
     Err(("--val-fraction", "got 1.5 and 0.2"),)),
    ("train with a negative --test-fraction",
     lambda f, t: _train(f, t, "--test-fraction", "-0.2"),
     Err(("--test-fraction", "got 0.2 and -0.2"),)),
    ("train with a negative --buffer-m", lambda f, t: _train(f, t, "--buffer-m", "-1"),
     Err(("buffer_m (--buffer-m) must be 0 or more metres (got -1.0)",),)),
    ("train with --min-valid 2", lambda f, t: _train(f, t, "--min-valid", "2"),
     Err(("--min-valid", "between 0 and 1", "not 2.0"),)),
    ("train with a patch of 0 m", lambda f, t: _train(f, t, "--patch-m", "0"),
     Err(("--patch-m", "not 0.0"),)),
    ("train into a folder that does not accept files",
     lambda f, t: _train(f, t, out="READ_ONLY/model"),
     Err(("does not accept new files", "Choose a folder you can write to"),)),
    # --- releves import and check outputs ----------------------------------------------------
    ("releves import into a folder that does not accept files",
     lambda f, t: _import(f, t, out="READ_ONLY/releves.gpkg"),
     Err(("does not accept new files",),)),
    ("check --json-out into a folder that does not accept files",
     lambda f, t: _check(f, "wide", "--json-out", "READ_ONLY/report.json"),
     Err(("JSON report", "does not accept new files"),)),
    ("check with paths with spaces and accents",
     lambda f, t: ["check", "--ortho", f["acc_ortho"], "--releves", f["acc_wide"], "--x", "x",
                   "--y", "y", "--crs", "EPSG:2154", "--patch-m", "20", "--json", "--quiet",
                   "--json-out", f["acc_dir"] / "rapport été.json"],
     Works(lambda f, out, t: (_all_usable(f, out, t),
                              _written("rapport été.json")(f, out, f["acc_dir"])))),
    ("releves import with paths with spaces and accents",
     lambda f, t: _import(f, t, table="acc_long", header="acc_header",
                          out=f["acc_dir"] / "relevés importés.gpkg"),
     Works(lambda f, out, t: _written("relevés importés.gpkg")(f, out, f["acc_dir"]))),
]
ROWS += [
    ("embed --device cuda without a GPU",
     lambda f, t: _embed(f, t, "--device", "cuda"),
     Err(("'cuda' was asked for but no CUDA GPU is usable", "--device cpu"), no_gpu=True)),
    ("train --device cuda without a GPU",
     lambda f, t: _train(f, t, "--device", "cuda"),
     Err(("no CUDA GPU is usable", "--device cpu"), no_gpu=True)),
]


def _resolve(argv, read_only, tmp_path):
    """``READ_ONLY/...`` in an argument: that name in the read-only folder (the row is
    skipped, and says why, where no such folder can be made)."""
    out = []
    for a in argv:
        if isinstance(a, (str, Path)) and "READ_ONLY/" in str(a):
            if read_only is None:
                pytest.skip("no read-only folder can be made here (root without mount)")
            a = read_only / str(a).split("READ_ONLY/", 1)[1]
        out.append(a)
    return out


@pytest.mark.parametrize("name,argv,outcome", ROWS, ids=[r[0] for r in ROWS])
def test_catalogue(name, argv, outcome, f, read_only, tmp_path, two_threads):
    if isinstance(outcome, Err) and outcome.no_gpu and not NO_GPU:
        pytest.skip("a GPU is here, so --device cuda is valid (test_cli_train runs it)")
    rc, out, err = _run(_resolve(argv(f, tmp_path), read_only, tmp_path))
    assert not TYPE_NAMES.search(err + out), f"{name}: a traceback or a type name:\n{err}"
    if isinstance(outcome, Err):
        assert rc == 2, f"{name}: exit {rc}, expected 2\n{err}"
        prefix = "error: argument" if outcome.usage else "botaclip: error:"
        assert prefix in err, err
        for frag in outcome.fragments:
            assert frag in err, f"{name}: {frag!r} not in the message:\n{err}"
        written = [p.name for p in tmp_path.iterdir() if p.name != "state"]
        assert written == [], f"{name}: an output was left behind: {written}"
    elif isinstance(outcome, Report):
        assert rc == outcome.rc, f"{name}: exit {rc}\n{err}"
        rep = json.loads(out)
        for status, n in outcome.status.items():
            got = rep["plots_usable"] if status == "usable" else rep["status_counts"][status]
            assert got == n, f"{name}: {status} {got}, expected {n}"
        kinds = {n["kind"]: n["count"] for n in rep["notices"]}
        assert kinds == outcome.notices, f"{name}: notices {rep['notices']}"
        if outcome.species is not None:
            assert rep["species"] == outcome.species
        text = " ".join(n["message"] for n in rep["notices"])
        for frag in outcome.fragments:
            assert frag in text, f"{name}: {frag!r} not in the notices: {text}"
        for n in rep["notices"]:     # a warning also reaches a person on stderr (--quiet
            if n["kind"] != "text_fields":     # hides information: text fields left out)
                assert n["message"] in err
    else:
        assert rc == 0, f"{name}: exit {rc}\n{err}"
        if outcome.then is not None:
            outcome.then(f, out, tmp_path)


# ------------------------------------------------------------------------------ subprocess

@pytest.mark.parametrize("row", ["--cover-mapping JSON file holding a list",
                                 "truncated GeoTIFF (check)"])
def test_the_real_command_line(row, f, tmp_path):
    """Two rows through `python -m botaclip.backend.cli`, as a person runs it: the list
    mapping was an AttributeError traceback, the truncated file an exit 0."""
    argv = dict((r[0], r[1]) for r in ROWS)[row](f, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "botaclip.backend.cli", *map(str, argv)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("botaclip: error:") and "Traceback" not in proc.stderr


# ------------------------------------------------------------------------------ backend

def test_backend_functions(f, tmp_path, two_threads):
    """A representative subset through the functions the dialogs and Processing call: the
    same refusals as :class:`BotaclipError` with the same messages, the same notices."""
    from botaclip.backend.check import check_data
    from botaclip.backend.embed import embed_raster
    from botaclip.backend.releves import ReleveOptions, import_releves, read_cover_mapping
    from botaclip.backend.train import train_model

    xy = dict(x="x", y="y", crs="EPSG:2154")
    with pytest.raises(BotaclipError, match=r"'Poa annua': e.g. 'abc' in row 3"):
        check_data(f["ortho"], f["wide_text_cell"], ReleveOptions(**xy), patch_m=20)
    with pytest.raises(BotaclipError, match=r"truncated.tif is incomplete"):
        check_data(f["truncated"], f["wide"], ReleveOptions(**xy), patch_m=20)
    with pytest.raises(BotaclipError, match=r"smaller than one pixel"):
        check_data(f["ortho"], f["wide"], ReleveOptions(**xy), patch_m=1.0)
    rep = check_data(f["ortho"], f["header"], ReleveOptions(table=f["long_dup"], **xy),
                     patch_m=20)
    assert [(n.kind, n.count) for n in rep.notices] == [("combined_entries", 1)]
    # p1 Abies alba 10 % and 20 %, as two layers that overlap at random: 1 - 0.9 x 0.8 = 28 %
    p1 = rep.plot_ids.index("p1")
    from botaclip.backend.releves import read_releves

    rel = read_releves(f["header"], ReleveOptions(table=f["long_dup"], **xy))
    assert rel.values[p1, rel.taxa.index("Abies alba")] == pytest.approx(28.0, abs=1e-4)
    with pytest.raises(BotaclipError, match=r"appear more than once.*header_dup.csv"):
        import_releves(f["long"], f["header_dup"], plot_id="plot_id", taxon="taxon",
                       cover="cover", out=tmp_path / "r.gpkg", **xy)
    with pytest.raises(BotaclipError, match=r"holds a list"):
        read_cover_mapping(f["mapping_list"])
    with pytest.raises(BotaclipError, match=r"nodata everywhere and was not written"):
        embed_raster(f["rgb_nodata"], tmp_path / "e.tif", backbone="dofa-small",
                     weights="none", backbone_config=json.loads(TINY_JSON), patch_m=20.0,
                     cache_dir=tmp_path / "state")
    with pytest.raises(BotaclipError, match=r"larger than the orthophoto"):
        embed_raster(f["ortho"], tmp_path / "e.tif", backbone="spectral", patch_m=1000.0,
                     stride_m=100.0, cache_dir=tmp_path / "state")
    for bad in (0, -4, 2.5):
        with pytest.raises(BotaclipError, match=r"--batch-size.*at least 1"):
            train_model(f["ortho"], f["wide"], tmp_path / "m", options=ReleveOptions(**xy),
                        patch_m=20.0, backbone="spectral", cache_dir=False, batch_size=bad)
    assert not (tmp_path / "e.tif").exists() and not (tmp_path / "m").exists()


def test_train_works_with_spaces_and_accents(small_scene, tmp_path, two_threads):
    """The small training scene (200 plots: enough for the 50 + 50 + 50 of the three roles)
    copied under a name with spaces, accents and parentheses trains and writes its model."""
    folder = tmp_path / "données d'été (2024)"
    folder.mkdir()
    ortho = shutil.copy(small_scene[0], folder / "orthophoto été.tif")
    releves = shutil.copy(small_scene[1], folder / "relevés Jura.gpkg")
    rc, out, err = _run(["train", "--ortho", ortho, "--releves", releves, "--patch-m", 40,
                         "--backbone", "spectral", "--epochs", 2, "--device", "cpu",
                         "--no-cache", "--out", folder / "modèle n°1", "--json", "--quiet"])
    assert rc == 0 and not TYPE_NAMES.search(err), err
    summary = json.loads(out)
    assert Path(summary["out"]).name == "modèle n°1"
    assert (folder / "modèle n°1" / "config.json").exists()
