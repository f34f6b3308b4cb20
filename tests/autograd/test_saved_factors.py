"""A product saves each factor only for the other's gradient, as torch does: changing a factor in
place after the forward is no error when the other factor needs no gradient (ember saved both and
raised torch's 'modified by an inplace operation' error where torch computes)."""
import pytest
import torch

import ember

PRODUCTS = {
    "mul_scalar": lambda t, y: y * 3,
    "div_scalar": lambda t, y: y / 3,
    "mul_constant": lambda t, y: y * t.tensor([1.0, 2.0, 3.0]),
    "constant_mul": lambda t, y: t.tensor([1.0, 2.0, 3.0]) * y,
    "div_by_constant": lambda t, y: y / t.tensor([1.0, 2.0, 3.0]),
    "constant_div": lambda t, y: t.tensor([1.0, 2.0, 3.0]) / y,  # the divisor is needed: raises
    "matmul_constant": lambda t, y: y @ t.ones(3, 2),
    "linear_constant": lambda t, y: t.nn.functional.linear(y, t.ones(2, 3)),
    "batched_matmul_constant": lambda t, y: y.view(1, 1, 3) @ t.ones(2, 3, 2),
    "dot_constant": lambda t, y: t.dot(y, t.ones(3)),
    "addbmm_constant": lambda t, y: t.addbmm(t.zeros(1, 2), y.view(1, 1, 3), t.ones(1, 3, 2)),
    "view_mul": lambda t, y: y.view(3, 1) * 2,
    "square": lambda t, y: y * y,  # both factors needed: raises
}


@pytest.mark.parametrize("name", PRODUCTS)
def test_in_place_change_of_a_factor_after_the_forward(name):
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = PRODUCTS[name](lib, y)
        y.add_(1)
        try:
            z.sum().backward()
        except RuntimeError as exc:
            return "modified by an inplace operation" in str(exc)
        return x.grad.tolist()
    assert run(ember) == run(torch)


def test_both_factors_requiring_grad_still_get_both_gradients():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = ember.tensor([3.0, 4.0], requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.tolist() == [3.0, 4.0] and b.grad.tolist() == [1.0, 2.0]
    m = ember.ones(2, 3, requires_grad=True)
    w = ember.ones(3, 2, requires_grad=True)
    (m.view(1, 2, 3) @ w).sum().backward()
    assert m.grad.tolist() == [[2.0] * 3] * 2 and w.grad.tolist() == [[2.0] * 2] * 3
