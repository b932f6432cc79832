"""Point layers are written whole or not at all, in every format we offer."""

import pytest
from osgeo import ogr, osr

from botaclip.backend.errors import BotaclipError
from botaclip.backend.io.vector import write_points


def _srs():
    s = osr.SpatialReference()
    s.ImportFromEPSG(2154)
    return s


def _rows(path):
    """Plain dicts (OGR features must not outlive their dataset)."""
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    rows = []
    for f in lyr:
        rows.append({lyr.GetLayerDefn().GetFieldDefn(i).GetName():
                     (None if f.IsFieldNull(i) else f.GetField(i))
                     for i in range(f.GetFieldCount())})
    return rows


@pytest.mark.parametrize("name", ["p.gpkg", "p.shp", "p.geojson", "p.fgb"])
def test_write_points_formats(tmp_path, name):
    out = write_points(tmp_path / name, _srs(), [1.0, 2.0], [3.0, 4.0],
                       {"plot_id": ["a", "b"], "cover": [1.5, float("nan")]})
    rows = sorted(_rows(out), key=lambda r: r["plot_id"])   # FlatGeobuf orders spatially
    assert [r["plot_id"] for r in rows] == ["a", "b"]
    assert rows[0]["cover"] == 1.5 and rows[1]["cover"] is None
    # nothing temporary left beside the output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_shapefile_parts_replace_old_ones(tmp_path):
    write_points(tmp_path / "p.shp", _srs(), [1.0], [1.0], {"v": [1.0]})
    write_points(tmp_path / "p.shp", _srs(), [1.0, 2.0], [1.0, 2.0], {"v": [1.0, 2.0]})
    assert ogr.Open(str(tmp_path / "p.shp")).GetLayer(0).GetFeatureCount() == 2
    assert {p.suffix for p in tmp_path.iterdir()} >= {".shp", ".shx", ".dbf", ".prj"}
    assert not [p for p in tmp_path.iterdir() if "tmpdir" in p.name or "partial" in p.name]


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(BotaclipError, match=".gpkg"):
        write_points(tmp_path / "p.xyz", _srs(), [1.0], [1.0], {"v": [1.0]})
    assert not list(tmp_path.iterdir())
