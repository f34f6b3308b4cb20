"""Activations at NaN and infinities, against torch. Piecewise ones: torch's kernels test for the
flat region (x <= threshold, x <= min or x >= max, |x| <= lambd), so a NaN input keeps its value
and passes its gradient; ember's tested the kept region and dropped both. Smooth ones give their
IEEE results (NaN from inf * 0) silently, as torch does; ember let NumPy warn."""
import numpy as np
import pytest
import torch

import ember
from ember.ops import _threads

VALUES = [float("nan"), -1.0, 2.0, 0.0, 0.5, 7.0, -7.0, float("nan")]

CASES = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "hardtanh": lambda F, x: F.hardtanh(x, -1.0, 1.0),
    "threshold": lambda F, x: F.threshold(x, 0.5, -3.0),
    "hardshrink": lambda F, x: F.hardshrink(x, 0.5),
    "softshrink": lambda F, x: F.softshrink(x, 0.5),
}


def _run(lib, name, values):
    x = lib.tensor(values, requires_grad=True)
    y = CASES[name](lib.nn.functional, x)
    y.backward(lib.ones_like(y))
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_nan_input_keeps_value_and_gradient_as_torch(name):
    y, g = _run(ember, name, VALUES)
    ty, tg = _run(torch, name, VALUES)
    np.testing.assert_array_equal(y, ty)
    np.testing.assert_array_equal(g, tg)
    assert np.isnan(y[0]) and g[0] == 1.0


def test_relu_backward_split_over_kernel_threads_passes_nan(monkeypatch):
    """The quiet process's split ReLU backward (NOTE [ Elementwise kernels in a quiet process ])
    uses the same test as the whole one."""
    monkeypatch.setattr(_threads, "quiet", True)
    monkeypatch.setattr(_threads, "_count", 2)
    monkeypatch.setattr(_threads, "QUIET_ELEMENTS", 1)
    values = (VALUES * 4)[:32]
    y, g = _run(ember, "relu", values)
    ty, tg = _run(torch, "relu", values)
    np.testing.assert_array_equal(g, tg)


# gelu is left out: torch's float32 gelu(inf) is NaN (its float64 one, and ember's, inf)
SMOOTH = ["mish", "softplus", "silu", "hardswish", "elu", "selu", "celu", "logsigmoid", "sigmoid",
          "tanh", "softsign", "hardsigmoid", "tanhshrink"]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", SMOOTH)
def test_non_finite_inputs_give_torchs_values_without_warnings(name):
    values = [float("nan"), -1.0, 2.0, float("inf"), float("-inf")]
    got, want = [], []
    for lib, out in ((ember, got), (torch, want)):
        x = lib.tensor(values, requires_grad=True)
        y = getattr(lib.nn.functional, name)(x)
        y.sum().backward()
        out.extend([y.detach().numpy(), x.grad.numpy()])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)
