"""Upsampling and downsampling (nearest, nearest-exact, linear, bilinear, bicubic, trilinear,
antialiased bilinear, bicubic and lanczos) and F.interpolate.

Every mode is separable: along each spatial dim, output element j is a weighted sum of a few
input elements, its taps: plan entry (axis, n_in, taps) holds for each tap k an index array
idx_k and a weight array w_k over the outputs (nearest has one tap and no weights; linear two;
bicubic four, clamped at the borders; antialiased modes as many as the widest window, padded
with zero weights). The index and weight plan follows PyTorch's formulas, in the input's
precision, so the outputs match. Backward scatters the gradient back along the same plan; that
is linear, so its own backward is the upsampling again.
"""
import math

import numpy as np

from .. import _dtype
from .._backend import xp_of
from ._op import Op
from ._scatter import index_add_rows

__all__ = []

_NEAREST = ("nearest", "nearest-exact")
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_CUBIC_A = -0.75  # PyTorch's bicubic convolution constant (antialiasing uses -0.5, as PIL)


class _Upsample(Op):
    def forward(ctx, x, plan):
        ctx.plan = plan
        xp = ctx.xp
        for axis, _, taps in plan:
            shape = (-1,) + (1,) * (x.ndim - 1 - axis)
            y = None
            for idx, w in taps:
                part = xp.take(x, idx, axis=axis)
                if w is not None:
                    part *= w.reshape(shape)
                if y is None:
                    y = part
                else:
                    y += part
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


class UpsampleBicubic2D(_Upsample):
    pass


class UpsampleBilinear2DAa(_Upsample):
    pass


class UpsampleBicubic2DAa(_Upsample):
    pass


class UpsampleLanczos2DAa(_Upsample):
    pass


_OPS = {("nearest", 1): UpsampleNearest1D, ("nearest", 2): UpsampleNearest2D,
        ("nearest", 3): UpsampleNearest3D, ("nearest-exact", 1): UpsampleNearestExact1D,
        ("nearest-exact", 2): UpsampleNearestExact2D, ("nearest-exact", 3): UpsampleNearestExact3D,
        ("linear", 1): UpsampleLinear1D, ("bilinear", 2): UpsampleBilinear2D,
        ("trilinear", 3): UpsampleTrilinear3D, ("bicubic", 2): UpsampleBicubic2D}
_AA_OPS = {"bilinear": UpsampleBilinear2DAa, "bicubic": UpsampleBicubic2DAa,
           "lanczos": UpsampleLanczos2DAa}


class UpsampleBackward(Op):
    def forward(ctx, g, plan, op):
        ctx.plan, ctx.op = plan, op
        xp = ctx.xp
        for axis, n_in, taps in plan:
            gm = xp.moveaxis(g, axis, 0)
            # C-ordered with the axis in place (torch's gradient is contiguous), added into
            # through a view with the axis first
            out = xp.zeros(g.shape[:axis] + (n_in,) + g.shape[axis + 1:], g.dtype)
            rows = xp.moveaxis(out, axis, 0)
            shape = (-1,) + (1,) * (gm.ndim - 1)
            for idx, w in taps:
                index_add_rows(xp, rows, idx, gm if w is None else gm * w.reshape(shape))
            g = out
        return g

    def backward(ctx, gg):
        return ctx.op.apply(gg, ctx.plan)


def _scale_value(scale, n_in, n_out, t):
    """PyTorch's compute_scales_value: 1/scale_factor when one was given, else in/out."""
    if scale is not None and scale > 0:
        return t(1.0 / scale)
    return t(n_in) / t(n_out)


def _area_scale(n_in, n_out, scale, align_corners, t):
    """PyTorch's area_pixel_compute_scale: the input step per output step."""
    if align_corners:
        return t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
    return _scale_value(scale, n_in, n_out, t)


def _nearest_plan(n_in, n_out, scale, exact):
    dst = np.arange(n_out)
    if not exact and n_out == n_in:
        return ((dst, None),)
    if not exact and n_out == 2 * n_in:
        return ((dst >> 1, None),)
    s = _scale_value(scale, n_in, n_out, np.float32)
    src = dst.astype(np.float32)
    if exact:
        src = src + np.float32(0.5)
    return ((np.minimum(np.floor(src * s).astype(np.int64), n_in - 1), None),)


def _linear_plan(n_in, n_out, scale, align_corners, t):
    s = _area_scale(n_in, n_out, scale, align_corners, t)
    if align_corners:
        src = np.arange(n_out, dtype=t) * s
    else:
        src = np.maximum(s * (np.arange(n_out, dtype=t) + t(0.5)) - t(0.5), t(0))
    idx0 = src.astype(np.int64)
    idx1 = idx0 + (idx0 < n_in - 1)
    w1 = (src - idx0).astype(t)
    return (idx0, (t(1) - w1).astype(t)), (idx1, w1)


def _cubic_weights(d, a, t):
    """Keys' cubic convolution kernel at distances |d| (< 2), for the constant a."""
    d = np.abs(d)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, np.where(d < 2, far, 0)).astype(t)


def _cubic_plan(n_in, n_out, scale, align_corners, t):
    """Four taps at floor(src) - 1 ... + 2, clamped into the input, with Keys' weights (a=-0.75)
    of their distance to src; src is not clamped at 0 here, unlike the linear modes'."""
    s = _area_scale(n_in, n_out, scale, align_corners, t)
    dst = np.arange(n_out, dtype=t)
    src = dst * s if align_corners else s * (dst + t(0.5)) - t(0.5)
    base = np.floor(src)
    frac = (src - base).astype(t)
    base = base.astype(np.int64)
    return tuple((np.clip(base + k, 0, n_in - 1), _cubic_weights(frac - k, t(_CUBIC_A), t))
                 for k in (-1, 0, 1, 2))


def _triangle(d):
    return np.maximum(1 - np.abs(d), 0)


def _keys_half(d):
    return _cubic_weights(np.minimum(np.abs(d), 2), -0.5, np.float64)


def _lanczos3(d):
    return np.where(np.abs(d) < 3, np.sinc(d) * np.sinc(d / 3), 0)


# mode: (filter, half-width of its support)
_AA_FILTERS = {"bilinear": (_triangle, 1.0), "bicubic": (_keys_half, 2.0),
               "lanczos": (_lanczos3, 3.0)}


def _antialias_plan(n_in, n_out, scale, align_corners, mode, t):
    """PyTorch's antialiased resampling (as PIL): when shrinking, the filter is stretched by the
    scale so each output averages its whole footprint; each window's weights are normalised to
    sum to 1 over the input elements it covers (so the borders need no clamping)."""
    fn, half = _AA_FILTERS[mode]
    s = float(_area_scale(n_in, n_out, scale, align_corners, np.float64))
    support = half * s if s >= 1 else half
    inv = 1 / s if s >= 1 else 1.0
    center = s * (np.arange(n_out) + 0.5)
    lo = np.maximum((center - support + 0.5).astype(np.int64), 0)
    hi = np.minimum((center + support + 0.5).astype(np.int64), n_in)
    width = int((hi - lo).max()) if n_out else 0
    offsets = np.arange(width)
    weights = fn((lo[:, None] + offsets - center[:, None] + 0.5) * inv)
    weights = np.where(offsets < (hi - lo)[:, None], weights, 0)
    total = weights.sum(1, keepdims=True)
    weights = np.divide(weights, total, out=np.zeros_like(weights), where=total != 0)
    idx = np.minimum(lo[:, None] + offsets, n_in - 1)
    return tuple((idx[:, k], weights[:, k].astype(t)) for k in range(width))


def upsample(input, output_size, scales, mode, align_corners=False, antialias=False):
    """Resample the spatial dims (2 ...) of input to output_size; scales are the scale
    factors PyTorch passes its kernels (None entries mean in/out). uint8 input (bilinear and
    bicubic) is resampled in float32 and rounded back, saturating; PyTorch's fixed-point uint8
    kernels can differ from that by 1 where a value lies near a half."""
    x = input._data
    xp = xp_of(x)
    rounds = x.dtype == np.uint8 and mode not in _NEAREST
    t = np.float32 if rounds else x.dtype.type
    plan = []
    for i, n_out in enumerate(output_size):
        n_in = x.shape[2 + i]
        if mode in _NEAREST:
            taps = _nearest_plan(n_in, n_out, scales[i], mode == "nearest-exact")
        elif antialias:
            taps = _antialias_plan(n_in, n_out, scales[i], align_corners, mode, t)
        elif mode == "bicubic":
            taps = _cubic_plan(n_in, n_out, scales[i], align_corners, t)
        else:
            taps = _linear_plan(n_in, n_out, scales[i], align_corners, t)
        plan.append((2 + i, n_in, tuple((xp.asarray(idx), None if w is None else xp.asarray(w))
                                        for idx, w in taps)))
    op = _AA_OPS[mode] if antialias else _OPS[(mode, len(output_size))]
    if rounds:
        # As PyTorch's (and PIL's) uint8 kernels: one dim at a time, the last first, each pass
        # rounded and saturated back to uint8 (bicubic overshoot is clipped in between).
        for entry in reversed(plan):
            y = op.apply(input.to(_dtype.float32), (entry,))
            input = y.add_(0.5).floor_().clamp_(0, 255).to(_dtype.uint8)
        return input
    return op.apply(input, tuple(plan))


def _check_dtype(input, mode, antialias):
    """The dtypes PyTorch's CPU kernels take: floating types, and uint8 for the 2-D bilinear and
    bicubic modes (antialiased too); antialiasing refuses float16."""
    dt = input.dtype.np
    if antialias:
        if dt.kind == "f" and dt.itemsize > 2 or dt == np.uint8:
            return
        kernel = "compute_index_ranges_weights"
    elif mode in ("bilinear", "bicubic"):
        if dt.kind == "f" or dt == np.uint8:
            return
        kernel = ("upsample_bilinear2d_channels_last" if mode == "bilinear"
                  else "compute_indices_weights_cubic")
    elif mode in _LINEAR:
        if dt.kind == "f":
            return
        kernel = "compute_indices_weights_linear"
    else:
        return
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype.type_name(dt)}'")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate for (N, C, d1 [, d2 [, d3]]) input: modes 'nearest',
    'nearest-exact', 'linear' (3-D), 'bilinear' and 'bicubic' (4-D), 'trilinear' (5-D), 'area';
    antialias=True for 'bilinear', 'bicubic' and 'lanczos' (4-D)."""
    if mode in _NEAREST or mode == "area":
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    dims = input.dim() - 2
    if antialias and not (mode in _AA_FILTERS and dims == 2):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if mode == "lanczos" and not antialias:
        raise ValueError("Lanczos mode requires antialias=True")
    known = mode in _NEAREST or mode in _LINEAR or mode in ("area", "bicubic", "lanczos")
    if dims not in (1, 2, 3) or not known or mode == "bicubic" and dims != 2:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D) for the modes: {_MODES} "
                                  f"(got {mode})")
    if mode in _LINEAR and _LINEAR[mode] != dims:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}D input")
    _check_dtype(input, mode, antialias)
    output_size, scales = _output_size(input, size, scale_factor, recompute_scale_factor, dims)
    if mode != "area":  # area pools adaptively, which takes an empty output
        _check_sizes(input.shape[2:], output_size)
    if mode == "area":
        from . import pool
        fn = {1: "adaptive_avg_pool1d", 2: "adaptive_avg_pool2d", 3: "adaptive_avg_pool3d"}[dims]
        return getattr(pool, fn)(input, output_size)
    return upsample(input, output_size, scales, mode, bool(align_corners), bool(antialias))


def _check_sizes(spatial, output_size):
    """torch's upsampling kernels refuse an empty input or output size."""
    if min(spatial) > 0 and min(output_size) > 0:
        return
    names = "DHW"[3 - len(spatial):]
    shown = [", ".join(f"{d}: {n}" for d, n in zip(names, sizes))
             for sizes in (spatial, output_size)]
    joint = " and " if len(spatial) == 1 else " "  # torch's 1-D message has the "and"
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                       f"({shown[0]}){joint}output ({shown[1]})")


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
