"""once_differentiable and NestedIOFunction against torch 2.13: the decorated backward runs with
grad mode off and its results, when a graph is built, raise on a second differentiation;
NestedIOFunction exists but, as in torch, cannot be run; instantiating any Function warns."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import NestedIOFunction as EmberNested
from ember.autograd.function import once_differentiable as ember_once


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _square(lib, once, seen):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            seen.append(lib.is_grad_enabled())
            x, = ctx.saved_tensors
            return 2 * x * g
    return Square


def _libs(torch):
    from torch.autograd.function import once_differentiable as torch_once
    return [(ember, ember_once), (torch, torch_once)]


def test_backward_runs_without_grad_and_keeps_its_name(torch):
    for lib, once in _libs(torch):
        seen = []
        square = _square(lib, once, seen)
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad(square.apply(x).sum(), x, create_graph=True)
        assert seen == [False] and g.tolist() == [2.0, 4.0]
        assert g.grad_fn is None and not g.requires_grad  # the ones cotangent needs no grad
        assert square.backward.__name__ == "backward"


def test_second_differentiation_raises(torch):
    results = []
    for lib, once in _libs(torch):
        square = _square(lib, once, [])
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        v = lib.tensor([1.0, 3.0], dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad(square.apply(x), x, grad_outputs=v, create_graph=True)
        node = g.grad_fn
        results.append((g.tolist(), g.requires_grad, repr(node).split(" ")[0], node.name(),
                        [type(n).__name__ for n, _ in node.next_functions]))
        with pytest.raises(RuntimeError, match="trying to differentiate twice a function that "
                                               "was marked with @once_differentiable"):
            g.sum().backward()
    assert results[0] == results[1]
    assert results[0][2:] == ("<Error", "torch::autograd::Error", ["AccumulateGrad"])


def test_multiple_outputs_and_none(torch):
    grads = []
    for lib, once in _libs(torch):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * 2, y * 3

            @staticmethod
            @once
            def backward(ctx, a, b):
                return a * 2, None
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([1.0, 1.0], requires_grad=True)
        a, b = Two.apply(x, y)
        w = lib.tensor([1.0, 1.0], requires_grad=True)
        gx, gy = lib.autograd.grad((a, b), (x, y), grad_outputs=(w, w), create_graph=True,
                                   allow_unused=True)
        assert gy is None and gx.requires_grad
        with pytest.raises(RuntimeError, match="differentiate twice"):
            gx.sum().backward()
        grads.append(gx.tolist())
    assert grads[0] == grads[1]


def test_first_order_gradient_is_unchanged():
    square = _square(ember, ember_once, [])
    x = ember.tensor([0.5, -1.5, 2.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(square.apply, (x,))
    square.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())


def test_nested_io_function_cannot_run_as_in_torch(torch):
    for lib, nested in ((ember, EmberNested), (torch, torch.autograd.NestedIOFunction)):
        class Mul(nested):
            def forward_extended(self, a, b):
                return a * b

            def backward_extended(self, g):
                return g, g
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        with pytest.warns(DeprecationWarning, match="should not be instantiated"):
            f = Mul()
        with pytest.raises(AttributeError):
            f(a, a)
        with pytest.raises(AttributeError):
            Mul.apply(a, a)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(NotImplementedError):
                nested().forward_extended(a)
            with pytest.raises(NotImplementedError):
                nested().backward_extended(a)


def test_instantiating_a_function_warns(torch):
    for lib in (ember, torch):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        with pytest.warns(DeprecationWarning, match="Double'> should not be instantiated"):
            Double()
