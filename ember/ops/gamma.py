"""The gamma family: lgamma, digamma, polygamma, mvlgamma and Hurwitz's zeta; forward on arrays,
backward in ember ops.

NOTE [ Gamma functions without SciPy ]
Every kernel computes in float64 and returns the input's float dtype. For x >= 10 the asymptotic
(Stirling) series of lgamma and digamma in 1/x are accurate to float64 with eight terms; smaller
positive x is carried up to x + n >= 10 by the recurrences Gamma(x + 1) = x Gamma(x) and
psi(x + 1) = psi(x) + 1/x. Negative x takes the reflection formulas, with sin(pi x) and
cos(pi x) evaluated on x reduced exactly modulo 2, so that the non-positive integers are exact
poles. Hurwitz's zeta(s, q) is the Euler-Maclaurin sum: the first terms (q + k)^-s directly until
q + k passes s clipped to [10, 100], then the integral, half the last term and twelve Bernoulli corrections.
polygamma(n, x) for n >= 1 is (-1)^(n+1) n! zeta(n + 1, x).
"""
import math

import numpy as np

from .._tensor import Tensor
from ._common import (TENSOR_OR_NUMBER, _float, _out, _unary, invalid_arguments, is_operand,
                      quiet)
from ._op import Op, scalar, promote

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma"]

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)
_SHIFT = 10.0  # the recurrences carry x up to here, where the asymptotic series converge
# Bernoulli numbers B2, B4, ..., B24: the asymptotic series' coefficients and Euler-Maclaurin's
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730)


def _in_input_dtype(out, a):
    """A float64 result in the input's float dtype (too large for float32 is inf, silently)."""
    with np.errstate(over="ignore"):
        return out.astype(_float(a).dtype, copy=False)


def _f64(xp, a):
    return a.astype(np.float64, copy=False)


def _sin_cos_pi(xp, x):
    """sin(pi x) and cos(pi x) from x = n + r, r in [-1/2, 1/2] (exact: zeros at integers)."""
    n = xp.round(x)
    r = x - n
    sign = 1.0 - 2.0 * xp.mod(n, 2.0)
    return sign * xp.sin(math.pi * r), sign * xp.cos(math.pi * r)


def _shift_up(xp, x):
    """w = x + n >= _SHIFT for x > 0, and (mask, value) for each step: the values x, x + 1, ...
    that were passed where the mask holds."""
    steps = []
    w = x
    for _ in range(int(_SHIFT)):
        low = w < _SHIFT
        if not low.any():
            break
        steps.append((low, w))
        w = xp.where(low, w + 1.0, w)
    return w, steps


def _lgamma_positive(xp, x):
    w, steps = _shift_up(xp, x)
    inv = 1.0 / w
    inv2 = inv * inv
    series = 0.0
    for k in range(7, 0, -1):  # B_2k / (2k (2k - 1) w^(2k-1)), Horner in 1/w^2
        series = series * inv2 + _BERNOULLI[k - 1] / (2 * k * (2 * k - 1))
    out = (w - 0.5) * xp.log(w) - w + _HALF_LOG_TWO_PI + series * inv
    if steps:
        prod = xp.ones_like(x)
        for low, v in steps:
            prod *= xp.where(low, v, 1.0)
        out -= xp.log(prod)
    return out


def _lgamma(xp, a):
    x = _f64(xp, a)
    with quiet():
        neg = x < 0
        pos = _lgamma_positive(xp, xp.where(neg | ~xp.isfinite(x), 1.0 - x, x))
        s, _ = _sin_cos_pi(xp, x)
        out = xp.where(neg, _LOG_PI - xp.log(xp.abs(s)) - pos, pos)
        out = xp.where((x == 0) | xp.isinf(x), math.inf, out)
    return _in_input_dtype(out, a)


def _digamma_positive(xp, x):
    w, steps = _shift_up(xp, x)
    inv2 = 1.0 / (w * w)
    series = 0.0
    for k in range(7, 0, -1):  # B_2k / (2k w^2k), Horner in 1/w^2
        series = series * inv2 + _BERNOULLI[k - 1] / (2 * k)
    out = xp.log(w) - 0.5 / w - series * inv2
    for low, v in steps:
        out -= xp.where(low, 1.0 / v, 0.0)
    return out


def _digamma(xp, a):
    x = _f64(xp, a)
    with quiet():
        neg = x < 0
        pos = _digamma_positive(xp, xp.where(neg | ~xp.isfinite(x), 1.0 - x, x))
        s, c = _sin_cos_pi(xp, x)
        out = xp.where(neg, pos - math.pi * c / s, pos)
        out = xp.where(neg & (s == 0), math.nan, out)  # the poles at negative integers
        out = xp.where(x == 0, xp.copysign(math.inf, -x), out)
        out = xp.where(x == math.inf, math.inf, xp.where(x == -math.inf, math.nan, out))
    return _in_input_dtype(out, a)


_TERMS_PER_PASS = 1 << 20


def _leading_terms(xp, s, q, steps):
    """sum_{k < steps} (q + k)^-s, over the elements that take steps, a block of k at a time."""
    total = xp.zeros(s.shape)
    idx = xp.nonzero(steps.reshape(-1))[0]
    if idx.size == 0:
        return total
    s1, q1, n1 = (v.reshape(-1)[idx][:, None] for v in (s, q, steps))
    n_max = int(n1.max())
    block = max(1, min(n_max, _TERMS_PER_PASS // idx.size))
    acc = xp.zeros(idx.size)
    for start in range(0, n_max, block):
        k = xp.arange(start, min(start + block, n_max), dtype=np.float64)[None, :]
        acc += xp.where(k < n1, (q1 + k) ** -s1, 0.0).sum(axis=1)
    total.reshape(-1)[idx] = acc
    return total


def _zeta(xp, s, q):
    """Hurwitz's zeta(s, q) in float64 (NOTE [ Gamma functions without SciPy ])."""
    s, q = xp.broadcast_arrays(s.astype(np.float64), q.astype(np.float64))
    with quiet():
        target = xp.clip(s, _SHIFT, 100.0)  # beyond, the tail underflows with a^-s
        pole = (q <= 0) & (q == xp.floor(q))
        # a pole takes no steps: past 2^52 every float is an integer, and -1e30 would take 1e30
        usable = xp.isfinite(q) & xp.isfinite(s) & (s > 1) & ~pole
        steps = xp.where(usable, xp.ceil(xp.maximum(target - q, 0.0)), 0.0)
        total = _leading_terms(xp, s, q, steps)
        a = q + steps
        total += a ** (1.0 - s) / (s - 1.0) + 0.5 * a ** -s
        rising = s  # s (s + 1) ... (s + 2j - 2)
        power = a ** (-s - 1.0)  # a^(-s - 2j + 1)
        fact = 2.0  # (2j)!
        inv_a2 = 1.0 / (a * a)
        for j in range(1, len(_BERNOULLI) + 1):
            total += _BERNOULLI[j - 1] / fact * rising * power
            rising = rising * (s + 2 * j - 1) * (s + 2 * j)
            power = power * inv_a2
            fact *= (2 * j + 1) * (2 * j + 2)
        out = xp.where(pole, math.inf, total)
        out = xp.where((q <= 0) & ~pole & (s != xp.floor(s)), math.nan, out)
        out = xp.where(s == 1, math.inf, xp.where(s < 1, math.nan, out))
        out = xp.where(xp.isnan(s) | xp.isnan(q), math.nan, out)
    return out


def _polygamma(xp, n, a):
    if n == 0:
        return _digamma(xp, a)
    x = _f64(xp, a)
    scale = math.factorial(n) if n < 171 else math.inf
    out = (scale if n % 2 else -scale) * _zeta(xp, xp.asarray(float(n + 1)), x)
    return _in_input_dtype(out, a)


class Lgamma(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _lgamma(ctx.xp, a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * digamma(a)


class Digamma(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _digamma(ctx.xp, a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Polygamma.apply(a, 1)


class Polygamma(Op):
    """polygamma(n, x), applied as (x, n)."""
    _n_operands = 1

    def forward(ctx, a, n):
        ctx.save_for_backward(a)
        ctx.n = n
        return _polygamma(ctx.xp, n, a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Polygamma.apply(a, ctx.n + 1)


class Mvlgamma(Op):
    """The multivariate log-gamma of dimension p: sum_j lgamma(x - j / 2) plus a constant."""
    _n_operands = 1

    def forward(ctx, a, p):
        ctx.save_for_backward(a)
        ctx.p = p
        x = _f64(ctx.xp, a)
        if not bool((x > (p - 1) / 2.0).all()):
            raise RuntimeError("All elements must be greater than (p-1)/2")
        out = p * (p - 1) / 4.0 * _LOG_PI
        for j in range(p):
            out = out + _lgamma(ctx.xp, x - j / 2.0)
        return _in_input_dtype(ctx.xp.asarray(out), a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        total = digamma(a)
        for j in range(1, ctx.p):
            total = total + digamma(a - j / 2.0)
        return g * total


_ZETA_GRAD_MESSAGE = "the derivative for 'zeta' is not implemented."


def _zeta_result(xp, s, q):
    s, q = promote(s, q)
    return _in_input_dtype(_zeta(xp, xp.asarray(s), xp.asarray(q)),
                           s if hasattr(s, "dtype") else q)


class SpecialZeta(Op):
    """zeta(x, q): q's derivative is -x zeta(x + 1, q); x's is not implemented, as in torch."""
    _n_operands = 2

    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        return _zeta_result(ctx.xp, s, q)

    def backward(ctx, g):
        s, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(_ZETA_GRAD_MESSAGE)
        return None, g * -s * SpecialZeta.apply(s + 1, q)


class SpecialZetaScalarSelf(Op, grad_fn="SpecialZetaBackward1"):
    """zeta(number, tensor), applied as (tensor, number)."""
    _n_operands = 1

    def forward(ctx, q, s):
        ctx.save_for_backward(q)
        ctx.s = s
        return _zeta_result(ctx.xp, s, q)

    def backward(ctx, g):
        (q,) = ctx.saved_tensors
        return g * (-ctx.s) * SpecialZetaScalarSelf.apply(q, ctx.s + 1)


class SpecialZetaScalarOther(Op, grad_fn="SpecialZetaBackward2"):
    _n_operands = 1

    def forward(ctx, s, q):
        return _zeta_result(ctx.xp, s, q)

    def backward(ctx, g):
        raise NotImplementedError(_ZETA_GRAD_MESSAGE)


lgamma = _unary(Lgamma)
digamma = _unary(Digamma)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    r = Polygamma.apply(input, n)
    return r if out is None else _out(r, out)


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    r = Mvlgamma.apply(input, p)
    return r if out is None else _out(r, out)


def special_zeta(input, other, *, out=None):
    """Hurwitz's zeta(input, other) (torch.special.zeta)."""
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise TypeError("zeta(): expected at least one Tensor argument")
        r = SpecialZetaScalarSelf.apply(other, scalar(input))
    elif isinstance(other, Tensor):
        r = SpecialZeta.apply(input, other)
    else:
        if not is_operand(other):
            raise invalid_arguments("special_zeta", (input, other), TENSOR_OR_NUMBER)
        r = SpecialZetaScalarOther.apply(input, scalar(other))
    return r if out is None else _out(r, out)
