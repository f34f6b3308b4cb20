"""The tutorial's autograd walk-through, in our own words."""
import numpy as np

import ember


def test_mean_of_three_y_squared_gives_six():
    x = ember.ones(2, 2, requires_grad=True)
    y = x * 2
    assert type(y.grad_fn).__name__ == "MulBackward0"
    assert repr(y.grad_fn).startswith("<MulBackward0 object at 0x")
    z = y * y * 3
    out = z.mean()
    assert type(out.grad_fn).__name__ == "MeanBackward0"
    assert out.item() == 12.0
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 6.0, np.float32))


def test_norm_doubling_loop_then_vector_backward():
    x = ember.randn(3, requires_grad=True)
    y = x * 2
    k = 1
    while y.data.norm() < 1000:
        y = y * 2
        k += 1
    gradient = ember.tensor([0.1, 1.0, 0.0001], dtype=ember.float32)
    y.backward(gradient)
    np.testing.assert_allclose(x.grad.numpy(), gradient.numpy() * 2.0 ** k, rtol=1e-6)


def test_requires_grad_and_no_grad():
    x = ember.randn(2, 2)
    assert not x.requires_grad
    x.requires_grad_(True)
    assert x.requires_grad
    assert (x * x).requires_grad
    with ember.no_grad():
        assert not (x * 2).requires_grad
    assert x.detach().requires_grad is False
    assert ember.equal(x.detach(), x)
