"""Conv3d, ConvTranspose1d/3d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool1d/3d,
MaxUnpool1d/2d/3d, BatchNorm3d and the Lazy 3-D/transposed modules against torch: repr,
attributes, outputs and gradients with copied weights."""
import numpy as np
import pytest

import ember
from ._helpers import assert_close, copy_weights, to_ember

torch = pytest.importorskip("torch")

MODULES = [  # (class name, constructor args, constructor kwargs, input shape)
    ("Conv3d", (2, 4, 3), {}, (2, 2, 5, 5, 6)),
    ("Conv3d", (2, 4, (1, 2, 3)), dict(stride=2, padding=1, dilation=(1, 2, 1), groups=2,
                                        bias=False), (2, 2, 5, 6, 7)),
    ("Conv3d", (2, 4, 3), dict(padding=1, padding_mode="reflect"), (2, 5, 5, 6)),
    ("Conv3d", (2, 4, 2), dict(padding="same", padding_mode="circular"), (1, 2, 4, 5, 3)),
    ("ConvTranspose3d", (2, 4, 3), dict(stride=2, output_padding=1), (2, 2, 3, 4, 3)),
    ("ConvTranspose3d", (4, 2, (2, 1, 3)), dict(groups=2, dilation=2, padding=1),
     (4, 3, 4, 3)),
    ("ConvTranspose1d", (2, 4, 3), dict(stride=2, output_padding=1), (2, 2, 7)),
    ("ConvTranspose1d", (4, 6, 2), dict(groups=2, bias=False), (4, 5)),
    ("MaxPool3d", (2,), {}, (2, 3, 4, 5, 6)),
    ("MaxPool3d", ((1, 2, 3),), dict(stride=1, padding=(0, 1, 1), ceil_mode=True),
     (3, 4, 5, 6)),
    ("AvgPool3d", (2,), {}, (2, 3, 4, 5, 6)),
    ("AvgPool3d", ((2, 1, 2),), dict(stride=1, padding=(1, 0, 1), ceil_mode=True,
                                      count_include_pad=False, divisor_override=3),
     (2, 3, 4, 5, 6)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 3, 4, 5, 6)),
    ("AdaptiveMaxPool3d", (2,), {}, (3, 4, 5, 6)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 7)),
    ("BatchNorm3d", (3,), {}, (2, 3, 4, 2, 3)),
    ("BatchNorm3d", (3,), dict(affine=False, momentum=None), (2, 3, 4, 2, 3)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", MODULES)
def test_module_matches_torch(name, args, kwargs, shape):
    tm = getattr(torch.nn, name)(*args, **kwargs).double()
    em = getattr(ember.nn, name)(*args, **kwargs).double()
    copy_weights(tm, em)
    assert repr(em) == repr(tm)
    x = np.random.default_rng(0).standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    assert_close(ey, ty, 1e-10, 1e-10, name)
    cot = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(cot))
    ey.backward(ember.tensor(cot))
    assert_close(ex.grad, tx.grad, 1e-10, 1e-10, name)
    for (key, tp), (_, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert_close(ep.grad, tp.grad, 1e-10, 1e-10, key)
    for key, buf in tm.state_dict().items():
        assert_close(em.state_dict()[key], buf, 1e-10, 1e-10, key)


def test_attributes_match_torch():
    for name, args, kwargs in [("Conv3d", (2, 4, 3), {}), ("ConvTranspose3d", (2, 4, 3), {}),
                               ("ConvTranspose1d", (2, 4, 3), dict(stride=2)),
                               ("MaxPool3d", ((1, 2, 3),), dict(return_indices=True)),
                               ("AvgPool3d", (2,), {}), ("AdaptiveMaxPool3d", (2, True), {}),
                               ("MaxUnpool3d", ((2, 1, 2),), {}),
                               ("MaxUnpool1d", (3,), dict(stride=2, padding=1))]:
        tm = getattr(torch.nn, name)(*args, **kwargs)
        em = getattr(ember.nn, name)(*args, **kwargs)
        public = {k: v for k, v in vars(tm).items() if not k.startswith("_") and k != "training"}
        assert {k: getattr(em, k) for k in public} == public, name
        assert repr(em) == repr(tm)


@pytest.mark.parametrize("nd, shape", [(1, (2, 3, 8)), (2, (2, 3, 6, 6)), (3, (2, 2, 4, 4, 6))])
def test_max_unpool_modules_invert_pooling_like_torch(nd, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    t_pool = getattr(torch.nn, f"MaxPool{nd}d")(2, return_indices=True)
    e_pool = getattr(ember.nn, f"MaxPool{nd}d")(2, return_indices=True)
    t_unpool = getattr(torch.nn, f"MaxUnpool{nd}d")(2)
    e_unpool = getattr(ember.nn, f"MaxUnpool{nd}d")(2)
    ty, ti = t_pool(torch.tensor(x))
    ey, ei = e_pool(ember.tensor(x))
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    assert_close(e_unpool(ey, ei), t_unpool(ty, ti), 0, 0)
    size = tuple(s + 1 for s in shape[2:])
    assert_close(e_unpool(ey, ei, output_size=size), t_unpool(ty, ti, output_size=size), 0, 0)


@pytest.mark.parametrize("name, args, shape", [
    ("LazyConv3d", (4, 3), (2, 2, 4, 5, 4)),
    ("LazyConvTranspose1d", (4, 3), (2, 3, 5)),
    ("LazyConvTranspose3d", (4, 2), (2, 3, 3, 2, 3)),
    ("LazyBatchNorm3d", (), (2, 3, 2, 2, 3)),
])
def test_lazy_modules_become_their_class(name, args, shape):
    em = getattr(ember.nn, name)(*args)
    tm = getattr(torch.nn, name)(*args)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ty = tm(torch.tensor(x))
    ey = em(to_ember(torch.tensor(x)))
    assert type(em).__name__ == type(tm).__name__
    assert repr(em) == repr(tm)
    assert tuple(ey.shape) == tuple(ty.shape)
    copy_weights(tm, em)
    assert_close(em(ember.tensor(x)), tm(torch.tensor(x)), 1e-5, 1e-5)


def test_batchnorm3d_refuses_other_ranks():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match=r"^expected 5D input \(got 4D input\)$"):
            lib.nn.BatchNorm3d(3)(lib.zeros(2, 3, 4, 4))
