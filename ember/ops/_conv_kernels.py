"""Convolution array kernels: geometry, im2col/col2im views, chunked scratch buffers, GEMM loops.

NOTE [ Convolution kernels ]
The three linear maps of a convolution y = conv(x, w) are array kernels here:
`_conv_forward` (y from x and w), `_conv_input_grad` (x-shaped, from gy and w: the transposed
convolution) and `_conv_weight_grad` (w-shaped, from x and gy). Each is the adjoint of the others
in one argument, so the three Ops of conv.py differentiate into each other and double backward needs
no extra code. Every kernel walks the batch in chunks sized so that one chunk's scratch arrays
stay in cache (1 MiB, half this machine's 2 MiB L2: the CIFAR LeNet's conv1 at batch 256 runs
about 3x faster than through one 60 MB im2col matrix, and its forward at batch 64 1.38 -> 1.16 ms
going from 2 MiB to 1 MiB chunks, one thread), with one batched matmul call per chunk (a GEMM per
sample: measured faster here than one GEMM over a channel-major chunk at the LeNet's shapes, and
than one GEMM per kernel row over a whole chunk in the weight gradient, whose K is then long and
M, N tiny; deep layers are the exception, NOTE [ Channel-major chunks ]) and
scratch buffers reused between chunks and calls (allocation is a measurable cost on this
machine). Kernels of small GEMMs hold the BLAS at one thread (NOTE [ Kernel threads ] in
_threads.py).

NOTE [ Flat rows ]
Each (sample, channel) image of a chunk is copied, zero-padded, into one flat row of a buffer.
With stride 1 along the width, the window of kernel offset (i, j) is then the contiguous run
starting at i*dh*Wp + j*dw of length Ho*Wp: output rows are computed Wp wide instead of Wo wide
(the extra Wp - Wo "garbage" columns are dropped, and zeroed in gradients so they add nothing).
That makes the im2col copy and the col2im adds long contiguous runs instead of Ho short rows of Wo
elements each: 3x faster at the LeNet's shapes. The windows are `as_strided` views of the flat
buffer (the same windows `sliding_window_view` gives, taken on the flat rows); with a stride
along the width the output is computed Wo wide and the views are ordinary strided views. So is it
where Wp is more than twice Wo (a kernel nearly as wide as the padded image): the garbage would
outweigh the output (a DCGAN discriminator's last convolution, 8x8 over 8x8 images, computed 8
columns for its one, and its forward ran 0.48 -> 0.08 ms with exact windows, batch 16), and
those convolutions take the im2col kernels.

NOTE [ Stacked rows ]
With stride 1 the window of kernel offset (i, j) starts i*dh*Wp + j*dw into a flat row, so the
kw column offsets can be stacked once (kw shifted copies of each row) and each kernel row i is a
column slice of that stack: no kh*kw-fold im2col matrix. The gradient kernels use it: the weight
gradient is kh GEMMs against slices of the stacked input, the input gradient one GEMM of the
weights (as kh*C x O*kw) against the stacked output gradient followed by kh adds instead of
kh*kw. On the LeNet's conv2 both run ~1.7x faster than through im2col; the forward does not (its
im2col GEMM is already one large K = C*kh*kw product), so it keeps im2col.

NOTE [ Channel-major chunks ]
When a group's output channels outnumber the output positions of one sample (ResNet's deep
layers: 512 channels of 7x7 outputs, 256 of 14x14), a GEMM per sample multiplies a large weight
matrix by a narrow one, and the BLAS packs the whole weight matrix again for each sample. There
the kernels lay a chunk's columns out channel-major, (C*kh*kw, samples*Ho*Wo) without garbage
columns, and do one GEMM per chunk: the weights are packed once per chunk, and the weight
gradient is one product contracting over the chunk's samples and positions instead of a
per-sample (O, C*kh*kw) product summed afterwards. The output and the output gradient cross
between (samples, O, positions) and (O, samples, positions) order in one copy each.

NOTE [ Channels-last col2im ]
With a stride, col2im's adds run over (sample, channel, Ho, Wo) windows whose rows are Wo
elements apart by the stride: NumPy's loop then runs Wo elements at a time (8 for a DCGAN's 4x4
stride-2 layers), and the adds cost more than the GEMM. Where the channels outnumber twice Wo, the
input gradient is built channels-last instead: gy's positions times the weights laid out (O, kh,
kw, C) give columns (Ho, Wo, kh, kw, C) per sample in one GEMM per chunk, each kernel offset's
(Ho, Wo, C) block is added into a (Hp, Wp, C) padded buffer in runs of C, and one transposed copy
writes the interior out. DCGAN's 32x16x16 input gradient from 64 channels of 8x8, batch 16,
single-threaded: 1.87 -> 1.34 ms; its 128-channel 4x4 -> 64x8x8 transposed convolution 1.70 ->
1.06 ms; ResNet-shaped 3x3 stride-2 layers 3-10 % faster; with 3 channels (an image's), or
channels no more than twice Wo, it lost (0.46 -> 1.21 ms; 7.5 -> 7.9 ms).
The weight gradient and the forward are channels-last too, for stride-1 layers as well, where
the channels are many against an output row (a sweep of 3x3 layers, 3-256 channels, 4-56 wide,
stride 1 and 2, each against its previous kernel, single-threaded, gave the rules):
- The weight gradient (`_weight_grad_channels_last_fits`: a kernel larger than 1x1, at least 8
  channels, channels * stride at least Wo): the padded images copied channels-last once per
  chunk, their windows copied as (positions, kh, kw, C) rows in runs of kw*C elements (the
  strided im2col copies runs of Wo), and one GEMM of gy's channels by those rows per chunk,
  instead of a GEMM per sample and a sum of the per-sample products. A chunk holds 512 KiB of
  rows, which stay in the L2 cache (8 MiB chunks: 64 -> 64 channels of 8x8 at batch 128, 6.4 ->
  5.0 ms), yet at least _CL_ROWS rows, so that the GEMM's contraction stays long where a sample
  has few positions. Single-threaded: DCGAN's 32 -> 64 channel layer at batch 16 1.58-1.62 ->
  1.11-1.23 ms, a CIFAR ResNet's 64 -> 64 channels of 8x8 at batch 128 10.9 -> 5.0 ms. Channel-
  major layers of more than 128 channels keep their kernel (ResNet-18's 256 -> 512 channels of
  7x7 outputs: 3-10 % slower channels-last), and so do 1x1 kernels (a 1x1 stride-2 shortcut
  64 -> 128 channels of 28x28: 1.4 -> 1.8 ms).
- The forward (`_forward_channels_last_fits`: a kernel larger than 1x1, channels * stride at
  least twice Wo, at most _CL_FORWARD_POSITIONS output positions a sample; a channel-major layer
  only with at most 128 channels and 64 positions: DCGAN's discriminator, 64 -> 128 channels of
  8x8 at batch 16, 2.75-2.80 -> 2.43-2.45 ms, its 128 -> 256 of 4x4 2.61-2.65 -> 2.37-2.44 ms,
  while ResNet-18's 128 -> 256 of 14x14 lost 10 % and 256 -> 512 channels 13-27 %): the same
  channels-last window rows, one GEMM of a chunk's rows by the weights' (kh, kw, C) columns,
  and one transposed copy out that adds the bias. A GEMM per sample is narrow there (DCGAN's
  32 -> 64 channels of 8x8 outputs: 64 by 512 by 64 each), one GEMM per chunk is not.
  Single-threaded, batch 16 unless named, with bias: DCGAN's 32 -> 64 layer 1.30-1.42 ->
  1.07-1.30 ms, a CIFAR ResNet's 32 -> 64 at batch 128 6.1-6.2 -> 5.0-5.2 ms, its
  stride-1 64 -> 64 of 8x8 7.6 -> 5.5 ms and 32 -> 32 of 16x16 8.7 -> 7.6 ms; at ResNet-18's
  28x28 outputs it lost 14 %, and with 1x1 kernels up to 1.8x.
- The input gradient of a stride-1 convolution without groups is a convolution too: of gy,
  padded by each side's dilated kernel reach less the forward's padding, with the weights
  flipped and their channel axes swapped (`_flipped_geometry`). Where that convolution takes the
  channels-last forward, with fewer than _CL_FORWARD_POSITIONS positions (at 16x16 the stacked
  kernel was 3-13 % faster), it runs as that forward instead of the stacked kernel: a CIFAR
  ResNet's 64 -> 64 channels of 8x8 at batch 128 7.6 -> 5.6 ms single-threaded and 4.6 -> 3.3 ms
  at 2 threads, 16 channels of 4x4 1.4 -> 0.8 ms.
(Splitting the input gradient's adds by stride phase, so that each add writes runs of Wo*C
elements instead of C, measured no faster.) On the CIFAR ResNet-20 at batch 128 (Intel Xeon,
AVX-512, 2 vCPUs) the stride-1 rules took its 64-channel layers' forward plus both gradients
25.6 -> 18.1 ms single-threaded and 15.1 -> 10.6 ms at 2 threads, its 32-channel 16x16 layers'
27.9 -> 22.4 and 17.6 -> 14.2 ms, and its training step 690-720 -> 625-670 ms single-threaded,
510-530 -> 465-515 ms at 2 threads; the MNIST example's step (its 32 -> 64 layer's weight
gradient, Wo 24) 41-44 -> 39-40 ms, DCGAN's 26-27 -> 25-26 ms single-threaded.

NOTE [ Adds by stride ]
With an undilated kernel of whole strides (kh a multiple of sh, kw of sw: DCGAN's 4x4 stride 2),
kernel offset i = t*sh + r adds output row q into grid row (q + t)*sh + r. Viewing the channels-
last grid as (Hp/sh, sh, Wp/sw, sw, C) blocks, the sh*sw offsets of one (t, u) block add into
one contiguous block per output position in one add: (kh/sh)*(kw/sw) adds whose runs are sw*C
elements instead of kh*kw adds of C (NumPy's inner loop runs C elements at a time). The adds
alone ran 20 % faster; the input gradient, single-threaded, ember alone, old and new alternating
(load average 1.6-1.8 with another process running), batch 16: DCGAN's 64 channels of 8x8 to
32x16x16 1.14-1.29 -> 1.05-1.28 ms, its 128 channels of 4x4 to 64x8x8 0.92-0.99 -> 0.84-0.90 ms.
(Splitting the GEMM by stride phase instead, one GEMM per phase over a copy of the windows its
taps read, with no adds, ran about as fast, 5-13 % faster than the per-offset adds: its GEMMs
are only C wide, 32 at DCGAN's, and slower than the one GEMM by more than the adds they save.)

NOTE [ Depth taps ]
A 3-D convolution is a sum over its kd depth kernel offsets ("taps") of 2-D convolutions: tap t
reads input plane o*sd + t*dd (in the depth-padded input) for output plane o. Gathering those
planes of every sample into one (N*Do, C, H, W) batch, each tap is one call of a 2-D kernel above
with the tap's (O, C/g, kh, kw) weights; the forward and the weight gradient sum or stack the taps,
the input gradient adds each tap's planes back where they were read. The 2-D kernels stay the one
implementation, and 1-D and 2-D convolutions never reach this code.
"""
import threading

import numpy as np

from .. import _memory_layout
from . import _threads


_CHUNK_BYTES = 1 << 20
# Multiply-adds per sample from which a kernel of one sample runs on the BLAS's threads; smaller
# ones hold the BLAS at one thread (NOTE [ Kernel threads ]). The LeNet's convolutions are ~0.4M,
# ResNet's ~100M.
_ONE_THREAD_MACS = 1 << 22
_SPLIT_MACS = 1 << 23  # multiply-adds of a whole batch from which its kernels split (conv1 of the
# LeNet: batch 21 on; kernels from _ONE_THREAD_MACS a sample: two samples on)
_CM_CHUNK_BYTES = 8 << 20  # channel-major columns per chunk (NOTE [ Channel-major chunks ])
_CL_FORWARD_POSITIONS = 256  # NOTE [ Channels-last col2im ]
_CL_WEIGHT_CHUNK_BYTES = 512 << 10  # window rows per chunk of the channels-last weight gradient
_CL_ROWS = 256  # window rows per channels-last chunk at least: the GEMM's long side


# -- geometry --------------------------------------------------------------------------------------

class _Geometry:
    """Kernel size, stride, dilation, (low, high) padding per spatial dim and groups, in 2-D form.

    1-D convolutions use height 1; 3-D ones keep their depth in `depth` (NOTE [ Depth taps ]),
    None otherwise. Padding is stored per side because padding='same' with an even effective
    kernel pads one more on the high side, as PyTorch does.
    """
    __slots__ = ("kh", "kw", "sh", "sw", "dh", "dw", "pt", "pb", "pl", "pr", "groups", "depth")

    def __init__(self, kernel, stride, dilation, padding, groups=1, depth=None):
        self.kh, self.kw = kernel
        self.sh, self.sw = stride
        self.dh, self.dw = dilation
        (self.pt, self.pb), (self.pl, self.pr) = padding
        self.groups = groups
        self.depth = depth

    def padded(self, h, w):
        return h + self.pt + self.pb, w + self.pl + self.pr

    def out_size(self, h, w):
        """Windows that fit the padded (h, w) image; non-positive when none does."""
        hp, wp = self.padded(h, w)
        return ((hp - self.dh * (self.kh - 1) - 1) // self.sh + 1,
                (wp - self.dw * (self.kw - 1) - 1) // self.sw + 1)


class _Depth:
    """The depth axis of a 3-D convolution: kernel size, stride, dilation, (low, high) padding."""
    __slots__ = ("k", "s", "d", "lo", "hi")

    def __init__(self, kernel, stride, dilation, padding):
        self.k, self.s, self.d = kernel, stride, dilation
        self.lo, self.hi = padding

    def out_size(self, size):
        return (size + self.lo + self.hi - self.d * (self.k - 1) - 1) // self.s + 1

    def reach(self, out):
        """Padded depth the windows of `out` output planes read."""
        return (out - 1) * self.s + (self.k - 1) * self.d + 1


class _Layout:
    """Where one chunk of images lives (NOTE [ Flat rows ]): padded flat rows, windows Ho x Wq."""
    __slots__ = ("h", "w", "hp", "wp", "ho", "wo", "flat", "wq", "row", "itemsize")

    def __init__(self, geo, image_hw, out_hw, itemsize):
        self.h, self.w = image_hw
        self.ho, self.wo = out_hw
        self.hp, self.wp = geo.padded(self.h, self.w)
        self.flat = geo.sw == 1 and self.wp <= 2 * self.wo
        self.wq = self.wp if self.flat else self.wo
        # A window run of the last output row reads past the padded image by (kw-1)*dw elements.
        self.row = self.hp * self.wp + ((geo.kw - 1) * geo.dw if self.flat else 0)
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


def _run(xp, n, channels, out_channels, geo, lay, work):
    """work over the whole batch; the weight gradient's partial sums added. Its three kernels alike
    do one sample's GEMM work (out_channels x C/groups*kh*kw x Ho*Wq multiply-adds) per sample.
    From _SPLIT_MACS in all, the batch is split over ember's kernel threads with the BLAS at one
    thread; smaller kernels run whole with the BLAS at one thread, and a large kernel of one
    sample whole on the BLAS's threads (NOTE [ Kernel threads ])."""
    per_sample = channels * geo.kh * geo.kw * lay.ho * lay.wq * out_channels // geo.groups
    if xp is not np:
        return work(0, n)
    if n < 2 and per_sample >= _ONE_THREAD_MACS:
        return _threads.blas_threads(lambda: work(0, n))
    parts = _threads.one_blas_thread(work, n, -(-_SPLIT_MACS // max(per_sample, 1)))
    return None if parts[0] is None else sum(parts[1:], parts[0])


def _chunk_rows(n, per_sample_bytes):
    """Samples per chunk so that one chunk's scratch arrays stay near _CHUNK_BYTES."""
    return max(1, min(n, _CHUNK_BYTES // max(per_sample_bytes, 1)))


def _cl_chunk(n, positions, per_sample_bytes, chunk_bytes):
    """Samples per channels-last chunk: about chunk_bytes of scratch, yet at least _CL_ROWS window
    rows, so that deep layers' few positions a sample still make one long GEMM."""
    return max(1, min(n, max(chunk_bytes // max(per_sample_bytes, 1), -(-_CL_ROWS // positions))))


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

def _conv_forward(xp, x, w, bias, geo, out_hw, fmt=None):
    """y = conv(x, w) + bias; laid out as fmt where the kernel computes that layout itself (the
    channels-last one), else C-ordered (NOTE [ Suggested memory format ])."""
    n, c, h, wd = x.shape
    lay = _Layout(geo, (h, wd), out_hw, x.itemsize)
    work = _forward_range
    if _forward_channels_last_fits(c, w.shape[0], geo, lay):
        work = _forward_channels_last
    else:
        fmt = None
        if _channel_major(w.shape[0] // geo.groups, lay):
            lay, work = _exact_layout(geo, (h, wd), out_hw, x.itemsize), _forward_cm
    y = _memory_layout.empty(xp, (n, w.shape[0], lay.ho, lay.wo), x.dtype, fmt)
    _run(xp, n, c, w.shape[0], geo, lay,
         lambda lo, hi: work(xp, x, w, bias, geo, lay, y, lo, hi))
    return y


def _forward_range(xp, x, w, bias, geo, lay, y, lo, hi):
    """y[lo:hi] = conv(x[lo:hi], w) + bias, chunk by chunk through im2col. The bias rides in the
    GEMM as one more column of the weights against a row of ones under the columns: a separate
    pass adding it to the output's short rows cost as much as the extraction itself."""
    c, o, g = x.shape[1], w.shape[0], geo.groups
    cg, og = c // g, o // g
    kk, ll = cg * geo.kh * geo.kw, lay.ho * lay.wq
    extra = 0 if bias is None else 1
    m = lay.chunk(hi - lo, c, geo)
    wm = w.reshape(g, og, kk)
    if bias is not None:
        wm = xp.concatenate([wm, bias.reshape(g, og, 1)], axis=2)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    windows = lay.windows(xp, flat, geo)
    windows = windows.reshape((m, g, cg) + windows.shape[2:])
    cols = _buffer(xp, "cols", (m, g, kk + extra, ll), x.dtype)
    if bias is not None:
        cols[:, :, kk] = 1
    blocks = cols[:, :, :kk].reshape((m, g, cg, geo.kh, geo.kw, lay.ho, lay.wq))
    wide = None if lay.wq == lay.wo else _buffer(xp, "out", (m, o, lay.ho, lay.wq), x.dtype)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        interior[:k] = x[a:b]
        xp.copyto(blocks[:k], windows[:k])
        if wide is None:
            xp.matmul(wm, cols[:k], out=y[a:b].reshape(k, g, og, ll))
        else:
            xp.matmul(wm, cols[:k], out=wide[:k].reshape(k, g, og, ll))
            y[a:b] = wide[:k, :, :, :lay.wo]


def _forward_channels_last_fits(channels, out_channels, geo, lay):
    """Whether a convolution's forward is channels-last (NOTE [ Channels-last col2im ]): a kernel
    larger than 1x1 without groups, channels at least twice an output row in input rows (the
    channels a stride moves over per output column: channels * stride), and at most
    _CL_FORWARD_POSITIONS output positions a sample; a channel-major layer only with at most 128
    channels and 64 positions."""
    positions = lay.ho * lay.wo
    if _channel_major(out_channels, lay) and (channels > 128 or positions > 64):
        return False
    return geo.groups == 1 and geo.kh * geo.kw > 1 and channels * geo.sw >= 2 * lay.wo and \
        positions <= _CL_FORWARD_POSITIONS


def _forward_channels_last(xp, x, w, bias, geo, lay, y, lo, hi):
    """y[lo:hi] = conv(x[lo:hi], w) + bias (NOTE [ Channels-last col2im ]): per chunk, the padded
    images channels-last, their windows copied as (positions, kh, kw, C) rows in runs of kw*C
    elements, one GEMM of those rows by the weights' (kh, kw, C) columns, and one transposed copy
    out that adds the bias on the way (none into a channels-last y)."""
    o, c = w.shape[0], x.shape[1]
    kh, kw, ho, wo = geo.kh, geo.kw, lay.ho, lay.wo
    ll, kk = ho * wo, kh * kw * c
    m = _cl_chunk(hi - lo, ll, ll * (kk + o) * x.itemsize, _CHUNK_BYTES)
    w_cols = xp.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(o, kk)
    grid = _buffer(xp, ("cl_image", lay.h, lay.w, lay.hp, lay.wp, geo.pt, geo.pl),
                   (m, lay.hp, lay.wp, c), x.dtype, zero=True)
    interior = grid[:, geo.pt:geo.pt + lay.h, geo.pl:geo.pl + lay.w]
    windows = _channels_last_windows(xp, grid, geo, lay)
    cols = _buffer(xp, "cl_windows", (m, ho, wo, kh, kw, c), x.dtype)
    # a channels-last y's (positions, O) rows are the GEMM's own output: no copy out
    rows = None if y.flags.c_contiguous else y.transpose(0, 2, 3, 1)
    prod = _buffer(xp, "cl_out", (m * ll, o), x.dtype) if rows is None else None
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        xp.copyto(interior[:k], x[a:b].transpose(0, 2, 3, 1))
        xp.copyto(cols[:k], windows[:k])
        out = prod[:k * ll] if rows is None else rows[a:b].reshape(k * ll, o)
        xp.matmul(cols[:k].reshape(k * ll, kk), w_cols.T, out=out)
        if rows is not None:
            if bias is not None:
                out += bias
        elif bias is None:
            xp.copyto(y[a:b].reshape(k, o, ll), out.reshape(k, ll, o).transpose(0, 2, 1))
        else:
            xp.add(out.reshape(k, ll, o).transpose(0, 2, 1), bias.reshape(o, 1),
                   out=y[a:b].reshape(k, o, ll))


def _conv_input_grad(xp, gy, w, image_hw, geo, fmt=None):
    """The transposed convolution: scatters gy through w onto an image of size image_hw, laid
    out as fmt (every input-gradient kernel writes its chunks into any layout)."""
    lay = _Layout(geo, image_hw, gy.shape[2:], gy.itemsize)
    n = gy.shape[0]
    c = w.shape[1] * geo.groups
    gx = _memory_layout.empty(xp, (n, c, lay.h, lay.w), gy.dtype, fmt)
    flipped = _flipped_geometry(geo, image_hw, gy.shape[2:])
    if flipped is not None:
        lay_f = _Layout(flipped, gy.shape[2:], image_hw, gy.itemsize)
        # at _CL_FORWARD_POSITIONS (16x16) itself the stacked kernel was 3-13 % faster
        if _forward_channels_last_fits(gy.shape[1], c, flipped, lay_f) and \
                lay_f.ho * lay_f.wo < _CL_FORWARD_POSITIONS and not _channel_major(c, lay_f):
            w_f = w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
            _run(xp, n, gy.shape[1], c, flipped, lay_f,
                 lambda lo, hi: _forward_channels_last(xp, gy, w_f, None, flipped, lay_f, gx, lo,
                                                       hi))
            return gx
    work = _input_grad_stacked if geo.sh == 1 and lay.flat else _input_grad_range
    if _channels_last(c, geo, lay):
        work = _input_grad_channels_last
    elif _channel_major(gy.shape[1] // geo.groups, lay):
        lay, work = _exact_layout(geo, image_hw, gy.shape[2:], gy.itemsize), _input_grad_cm
    _run(xp, n, c, gy.shape[1], geo, lay, lambda lo, hi: work(xp, gy, w, geo, lay, gx, lo, hi))
    return gx


def _flipped_geometry(geo, image_hw, out_hw):
    """A stride-1 convolution's input gradient is the convolution of gy, padded by each side's
    dilated kernel reach less the forward's padding, with the weights flipped and their channel
    axes swapped (NOTE [ Channels-last col2im ]): that convolution's geometry, or None for a
    strided or grouped convolution, or where a side would need a negative padding."""
    if geo.sh != 1 or geo.sw != 1 or geo.groups != 1:
        return None
    reach_h, reach_w = geo.dh * (geo.kh - 1), geo.dw * (geo.kw - 1)
    top, left = reach_h - geo.pt, reach_w - geo.pl
    bottom = image_hw[0] - out_hw[0] - top + reach_h
    right = image_hw[1] - out_hw[1] - left + reach_w
    if min(top, bottom, left, right) < 0:
        return None
    return _Geometry((geo.kh, geo.kw), (1, 1), (geo.dh, geo.dw), ((top, bottom), (left, right)))


def _input_grad_range(xp, gy, w, geo, lay, gx, lo, hi):
    """gx[lo:hi] through im2col's adjoint: one GEMM per sample, then col2im."""
    o = gy.shape[1]
    g = geo.groups
    c = w.shape[1] * g
    kk, ll = c // g * geo.kh * geo.kw, lay.ho * lay.wq
    m = lay.chunk(hi - lo, c, geo)
    wt = w.reshape(g, o // g, kk).transpose(0, 2, 1)
    cols = _buffer(xp, "cols", (m, c, geo.kh, geo.kw, lay.ho, lay.wq), gy.dtype)
    flat = _buffer(xp, "scatter", (m, c, lay.row), gy.dtype)
    windows, interior = lay.windows(xp, flat, geo), lay.interior(flat, geo)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        src = _wide(xp, lay, gy, a, b, m, gy.dtype).reshape(k, g, o // g, ll)
        xp.matmul(wt, src, out=cols[:k].reshape(k, g, kk, ll))
        flat[:k].fill(0)
        _col2im(xp, cols[:k], windows[:k])
        gx[a:b] = interior[:k]


def _channels_last(channels, geo, lay):
    """Whether a strided convolution's input gradient is computed channels-last (NOTE [ Channels-
    last col2im ]): when the channels are a longer run than twice an output row (the forward and
    the weight gradient have rules of their own)."""
    return geo.groups == 1 and (geo.sh > 1 or geo.sw > 1) and channels > 2 * lay.wo


def _channels_last_windows(xp, grid, geo, lay):
    """(m, Ho, Wo, kh, kw, C) view of a channels-last padded grid (m, Hp, Wp, C): element
    [n, r, q, i, j, c] is the grid at (r*sh + i*dh, q*sw + j*dw, c) of sample n."""
    s0, s1, s2, s3 = grid.strides
    return xp.lib.stride_tricks.as_strided(
        grid, (grid.shape[0], lay.ho, lay.wo, geo.kh, geo.kw, grid.shape[3]),
        (s0, geo.sh * s1, geo.sw * s2, geo.dh * s1, geo.dw * s2, s3))


def _input_grad_channels_last(xp, gy, w, geo, lay, gx, lo, hi):
    """gx[lo:hi] (NOTE [ Channels-last col2im ]): per chunk, one GEMM of gy's positions by the
    weights' (kh, kw, C) columns, kh*kw strided adds (or fewer, NOTE [ Adds by stride ]) into a
    channels-last padded buffer, one transposed copy out."""
    o, c = gy.shape[1], w.shape[1]
    kh, kw, ho, wo = geo.kh, geo.kw, lay.ho, lay.wo
    m = _chunk_rows(hi - lo, ho * wo * kh * kw * c * gy.itemsize)
    w_cols = xp.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(o, kh * kw * c)
    rows = _buffer(xp, "cl_rows", (m, ho, wo, o), gy.dtype)
    cols = _buffer(xp, "cl_cols", (m * ho * wo, kh * kw * c), gy.dtype)
    by_stride = _adds_by_stride(geo)
    # in whole strides when the adds go by stride (its rows and columns past Hp, Wp get nothing)
    grid_hw = (-(-lay.hp // geo.sh) * geo.sh, -(-lay.wp // geo.sw) * geo.sw) if by_stride else \
        (lay.hp, lay.wp)
    grid = _buffer(xp, "cl_grid", (m,) + grid_hw + (c,), gy.dtype)
    windows = None if by_stride else _channels_last_windows(xp, grid, geo, lay)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        xp.copyto(rows[:k], gy[a:b].transpose(0, 2, 3, 1))
        ck = cols[:k * ho * wo]
        xp.matmul(rows[:k].reshape(k * ho * wo, o), w_cols, out=ck)
        ck = ck.reshape(k, ho, wo, kh, kw, c)
        grid[:k].fill(0)
        if windows is None:
            _add_by_stride(xp, ck, grid[:k], geo)
        else:
            for i in range(kh):
                for j in range(kw):
                    dst = windows[:k, :, :, i, j]
                    xp.add(dst, ck[:, :, :, i, j], out=dst)
        interior = grid[:k, geo.pt:geo.pt + lay.h, geo.pl:geo.pl + lay.w]
        xp.copyto(gx[a:b], interior.transpose(0, 3, 1, 2))


def _adds_by_stride(geo):
    """Whether the channels-last input gradient's adds go by stride (NOTE [ Adds by stride ]): an
    undilated kernel of whole strides along both axes."""
    return geo.dh == geo.dw == 1 and geo.kh % geo.sh == 0 and geo.kw % geo.sw == 0


def _add_by_stride(xp, ck, grid, geo):
    """col2im's adds of (k, Ho, Wo, kh, kw, C) columns into a channels-last (k, Hp, Wp, C) grid
    of whole strides (NOTE [ Adds by stride ]): the sh*sw kernel offsets of one stride block, one
    add."""
    k, ho, wo, kh, kw, c = ck.shape
    sh, sw = geo.sh, geo.sw
    blocks = grid.reshape(k, grid.shape[1] // sh, sh, grid.shape[2] // sw, sw, c)
    for t in range(kh // sh):
        for u in range(kw // sw):
            dst = blocks[:, t:t + ho, :, u:u + wo]
            src = ck[:, :, :, t * sh:(t + 1) * sh, u * sw:(u + 1) * sw]
            xp.add(dst, src.transpose(0, 1, 3, 2, 4, 5), out=dst)


def _col2im(xp, cols, windows):
    """Add each kernel offset's columns into its window of the (zeroed) flat rows: kh*kw
    strided adds, or one add per output position where there are fewer of those (a kernel nearly
    as large as the image); never np.add.at."""
    kh, kw, ho, wq = cols.shape[2:]
    if ho * wq < kh * kw:
        for r in range(ho):
            for q in range(wq):
                dst = windows[:, :, :, :, r, q]
                xp.add(dst, cols[:, :, :, :, r, q], out=dst)
        return
    for i in range(kh):
        for j in range(kw):
            dst = windows[:, :, i, j]
            xp.add(dst, cols[:, :, i, j], out=dst)


def _conv_weight_grad(xp, x, gy, w_shape, geo):
    n, c, h, wd = x.shape
    lay = _Layout(geo, (h, wd), gy.shape[2:], x.itemsize)
    work = _weight_grad_stacked if geo.sh == 1 and lay.flat else _weight_grad_range
    if _weight_grad_channels_last_fits(c, gy.shape[1], geo, lay):
        work = _weight_grad_channels_last
    elif _channel_major(gy.shape[1] // geo.groups, lay):
        lay, work = _exact_layout(geo, (h, wd), gy.shape[2:], x.itemsize), _weight_grad_cm
    return _run(xp, n, c, gy.shape[1], geo, lay,
                lambda lo, hi: work(xp, x, gy, w_shape, geo, lay, lo, hi))


def _weight_grad_channels_last_fits(channels, out_channels, geo, lay):
    """Whether a convolution's weight gradient is channels-last (NOTE [ Channels-last col2im ]): a
    kernel larger than 1x1 without groups, at least 8 channels, and channels at least an output
    row in input rows (channels * stride); channel-major layers of more than 128 channels keep
    their kernel."""
    if channels > 128 and _channel_major(out_channels, lay):
        return False
    return geo.groups == 1 and geo.kh * geo.kw > 1 and channels >= 8 and \
        channels * geo.sw >= lay.wo


def _weight_grad_channels_last(xp, x, gy, w_shape, geo, lay, lo, hi):
    """The weight gradient of samples [lo, hi) (NOTE [ Channels-last col2im ]): per chunk, the
    padded images channels-last, their windows copied as (positions, kh, kw, C) rows in runs of
    kw*C elements, and one GEMM of gy's channels by those rows (no per-sample products to sum)."""
    o, c = gy.shape[1], x.shape[1]
    kh, kw, ho, wo = geo.kh, geo.kw, lay.ho, lay.wo
    ll, kk = ho * wo, kh * kw * c
    m = _cl_chunk(hi - lo, ll, ll * kk * x.itemsize, _CL_WEIGHT_CHUNK_BYTES)
    grid = _buffer(xp, ("cl_image", lay.h, lay.w, lay.hp, lay.wp, geo.pt, geo.pl),
                   (m, lay.hp, lay.wp, c), x.dtype, zero=True)
    interior = grid[:, geo.pt:geo.pt + lay.h, geo.pl:geo.pl + lay.w]
    windows = _channels_last_windows(xp, grid, geo, lay)
    cols = _buffer(xp, "cl_windows", (m, ho, wo, kh, kw, c), x.dtype)
    grads = _buffer(xp, "cl_grads", (o * m * ll,), x.dtype)
    gw = xp.zeros((o, kk), x.dtype)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        xp.copyto(interior[:k], x[a:b].transpose(0, 2, 3, 1))
        xp.copyto(cols[:k], windows[:k])
        gk = grads[:o * k * ll].reshape(o, k, ll)
        xp.copyto(gk, gy[a:b].reshape(k, o, ll).transpose(1, 0, 2))
        gw += gk.reshape(o, k * ll) @ cols[:k].reshape(k * ll, kk)
    return xp.ascontiguousarray(gw.reshape(o, kh, kw, c).transpose(0, 3, 1, 2)).reshape(w_shape)


def _weight_grad_range(xp, x, gy, w_shape, geo, lay, lo, hi):
    """The weight gradient of samples [lo, hi) through im2col: one GEMM per sample."""
    c = x.shape[1]
    o = gy.shape[1]
    g = geo.groups
    kk, ll = c // g * geo.kh * geo.kw, lay.ho * lay.wq
    m = lay.chunk(hi - lo, c, geo)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    windows = lay.windows(xp, flat, geo)
    cols = _buffer(xp, "cols", (m, c, geo.kh, geo.kw, lay.ho, lay.wq), x.dtype)
    part = _buffer(xp, "wgrad", (m, g, o // g, kk), x.dtype)
    gw = xp.zeros((g, o // g, kk), x.dtype)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        interior[:k] = x[a:b]
        xp.copyto(cols[:k], windows[:k])
        src = _wide(xp, lay, gy, a, b, m, x.dtype).reshape(k, g, o // g, ll)
        # One GEMM per sample (a batched matmul): measured faster here than one GEMM per chunk,
        # which would need the columns transposed to channel-major order.
        xp.matmul(src, cols[:k].reshape(k, g, kk, ll).transpose(0, 1, 3, 2), out=part[:k])
        gw += part[:k].sum(0)
    return gw.reshape(w_shape)


def _input_grad_stacked(xp, gy, w, geo, lay, gx, lo, hi):
    """Stride 1 (NOTE [ Stacked rows ]): the flat rows of gy shifted by each column offset are
    stacked, one GEMM per sample gives every kernel row's contribution, kh adds place them."""
    o = gy.shape[1]
    g, cg = geo.groups, w.shape[1]
    c, og = cg * g, o // g
    kh, kw = geo.kh, geo.kw
    ll = lay.ho * lay.wp
    reach = (kw - 1) * geo.dw
    span = ll + reach
    m = _chunk_rows(hi - lo, (o * kw + kh * c) * span * gy.itemsize)
    # gy's rows, Wp wide (zero garbage columns), with `reach` zeros on either side
    padded = _buffer(xp, ("shifted", lay.wo, lay.wp, reach), (m, o, ll + 2 * reach), gy.dtype,
                     zero=True)
    inner = padded[:, :, reach:reach + ll].reshape(m, o, lay.ho, lay.wp)[..., :lay.wo]
    shifted = _shifts(xp, padded, kw, geo.dw, span)
    stack = _buffer(xp, "stack", (m, o, kw, span), gy.dtype)
    # the weights as (G, kh*Cg, Og*kw), column offsets reversed: shift j' holds offset kw-1-j'
    wr = w.reshape(g, og, cg, kh, kw)[..., ::-1].transpose(0, 3, 2, 1, 4).reshape(
        g, kh * cg, og * kw)
    # Each product row is as long as a flat row, its tail past `span` zero: kernel row i's add
    # is then one contiguous run of the flat rows shifted by i*dh*Wp (each tail adds zeros
    # across into the next row's head), not a strided add per row (3x slower in NumPy).
    row = lay.row
    prod = _buffer(xp, ("rowsums", span), (m, g, kh, cg, row), gy.dtype, zero=True)
    fill = prod.reshape(m, g, kh * cg, row)[..., :span]
    reach_down = (kh - 1) * geo.dh * lay.wp  # the last sample's tail adds run this far past
    scatter = _buffer(xp, "scatter", (m * c * row + reach_down,), gy.dtype)
    flat = scatter[:m * c * row].reshape(m, c, row)
    interior = lay.interior(flat, geo)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        inner[:k] = gy[a:b]
        xp.copyto(stack[:k], shifted[:k])
        xp.matmul(wr, stack[:k].reshape(k, g, og * kw, span), out=fill[:k])
        # the tail adds run reach_down past the chunk's rows: zero that run first (left as it
        # was, it holds stale or never-written memory, whose NaN patterns raised FP warnings)
        scatter[k * c * row:k * c * row + reach_down].fill(0)
        for i in range(kh):  # kernel row 0 covers every element: a copy, no zeroing
            at = i * geo.dh * lay.wp
            dst = scatter[at:at + k * c * row].reshape(k, g, cg * row)
            src = prod[:k, :, i].reshape(k, g, cg * row)
            if i:
                xp.add(dst, src, out=dst)
            else:
                xp.copyto(dst, src)
        gx[a:b] = interior[:k]


def _weight_grad_stacked(xp, x, gy, w_shape, geo, lay, lo, hi):
    """Stride 1 (NOTE [ Stacked rows ]): the flat rows of x shifted by each column offset are
    stacked once; kernel row i's gradient is gy times that stack's columns from row i on."""
    c = x.shape[1]
    o, g = gy.shape[1], geo.groups
    kh, kw = geo.kh, geo.kw
    kk, ll = c // g * kw, lay.ho * lay.wp
    span = (kh - 1) * geo.dh * lay.wp + ll
    m = _chunk_rows(hi - lo, c * kw * span * x.itemsize)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    shifted = _shifts(xp, flat, kw, geo.dw, span)
    stack = _buffer(xp, "stack", (m, c, kw, span), x.dtype)
    part = _buffer(xp, "wgrad", (m, kh, g, o // g, kk), x.dtype)
    gw = xp.zeros((kh, g, o // g, kk), x.dtype)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        interior[:k] = x[a:b]
        xp.copyto(stack[:k], shifted[:k])
        rows = stack[:k].reshape(k, g, kk, span)
        src = _wide(xp, lay, gy, a, b, m, x.dtype).reshape(k, g, o // g, ll)
        for i in range(kh):
            at = i * geo.dh * lay.wp
            xp.matmul(src, rows[..., at:at + ll].transpose(0, 1, 3, 2), out=part[:k, i])
        gw += part[:k].sum(0)  # all kernel rows at once: per-row sums cost more in calls
    # (kh, G, Og, Cg, kw) -> (G*Og, Cg, kh, kw)
    gw = gw.reshape(kh, o, c // g, kw).transpose(1, 2, 0, 3)
    return xp.ascontiguousarray(gw).reshape(w_shape)



# -- channel-major chunks (NOTE [ Channel-major chunks ]) ------------------------------------------

def _channel_major(out_per_group, lay):
    """Whether a group's output channels outnumber one sample's output positions."""
    return out_per_group > lay.ho * lay.wo


def _cm_chunk(n, per_sample_bytes):
    return max(1, min(n, _CM_CHUNK_BYTES // max(per_sample_bytes, 1)))


def _cm_columns(xp, windows, k, scratch, g, extra=0):
    """The (G, C/G*kh*kw + extra, k, Ho*Wo) channel-major columns of k samples' windows, in the
    front of the flat scratch buffer (the `extra` rows after the windows' are left as they are)."""
    _, c, kh, kw, ho, wo = windows.shape
    rows, ll = c // g * kh * kw, ho * wo
    cols = scratch[:g * (rows + extra) * k * ll].reshape(g, rows + extra, k, ll)
    xp.copyto(cols[:, :rows].reshape(g, c // g, kh, kw, k, ho, wo),
              windows[:k].reshape(k, g, c // g, kh, kw, ho, wo).transpose(1, 2, 3, 4, 0, 5, 6))
    return cols


def _cm_grad(xp, gy, a, b, scratch, g):
    """gy[a:b] as (G, O/G, k, Ho*Wo), in the front of the flat scratch buffer."""
    k, o = b - a, gy.shape[1]
    ll = gy.shape[2] * gy.shape[3]
    out = scratch[:k * o * ll].reshape(g, o // g, k, ll)
    xp.copyto(out, gy[a:b].reshape(k, g, o // g, ll).transpose(1, 2, 0, 3))
    return out


def _forward_cm(xp, x, w, bias, geo, lay, y, lo, hi):
    """y[lo:hi] = conv(x[lo:hi], w) + bias, one GEMM per channel-major chunk (the bias as a row
    of ones under the columns, as in _forward_range)."""
    c, o, g = x.shape[1], w.shape[0], geo.groups
    og, kk, ll = o // g, c // g * geo.kh * geo.kw, lay.ho * lay.wo
    extra = 0 if bias is None else 1
    m = _cm_chunk(hi - lo, (c * geo.kh * geo.kw + extra * g + o) * ll * x.itemsize)
    wm = w.reshape(g, og, kk)
    if bias is not None:
        wm = xp.concatenate([wm, bias.reshape(g, og, 1)], axis=2)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    windows = lay.windows(xp, flat, geo)
    scratch = _buffer(xp, "cm_cols", (g * (kk + extra) * m * ll,), x.dtype)
    prod = _buffer(xp, "cm_out", (o * m * ll,), x.dtype)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        interior[:k] = x[a:b]
        cols = _cm_columns(xp, windows, k, scratch, g, extra)
        if bias is not None:
            cols[:, kk] = 1
        out = prod[:o * k * ll].reshape(g, og, k * ll)
        xp.matmul(wm, cols.reshape(g, kk + extra, k * ll), out=out)
        xp.copyto(y[a:b].reshape(k, g, og, ll), out.reshape(g, og, k, ll).transpose(2, 0, 1, 3))


def _input_grad_cm(xp, gy, w, geo, lay, gx, lo, hi):
    """gx[lo:hi]: one GEMM of the transposed weights per channel-major chunk, then col2im."""
    o, g, cg = gy.shape[1], geo.groups, w.shape[1]
    c, og = cg * g, o // g
    kk, ll = cg * geo.kh * geo.kw, lay.ho * lay.wo
    m = _cm_chunk(hi - lo, (c * geo.kh * geo.kw + o) * ll * gy.itemsize)
    wt = w.reshape(g, og, kk).transpose(0, 2, 1)
    g_scratch = _buffer(xp, "cm_grad", (o * m * ll,), gy.dtype)
    c_scratch = _buffer(xp, "cm_cols", (g * kk * m * ll,), gy.dtype)
    flat = _buffer(xp, "scatter", (m, c, lay.row), gy.dtype)
    windows, interior = lay.windows(xp, flat, geo), lay.interior(flat, geo)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        src = _cm_grad(xp, gy, a, b, g_scratch, g)
        cols = c_scratch[:g * kk * k * ll].reshape(g, kk, k * ll)
        xp.matmul(wt, src.reshape(g, og, k * ll), out=cols)
        flat[:k].fill(0)
        _col2im(xp, cols.reshape(c, geo.kh, geo.kw, k, lay.ho, lay.wo).transpose(3, 0, 1, 2, 4, 5),
                windows[:k])
        gx[a:b] = interior[:k]


def _weight_grad_cm(xp, x, gy, w_shape, geo, lay, lo, hi):
    """The weight gradient of samples [lo, hi): per channel-major chunk, one GEMM contracting
    over the chunk's samples and positions."""
    c, o, g = x.shape[1], gy.shape[1], geo.groups
    og, kk, ll = o // g, c // g * geo.kh * geo.kw, lay.ho * lay.wo
    m = _cm_chunk(hi - lo, (c * geo.kh * geo.kw + o) * ll * x.itemsize)
    flat, interior = _padded_rows(xp, lay, geo, m, c, x.dtype)
    windows = lay.windows(xp, flat, geo)
    g_scratch = _buffer(xp, "cm_grad", (o * m * ll,), x.dtype)
    c_scratch = _buffer(xp, "cm_cols", (g * kk * m * ll,), x.dtype)
    part = _buffer(xp, "cm_wgrad", (g, og, kk), x.dtype)
    gw = xp.zeros((g, og, kk), x.dtype)
    for a in range(lo, hi, m):
        b = min(a + m, hi)
        k = b - a
        interior[:k] = x[a:b]
        cols = _cm_columns(xp, windows, k, c_scratch, g)
        src = _cm_grad(xp, gy, a, b, g_scratch, g)
        xp.matmul(src.reshape(g, og, k * ll), cols.reshape(g, kk, k * ll).transpose(0, 2, 1),
                  out=part)
        gw += part
    return gw.reshape(w_shape)


# -- 3-D convolutions (NOTE [ Depth taps ]) -------------------------------------------------------

def _planes(a):
    """(N, C, D, H, W) -> (N*D, C, H, W): each depth plane of each sample as one 2-D image."""
    n, c, d = a.shape[:3]
    return a.transpose(0, 2, 1, 3, 4).reshape((n * d, c) + a.shape[3:])


def _volumes(a, n, d):
    """_planes' inverse: (N*D, C, H, W) -> (N, C, D, H, W), a view (N may be 0)."""
    return a.reshape((n, d) + a.shape[1:]).transpose(0, 2, 1, 3, 4)


def _depth_taps(xp, x, depth, out_d):
    """(tap, planes) for each depth kernel offset: the input planes that offset reads for every
    output plane, zero beyond the depth padding, as one (N*Do, C, H, W) batch of images."""
    if depth.lo or depth.hi:
        n, c, d = x.shape[:3]
        padded = xp.zeros((n, c, max(depth.reach(out_d), d + depth.lo)) + x.shape[3:], x.dtype)
        padded[:, :, depth.lo:depth.lo + d] = x
        x = padded
    for tap in range(depth.k):
        start = tap * depth.d
        yield tap, _planes(x[:, :, start:start + (out_d - 1) * depth.s + 1:depth.s])


def _conv3d(xp, x, w, bias, geo, transposed, out_size):
    """A 3-D convolution (transposed: its input gradient) through the 2-D kernels, tap by tap."""
    if transposed:
        y = _conv3d_input_grad(xp, x, w, out_size, geo)
        if bias is not None:
            y += bias.reshape(-1, 1, 1, 1)
        return y
    depth = geo.depth
    # a transposed convolution's input gradient asks for its input's size: output_padding may
    # have made the image larger than the windows reach
    out_d = out_size[0] if out_size else depth.out_size(x.shape[2])
    out_hw = tuple(out_size[1:]) if out_size else geo.out_size(*x.shape[3:])
    y = None
    for tap, planes in _depth_taps(xp, x, depth, out_d):
        part = _conv_forward(xp, planes, w[:, :, tap], bias if tap == 0 else None, geo, out_hw)
        if y is None:
            y = part
        else:
            y += part
    return xp.ascontiguousarray(_volumes(y, x.shape[0], out_d))


def _conv3d_input_grad(xp, gy, w, image_dhw, geo):
    """Each depth tap's 2-D input gradient added onto the input planes that tap read."""
    depth = geo.depth
    n, out_d = gy.shape[0], gy.shape[2]
    d = image_dhw[0]
    g_planes = _planes(gy)
    gx = xp.zeros((n, w.shape[1] * geo.groups, max(depth.reach(out_d), d + depth.lo))
                  + tuple(image_dhw[1:]), gy.dtype)
    for tap in range(depth.k):
        start = tap * depth.d
        dst = gx[:, :, start:start + (out_d - 1) * depth.s + 1:depth.s]
        dst += _volumes(_conv_input_grad(xp, g_planes, w[:, :, tap], image_dhw[1:], geo), n,
                        out_d)
    return xp.ascontiguousarray(gx[:, :, depth.lo:depth.lo + d])


def _conv3d_weight_grad(xp, x, gy, w_shape, geo):
    """Each depth tap's weights: the 2-D weight gradient of the planes it read against gy."""
    gw = xp.empty(w_shape, x.dtype)
    g_planes = _planes(gy)
    tap_shape = tuple(w_shape[:2]) + tuple(w_shape[3:])
    for tap, planes in _depth_taps(xp, x, geo.depth, gy.shape[2]):
        gw[:, :, tap] = _conv_weight_grad(xp, planes, g_planes, tap_shape, geo)
    return gw


def _exact_layout(geo, image_hw, out_hw, itemsize):
    """A layout whose windows are exactly Ho x Wo (unfold's columns have no garbage). out_hw may
    be less than the image gives (a transposed convolution's output_padding adds image the
    windows do not reach)."""
    lay = _Layout(geo, image_hw, out_hw, itemsize)
    lay.flat, lay.wq = False, lay.wo
    lay.row = lay.hp * lay.wp
    return lay
