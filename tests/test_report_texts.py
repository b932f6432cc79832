"""The training report says what the plugin's messages say: durations as people read them,
recalls as percentages with one decimal (report.json keeps fractions and its keys), recall@k
explained once in plain words, and charts whose labels do not run into each other."""

from __future__ import annotations

import html as html_lib
import json
import re
import types

import numpy as np
import pytest

from botaclip.backend.train import (
    TrainConfig,
    format_duration,
    percent,
    report,
    total_seconds,
    write_training_report,
)

# report.json's summary: the keys of earlier versions keep their meaning (val_*: the
# validation plots, which chose the epoch); the test and split keys were added
SUMMARY_KEYS = {"plots_train", "plots_val", "epochs_trained", "best_epoch", "val_R@10_trained",
                "val_R@10_untrained", "val_R@10_chance", "seconds", "device",
                "plots_test", "plots_buffer", "buffer_m", "block_m", "test_R@10_trained",
                "test_R@10_untrained", "test_R@10_chance", "training_precision",
                "scoring_precision"}
REPORT_KEYS = {"summary", "metrics", "best_epoch", "stopped_early", "history",
               "timings_s_per_epoch", "device", "config", "split", "pca_coloured_taxa", "meta",
               "files"}


def fake_result(n_val=58, epochs=12, timings=None, best_epoch=9, loss_scale=1.0, n_test=60,
                buffer_m=100.0):
    """A TrainResult-like object with known figures: on the test plots recall@5 image->relevé
    0.407 and recall@10 0.55; on the validation plots (the selection score) recall@10 0.66."""
    rng = np.random.default_rng(0)
    history = [{"epoch": 0, "train_loss": None, "train_contrastive": None,
                "train_regulariser": None, "val_loss": 5.0 * loss_scale,
                "val_contrastive": 4.8 * loss_scale, "val_regulariser": 0.2,
                "img2rel@10": 0.13, "rel2img@10": 0.14}]
    for e in range(1, epochs + 1):
        history.append({"epoch": e, "train_loss": (5 - 0.3 * e) * loss_scale,
                        "train_contrastive": (4.8 - 0.3 * e) * loss_scale,
                        "train_regulariser": 0.2 + 0.01 * e,
                        "val_loss": (5 - 0.2 * e) * loss_scale,
                        "val_contrastive": (4.8 - 0.2 * e) * loss_scale,
                        "val_regulariser": 0.2, "img2rel@10": min(0.66, 0.13 + 0.05 * e),
                        "rel2img@10": min(0.621, 0.14 + 0.045 * e)})
    ks = (1, 5, 10)
    metrics = {"chance": {f"{d}@{k}": k / n_val for d in ("img2rel", "rel2img") for k in ks},
               "untrained": {f"{d}@{k}": 0.02 * k for d in ("img2rel", "rel2img") for k in ks},
               "best": {"img2rel@1": 0.121, "img2rel@5": 0.45, "img2rel@10": 0.66,
                        "rel2img@1": 0.103, "rel2img@5": 0.42, "rel2img@10": 0.621},
               "test_chance": {f"{d}@{k}": k / n_test for d in ("img2rel", "rel2img")
                               for k in ks},
               "test_untrained": {f"{d}@{k}": 0.025 * k for d in ("img2rel", "rel2img")
                                  for k in ks},
               "test": {"img2rel@1": 0.1, "img2rel@5": 0.407, "img2rel@10": 0.55,
                        "rel2img@1": 0.083, "rel2img@5": 0.35, "rel2img@10": 0.517}}
    config = TrainConfig(block_m=500.0, buffer_m=buffer_m, precision="bfloat16")
    n_train, n_buffer = 182, 31 if buffer_m else 0
    return types.SimpleNamespace(
        history=history, best_epoch=best_epoch, metrics=metrics, train_idx=np.arange(n_train),
        val_idx=np.arange(n_val), test_idx=np.arange(n_test), buffer_idx=np.arange(n_buffer),
        split={"block_m": 500.0, "val_fraction": 0.2, "test_fraction": 0.2,
               "buffer_m": buffer_m, "n_train": n_train, "n_val": n_val, "n_test": n_test,
               "n_buffer": n_buffer},
        config=config, timings=[6.0] * epochs if timings is None else timings, device="cpu",
        stopped_early=True, val_image_embeddings=rng.normal(size=(n_val, 16)),
        extra={"n_plots": 300, "scoring_precision": "float32"})


def _text(path) -> str:
    """The HTML's text: tags dropped, entities and no-break spaces made plain."""
    raw = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html_lib.unescape(raw).replace("\xa0", " "))


def test_format_duration_and_totals():
    assert format_duration(0.43) == "0.4 s"
    assert format_duration(4.2) == "4 s"
    assert format_duration(12.4) == "12 s"
    assert format_duration(60) == "1 min"
    assert format_duration(72.2) == "1 min 12 s"
    assert format_duration(3725) == "1 h 02 min"
    assert format_duration(None) == "unknown"
    assert total_seconds({"check_s": 2.0, "features_s": 55.0, "train_s": 15.0}) == 72.0
    assert total_seconds([30.0, 42.0]) == 72.0
    assert total_seconds(None) == 0.0
    assert percent(0.407) == "40.7 %" and percent(float("nan")) == "–"


def test_report_states_the_real_duration(tmp_path):
    result = fake_result(timings=[30.0, 42.0], epochs=2, best_epoch=2)
    paths = write_training_report(tmp_path / "a", result, {"backbone": {"name": "spectral"}})
    text = _text(paths["html"])
    assert "Training took 1 min 12 s on the CPU (2 epochs;" in text
    assert "took 0 s" not in text
    assert json.loads(paths["json"].read_text())["summary"]["seconds"] == 72.0

    # with the whole run's steps (train_model's timings), the run's total and its parts
    steps = {"check_s": 2.0, "backbone_s": 1.0, "features_s": 54.0, "train_s": 15.4}
    paths = write_training_report(tmp_path / "b", result, {}, timings=steps)
    text = _text(paths["html"])
    assert ("Up to this report, the run took 1 min 12 s on the CPU (checking the plots 2 s, "
            "preparing the backbone 1 s, backbone features 54 s, training 15 s).") in text

    # a short run is not "0 s"
    paths = write_training_report(tmp_path / "c", fake_result(timings=[0.1, 0.2], epochs=2),
                                  {})
    assert "Training took 0.3 s" in _text(paths["html"])


def test_recalls_are_percentages_in_html_and_fractions_in_json(tmp_path):
    result = fake_result()
    paths = write_training_report(tmp_path, result, {"backbone": {"name": "spectral"},
                                                     "patch_m": 100.0})
    page = paths["html"].read_text(encoding="utf-8")
    text = _text(paths["html"])
    table = text[text.index("direction and measure"):text.index("Recall@k: the share")]
    # test chance, untrained, trained, then the validation (selection) figure
    assert "image → relevé recall@5 (img2rel@5) 8.3 % 12.5 % 40.7 % 45.0 %" in table
    assert "relevé → image recall@10 (rel2img@10) 16.7 % 25.0 % 51.7 % 62.1 %" in table
    assert "trained (validation: selection)" in table
    assert not re.search(r"\b0\.\d{3}\b", table)                 # no fractions left
    assert "<b>40.7&nbsp;%</b>" in page
    # the lead is the test figure, labelled as such, with the validation one named for
    # what it is
    assert ("finds that plot's own relevé among its 10 nearest relevés for 55.0 % of the 60 "
            "test plots; picking 10 at random would find it for 16.7 %") in text
    assert "found it for 25.0 %" in text and "it finds 51.7 % (untrained 25.0 %)" in text
    assert "On the validation plots, which chose the epoch kept and so tend to flatter it, " \
           "it finds 66.0 % (the selection score)" in text
    assert "the model kept is the one of epoch 9, the best on the validation plots" in text
    assert "Training stopped early after epoch 12 (no better validation result for 10" in text
    # where the plots went, the buffer and the precisions
    assert ("182 plots were used for training, 58 validation plots chose the epoch to keep, "
            "and 60 test plots measured the result; the three lie in separate spatial blocks "
            "of 500 m, and 31 training plots closer than 100 m to a validation or test plot "
            "(along both axes) were left out: no training patch shares a pixel") in text
    assert "Training steps ran in bfloat16; every score is computed in float32." in text
    # report.json: a contract (keys only added, fractions)
    rep = json.loads(paths["json"].read_text())
    assert set(rep) == REPORT_KEYS and set(rep["summary"]) == SUMMARY_KEYS
    assert rep["metrics"]["best"]["img2rel@5"] == 0.45
    assert rep["metrics"]["test"]["img2rel@5"] == 0.407
    assert rep["summary"]["val_R@10_trained"] == pytest.approx(0.5 * (0.66 + 0.621))
    assert rep["summary"]["test_R@10_trained"] == pytest.approx(0.5 * (0.55 + 0.517))
    assert rep["summary"]["test_R@10_chance"] == pytest.approx(10 / 60)
    assert (rep["summary"]["plots_test"], rep["summary"]["plots_buffer"]) == (60, 31)
    assert rep["summary"]["buffer_m"] == 100.0 and rep["summary"]["seconds"] == 72.0
    assert rep["split"]["test_idx"] == list(range(60)) and rep["split"]["n_buffer"] == 31
    assert rep["files"] == {"loss_plot": "training_loss.png",
                            "recall_plot": "training_recall.png",
                            "pca_plot": "training_pca.png"}


def test_a_run_without_buffer_says_what_that_means(tmp_path):
    paths = write_training_report(tmp_path, fake_result(buffer_m=0.0), {"patch_m": 100.0})
    assert "No buffer was kept between training and held-out plots: a training patch may " \
           "overlap a validation or test patch" in _text(paths["html"])
    paths = write_training_report(tmp_path / "b", fake_result(buffer_m=40.0), {"patch_m": 100.0})
    assert "the buffer is smaller than the 100 m patch, so training and held-out patches may " \
           "overlap" in _text(paths["html"])


def test_untrained_model_kept_is_said_plainly(tmp_path):
    paths = write_training_report(tmp_path, fake_result(best_epoch=0), {})
    assert "so the model kept is the untrained one (epoch 0)" in _text(paths["html"])


@pytest.fixture
def figures(monkeypatch):
    """The matplotlib figures the report saves, after they were drawn."""
    saved = {}
    original = report._save

    def keep(fig, path):
        out = original(fig, path)
        saved[path.name] = fig
        return out

    monkeypatch.setattr(report, "_save", keep)
    return saved


def _overlaps(fig) -> list[tuple[int, int]]:
    renderer = fig.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])]


@pytest.mark.parametrize("loss_scale", [1.0, 2500.0])
def test_charts_do_not_overlap_and_show_percentages(tmp_path, figures, loss_scale):
    write_training_report(tmp_path, fake_result(loss_scale=loss_scale), {})
    for name in ("training_loss.png", "training_recall.png"):
        assert _overlaps(figures[name]) == [], name      # labels of one axis clear the next
    bars, line = figures["training_recall.png"].axes
    labels = [t.get_text() for t in bars.texts]            # the test figures are labelled
    assert "40.7 %" in labels and "55.0 %" in labels and "66.0 %" not in labels
    assert bars.yaxis.get_major_formatter()(0.5, 0) == "50 %"
    assert line.yaxis.get_major_formatter()(0.2, 0) == "20 %"
    ticks = [t.get_text() for t in bars.get_xticklabels()]
    assert ticks[1].endswith("image → relevé") and ticks[4].endswith("relevé → image")
    for ax in figures["training_loss.png"].axes:                 # whole epochs only
        assert all(float(v).is_integer() for v in ax.get_xticks())


def test_report_of_a_small_training_run(tmp_path):
    """End to end on a real (tiny) training: the duration is the epochs' real time."""
    from botaclip.backend.train import train_on_features
    from botaclip.bench.bench_train import synthetic

    feats, species, x, y = synthetic(n=300, n_taxa=30, per_plot=5, dim=16, variants=2, seed=1)
    cfg = TrainConfig(epochs=2, batch_size=64, adapter_hidden=16, encoder_hidden=16,
                      patience=0, threads=1, device="cpu", precision="float32")
    result = train_on_features(feats, species.toarray(), x, y, cfg)
    paths = write_training_report(tmp_path, result, {"backbone": {"name": "tiny"}})
    text = _text(paths["html"])
    expected = format_duration(sum(result.timings))
    assert f"Training took {expected} on the CPU (2 epochs;" in text
    test = result.metrics["test"]["img2rel@10"]
    assert f"among its 10 nearest relevés for {percent(test)} of the " \
           f"{len(result.test_idx)} test plots" in text
    rep = json.loads(paths["json"].read_text())
    assert rep["summary"]["seconds"] == pytest.approx(sum(result.timings))
    assert rep["metrics"]["best"] == result.metrics["best"]
    assert rep["metrics"]["test"] == result.metrics["test"]
