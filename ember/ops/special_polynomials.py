"""torch.special's orthogonal polynomials p_n(x): Chebyshev T, U, V, W (and their shifted forms on
[0, 1]), Hermite H and He, Laguerre L and Legendre P. As in torch, their results never require
grad, n is truncated to an integer, and a negative (or NaN) n gives 0.

Each is evaluated in float64 by its three-term recurrence p_(k+1) = f(k, x, p_k, p_(k-1)) up to the
largest n, every element keeping the term of its own degree, then returned in the promoted dtype
of (x, n). The recurrences are forward-stable on these polynomials' orthogonality intervals and
exact in integer arithmetic outside them, which torch's closed forms (cos(n acos x) and friends)
agree with to float64 rounding.
"""
import numpy as np

from .._dtype import type_name
from .._tensor import Tensor
from ._common import _float_pair, _out, invalid_arguments, is_operand, quiet
from ._op import Op, broadcast_error

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]

_OVERLOADS = ("(Tensor x, Tensor n, *, Tensor out = None)",
              "(Number x, Tensor n, *, Tensor out = None)",
              "(Tensor x, Number n, *, Tensor out = None)")


def _chebyshev_step(k, x, before, here):
    return 2.0 * x * here - before


def _hermite_step(k, x, before, here):
    return 2.0 * x * here - 2.0 * k * before


def _hermite_e_step(k, x, before, here):
    return x * here - k * before


def _laguerre_step(k, x, before, here):
    return ((2 * k + 1 - x) * here - k * before) / (k + 1)


def _legendre_step(k, x, before, here):
    return ((2 * k + 1) * x * here - k * before) / (k + 1)


def _evaluate(x, degree, first, step):
    """p_degree(x) elementwise, p_0 = 1 and p_1 = first(x)."""
    out = np.zeros_like(x)
    out[degree == 0] = 1.0
    before, here = np.ones_like(x), first(x)
    top = int(degree.max(initial=0))
    if top >= 1:
        out = np.where(degree == 1, here, out)
    with quiet():
        for k in range(1, top):
            before, here = here, step(k, x, before, here)
            out = np.where(degree == k + 1, here, out)
    return out


def _shifted(x):
    return 2.0 * x - 1.0


class _Polynomial(Op):
    _first = None
    _step = None
    _shift = False
    _name = None

    def forward(ctx, x, n):
        cls = ctx._forward_cls
        x, n = _float_pair(x, n)
        dtype = (x if hasattr(x, "dtype") else n).dtype
        if dtype.itemsize < 4:
            raise NotImplementedError(f"\"{cls._name}_cpu\" not implemented for "
                                      f"'{type_name(x if hasattr(x, 'dtype') else n)}'")
        host = [np.asarray(v.get() if hasattr(v, "get") else v, np.float64) for v in (x, n)]
        try:
            xs, ns = np.broadcast_arrays(*host)
        except ValueError:
            raise broadcast_error(np.shape(x), np.shape(n)) from None
        if cls._shift:
            xs = _shifted(xs)
        with quiet():
            degree = np.where(np.isfinite(ns), np.trunc(ns), -1.0)
        out = _evaluate(np.array(xs, np.float64), degree, cls._first, cls._step)
        out = ctx.xp.asarray(out).astype(dtype)
        ctx.mark_non_differentiable(out)
        return out


def _polynomial(name, first, step, shift=False):
    op = type(name.title().replace("_", ""), (_Polynomial,),
              {"_first": staticmethod(first), "_step": staticmethod(step), "_shift": shift,
               "_name": name, "__module__": __name__})

    def special(input, n, *, out=None):
        if not (isinstance(input, Tensor) or isinstance(n, Tensor)) \
                or not (is_operand(input) and is_operand(n)):
            raise invalid_arguments(f"special_{name}", (input, n), _OVERLOADS)
        r = op.apply(input, n)
        return r if out is None else _out(r, out)
    special.__name__ = special.__qualname__ = name
    special.__doc__ = (f"torch.special.{name}(input, n): computed in float64 (no gradient, as "
                       "in torch).")
    return special


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", lambda x: x, _chebyshev_step)
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", lambda x: 2.0 * x, _chebyshev_step)
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", lambda x: 2.0 * x - 1.0,
                                     _chebyshev_step)
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", lambda x: 2.0 * x + 1.0,
                                     _chebyshev_step)
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t", lambda x: x,
                                             _chebyshev_step, shift=True)
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u", lambda x: 2.0 * x,
                                             _chebyshev_step, shift=True)
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v",
                                             lambda x: 2.0 * x - 1.0, _chebyshev_step, shift=True)
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w",
                                             lambda x: 2.0 * x + 1.0, _chebyshev_step, shift=True)
hermite_polynomial_h = _polynomial("hermite_polynomial_h", lambda x: 2.0 * x, _hermite_step)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", lambda x: x, _hermite_e_step)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", lambda x: 1.0 - x, _laguerre_step)
legendre_polynomial_p = _polynomial("legendre_polynomial_p", lambda x: x, _legendre_step)
