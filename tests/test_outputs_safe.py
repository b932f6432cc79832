"""Outputs that never destroy (issue 10, part 3).

Each test is one item of the issue: a path a user could type that used to cost them a file
(a folder, an input, a file or layer of theirs), a lock two runs could both take, a GDAL
setting one task changed under another, a folder found read-only or full only at the end, a
temporary copy left behind. Every refusal is checked three ways: the exit status (2, no
traceback), the message (it names the path and says what to do), and the user's files,
compared byte for byte (sha256) before and after.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from botaclip.backend.cli.main import main
from botaclip.backend.errors import BotaclipError
from botaclip.backend.io.atomic import atomic_output
from botaclip.backend.progress import Progress

gdal.UseExceptions()


# ------------------------------------------------------------------------------ helpers

def _hashes(folder: Path) -> dict:
    """{relative path: sha256} of every file under ``folder``: the user's files, byte for
    byte."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _cli(capsys, *args) -> tuple[int, str]:
    """Run `botaclip ARGS`; (exit status, stderr). Never a traceback."""
    rc = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return rc, err


def _srs(epsg: int = 2154):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    return s


def _layers(path) -> dict:
    """{layer name: [(fields, geometry WKB), ...]} of a vector file: a layer's content,
    independent of where SQLite keeps it in the file."""
    ds = ogr.Open(str(path))
    out = {}
    for i in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(i)
        rows = []
        for f in lyr:
            g = f.GetGeometryRef()
            rows.append((tuple(f.GetField(j) for j in range(f.GetFieldCount())),
                         bytes(g.ExportToWkb()) if g is not None else None))
        out[lyr.GetName()] = rows
    return out


def _user_gpkg(path: Path, layers=("roads", "notes")) -> Path:
    """A GeoPackage of the user's with a few point layers of its own (no BotaCLIP mark)."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    for k, name in enumerate(layers):
        lyr = ds.CreateLayer(name, _srs(), ogr.wkbPoint)
        lyr.CreateField(ogr.FieldDefn("label", ogr.OFTString))
        for i in range(3):
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetField("label", f"{name}-{i}")
            g = ogr.Geometry(ogr.wkbPoint)
            g.AddPoint_2D(900100.0 + 10 * i + k, 6500100.0)
            f.SetGeometry(g)
            lyr.CreateFeature(f)
    ds = None
    return path


@pytest.fixture
def scene(small_scene, tmp_path):
    """A private copy of the small scene (an 800 m orthophoto, 200 relevés), a VRT over the
    orthophoto, a 3-band chip, a folder standing for a model, and a long table with its
    plot table, all in ``inputs/``."""
    ortho, releves = small_scene
    d = tmp_path / "inputs"
    d.mkdir()
    shutil.copy(ortho, d / "ortho.tif")
    shutil.copy(releves, d / "releves.gpkg")
    gdal.BuildVRT(str(d / "mosaic.vrt"), [str(d / "ortho.tif")])
    chip = gdal.GetDriverByName("GTiff").Create(str(d / "chip.tif"), 16, 16, 3, gdal.GDT_Byte)
    chip.WriteRaster(0, 0, 16, 16, np.arange(768, dtype=np.uint8).tobytes())
    chip = None
    (d / "model").mkdir()
    (d / "model" / "weights.txt").write_text("stands for a model folder")
    (d / "long.csv").write_text("plot_id,taxon,cover\nA,Poa annua,10\nB,Poa annua,20\n"
                                "B,Carex flacca,5\n", encoding="utf-8")
    (d / "plots.csv").write_text("plot_id,x,y\nA,900100,6500100\nB,900200,6500200\n",
                                 encoding="utf-8")
    return SimpleNamespace(dir=d, ortho=d / "ortho.tif", releves=d / "releves.gpkg",
                           vrt=d / "mosaic.vrt", chip=d / "chip.tif", model=d / "model",
                           table=d / "long.csv", header=d / "plots.csv")


def _check(s, *extra):
    return ("check", "--ortho", s.ortho, "--releves", s.releves, "--patch-m", 40, "--quiet",
            *extra)


def _embed(s, *extra, ortho=None):
    return ("embed", "--ortho", ortho or s.ortho, "--backbone", "spectral", "--patch-m", 40,
            "--stride-m", 100, "--device", "cpu", "--no-resume", "--quiet", *extra)


def _chips(s, *extra):
    return ("embed-chips", "--backbone", "spectral", "--device", "cpu", "--quiet", *extra,
            s.chip)


def _import(s, *extra):
    return ("releves", "import", "--table", s.table, "--header", s.header, "--plot-id",
            "plot_id", "--taxon", "taxon", "--cover", "cover", "--x", "x", "--y", "y",
            "--crs", "EPSG:2154", "--quiet", *extra)


# ------------------------------------------------------------------------------ 1. os.replace

def test_a_file_is_replaced_by_a_rename_never_emptied_first(tmp_path):
    """The old file stays whole until the new one is complete: a reader holding it open
    keeps the old bytes (a rename, not a rewrite), and a failed write leaves it as it was."""
    out = tmp_path / "report.json"
    out.write_text("old")
    with open(out, encoding="utf-8") as held:
        with atomic_output(out) as tmp:
            tmp.write_text("new")
            assert out.read_text() == "old"            # nothing touched before the end
        assert held.read() == "old"                    # the old inode, intact
    assert out.read_text() == "new"
    with pytest.raises(BotaclipError, match="No space left on device"):
        with atomic_output(out) as tmp:
            tmp.write_text("half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert out.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# ------------------------------------------------------------------------------ 2. folders

@pytest.mark.parametrize("case", [
    "check --json-out", "check --contact-sheet", "check --plots-out", "embed --out",
    "embed --preview", "embed-chips --out", "releves import --out"])
def test_a_folder_given_where_a_file_goes_is_never_deleted(scene, tmp_path, capsys, case):
    folder = tmp_path / ("results.gpkg" if "plots" in case or "releves" in case
                         else "results.tif" if case.startswith("embed ") else "results")
    folder.mkdir()
    (folder / "orthophoto.tif").write_bytes(b"the user's photo")
    (folder / "sub").mkdir()
    (folder / "sub" / "notes.txt").write_text("the user's notes")
    before, inputs = _hashes(folder), _hashes(scene.dir)
    args = {"check --json-out": _check(scene, "--json-out", folder),
            "check --contact-sheet": _check(scene, "--contact-sheet", folder),
            "check --plots-out": _check(scene, "--plots-out", folder),
            "embed --out": _embed(scene, "--out", folder),
            "embed --preview": _embed(scene, "--out", tmp_path / "e.tif", "--preview", folder),
            "embed-chips --out": _chips(scene, "--out", folder),
            "releves import --out": _import(scene, "--out", folder)}[case]
    rc, err = _cli(capsys, *args)
    assert rc == 2
    assert f"{folder} is an existing folder; give the name of a file" in err
    assert "Nothing in the folder was touched" in err
    assert _hashes(folder) == before and _hashes(scene.dir) == inputs


@pytest.mark.parametrize("command", ["train", "demo-data"])
def test_a_file_given_where_a_folder_goes_is_kept(scene, tmp_path, capsys, command):
    target = tmp_path / "model"
    target.write_bytes(b"a file of the user's")
    args = (("train", "--ortho", scene.ortho, "--releves", scene.releves, "--backbone",
             "spectral", "--no-cache", "--out", target) if command == "train"
            else ("demo-data", "--size-m", 300, "--out", target))
    rc, err = _cli(capsys, *args)
    assert rc == 2 and str(target) in err
    assert ("is an existing file, not a folder; give the name of a new or empty folder" in err
            or "is a file; give a folder for the demo data" in err), err
    assert target.read_bytes() == b"a file of the user's"


# ------------------------------------------------------------------------------ 3. inputs

def test_an_output_equal_to_or_inside_an_input_is_refused(scene, tmp_path, capsys):
    """Every output aimed at an input (or a raster's source behind a VRT, or into a model
    folder) is refused before anything is read; no input changes by a byte."""
    s = scene
    cases = [  # (arguments, the input named in the message, "is" or "lies inside")
        (_embed(s, "--out", s.ortho), s.ortho, "is"),
        (_embed(s, "--out", tmp_path / "e.tif", "--preview", s.ortho), s.ortho, "is"),
        (_embed(s, "--out", s.ortho, ortho=s.vrt), s.ortho, "is"),        # a VRT's source
        (_check(s, "--contact-sheet", s.ortho), s.ortho, "is"),
        (_check(s, "--json-out", s.releves), s.releves, "is"),
        (_check(s, "--plots-out", s.releves), s.releves, "is"),
        (_chips(s, "--out", s.chip), s.chip, "is"),
        (("embed", "--ortho", s.ortho, "--model", s.model, "--out", s.model / "emb.tif"),
         s.model, "lies inside"),
        (_import(s, "--out", s.header.with_suffix(".gpkg")), None, None),  # (control: fine)
    ]
    before = _hashes(s.dir)
    for args, inp, how in cases:
        rc, err = _cli(capsys, *args)
        if inp is None:
            assert rc == 0, err
            (s.header.with_suffix(".gpkg")).unlink()
            continue
        assert rc == 2, (args, err)
        assert f"{how} the input {inp.resolve()}" in err, err
        assert "Choose another output name or folder" in err
        assert _hashes(s.dir) == before, args
    from botaclip.backend.releves import import_releves

    header = _user_gpkg(tmp_path / "header.gpkg", ["plots"])
    with pytest.raises(BotaclipError, match="is the input .*header.gpkg"):
        import_releves(s.table, header, plot_id="label", taxon="taxon", cover="cover",
                       out=header)


# ------------------------------------------------------------------------------ 4. GeoPackage

def test_a_geopackage_keeps_its_other_layers(scene, tmp_path, capsys):
    project = _user_gpkg(tmp_path / "project.gpkg")
    theirs = _layers(project)
    rc, err = _cli(capsys, *_check(scene, "--plots-out", project))
    assert rc == 0, err
    rc, err = _cli(capsys, *_import(scene, "--out", project))
    assert rc == 0, err
    after = _layers(project)
    assert sorted(after) == ["notes", "plot_status", "releves", "roads"]
    assert {k: after[k] for k in theirs} == theirs           # the user's layers, unchanged
    assert len(after["plot_status"]) == 200 and len(after["releves"]) == 2
    rc, err = _cli(capsys, *_check(scene, "--plots-out", project))   # ours: replaced
    again = _layers(project)
    assert rc == 0 and sorted(again) == sorted(after) and again["roads"] == theirs["roads"]
    assert len(again["plot_status"]) == 200


def test_a_layer_of_the_users_with_our_name_needs_overwrite(scene, tmp_path, capsys):
    project = _user_gpkg(tmp_path / "project.gpkg", ["roads", "plot_status"])
    theirs = _layers(project)
    before = _hashes(tmp_path)
    rc, err = _cli(capsys, *_check(scene, "--plots-out", project))
    assert rc == 2 and _hashes(tmp_path) == before
    assert (f"{project} already exists and its layer 'plot_status' was not written by "
            "BotaCLIP") in err and "--overwrite" in err
    rc, err = _cli(capsys, *_check(scene, "--plots-out", project, "--overwrite"))
    after = _layers(project)
    assert rc == 0 and after["roads"] == theirs["roads"] and len(after["plot_status"]) == 200


# ------------------------------------------------------------------------------ 5. ours

def _user_png(path: Path) -> None:
    ds = gdal.GetDriverByName("MEM").Create("", 8, 8, 3, gdal.GDT_Byte)
    gdal.GetDriverByName("PNG").CreateCopy(str(path), ds)
    aux = path.with_name(path.name + ".aux.xml")
    if aux.exists():
        aux.unlink()


def _user_tif(path: Path) -> None:
    ds = gdal.GetDriverByName("GTiff").Create(str(path), 8, 8, 1, gdal.GDT_Byte)
    ds.SetMetadata({"AUTHOR": "me"})
    ds = None


@pytest.mark.parametrize("case", ["json", "png", "gpkg", "shp", "tif", "csv", "geojson"])
def test_a_file_not_ours_needs_overwrite_and_ours_is_replaced(scene, tmp_path, capsys, case):
    """A file BotaCLIP did not write is left byte for byte unless --overwrite; once it is
    ours (known by its content: tags, text, layer marks, header), a plain rerun replaces it."""
    out = tmp_path / f"result.{case}"
    make = {"json": lambda p: p.write_text('{"mine": 1}'), "png": _user_png,
            "gpkg": lambda p: _user_gpkg(p, ["plot_status"]),
            "shp": lambda p: _user_shapefile(p), "tif": _user_tif,
            "csv": lambda p: p.write_text("a,b\n1,2\n"),
            "geojson": lambda p: p.write_text('{"type": "FeatureCollection", "features": []}')}
    args = {"json": _check(scene, "--json-out", out),
            "png": _check(scene, "--contact-sheet", out),
            "gpkg": _check(scene, "--plots-out", out), "shp": _check(scene, "--plots-out", out),
            "tif": _embed(scene, "--out", out), "csv": _chips(scene, "--out", out),
            "geojson": _import(scene, "--out", out)}[case]
    make[case](out)
    before = _hashes(tmp_path)
    rc, err = _cli(capsys, *args)
    assert rc == 2, err
    assert str(out) in err and "not written by BotaCLIP" in err and "--overwrite" in err
    assert _hashes(tmp_path) == before
    rc, err = _cli(capsys, *args, "--overwrite")
    assert rc == 0, err
    replaced = _hashes(tmp_path)
    assert replaced[out.name] != before[out.name]
    rc, err = _cli(capsys, *args)                      # now ours: replaced without asking
    assert rc == 0, err


def _user_shapefile(path: Path) -> None:
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(str(path))
    lyr = ds.CreateLayer(path.stem, _srs(), ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("owner", ogr.OFTString))
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("owner", "me")
    g = ogr.Geometry(ogr.wkbPoint)
    g.AddPoint_2D(900100.0, 6500100.0)
    f.SetGeometry(g)
    lyr.CreateFeature(f)
    ds = None


class _Reports(Progress):
    def __init__(self):
        self.reports: list = []

    def _emit(self, fraction, message):
        self.reports.append((fraction, message))


def test_train_into_a_folder_of_the_users_keeps_their_files(scene, tmp_path, capsys):
    """Refused at once without --overwrite; with it, only the bundle's files are written and
    every other file in the folder (even inside report/) survives byte for byte."""
    from botaclip.backend.train import train_model

    folder = tmp_path / "work"
    (folder / "report").mkdir(parents=True)
    (folder / "notes.txt").write_text("field notes")
    (folder / "report" / "my-figure.png").write_bytes(b"\x89PNG mine")
    before = _hashes(folder)
    progress = _Reports()
    kw = dict(patch_m=40.0, backbone="spectral", epochs=1, device="cpu", cache_dir=False)
    with pytest.raises(BotaclipError, match=f"{folder} already exists and was not written by "
                                            "BotaCLIP.*--overwrite"):
        train_model(scene.ortho, scene.releves, folder, progress=progress, **kw)
    assert progress.reports == [] and _hashes(folder) == before      # before any work
    train_model(scene.ortho, scene.releves, folder, overwrite=True, **kw)
    after = _hashes(folder)
    assert {k: after[k] for k in before} == before
    assert {"config.json", "model.safetensors", "report/report.html"} <= set(after)
    assert not [p for p in folder.rglob(".*")]                     # nothing temporary left
    train_model(scene.ortho, scene.releves, folder, **kw)          # now a model: replaced
    assert {k: v for k, v in _hashes(folder).items() if k in before} == before


def test_demo_data_never_writes_over_the_users_orthophoto(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "orthophoto.tif").write_bytes(b"the user's orthophoto")
    (folder / "notes.txt").write_text("notes")
    before = _hashes(folder)
    rc, err = _cli(capsys, "demo-data", "--size-m", 300, "--out", folder, "--quiet")
    assert rc == 2 and _hashes(folder) == before
    assert f"The folder {folder} already holds files that are not BotaCLIP demo data" in err
    assert "--overwrite" in err
    readme = folder / "README.txt"             # a demo folder whose orthophoto is the user's
    readme.write_text("BotaCLIP demo data: EVERYTHING HERE IS SYNTHETIC\n")
    rc, err = _cli(capsys, "demo-data", "--size-m", 300, "--out", folder, "--quiet")
    assert rc == 2 and f"{folder / 'orthophoto.tif'} already exists and was not written" in err
    readme.unlink()
    assert _hashes(folder) == before
    rc, err = _cli(capsys, "demo-data", "--size-m", 300, "--out", folder, "--overwrite",
                   "--quiet")
    assert rc == 0 and (folder / "notes.txt").read_text() == "notes"
    assert (folder / "orthophoto.tif").read_bytes() != b"the user's orthophoto"
    rc, err = _cli(capsys, "demo-data", "--size-m", 300, "--out", folder, "--quiet")
    assert rc == 0, err                        # a demo folder: written again without asking
    assert (folder / "notes.txt").read_text() == "notes"


# ------------------------------------------------------------------------------ 6. the lock

_HOLD = """
import sys, time
from pathlib import Path
from botaclip.backend.embed.state import StateLock
lock = StateLock(Path(sys.argv[1]))
assert lock.take() is None
print("held", flush=True)
time.sleep(60)
"""


def _race(lock, start, won: list) -> None:
    start.wait()
    if lock.take() is None:
        won.append(lock)


def test_a_lock_is_never_left_stale_and_never_shared(tmp_path):
    from botaclip.backend.embed.state import EmbedState, StateLock

    path = tmp_path / "lock"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        state = EmbedState(tmp_path, {})
        with pytest.raises(BotaclipError, match=f"running \\(process {holder.pid}, state "
                                                f"{tmp_path}\\). Wait for it to finish"):
            state.acquire()
        holder.kill()                          # kill -9: no clean-up, the file stays
        holder.wait()
        assert path.exists()
        state.acquire()                        # the dead run's lock is taken over
        assert path.read_text() == str(os.getpid())
        state.release()
        assert not path.exists()
    finally:
        holder.kill()
        holder.wait()
    # a stale lock raced for by 16 runs at once: one only takes it, every time (each take
    # opens the file itself, so the OS lock tells the threads apart as it does processes)
    for _ in range(20):
        path.write_text("999999999")           # a dead run's
        locks = [StateLock(path) for _ in range(16)]
        start = threading.Barrier(16)
        won: list = []
        threads = [threading.Thread(target=_race, args=(lk, start, won)) for lk in locks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1
        won[0].release()


# ------------------------------------------------------------------------------ 7. GDAL

def test_an_embedding_changes_no_process_wide_gdal_setting(scene, tmp_path):
    """The block cache limit and the exceptions switches of gdal, ogr and osr, seen at every
    progress report (the COG writer's too, where the half-float output used to switch
    exceptions off), stay as they were: another task sharing GDAL is not affected."""
    from botaclip.backend.embed import embed_raster

    def settings():
        return (gdal.GetCacheMax(), gdal.GetUseExceptions(), ogr.GetUseExceptions(),
                osr.GetUseExceptions())

    before = settings()
    seen = []

    class Watch(Progress):
        def _emit(self, fraction, message):
            seen.append(settings())

    res = embed_raster(scene.ortho, tmp_path / "e.tif", backbone="spectral", patch_m=40.0,
                       stride_m=100.0, device="cpu", dtype="float16", resume=False,
                       preview=tmp_path / "p.tif", cache_dir=tmp_path / "state",
                       progress=Watch())
    assert res.n_patches > 0 and len(seen) > 10
    assert set(seen) == {before} and settings() == before


# ------------------------------------------------------------------------------ 8. before work

def test_a_read_only_folder_is_found_before_any_work(scene, tmp_path, monkeypatch):
    """Simulated (the tests may run as root, whom permissions do not stop): the folder
    refuses new files. Training says so at once, naming the folder, instead of after all
    the work and behind a second error from the clean-up."""
    from botaclip.backend.train import train_model

    locked = tmp_path / "locked"
    locked.mkdir()
    real = Path.write_bytes

    def write_bytes(self, data):
        if self.parent == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    progress = _Reports()
    t0 = time.perf_counter()
    with pytest.raises(BotaclipError, match=f"the folder {locked} does not accept new files "
                                            r"\(Permission denied\). Choose a folder you "
                                            "can write to"):
        train_model(scene.ortho, scene.releves, locked / "model", backbone="spectral",
                    patch_m=40.0, cache_dir=False, progress=progress)
    assert progress.reports == [] and time.perf_counter() - t0 < 5
    assert list(locked.iterdir()) == []


def test_a_full_disk_is_found_before_the_demo_is_drawn(tmp_path, monkeypatch):
    """demo-data knows the size of its uncompressed orthophoto (4 bytes a pixel): with less
    free space than that it stops at once, naming the folder and both sizes."""
    from botaclip.backend.demo import generate_demo_data

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage._replace(free=1 << 20))
    progress = _Reports()
    with pytest.raises(BotaclipError, match=r"Not enough free disk space for the demo data "
                                            r".*needs about .* has 1\.0 MB free"):
        generate_demo_data(tmp_path / "demo", size_m=2000, progress=progress)
    assert progress.reports == [] and not (tmp_path / "demo").exists()


def test_a_write_error_is_reported_not_hidden_by_the_clean_up(tmp_path, monkeypatch):
    """A full disk during the write, and a clean-up that fails too (the folder turned
    read-only): the user reads the first, clear reason, and the old file is intact."""
    out = tmp_path / "emb.csv"
    out.write_text("old")
    monkeypatch.setattr(Path, "unlink", lambda self, *a, **k: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied")))
    with pytest.raises(BotaclipError) as err:
        with atomic_output(out) as tmp:
            tmp.write_text("partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(err.value) == (f"Cannot write the output {out}: No space left on device. Free "
                              "some disk space or choose a folder on another disk.")
    assert out.read_text() == "old"


# ------------------------------------------------------------------------------ 9. copies

def _memory_releves(src_path: Path):
    from qgis.core import QgsFeature, QgsVectorLayer

    src = QgsVectorLayer(f"{src_path}|layername=releves", "r", "ogr")
    mem = QgsVectorLayer("Point?crs=EPSG:2154", "sketched relevés", "memory")
    keep = [src.fields().field(i) for i in range(min(4, src.fields().count()))]
    mem.dataProvider().addAttributes(keep)
    mem.updateFields()
    feats = []
    for f in src.getFeatures():
        g = QgsFeature(mem.fields())
        g.setGeometry(f.geometry())
        g.setAttributes([f[fd.name()] for fd in keep])
        feats.append(g)
    mem.dataProvider().addFeatures(feats)
    return mem


@pytest.mark.qgis
def test_a_temporary_copy_is_removed_and_the_users_layer_recorded(scene, tmp_path, qgis_app,
                                                                  qtbot):
    """A relevé layer that lives only in QGIS is copied for the backend; the check report
    (and a model) records the user's layer, and the copy goes when the task ends."""
    from qgis.core import QgsApplication

    from botaclip.backend.check import check_data
    from botaclip.plugin.layers import LayerCopy, vector_source
    from botaclip.plugin.tasks import BackendTask

    mem = _memory_releves(scene.releves)
    copy = vector_source(mem, tmp_path)
    assert isinstance(copy, LayerCopy) and Path(copy.folder).is_dir()
    assert copy.recorded_as.startswith("QGIS layer 'sketched relevés' (memory: Point?")
    task = BackendTask("check", check_data, {"ortho": str(scene.ortho), "releves": copy,
                                             "patch_m": 40.0,
                                             "json_out": tmp_path / "c.json"})
    QgsApplication.taskManager().addTask(task)
    qtbot.waitUntil(lambda: task.status in ("success", "error", "cancelled"), timeout=60_000)
    assert task.status == "success", task.error_message
    qtbot.waitUntil(lambda: not Path(copy.folder).exists(), timeout=5_000)
    import json

    report = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert report["releves"]["source"] == copy.recorded_as
    assert str(tmp_path) not in report["releves"]["source"]


@pytest.mark.qgis
def test_processing_removes_its_copies_too(scene, tmp_path, qgis_processing):
    import processing
    from qgis.core import QgsApplication, QgsProcessingUtils, QgsProject

    from botaclip.plugin.processing.provider import BotaclipProvider

    registry = QgsApplication.processingRegistry()
    provider = BotaclipProvider()
    assert registry.addProvider(provider)
    mem = _memory_releves(scene.releves)
    QgsProject.instance().addMapLayer(mem)
    temp = Path(QgsProcessingUtils.tempFolder())
    before = set(temp.glob("botaclip-*"))
    try:
        res = processing.run("botaclip:check", {
            "ORTHO": str(scene.ortho), "RELEVES": mem, "PATCH_M": 40.0,
            "OUTPUT_PLOTS": str(tmp_path / "plots.gpkg"),
            "OUTPUT_JSON": str(tmp_path / "c.json"), "CONTACT_SHEET": None})
    finally:
        QgsProject.instance().removeMapLayer(mem.id())
        registry.removeProvider(provider)
    assert res["PLOTS_TOTAL"] == 200
    assert set(temp.glob("botaclip-*")) == before


@pytest.mark.qgis
def test_the_dialogs_yes_replace_is_the_backends_overwrite(qgis_new_project, small_scene,
                                                           qtbot, tmp_path, monkeypatch):
    """The Train dialog asks before writing into a folder that holds files; its "Yes" reaches
    the backend as overwrite=True (so the user's other files are kept), its "No" runs
    nothing, and an empty folder needs no question and no overwrite."""
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer

    from botaclip.plugin.dialogs import base
    from botaclip.plugin.dialogs.train_dialog import TrainDialog

    ortho, releves = small_scene
    for layer in (QgsRasterLayer(str(ortho), "orthophoto", "gdal"),
                  QgsVectorLayer(str(releves), "releves", "ogr")):
        QgsProject.instance().addMapLayer(layer)
    started: list = []
    monkeypatch.setattr(base.TaskDialog, "accept",
                        lambda self: started.append(self.task_kwargs()))
    folder = tmp_path / "model"
    folder.mkdir()
    try:
        dlg = TrainDialog(None)
        qtbot.addWidget(dlg)
        dlg.backbone.use_spectral()
        dlg.folder.setFilePath(str(folder))
        dlg.accept()                                   # empty: no question
        (folder / "notes.txt").write_text("mine")
        for answer in (False, True):
            dlg.confirm_overwrite = lambda _path, a=answer: a
            dlg.accept()
    finally:
        QgsProject.instance().removeAllMapLayers()
    assert [kw.get("overwrite", False) for kw in started] == [False, True]
    assert started[1]["out"] == str(folder)
