"""Fractional max pooling (Graham, 2014) of 2-D and 3-D inputs: windows of a fixed size whose
starts advance by pseudo-random steps of floor(alpha) or ceil(alpha), alpha = (in - k) / (out - 1),
chosen by one uniform sample per (sample, channel, spatial dim). The samples come from ember's
generator unless given (`_random_samples`, as in torch, which makes the result reproducible).

The winner of each window (its first maximum, or its last NaN, as torch) is recorded as a flat
index into the spatial volume; the gradient goes back through pool.py's index scatter, whose
adjoint gather gives the double backward.
"""
import math

import numpy as np

from .. import _creation
from ._errors import refuse_non_floating
from ._op import Op
from .pool import MaxPoolScatter

_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _starts(xp, samples, size, out, k):
    """Window starts (N, C, out) along one dim, computed in the samples' dtype as torch does."""
    if out == 1:
        return xp.full(samples.shape + (1,), size - k, dtype=np.int64)
    dt = samples.dtype.type
    alpha = dt(size - k) / dt(out - 1)
    i = xp.arange(out - 1, dtype=samples.dtype)
    u = samples[..., None]
    steps = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    last = xp.full(samples.shape + (1,), size - k, dtype=np.int64)
    return xp.concatenate([steps, last], axis=-1)


class FractionalMaxPool2D(Op):
    """Returns (output, indices) for (N, C, *spatial) or (C, *spatial); `samples` is (N, C, nd)
    in torch's order (width first in 2-D; time, height, width in 3-D)."""

    def forward(ctx, x, samples, kernel, out):
        xp = ctx.xp
        nd = len(kernel)
        a = x if x.ndim == nd + 2 else x[None]
        n, c = a.shape[:2]
        spatial = a.shape[2:]
        order = (1, 0) if nd == 2 else (0, 1, 2)  # sample column of each spatial dim
        # flat[n, c, o_1..o_nd, k_1..k_nd]: the input position of each window element
        flat = xp.zeros((n, c) + (1,) * (2 * nd), dtype=np.int64)
        volume = 1
        for d in range(nd - 1, -1, -1):
            starts = _starts(xp, samples[:, :, order[d]], spatial[d], out[d], kernel[d])
            shape_o = [n, c] + [1] * (2 * nd)
            shape_o[2 + d] = out[d]
            shape_k = [1, 1] + [1] * (2 * nd)
            shape_k[2 + nd + d] = kernel[d]
            pos = starts.reshape(shape_o) + xp.arange(kernel[d]).reshape(shape_k)
            flat = flat + pos * volume
            volume *= spatial[d]
        taps = math.prod(kernel)
        flat = xp.broadcast_to(flat, (n, c) + tuple(out) + tuple(kernel)).reshape(n, c, -1, taps)
        windows = xp.take_along_axis(a.reshape(n, c, 1, -1), flat.reshape(n, c, 1, -1), axis=3)
        windows = windows.reshape(flat.shape)
        best = windows.argmax(-1)[..., None]
        if x.dtype.kind == "f":
            nan = xp.isnan(windows)
            if nan.any():  # torch keeps the last NaN of a window
                last_nan = taps - 1 - nan[..., ::-1].argmax(-1)[..., None]
                best = xp.where(nan.any(-1, keepdims=True), last_nan, best)
        y = xp.take_along_axis(windows, best, axis=-1).reshape(x.shape[:-nd] + tuple(out))
        idx = xp.take_along_axis(flat, best, axis=-1).reshape(y.shape)
        ctx.idx, ctx.in_shape, ctx.nd = idx, x.shape, nd
        return y, idx

    def backward(ctx, g, *_):
        return _BACKWARD[ctx._forward_cls].apply(g, ctx.idx, ctx.in_shape, ctx.nd)


class FractionalMaxPool3D(FractionalMaxPool2D):
    pass


class FractionalMaxPool2DBackward(MaxPoolScatter):
    pass


class FractionalMaxPool3DBackward(MaxPoolScatter):
    pass


_BACKWARD = {FractionalMaxPool2D: FractionalMaxPool2DBackward,
             FractionalMaxPool3D: FractionalMaxPool3DBackward}


def _tuple(value, nd):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd


def _fractional_max_pool(op, nd, input, kernel_size, output_size, output_ratio, samples):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    kernel = _tuple(kernel_size, nd)
    spatial = tuple(input.shape[-nd:])
    if output_size is None:
        ratio = _tuple(output_ratio, nd)
        out = tuple(int(s * r) for s, r in zip(spatial, ratio))
    else:
        out = _tuple(output_size, nd)
    for dim_name, o, k, s in zip(_DIM_NAMES[nd], out, kernel, spatial):
        if o + k - 1 > s:
            raise RuntimeError(f"{name}(): pool {dim_name} {k} too large relative to input "
                               f"{dim_name} {s}")
    n = input.shape[0] if input.dim() == nd + 2 else 1
    c = input.shape[-nd - 1]
    refuse_non_floating("check_uniform_bounds" if samples is None else f"{name}_out_frame", input)
    if samples is None:
        samples = _creation.empty((n, c, nd), dtype=input.dtype, device=input.device).uniform_()
    if samples.dim() != 3 or samples.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got "
                           f"{samples.shape[-1]}.")
    if samples.shape[0] < n or samples.shape[1] != c:
        raise RuntimeError(f"Expect _random_samples to have shape [{n}, {c}, {nd}]; got "
                           f"{list(samples.shape)}.")
    return op.apply(input, samples.detach()._data, kernel, out)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """Fractional max pooling of (N, C, H, W) or (C, H, W): (output, indices)."""
    return _fractional_max_pool(FractionalMaxPool2D, 2, input, kernel_size, output_size,
                                output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W): (output, indices)."""
    return _fractional_max_pool(FractionalMaxPool3D, 3, input, kernel_size, output_size,
                                output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    out = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    out = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                             return_indices, _random_samples)
    return out if return_indices else out[0]
