"""Model bundle save/load and the training report."""

import hashlib
import json

import numpy as np
import pytest
import torch

from botaclip.backend.bundle import load_bundle, save_bundle
from botaclip.backend.errors import BotaclipError
from botaclip.backend.train import TrainConfig, train_on_features, write_training_report
from botaclip.bench.bench_train import synthetic

N_TAXA, DIM = 60, 32


@pytest.fixture(scope="module")
def trained():
    feats, species, x, y = synthetic(n=300, n_taxa=N_TAXA, per_plot=6, dim=DIM, variants=2,
                                     seed=3)
    raw = species.toarray() ** 2            # the synthetic species are sqrt covers
    cfg = TrainConfig(epochs=3, batch_size=64, adapter_hidden=16, encoder_hidden=32,
                      patience=0, threads=1, device="cpu")
    result = train_on_features(feats, np.sqrt(raw), x, y, cfg)
    return result, feats, raw


def _meta(**kw):
    return {"backbone": {"name": "dofa_base_patch16_224", "img_size": 224},
            "backbone_weights": {"path": "/w/dofa.pth", "sha256": "ab" * 32},
            "wavelengths_um": [0.665, 0.56, 0.49, 0.842], "patch_m": 50.0, "patch_px": 224,
            "species": [f"Taxon {i}" for i in range(N_TAXA)], "cover_transform": "sqrt", **kw}


def _embed(result, feats, values):
    with torch.no_grad():
        img = torch.nn.functional.normalize(result.adapter(torch.from_numpy(feats)), dim=-1)
        rel = torch.nn.functional.normalize(result.encoder(torch.from_numpy(values)), dim=-1)
    return img.numpy(), rel.numpy()


def test_round_trip_gives_identical_embeddings(trained, tmp_path):
    result, feats, raw = trained
    path = save_bundle(tmp_path / "bundle", result, _meta())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]      # no temp left
    b = load_bundle(path)
    f0 = feats[:, 0].astype(np.float32)
    img, rel = _embed(result, f0, np.sqrt(raw).astype(np.float32))
    assert np.array_equal(b.embed_image_features(f0), img)
    assert np.array_equal(b.embed_releves(raw), rel)        # sqrt applied by the bundle
    assert np.allclose(np.linalg.norm(rel, axis=1), 1, atol=1e-6)
    assert b.species == _meta()["species"]
    # the hash covers both files and is stable
    h = hashlib.sha256((path / "model.safetensors").read_bytes()
                       + (path / "config.json").read_bytes()).hexdigest()
    assert b.sha256 == h == load_bundle(path).sha256


def test_config_holds_meta_training_and_versions(trained, tmp_path):
    result, _, _ = trained
    path = save_bundle(tmp_path / "b", result, _meta())
    cfg = json.loads((path / "config.json").read_text())
    assert cfg["format_version"] == 1
    assert cfg["embedding_dim"] == DIM
    assert cfg["backbone"]["name"] == "dofa_base_patch16_224"
    assert cfg["backbone_weights"]["sha256"] == "ab" * 32
    assert cfg["wavelengths_um"] == [0.665, 0.56, 0.49, 0.842] and cfg["patch_px"] == 224
    assert cfg["cover_transform"] == "sqrt"
    assert cfg["training"]["epochs"] == 3 and cfg["training"]["loss"] == "sigmoid"
    # "best", "untrained", "chance": the validation plots (they chose the epoch); the test
    # plots' figures were added beside them
    assert set(cfg["metrics"]) == {"untrained", "best", "chance", "test", "test_untrained",
                                   "test_chance"}
    assert cfg["split"] == result.split
    assert len(cfg["history"]) == 4
    assert set(cfg["software"]) >= {"botaclip", "torch", "timm", "numpy", "python"}
    assert cfg["created"].endswith("+00:00")
    from safetensors import safe_open
    with safe_open(str(path / "model.safetensors"), "pt") as fh:
        keys = set(fh.keys())
    assert {"adapter.fc1.weight", "releve_encoder.taxa.weight", "loss.logit_scale"} <= keys


def test_a_bundle_is_replaced_but_other_folders_are_not(trained, tmp_path):
    result, _, _ = trained
    path = save_bundle(tmp_path / "b", result, _meta())
    save_bundle(path, result, _meta(note="second"))
    assert json.loads((path / "config.json").read_text())["note"] == "second"
    other = tmp_path / "photos"
    other.mkdir()
    (other / "keep.tif").write_bytes(b"x")
    with pytest.raises(BotaclipError, match="not a model bundle"):
        save_bundle(other, result, _meta())
    assert (other / "keep.tif").exists()


def test_bad_metadata_is_refused(trained, tmp_path):
    result, _, _ = trained
    with pytest.raises(BotaclipError, match=f"list the {N_TAXA} taxa"):
        save_bundle(tmp_path / "b", result, _meta(species=["a", "b"]))
    with pytest.raises(BotaclipError, match="cover transform"):
        save_bundle(tmp_path / "b", result, _meta(cover_transform="arcsine"))
    assert not (tmp_path / "b").exists()


def test_unreadable_bundles_are_explained(trained, tmp_path):
    result, _, _ = trained
    with pytest.raises(BotaclipError, match="does not exist"):
        load_bundle(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BotaclipError, match="not a model bundle: it has no config.json"):
        load_bundle(tmp_path / "empty")
    path = save_bundle(tmp_path / "b", result, _meta())
    cfg = json.loads((path / "config.json").read_text())
    (path / "config.json").write_text(json.dumps({**cfg, "format_version": 2}))
    with pytest.raises(BotaclipError, match="format version 2, newer .*update the plugin"):
        load_bundle(path)
    (path / "config.json").write_text(json.dumps(cfg))
    (path / "model.safetensors").unlink()
    with pytest.raises(BotaclipError, match="lacks model.safetensors"):
        load_bundle(path)
    b = load_bundle(save_bundle(tmp_path / "c", result, _meta()))
    with pytest.raises(BotaclipError, match=rf"expects \[N, {DIM}\] features"):
        b.embed_image_features(np.zeros((2, DIM + 1), np.float32))
    with pytest.raises(BotaclipError, match=rf"expects \[N, {N_TAXA}\] covers"):
        b.embed_releves(np.zeros((2, 3), np.float32))


def test_training_report_files(trained, tmp_path):
    result, _, raw = trained
    labels = [f"Taxon {int(np.argmax(r))}" for r in raw]        # one per plot: subset taken
    paths = write_training_report(tmp_path, result, _meta(), val_labels=labels)
    assert {"json", "html", "loss_plot", "recall_plot", "pca_plot"} <= set(paths)
    for p in paths.values():
        assert p.exists() and p.stat().st_size > 0
    for key in ("loss_plot", "recall_plot", "pca_plot"):
        assert paths[key].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="{paths[key].name}"' in paths["html"].read_text()
    rep = json.loads(paths["json"].read_text())
    assert rep["metrics"]["best"] == result.metrics["best"]
    assert rep["summary"]["plots_val"] == len(result.val_idx)
    assert 1 <= len(rep["pca_coloured_taxa"]) <= 10
    with pytest.raises(BotaclipError, match="one per validation plot"):
        write_training_report(tmp_path, result, _meta(), val_labels=["a", "b"])
