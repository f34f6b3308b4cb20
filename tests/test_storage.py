"""Tensor.untyped_storage() and the deprecated Tensor.storage(): the whole allocation a tensor
views, as torch shows it (ember/_storage.py)."""
import warnings

import numpy as np
import pytest
import torch

import ember

# name -> how a tensor is made from the 3x4 float tensor x (each framework its own)
MAKERS = {
    "x": lambda m, x: x,
    "slice": lambda m, x: x[1:, 1:],
    "row": lambda m, x: x[2],
    "transpose": lambda m, x: x.t(),
    "view": lambda m, x: x.view(12),
    "view_dtype": lambda m, x: x.view(m.int32),
    "clone": lambda m, x: x.clone(),
    "reshape_copy": lambda m, x: x.t().reshape(12),
    "detach": lambda m, x: x.detach(),
    "empty": lambda m, x: m.zeros(0),
}


def _made(m):
    x = m.arange(12.0).view(3, 4)
    return {name: make(m, x) for name, make in MAKERS.items()}


def test_sharing_and_sizes_as_torch():
    mine, theirs = _made(ember), _made(torch)
    for a in MAKERS:
        s, t = mine[a].untyped_storage(), theirs[a].untyped_storage()
        assert (s.nbytes(), s.size(), len(s), s.element_size()) == \
            (t.nbytes(), t.size(), len(t), t.element_size()), a
        for b in MAKERS:
            if "empty" in (a, b):
                continue
            same = s.data_ptr() == mine[b].untyped_storage().data_ptr()
            assert same == (t.data_ptr() == theirs[b].untyped_storage().data_ptr()), (a, b)


def test_the_storage_starts_where_the_allocation_does():
    x = ember.arange(12.0).view(3, 4)
    assert x[1:, 1:].untyped_storage().data_ptr() == x.data_ptr() != x[1:, 1:].data_ptr()


@pytest.mark.parametrize("name", ["x", "view_dtype", "row", "empty"])
def test_typed_storage(name, monkeypatch):
    monkeypatch.setattr(ember._warnings, "_given", set())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _made(torch)[name].storage()
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        s = _made(ember)[name].storage()
    assert (s.size(), len(s), str(s.dtype), s.element_size(), s.nbytes()) == \
        (t.size(), len(t), str(t.dtype), t.element_size(), t.nbytes())
    assert s.tolist() == t.tolist() and repr(s) == repr(t)
    assert s.untyped().data_ptr() == s.data_ptr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once a process, as torch's
        _made(ember)[name].storage()


def test_untyped_storage_bytes_and_repr():
    s, t = ember.arange(3).untyped_storage(), torch.arange(3).untyped_storage()
    assert s.tolist() == t.tolist() and s[8] == t[8] and repr(s) == repr(t)
    assert repr(ember.zeros(0).untyped_storage()) == repr(torch.zeros(0).untyped_storage())
    np.testing.assert_array_equal(np.array(s.tolist(), np.uint8).view(np.int64), [0, 1, 2])
