"""torch.gradient: central differences of a tensor along its dims, one-sided (first or second
order) at the ends, with unit, scalar or coordinate spacing. Built from slicing and cat, so its
own gradient is theirs (grad_fn CatBackward0, as torch)."""
import numbers

from .. import _dtype
from .._tensor import Tensor
from ._numpy_names import numpy_names
from ._op import wrap_dim
from .join import cat, narrow

__all__ = ["gradient"]


def _part(x, dim, start, length):
    return narrow(x, dim, start % x.shape[dim], length)


def _uniform(f, dim, h, edge_order):
    n = f.shape[dim]
    inner = (_part(f, dim, 2, n - 2) - _part(f, dim, 0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (_part(f, dim, 1, 1) - _part(f, dim, 0, 1)) / h
        last = (_part(f, dim, -1, 1) - _part(f, dim, -2, 1)) / h
    else:
        first = (-1.5 * _part(f, dim, 0, 1) + 2 * _part(f, dim, 1, 1)
                 - 0.5 * _part(f, dim, 2, 1)) / h
        last = (0.5 * _part(f, dim, -3, 1) - 2 * _part(f, dim, -2, 1)
                + 1.5 * _part(f, dim, -1, 1)) / h
    return cat([first, inner, last], dim)


def _shaped(v, dim, ndim):
    """A 1-D coordinate tensor (or a slice of one) broadcast along dim."""
    return v.reshape([-1 if d == dim else 1 for d in range(ndim)])


def _coordinates(f, dim, x, edge_order):
    """Second-order accurate differences on the nonuniform grid x (NumPy's formulas)."""
    n, nd = f.shape[dim], f.ndim
    dx = (x[1:] - x[:-1]).to(f.dtype)
    hs, hd = _shaped(dx[:-1], dim, nd), _shaped(dx[1:], dim, nd)
    inner = (hs * hs * _part(f, dim, 2, n - 2) + (hd * hd - hs * hs) * _part(f, dim, 1, n - 2)
             - hd * hd * _part(f, dim, 0, n - 2)) / (hs * hd * (hd + hs))
    if edge_order == 1:
        first = (_part(f, dim, 1, 1) - _part(f, dim, 0, 1)) / dx[0]
        last = (_part(f, dim, -1, 1) - _part(f, dim, -2, 1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * _part(f, dim, 0, 1)
                 + (d1 + d2) / (d1 * d2) * _part(f, dim, 1, 1)
                 - d1 / (d2 * (d1 + d2)) * _part(f, dim, 2, 1))
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2)) * _part(f, dim, -3, 1)
                - (d2 + d1) / (d1 * d2) * _part(f, dim, -2, 1)
                + (2 * d2 + d1) / (d2 * (d1 + d2)) * _part(f, dim, -1, 1))
    return cat([first, inner, last], dim)


@numpy_names
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """One tensor per dim (all dims, or `dim`): the derivative estimated from input's samples.
    spacing is a number, one number per dim, or one 1-D coordinate tensor per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.ndim)) if dim is None else (
        [wrap_dim(d, input.ndim) for d in dim] if isinstance(dim, (list, tuple))
        else [wrap_dim(dim, input.ndim)])
    if isinstance(spacing, (numbers.Number, Tensor)) and not (
            isinstance(spacing, Tensor) and spacing.ndim == 1):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) == 1 and len(dims) > 1:
        spacing = spacing * len(dims)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's "
                           f"spacing and dim arguments to have the same length, but got a "
                           f"spacing argument of length {len(spacing)} and a dim argument of "
                           f"length {len(dims)}.")
    f = input if input._data.dtype.kind in "fc" else input.to(_dtype.get_default_dtype())
    out = []
    for d, h in zip(dims, spacing):
        if f.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
        if isinstance(h, Tensor) and h.ndim == 1:
            out.append(_coordinates(f, d, h, edge_order))
        else:
            out.append(_uniform(f, d, h.item() if isinstance(h, Tensor) else float(h),
                                edge_order))
    return tuple(out)
