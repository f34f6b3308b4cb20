"""Derives ember's float32 erf coefficients (NOTE [ erf without SciPy ] in ember/ops/special.py).

erf(x) / x = P(t) / Q(t), t = x * x, x in [0, 4], P and Q of degree 5: a linear least-squares fit
of (P - f * Q) / (f * Q_previous) in Chebyshev form (Sanathanan-Koerner), with Lawson's
reweighting by the relative error to approach the minimax fit; prints the coefficients highest
power first with Q made monic, and the largest relative error. Run: python tools/fit_erf.py
"""
import math

import numpy as np
from numpy.polynomial import chebyshev, polynomial

CLIP, DEG_P, DEG_Q, ITERATIONS = 4.0, 5, 5, 200


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


def monomial(cheb):
    """Chebyshev coefficients in s = 2t / CLIP**2 - 1 to monomial ones in t, lowest first."""
    out, power = np.zeros(1), np.array([1.0])
    for c in chebyshev.cheb2poly(cheb):
        out = polynomial.polyadd(out, c * power)
        power = polynomial.polymul(power, [-1.0, 2 / CLIP ** 2])
    return out


if __name__ == "__main__":
    err, p, q = fit()
    pm, qm = monomial(p), monomial(q)
    pm, qm = pm / qm[-1], qm / qm[-1]
    print(f"max relative error {err:.3e}")
    print("_ERF_P =", tuple(float(c) for c in pm[::-1]))
    print("_ERF_Q =", tuple(float(c) for c in qm[-2::-1]))
