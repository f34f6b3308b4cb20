"""Tensor.resize_ and resize_as_ against torch (NOTE [ Resizing ] in ember/_resize.py): sizes over
the tensor's memory from its offset, the memory shared with views while it fits, grown with the
old elements first, channels-last strides on request, torch's errors."""
import numpy as np
import pytest
import torch

import ember


def _outcome(fn, lib):
    try:
        r = fn(lib)
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return type(exc).__name__, str(exc)
    return r.detach().numpy().tolist(), tuple(r.shape), r.stride()


def _shrink(lib):
    x = lib.arange(6.0)
    assert x.resize_(2, 2) is x
    return x


def _grow_keeps_old_elements_first(lib):
    return lib.arange(6.0).resize_(3, 3).flatten()[:6]


def _transposed(lib, sizes):
    return lib.arange(6.0).view(2, 3).t().resize_(*sizes)


def _view_then_base(lib, which):
    base = lib.arange(4.0)
    view = base[1:]
    view.resize_(2)
    return view if which == "view" else base


def _strided_view(lib):
    s = lib.arange(6.0)[::2]
    return s.resize_(2)


def _grown_view(lib):
    base = lib.arange(4.0)
    return base[2:].resize_(4)[:2]


def _shared_while_it_fits(lib):
    z = lib.arange(6.0)
    zz = z.view(2, 3)
    z.resize_(3)
    z[0] = 9.0
    return zz


def _channels_last(lib, n):
    y = lib.zeros(2, 3, 4, 5)
    return y.resize_(n, 3, 4, 5, memory_format=lib.channels_last)


CASES = {
    "shrink": _shrink,
    "grow": _grow_keeps_old_elements_first,
    "transposed_same_sizes": lambda lib: _transposed(lib, (3, 2)),
    "transposed_new_sizes": lambda lib: _transposed(lib, (2, 3)),
    "resize_as": lambda lib: lib.zeros(2, 3).resize_as_(lib.ones(3)),
    "to_0d": lambda lib: lib.zeros(2).resize_(()),
    "tuple_of_sizes": lambda lib: lib.arange(4.0).resize_((2, 1)),
    "view_of_offset": lambda lib: _view_then_base(lib, "view"),
    "base_of_view": lambda lib: _view_then_base(lib, "base"),
    "strided_view": _strided_view,
    "grown_view": _grown_view,
    "shared_while_it_fits": _shared_while_it_fits,
    "channels_last_same_sizes": lambda lib: _channels_last(lib, 2),
    "channels_last_new_sizes": lambda lib: _channels_last(lib, 1),
    "negative": lambda lib: lib.zeros(2).resize_(2, -3),
    "leaf_requiring_grad": lambda lib: lib.zeros(3, requires_grad=True).resize_(2),
    "non_leaf": lambda lib: (lib.zeros(3, requires_grad=True) * 2).resize_(2),
    "no_sizes": lambda lib: lib.zeros(3).resize_(),
}


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_resize_matches_torch(name):
    got, want = _outcome(CASES[name], ember), _outcome(CASES[name], torch)
    assert got == want


def test_resize_bumps_the_version_and_refuses_under_no_grad_too():
    x = ember.arange(4.0)
    before = x._version
    x.resize_(2, 2)
    assert x._version == before + 1
    with ember.no_grad(), pytest.raises(RuntimeError, match="cannot resize variables"):
        ember.zeros(3, requires_grad=True).resize_(2)
    np.testing.assert_array_equal(x.numpy(), [[0.0, 1.0], [2.0, 3.0]])
