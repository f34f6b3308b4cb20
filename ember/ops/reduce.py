"""Reductions and scans (sum, var, max, norm, cumsum ...): forward on arrays, backward in ember ops.

Reduced dims are NumPy axes (a sorted tuple, empty for a 0-d tensor). A backward first restores
the reduced gradient to a shape that broadcasts against the input (`_restore`). Ops whose
gradient only selects elements (max, amax, median, the inf-norm) multiply it by a constant mask
built from the saved arrays, so their double backward is a product with a constant.
"""
import builtins
import collections
import warnings

import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import Tensor, _make
from ._op import Op, _as_array, wrap_dim, wrap_dims
from .shape import Expand, _type_name, cat, flip, narrow

__all__ = ["sum", "mean", "nansum", "prod", "std", "var", "std_mean", "var_mean", "max", "min",
           "amax", "amin", "argmax", "argmin", "norm", "logsumexp", "cumsum", "cumprod", "all",
           "any", "median", "count_nonzero"]

_inf = float("inf")


def _return_type(name):
    """torch.return_types.<name>: a (values, indices) named tuple with PyTorch's repr."""
    cls = collections.namedtuple(name, ["values", "indices"])
    cls.__qualname__ = f"_{name}_result"
    cls.__module__ = __name__
    cls.__repr__ = lambda self: (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                                 f"indices={self.indices!r})")
    return cls


_max_result = _return_type("max")
_min_result = _return_type("min")
_median_result = _return_type("median")


# -- helpers ---------------------------------------------------------------------------------------

def _dims(dim, ndim):
    """Reduction dims as sorted NumPy axes; None or an empty list means every dim."""
    if dim is None or isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(ndim))
    dims = wrap_dims(dim, ndim)
    if len(set(dims)) != len(dims):
        dup = next(d for i, d in enumerate(dims) if d in dims[:i])
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if ndim else ()


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _restore(g, shape, dims, keepdim):
    """A reduced gradient reshaped so it broadcasts against the input (reduced dims kept as 1)."""
    if keepdim or len(dims) == len(shape):
        return g
    return g.reshape(tuple(1 if i in dims else s for i, s in enumerate(shape)))


def _const(array, like):
    """A constant Tensor (no grad) of `like`'s dtype: a mask or scale used in a backward."""
    return _make(xp_of(like._data).asarray(array, dtype=like._data.dtype))


def _safe_div(num, den):
    """num / den, and 0 where den is 0 (PyTorch masks these in the norm and std backward)."""
    zero = den._data == 0
    if not zero.any():
        return num / den
    return num / (den + _const(zero, den)) * _const(~zero, den)


def _sum_dtype(a, dtype):
    """Integer and bool inputs accumulate in int64 (sum, prod, cumsum ...), as in PyTorch."""
    if dtype is not None:
        return _dtype.to_numpy_dtype(dtype)
    return np.dtype(np.int64) if a.dtype.kind in "biu" else None


def _nodiff(input, fn):
    """A reduction with no gradient (argmax, all, count_nonzero): plain arrays in and out."""
    xp = xp_of(input._data)
    return _make(_as_array(fn(xp, input._data), xp))


def _check_dims_nonempty(name, a, dims):
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _check_numel(name, a):
    if a.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")


def _tie_share(xp, x, y, dims=None):
    """1/count at the elements of x equal to the (restored) result y, else 0: PyTorch spreads
    the gradient of max, amax and median evenly over ties. A NaN result selects the NaNs."""
    hit = (x == y) | (xp.isnan(x) & xp.isnan(y))
    return hit / hit.sum(axis=dims, keepdims=dims is not None)


def _onehot(xp, idx, shape, dim):
    """A mask that is 1 where the keepdim-shaped indices `idx` point along dim, else 0."""
    pos = xp.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1))
    return pos == idx


# -- sum, mean, nansum, prod -----------------------------------------------------------------------

class Sum(Op):
    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return a.sum(dtype=dtype)

    def backward(ctx, g):
        return Expand.apply(g, ctx.shape)  # shapes are known to fit: skip expand's checks


class SumDim(Op, grad_fn="SumBackward1"):
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        return Expand.apply(_restore(g, ctx.shape, ctx.dims, ctx.keepdim), ctx.shape)


def _mean(a, dims, keepdim, dtype):
    if a.size if dims is None else _count(a.shape, dims):
        return a.mean(axis=dims, keepdims=keepdim, dtype=dtype)
    return a.sum(axis=dims, keepdims=keepdim, dtype=dtype) * np.nan  # empty: NaN, no warning


class Mean(Op):
    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return _mean(a, None, False, dtype)

    def backward(ctx, g):
        return Expand.apply(g, ctx.shape) / _count(ctx.shape, range(len(ctx.shape)))


class MeanDim(Op, grad_fn="MeanBackward1"):
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return _mean(a, dims, keepdim, dtype)

    def backward(ctx, g):
        g = Expand.apply(_restore(g, ctx.shape, ctx.dims, ctx.keepdim), ctx.shape)
        return g / _count(ctx.shape, ctx.dims)


class Nansum(Op):
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.save_for_backward(a)
        ctx.dims, ctx.keepdim = dims, keepdim
        return ctx.xp.nansum(a, axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        keep = _const(~ctx.xp.isnan(x._data), g)
        return _restore(g, x.shape, ctx.dims, ctx.keepdim) * keep


class Prod(Op):
    def forward(ctx, a, dtype=None):
        y = a.prod(dtype=dtype)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if not (x._data == 0).any():
            return g * y / x
        return g * _prod_others(x.reshape(-1), 0).reshape(x.shape)


class ProdDim(Op, grad_fn="ProdBackward1"):
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.dims, ctx.keepdim = dims, keepdim
        y = a.prod(axis=dims, keepdims=keepdim, dtype=dtype)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        g = _restore(g, x.shape, ctx.dims, ctx.keepdim)
        if not ctx.dims:
            return g
        if not (x._data == 0).any():
            return g * _restore(y, x.shape, ctx.dims, ctx.keepdim) / x
        return g * _prod_others(x, ctx.dims[0])


def _ones_along(x, d):
    shape = list(x.shape)
    shape[d] = 1
    return _make(xp_of(x._data).ones(tuple(shape), x._data.dtype))


def _prod_others(x, d):
    """The product of the other elements along dim d without dividing, so zeros are safe: the
    exclusive cumulative product from the left times the one from the right."""
    n = x.shape[d]
    ones = _ones_along(x, d)
    left = cat([ones, cumprod(narrow(x, d, 0, n - 1), d)], d)
    right = cat([ones, cumprod(narrow(flip(x, (d,)), d, 0, n - 1), d)], d)
    return left * flip(right, (d,))


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Sum over all dims (SumBackward0) or over `dim` (SumBackward1); ints sum in int64."""
    dtype = _sum_dtype(input._data, dtype)
    dim = axis if dim is None else dim
    if dim is None and not keepdim:
        return Sum.apply(input, dtype)
    return SumDim.apply(input, _dims(dim, input._data.ndim), keepdim, dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """The mean over all dims or `dim`; an integer input needs an explicit float dtype."""
    if dtype is None and input._data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_type_name(input)}")
    dtype = _dtype.to_numpy_dtype(dtype)
    dim = axis if dim is None else dim
    if dim is None and not keepdim:
        return Mean.apply(input, dtype)
    return MeanDim.apply(input, _dims(dim, input._data.ndim), keepdim, dtype)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """sum treating NaN as zero."""
    return Nansum.apply(input, _dims(dim, input._data.ndim), keepdim,
                        _sum_dtype(input._data, dtype))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product over all elements (ProdBackward0) or one int dim (ProdBackward1)."""
    dtype = _sum_dtype(input._data, dtype)
    if dim is None:
        return Prod.apply(input, dtype)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    return ProdDim.apply(input, _dims(dim, input._data.ndim), keepdim, dtype)


# -- var, std and their means ----------------------------------------------------------------------

class _Moments(Op):
    """Shared forward/backward of var, std, var_mean and std_mean (subclasses set the outputs)."""
    _sqrt = False
    _with_mean = False

    def forward(ctx, a, dims, correction, keepdim):
        n = _count(a.shape, dims)
        ctx.dims, ctx.keepdim, ctx.n = dims, keepdim, n
        ctx.dof = builtins.max(n - correction, 0)
        if ctx.dof == 0:
            name = "std" if ctx._forward_cls._sqrt else "var"
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the reduction factor (input numel divided by output numel).",
                          UserWarning, stacklevel=4)
        m = _mean(a, dims, True, None)
        d = a - m
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (d * d).sum(axis=dims, keepdims=keepdim) / builtins.float(ctx.dof)
        if ctx._forward_cls._sqrt:
            out = ctx.xp.sqrt(out)
        ctx.save_for_backward(a, out)
        if ctx._forward_cls._with_mean:
            return out, (m if keepdim else m.reshape(out.shape))
        return out

    def backward(ctx, g, g_mean=None):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = x.shape, ctx.dims, ctx.keepdim
        if ctx._forward_cls._sqrt:
            g = _safe_div(g, out) * 0.5
        scale = 2.0 / ctx.dof if ctx.dof else _inf
        grad = _restore(g, shape, dims, keepdim) * (x - mean(x, dims, keepdim=True)) * scale
        if g_mean is not None:
            grad = grad + _restore(g_mean, shape, dims, keepdim) / ctx.n
        return grad


class Var(_Moments):
    pass


class Std(_Moments):
    _sqrt = True


class VarMean(_Moments):
    _with_mean = True


class StdMean(_Moments):
    _sqrt = True
    _with_mean = True


def _moments(op, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError("var()/std() take either 'unbiased' or 'correction', not both")
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return op.apply(input, _dims(dim, input._data.ndim), correction, keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The variance with Bessel's correction by default (correction=1, or unbiased=False for 0)."""
    return _moments(Var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The standard deviation; arguments as var."""
    return _moments(Std, input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over the same dims."""
    return _moments(VarMean, input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over the same dims."""
    return _moments(StdMean, input, dim, unbiased, keepdim, correction)


# -- max, min, amax, amin, median, argmax, argmin -------------------------------------------------

class Max(Op, grad_fn="MaxBackward1"):
    """max() of every element; the gradient is shared evenly by ties."""
    _reduce = "max"

    def forward(ctx, a):
        y = getattr(a, ctx._forward_cls._reduce)()
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * _const(_tie_share(ctx.xp, x._data, y._data), g)


class Min(Max, grad_fn="MinBackward1"):
    _reduce = "min"


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
        return _restore(g, x.shape, dims, keepdim) * _const(share, g)


class Amin(Amax):
    _reduce = "min"


class MaxDim(Op, grad_fn="MaxBackward0"):
    """(values, indices) along one dim: one argmax, one take_along_axis."""
    _arg = "argmax"

    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.keepdim = a.shape, keepdim
        if a.ndim == 0:
            ctx.idx = ctx.xp.zeros((), np.int64)
            return a.copy(), ctx.idx
        idx = getattr(a, ctx._forward_cls._arg)(axis=dim, keepdims=True)
        return _take(ctx, a, idx, dim, keepdim)

    def backward(ctx, g, g_idx=None):
        return _select_backward(ctx, g)


class MinDim(MaxDim, grad_fn="MinBackward0"):
    _arg = "argmin"


class Median(Op):
    """The lower median of every element; the gradient is shared evenly by ties."""

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

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * _const(_tie_share(ctx.xp, x._data, y._data), g)


class MedianDim(Op, grad_fn="MedianBackward1"):
    """(values, indices) of the lower median along one dim; a NaN in a row is its median."""

    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.keepdim = a.shape, keepdim
        if a.ndim == 0:
            ctx.idx = ctx.xp.zeros((), np.int64)
            return a.copy(), ctx.idx
        xp = ctx.xp
        k = (a.shape[dim] - 1) // 2
        order = xp.argsort(a, axis=dim, kind="stable")
        idx = xp.take(order, [k], axis=dim)
        if a.dtype.kind == "f":
            nan = xp.isnan(a)
            has_nan = nan.any(axis=dim, keepdims=True)
            idx = xp.where(has_nan, nan.argmax(axis=dim, keepdims=True), idx)
        return _take(ctx, a, idx, dim, keepdim)

    def backward(ctx, g, g_idx=None):
        return _select_backward(ctx, g)


def _take(ctx, a, idx, dim, keepdim):
    """Values at the keepdim-shaped indices idx along dim; ctx keeps them for the backward."""
    ctx.dim, ctx.idx = dim, idx
    values = ctx.xp.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        return values.squeeze(dim), idx.squeeze(dim)
    return values, idx


def _select_backward(ctx, g):
    """The gradient of values picked by index: g placed at the picked positions, 0 elsewhere."""
    if not ctx.shape:
        return g
    dims = (ctx.dim,)
    mask = _onehot(ctx.xp, ctx.idx, ctx.shape, ctx.dim)
    return _restore(g, ctx.shape, dims, ctx.keepdim) * _const(mask, g)


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
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim:
        _check_dims_nonempty(name, input._data, (d,))
    return result(*along.apply(input, d, keepdim))


def max(input, dim=None, keepdim=False, *, other=None):
    """max(input) -> value; max(input, dim, keepdim) -> (values, indices); max(a, b) = maximum."""
    return _extreme("max", Max, MaxDim, _max_result, input, dim, keepdim, other)


def min(input, dim=None, keepdim=False, *, other=None):
    """min(input) -> value; min(input, dim, keepdim) -> (values, indices); min(a, b) = minimum."""
    return _extreme("min", Min, MinDim, _min_result, input, dim, keepdim, other)


def _amax_like(op, name, input, dim, keepdim):
    a = input._data
    dims = _dims(dim, a.ndim)
    if a.size == 0 and len(dims) == a.ndim:
        _check_numel(name, a)
    _check_dims_nonempty(name, a, dims)
    return op.apply(input, dims, keepdim)


def amax(input, dim=(), keepdim=False):
    """The maximum over dims (all when dim=()); ties share the gradient evenly."""
    return _amax_like(Amax, "amax", input, dim, keepdim)


def amin(input, dim=(), keepdim=False):
    """The minimum over dims (all when dim=()); ties share the gradient evenly."""
    return _amax_like(Amin, "amin", input, dim, keepdim)


def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or (values, indices) along dim."""
    if dim is None:
        return Median.apply(input)
    d = wrap_dim(dim, input._data.ndim)
    if input._data.ndim:
        _check_dims_nonempty("median", input._data, (d,))
    return _median_result(*MedianDim.apply(input, d, keepdim))


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


def argmax(input, dim=None, keepdim=False):
    """Index of the maximum (of the flattened input when dim is None); the first NaN wins."""
    return _arg("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """Index of the minimum (of the flattened input when dim is None)."""
    return _arg("argmin", input, dim, keepdim)


# -- norm, logsumexp -------------------------------------------------------------------------------

class LinalgVectorNorm(Op):
    """The vector p-norm over dims (torch.norm and Tensor.norm for vector orders)."""

    def forward(ctx, a, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        xp = ctx.xp
        ab = xp.abs(a)
        if p == 2:
            y = xp.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
        elif p == _inf and a.size:
            y = ab.max(axis=dims, keepdims=keepdim)
        elif p == -_inf:
            y = ab.min(axis=dims, keepdims=keepdim)
        elif p == 0:
            y = (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
        elif p == 1 or p == _inf:  # the inf-norm of an empty tensor is 0, an empty sum
            y = ab.sum(axis=dims, keepdims=keepdim)
        else:
            with np.errstate(divide="ignore"):
                y = (ab ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        p, xp = ctx.p, ctx.xp
        g = _restore(g, x.shape, ctx.dims, ctx.keepdim)
        y = _restore(y, x.shape, ctx.dims, ctx.keepdim)
        xd = x._data
        if p == 0:
            return g * _const(xp.zeros_like(xd), g)
        if p == 1:
            return g * _const(xp.sign(xd), g)
        if p == 2:
            return x * _safe_div(g, y)
        if p in (_inf, -_inf):
            share = _tie_share(xp, xp.abs(xd), y._data, ctx.dims)
            return g * _const(xp.sign(xd) * share, g)
        # d|x|_p/dx = x |x|^(p-2) / |x|_p^(p-1), taken as 0 where x or the norm is 0
        zero = xd == 0
        ab = x * _const(xp.sign(xd), x) + _const(zero, x)
        return x * ab ** (p - 2) * _const(~zero, x) * _safe_div(g, y ** (p - 1))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm for vector norms: p in {'fro', 2, inf, -inf, 0, 1, any float} over dim."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_type_name(input)}")
    if dtype is not None:
        want = _dtype.to_numpy_dtype(dtype)
        if want.kind != "f":
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {_type_name(dtype)}")
        if np.promote_types(input._data.dtype, want) != want:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_type_name(input)}) "
                               "should be convertible without narrowing to the specified dtype "
                               f"({_type_name(dtype)})")
        input = input.to(dtype)
    if p is None or p == "fro":
        p = 2
    elif isinstance(p, str):
        raise NotImplementedError(f"norm(): p={p!r} (a matrix norm) is not supported by ember")
    dims = _dims(dim, input._data.ndim)
    if p < 0 and input._data.size == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor "
                           "because the operation does not have an identity")
    return LinalgVectorNorm.apply(input, builtins.float(p), dims, keepdim)


class Logsumexp(Op):
    def forward(ctx, a, dims, keepdim):
        xp = ctx.xp
        ctx.dims, ctx.keepdim = dims, keepdim
        if a.dtype.kind != "f":
            a = a.astype(_dtype.get_default_dtype().np)
        if a.size:
            m = a.max(axis=dims, keepdims=True)
            m = xp.where(xp.isfinite(m), m, 0)
        else:
            m = xp.zeros((1,) * a.ndim, a.dtype)
        with np.errstate(divide="ignore"):
            y = xp.log(xp.exp(a - m).sum(axis=dims, keepdims=True)) + m
        if not keepdim:
            y = y.reshape(tuple(s for i, s in enumerate(y.shape) if i not in dims))
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        shape, dims, keepdim = x.shape, ctx.dims, ctx.keepdim
        return _restore(g, shape, dims, keepdim) * (x - _restore(y, shape, dims, keepdim)).exp()


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over dim, computed stably; integer inputs give the default float."""
    return Logsumexp.apply(input, _dims(dim, input._data.ndim), keepdim)


# -- scans -----------------------------------------------------------------------------------------

class Cumsum(Op):
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        if a.ndim == 0:
            return a.astype(a.dtype if dtype is None else dtype, copy=True)
        return a.cumsum(axis=dim, dtype=dtype)

    def backward(ctx, g):
        return _reverse_cumsum(g, ctx.dim)


def _reverse_cumsum(g, d):
    if g.ndim == 0:
        return g
    return flip(cumsum(flip(g, (d,)), d), (d,))


class Cumprod(Op):
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        if a.ndim == 0:
            y = a.astype(a.dtype if dtype is None else dtype, copy=True)
        else:
            y = a.cumprod(axis=dim, dtype=dtype)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.dim
        if x.ndim == 0:
            return g
        if not (x._data == 0).any():
            return _reverse_cumsum(g * y, d) / x
        return _cumprod_backward_with_zeros(g, x, d)


def _cumprod_backward_with_zeros(g, x, d):
    """grad_i = sum_{j>=i} g_j prod_{k<=j, k!=i} x_k, without dividing by x_i.

    The products are cumprods of n copies of x (moved to the last dim), copy i having x_i
    replaced by 1: O(n^2) along dim, used only when x holds a zero.
    """
    xp = xp_of(x._data)
    n = x.shape[d]
    xm = x.movedim(d, -1)
    eye = xp.eye(n, dtype=x._data.dtype)
    copies = xm.unsqueeze(-2) * _make(1 - eye) + _make(eye)
    upper = _make(xp.triu(xp.ones((n, n), x._data.dtype)))
    grad = (cumprod(copies, -1) * upper * g.movedim(d, -1).unsqueeze(-2)).sum(-1)
    return grad.movedim(-1, d)


def _scan(op, input, dim, dtype):
    a = input._data
    d = wrap_dim(dim, a.ndim)
    return op.apply(input, d, _sum_dtype(a, dtype))


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along dim; integer inputs accumulate in int64."""
    return _scan(Cumsum, input, dim, dtype)


def cumprod(input, dim, *, dtype=None):
    """Cumulative product along dim; zeros in the input are handled exactly in the backward."""
    return _scan(Cumprod, input, dim, dtype)


# -- logical and counting reductions (no gradient) ------------------------------------------------

def _logical(name, input, dim, keepdim):
    a = input._data
    dims = _dims(dim, a.ndim)
    out_dtype = a.dtype if a.dtype == np.uint8 else np.bool_
    return _nodiff(input, lambda xp, x: getattr(xp, name)(x, axis=dims, keepdims=keepdim)
                   .astype(out_dtype, copy=False))


def all(input, dim=None, keepdim=False):
    """True where every element along dim is nonzero (uint8 in, uint8 out)."""
    return _logical("all", input, dim, keepdim)


def any(input, dim=None, keepdim=False):
    """True where some element along dim is nonzero (uint8 in, uint8 out)."""
    return _logical("any", input, dim, keepdim)


def count_nonzero(input, dim=None):
    """The number of nonzero elements over dim (all when None), as int64."""
    dims = _dims(dim, input._data.ndim)
    return _nodiff(input, lambda xp, x: (x != 0).sum(axis=dims, dtype=np.int64))
