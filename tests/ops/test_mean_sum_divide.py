"""mean of a float32/float64 tensor is its sum divided by the count (ops/reduce.py _mean), as
NumPy's mean computes it without NumPy's Python layer: the same values, bit for bit, and torch's
to rounding; float16, complex and an explicit dtype keep NumPy's mean."""
import numpy as np
import pytest
import torch

import ember

SHAPES = [(7,), (3, 5), (8, 16, 32), (3, 10001), ()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.complex64])
@pytest.mark.parametrize("shape", SHAPES)
def test_mean_equals_numpy_and_torch(shape, dtype):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal(shape) * 100).astype(dtype)
    dims = [None] + list(range(len(shape)))
    for dim in dims:
        for keepdim in ([False] if dim is None else [False, True]):
            got = (ember.tensor(a).mean() if dim is None else
                   ember.tensor(a).mean(dim, keepdim)).numpy()
            want = a.mean(axis=dim, keepdims=keepdim)
            assert got.dtype == want.dtype and got.shape == np.shape(want)
            np.testing.assert_array_equal(got, want)
            ref = (torch.tensor(a).mean() if dim is None else
                   torch.tensor(a).mean(dim, keepdim)).numpy()
            tol = {np.float16: 1e-3, np.complex64: 1e-5}.get(dtype, 1e-6)
            np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)


def test_mean_with_dtype_and_empty():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert ember.tensor(a).mean(1, dtype=ember.float64).dtype == ember.float64
    np.testing.assert_array_equal(ember.tensor(a).mean(1, dtype=ember.float64).numpy(),
                                  a.mean(1, dtype=np.float64))
    assert np.isnan(ember.zeros(0, 3).mean().item())
    assert ember.zeros(0, 3).mean(0).isnan().all()
