"""The training pipeline: check -> features -> training -> bundle + report, with bad input,
cancel, and (slow) learning on the 2 km demo landscape."""

import json
import warnings

import numpy as np
import pytest
import torch
from conftest import make_small_scene
from helpers import TINY, Log

from botaclip.backend.bundle import load_bundle
from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.io.patches import PatchReader
from botaclip.backend.io.raster import raster_info, to_raster_crs
from botaclip.backend.models.backbones import backbone_from_reference
from botaclip.backend.progress import CancelFlag
from botaclip.backend.releves import read_releves
from botaclip.backend.train import TrainConfig, choose_split, role_counts, train_model
from botaclip.backend.train.splits import BUFFER, TEST, TRAIN, VALIDATION

SMALL = dict(patch_m=40.0, backbone="spectral", epochs=3, device="cpu")


pytestmark = pytest.mark.usefixtures("two_threads")


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# ---------------------------------------------------------------- small scene (fast)

def test_train_writes_a_complete_model_folder(small_scene, tmp_path):
    ortho, releves = small_scene
    log = Log()
    s = train_model(ortho, releves, tmp_path / "model", cache_dir=tmp_path / "cache",
                    progress=log, **SMALL)
    out = tmp_path / "model"
    assert s.out == out and (out / "config.json").exists() and (out / "model.safetensors").exists()
    assert s.report_html == out / "report" / "report.html" and s.report_html.exists()
    assert (out / "report" / "report.json").exists()
    present = int((read_releves(releves).values > 0).any(axis=0).sum())   # of 24 columns
    assert s.n_plots == s.n_plots_total == 200 and s.n_taxa == present >= 20
    assert s.n_train + s.n_val + s.n_test + s.n_buffer == 200
    assert min(s.n_train, s.n_val, s.n_test) >= 50
    # the buffer defaults to the patch: no training plot within 40 m (along x and y) of a
    # validation or test plot
    assert s.buffer_m == 40.0 and s.n_buffer == len(s.result.buffer_idx)
    assert s.backbone == "spectral" and s.precision == "float32" and not s.random_weights
    assert s.heads_precision in ("float32", "bfloat16")
    assert s.epochs_trained == 3 and len(s.bundle_sha256) == 64
    assert s.features["computed"] == 200 and s.features["cached"] == 0
    split = [m for m in log.infos if m.startswith("Split: ")]
    assert len(split) == 1 and "left fewer than 50 training" in split[0]   # 500 m did not fit
    assert f"{s.n_buffer} training plots closer than 40 m to a validation or test plot" \
        in split[0]
    cfg = json.loads((out / "config.json").read_text())
    for key in ("backbone", "patch_m", "patch_px", "bands", "normalization", "precision",
                "precision_check", "random_weights", "inputs", "species", "cover_transform",
                "check"):
        assert key in cfg, key
    assert cfg["cover_transform"] == "sqrt" and cfg["patch_px"] == 64
    assert cfg["bands"]["wavelengths_um"] == [0.665, 0.56, 0.49, 0.842]
    assert cfg["normalization"]["kind"] == "sampled"
    assert cfg["check"]["plots_used"] == 200 and cfg["training"]["block_m"] == s.block_m
    assert cfg["training"]["buffer_m"] == 40.0
    assert cfg["training"]["precision"] == s.heads_precision         # what was used, not auto
    assert cfg["split"] == {**s.result.split, "n_train": s.n_train, "n_val": s.n_val}
    assert cfg["metrics"]["test"] == s.metrics["test"]
    d = s.to_dict()
    json.dumps(d)
    assert d["val_recall@10"]["best"] == pytest.approx(s.recall("best"))
    assert d["test_recall@10"]["trained"] == pytest.approx(s.recall("test"))
    assert d["test_recall@10"]["chance"] == pytest.approx(10 / s.n_test)
    assert (d["n_test"], d["n_buffer"], d["buffer_m"]) == (s.n_test, s.n_buffer, 40.0)

    # the bundle gives the same embeddings as the model in memory, and the backbone rebuilt
    # from its reference gives the same features as the cache
    bundle = load_bundle(out)
    assert bundle.sha256 == s.bundle_sha256
    res = s.result
    info = raster_info(ortho)
    rel = read_releves(releves)
    xs, ys = to_raster_crs(info, rel.x, rel.y, rel.srs_wkt)
    from botaclip.backend.train import compute_features
    bb = backbone_from_reference(cfg["backbone"])
    feats = compute_features(ortho, xs, ys, bb, cfg["patch_m"], cache_dir=tmp_path / "cache")
    emb = bundle.embed_image_features(feats[res.val_idx, 0])
    np.testing.assert_allclose(emb, res.val_image_embeddings, atol=1e-6)
    with PatchReader(ortho, cfg["patch_m"], cfg["patch_px"]) as rd:
        patch = rd.read(float(xs[7]), float(ys[7])).data
    np.testing.assert_allclose(bb.features(patch[None]).numpy()[0], feats[7, 0], atol=1e-5)

    # a second run on the same data reuses every feature; the old model is replaced
    s2 = train_model(ortho, releves, out, cache_dir=tmp_path / "cache", **SMALL)
    assert s2.features["cached"] == 200 and s2.features["computed"] == 0
    assert s2.bundle_sha256 != "" and _leftovers(tmp_path) == []


class _CancelAt(CancelFlag):
    """Cancels at the n-th progress report whose message contains ``text``."""

    def __init__(self, text, n=1):
        super().__init__()
        self.text, self.n, self.messages = text, n, []

    def _emit(self, fraction, message):
        self.messages.append(message)
        if self.text in message:
            self.n -= 1
            if self.n <= 0:
                self.cancel()


@pytest.mark.parametrize("stage", ["features", "epoch", "Writing"])
def test_cancel_leaves_no_model_folder(small_scene, tmp_path, stage):
    ortho, releves = small_scene
    flag = _CancelAt(stage, n=2 if stage != "Writing" else 1)
    with pytest.raises(Cancelled):
        train_model(ortho, releves, tmp_path / "model", cache_dir=tmp_path / "cache",
                    batch_size=16, progress=flag, **SMALL)
    assert any(stage in m for m in flag.messages)
    assert not (tmp_path / "model").exists() and _leftovers(tmp_path) == []
    # the next run reuses what was cached (the features cancelled halfway included)
    s = train_model(ortho, releves, tmp_path / "model", cache_dir=tmp_path / "cache",
                    **SMALL)
    assert s.features["cached"] >= 32 and (tmp_path / "model" / "config.json").exists()


def test_random_backbone_weights_are_warned_and_recorded(small_scene, tmp_path):
    ortho, releves = small_scene
    log = Log()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        s = train_model(ortho, releves, tmp_path / "m", backbone="dofa-custom", weights="none",
                        backbone_config=TINY, patch_m=40.0, epochs=2, device="cpu",
                        cache_dir=tmp_path / "c", progress=log)
    assert s.random_weights and s.backbone == "dofa-custom"
    assert any("RANDOM" in w for w in log.warnings)
    cfg = load_bundle(tmp_path / "m").config
    assert cfg["random_weights"] is True and cfg["backbone"]["random_weights"] is True
    assert cfg["backbone"]["config"]["embed_dim"] == 32 and cfg["patch_px"] == 32


def test_too_few_plots_says_the_minimum_and_why(tmp_path):
    ortho, releves = make_small_scene(tmp_path / "few", n_plots=60)
    with pytest.raises(BotaclipError) as err:
        train_model(ortho, releves, tmp_path / "model", cache_dir=False, **SMALL)
    msg = str(err.value)
    assert "at least 150 usable plots" in msg and "Only 60 of the 60" in msg
    assert "50 held out for validation" in msg and "50 to train on" in msg
    assert "50 held out to test the model" in msg
    assert not (tmp_path / "model").exists()


def test_identical_relevés_are_refused(tmp_path):
    ortho, releves = make_small_scene(tmp_path / "same", n_plots=160, identical=True)
    with pytest.raises(BotaclipError, match="same taxa with the same values"):
        train_model(ortho, releves, tmp_path / "model", cache_dir=False, **SMALL)


def test_bad_device_transform_and_output(small_scene, tmp_path):
    ortho, releves = small_scene
    if torch.cuda.is_available():           # the CUDA variant runs where there is a GPU
        summary = train_model(ortho, releves, tmp_path / "gpu", **{**SMALL, "device": "cuda"})
        assert (summary.out / "config.json").exists()
    else:
        with pytest.raises(BotaclipError, match="no CUDA GPU is usable"):
            train_model(ortho, releves, tmp_path / "m", **{**SMALL, "device": "cuda"})
        assert not (tmp_path / "m").exists()
    with pytest.raises(BotaclipError, match="Unknown cover transform 'cube'"):
        train_model(ortho, releves, tmp_path / "m", cover_transform="cube", **SMALL)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(BotaclipError, match="busy already exists and was not written by "
                                            "BotaCLIP.*--overwrite"):
        train_model(ortho, releves, busy, **SMALL)
    assert (busy / "notes.txt").read_text() == "mine"


def test_buffer_can_be_set_and_is_checked_before_any_work(small_scene, tmp_path):
    ortho, releves = small_scene
    s = train_model(ortho, releves, tmp_path / "m0", cache_dir=tmp_path / "cache",
                    buffer_m=0, **{**SMALL, "epochs": 1})
    assert s.n_buffer == 0 and s.buffer_m == 0.0 and s.n_train + s.n_val + s.n_test == 200
    assert "no buffer between training and held-out plots" in s.text()
    log = Log()
    with pytest.raises(BotaclipError, match=r"buffer_m \(--buffer-m\) must be 0 or more "
                                            r"metres \(got -5.0\)"):
        train_model(ortho, releves, tmp_path / "m1", buffer_m=-5, progress=log, **SMALL)
    assert log.infos == [] and not (tmp_path / "m1").exists()       # refused at once


def test_choose_split_adapts_then_explains():
    rng = np.random.default_rng(0)
    # 400 plots over 4 km: the default 500 m blocks and 20 % shares work and are kept; the
    # buffer defaults to the patch
    x, y = rng.uniform(0, 4000, 400), rng.uniform(0, 4000, 400)
    c, log = TrainConfig(), Log()
    roles = choose_split(x, y, c, 100.0, log)
    counts = role_counts(roles)
    assert (c.block_m, c.val_fraction, c.test_fraction, c.buffer_m) == (500.0, 0.2, 0.2, 100.0)
    # 64 blocks of about 6 plots: the shares come within a few plots of the 80 asked
    assert abs(counts["validation"] - 80) <= 3 and abs(counts["test"] - 80) <= 3
    assert counts["buffer"] > 0 and log.infos[0].startswith("Split: blocks of 500 m")
    assert "(the settings" not in log.infos[0]
    # 200 plots over 800 m: smaller blocks or larger shares, so that every role has 50
    x, y = rng.uniform(0, 800, 200), rng.uniform(0, 800, 200)
    c, log = TrainConfig(), Log()
    roles = choose_split(x, y, c, 50.0, log)
    counts = role_counts(roles)
    assert min(counts["training"], counts["validation"], counts["test"]) >= 50
    assert (c.block_m, c.val_fraction, c.test_fraction) != (500.0, 0.2, 0.2)
    assert "left fewer than 50 training, 50 validation or 50 test plots" in log.infos[0]
    # whatever the block size, the buffer holds: no training plot within 50 m of a held-out
    train = np.flatnonzero(roles == TRAIN)
    held = np.flatnonzero((roles == VALIDATION) | (roles == TEST))
    near = np.maximum(np.abs(x[train][:, None] - x[held]), np.abs(y[train][:, None] - y[held]))
    assert near.min() >= 50.0 and (roles == BUFFER).sum() == counts["buffer"]
    # 160 plots within 60 m: blocks cannot be smaller than the 100 m patch
    x, y = rng.uniform(0, 60, 160), rng.uniform(0, 60, 160)
    with pytest.raises(BotaclipError, match="at least 50 training, 50 validation and 50 test "
                                            "plots.*smaller than the patch \\(100 m\\)"):
        choose_split(x, y, TrainConfig(), 100.0)


# ---------------------------------------------------------------- the 2 km demo (slow)

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from botaclip.backend.demo import generate_demo_data

    return generate_demo_data(tmp_path_factory.mktemp("demo2k"), size_m=2000.0, seed=0)


def _score(m):
    return 0.5 * (m["img2rel@10"] + m["rel2img@10"])


@pytest.mark.slow
@pytest.mark.parametrize("backbone", ["spectral", "tiny-dofa"])
def test_training_on_the_demo_beats_untrained_and_chance(demo, tmp_path, backbone):
    """The test plots (60 of the 300, in their own 500 m blocks, 100 m from every training
    plot) are the measure. Thresholds from the binomial spread of recall@10 on 60 plots:
    chance is 10/60 = 0.167 with a standard deviation of 0.048; a recall near 0.5 has one of
    0.065. Training steps in float32, so the figures do not depend on the CPU."""
    kw = (dict(backbone="spectral") if backbone == "spectral" else
          dict(backbone="dofa-custom", weights="none", backbone_config=TINY))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        s = train_model(demo.orthophoto, demo.releves, tmp_path / "model", seed=0,
                        device="cpu", cache_dir=tmp_path / "cache",
                        config=TrainConfig(precision="float32"), **kw)
    m = s.metrics
    chance = m["test_chance"]["img2rel@10"]
    assert s.n_plots == 300 and s.n_test >= 50 and chance == pytest.approx(10 / s.n_test)
    assert s.n_buffer > 0 and s.buffer_m == 100.0 and s.heads_precision == "float32"
    sd_chance = np.sqrt(chance * (1 - chance) / s.n_test)
    sd_half = np.sqrt(0.25 / s.n_test)
    # far beyond luck: 5 standard deviations above chance
    assert _score(m["test"]) >= chance + 5 * sd_chance
    # and clearly above the untrained model: 3 standard deviations of a recall near 0.5
    assert _score(m["test"]) - _score(m["test_untrained"]) >= 3 * sd_half
    assert s.beats_chance() and s.best_epoch >= 1
