"""Heads and losses against naive reference implementations (explicit loops)."""

import math

import numpy as np
import pytest
import torch

from botaclip.backend.models.heads import (
    ImageAdapter,
    ReleveEncoder,
    dense_to_bags,
    taxon_dropout_weights,
)
from botaclip.backend.models.losses import (
    ContrastiveLoss,
    cosine_matrix,
    infonce_loss,
    sigmoid_loss,
    similarity_regulariser,
)


def _cos(u, v):
    return float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))


def _pair(b=6, d=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, d, generator=g, dtype=torch.float64),
            torch.randn(b, d, generator=g, dtype=torch.float64))


def test_sigmoid_loss_matches_double_loop():
    img, rel = _pair()
    scale, bias = 1.3, -2.5
    a, b = img.numpy(), rel.numpy()
    total = 0.0
    for i in range(len(a)):
        for j in range(len(b)):
            z = 1.0 if i == j else -1.0
            logit = math.exp(scale) * _cos(a[i], b[j]) + bias
            total += -math.log(1.0 / (1.0 + math.exp(-z * logit)))
    expected = total / len(a)
    got = sigmoid_loss(img, rel, torch.tensor(scale, dtype=torch.float64), bias)
    assert float(got) == pytest.approx(expected, rel=1e-10)


def test_infonce_matches_double_loop():
    img, rel = _pair(seed=1)
    scale = 2.0
    a, b = img.numpy(), rel.numpy()
    n = len(a)
    logits = [[math.exp(scale) * _cos(a[i], b[j]) for j in range(n)] for i in range(n)]
    i2r = sum(-logits[i][i] + math.log(sum(math.exp(v) for v in logits[i])) for i in range(n))
    r2i = sum(-logits[j][j] + math.log(sum(math.exp(logits[i][j]) for i in range(n)))
              for j in range(n))
    expected = 0.5 * (i2r + r2i) / n
    assert float(infonce_loss(img, rel, torch.tensor(scale, dtype=torch.float64))) == \
        pytest.approx(expected, rel=1e-10)


def _naive_regulariser(ad, fr, k=None):
    n = len(ad)
    terms = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        if k is not None:
            others = sorted(others, key=lambda j: -_cos(fr[i], fr[j]))[:k]
        for j in others:
            terms.append((_cos(ad[i], ad[j]) - _cos(fr[i], fr[j])) ** 2)
    return sum(terms) / len(terms)


@pytest.mark.parametrize("k", [None, 1, 3, 20])
def test_regulariser_matches_double_loop(k):
    ad, fr = _pair(b=7, d=4, seed=2)
    expected = _naive_regulariser(ad.numpy(), fr.numpy(), None if k == 20 else k)
    assert float(similarity_regulariser(ad, fr, k=k)) == pytest.approx(expected, rel=1e-10)


def test_cosine_matrix_gradient_is_exact():
    # its backward is hand-written (one matmul instead of two): check it numerically
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0),
                    requires_grad=True)
    assert torch.autograd.gradcheck(cosine_matrix, (x,))
    # and its forward is the plain cosine matrix, computed here the textbook way
    unit = x.detach() / x.detach().norm(dim=1, keepdim=True)
    assert torch.allclose(cosine_matrix(x).detach(), unit @ unit.T, rtol=0, atol=1e-12)


def test_regulariser_ignores_the_diagonal():
    # two vectors: one off-diagonal pair counted twice; the diagonal (1 vs 1) adds nothing
    ad = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    fr = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    assert float(similarity_regulariser(ad, fr)) == pytest.approx((0 - math.sqrt(0.5)) ** 2)


def test_adapter_is_identity_and_regulariser_zero_at_init():
    f = torch.randn(32, 48, generator=torch.Generator().manual_seed(0)) * 3 + 1
    adapter = ImageAdapter(48, 16, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        out = adapter(f)
    assert torch.equal(out, f)
    assert float(similarity_regulariser(out, f)) == 0.0
    assert float(similarity_regulariser(out, f, k=5)) == 0.0
    # ... and it can learn: the zero layer receives a gradient
    (adapter(f) ** 2).sum().backward()
    assert adapter.fc2.weight.grad.abs().sum() > 0


def test_contrastive_module_defaults_and_kinds():
    lo = ContrastiveLoss()
    assert lo.logit_scale.item() == pytest.approx(math.log(10))
    assert lo.logit_bias.item() == -10.0
    img, rel = _pair(seed=4)
    img, rel = img.float(), rel.float()
    nce = ContrastiveLoss("infonce")
    with torch.no_grad():
        assert float(lo(img, rel)) == pytest.approx(float(sigmoid_loss(img, rel, math.log(10),
                                                                       -10)))
        assert float(nce(img, rel)) == pytest.approx(float(infonce_loss(img, rel,
                                                                        math.log(1 / 0.07))))
    with pytest.raises(ValueError, match="unknown contrastive loss"):
        ContrastiveLoss("triplet")


def test_taxon_dropout_never_empties_a_plot_and_drops_about_p():
    g = torch.Generator().manual_seed(0)
    lengths = torch.tensor([1, 2, 3, 1, 30, 5] * 50)
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(lengths, 0)[:-1]])
    weights = torch.rand(int(lengths.sum()), generator=g) + 0.1
    bags = torch.repeat_interleave(torch.arange(len(lengths)), lengths)
    for p in (0.2, 0.9, 0.999):
        for _ in range(20):
            w = taxon_dropout_weights(weights, offsets, p, g)
            kept = torch.zeros(len(lengths)).index_add_(0, bags, (w > 0).float())
            assert kept.min() >= 1
            assert torch.equal(w[w > 0], weights[w > 0])      # survivors are not rescaled
    w = taxon_dropout_weights(weights, offsets, 0.5, g)
    big = lengths[bags] == 30
    assert 0.4 < float((w[big] == 0).float().mean()) < 0.6


def test_encoder_sparse_path_equals_dense_reference():
    g = torch.Generator().manual_seed(1)
    enc = ReleveEncoder(40, 8, hidden=16, generator=g).eval()
    values = torch.rand(10, 40, generator=g)
    values[values < 0.8] = 0
    values[3] = 0
    values[3, 7] = 2.0
    out = enc(values)
    assert torch.equal(out, enc.forward_sparse(*dense_to_bags(values)))
    h = values @ enc.taxa.weight + enc.bias
    ref = enc.out(torch.nn.functional.gelu(enc.norm(h)))
    assert torch.allclose(out, ref, atol=1e-5)
    # training mode draws from the generator it is given: same generator state, same output
    enc.train()
    a = enc(values, generator=torch.Generator().manual_seed(5))
    b = enc(values, generator=torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, out)


def test_initialisation_is_reproducible_from_a_generator():
    a = ReleveEncoder(30, 8, 16, generator=torch.Generator().manual_seed(7))
    b = ReleveEncoder(30, 8, 16, generator=torch.Generator().manual_seed(7))
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(v, w), k
