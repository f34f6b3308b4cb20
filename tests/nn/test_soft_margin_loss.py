"""soft_margin_loss as torch computes it (NOTE [ Soft margin loss as torch computes it ] in
ops/loss.py): its steps in the input's dtype, overflow included, its own backward node and
double backward, torch's errors."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck, gradgradcheck


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _both(torch, x, y, reduction="mean", x_dtype="float32", y_dtype="float32"):
    """(loss, input gradient) of each library, as NumPy arrays."""
    out = []
    for lib in (ember, torch):
        xt = lib.tensor(np.array(x), dtype=getattr(lib, x_dtype), requires_grad=True)
        yt = lib.tensor(np.array(y), dtype=getattr(lib, y_dtype))
        loss = lib.nn.functional.soft_margin_loss(xt, yt, reduction=reduction)
        assert type(loss.grad_fn).__name__ == "SoftMarginLossBackward0"
        loss.sum().backward()
        out.append((loss.detach().numpy(), xt.grad.numpy()))
    return out


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_values_and_gradient_like_torch_overflow_included(torch, reduction):
    """exp(-y x) overflows in float32 from -y x = 89: torch's loss is inf and its gradient NaN
    there (fuzzer seeds 5, 11, 23)."""
    x, y = [100.0, -100.0, 0.5, 20.0, -3.0], [-1.0, 1.0, 1.0, -1.0, 0.25]
    (le, ge), (lt, gt) = _both(torch, x, y, reduction)
    np.testing.assert_allclose(le, lt, rtol=1e-6)
    np.testing.assert_allclose(ge, gt, rtol=1e-6)
    assert np.isnan(ge[:2]).all()


def test_half_input_keeps_its_dtype_with_a_double_target(torch):
    """Every step stores into the input's dtype: a float16 input's loss is float16 (fuzzer
    seed 25, case 612), and exp(100) overflows there."""
    (le, ge), (lt, gt) = _both(torch, [100.0, 0.5, 3.0], [-1.0, 1.0, -2.0], "none",
                               "float16", "float64")
    assert le.dtype == np.float16 and ge.dtype == np.float16
    np.testing.assert_array_equal(le, lt)
    np.testing.assert_array_equal(ge, gt)


def test_gradients_numerically():
    x = ember.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    y = ember.tensor(np.sign(np.random.default_rng(1).standard_normal((3, 4))))
    for reduction in ("mean", "sum", "none"):
        fn = lambda a: F.soft_margin_loss(a, y, reduction=reduction)  # noqa: E731
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


def test_double_backward_like_torch(torch):
    x = np.array([1.0, 0.5, -2.0])
    y = np.array([1.0, -1.0, 0.5])
    w = np.array([1.0, 2.0, 3.0])
    results = []
    for lib in (ember, torch):
        xt = lib.tensor(x, requires_grad=True)
        loss = lib.nn.functional.soft_margin_loss(xt, lib.tensor(y))
        g, = lib.autograd.grad(loss, xt, create_graph=True)
        assert type(g.grad_fn).__name__ == "SoftMarginLossBackwardBackward0"
        h, = lib.autograd.grad((g * lib.tensor(w)).sum(), xt)
        results.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


CASES = {
    "target_broadcast": lambda m: m.nn.functional.soft_margin_loss(m.ones(2, 3), m.ones(3)),
    "input_broadcast": lambda m: m.nn.functional.soft_margin_loss(m.ones(3), m.ones(2, 3)),
    "mismatch": lambda m: m.nn.functional.soft_margin_loss(m.ones(3), m.ones(4)),
    "target_requires_grad": lambda m: m.nn.functional.soft_margin_loss(
        m.ones(3), m.ones(3, requires_grad=True)),
    "long_input": lambda m: m.nn.functional.soft_margin_loss(m.ones(3, dtype=m.int64),
                                                             m.ones(3, dtype=m.int64)),
    "short_input_double_target": lambda m: m.nn.functional.soft_margin_loss(
        m.ones(3, dtype=m.int16), m.ones(3, dtype=m.float64)),
    "long_target": lambda m: m.nn.functional.soft_margin_loss(m.ones(3), m.ones(3, dtype=m.int64)),
    "empty_mean": lambda m: m.nn.functional.soft_margin_loss(m.zeros(4, 0), m.zeros(4, 0)),
    "zero_dim": lambda m: m.nn.functional.soft_margin_loss(m.tensor(2.0), m.tensor(-1.0)),
}


def _outcome(f, lib):
    try:
        r = f(lib)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    values = np.round(r.detach().numpy(), 6)
    return str(r.dtype).rsplit(".", 1)[-1], tuple(r.shape), np.where(np.isnan(values), None,
                                                                      values).tolist()


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", sorted(CASES))
def test_like_torch(torch, name):
    assert _outcome(CASES[name], ember) == _outcome(CASES[name], torch)


def test_target_may_require_grad_under_no_grad():
    with ember.no_grad():
        F.soft_margin_loss(ember.ones(3), ember.ones(3, requires_grad=True))
