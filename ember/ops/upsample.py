"""Upsampling (nearest, nearest-exact, linear, bilinear, trilinear) and F.interpolate.

Every mode is separable: along each spatial dim, output element j reads input elements idx0[j]
and idx1[j] with weights w0[j] and w1[j] (nearest reads one). The index and weight plan follows
PyTorch's formulas, in the input's precision, so the outputs match. Backward scatters the
gradient back along the same plan; that is linear, so its own backward is the upsampling again.
"""
import math

import numpy as np

from .._backend import xp_of
from ._op import Op
from ._scatter import index_add_rows

__all__ = []

_NEAREST = ("nearest", "nearest-exact")
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}


class _Upsample(Op):
    def forward(ctx, x, plan):
        ctx.plan = plan
        for axis, _, idx0, idx1, w0, w1 in plan:
            y = ctx.xp.take(x, idx0, axis=axis)
            if idx1 is not None:
                shape = (-1,) + (1,) * (x.ndim - 1 - axis)
                y = y * w0.reshape(shape) + ctx.xp.take(x, idx1, axis=axis) * w1.reshape(shape)
            x = y
        return x

    def backward(ctx, g):
        return UpsampleBackward.apply(g, ctx.plan, ctx._forward_cls)


class UpsampleNearest1D(_Upsample):
    pass


class UpsampleNearest2D(_Upsample):
    pass


class UpsampleNearest3D(_Upsample):
    pass


class UpsampleNearestExact1D(_Upsample):
    pass


class UpsampleNearestExact2D(_Upsample):
    pass


class UpsampleNearestExact3D(_Upsample):
    pass


class UpsampleLinear1D(_Upsample):
    pass


class UpsampleBilinear2D(_Upsample):
    pass


class UpsampleTrilinear3D(_Upsample):
    pass


_OPS = {("nearest", 1): UpsampleNearest1D, ("nearest", 2): UpsampleNearest2D,
        ("nearest", 3): UpsampleNearest3D, ("nearest-exact", 1): UpsampleNearestExact1D,
        ("nearest-exact", 2): UpsampleNearestExact2D, ("nearest-exact", 3): UpsampleNearestExact3D,
        ("linear", 1): UpsampleLinear1D, ("bilinear", 2): UpsampleBilinear2D,
        ("trilinear", 3): UpsampleTrilinear3D}


class UpsampleBackward(Op):
    def forward(ctx, g, plan, op):
        ctx.plan, ctx.op = plan, op
        xp = ctx.xp
        for axis, n_in, idx0, idx1, w0, w1 in plan:
            gm = xp.moveaxis(g, axis, 0)
            out = xp.zeros((n_in,) + gm.shape[1:], g.dtype)
            if idx1 is None:
                index_add_rows(xp, out, idx0, gm)
            else:
                shape = (-1,) + (1,) * (gm.ndim - 1)
                index_add_rows(xp, out, idx0, gm * w0.reshape(shape))
                index_add_rows(xp, out, idx1, gm * w1.reshape(shape))
            g = xp.moveaxis(out, 0, axis)
        return g

    def backward(ctx, gg):
        return ctx.op.apply(gg, ctx.plan)


def _scale_value(scale, n_in, n_out, t):
    """PyTorch's compute_scales_value: 1/scale_factor when one was given, else in/out."""
    if scale is not None and scale > 0:
        return t(1.0 / scale)
    return t(n_in) / t(n_out)


def _nearest_plan(n_in, n_out, scale, exact):
    dst = np.arange(n_out)
    if not exact and n_out == n_in:
        return dst
    if not exact and n_out == 2 * n_in:
        return dst >> 1
    s = _scale_value(scale, n_in, n_out, np.float32)
    src = dst.astype(np.float32)
    if exact:
        src = src + np.float32(0.5)
    return np.minimum(np.floor(src * s).astype(np.int64), n_in - 1)


def _linear_plan(n_in, n_out, scale, align_corners, t):
    if align_corners:
        s = t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
        src = np.arange(n_out, dtype=t) * s
    else:
        s = _scale_value(scale, n_in, n_out, t)
        src = np.maximum(s * (np.arange(n_out, dtype=t) + t(0.5)) - t(0.5), t(0))
    idx0 = src.astype(np.int64)
    idx1 = idx0 + (idx0 < n_in - 1)
    w1 = (src - idx0).astype(t)
    return idx0, idx1, (t(1) - w1).astype(t), w1


def upsample(input, output_size, scales, mode, align_corners=False):
    """Resample the spatial dims (2 ...) of input to output_size; scales are the scale
    factors PyTorch passes its kernels (None entries mean in/out)."""
    x = input._data
    xp = xp_of(x)
    t = x.dtype.type
    plan = []
    for i, n_out in enumerate(output_size):
        axis = 2 + i
        n_in = x.shape[axis]
        if mode in _NEAREST:
            idx = _nearest_plan(n_in, n_out, scales[i], mode == "nearest-exact")
            plan.append((axis, n_in, xp.asarray(idx), None, None, None))
        else:
            idx0, idx1, w0, w1 = _linear_plan(n_in, n_out, scales[i], align_corners, t)
            plan.append((axis, n_in) + tuple(xp.asarray(a) for a in (idx0, idx1, w0, w1)))
    return _OPS[(mode, len(output_size))].apply(input, tuple(plan))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate for (N, C, d1 [, d2 [, d3]]) input: modes 'nearest',
    'nearest-exact', 'linear' (3-D), 'bilinear' (4-D), 'trilinear' (5-D) and 'area'."""
    if mode == "bicubic" or antialias:
        raise NotImplementedError("interpolate: bicubic mode and antialias=True are not "
                                  "supported by ember")
    if mode in _NEAREST or mode == "area":
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    dims = input.dim() - 2
    if dims not in (1, 2, 3) or mode not in _NEAREST + ("area",) and mode not in _LINEAR:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in _LINEAR and _LINEAR[mode] != dims:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}D input")
    output_size, scales = _output_size(input, size, scale_factor, recompute_scale_factor, dims)
    if mode == "area":
        from . import pool
        fn = {1: "adaptive_avg_pool1d", 2: "adaptive_avg_pool2d", 3: "adaptive_avg_pool3d"}[dims]
        return getattr(pool, fn)(input, output_size)
    return upsample(input, output_size, scales, mode, bool(align_corners))


def _output_size(input, size, scale_factor, recompute_scale_factor, dims):
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dims:
                raise ValueError("Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(spatial)} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 "and output size in (o1, o2, ...,oK) format.")
            size = tuple(int(s) for s in size)
        else:
            size = (int(size),) * dims
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return size, (None,) * dims
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dims:
            raise ValueError("Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(spatial)} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, "
                             "d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                             "format.")
        factors = tuple(float(s) for s in scale_factor)
    else:
        factors = (float(scale_factor),) * dims
    out = tuple(math.floor(n * f) for n, f in zip(spatial, factors))
    return out, ((None,) * dims if recompute_scale_factor else factors)
