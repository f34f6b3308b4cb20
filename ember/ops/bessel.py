"""Modified Bessel functions of the first kind, orders 0 and 1 (i0, i0e, i1, i1e): forward on
arrays, backward in ember ops.

NOTE [ Modified Bessel functions without SciPy ]
Computed in float64, returned in the input's float dtype. For |x| <= 30 the power series
I_v(x) = sum_k (x/2)^(2k+v) / (k! (k+v)!) has only positive terms (no cancellation) and reaches
float64 accuracy within 60 terms; beyond, the asymptotic expansion
I_v(x) ~ e^x / sqrt(2 pi x) * sum_k (-1)^k prod_{j<=k} (4v^2 - (2j-1)^2) / (8 j x), whose terms keep
shrinking until k is about 2x, is cut at 30 terms (the last below 1e-17). The scaled forms
(i0e = e^-|x| i0) take the same expansions with the exponential folded in, so they never
overflow. I1 is odd, I0 even.
"""
import math

import numpy as np

from ._common import _unary, quiet
from ._op import Op
from .gamma import _in_input_dtype
from .clamping import Where
from .unary import sign

__all__ = ["i0", "i0_"]

_SERIES_LIMIT = 30.0
_SERIES_TERMS = 60
_ASYMPTOTIC_TERMS = 30


def _series(xp, ax, order):
    half = ax / 2.0
    q = half * half
    term = half if order else xp.ones_like(ax)
    total = term.copy()
    for k in range(1, _SERIES_TERMS):
        term = term * q / (k * (k + order))
        total += term
    return total


def _asymptotic_scaled(xp, ax, order):
    """e^-x I_v(x) for large x."""
    mu = 4.0 * order * order
    inv = 1.0 / (8.0 * ax)
    term = xp.ones_like(ax)
    total = term.copy()
    for k in range(1, _ASYMPTOTIC_TERMS):
        term = term * -(mu - (2 * k - 1) ** 2) * inv / k
        total += term
    return total / xp.sqrt(2.0 * math.pi * ax)


def _bessel(xp, a, order, scaled):
    x = a.astype(np.float64)
    ax = xp.abs(x)
    with quiet():
        small = ax <= _SERIES_LIMIT
        series = _series(xp, xp.where(small, ax, 0.0), order)
        far = _asymptotic_scaled(xp, xp.where(small, _SERIES_LIMIT + 1.0, ax), order)
        if scaled:
            out = xp.where(small, series * xp.exp(-ax), far)
            out = xp.where(xp.isinf(ax), 0.0, out)
        else:  # at +-inf this is 0 * inf: NaN, as torch's
            out = xp.where(small, series, far * xp.exp(ax))
        out = xp.where(xp.isnan(x), math.nan, out)
        if order:
            out = xp.copysign(out, x)
    return _in_input_dtype(out, a)


class I0(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _bessel(ctx.xp, a, 0, False)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * SpecialI1.apply(a)


class SpecialI0e(Op, grad_fn="SpecialI0EBackward0"):
    def forward(ctx, a):
        y = _bessel(ctx.xp, a, 0, True)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        a, y = ctx.saved_tensors
        return g * (SpecialI1e.apply(a) - sign(a) * y)


def _beyond_eps(a):
    """Where i1's and i1e's derivative takes its formula, as torch's: |a| above the dtype's
    epsilon; tiny inputs and NaN take the limit 1/2 at 0 instead."""
    return abs(a._data) > np.finfo(a._data.dtype).eps


def _limit_half_at_zero(a, d):
    """The derivative d (which divides by a) beyond epsilon, and its limit 1/2 at 0 within."""
    return Where.apply(d, 0.5, _beyond_eps(a))


class SpecialI1(Op):
    def forward(ctx, a):
        y = _bessel(ctx.xp, a, 1, False)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        a, y = ctx.saved_tensors
        safe = Where.apply(a, 1.0, _beyond_eps(a))
        return g * _limit_half_at_zero(a, I0.apply(a) - y / safe)


class SpecialI1e(Op, grad_fn="SpecialI1EBackward0"):
    def forward(ctx, a):
        y = _bessel(ctx.xp, a, 1, True)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        a, y = ctx.saved_tensors
        safe = Where.apply(a, 1.0, _beyond_eps(a))
        return g * _limit_half_at_zero(a, SpecialI0e.apply(a) - y * (sign(a) + 1.0 / safe))


i0 = _unary(I0)
i0e = _unary(SpecialI0e)
i1 = _unary(SpecialI1)
i1e = _unary(SpecialI1e)


def i0_(input):
    return input._inplace(i0)
