"""renorm: every slice along dim whose p-norm exceeds maxnorm scaled down to norm maxnorm."""
import builtins

from ._numpy_names import numpy_names
from ._op import Op, wrap_dim

__all__ = ["renorm"]

_EPS = 1e-7  # torch's: the scale is maxnorm / (norm + 1e-7)


def _scale(xp, a, p, dims, maxnorm):
    """(norm, scale) of each slice, kept broadcastable to a."""
    mag = xp.abs(a)
    if p == builtins.float("inf"):
        norm = mag.max(axis=dims, keepdims=True)
    else:
        norm = (mag ** p).sum(axis=dims, keepdims=True) ** (1.0 / p)
    return norm, xp.where(norm > maxnorm, maxnorm / (norm + _EPS), 1.0).astype(a.dtype)


class Renorm(Op):
    def forward(ctx, a, p, dim, maxnorm):
        ctx.save_for_backward(a)
        ctx.args = (p, dim, maxnorm)
        dims = tuple(d for d in range(a.ndim) if d != dim)
        return a * _scale(ctx.xp, a, p, dims, maxnorm)[1]

    def backward(ctx, g):
        # out = x * s(n(x)) per slice, s = maxnorm / (n + eps) where n > maxnorm: the gradient
        # is g * s + dn/dx * s'(n) * sum(g * x) over the slice.
        (x,) = ctx.saved_tensors
        p, dim, maxnorm = ctx.args
        dims = [d for d in range(x.ndim) if d != dim]
        mag = x.abs()
        if p == builtins.float("inf"):
            norm = mag.amax(dims, keepdim=True)
            dn = (mag == norm).to(x.dtype) * x.sign()
        else:
            norm = (mag ** p).sum(dims, keepdim=True) ** (1.0 / p)
            dn = x.sign() * mag ** (p - 1) / norm ** (p - 1)
        over = (norm > maxnorm).to(x.dtype)
        shifted = norm + _EPS
        scale = over * (maxnorm / shifted) + (1 - over)
        slope = -over * maxnorm / (shifted * shifted)
        return g * scale + dn * slope * (g * x).sum(dims, keepdim=True)


@numpy_names
def renorm(input, p, dim, maxnorm, *, out=None):
    """input with each slice along dim (input.select(dim, i)) of p-norm above maxnorm rescaled
    to p-norm maxnorm."""
    p, maxnorm = builtins.float(p), builtins.float(maxnorm)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input._data.dtype.kind == "c":
        raise NotImplementedError("renorm: complex inputs are not supported by ember yet")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"renorm: expected a floating point or complex tensor as input. "
                           f"Got {input.dtype}")
    return Renorm.apply(input, p, wrap_dim(dim, input.ndim), maxnorm)
