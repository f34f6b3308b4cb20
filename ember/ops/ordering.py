"""Order statistics and searches (cummax, cummin, kthvalue, searchsorted, bucketize): values are
differentiable through their indices, the indices and search results are int64 constants."""
import builtins

import numpy as np

from .. import _dtype
from .. import return_types as _rt
from .._backend import accumulate
from .._tensor import Tensor, _make
from ._common import _out
from ._op import Op, wrap_dim
from ._reduction import axis_alias
from .scatter_gather import ScatterAdd
from .sorting import sort

__all__ = ["cummax", "cummin", "kthvalue", "searchsorted", "bucketize", "msort"]

# PyTorch's named tuples for these ops (torch.return_types.cummax ...)


def _put_back(ctx, g, index):
    """g added into zeros of the input's shape at `index` along ctx.dim (values' gradient)."""
    zeros = _make(ctx.xp.zeros(ctx.in_shape, g.dtype.np))
    return ScatterAdd.apply(zeros, ctx.dim, _make(index), g)


class Cummax(Op):
    """Running maximum along dim; an index moves to every element that ties or beats the
    running value (PyTorch's >=), and a NaN wins from where it appears."""
    _ufunc = "maximum"

    def forward(ctx, a, dim):
        xp = ctx.xp
        ctx.in_shape, ctx.dim = a.shape, dim
        values = accumulate(ctx._forward_cls._ufunc, a, dim) if a.size else a
        hit = a == values
        if a.dtype.kind == "f":
            hit |= xp.isnan(a)
        pos = xp.arange(a.shape[dim]).reshape((-1,) + (1,) * (a.ndim - dim - 1))
        idx = accumulate("maximum", xp.where(hit, pos, 0), dim) if a.size else \
            xp.zeros(a.shape, np.int64)
        ctx.index = idx.astype(np.int64, copy=False)
        ctx.mark_non_differentiable(ctx.index)
        return values.copy(), ctx.index

    def backward(ctx, g, _):
        return _put_back(ctx, g, ctx.index)


class Cummin(Cummax):
    _ufunc = "minimum"


def _cum(op, tuple_type, input, dim):
    dim = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        values, indices = op.apply(input.reshape(1), 0)
        return tuple_type(values.reshape(()), indices.reshape(()))
    return tuple_type(*op.apply(input, dim))


@axis_alias
def cummax(input, dim, *, out=None):
    """(values, indices) of the running maximum along dim."""
    return _cum(Cummax, _rt.cummax, input, dim)


@axis_alias
def cummin(input, dim, *, out=None):
    """(values, indices) of the running minimum along dim."""
    return _cum(Cummin, _rt.cummin, input, dim)


class Kthvalue(Op):
    def forward(ctx, a, k, dim, keepdim):
        xp = ctx.xp
        ctx.in_shape, ctx.dim = a.shape, dim
        order = xp.argsort(a, axis=dim, kind="stable")
        idx = xp.take(order, [k - 1], axis=dim).astype(np.int64)
        values = xp.take_along_axis(a, idx, axis=dim)
        ctx.index = idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        ctx.mark_non_differentiable(idx)
        return values, idx

    def backward(ctx, g, _):
        if g.ndim < len(ctx.in_shape):
            g = g.unsqueeze(ctx.dim)
        return _put_back(ctx, g, ctx.index)


@axis_alias
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the k-th smallest element along dim."""
    if input.dtype is _dtype.bool:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    dim = wrap_dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    k = builtins.int(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if input.ndim == 0:
        values, indices = Kthvalue.apply(input.reshape(1), k, 0, False)
        return _rt.kthvalue(values, indices)
    return _rt.kthvalue(*Kthvalue.apply(input, k, dim, keepdim))


def _side(right, side):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        return side
    return "right" if right else "left"


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Insertion points of input's values in the innermost dim of sorted_sequence (whose
    leading dims, if any, match input's)."""
    from .._backend import xp_of
    seq = sorted_sequence._data
    xp = xp_of(seq)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input, dtype=seq.dtype) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    s = _side(right, side)
    if seq.ndim == 1:
        idx = xp.searchsorted(seq, vals, side=s)
    else:
        if scalar or seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or "
                               "the first N-1 dimensions of boundaries tensor and input value "
                               "tensor must match, but we got boundaries tensor "
                               f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
        rows_s = seq.reshape(-1, seq.shape[-1])
        rows_v = vals.reshape(-1, vals.shape[-1])
        idx = xp.stack([xp.searchsorted(r, v, side=s) for r, v in zip(rows_s, rows_v)])
        idx = idx.reshape(vals.shape)
    return _make(xp.asarray(idx).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value among 1-D ascending boundaries: i with boundaries[i-1] < x <=
    boundaries[i] (right=True: boundaries[i-1] <= x < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError("boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)



def msort(input, *, out=None):
    """The input sorted along dim 0 (the values of sort(input, 0))."""
    r = sort(input, 0).values
    return r if out is None else _out(r, out)
