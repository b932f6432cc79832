"""Prediction maps on real data: the S2-BMS sample (../shared/data/s2bms_sample, see its
README): 16 Sentinel-2 images of UK butterfly monitoring sites and the fraction of visits on
which each species was seen. The images are mosaicked into a VRT, embedded with the spectral
baseline at a coarse stride, the sites written as points with a presence field (fraction >
0) and ``botaclip predict`` run through the command line's main function: either metrics or
a clear "too few" message, never a traceback.

Counts, from ukbms_presence_test16.csv: rows 9 and 12 have no image (their points fall on
the mosaic's nodata between images, so 16 points are usable). Among the 16 imaged sites
*Lysandra bellargus* was seen at 7 and *Hesperia comma* at 4. 5-fold cross-validation needs
at least 5 presences and 5 absences (one of each per fold): bellargus (7 / 9) gets metrics,
comma (4 / 12) is refused with the number needed.
"""

import ast
import csv
import json
from pathlib import Path

import pytest
from osgeo import gdal, osr

from botaclip.backend.cli import main
from botaclip.backend.io.mosaic import build_vrt
from botaclip.backend.io.vector import write_points

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "s2bms_sample"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/s2bms_sample")
CSV = DATA / "ukbms_presence_test16.csv"
NO_IMAGE = {9, 12}                                   # README: rows without an image
SPECIES = {"lysandra_bellargus": "Lysandra bellargus", "hesperia_comma": "Hesperia comma"}
# B4, B3, B2, B8 centres in micrometres (README): the files carry no band names
WAVELENGTHS = "0.665,0.56,0.49,0.842"

# about 12 s in all (7 s of it the embedding, shared by the module): not marked slow
pytestmark = pytest.mark.skipif(not CSV.is_file(), reason="S2-BMS sample not present")


def _sites():
    """(lon, lat, {field: 0/1}) per CSV row, in file order (row k is loc-k)."""
    rows = list(csv.DictReader(CSV.open(newline="")))
    out = []
    for r in rows:
        lon, lat = ast.literal_eval(r["tuple_coords"])
        out.append((lon, lat, {f: int(float(r[name]) > 0) for f, name in SPECIES.items()}))
    return out


@pytest.fixture(scope="module")
def s2bms(tmp_path_factory):
    """The mosaic embedded (spectral baseline, 320 m patches every 320 m) and the points."""
    tmp = tmp_path_factory.mktemp("s2bms")
    vrt = build_vrt(DATA / "images", tmp / "mosaic.vrt")
    emb = tmp / "emb.tif"
    rc = main(["embed", "--backbone", "spectral", "--wavelengths", WAVELENGTHS,
               "--patch-m", "320", "--stride-m", "320", "--ortho", str(vrt), "--out",
               str(emb), "--cache-dir", str(tmp / "cache"), "--quiet"])
    assert rc == 0
    sites = _sites()
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)      # lon, lat
    points = write_points(tmp / "sites.gpkg", wgs84, [s[0] for s in sites],
                          [s[1] for s in sites],
                          {f: [s[2][f] for s in sites] for f in SPECIES}, layer="sites")
    return tmp, emb, points, sites


def test_counts_from_the_csv(s2bms):
    # the reasoning of the module docstring, checked on the file itself
    _tmp, _emb, _points, sites = s2bms
    imaged = [s for k, s in enumerate(sites) if k not in NO_IMAGE]
    assert len(sites) == 18 and len(imaged) == 16
    assert sum(s[2]["lysandra_bellargus"] for s in imaged) == 7
    assert sum(s[2]["hesperia_comma"] for s in imaged) == 4


def test_enough_presences_gives_metrics(s2bms, capsys):
    tmp, emb, points, _ = s2bms
    out, report = tmp / "bellargus.tif", tmp / "report"
    rc = main(["predict", "--embeddings", str(emb), "--points", str(points), "--target",
               "lysandra_bellargus", "--out", str(out), "--report", str(report), "--quiet"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert "Traceback" not in cap.err + cap.out
    assert "lysandra_bellargus: auc" in cap.out
    m = json.loads((report / "metrics.json").read_text())["targets"]["lysandra_bellargus"]
    # 16 usable points, the 2 sites without an image on the mosaic's nodata
    assert m["counts"]["usable"] == 16 and m["counts"]["nodata"] == 2
    assert (m["n_presences"], m["n_absences"]) == (7, 9)
    assert 0.0 <= m["auc"] <= 1.0 and len(m["folds"]) == 5
    ds = gdal.Open(str(out))
    assert ds.GetRasterBand(1).GetDescription() == "probability_lysandra_bellargus"
    prob = ds.GetRasterBand(1).ReadAsArray()
    valid = prob[prob == prob]                            # not NaN
    # 16 images of 8 x 8 patches of 320 m: about 1024 pixels predicted, all probabilities
    assert 900 < valid.size < 1200 and ((valid >= 0) & (valid <= 1)).all()


def test_too_few_presences_said_with_the_number_needed(s2bms, capsys):
    tmp, emb, points, _ = s2bms
    out = tmp / "comma.tif"
    rc = main(["predict", "--embeddings", str(emb), "--points", str(points), "--target",
               "hesperia_comma", "--out", str(out), "--quiet"])
    cap = capsys.readouterr()
    assert rc == 2
    assert "Traceback" not in cap.err + cap.out
    assert "Only 4 presences for 5-fold cross-validation: at least 5 are needed" in cap.err
    assert "--folds 4" in cap.err and not out.exists()
