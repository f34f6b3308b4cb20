"""Convolution and pooling behaviour beyond the op table: errors, chunked kernels, buffer reuse,
unbatched inputs, ties and NaN in max pooling, integer inputs, and the tutorial network's layers."""
import numpy as np
import pytest

import ember
import ember.nn.functional  # loads ember.nn for the error-type tests
from ember.ops import _conv_kernels as K
from ember.ops import conv as C
from ember.ops import pool as P


def _np(t):
    return np.asarray(t.detach()._data)


def _rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# -- errors ----------------------------------------------------------------------------------------

CONV_ERRORS = [
    (lambda: C.conv2d(ember.zeros(4, 1, 32, 32), ember.zeros(6, 3, 5, 5)),
     "Given groups=1, weight of size [6, 3, 5, 5], expected input[4, 1, 32, 32] to have 3 "
     "channels, but got 1 channels instead"),
    (lambda: C.conv2d(ember.zeros(2, 4, 8, 8), ember.zeros(6, 3, 3, 3), groups=2),
     "Given groups=2, weight of size [6, 3, 3, 3], expected input[2, 4, 8, 8] to have 6 "
     "channels, but got 4 channels instead"),
    (lambda: C.conv2d(ember.zeros(2, 4, 8, 8), ember.zeros(5, 2, 3, 3), groups=2),
     "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of "
     "size [[5, 2, 3, 3]] instead"),
    (lambda: C.conv2d(ember.zeros(2, 3, 4, 4), ember.zeros(6, 3, 5, 5)),
     "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size "
     "can't be greater than actual input size"),
    (lambda: C.conv2d(ember.zeros(3, 4), ember.zeros(6, 3, 5, 5)),
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 4]"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 5, 5), ember.zeros(5)),
     "Given weight of size [6, 3, 5, 5], expected bias to be 1-dimensional with 6 elements, "
     "but got bias of size [5] instead"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3), stride=0),
     "non-positive stride is not supported"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3), padding=-1),
     "negative padding is not supported"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3), groups=0),
     "non-positive groups is not supported"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3), padding="same",
                      stride=2),
     "padding='same' is not supported for strided convolutions"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3), padding="foo"),
     "Invalid padding string: 'foo'"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3), stride=(1, 1, 1)),
     "expected stride to be a single integer value or a list of 2 values to match the "
     "convolution dimensions, but got stride=[1, 1, 1]"),
    (lambda: C.conv2d(ember.zeros(2, 3, 8, 8), ember.zeros(6, 3, 3, 3, dtype=ember.float64)),
     "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the same"),
    (lambda: C.conv1d(ember.zeros(2, 4, 8), ember.zeros(6, 3, 3)),
     "Given groups=1, weight of size [6, 3, 3], expected input[2, 4, 8] to have 3 channels, "
     "but got 4 channels instead"),
    (lambda: C.conv_transpose2d(ember.zeros(2, 4, 8, 8), ember.zeros(3, 6, 3, 3)),
     "Given transposed=1, weight of size [3, 6, 3, 3], expected input[2, 4, 8, 8] to have 3 "
     "channels, but got 4 channels instead"),
    (lambda: C.conv_transpose2d(ember.zeros(2, 4, 8, 8), ember.zeros(4, 6, 3, 3),
                                output_padding=1),
     "output padding must be smaller than either stride or dilation, but got "
     "output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 "
     "dilation_height: 1 dilation_width: 1"),
    (lambda: C.unfold(ember.zeros(1, 3, 4, 4), 5),
     "Given input with spatial size (4, 4), kernel_size=(5, 5), dilation=(1, 1), "
     "padding=(0, 0), calculated shape of the array of sliding blocks as (0, 0), but its "
     "components must be at least one."),
    (lambda: C.fold(ember.zeros(1, 12, 10), (4, 4), 2),
     "Given output_size=(4, 4), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), "
     "stride=(1, 1), expected size of input's dimension 2 to match the calculated number of "
     "sliding blocks 3 * 3 = 9, but got input.size(2)=10."),
    (lambda: C.fold(ember.zeros(1, 10, 9), (4, 4), 2),
     "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
     "got input.size(1)=10 and kernel_size=(2, 2)."),
]

POOL_ERRORS = [
    (lambda: P.max_pool2d(ember.zeros(2, 3, 4, 4), 5),
     "Given input size: (3x4x4). Calculated output size: (3x0x0). Output size is too small"),
    (lambda: P.max_pool2d(ember.zeros(2, 3, 8, 8), 2, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and "
     "dilation=1"),
    (lambda: P.max_pool2d(ember.zeros(2, 3, 8, 8), 2, stride=0), "stride should not be zero"),
    (lambda: P.max_pool2d(ember.zeros(2, 0, 8, 8), 2),
     "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
     "got:[2, 0, 8, 8]"),
    (lambda: P.avg_pool2d(ember.zeros(2, 3, 4, 4), 5),
     "Given input size: (3x4x4). Calculated output size: (3x0x0). Output size is too small"),
    (lambda: P.avg_pool2d(ember.zeros(2, 3, 8, 8), 2, divisor_override=0),
     "divisor must be not zero"),
    (lambda: P.max_pool1d(ember.zeros(2, 3, 4, 8), 2),
     "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
     "input, but got:[2, 3, 4, 8]"),
    (lambda: P.avg_pool1d(ember.zeros(3), 2),
     "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while "
     "checking arguments for avg_pool1d)"),
    (lambda: P.adaptive_avg_pool2d(ember.zeros(3, 8), 2),
     "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [3, 8]"),
    (lambda: P.adaptive_avg_pool2d(ember.zeros(2, 3, 8, 8), (1, 2, 3)),
     "adaptive_avg_pool2d: output_size must be 2"),
    (lambda: P.adaptive_max_pool2d(ember.zeros(3, 8), 2),
     "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [3, 8]"),
]


@pytest.mark.parametrize("fn,message", CONV_ERRORS + POOL_ERRORS)
def test_error_messages(fn, message):
    with pytest.raises(RuntimeError) as info:
        fn()
    assert str(info.value).startswith(message)


ERROR_TYPES = [  # (call on a functional module m and framework t, PyTorch's exception type)
    (lambda m, t: m.conv_transpose2d(t.zeros(2, 4, 8, 8), t.zeros(4, 6, 3, 3), padding="same"),
     TypeError),
    (lambda m, t: m.avg_pool2d(t.zeros(3, 8), 2), IndexError),
    (lambda m, t: m.max_pool2d(t.zeros(2, 3, 8, 8, dtype=t.bool), 2), NotImplementedError),
    (lambda m, t: m.conv2d(t.zeros(2, 3, 8, 8, dtype=t.bool), t.zeros(6, 3, 3, 3, dtype=t.bool)),
     NotImplementedError),
]


@pytest.mark.parametrize("fn,kind", ERROR_TYPES)
def test_error_types_match_torch(torch, fn, kind):
    with pytest.raises(kind):
        fn(torch.nn.functional, torch)
    with pytest.raises(kind):
        fn(ember.nn.functional, ember)


# -- kernels ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (1, 2, 1, 2), (2, 1, 1, 1), ((1, 2), (0, 1), (2, 1), 2)])
def test_chunked_kernels_match_one_chunk(monkeypatch, stride, padding, dilation, groups):
    """Shapes in tests are small enough for one chunk; force several (and a ragged last one)."""
    x = ember.tensor(_rand(5, 4, 9, 8)).requires_grad_()
    w = ember.tensor(_rand(6, 4 // groups, 3, 2, seed=1)).requires_grad_()
    gy = None
    results = []
    for chunk in (1 << 30, 1):
        monkeypatch.setattr(K, "_CHUNK_BYTES", chunk * 2000)
        y = C.conv2d(x, w, None, stride, padding, dilation, groups)
        if gy is None:
            gy = ember.tensor(_rand(*y.shape, seed=2))
        results.append([_np(y)] + [_np(g) for g in ember.autograd.grad(y, (x, w), gy)])
    for one, many in zip(*results):
        np.testing.assert_allclose(many, one, rtol=1e-5, atol=1e-5)


def test_buffers_are_not_shared_with_outputs():
    x = ember.tensor(_rand(2, 3, 8, 8))
    w = ember.tensor(_rand(4, 3, 3, 3, seed=1))
    first = C.conv2d(x, w, padding=(1, 0))
    kept = _np(first).copy()
    C.conv2d(ember.tensor(_rand(2, 3, 8, 8, seed=5)), w, padding=(1, 0))
    C.conv2d(x, w, padding=(0, 1))  # same row length, another interior: must not reuse stale rows
    np.testing.assert_array_equal(_np(first), kept)


def test_large_scratch_is_not_kept(monkeypatch, torch):
    monkeypatch.setattr(K, "_MAX_KEPT_BYTES", 0)
    monkeypatch.setattr(K._local, "buffers", {})
    x, w = _rand(2, 3, 7, 6), _rand(4, 3, 3, 3, seed=1)
    ex, tx = ember.tensor(x).requires_grad_(), torch.tensor(x, requires_grad=True)
    ey = C.conv2d(ex, ember.tensor(w), padding=1)
    ty = torch.nn.functional.conv2d(tx, torch.tensor(w), padding=1)
    ey.sum().backward()
    ty.sum().backward()
    assert K._local.buffers == {}
    np.testing.assert_allclose(_np(ey), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(ex.grad), tx.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_padding_layouts_sharing_a_buffer_size(torch):
    """Paddings (2, 0) and (0, 2) give flat rows of one length but different interiors."""
    x = _rand(1, 2, 6, 6)
    w = _rand(3, 2, 3, 3, seed=1)
    for pad in ((2, 0), (0, 2), (2, 0)):
        got = C.conv2d(ember.tensor(x), ember.tensor(w), padding=pad)
        want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=pad)
        np.testing.assert_allclose(_np(got), want.numpy(), rtol=1e-5, atol=1e-5)


def test_non_contiguous_inputs(torch):
    x = _rand(3, 8, 9, 2).transpose(3, 0, 1, 2)  # (2, 3, 8, 9) with permuted strides
    w = _rand(4, 3, 2, 6, seed=1)[..., ::2]  # (4, 3, 2, 3) with a step in the last dim
    y = C.conv2d(ember.tensor(x), ember.tensor(w))
    want = torch.nn.functional.conv2d(torch.tensor(np.ascontiguousarray(x)),
                                      torch.tensor(np.ascontiguousarray(w)))
    np.testing.assert_allclose(_np(y), want.numpy(), rtol=1e-5, atol=1e-5)


def test_zero_batch():
    y = C.conv2d(ember.zeros(0, 3, 8, 8), ember.zeros(6, 3, 3, 3))
    assert tuple(y.shape) == (0, 6, 6, 6)
    assert tuple(P.max_pool2d(ember.zeros(0, 3, 8, 8), 2).shape) == (0, 3, 4, 4)


def test_float32_stays_float32():
    x = ember.tensor(_rand(2, 3, 6, 6)).requires_grad_()
    w = ember.tensor(_rand(4, 3, 3, 3, seed=1)).requires_grad_()
    y = P.avg_pool2d(P.max_pool2d(C.conv2d(x, w, ember.zeros(4), padding=1), 2), 3, 1, 1)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == ember.float32


def test_unbatched_conv_matches_torch(torch):
    x, w, b = _rand(3, 7, 6), _rand(4, 3, 3, 2, seed=1), _rand(4, seed=2)
    ex = ember.tensor(x).requires_grad_()
    tx = torch.tensor(x, requires_grad=True)
    ey = C.conv2d(ex, ember.tensor(w), ember.tensor(b), padding=1)
    ty = torch.nn.functional.conv2d(tx, torch.tensor(w), torch.tensor(b), padding=1)
    assert type(ey.grad_fn).__name__ == type(ty.grad_fn).__name__ == "SqueezeBackward1"
    np.testing.assert_allclose(_np(ey), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    ey.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(_np(ex.grad), tx.grad.numpy(), rtol=1e-5, atol=1e-5)
    ey1 = C.conv_transpose1d(ember.tensor(x[0]), ember.tensor(_rand(7, 2, 3, seed=3)), stride=2)
    ty1 = torch.nn.functional.conv_transpose1d(torch.tensor(x[0]),
                                               torch.tensor(_rand(7, 2, 3, seed=3)), stride=2)
    np.testing.assert_allclose(_np(ey1), ty1.numpy(), rtol=1e-5, atol=1e-5)


def test_integer_inputs_match_torch(torch):
    rng = np.random.default_rng(0)
    x, w = rng.integers(-5, 5, (2, 3, 6, 6)), rng.integers(-3, 3, (4, 3, 3, 3))
    got = C.conv2d(ember.tensor(x), ember.tensor(w), stride=2, padding=1)
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), stride=2, padding=1)
    assert got.dtype == ember.int64
    np.testing.assert_array_equal(_np(got), want.numpy())
    for fn in (lambda F, t: F.avg_pool2d(t, 3, 2, 1, True),
               lambda F, t: F.max_pool2d(t, 3, 2, 1, return_indices=True)[0]):
        np.testing.assert_array_equal(_np(fn(P, ember.tensor(x))),
                                      fn(torch.nn.functional, torch.tensor(x)).numpy())


# -- max pooling winners ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(2,), (3, 1, 1), (2, 1, 0, 2, True)])
def test_max_pool_ties_and_nan_pick_torch_winners(torch, args):
    x = np.maximum(_rand(2, 3, 7, 6), 0)  # ReLU zeros: windows full of ties
    x[0, 0, 0, :3] = np.nan
    x[1, 2, 3, 3] = np.nan
    ex = ember.tensor(x).requires_grad_()
    tx = torch.tensor(x, requires_grad=True)
    ey, ei = P.max_pool2d(ex, *args, return_indices=True)
    ty, ti = torch.nn.functional.max_pool2d(tx, *args, return_indices=True)
    np.testing.assert_array_equal(_np(ei), ti.numpy())
    np.testing.assert_array_equal(_np(ey), ty.detach().numpy())
    go = _rand(*ty.shape, seed=3)
    go[0, 0, 0, 0] = np.nan  # a NaN gradient reaches its winner only
    np.testing.assert_allclose(_np(ember.autograd.grad(ey, ex, ember.tensor(go))[0]),
                               torch.autograd.grad(ty, tx, torch.tensor(go))[0].numpy(),
                               rtol=1e-6, atol=1e-6)  # NaN must sit at the same places


def test_pool_geometry_is_checked_per_input_shape(torch):
    """Geometries are cached by arguments and input shape: the same arguments still raise for an
    input they do not fit, and list arguments (unhashable) work."""
    F = torch.nn.functional
    assert tuple(P.max_pool2d(ember.zeros(1, 1, 6, 6), 3, 3).shape) == (1, 1, 2, 2)
    assert tuple(P.max_pool2d(ember.zeros(1, 1, 9, 9), 3, 3).shape) == (1, 1, 3, 3)
    for _ in range(2):
        with pytest.raises(RuntimeError) as got:
            P.max_pool2d(ember.zeros(1, 1, 2, 2), 3, 3)
        with pytest.raises(RuntimeError) as want:
            F.max_pool2d(torch.zeros(1, 1, 2, 2), 3, 3)
        assert str(got.value) == str(want.value)
    x = _rand(1, 2, 6, 6)
    np.testing.assert_array_equal(_np(P.max_pool2d(ember.tensor(x), [2, 3], [2, 3])),
                                  F.max_pool2d(torch.tensor(x), [2, 3], [2, 3]).numpy())


def test_max_pool_without_graph_matches_with_graph():
    x = ember.tensor(_rand(2, 3, 8, 8))
    with ember.no_grad():
        plain = P.max_pool2d(x.requires_grad_(), 2)
    tracked = P.max_pool2d(x, 2)
    assert plain.grad_fn is None and tracked.grad_fn is not None
    np.testing.assert_array_equal(_np(plain), _np(tracked))


def test_max_pool_double_backward_gathers(torch):
    x = _rand(1, 2, 5, 6)
    results = []
    for m, F in ((ember, P), (torch, torch.nn.functional)):
        t = m.tensor(x, requires_grad=True)
        y = F.max_pool2d(t, 3, 2, 1)
        (g,) = m.autograd.grad((y * y).sum(), t, create_graph=True)
        (gg,) = m.autograd.grad((g * m.tensor(x)).sum(), t)
        results.append(np.asarray(gg.detach().numpy() if m is torch else _np(gg)))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-5)


def test_adaptive_max_pool_overlapping_windows_accumulate(torch):
    x = _rand(2, 3, 5, 5)
    ex = ember.tensor(x).requires_grad_()
    tx = torch.tensor(x, requires_grad=True)
    ey = P.adaptive_max_pool2d(ex, 4)  # windows of 2 overlap: one input can win twice
    ty = torch.nn.functional.adaptive_max_pool2d(tx, 4)
    ey.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(_np(ex.grad), tx.grad.numpy())


# -- the CIFAR-10 tutorial network's conv and pool layers ------------------------------------------

def test_tutorial_conv_stack_matches_torch(torch):
    """conv1 -> relu -> pool -> conv2 -> relu -> pool at the tutorial's shapes, forward and
    backward, against torch with the same weights."""
    x = _rand(4, 3, 32, 32)
    params = [_rand(6, 3, 5, 5, seed=1) * 0.2, _rand(6, seed=2), _rand(16, 6, 5, 5, seed=3) * 0.2,
              _rand(16, seed=4)]
    go = _rand(4, 16, 5, 5, seed=5)
    grads = []
    for m, F, Fc in ((ember, P, C), (torch, torch.nn.functional, torch.nn.functional)):
        w1, b1, w2, b2 = [m.tensor(p, requires_grad=True) for p in params]
        h = F.max_pool2d(Fc.conv2d(m.tensor(x), w1, b1).relu(), 2, 2)
        y = F.max_pool2d(Fc.conv2d(h, w2, b2).relu(), 2, 2)
        y.backward(m.tensor(go))
        grads.append([_np(y) if m is ember else y.detach().numpy()] +
                     [_np(p.grad) if m is ember else p.grad.numpy() for p in (w1, b1, w2, b2)])
    for e, t in zip(*grads):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-4)
