"""The check report and the foundation's command-line contracts, on real data from
../shared/data (S2-BMS Sentinel-2 patches, sPlotOpen Greece) and on small synthetic files."""

import csv
import json

import numpy as np
import pytest
from osgeo import gdal, osr

from botaclip.backend.check import check_data
from botaclip.backend.cli import main
from botaclip.backend.errors import BotaclipError
from botaclip.backend.io.mosaic import build_vrt
from botaclip.backend.io.vector import write_points
from botaclip.backend.releves import ReleveOptions, read_releves

S2_WAVELENGTHS = "0.665,0.56,0.49,0.842"


def _srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


@pytest.fixture(scope="module")
def s2(shared_dir, tmp_path_factory):
    """The 16 S2-BMS images as one VRT, and the 18 sites as a wide point layer (lon/lat)."""
    folder = shared_dir / "data" / "s2bms_sample"
    tmp = tmp_path_factory.mktemp("s2check")
    vrt = build_vrt(sorted((folder / "images").glob("*.tif")), tmp / "s2bms.vrt")
    with open(folder / "ukbms_presence_test16.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    species = [c for c in rows[0] if c not in ("", "tuple_coords", "n_visits", "name_loc")]
    lon, lat = zip(*(map(float, r["tuple_coords"].strip("()").split(",")) for r in rows))
    fields = {"plot_id": [r["name_loc"] for r in rows], "n_visits": [float(r["n_visits"])
                                                                      for r in rows]}
    fields.update({s: [float(r[s]) for r in rows] for s in species})
    gpkg = write_points(tmp / "sites.gpkg", _srs(4326), lon, lat, fields)
    return {"vrt": str(vrt), "points": str(gpkg), "names": fields["plot_id"], "tmp": tmp,
            "species": species}


def test_s2bms_check_16_usable_2_on_nodata(s2):
    opts = ReleveOptions(plot_id="plot_id", exclude_columns=["n_visits"])
    rep = check_data(s2["vrt"], s2["points"], opts, wavelengths=S2_WAVELENGTHS, patch_m=500,
                     contact_sheet=s2["tmp"] / "sheet.png", plots_out=s2["tmp"] / "st.gpkg")
    assert rep.plots_total == 18 and rep.plots_usable == 16
    assert rep.counts["too_much_nodata"] == 2
    bad = [p for p, s in zip(rep.plot_ids, rep.status) if s != "usable"]
    assert bad == [s2["names"][9], s2["names"][12]]      # the two sites without an image
    assert rep.n_species <= len(s2["species"]) and rep.n_species > 30
    assert rep.bands["wavelengths_um"] == [0.665, 0.56, 0.49, 0.842]
    # the contact sheet is a real PNG, the status layer has one feature per plot
    sheet = gdal.Open(str(s2["tmp"] / "sheet.png"))
    assert sheet.RasterXSize > 300 and sheet.RasterCount >= 3
    ds = gdal.OpenEx(str(s2["tmp"] / "st.gpkg"), gdal.OF_VECTOR)
    lyr = ds.GetLayer(0)
    assert lyr.GetFeatureCount() == 18
    statuses = sorted(f.GetField("status") for f in lyr)
    assert statuses.count("usable") == 16


def test_check_cli_json_contract(s2, capsys):
    rc = main(["check", "--ortho", s2["vrt"], "--releves", s2["points"], "--plot-id",
               "plot_id", "--exclude-columns", "n_visits", "--wavelengths", S2_WAVELENGTHS,
               "--patch-m", "500", "--json", "--quiet"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["plots_total"] == 18 and out["plots_usable"] == 16
    assert isinstance(out["species"], int) and out["species"] > 30
    assert sorted(p["reason"] for p in out["problems"]) == ["too_much_nodata"] * 2
    assert {p["plot"] for p in out["problems"]} == {s2["names"][9], s2["names"][12]}


def test_check_cli_no_usable_plot_exits_nonzero(s2, capsys):
    """With a tiny minimum of valid pixels impossible to reach? No: demand 100 % valid in a
    patch so large that every patch crosses an image edge; nothing is usable -> exit 1."""
    rc = main(["check", "--ortho", s2["vrt"], "--releves", s2["points"], "--plot-id",
               "plot_id", "--exclude-columns", "n_visits", "--wavelengths", S2_WAVELENGTHS,
               "--patch-m", "5000", "--min-valid", "1.0", "--json", "--quiet"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["plots_usable"] == 0


def test_check_band_count_mismatch_names_both(s2):
    with pytest.raises(BotaclipError, match=r"3 wavelengths.*4 spectral band"):
        check_data(s2["vrt"], s2["points"], ReleveOptions(plot_id="plot_id"),
                   wavelengths="0.665,0.56,0.49")


def test_check_no_band_preset_says_how(s2):
    with pytest.raises(BotaclipError, match="--sensor|--wavelengths"):
        check_data(s2["vrt"], s2["points"], ReleveOptions(plot_id="plot_id"))


def test_check_no_plot_inside_gives_both_extents(s2, tmp_path):
    far = write_points(tmp_path / "far.gpkg", _srs(4326), [10.0, 10.1], [45.0, 45.1],
                       {"plot_id": ["a", "b"], "Poa annua": [1.0, 1.0]})
    with pytest.raises(BotaclipError) as e:
        check_data(s2["vrt"], str(far), ReleveOptions(plot_id="plot_id"),
                   wavelengths=S2_WAVELENGTHS)
    msg = str(e.value)
    assert "orthophoto extent" in msg and "plots extent" in msg and "EPSG:32630" in msg


def test_check_cli_bad_file_exit_2(tmp_path, capsys):
    rc = main(["check", "--ortho", str(tmp_path / "missing.tif"), "--releves",
               str(tmp_path / "none.gpkg"), "--quiet"])
    assert rc == 2
    assert "missing.tif" in capsys.readouterr().err


def test_check_duplicate_and_no_taxa_statuses(s2, tmp_path):
    """A duplicated id and a plot without taxa are reported, not dropped."""
    src = read_releves(s2["points"], ReleveOptions(plot_id="plot_id",
                                                   exclude_columns=["n_visits"]))
    ids = list(src.plot_ids)
    ids[1] = ids[0]
    vals = src.values.copy()
    vals[2] = 0
    fields = {"plot_id": ids}
    fields.update({t: vals[:, j] for j, t in enumerate(src.taxa)})
    lon, lat = src.x, src.y
    path = write_points(tmp_path / "dup.gpkg", _srs(4326), lon, lat, fields)
    rep = check_data(s2["vrt"], str(path), ReleveOptions(plot_id="plot_id"),
                     wavelengths=S2_WAVELENGTHS, patch_m=500)
    st = dict(zip(range(len(rep.status)), rep.status))
    assert st[0] == st[1] == "duplicate_id"
    assert st[2] == "no_taxa"
    assert rep.plots_usable == 13 and rep.plots_total == 18


# ---------------------------------------------------------------- sPlotOpen Greece

def test_splot_greece_import_cli(shared_dir, tmp_path, capsys):
    folder = shared_dir / "data" / "splotopen_greece"
    out = tmp_path / "greece.gpkg"
    rc = main(["releves", "import", "--table", str(folder / "greece_DT.csv"),
               "--header", str(folder / "greece_header.csv"), "--plot-id", "PlotObservationID",
               "--taxon", "Species", "--cover", "Original_abundance", "--x", "Longitude",
               "--y", "Latitude", "--crs", "EPSG:4326", "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    rel = read_releves(str(out), ReleveOptions(plot_id="plot_id"))
    assert len(rel.plot_ids) == 17
    assert rel.values.shape[0] == 17 and rel.values.shape[1] > 100
    assert np.all((rel.values > 0).sum(axis=1) > 0)


def test_import_cli_bad_field_names_it(shared_dir, tmp_path, capsys):
    folder = shared_dir / "data" / "splotopen_greece"
    out = tmp_path / "g.gpkg"
    rc = main(["releves", "import", "--table", str(folder / "greece_DT.csv"),
               "--header", str(folder / "greece_header.csv"), "--plot-id", "PlotObservationID",
               "--taxon", "Taxon_name", "--cover", "Original_abundance", "--x", "Longitude",
               "--y", "Latitude", "--crs", "EPSG:4326", "--out", str(out), "--quiet"])
    assert rc == 2 and not out.exists()
    assert "Taxon_name" in capsys.readouterr().err


def test_presets_cli_lists_required(capsys):
    assert main(["presets", "--json"]) == 0
    presets = json.loads(capsys.readouterr().out)
    for name in ("bdortho-rvb", "bdortho-irc", "naip", "sentinel2-l2a", "landsat8", "rgb",
                 "rgbn"):
        assert name in presets
