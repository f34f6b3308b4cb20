"""default_collate and default_convert against PyTorch's."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert
from tests.utils.data.test_dataloader import plain

Pair = collections.namedtuple("Pair", "a b")

BATCHES = [
    [1, 2, 3],
    [1.5, 2.5],
    [True, False],
    ["x", "y"],
    [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
    [np.float32(1.5), np.float32(2.0)],
    [{"k": 1, "v": [1.0, 2.0]}, {"k": 2, "v": [3.0, 4.0]}],
    [(1, "a"), (2, "b")],
    [[1, 2], [3, 4]],
    [Pair(1, 2.0), Pair(3, 4.0)],
]


@pytest.mark.parametrize("case", range(len(BATCHES)))
def test_default_collate_as_torch(torch, case):
    from torch.utils.data import default_collate as torch_collate
    ours = default_collate(BATCHES[case])
    theirs = torch_collate(BATCHES[case])
    assert plain(ours) == plain(theirs)
    assert type(ours).__name__ == type(theirs).__name__


def test_collate_tensors():
    out = default_collate([ember.ones(2, 3), ember.zeros(2, 3)])
    assert out.shape == (2, 2, 3) and out.dtype == ember.float32
    assert out.tolist()[1] == [[0.0] * 3] * 2


def test_collate_errors_as_torch(torch):
    from torch.utils.data import default_collate as torch_collate
    for batch, exc in (([[1, 2], [3]], RuntimeError), ([object(), object()], TypeError),
                       ([np.array(["a"]), np.array(["b"])], TypeError)):
        with pytest.raises(exc) as ours:
            default_collate(batch)
        with pytest.raises(exc) as theirs:
            torch_collate(batch)
        assert str(ours.value).split(";")[0] == str(theirs.value).split(";")[0]


def test_default_convert_as_torch(torch):
    from torch.utils.data import default_convert as torch_convert
    sample = {"a": np.arange(3), "b": (np.float64(2.0), "s"), "c": [np.array(["u"]), 4]}
    assert plain(default_convert(sample)) == plain(torch_convert(sample))
