"""Views and scatters by explicit geometry: as_strided (a view of a tensor's storage), the
scatters as_strided_scatter and diagonal_scatter, and the strided factories empty_strided,
empty_permuted and Tensor.new_empty_strided.

NOTE [ Storage positions ]
A tensor's storage is the NumPy array its data is a view of (the end of the `.base` chain, as
Tensor.storage_offset finds it). as_strided's view is made on that array from element strides and
an offset. Its gradient cannot be a plain strided add when the view's elements overlap (stride
0, or strides that revisit memory), so it goes through storage positions: each element of a
geometry (sizes, strides, offset) has the position offset + sum(index * stride). The gradient
of the view is summed into a storage-sized buffer at the view's positions (bincount) and read
back at the input's positions, divided by how often the input itself covers each position, as
torch's as_strided backward does. That map is linear; its adjoint is the same move with the two
geometries swapped (`StorageMove`), which gives double backward.
"""
import builtins

import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import _data_ptr, _factory_requires_grad, _make
from ._op import Op, wrap_dim
from .triangular import _diag_dims, _diag_view

__all__ = ["as_strided", "as_strided_scatter", "diagonal_scatter", "empty_strided",
           "empty_permuted", "new_empty_strided"]


def _root(a):
    """The array whose memory a views (NOTE [ Storage positions ])."""
    root = a
    while isinstance(getattr(root, "base", None), type(a)):
        root = root.base
    return root


def _geometry(a):
    """(sizes, element strides, storage offset) of array a in its storage."""
    item = a.itemsize
    return a.shape, tuple(s // item for s in a.strides), (_data_ptr(a) - _data_ptr(_root(a))) // item


def positions(xp, sizes, strides, offset):
    """The storage position of every element of a geometry, in its shape."""
    pos = xp.full(tuple(sizes), offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(sizes, strides)):
        pos += (xp.arange(n, dtype=np.int64) * s).reshape((-1,) + (1,) * (len(sizes) - d - 1))
    return pos


def _check_geometry(sizes, strides, offset, item, storage_elems):
    if len(sizes) != len(strides):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in strides):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(strides)}")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    needed = offset + 1 + builtins.sum((n - 1) * s for n, s in zip(sizes, strides)) \
        if all(sizes) else offset
    if needed > storage_elems:
        raise RuntimeError(f"setStorage: sizes {list(sizes)}, strides {list(strides)}, storage "
                           f"offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{needed * item} are out of bounds for storage of size "
                           f"{storage_elems * item}")


class AsStrided(Op):
    _is_view = True

    def forward(ctx, a, sizes, strides, offset):
        xp = ctx.xp
        root = _root(a)
        item = a.itemsize
        n = root.nbytes // item
        # checked here too, against the storage actually read: a replayed view chain (CopySlices,
        # NOTE [ In place on a view ]) applies this geometry to another array
        _check_geometry(sizes, strides, offset, item, n)
        ctx.n = n
        ctx.in_geom = _geometry(a)
        ctx.out_geom = (sizes, strides, offset)
        flat = root.reshape(-1).view(a.dtype)
        return xp.lib.stride_tricks.as_strided(flat[offset:], sizes, [s * item for s in strides])

    def backward(ctx, g):
        xp = xp_of(g._data)
        dst = positions(xp, *ctx.in_geom)
        counts = xp.bincount(dst.reshape(-1), minlength=ctx.n)[dst]
        post = None if int(counts.max(initial=1)) == 1 else (1.0 / counts).astype(g._data.dtype)
        return StorageMove.apply(g, positions(xp, *ctx.out_geom), dst, ctx.n, None, post)


class StorageMove(Op, grad_fn="AsStridedBackward0Backward0"):
    """y = gather(dst, scatter_add(src, x * pre)) * post over a storage of n elements (NOTE
    [ Storage positions ]); pre and post are arrays or None."""

    def forward(ctx, x, src, dst, n, pre, post):
        ctx.args = (src, dst, n, pre, post)
        w = x if pre is None else x * pre
        buf = ctx.xp.bincount(src.reshape(-1), weights=w.reshape(-1), minlength=n)
        y = buf[dst].astype(x.dtype, copy=False)
        return y if post is None else y * post

    def backward(ctx, g):
        src, dst, n, pre, post = ctx.args
        return StorageMove.apply(g, dst, src, n, post, pre)


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes, element strides and offset (input's own
    offset by default). Writes through it reach input."""
    return _as_strided(AsStrided, input, size, stride, storage_offset)


class AsStridedInPlace(AsStrided, grad_fn="AsStridedBackward1"):
    _is_view = False  # the tensor itself takes the new geometry (Tensor.as_strided_)


def _as_strided_in_place(input, size, stride, storage_offset=None):
    return _as_strided(AsStridedInPlace, input, size, stride, storage_offset)


def _as_strided(op, input, size, stride, storage_offset):
    a = input._data
    sizes = tuple(builtins.int(s) for s in size)
    strides = tuple(builtins.int(s) for s in stride)
    offset = _geometry(a)[2] if storage_offset is None else builtins.int(storage_offset)
    _check_geometry(sizes, strides, offset, a.itemsize, _root(a).nbytes // a.itemsize)
    return op.apply(input, sizes, strides, offset)


class AsStridedScatter(Op):
    """out = a contiguous copy of input with src written at the positions of (sizes, strides,
    offset) of its storage."""

    def forward(ctx, a, src, sizes, strides, offset):
        ctx.args = (sizes, strides, offset)
        out = ctx.xp.ascontiguousarray(a).copy()
        ctx.xp.lib.stride_tricks.as_strided(out.reshape(-1)[offset:], sizes,
                                            [s * out.itemsize for s in strides])[...] = src
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        xp = xp_of(g._data)
        pos = positions(xp, *ctx.args)
        ga = gs = None
        if need[0]:
            mask = xp.ones(g.shape, g._data.dtype)
            mask.reshape(-1)[pos.reshape(-1)] = 0
            ga = g * _make(mask)
        if need[1]:
            identity = xp.arange(g._data.size, dtype=np.int64).reshape(g.shape)
            gs = StorageMove.apply(g, identity, pos, g._data.size, None, None)
        return ga, gs


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of input (contiguous) with src written where as_strided(size, stride,
    storage_offset) of that copy would look."""
    sizes = tuple(builtins.int(s) for s in size)
    strides = tuple(builtins.int(s) for s in stride)
    offset = 0 if storage_offset is None else builtins.int(storage_offset)
    _check_geometry(sizes, strides, offset, input._data.itemsize, input._data.size)
    if tuple(src.shape) != sizes:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(sizes)}")
    return AsStridedScatter.apply(input, src, sizes, strides, offset)


class DiagonalScatter(Op):
    """out = input with src written on its diagonal (offset, dim1, dim2)."""

    def forward(ctx, a, src, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        out = a.copy()
        _diag_view(out, offset, dim1, dim2)[...] = src
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = gs = None
        if need[0]:
            zeros = xp_of(g._data).zeros(_diag_view(g._data, *ctx.args).shape, g._data.dtype)
            ga = DiagonalScatter.apply(g, _make(zeros), *ctx.args)
        if need[1]:
            gs = g.diagonal(*ctx.args)
        return ga, gs


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input with src written into input.diagonal(offset, dim1, dim2)."""
    d1, d2 = _diag_dims(dim1, dim2, input.ndim)
    want = _diag_view(input._data, builtins.int(offset), d1, d2).shape
    if tuple(src.shape) != want:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(want)}")
    return DiagonalScatter.apply(input, src, builtins.int(offset), d1, d2)


def _strided_empty(size, stride, dtype, device, requires_grad):
    from .._creation import empty
    sizes = tuple(builtins.int(s) for s in size)
    strides = tuple(builtins.int(s) for s in stride)
    if len(sizes) != len(strides):
        raise RuntimeError("mismatch in length of strides and shape")
    needed = 1 + builtins.sum((n - 1) * s for n, s in zip(sizes, strides)) if all(sizes) else 0
    buf = empty(needed, dtype=dtype, device=device)
    out = as_strided(buf, sizes, strides, 0)
    t = _make(out._data)  # a tensor of its own: the buffer is its storage, not its base
    return _factory_requires_grad(t) if requires_grad else t


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given sizes and element strides."""
    return _strided_empty(size, stride, dtype, device, requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                      requires_grad=False, pin_memory=False):
    """empty_strided with self's dtype and device unless given."""
    return _strided_empty(size, stride, dtype or self.dtype,
                          device if device is not None else self.device, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of `size` laid out in memory in the order of physical_layout
    (the dims from outermost to innermost)."""
    sizes = tuple(builtins.int(s) for s in size)
    order = [wrap_dim(d, len(sizes)) for d in physical_layout]
    if len(order) != len(sizes) or sorted(order) != list(range(len(sizes))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(sizes)} is not equal to "
                           f"len(physical_layout) = {len(order)}")
    strides = [0] * len(sizes)
    step = 1
    for d in reversed(order):
        strides[d] = step
        step *= builtins.max(sizes[d], 1)
    return _strided_empty(sizes, strides, dtype or _dtype.get_default_dtype(), device,
                          requires_grad)
