"""Training on cached features: learning, the three roles, scoring precision, determinism,
resume, cancel, bad input."""

import numpy as np
import pytest
import torch

from botaclip.backend.errors import BotaclipError, Cancelled
from botaclip.backend.progress import CancelFlag, Progress
from botaclip.backend.train import (
    CHECKPOINT_NAME,
    TrainConfig,
    recall_at_k,
    train_on_features,
    use_bf16,
)
from botaclip.bench.bench_train import synthetic

# tiny heads, 1 thread (the test machine is shared), no early stopping; float32 training
# steps, so that the figures below do not depend on whether the CPU computes bfloat16
CFG = dict(epochs=12, batch_size=64, adapter_hidden=32, encoder_hidden=64, patience=0,
           threads=1, device="cpu", precision="float32")


def _score(d):
    return 0.5 * (d["img2rel@10"] + d["rel2img@10"])


def _beyond_chance(n: int, sds: float) -> float:
    """Recall@10 that a random ranking of n candidates reaches with a chance below that of
    ``sds`` binomial standard deviations: 10/n + sds * sqrt(p (1 - p) / n)."""
    p = 10 / n
    return p + sds * float(np.sqrt(p * (1 - p) / n))


@pytest.fixture(scope="module")
def data():
    """400 plots, 80 taxa, 64-D float16 features = noisy linear function of the species."""
    feats, species, x, y = synthetic(n=400, n_taxa=80, per_plot=8, dim=64, variants=4,
                                     seed=1, noise=0.7)
    return feats, species.toarray(), x, y


@pytest.fixture(scope="module")
def trained(data):
    return train_on_features(*data, TrainConfig(**CFG))


def _weights(result):
    return {f"{p}.{k}": v for p, sd in result.state_dicts().items() for k, v in sd.items()}


def _assert_same_weights(a, b):
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        assert torch.equal(wa[k], wb[k]), k


def test_training_beats_untrained_and_chance(trained):
    m = trained.metrics
    n_val, n_test = len(trained.val_idx), len(trained.test_idx)
    # the 400 plots lie tens of km apart (one per 500 m block): the shares are exact
    assert (len(trained.train_idx), n_val, n_test) == (240, 80, 80)
    assert m["chance"]["img2rel@10"] == pytest.approx(10 / n_val)
    assert m["test_chance"]["img2rel@10"] == pytest.approx(10 / n_test)
    # untrained: its ranking has nothing to do with the relevés, so it scores like chance
    # (within 3 binomial standard deviations, a 1-in-700 event for a random ranking)
    for which, n in (("untrained", n_val), ("test_untrained", n_test)):
        assert _score(m[which]) < _beyond_chance(n, 3), which
    # trained: the features are a linear function of the relevés plus noise 0.7 times the
    # signal, so a linear adapter recovers much of it; on 80 test plots chance is 0.125 and
    # its standard deviation 0.037: the model must be 8 of them above (0.42), far beyond luck
    assert _score(m["test"]) > _beyond_chance(n_test, 8)
    assert _score(m["best"]) > _beyond_chance(n_val, 8)
    assert m["test"]["img2rel@1"] > 10 * m["test_chance"]["img2rel@1"]
    # history: epoch 0 is the untrained model (regulariser exactly 0: identity adapter)
    h = trained.history
    assert [e["epoch"] for e in h] == list(range(13))
    assert h[0]["val_regulariser"] == 0.0 and h[0]["train_loss"] is None
    assert h[-1]["train_loss"] < h[1]["train_loss"]
    assert trained.best_epoch >= 1 and len(trained.timings) == 12
    assert trained.device == "cpu"
    assert trained.val_image_embeddings.shape == (n_val, 64)
    assert np.allclose(np.linalg.norm(trained.val_image_embeddings, axis=1), 1, atol=1e-5)
    roles = [set(trained.train_idx), set(trained.val_idx), set(trained.test_idx)]
    assert not (roles[0] & roles[1] or roles[0] & roles[2] or roles[1] & roles[2])
    assert trained.split["n_buffer"] == 0 and trained.config.buffer_m == 0.0
    assert trained.config.precision == "float32"


@pytest.mark.parametrize("precision", ["bfloat16", "auto"])
def test_every_epoch_is_scored_alike_and_the_precision_is_recorded(data, precision):
    """Training steps in bfloat16, scoring in float32 at every epoch: the kept epoch's entry
    in the history is exactly the final validation figure (they were scored the same way),
    and the result's config says which precision the training steps used."""
    result = train_on_features(*data, TrainConfig(**{**CFG, "epochs": 4, "precision": precision}))
    expected = "bfloat16" if use_bf16(precision, torch.device("cpu")) else "float32"
    assert result.config.precision == expected
    assert result.extra["scoring_precision"] == "float32"
    kept = result.history[result.best_epoch]
    for key, value in result.metrics["best"].items():
        if "@" in key:
            assert kept[key] == value, key
    assert result.history[0]["img2rel@10"] == result.metrics["untrained"]["img2rel@10"]


def test_a_buffer_leaves_training_plots_out(data):
    feats, species, x, y = data
    # 400 plots over about 60 x 43 km (2.5 km apart on average): a 1 km buffer reaches some
    result = train_on_features(feats, species, x, y,
                               TrainConfig(**{**CFG, "epochs": 1, "buffer_m": 1000.0}))
    n = result.split
    assert n["n_buffer"] > 0 and n["n_train"] == 240 - n["n_buffer"]
    assert (n["n_val"], n["n_test"]) == (80, 80) and len(result.buffer_idx) == n["n_buffer"]
    held = np.concatenate([result.val_idx, result.test_idx])
    dx = np.abs(x[result.train_idx][:, None] - x[held][None, :])
    dy = np.abs(y[result.train_idx][:, None] - y[held][None, :])
    assert np.maximum(dx, dy).min() >= 1000.0


def test_deterministic_for_a_seed_and_threads_restored(data, trained):
    before = torch.get_num_threads()
    again = train_on_features(*data, TrainConfig(**CFG))
    assert torch.get_num_threads() == before
    _assert_same_weights(trained, again)
    assert again.metrics == trained.metrics
    other = train_on_features(*data, TrainConfig(**{**CFG, "seed": 1, "epochs": 1}))
    assert not torch.equal(other.encoder.out.weight, trained.encoder.out.weight)


def test_resume_after_cancel_gives_the_same_weights(data, trained, tmp_path):
    # reports: "validating", epoch 0, epoch 1, epoch 2 -> cancelled at the 1st batch of epoch 3
    flag = CancelFlag(cancel_after_reports=4)
    with pytest.raises(Cancelled):
        train_on_features(*data, TrainConfig(**CFG), progress=flag, checkpoint_dir=tmp_path)
    state = torch.load(tmp_path / CHECKPOINT_NAME, weights_only=True)
    assert state["epoch"] == 2 and len(state["history"]) == 3
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT_NAME]     # no temp file left
    resumed = train_on_features(*data, TrainConfig(**CFG), checkpoint_dir=tmp_path, resume=True)
    _assert_same_weights(trained, resumed)
    assert resumed.best_epoch == trained.best_epoch
    strip = lambda h: [{k: v for k, v in e.items() if not k.endswith("_s") and k != "seconds"}
                       for e in h]
    assert strip(resumed.history) == strip(trained.history)
    # a checkpoint from other settings is never mixed in, nor left to block every later run:
    # it is set aside with a warning and training starts from the untrained model
    flag = CancelFlag()
    train_on_features(*data, TrainConfig(**{**CFG, "lr": 5e-3, "epochs": 1}), progress=flag,
                      checkpoint_dir=tmp_path, resume=True)
    assert any("other data or settings" in w and "set aside" in w for w in flag.warnings)
    assert len(list(tmp_path.glob("train_state.unusable-*.pt"))) == 1


def test_cancel_raises_and_returns_nothing(data):
    flag = CancelFlag()
    flag.cancel()
    with pytest.raises(Cancelled):
        train_on_features(*data, TrainConfig(**CFG), progress=flag)


class _Messages(Progress):
    def __init__(self):
        self.seen = []

    def _emit(self, fraction, message):
        self.seen.append((fraction, message))


def test_progress_reports_each_epoch(data):
    p = _Messages()
    train_on_features(*data, TrainConfig(**{**CFG, "epochs": 2}), progress=p)
    msgs = [m for _, m in p.seen]
    assert msgs[-1].startswith("epoch 2/2 loss ") and " val R@10 0." in msgs[-1]
    assert [f for f, _ in p.seen][-3:] == [0.0, 0.5, 1.0]


def test_sparse_species_and_2d_features_are_accepted(data):
    import scipy.sparse as sp

    feats, species, x, y = data
    cfg = TrainConfig(**{**CFG, "epochs": 1})
    dense = train_on_features(feats[:, :1], species, x, y, cfg)
    sparse = train_on_features(feats[:, 0], sp.csr_matrix(species), x, y, cfg)
    _assert_same_weights(dense, sparse)


def test_recall_matches_naive_ranking():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(50, 6, generator=g), torch.randn(50, 6, generator=g)
    b[:10] = a[:10] + 0.1 * b[:10]
    got = recall_at_k(a, b, ks=(1, 5))
    an = torch.nn.functional.normalize(a, dim=1).numpy()
    bn = torch.nn.functional.normalize(b, dim=1).numpy()
    s = an @ bn.T
    for k in (1, 5):
        i2r = np.mean([np.sum(s[i] > s[i, i]) < k for i in range(50)])
        r2i = np.mean([np.sum(s[:, j] > s[j, j]) < k for j in range(50)])
        assert got[f"img2rel@{k}"] == pytest.approx(i2r)
        assert got[f"rel2img@{k}"] == pytest.approx(r2i)
    # identical candidates: every pair ties with all others -> chance, not 0 or 1
    same = recall_at_k(a, torch.ones(50, 6), ks=(10,))
    assert same["img2rel@10"] == pytest.approx(10 / 50)


# ------------------------------------------------------------------------------ bad input

def test_too_few_plots_is_explained(data):
    feats, species, x, y = data
    with pytest.raises(BotaclipError, match=r"at least 150 plots, 80 were given.*validation.*"
                                            "to test the model"):
        train_on_features(feats[:80], species[:80], x[:80], y[:80], TrainConfig(**CFG))


def test_split_with_too_few_validation_plots_is_explained(data):
    feats, species, x, y = data
    # 160 plots, 20 % each for validation and test: 32, short of the 50 needed
    with pytest.raises(BotaclipError, match=r"gave 96 training, 32 validation and 32 test "
                                            r"plots.*smaller block size"):
        train_on_features(feats[:160], species[:160], x[:160], y[:160], TrainConfig(**CFG))


def test_identical_releves_are_refused(data):
    feats, species, x, y = data
    same = np.tile(species[:1], (len(species), 1))
    with pytest.raises(BotaclipError, match="contrastive task is impossible"):
        train_on_features(feats, same, x, y, TrainConfig(**CFG))


def test_non_finite_features_are_refused(data):
    feats, species, x, y = data
    bad = feats.copy()
    bad[17, 2, 5] = np.inf
    with pytest.raises(BotaclipError, match="plot row 17 .*NaN or infinite"):
        train_on_features(bad, species, x, y, TrainConfig(**CFG))


def test_mismatched_shapes_are_refused(data):
    feats, species, x, y = data
    with pytest.raises(BotaclipError, match="400 plots but the species matrix has 399 rows"):
        train_on_features(feats, species[:-1], x, y, TrainConfig(**CFG))
    with pytest.raises(BotaclipError, match="399 x and 400 y"):
        train_on_features(feats, species, x[:-1], y, TrainConfig(**CFG))
    with pytest.raises(BotaclipError, match=r"\[plots, variants, dim\]"):
        train_on_features(feats[..., None], species, x, y, TrainConfig(**CFG))


def test_plots_without_taxa_are_named(data):
    feats, species, x, y = data
    s = species.copy()
    s[[3, 250]] = 0
    with pytest.raises(BotaclipError, match=r"2 plot\(s\) have no taxon .*rows 3, 250"):
        train_on_features(feats, s, x, y, TrainConfig(**CFG))


def test_bad_settings_and_missing_cuda_are_explained(data):
    with pytest.raises(BotaclipError, match="loss must be one of sigmoid, infonce"):
        train_on_features(*data, TrainConfig(**{**CFG, "loss": "triplet"}))
    with pytest.raises(BotaclipError, match=r"--test-fraction\) must .* \(got 0.5 and 0.5\)"):
        train_on_features(*data, TrainConfig(**{**CFG, "val_fraction": 0.5,
                                                "test_fraction": 0.5}))
    with pytest.raises(BotaclipError, match=r"buffer_m \(--buffer-m\) must be 0 or more"):
        train_on_features(*data, TrainConfig(**{**CFG, "buffer_m": -1.0}))
    if torch.cuda.is_available():           # the CUDA variant runs where there is a GPU
        result = train_on_features(*data, TrainConfig(**{**CFG, "device": "cuda"}))
        assert result.metrics["best"]["img2rel@10"] >= 0.0
    else:
        with pytest.raises(BotaclipError, match="no CUDA GPU.*--device cpu"):
            train_on_features(*data, TrainConfig(**{**CFG, "device": "cuda"}))
