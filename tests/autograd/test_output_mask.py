"""autograd.grad and backward(inputs=) ask a built-in op's backward only for the gradients that
reach what was asked for (torch's output mask): autograd.grad(conv(x, w), x) computes no weight
gradient. A user Function's ctx.needs_input_grad stays what its forward saw, as in torch."""
import sys

import numpy as np
import pytest

import ember
from ember.ops._op import Op

torch = pytest.importorskip("torch")
conv_module = sys.modules["ember.ops.conv"]


class _Spy(Op):
    """a * b, recording needs_input_grad at each backward."""
    seen = []

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        _Spy.seen.append(ctx.needs_input_grad)
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


def _leaves():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([3.0, -1.0], requires_grad=True)
    return x, w


def test_grad_asks_only_for_the_inputs_wanted_and_restores_the_mask():
    _Spy.seen.clear()
    x, w = _leaves()
    y = (_Spy.apply(x, w) * 2.0).sum()
    (gx,) = ember.autograd.grad(y, x, retain_graph=True)
    assert _Spy.seen == [(True, False)]
    np.testing.assert_array_equal(gx.numpy(), [6.0, -2.0])
    y.backward()  # the same node, everything wanted again
    assert _Spy.seen[1] == (True, True)
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])


def test_backward_with_inputs_narrows_too():
    _Spy.seen.clear()
    x, w = _leaves()
    _Spy.apply(x, w).sum().backward(inputs=[w])
    assert _Spy.seen == [(False, True)]
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])


def test_an_intermediate_on_the_path_stays_wanted():
    """The edge into an intermediate that leads to the asked-for leaf is wanted."""
    _Spy.seen.clear()
    x, w = _leaves()
    h = x * 3.0
    (gx,) = ember.autograd.grad(_Spy.apply(h, w).sum(), x)
    assert _Spy.seen == [(True, False)]
    np.testing.assert_array_equal(gx.numpy(), [9.0, -3.0])


@pytest.mark.parametrize("wanted", ["x", "w"])
def test_convolution_computes_only_the_asked_gradient(monkeypatch, wanted):
    calls = {"weight": 0, "input": 0}
    real_w, real_x = conv_module._conv_weight_grad, conv_module._conv_input_grad

    def weight_grad(*args):
        calls["weight"] += 1
        return real_w(*args)

    def input_grad(*args):
        calls["input"] += 1
        return real_x(*args)
    monkeypatch.setattr(conv_module, "_conv_weight_grad", weight_grad)
    monkeypatch.setattr(conv_module, "_conv_input_grad", input_grad)
    rng = np.random.default_rng(0)
    x_np, w_np = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    results = []
    for lib in (ember, torch):
        x = lib.tensor(x_np, requires_grad=True)
        w = lib.tensor(w_np, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w, None, 1, 1)
        results.append(lib.autograd.grad((y * y).sum(), x if wanted == "x" else w)[0].numpy())
    assert calls == ({"weight": 0, "input": 1} if wanted == "x" else {"weight": 1, "input": 0})
    np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-10)


def test_user_function_keeps_its_forward_needs_like_torch():
    def run(lib):
        seen = []

        class Mul(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b

            @staticmethod
            def backward(ctx, g):
                seen.append(tuple(ctx.needs_input_grad))
                a, b = ctx.saved_tensors
                return g * b, g * a
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, -1.0], requires_grad=True)
        (gx,) = lib.autograd.grad(Mul.apply(x, w).sum(), x)
        return seen, gx.detach().numpy()
    (seen, gx), (want_seen, want_gx) = run(ember), run(torch)
    assert seen == want_seen == [(True, True)]
    np.testing.assert_array_equal(gx, want_gx)
