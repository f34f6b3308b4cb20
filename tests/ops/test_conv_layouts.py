"""Flat rows or exact windows (NOTE [ Flat rows ] in ember/ops/_conv_kernels.py) for stride-1
convolutions, col2im's two loops (over kernel offsets, or over output positions when there are
fewer), and channels-last gradients of strided convolutions (NOTE [ Channels-last col2im ]):
forward, input and weight gradients against torch, and the choices themselves."""
import numpy as np
import pytest

import ember
from ember.ops import _conv_kernels as kernels

torch = pytest.importorskip("torch")

CASES = [  # (batch, in, out, size, kernel, padding, dilation, groups); stride 1
    (4, 6, 3, 8, 8, 0, 1, 1),   # a kernel as large as the image: one output position, exact
    (3, 5, 4, 7, 5, 0, 1, 1),   # Wo 3 of Wp 7: exact windows
    (3, 4, 2, 6, 5, 1, 1, 1),   # Wo 4 of Wp 8: flat rows
    (2, 4, 6, 7, 3, 0, 3, 2),   # dilated to the image's size, grouped: exact
    (2, 3, 5, 9, 3, 1, 1, 1),   # the usual 3x3 with padding: flat rows
]


def _conv(mod, x, w, args, g):
    xt = mod.tensor(x, requires_grad=True)
    wt = mod.tensor(w, requires_grad=True)
    y = mod.nn.functional.conv2d(xt, wt, None, 1, *args)
    y.backward(mod.tensor(g(tuple(y.shape))))
    return y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()


def _cotangent(shape):
    return np.cos(np.arange(np.prod(shape))).reshape(shape)


@pytest.mark.parametrize("case", CASES)
def test_conv_matches_torch(case):
    n, ci, co, hw, k, pad, dil, groups = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, ci, hw, hw))
    w = rng.standard_normal((co, ci // groups, k, k))
    got = _conv(ember, x, w, (pad, dil, groups), _cotangent)
    want = _conv(torch, x, w, (pad, dil, groups), _cotangent)
    for a, e in zip(got, want):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("size,kernel,stride,padding", [(1, 4, 1, 0), (2, 5, 1, 0),
                                                        (4, 4, 2, 1), (3, 3, 1, 1)])
def test_transposed_conv_matches_torch(size, kernel, stride, padding):
    """The transposed convolution is the input gradient's kernel: from a 1x1 or 2x2 input, its
    col2im adds one block per input position instead of one per kernel offset."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4, size, size))
    w = rng.standard_normal((4, 5, kernel, kernel))
    results = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        wt = mod.tensor(w, requires_grad=True)
        y = mod.nn.functional.conv_transpose2d(xt, wt, None, stride, padding)
        y.backward(mod.tensor(_cotangent(tuple(y.shape))))
        results.append((y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()))
    for a, e in zip(*results):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


def test_layout_choice():
    def layout(size, kernel, padding=0, stride=1):
        geo = kernels._Geometry((kernel, kernel), (stride, stride), (1, 1),
                                ((padding, padding), (padding, padding)))
        return kernels._Layout(geo, (size, size), geo.out_size(size, size), 4)
    assert layout(32, 5).flat and layout(14, 5).flat  # the LeNet's: Wo 28 of 32, 10 of 14
    assert layout(8, 3, 1).flat and layout(6, 5, 1).flat  # Wp at most twice Wo
    assert not layout(8, 8).flat and not layout(7, 5).flat
    assert not layout(16, 4, 1, 2).flat  # strided: never flat rows
    lay = layout(7, 5)
    assert lay.wq == lay.wo == 3 and lay.row == 49


def test_col2im_loops_agree():
    """col2im over output positions (fewer than kernel offsets) gives the kernel-offset loop's
    sums, overlapping windows included."""
    geo = kernels._Geometry((3, 3), (1, 1), (1, 1), ((0, 0), (0, 0)))
    lay = kernels._Layout(geo, (4, 4), (2, 2), 8)  # 4 positions < 9 offsets
    cols = np.random.default_rng(2).standard_normal((2, 3, 3, 3, 2, lay.wq))
    sums = []
    for by_position in (True, False):
        flat = np.zeros((2, 3, lay.row))
        windows = lay.windows(np, flat, geo)
        if by_position:
            kernels._col2im(np, cols, windows)
        else:  # the kernel-offset loop, as _col2im runs it when offsets are fewer
            for i in range(3):
                for j in range(3):
                    windows[:, :, i, j] += cols[:, :, i, j]
        sums.append(flat)
    np.testing.assert_allclose(sums[0], sums[1], rtol=1e-12)


STRIDED = [  # (batch, in, out, size (h, w), kernel, stride, padding, dilation); channels-last
    (3, 24, 5, (9, 9), 4, 2, 1, 1),       # DCGAN's 4x4 stride 2: Wo 4, 24 channels
    (2, 20, 3, (11, 8), 3, (2, 3), 1, 1),  # asymmetric stride; the last rows in no window
    (2, 18, 4, (12, 12), 3, 2, 0, 2),     # dilated
    (1, 40, 6, (7, 7), 1, 2, 0, 1),       # 1x1 stride 2 (ResNet's shortcut): rows get nothing
]


@pytest.mark.parametrize("case", STRIDED)
def test_strided_input_gradients_channels_last_match_torch(case):
    n, ci, co, hw, k, stride, pad, dil = case
    rng = np.random.default_rng(3)
    x = rng.standard_normal((n, ci) + hw)
    w = rng.standard_normal((co, ci, k, k))
    geo = kernels._Geometry((k, k), (stride, stride) if isinstance(stride, int) else stride,
                            (dil, dil), ((pad, pad), (pad, pad)))
    lay = kernels._Layout(geo, hw, geo.out_size(*hw), 8)
    assert kernels._channels_last(ci, geo, lay)
    results = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        wt = mod.tensor(w, requires_grad=True)
        y = mod.nn.functional.conv2d(xt, wt, None, stride, pad, dil)
        y.backward(mod.tensor(_cotangent(tuple(y.shape))))
        # the transposed convolution's forward is the same kernel
        z = mod.nn.functional.conv_transpose2d(mod.tensor(_cotangent(tuple(y.shape))),
                                               wt.detach(), None, stride, pad, 0, 1, dil)
        results.append((y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), z.numpy()))
    for a, e in zip(*results):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


BY_STRIDE = [  # (batch, in, out, size (h, w), kernel (kh, kw), stride, padding); whole strides
    (5, 24, 5, (9, 9), (4, 4), (2, 2), 1),      # DCGAN's 4x4 stride 2, odd image
    (3, 30, 4, (14, 11), (6, 4), (3, 2), 2),    # unequal strides and kernels, Hp not whole strides
    (4, 40, 6, (9, 10), (2, 2), (2, 2), 0),     # 2x2 stride 2: one block, the last row in none
]


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("case", BY_STRIDE)
def test_channels_last_input_gradient_adds_by_stride(monkeypatch, case, dtype, tol):
    """Kernels of whole strides add a stride block of kernel offsets at a time (NOTE [ Adds by
    stride ]); over chunks of two samples and a last, partial one, the input gradient and the
    transposed convolution (the same kernel) equal torch's."""
    n, ci, co, hw, k, stride, pad = case
    geo = kernels._Geometry(k, stride, (1, 1), ((pad, pad), (pad, pad)))
    lay = kernels._Layout(geo, hw, geo.out_size(*hw), 8)
    assert kernels._channels_last(ci, geo, lay) and kernels._adds_by_stride(geo)
    monkeypatch.setattr(kernels, "_CHUNK_BYTES",
                        2 * lay.ho * lay.wo * k[0] * k[1] * ci * np.dtype(dtype).itemsize)
    blocks = []
    real = kernels._add_by_stride
    monkeypatch.setattr(kernels, "_add_by_stride",
                        lambda xp, ck, grid, g: blocks.append(len(grid)) or real(xp, ck, grid, g))
    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, ci) + hw).astype(dtype)
    w = rng.standard_normal((co, ci) + k).astype(dtype)
    gy = _cotangent((n, co) + geo.out_size(*hw)).astype(dtype)
    results = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        y = mod.nn.functional.conv2d(xt, mod.tensor(w), None, stride, pad)
        y.backward(mod.tensor(gy))
        z = mod.nn.functional.conv_transpose2d(mod.tensor(gy), mod.tensor(w), None, stride, pad)
        results.append((xt.grad.numpy(), z.numpy()))
    assert blocks == [2] * (n // 2) + [n % 2] * (n % 2) + [2] * (n // 2) + [n % 2] * (n % 2)
    for a, e in zip(*results):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)


def test_adds_by_stride_choice():
    def by_stride(kernel, stride, dilation=1):
        return kernels._adds_by_stride(kernels._Geometry(kernel, stride, (dilation, dilation),
                                                         ((1, 1), (1, 1))))
    assert by_stride((4, 4), (2, 2)) and by_stride((6, 4), (3, 2)) and by_stride((2, 2), (2, 2))
    assert not by_stride((3, 3), (2, 2))  # ResNet's 3x3 stride 2: offsets per row differ
    assert not by_stride((1, 1), (2, 2))  # the 1x1 shortcut
    assert not by_stride((4, 4), (2, 2), 2)  # dilated: offsets skip blocks


def test_channels_last_weight_gradient_over_several_chunks(monkeypatch):
    """The channels-last weight gradient summed over chunks of two samples and a last, partial
    one, each chunk's padded images and windows written over the last's, equals torch's."""
    n, ci, co, hw, k, stride, pad, dil = STRIDED[0]
    monkeypatch.setattr(kernels, "_CL_WEIGHT_CHUNK_BYTES", 2 * 4 * 4 * k * k * ci * 8)  # 2 samples
    monkeypatch.setattr(kernels, "_CL_ROWS", 1)
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((n, ci) + hw), rng.standard_normal((co, ci, k, k))
    grads = []
    for mod in (ember, torch):
        wt = mod.tensor(w, requires_grad=True)
        y = mod.nn.functional.conv2d(mod.tensor(x), wt, None, stride, pad, dil)
        y.backward(mod.tensor(_cotangent(tuple(y.shape))))
        grads.append(wt.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-10)


def test_channels_last_forward_with_bias_over_several_chunks(monkeypatch):
    """The channels-last forward (NOTE [ Channels-last col2im ]) over chunks of two samples and a
    last, partial one, its bias added in the transposed copy out, equals torch's; so does the
    input gradient of a transposed convolution (DCGAN's generator), which is this forward."""
    n, ci, co, hw, k, stride, pad, dil = STRIDED[0]
    geo = kernels._Geometry((k, k), (stride, stride), (dil, dil), ((pad, pad), (pad, pad)))
    lay = kernels._Layout(geo, hw, geo.out_size(*hw), 8)
    assert kernels._forward_channels_last_fits(ci, co, geo, lay)
    per_sample = lay.ho * lay.wo * (k * k * ci + co) * 8
    monkeypatch.setattr(kernels, "_CHUNK_BYTES", 2 * per_sample)
    monkeypatch.setattr(kernels, "_CL_ROWS", 1)
    used = []
    real = kernels._forward_channels_last
    monkeypatch.setattr(kernels, "_forward_channels_last",
                        lambda *args: used.append(args[-1] - args[-2]) or real(*args))
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((n, ci) + hw), rng.standard_normal((co, ci, k, k))
    b = rng.standard_normal(co)
    z = rng.standard_normal((n, co) + geo.out_size(*hw))
    results = []
    for mod in (ember, torch):
        y = mod.nn.functional.conv2d(mod.tensor(x), mod.tensor(w), mod.tensor(b), stride, pad)
        zt = mod.tensor(z, requires_grad=True)
        out = mod.nn.functional.conv_transpose2d(zt, mod.tensor(w), None, stride, pad)
        out.backward(mod.tensor(_cotangent(tuple(out.shape))))
        results.append((y.numpy(), zt.grad.numpy()))
    assert sum(used) == 2 * n
    for a, e in zip(*results):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


STRIDE_ONE = [  # (batch, in, out, size, kernel, padding, dilation); stride 1, channels-last
    (5, 16, 6, 6, 3, 1, 1),    # a CIFAR ResNet's 3x3 with padding: Wo 6
    (3, 18, 4, 12, 3, 0, 2),   # dilated, no padding: Wo 8
]


@pytest.mark.parametrize("case", STRIDE_ONE)
def test_stride_one_channels_last_over_several_chunks(monkeypatch, case):
    """Stride-1 convolutions with channels at least twice Wo take the channels-last forward and
    weight gradient (NOTE [ Channels-last col2im ]); over chunks of two samples and a last,
    partial one, the output and both gradients equal torch's."""
    n, ci, co, hw, k, pad, dil = case
    geo = kernels._Geometry((k, k), (1, 1), (dil, dil), ((pad, pad), (pad, pad)))
    lay = kernels._Layout(geo, (hw, hw), geo.out_size(hw, hw), 8)
    assert kernels._forward_channels_last_fits(ci, co, geo, lay)
    assert kernels._weight_grad_channels_last_fits(ci, co, geo, lay)
    positions = lay.ho * lay.wo
    monkeypatch.setattr(kernels, "_CHUNK_BYTES", 2 * positions * (k * k * ci + co) * 8)
    monkeypatch.setattr(kernels, "_CL_WEIGHT_CHUNK_BYTES", 2 * positions * k * k * ci * 8)
    monkeypatch.setattr(kernels, "_CL_ROWS", 1)
    chunks = []
    real = kernels._cl_chunk
    monkeypatch.setattr(kernels, "_cl_chunk", lambda *args: chunks.append(real(*args)) or
                        chunks[-1])
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((n, ci, hw, hw)), rng.standard_normal((co, ci, k, k))
    got = _conv(ember, x, w, (pad, dil, 1), _cotangent)
    assert chunks == [2, 2]  # the forward's, the weight gradient's
    want = _conv(torch, x, w, (pad, dil, 1), _cotangent)
    for a, e in zip(got, want):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


def test_channels_last_chunks_hold_enough_rows():
    """A channels-last chunk is about its bytes of scratch, yet at least _CL_ROWS window rows
    (deep layers have few positions a sample), and never more than the batch."""
    assert kernels._cl_chunk(128, 1024, 1 << 18, 1 << 20) == 4  # the bytes decide
    assert kernels._cl_chunk(128, 16, 1 << 18, 1 << 20) == kernels._CL_ROWS // 16
    assert kernels._cl_chunk(8, 16, 1 << 18, 1 << 20) == 8


@pytest.mark.parametrize("ci, co, size, k, stride, pad, expected", [
    (32, 64, 16, 4, 2, 1, True),     # DCGAN's 32 -> 64: 8x8 outputs
    (64, 64, 20, 4, 2, 1, True),     # 10x10 outputs
    (64, 64, 32, 4, 2, 1, True),     # 16x16 outputs: _CL_FORWARD_POSITIONS
    (64, 64, 36, 4, 2, 1, False),    # 18x18 outputs: a GEMM per sample is wide enough
    (64, 128, 56, 3, 2, 1, False),   # ResNet-18's 28x28 outputs: a GEMM per sample is wide
    (64, 64, 8, 3, 1, 1, True),      # a CIFAR ResNet's 64 channels of 8x8, stride 1
    (32, 32, 16, 3, 1, 1, True),     # its 32 channels of 16x16: twice Wo
    (16, 16, 14, 3, 1, 1, False),    # stride 1, fewer channels than twice Wo
    (16, 32, 32, 3, 2, 1, True),     # its strided 16 -> 32: channels * stride twice Wo
    (64, 128, 8, 4, 2, 1, True),     # 128 channels of 4x4 outputs: channel-major, 64 channels
    (64, 128, 16, 4, 2, 1, True),    # DCGAN's 64 -> 128: channel-major, 8x8 outputs
    (256, 512, 8, 4, 2, 1, False),   # channel-major with 256 channels
    (128, 256, 28, 3, 2, 1, False),  # channel-major with 14x14 outputs (ResNet-18's)
    (64, 32, 16, 1, 2, 0, False),    # a 1x1 kernel
    (3, 32, 32, 4, 2, 1, False),     # an image's channels
])
def test_forward_channels_last_choice(ci, co, size, k, stride, pad, expected):
    geo = kernels._Geometry((k, k), (stride, stride), (1, 1), ((pad, pad), (pad, pad)))
    lay = kernels._Layout(geo, (size, size), geo.out_size(size, size), 4)
    assert kernels._forward_channels_last_fits(ci, co, geo, lay) == expected


def test_channels_last_choice():
    def chosen(channels, size, kernel=4, stride=2, padding=1, groups=1):
        geo = kernels._Geometry((kernel, kernel), (stride, stride), (1, 1),
                                ((padding, padding), (padding, padding)), groups)
        lay = kernels._Layout(geo, (size, size), geo.out_size(size, size), 4)
        return kernels._channels_last(channels, geo, lay)
    assert chosen(32, 16) and chosen(64, 8)  # DCGAN's: Wo 8 and 4
    assert not chosen(3, 32)  # an image's channels
    assert not chosen(32, 32, 3)  # Wo 16: channels no more than twice Wo
    assert not chosen(64, 8, stride=1)  # stride 1: flat rows and stacked kernels
    assert not chosen(64, 8, groups=2)


@pytest.mark.parametrize("ci, co, size, k, stride, pad, expected", [
    (32, 64, 16, 4, 2, 1, True),     # DCGAN's 32 -> 64: Wo 8
    (64, 128, 8, 4, 2, 1, True),     # 128 channels of 4x4 outputs: channel-major, 64 channels
    (256, 512, 14, 3, 2, 1, False),  # ResNet-18's 256 -> 512: channel-major, 256 channels
    (64, 128, 32, 1, 2, 0, False),   # a 1x1 shortcut keeps its kernel
    (3, 32, 32, 4, 2, 1, False),     # an image's channels
    (32, 32, 16, 3, 1, 1, True),     # a CIFAR ResNet's 32 channels of 16x16, stride 1
    (16, 16, 32, 3, 1, 1, False),    # stride 1, fewer channels than Wo
    (8, 16, 32, 3, 2, 1, True),      # channels * stride as many as Wo
])
def test_weight_gradient_channels_last_choice(monkeypatch, ci, co, size, k, stride, pad, expected):
    used = []
    real = kernels._weight_grad_channels_last
    monkeypatch.setattr(kernels, "_weight_grad_channels_last",
                        lambda *args: used.append(True) or real(*args))
    geo = kernels._Geometry((k, k), (stride, stride), (1, 1), ((pad, pad), (pad, pad)))
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, ci, size, size)).astype(np.float32)
    gy = rng.standard_normal((2, co) + geo.out_size(size, size)).astype(np.float32)
    kernels._conv_weight_grad(np, x, gy, (co, ci, k, k), geo)
    assert bool(used) == expected


FLIPPED = [  # (batch, in, out, size (h, w), kernel, padding, dilation, output_padding)
    (3, 16, 20, (6, 6), 3, 1, 1, 0),        # a CIFAR ResNet's 3x3 with padding
    (2, 12, 18, (7, 5), 3, 0, 2, 0),        # dilated, no padding: the gradient pads 4 and 2
    (2, 10, 16, (6, 6), 4, "same", 1, 0),   # an even kernel's 'same': padded 1 above, 2 below
    (2, 10, 24, (6, 6), 3, 1, 2, 1),        # transposed: output_padding 1 reaches past y
]


@pytest.mark.parametrize("case", FLIPPED)
def test_stride_one_input_gradient_as_a_flipped_convolution(monkeypatch, case):
    """A stride-1 input gradient whose flipped convolution fits the channels-last forward runs as
    that forward (the weights flipped, their channel axes swapped, gy padded by the kernel's reach
    less the padding): the input gradient and the transposed convolution equal torch's."""
    n, ci, co, hw, k, pad, dil, out_pad = case
    used = []
    real = kernels._forward_channels_last
    monkeypatch.setattr(kernels, "_forward_channels_last",
                        lambda *args: used.append(args[1].shape[1]) or real(*args))
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((n, ci) + hw), rng.standard_normal((co, ci, k, k))
    z = rng.standard_normal((n, co) + hw)
    results = []
    for mod in (ember, torch):
        F = mod.nn.functional
        if out_pad:  # the transposed convolution's forward is the input gradient's kernel
            results.append(F.conv_transpose2d(mod.tensor(z), mod.tensor(w), None, 1, pad, out_pad,
                                              1, dil).numpy())
            continue
        xt = mod.tensor(x, requires_grad=True)
        y = F.conv2d(xt, mod.tensor(w), None, 1, pad, dil)
        y.backward(mod.tensor(_cotangent(tuple(y.shape))))
        results.append(xt.grad.numpy())
    assert co in used  # gy's (or z's) channels went through the channels-last forward
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-10)


def test_flipped_geometry_needs_stride_one_and_no_negative_padding():
    def flipped(size, kernel, padding, stride=1, dilation=1, groups=1):
        geo = kernels._Geometry((kernel, kernel), (stride, stride), (dilation, dilation),
                                ((padding, padding), (padding, padding)), groups)
        return kernels._flipped_geometry(geo, (size, size), geo.out_size(size, size))
    geo = flipped(8, 3, 1)
    assert (geo.pt, geo.pb, geo.pl, geo.pr) == (1, 1, 1, 1)
    geo = flipped(8, 3, 0, dilation=2)
    assert (geo.pt, geo.pb, geo.dh) == (4, 4, 2)
    assert flipped(8, 3, 3) is None  # padding past the kernel's reach
    assert flipped(8, 3, 1, stride=2) is None and flipped(8, 3, 1, groups=2) is None
