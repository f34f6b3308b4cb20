"""relu_ on a tensor in a graph (a ResNet's ReLU(inplace=True) after a batch norm): the gradient
and grad_fn as torch's, and no copy of the old value, which Relu's backward never reads (it keeps
its output): one new array the size of the tensor at most, where the general in-place path makes
two."""
import tracemalloc

import numpy as np
import pytest

import ember
import ember.nn as nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("how", ["module", "functional", "method"])
def test_gradient_and_grad_fn_as_torchs(how):
    x = np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32)
    grads = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        y = mod.nn.BatchNorm2d(3)(xt)
        if how == "module":
            out = mod.nn.ReLU(inplace=True)(y)
        elif how == "functional":
            out = mod.nn.functional.relu(y, inplace=True)
        else:
            out = y.relu_()
        assert out is y and type(y.grad_fn).__name__ == "ReluBackward0"
        (y * y).sum().backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-4, atol=1e-5)


def test_no_copy_of_the_old_value():
    x = ember.randn(256, 1024, requires_grad=True)
    y = x * 2
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        nn.functional.relu(y, inplace=True)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * y.detach().numpy().nbytes
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2.0 * (y.detach().numpy() > 0))


def test_a_view_of_a_graph_tensor():
    for mod in (ember, torch):
        w = mod.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        y = w * 1.0
        y[0].relu_()
        y.sum().backward()
        if mod is ember:
            got = (y.detach().numpy(), w.grad.numpy())
        else:
            np.testing.assert_array_equal(got[0], y.detach().numpy())
            np.testing.assert_array_equal(got[1], w.grad.numpy())
