"""In-place ops on views rebase the view's base (NOTE [ In place on a view ]), as in PyTorch."""
import numpy as np
import pytest

import ember


def _slice_mul(lib):
    a = lib.tensor([1., 2., 3., 4.], dtype=lib.float64, requires_grad=True)
    x = a * 1
    x[1:3].mul_(10)
    (x * x).sum().backward()
    return [a.grad], type(x.grad_fn).__name__


def _view_chain_add(lib):
    a = lib.tensor([[1., 2.], [3., 4.]], dtype=lib.float64, requires_grad=True)
    x = a * 2
    x.view(-1)[0:2].add_(a[1] * 3)
    (x ** 2).sum().backward()
    return [a.grad], type(x.grad_fn).__name__


def _rows_scaled_by_other_input(lib):
    b = lib.tensor([1., 2., 3.], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
    y = b * 1
    y[0:1].mul_(w[0])
    y.t()[1:2].mul_(w[1])
    (y * y).sum().backward()
    return [b.grad, w.grad], type(y.grad_fn).__name__


def _transpose_then_setitem(lib):
    a = lib.tensor([[1., 2.], [3., 4.]], dtype=lib.float64, requires_grad=True)
    x = a.exp() * 1
    x.t()[0] = a[1] * a[1]
    x.sum().backward()
    return [a.grad], type(x.grad_fn).__name__


CASES = [_slice_mul, _view_chain_add, _rows_scaled_by_other_input, _transpose_then_setitem]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.strip("_"))
def test_matches_torch(case):
    torch = pytest.importorskip("torch")
    e_grads, e_name = case(ember)
    t_grads, t_name = case(torch)
    assert e_name == t_name == "CopySlices"
    for e, t in zip(e_grads, t_grads):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


def test_gradcheck_through_a_view_write():
    def f(a, w):
        x = a * 1
        x[0].mul_(w)
        x.view(-1)[1:3].add_(w * w)
        return x * x

    a = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
    w = ember.randn((), dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(f, (a, w))
    assert ember.autograd.gradgradcheck(f, (a, w))


def test_view_of_leaf_refuses_in_place():
    w = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0:2].mul_(2)
    with ember.no_grad():
        w[0:2].mul_(2)
    np.testing.assert_array_equal(w.detach().numpy(), [2.0, 2.0, 1.0])
