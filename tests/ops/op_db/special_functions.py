"""OpInfo entries for torch.special's Bessel functions and orthogonal polynomials
(ember/ops/special_bessel.py, special_polynomials.py). None is differentiable in torch (their
results never require grad), so every entry has grad=False; the references are float64 quadratures
of integral representations and closed forms, independent of ember's series, recurrences and
asymptotic expansions."""
import math

import numpy as np

from . import OpInfo


def _simpson(f, a, b, points=20001):
    t = np.linspace(a, b, points)
    w = np.ones(points)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return (b - a) / (points - 1) / 3.0 * (f(t) @ w)


def _pointwise(scalar_fn):
    return lambda x: np.vectorize(scalar_fn, otypes=[np.float64])(x)


def _bessel_j(n):
    # J_n(x) = (1/pi) int_0^pi cos(n t - x sin t) dt
    return _pointwise(lambda x: _simpson(lambda t: np.cos(n * t - x * np.sin(t)), 0.0, math.pi)
                      / math.pi)


def _bessel_y(n):
    # Y_n(x) = (1/pi) int_0^pi sin(x sin t - n t) dt
    #          - (1/pi) int_0^inf (e^(n t) + (-1)^n e^(-n t)) e^(-x sinh t) dt
    def y(x):
        first = _simpson(lambda t: np.sin(x * np.sin(t) - n * t), 0.0, math.pi)
        second = _simpson(lambda t: (np.exp(n * t) + (-1) ** n * np.exp(-n * t))
                          * np.exp(-x * np.sinh(t)), 0.0, 12.0, 200001)
        return (first - second) / math.pi
    return _pointwise(y)


def _bessel_i(n):
    # I_n(x) = (1/pi) int_0^pi e^(x cos t) cos(n t) dt
    return _pointwise(lambda x: _simpson(lambda t: np.exp(x * np.cos(t)) * np.cos(n * t), 0.0,
                                         math.pi) / math.pi)


def _bessel_k(n, scaled=False):
    # e^x K_n(x) = int_0^inf e^(-x (cosh t - 1)) cosh(n t) dt
    def k(x):
        v = _simpson(lambda t: np.exp(-x * (np.cosh(t) - 1.0)) * np.cosh(n * t), 0.0, 12.0,
                     200001)
        return v if scaled else v * math.exp(-x)
    return _pointwise(k)


def _airy_ai(x):
    # Maclaurin series Ai = c1 f - c2 g, summed with math.fsum (|x| <= 4: little cancellation)
    c1 = 1.0 / (3.0 ** (2.0 / 3.0) * math.gamma(2.0 / 3.0))
    c2 = 1.0 / (3.0 ** (1.0 / 3.0) * math.gamma(1.0 / 3.0))

    def ai(v):
        f, g = [1.0], [v]
        for k in range(1, 60):
            f.append(f[-1] * v ** 3 / ((3 * k - 1) * (3 * k)))
            g.append(g[-1] * v ** 3 / ((3 * k) * (3 * k + 1)))
        return c1 * math.fsum(f) - c2 * math.fsum(g)
    return _pointwise(ai)(x)


def _unary(name, ref, domain):
    return OpInfo(f"special.{name}", lambda m, a, _n=name: getattr(m.special, _n)(a),
                  [((3, 4),), ((7,),), ((),)], domain=domain, ref=ref, grad=False)


# -- orthogonal polynomials: closed forms ---------------------------------------------------------

def _angle_forms(kind):
    def closed(x, n):
        t = np.arccos(x)
        if kind == "t":
            return np.cos(n * t)
        if kind == "u":
            return np.sin((n + 1) * t) / np.sin(t)
        if kind == "v":
            return np.cos((n + 0.5) * t) / np.cos(t / 2)
        return np.sin((n + 0.5) * t) / np.sin(t / 2)
    return closed


def _sum_form(terms):
    """p_n(x) = sum over m of terms(x, n, m), elementwise in integer n."""
    def closed(x, n):
        return np.vectorize(lambda xv, nv: math.fsum(terms(xv, int(nv), m)
                                                     for m in range(int(nv) + 1)),
                            otypes=[np.float64])(x, n)
    return closed


def _hermite_terms(xv, n, m):
    if 2 * m > n:
        return 0.0
    return math.factorial(n) * (-1) ** m * (2 * xv) ** (n - 2 * m) / (
        math.factorial(m) * math.factorial(n - 2 * m))


def _hermite_e_terms(xv, n, m):
    if 2 * m > n:
        return 0.0
    return math.factorial(n) * (-1) ** m * xv ** (n - 2 * m) / (
        math.factorial(m) * math.factorial(n - 2 * m) * 2 ** m)


def _laguerre_terms(xv, n, m):
    return math.comb(n, m) * (-xv) ** m / math.factorial(m)


def _legendre_terms(xv, n, m):
    return math.comb(n, m) ** 2 * (xv - 1) ** (n - m) * (xv + 1) ** m / 2 ** n


def _x_and_degree(low, high):
    def make(rng, dtype, shapes):
        x_shape, n_shape = shapes
        x = rng.uniform(low, high, size=x_shape).astype(dtype)
        n = rng.integers(0, 12, size=n_shape).astype(dtype)
        return [x, n]
    return make


def _polynomial(name, closed, low=-0.95, high=0.95, shifted=False):
    ref = (lambda x, n: closed(2 * x - 1, n)) if shifted else closed
    return OpInfo(f"special.{name}", lambda m, x, n, _n=name: getattr(m.special, _n)(x, n),
                  [((4, 5), (4, 5)), ((3, 1), (1, 6)), ((6,), ())], ref=ref, grad=False,
                  make_inputs=_x_and_degree(low, high), rtol=1e-4, atol=1e-4)


OPS = [
    _unary("bessel_j0", _bessel_j(0), (-20.0, 20.0)),
    _unary("bessel_j1", _bessel_j(1), (-20.0, 20.0)),
    _unary("bessel_y0", _bessel_y(0), (0.5, 20.0)),
    _unary("bessel_y1", _bessel_y(1), (0.5, 20.0)),
    _unary("modified_bessel_i0", _bessel_i(0), (-10.0, 10.0)),
    _unary("modified_bessel_i1", _bessel_i(1), (-10.0, 10.0)),
    _unary("modified_bessel_k0", _bessel_k(0), (0.2, 20.0)),
    _unary("modified_bessel_k1", _bessel_k(1), (0.2, 20.0)),
    _unary("scaled_modified_bessel_k0", _bessel_k(0, True), (0.2, 40.0)),
    _unary("scaled_modified_bessel_k1", _bessel_k(1, True), (0.2, 40.0)),
    _unary("spherical_bessel_j0", lambda x: np.sinc(x / math.pi), (-20.0, 20.0)),
    _unary("airy_ai", _airy_ai, (-4.0, 4.0)),
    _polynomial("chebyshev_polynomial_t", _angle_forms("t")),
    _polynomial("chebyshev_polynomial_u", _angle_forms("u")),
    _polynomial("chebyshev_polynomial_v", _angle_forms("v")),
    _polynomial("chebyshev_polynomial_w", _angle_forms("w")),
    _polynomial("shifted_chebyshev_polynomial_t", _angle_forms("t"), 0.03, 0.97, True),
    _polynomial("shifted_chebyshev_polynomial_u", _angle_forms("u"), 0.03, 0.97, True),
    _polynomial("shifted_chebyshev_polynomial_v", _angle_forms("v"), 0.03, 0.97, True),
    _polynomial("shifted_chebyshev_polynomial_w", _angle_forms("w"), 0.03, 0.97, True),
    _polynomial("hermite_polynomial_h", _sum_form(_hermite_terms), -2.0, 2.0),
    _polynomial("hermite_polynomial_he", _sum_form(_hermite_e_terms), -2.0, 2.0),
    _polynomial("laguerre_polynomial_l", _sum_form(_laguerre_terms), 0.0, 4.0),
    _polynomial("legendre_polynomial_p", _sum_form(_legendre_terms)),
]
