"""Convolution, transposed convolution, unfold and fold: im2col and GEMMs, backward as convolutions.

NOTE [ Convolution kernels ]
The three linear maps of a convolution y = conv(x, w) are array kernels here:
`_conv_forward` (y from x and w), `_conv_input_grad` (x-shaped, from gy and w: the transposed
convolution) and `_conv_weight_grad` (w-shaped, from x and gy). Each is the adjoint of the others
in one argument, so the three Ops below differentiate into each other and double backward needs
no extra code. Every kernel walks the batch in chunks sized so that one chunk's scratch arrays
stay in cache (2 MiB: measured on the 2-core machine, the CIFAR LeNet's conv1 at batch 256 runs
about 3x faster than through one 60 MB im2col matrix), with one batched matmul call per chunk (a
GEMM per sample: measured faster here than one GEMM over a channel-major chunk) and scratch
buffers reused between chunks and calls (allocation is a measurable cost on this machine).

NOTE [ Flat rows ]
Each (sample, channel) image of a chunk is copied, zero-padded, into one flat row of a buffer.
With stride 1 along the width, the window of kernel offset (i, j) is then the contiguous run
starting at i*dh*Wp + j*dw of length Ho*Wp: output rows are computed Wp wide instead of Wo wide
(the extra Wp - Wo "garbage" columns are dropped, and zeroed in gradients so they add nothing).
That makes the im2col copy and the col2im adds long contiguous runs instead of Ho short rows of Wo
elements each: 3x faster at the LeNet's shapes. The windows are `as_strided` views of the flat
buffer (the same windows `sliding_window_view` gives, taken on the flat rows); with a stride
along the width the output is computed Wo wide and the views are ordinary strided views.

NOTE [ Stacked rows ]
With stride 1 the window of kernel offset (i, j) starts i*dh*Wp + j*dw into a flat row, so the
kw column offsets can be stacked once (kw shifted copies of each row) and each kernel row i is a
column slice of that stack: no kh*kw-fold im2col matrix. The gradient kernels use it: the weight
gradient is kh GEMMs against slices of the stacked input, the input gradient one GEMM of the
weights (as kh*C x O*kw) against the stacked output gradient followed by kh adds instead of
kh*kw. On the LeNet's conv2 both run ~1.7x faster than through im2col; the forward does not (its
im2col GEMM is already one large K = C*kh*kw product), so it keeps im2col.
"""
import threading

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, shape_str

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]  # unfold/fold: F only

_CHUNK_BYTES = 1 << 21


# -- geometry --------------------------------------------------------------------------------------

class _Geometry:
    """Kernel size, stride, dilation, (low, high) padding per spatial dim and groups, in 2-D form.

    1-D convolutions use height 1. Padding is stored per side because padding='same' with an even
    effective kernel pads one more on the high side, as PyTorch does.
    """
    __slots__ = ("kh", "kw", "sh", "sw", "dh", "dw", "pt", "pb", "pl", "pr", "groups")

    def __init__(self, kernel, stride, dilation, padding, groups=1):
        self.kh, self.kw = kernel
        self.sh, self.sw = stride
        self.dh, self.dw = dilation
        (self.pt, self.pb), (self.pl, self.pr) = padding
        self.groups = groups

    def padded(self, h, w):
        return h + self.pt + self.pb, w + self.pl + self.pr

    def out_size(self, h, w):
        """Windows that fit the padded (h, w) image; non-positive when none does."""
        hp, wp = self.padded(h, w)
        return ((hp - self.dh * (self.kh - 1) - 1) // self.sh + 1,
                (wp - self.dw * (self.kw - 1) - 1) // self.sw + 1)


class _Layout:
    """Where one chunk of images lives (NOTE [ Flat rows ]): padded flat rows, windows Ho x Wq."""
    __slots__ = ("h", "w", "hp", "wp", "ho", "wo", "wq", "row", "itemsize")

    def __init__(self, geo, image_hw, out_hw, itemsize):
        self.h, self.w = image_hw
        self.ho, self.wo = out_hw
        self.hp, self.wp = geo.padded(self.h, self.w)
        self.wq = self.wp if geo.sw == 1 else self.wo
        # A window run of the last output row reads past the padded image by (kw-1)*dw elements.
        self.row = self.hp * self.wp + ((geo.kw - 1) * geo.dw if geo.sw == 1 else 0)
        self.itemsize = itemsize

    def chunk(self, n, channels, geo):
        """Samples per chunk of an im2col kernel."""
        return _chunk_rows(n, channels * geo.kh * geo.kw * self.ho * self.wq * self.itemsize)

    def interior(self, flat, geo):
        """The (m, C, h, w) view of the image inside flat padded rows."""
        img = flat[:, :, :self.hp * self.wp].reshape(flat.shape[0], flat.shape[1], self.hp, self.wp)
        return img[:, :, geo.pt:geo.pt + self.h, geo.pl:geo.pl + self.w]

    def windows(self, xp, flat, geo):
        """(m, C, kh, kw, Ho, Wq) view: element [n, c, i, j, r, q] is the padded image at
        (r*sh + i*dh, q*sw + j*dw) of row (n, c). Made once per call (as_strided costs ~10 us);
        chunks and kernel offsets index into it."""
        e = self.itemsize
        s0, s1 = flat.strides[:2]
        return xp.lib.stride_tricks.as_strided(
            flat, (flat.shape[0], flat.shape[1], geo.kh, geo.kw, self.ho, self.wq),
            (s0, s1, geo.dh * self.wp * e, geo.dw * e, geo.sh * self.wp * e, geo.sw * e))


# -- reusable buffers ------------------------------------------------------------------------------

_local = threading.local()
_MAX_BUFFERS = 32
_MAX_KEPT_BYTES = 8 * _CHUNK_BYTES  # larger scratch (one huge sample) is not kept alive


def _buffer(xp, key, shape, dtype, zero=False):
    """A scratch array kept between calls (per thread). `key` must pin down every region a caller
    relies on staying zero (padding borders, garbage columns): those are never written."""
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    full_key = (xp.__name__, key, shape, np.dtype(dtype).str)
    buf = cache.get(full_key)
    if buf is None:
        buf = xp.zeros(shape, dtype) if zero else xp.empty(shape, dtype)
        if buf.nbytes <= _MAX_KEPT_BYTES:
            if len(cache) >= _MAX_BUFFERS:
                cache.clear()
            cache[full_key] = buf
    return buf


def _padded_rows(xp, lay, geo, m, channels, dtype):
    """Flat padded rows for m images, zero outside the interior (which every chunk overwrites)."""
    flat = _buffer(xp, ("rows", lay.h, lay.w, lay.hp, lay.wp, geo.pt, geo.pl),
                   (m, channels, lay.row), dtype, zero=True)
    return flat, lay.interior(flat, geo)


def _chunk_rows(n, per_sample_bytes):
    """Samples per chunk so that one chunk's scratch arrays stay near _CHUNK_BYTES."""
    return max(1, min(n, _CHUNK_BYTES // max(per_sample_bytes, 1)))


def _shifts(xp, a, count, step, length):
    """(m, C, count, length) view: element [n, c, j, p] is a[n, c, j*step + p]."""
    e = a.itemsize
    return xp.lib.stride_tricks.as_strided(a, a.shape[:2] + (count, length),
                                           a.strides[:2] + (step * e, e))


def _wide(xp, lay, g, a, b, m, dtype):
    """gy[a:b] as (k, O, Ho*Wq): widened to Wq columns with zero garbage columns when needed."""
    k, o = b - a, g.shape[1]
    if lay.wq == lay.wo:
        return g[a:b].reshape(k, o, lay.ho * lay.wq)
    buf = _buffer(xp, ("wide", lay.wo), (m, o, lay.ho, lay.wq), dtype, zero=True)
    buf[:k, :, :, :lay.wo] = g[a:b]
    return buf[:k].reshape(k, o, lay.ho * lay.wq)


# -- array kernels (NOTE [ Convolution kernels ]) --------------------------------------------------

def _conv_forward(xp, x, w, bias, geo, out_hw):
    n, c, h, wd = x.shape
    o = w.shape[0]
    g = geo.groups
    lay = _Layout(geo, (h, wd), out_hw, x.itemsize)
    kk, ll = c // g * geo.kh * geo.kw, lay.ho * lay.wq
    m = lay.chunk(n, c, geo)
    y = xp.empty((n, o, lay.ho, lay.wo), x.dtype)
    wm = w.reshape(g, o // g, kk)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    windows = lay.windows(xp, flat, geo)
    cols = _buffer(xp, "cols", (m, c, geo.kh, geo.kw, lay.ho, lay.wq), x.dtype)
    wide = None if lay.wq == lay.wo else _buffer(xp, "out", (m, o, lay.ho, lay.wq), x.dtype)
    bias = None if bias is None else bias.reshape(o, 1, 1)
    for a in range(0, n, m):
        b = min(a + m, n)
        k = b - a
        interior[:k] = x[a:b]
        xp.copyto(cols[:k], windows[:k])
        src = cols[:k].reshape(k, g, kk, ll)
        if wide is None:
            xp.matmul(wm, src, out=y[a:b].reshape(k, g, o // g, ll))
            if bias is not None:
                y[a:b] += bias  # while the chunk is in cache
        else:
            xp.matmul(wm, src, out=wide[:k].reshape(k, g, o // g, ll))
            if bias is None:
                y[a:b] = wide[:k, :, :, :lay.wo]
            else:
                xp.add(wide[:k, :, :, :lay.wo], bias, out=y[a:b])
    return y


def _conv_input_grad(xp, gy, w, image_hw, geo):
    """The transposed convolution: scatters gy through w onto an image of size image_hw."""
    lay = _Layout(geo, image_hw, gy.shape[2:], gy.itemsize)
    if geo.sh == geo.sw == 1:
        return _input_grad_stacked(xp, gy, w, geo, lay)
    n, o = gy.shape[:2]
    g = geo.groups
    c = w.shape[1] * g
    kk, ll = c // g * geo.kh * geo.kw, lay.ho * lay.wq
    m = lay.chunk(n, c, geo)
    wt = w.reshape(g, o // g, kk).transpose(0, 2, 1)
    cols = _buffer(xp, "cols", (m, c, geo.kh, geo.kw, lay.ho, lay.wq), gy.dtype)
    flat = _buffer(xp, "scatter", (m, c, lay.row), gy.dtype)
    windows, interior = lay.windows(xp, flat, geo), lay.interior(flat, geo)
    gx = xp.empty((n, c, lay.h, lay.w), gy.dtype)
    for a in range(0, n, m):
        b = min(a + m, n)
        k = b - a
        src = _wide(xp, lay, gy, a, b, m, gy.dtype).reshape(k, g, o // g, ll)
        xp.matmul(wt, src, out=cols[:k].reshape(k, g, kk, ll))
        flat[:k].fill(0)
        _col2im(xp, cols[:k], windows[:k])
        gx[a:b] = interior[:k]
    return gx


def _col2im(xp, cols, windows):
    """Add each kernel offset's columns into its window of the (zeroed) flat rows: kh*kw
    strided adds, never np.add.at."""
    for i in range(cols.shape[2]):
        for j in range(cols.shape[3]):
            dst = windows[:, :, i, j]
            xp.add(dst, cols[:, :, i, j], out=dst)


def _conv_weight_grad(xp, x, gy, w_shape, geo):
    n, c, h, wd = x.shape
    lay = _Layout(geo, (h, wd), gy.shape[2:], x.itemsize)
    if geo.sh == geo.sw == 1:
        return _weight_grad_stacked(xp, x, gy, w_shape, geo, lay)
    o = gy.shape[1]
    g = geo.groups
    kk, ll = c // g * geo.kh * geo.kw, lay.ho * lay.wq
    m = lay.chunk(n, c, geo)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    windows = lay.windows(xp, flat, geo)
    cols = _buffer(xp, "cols", (m, c, geo.kh, geo.kw, lay.ho, lay.wq), x.dtype)
    part = _buffer(xp, "wgrad", (m, g, o // g, kk), x.dtype)
    gw = xp.zeros((g, o // g, kk), x.dtype)
    for a in range(0, n, m):
        b = min(a + m, n)
        k = b - a
        interior[:k] = x[a:b]
        xp.copyto(cols[:k], windows[:k])
        src = _wide(xp, lay, gy, a, b, m, x.dtype).reshape(k, g, o // g, ll)
        # One GEMM per sample (a batched matmul): measured faster here than one GEMM per chunk,
        # which would need the columns transposed to channel-major order.
        xp.matmul(src, cols[:k].reshape(k, g, kk, ll).transpose(0, 1, 3, 2), out=part[:k])
        gw += part[:k].sum(0)
    return gw.reshape(w_shape)


def _input_grad_stacked(xp, gy, w, geo, lay):
    """Stride 1 (NOTE [ Stacked rows ]): the flat rows of gy shifted by each column offset are
    stacked, one GEMM per sample gives every kernel row's contribution, kh adds place them."""
    n, o = gy.shape[:2]
    g, cg = geo.groups, w.shape[1]
    c, og = cg * g, o // g
    kh, kw = geo.kh, geo.kw
    ll = lay.ho * lay.wp
    reach = (kw - 1) * geo.dw
    span = ll + reach
    m = _chunk_rows(n, (o * kw + kh * c) * span * gy.itemsize)
    # gy's rows, Wp wide (zero garbage columns), with `reach` zeros on either side
    padded = _buffer(xp, ("shifted", lay.wo, lay.wp, reach), (m, o, ll + 2 * reach), gy.dtype,
                     zero=True)
    inner = padded[:, :, reach:reach + ll].reshape(m, o, lay.ho, lay.wp)[..., :lay.wo]
    shifted = _shifts(xp, padded, kw, geo.dw, span)
    stack = _buffer(xp, "stack", (m, o, kw, span), gy.dtype)
    # the weights as (G, kh*Cg, Og*kw), column offsets reversed: shift j' holds offset kw-1-j'
    wr = w.reshape(g, og, cg, kh, kw)[..., ::-1].transpose(0, 3, 2, 1, 4).reshape(
        g, kh * cg, og * kw)
    prod = _buffer(xp, "rowsums", (m, g, kh, cg, span), gy.dtype)
    flat = _buffer(xp, "scatter", (m, c, lay.row), gy.dtype)
    blocks, interior = flat.reshape(m, g, cg, lay.row), lay.interior(flat, geo)
    gx = xp.empty((n, c, lay.h, lay.w), gy.dtype)
    for a in range(0, n, m):
        b = min(a + m, n)
        k = b - a
        inner[:k] = gy[a:b]
        xp.copyto(stack[:k], shifted[:k])
        xp.matmul(wr, stack[:k].reshape(k, g, og * kw, span),
                  out=prod[:k].reshape(k, g, kh * cg, span))
        flat[:k].fill(0)
        for i in range(kh):
            at = i * geo.dh * lay.wp
            dst = blocks[:k, :, :, at:at + span]
            xp.add(dst, prod[:k, :, i], out=dst)
        gx[a:b] = interior[:k]
    return gx


def _weight_grad_stacked(xp, x, gy, w_shape, geo, lay):
    """Stride 1 (NOTE [ Stacked rows ]): the flat rows of x shifted by each column offset are
    stacked once; kernel row i's gradient is gy times that stack's columns from row i on."""
    n, c = x.shape[:2]
    o, g = gy.shape[1], geo.groups
    kh, kw = geo.kh, geo.kw
    kk, ll = c // g * kw, lay.ho * lay.wp
    span = (kh - 1) * geo.dh * lay.wp + ll
    m = _chunk_rows(n, c * kw * span * x.itemsize)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    shifted = _shifts(xp, flat, kw, geo.dw, span)
    stack = _buffer(xp, "stack", (m, c, kw, span), x.dtype)
    part = _buffer(xp, "wgrad", (m, g, o // g, kk), x.dtype)
    gw = xp.zeros((kh, g, o // g, kk), x.dtype)
    for a in range(0, n, m):
        b = min(a + m, n)
        k = b - a
        interior[:k] = x[a:b]
        xp.copyto(stack[:k], shifted[:k])
        rows = stack[:k].reshape(k, g, kk, span)
        src = _wide(xp, lay, gy, a, b, m, x.dtype).reshape(k, g, o // g, ll)
        for i in range(kh):
            at = i * geo.dh * lay.wp
            xp.matmul(src, rows[..., at:at + ll].transpose(0, 1, 3, 2), out=part[:k])
            gw[i] += part[:k].sum(0)
    # (kh, G, Og, Cg, kw) -> (G*Og, Cg, kh, kw)
    gw = gw.reshape(kh, o, c // g, kw).transpose(1, 2, 0, 3)
    return xp.ascontiguousarray(gw).reshape(w_shape)


# -- ops -------------------------------------------------------------------------------------------

def _as_2d(a):
    """View a 1-D convolution's (N, C, L) array as (N, C, 1, L)."""
    return a[:, :, None, :] if a.ndim == 3 else a


class Convolution(Op):
    """conv (transposed=False) or transposed conv of a batched input; 1 or 2 spatial dims."""
    _n_operands = 3

    def forward(ctx, x, w, b, geo, transposed, out_hw):
        ctx.geo, ctx.transposed = geo, transposed
        ctx.save_for_backward(x, w)
        x2, w2 = _as_2d(x), _as_2d(w)
        if transposed:
            y = _conv_input_grad(ctx.xp, x2, w2, out_hw, geo)
            if b is not None:
                y += b.reshape(-1, 1, 1)
        else:
            y = _conv_forward(ctx.xp, x2, w2, b, geo, out_hw or geo.out_size(*x2.shape[2:]))
        return y.reshape(y.shape[:2] + y.shape[3:]) if x.ndim == 3 else y

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geo = ctx.geo
        gx = gw = gb = None
        if ctx.transposed:
            if need[0]:
                gx = Convolution.apply(g, w, None, geo, False, _spatial(x))
            if need[1]:
                gw = ConvolutionWeightGrad.apply(g, x, geo, tuple(w.shape))
        else:
            if need[0]:
                gx = Convolution.apply(g, w, None, geo, True, _spatial(x))
            if need[1]:
                gw = ConvolutionWeightGrad.apply(x, g, geo, tuple(w.shape))
        if len(need) > 2 and need[2]:
            gb = g.sum((0,) + tuple(range(2, g.ndim)))
        return gx, gw, gb


class ConvolutionWeightGrad(Op):
    """d<gy, conv(image, w)>/dw, bilinear in (image, gy); its gradients are convolutions again."""

    def forward(ctx, image, gy, geo, w_shape):
        ctx.geo = geo
        ctx.save_for_backward(image, gy)
        return _conv_weight_grad(ctx.xp, _as_2d(image), _as_2d(gy), w_shape, geo)

    def backward(ctx, gw):
        image, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        g_image = Convolution.apply(gy, gw, None, ctx.geo, True, _spatial(image)) \
            if need[0] else None
        g_gy = Convolution.apply(image, gw, None, ctx.geo, False, _spatial(gy)) \
            if need[1] else None
        return g_image, g_gy


def _spatial(t):
    """Spatial size of a batched 1-D or 2-D tensor in the 2-D form the kernels use."""
    s = tuple(t.shape[2:])
    return (1,) + s if len(s) == 1 else s


class Im2Col(Op):
    """F.unfold: (N, C, H, W) -> (N, C*kh*kw, L), the sliding blocks as columns."""

    def forward(ctx, x, geo):
        ctx.geo, ctx.image_hw = geo, x.shape[2:]
        n, c = x.shape[:2]
        lay = _exact_layout(geo, x.shape[2:], x.itemsize)
        flat = ctx.xp.zeros((n, c, lay.row), x.dtype)
        lay.interior(flat, geo)[...] = x
        cols = ctx.xp.empty((n, c, geo.kh, geo.kw, lay.ho, lay.wo), x.dtype)
        ctx.xp.copyto(cols, lay.windows(ctx.xp, flat, geo))
        return cols.reshape(n, c * geo.kh * geo.kw, lay.ho * lay.wo)

    def backward(ctx, g):
        return Col2Im.apply(g, ctx.geo, ctx.image_hw)


class Col2Im(Op):
    """F.fold: sums (N, C*kh*kw, L) columns back into (N, C, H, W) images (unfold's adjoint)."""

    def forward(ctx, cols, geo, image_hw):
        ctx.geo = geo
        n = cols.shape[0]
        c = cols.shape[1] // (geo.kh * geo.kw)
        lay = _exact_layout(geo, image_hw, cols.itemsize)
        flat = ctx.xp.zeros((n, c, lay.row), cols.dtype)
        _col2im(ctx.xp, cols.reshape(n, c, geo.kh, geo.kw, lay.ho, lay.wo),
                lay.windows(ctx.xp, flat, geo))
        return ctx.xp.ascontiguousarray(lay.interior(flat, geo))

    def backward(ctx, g):
        return Im2Col.apply(g, ctx.geo)


def _exact_layout(geo, image_hw, itemsize):
    """A layout whose windows are exactly Ho x Wo (unfold's columns have no garbage)."""
    lay = _Layout(geo, image_hw, geo.out_size(*image_hw), itemsize)
    lay.wq = lay.wo
    lay.row = lay.hp * lay.wp
    return lay


# -- argument parsing and checks -------------------------------------------------------------------

def _ntuple(value, n, name):
    """An int or a list of 1 or n ints, as PyTorch's convolution arguments."""
    if isinstance(value, (tuple, list)):
        vals = [int(v) for v in value]
        if len(vals) == 1:
            vals = vals * n
        if len(vals) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={shape_str(vals)}")
        return tuple(vals)
    return (int(value),) * n


def _to_2d(vals, fill):
    """Spatial arguments of 1 dim gain a leading `fill` so the kernels always see 2 dims."""
    return (fill,) + tuple(vals) if len(vals) == 1 else tuple(vals)


def _check_tensor(t, name, fn):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {1 if name == 'input' else 2}) must "
                        f"be Tensor, not {type(t).__name__}")


def _conv_geometry(input, weight, bias, stride, padding, dilation, groups, transposed,
                   output_padding, nd, fn):
    _check_tensor(input, "input", fn)
    _check_tensor(weight, "weight", fn)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{fn}, but got input of size: {shape_str(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional weight for {fn}, but got weight of "
                           f"size {shape_str(weight.shape)}")
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        pads = _string_padding(padding, kernel, stride, dilation, transposed, fn)
    else:
        pads = tuple((p, p) for p in _ntuple(padding, nd, "padding"))
        if any(p < 0 for p, _ in pads):
            raise RuntimeError("negative padding is not supported")
    _check_dtypes(input, weight, bias)
    _check_channels(input, weight, bias, groups, transposed, nd)
    geo = _Geometry(_to_2d(kernel, 1), _to_2d(stride, 1), _to_2d(dilation, 1),
                    _to_2d(pads, (0, 0)), groups)
    spatial = tuple(input.shape[-nd:])
    if transposed:
        out_pad = _ntuple(output_padding, nd, "output_padding")
        if any(op >= s and op >= d for op, s, d in zip(out_pad, stride, dilation)):
            names = ("height", "width")
            op2, s2, d2 = _to_2d(out_pad, 0), _to_2d(stride, 1), _to_2d(dilation, 1)
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got " +
                " ".join(f"output_padding_{nm}: {v}" for nm, v in zip(names, op2)) + " " +
                " ".join(f"stride_{nm}: {v}" for nm, v in zip(names, s2)) + " " +
                " ".join(f"dilation_{nm}: {v}" for nm, v in zip(names, d2)))
        out = tuple((i - 1) * s - lo - hi + d * (k - 1) + op + 1 for i, s, (lo, hi), d, k, op
                    in zip(spatial, stride, pads, dilation, kernel, out_pad))
        if any(o <= 0 for o in out):
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). "
                               f"Calculated output size per channel: "
                               f"({' x '.join(map(str, out))}). Output size is too small")
        return geo, _to_2d(out, 1)
    padded = tuple(i + lo + hi for i, (lo, hi) in zip(spatial, pads))
    eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           f"actual input size")
    return geo, None


def _string_padding(padding, kernel, stride, dilation, transposed, fn):
    if transposed:
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))  # the odd one out goes to the high side
    return tuple(pads)


def _check_dtypes(input, weight, bias):
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({_legacy(input)}) and weight type ({_legacy(weight)}) "
                           "should be the same or input should be a MKLDNN tensor and weight is "
                           "a dense tensor")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_scalar_name(input)}) and bias type "
                           f"({_scalar_name(bias)}) should be the same")
    if input.dtype == _dtype.bool:
        raise NotImplementedError("\"slow_conv2d_cpu\" not implemented for 'Bool'")


def _legacy(t):
    return "torch." + _dtype.LEGACY_NAMES[t.dtype]


def _scalar_name(t):
    return str(t.dtype).replace("torch.", "")


def _check_channels(input, weight, bias, groups, transposed, nd):
    c_in = input.shape[-nd - 1]
    batched = input.dim() == nd + 2
    shown = shape_str(input.shape if batched else (1,) + tuple(input.shape))
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{shape_str(weight.shape)}] "
                           f"instead")
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if c_in != expected:
        given = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {given}, weight of size {shape_str(weight.shape)}, expected "
                           f"input{shown} to have {expected} channels, but got {c_in} channels "
                           f"instead")
    if bias is not None:
        c_out = weight.shape[1] * groups if transposed else weight.shape[0]
        if bias.dim() != 1 or bias.shape[0] != c_out:
            given = "transposed=1, " if transposed else ""
            raise RuntimeError(f"Given {given}weight of size {shape_str(weight.shape)}, expected "
                               f"bias to be 1-dimensional with {c_out} elements, but got bias of "
                               f"size {shape_str(bias.shape)} instead")


def _convolution(input, weight, bias, stride, padding, dilation, groups, transposed,
                 output_padding, nd, fn):
    geo, out_hw = _conv_geometry(input, weight, bias, stride, padding, dilation, groups,
                                 transposed, output_padding, nd, fn)
    if input.dim() == nd + 1:  # unbatched: PyTorch's grad_fn is then SqueezeBackward1
        y = Convolution.apply(input.unsqueeze(0), weight, bias, geo, transposed, out_hw)
        return y.squeeze(0)
    return Convolution.apply(input, weight, bias, geo, transposed, out_hw)


# -- public functions ------------------------------------------------------------------------------

def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over (N, C, L) or unbatched (C, L) input."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, False, 0, 1,
                        "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over (N, C, H, W) or unbatched (C, H, W) input."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, False, 0, 2,
                        "conv2d")


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution; weight is (C_in, C_out / groups, k)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, True,
                        output_padding, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution; weight is (C_in, C_out / groups, kh, kw)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, True,
                        output_padding, 2, "conv_transpose2d")


def _pairs(kernel_size, dilation, padding, stride):
    k = _ntuple(kernel_size, 2, "kernel_size")
    d = _ntuple(dilation, 2, "dilation")
    p = _ntuple(padding, 2, "padding")
    s = _ntuple(stride, 2, "stride")
    return k, d, p, s


def _blocks_error(hw, k, d, p, s, blocks):
    return RuntimeError(f"Given input with spatial size {hw}, kernel_size={k}, dilation={d}, "
                        f"padding={p}, calculated shape of the array of sliding blocks as "
                        f"{blocks}, but its components must be at least one.")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """F.unfold: sliding blocks of a (N, C, H, W) or (C, H, W) input as (N, C*kh*kw, L)."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    k, d, p, s = _pairs(kernel_size, dilation, padding, stride)
    geo = _Geometry(k, s, d, ((p[0], p[0]), (p[1], p[1])))
    hw = tuple(input.shape[-2:])
    blocks = geo.out_size(*hw)
    if min(blocks) < 1:
        raise _blocks_error(hw, k, d, p, s, blocks)
    if input.dim() == 3:
        return Im2Col.apply(input.unsqueeze(0), geo).squeeze(0)
    return Im2Col.apply(input, geo)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """F.fold: sums (N, C*kh*kw, L) or (C*kh*kw, L) blocks into (N, C, H, W) images."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{shape_str(input.shape)}")
    out = _ntuple(output_size, 2, "output_size")
    k, d, p, s = _pairs(kernel_size, dilation, padding, stride)
    geo = _Geometry(k, s, d, ((p[0], p[0]), (p[1], p[1])))
    c_k, n_blocks = input.shape[-2:]
    if c_k % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension {input.dim() - 2} to be divisible "
                           f"by the product of kernel_size, but got input.size("
                           f"{input.dim() - 2})={c_k} and kernel_size={k}.")
    blocks = geo.out_size(*out)
    if min(blocks) < 1:
        raise _blocks_error(out, k, d, p, s, blocks)
    if blocks[0] * blocks[1] != n_blocks:
        raise RuntimeError(f"Given output_size={out}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension "
                           f"{input.dim() - 1} to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size({input.dim() - 1})={n_blocks}.")
    if input.dim() == 2:
        return Col2Im.apply(input.unsqueeze(0), geo, out).squeeze(0)
    return Col2Im.apply(input, geo, out)
