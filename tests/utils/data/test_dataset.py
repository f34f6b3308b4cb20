"""Datasets: TensorDataset, ConcatDataset, ChainDataset, Subset, random_split."""
import numpy as np
import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                              TensorDataset, random_split)


class Range(Dataset):
    def __init__(self, start, stop):
        self.values = list(range(start, stop))

    def __getitem__(self, i):
        return self.values[i]

    def __len__(self):
        return len(self.values)


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_tensor_dataset():
    x, y = ember.arange(12).reshape(4, 3), ember.tensor([1, 0, 1, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 1
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, ember.zeros(3))


def test_concat_dataset(torch):
    ds = ConcatDataset([Range(0, 3), Range(10, 12)]) + Range(20, 21)
    assert len(ds) == 6 and [ds[i] for i in range(6)] == [0, 1, 2, 10, 11, 20]
    assert ds[-1] == 20 and ds[-4] == 2
    ref = torch.utils.data.ConcatDataset([list(range(3)), [10, 11]])
    assert ConcatDataset([list(range(3)), [10, 11]]).cumulative_sizes == ref.cumulative_sizes
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ds[-7]
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Count(2)])


def test_chain_dataset():
    chained = Count(2) + Count(3)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5


def test_subset():
    sub = Subset(Range(10, 20), [4, 0, 9])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [14, 10, 19]
    assert sub.__getitems__([2, 1]) == [19, 10]
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]


def test_random_split_lengths_and_fractions(torch):
    ds = Range(0, 10)
    parts = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(ds, [3, 7], generator=ember.Generator().manual_seed(1))
    assert again[0].indices == parts[0].indices
    ember.manual_seed(4)
    a = random_split(ds, [0.5, 0.5])[0].indices
    ember.manual_seed(4)
    assert random_split(ds, [0.5, 0.5])[0].indices == a
    # fractions: floor, then the remainder round-robin, as PyTorch
    for fracs in ([0.3, 0.3, 0.4], [0.33, 0.33, 0.34], [1.0]):
        ours = [len(p) for p in random_split(Range(0, 11), fracs)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(11), fracs)]
        assert ours == theirs
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Range(0, 2), [1.0, 0.0])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(ds, [-0.5, 1.5])
    np.testing.assert_array_equal(sorted(a), sorted(set(a)))
