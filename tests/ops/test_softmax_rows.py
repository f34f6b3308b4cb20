"""softmax / log_softmax with row sums as BLAS products (NOTE [ Row sums as products ] in
ember/ops/activation.py): attention-shaped float32 input with a causal -inf mask, non-contiguous
input, other dims, a fully masked row, against torch forward and backward."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.ops import activation

torch = pytest.importorskip("torch")


def _both(x, g, fn_name, dim, transpose, dtype):
    out = []
    for mod, fn in ((ember, getattr(F, fn_name)), (torch, getattr(torch.nn.functional, fn_name))):
        t = mod.tensor(x, dtype=getattr(mod, dtype))
        if transpose:
            t = t.transpose(-1, -2)
        t.requires_grad_(True)
        y = fn(t, dim=dim)
        y.backward(mod.tensor(g, dtype=getattr(mod, dtype)))
        out.append((y.detach().numpy(), t.grad.numpy()))
    return out


@pytest.mark.parametrize("fn_name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim,transpose", [(-1, False), (3, False), (-1, True), (2, False)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_masked_attention_rows_match_torch(fn_name, dim, transpose, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 16, 16)) * 4
    x[..., np.triu_indices(16, 1)[0], np.triu_indices(16, 1)[1]] = -np.inf
    g = rng.standard_normal(x.shape)
    if fn_name == "log_softmax":
        g[np.isinf(x) if not transpose else np.isinf(x.swapaxes(-1, -2))] = 0.0
    (y, gx), (ty, tgx) = _both(x, g, fn_name, dim, transpose, dtype)
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y, ty, **tol)
    np.testing.assert_allclose(gx, tgx, **tol)


@pytest.mark.filterwarnings("error")  # NaN from a row of -inf is no NumPy warning
def test_fully_masked_row_is_nan_as_in_torch():
    x = np.zeros((2, 5), np.float32)
    x[1] = -np.inf
    (y, _), (ty, _) = _both(x, np.ones_like(x), "softmax", -1, False, "float32")
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ty))
    assert np.isnan(y[1]).all()
    np.testing.assert_allclose(y[0], 0.2, rtol=1e-7)


def _float64_reference(x, fn_name):
    x = x.astype(np.float64)
    shifted = x - x.max(-1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(-1, keepdims=True))
    return shifted - lse if fn_name == "log_softmax" else np.exp(shifted - lse)


@pytest.mark.filterwarnings("error")  # the rows redone leave no NumPy warning behind
@pytest.mark.parametrize("fn_name", ["softmax", "log_softmax"])
def test_rows_far_below_zero_are_redone_with_their_own_max(fn_name):
    """NOTE [ Softmax without the row max ]: exp(x) of a row of -200s underflows to 0 (its
    softmax would be 0/0); rows of -40 (sum about 2^-58, over the floor) stay on the fast path and
    keep float32's precision; a NaN row and a row of -inf come out NaN, as in torch."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((activation._FEW_ROWS, 64)).astype(np.float32) * 3
    x[1] -= 200.0
    x[2] -= 40.0
    x[3, 5] = np.nan
    x[4] = -np.inf
    y = getattr(F, fn_name)(ember.tensor(x), dim=-1).numpy()
    ty = getattr(torch.nn.functional, fn_name)(torch.tensor(x), dim=-1).numpy()
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ty))
    assert np.isnan(y[3]).all() and np.isnan(y[4]).all()
    keep = [0, 1, 2] + list(range(5, len(x)))
    np.testing.assert_allclose(y[keep], _float64_reference(x[keep], fn_name), rtol=1e-6,
                               atol=1e-6)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("fn_name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shift", [100.0, -100.0])
def test_tensors_beyond_the_exp_range_shift_each_row(fn_name, shift):
    """A max over 64 would overflow exp(x) (such a tensor goes row by row, as before); under -32
    every row would be under the floor."""
    x = (np.random.default_rng(1).standard_normal((activation._FEW_ROWS, 32)) * 2 +
         shift).astype(np.float32)
    y = getattr(F, fn_name)(ember.tensor(x), dim=-1).numpy()
    np.testing.assert_allclose(y, _float64_reference(x, fn_name), rtol=1e-6, atol=1e-6)
