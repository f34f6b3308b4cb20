"""cartesian_prod and combinations: tuples of a 1-D tensor's elements, gathered and stacked with
ember's index and join ops (so their gradients are those ops', and grad_fn is StackBackward0 as
in torch)."""
import itertools

import numpy as np

from .._tensor import _make
from .index import getitem
from .join import stack
from .shape import reshape
from .tiling import meshgrid

__all__ = ["cartesian_prod", "combinations"]


def _check_1d(fn, tensors):
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")


def cartesian_prod(*tensors):
    """Every tuple (a[i], b[j], ...) of the 1-D inputs, in row-major order, as rows; a single
    input is returned as it is."""
    _check_1d("cartesian_prod", tensors)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Every length-r combination of input's elements (itertools' order), as rows."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _make(input._data[:0].copy())
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return stack([getitem(input, _make(rows[:, k].copy())) for k in range(r)], 1)
