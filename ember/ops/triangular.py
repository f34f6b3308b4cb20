"""Triangles and diagonals of matrices (tril, triu, diagonal, diag, diag_embed, trace, *_indices).

NOTE [ Writable diagonals ]
NumPy's `diagonal` returns a read-only view, but `Tensor.diagonal` is a view PyTorch lets you
write through (`x.diagonal().fill_(0)`, and ember's CopySlices replays the view to write). So the
diagonal is built with `as_strided` from the diagonal's own strides, after slicing `offset` off
the start of dim1 or dim2: the same memory, writable.
"""
import numpy as np

from .. import _dtype
from .._backend import xp_of
from ._op import Op, wrap_dim

__all__ = ["tril", "triu", "diagonal", "diag", "diag_embed", "trace", "tril_indices",
           "triu_indices"]


def _diag_view(a, offset, dim1, dim2):
    """The writable diagonal view of array a (NOTE [ Writable diagonals ])."""
    key = [slice(None)] * a.ndim
    if offset >= 0:
        key[dim2] = slice(offset, None)
    else:
        key[dim1] = slice(-offset, None)
    b = a[tuple(key)]
    d = b.diagonal(0, dim1, dim2)
    return xp_of(a).lib.stride_tricks.as_strided(b, d.shape, d.strides)


class Tril(Op):
    _fn = "tril"

    def forward(ctx, a, k):
        ctx.k = k
        return getattr(ctx.xp, ctx._forward_cls._fn)(a, k)

    def backward(ctx, g):
        return ctx._forward_cls.apply(g, ctx.k)


class Triu(Tril):
    _fn = "triu"


class Diagonal(Op):
    _is_view = True

    def forward(ctx, a, offset, dim1, dim2):
        ctx.in_shape, ctx.args = a.shape, (offset, dim1, dim2)
        return _diag_view(a, offset, dim1, dim2)

    def backward(ctx, g):
        return DiagonalBackward.apply(g, ctx.in_shape, *ctx.args)


class DiagonalBackward(Op, grad_fn="DiagonalBackwardBackward0"):
    """Zeros of in_shape with the diagonal set to g (diagonal's gradient)."""

    def forward(ctx, g, in_shape, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        out = ctx.xp.zeros(in_shape, g.dtype)
        _diag_view(out, offset, dim1, dim2)[...] = g
        return out

    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args)


class _DiagCopy(Op, grad_fn="DiagonalBackward0_copy"):
    """diag of a matrix: a copy of its diagonal."""

    def forward(ctx, a, offset):
        ctx.in_shape, ctx.offset = a.shape, offset
        return _diag_view(a, offset, 0, 1).copy()

    def backward(ctx, g):
        return DiagonalBackward.apply(g, ctx.in_shape, ctx.offset, 0, 1)


class DiagEmbed(Op):
    def forward(ctx, a, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        n = a.shape[-1] + abs(offset)
        shape = list(a.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = ctx.xp.zeros(shape, a.dtype)
        _diag_view(out, offset, dim1, dim2)[...] = a
        return out

    def backward(ctx, g):
        return Diagonal.apply(g, *ctx.args)


class Trace(Op):
    def forward(ctx, a):
        ctx.in_shape = a.shape
        r = ctx.xp.trace(a)
        return r.astype(np.int64) if a.dtype.kind in "biu" else r

    def backward(ctx, g):
        n = min(ctx.in_shape)
        return DiagonalBackward.apply(g.expand(n), ctx.in_shape, 0, 0, 1)


def _check_matrix(name, input):
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (elements with col - row <= diagonal)."""
    _check_matrix("tril", input)
    return Tril.apply(input, int(diagonal))


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims (elements with col - row >= diagonal)."""
    _check_matrix("triu", input)
    return Triu.apply(input, int(diagonal))


def _diag_dims(dim1, dim2, ndim):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal over (dim1, dim2), appended as the last dim."""
    d1, d2 = _diag_dims(dim1, dim2, input.ndim)
    return Diagonal.apply(input, int(offset), d1, d2)


def diag(input, diagonal=0, *, out=None):
    """A 1-D input's square matrix with it on a diagonal, or a copy of a matrix's diagonal."""
    if input.ndim == 1:
        return DiagEmbed.apply(input, int(diagonal), 0, 1)
    if input.ndim == 2:
        return _DiagCopy.apply(input, int(diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices over (dim1, dim2) of the output with input's last dim on a diagonal."""
    if input.ndim == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got "
                         f"{dim1})")
    d1, d2 = _diag_dims(dim1, dim2, input.ndim + 1)
    return DiagEmbed.apply(input, int(offset), d1, d2)


def trace(input):
    """The sum of a matrix's main diagonal (torch's kernel refuses Booleans first)."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return Trace.apply(input)


def _indices(fn, row, col, offset, dtype, device):
    from .._creation import tensor
    dtype = _dtype.canonical(dtype) or _dtype.int64
    if dtype not in (_dtype.int64, _dtype.int32):  # torch's kernels are for these two only
        raise NotImplementedError(f"\"{fn.__name__}\" not implemented for "
                                  f"'{_dtype.type_name(dtype)}'")
    r, c = fn(int(row), int(offset), int(col))
    return tensor(np.stack([r, c]), dtype=dtype, device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """A 2 x N int64 tensor of the (row, col) indices of the lower triangle, row by row."""
    return _indices(np.tril_indices, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """A 2 x N int64 tensor of the (row, col) indices of the upper triangle, row by row."""
    return _indices(np.triu_indices, row, col, offset, dtype, device)
