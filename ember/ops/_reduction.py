"""Private helpers of the reduction families (reduce, extrema, scan): dims, reduced gradients."""
import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import _make
from ._op import _as_array, wrap_dims


def _dims(dim, ndim):
    """Reduction dims as sorted NumPy axes; None or an empty list means every dim."""
    if dim is None or isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(ndim))
    dims = wrap_dims(dim, ndim)
    if len(set(dims)) != len(dims):
        dup = next(d for i, d in enumerate(dims) if d in dims[:i])
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if ndim else ()


def _restore(g, shape, dims, keepdim):
    """A reduced gradient reshaped so it broadcasts against the input (reduced dims kept as 1)."""
    if keepdim or len(dims) == len(shape):
        return g
    return g.reshape(tuple(1 if i in dims else s for i, s in enumerate(shape)))


def _const_as(array, like):
    """A constant Tensor (no grad) of `like`'s dtype: a mask or scale used in a backward."""
    return _make(xp_of(like._data).asarray(array, dtype=like._data.dtype))


def _tie_share(xp, x, y, dims=None):
    """1/count at the elements of x equal to the (restored) result y, else 0: PyTorch spreads
    the gradient of max, amax, median and the inf-norm evenly over ties. A NaN result selects
    the NaNs."""
    hit = (x == y) | (xp.isnan(x) & xp.isnan(y))
    return hit / hit.sum(axis=dims, keepdims=dims is not None)


def _sum_dtype(a, dtype):
    """Integer and bool inputs accumulate in int64 (sum, prod, cumsum ...), as in PyTorch."""
    if dtype is not None:
        return _dtype.to_numpy_dtype(dtype)
    return np.dtype(np.int64) if a.dtype.kind in "biu" else None


def _nodiff(input, fn):
    """A reduction with no gradient (argmax, all, count_nonzero): plain arrays in and out."""
    xp = xp_of(input._data)
    return _make(_as_array(fn(xp, input._data), xp))
