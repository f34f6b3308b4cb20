"""torch.nn.grad (conv*_input / conv*_weight), torch.nn.common_types, torch.nn.attention and
F.Tensor / F.grad, against torch."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

CASES = [
    (1, (2, 4, 9), (6, 2, 3), dict(stride=2, groups=2, padding=1)),
    (1, (1, 3, 8), (2, 3, 2), dict(dilation=2)),
    (2, (2, 4, 7, 8), (6, 2, 3, 2), dict(stride=(2, 1), groups=2, dilation=(1, 2))),
    (2, (1, 2, 8, 8), (3, 2, 3, 3), dict(stride=2)),  # an input size stride 2 does not fill
    (3, (1, 2, 5, 6, 5), (3, 2, 2, 3, 2), dict(stride=2, padding=1)),
]


def _arrays(nd, xs, ws, kw):
    rng = np.random.default_rng(nd)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    conv = getattr(torch.nn.functional, f"conv{nd}d")
    go = rng.standard_normal(conv(torch.tensor(x), torch.tensor(w), **kw).shape)
    return x, w, go


@pytest.mark.parametrize("nd,xs,ws,kw", CASES)
def test_values_and_gradients_match_torch(nd, xs, ws, kw):
    x, w, go = _arrays(nd, xs, ws, kw)
    results = {}
    for m in (ember, torch):
        tw, tgo, tx = (m.tensor(a, requires_grad=True) for a in (w, go, x))
        gi = getattr(m.nn.grad, f"conv{nd}d_input")(xs, tw, tgo, **kw)
        gw = getattr(m.nn.grad, f"conv{nd}d_weight")(tx, ws, tgo, **kw)
        assert gi.shape == xs and gw.shape == ws
        assert gi.grad_fn.name() == gw.grad_fn.name() == "ConvolutionBackwardBackward0"
        (gi.sum() + (gw * gw).sum()).backward()
        results[m] = [t.detach().numpy() for t in (gi, gw, tw.grad, tgo.grad, tx.grad)]
    for got, want in zip(results[ember], results[torch]):
        np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.parametrize("nd,xs,ws,kw", CASES[::2])
def test_gradcheck(nd, xs, ws, kw):
    x, w, go = _arrays(nd, xs, ws, kw)
    tw, tgo, tx = (ember.tensor(a, requires_grad=True) for a in (w, go, x))
    f_in = getattr(ember.nn.grad, f"conv{nd}d_input")
    f_w = getattr(ember.nn.grad, f"conv{nd}d_weight")
    assert gradcheck(lambda w, g: f_in(xs, w, g, **kw), (tw, tgo))
    assert gradcheck(lambda x, g: f_w(x, ws, g, **kw), (tx, tgo))
    assert gradgradcheck(lambda x, g: f_w(x, ws, g, **kw), (tx, tgo))


def test_the_forward_convolution_is_undone_by_its_adjoint():
    """<conv(x, w), g> == <x, conv_input(g)> == <w, conv_weight(x, g)>."""
    x, w, go = _arrays(*CASES[2])
    ex, ew, eg = ember.tensor(x), ember.tensor(w), ember.tensor(go)
    y = ember.nn.functional.conv2d(ex, ew, **CASES[2][3])
    lhs = float((y * eg).sum())
    gi = ember.nn.grad.conv2d_input(x.shape, ew, eg, **CASES[2][3])
    gw = ember.nn.grad.conv2d_weight(ex, w.shape, eg, **CASES[2][3])
    assert lhs == pytest.approx(float((gi * ex).sum())) == pytest.approx(float((gw * ew).sum()))


def test_grad_output_of_the_wrong_size_raises_like_torch():
    w = np.ones((6, 2, 3, 3))
    go = np.ones((2, 6, 3, 3))
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match=r"tensor.size\[2\] == 4 but got: dimension 4 and "
                                               r"tensor.size\[2\] = 3"):
            m.nn.grad.conv2d_input((2, 4, 10, 10), m.tensor(w), m.tensor(go), stride=2,
                                   groups=2)


def test_functional_names():
    F = ember.nn.functional
    assert F.grad is ember.nn.grad and F.Tensor is ember.Tensor
    import ember.nn.grad as grad_module
    assert grad_module.conv2d_input is ember.nn.grad.conv2d_input


def test_common_types_match_torch():
    import torch.nn.common_types as tct

    from ember.nn import common_types as ect
    names = [n for n in dir(tct) if n.startswith("_") and not n.startswith("__")
             and n != "_TypeAlias"]
    assert sorted(names) == sorted(n for n in dir(ect) if n.startswith("_")
                                   and not n.startswith("__"))
    for n in names:
        assert str(getattr(ect, n)).replace("ember._tensor", "torch") == str(getattr(tct, n)), n


def test_sdpa_kernel_accepts_torch_backends_and_changes_nothing():
    from torch.nn.attention import SDPBackend as TB

    from ember.nn.attention import SDPBackend, sdpa_kernel
    assert {k: v.value for k, v in SDPBackend.__members__.items()} == \
        {k: v.value for k, v in TB.__members__.items()}
    assert repr(SDPBackend.MATH) == repr(TB.MATH)
    q = ember.randn(1, 2, 3, 4)
    plain = ember.nn.functional.scaled_dot_product_attention(q, q, q)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.MATH], set_priority=True):
        chosen = ember.nn.functional.scaled_dot_product_attention(q, q, q)
    with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
        pass
    assert ember.equal(plain, chosen)
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("math"):
            pass
