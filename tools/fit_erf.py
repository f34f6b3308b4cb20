"""Derives ember's float32 erf coefficients (NOTE [ erf without SciPy ] and NOTE [ GELU's erf ] in
ember/ops/special.py).

erf(x) / x = P(t) / Q(t), t = x * x, x in [0, 4], P and Q of degree 5: a linear least-squares fit
of (P - f * Q) / (f * Q_previous) in Chebyshev form (Sanathanan-Koerner), with Lawson's
reweighting by the relative error to approach the minimax fit; prints the coefficients highest
power first with Q made monic, and the largest relative error.

GELU's erf(x) = tanh(x * R(t)), R of degree 6: a least-squares fit of R to atanh(erf(x)) / x in
Chebyshev form, each point weighted by what an error in R costs erf there, x * (1 - erf(x)^2),
with Lawson's reweighting towards the minimax absolute error of erf; prints R highest power first
and that error. Run: python tools/fit_erf.py
"""
import math

import numpy as np
from numpy.polynomial import chebyshev, polynomial

CLIP, DEG_P, DEG_Q, ITERATIONS = 4.0, 5, 5, 200
TANH_CLIP, DEG_R = 4.5, 6  # tanh(x * R(t)) is exactly 1 in float32 from about x = 4.2 on


def fit():
    x = np.unique(np.concatenate([np.linspace(0, CLIP, 20000),
                                  CLIP * np.sin(np.linspace(0, np.pi / 2, 20000))]))
    f = np.array([math.erf(v) / v if v > 0 else 2 / math.sqrt(math.pi) for v in x])
    s = 2 * x * x / CLIP ** 2 - 1
    vp, vq = chebyshev.chebvander(s, DEG_P), chebyshev.chebvander(s, DEG_Q)
    weight, q_prev, best = np.ones_like(s), np.ones_like(s), None
    for it in range(ITERATIONS):
        scale = np.sqrt(weight) / (f * q_prev)
        a = np.hstack([vp, -f[:, None] * vq[:, 1:]]) * scale[:, None]
        sol = np.linalg.lstsq(a, f * vq[:, 0] * scale, rcond=None)[0]
        p, q = sol[:DEG_P + 1], np.concatenate([[1.0], sol[DEG_P + 1:]])
        q_prev = vq @ q
        err = (vp @ p / q_prev - f) / f
        if best is None or np.abs(err).max() < best[0]:
            best = (np.abs(err).max(), p, q)
        if it > 5:
            weight = weight * np.abs(err)
            weight /= weight.sum()
    return best


def fit_tanh():
    x = np.linspace(0, TANH_CLIP, 45001)[1:]
    erf = np.array([math.erf(v) for v in x])
    f = np.arctanh(np.minimum(erf, 1 - 2 ** -53)) / x
    cost = x * (1 - erf * erf)  # d erf / d R
    v = chebyshev.chebvander(2 * x * x / TANH_CLIP ** 2 - 1, DEG_R)
    weight, best = np.ones_like(x), None
    for it in range(ITERATIONS):
        scale = np.sqrt(weight) * cost
        r = np.linalg.lstsq(v * scale[:, None], f * scale, rcond=None)[0]
        err = (v @ r - f) * cost
        if best is None or np.abs(err).max() < best[0]:
            best = (np.abs(err).max(), r)
        weight = weight * (np.abs(err) / np.abs(err).max() + 1e-3)
        weight /= weight.mean()
    return best


def monomial(cheb, clip=CLIP):
    """Chebyshev coefficients in s = 2t / clip**2 - 1 to monomial ones in t, lowest first."""
    out, power = np.zeros(1), np.array([1.0])
    for c in chebyshev.cheb2poly(cheb):
        out = polynomial.polyadd(out, c * power)
        power = polynomial.polymul(power, [-1.0, 2 / clip ** 2])
    return out


if __name__ == "__main__":
    err, p, q = fit()
    pm, qm = monomial(p), monomial(q)
    pm, qm = pm / qm[-1], qm / qm[-1]
    print(f"max relative error {err:.3e}")
    print("_ERF_P =", tuple(float(c) for c in pm[::-1]))
    print("_ERF_Q =", tuple(float(c) for c in qm[-2::-1]))
    err, r = fit_tanh()
    print(f"tanh form: max absolute error of erf {err:.3e}")
    print("_ERF_TANH =", tuple(float(c) for c in monomial(r, TANH_CLIP)[::-1]))
