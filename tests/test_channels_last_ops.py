"""channels_last through the image ops (NOTE [ Suggested memory format ] in _memory_layout.py):
each op's output and input gradient take torch's strides, for channels-last and contiguous
inputs and for output gradients of either layout, compared with torch."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X4 = RNG.standard_normal((2, 4, 8, 8)).astype(np.float32)
X5 = RNG.standard_normal((2, 4, 6, 6, 6)).astype(np.float32)
W = RNG.standard_normal((6, 4, 3, 3)).astype(np.float32)
# many channels against a short output row: the kernels that compute channels-last rows
X_DEEP = RNG.standard_normal((2, 32, 6, 6)).astype(np.float32)
W_DEEP = RNG.standard_normal((32, 32, 3, 3)).astype(np.float32)
W_DEPTHWISE = RNG.standard_normal((4, 1, 3, 3)).astype(np.float32)
W_T = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
W3 = RNG.standard_normal((5, 4, 3, 3, 3)).astype(np.float32)
C4 = RNG.standard_normal(4).astype(np.float32)


def _t(lib, a):
    return lib.tensor(a)


def _bn(training):
    def op(lib, F, x):
        return F.batch_norm(x, _t(lib, C4), _t(lib, np.abs(C4) + 1), _t(lib, C4), _t(lib, C4),
                            training=training)
    return op


# name -> (input, op(lib, F, x)); an op's tensors other than x are made from NumPy arrays
OPS = {
    "conv2d": (X4, lambda lib, F, x: F.conv2d(x, _t(lib, W), padding=1)),
    "conv2d_bias_stride2": (X4, lambda lib, F, x: F.conv2d(x, _t(lib, W), _t(lib, W[:, 0, 0, 0]),
                                                         stride=2)),
    "conv2d_channels_last_kernel": (X_DEEP, lambda lib, F, x: F.conv2d(
        x, _t(lib, W_DEEP), _t(lib, W_DEEP[:, 0, 0, 0]), padding=1)),
    "conv2d_channels_last_weight": (X4, lambda lib, F, x: F.conv2d(
        x, _t(lib, W).to(memory_format=lib.channels_last))),
    "conv2d_depthwise": (X4, lambda lib, F, x: F.conv2d(x, _t(lib, W_DEPTHWISE), groups=4)),
    "conv_transpose2d": (X4, lambda lib, F, x: F.conv_transpose2d(x, _t(lib, W_T), stride=2)),
    "conv3d": (X5, lambda lib, F, x: F.conv3d(x, _t(lib, W3), padding=1)),
    "max_pool2d": (X4, lambda lib, F, x: F.max_pool2d(x, 2)),
    "max_pool2d_overlapping": (X4, lambda lib, F, x: F.max_pool2d(x, 3, 1, 1)),
    "max_pool2d_indices": (X4, lambda lib, F, x: F.max_pool2d(x, 3, 2, return_indices=True)[0]),
    "max_pool3d": (X5, lambda lib, F, x: F.max_pool3d(x, 2)),
    "avg_pool2d": (X4, lambda lib, F, x: F.avg_pool2d(x, 2)),
    "avg_pool2d_overlapping": (X4, lambda lib, F, x: F.avg_pool2d(x, 3, 1, 1)),
    "avg_pool3d": (X5, lambda lib, F, x: F.avg_pool3d(x, 2)),  # torch: contiguous
    "adaptive_avg_pool2d": (X4, lambda lib, F, x: F.adaptive_avg_pool2d(x, (3, 5))),
    "adaptive_max_pool2d": (X4, lambda lib, F, x: F.adaptive_max_pool2d(x, 3)),
    "adaptive_avg_pool3d": (X5, lambda lib, F, x: F.adaptive_avg_pool3d(x, 2)),
    "interpolate_nearest": (X4, lambda lib, F, x: F.interpolate(x, scale_factor=2)),
    "interpolate_bilinear": (X4, lambda lib, F, x: F.interpolate(x, size=(5, 11),
                                                                 mode="bilinear")),
    "interpolate_bicubic": (X4, lambda lib, F, x: F.interpolate(x, scale_factor=2,
                                                                mode="bicubic")),
    "interpolate_area": (X4, lambda lib, F, x: F.interpolate(x, size=(3, 5), mode="area")),
    "interpolate_trilinear": (X5, lambda lib, F, x: F.interpolate(x, scale_factor=2,
                                                                  mode="trilinear")),
    "batch_norm_train": (X4, _bn(True)),
    "batch_norm_eval": (X4, _bn(False)),
    "batch_norm3d_train": (X5, _bn(True)),
    "group_norm": (X4, lambda lib, F, x: F.group_norm(x, 2, _t(lib, C4), _t(lib, C4))),
    "pad_constant": (X4, lambda lib, F, x: F.pad(x, (1, 2, 3, 0))),
    "pad_reflect": (X4, lambda lib, F, x: F.pad(x, (1, 2, 3, 0), mode="reflect")),
    "pad_replicate": (X4, lambda lib, F, x: F.pad(x, (1, 2, 3, 0), mode="replicate")),
    "pad_circular": (X4, lambda lib, F, x: F.pad(x, (1, 2, 3, 0), mode="circular")),
}


def _channels_last(lib, t):
    return t.to(memory_format=lib.channels_last if t.dim() == 4 else lib.channels_last_3d)


def _grad_output(lib, y, layout):
    if layout == "expanded":  # what y.sum().backward() sends
        return lib.ones(()).expand(y.shape)
    g = lib.tensor(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
    return _channels_last(lib, g) if layout == "channels_last" else g


def _layouts(lib, name, x_layout, g_layout):
    """(output's stride and channels-last flag, input gradient's) of op `name` under lib."""
    a, op = OPS[name]
    x = lib.tensor(a)
    if x_layout == "channels_last":
        x = _channels_last(lib, x)
    x.requires_grad_()
    y = op(lib, lib.nn.functional, x)
    # autograd.grad: the op's own input gradient (a leaf's .grad is a copy, test below)
    (gx,) = lib.autograd.grad(y, x, _grad_output(lib, y, g_layout))
    fmt = lib.channels_last if y.dim() == 4 else lib.channels_last_3d
    return [(t.stride(), t.is_contiguous(memory_format=fmt), t.is_contiguous()) for t in (y, gx)]


def _not_yet(name, x_layout, g_layout):
    """The cases ember does not follow yet: upsampling (torch: output as the input suggests,
    input gradient as the output gradient's for nearest/bilinear/trilinear, contiguous for
    bicubic; ember's contiguous inputs and output gradients give torch's layouts) and padding
    (reflect/replicate: both as the input; constant: output as the input, input gradient as the
    output gradient)."""
    if name == "interpolate_bicubic":  # its input gradient is contiguous in torch too
        return x_layout == "channels_last"
    if name.startswith("interpolate_") and name != "interpolate_area":
        return x_layout == "channels_last" or g_layout == "channels_last"
    if name == "pad_constant":
        return x_layout == "channels_last" or g_layout == "channels_last"
    return name in ("pad_reflect", "pad_replicate") and x_layout == "channels_last"


def _cases():
    for name in OPS:
        for x_layout in ("contiguous", "channels_last"):
            for g_layout in ("contiguous", "channels_last", "expanded"):
                marks = pytest.mark.xfail(strict=True, reason="not yet channels-last") \
                    if _not_yet(name, x_layout, g_layout) else ()
                yield pytest.param(name, x_layout, g_layout, marks=marks,
                                   id=f"{name}-{x_layout}-{g_layout}")


@pytest.mark.parametrize("name, x_layout, g_layout", list(_cases()))
def test_layouts_match_torch(name, x_layout, g_layout):
    assert _layouts(ember, name, x_layout, g_layout) == _layouts(torch, name, x_layout, g_layout)


def test_leaf_grad_takes_the_leafs_layout():
    strides = []
    for lib in (ember, torch):
        x = lib.tensor(X4).to(memory_format=lib.channels_last).requires_grad_()
        lib.nn.functional.max_pool2d(x, 2).sum().backward()
        strides.append(x.grad.stride())
    assert strides[0] == strides[1]


def test_values_unchanged_by_layout():
    """A channels-last input gives the contiguous input's values and gradients."""
    F = ember.nn.functional
    for name, (a, op) in OPS.items():
        got = []
        for cl in (False, True):
            x = ember.tensor(a)
            x = (_channels_last(ember, x) if cl else x).requires_grad_()
            y = op(ember, F, x)
            (gx,) = ember.autograd.grad(y, x, _grad_output(ember, y, "contiguous"))
            got.append((y.detach().numpy(), gx.numpy()))
        np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-5, atol=1e-5, err_msg=name)
        np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-5, atol=1e-5, err_msg=name)


def test_conv_example_from_torch_docs():
    for lib in (ember, torch):
        x = lib.tensor(X4).to(memory_format=lib.channels_last)
        y = lib.nn.functional.conv2d(x, lib.tensor(W), padding=1)
        assert y.is_contiguous(memory_format=lib.channels_last) and not y.is_contiguous()
