"""The *_like factories under preserve_format (their default) lay the result out as torch does:
a dense input's strides, dense strides in the order of a non-dense input's strides, C order for
an expanded input (_creation.py _laid_out_like); an explicit memory_format still rules."""
import numpy as np
import pytest
import torch

import ember

INPUTS = {
    "contiguous": lambda L: L.randn(3, 4),
    "transposed": lambda L: L.randn(3, 4).t(),
    "permuted": lambda L: L.randn(2, 3, 4).permute(2, 0, 1),
    "channels_last": lambda L: L.randn(2, 3, 4, 5).to(memory_format=L.channels_last),
    "sliced": lambda L: L.randn(4, 6)[:, ::2],
    "sliced_transposed": lambda L: L.randn(4, 6).t()[::2],
    "expanded": lambda L: L.randn(3, 1).expand(3, 4),
    "size_one_dims": lambda L: L.randn(3, 1, 4).transpose(0, 2),
    "channels_last_sliced":
        lambda L: L.randn(2, 3, 4, 5).to(memory_format=L.channels_last)[:, :, ::2],
}
FACTORIES = {
    "zeros_like": lambda L, x: L.zeros_like(x),
    "ones_like": lambda L, x: L.ones_like(x),
    "empty_like_float64": lambda L, x: L.empty_like(x, dtype=L.float64),
    "full_like": lambda L, x: L.full_like(x, 2.5),
    "rand_like": lambda L, x: L.rand_like(x),
    "randn_like": lambda L, x: L.randn_like(x),
    "zeros_like_contiguous": lambda L, x: L.zeros_like(x, memory_format=L.contiguous_format),
}


@pytest.mark.parametrize("factory", FACTORIES, ids=list(FACTORIES))
@pytest.mark.parametrize("name", INPUTS, ids=list(INPUTS))
def test_like_factories_lay_out_as_torch(name, factory):
    got = FACTORIES[factory](ember, INPUTS[name](ember))
    want = FACTORIES[factory](torch, INPUTS[name](torch))
    assert got.stride() == want.stride()
    assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype)
    assert got.is_contiguous() == want.is_contiguous()
    if factory in ("zeros_like", "ones_like", "full_like", "zeros_like_contiguous"):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    if factory == "rand_like":
        assert 0 <= float(got.min()) and float(got.max()) < 1
