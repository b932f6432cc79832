"""Reading relevés as ecologists have them: wide layers, long tables, CSV dialects, errors."""

import csv

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osgeo import ogr, osr

from botaclip.backend.errors import BotaclipError
from botaclip.backend.io.gdalutil import srs_from_user
from botaclip.backend.io.vector import write_points
from botaclip.backend.progress import CancelFlag
from botaclip.backend.releves import (
    ReleveOptions,
    Releves,
    import_releves,
    normalise_plot_id,
    normalise_taxon,
    read_releves,
    transform_values,
    write_releves,
)

L93 = "EPSG:2154"


# ----------------------------------------------------------------------------- helpers

def write_csv(path, rows, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def points(path, ids, fields=None, *, srs=L93, layer=None, x=None, y=None):
    n = len(ids)
    x = np.arange(n, dtype=float) * 100 + 700000 if x is None else np.asarray(x, float)
    y = np.full(n, 6600000.0) if y is None else np.asarray(y, float)
    cols = {"plot_id": np.asarray(ids, dtype=object)}
    cols.update(fields or {})
    return write_points(path, srs_from_user(srs) if srs else None, x, y, cols, layer=layer)


def assert_nothing_written(folder, name):
    assert not (folder / name).exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "temporary file left"


@pytest.fixture(scope="module")
def greece(shared_dir):
    d = shared_dir / "data" / "splotopen_greece"
    return d / "greece_DT.csv", d / "greece_header.csv"


def _greece_options(table, **kw):
    base = dict(table=str(table), plot_id="PlotObservationID", taxon="Species",
                cover="Original_abundance", x="Longitude", y="Latitude", crs="EPSG:4326")
    base.update(kw)
    return ReleveOptions(**base)


# ----------------------------------------------------------------------------- names

@pytest.mark.parametrize("raw, expected", [
    ("Abies alba", "Abies alba"),
    ("  abies   ALBA ", "Abies alba"),
    ("Abies_alba", "Abies alba"),
    ("Abies.alba", "Abies alba"),
    ("ABIES\u00a0alba", "Abies alba"),
    ("Cardamine.impatiens.subsp..impatiens", "Cardamine impatiens subsp. impatiens"),
    ("Quercus petraea SUBSP. Medwediewii", "Quercus petraea subsp. medwediewii"),
    ("Carex.sp.", "Carex sp."),
    ("Carex_sp", "Carex sp."),
    ("Quercus_petraea_subsp_medwediewii", "Quercus petraea subsp. medwediewii"),
    ("Galium mollugo AGG", "Galium mollugo agg."),
    (". _", ""),
    ("Galium mollugo agg.", "Galium mollugo agg."),
    ("Abies alba Mill.", "Abies alba Mill."),            # authority kept as given
    ("Abies xborisii-regis", "Abies xborisii-regis"),
    ("x Festulolium Loliaceum", "x Festulolium loliaceum"),
    ("Ranunculus", "Ranunculus"),
    ("", ""),
    (None, ""),
])
def test_normalise_taxon(raw, expected):
    assert normalise_taxon(raw) == expected


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="abcXYZf ._-\u00d7\u00a0", max_size=20)
       | st.lists(st.sampled_from(["Abies", "ALBA", "subsp", "Sp.", "x", "Mill.", ".", "_",
                                   " ", "agg"]), max_size=6).map("".join))
def test_normalise_taxon_is_idempotent(name):
    once = normalise_taxon(name)
    assert normalise_taxon(once) == once


@pytest.mark.parametrize("raw, expected", [
    (790150, "790150"), (790150.0, "790150"), ("790150.0", "790150"), (" 790150 ", "790150"),
    (np.int64(12), "12"), (np.float32(12.0), "12"), (12.5, "12.5"), ("A-12", "A-12"),
    ("007", "007"), (None, ""), (float("nan"), ""),
])
def test_normalise_plot_id(raw, expected):
    assert normalise_plot_id(raw) == expected


# ----------------------------------------------------------------------------- sPlotOpen

def test_splotopen_greece_import(greece, tmp_path):
    table, header = greece
    out = tmp_path / "greece.gpkg"
    res = import_releves(table, header, plot_id="PlotObservationID", taxon="Species",
                         cover="Original_abundance", x="Longitude", y="Latitude",
                         crs="EPSG:4326", out=out)
    assert res.path == out and out.exists()
    assert (res.n_plots, res.n_taxa, res.n_rows) == (17, 139, 385)
    assert (res.cover_scale, res.value_kind) == ("percent", "cover_percent")
    assert res.problems == []

    ds = ogr.Open(str(out))
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    assert defn.GetFieldDefn(0).GetName() == "plot_id"
    assert defn.GetFieldDefn(0).GetType() == ogr.OFTString
    assert defn.GetFieldCount() == 1 + 139
    assert lyr.GetFeatureCount() == 17
    assert lyr.GetSpatialRef().GetAuthorityCode(None) == "4326"
    feats = {f.GetField("plot_id"): f for f in lyr}
    assert set(feats) >= {"790150", "790211", "791490"}
    # rows of greece_DT.csv: 790150 Cardamine bulbifera 13.0, Fagus sylvatica 69.5808;
    # 790211 Fagus sylvatica 88.5928; 790632 Campanula persicifolia 2.0
    assert feats["790150"].GetField("Cardamine bulbifera") == pytest.approx(13.0)
    assert feats["790150"].GetField("Fagus sylvatica") == pytest.approx(69.5808)
    assert feats["790211"].GetField("Fagus sylvatica") == pytest.approx(88.5928)
    assert feats["790632"].GetField("Campanula persicifolia") == pytest.approx(2.0)
    assert feats["790150"].GetField("Abies borisii-regis") == 0
    g = feats["790150"].GetGeometryRef()
    assert (g.GetX(), g.GetY()) == pytest.approx((24.341667, 41.45))   # header row 2


def test_splotopen_greece_read(greece):
    table, header = greece
    rel = read_releves(str(header), _greece_options(table))
    assert rel.values.dtype == np.float32 and rel.values.shape == (17, 139)
    assert rel.taxa == sorted(rel.taxa) and len(rel.plot_ids) == 17
    with open(table, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert int((rel.values > 0).sum()) == len(rows) == 385   # no pair repeats in this table
    i = rel.plot_ids.index("790150")
    assert rel.values[i, rel.taxa.index("Cardamine bulbifera")] == pytest.approx(13.0)
    assert rel.top_taxa(i, 2) == ["Fagus sylvatica", "Cardamine bulbifera"]
    freq = rel.taxon_frequencies()
    assert next(iter(freq.items())) == ("Fagus sylvatica", 17)
    assert freq["Luzula luzuloides"] == sum(r["Species"] == "Luzula luzuloides" for r in rows)
    assert "790150.0" in rel.source or "greece_DT.csv" in rel.source


def test_splotopen_join_needs_the_right_id_field(greece, tmp_path):
    table, header = greece
    with pytest.raises(BotaclipError) as err:
        read_releves(str(header), _greece_options(table, plot_id="Elevation",
                                                  table_plot_id="PlotObservationID"))
    msg = str(err.value)
    assert "greece_DT.csv" in msg and "greece_header.csv" in msg and "790150" in msg


# ----------------------------------------------------------------------------- wide layers

def _sample(kind="cover_percent"):
    vals = np.array([[10, 0, 88.4752], [0, 0, 0], [2.5, 38, 1]], dtype="float32")
    if kind != "cover_percent":
        vals = np.array([[1, 0, 250], [0, 0, 0], [3, 7, 1]], dtype="float32")
        if kind == "presence":
            vals = (vals > 0).astype("float32")
    return Releves(plot_ids=["a1", "b2", "c3"], taxa=["Abies alba", "Carex sp.", "Fagus sylvatica"],
                   values=vals, value_kind=kind, x=np.array([700000.0, np.nan, 700200.0]),
                   y=np.array([6600000.0, np.nan, 6600100.0]),
                   srs_wkt=srs_from_user(L93).ExportToWkt(), source="test",
                   cover_scale="percent" if kind == "cover_percent" else kind,
                   problems=[("b2", "no_geometry"), ("b2", "no_taxa")])


@pytest.mark.parametrize("kind, ext", [("cover_percent", "gpkg"), ("count", "gpkg"),
                                       ("presence", "gpkg"), ("count", "geojson")])
def test_wide_round_trip(tmp_path, kind, ext):
    rel = _sample(kind)
    path = write_releves(rel, tmp_path / f"wide.{ext}")
    back = read_releves(str(path))
    assert back.plot_ids == rel.plot_ids and back.taxa == rel.taxa
    assert back.value_kind == kind
    np.testing.assert_array_equal(back.values, rel.values)
    np.testing.assert_array_equal(back.x, rel.x)
    assert back.problems == [("b2", "no_geometry"), ("b2", "no_taxa")]
    assert osr.SpatialReference(back.srs_wkt).GetAuthorityCode(None) == "2154"


def test_write_refuses_formats_that_lose_taxa_or_plots(tmp_path):
    for name in ("wide.shp", "wide.fgb", "wide.csv"):
        with pytest.raises(BotaclipError, match=r"use .gpkg.*10 characters"):
            write_releves(_sample(), tmp_path / name)
        assert_nothing_written(tmp_path, name)
    rel = _sample()
    rel.taxa = ["Abies alba", "abies alba", "Fagus sylvatica"]
    with pytest.raises(BotaclipError, match="'Abies alba' and 'abies alba'"):
        write_releves(rel, tmp_path / "wide.gpkg")
    assert_nothing_written(tmp_path, "wide.gpkg")


def test_qgis_style_layer_sources(tmp_path):
    path = tmp_path / "multi.gpkg"
    points(path, ["p1", "p2"], {"Abies alba": np.array([5.0, 0.0]),
                                "Picea abies": np.array([0.0, 50.0])}, layer="plots")
    ds = ogr.Open(str(path), 1)
    other = ds.CreateLayer("other", srs_from_user(L93), ogr.wkbPoint)
    other.CreateField(ogr.FieldDefn("plot_id", ogr.OFTString))
    ds = None
    for source, opts in [(f"{path}|layername=plots", ReleveOptions()),
                         (f"{path}|layerid=0", ReleveOptions()),
                         (str(path), ReleveOptions(layer="plots"))]:
        rel = read_releves(source, opts)
        assert rel.plot_ids == ["p1", "p2"] and rel.taxa == ["Abies alba", "Picea abies"]
        np.testing.assert_array_equal(rel.values, [[5, 0], [0, 50]])
    assert "layername=plots" in read_releves(f"{path}|layername=plots").source
    with pytest.raises(BotaclipError) as err:
        read_releves(str(path))
    assert "multi.gpkg" in str(err.value) and "plots, other" in str(err.value)
    with pytest.raises(BotaclipError, match=r"no layer 'nope'.*plots, other"):
        read_releves(f"{path}|layername=nope")
    rel = read_releves(f"{path}|layername=plots|subset=\"plot_id\" = 'p2'")
    assert rel.plot_ids == ["p2"]


def test_wide_defaults_skip_ids_and_coordinates_and_combine_same_names(tmp_path):
    path = tmp_path / "w.gpkg"
    points(path, ["p1", "p2", "p2"], {
        "Abies_alba": np.array([50.0, 0.0, 10.0]), "Abies.alba": np.array([50.0, 20.0, 0.0]),
        "longitude": np.array([1.0, 2.0, 3.0]), "habitat": np.array(["f", "g", "h"], dtype=object),
        "Plot area": np.array([100, 100, 100])})
    rel = read_releves(str(path), ReleveOptions(exclude_columns=["plot area"]))
    assert rel.taxa == ["Abies alba"]
    np.testing.assert_allclose(rel.values[:, 0], [75, 20, 10])   # 1 - (1 - .5)(1 - .5)
    assert ("p2", "duplicate_id") in rel.problems
    assert rel.plot_ids == ["p1", "p2", "p2"]


def test_wide_layer_from_fid_and_header_csv_with_decimal_comma(tmp_path):
    path = tmp_path / "wide.csv"
    write_csv(path, [["X", "Y", "Fagus sylvatica", "Quercus robur"],
                     ["700000,5", "6600000", "12,5", ""],
                     ["700100", "6600100", "", "3"]], delimiter=";")
    rel = read_releves(str(path), ReleveOptions(x="X", y="Y", crs=L93))
    assert rel.plot_ids == ["1", "2"]
    assert rel.x[0] == 700000.5 and rel.cover_scale == "percent"
    np.testing.assert_allclose(rel.values, [[12.5, 0], [0, 3]])


def test_braun_blanquet_codes_in_text_columns_named_explicitly(tmp_path):
    path = tmp_path / "bb.gpkg"
    points(path, ["a", "b"], {"Fagus sylvatica": np.array(["2a", "r"], dtype=object),
                              "Carex alba": np.array(["+", ""], dtype=object)})
    rel = read_releves(str(path), ReleveOptions(species_columns=["Fagus sylvatica",
                                                                 "Carex alba"]))
    assert rel.cover_scale == "braun-blanquet"
    np.testing.assert_array_equal(rel.values, [[2, 8], [0, 1]])


# ----------------------------------------------------------------------------- long tables

def test_braun_blanquet_long_table_latin1_semicolon(tmp_path):
    pts = points(tmp_path / "plots.gpkg", ["Forêt-1", "Forêt-2", "P3"])
    table = write_csv(tmp_path / "long.csv", [
        ["Relevé", "Taxon", "Layer", "BB"],
        ["Forêt-1", "Fagus sylvatica", "T1", "3"],
        ["Forêt-1", "Fagus sylvatica", "S", "2a"],     # same taxon, two layers
        ["Forêt-1", "Galium odoratum", "H", "+"],
        ["Forêt-2", "Fagus_sylvatica", "T1", " 2 B "],
        ["Forêt-2", "Stellaria holostea", "H", "r"],
        ["Forêt-2", "Oxalis acetosella", "H", ""],      # empty: absent
    ], delimiter=";", encoding="latin-1")
    rel = read_releves(str(pts), ReleveOptions(table=str(table), plot_id="plot_id",
                                               table_plot_id="Relevé", taxon="Taxon",
                                               cover="BB"))
    assert rel.cover_scale == "braun-blanquet" and rel.value_kind == "cover_percent"
    assert rel.taxa == ["Fagus sylvatica", "Galium odoratum", "Stellaria holostea"]
    expected = [[100 * (1 - (1 - 0.38) * (1 - 0.08)), 2, 0], [18, 0, 1], [0, 0, 0]]
    np.testing.assert_allclose(rel.values, expected, rtol=1e-6)
    assert rel.problems == [("P3", "no_taxa")]


def test_long_table_dialects_tab_bom_quotes(tmp_path):
    header = tmp_path / "header.txt"
    header.write_text("\ufeffplot_id\tE\tN\n1\t700000\t6600000\n2\t700100\t6600000\n",
                      encoding="utf-8")
    table = tmp_path / "long.csv"
    table.write_text('plot_id,species,cover\n1.0,"Abies alba",0.5\n2.0,"Carex, sp.",0.25\n'
                     '2.0,Abies alba,\n', encoding="utf-8-sig")
    rel = read_releves(str(header), ReleveOptions(table=str(table), x="E", y="N", crs=L93))
    assert rel.plot_ids == ["1", "2"] and rel.cover_scale == "fraction"
    assert rel.taxa == ["Abies alba", "Carex, sp."]
    np.testing.assert_allclose(rel.values, [[50, 0], [0, 25]])


def test_utf16_tab_header_and_polygon_plots(tmp_path):
    header = tmp_path / "header.txt"      # Excel's "Unicode text": UTF-16, tab-delimited
    header.write_text("Relevé\tX\tY\nÉtang 1\t700000\t6600000\n", encoding="utf-16")
    table = write_csv(tmp_path / "long.csv", [["Relevé", "taxon", "cover"],
                                              ["Étang 1", "Carex elata", "25"]])
    rel = read_releves(str(header), ReleveOptions(table=str(table), x="X", y="Y", crs=L93))
    assert rel.plot_ids == ["Étang 1"] and rel.values.tolist() == [[25.0]]
    poly = tmp_path / "plots.geojson"
    poly.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"plot_id": "q1", "Carex elata": 5}, "geometry": {"type": '
                    '"Polygon", "coordinates": [[[2, 40], [4, 40], [4, 42], [2, 42], [2, 40]]]}}]}')
    rel = read_releves(str(poly))
    assert (rel.x[0], rel.y[0]) == pytest.approx((3, 41))   # centroid of the square
    assert rel.taxa == ["Carex elata"]


def test_csv_with_wkt_column_and_point_layer_header(tmp_path):
    wkt = tmp_path / "plots.csv"
    wkt.write_text('WKT,plot_id,Abies alba,note\n"POINT (700000 6600000)",1,3,a\n'
                   '"POINT (700100 6600000)",2,,b\n', encoding="utf-8")
    rel = read_releves(str(wkt), ReleveOptions(crs=L93))
    assert rel.taxa == ["Abies alba"] and rel.values[:, 0].tolist() == [3, 0]
    assert rel.x.tolist() == [700000, 700100]
    pts = points(tmp_path / "pts.gpkg", ["10", "11"], {"Elevation": np.array([200.0, 300.0])})
    table = write_csv(tmp_path / "long.csv", [["releve_nr", "taxon", "cover"],
                                              ["10.0", "Abies alba", "r"], ["11", "Abies alba",
                                                                            "5"]])
    res = import_releves(table, pts, plot_id="plot_id", table_plot_id="releve_nr",
                         taxon="taxon", cover="cover", out=tmp_path / "out.gpkg")
    assert (res.n_plots, res.n_taxa, res.cover_scale) == (2, 1, "braun-blanquet")
    back = read_releves(str(res.path))
    assert back.plot_ids == ["10", "11"] and back.values[:, 0].tolist() == [1, 88]
    assert back.x.tolist() == [700000, 700100]


def test_counts_and_presence_combine_by_sum_and_max(tmp_path):
    pts = points(tmp_path / "p.gpkg", ["1", "2"])
    t1 = write_csv(tmp_path / "counts.csv", [["plot_id", "taxon", "n"], ["1", "Bombus", "150"],
                                              ["1", "bombus", "7"], ["2", "Apis", "3"]])
    rel = read_releves(str(pts), ReleveOptions(table=str(t1), cover="n"))
    assert (rel.cover_scale, rel.value_kind) == ("count", "count")
    np.testing.assert_array_equal(rel.values, [[0, 157], [3, 0]])
    t2 = write_csv(tmp_path / "pa.csv", [["plot_id", "taxon", "cover"], ["1", "Apis", "x"],
                                          ["1", "Apis", "x"], ["2", "Bombus", "yes"]])
    rel = read_releves(str(pts), ReleveOptions(table=str(t2)))
    assert rel.value_kind == "presence"
    np.testing.assert_array_equal(rel.values, [[1, 0], [0, 1]])
    assert rel.transform("hellinger").tolist() == [[1, 0], [0, 1]]


def test_long_ids_partly_missing_warn_and_are_reported(tmp_path):
    pts = points(tmp_path / "p.gpkg", ["1", "2"])
    table = write_csv(tmp_path / "long.csv", [["plot_id", "taxon", "cover"],
                                              ["1", "Apis", "5"], ["9", "Apis", "5"],
                                              ["8", "Apis", "5"], ["9", "Bombus", "50"]])
    flag = CancelFlag()
    rel = read_releves(str(pts), ReleveOptions(table=str(table)), progress=flag)
    assert rel.taxa == ["Apis"]
    assert ("9", "not_in_points") in rel.problems and ("8", "not_in_points") in rel.problems
    assert any("long.csv" in w and "9, 8" in w and "3 rows" in w for w in flag.warnings)
    assert flag.fractions and flag.fractions[-1] <= 1.0


def test_cancel_stops_reading(tmp_path):
    pts = points(tmp_path / "p.gpkg", ["1"], {"Abies alba": np.array([5.0])})
    from botaclip.backend.errors import Cancelled
    with pytest.raises(Cancelled):
        read_releves(str(pts), progress=CancelFlag(cancel_after_reports=1))


# ----------------------------------------------------------------------------- transforms

def test_transforms_and_subset():
    rel = _sample()
    v = rel.values.astype("float64")
    np.testing.assert_array_equal(rel.transform("presence"), v > 0)
    np.testing.assert_allclose(rel.transform("sqrt"), np.sqrt(v), rtol=1e-6)
    np.testing.assert_allclose(rel.transform("log"), np.log1p(v), rtol=1e-6)
    h = rel.transform("hellinger")
    np.testing.assert_allclose(h[0], np.sqrt(v[0] / v[0].sum()), rtol=1e-6)
    np.testing.assert_allclose((h ** 2).sum(axis=1), [1, 0, 1], rtol=1e-6)
    assert h.dtype == np.float32 and h[1].tolist() == [0, 0, 0]
    np.testing.assert_array_equal(transform_values(rel.values, "hellinger"), h)
    np.testing.assert_array_equal(rel.transform("none"), v)
    with pytest.raises(BotaclipError, match="Unknown cover transform 'cube'"):
        rel.transform("cube")
    sub = rel.subset([2, 0])
    assert sub.plot_ids == ["c3", "a1"] and sub.taxa == rel.taxa
    np.testing.assert_array_equal(sub.values, rel.values[[2, 0]])
    assert sub.problems == []
    sub = rel.subset(np.array([False, True, False]))
    assert sub.problems == [("b2", "no_geometry"), ("b2", "no_taxa")]
    assert rel.top_taxa(2) == ["Carex sp.", "Abies alba", "Fagus sylvatica"]
    assert rel.top_taxa(1) == []
    assert rel.taxon_frequencies() == {"Abies alba": 2, "Fagus sylvatica": 2, "Carex sp.": 1}


# ----------------------------------------------------------------------------- errors

@pytest.fixture()
def long_files(tmp_path):
    header = write_csv(tmp_path / "header.csv", [["plot_id", "lon", "lat"],
                                                 ["1", "5.1", "45.2"], ["2", "5.2", "45.3"],
                                                 ["3", "5.3", "45.4"]])
    table = write_csv(tmp_path / "long.csv", [["plot_id", "taxon", "cover"],
                                              ["1", "Abies alba", "3"], ["2", "Abies alba", "2a"],
                                              ["3", "Carex alba", "+"]])
    return tmp_path, header, table


def _import(header, table, out, **kw):
    args = dict(plot_id="plot_id", taxon="taxon", cover="cover", x="lon", y="lat",
                crs="EPSG:4326", out=out)
    args.update(kw)
    return import_releves(table, header, **args)


def test_import_braun_blanquet_long_table(long_files):
    folder, header, table = long_files
    res = _import(header, table, folder / "out.gpkg")
    assert (res.n_plots, res.n_taxa, res.cover_scale) == (3, 2, "braun-blanquet")
    rel = read_releves(str(res.path))
    np.testing.assert_array_equal(rel.values, [[38, 0], [8, 0], [0, 2]])


@pytest.mark.parametrize("change, needle", [
    (dict(taxon="Species"), ["'Species'", "plot_id, taxon, cover", "long.csv"]),
    (dict(cover="Cover_pct"), ["'Cover_pct'", "plot_id, taxon, cover", "long.csv"]),
    (dict(plot_id="PlotID"), ["'PlotID'", "plot_id, lon, lat", "header.csv"]),
    (dict(x="X"), ["'X'", "plot_id, lon, lat", "header.csv"]),
    (dict(y="Y"), ["'Y'", "plot_id, lon, lat", "header.csv"]),
    (dict(crs=None), ["CRS", "header.csv", "--crs"]),
    (dict(cover_scale="percent"), ["'2a' in row 3", "'+' in row 4", "'cover'", "long.csv"]),
])
def test_import_errors_name_file_and_field_and_write_nothing(long_files, change, needle):
    folder, header, table = long_files
    with pytest.raises(BotaclipError) as err:
        _import(header, table, folder / "out.gpkg", **change)
    for n in needle:
        assert n in str(err.value)
    assert_nothing_written(folder, "out.gpkg")


def test_unknown_cover_codes_are_listed_with_rows(long_files):
    folder, header, _ = long_files
    table = write_csv(folder / "bad.csv", [["plot_id", "taxon", "cover"],
                                           ["1", "Abies alba", "3"], ["2", "Abies alba", "3x"],
                                           ["3", "Carex alba", "+"], ["3", "Carex nigra", "3x"],
                                           ["3", "Fagus", "??"]])
    with pytest.raises(BotaclipError) as err:
        _import(header, table, folder / "out.gpkg")
    msg = str(err.value)
    assert "field 'cover' of" in msg and "bad.csv" in msg
    assert "'3x' in rows 3, 5" in msg and "'??' in row 6" in msg
    assert "--cover-scale" in msg and "--cover-mapping" in msg
    assert_nothing_written(folder, "out.gpkg")
    res = _import(header, table, folder / "out.gpkg", cover_mapping={"3x": 45, "??": 1})
    assert res.cover_scale == "braun-blanquet+mapping"


def test_import_refuses_duplicate_header_ids(long_files):
    folder, _, table = long_files
    header = write_csv(folder / "dup.csv", [["plot_id", "lon", "lat"], ["1", "5.1", "45.2"],
                                            ["2", "5.2", "45.3"], ["1.0", "5.3", "45.4"],
                                            ["3", "5.3", "45.4"]])
    with pytest.raises(BotaclipError) as err:
        _import(header, table, folder / "out.gpkg")
    msg = str(err.value)
    assert "dup.csv" in msg and "'plot_id'" in msg and "1: rows 2, 4" in msg
    assert_nothing_written(folder, "out.gpkg")
    rel = read_releves(str(header), ReleveOptions(table=str(table), x="lon", y="lat",
                                                  crs="EPSG:4326"))
    assert rel.problems == [("1", "duplicate_id")]
    assert rel.plot_ids == ["1", "2", "1", "3"]
    np.testing.assert_array_equal(rel.values[:, 0], [38, 8, 38, 0])


def test_no_matching_ids_is_an_error(long_files):
    folder, header, _ = long_files
    table = write_csv(folder / "other.csv", [["plot_id", "taxon", "cover"]] +
                      [[f"X{i}", "Abies alba", "3"] for i in range(12)])
    with pytest.raises(BotaclipError) as err:
        _import(header, table, folder / "out.gpkg")
    msg = str(err.value)
    assert "other.csv" in msg and "header.csv" in msg and "'plot_id'" in msg
    assert "X0, X1" in msg and "X9 ... (12 in all)" in msg and "X10" not in msg
    assert_nothing_written(folder, "out.gpkg")


def test_coordinates_errors(long_files):
    folder, _, table = long_files
    header = write_csv(folder / "swapped.csv", [["plot_id", "lon", "lat"], ["1", "45.2", "5.1"],
                                                ["2", "245.3", "95.2"], ["3", "5.3", "n/a?"]])
    with pytest.raises(BotaclipError) as err:
        _import(header, table, folder / "out.gpkg")
    assert "swapped.csv" in str(err.value) and "'lat'" in str(err.value)
    assert "'n/a?' in row 4" in str(err.value)
    header = write_csv(folder / "range.csv", [["plot_id", "lon", "lat"], ["1", "45.2", "5.1"],
                                              ["2", "245.3", "95.2"], ["3", "5.3", ""]])
    with pytest.raises(BotaclipError, match=r"range.csv.*out of range.*rows 3"):
        _import(header, table, folder / "out.gpkg")
    assert_nothing_written(folder, "out.gpkg")


def test_empty_ids_and_taxa_are_errors(long_files):
    folder, header, _ = long_files
    table = write_csv(folder / "holes.csv", [["plot_id", "taxon", "cover"], ["1", "", "3"],
                                             ["", "Abies alba", "3"], ["2", "", ""]])
    with pytest.raises(BotaclipError, match=r"'plot_id' of .*holes.csv is empty in rows 3"):
        _import(header, table, folder / "out.gpkg")
    table = write_csv(folder / "holes.csv", [["plot_id", "taxon", "cover"], ["1", "", "3"],
                                             ["2", "Abies alba", "3"]])
    with pytest.raises(BotaclipError, match=r"'taxon' of .*holes.csv is empty in rows 2"):
        _import(header, table, folder / "out.gpkg")


def test_no_plot_with_taxa_is_an_error(long_files):
    folder, header, _ = long_files
    table = write_csv(folder / "zeros.csv", [["plot_id", "taxon", "cover"],
                                             ["1", "Abies alba", "0"], ["2", "Abies alba", ""]])
    with pytest.raises(BotaclipError, match=r"No plot of .*header.csv.*zeros.csv"):
        _import(header, table, folder / "out.gpkg")
    assert_nothing_written(folder, "out.gpkg")


def test_wide_layer_errors(tmp_path):
    path = tmp_path / "wide.gpkg"
    points(path, ["a", "b"], {"Abies alba": np.array([5.0, 0.0]),
                              "habitat": np.array(["forest", "meadow"], dtype=object)})
    with pytest.raises(BotaclipError) as err:
        read_releves(str(path), ReleveOptions(species_columns=["Abies alba", "habitat"]))
    msg = str(err.value)
    assert "wide.gpkg" in msg and "'habitat'" in msg and "'forest' in row 2" in msg
    with pytest.raises(BotaclipError) as err:
        read_releves(str(path), ReleveOptions(species_columns=["Abies alba", "Picea abies"]))
    assert "'Picea abies'" in str(err.value) and "plot_id, Abies alba, habitat" in str(err.value)
    with pytest.raises(BotaclipError, match=r"'site' is not in .*wide.gpkg.*plot_id, Abies"):
        read_releves(str(path), ReleveOptions(plot_id="site"))
    with pytest.raises(BotaclipError, match=r"'nope' is not in .*wide.gpkg"):
        read_releves(str(path), ReleveOptions(exclude_columns=["nope"]))
    with pytest.raises(BotaclipError, match=r"wide.gpkg has no numeric field.*habitat"):
        read_releves(str(path), ReleveOptions(exclude_columns=["Abies alba"]))


def test_empty_layer_no_crs_and_no_taxa(tmp_path):
    empty = write_points(tmp_path / "empty.gpkg", srs_from_user(L93), [], [],
                         {"plot_id": np.array([], dtype=object)})
    with pytest.raises(BotaclipError, match=r"empty.gpkg is empty"):
        read_releves(str(empty))
    for name in ("nocrs.shp", "nocrs.gpkg"):   # GPKG: 'Undefined geographic SRS'
        ds = ogr.GetDriverByName("GPKG" if name.endswith("gpkg") else "ESRI Shapefile") \
            .CreateDataSource(str(tmp_path / name))
        lyr = ds.CreateLayer("nocrs", None, ogr.wkbPoint)
        lyr.CreateField(ogr.FieldDefn("Abies alba", ogr.OFTReal))
        feat = ogr.Feature(lyr.GetLayerDefn())
        feat.SetField(0, 5.0)
        feat.SetGeometry(ogr.CreateGeometryFromWkt("POINT (700000 6600000)"))
        lyr.CreateFeature(feat)
        ds = None
        with pytest.raises(BotaclipError) as err:
            read_releves(str(tmp_path / name))
        assert name in str(err.value) and "Layer Properties > Source" in str(err.value)
        rel = read_releves(str(tmp_path / name), ReleveOptions(crs=L93))
        assert rel.n_plots == 1 and rel.values.tolist() == [[5.0]]
        assert osr.SpatialReference(rel.srs_wkt).GetAuthorityCode(None) == "2154"
    zeros = points(tmp_path / "zeros.gpkg", ["a"], {"Abies alba": np.array([0.0])})
    with pytest.raises(BotaclipError, match=r"No plot of .*zeros.gpkg has any taxon"):
        read_releves(str(zeros))


def test_csv_source_without_coordinates(tmp_path):
    path = write_csv(tmp_path / "plots.csv", [["plot_id", "Longitude", "Latitude", "Abies"],
                                              ["1", "5", "45", "3"]])
    with pytest.raises(BotaclipError) as err:
        read_releves(str(path))
    msg = str(err.value)
    assert "plots.csv" in msg and "--x" in msg and "Longitude, Latitude" in msg
    with pytest.raises(BotaclipError, match=r"CRS of the X/Y fields 'Longitude'/'Latitude'"):
        read_releves(str(path), ReleveOptions(x="Longitude", y="Latitude"))
    rel = read_releves(str(path), ReleveOptions(x="Longitude", y="Latitude", crs="EPSG:4326"))
    assert rel.taxa == ["Abies"] and rel.values.tolist() == [[3.0]]


def test_missing_file(tmp_path):
    with pytest.raises(BotaclipError, match=r"nothere.gpkg does not exist"):
        read_releves(str(tmp_path / "nothere.gpkg"))
