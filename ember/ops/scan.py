"""Scans (cumsum, cumprod): forward on arrays, backward in ember ops."""
from .._backend import xp_of
from .._tensor import _make
from ._op import Op, wrap_dim
from ._reduction import _sum_dtype
from .clamping import where
from .shape import flip

__all__ = ["cumsum", "cumprod"]


def _scan_array(a, name, dim, dtype):
    """a.cumsum or a.cumprod along dim; a 0-d array is its own scan (in the requested dtype)."""
    if a.ndim == 0:
        return a.astype(a.dtype if dtype is None else dtype, copy=True)
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


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along dim; integer inputs accumulate in int64."""
    return _scan(Cumsum, input, dim, dtype)


def cumprod(input, dim, *, dtype=None):
    """Cumulative product along dim; zeros in the input are handled exactly in the backward."""
    return _scan(Cumprod, input, dim, dtype)
