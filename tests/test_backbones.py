"""Frozen backbones behind one interface: spectral baseline, tiny DOFA, timm; normalisation,
dihedral variants, precision choice, references and devices."""

import warnings

import numpy as np
import pytest
import torch
from helpers import RGBN, TINY, torch_threads

from botaclip.backend.errors import BotaclipError
from botaclip.backend.models import backbones as B
from botaclip.backend.models.backbones import (
    Normalization,
    backbone_from_reference,
    build_backbone,
    dihedral,
    resolve_device,
)
from botaclip.backend.progress import CancelFlag


@pytest.fixture(autouse=True)
def _one_thread():
    with torch_threads(1):
        yield


def _patches(n=3, c=4, p=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, c, p, p)).astype("float32")


def _tiny(seed=0, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return build_backbone("dofa-base", "none", wavelengths=kw.pop("wavelengths", RGBN),
                              normalization=kw.pop("normalization", Normalization.none(4)),
                              config=TINY, seed=seed, **kw)


# ---------------------------------------------------------------- dihedral, normalisation

def test_dihedral_gives_8_distinct_variants_in_numpy_and_torch():
    x = np.arange(2 * 4 * 4, dtype="float32").reshape(2, 4, 4)
    outs = [np.ascontiguousarray(dihedral(x, k)) for k in range(8)]
    assert np.array_equal(outs[0], x)
    assert len({o.tobytes() for o in outs}) == 8
    for k in range(8):
        assert np.array_equal(dihedral(torch.from_numpy(x), k).numpy(), outs[k])
    assert np.array_equal(outs[1], np.rot90(x, 1, axes=(-2, -1)))     # a quarter turn
    assert np.array_equal(outs[4], x[..., ::-1])                        # a mirror image
    assert np.array_equal(dihedral(x, 9), outs[1])                      # k modulo 8


def test_normalization_imagenet_sampled_none():
    n = Normalization.imagenet()
    assert n.kind == "imagenet" and n.mean[0] == pytest.approx(0.485 * 255)
    x = torch.full((1, 3, 2, 2), 255 * 0.485)
    assert float(n.apply(x)[0, 0, 0, 0]) == pytest.approx(0.0, abs=1e-5)

    class Stats:
        mean = [10.0, 20.0]
        std = [2.0, 0.0]                      # a flat band
    s = Normalization.from_stats(Stats)
    assert s.kind == "sampled" and s.std == [2.0, 1.0]
    y = s.apply(torch.tensor([[[[14.0]], [[23.0]]]]))
    assert y.flatten().tolist() == [2.0, 3.0]
    assert Normalization.from_dict(s.to_dict()) == s
    with pytest.raises(BotaclipError, match="2 band"):
        s.apply(torch.zeros(1, 3, 2, 2))
    x = torch.randn(1, 5, 3, 3)
    assert torch.equal(Normalization.none(5).apply(x), x)


# ---------------------------------------------------------------- spectral baseline

def test_spectral_dims_determinism_and_ndvi():
    bb = build_backbone("spectral", None, wavelengths=RGBN, normalization=Normalization.none(4))
    assert bb.dim == 7 * 4 + 4 and bb.model is None and bb.input_px == 64
    x = _patches(3, 4, 64)
    f1, f2 = bb.features(x), bb.features(x.copy())
    assert f1.shape == (3, 32) and f1.dtype == torch.float32
    assert torch.equal(f1, f2)
    assert not torch.allclose(f1[0], f1[1])
    # NDVI column statistics: a patch whose NIR is twice its red has NDVI 1/3 everywhere
    flat = np.ones((1, 4, 64, 64), dtype="float32")
    flat[:, 3] = 2.0
    f = bb.features(flat)[0]
    assert float(f[28]) == pytest.approx(1 / 3, abs=1e-4)     # mean NDVI
    assert float(f[29]) == pytest.approx(0.0, abs=1e-5)       # its std
    with pytest.raises(BotaclipError, match="3 band"):
        bb.features(_patches(1, 3, 64))
    assert bb.choose_precision("bfloat16", x) == "float32"
    assert "always computes in float32" in bb.precision_check["note"]


def test_spectral_ndvi_is_on_raw_values_and_statistics_skip_nodata():
    # the same raw patch as above (NIR twice the red), now z-scored with the raster's
    # statistics: NDVI stays (2 - 1) / (2 + 1) = 1/3. On z-scores it was (z_nir - z_red) /
    # (|z_nir| + |z_red|) = (2.5 - (-0.5)) / 3 = 1 here, and +-1 wherever a band sat at its mean
    norm = Normalization("sampled", [1.5, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.5])
    bb = build_backbone("spectral", None, wavelengths=RGBN, normalization=norm)
    flat = np.ones((1, 4, 64, 64), dtype="float32")
    flat[:, 3] = 2.0
    f = bb.features(flat)[0]
    assert float(f[28]) == pytest.approx(1 / 3, abs=1e-4)     # mean NDVI
    # green-red when there is no near infrared: (G - R) / (G + R) on raw values
    rgb = build_backbone("spectral", None, wavelengths=RGBN[:3],
                         normalization=Normalization("sampled", [9.0] * 3, [3.0] * 3))
    patch = np.stack([np.full((64, 64), v, dtype="float32") for v in (10.0, 30.0, 5.0)])
    assert float(rgb.features(patch[None])[0, 21]) == pytest.approx(0.5, abs=1e-4)
    # nodata (NaN) is left out: a patch half uniform, half nodata has the statistics of
    # the uniform half (std 0, no texture), not of a mixture with a fill value
    half = flat.copy()
    half[..., :32] = np.nan
    g = bb.features(half)[0]
    np.testing.assert_allclose(g.numpy(), f.numpy(), atol=1e-6)
    assert torch.equal(bb.features(np.full((1, 4, 64, 64), np.nan, "float32")),
                       torch.zeros(1, 32))                   # nothing valid: zeros, not NaN


# ---------------------------------------------------------------- DOFA

def test_tiny_dofa_features_seeded_and_resized():
    with pytest.warns(UserWarning, match="RANDOM"):
        a = build_backbone("dofa-base", "none", wavelengths=RGBN,
                           normalization=Normalization.none(4), config=TINY, seed=0)
    assert a.name == "dofa-custom" and a.dim == 32 and a.input_px == 32
    assert a.random_weights and a.reference()["random_weights"] and a.reference()["seed"] == 0
    x = _patches(3, 4, 32)
    f = a.features(x)
    assert f.shape == (3, 32) and torch.isfinite(f).all()
    assert torch.equal(f, _tiny(0).features(x))                      # same seed, same model
    assert not torch.allclose(f, _tiny(1).features(x))
    # the model's input size is not resampled: prepare only moves and normalises
    assert torch.equal(a.prepare(x), torch.from_numpy(x))
    big = _patches(2, 4, 48)
    resized = torch.nn.functional.interpolate(torch.from_numpy(big), size=(32, 32),
                                              mode="bilinear", align_corners=False,
                                              antialias=True)
    assert torch.allclose(a.features(big), a.forward_prepared(resized), atol=1e-6)
    # three bands: DOFA takes any set of wavelengths
    rgb = _tiny(0, wavelengths=RGBN[:3], normalization=Normalization.imagenet())
    assert rgb.features(_patches(2, 3, 32)).shape == (2, 32)


def test_dofa_reference_round_trip_gives_identical_features():
    a = _tiny(seed=3, normalization=Normalization("sampled", [1.0, 2.0, 3.0, 4.0],
                                                  [5.0, 6.0, 7.0, 8.0]))
    ref = a.reference()
    flag = CancelFlag()
    b = backbone_from_reference(ref, progress=flag)
    assert any("RANDOM" in w for w in flag.warnings)
    assert b.reference() == ref
    x = _patches(2, 4, 32)
    assert torch.equal(a.features(x), b.features(x))


def test_dofa_custom_needs_config_and_unknown_names():
    with pytest.raises(BotaclipError, match="backbone-config"):
        build_backbone("dofa-custom", "none", wavelengths=RGBN,
                       normalization=Normalization.none(4))
    with pytest.raises(BotaclipError, match="Unknown backbone 'vit'"):
        build_backbone("vit", None, wavelengths=RGBN, normalization=Normalization.none(4))
    with pytest.raises(BotaclipError, match="Invalid DOFA config"):
        build_backbone("dofa-base", "none", wavelengths=RGBN,
                       normalization=Normalization.none(4), config={**TINY, "img_size": 30})


# ---------------------------------------------------------------- nodata

# Sampled normalisation of the textured patches below: their bands have mean 120 and standard
# deviation about 40 (a sinusoid of amplitude 45, std 45/2, plus noise of std 15, clipped),
# so the normalisation is the one the training would have estimated from such a raster.
NORM_120_40 = Normalization("sampled", [120.0] * 4, [40.0] * 4)


def _texture(seed, p=32):
    """A 4-band 8-bit-like patch: a smooth pattern of random phase and scale plus noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:p, 0:p]
    bands = []
    for _ in range(4):
        f, ph = rng.uniform(5, 12, 2), rng.uniform(0, 6, 2)
        base = 120 + 45 * np.sin(xx / f[0] + ph[0]) * np.cos(yy / f[1] + ph[1])
        bands.append(base + rng.normal(0, 15, base.shape))
    return np.clip(np.stack(bands), 0, 255).astype("float32")


def _holes(p):
    """Invalid areas a real patch gets: half outside the raster (the embedding's 50 % limit),
    a 20 % strip (the training's limit) and a hole in the middle (a masked building)."""
    half, strip, centre = (np.zeros((p, p), bool) for _ in range(3))
    half[:, :p // 2] = True
    strip[:, :p // 5] = True
    centre[p // 4:3 * p // 4, p // 4:3 * p // 4] = True
    return {"half": half, "strip": strip, "centre": centre}


def test_nodata_is_the_band_mean_after_normalising():
    bb = _tiny(normalization=NORM_120_40)
    x = _texture(0)
    holed = x.copy()
    holed[:, 10:20, 5:15] = np.nan                       # invalid pixels arrive as NaN
    prep = bb.prepare(holed)[0]
    assert torch.equal(prep[:, 10:20, 5:15], torch.zeros(4, 10, 10))   # 0 = the band mean
    np.testing.assert_array_equal(prep[:, :10].numpy(), ((x[:, :10] - 120) / 40))
    # filled before resizing: NaN never spreads, the hole is the mean at any size
    big = np.repeat(np.repeat(holed, 2, axis=1), 2, axis=2)           # 64 px -> 32 px
    assert torch.isfinite(bb.prepare(big)).all()
    assert torch.isfinite(bb.features(holed)).all()
    assert bb.nodata_fill.startswith("band mean")
    spectral = build_backbone("spectral", None, wavelengths=RGBN, normalization=NORM_120_40)
    assert torch.isnan(spectral.prepare(holed)).sum() == 4 * 100      # left for its statistics
    assert "valid pixels only" in spectral.nodata_fill


def test_a_nodata_hole_embeds_closer_than_zero_filling():
    """The same patch with and without a hole, embedded by three seeded tiny DOFAs and the
    spectral baseline; before, invalid pixels were raw 0 ("zero"), now NaN (band mean).

    Why mean filling must win: after normalising, mean filling changes a hole pixel by -z (its
    own z-score, mean square about 1), zero filling by -z - 120/40, mean square about
    1 + 3^2 = 10. For a smooth map small input changes give feature changes in proportion, and
    1 - cos grows with their square, so zero filling should cost several times more; we ask
    for each case to be closer and for twice the distance on average, leaving room for the
    network's non-linearities (measured: about 4-5 times for DOFA). The spectral baseline
    leaves the hole out, so only sampling differences of a stationary texture remain against
    a shift of the 10 % quantile and mean by about 3 units: ten times is a loose floor
    (measured: 60-170 times)."""
    cos = torch.nn.functional.cosine_similarity
    models = [(_tiny(seed=s, normalization=NORM_120_40), 32) for s in range(3)]
    models.append((build_backbone("spectral", None, wavelengths=RGBN,
                                  normalization=NORM_120_40), 64))
    for bb, p in models:
        ours, zeros = [], []
        for seed in range(4):
            x = _texture(seed, p)
            clean = bb.features(x, "float32")
            for name, hole in _holes(p).items():
                filled, zero = x.copy(), x.copy()
                filled[:, hole] = np.nan
                zero[:, hole] = 0.0
                ours.append(float(cos(clean, bb.features(filled, "float32"))[0]))
                zeros.append(float(cos(clean, bb.features(zero, "float32"))[0]))
                assert ours[-1] > zeros[-1], (bb.name, bb.seed, seed, name)
        ratio = (1 - np.mean(zeros)) / (1 - np.mean(ours))
        assert ratio > (10 if bb.model is None else 2), (bb.name, bb.seed, ratio)


# ---------------------------------------------------------------- precision

def test_precision_auto_without_native_bf16_is_float32(monkeypatch):
    monkeypatch.setattr(B, "bf16_native_cpu", lambda: False)
    bb = _tiny()
    assert bb.choose_precision("auto", _patches(8)) == "float32"
    check = bb.precision_check
    assert check["chosen"] == "float32" and check["bf16_native"] is False
    assert "no native bfloat16" in check["note"] and "min_cosine" not in check
    assert bb.choose_precision("float32", _patches(2)) == "float32"
    with pytest.raises(BotaclipError, match="Unknown precision 'half'"):
        bb.choose_precision("half", _patches(2))


def test_forced_bfloat16_runs_the_cosine_check(monkeypatch):
    monkeypatch.setattr(B, "bf16_native_cpu", lambda: False)
    bb = _tiny()
    x = _patches(8)
    assert bb.choose_precision("bfloat16", x) == "bfloat16"
    check = bb.precision_check
    assert check["samples"] == 8 and check["min_cosine"] >= B.BF16_MIN_COSINE
    assert check["float32_s"] > 0 and check["bfloat16_s"] > 0
    f32, bf = bb.features(x, "float32"), bb.features(x)      # bb.precision is now bfloat16
    assert bf.dtype == torch.float32 and not torch.equal(f32, bf)
    assert torch.nn.functional.cosine_similarity(f32, bf).min() >= B.BF16_MIN_COSINE
    # disagreement: an explicit bfloat16 is the user's decision, kept with a warning that
    # carries the measured cosines (embed_precision tests the auto fallback)
    monkeypatch.setattr(B, "BF16_MIN_COSINE", 1.01)
    flag = CancelFlag()
    assert bb.choose_precision("bfloat16", x, flag) == "bfloat16"
    assert any("lowest cosine" in w and "Kept, as asked" in w for w in flag.warnings)


def test_precision_auto_with_native_bf16_checks_agreement(monkeypatch):
    monkeypatch.setattr(B, "bf16_native_cpu", lambda: True)
    bb = _tiny()
    assert bb.choose_precision("auto", _patches(4)) == "bfloat16"
    assert bb.precision_check["bf16_native"] and bb.precision_check["min_cosine"] > 0.995


def test_this_cpu_flags_are_read():
    assert isinstance(B.bf16_native_cpu(), bool)


# ---------------------------------------------------------------- timm

def _save_resnet18(path, seed=0, drop=None, extra=None):
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    model = timm.create_model("resnet18", pretrained=False)     # with its classifier
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    for k in drop or []:
        del state[k]
    state.update(extra or {})
    save_file(state, str(path))
    return state


@pytest.fixture(scope="module")
def resnet_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("timm") / "resnet18.safetensors"
    return path, _save_resnet18(path, seed=7)


def test_timm_loads_local_weights_in_rgb_order(resnet_file):
    import timm

    from botaclip.backend.models.weights import sha256_file

    path, state = resnet_file
    bgrn = [0.49, 0.56, 0.665, 0.842]                  # the raster's band order
    bb = build_backbone("timm:resnet18", str(path), wavelengths=bgrn,
                        normalization=Normalization.none(4))
    assert bb.name == "timm:resnet18" and bb.dim == 512 and bb.input_px == 224
    assert bb.band_index == [2, 1, 0] and bb.wavelengths == [0.665, 0.56, 0.49]
    assert bb.weights_sha256 == sha256_file(path) and not bb.random_weights
    ref_model = timm.create_model("resnet18", pretrained=False, num_classes=0).eval()
    ref_model.load_state_dict({k: v for k, v in state.items() if not k.startswith("fc.")})
    x = _patches(2, 4, 224, seed=1) / 255.0
    with torch.no_grad():
        want = ref_model(torch.from_numpy(x[:, [2, 1, 0]]))
    got = bb.features(x)
    assert torch.allclose(got, want, atol=1e-5)
    # round trip through the reference: same bands, same features
    again = backbone_from_reference(bb.reference())
    assert again.band_index == [2, 1, 0] and again.weights_sha256 == bb.weights_sha256
    assert torch.equal(again.features(x), got)


def test_timm_wrong_file_lists_mismatched_keys(tmp_path):
    bad = tmp_path / "not_resnet18.safetensors"
    _save_resnet18(bad, drop=["layer1.0.conv1.weight"],
                   extra={"stem.bogus.weight": torch.zeros(3)})
    with pytest.raises(BotaclipError) as err:
        build_backbone("timm:resnet18", str(bad), wavelengths=RGBN[:3],
                       normalization=Normalization.imagenet())
    msg = str(err.value)
    assert "1 missing key(s) (layer1.0.conv1.weight)" in msg
    assert "1 unexpected key(s) (stem.bogus.weight)" in msg and str(bad) in msg
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(BotaclipError, match="Cannot read the weights file"):
        build_backbone("timm:resnet18", str(junk), wavelengths=RGBN[:3],
                       normalization=Normalization.imagenet())


def test_timm_needs_rgb_and_a_weights_file(tmp_path):
    with pytest.raises(BotaclipError, match="red, green and blue"):
        build_backbone("timm:resnet18", "none", wavelengths=[0.842, 1.61, 2.19],
                       normalization=Normalization.none(3))
    with pytest.raises(BotaclipError, match="needs a local weights file"):
        build_backbone("timm:resnet18", None, wavelengths=RGBN[:3],
                       normalization=Normalization.imagenet())
    with pytest.raises(BotaclipError, match="does not exist"):
        build_backbone("timm:resnet18", str(tmp_path / "missing.safetensors"),
                       wavelengths=RGBN[:3], normalization=Normalization.imagenet())
    with pytest.raises(BotaclipError, match="timm has no model"):
        build_backbone("timm:no_such_net", "none", wavelengths=RGBN[:3],
                       normalization=Normalization.imagenet())


# ---------------------------------------------------------------- devices

def test_devices():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(BotaclipError, match="Unknown device 'gpu'"):
        resolve_device("gpu")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: the missing-GPU message cannot be checked")
    with pytest.raises(BotaclipError, match="no CUDA GPU is usable.*--device cpu"):
        resolve_device("cuda")
    with pytest.raises(BotaclipError, match="no CUDA GPU"):
        build_backbone("spectral", None, wavelengths=RGBN, normalization=Normalization.none(4),
                       device="cuda")
