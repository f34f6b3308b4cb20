"""dist: the p-norm of the difference of two tensors (which broadcast), one op (DistBackward0)."""
from .._tensor import Tensor
from ._op import Op
from .reduce import vector_norm_array, vector_norm_grad

__all__ = ["dist"]


class Dist(Op):
    """The p-norm of a - b over all elements: vector_norm's kernel and gradient (ops/reduce.py)
    on the difference, complex differences included."""

    def forward(ctx, a, b, p):
        ctx.p = p
        ctx.save_for_backward(a, b)
        d = a - b
        return ctx.xp.asarray(vector_norm_array(ctx.xp, d, p, tuple(range(d.ndim)), False))

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = a - b
        grad = vector_norm_grad(d, Dist.apply(a, b, ctx.p), g, ctx.p, tuple(range(d.ndim)))
        if grad is None:  # p == 0 counts nonzeros: a zero gradient, as torch's dist
            grad = d * 0
        return grad, -grad


def dist(input, other, p=2):
    """The p-norm of input - other (any real p, inf, -inf; p = 0 counts nonzeros)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"dist(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input._data.dtype.kind not in "fc" or other._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           "input. Got Long")
    return Dist.apply(input, other, float(p))
