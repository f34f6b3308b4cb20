"""Gradients of ember.special's new ops: finite differences in float64 (gradcheck, gradgradcheck)
and torch's .grad for the same inputs, including x = 0 for i1/i1e and both normal tails."""
import numpy as np
import pytest

import ember
import ember.special as S
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

POINTS = {
    "gammaln": [-2.5, -0.3, 0.2, 1.0, 3.7, 25.0], "digamma": [-2.5, -0.3, 0.2, 1.5, 12.0],
    "i0": [-3.0, 0.0, 0.4, 5.0, 40.0], "i0e": [-3.0, -0.5, 0.4, 5.0, 40.0],
    "i1": [-3.0, 0.0, 0.4, 5.0, 40.0], "i1e": [-3.0, 0.0, 0.4, 5.0, 40.0],
    "ndtr": [-12.0, -1.0, 0.0, 2.0, 9.0], "log_ndtr": [-40.0, -3.0, 0.0, 2.0, 9.0],
    "ndtri": [1e-3, 0.02, 0.5, 0.8, 0.999], "erfcx": [-3.0, -0.2, 0.5, 4.0, 30.0],
    "entr": [0.1, 0.5, 1.0, 3.0],
}


def _pair(values):
    x = ember.tensor(values, dtype=ember.float64, requires_grad=True)
    return x, torch.tensor(values, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("name", sorted(POINTS))
def test_gradient_matches_finite_differences_and_torch(name):
    fn, tfn = getattr(S, name), getattr(torch.special, name)
    x, tx = _pair(POINTS[name])
    assert gradcheck(fn, (x,), eps=1e-7, atol=1e-6, rtol=1e-5)
    (fn(x) * ember.arange(1, len(POINTS[name]) + 1)).sum().backward()
    (tfn(tx) * torch.arange(1, len(POINTS[name]) + 1)).sum().backward()
    # torch's trigamma (digamma's derivative) is good to about 5e-10 relative
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-300)


@pytest.mark.parametrize("name", ["gammaln", "digamma", "i0", "i1e", "log_ndtr", "ndtri"])
def test_second_derivative_matches_finite_differences(name):
    x, _ = _pair([v for v in POINTS[name] if v != 0.0 and abs(v) < 30][:3])
    assert gradgradcheck(getattr(S, name), (x,), eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_polygamma_gradient(n):
    x, tx = _pair([-1.7, 0.6, 2.0, 9.5])
    assert gradcheck(lambda t: S.polygamma(n, t), (x,), eps=1e-7, atol=1e-6, rtol=1e-5)
    S.polygamma(n, x).sum().backward()
    torch.special.polygamma(n, tx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8)


def test_multigammaln_gradient():
    x, tx = _pair([2.6, 4.0, 11.5])
    assert gradcheck(lambda t: S.multigammaln(t, 3), (x,))
    S.multigammaln(x, 3).sum().backward()
    torch.special.multigammaln(tx, 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_zeta_gradient_in_q_and_refused_in_x():
    s, ts = _pair([2.0, 3.5, 5.0])
    q, tq = _pair([0.5, 2.0, 7.0])
    assert gradcheck(lambda b: S.zeta(s.detach(), b), (q,))
    S.zeta(s.detach(), q).sum().backward()
    torch.special.zeta(ts.detach(), tq).sum().backward()
    np.testing.assert_allclose(q.grad.numpy(), tq.grad.numpy(), rtol=1e-12)
    q2, tq2 = _pair([0.5, 2.0, 7.0])
    S.zeta(3.0, q2).sum().backward()
    torch.special.zeta(3.0, tq2).sum().backward()
    np.testing.assert_allclose(q2.grad.numpy(), tq2.grad.numpy(), rtol=1e-12)
    with pytest.raises(NotImplementedError, match="derivative for 'zeta' is not implemented"):
        S.zeta(s, q).sum().backward()
    with pytest.raises(NotImplementedError, match="derivative for 'zeta' is not implemented"):
        S.zeta(s, 2.0).sum().backward()


def test_xlog1py_gradients_with_zero_x():
    assert gradcheck(S.xlog1py, (_pair([0.7, 1.5, -2.0])[0], _pair([0.5, 2.0, 3.0])[0]))
    x, tx = _pair([0.0, 1.5, -2.0])  # at x = 0 torch defines the x-gradient as 0
    y, ty = _pair([0.5, 2.0, 3.0])
    S.xlog1py(x, y).sum().backward()
    torch.special.xlog1py(tx, ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-14)
    for a, ta, b, tb in ((2.0, 2.0, y, ty), (x, tx, 3.0, 3.0)):
        for t in (x, y, tx, ty):
            t.grad = None
        S.xlog1py(a, b).sum().backward()
        torch.special.xlog1py(ta, tb).sum().backward()
        for e, t in ((x, tx), (y, ty)):
            assert (e.grad is None) == (t.grad is None)
            if e.grad is not None:
                np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-14)
