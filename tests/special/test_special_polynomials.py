"""torch.special's orthogonal polynomials against torch: values over x and n (negative, fractional
and NaN degrees, infinite x), the Tensor/Number overloads and their dtype promotion, broadcasting,
refusals, and no gradient."""
import math

import numpy as np
import pytest

import ember
import ember.special as S

torch = pytest.importorskip("torch")

NAMES = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]


def _grid():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-1.5, 1.5, 300), rng.uniform(-0.25, 1.25, 300),
                        [1.0, -1.0, 0.0, 0.5, 0.25, 3.0, -3.0]])
    n = rng.integers(-3, 30, x.size).astype(np.float64)
    n[:6] = [0.0, 1.0, 2.7, -2.7, math.nan, 2.0]
    return x, n


def _scaled_close(got, want, tol):
    """Equal NaN/inf patterns; finite values within tol relative to max(1, |want|)."""
    assert np.array_equal(np.isnan(got), np.isnan(want))
    inf = np.isinf(want)
    assert np.array_equal(got[inf], want[inf])
    fin = np.isfinite(want)
    assert (np.abs(got[fin] - want[fin]) <= tol * np.maximum(1.0, np.abs(want[fin]))).all()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", NAMES)
def test_values_against_torch(name, dtype):
    x, n = _grid()
    x, n = x.astype(dtype), n.astype(dtype)
    got = getattr(S, name)(ember.tensor(x), ember.tensor(n))
    want = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n))
    assert str(got.dtype) == str(want.dtype)
    _scaled_close(got.numpy().astype(np.float64), want.numpy().astype(np.float64),
                  1e-12 if dtype == "float64" else 1e-4)  # torch's float32 recurrence cancels


@pytest.mark.parametrize("name", NAMES)
def test_infinite_x_like_torch(name):
    x = np.array([math.inf, -math.inf] * 4)
    n = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 5.0, 5.0])
    got = getattr(S, name)(ember.tensor(x), ember.tensor(n)).numpy()
    want = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("name", NAMES)
def test_overloads_and_promotion(name):
    e_fn, t_fn = getattr(S, name), getattr(torch.special, name)
    cases = [((0.5,), ([3, 4], "int64")), (([1, 2], "int64"), (3,)),
             (([0.5, 0.2], "float64"), ([3.0, 5.0], "float32")),
             (([0.5, 0.2], "float32"), (4.0,)), ((0.3,), ([2.0, 6.0], "float64")),
             (([1, 0], "int32"), ([2, 3], "int64"))]
    for x, n in cases:
        def make(m, arg):
            return arg[0] if len(arg) == 1 else m.tensor(arg[0], dtype=getattr(m, arg[1]))
        got, want = e_fn(make(ember, x), make(ember, n)), t_fn(make(torch, x), make(torch, n))
        assert str(got.dtype) == str(want.dtype), (x, n)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_broadcasting_and_refusals(name):
    e_fn, t_fn = getattr(S, name), getattr(torch.special, name)
    x = np.linspace(-0.9, 0.9, 3).reshape(3, 1)
    n = np.arange(4.0).reshape(1, 4)
    got, want = e_fn(ember.tensor(x), ember.tensor(n)), t_fn(torch.tensor(x), torch.tensor(n))
    assert tuple(got.shape) == tuple(want.shape) == (3, 4)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    for args in ((0.5, 3), (ember.ones(2), "a")):
        t_args = tuple(torch.ones(2) if isinstance(a, ember.Tensor) else a for a in args)
        with pytest.raises(TypeError) as e_err:
            e_fn(*args)
        with pytest.raises(TypeError) as t_err:
            t_fn(*t_args)
        assert str(e_err.value) == str(t_err.value)
    with pytest.raises(RuntimeError):
        e_fn(ember.ones(2), ember.ones(3))
    with pytest.raises(RuntimeError):
        t_fn(torch.ones(2), torch.ones(3))
    with pytest.raises(NotImplementedError) as e_err:
        e_fn(ember.ones(2, dtype=ember.float16), 2)
    with pytest.raises(NotImplementedError) as t_err:
        t_fn(torch.ones(2, dtype=torch.float16), 2)
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("name", NAMES)
def test_no_gradient_and_out(name):
    e_x = ember.tensor([0.5, 0.2], requires_grad=True)
    t_x = torch.tensor([0.5, 0.2], requires_grad=True)
    e_y = getattr(S, name)(e_x, ember.tensor([3.0, 2.0], requires_grad=True))
    t_y = getattr(torch.special, name)(t_x, torch.tensor([3.0, 2.0], requires_grad=True))
    assert e_y.requires_grad is t_y.requires_grad is False
    assert e_y.grad_fn is None and t_y.grad_fn is None
    out = ember.empty(2)
    assert getattr(S, name)(ember.tensor([0.5, 0.2]), ember.tensor([3.0, 2.0]), out=out) is out
    np.testing.assert_allclose(out.numpy(), t_y.numpy(), rtol=1e-6)
