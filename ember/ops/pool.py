"""Max, average and adaptive pooling of 1-D, 2-D and 3-D inputs: strided views, backward as
pooling ops. One implementation for any number of spatial dims (1-D pools a height-1 image).

NOTE [ Pooling by kernel offsets ]
A pooling window has kh*kw kernel offsets (kd*kh*kw in 3-D); for each offset (i, j) the elements
it picks from every window form one strided view of the (padded) input, `_views`. Max pooling is
then a running np.maximum over those views and average pooling a running sum: kh*kw NumPy calls,
never a reduction over window axes (np.maximum over the four views of a 2x2 pooling is ~35x faster
than `.max(axis=(3, 5))` on the reshaped input). When kernel == stride without padding the views
are exactly the strided views of the reshape (N, C, Ho, kh, Wo, kw). Gradients go back through the
same views as strided adds, never np.add.at.
Max pooling records, per output, which kernel offset won (the first maximum in window order, or the
last NaN, as PyTorch); the gradient ops use it and are adjoint pairs, so double backward works.

NOTE [ Gathered kernel offsets ]
A ufunc over a strided view walks it in rows as short as the output is wide (5 elements for the
LeNet's second pooling), and finding the winners takes four calls per kernel offset, two of them
on the view. So max pooling with disjoint windows (stride >= kernel: the copy is no larger than
the input) that must record winners first copies each kernel offset's elements into a contiguous
row (one transposed copy when the windows tile the input), and works on those rows; the gradient
is then stored at the winners' flat positions (one fancy-index store, as no element is in two
windows). LeNet's 2x2 poolings at batch 4: forward 1.4x, backward 2.5x faster; at batch 64
1.1-1.4x and 1.1-2x.
"""
import functools
import itertools
import math

import numpy as np

from .. import _dtype
from .._memory_layout import lay_out, suggest
from .._tensor import Tensor
from . import _threads
from ._op import Op, shape_str

# torch.* names; the F-only ones (avg_pool3d, adaptive_*_pool3d, max_unpool*d ...) are bound
# in nn.functional.
__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"]


# -- geometry --------------------------------------------------------------------------------------

class _PoolGeometry:
    """Kernel, stride, padding and dilation per spatial dim (2 or 3 of them), and ceil_mode.
    Loops here are plain for loops: this is the LeNet's hot path, and comprehensions are calls."""
    __slots__ = ("kernel", "stride", "padding", "dilation", "ceil_mode", "taps")

    def __init__(self, kernel, stride, padding, dilation, ceil_mode):
        self.kernel, self.stride = tuple(kernel), tuple(stride)
        self.padding, self.dilation = tuple(padding), tuple(dilation)
        self.ceil_mode = bool(ceil_mode)
        taps = 1
        for k in kernel:
            taps *= k
        self.taps = taps  # kernel offsets per window

    def out_size(self, spatial):
        return tuple(map(_out_len, spatial, self.kernel, self.stride, self.padding,
                         self.dilation, (self.ceil_mode,) * len(self.kernel)))

    def disjoint(self):
        """No input element lies in two windows: gradients can be written instead of added."""
        for k, s, d in zip(self.kernel, self.stride, self.dilation):
            if s < (k - 1) * d + 1:
                return False
        return True

    def tiles(self, spatial, out):
        """The windows cover the unpadded input exactly once (kernel == stride, no padding, no
        remainder): the views of a gradient then write every element, none twice."""
        for n, o, k, s, p, d in zip(spatial, out, self.kernel, self.stride, self.padding,
                                    self.dilation):
            if p or d != 1 or s != k or o * k != n:
                return False
        return True


def _out_len(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape: a last window must start inside the input or left pad."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = span // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _padded_shape(shape, geo, out):
    """(shape of a's padded copy, whether every window already lies inside a): the high border is
    as wide as ceil_mode's last windows need."""
    fits = True
    padded = tuple(shape[:2])
    for n, o, k, s, p, d in zip(shape[2:], out, geo.kernel, geo.stride, geo.padding,
                                geo.dilation):
        need = (o - 1) * s + (k - 1) * d + 1
        fits = fits and p == 0 and need <= n
        padded += (need if need > p + n else p + n,)
    return padded, fits


def _padded(xp, a, geo, out, fill):
    """a itself when every window lies inside it, else a copy inside a `fill` border."""
    shape, fits = _padded_shape(a.shape, geo, out)
    if fits:
        return a
    buf = xp.full(shape, fill, a.dtype)
    _crop(buf, geo, a.shape[2:])[...] = a
    return buf


def _views(a, geo, out):
    """The strided view of each kernel offset, in window (row-major) order (NOTE above)."""
    taps = ()
    for o, k, s, d in zip(out, geo.kernel, geo.stride, geo.dilation):
        # slice(i*d, i*d + (o-1)*s + 1, s) for each kernel offset i of this dim
        span = (o - 1) * s + 1
        taps += (tuple(map(slice, range(0, k * d, d), range(span, span + k * d, d),
                           itertools.repeat(s, k))),)
    for offset in itertools.product(*taps):
        yield a[_LEAD + offset]


_LEAD = (slice(None), slice(None))  # the batch and channel dims


def _crop(a, geo, spatial):
    inner = list(_LEAD)
    for p, n in zip(geo.padding, spatial):
        inner.append(slice(p, p + n))
    return a[tuple(inner)]


def _batched(a, nd):
    """Pooling kernels see batched arrays; an unbatched (C, *spatial) input gains a batch of one."""
    return a[None] if a.ndim == nd + 1 else a


def _batched_shape(shape, nd):
    """The shape `_batched` gives an array of `shape`."""
    return (1,) + tuple(shape) if len(shape) == nd + 1 else tuple(shape)


def _suggested(x, nd):
    """The layout a batched input of nd spatial dims suggests (NOTE [ Suggested memory format ]);
    None (contiguous) for an unbatched one."""
    return suggest(x) if x.ndim == nd + 2 else None


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# -- max pooling -----------------------------------------------------------------------------------

class MaxPool2DWithIndices(Op):
    """Max pooling of (N, C, *spatial) or (C, *spatial); returns (output, indices) when asked.
    The 3-D op (MaxPool3DWithIndices) is this one under torch's name for its grad_fn. Output,
    indices and input gradient take the layout the input suggests (NOTE [ Suggested memory
    format ]), channels_last_3d included."""
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, x, geo, with_indices):
        xp = ctx.xp
        ctx.fmt = fmt = _suggested(x, len(geo.kernel))
        nd = len(geo.kernel)
        a = _batched(x, nd)
        out = geo.out_size(a.shape[2:])
        y = xp.empty(a.shape[:2] + out, a.dtype)
        # The winning offset is only needed for a gradient or for indices.
        off = None
        if with_indices or ctx.recording:
            off = xp.empty(y.shape, np.uint8 if geo.taps < 256 else np.int32)
        _max_pool(xp, a, geo, out, y, off)
        ctx.geo, ctx.in_shape, ctx.offsets = geo, x.shape, off
        y = y.reshape(y.shape[1:]) if x.ndim == nd + 1 else y
        if not with_indices:
            return lay_out(xp, y, fmt)
        idx = _flat_indices(xp, off, geo, a.shape[2:])
        return lay_out(xp, y, fmt), lay_out(xp, idx.reshape(y.shape), fmt)

    def backward(ctx, g, *_):
        return _GRAD_OPS[ctx._forward_cls].apply(g, ctx.offsets, ctx.geo, ctx.in_shape, ctx.fmt)


class MaxPool3DWithIndices(MaxPool2DWithIndices):
    pass


def _max_pool(xp, a, geo, out, y, off):
    """y = the maximum of each window of a; off (when not None) = the winning kernel offset;
    over chunks of (sample, channel) images (_image_chunk), each padded in a reused buffer whose
    border stays at the lowest value. With offsets to find and disjoint windows, each chunk's
    kernel offsets are first gathered into contiguous rows (NOTE [ Gathered kernel offsets ]).
    In a quiet process the images split over ember's kernel threads (NOTE [ Elementwise kernels
    in a quiet process ] in _threads.py)."""
    images = a.shape[0] * a.shape[1]
    a1, y1 = _as_images(a, images), _as_images(y, images)
    off1 = None if off is None else _as_images(off, images)
    shape, fits = _padded_shape(a1.shape, geo, out)

    def pool(first, last):  # the images [first, last), in chunks
        m = _image_chunk(last - first, shape, a.itemsize)
        if not fits:
            buf = xp.full((m,) + shape[1:], _lowest(a.dtype), a.dtype)
            interior = _crop(buf, geo, a1.shape[2:])
        gathered = None
        if off is not None:
            better = xp.empty((m,) + y1.shape[1:], np.bool_)
            step = xp.empty((m,) + y1.shape[1:], off.dtype)
            if geo.disjoint():
                gathered = xp.empty((geo.taps, m) + y1.shape[1:], a.dtype)
        for lo in range(first, last, m):
            hi = min(lo + m, last)
            k = hi - lo
            if fits:
                src = a1[lo:hi]
            else:
                interior[:k] = a1[lo:hi]
                src = buf[:k]
            yk = y1[lo:hi]
            if gathered is None:
                views = _views(src, geo, out)
            else:  # a contiguous buffer, which _gather_offsets reshapes
                rows = gathered if k == m else xp.empty((geo.taps, k) + y1.shape[1:], a.dtype)
                views = iter(_gather_offsets(xp, src, geo, out, rows))
            xp.copyto(yk, next(views))
            if off is not None:
                ok, bk, sk = off1[lo:hi], better[:k], step[:k]
                bytes_k = bk.view(np.uint8)  # bool times an integer would cast first: 2x slower
                kind = off.dtype.type
                ok.fill(0)
            for t, v in enumerate(views, 1):
                if off is not None:
                    # The winner is the last offset that beat the running maximum, i.e. the
                    # largest such t: a running np.maximum, several times faster than a masked
                    # copy.
                    xp.greater(v, yk, out=bk)
                    xp.multiply(bytes_k, kind(t), out=sk)
                    xp.maximum(ok, sk, out=ok)
                xp.maximum(yk, v, out=yk)
            if off is not None and a.dtype.kind == "f" and xp.isnan(yk).any():
                _nan_offsets(xp, src, geo, out, ok)

    _threads.quiet_parts(pool, images, y.size * geo.taps * (4 if off is not None else 1), xp)


def _gather_offsets(xp, src, geo, out, dst):
    """dst[t] = the elements kernel offset t picks from every window of src, as contiguous rows
    of the contiguous dst (NOTE [ Gathered kernel offsets ]); returns dst."""
    if geo.stride == geo.kernel and geo.dilation == (1,) * len(out):
        # The windows tile a crop of src: split each spatial dim into (windows, offsets) and
        # copy the offsets dims to the front, all in one call.
        crop = list(_LEAD)
        split = list(src.shape[:2])
        for o, k in zip(out, geo.kernel):
            crop.append(slice(0, o * k))
            split += (o, k)
        nd = len(out)
        order = tuple(range(3, 3 + 2 * nd, 2)) + (0, 1) + tuple(range(2, 2 + 2 * nd, 2))
        windows = src[tuple(crop)].reshape(split).transpose(order)
        xp.copyto(dst.reshape(geo.kernel + dst.shape[1:]), windows)
    else:
        for t, v in enumerate(_views(src, geo, out)):
            xp.copyto(dst[t], v)
    return dst


def _as_images(a, images):
    """(N, C, *spatial) as (N*C, 1, *spatial): the pooling kernels' chunks are images."""
    return a.reshape((images, 1) + a.shape[2:])


# A pooling kernel over more than _WHOLE_BYTES of padded images walks them in chunks of
# _CHUNK_BYTES, whose kernel-offset passes then run in a core's L2 cache (ResNet's 3x3 stride-2
# pooling at batch 8, 25 MB: its backward 377 -> 57 ms); smaller ones (the LeNet's, 1.2 MB at
# batch 64) run whole, in fewer calls.
_WHOLE_BYTES = 1 << 22
_CHUNK_BYTES = 1 << 20


def _image_chunk(images, padded_shape, itemsize):
    """Images per chunk for images of padded_shape (leading two dims ignored)."""
    per_image = _volume(padded_shape[2:]) * itemsize
    if images * per_image <= _WHOLE_BYTES:
        return max(images, 1)
    return max(1, _CHUNK_BYTES // max(per_image, 1))


def _nan_offsets(xp, src, geo, out, off):
    """Where a window holds NaN, PyTorch's index is its last NaN (every NaN replaces the max)."""
    for k, v in enumerate(_views(src, geo, out)):
        xp.copyto(off, k, where=xp.isnan(v))


def _flat_indices(xp, off, geo, spatial):
    """PyTorch's indices: the winner's position in its unpadded spatial volume, flattened."""
    k = off.astype(np.int64)
    nd = len(spatial)
    flat, volume = 0, 1
    for axis in range(nd - 1, -1, -1):
        size = off.shape[2 + axis]
        k, tap = k // geo.kernel[axis], k % geo.kernel[axis]
        start = xp.arange(size, dtype=np.int64) * geo.stride[axis] - geo.padding[axis]
        pos = start.reshape((size,) + (1,) * (nd - 1 - axis)) + tap * geo.dilation[axis]
        flat = flat + pos * volume
        volume *= spatial[axis]
    return flat


class MaxPool2DWithIndicesBackward(Op):
    """Routes each output gradient to its window's winner (offsets from the forward)."""
    _array_backward = True

    def forward(ctx, g, offsets, geo, in_shape, fmt=None):
        xp = ctx.xp
        ctx.offsets, ctx.geo, ctx.in_shape, ctx.out_shape = offsets, geo, in_shape, g.shape
        nd = len(geo.kernel)
        gb = _batched(g, nd)
        full = _batched_shape(in_shape, nd)
        gx = xp.empty(full, g.dtype)
        _max_pool_grad(xp, gb, offsets, geo, gx)
        return lay_out(xp, gx.reshape(in_shape), fmt)

    def backward(ctx, gg):
        nd = len(ctx.geo.kernel)
        full = _batched_shape(ctx.in_shape, nd)
        idx = _flat_indices(ctx.xp, ctx.offsets, ctx.geo, full[2:])
        return MaxPoolGather.apply(gg, idx.reshape(ctx.out_shape), ctx.in_shape, nd)


class MaxPool3DWithIndicesBackward(MaxPool2DWithIndicesBackward):
    pass


def _max_pool_grad(xp, gb, offsets, geo, gx):
    """gx = gb at each window's winning offset, 0 elsewhere, over chunks of images
    (_image_chunk), split over ember's kernel threads in a quiet process: each chunk's gradient
    is built in a zeroed padded buffer and its interior copied out. Disjoint windows have one
    winner per input element at most: the gradient is stored at the winners' flat positions;
    overlapping windows add each kernel offset's share through its view."""
    out = gb.shape[2:]
    images = gx.shape[0] * gx.shape[1]

    g1, o1, x1 = _as_images(gb, images), _as_images(offsets, images), _as_images(gx, images)
    shape, fits = _padded_shape(x1.shape, geo, out)
    disjoint = geo.disjoint()
    # g * mask puts g at the winners and 0 elsewhere, unless g holds NaN (NaN * 0 is NaN).
    exact = disjoint or gb.dtype.kind != "f" or not xp.isnan(gb).any()

    def route(first, last):  # the images [first, last), in chunks
        m = _image_chunk(last - first, shape, gx.itemsize)
        buf = None if fits else xp.empty((m,) + shape[1:], gx.dtype)
        if disjoint:
            steps = _offset_steps(xp, shape[2:], geo.kernel, geo.dilation)
            starts = _window_starts(xp, m, shape[2:], out, geo.stride)
        else:
            mask = xp.empty((m,) + g1.shape[1:], np.bool_)
        for a in range(first, last, m):
            b = min(a + m, last)
            grid = x1[a:b] if fits else buf[:b - a]
            grid.fill(0)
            gk, ok = g1[a:b], o1[a:b]
            if disjoint:
                places = xp.take(steps, ok.reshape(-1))
                places += starts[:places.size]
                grid.reshape(-1)[places] = gk.reshape(-1)
            else:
                mk = mask[:b - a]
                for k, view in enumerate(_views(grid, geo, out)):
                    xp.equal(ok, k, out=mk)
                    view += gk * mk if exact else xp.where(mk, gk, 0)
            if not fits:
                x1[a:b] = _crop(grid, geo, x1.shape[2:])

    _threads.quiet_parts(route, images, gx.size * 3, xp)


def _offset_steps(xp, padded, kernel, dilation):
    """Each kernel offset's distance from its window's first element in a flattened padded image
    of spatial shape `padded`, in window (row-major) order."""
    steps, pitch = [0], _volume(padded)
    for n, k, d in zip(padded, kernel, dilation):
        pitch //= n
        steps = [s + j * d * pitch for s in steps for j in range(k)]
    return xp.asarray(steps, dtype=np.intp)


@functools.lru_cache(maxsize=32)
def _window_starts(xp, images, padded, out, stride):
    """The flat position of every window's first element in `images` consecutive padded images
    of spatial shape `padded`, images-major (a prefix serves fewer images). Cached: a model pools
    the same shapes every step; callers must not write to it."""
    volume = _volume(padded)
    starts = (xp.arange(images, dtype=np.intp) * volume).reshape((images,) + (1,) * len(out))
    pitch = volume
    for axis, (n, o, s) in enumerate(zip(padded, out, stride)):
        pitch //= n
        along = xp.arange(o, dtype=np.intp) * (s * pitch)
        starts = starts + along.reshape((o,) + (1,) * (len(out) - 1 - axis))
    return starts.reshape(-1)


class MaxPoolGather(Op):
    """out[..., p] = x[..., idx[..., p]] over each flattened nd-dim spatial volume: max pooling
    with known winners. idx has the output's shape; in_shape (x's shape) is kept for the adjoint."""
    _array_backward = True

    def forward(ctx, x, idx, in_shape, nd):
        ctx.idx, ctx.in_shape, ctx.nd = idx, in_shape, nd
        volume = _volume(x.shape[x.ndim - nd:])
        flat_idx = idx.reshape(-1, _volume(idx.shape[idx.ndim - nd:]))
        out = ctx.xp.take_along_axis(x.reshape(-1, volume), flat_idx, axis=1)
        return out.reshape(idx.shape)

    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.in_shape, ctx.nd)


def _per_row(a, rows):
    """a's elements per row of `rows` (reshape's -1, which an empty batch of 0 rows leaves
    undetermined)."""
    return a.size // rows if rows else 0


class MaxPoolScatter(Op):
    """MaxPoolGather's adjoint: adds each gradient into its winner's place (windows may share)."""
    _array_backward = True

    def forward(ctx, g, idx, in_shape, nd, fmt=None):
        xp = ctx.xp
        ctx.idx, ctx.in_shape, ctx.nd = idx, in_shape, nd
        volume = _volume(in_shape[len(in_shape) - nd:])
        rows = _volume(in_shape[:len(in_shape) - nd])
        flat = (idx.reshape(rows, _per_row(idx, rows)) + xp.arange(rows)[:, None] * volume).ravel()
        # bincount sums duplicate indices (overlapping windows) in one pass; it accumulates in
        # float64, so the result is cast back.
        out = xp.bincount(flat, weights=g.ravel(), minlength=rows * volume)
        return lay_out(xp, out.astype(g.dtype, copy=False).reshape(in_shape), fmt)

    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.idx, ctx.in_shape, ctx.nd)


def _volume(shape):
    return math.prod(shape)  # a Python int; np.prod costs ~2 us a call on this hot path


class AdaptiveMaxPool2D(Op):
    """Adaptive max pooling: window i spans [floor(i*H/oh), ceil((i+1)*H/oh)) along each dim;
    returns (output, indices). Separable: the max over the windows of the last dim, then of
    those maxima over the windows of each dim before it, carrying the winners' flat indices.
    The 2-D op's results and input gradient take the layout the input suggests (NOTE [ Suggested
    memory format ]); torch's 3-D one stays contiguous."""
    _array_backward = True

    def forward(ctx, x, out):
        xp = ctx.xp
        ctx.fmt = fmt = _suggested(x, 2) if len(out) == 2 else None
        nd = len(out)
        a = _batched(x, nd)
        spatial = a.shape[2:]
        idx, volume = None, 1
        for axis in range(a.ndim - 1, 1, -1):
            size, n_out = a.shape[axis], out[axis - 2]
            shape = list(a.shape)
            shape[axis] = n_out
            y = xp.empty(shape, a.dtype)
            new_idx = xp.empty(shape, np.int64)
            lead = (slice(None),) * axis
            for j, (lo, hi) in enumerate(_adaptive_bounds(size, n_out)):
                seg = a[lead + (slice(lo, hi),)]
                arg = xp.expand_dims(seg.argmax(axis), axis)
                y[lead + (slice(j, j + 1),)] = xp.take_along_axis(seg, arg, axis)
                pos = arg + lo
                if idx is not None:
                    pos = pos * volume + xp.take_along_axis(idx, pos, axis)
                new_idx[lead + (slice(j, j + 1),)] = pos
            a, idx = y, new_idx
            volume *= spatial[axis - 2]
        ctx.idx, ctx.in_shape = idx, x.shape
        if x.ndim == nd + 1:
            return a[0], idx[0]
        return lay_out(xp, a, fmt), lay_out(xp, idx, fmt)

    def backward(ctx, g, *_):
        return _GRAD_OPS[ctx._forward_cls].apply(g, ctx.idx.reshape(g.shape), ctx.in_shape,
                                                 ctx.idx.ndim - 2, ctx.fmt)


class AdaptiveMaxPool3D(AdaptiveMaxPool2D):
    pass


class AdaptiveMaxPool2DBackward(MaxPoolScatter):
    pass


class AdaptiveMaxPool3DBackward(MaxPoolScatter):
    pass


# -- average pooling -------------------------------------------------------------------------------

class AvgPool2D(Op):
    """Average pooling; the 2-D op's output and input gradient take the layout the input
    suggests (NOTE [ Suggested memory format ]), torch's 3-D one stays contiguous."""
    _array_backward = True

    def forward(ctx, x, geo, count_include_pad, divisor_override):
        xp = ctx.xp
        fmt = _suggested(x, 2) if len(geo.kernel) == 2 else None
        ctx.args = (x.shape, geo, count_include_pad, divisor_override, fmt)
        nd = len(geo.kernel)
        a = _batched(x, nd)
        out = geo.out_size(a.shape[2:])
        views = _views(_padded(xp, a, geo, out, 0), geo, out)
        # the views' own order keeps a channels-last input's layout; else C, as torch's 3-D op
        y = xp.array(next(views), dtype=np.int64 if a.dtype.kind in "iu" else a.dtype,
                     order="K" if fmt else "C")
        for v in views:
            xp.add(y, v, out=y)
        div = _divisor(xp, geo, a.shape[2:], out, count_include_pad, divisor_override, a.dtype)
        if a.dtype.kind == "f":
            y /= div
        else:  # integer average pooling truncates toward zero, as PyTorch's does
            y = (xp.sign(y) * (xp.abs(y) // div)).astype(a.dtype)
        return y.reshape(y.shape[1:]) if x.ndim == nd + 1 else lay_out(xp, y, fmt)

    def backward(ctx, g):
        return _GRAD_OPS[ctx._forward_cls].apply(g, *ctx.args)


class AvgPool3D(AvgPool2D):
    pass


class AvgPool2DBackward(Op):
    """Spreads each output gradient, divided by its window's divisor, over the window."""
    _array_backward = True

    def forward(ctx, g, in_shape, geo, count_include_pad, divisor_override, fmt=None):
        xp = ctx.xp
        ctx.args = (geo, count_include_pad, divisor_override)
        nd = len(geo.kernel)
        gb = _batched(g, nd)
        full = _batched_shape(in_shape, nd)
        out = gb.shape[2:]
        share = gb / _divisor(xp, geo, full[2:], out, count_include_pad, divisor_override,
                              g.dtype)
        fresh = xp.empty if geo.tiles(full[2:], out) else xp.zeros
        grid = _padded(xp, fresh(full, g.dtype), geo, out, 0)
        disjoint = geo.disjoint()
        for view in _views(grid, geo, out):
            if disjoint:
                view[...] = share
            else:
                xp.add(view, share, out=view)
        gx = _crop(grid, geo, full[2:]) if grid.shape != full else grid
        return lay_out(xp, xp.ascontiguousarray(gx).reshape(in_shape), fmt)

    def backward(ctx, gg):
        return _FORWARD_OPS[ctx._forward_cls].apply(gg, *ctx.args)


class AvgPool3DBackward(AvgPool2DBackward):
    pass


def _divisor(xp, geo, spatial, out, count_include_pad, divisor_override, dtype):
    """PyTorch's divisor per output: the override, else the window size clipped to the padded
    input (count_include_pad) or to the input. A Python number when it is the same everywhere."""
    if divisor_override:
        return int(divisor_override)
    sizes = []
    for n, o, k, s, p in zip(spatial, out, geo.kernel, geo.stride, geo.padding):
        sizes.append(_window_sizes(n, o, k, s, p, count_include_pad))
    if all(w.min() == w.max() for w in sizes):
        return int(np.prod([w[0] for w in sizes]))
    div = functools.reduce(np.multiply.outer, sizes)
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


def _along(axis, index):
    """An index tuple that picks `index` along the negative axis `axis`, all of the dims after."""
    return (Ellipsis, index) + (slice(None),) * (-1 - axis)


def _window_sums(xp, a, size, out, axis):
    """Sums of a over each adaptive window along the negative axis `axis`: one reduction per
    window, so a NaN or Inf reaches only the windows that hold it (a dense averaging matrix
    would spread it everywhere, 0 * NaN being NaN)."""
    shape = list(a.shape)
    shape[axis] = out
    sums = xp.empty(shape, a.dtype)
    for i, (lo, hi) in enumerate(_adaptive_bounds(size, out)):
        a[_along(axis, slice(lo, hi))].sum(axis, out=sums[_along(axis, i)])
    return sums


def _window_spread(xp, g, size, out, axis):
    """The adjoint of _window_sums: each window's value added over the window's span."""
    shape = list(g.shape)
    shape[axis] = size
    spread = xp.zeros(shape, g.dtype)
    for i, (lo, hi) in enumerate(_adaptive_bounds(size, out)):
        spread[_along(axis, slice(lo, hi))] += g[_along(axis, slice(i, i + 1))]
    return spread


def _window_counts(xp, spatial, out, dtype):
    """Element counts of the adaptive windows, shaped as the output's spatial dims."""
    counts = [np.array([hi - lo for lo, hi in _adaptive_bounds(n, o)])
              for n, o in zip(spatial, out)]
    return xp.asarray(functools.reduce(np.multiply.outer, counts).astype(dtype))


class AdaptiveAvgPool2D(Op):
    """Adaptive average pooling; the 2-D op's output and input gradient take the layout the
    input suggests (NOTE [ Suggested memory format ]), but for a 1x1 output torch takes the
    mean, whose gradient is contiguous; torch's 3-D op stays contiguous."""

    def forward(ctx, x, out):
        xp = ctx.xp
        fmt = _suggested(x, 2) if len(out) == 2 else None
        ctx.fmt = None if all(o == 1 for o in out) else fmt
        spatial = x.shape[x.ndim - len(out):]
        ctx.in_size = spatial
        y = x
        for axis in range(-1, -len(out) - 1, -1):
            y = _window_sums(xp, y, spatial[axis], out[axis], axis)
        y /= _window_counts(xp, spatial, out, x.dtype)
        return lay_out(xp, y, fmt)

    def backward(ctx, g):
        return _GRAD_OPS[ctx._forward_cls].apply(g, ctx.in_size, ctx.fmt)


class AdaptiveAvgPool3D(AdaptiveAvgPool2D):
    pass


class AdaptiveAvgPool2DBackward(Op):
    def forward(ctx, g, in_size, fmt=None):
        xp = ctx.xp
        batched = g.ndim == len(in_size) + 2
        for d in range(int(batched), g.ndim):  # torch's backward kernel refuses an empty output
            if g.shape[d] == 0:
                nd = 3 if ctx._forward_cls is AdaptiveAvgPool3DBackward else 2
                raise RuntimeError(f"adaptive_avg_pool{nd}d_backward(): Expected grad_output to "
                                   "have non-zero size for non-batch dimensions, but grad_output "
                                   f"has sizes {list(g.shape)} with dimension {d} being empty")
        out = g.shape[g.ndim - len(in_size):]
        ctx.out = out
        gx = g / _window_counts(xp, in_size, out, g.dtype)
        for axis in range(-1, -len(out) - 1, -1):
            gx = _window_spread(xp, gx, in_size[axis], out[axis], axis)
        return lay_out(xp, gx, fmt)

    def backward(ctx, gg):
        return _FORWARD_OPS[ctx._forward_cls].apply(gg, ctx.out)


class AdaptiveAvgPool3DBackward(AdaptiveAvgPool2DBackward):
    pass


# -- max unpooling ---------------------------------------------------------------------------------

class MaxUnpool2D(Op):
    """Places each input value at its index in a zeroed output volume: max pooling's partial
    inverse. The 3-D op is this one under torch's name; its gradient gathers at the indices."""

    def forward(ctx, x, idx, out_shape, nd):
        xp = ctx.xp
        ctx.idx, ctx.out_shape, ctx.nd = idx, out_shape, nd
        spatial = out_shape[len(out_shape) - nd:]
        volume, rows = _volume(spatial), _volume(out_shape[:len(out_shape) - nd])
        flat_idx = idx.reshape(rows, _per_row(idx, rows))
        if flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= volume):
            bad = flat_idx.max() if flat_idx.max() >= volume else flat_idx.min()
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, spatial))})")
        out = xp.zeros((rows, volume), x.dtype)
        out[xp.arange(rows)[:, None], flat_idx] = x.reshape(flat_idx.shape)
        return out.reshape(out_shape)

    def backward(ctx, g):
        return MaxPoolGather.apply(g, ctx.idx, ctx.out_shape, ctx.nd)


class MaxUnpool3D(MaxUnpool2D):
    pass


def _unpool_size(input, kernel_size, stride, padding, output_size, nd):
    """The output's spatial size: (in - 1) * stride - 2 * padding + kernel, or output_size
    (nd or nd + 2 entries) when it lies strictly within a stride of that."""
    k = _ntuple(kernel_size, nd, "max_unpool", "kernel_size")
    s = k if stride is None else _ntuple(stride, nd, "max_unpool", "stride")
    p = _ntuple(padding, nd, "max_unpool", "padding")
    spatial = tuple(input.shape[input.dim() - nd:])
    default = tuple((n - 1) * ss - 2 * pp + kk for n, kk, ss, pp in zip(spatial, k, s, p))
    if output_size is None:
        return default
    given = output_size
    if len(given) == nd + 2:
        given = given[2:]
    if len(given) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, "
                         f"but it has a length of '{len(given)}'")
    for d in range(nd):
        lo, hi = default[d] - s[d], default[d] + s[d]
        if not lo < given[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f'{lo} and {hi})')
    return tuple(int(v) for v in given)


def _max_unpool(op, input, indices, kernel_size, stride, padding, output_size, nd):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d "
                           f"Tensor, but got a tensor with {input.dim()} dimensions.")
    if indices.dtype != _dtype.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{_dtype.type_name(indices.dtype)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({shape_str(input.shape)}) but got indices tensor with shape: "
                           f"{shape_str(indices.shape)}")
    size = _unpool_size(input, kernel_size, stride, padding, output_size, nd)
    _check_floating(input, f"max_unpool{nd}d")
    out_shape = tuple(input.shape[:input.dim() - nd]) + size
    return op.apply(input, indices._data, out_shape, nd)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: input values at their indices, zeros elsewhere."""
    return _max_unpool(MaxUnpool2D, input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d: input values at their indices, zeros elsewhere."""
    return _max_unpool(MaxUnpool3D, input, indices, kernel_size, stride, padding, output_size, 3)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: a width-1 max_unpool2d, as PyTorch computes it."""
    k = _ntuple(kernel_size, 1, "max_unpool1d", "kernel_size")
    s = k if stride is None else _ntuple(stride, 1, "max_unpool1d", "stride")
    p = _ntuple(padding, 1, "max_unpool1d", "padding")
    size = _unpool_size(input, k, s, p, output_size, 1)
    return max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), k + (1,), s + (1,),
                        p + (0,), size + (1,)).squeeze(-1)


# Each pooling op's gradient op, and back: the 3-D ops are the 2-D ones under torch's names.
_GRAD_OPS = {MaxPool2DWithIndices: MaxPool2DWithIndicesBackward,
             MaxPool3DWithIndices: MaxPool3DWithIndicesBackward,
             AdaptiveMaxPool2D: AdaptiveMaxPool2DBackward,
             AdaptiveMaxPool3D: AdaptiveMaxPool3DBackward,
             AvgPool2D: AvgPool2DBackward, AvgPool3D: AvgPool3DBackward,
             AdaptiveAvgPool2D: AdaptiveAvgPool2DBackward,
             AdaptiveAvgPool3D: AdaptiveAvgPool3DBackward}
_FORWARD_OPS = {grad: fwd for fwd, grad in _GRAD_OPS.items()}


# -- argument parsing and checks -------------------------------------------------------------------

_ARG_MESSAGES = {
    "kernel_size": "kernel_size must either be a single int, or a tuple of {n} ints",
    "stride": "stride must either be omitted, a single int, or a tuple of {n} ints",
    "padding": "padding must either be a single int, or a tuple of {n} ints",
    "dilation": "dilation must be either a single int, or a tuple of {n} ints",
}
_AVG3D_MESSAGES = {  # avg_pool3d words them differently
    "kernel_size": "kernel_size must be a single int, or a tuple of three ints",
    "stride": "stride must be omitted, a single int, or a tuple of three ints",
    "padding": "padding must be a single int, or a tuple of three ints",
}
_LETTERS = {2: ("H", "W"), 3: ("T", "H", "W")}


def _ntuple(value, nd, fn, name):
    """An int or a 1- or nd-tuple of ints, as PyTorch's pooling arguments."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            return (int(value[0]),) * nd
        if len(value) == nd:
            return tuple(int(v) for v in value)
        words = _AVG3D_MESSAGES if fn == "avg_pool3d" else _ARG_MESSAGES
        raise RuntimeError(f"{fn}: " + words[name].format(n="two" if nd == 2 else "three"))
    return (int(value),) * nd


def _labelled(prefix, values):
    return " ".join(f"{prefix}{letter}: {v}" for letter, v in zip(_LETTERS[len(values)], values))


_GEOMETRIES = {}  # checked geometries by arguments and input shape: a model's every step asks again


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, fn, nd=2):
    """The validated _PoolGeometry of a pooling call, raising PyTorch's errors for bad arguments."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    key = (fn, nd, kernel_size, stride, padding, dilation, ceil_mode, input._data.shape)
    try:
        return _GEOMETRIES[key]
    except KeyError:
        pass
    except TypeError:  # a list argument
        key = None
    geo = _checked_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, fn, nd)
    if key is not None and len(_GEOMETRIES) < 256:
        _GEOMETRIES[key] = geo
    return geo


def _checked_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, fn, nd):
    k = _ntuple(kernel_size, nd, fn, "kernel_size")
    omitted = stride is None or isinstance(stride, (tuple, list)) and len(stride) == 0
    s = k if omitted else _ntuple(stride, nd, fn, "stride")
    p = _ntuple(padding, nd, fn, "padding")
    d = _ntuple(dilation, nd, fn, "dilation")
    if 0 in s:
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got "
                           f"{_labelled('k', k)}")
    if min(s) < 0:
        raise RuntimeError(f"stride should be greater than zero, but got {_labelled('d', s)}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got "
                           f"{_labelled('dilation', d)}")
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    for pad, kk, dd in zip(p, k, d):
        if pad > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pad}, kernel_size={kk} and dilation={dd}")
    shape = tuple(input.shape)
    if nd == 2:
        if len(shape) not in (3, 4) or 0 in shape[-3:]:
            raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{shape_str(shape)}")
    else:
        _check_volume_input(shape, fn)
    geo = _PoolGeometry(k, s, p, d, ceil_mode)
    spatial = shape[-nd:]
    if fn == "avg_pool3d" and any(n < kk for n, kk in zip(spatial, k)):
        raise RuntimeError(f"input image ({_labelled('', spatial)}) smaller than kernel size "
                           f"({_labelled('k', k)})")
    out = geo.out_size(spatial)
    for o in out:
        if o < 1:
            raise RuntimeError(f"Given input size: ({'x'.join(map(str, shape[-nd - 1:]))}). "
                               f"Calculated output size: "
                               f"({'x'.join(map(str, (shape[-nd - 1],) + out))}). Output size "
                               f"is too small")
    return geo


def _check_volume_input(shape, fn):
    if len(shape) not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    for i in range(len(shape) - 4, len(shape)):
        if shape[i] == 0:
            where = "max_pool3d_with_indices_out_cpu_template" if fn == "max_pool3d" else fn
            raise RuntimeError(f"{where}(): Expected input's non-batch dimensions to have "
                               f"positive length, but input has a shape of {shape_str(shape)} "
                               f"and non-batch dimension {i - len(shape) + 4} has length "
                               f"zero!")


def _check_not_bool(input, fn):
    if input.dtype == _dtype.bool:
        raise NotImplementedError(f"\"{fn}\" not implemented for 'Bool'")


def _check_floating(input, fn):
    if input.dtype.np.kind != "f":
        raise NotImplementedError(f"\"{fn}\" not implemented for '{_dtype.type_name(input.dtype)}'")


def _adaptive_size(input, output_size, fn, nd=2):
    dims = (nd + 1, nd + 2)
    if input.dim() not in dims:
        sep = ":" if "max" in fn else ""
        raise RuntimeError(f"{fn}(): Expected {dims[0]}D or {dims[1]}D tensor, but got{sep} "
                           f"{shape_str(input.shape)}")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            if fn == "adaptive_max_pool3d":
                raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {nd}")
            raise RuntimeError(f"{fn}: output_size must be {nd}")
        size = tuple(input.shape[-nd + i] if v is None else int(v)
                     for i, v in enumerate(output_size))
    else:
        size = (int(output_size),) * nd
    if min(size) < 0:
        if "max" in fn:
            shown = shape_str(tuple(input.shape[:-nd]) + size)
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                               f"{shown}")
        received = ", ".join(map(str, size)) if nd == 2 else f"{size[0]}, {size[1]},{size[2]}"
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{received}}}")
    shape = tuple(input.shape)
    for i in range(len(shape) - nd - 1, len(shape)):
        if shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {shape_str(shape)} with "
                               f"dimension {i} being empty")
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

def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling of (N, C, H, W) or (C, H, W); with return_indices, also the argmax indices."""
    geo = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    _check_not_bool(input, "max_pool2d")
    return MaxPool2DWithIndices.apply(input, geo, bool(return_indices))


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """Max pooling of (N, C, H, W) or (C, H, W): (output, int64 indices into each H*W plane)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W); with return_indices, also the argmax
    indices into each D*H*W volume."""
    geo = _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d",
                         3)
    _check_not_bool(input, "max_pool3d")
    return MaxPool3DWithIndices.apply(input, geo, bool(return_indices))


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool3d returning (output, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


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


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool1d returning (output, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Average pooling of (N, C, H, W) or (C, H, W) with PyTorch's divisor rules."""
    if isinstance(input, Tensor) and input.dim() < 3:
        n = max(input.dim(), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [-{n}, {n - 1}], "
                         f"but got -3)")
    geo = _pool_geometry(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    return _avg_pool(AvgPool2D, input, geo, count_include_pad, divisor_override, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) with PyTorch's divisor rules."""
    geo = _pool_geometry(input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool3d", 3)
    if input.dtype.np.kind == "f" and input.dtype.np.itemsize < 4:
        raise NotImplementedError("\"avg_pool3d_out_frame\" not implemented for 'Half'")
    return _avg_pool(AvgPool3D, input, geo, count_include_pad, divisor_override,
                     "avg_pool3d_out_frame")


def _avg_pool(op, input, geo, count_include_pad, divisor_override, kernel_name):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_not_bool(input, kernel_name)
    return op.apply(input, geo, bool(count_include_pad), divisor_override)


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


def adaptive_avg_pool3d(input, output_size):
    """Adaptive average pooling of (N, C, D, H, W) or (C, D, H, W) to output_size (an int, or a
    triple whose None entries keep the input's size); 1x1x1 is a mean, as in PyTorch."""
    size = _adaptive_size(input, output_size, "adaptive_avg_pool3d", 3)
    _check_floating(input, "adaptive_avg_pool3d_cpu")
    if size == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    return AdaptiveAvgPool3D.apply(input, size)


def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling of (N, C, L) or (C, L)."""
    _check_1d(input, "adaptive_avg_pool1d")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _one(output_size))).squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling; with return_indices, also the argmax indices into each H*W plane."""
    size = _adaptive_size(input, output_size, "adaptive_max_pool2d")
    _check_floating(input, "adaptive_max_pool2d")
    out, idx = AdaptiveMaxPool2D.apply(input, size)
    return (out, idx) if return_indices else out


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool2d returning (output, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Adaptive max pooling of (N, C, D, H, W) or (C, D, H, W); with return_indices, also the
    argmax indices into each D*H*W volume."""
    size = _adaptive_size(input, output_size, "adaptive_max_pool3d", 3)
    _check_floating(input, "adaptive_max_pool3d_cpu")
    out, idx = AdaptiveMaxPool3D.apply(input, size)
    return (out, idx) if return_indices else out


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool3d returning (output, indices)."""
    return adaptive_max_pool3d(input, output_size, True)


def adaptive_max_pool1d(input, output_size):
    """Adaptive max pooling of (N, C, L) or (C, L): (output, indices), a height-1
    adaptive_max_pool2d (torch.adaptive_max_pool1d; F's form takes return_indices)."""
    _check_1d(input, "adaptive_max_pool1d")
    out, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, _one(output_size)), True)
    return out.squeeze(-2), idx.squeeze(-2)
