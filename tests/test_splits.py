"""Spatial splits: whole blocks per role, shares of plots as asked, the buffer between
training and held-out plots, determinism."""

import numpy as np
import pytest

from botaclip.backend.errors import BotaclipError
from botaclip.backend.train import (
    assign_blocks,
    block_ids,
    block_kfold,
    block_split,
    buffer_roles,
    role_counts,
    spatial_roles,
)
from botaclip.backend.train.splits import BUFFER, TEST, TRAIN, VALIDATION


def _points(n=500, seed=1, size=2000.0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, size, n) + 950_000, rng.uniform(0, size, n) + 6_450_000


def _chebyshev(x, y, i, j):
    """[len(i), len(j)] largest of |dx| and |dy| between the plots i and j (brute force)."""
    return np.maximum(np.abs(x[i][:, None] - x[j][None, :]), np.abs(y[i][:, None] - y[j][None, :]))


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
    r = spatial_roles(x, y, 250, (0.2, 0.2), 50.0, seed=0)
    assert np.array_equal(r, spatial_roles(x, y, 250, (0.2, 0.2), 50.0, seed=0))
    assert not np.array_equal(r, spatial_roles(x, y, 250, (0.2, 0.2), 50.0, seed=1))


@pytest.mark.parametrize("vf", [0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.75])
def test_validation_share_is_the_one_asked(vf):
    """The old k = round(1 / vf) folds gave 33 % for 0.3 and 50 % for anything >= 0.5. With
    blocks of 100 m over 2 km (400 blocks of 1.25 plots on average, many of a single plot),
    the blocks allow the exact share: within one plot of vf x 500."""
    x, y = _points()
    train, val = block_split(x, y, 100, val_fraction=vf, seed=0)
    assert len(train) + len(val) == 500 and not set(train) & set(val)
    assert abs(len(val) - vf * 500) <= 1.0
    ids = block_ids(x, y, 100)
    assert not set(ids[train]) & set(ids[val])


def test_block_split_fraction_and_separation():
    x, y = _points()
    train, val = block_split(x, y, 200, val_fraction=0.2, seed=0)
    assert len(train) + len(val) == 500
    assert not set(train) & set(val)
    # 100 blocks of 5 plots on average: the share is met within half the largest block
    assert abs(len(val) - 100) <= np.bincount(block_ids(x, y, 200)).max() / 2
    ids = block_ids(x, y, 200)
    assert not set(ids[train]) & set(ids[val])


def test_blocks_go_to_groups_as_close_to_the_targets_as_they_allow():
    # largest first alone gives 8 / 10 (5+3 | 4+3+3); a swap reaches the exact 9 / 9
    group = assign_blocks([5, 4, 3, 3, 3], [9.0, 9.0], seed=0)
    loads = np.bincount(group, weights=[5, 4, 3, 3, 3], minlength=2)
    assert loads.tolist() == [9.0, 9.0]
    # a group whose target is 0 gets nothing, even when the others overshoot
    group = assign_blocks([7, 7, 7], [14.0, 7.0, 0.0], seed=3)
    assert 2 not in group.tolist()
    assert np.bincount(group, weights=[7, 7, 7], minlength=3).tolist() == [14.0, 7.0, 0.0]


def test_three_roles_in_whole_blocks_with_the_shares_asked():
    x, y = _points(n=600)
    roles = spatial_roles(x, y, 100, (0.2, 0.25), 0.0, seed=0)
    counts = role_counts(roles)
    assert counts == {"training": 600 - counts["validation"] - counts["test"],
                      "validation": counts["validation"], "test": counts["test"], "buffer": 0}
    # 100 m blocks over 2 km hold 1.5 plots on average: each share within one plot
    assert abs(counts["validation"] - 120) <= 1 and abs(counts["test"] - 150) <= 1
    ids = block_ids(x, y, 100)
    for b in np.unique(ids):
        assert len(np.unique(roles[ids == b])) == 1
    # no test share: two roles only
    roles = spatial_roles(x, y, 100, (0.3, 0.0), 0.0, seed=0)
    assert role_counts(roles)["test"] == 0 and abs(role_counts(roles)["validation"] - 180) <= 1


@pytest.mark.parametrize("buffer_m", [40.0, 100.0])
def test_the_buffer_leaves_out_exactly_the_training_plots_near_held_out_ones(buffer_m):
    """A training plot stays only if its square of side 2 x buffer overlaps no held-out
    plot's: with the patch size as buffer, no training patch shares a pixel with a
    validation or test patch. Checked against all pairs."""
    x, y = _points(n=800)
    before = spatial_roles(x, y, 250, (0.2, 0.2), 0.0, seed=2)
    roles = spatial_roles(x, y, 250, (0.2, 0.2), buffer_m, seed=2)
    held = np.flatnonzero((roles == VALIDATION) | (roles == TEST))
    assert np.array_equal(roles[held], before[held])          # held-out plots unchanged
    train, dropped = np.flatnonzero(roles == TRAIN), np.flatnonzero(roles == BUFFER)
    assert np.all(before[dropped] == TRAIN) and len(train) + len(dropped) + len(held) == 800
    assert _chebyshev(x, y, train, held).min() >= buffer_m    # patches never overlap
    assert np.all(_chebyshev(x, y, dropped, held).min(axis=1) < buffer_m)   # none for nothing
    assert 0 < len(dropped) < len(train)
    # a larger buffer leaves out more; 0 leaves out nothing
    assert role_counts(buffer_roles(x, y, before, 2 * buffer_m))["buffer"] > len(dropped)
    assert role_counts(buffer_roles(x, y, before, 0.0))["buffer"] == 0


def test_a_plot_exactly_one_buffer_away_is_kept():
    x = np.array([0.0, 100.0, 250.0])
    y = np.zeros(3)
    roles = buffer_roles(x, y, np.array([VALIDATION, TRAIN, TRAIN]), 100.0)
    assert roles.tolist() == [VALIDATION, TRAIN, TRAIN]       # "closer than", not "as close"
    roles = buffer_roles(x, y, np.array([VALIDATION, TRAIN, TRAIN]), 100.5)
    assert roles.tolist() == [VALIDATION, BUFFER, TRAIN]


def test_too_few_blocks_is_explained():
    x, y = _points(n=50, size=300)
    with pytest.raises(BotaclipError, match="spatial blocks of 1000 m"):
        block_kfold(x, y, 1000, k=5)


def test_bad_shares_and_buffers_are_explained():
    x, y = _points(n=50)
    with pytest.raises(BotaclipError, match="leave plots to train on, not 0.6 and 0.4"):
        spatial_roles(x, y, 100, (0.6, 0.4))
    with pytest.raises(BotaclipError, match="buffer must be 0 or a positive number of metres"):
        spatial_roles(x, y, 100, (0.2, 0.2), buffer_m=-1.0)


def test_missing_coordinates_are_refused():
    with pytest.raises(BotaclipError, match="no geometry"):
        block_ids([1.0, np.nan], [2.0, 3.0], 100)
