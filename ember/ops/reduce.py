"""Reductions over dims (int or tuple) with keepdim: forward on arrays, backward in ember ops."""
import numpy as np

from ._op import Op, wrap_dims

__all__ = ["sum", "mean"]


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dims."""
    if not keepdim and dims:
        for d in sorted(dims):
            g = g.unsqueeze(d)
    return g.expand(shape)


class Sum(Op):
    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        out = a.sum(dtype=dtype if dtype is not None else _sum_dtype(a))
        return out

    def backward(ctx, g):
        return g.expand(ctx.shape)


class SumDim(Op, grad_fn="SumBackward1"):
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim,
                     dtype=dtype if dtype is not None else _sum_dtype(a))

    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)


class Mean(Op):
    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return a.mean(dtype=dtype)

    def backward(ctx, g):
        n = int(np.prod(ctx.shape))
        return g.expand(ctx.shape) / n


class MeanDim(Op, grad_fn="MeanBackward1"):
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.mean(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        n = int(np.prod([ctx.shape[d] for d in ctx.dims]))
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim) / n


def _sum_dtype(a):
    """Integer and bool sums accumulate in int64, as in PyTorch."""
    return np.int64 if a.dtype.kind in "biu" else None


def _np_dtype(dtype):
    return None if dtype is None else dtype.np


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if dim is None or dim == ():
        if keepdim:
            return SumDim.apply(input, wrap_dims(None, input.ndim), True, _np_dtype(dtype))
        return Sum.apply(input, _np_dtype(dtype))
    return SumDim.apply(input, wrap_dims(dim, input.ndim), keepdim, _np_dtype(dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if input.dtype.is_floating_point is False and dtype is None:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {input.dtype.name.capitalize()}")
    if dim is None or dim == ():
        if keepdim:
            return MeanDim.apply(input, wrap_dims(None, input.ndim), True, _np_dtype(dtype))
        return Mean.apply(input, _np_dtype(dtype))
    return MeanDim.apply(input, wrap_dims(dim, input.ndim), keepdim, _np_dtype(dtype))
