"""DOFA's transformer block without timm: held against timm's Block (same weights, same
outputs, same state-dict keys, same seeded init), a timm-built DOFA state dict loaded
strictly, and DOFA running in a process where timm and torchvision cannot be imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from functools import partial

import pytest
import torch
from helpers import RGBN, TINY, torch_threads
from safetensors.torch import save_file
from torch import nn

from botaclip.backend.models import dofa as dofa_module
from botaclip.backend.models.dofa import DOFA, DofaConfig
from botaclip.backend.models.vit_block import Block
from botaclip.backend.models.weights import build_dofa

# float32 sums of at most a few hundred products, computed by the same torch kernels in the
# same order: differences are rounding only, orders of magnitude under 1e-5 for O(1) outputs.
TOL = 1e-5


@pytest.fixture(autouse=True)
def _one_thread():
    with torch_threads(1):
        yield


def _timm_block():
    return pytest.importorskip("timm.models.vision_transformer").Block


def _pair(seed, dim, heads, mlp_ratio, qkv_bias):
    """Our block and timm's, each made after the same seed, with DOFA's norm layer."""
    norm = partial(nn.LayerNorm, eps=1e-6)
    torch.manual_seed(seed)
    ours = Block(dim, heads, mlp_ratio, qkv_bias=qkv_bias, norm_layer=norm)
    torch.manual_seed(seed)
    theirs = _timm_block()(dim, heads, mlp_ratio, qkv_bias=qkv_bias, norm_layer=norm)
    return ours.eval(), theirs.eval()


@pytest.mark.parametrize("dim,heads,mlp_ratio,qkv_bias", [
    (64, 4, 4.0, True),           # the torchgeo fixture's width
    (48, 6, 2.5, False),          # a fractional ratio and no qkv bias
])
def test_block_matches_timm(dim, heads, mlp_ratio, qkv_bias):
    ours, theirs = _pair(0, dim, heads, mlp_ratio, qkv_bias)
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a)        # same seed, same initial weights
    # weights of another timm block load strictly and give the same outputs
    torch.manual_seed(1)
    other = _timm_block()(dim, heads, mlp_ratio, qkv_bias=qkv_bias,
                          norm_layer=partial(nn.LayerNorm, eps=1e-6)).eval()
    with torch.no_grad():               # non-trivial norms, so their weights matter too
        for p in other.parameters():
            p.add_(0.1 * torch.randn_like(p))
    ours.load_state_dict(other.state_dict(), strict=True)
    x = torch.randn(3, 17, dim, generator=torch.Generator().manual_seed(2)) * 2
    with torch.no_grad():
        want, got = other(x), ours(x)
    assert want.abs().max() > 1                           # a real output, not zeros
    assert float((got - want).abs().max()) < TOL


def test_block_gradients_match_timm():
    ours, theirs = _pair(3, 32, 2, 4.0, True)
    x = torch.randn(2, 5, 32, generator=torch.Generator().manual_seed(4))
    xa, xb = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    ours(xa).square().sum().backward()
    theirs(xb).square().sum().backward()
    assert float((xa.grad - xb.grad).abs().max()) < 1e-4 * float(xb.grad.abs().max())
    assert float((ours.attn.qkv.weight.grad - theirs.attn.qkv.weight.grad).abs().max()) \
        < 1e-4 * float(theirs.attn.qkv.weight.grad.abs().max())


def _timm_dofa(config, seed, monkeypatch):
    """DOFA as it was built before: with timm's Block, from a seed."""
    monkeypatch.setattr(dofa_module, "Block", _timm_block())
    torch.manual_seed(seed)
    model = DOFA(config).eval()
    monkeypatch.undo()
    return model


def test_dofa_loads_a_timm_built_state_dict(monkeypatch, tmp_path):
    config = DofaConfig.from_dict({**TINY, "depth": 2})
    old = _timm_dofa(config, 5, monkeypatch)
    assert type(old.blocks[0]) is not Block
    with torch.no_grad():
        for p in old.parameters():          # trained-looking weights, not the seeded init
            p.add_(0.05 * torch.randn_like(p))
    path = tmp_path / "timm_dofa.safetensors"
    save_file({k: v.contiguous() for k, v in old.state_dict().items()}, str(path))
    new, report = build_dofa(config, path)
    assert type(new.blocks[0]) is Block
    assert report.missing_keys == [] and list(new.state_dict()) == list(old.state_dict())
    x = torch.randn(2, 4, 32, 32, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        for fn in ("forward", "forward_tokens", "patch_token_map"):
            want, got = getattr(old, fn)(x, RGBN), getattr(new, fn)(x, RGBN)
            assert float((got - want).abs().max()) < TOL, fn


def test_seeded_random_dofa_is_unchanged(monkeypatch):
    """Bundles made with random weights rebuild their backbone from the seed: the new block
    must draw the same numbers in the same order as timm's did."""
    config = DofaConfig.from_dict(TINY)
    old = _timm_dofa(config, 7, monkeypatch).state_dict()
    torch.manual_seed(7)
    new = DOFA(config).state_dict()
    assert list(new) == list(old) and all(torch.equal(new[k], old[k]) for k in old)


_WITHOUT_TIMM = """
import sys, warnings
sys.modules["timm"] = None              # import timm / torchvision now raise ImportError
sys.modules["torchvision"] = None
import numpy as np
from botaclip.backend import bundle, embed, train  # noqa: F401  (they import without timm)
from botaclip.backend.errors import BotaclipError
from botaclip.backend.models.backbones import Normalization, build_backbone
warnings.simplefilter("ignore")
bb = build_backbone("dofa-base", "none", wavelengths={waves}, config={tiny},
                    normalization=Normalization.none(4), seed=0)
x = np.random.default_rng(0).uniform(0, 255, (2, 4, 32, 32)).astype("float32")
f = bb.features(x)
print("features", tuple(f.shape), bool(np.isfinite(f.numpy()).all()))
print("software timm", bundle.software_versions()["timm"])
try:
    build_backbone("timm:resnet18", "none", wavelengths={waves}[:3],
                   normalization=Normalization.imagenet())
except BotaclipError as exc:
    print("timm backbone:", exc)
"""


def test_dofa_runs_without_timm_and_the_timm_backbone_says_what_is_missing():
    code = textwrap.dedent(_WITHOUT_TIMM).format(waves=RGBN, tiny=TINY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "features (2, 32) True" in lines
    assert "software timm None" in lines
    message = next(line for line in lines if line.startswith("timm backbone:"))
    assert "needs the Python packages timm and torchvision" in message
    assert "installer" in message and "DOFA" in message
    assert "Traceback" not in out.stdout + out.stderr
