"""Samplers: orders as PyTorch defines them, reproducible under manual_seed and generators."""
import collections

import pytest

import ember
from ember.utils.data import (BatchSampler, RandomSampler, SequentialSampler,
                              SubsetRandomSampler, WeightedRandomSampler)


def test_sequential():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(SequentialSampler([1, 2])) == 2


def test_random_sampler_permutation_and_seed():
    ember.manual_seed(0)
    s = RandomSampler(range(10))
    a, b = list(s), list(s)
    assert sorted(a) == list(range(10)) and a != b  # a new order each epoch
    ember.manual_seed(0)
    assert list(s) == a
    g = ember.Generator().manual_seed(5)
    first = list(RandomSampler(range(10), generator=g))
    g.manual_seed(5)
    assert list(RandomSampler(range(10), generator=g)) == first


def test_random_sampler_num_samples_and_replacement():
    s = RandomSampler(range(4), num_samples=10)
    drawn = list(s)
    assert len(s) == 10 and len(drawn) == 10
    assert sorted(drawn[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]  # whole permutations, then a part
    r = list(RandomSampler(range(3), replacement=True, num_samples=70))
    assert len(r) == 70 and set(r) == {0, 1, 2}
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)


def test_subset_random_sampler():
    s = SubsetRandomSampler([10, 20, 30])
    assert sorted(s) == [10, 20, 30] and len(s) == 3


def test_weighted_random_sampler():
    ember.manual_seed(0)
    counts = collections.Counter(WeightedRandomSampler([0.0, 1.0, 3.0], 4000))
    assert counts[0] == 0 and 2.5 < counts[2] / counts[1] < 3.5
    no_repeat = list(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(no_repeat) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], -1)


@pytest.mark.parametrize("n, size, drop", [(10, 3, False), (10, 3, True), (9, 3, True),
                                           (2, 5, False), (2, 5, True)])
def test_batch_sampler_as_torch(torch, n, size, drop):
    ours = BatchSampler(SequentialSampler(range(n)), size, drop)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), size,
                                           drop)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("size, drop", [(0, False), (True, False), (2, 1)])
def test_batch_sampler_errors_as_torch(torch, size, drop):
    with pytest.raises(ValueError) as ours:
        BatchSampler(range(3), size, drop)
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.BatchSampler(range(3), size, drop)
    assert str(ours.value) == str(theirs.value)
