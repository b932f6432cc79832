import numpy as np
import pytest

from botaclip.backend.errors import BotaclipError
from botaclip.backend.train import block_ids, block_kfold, block_split


def _points(n=500, seed=1, size=2000.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, size, n) + 950_000, rng.uniform(0, size, n) + 6_450_000


def test_blocks_never_straddle_folds():
    x, y = _points()
    folds = block_kfold(x, y, block_m=250, k=5, seed=3)
    ids = block_ids(x, y, 250)
    for b in np.unique(ids):
        assert len(np.unique(folds[ids == b])) == 1
    counts = np.bincount(folds, minlength=5)
    assert counts.sum() == 500
    # balanced: no fold deviates by more than the largest block from the mean
    assert counts.max() - counts.min() <= np.bincount(ids).max()


def test_deterministic_and_seed_dependent():
    x, y = _points()
    a = block_kfold(x, y, 250, k=5, seed=0)
    assert np.array_equal(a, block_kfold(x, y, 250, k=5, seed=0))
    assert not np.array_equal(a, block_kfold(x, y, 250, k=5, seed=1))


def test_block_split_fraction_and_separation():
    x, y = _points()
    train, val = block_split(x, y, 200, val_fraction=0.2, seed=0)
    assert len(train) + len(val) == 500
    assert not set(train) & set(val)
    assert 0.15 < len(val) / 500 < 0.25
    ids = block_ids(x, y, 200)
    assert not set(ids[train]) & set(ids[val])


def test_too_few_blocks_is_explained():
    x, y = _points(n=50, size=300)
    with pytest.raises(BotaclipError, match="spatial blocks of 1000 m"):
        block_kfold(x, y, 1000, k=5)


def test_missing_coordinates_are_refused():
    with pytest.raises(BotaclipError, match="no geometry"):
        block_ids([1.0, np.nan], [2.0, 3.0], 100)
