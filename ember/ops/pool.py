"""Max, average and adaptive pooling of 1-D and 2-D inputs: strided views, backward as pooling ops.

NOTE [ Pooling by kernel offsets ]
A pooling window has kh*kw kernel offsets; for each offset (i, j) the elements it picks from
every window form one strided view of the (padded) input, `_views`. Max pooling is then a running
np.maximum over those views and average pooling a running sum: kh*kw whole-array NumPy calls,
never a reduction over window axes (np.maximum over the four views of a 2x2 pooling is ~35x faster
than `.max(axis=(3, 5))` on the reshaped input). When kernel == stride without padding the views
are exactly the strided views of the reshape (N, C, Ho, kh, Wo, kw). Gradients go back through the
same views: strided adds, or plain masked copies when windows do not overlap, never np.add.at.
Max pooling records, per output, which kernel offset won (the first maximum in window order, or the
last NaN, as PyTorch); the gradient ops use it and are adjoint pairs, so double backward works.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from . import _threads
from ._op import Op, shape_str

__all__ = ["max_pool1d", "max_pool2d", "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]


# -- geometry --------------------------------------------------------------------------------------

class _PoolGeometry:
    __slots__ = ("kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "ceil_mode")

    def __init__(self, kernel, stride, padding, dilation, ceil_mode):
        self.kh, self.kw = kernel
        self.sh, self.sw = stride
        self.ph, self.pw = padding
        self.dh, self.dw = dilation
        self.ceil_mode = bool(ceil_mode)

    def out_size(self, h, w):
        return (_out_len(h, self.kh, self.sh, self.ph, self.dh, self.ceil_mode),
                _out_len(w, self.kw, self.sw, self.pw, self.dw, self.ceil_mode))

    def disjoint(self):
        """No input element lies in two windows: gradients can be written instead of added."""
        return self.sh >= (self.kh - 1) * self.dh + 1 and self.sw >= (self.kw - 1) * self.dw + 1

    def tiles(self, in_hw, out_hw):
        """The windows cover the unpadded input exactly once (kernel == stride, no padding, no
        remainder): the views of a gradient then write every element, none twice."""
        return (self.ph == self.pw == 0 and self.dh == self.dw == 1
                and self.sh == self.kh and self.sw == self.kw
                and out_hw[0] * self.kh == in_hw[0] and out_hw[1] * self.kw == in_hw[1])


def _out_len(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape: a last window must start inside the input or left pad."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = span // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _padded(xp, a, geo, out_hw, fill):
    """a itself when every window lies inside it, else a copy inside a `fill` border (the high
    border is as wide as ceil_mode's last windows need)."""
    n, c, h, w = a.shape
    need_h = (out_hw[0] - 1) * geo.sh + (geo.kh - 1) * geo.dh + 1
    need_w = (out_hw[1] - 1) * geo.sw + (geo.kw - 1) * geo.dw + 1
    if geo.ph == 0 and geo.pw == 0 and need_h <= h and need_w <= w:
        return a
    buf = xp.full((n, c, max(need_h, geo.ph + h), max(need_w, geo.pw + w)), fill, a.dtype)
    buf[:, :, geo.ph:geo.ph + h, geo.pw:geo.pw + w] = a
    return buf


def _views(a, geo, out_hw):
    """The strided view of each kernel offset, in window (row-major) order (NOTE above)."""
    ho, wo = out_hw
    for i in range(geo.kh):
        r = i * geo.dh
        for j in range(geo.kw):
            c = j * geo.dw
            yield a[:, :, r:r + (ho - 1) * geo.sh + 1:geo.sh, c:c + (wo - 1) * geo.sw + 1:geo.sw]


def _crop(a, geo, hw):
    h, w = hw
    return a[:, :, geo.ph:geo.ph + h, geo.pw:geo.pw + w]


def _batched(a):
    """Pooling kernels see 4-D arrays; an unbatched (C, H, W) input gains a batch of one."""
    return a[None] if a.ndim == 3 else a


def _shape4(shape):
    """The 4-D shape `_batched` gives an array of `shape`."""
    return (1,) + tuple(shape) if len(shape) == 3 else tuple(shape)


# Input bytes per thread below which a pooling kernel runs on one thread (NOTE [ Batch threads ]).
_SPLIT_BYTES = 1 << 18


def _over_batch(xp, a, work):
    """work(lo, hi) over the batch of the 4-D array a, split over threads when it is large."""
    return _threads.over_batch(xp, a.shape[0], a[:1].nbytes, _SPLIT_BYTES, work)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# -- max pooling -----------------------------------------------------------------------------------

class MaxPool2DWithIndices(Op):
    """Max pooling of (N, C, H, W) or (C, H, W); returns (output, indices) when asked."""

    def forward(ctx, x, geo, with_indices):
        xp = ctx.xp
        a = _batched(x)
        out_hw = geo.out_size(*a.shape[2:])
        y = xp.empty(a.shape[:2] + out_hw, a.dtype)
        # The winning offset is only needed for a gradient or for indices.
        off = None
        if with_indices or ctx.recording:
            off = xp.empty(y.shape, np.uint8 if geo.kh * geo.kw < 256 else np.int32)
        _over_batch(xp, a, lambda lo, hi: _max_pool(
            xp, a[lo:hi], geo, out_hw, y[lo:hi], None if off is None else off[lo:hi]))
        ctx.geo, ctx.in_shape, ctx.offsets = geo, x.shape, off
        y = y.reshape(y.shape[1:]) if x.ndim == 3 else y
        if not with_indices:
            return y
        idx = _flat_indices(xp, off, geo, a.shape[3])
        return y, idx.reshape(y.shape)

    def backward(ctx, g, *_):
        return MaxPool2DWithIndicesBackward.apply(g, ctx.offsets, ctx.geo, ctx.in_shape)


def _max_pool(xp, a, geo, out_hw, y, off):
    """y = the maximum of each window of a; off (when not None) = the winning kernel offset."""
    src = _padded(xp, a, geo, out_hw, _lowest(a.dtype))
    views = _views(src, geo, out_hw)
    xp.copyto(y, next(views))
    if off is not None:
        kind = off.dtype.type
        off.fill(0)
        better = xp.empty(y.shape, np.bool_)
        step = xp.empty(y.shape, kind)
    for k, v in enumerate(views, 1):
        if off is not None:
            # The winner is the last offset that beat the running maximum, i.e. the largest
            # such k: a running np.maximum, several times faster than a masked copy.
            xp.greater(v, y, out=better)
            xp.multiply(better, kind(k), out=step)
            xp.maximum(off, step, out=off)
        xp.maximum(y, v, out=y)
    if off is not None and a.dtype.kind == "f" and xp.isnan(y).any():
        _nan_offsets(xp, src, geo, out_hw, off)


def _nan_offsets(xp, src, geo, out_hw, off):
    """Where a window holds NaN, PyTorch's index is its last NaN (every NaN replaces the max)."""
    for k, v in enumerate(_views(src, geo, out_hw)):
        xp.copyto(off, k, where=xp.isnan(v))


def _flat_indices(xp, off, geo, width):
    """PyTorch's indices: the winner's position in its unpadded (H, W) plane, flattened."""
    ho, wo = off.shape[2:]
    k = off.astype(np.int64)
    rows = (xp.arange(ho, dtype=np.int64) * geo.sh - geo.ph)[:, None] + (k // geo.kw) * geo.dh
    cols = (xp.arange(wo, dtype=np.int64) * geo.sw - geo.pw) + (k % geo.kw) * geo.dw
    return rows * width + cols


class MaxPool2DWithIndicesBackward(Op):
    """Routes each output gradient to its window's winner (offsets from the forward)."""

    def forward(ctx, g, offsets, geo, in_shape):
        xp = ctx.xp
        ctx.offsets, ctx.geo, ctx.in_shape, ctx.out_shape = offsets, geo, in_shape, g.shape
        g4 = _batched(g)
        shape4 = _shape4(in_shape)
        # g * mask puts g at the winners and 0 elsewhere, unless g holds NaN (NaN * 0 is NaN).
        exact = g.dtype.kind != "f" or not xp.isnan(g).any()
        fresh = xp.empty if exact and geo.tiles(shape4[2:], g4.shape[2:]) else xp.zeros
        gx = fresh(shape4, g.dtype)
        _over_batch(xp, gx, lambda lo, hi: _max_pool_grad(
            xp, g4[lo:hi], offsets[lo:hi], geo, gx[lo:hi], exact))
        return gx.reshape(in_shape)

    def backward(ctx, gg):
        shape4 = _shape4(ctx.in_shape)
        idx = _flat_indices(ctx.xp, ctx.offsets, ctx.geo, shape4[3])
        return MaxPoolGather.apply(gg, idx.reshape(ctx.out_shape), ctx.in_shape)


def _max_pool_grad(xp, g4, offsets, geo, gx, exact):
    """gx (zeroed unless the windows tile it) += g4 at each window's winning offset."""
    out_hw = g4.shape[2:]
    grid = _padded(xp, gx, geo, out_hw, 0)
    disjoint = geo.disjoint()
    mask = xp.empty(g4.shape, np.bool_)
    for k, view in enumerate(_views(grid, geo, out_hw)):
        xp.equal(offsets, k, out=mask)
        if not exact:
            view += xp.where(mask, g4, 0)
        elif disjoint:
            xp.multiply(g4, mask, out=view)
        else:
            view += g4 * mask
    if grid is not gx:
        gx[...] = _crop(grid, geo, gx.shape[2:])


class MaxPoolGather(Op):
    """out[..., p] = x[..., idx[..., p]] over each (H, W) plane: max pooling with known winners.

    idx has the output's shape; in_shape (x's shape) is kept for the adjoint."""

    def forward(ctx, x, idx, in_shape):
        ctx.idx, ctx.in_shape = idx, in_shape
        plane = x.shape[-2] * x.shape[-1]
        flat_idx = idx.reshape(-1, idx.shape[-2] * idx.shape[-1])
        out = ctx.xp.take_along_axis(x.reshape(-1, plane), flat_idx, axis=1)
        return out.reshape(idx.shape)

    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.in_shape)


class MaxPoolScatter(Op):
    """MaxPoolGather's adjoint: adds each gradient into its winner's place (windows may share)."""

    def forward(ctx, g, idx, in_shape):
        xp = ctx.xp
        ctx.idx, ctx.in_shape = idx, in_shape
        plane = in_shape[-2] * in_shape[-1]
        rows = int(np.prod(in_shape[:-2]))
        flat = (idx.reshape(rows, -1) + xp.arange(rows)[:, None] * plane).ravel()
        # bincount sums duplicate indices (overlapping windows) in one pass; it accumulates in
        # float64, so the result is cast back.
        out = xp.bincount(flat, weights=g.ravel(), minlength=rows * plane)
        return out.astype(g.dtype, copy=False).reshape(in_shape)

    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.idx, ctx.in_shape)


class AdaptiveMaxPool2D(Op):
    """Adaptive max pooling: window i spans [floor(i*H/oh), ceil((i+1)*H/oh)); (output, indices)."""

    def forward(ctx, x, out_hw):
        xp = ctx.xp
        a = _batched(x)
        n, c, h, w = a.shape
        oh, ow = out_hw
        # Separable: the max over each column window, then over each row window of those.
        col_max = xp.empty((n, c, h, ow), a.dtype)
        col_arg = xp.empty((n, c, h, ow), np.int64)
        for j, (lo, hi) in enumerate(_adaptive_bounds(w, ow)):
            seg = a[..., lo:hi]
            arg = seg.argmax(-1)
            col_arg[..., j] = arg + lo
            col_max[..., j] = xp.take_along_axis(seg, arg[..., None], -1)[..., 0]
        y = xp.empty((n, c, oh, ow), a.dtype)
        idx = xp.empty((n, c, oh, ow), np.int64)
        for i, (lo, hi) in enumerate(_adaptive_bounds(h, oh)):
            seg = col_max[:, :, lo:hi]
            arg = seg.argmax(2)[:, :, None]
            y[:, :, i] = xp.take_along_axis(seg, arg, 2)[:, :, 0]
            row = arg + lo
            idx[:, :, i] = (row * w + xp.take_along_axis(col_arg, row, 2))[:, :, 0]
        ctx.idx, ctx.in_shape = idx, x.shape
        if x.ndim == 3:
            return y[0], idx[0]
        return y, idx

    def backward(ctx, g, *_):
        return MaxPoolScatter.apply(g, ctx.idx.reshape(g.shape), ctx.in_shape)


# -- average pooling -------------------------------------------------------------------------------

class AvgPool2D(Op):
    def forward(ctx, x, geo, count_include_pad, divisor_override):
        xp = ctx.xp
        ctx.args = (x.shape, geo, count_include_pad, divisor_override)
        a = _batched(x)
        out_hw = geo.out_size(*a.shape[2:])
        views = _views(_padded(xp, a, geo, out_hw, 0), geo, out_hw)
        y = xp.array(next(views), dtype=np.int64 if a.dtype.kind in "iu" else a.dtype)
        for v in views:
            xp.add(y, v, out=y)
        div = _divisor(xp, geo, a.shape[2:], out_hw, count_include_pad, divisor_override, a.dtype)
        if a.dtype.kind == "f":
            y /= div
        else:  # integer average pooling truncates toward zero, as PyTorch's does
            y = (xp.sign(y) * (xp.abs(y) // div)).astype(a.dtype)
        return y.reshape(y.shape[1:]) if x.ndim == 3 else y

    def backward(ctx, g):
        return AvgPool2DBackward.apply(g, *ctx.args)


class AvgPool2DBackward(Op):
    """Spreads each output gradient, divided by its window's divisor, over the window."""

    def forward(ctx, g, in_shape, geo, count_include_pad, divisor_override):
        xp = ctx.xp
        ctx.args = (geo, count_include_pad, divisor_override)
        g4 = _batched(g)
        shape4 = _shape4(in_shape)
        out_hw = g4.shape[2:]
        share = g4 / _divisor(xp, geo, shape4[2:], out_hw, count_include_pad, divisor_override,
                              g.dtype)
        fresh = xp.empty if geo.tiles(shape4[2:], out_hw) else xp.zeros
        grid = _padded(xp, fresh(shape4, g.dtype), geo, out_hw, 0)
        disjoint = geo.disjoint()
        for view in _views(grid, geo, out_hw):
            if disjoint:
                view[...] = share
            else:
                xp.add(view, share, out=view)
        gx = _crop(grid, geo, shape4[2:]) if grid.shape != shape4 else grid
        return xp.ascontiguousarray(gx).reshape(in_shape)

    def backward(ctx, gg):
        return AvgPool2D.apply(gg, *ctx.args)


def _divisor(xp, geo, in_hw, out_hw, count_include_pad, divisor_override, dtype):
    """PyTorch's divisor per output: the override, else the window size clipped to the padded
    input (count_include_pad) or to the input. A Python number when it is the same everywhere."""
    if divisor_override:
        return int(divisor_override)
    rows = _window_sizes(in_hw[0], out_hw[0], geo.kh, geo.sh, geo.ph, count_include_pad)
    cols = _window_sizes(in_hw[1], out_hw[1], geo.kw, geo.sw, geo.pw, count_include_pad)
    if rows.min() == rows.max() and cols.min() == cols.max():
        return int(rows[0] * cols[0])
    div = np.outer(rows, cols)
    return xp.asarray(div.astype(dtype if np.dtype(dtype).kind == "f" else np.int64))


def _window_sizes(size, out, k, s, p, count_include_pad):
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


# -- adaptive average pooling ----------------------------------------------------------------------

def _adaptive_bounds(size, out):
    """PyTorch's adaptive windows: [floor(i*size/out), ceil((i+1)*size/out))."""
    return [((i * size) // out, -(-(i + 1) * size // out)) for i in range(out)]


def _window_sums(xp, a, size, out, axis):
    """Sums of a over each adaptive window along axis (-1 or -2): one reduction per window, so a
    NaN or Inf reaches only the windows that hold it (a dense averaging matrix would spread it
    everywhere, 0 * NaN being NaN)."""
    shape = list(a.shape)
    shape[axis] = out
    sums = xp.empty(shape, a.dtype)
    for i, (lo, hi) in enumerate(_adaptive_bounds(size, out)):
        if axis == -1:
            a[..., lo:hi].sum(-1, out=sums[..., i])
        else:
            a[..., lo:hi, :].sum(-2, out=sums[..., i, :])
    return sums


def _window_spread(xp, g, size, out, axis):
    """The adjoint of _window_sums: each window's value added over the window's span."""
    shape = list(g.shape)
    shape[axis] = size
    spread = xp.zeros(shape, g.dtype)
    for i, (lo, hi) in enumerate(_adaptive_bounds(size, out)):
        if axis == -1:
            spread[..., lo:hi] += g[..., i:i + 1]
        else:
            spread[..., lo:hi, :] += g[..., i:i + 1, :]
    return spread


def _window_counts(xp, in_hw, out_hw, dtype):
    """(oh, ow) element counts of the adaptive windows."""
    rows = [hi - lo for lo, hi in _adaptive_bounds(in_hw[0], out_hw[0])]
    cols = [hi - lo for lo, hi in _adaptive_bounds(in_hw[1], out_hw[1])]
    return xp.asarray(np.outer(rows, cols).astype(dtype))


class AdaptiveAvgPool2D(Op):
    def forward(ctx, x, out_hw):
        xp = ctx.xp
        h, w = x.shape[-2:]
        ctx.in_hw = (h, w)
        y = _window_sums(xp, _window_sums(xp, x, w, out_hw[1], -1), h, out_hw[0], -2)
        y /= _window_counts(xp, (h, w), out_hw, x.dtype)
        return y

    def backward(ctx, g):
        return AdaptiveAvgPool2DBackward.apply(g, ctx.in_hw)


class AdaptiveAvgPool2DBackward(Op):
    def forward(ctx, g, in_hw):
        xp = ctx.xp
        oh, ow = g.shape[-2:]
        ctx.out_hw = (oh, ow)
        share = g / _window_counts(xp, in_hw, (oh, ow), g.dtype)
        return _window_spread(xp, _window_spread(xp, share, in_hw[1], ow, -1), in_hw[0], oh, -2)

    def backward(ctx, gg):
        return AdaptiveAvgPool2D.apply(gg, ctx.out_hw)


# -- argument parsing and checks -------------------------------------------------------------------

_PAIR_MESSAGES = {
    "kernel_size": "kernel_size must either be a single int, or a tuple of two ints",
    "stride": "stride must either be omitted, a single int, or a tuple of two ints",
    "padding": "padding must either be a single int, or a tuple of two ints",
    "dilation": "dilation must be either a single int, or a tuple of two ints",
}


def _pair(value, fn, name):
    """An int or a 1- or 2-tuple of ints, as PyTorch's pooling arguments."""
    if isinstance(value, (tuple, list)):
        if len(value) in (1, 2):
            return tuple(int(v) for v in value) * (3 - len(value))
        raise RuntimeError(f"{fn}: {_PAIR_MESSAGES[name]}")
    return (int(value),) * 2


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    k = _pair(kernel_size, fn, "kernel_size")
    omitted = stride is None or isinstance(stride, (tuple, list)) and len(stride) == 0
    s = k if omitted else _pair(stride, fn, "stride")
    p = _pair(padding, fn, "padding")
    d = _pair(dilation, fn, "dilation")
    if 0 in s:
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} "
                           f"kW: {k[1]}")
    if min(s) < 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    if min(p) < 0:
        raise RuntimeError("pad must be non-negative")
    for pad, kk, dd in zip(p, k, d):
        if pad > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pad}, kernel_size={kk} and dilation={dd}")
    shape = tuple(input.shape)
    if input.dim() not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{shape_str(shape)}")
    geo = _PoolGeometry(k, s, p, d, ceil_mode)
    oh, ow = geo.out_size(*shape[-2:])
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, shape[-3:]))}). Calculated "
                           f"output size: ({shape[-3]}x{oh}x{ow}). Output size is too small")
    return geo


def _check_not_bool(input, fn):
    if input.dtype == _dtype.bool:
        raise NotImplementedError(f"\"{fn}\" not implemented for 'Bool'")


def _adaptive_size(input, output_size, fn):
    if input.dim() not in (3, 4):
        sep = ":" if "max" in fn else ""
        raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got{sep} "
                           f"{shape_str(input.shape)}")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise RuntimeError(f"{fn}: output_size must be 2")
        size = tuple(input.shape[-2 + i] if v is None else int(v)
                     for i, v in enumerate(output_size))
    else:
        size = (int(output_size),) * 2
    if min(size) < 0:
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{size[0]}, {size[1]}}}")
    return size


def _check_1d(input, fn):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {fn})")


def _one(value):
    """A 1-D pooling argument: an int or a tuple of one int."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return int(value[0])
    return value


# -- public functions ------------------------------------------------------------------------------

def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """Max pooling of (N, C, H, W) or (C, H, W): (output, int64 indices into each H*W plane)."""
    geo = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    _check_not_bool(input, "max_pool2d")
    return MaxPool2DWithIndices.apply(input, geo, True)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling of (N, C, H, W) or (C, H, W); with return_indices, also the argmax indices."""
    geo = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    _check_not_bool(input, "max_pool2d")
    return MaxPool2DWithIndices.apply(input, geo, bool(return_indices))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling of (N, C, L) or (C, L): PyTorch pools a height-1 image (SqueezeBackward1)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{shape_str(input.shape)}")
    stride = _one(stride)
    out = max_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)),
                     None if stride is None else (1, stride), (0, _one(padding)),
                     (1, _one(dilation)), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Average pooling of (N, C, H, W) or (C, H, W) with PyTorch's divisor rules."""
    if isinstance(input, Tensor) and input.dim() < 3:
        n = max(input.dim(), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [-{n}, {n - 1}], "
                         f"but got -3)")
    geo = _pool_geometry(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_not_bool(input, "avg_pool2d")
    return AvgPool2D.apply(input, geo, bool(count_include_pad), divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Average pooling of (N, C, L) or (C, L)."""
    _check_1d(input, "avg_pool1d")
    stride = _one(stride)
    out = avg_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)),
                     None if stride is None else (1, stride), (0, _one(padding)), ceil_mode,
                     count_include_pad)
    return out.squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Adaptive average pooling to output_size (an int, or a pair whose None entries keep the
    input's size). A 1x1 output is a mean over (H, W), as PyTorch decomposes it (MeanBackward1)."""
    size = _adaptive_size(input, output_size, "adaptive_avg_pool2d")
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return AdaptiveAvgPool2D.apply(input, size)


def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling of (N, C, L) or (C, L)."""
    _check_1d(input, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _one(output_size))).squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling; with return_indices, also the argmax indices into each H*W plane."""
    size = _adaptive_size(input, output_size, "adaptive_max_pool2d")
    _check_not_bool(input, "adaptive_max_pool2d")
    out, idx = AdaptiveMaxPool2D.apply(input, size)
    return (out, idx) if return_indices else out
