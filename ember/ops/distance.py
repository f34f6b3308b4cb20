"""dist: the p-norm of the difference of two tensors (which broadcast), one op (DistBackward0)."""
import math

from .._tensor import Tensor
from ._op import Op
from .reduce import norm

__all__ = ["dist"]


def _pnorm(xp, d, p):
    a = xp.abs(d)
    if p == math.inf:
        return a.max() if a.size else xp.zeros((), d.dtype)
    if p == -math.inf:
        return a.min()
    if p == 0:
        return (a != 0).sum().astype(d.dtype)
    return (a ** p).sum() ** (1.0 / p)


class Dist(Op):
    def forward(ctx, a, b, p):
        ctx.p = p
        ctx.save_for_backward(a, b)
        return ctx.xp.asarray(_pnorm(ctx.xp, a - b, p), dtype=(a - b).dtype)

    def backward(ctx, g):
        # d|d|_p / dd = sign(d) |d|^(p-1) / |d|_p^(p-1); inf/-inf share among the extreme values
        a, b = ctx.saved_tensors
        p = ctx.p
        d = a - b
        r = Dist.apply(a, b, p)
        if p == 0:
            grad = d * 0
        elif p in (math.inf, -math.inf):
            hit = (d.abs() == r).to(d.dtype)
            grad = d.sign() * hit / hit.sum()
        else:
            safe = r + (r == 0).to(r.dtype)
            grad = d.sign() * d.abs() ** (p - 1) / safe ** (p - 1) * (r != 0).to(r.dtype)
        grad = g * grad
        return grad, -grad


def dist(input, other, p=2):
    """The p-norm of input - other (any real p, inf, -inf; p = 0 counts nonzeros)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"dist(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input._data.dtype.kind not in "fc" or other._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           "input. Got Long")
    if input._data.dtype.kind == "c" or other._data.dtype.kind == "c":
        return norm(input - other, float(p))  # complex differences: their norm, composed
    return Dist.apply(input, other, float(p))
