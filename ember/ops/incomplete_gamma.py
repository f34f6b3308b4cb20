"""igamma and igammac: the regularized lower and upper incomplete gamma functions P(a, x) and
Q(a, x) = 1 - P(a, x).

P is summed from its power series where x < a + 1 and Q from its continued fraction (modified
Lentz) elsewhere, both in float64, until every element's next term is below float64's epsilon.
As in torch, only x gets a derivative: dP/dx = x^(a-1) e^-x / Gamma(a) (and -that for Q); the
derivative in a is not implemented.
"""
import numpy as np

from .._dtype import type_name
from ._common import _float_pair, _out, need_tensors
from ._op import Op, broadcast_error
from .gamma import _lgamma
from .unary import exp, log

__all__ = ["igamma", "igammac"]

_EPS = np.finfo(np.float64).eps
_TINY = 1e-300
_MAX_TERMS = 2000


def _series(a, x, front):
    """P(a, x) = front / a * sum_n x^n / ((a+1)...(a+n))."""
    term = np.ones_like(a)
    total = np.ones_like(a)
    ap = a.copy()
    for _ in range(_MAX_TERMS):
        ap += 1.0
        term *= x / ap
        total += term
        if np.all(np.abs(term) <= np.abs(total) * _EPS):
            break
    return front * total / a


def _continued_fraction(a, x, front):
    """Q(a, x) = front * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))."""
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / _TINY)
    d = 1.0 / np.where(np.abs(b) < _TINY, _TINY, b)
    h = d.copy()
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        step = d * c
        h *= step
        if np.all(np.abs(step - 1.0) <= _EPS):
            break
    return front * h


def _regularized(a, x, upper):
    """P(a, x), or Q(a, x) when upper, elementwise in float64 (NaN outside a, x >= 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    if ok.any():
        ak, xk = a[ok], x[ok]
        with np.errstate(all="ignore"):
            front = np.exp(ak * np.log(xk) - xk - _lgamma(np, ak))
        low = xk < ak + 1.0
        p = np.empty_like(ak)
        if low.any():
            s = _series(ak[low], xk[low], front[low])
            p[low] = 1.0 - s if upper else s
        if (~low).any():
            q = _continued_fraction(ak[~low], xk[~low], front[~low])
            p[~low] = q if upper else 1.0 - q
        out[ok] = p
    # the edges: P(a, 0) = 0 for a > 0, P(0, x) = 1 for x > 0, P(a, inf) = 1, P(inf, x) = 0
    edges = ((a > 0) & (x == 0), 0.0), ((a == 0) & (x > 0), 1.0), \
        ((a >= 0) & (x == np.inf) & np.isfinite(a), 1.0), ((a == np.inf) & np.isfinite(x)
                                                          & (x >= 0), 0.0)
    for mask, p_value in edges:
        out[mask] = 1.0 - p_value if upper else p_value
    return out


class Igamma(Op):
    _upper = False

    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        if a.dtype.kind not in "f" and x.dtype.kind not in "f":
            raise NotImplementedError(f"\"{'igammac' if ctx._forward_cls._upper else 'igamma'}"
                                      f"_cpu\" not implemented for '{type_name(a)}'")
        a, x = _float_pair(a, x)
        try:
            shape = np.broadcast_shapes(a.shape, x.shape)
        except ValueError:
            raise broadcast_error(a.shape, x.shape) from None
        out = _regularized(np.asarray(a), np.asarray(x), ctx._forward_cls._upper)
        return ctx.xp.asarray(out.reshape(shape), dtype=a.dtype)

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{type(ctx).__name__[:-9].lower()}: "
                                      "input' is not implemented.")
        density = exp((a - 1) * log(x) - x - a.lgamma())
        return None, g * (-density if ctx._forward_cls._upper else density)


class Igammac(Igamma):
    _upper = True


def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    need_tensors("igamma", input, other)
    r = Igamma.apply(input, other)
    return r if out is None else _out(r, out)


def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other)."""
    need_tensors("igammac", input, other)
    r = Igammac.apply(input, other)
    return r if out is None else _out(r, out)
