"""Reductions (sum, mean, prod, var, std, norm, logsumexp, all, any ...): forward on arrays,
backward in ember ops.

Reduced dims are NumPy axes (a sorted tuple, empty for a 0-d tensor). A backward first restores
the reduced gradient to a shape that broadcasts against the input (`_restore`); sum's and mean's
also run on arrays (`_array_backward`, NOTE [ Backward on arrays ] in autograd/engine.py).
Extrema are in extrema.py, scans in scan.py.
"""
import builtins
import math
import warnings

import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._dtype import type_name as _type_name
from .._tensor import _make
from ._common import quiet
from ._numpy_names import numpy_names
from ._op import Op
from .complex import holomorphic
from .arithmetic import _NotDifferentiable
from ._reduction import _const_as, _dims, _nodiff, _restore, _sum_dtype, _tie_share
from .join import cat, narrow
from .scan import cumprod
from .shape import Expand, flip
from .unary import sgn
from .._warnings import user_stacklevel

__all__ = ["sum", "mean", "nansum", "prod", "std", "var", "std_mean", "var_mean", "norm",
           "logsumexp", "all", "any", "count_nonzero", "nanmean", "bincount", "histc",
           "cov", "corrcoef"]

_inf = float("inf")


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _safe_div(num, den):
    """num / den, and 0 where den is 0 (PyTorch masks these in the norm and std backward)."""
    zero = den._data == 0
    if not zero.any():
        return num / den
    return num / (den + _const_as(zero, den)) * _const_as(~zero, den)


# -- sum, mean, nansum, prod -----------------------------------------------------------------------

class Sum(Op):
    _array_backward = True

    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return a.sum(dtype=dtype)

    def backward(ctx, g):
        return Expand.apply(g, ctx.shape)  # shapes are known to fit: skip expand's checks


class SumDim(Op, grad_fn="SumBackward1"):
    _array_backward = True

    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim, dtype=dtype)

    def backward(ctx, g):
        return Expand.apply(_restore(g, ctx.shape, ctx.dims, ctx.keepdim), ctx.shape)


def _mean(a, dims, keepdim, dtype):
    count = a.size if dims is None else _count(a.shape, dims)
    if not count:
        return a.sum(axis=dims, keepdims=keepdim, dtype=dtype) * np.nan  # empty: NaN, no warning
    if dtype is None and (a.dtype == np.float32 or a.dtype == np.float64):
        # NumPy's mean is this sum and division behind Python checks that cost as much again on
        # a small tensor; float16 and integers keep it (it sums them in float32 / float64)
        return a.sum(axis=dims, keepdims=keepdim) / count
    return a.mean(axis=dims, keepdims=keepdim, dtype=dtype)


class Mean(Op):
    _array_backward = True

    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return _mean(a, None, False, dtype)

    def backward(ctx, g):
        return Expand.apply(g, ctx.shape) / _count(ctx.shape, range(len(ctx.shape)))


class MeanDim(Op, grad_fn="MeanBackward1"):
    _array_backward = True

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
        keep = _const_as(~ctx.xp.isnan(x._data), g)
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


# complex inputs: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Prod, ProdDim)


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


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False):
    """Sum over all dims (SumBackward0) or over `dim` (SumBackward1); ints sum in int64.
    axis/keepdims are in the signature rather than from numpy_names: sum is a hot path."""
    dtype = _sum_dtype(input._data, dtype)
    dim = axis if dim is None else dim
    keepdim = keepdim or keepdims
    if dim is None and not keepdim:
        return Sum.apply(input, dtype)
    return SumDim.apply(input, _dims(dim, input._data.ndim), keepdim, dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=False):
    """The mean over all dims or `dim`; an integer input needs an explicit float dtype."""
    if dtype is None and input._data.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_type_name(input)}")
    dtype = _dtype.to_numpy_dtype(dtype)
    if dtype is not None and dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a "
                           f"floating point or complex dtype. Got: {_type_name(dtype)}")
    dim = axis if dim is None else dim
    keepdim = keepdim or keepdims
    if dim is None and not keepdim:
        return Mean.apply(input, dtype)
    return MeanDim.apply(input, _dims(dim, input._data.ndim), keepdim, dtype)


@numpy_names
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """sum treating NaN as zero."""
    return Nansum.apply(input, _dims(dim, input._data.ndim), keepdim,
                        _sum_dtype(input._data, dtype))


@numpy_names
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
                          UserWarning, stacklevel=user_stacklevel())
        m = _mean(a, dims, True, None)
        d = a - m
        xp, sqrt = ctx.xp, ctx._forward_cls._sqrt
        with quiet():
            out = _abs2(d).sum(axis=dims, keepdims=keepdim) / builtins.float(ctx.dof)
            if sqrt:
                out = xp.sqrt(out)
            if d.dtype.kind == "f" and d.dtype.itemsize <= 4 and not xp.isfinite(out).all():
                # float32 squares overflow past ~1e19: redone in float64, as torch accumulates
                # them (its float32 std of values near 1e30 is finite)
                out = xp.square(d, dtype=np.float64).sum(axis=dims, keepdims=keepdim) / \
                    builtins.float(ctx.dof)
                out = xp.asarray(xp.sqrt(out) if sqrt else out).astype(a.dtype)
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
    if input._data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return op.apply(input, _dims(dim, input._data.ndim), correction, keepdim)


@numpy_names
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The variance with Bessel's correction by default (correction=1, or unbiased=False for 0)."""
    return _moments(Var, input, dim, unbiased, keepdim, correction)


@numpy_names
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The standard deviation; arguments as var."""
    return _moments(Std, input, dim, unbiased, keepdim, correction)


@numpy_names
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over the same dims."""
    return _moments(VarMean, input, dim, unbiased, keepdim, correction)


@numpy_names
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over the same dims."""
    return _moments(StdMean, input, dim, unbiased, keepdim, correction)

# -- norm, logsumexp -------------------------------------------------------------------------------

class LinalgVectorNorm(Op):
    """The vector p-norm over dims (torch.norm and Tensor.norm for vector orders)."""

    def forward(ctx, a, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        y = vector_norm_array(ctx.xp, a, p, dims, keepdim)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        g = _restore(g, x.shape, ctx.dims, ctx.keepdim)
        y = _restore(y, x.shape, ctx.dims, ctx.keepdim)
        return vector_norm_grad(x, y, g, ctx.p, ctx.dims)


def vector_norm_array(xp, a, p, dims, keepdim):
    """The vector p-norm of array a over dims (shared with dist and pdist)."""
    if p == 2:
        if a.dtype.kind == "f" and len(dims) == a.ndim and not keepdim:
            flat = a.ravel()  # the whole of a real array: one BLAS dot, no squared copy
            return xp.sqrt(xp.dot(flat, flat))
        return xp.sqrt(_abs2(a).sum(axis=dims, keepdims=keepdim))
    ab = xp.abs(a)
    if p == _inf and a.size:
        return ab.max(axis=dims, keepdims=keepdim)
    if p == -_inf:
        return ab.min(axis=dims, keepdims=keepdim)
    if p == 0:
        return (a != 0).sum(axis=dims, keepdims=keepdim).astype(ab.dtype)
    if p == 1 or p == _inf:  # the inf-norm of an empty tensor is 0, an empty sum
        return ab.sum(axis=dims, keepdims=keepdim)
    with quiet():
        return (ab ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)


def vector_norm_grad(x, y, g, p, dims):
    """g times the derivative of the p-norm y of Tensor x over dims, y and g broadcasting
    against x (reduced dims kept as 1); None for p == 0, a count with no gradient."""
    xp = xp_of(x._data)
    xd = x._data
    if p == 0:
        return None  # a count of nonzeros has no gradient: torch leaves x.grad undefined
    if p == 1:
        return g * _sign_of(x)
    if p == 2:
        return x * _safe_div(g, y)
    if p in (_inf, -_inf):
        share = _tie_share(xp, xp.abs(xd), y._data, dims)
        return g * (_sign_of(x) * _const_as(share, x))
    # d|x|_p/dx = x |x|^(p-2) / |x|_p^(p-1), taken as 0 where x or the norm is 0
    zero = xd == 0
    ab = x * _sign_of(x).conj() + _const_as(zero, x)
    if ab._data.dtype.kind == "c":  # |x| is real; x * conj(sgn x) holds it with a zero imag
        ab = ab.real
    return x * ab ** (p - 2) * _const_as(~zero, x) * _safe_div(g, y ** (p - 1))


def _abs2(a):
    """|a|^2 of an array, real for complex a."""
    if a.dtype.kind == "c":
        return a.real * a.real + a.imag * a.imag
    return a * a


def _sign_of(x):
    """sign(x) as a constant for real x; for complex x, sgn(x) = x / |x|, which moves with x's
    angle and so stays in the graph for double backward."""
    if x._data.dtype.kind == "c":
        return sgn(x)
    return _const_as(xp_of(x._data).sign(x._data), x)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: vector norms (p in {'fro', 2, inf, -inf, 0, 1, any float}) over dim, and the
    nuclear norm (p='nuc') of the matrices over two dims (every dim when dim is None)."""
    if isinstance(p, (tuple, list)):  # torch's parser: dims given where p goes
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(p).__name__}")
    if p == "nuc":
        from ..linalg import matrix_norm  # ember.linalg is built on these ops
        dims = tuple(range(input.ndim)) if dim is None else dim
        return matrix_norm(input, "nuc", dims, keepdim, dtype=dtype)
    if input._data.dtype.kind not in "fc":
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
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")  # torch.norm's path
    dims = _dims(dim, input._data.ndim)
    if p < 0 and input._data.size == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor "
                           "because the operation does not have an identity")
    return LinalgVectorNorm.apply(input, builtins.float(p), dims, keepdim)


class Logsumexp(Op):
    def forward(ctx, a, dims, keepdim):
        xp = ctx.xp
        ctx.dims, ctx.keepdim = dims, keepdim
        if a.dtype.kind not in "fc":
            a = a.astype(_dtype.get_default_dtype().np)
        if a.size:
            m = a.real.max(axis=dims, keepdims=True)  # complex: shifted by the largest real part
            m = xp.where(xp.isfinite(m), m, 0)
        else:
            m = xp.zeros((1,) * a.ndim, a.dtype)
        with quiet():
            y = xp.log(xp.exp(a - m).sum(axis=dims, keepdims=True)) + m
        if not keepdim:
            y = y.reshape(tuple(s for i, s in enumerate(y.shape) if i not in dims))
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        shape, dims, keepdim = x.shape, ctx.dims, ctx.keepdim
        return _restore(g, shape, dims, keepdim) * (x - _restore(y, shape, dims, keepdim)).exp()


# complex inputs: J^H g from the same formula (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Logsumexp)


@numpy_names
def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over dim, computed stably; integer inputs give the default float."""
    return Logsumexp.apply(input, _dims(dim, input._data.ndim), keepdim)

# -- logical and counting reductions (no gradient) ------------------------------------------------

def _logical(name, input, dim, keepdim):
    a = input._data
    dims = _dims(dim, a.ndim)
    out_dtype = a.dtype if a.dtype == np.uint8 else np.bool_
    return _nodiff(input, lambda xp, x: getattr(xp, name)(x, axis=dims, keepdims=keepdim)
                   .astype(out_dtype, copy=False))


@numpy_names
def all(input, dim=None, keepdim=False):
    """True where every element along dim is nonzero (uint8 in, uint8 out)."""
    return _logical("all", input, dim, keepdim)


@numpy_names
def any(input, dim=None, keepdim=False):
    """True where some element along dim is nonzero (uint8 in, uint8 out)."""
    return _logical("any", input, dim, keepdim)


@numpy_names
def count_nonzero(input, dim=None):
    """The number of nonzero elements over dim (all when None), as int64."""
    dims = _dims(dim, input._data.ndim)
    return _nodiff(input, lambda xp, x: (x != 0).sum(axis=dims, dtype=np.int64))


@numpy_names
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the non-NaN elements (nansum over their count)."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {_dtype.LEGACY_NAMES[input.dtype][:-len('Tensor')]}")
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be either "
                           f"a floating point or complex dtype. Got: {_type_name(dtype)}")
    count = _make(xp_of(input._data).asarray(~xp_of(input._data).isnan(input._data)))
    count = count.sum(dim, keepdim)  # asarray: a 0-d input's mask comes back as a NumPy scalar
    return nansum(input, dim, keepdim, dtype=dtype) / count


def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in the 1-D input (or the sum of its weights:
    float32 weights count in float32, any other in float64)."""
    a = input._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_type_name(a)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if a.ndim != 1 or a.size and builtins.int(a.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = xp_of(a)
    if weights is None:
        return _make(xp.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    return WeightedBincount.apply(input, weights, minlength)


class WeightedBincount(_NotDifferentiable, grad_fn="NotImplemented"):
    """bincount's sums of weights: torch records the call but gives it no derivative, so its
    backward raises."""

    def forward(ctx, a, w, minlength):
        ctx.name = "bincount"
        out = ctx.xp.bincount(a, weights=w, minlength=minlength)
        return out.astype(np.float32 if w.dtype == np.float32 else np.float64)


def _c_float(x):
    """A float as torch's C++ prints it in messages (-nan for NaN, as glibc prints it)."""
    if math.isnan(x):
        return "-nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(int(x)) if x == int(x) else repr(x)


def histc(input, bins=100, min=0, max=0):
    """Counts of input's elements in `bins` equal bins over [min, max] (the data's range when
    min == max), in input's dtype; elements outside are not counted."""
    a = input._data
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_type_name(a)}'")
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi and a.size:
        lo, hi = builtins.float(a.min()), builtins.float(a.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):  # NaN data gives a NaN range
        raise RuntimeError(f"torch.histc: range of [{_c_float(lo)}, {_c_float(hi)}] is not "
                           "finite")
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    xp = xp_of(a)
    counts, _ = xp.histogram(a, bins=bins, range=(lo, hi))
    return _make(counts.astype(a.dtype))


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of input's rows (variables) over its columns (observations); a
    1-D input is one variable. fweights count observations, aweights weight them."""
    x = input if input.ndim == 2 else input.reshape(1, -1)
    if x.dtype == _dtype.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    for name, t, kinds, want in (("fweights", fweights, "iu", "integral"),
                                 ("aweights", aweights, "f", "floating point")):
        if t is not None and t._data.dtype.kind not in kinds:
            raise RuntimeError(f"cov(): expected {name} to have {want} dtype but got {name} with "
                               f"{_dtype.type_name(t)} dtype")
    if x._data.dtype.kind not in "fc":
        x = x.to(_dtype.get_default_dtype())
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        n = x.shape[1]
        avg = x.mean(1, keepdim=True)
        fact = builtins.max(n - correction, 0)
        xc = x - avg
        c = xc.matmul(xc.t().conj())
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        fact = (w_sum - correction * ((w * aweights).sum() / w_sum if aweights is not None
                                      else 1)).clamp(min=0)
        xc = x - avg
        c = (xc * w).matmul(xc.t().conj())
    # torch's result is squeezed whole (SqueezeBackward0): one variable gives a 0-d tensor
    return (c / fact).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of input's rows, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.reshape(-1, 1) / std.reshape(1, -1)).clamp(-1, 1)
