"""StackDataset: the same index of several datasets as a tuple or a dict, against torch 2.13."""
import pytest

import ember
from ember.utils.data import DataLoader, StackDataset, Subset, TensorDataset


class Squares:
    """A map-style dataset with no __getitems__."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


class Batched(Squares):
    """Squares with a batched __getitems__ that can be made to return the wrong count."""

    def __init__(self, n, short=False):
        super().__init__(n)
        self.short = short
        self.batches = []

    def __getitems__(self, indices):
        self.batches.append(list(indices))
        values = [-i for i in indices]
        return values[:-1] if self.short else values


def test_tuple_samples_match_torch(torch):
    t = torch.utils.data.StackDataset(torch.utils.data.TensorDataset(torch.arange(4)),
                                      [10, 20, 30, 40], Squares(4))
    e = StackDataset(TensorDataset(ember.arange(4)), [10, 20, 30, 40], Squares(4))
    assert len(e) == len(t) == 4
    for i in (0, 1, 2, 3, -1):
        (e_row,), e_b, e_c = e[i]
        (t_row,), t_b, t_c = t[i]
        assert e_row.item() == t_row.item() and (e_b, e_c) == (t_b, t_c)


def test_dict_samples_match_torch(torch):
    t = torch.utils.data.StackDataset(x=torch.utils.data.TensorDataset(torch.arange(4)),
                                      y=[1.5, 2.5, 3.5, 4.5])
    e = StackDataset(x=TensorDataset(ember.arange(4)), y=[1.5, 2.5, 3.5, 4.5])
    got, want = e[2], t[2]
    assert list(got) == list(want) == ["x", "y"]
    assert got["x"][0].item() == want["x"][0].item() and got["y"] == want["y"]


def test_getitems_uses_batched_datasets():
    batched = Batched(5)
    ds = StackDataset(batched, Squares(5))
    assert ds.__getitems__([4, 1]) == [(-4, 16), (-1, 1)]
    assert batched.batches == [[4, 1]]
    named = StackDataset(a=Subset(Squares(6), [5, 3, 1]), b=[7, 8, 9])
    assert named.__getitems__([0, 2]) == [{"a": 25, "b": 7}, {"a": 1, "b": 9}]


def test_dataloader_collates_stacked_samples(torch):
    ds = StackDataset(x=TensorDataset(ember.arange(6.0).reshape(3, 2)), y=[0, 1, 2])
    batch = next(iter(DataLoader(ds, batch_size=3)))
    assert batch["y"].tolist() == [0, 1, 2]
    assert batch["x"][0].tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]


def test_errors_match_torch(torch):
    for lib in (torch, ember):
        SD = lib.utils.data.StackDataset
        with pytest.raises(ValueError, match="At least one dataset should be passed"):
            SD()
        with pytest.raises(ValueError, match="but both types are given"):
            SD([1], y=[2])
        with pytest.raises(ValueError, match="Size mismatch between datasets"):
            SD([1, 2], [3])
        with pytest.raises(ValueError, match="Size mismatch between datasets"):
            SD(a=[1, 2], b=[3])
        with pytest.raises(ValueError, match="Nested dataset's output size mismatch. "
                                             "Expected 2, got 1"):
            SD(Batched(3, short=True)).__getitems__([0, 1])
        with pytest.raises(TypeError, match="has no len"):
            SD(iter([1, 2]))
