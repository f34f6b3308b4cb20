"""torch.special's Bessel family without gradients: bessel_j0/j1/y0/y1, modified_bessel_i0/i1/k0/k1,
scaled_modified_bessel_k0/k1, spherical_bessel_j0 and airy_ai. As in torch, their results never
require grad (torch defines no derivative for them).

NOTE [ Bessel functions of integer order without SciPy ]
Everything is computed in float64 and returned in the input's float dtype.
- J0, J1, Y0, Y1. For x <= 2 the power series (each term below the last by q = x^2/4 < 1 over
  k^2, no cancellation to speak of); Y_n's series adds (2/pi) ln(x/2) J_n and the digamma-weighted
  sum. For 2 < x <= 25, Miller's backward recurrence f_(k-1) = (2k/x) f_k - f_(k+1) from a start
  far above x (every J_k then falls out up to one common factor, fixed by
  J_0 + 2 sum J_2k = 1), and Y0, Y1 from Neumann's series
  Y0 = (2/pi)(ln(x/2) + gamma) J0 - (4/pi) sum_k (-1)^k J_2k / k and its derivative (Y1 = -Y0').
  Beyond 25, Hankel's asymptotic expansion (its terms shrink until k is about 2x, so 40 of them
  reach float64's epsilon), with cos(x - pi/4) and friends expanded by the angle-sum formula so
  that a large x is reduced exactly by NumPy's sin and cos.
- K0, K1 (and e^x K). For x <= 2 the series K_n = (-1)^(n+1) ln(x/2) I_n + (digamma sums). For
  2 < x <= 30, e^x K_v(x) = int_0^inf exp(-x (cosh t - 1)) cosh(v t) dt by the trapezoidal rule
  with step 0.1: the integrand is analytic in a strip and decays double-exponentially, so the
  rule converges geometrically (its error is far below 1e-16 at this step). Beyond 30, the
  asymptotic expansion e^x K_v ~ sqrt(pi / 2x) sum_k prod_j (4v^2 - (2j-1)^2) / (k! (8x)^k).
- I0, I1: ember's i0 and i1 (ops/bessel.py).
- Ai. For x > 2, Ai(x) = sqrt(x/3) K_(1/3)(zeta) / pi with zeta = 2/3 x^(3/2) (K as above, v = 1/3).
  For x < -9.5, the oscillatory asymptotic expansion in zeta (its smallest term is about
  e^(-2 zeta) < 1e-16 there). In between, Ai is carried from its values at 0 by ten Taylor steps
  of the Airy equation y'' = x y (coefficients c_(k+2) = (x0 c_k + c_(k-1)) / ((k+1)(k+2)));
  steps of length <= 0.95 and 32 terms reach float64's precision.
"""
import math

import numpy as np

from .._dtype import type_name
from .._tensor import Tensor
from ._common import _float, _out, _type_word, quiet
from ._op import Op
from .bessel import _bessel

__all__ = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "airy_ai"]

_EULER = 0.57721566490153286061
_TWO_OVER_PI = 2.0 / math.pi
_SERIES_LIMIT = 2.0
_MILLER_LIMIT = 25.0
_TRAPEZOID_LIMIT = 30.0
_TERMS = 40
_STEP = 0.1
_NODES = 46  # t up to 4.6: exp(-x (cosh t - 1)) < 1e-40 there for every x > 1.8


def _harmonic(k):
    return sum(1.0 / j for j in range(1, k + 1))


# -- J0, J1, Y0, Y1 --------------------------------------------------------------------------------

def _jy_series(x):
    """J0, J1, Y0, Y1 for 0 < x <= 2 from their power series."""
    q = -(x * x) / 4.0
    half = x / 2.0
    term0 = np.ones_like(x)            # (-q)^k / (k!)^2
    term1 = np.ones_like(x)            # (-q)^k / (k! (k+1)!)
    j0, j1 = term0.copy(), term1.copy()
    h0 = np.zeros_like(x)              # sum H_k (-q)^k / (k!)^2, k >= 1
    h1 = (1.0 - 2.0 * _EULER) * term1  # sum (psi(k+1) + psi(k+2)) (-q)^k / (k! (k+1)!)
    for k in range(1, 30):
        term0 = term0 * q / (k * k)
        term1 = term1 * q / (k * (k + 1))
        j0 += term0
        j1 += term1
        h0 += _harmonic(k) * term0
        h1 += (_harmonic(k) + _harmonic(k + 1) - 2.0 * _EULER) * term1
    j1 = j1 * half
    log_half = np.log(half)
    y0 = _TWO_OVER_PI * ((log_half + _EULER) * j0 - h0)
    y1 = _TWO_OVER_PI * (log_half * j1 - 1.0 / x) - half * h1 / math.pi
    return j0, j1, y0, y1


def _jy_miller(x):
    """J0, J1, Y0, Y1 for 2 <= x <= 25 by Miller's backward recurrence (NOTE above)."""
    top = 2 * (int(np.max(x, initial=0.0)) // 2) + 40
    after = np.zeros_like(x)            # f_(k+1)
    here = np.full_like(x, 1e-30)       # f_k, k = top
    norm = np.zeros_like(x)             # sum f_2k, k >= 1
    neumann0 = np.zeros_like(x)         # sum (-1)^k f_2k / k
    neumann1 = np.zeros_like(x)         # sum (-1)^k (f_(2k-1) - f_(2k+1)) / k
    for k in range(top, 0, -1):
        below = (2.0 * k / x) * here - after
        if k % 2 == 0:
            sign = -1.0 if (k // 2) % 2 else 1.0
            norm += here
            neumann0 += sign * here / (k // 2)
            neumann1 += sign * (below - after) / (k // 2)
        after, here = here, below
    scale = here + 2.0 * norm           # here is f_0 now
    j0, j1 = here / scale, after / scale
    log_term = np.log(x / 2.0) + _EULER
    y0 = _TWO_OVER_PI * (log_term * j0 - 2.0 * neumann0 / scale)
    y1 = _TWO_OVER_PI * (log_term * j1 - j0 / x + neumann1 / scale)
    return j0, j1, y0, y1


def _hankel_pq(x, order):
    """Hankel's P and Q of J_order and Y_order for large x."""
    mu = 4.0 * order * order
    inv = 1.0 / (8.0 * x)
    term = np.ones_like(x)
    p, q = term.copy(), np.zeros_like(x)
    for k in range(1, _TERMS):
        term = term * (mu - (2 * k - 1) ** 2) * inv / k
        if k % 2:
            q += term if k % 4 == 1 else -term
        else:
            p += term if k % 4 == 0 else -term
    return p, q


def _jy_asymptotic(x):
    root = np.sqrt(_TWO_OVER_PI / x) / math.sqrt(2.0)  # sqrt(2/(pi x)) / sqrt(2)
    s, c = np.sin(x), np.cos(x)
    p0, q0 = _hankel_pq(x, 0)
    p1, q1 = _hankel_pq(x, 1)
    cos0, sin0 = c + s, s - c       # sqrt(2) cos and sin of x - pi/4
    cos1, sin1 = s - c, -(s + c)    # sqrt(2) cos and sin of x - 3 pi/4
    return (root * (p0 * cos0 - q0 * sin0), root * (p1 * cos1 - q1 * sin1),
            root * (p0 * sin0 + q0 * cos0), root * (p1 * sin1 + q1 * cos1))


def _jy(x):
    """J0(|x|), J1(|x|), Y0(|x|), Y1(|x|) for finite x (NOTE above); Y0, Y1 at 0 are -inf."""
    ax = np.abs(x)
    outs = [np.empty_like(ax) for _ in range(4)]
    regions = (ax <= _SERIES_LIMIT, (ax > _SERIES_LIMIT) & (ax <= _MILLER_LIMIT),
               ax > _MILLER_LIMIT)
    with quiet():
        for mask, method in zip(regions, (_jy_series, _jy_miller, _jy_asymptotic)):
            if mask.any():
                for out, part in zip(outs, method(ax[mask])):
                    out[mask] = part
    return outs


def _finite_jy(x, which):
    ok = np.isfinite(x)
    out = np.full(x.shape, np.nan)
    if ok.any():
        out[ok] = _jy(x[ok])[which]
    return out


def _j0(x):
    return _finite_jy(x, 0)


def _j1(x):
    v = _finite_jy(x, 1)
    return np.where(np.signbit(x), -v, v)  # odd


def _y(which):
    def y(x):
        out = _finite_jy(x, which)
        out[x < 0] = np.nan
        out[x == 0] = -np.inf
        out[x == np.inf] = np.nan
        return out
    return y


# -- K0, K1 (and e^x K) ----------------------------------------------------------------------------

def _k_series(x, order):
    """K_order(x) for 0 < x <= 2 from its series."""
    q = x * x / 4.0
    i = _bessel(np, x, order, False)
    term = np.ones_like(x)
    if order == 0:
        total = np.zeros_like(x)
        for k in range(1, 30):
            term = term * q / (k * k)
            total += _harmonic(k) * term
        return total - (np.log(x / 2.0) + _EULER) * i
    total = (1.0 - 2.0 * _EULER) * term
    for k in range(1, 30):
        term = term * q / (k * (k + 1))
        total += (_harmonic(k) + _harmonic(k + 1) - 2.0 * _EULER) * term
    return 1.0 / x + np.log(x / 2.0) * i - x / 4.0 * total


def _scaled_k_trapezoid(x, order):
    """e^x K_order(x) for x > 1.8 by the trapezoidal rule (NOTE above)."""
    total = 0.5 * np.ones_like(x)
    for n in range(1, _NODES):
        t = n * _STEP
        total += np.exp(-x * (math.cosh(t) - 1.0)) * math.cosh(order * t)
    return _STEP * total


def _scaled_k_asymptotic(x, order):
    mu = 4.0 * order * order
    inv = 1.0 / (8.0 * x)
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, _TERMS):
        term = term * (mu - (2 * k - 1) ** 2) * inv / k
        total += term
    return np.sqrt(math.pi / (2.0 * x)) * total


def _scaled_k_large(x, order):
    """e^x K_order(x) for x > 1.8."""
    out = np.empty_like(x)
    near = x <= _TRAPEZOID_LIMIT
    out[near] = _scaled_k_trapezoid(x[near], order)
    out[~near] = _scaled_k_asymptotic(x[~near], order)
    return out


def _k(order, scaled):
    def k(x):
        out = np.full(x.shape, np.nan)
        small = (x > 0) & (x <= _SERIES_LIMIT)
        large = (x > _SERIES_LIMIT) & np.isfinite(x)
        with quiet():
            if small.any():
                xs = x[small]
                out[small] = _k_series(xs, order) * (np.exp(xs) if scaled else 1.0)
            if large.any():
                xl = x[large]
                out[large] = _scaled_k_large(xl, order) * (1.0 if scaled else np.exp(-xl))
        out[x == 0] = np.inf
        out[x == np.inf] = 0.0
        return out
    return k


# -- Airy Ai ---------------------------------------------------------------------------------------

_AI0 = 1.0 / (3.0 ** (2.0 / 3.0) * math.gamma(2.0 / 3.0))
_AI0_SLOPE = -1.0 / (3.0 ** (1.0 / 3.0) * math.gamma(1.0 / 3.0))
_AIRY_STEPS = 10
_AIRY_TERMS = 32
_AIRY_POSITIVE = 2.0
_AIRY_NEGATIVE = -9.5


def _airy_taylor(x):
    """Ai(x) for -9.5 <= x <= 2 by Taylor steps of y'' = x y from 0 (NOTE above)."""
    h = x / _AIRY_STEPS
    y, dy = np.full_like(x, _AI0), np.full_like(x, _AI0_SLOPE)
    for step in range(_AIRY_STEPS):
        x0 = step * h
        before, c, c_next = np.zeros_like(x), y, dy  # c_(k-1), c_k, c_(k+1)
        power = np.ones_like(x)                      # h^k
        y_new = y.copy()
        dy_new = np.zeros_like(x)
        for k in range(1, _AIRY_TERMS):
            dy_new += k * c_next * power              # k c_k h^(k-1) with c_k = c_next
            power = power * h
            y_new += c_next * power
            before, c, c_next = c, c_next, (x0 * c + before) / ((k + 1) * k)
        y, dy = y_new, dy_new
    return y


def _airy_oscillating(x):
    """Ai(x) for x < -9.5 from its asymptotic expansion in zeta = 2/3 |x|^(3/2)."""
    ax = -x
    zeta = 2.0 / 3.0 * ax * np.sqrt(ax)
    u = 1.0
    p, q = np.ones_like(x), np.zeros_like(x)
    inv = 1.0 / zeta
    power = np.ones_like(x)
    for k in range(1, 30):
        u = u * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k)
        power = power * inv
        term = u * power
        if k % 2:
            q += term if k % 4 == 1 else -term
        else:
            p += term if k % 4 == 0 else -term
    s, c = np.sin(zeta), np.cos(zeta)
    sin_shift, cos_shift = (s + c) / math.sqrt(2.0), (c - s) / math.sqrt(2.0)  # of zeta + pi/4
    return (sin_shift * p - cos_shift * q) / (math.sqrt(math.pi) * np.sqrt(np.sqrt(ax)))


def _airy_decaying(x):
    """Ai(x) for x > 2: sqrt(x/3) K_(1/3)(zeta) / pi."""
    zeta = 2.0 / 3.0 * x * np.sqrt(x)
    return np.sqrt(x / 3.0) / math.pi * _scaled_k_large(zeta, 1.0 / 3.0) * np.exp(-zeta)


def _airy_ai(x):
    out = np.full(x.shape, np.nan)
    regions = ((x >= _AIRY_NEGATIVE) & (x <= _AIRY_POSITIVE),
               (x < _AIRY_NEGATIVE) & np.isfinite(x), (x > _AIRY_POSITIVE) & np.isfinite(x))
    with quiet():
        for mask, method in zip(regions, (_airy_taylor, _airy_oscillating, _airy_decaying)):
            if mask.any():
                out[mask] = method(x[mask])
    return out


# -- the rest --------------------------------------------------------------------------------------

def _spherical_j0(x):
    with quiet():
        out = np.sin(x) / x
    out[x == 0] = 1.0
    out[np.isinf(x)] = 0.0
    return out


def _i(order):
    def i(x):
        out = _bessel(np, x, order, False)
        return np.where(x == 0, 1.0 - order, out)  # I1(-0) is +0 in torch
    return i


class _BesselFunction(Op):
    """A Bessel-family function: float64 evaluation (cls._fn), no derivative (as in torch)."""
    _fn = None
    _name = None

    def forward(ctx, a):
        cls = ctx._forward_cls
        if a.dtype.kind == "f" and a.dtype.itemsize < 4 or a.dtype.kind in "cV":
            raise NotImplementedError(f"\"{cls._name}_cpu\" not implemented for '{type_name(a)}'")
        a = _float(a)
        host = np.atleast_1d(np.asarray(a.get() if hasattr(a, "get") else a, np.float64))
        out = ctx.xp.asarray(cls._fn(host).reshape(a.shape)).astype(a.dtype)
        ctx.mark_non_differentiable(out)
        return out


def _function(name, fn, argument="input"):
    op = type(name.title().replace("_", ""), (_BesselFunction,),
              {"_fn": staticmethod(fn), "_name": name, "__module__": __name__})

    def special(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"special_{name}(): argument '{argument}' (position 1) must be Tensor, "
                            f"not {_type_word(input)}")
        r = op.apply(input)
        return r if out is None else _out(r, out)
    special.__name__ = special.__qualname__ = name
    special.__doc__ = f"torch.special.{name}: computed in float64 (no gradient, as in torch)."
    return special


bessel_j0 = _function("bessel_j0", _j0)
bessel_j1 = _function("bessel_j1", _j1)
bessel_y0 = _function("bessel_y0", _y(2))
bessel_y1 = _function("bessel_y1", _y(3))
modified_bessel_i0 = _function("modified_bessel_i0", _i(0))
modified_bessel_i1 = _function("modified_bessel_i1", _i(1))
modified_bessel_k0 = _function("modified_bessel_k0", _k(0, False))
modified_bessel_k1 = _function("modified_bessel_k1", _k(1, False))
scaled_modified_bessel_k0 = _function("scaled_modified_bessel_k0", _k(0, True), "x")
scaled_modified_bessel_k1 = _function("scaled_modified_bessel_k1", _k(1, True), "x")
spherical_bessel_j0 = _function("spherical_bessel_j0", _spherical_j0, "x")
airy_ai = _function("airy_ai", _airy_ai, "x")
