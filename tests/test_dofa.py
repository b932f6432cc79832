"""DOFA backbone and its weight files, held against the torchgeo reference fixture."""

from __future__ import annotations

import argparse
import hashlib
import json
import os

import pytest
import torch
from safetensors.torch import load_file, save_file

from botaclip.backend.errors import BotaclipError
from botaclip.backend.models.dofa import (
    DOFA,
    DOFA_SIZES,
    DofaConfig,
    resize_pos_embed,
)
from botaclip.backend.models.weights import (
    RANDOM_WEIGHTS_WARNING,
    build_dofa,
    find_dofa_weights,
    load_dofa_weights,
    sha256_file,
)

WAVES = [0.665, 0.56, 0.49, 0.842]


@pytest.fixture(scope="module")
def fixture_dir(shared_dir):
    return shared_dir / "fixtures" / "dofa"


@pytest.fixture(scope="module")
def tiny_config(fixture_dir):
    return DofaConfig.from_dict(json.loads((fixture_dir / "dofa_tiny_config.json").read_text()))


@pytest.fixture(scope="module")
def tiny_state(fixture_dir):
    return load_file(str(fixture_dir / "dofa_tiny_state_dict.safetensors"))


@pytest.fixture(scope="module")
def tiny_io(fixture_dir):
    return load_file(str(fixture_dir / "dofa_tiny_io.safetensors"))


@pytest.fixture(scope="module")
def tiny(tiny_config, fixture_dir):
    model, report = build_dofa(tiny_config, fixture_dir / "dofa_tiny_state_dict.safetensors")
    return model, report


def test_fixture_pooled_and_tokens(tiny, tiny_io):
    model, report = tiny
    assert report.format == "safetensors" and report.missing_keys == []
    with torch.no_grad():
        pooled = model(tiny_io["x"], tiny_io["wavelengths_um"])
        tokens = model.forward_tokens(tiny_io["x"], tiny_io["wavelengths_um"].tolist())
    assert pooled.shape == (2, 64) and tokens.shape == (2, 197, 64)
    assert (pooled - tiny_io["pooled"]).abs().max().item() < 1e-4
    assert (tokens - tiny_io["last_block_tokens"]).abs().max().item() < 1e-4
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())


def test_band_order_invariance(tiny, tiny_io):
    model, _ = tiny
    x = tiny_io["x"]
    perm = [2, 0, 3, 1]
    with torch.no_grad():
        a = model(x, WAVES)
        b = model(x[:, perm], [WAVES[i] for i in perm])
        c = model(x[:, perm], WAVES)  # bands moved but not their wavelengths: must differ
    assert (a - b).abs().max().item() < 1e-5
    assert (a - c).abs().max().item() > 1e-3


def test_any_number_of_bands(tiny, tiny_io):
    model, _ = tiny
    x = tiny_io["x"][:1]
    twelve = [0.443, 0.49, 0.56, 0.665, 0.705, 0.74, 0.783, 0.842, 0.865, 0.945, 1.61, 2.19]
    with torch.no_grad():
        rgb = model(x[:, :3], WAVES[:3])
        s2 = model(torch.cat([x, x, x], dim=1), twelve)
    assert rgb.shape == s2.shape == (1, 64)
    assert torch.isfinite(rgb).all() and torch.isfinite(s2).all()
    assert (rgb - s2).abs().max().item() > 1e-3
    with pytest.raises(BotaclipError, match="4 band.*3 wavelength"):
        model(x, WAVES[:3])
    with pytest.raises(BotaclipError, match="nanometres"):
        model(x, [665, 560, 490, 842])


def test_other_input_sizes(tiny, tiny_io):
    model, _ = tiny
    x = tiny_io["x"][:1]
    small = torch.nn.functional.interpolate(x, size=(112, 112), mode="bilinear")
    large = torch.nn.functional.interpolate(x, size=(448, 448), mode="bilinear")
    with torch.no_grad():
        assert model.forward_tokens(small, WAVES).shape == (1, 1 + 7 * 7, 64)
        assert model.patch_token_map(small, WAVES).shape == (1, 64, 7, 7)
        assert model.forward_tokens(large, WAVES).shape == (1, 1 + 28 * 28, 64)
        dense = model.patch_token_map(x, WAVES)
        tokens = model.forward_tokens(x, WAVES)
    assert dense.shape == (1, 64, 14, 14)
    # dense map = fc_norm of the patch tokens, row-major
    assert torch.allclose(dense[0, :, 2, 5], model.fc_norm(tokens[0, 1 + 2 * 14 + 5]), atol=1e-6)
    # at the native grid pos_embed is used as is, and resampling 14 -> 14 is the identity
    assert model.pos_embed_for((14, 14)) is model.pos_embed
    same = resize_pos_embed(model.pos_embed, (14, 14), (14, 14))
    assert (same - model.pos_embed).abs().max().item() < 1e-5
    up = model.pos_embed_for((28, 28))
    assert up.shape == (1, 1 + 784, 64) and torch.equal(up[:, 0], model.pos_embed[:, 0])


def test_kernel_cache_follows_weights(tiny_config, tiny_state, tiny_io):
    model = DOFA(tiny_config).eval()
    model.load_state_dict(tiny_state)
    x = tiny_io["x"][:1]
    with torch.no_grad():
        first = model(x, WAVES)
        assert model(x, WAVES).equal(first)  # from the cache
        assert len(model._kernel_cache) == 1
        model.patch_embed.fclayer.w1.weight.mul_(1.5)  # in place, as an optimiser would
        changed = model(x, WAVES)
        model.load_state_dict(tiny_state)
        restored = model(x, WAVES)
    assert (changed - first).abs().max().item() > 1e-3
    assert (restored - first).abs().max().item() < 1e-6
    model.train()
    with torch.no_grad():
        model.clear_kernel_cache()
        model(x, WAVES)
    assert len(model._kernel_cache) == 0


def test_bfloat16_autocast_agrees(tiny, tiny_io):
    model, _ = tiny
    x = tiny_io["x"]
    with torch.no_grad():
        ref = model(x, WAVES)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            low = model(x, WAVES)
    cos = torch.nn.functional.cosine_similarity(ref, low.float(), dim=1)
    assert cos.min().item() > 0.99


def test_other_size_state_dict_is_refused(tiny_config, tmp_path):
    small = DOFA(DofaConfig.named("dofa-small"))
    path = tmp_path / "mine.safetensors"
    save_file({k: v.contiguous() for k, v in small.state_dict().items()}, str(path))
    with pytest.raises(BotaclipError) as err:
        load_dofa_weights(DOFA(tiny_config), path)
    msg = str(err.value)
    assert str(path) in msg and "dofa-small" in msg
    assert "pos_embed: expected [1, 197, 64], found [1, 197, 384]" in msg
    assert "cls_token: expected [1, 1, 64], found [1, 1, 384]" in msg
    assert "... and " in msg and "more" in msg  # over 10 keys differ: the rest are counted


def test_original_format_file(tiny_config, tiny_state, tiny_io, tmp_path):
    state = {k: v for k, v in tiny_state.items() if not k.startswith("fc_norm.")}
    state.update({"mask_token": torch.zeros(1, 1, 64), "norm.weight": torch.ones(64),
                  "norm.bias": torch.zeros(64), "projector.weight": torch.randn(32, 64),
                  "projector.bias": torch.zeros(32)})
    path = tmp_path / "DOFA_ViT_tiny_e100.pth"
    torch.save({"model": state, "epoch": 99}, path)
    model = DOFA(tiny_config).eval()
    torch.nn.init.normal_(model.fc_norm.weight)
    report = load_dofa_weights(model, path)
    assert report.format == "original"
    assert report.ignored_keys == ["mask_token", "norm.bias", "norm.weight", "projector.bias",
                                   "projector.weight"]
    assert report.missing_keys == ["fc_norm.bias", "fc_norm.weight"]
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert torch.equal(model.fc_norm.weight, torch.ones(64))  # LayerNorm defaults
    with torch.no_grad():
        tokens = model.forward_tokens(tiny_io["x"], WAVES)
    assert (tokens - tiny_io["last_block_tokens"]).abs().max().item() < 1e-4


def test_bad_files_fail_cleanly(tiny_config, fixture_dir, tmp_path):
    model = DOFA(tiny_config)
    text = tmp_path / "weights.pth"
    text.write_text("this is not a checkpoint\n")
    with pytest.raises(BotaclipError, match="not a PyTorch checkpoint"):
        load_dofa_weights(model, text)
    saved = tmp_path / "full.pth"
    torch.save({"model": model.state_dict(), "args": argparse.Namespace(lr=1)}, saved)
    with pytest.raises(BotaclipError, match="full.pth holds Python objects"):
        load_dofa_weights(model, saved)
    torch.save(model.state_dict(), saved)
    cut_pth = tmp_path / "cut.pth"
    cut_pth.write_bytes(saved.read_bytes()[:100000])
    with pytest.raises(BotaclipError, match="cut.pth is not a PyTorch checkpoint, or it is trunc"):
        load_dofa_weights(model, cut_pth)
    data = (fixture_dir / "dofa_tiny_state_dict.safetensors").read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(BotaclipError, match="cut.safetensors.*truncated"):
        load_dofa_weights(model, cut)
    with pytest.raises(BotaclipError, match="does not exist"):
        load_dofa_weights(model, tmp_path / "absent.pth")
    # torchgeo names carry the start of the sha256
    renamed = tmp_path / "dofa_base_patch16_224-a0275954.pth"
    renamed.write_bytes(data)
    with pytest.raises(BotaclipError, match="corrupt or renamed"):
        load_dofa_weights(model, renamed)
    old = tmp_path / "dofa_base_patch16_224-7cc0f413.pth"
    old.write_bytes(data)
    with pytest.raises(BotaclipError, match="(?s)August 2024.*a0275954"):
        load_dofa_weights(model, old)


def test_find_dofa_weights(tmp_path):
    with pytest.raises(BotaclipError) as err:
        find_dofa_weights("base", tmp_path)
    msg = str(err.value)
    assert "dofa_base_patch16_224-a0275954.pth" in msg and "DOFA_ViT_base_e100.pth" in msg
    assert str(tmp_path) in msg and "https://huggingface.co/torchgeo/dofa" in msg
    with pytest.raises(BotaclipError, match="no published weights"):
        find_dofa_weights("dofa-small", tmp_path)
    (tmp_path / "DOFA_ViT_large_e100.pth").write_bytes(b"x")
    assert find_dofa_weights("dofa-large", tmp_path).name == "DOFA_ViT_large_e100.pth"


def test_sha256_file(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"botaclip" * 1000)
    assert sha256_file(path) == hashlib.sha256(b"botaclip" * 1000).hexdigest()
    path.write_bytes(b"changed")
    os.utime(path, ns=(1, 1))  # new size and mtime: the cache must not answer
    assert sha256_file(path) == hashlib.sha256(b"changed").hexdigest()


def test_random_weights_are_seeded_and_loud(tiny_config):
    torch.manual_seed(123)
    before = torch.rand(1)
    with pytest.warns(UserWarning, match="RANDOM weights"):
        a, report = build_dofa(tiny_config, "none")
    with pytest.warns(UserWarning):
        b, _ = build_dofa(tiny_config.to_dict(), "none")
    torch.manual_seed(123)
    assert torch.equal(torch.rand(1), before)  # caller's random stream untouched
    assert report is None and "meaningless" in RANDOM_WEIGHTS_WARNING
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not a.training and not any(p.requires_grad for p in a.parameters())


def test_config_sizes():
    assert DOFA_SIZES["dofa-base"] == (768, 12, 12)
    embed, depth, heads = DOFA_SIZES["dofa-large"]
    assert (embed, depth, heads) == (1024, 24, 16)
    cfg = DofaConfig.named("small")
    assert (cfg.embed_dim, cfg.patch_size, cfg.img_size, cfg.dynamic_embed_dim) == \
        (384, 16, 224, 128)
    assert cfg.size_name() == "dofa-small"
    assert DofaConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(BotaclipError, match="embed_dims"):
        DofaConfig.from_dict({"embed_dims": 3})
    with pytest.raises(BotaclipError, match="Unknown DOFA size"):
        DofaConfig.named("huge")
