"""3-D convolution, transposed convolution, pooling (max, average, adaptive) and max unpooling
(1-D to 3-D) against torch: values, indices, gradients, grad_fn names, gradcheck and errors."""
import numpy as np
import pytest

import ember
import ember.nn.functional as EF
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _both(a, grad=True):
    return ember.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _close(e, t, tol=1e-10):
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _name(t):
    return type(t.grad_fn).__name__


# -- convolution -----------------------------------------------------------------------------------

CONVS = [  # (transposed, input shape, weight shape, bias, keyword arguments)
    (False, (2, 3, 5, 6, 7), (4, 3, 2, 3, 2), True, {}),
    (False, (2, 4, 6, 6, 7), (6, 2, 3, 1, 2), True,
     dict(stride=(2, 1, 3), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2)),
    (False, (3, 5, 6, 4), (4, 3, 3, 3, 3), False, dict(padding="same")),
    (False, (1, 2, 4, 5, 6), (3, 2, 2, 2, 2), True, dict(padding="same", dilation=(1, 2, 1))),
    (False, (1, 2, 4, 5, 6), (3, 2, 2, 2, 2), False, dict(padding="valid", stride=2)),
    (True, (2, 4, 4, 5, 3), (4, 3, 2, 3, 2), True, dict(stride=2, padding=1, output_padding=1)),
    (True, (2, 4, 4, 5, 3), (4, 1, 3, 2, 2), True,
     dict(stride=(2, 1, 2), padding=(1, 0, 0), output_padding=(1, 0, 1), groups=2,
          dilation=(1, 2, 1))),
    (True, (4, 3, 3, 3), (4, 2, 2, 2, 2), False, {}),
    # output_padding past the stride (it may reach the dilation): the input gradient's convolution
    # must keep to the input's size, not the larger image's windows (found by the nn fuzzer)
    (True, (1, 2, 2, 2, 2), (2, 3, 3, 3, 3), True,
     dict(stride=1, padding=1, dilation=2, output_padding=(1, 0, 1))),
]


@pytest.mark.parametrize("transposed, x_shape, w_shape, bias, kw", CONVS)
def test_conv3d_matches_torch(transposed, x_shape, w_shape, bias, kw):
    groups = kw.get("groups", 1)
    n_out = w_shape[1] * groups if transposed else w_shape[0]
    x, w, b, g = _arrays(x_shape, w_shape, (n_out,), (1,))
    ex, tx = _both(x)
    ew, tw = _both(w)
    eb, tb = _both(b) if bias else (None, None)
    name = "conv_transpose3d" if transposed else "conv3d"
    ey = getattr(EF, name)(ex, ew, eb, **kw)
    ty = getattr(TF, name)(tx, tw, tb, **kw)
    _close(ey, ty)
    assert _name(ey) == _name(ty)
    cot = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    ey.backward(ember.tensor(cot))
    ty.backward(torch.tensor(cot))
    for e, t in ((ex, tx), (ew, tw)) + (((eb, tb),) if bias else ()):
        _close(e.grad, t.grad)


def test_conv3d_float32_and_torch_namespace():
    x, w = (a.astype(np.float32) for a in _arrays((2, 3, 6, 5, 6), (4, 3, 3, 2, 3)))
    ey = ember.conv3d(ember.tensor(x), ember.tensor(w), stride=2, padding=1)
    ty = torch.conv3d(torch.tensor(x), torch.tensor(w), stride=2, padding=1)
    assert ey.dtype == ember.float32
    np.testing.assert_allclose(ey.numpy(), ty.numpy(), rtol=1e-5, atol=1e-5)
    ey = ember.conv_transpose3d(ember.tensor(x), ember.tensor(w).transpose(0, 1), stride=2)
    ty = torch.conv_transpose3d(torch.tensor(x), torch.tensor(w).transpose(0, 1), stride=2)
    np.testing.assert_allclose(ey.numpy(), ty.numpy(), rtol=1e-5, atol=1e-5)


def test_conv3d_gradcheck_and_double_backward():
    x = ember.randn(1, 2, 4, 3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(3, 2, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    b = ember.randn(3, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: EF.conv3d(x, w, b, stride=(2, 1, 1), padding=1), (x, w, b))
    assert gradgradcheck(lambda x, w: EF.conv3d(x, w, dilation=(1, 2, 1)), (x, w))
    wt = ember.randn(2, 3, 2, 2, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, w: EF.conv_transpose3d(x, w, stride=2, output_padding=1),
                     (x, wt))


CONV_ERRORS = [
    lambda m, F: F.conv_transpose3d(m.zeros(1, 2, 3, 3, 3), m.zeros(2, 2, 2, 2, 2),
                                    output_padding=1),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3, dtype=m.bool),
                          m.zeros(2, 2, 2, 2, 2, dtype=m.bool)),
    lambda m, F: F.conv_transpose3d(m.zeros(1, 2, 3, 3, 3, dtype=m.bool),
                                    m.zeros(2, 2, 2, 2, 2, dtype=m.bool)),
    lambda m, F: F.conv_transpose2d(m.zeros(1, 2, 3, 3, dtype=m.bool),
                                    m.zeros(2, 2, 2, 2, dtype=m.bool)),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3), m.zeros(2, 2, 2, 2, 2)),
    lambda m, F: F.conv3d(m.zeros(2, 3), m.zeros(2, 2, 2, 2, 2)),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3), m.zeros(2, 2, 4, 2, 2)),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3), m.zeros(2, 2, 2, 2, 2), stride=(1, 1)),
    lambda m, F: F.conv_transpose3d(m.zeros(1, 2, 1, 1, 1), m.zeros(2, 2, 1, 1, 1), padding=1),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3), m.zeros(2, 2, 2, 2, 2), m.zeros(3)),
]


@pytest.mark.parametrize("call", CONV_ERRORS)
def test_conv3d_errors_match_torch(call):
    _raises_like(call)


def _raises_like(call):
    with pytest.raises(Exception) as want:
        call(torch, TF)
    with pytest.raises(type(want.value)) as got:
        call(ember, EF)
    assert str(got.value) == str(want.value)


# -- pooling ---------------------------------------------------------------------------------------

POOLS = [  # (F name, input shape, positional args, keyword args)
    ("max_pool3d", (2, 3, 5, 6, 7), (2,), {}),
    ("max_pool3d", (2, 3, 5, 6, 7), ((3, 2, 3),),
     dict(stride=(2, 1, 2), padding=(1, 1, 0), dilation=(1, 2, 1), ceil_mode=True,
          return_indices=True)),
    ("max_pool3d", (3, 5, 6, 7), (3, 2, 1), dict(return_indices=True)),
    ("max_pool3d_with_indices", (1, 2, 4, 4, 4), (2,), {}),
    ("avg_pool3d", (2, 3, 5, 6, 7), (2,), {}),
    ("avg_pool3d", (2, 3, 5, 6, 7), ((3, 2, 3),),
     dict(stride=(2, 1, 2), padding=(1, 1, 0), ceil_mode=True, count_include_pad=False)),
    ("avg_pool3d", (2, 3, 5, 6, 7), ((3, 2, 3),),
     dict(stride=(2, 1, 2), padding=(1, 1, 0), ceil_mode=True)),
    ("avg_pool3d", (3, 5, 6, 7), (3, 2, 1), dict(divisor_override=5)),
    ("adaptive_avg_pool3d", (2, 3, 5, 6, 7), ((3, 4, 2),), {}),
    ("adaptive_avg_pool3d", (3, 5, 6, 7), ((None, 4, 3),), {}),
    ("adaptive_avg_pool3d", (3, 5, 6, 7), (1,), {}),
    ("adaptive_max_pool3d", (2, 3, 5, 6, 7), ((3, 4, 2),), dict(return_indices=True)),
    ("adaptive_max_pool3d", (3, 5, 6, 7), ((2, None, 4),), dict(return_indices=True)),
    ("adaptive_max_pool3d_with_indices", (1, 2, 3, 5, 4), (2,), {}),
    ("adaptive_max_pool2d", (3, 5, 6), ((2, 4),), dict(return_indices=True)),
    ("adaptive_max_pool2d_with_indices", (2, 3, 5, 6), (3,), {}),
    ("adaptive_max_pool1d", (3, 5, 7), (3,), dict(return_indices=True)),
    ("adaptive_max_pool1d", (2, 3, 7), (4,), {}),
    ("adaptive_max_pool1d_with_indices", (2, 3, 7), (4,), {}),
    ("max_pool1d_with_indices", (3, 5, 7), (3,), {}),
    ("max_pool2d", (2, 3, 7, 6), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("avg_pool2d", (2, 3, 7, 6), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
]


@pytest.mark.parametrize("name, shape, args, kw", POOLS)
def test_pooling_matches_torch(name, shape, args, kw):
    (x,) = _arrays(shape)
    ex, tx = _both(x)
    ey, ty = getattr(EF, name)(ex, *args, **kw), getattr(TF, name)(tx, *args, **kw)
    if isinstance(ty, tuple):
        np.testing.assert_array_equal(ey[1].numpy(), ty[1].numpy())
        assert ey[1].dtype == ember.int64
        ey, ty = ey[0], ty[0]
    _close(ey, ty)
    assert _name(ey) == _name(ty)
    cot = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    ey.backward(ember.tensor(cot))
    ty.backward(torch.tensor(cot))
    _close(ex.grad, tx.grad)


def test_torch_namespace_pools():
    (x,) = _arrays((2, 3, 9))
    for name, args in [("max_pool3d", (ember.tensor(x[None]), 2)),
                       ("adaptive_max_pool1d", (ember.tensor(x), 4)),
                       ("max_pool1d_with_indices", (ember.tensor(x), 2))]:
        targs = tuple(torch.tensor(a.numpy()) if isinstance(a, ember.Tensor) else a
                      for a in args)
        got, want = getattr(ember, name)(*args), getattr(torch, name)(*targs)
        if isinstance(want, tuple):
            assert isinstance(got, tuple)
            np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())
            got, want = got[0], want[0]
        np.testing.assert_allclose(got.numpy(), want.numpy())


@pytest.mark.parametrize("fn, name", [
    (lambda F, x: F.max_pool3d(x, 2, 1), "MaxPool3DWithIndicesBackwardBackward0"),
    (lambda F, x: F.avg_pool3d(x, 2, 1), "AvgPool3DBackwardBackward0"),
    (lambda F, x: F.adaptive_avg_pool3d(x, 3), "AdaptiveAvgPool3DBackwardBackward0"),
    (lambda F, x: F.adaptive_max_pool3d(x, 3), "AdaptiveMaxPool3DBackwardBackward0"),
])
def test_double_backward_names_and_gradgradcheck(fn, name):
    (x,) = _arrays((1, 2, 4, 4, 4))
    ex, tx = _both(x)
    ty, ey = fn(TF, tx), fn(EF, ex)
    (v,) = _arrays(tuple(ty.shape), seed=2)
    ev, tv = _both(v)  # a cotangent requiring grad: the gradient is then a graph node
    (tg,) = torch.autograd.grad(ty, tx, tv, create_graph=True)
    (eg,) = ember.autograd.grad(ey, ex, ev, create_graph=True)
    assert _name(eg) == _name(tg) == name
    _close(eg, tg)
    assert gradcheck(lambda a: fn(EF, a), (ex,))
    assert gradgradcheck(lambda a: fn(EF, a), (ex,))


def test_max_pool3d_ties_nan_and_integers():
    x = np.zeros((1, 1, 4, 4, 4))
    x[0, 0, 1, 1, 1] = np.nan
    x[0, 0, 3, 2, 2] = np.nan
    ey, ei = EF.max_pool3d(ember.tensor(x), 2, return_indices=True)
    ty, ti = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    np.testing.assert_array_equal(ey.numpy(), ty.numpy())
    xi = np.random.default_rng(0).integers(-50, 50, (2, 3, 4, 5, 6))
    for name in ("max_pool3d", "avg_pool3d"):
        e = getattr(EF, name)(ember.tensor(xi), 2, padding=1)
        t = getattr(TF, name)(torch.tensor(xi), 2, padding=1)
        assert e.dtype == ember.int64
        np.testing.assert_array_equal(e.numpy(), t.numpy())


POOL_ERRORS = [
    lambda m, F: F.max_pool3d(m.zeros(2, 3, 4), 2),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 4),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), (2, 2)),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, stride=(1, 1)),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, padding=(1, 1)),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, dilation=(1, 1)),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, padding=2),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, padding=-1),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), -1),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, stride=-1),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, dilation=0),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), 2, stride=0),
    lambda m, F: F.max_pool3d(m.zeros(1, 0, 3, 3, 3), 2),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3, dtype=m.bool), 2),
    lambda m, F: F.avg_pool3d(m.zeros(2, 3, 4), 2),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3), 4),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3), 2, divisor_override=0),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3), (2, 2)),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3), 2, stride=(1, 1)),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3), 2, padding=(1, 1)),
    lambda m, F: F.avg_pool3d(m.zeros(1, 0, 3, 3, 3), 2),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3, dtype=m.bool), 2),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3, dtype=m.float16), 2),
    lambda m, F: F.adaptive_avg_pool3d(m.zeros(2, 3, 4), 2),
    lambda m, F: F.adaptive_max_pool3d(m.zeros(2, 3, 4), 2),
    lambda m, F: F.adaptive_avg_pool3d(m.zeros(1, 2, 3, 3, 3), (2, 2)),
    lambda m, F: F.adaptive_max_pool3d(m.zeros(1, 2, 3, 3, 3), (2, 2)),
    lambda m, F: F.adaptive_avg_pool3d(m.zeros(1, 2, 3, 3, 3), -1),
    lambda m, F: F.adaptive_max_pool3d(m.zeros(1, 2, 3, 3, 3), -1),
    lambda m, F: F.adaptive_max_pool2d(m.zeros(1, 2, 3, 3), -1),
    lambda m, F: F.adaptive_avg_pool3d(m.zeros(1, 0, 3, 3, 3), 2),
    lambda m, F: F.adaptive_max_pool3d(m.zeros(1, 0, 3, 3, 3), 2),
    lambda m, F: F.adaptive_max_pool2d(m.zeros(1, 0, 3, 3), 2),
    lambda m, F: F.adaptive_avg_pool3d(m.zeros(1, 2, 3, 3, 3, dtype=m.int64), 2),
    lambda m, F: F.adaptive_max_pool3d(m.zeros(1, 2, 3, 3, 3, dtype=m.bool), 2),
    lambda m, F: F.adaptive_max_pool1d(m.zeros(3), 2),
    lambda m, F: F.max_pool2d(m.zeros(1, 2, 3, 3), 2, padding=-1),
    lambda m, F: F.max_pool2d(m.zeros(1, 2, 3, 3), -1),
    lambda m, F: F.max_pool2d(m.zeros(1, 2, 3, 3), 2, stride=-1),
]


@pytest.mark.parametrize("call", POOL_ERRORS)
def test_pooling_errors_match_torch(call):
    _raises_like(call)


# -- max unpooling ---------------------------------------------------------------------------------

UNPOOLS = [  # (nd, input shape, pool args, unpool keyword args)
    (1, (2, 3, 8), (2,), {}),
    (1, (3, 9), (3, 2, 1), dict(output_size=(10,))),
    (2, (2, 3, 8, 8), (2,), {}),
    (2, (2, 3, 8, 8), (2,), dict(output_size=(9, 9))),
    (2, (3, 7, 8), (3, 2, 1), dict(output_size=(2, 3, 7, 8))),
    (3, (2, 3, 4, 4, 4), (2,), {}),
    (3, (3, 5, 4, 6), (3, 2, 1), dict(output_size=(5, 4, 6))),
]


@pytest.mark.parametrize("nd, shape, pool_args, kw", UNPOOLS)
def test_max_unpool_matches_torch(nd, shape, pool_args, kw):
    (x,) = _arrays(shape)
    ty, ti = getattr(TF, f"max_pool{nd}d")(torch.tensor(x), *pool_args, return_indices=True)
    ey, ei = getattr(EF, f"max_pool{nd}d")(ember.tensor(x), *pool_args, return_indices=True)
    ey, ty = ey.requires_grad_(), ty.requires_grad_()
    eu = getattr(EF, f"max_unpool{nd}d")(ey, ei, *pool_args, **kw)
    tu = getattr(TF, f"max_unpool{nd}d")(ty, ti, *pool_args, **kw)
    _close(eu, tu)
    assert _name(eu) == _name(tu)
    cot = np.random.default_rng(1).standard_normal(tuple(tu.shape))
    eu.backward(ember.tensor(cot))
    tu.backward(torch.tensor(cot))
    _close(ey.grad, ty.grad)


def test_max_unpool_gradcheck():
    x = ember.randn(2, 3, 6, 6, dtype=ember.float64)
    y, idx = EF.max_pool2d(x, 2, return_indices=True)
    assert gradcheck(lambda a: EF.max_unpool2d(a, idx, 2), (y.requires_grad_(),))


def _pooled(m, F, shape, k):
    x = m.arange(float(np.prod(shape))).reshape(shape)
    return F.max_pool2d(x, k, return_indices=True)


UNPOOL_ERRORS = [
    lambda m, F: F.max_unpool2d(*_pooled(m, F, (1, 2, 4, 4), 2), 2, output_size=(9, 9)),
    lambda m, F: F.max_unpool2d(_pooled(m, F, (1, 2, 4, 4), 2)[0],
                                _pooled(m, F, (1, 2, 4, 4), 2)[1] * 10, 2),
    lambda m, F: F.max_unpool2d(_pooled(m, F, (1, 2, 4, 4), 2)[0],
                                _pooled(m, F, (1, 2, 4, 4), 2)[1].int(), 2),
    lambda m, F: F.max_unpool2d(_pooled(m, F, (1, 2, 4, 4), 2)[0],
                                _pooled(m, F, (1, 2, 4, 4), 2)[1][..., :1], 2),
    lambda m, F: F.max_unpool2d(*_pooled(m, F, (1, 2, 4, 4), 2), 2, output_size=(5,)),
    lambda m, F: F.max_unpool2d(m.zeros(2, 2), m.zeros(2, 2, dtype=m.int64), 2),
]


@pytest.mark.parametrize("call", UNPOOL_ERRORS)
def test_max_unpool_errors_match_torch(call):
    _raises_like(call)
