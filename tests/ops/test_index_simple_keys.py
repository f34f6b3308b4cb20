"""The commonest indices (an int, a slice without a step, a tuple of those, an int64 index
tensor in range) take a short path in ops/index.py (`_simple_key`); every index here is checked
against torch: the values, the grad_fn's name, the gradient, the writes of setitem, the errors."""
import numpy as np
import pytest
import torch

import ember

KEYS = [
    ("int", lambda lib: 1), ("last", lambda lib: -1), ("int_past_end", lambda lib: 3),
    ("int_before_start", lambda lib: -4), ("all", lambda lib: slice(None)),
    ("all_explicit", lambda lib: slice(0, 3)), ("tail", lambda lib: slice(1, None)),
    ("past_end", lambda lib: slice(0, 10)), ("stepped", lambda lib: slice(0, 3, 1)),
    ("all_in_tuple", lambda lib: (slice(None),)), ("empty_tuple", lambda lib: ()),
    ("all_then_part", lambda lib: (slice(None), slice(1, 3))),
    ("int_pair", lambda lib: (1, 2)), ("int_pair_past_end", lambda lib: (1, 4)),
    ("int_then_part", lambda lib: (0, slice(1, None))),
    ("part_then_int", lambda lib: (slice(1, None), 0)),
    ("all_then_last", lambda lib: (slice(None), -1)), ("too_many", lambda lib: (0, 0, 0)),
    ("rows", lambda lib: lib.tensor([0, 2])), ("repeated_rows", lambda lib: lib.tensor([2, 2, 0])),
    ("negative_rows", lambda lib: lib.tensor([-1, 0])),
    ("row_past_end", lambda lib: lib.tensor([0, 3])),
    ("row_before_start", lambda lib: lib.tensor([0, -4])),
    ("no_rows", lambda lib: lib.tensor([], dtype=lib.int64)),
    ("rows_2d", lambda lib: lib.tensor([[0, 1], [2, 2]])),
    ("int32_rows", lambda lib: lib.tensor([1, 0], dtype=lib.int32)),
]


def _index(lib, key):
    a = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    try:
        y = a[key(lib)]
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return type(exc).__name__, str(exc)
    weights = lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)
    (y * weights).sum().backward()
    return type(y.grad_fn).__name__, y.detach().numpy(), a.grad.numpy()


@pytest.mark.parametrize("name,key", KEYS, ids=[k[0] for k in KEYS])
def test_getitem_matches_torch(name, key):
    got, want = _index(ember, key), _index(torch, key)
    assert got[0] == want[0]
    if len(want) == 2:
        assert got[1] == want[1]
        return
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2], want[2])


def _write(lib, key):
    a = lib.tensor(np.arange(12.0).reshape(3, 4))
    try:
        a[key(lib)] = -1.0
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)
    return a.numpy()


@pytest.mark.parametrize("name,key", KEYS, ids=[k[0] for k in KEYS])
def test_setitem_matches_torch(name, key):
    got, want = _write(ember, key), _write(torch, key)
    if isinstance(want, tuple):
        assert got == want
    else:
        np.testing.assert_array_equal(got, want)

