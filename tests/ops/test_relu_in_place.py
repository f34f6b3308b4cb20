"""relu_, leaky_relu_ and hardtanh_ on a tensor in a graph (a ResNet's ReLU(inplace=True) after a
batch norm, DCGAN's LeakyReLU(0.2, inplace=True), MobileNet's ReLU6(inplace=True)): the gradient
and grad_fn as torch's, and no copy of the old value, which their backwards never read (they keep
the output): one new array the size of the tensor at most, where the general in-place path makes
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


@pytest.mark.parametrize("op", ["relu", "leaky_relu", "relu6"])
def test_no_copy_of_the_old_value(op):
    x = ember.randn(256, 1024, requires_grad=True)
    y = x * 2
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        if op == "leaky_relu":
            nn.functional.leaky_relu(y, 0.2, inplace=True)
        else:
            getattr(nn.functional, op)(y, inplace=True)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * y.detach().numpy().nbytes
    y.sum().backward()
    out = y.detach().numpy()
    slope = {"relu": 0.0, "leaky_relu": 0.2, "relu6": 0.0}[op]
    kept = (out > 0) & (out < 6) if op == "relu6" else out > 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, 2.0, 2.0 * slope), rtol=1e-6)


@pytest.mark.parametrize("bounds", [(0.0, 6.0), (-1.0, 1.0), (0.5, 0.5)])
def test_hardtanh_in_place_as_torch(bounds):
    x = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32) * 4
    grads = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        y = xt * 2
        assert mod.nn.functional.hardtanh(y, *bounds, inplace=True) is y
        assert type(y.grad_fn).__name__ == "HardtanhBackward0"
        (y * y).sum().backward()
        grads.append(xt.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


@pytest.mark.parametrize("slope", [0.2, 0.0, -0.1])
def test_leaky_relu_in_place_as_torch(slope):
    """Gradient and grad_fn (LeakyReluBackward1) as torch's; a negative slope is refused at
    backward with torch's error, the result's sign no longer being the input's."""
    x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    outcomes = []
    for mod in (ember, torch):
        xt = mod.tensor(x, requires_grad=True)
        y = xt * 2
        assert mod.nn.LeakyReLU(slope, inplace=True)(y) is y
        assert type(y.grad_fn).__name__ == "LeakyReluBackward1"
        try:
            (y * y).sum().backward()
            outcomes.append(xt.grad.numpy())
        except RuntimeError as e:
            outcomes.append(str(e))
    if isinstance(outcomes[1], str):
        assert outcomes[0] == outcomes[1]
    else:
        np.testing.assert_allclose(outcomes[0], outcomes[1], rtol=1e-6)


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
