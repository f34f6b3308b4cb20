"""relu_, leaky_relu_ and hardtanh_ on a tensor in a graph (a ResNet's ReLU(inplace=True) after a
batch norm, DCGAN's LeakyReLU(0.2, inplace=True), MobileNet's ReLU6(inplace=True)): the gradient
and grad_fn as torch's, no copy of the old value, which their backwards never read (they keep
the result), and no result copied back: they write it over the tensor, whose version counter
then guards the saved result (NOTE [ Results over the input ] in ember/ops/activation.py)."""
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
    # relu_: nothing the tensor's size (no old value, no result to copy back); leaky_relu_'s
    # factor of 1 or the slope is one such array, and relu6's result (copied back: see
    # test_changing_the_result_afterwards_as_in_torch) another
    allowed = 0.1 if op == "relu" else 1.5
    assert peak < allowed * y.detach().numpy().nbytes
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


@pytest.mark.parametrize("op", ["relu", "leaky_relu", "relu6"])
def test_changing_the_result_afterwards_as_in_torch(op):
    """relu_'s and leaky_relu_'s saved result is the tensor itself: a later in-place change to it
    makes backward raise torch's error, as the version counter says. torch's hardtanh_ (relu6)
    checks nothing and differentiates at the result as it was: so does ember's."""
    outcomes = []
    for mod in (ember, torch):
        x = mod.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        y = x * 1.0
        if op == "leaky_relu":
            mod.nn.functional.leaky_relu(y, 0.2, inplace=True)
        else:
            getattr(mod.nn.functional, op)(y, inplace=True)
        y.add_(1.0)
        try:
            y.sum().backward()
            outcomes.append(x.grad.numpy().tolist())
        except RuntimeError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    if op != "relu6":
        assert "modified by an inplace operation" in outcomes[0]


def test_relu_in_place_without_a_graph_as_torch():
    for dtype in ("float32", "int64"):
        x = np.array([[-2, 3], [0, -1]], dtype=dtype)
        got = ember.tensor(x)
        want = torch.tensor(x)
        assert got.relu_() is got
        want.relu_()
        np.testing.assert_array_equal(got.numpy(), want.numpy())
