"""ember.special's values against torch.special over wide ranges (negative arguments, poles, large
arguments, both tails), in float64 and float32, with dtypes, shapes, bindings and refusals."""
import math

import numpy as np
import pytest

import ember
import ember.special as S

torch = pytest.importorskip("torch")

WIDE = np.concatenate([np.linspace(-30, 30, 6001), np.logspace(-300, 300, 121),
                       -np.logspace(-8, 6, 57) + 0.25, [0.0, -0.0, 1.0, 2.0, -1.0, -2.0, -7.0,
                                                        math.inf, -math.inf, math.nan]])
PROB = np.concatenate([np.linspace(0, 1, 501), np.logspace(-320, -1, 120),
                       1 - np.logspace(-16, -1, 40), [-0.1, 1.1, math.nan]])


def _close(got, want, rtol, atol=0.0):
    """Same NaN/inf pattern, finite values within rtol (relative to max(1, |want|)) and atol."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    inf = np.isinf(want)
    assert np.array_equal(got[inf], want[inf])
    fin = np.isfinite(want)
    err = np.abs(got[fin] - want[fin]) - atol
    assert (err <= rtol * np.maximum(1.0, np.abs(want[fin]))).all(), err.max()


UNARY = [  # name, argument grid, float64 rtol against torch
    ("gammaln", WIDE, 1e-13), ("digamma", WIDE, 1e-12), ("i0", WIDE[np.abs(WIDE) < 700], 1e-14),
    ("i0e", WIDE, 1e-14), ("i1", WIDE[np.abs(WIDE) < 700], 1e-14), ("i1e", WIDE, 1e-14),
    ("ndtr", WIDE, 1e-14), ("log_ndtr", WIDE, 1e-13), ("erfcx", WIDE, 1e-13),
    ("ndtri", PROB, 1e-14), ("entr", WIDE, 1e-14), ("expit", WIDE, 1e-15),
]


@pytest.mark.parametrize("name,x,rtol", UNARY, ids=[u[0] for u in UNARY])
def test_float64_values_match_torch(name, x, rtol):
    got = getattr(S, name)(ember.tensor(x))
    want = getattr(torch.special, name)(torch.tensor(x))
    assert got.dtype == ember.float64
    _close(got.numpy(), want.numpy(), rtol)


@pytest.mark.parametrize("name,x,rtol", UNARY, ids=[u[0] for u in UNARY])
def test_float32_values_match_torch(name, x, rtol):
    with np.errstate(over="ignore"):
        x32 = x.astype(np.float32)
    got = getattr(S, name)(ember.tensor(x32))
    want = getattr(torch.special, name)(torch.tensor(x32))
    assert got.dtype == ember.float32
    # torch's float32 erfcx rounds x*x before exp: 2 x^2 eps relative error for negative x
    _close(got.numpy(), want.numpy(), 1e-5 if name == "erfcx" else 2e-6, atol=1e-30)


def test_float32_stays_float32_and_integers_become_the_default_float():
    for name in ("gammaln", "digamma", "i0", "ndtri", "log_ndtr", "erfcx", "entr"):
        assert getattr(S, name)(ember.tensor([1, 2])).dtype == ember.float32
        assert getattr(S, name)(ember.tensor([1.0], dtype=ember.float16)).dtype == ember.float16
    assert S.polygamma(2, ember.tensor([1, 2])).dtype == ember.float32


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_polygamma_matches_torch_and_the_true_value(n):
    mpmath = pytest.importorskip("mpmath")
    x = np.concatenate([np.linspace(-12.3, 25, 401), [0.0, -1.0, -3.0, 1e-8, 1e6]])
    got = S.polygamma(n, ember.tensor(x)).numpy()
    want = torch.special.polygamma(n, torch.tensor(x)).numpy()
    # torch's trigamma reflects through an inexact sin(pi x): finite huge values at the poles
    poles = (x <= 0) & (x == np.floor(x))
    assert np.isinf(got[poles]).all()
    _close(got[~poles], want[~poles], 1e-8)
    exact = np.array([float(mpmath.polygamma(n, v)) for v in x[~poles]])
    _close(got[~poles], exact, 1e-13)


def test_digamma_and_gammaln_poles_and_signed_zero():
    x = ember.tensor([0.0, -0.0, -1.0, -5.0, math.inf, -math.inf], dtype=ember.float64)
    tx = torch.tensor(x.numpy())
    _close(S.digamma(x).numpy(), torch.digamma(tx).numpy(), 0)
    _close(S.gammaln(x).numpy(), torch.lgamma(tx).numpy(), 0)


def test_zeta_matches_torch_with_numbers_on_either_side():
    s = ember.tensor([2.0, 0.5, 1.0, 3.0, 2.5, 4.0, 7.5, 150.0], dtype=ember.float64)
    q = ember.tensor([1.0, 1.0, 1.0, -2.0, -1.5, -1.5, 0.25, 2.0], dtype=ember.float64)
    ts, tq = torch.tensor(s.numpy()), torch.tensor(q.numpy())
    _close(S.zeta(s, q).numpy(), torch.special.zeta(ts, tq).numpy(), 1e-14)
    _close(S.zeta(2.0, q).numpy(), torch.special.zeta(2.0, tq).numpy(), 1e-14)
    _close(S.zeta(s, 3.0).numpy(), torch.special.zeta(ts, 3.0).numpy(), 1e-14)
    assert S.zeta(ember.tensor([2]), ember.tensor([1])).dtype == ember.float32


def test_multigammaln_and_mvlgamma_match_torch():
    x = np.linspace(2.6, 40, 50)
    for p in (1, 2, 5):
        got = S.multigammaln(ember.tensor(x), p)
        _close(got.numpy(), torch.special.multigammaln(torch.tensor(x), p).numpy(), 1e-13)
        _close(ember.mvlgamma(ember.tensor(x), p=p).numpy(), got.numpy(), 0)


def test_xlog1py_and_xlogy_match_torch_with_zeros_and_nans():
    x = np.array([0.0, 0.0, 1.5, -2.0, 3.0, 0.0])
    y = np.array([-1.0, math.nan, 2.0, 0.5, -1.0, 5.0])
    tx, ty = torch.tensor(x), torch.tensor(y)
    _close(S.xlog1py(ember.tensor(x), ember.tensor(y)).numpy(),
           torch.special.xlog1py(tx, ty).numpy(), 1e-15)
    _close(S.xlog1py(2.0, ember.tensor(y)).numpy(), torch.special.xlog1py(2.0, ty).numpy(), 1e-15)
    _close(S.xlog1py(ember.tensor(x), -1.0).numpy(),
           torch.special.xlog1py(tx, -1.0).numpy(), 1e-15)
    _close(S.xlogy(ember.tensor(x), ember.tensor(y)).numpy(), torch.special.xlogy(tx, ty).numpy(),
           1e-15)


def test_reused_functions_are_ember_ops():
    x = ember.tensor([[0.5, -1.0, 2.0], [3.0, 0.0, -4.0]])
    tx = torch.tensor(x.numpy())
    for name in ("erf", "erfc", "erfinv", "expm1", "exp2", "log1p", "sinc", "round"):
        assert getattr(S, name) is getattr(ember, name)
    _close(S.logit(x.sigmoid()).numpy(), torch.special.logit(tx.sigmoid()).numpy(), 1e-6)
    _close(S.softmax(x, 1).numpy(), torch.special.softmax(tx, 1).numpy(), 1e-6)
    _close(S.log_softmax(x, 0, dtype=ember.float64).numpy(),
           torch.special.log_softmax(tx, 0, dtype=torch.float64).numpy(), 1e-12)
    _close(S.logsumexp(x, 1).numpy(), torch.special.logsumexp(tx, 1).numpy(), 1e-6)
    assert S.psi is S.digamma and S.expit is ember.sigmoid


def test_top_level_names_and_tensor_methods_are_the_same_ops():
    x = ember.tensor([0.5, 2.5, 7.0], requires_grad=True)
    assert S.gammaln is ember.lgamma and S.digamma is ember.digamma and S.i0 is ember.i0
    assert S.polygamma is ember.polygamma
    assert type(x.lgamma().grad_fn).__name__ == "LgammaBackward0"
    assert type(x.digamma().grad_fn).__name__ == "DigammaBackward0"
    assert type(x.polygamma(2).grad_fn).__name__ == "PolygammaBackward0"
    assert type(x.mvlgamma(1).grad_fn).__name__ == "MvlgammaBackward0"
    assert type(x.i0().grad_fn).__name__ == "I0Backward0"
    tx = torch.tensor([0.5, 2.5, 7.0])
    _close(x.polygamma(1).detach().numpy(), tx.polygamma(1).numpy(), 1e-6)
    y = x.detach().clone()
    for name, args in (("lgamma_", ()), ("digamma_", ()), ("polygamma_", (1,)), ("i0_", ()),
                       ("mvlgamma_", (1,))):
        got = getattr(y.clone(), name)(*args)
        want = getattr(tx.clone(), name)(*args)
        _close(got.numpy(), want.numpy(), 1e-6)
    z = y.clone()
    assert ember.i0_(z) is z


def test_grad_fn_names_match_torch():
    x = ember.tensor([0.3, 0.6], requires_grad=True)
    tx = torch.tensor([0.3, 0.6], requires_grad=True)
    for name in ("i0e", "i1", "i1e", "ndtri", "log_ndtr", "entr", "erfcx"):
        assert (type(getattr(S, name)(x).grad_fn).__name__
                == type(getattr(torch.special, name)(tx).grad_fn).__name__)
    for a, b in ((x, x), (2.0, x), (x, 2.0)):
        ta = tx if a is x else a
        tb = tx if b is x else b
        assert (type(S.xlog1py(a, b).grad_fn).__name__
                == type(torch.special.xlog1py(ta, tb).grad_fn).__name__)
        assert (type(S.zeta(a + 1.5 if a is not x else a + 1.5, b).grad_fn).__name__
                == type(torch.special.zeta(ta + 1.5, tb).grad_fn).__name__)


def test_refusals_match_torch():
    x = ember.tensor([0.5, 1.0])
    with pytest.raises(RuntimeError, match="does not support negative n"):
        S.polygamma(-1, x)
    with pytest.raises(TypeError, match="must be int, not float"):
        S.polygamma(1.5, x)
    with pytest.raises(RuntimeError, match=r"greater than \(p-1\)/2"):
        S.multigammaln(x, 3)
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        S.multigammaln(x, 0)
