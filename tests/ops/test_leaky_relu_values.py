"""leaky_relu as max(x, slope * x) for slopes in (0, 1] and float16 through float32 (ops/
activation.py LeakyRelu.f): every special value, both signs of zero and the in-place form against
torch, for slopes in and outside (0, 1]."""
import numpy as np
import pytest
import torch

import ember

VALUES = [-np.inf, -3.0, -0.0, 0.0, 1e-45, -1e-45, 2.5, np.inf, np.nan, 6e4, -6e4, -1e-5]


def _leaky(lib, dtype, slope, in_place, shape=(len(VALUES),)):
    x = lib.tensor(np.array(VALUES, dtype)[:np.prod(shape, dtype=int)].reshape(shape))
    if in_place:
        lib.nn.functional.leaky_relu_(x, slope)
        return x.numpy()
    return lib.nn.functional.leaky_relu(x, slope).numpy()


@pytest.mark.parametrize("in_place", [False, True])
@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0, 1.5, -0.3])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(len(VALUES),), (), (0,)])
def test_leaky_relu_matches_torch(dtype, slope, in_place, shape):
    got = _leaky(ember, dtype, slope, in_place, shape)
    want = _leaky(torch, dtype, slope, in_place, shape)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("slope", [0.01, 0.2, 1.0, -0.3])
def test_leaky_relu_gradient_matches_torch(slope):
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(np.array([-2.0, -0.0, 0.0, 0.5, 3.0]), requires_grad=True)
        lib.nn.functional.leaky_relu(x, slope).backward(lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0],
                                                                   dtype=lib.float64))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(*grads)
