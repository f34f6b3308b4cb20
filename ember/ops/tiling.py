"""Composite layouts built from views, copies and joins (repeat_interleave, meshgrid, kron,
atleast_1d/2d/3d, dstack, column_stack): their grad_fns are those of the ops they end in, as in
PyTorch."""
import builtins
import warnings

import numpy as np

from .._backend import xp_of
from .._dtype import type_name
from .._tensor import Tensor, _make
from ._common import _type_word, invalid_arguments
from ._numpy_names import numpy_names
from ._op import wrap_dim
from .convert import clone
from .join import cat
from .scatter_gather import index_select
from .shape import UnsafeView
from .._warnings import user_stacklevel

__all__ = ["repeat_interleave", "meshgrid", "kron", "atleast_1d", "atleast_2d", "atleast_3d",
           "dstack", "column_stack"]


def _check_repeats_dtype(r):
    """torch's repeat_interleave kernel takes int64 and int32 counts only."""
    if r.dtype != np.int64 and r.dtype != np.int32:
        device = "cpu" if xp_of(r) is np else "cuda"
        raise NotImplementedError(f"\"repeat_interleave_{device}\" not implemented for "
                                  f"'{type_name(r.dtype)}'")


def _repeat_indices(repeats):
    """0 repeated repeats[0] times, 1 repeated repeats[1] times ... (int64)."""
    r = repeats._data
    if r.ndim > 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    _check_repeats_dtype(r)
    if r.size and (r < 0).any():
        raise RuntimeError("repeats can not be negative")
    xp = xp_of(r)
    return _make(xp.repeat(xp.arange(r.shape[0] if r.ndim else 1), r.reshape(-1))
                 .astype(np.int64))


@numpy_names
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along dim) repeated `repeats` times, in place order; with a
    tensor as the only argument, the indices that input's counts repeat."""
    if repeats is None:
        return _repeat_indices(input)
    if dim is None:
        input, dim = input.reshape(-1), 0
    elif input.ndim == 0:  # torch's kernels word a dim of a 0-d input so
        if isinstance(repeats, Tensor):
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    else:
        dim = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        input = input.reshape(1)
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        _check_repeats_dtype(repeats._data)
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        if repeats.ndim != 1 or repeats.shape[0] != input.shape[dim]:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats.numel()} and input.size({dim}) = "
                               f"{input.shape[dim]}")
        return index_select(input, dim, _repeat_indices(repeats))
    if isinstance(repeats, Tensor):
        n = builtins.int(repeats.item())
        if n < 0:
            raise RuntimeError("repeats can not be negative")
        xp = xp_of(input._data)
        return index_select(input, dim, _make(xp.repeat(xp.arange(input.shape[dim]), n)))
    n = builtins.int(repeats)
    if n < 0:
        raise RuntimeError("Repeats must be non-negative")
    shape = list(input.shape)
    shape.insert(dim + 1, n)
    out = clone(input.unsqueeze(dim + 1).expand(*shape))
    return out.flatten(dim, dim + 1)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: output i holds tensors[i] along its own dim, expanded over the rest
    ('xy' swaps the first two dims, as NumPy's default does)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=user_stacklevel())
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    _check_tensors(tensors)
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    if any(t.dtype != tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    axes = list(builtins.range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, ax in zip(tensors, axes):
        shape[ax] = t.numel()
    grids = []
    for t, ax in zip(tensors, axes):
        view = [1] * len(tensors)
        view[ax] = -1
        grids.append(t.reshape(view).expand(*shape))
    return tuple(grids)


def kron(input, other, *, out=None):
    """The Kronecker product: block (i, j ...) is input[i, j ...] * other."""
    for pos, (arg, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"kron(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(x).__name__}")
    nd = builtins.max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    a_view, b_view, shape = [], [], []
    for sa, sb in zip(a.shape, b.shape):
        a_view += [sa, 1]
        b_view += [1, sb]
        shape.append(sa * sb)
    return UnsafeView.apply(a.reshape(a_view) * b.reshape(b_view), tuple(shape))


def _check_tensors(tensors):
    """torch's TypeError for a list argument holding something other than a tensor."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{_type_word(t)}")


_ATLEAST_OVERLOADS = ("(Tensor input)", "(tuple of Tensors tensors)")


def _atleast(tensors, fn, name):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        _check_tensors(tensors[0])
        return tuple(fn(t) for t in tensors[0])
    if len(tensors) == 1:
        if not isinstance(tensors[0], Tensor):
            raise invalid_arguments(name, tensors, _ATLEAST_OVERLOADS)
        return fn(tensors[0])
    _check_tensors(tensors)
    return tuple(fn(t) for t in tensors)


def _at1(t):
    return t.reshape(1) if t.ndim == 0 else t


def _at2(t):
    if t.ndim == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if t.ndim == 1 else t


def _at3(t):
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if t.ndim == 2 else t


def atleast_1d(*tensors):
    """Each tensor viewed with at least one dim (0-d becomes shape (1,))."""
    return _atleast(tensors, _at1, "atleast_1d")


def atleast_2d(*tensors):
    """Each tensor viewed with at least two dims (a vector becomes a row)."""
    return _atleast(tensors, _at2, "atleast_2d")


def atleast_3d(*tensors):
    """Each tensor viewed with at least three dims ((n,) to (1, n, 1), (m, n) to (m, n, 1))."""
    return _atleast(tensors, _at3, "atleast_3d")


def dstack(tensors, *, out=None):
    """Join along the third dim after atleast_3d."""
    return cat([_at3(t) for t in tensors], 2)


def column_stack(tensors, *, out=None):
    """Join along dim 1, with 0-d and 1-D tensors as columns."""
    return cat([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors], 1)
