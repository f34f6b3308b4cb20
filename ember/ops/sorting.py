"""Sorting and searching (sort, argsort, topk, unique, nonzero): values are differentiable,
indices and the rest are not."""
import builtins

import numpy as np

from .. import _dtype
from .. import return_types as _rt
from .._backend import xp_of
from .._tensor import _make
from ._numpy_names import numpy_names
from ._op import Op, wrap_dim
from .scatter_gather import Scatter

__all__ = ["nonzero", "sort", "argsort", "topk", "unique"]


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of nonzero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
    a = input._data
    xp = xp_of(a)
    if as_tuple:
        return tuple(_make(i.astype(np.int64, copy=False))
                     for i in xp.nonzero(a.reshape(1) if a.ndim == 0 else a))
    return _make(xp.argwhere(a).astype(np.int64, copy=False))




def _argsort(a, axis, descending):
    """Stable argsort; descending keeps equal elements in their original order too."""
    xp = xp_of(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    rev = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(rev, axis)


class Sort(Op):
    """values and int64 indices; the values' gradient goes back to where each came from."""

    def forward(ctx, a, dim, descending):
        flat = a.reshape(1) if a.ndim == 0 else a
        idx = _argsort(flat, dim, descending).astype(np.int64, copy=False)
        values = ctx.xp.take_along_axis(flat, idx, axis=dim)
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, idx
        return values.reshape(a.shape), idx.reshape(a.shape)

    def backward(ctx, g, _):
        return _scatter_back(ctx, g)


class Topk(Op):
    def forward(ctx, a, k, dim, largest, sorted_):
        xp = ctx.xp
        flat = a.reshape(1) if a.ndim == 0 else a
        n = flat.shape[dim]
        if k in (0, n) or sorted_:
            idx = _argsort(flat, dim, largest)
            idx = xp.take(idx, xp.arange(k), axis=dim) if k < n else idx
        else:
            part = xp.argpartition(flat, n - k if largest else k - 1, axis=dim)
            idx = xp.take(part, xp.arange(n - k, n) if largest else xp.arange(k), axis=dim)
        idx = idx.astype(np.int64, copy=False)
        values = xp.take_along_axis(flat, idx, axis=dim)
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, idx
        if a.ndim == 0:
            return values.reshape(()), idx.reshape(())
        return values, idx

    def backward(ctx, g, _):
        return _scatter_back(ctx, g)


def _scatter_back(ctx, g):
    """Gradient of sort/topk values: g written back to the positions the values came from."""
    if not ctx.in_shape:  # 0-d input, sorted as one element
        g = g.reshape(1)
    zeros = _make(ctx.xp.zeros(ctx.in_shape or (1,), g.dtype.np))
    out = Scatter.apply(zeros, ctx.dim, _make(ctx.index), g)
    return out.reshape(()) if not ctx.in_shape else out


@numpy_names
def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """(values, indices) sorted along dim; always stable here (a valid unstable order too)."""
    dim = wrap_dim(dim, input.ndim)
    values, indices = Sort.apply(input, dim, descending)
    return _rt.sort(values, indices)


@numpy_names
def argsort(input, dim=-1, descending=False, stable=False):
    """The int64 indices that sort input along dim (stable)."""
    dim = wrap_dim(dim, input.ndim)
    a = input._data
    idx = _argsort(a.reshape(1) if a.ndim == 0 else a, dim, descending)
    return _make(idx.astype(np.int64, copy=False).reshape(a.shape))


@numpy_names
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices) of the k largest (or smallest) elements along dim."""
    dim = wrap_dim(dim, input.ndim)  # torch checks dim before the dtype
    if input.dtype is _dtype.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    k = builtins.int(k)
    if not 0 <= k <= (input.shape[dim] if input.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if input.ndim == 0:
        k = 1  # a 0-d tensor is its own top element, whether k is 0 or 1 (as in torch)
    values, indices = Topk.apply(input, k, dim, largest, sorted)
    return _rt.topk(values, indices)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along dim), always sorted; optionally the inverse
    indices and the counts."""
    a = input._data
    xp = xp_of(a)
    axis = None if dim is None else wrap_dim(dim, a.ndim)
    res = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
    values, inverse, counts = res[0], res[1], res[2]
    out = [_make(values)]
    if return_inverse:
        inverse = inverse.reshape(a.shape if axis is None else (a.shape[axis],))
        out.append(_make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(_make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)
