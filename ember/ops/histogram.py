"""histogram and histogramdd: counts (or summed weights, or densities) of a floating tensor's
values in bins, with the bin edges, as torch.return_types.histogram / histogramdd."""
import builtins

import numpy as np

from .. import return_types as _rt
from .._dtype import type_name
from .._tensor import Tensor, _make

__all__ = ["histogram", "histogramdd"]


def _host(x):
    return np.asarray(x._data.get() if hasattr(x._data, "get") else x._data)


def _check(input, name):
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{type_name(input._data)}'")


def _weights(weight, n):
    return None if weight is None else _host(weight).reshape(n)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Counts of input's elements in `bins` equal bins over `range` (the data's own range by
    default), or between the given increasing edges (a 1-D tensor); the last bin includes its
    right edge."""
    _check(input, "histogramdd")
    data = _host(input).reshape(-1)
    if isinstance(bins, Tensor) and bins._data.dtype != input._data.dtype:
        names = {"float64": "double", "float32": "float", "float16": "c10::Half"}
        raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the "
                           f"same dtype, but got input with dtype "
                           f"{names.get(str(input._data.dtype))} and bins for dimension 0 with "
                           f"dtype {names.get(str(bins._data.dtype), str(bins._data.dtype))}")
    edges = _host(bins) if isinstance(bins, Tensor) else builtins.int(bins)
    hist, edge_out = np.histogram(data, edges, range=range, density=density,
                                  weights=_weights(weight, data.size))
    dt = input._data.dtype
    return _rt.histogram(_place(hist.astype(dt), input), _place(edge_out.astype(dt), input))


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """input (..., D) as points in D dims: their counts in a grid of bins (an int, one int per
    dim, or a sequence of edge tensors), with each dim's edges."""
    _check(input, "histogramdd")
    points = _host(input)
    d = points.shape[-1]
    points = points.reshape(-1, d)
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        bins = [_host(b) for b in bins]
    elif isinstance(bins, (list, tuple)):
        bins = [builtins.int(b) for b in bins]
    else:
        bins = builtins.int(bins)
    ranges = None if range is None else [tuple(range[2 * i:2 * i + 2]) for i in
                                         builtins.range(d)]
    hist, edges = np.histogramdd(points, bins, range=ranges, density=density,
                                 weights=_weights(weight, points.shape[0]))
    dt = input._data.dtype
    return _rt.histogramdd(_place(hist.astype(dt), input),
                           tuple(_place(e.astype(dt), input) for e in edges))


def _place(array, like):
    from .._backend import to_device
    if like.is_cuda:
        array = to_device(array, "cuda", like.device.index or 0)
    return _make(array)
