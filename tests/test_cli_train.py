"""`botaclip train` and `botaclip embed-chips`: the command-line contracts."""

import contextlib
import csv
import io
import json
import re
import shutil
import warnings

import numpy as np
import pytest
import torch
from helpers import TINY_JSON as TINY
from osgeo import gdal

from botaclip.backend.bundle import load_bundle
from botaclip.backend.cli import main
from botaclip.backend.embed import read_chip
from botaclip.backend.models.backbones import Normalization, backbone_from_reference, build_backbone

pytestmark = pytest.mark.usefixtures("two_threads")


def _run(argv):
    """(exit code, stdout, stderr) of `botaclip ARGV`."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def trained(small_scene, tmp_path_factory):
    ortho, releves = small_scene
    tmp = tmp_path_factory.mktemp("cli_train")
    argv = ["train", "--ortho", ortho, "--releves", releves, "--patch-m", 40,
            "--backbone", "spectral", "--epochs", 2, "--seed", 1, "--device", "cpu",
            "--cache-dir", tmp / "cache", "--out", tmp / "model", "--json", "--quiet"]
    return _run(argv) + (tmp / "model",)


def _chip_png(path, size=64, seed=0):
    rng = np.random.default_rng(seed)
    mem = gdal.GetDriverByName("MEM").Create("", size, size, 3, gdal.GDT_Byte)
    for b in range(3):
        mem.GetRasterBand(b + 1).WriteArray(rng.integers(0, 256, (size, size)).astype("uint8"))
    gdal.GetDriverByName("PNG").CreateCopy(str(path), mem)
    return path


def _chip_tif(path, size=32, bands=4, seed=0, dtype=gdal.GDT_UInt16):
    rng = np.random.default_rng(seed)
    ds = gdal.GetDriverByName("GTiff").Create(str(path), size, size, bands, dtype,
                                              ["PHOTOMETRIC=MINISBLACK", "ALPHA=NO"])
    for b in range(bands):
        ds.GetRasterBand(b + 1).WriteArray(rng.integers(0, 3000, (size, size)))
    ds = None
    return path


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r[0] for r in rows[1:]], np.array([[float(v) for v in r[1:]]
                                                         for r in rows[1:]], dtype=np.float32)


# ---------------------------------------------------------------- train

def test_train_json_summary_and_model_folder(trained):
    rc, out, err, model = trained
    assert rc == 0, err
    summary = json.loads(out)
    assert summary["out"] == str(model) and summary["backbone"] == "spectral"
    assert summary["n_plots"] == 200 and summary["epochs_trained"] == 2
    assert set(summary["val_recall@10"]) == {"chance", "untrained", "best"}
    # the test figures, the plots per role and the buffer (the patch, by default)
    assert set(summary["test_recall@10"]) == {"chance", "untrained", "trained"}
    assert summary["test_recall@10"]["chance"] == pytest.approx(10 / summary["n_test"])
    assert summary["metrics"]["test"]["img2rel@10"] >= 0.0
    assert summary["buffer_m"] == 40.0 and summary["n_buffer"] >= 0
    assert summary["n_train"] + summary["n_val"] + summary["n_test"] + summary["n_buffer"] == 200
    assert summary["report_html"] == str(model / "report" / "report.html")
    assert (model / "config.json").exists() and (model / "report" / "report.html").exists()
    assert load_bundle(model).sha256 == summary["bundle_sha256"]
    assert err == ""                                                # --quiet


def test_train_text_summary_goes_to_stdout(small_scene, tmp_path):
    ortho, releves = small_scene
    rc, out, err = _run(["train", "--ortho", ortho, "--releves", releves, "--patch-m", 40,
                         "--backbone", "spectral", "--epochs", 1, "--device", "cpu",
                         "--buffer-m", 0, "--val-fraction", 0.3, "--test-fraction", 0.25,
                         "--block-m", 200, "--no-cache", "--out", tmp_path / "m"])
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Model written to {tmp_path / 'm'} (spectral, float32)."
    # 200 plots in 16 blocks of 200 m: shares of 30 % and 25 % within a block's worth
    counts = re.match(r"200 of 200 plots used: (\d+) training, (\d+) validation and (\d+) "
                      r"test plots in blocks of 200 m; no buffer between training and "
                      r"held-out plots; \d+ taxa\.$", lines[1])
    assert counts, lines[1]
    n_train, n_val, n_test = map(int, counts.groups())
    assert n_train + n_val + n_test == 200 and abs(n_val - 60) <= 8 and abs(n_test - 50) <= 8
    assert lines[2].startswith("Test recall@10 (held-out test plots, used neither to train nor "
                               "to choose the epoch): trained ")
    assert lines[3].startswith("Validation recall@10 (the selection score: it chose epoch ")
    assert "Report:" in out
    assert "features:" in err and "Split: blocks of 200 m" in err   # progress on stderr


def test_train_errors_exit_2_with_the_reason(small_scene, tmp_path):
    ortho, releves = small_scene
    base = ["train", "--releves", releves, "--patch-m", 40, "--backbone", "spectral",
            "--no-cache", "--quiet", "--out", tmp_path / "m"]
    rc, _, err = _run(base + ["--ortho", tmp_path / "missing.tif"])
    assert rc == 2 and "missing.tif does not exist" in err
    rc, _, err = _run(base + ["--ortho", ortho, "--device", "cuda"])
    if torch.cuda.is_available():           # the CUDA variant runs where there is a GPU
        assert rc == 0, err
        shutil.rmtree(tmp_path / "m")
    else:
        assert rc == 2 and "botaclip: error:" in err and "no CUDA GPU is usable" in err
    rc, _, err = _run(base + ["--ortho", ortho, "--backbone", "dofa-custom", "--weights",
                              "none", "--backbone-config", "{depth: 1"])
    assert rc == 2 and "--backbone-config" in err and "not a JSON object" in err
    rc, _, err = _run(base + ["--ortho", ortho, "--backbone", "timm:resnet18"])
    assert rc == 2 and "needs a local weights file" in err
    rc, _, err = _run(base + ["--ortho", ortho, "--buffer-m", -10])
    assert rc == 2 and "buffer_m (--buffer-m) must be 0 or more metres (got -10.0)" in err
    rc, _, err = _run(base + ["--ortho", ortho, "--val-fraction", 0.6, "--test-fraction", 0.5])
    assert rc == 2 and "--test-fraction) must each be between 0 and 1" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m").exists()


# ---------------------------------------------------------------- embed-chips

def test_embed_chips_csv_layout_and_unchanged_values(tmp_path):
    chips = [_chip_png(tmp_path / "a.png", seed=1), _chip_png(tmp_path / "b.png", seed=2)]
    out = tmp_path / "f.csv"
    rc, _, err = _run(["embed-chips", "--backbone", "spectral", "--normalize", "none",
                       "--out", out, "--quiet"] + chips)
    assert rc == 0, err
    header, paths, values = _read_csv(out)
    assert header == ["path"] + [f"f{i}" for i in range(7 * 3 + 4)]
    assert paths == [str(c) for c in chips] and values.shape == (2, 25)
    # the backbone called directly on the chip values, without any normalisation
    bb = build_backbone("spectral", None, wavelengths=[0.665, 0.56, 0.49],
                        normalization=Normalization.none(3))
    direct = bb.features(np.stack([read_chip(c)[0] for c in chips])).numpy()
    np.testing.assert_array_equal(values, direct)


def test_embed_chips_of_the_input_size_are_not_resampled(tmp_path):
    chip = _chip_tif(tmp_path / "c.tif", size=32)
    out = tmp_path / "f.csv"
    rc, _, err = _run(["embed-chips", "--backbone", "dofa-custom", "--backbone-config", TINY,
                       "--weights", "none", "--wavelengths", "0.665,0.56,0.49,0.842",
                       "--normalize", "none", "--device", "cpu", "--out", out, "--quiet",
                       chip])
    assert rc == 0, err
    header, _, values = _read_csv(out)
    assert len(header) == 33
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        bb = build_backbone("dofa-custom", "none", wavelengths=[0.665, 0.56, 0.49, 0.842],
                            normalization=Normalization.none(4), config=json.loads(TINY))
    raw = torch.from_numpy(read_chip(chip)[0][None])
    np.testing.assert_array_equal(values, bb.forward_prepared(raw).numpy())   # raw values
    # auto: the chip's own per-band statistics
    rc, _, err = _run(["embed-chips", "--backbone", "dofa-custom", "--backbone-config", TINY,
                       "--weights", "none", "--wavelengths", "0.665,0.56,0.49,0.842",
                       "--device", "cpu", "--out", tmp_path / "g.csv", "--quiet", chip])
    assert rc == 0, err
    assert not np.allclose(_read_csv(tmp_path / "g.csv")[2], values)


def test_embed_chips_with_a_model_gives_its_embeddings(trained, tmp_path):
    _, _, _, model = trained
    chips = [_chip_tif(tmp_path / f"c{i}.tif", size=40, seed=i) for i in range(3)]
    out = tmp_path / "e.csv"
    rc, _, err = _run(["embed-chips", "--model", model, "--out", out, "--quiet"] + chips)
    assert rc == 0, err
    header, paths, values = _read_csv(out)
    bundle = load_bundle(model)
    assert header == ["path"] + [f"e{i}" for i in range(bundle.dim)] and len(paths) == 3
    np.testing.assert_allclose(np.linalg.norm(values, axis=1), 1.0, atol=1e-5)
    bb = backbone_from_reference(bundle.config["backbone"])
    feats = bb.features(np.stack([read_chip(c)[0] for c in chips])).numpy()
    np.testing.assert_allclose(values, bundle.embed_image_features(feats), atol=1e-6)
    # chips with other bands than the model's
    rc, _, err = _run(["embed-chips", "--model", model, "--out", out, "--quiet",
                       _chip_png(tmp_path / "rgb.png")])
    assert rc == 2 and "takes 4 band(s)" in err and "rgb.png has 3" in err
    rc, _, err = _run(["embed-chips", "--model", model, "--wavelengths", "0.49,0.56,0.665,0.842",
                       "--out", out, "--quiet"] + chips)
    assert rc == 2 and "differ from the model's bands" in err


def test_embed_chips_bad_input(tmp_path):
    out = tmp_path / "f.csv"
    rc, _, err = _run(["embed-chips", "--backbone", "spectral", "--out", out, "--quiet",
                       tmp_path / "nope.png"])
    assert rc == 2 and "nope.png does not exist" in err
    chip = _chip_tif(tmp_path / "c.tif")
    rc, _, err = _run(["embed-chips", "--backbone", "spectral", "--out", out, "--quiet", chip])
    assert rc == 2 and "--wavelengths" in err                 # 4 unnamed bands
    rc, _, err = _run(["embed-chips", "--backbone", "spectral", "--wavelengths", "0.665,0.56",
                       "--out", out, "--quiet", chip])
    assert rc == 2 and "2 wavelengths were given but the chips have 4" in err
    assert not out.exists()
