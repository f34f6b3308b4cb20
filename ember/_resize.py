"""Tensor.resize_ and resize_as_: torch's low-level in-place resize.

NOTE [ Resizing ]
torch's resize_ lays a tensor's new sizes over its storage: the elements from its storage offset
on, in memory order, with contiguous strides (or channels-last ones when asked); a storage too
small grows, its old elements kept first and the new ones uninitialised; the same sizes and no
memory format change nothing. ember's storage is the C-ordered array a tensor's array is a view
of (its root base): while the new sizes fit in it the tensor stays a view of it, so memory shared
with other views stays shared, as in torch. Growing allocates a new array holding the old
storage's elements first; unlike torch's storage, which grows in place under every view of it,
other views then keep the old memory. A tensor viewing memory that is no C-ordered array of its
dtype (a reinterpreted dtype, a device array's foreign base) resizes over a C-ordered copy of its
elements.
"""
import math

from . import _memory_layout
from ._backend import xp_of
from ._tensor import _data_ptr


def resize_(t, sizes, memory_format=None):
    if t._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _sizes(sizes)
    a = t._data
    fmt = _memory_layout.check(memory_format)
    if shape == a.shape and fmt is None:
        return t
    n = math.prod(shape)
    storage, offset = _storage(a)
    if offset + n > storage.size:  # grow: the old elements first
        grown = xp_of(a).empty(offset + n, a.dtype)
        grown[:storage.size] = storage
        storage = grown
    t._data = _laid_over(storage[offset:offset + n], shape, fmt)
    t._vc[0] += 1
    return t


def _sizes(sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    shape = tuple(int(s) for s in sizes)
    if any(s < 0 for s in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    return shape


def _storage(a):
    """(the flat memory a views, a's element offset in it); a C-ordered copy of a's elements
    and 0 when that memory is no C-ordered array of a's dtype (NOTE [ Resizing ])."""
    root = a
    while isinstance(getattr(root, "base", None), type(a)):
        root = root.base
    if root.dtype == a.dtype and root.flags.c_contiguous and a.size:
        return root.reshape(-1), (_data_ptr(a) - _data_ptr(root)) // a.itemsize
    return xp_of(a).ascontiguousarray(a).reshape(-1), 0


def _laid_over(flat, shape, fmt):
    """flat's elements as an array of `shape` in memory format fmt (None: contiguous)."""
    if fmt is None or fmt is _memory_layout.contiguous_format or \
            fmt is _memory_layout.preserve_format:
        return flat.reshape(shape)
    order = _memory_layout._order(fmt, len(shape))
    inverse = tuple(order.index(i) for i in range(len(order)))
    return flat.reshape(tuple(shape[i] for i in order)).transpose(inverse)
