"""Scans (cumsum, cumprod, logcumsumexp): forward on arrays, backward in ember ops."""
import numpy as np

from .._backend import accumulate, xp_of
from .._dtype import type_name as _type_name
from .._tensor import _make
from ._common import _float, _out, quiet
from ._numpy_names import numpy_names
from ._op import Op, wrap_dim
from .complex import holomorphic
from .arithmetic import DivScalar, MulScalar
from .join import cat, narrow
from ._reduction import _sum_dtype
from .clamping import where
from .shape import flip

__all__ = ["cumsum", "cumprod", "logcumsumexp", "diff", "trapezoid", "trapz",
           "cumulative_trapezoid"]


# torch's CPU scans accumulate half and single precision in double (its acc_type), so a cumsum of
# 2**25 float32 ones ends at 2**25, not at 2**24 where float32 steps stop; its CUDA scans do not
_CPU_ACCUMULATOR = {np.dtype(np.float16): np.float64, np.dtype(np.float32): np.float64,
                    np.dtype(np.complex64): np.complex128}


def _scan_array(a, name, dim, dtype):
    """a.cumsum or a.cumprod along dim; a 0-d array is its own scan (in the requested dtype)."""
    if a.ndim == 0:
        return a.astype(a.dtype if dtype is None else dtype, copy=True)
    result = a.dtype if dtype is None else np.dtype(dtype)
    wide = _CPU_ACCUMULATOR.get(result) if type(a) is np.ndarray else None
    if wide is not None:  # the input cast first, as torch does: int32 2**31 - 1 is 2**31 then
        return getattr(a.astype(result, copy=False), name)(axis=dim, dtype=wide).astype(result)
    return getattr(a, name)(axis=dim, dtype=dtype)


class Cumsum(Op):
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        return _scan_array(a, "cumsum", dim, dtype)

    def backward(ctx, g):
        return _reverse_cumsum(g, ctx.dim)


def _reverse_cumsum(g, d):
    if g.ndim == 0:
        return g
    return flip(cumsum(flip(g, (d,)), d), (d,))


class Cumprod(Op):
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        y = _scan_array(a, "cumprod", dim, dtype)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.dim
        if x.ndim == 0:
            return g
        xp = xp_of(x._data)
        if xp.isfinite(x._data).all() and not (x._data == 0).any():
            return _reverse_cumsum(g * y, d) / x
        return _cumprod_backward_with_zeros(g, x, d)  # dividing would give 0/0 or inf/inf


# complex inputs: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Cumprod)


def _cumprod_backward_with_zeros(g, x, d):
    """grad_i = sum_{j>=i} g_j prod_{k<=j, k!=i} x_k, without dividing by x_i (zero or not
    finite).

    The products are cumprods of n copies of x (moved to the last dim), copy i having x_i
    replaced by 1: O(n^2) along dim, used only when x holds a zero.
    """
    xp = xp_of(x._data)
    n = x.shape[d]
    xm = x.movedim(d, -1)
    eye = _make(xp.eye(n, dtype=bool))
    copies = where(eye, 1.0, xm.unsqueeze(-2))  # not x * (1 - eye): inf * 0 is NaN
    upper = _make(xp.triu(xp.ones((n, n), dtype=bool)))
    grad = (where(upper, cumprod(copies, -1), 0.0) * g.movedim(d, -1).unsqueeze(-2)).sum(-1)
    return grad.movedim(-1, d)


def _scan(op, input, dim, dtype):
    a = input._data
    d = wrap_dim(dim, a.ndim)
    return op.apply(input, d, _sum_dtype(a, dtype))


@numpy_names
def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along dim; integer inputs accumulate in int64."""
    return _scan(Cumsum, input, dim, dtype)


@numpy_names
def cumprod(input, dim, *, dtype=None):
    """Cumulative product along dim; zeros in the input are handled exactly in the backward."""
    return _scan(Cumprod, input, dim, dtype)


class Logcumsumexp(Op):
    """y_i = log(sum_{j<=i} exp(x_j)) along dim, as a running logaddexp."""

    def forward(ctx, a, dim):
        ctx.dim = dim
        a = _float(a)
        with quiet():
            y = a.copy() if a.ndim == 0 else accumulate("logaddexp", a, dim)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        # dx_j = sum_{i>=j} g_i exp(x_j - y_i), summed in log space for g's positive and
        # negative parts apart, so that neither exp overflows. A term with no part (w_i <= 0)
        # is _NO_TERM rather than log(0) = -inf, and does not depend on y: a -inf would make
        # the backward of this logcumsumexp (double backward) NaN.
        x, y = ctx.saved_tensors
        if x.ndim == 0:
            return g
        d = ctx.dim

        def part(w):
            pos = w > 0
            terms = where(pos, where(pos, w, 1.0).log() - y, _NO_TERM)
            return flip(logcumsumexp(flip(terms, (d,)), d), (d,)).add(x).exp()
        return part(g) - part(-g)


_NO_TERM = -1e30  # exp of it (plus any finite x) is 0 in float32 and float64


@numpy_names
def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input), dim)) without overflow."""
    dim = wrap_dim(dim, input._data.ndim)  # torch checks dim before the dtype
    if input._data.dtype.kind != "f":  # torch takes floating types only
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{_type_name(input)}'")
    r = Logcumsumexp.apply(input, dim)
    return r if out is None else _out(r, out)


@numpy_names
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim, after joining prepend and append to input; bool
    inputs differ by logical xor."""
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    d = wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[d] - 1
        if length <= 0:
            return narrow(x, d, 0, 0)
        hi, lo = narrow(x, d, 1, length), narrow(x, d, 0, length)
        x = hi.logical_xor(lo) if x._data.dtype.kind == "b" else hi - lo
    return x


def _paired_sums(y, x, dim):
    """Twice each interval's area along dim by the trapezoidal rule, spacing aside when x is
    None: neighbouring values of y summed, times x's differences when x is a tensor."""
    d = wrap_dim(dim, y.ndim)
    n = y.shape[d]
    pairs = narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1)
    if x is None:
        return pairs, d
    step = diff(x, dim=-1 if x.ndim == 1 else d)
    if x.ndim == 1 and y.ndim > 1:
        step = step.reshape((-1,) + (1,) * (y.ndim - 1 - d))
    return pairs * step, d


@numpy_names
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of y along dim by the trapezoidal rule. As in torch, the sum is scaled last,
    by a Python number: dx / 2 (MulBackward1), or halved when x gives the spacing (DivBackward1)."""
    twice, d = _paired_sums(y, x, dim)
    if x is None:
        return MulScalar.apply(twice.sum(d), (1.0 if dx is None else dx) / 2.0)
    return DivScalar.apply(twice.sum(d), 2.0)


trapz = trapezoid  # torch's older name, the same function


@numpy_names
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running integral of y along dim by the trapezoidal rule (halved last when x gives the
    spacing, as in torch)."""
    twice, d = _paired_sums(y, x, dim)
    if x is None:
        return cumsum(twice * ((1.0 if dx is None else dx) / 2.0), d)
    return DivScalar.apply(cumsum(twice, d), 2.0)
