"""Convolution kernels over channel-major chunks (NOTE [ Channel-major chunks ] in
ember/ops/_conv_kernels.py), taken when a group's output channels outnumber one sample's output
positions: forward, input and weight gradients against torch, with the chunk size shrunk so that
batches walk several chunks and a partial last one; and the choice of path itself."""
import numpy as np
import pytest

import ember
from ember.ops import _conv_kernels as kernels

torch = pytest.importorskip("torch")

CASES = [  # (batch, in, out, size, kernel, stride, padding, dilation, groups, bias)
    (5, 8, 32, 5, 3, 1, 1, 1, 1, True),
    (3, 8, 64, 6, 3, 2, 1, 1, 2, True),
    (4, 16, 64, 3, 1, 1, 0, 1, 1, False),
    (5, 6, 48, 5, (2, 3), (1, 2), (1, 0), 1, 1, True),
    (3, 4, 40, 7, 3, 1, 2, 2, 4, False),
]


def _run(mod, x, w, b, g, args, dtype):
    xt = mod.tensor(x, dtype=dtype, requires_grad=True)
    wt = mod.tensor(w, dtype=dtype, requires_grad=True)
    bt = None if b is None else mod.tensor(b, dtype=dtype, requires_grad=True)
    y = mod.nn.functional.conv2d(xt, wt, bt, *args)
    y.backward(mod.tensor(g(tuple(y.shape)), dtype=dtype))
    return [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()] + (
        [] if b is None else [bt.grad.numpy()])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("chunk_bytes", [None, 1])
def test_matches_torch(monkeypatch, case, dtype, chunk_bytes):
    if chunk_bytes is not None:  # one sample per chunk
        monkeypatch.setattr(kernels, "_CM_CHUNK_BYTES", chunk_bytes)
    n, ci, co, hw, k, stride, pad, dil, groups, bias = case
    k2 = (k, k) if isinstance(k, int) else k
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, ci, hw, hw))
    w = rng.standard_normal((co, ci // groups) + k2)
    b = rng.standard_normal(co) if bias else None

    def cotangent(shape):
        return np.cos(np.arange(np.prod(shape))).reshape(shape)

    args = (stride, pad, dil, groups)
    got = _run(ember, x, w, b, cotangent, args, getattr(ember, dtype))
    want = _run(torch, x, w, b, cotangent, args, getattr(torch, dtype))
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    for a, e in zip(got, want):
        assert a.shape == e.shape and a.dtype == e.dtype
        np.testing.assert_allclose(a, e, **tol)


def test_path_choice():
    geo = kernels._Geometry((3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)))
    deep = kernels._Layout(geo, (7, 7), (7, 7), 4)      # ResNet's last stage: 512 channels
    shallow = kernels._Layout(geo, (56, 56), (56, 56), 4)  # its first: 64 channels
    assert kernels._channel_major(512, deep)
    assert not kernels._channel_major(64, shallow)
    seen = []
    monkey = kernels._forward_cm

    def spy(*a):
        seen.append(a[1].shape)
        return monkey(*a)

    kernels._forward_cm = spy
    try:
        ember.nn.functional.conv2d(ember.ones(2, 4, 9, 9), ember.ones(64, 4, 3, 3))
        ember.nn.functional.conv2d(ember.ones(2, 4, 8, 8), ember.ones(6, 4, 3, 3))
        # channel-major, but with channels enough for a channels-last forward (NOTE [ Channels-
        # last col2im ]): 1 output position of 64 channels
        ember.nn.functional.conv2d(ember.ones(2, 4, 3, 3), ember.ones(64, 4, 3, 3))
    finally:
        kernels._forward_cm = monkey
    assert seen == [(2, 4, 9, 9)]


@pytest.mark.parametrize("nd, stride, dilation, output_padding", [
    (1, 1, 2, 1),  # stride 1, dilation 2: output_padding 1 widens the image past the windows
    (2, 1, 2, 1),
    (1, 2, 1, 1),
])
def test_transposed_conv_with_output_padding_on_the_channel_major_path(nd, stride, dilation,
                                                                      output_padding):
    """Output channels outnumbering a one-position input take the channel-major kernels, whose
    exact windows were sized from the image: output_padding makes the image larger than the
    windows reach (the windows are gy's), and conv_transpose raised NumPy's reshape error."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4) + (1,) * nd)
    w = rng.standard_normal((4, 3) + (2,) * nd)
    results = []
    for lib in (ember, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = getattr(lib.nn.functional, f"conv_transpose{nd}d")(
            xt, wt, None, stride, 0, output_padding, 1, dilation)
        y.backward(lib.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
        results.append((y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
