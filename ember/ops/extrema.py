"""Extrema and order statistics over dims (max, min, amax, amin, median, argmax, argmin):
forward on arrays, backward in ember ops.

The gradient only selects elements: a product with a constant mask built from the saved arrays
(shared evenly by ties, or at the picked indices), so double backward is a product with a
constant too.
"""

import numpy as np

from .. import _dtype
from .. import return_types as _rt
from .._backend import accumulate
from .._tensor import Tensor
from ._numpy_names import numpy_names
from ._op import Op, wrap_dim
from ._reduction import _const_as, _dims, _nodiff, _restore, _tie_share

__all__ = ["max", "min", "amax", "amin", "median", "nanmedian", "argmax", "argmin",
           "aminmax", "mode"]



def _check_dims_nonempty(name, a, dims):
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _check_numel(name, a):
    if a.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")


# -- over every element ----------------------------------------------------------------------------

class _OfAll(Op):
    """A value of every element (max, min, median): the elements equal to it share the gradient
    evenly."""

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * _const_as(_tie_share(ctx.xp, x._data, y._data), g)


class Max(_OfAll, grad_fn="MaxBackward1"):
    _reduce = "max"

    def forward(ctx, a):
        y = getattr(a, ctx._forward_cls._reduce)()
        ctx.save_for_backward(a, y)
        return y


class Min(Max, grad_fn="MinBackward1"):
    _reduce = "min"


class Median(_OfAll):
    """The lower median of every element; NaN if there is one."""

    def forward(ctx, a):
        flat = a.reshape(-1)
        if flat.size == 0:
            y = ctx.xp.full((), np.nan, a.dtype)
        elif a.dtype.kind == "f" and ctx.xp.isnan(flat).any():
            y = ctx.xp.full((), np.nan, a.dtype)
        else:
            y = ctx.xp.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]
        ctx.save_for_backward(a, y)
        return y


class NanMedian(_OfAll, grad_fn="NanmedianBackward0"):
    """The lower median of the non-NaN elements; NaN if all are."""

    def forward(ctx, a):
        flat = a.reshape(-1)
        if a.dtype.kind == "f":
            flat = flat[~ctx.xp.isnan(flat)]
        if flat.size == 0:
            y = ctx.xp.full((), np.nan, a.dtype)
        else:
            y = ctx.xp.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]
        ctx.save_for_backward(a, y)
        return y


# -- over dims -------------------------------------------------------------------------------------

class Amax(Op):
    """amax over dims; the gradient is shared evenly by ties."""
    _reduce = "max"

    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        y = getattr(a, ctx._forward_cls._reduce)(axis=dims, keepdims=keepdim)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        share = _tie_share(ctx.xp, x._data, _restore(y, x.shape, dims, keepdim)._data, dims)
        return _restore(g, x.shape, dims, keepdim) * _const_as(share, g)


class Amin(Amax):
    _reduce = "min"


class Aminmax(Op):
    """(amin, amax) over all dims or one; each gradient is shared evenly by its ties."""

    def forward(ctx, a, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        lo = a.min(axis=dims, keepdims=keepdim)
        hi = a.max(axis=dims, keepdims=keepdim)
        ctx.save_for_backward(a, lo, hi)
        return lo, hi

    def backward(ctx, g_lo, g_hi):
        x, lo, hi = ctx.saved_tensors
        dims, keepdim = ctx.dims, ctx.keepdim
        grad = None
        for g, y in ((g_lo, lo), (g_hi, hi)):
            if g is None:
                continue
            share = _tie_share(ctx.xp, x._data, _restore(y, x.shape, dims, keepdim)._data, dims)
            part = _restore(g, x.shape, dims, keepdim) * _const_as(share, g)
            grad = part if grad is None else grad + part
        return grad


class _AlongDim(Op):
    """(values, indices) along one dim, the keepdim-shaped indices given by `_indices(xp, a,
    dim)`; the gradient goes to the picked positions."""

    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.keepdim = a.shape, keepdim
        if a.ndim == 0:
            ctx.idx = ctx.xp.zeros((), np.int64)
            return a.copy(), ctx.idx
        idx = ctx._forward_cls._indices(ctx.xp, a, dim)
        ctx.dim, ctx.idx = dim, idx
        values = ctx.xp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            return values.squeeze(dim), idx.squeeze(dim)
        return values, idx

    def backward(ctx, g, g_idx=None):
        shape = ctx.shape
        if not shape:
            return g
        dim = ctx.dim
        pos = ctx.xp.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1))
        return _restore(g, shape, (dim,), ctx.keepdim) * _const_as(pos == ctx.idx, g)


class MaxDim(_AlongDim, grad_fn="MaxBackward0"):
    @staticmethod
    def _indices(xp, a, dim):
        return a.argmax(axis=dim, keepdims=True)


class MinDim(_AlongDim, grad_fn="MinBackward0"):
    @staticmethod
    def _indices(xp, a, dim):
        return a.argmin(axis=dim, keepdims=True)


class MedianDim(_AlongDim, grad_fn="MedianBackward1"):
    """The lower median along one dim; a NaN in a row is its median."""

    @staticmethod
    def _indices(xp, a, dim):
        k = (a.shape[dim] - 1) // 2
        idx = xp.take(xp.argsort(a, axis=dim, kind="stable"), [k], axis=dim)
        if a.dtype.kind == "f":
            nan = xp.isnan(a)
            has_nan = nan.any(axis=dim, keepdims=True)
            idx = xp.where(has_nan, nan.argmax(axis=dim, keepdims=True), idx)
        return idx


class NanMedianDim(_AlongDim, grad_fn="NanmedianBackward1"):
    """The lower median of each row's non-NaN elements along one dim (NaN sorts last)."""

    @staticmethod
    def _indices(xp, a, dim):
        order = xp.argsort(a, axis=dim, kind="stable")
        n = a.shape[dim] - (xp.isnan(a).sum(axis=dim, keepdims=True) if a.dtype.kind == "f" else 0)
        k = xp.maximum((n - 1) // 2, 0) + xp.zeros((1,) * a.ndim, np.int64)
        return xp.take_along_axis(order, k, axis=dim)


class ModeDim(_AlongDim, grad_fn="ModeBackward0"):
    """The most frequent value along one dim (the smallest of equally frequent ones), at its
    last position."""

    @staticmethod
    def _indices(xp, a, dim):
        m = xp.moveaxis(a, dim, -1)
        n = m.shape[-1]
        s = xp.sort(m, axis=-1)
        pos = xp.arange(n)
        new = xp.ones(s.shape, bool)  # where a run of equal sorted values starts
        new[..., 1:] = s[..., 1:] != s[..., :-1]
        start = accumulate("maximum", xp.where(new, pos, 0), -1)
        ends = xp.ones(s.shape, bool)
        ends[..., :-1] = new[..., 1:]
        end = xp.flip(accumulate("minimum", xp.flip(xp.where(ends, pos, n), -1), -1), -1)
        best = xp.argmax(end - start, axis=-1)[..., None]  # the first longest run: the smallest
        hit = m == xp.take_along_axis(s, best, -1)
        last = n - 1 - xp.argmax(hit[..., ::-1], axis=-1)[..., None]
        return xp.moveaxis(last, -1, dim)


# -- public functions ------------------------------------------------------------------------------

def _along(name, op, result, input, dim, keepdim):
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim:
        _check_dims_nonempty(name, input._data, (d,))
    return result(*op.apply(input, d, keepdim))


def _extreme(name, full, along, result, input, dim, keepdim, other):
    if isinstance(dim, Tensor) or other is not None:
        return getattr(input, "maximum" if name == "max" else "minimum")(
            dim if isinstance(dim, Tensor) else other)
    if dim is None:
        if keepdim:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(keepdim=bool), but expected one of: (), (Tensor other), "
                            "(int dim, bool keepdim)")
        _check_numel(name, input._data)
        return full.apply(input)
    return _along(name, along, result, input, dim, keepdim)


@numpy_names
def max(input, dim=None, keepdim=False, *, other=None):
    """max(input) -> value; max(input, dim, keepdim) -> (values, indices); max(a, b) = maximum."""
    return _extreme("max", Max, MaxDim, _rt.max, input, dim, keepdim, other)


@numpy_names
def min(input, dim=None, keepdim=False, *, other=None):
    """min(input) -> value; min(input, dim, keepdim) -> (values, indices); min(a, b) = minimum."""
    return _extreme("min", Min, MinDim, _rt.min, input, dim, keepdim, other)


def _refuse_bool(name, input, dim):
    """torch's median kernels take no bool: `<name>_cpu` over all elements, `<name>_out` along dim."""
    if input.dtype is _dtype.bool:
        kernel = f"{name}_cpu" if dim is None else f"{name}_out"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


@numpy_names
def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or (values, indices) along dim."""
    _refuse_bool("median", input, dim)
    if dim is None:
        return Median.apply(input)
    return _along("median", MedianDim, _rt.median, input, dim, keepdim)


@numpy_names
def nanmedian(input, dim=None, keepdim=False):
    """median ignoring NaN: of all elements, or (values, indices) along dim."""
    _refuse_bool("nanmedian", input, dim)
    if dim is None:
        return NanMedian.apply(input)
    return _along("nanmedian", NanMedianDim, _rt.nanmedian, input, dim, keepdim)


@numpy_names
def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) of all elements, or along dim."""
    a = input._data
    dims = _dims(dim, a.ndim)
    if dim is None and a.size == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    for d in dims:  # only a reduced dim that is empty has no identity
        if a.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    return _rt.aminmax(*Aminmax.apply(input, dims, keepdim))


@numpy_names
def mode(input, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along dim and where it last occurs."""
    return _along("mode", ModeDim, _rt.mode, input, dim, keepdim)


def _amax_like(op, name, input, dim, keepdim):
    """torch refuses an empty input without dims, and names an empty reduced dim as given."""
    a = input._data
    dims = _dims(dim, a.ndim)
    if a.size == 0:
        if isinstance(dim, (tuple, list)) and not len(dim):
            _check_numel(name, a)
        for given, d in zip(dim if isinstance(dim, (tuple, list)) else (dim,), dims):
            if a.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {given} to have non-zero "
                                 "size.")
    return op.apply(input, dims, keepdim)


@numpy_names
def amax(input, dim=(), keepdim=False):
    """The maximum over dims (all when dim=()); ties share the gradient evenly."""
    return _amax_like(Amax, "amax", input, dim, keepdim)


@numpy_names
def amin(input, dim=(), keepdim=False):
    """The minimum over dims (all when dim=()); ties share the gradient evenly."""
    return _amax_like(Amin, "amin", input, dim, keepdim)


def _arg(name, input, dim, keepdim):
    a = input._data
    if a.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if a.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        return _nodiff(input, lambda xp, x: getattr(xp, name)(x, axis=None, keepdims=keepdim))
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _nodiff(input, lambda xp, x: xp.zeros((), np.int64))
    _check_dims_nonempty(name, a, (d,))
    return _nodiff(input, lambda xp, x: getattr(xp, name)(x, axis=d, keepdims=keepdim))


@numpy_names
def argmax(input, dim=None, keepdim=False):
    """Index of the maximum (of the flattened input when dim is None); the first NaN wins."""
    return _arg("argmax", input, dim, keepdim)


@numpy_names
def argmin(input, dim=None, keepdim=False):
    """Index of the minimum (of the flattened input when dim is None)."""
    return _arg("argmin", input, dim, keepdim)
