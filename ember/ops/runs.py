"""unique_consecutive: each run of equal consecutive elements (or slices along dim) kept once."""
import numpy as np

from .._backend import xp_of
from .._tensor import _make
from ._op import wrap_dim

__all__ = ["unique_consecutive"]


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The first element of every run of equal neighbours (the flattened input, or slices
    along dim); optionally each element's run number and the run lengths."""
    a = input._data
    xp = xp_of(a)
    if dim is None:
        rows = a.reshape(-1, 1)
        axis = None
    else:
        axis = wrap_dim(dim, a.ndim)
        rows = xp.moveaxis(a, axis, 0).reshape(a.shape[axis] if a.ndim else 1, -1)
    n = rows.shape[0]
    starts = xp.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = xp.any(rows[1:] != rows[:-1], axis=1)
    first = xp.flatnonzero(starts)
    if axis is None:
        values = a.reshape(-1)[first]
    else:
        values = xp.take(a, first, axis=axis)
    out = [_make(values)]
    if return_inverse:
        inverse = (xp.cumsum(starts) - 1).astype(np.int64)
        out.append(_make(inverse.reshape(a.shape if axis is None else (n,))))
    if return_counts:
        out.append(_make(xp.diff(xp.append(first, n)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
