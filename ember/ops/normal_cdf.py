"""The standard normal distribution's functions: ndtr, log_ndtr, ndtri, and erfcx, the scaled
complementary error function they rest on; forward on arrays, backward in ember ops.

NOTE [ Normal tails without SciPy ]
erfcx(x) = e^(x^2) erfc(x) is, for x >= 1, the rational part of Cephes' erfc (special.py's
_ERFC_* coefficients) without its exponential, so it neither underflows nor overflows; below 1 it
is e^(x^2) erfc(x) directly. log_ndtr takes log(erfcx) - z^2 in the lower tail (z = -x/sqrt(2)
>= 1), log1p(-ndtr(-x)) in the upper, so both tails keep every digit. ndtri is sqrt(2)
erfinv(2p - 1) as a start, or -sqrt(-2 log p) where that has lost p, polished by Newton's method
on log_ndtr(x) = log(p): log_ndtr is increasing and concave, so from the first step on the
iterates climb monotonically to the root. Upper-half p is mirrored to 1 - p (exact there).
"""
import math

import numpy as np

from ._common import _out, _unary, quiet
from ._op import Op
from .gamma import _in_input_dtype
from .special import _ERFC_P, _ERFC_Q, _ERFC_R, _ERFC_S, _erfc, _erfinv, _polevl, erfc
from .unary import exp

__all__ = []

_SQRT_HALF = math.sqrt(0.5)
_SQRT_TWO_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_TWO_PI = math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ASYMPTOTIC_FROM = 1e8  # erfcx(x) = 1 / (x sqrt(pi)) to float64 beyond
_NEWTON_STEPS = 8


def _erfcx64(xp, x):
    with quiet():
        ax = xp.clip(x, 1.0, _ASYMPTOTIC_FROM)
        mid = xp.minimum(ax, 8.0)
        far = xp.maximum(ax, 8.0)
        ratio = xp.where(ax < 8.0, _polevl(mid, _ERFC_P) / _polevl(mid, _ERFC_Q, monic=True),
                         _polevl(far, _ERFC_R) / _polevl(far, _ERFC_S, monic=True))
        low = xp.exp(x * x) * _erfc(xp, xp.minimum(x, 1.0))
        out = xp.where(x < 1.0, low, ratio)
        return xp.where(x > _ASYMPTOTIC_FROM, 1.0 / (x * math.sqrt(math.pi)), out)


def _log_ndtr64(xp, x):
    with quiet():
        z = -x * _SQRT_HALF
        tail = math.log(0.5) - z * z + xp.log(_erfcx64(xp, xp.maximum(z, 1.0)))
        upper = xp.log1p(-0.5 * _erfc(xp, -xp.minimum(z, 0.0)))
        mid = xp.log(0.5 * _erfc(xp, xp.clip(z, 0.0, 1.0)))
        return xp.where(z >= 1.0, tail, xp.where(z < 0.0, upper, mid))


def _ndtri_lower(xp, q):
    """ndtri for 0 < q <= 1/2."""
    with quiet():
        x = math.sqrt(2.0) * _erfinv(xp, 2.0 * q - 1.0)
        x = xp.where(xp.isfinite(x) & (q > 1e-8), x, -xp.sqrt(-2.0 * xp.log(q)))
        target = xp.log(q)
        for _ in range(_NEWTON_STEPS):
            slope = _SQRT_TWO_OVER_PI / _erfcx64(xp, -x * _SQRT_HALF)  # d log_ndtr / dx
            x = x - (_log_ndtr64(xp, x) - target) / slope
    return x


def _ndtri64(xp, p):
    with quiet():
        upper = p > 0.5
        q = xp.where(upper, 1.0 - p, p)
        x = _ndtri_lower(xp, xp.where((q > 0) & (q <= 0.5), q, 0.25))
        x = xp.where(upper, -x, x)
        x = xp.where(p == 0, -math.inf, xp.where(p == 1, math.inf, x))
        return xp.where((p < 0) | (p > 1) | xp.isnan(p), math.nan, x)


def _in_dtype(fn, xp, a):
    return _in_input_dtype(fn(xp, a.astype(np.float64)), a)


class SpecialErfcx(Op):
    def forward(ctx, a):
        y = _in_dtype(_erfcx64, ctx.xp, a)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        a, y = ctx.saved_tensors
        return g * (2.0 * a * y - _TWO_OVER_SQRT_PI)


class SpecialLogNdtr(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _in_dtype(_log_ndtr64, ctx.xp, a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors  # pdf / cdf, stable in both tails
        return g * (_SQRT_TWO_OVER_PI / SpecialErfcx.apply(a * -_SQRT_HALF))


class SpecialNdtri(Op):
    def forward(ctx, a):
        y = _in_dtype(_ndtri64, ctx.xp, a)
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (exp(y * y * 0.5) * _SQRT_TWO_PI)


erfcx = _unary(SpecialErfcx)
log_ndtr = _unary(SpecialLogNdtr)
ndtri = _unary(SpecialNdtri)


def ndtr(input, *, out=None):
    """The standard normal CDF, as erfc(-x / sqrt(2)) / 2 (both tails keep their digits)."""
    r = erfc(input * -_SQRT_HALF) * 0.5
    return r if out is None else _out(r, out)
