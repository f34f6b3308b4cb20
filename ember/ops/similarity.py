"""Distances and similarities between rows: pdist (every pair of rows of one matrix), and
pairwise_distance and cosine_similarity along a dim (composites, as in PyTorch)."""
import math

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.grad_mode import no_grad
from ._numpy_names import numpy_names
from ._op import Op
from .reduce import LinalgVectorNorm, vector_norm_array, vector_norm_grad

__all__ = ["pdist", "pairwise_distance", "cosine_similarity"]


class Pdist(Op):
    """The p-norm distance of every pair of rows i < j of x (n, m), in row-major order."""

    def forward(ctx, x, p):
        i, j = np.triu_indices(x.shape[0], 1)
        ctx.i, ctx.j, ctx.p = ctx.xp.asarray(i), ctx.xp.asarray(j), p
        y = vector_norm_array(ctx.xp, x[ctx.i] - x[ctx.j], p, (1,), False)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        i, j = _make(ctx.i), _make(ctx.j)
        zeros = _make(ctx.xp.zeros_like(x._data))
        if ctx.p == 0:
            return zeros
        diff = x.index_select(0, i) - x.index_select(0, j)
        g, y = g.unsqueeze(1), y.unsqueeze(1)
        if ctx.p == math.inf:  # every tied coordinate takes the whole gradient, as in PyTorch
            xp = ctx.xp
            on_max = xp.abs(diff._data) == y._data
            gd = g * _make((xp.sign(diff._data) * on_max).astype(diff._data.dtype))
        else:
            gd = vector_norm_grad(diff, y, g, ctx.p, (1,))
        return zeros.index_add(0, i, gd).index_add(0, j, -gd)


def pdist(input, p=2):
    """The p-norm distances between the rows of a 2-D input: the upper triangle of
    cdist(input, input) without its diagonal, flattened row by row."""
    if not isinstance(input, Tensor) or input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input, float(p))


class Norm(LinalgVectorNorm, grad_fn="NormBackward1"):
    """The vector norm over one dim as torch.norm records it, pairwise_distance's last step."""


@numpy_names
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim."""
    diff = x1 - x2 + eps
    return Norm.apply(diff, float(p), (diff.dim() - 1,), keepdim)


@numpy_names
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) over dim. As in PyTorch, the norms are
    clamped without autograd, so the gradient is that of the unclamped expression."""
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)
