"""Order statistics and searches (cummax, cummin, kthvalue, searchsorted, bucketize): values are
differentiable through their indices, the indices and search results are int64 constants."""
import builtins

import numpy as np

from .. import _dtype
from .. import return_types as _rt
from .._backend import accumulate, xp_of
from .._tensor import Tensor, _make
from ._common import _out
from ._numpy_names import numpy_names
from ._op import Op, wrap_dim
from .scatter_gather import ScatterAdd
from .shape import UnsafeView
from .join import stack
from .scatter_gather import gather
from .sorting import sort

__all__ = ["cummax", "cummin", "kthvalue", "searchsorted", "bucketize", "msort", "quantile",
           "nanquantile"]

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


@numpy_names
def cummax(input, dim, *, out=None):
    """(values, indices) of the running maximum along dim."""
    return _cum(Cummax, _rt.cummax, input, dim)


@numpy_names
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


@numpy_names
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """(values, indices) of the k-th smallest element along dim; torch checks the dim's size,
    then k, then the dtype."""
    dim = wrap_dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {dim} to have non-zero size.")
    k = builtins.int(k)
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if input.dtype is _dtype.bool and input.ndim:  # a 0-d tensor is its own kth value
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
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


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    """The q-th quantiles along dim (of every element when dim is None): the sorted values at
    position q * (n - 1), interpolated between the two around it. NaNs sort last; with
    ignore_nan n counts the others, else a row holding a NaN reads its last value (a NaN, which
    gets the gradient, as in torch). Errors name quantile() for both, as torch's do."""
    name = "quantile"
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = [builtins.float(v) for v in q._data.reshape(-1)]
    else:
        qs = [builtins.float(q)]
    for v in qs:
        if not 0.0 <= v <= 1.0:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {v}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest, but got {interpolation}")
    if a.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, a.ndim)
    if x.ndim == 0:
        x = x.reshape(1)
    xp = xp_of(a)
    nan = xp.isnan(x._data)
    rows = nan.any(axis=d, keepdims=True)
    n = x.shape[d] - nan.sum(axis=d, keepdims=True) if ignore_nan else x.shape[d]
    values = sort(x, d).values
    out = []
    for v in qs:
        pos = v * (xp.maximum(n, 1) - 1) + xp.zeros(rows.shape)
        if not ignore_nan:  # a row with a NaN reads its last sorted value: a NaN
            pos = xp.where(rows, n - 1, pos)
        lo, hi = xp.floor(pos), xp.ceil(pos)
        if interpolation == "nearest":
            lo = hi = xp.round(pos)
        elif interpolation == "lower":
            hi = lo
        elif interpolation == "higher":
            lo = hi
        r = gather(values, d, _make(lo.astype(np.int64)))
        if interpolation in ("linear", "midpoint"):
            frac = pos - lo if interpolation == "linear" else xp.full(pos.shape, 0.5)
            upper = gather(values, d, _make(hi.astype(np.int64)))
            r = r + (upper - r) * _make(frac.astype(a.dtype))
        out.append(r)
    r = stack(out) if isinstance(q, Tensor) and q.ndim else out[0]
    lead = 1 if isinstance(q, Tensor) and q.ndim else 0
    if dim is None:
        shape = r.shape[:lead] + ((1,) * a.ndim if keepdim else ())
    else:
        shape = r.shape if keepdim else r.shape[:d + lead] + r.shape[d + lead + 1:]
    return QuantileShape.apply(r, tuple(shape))


class QuantileShape(UnsafeView, grad_fn="SqueezeBackward4"):
    """The quantiles reshaped to their result: torch's last step squeezes its rank dim in place
    whatever the arguments, so the result's grad_fn is SqueezeBackward4."""


@numpy_names
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles of input along dim (of every element when dim is None); NaN where
    a NaN takes part."""
    r = _quantile(input, q, dim, keepdim, interpolation, False)
    return r if out is None else _out(r, out)


@numpy_names
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile over the non-NaN values only (NaN where a row has none)."""
    r = _quantile(input, q, dim, keepdim, interpolation, True)
    return r if out is None else _out(r, out)
