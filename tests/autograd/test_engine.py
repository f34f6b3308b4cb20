"""The backward engine: accumulation, retain_graph, create_graph, inputs=, hooks and errors."""
import numpy as np
import pytest

import ember
from ember.autograd import grad


def _t(*vals, rg=True):
    return ember.tensor(np.array(vals, dtype=np.float64), requires_grad=rg)


def test_gradients_accumulate_across_backward_calls():
    x = _t(1.0, 2.0)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_broadcast_gradient_is_summed_back_by_the_engine():
    a = ember.ones(3, 1, dtype=ember.float64, requires_grad=True)
    b = ember.ones(4, dtype=ember.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(a.grad.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(4, 3.0))


def test_second_backward_through_freed_graph_raises():
    x = _t(1.0, 2.0)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = _t(1.0, 2.0)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_non_scalar_backward_needs_a_gradient():
    x = _t(1.0, 2.0)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        ember.ones(2).sum().backward()


def test_gradient_of_wrong_shape_raises():
    x = _t(1.0, 2.0)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ember.ones(3, dtype=ember.float64))


def test_autograd_grad_returns_without_accumulating():
    x = _t(1.0, 2.0, 3.0)
    (g,) = grad((x * x).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0, 6.0])
    assert x.grad is None


def test_grad_unused_input_needs_allow_unused():
    x, z = _t(1.0), _t(2.0)
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        grad((x * 2).sum(), [x, z])
    gx, gz = grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.item() == 2.0


def test_higher_order_gradients_with_create_graph():
    x = _t(2.0)
    y = x * x * x                      # y = x^3
    (dy,) = grad(y, x, create_graph=True)
    assert dy.item() == 12.0           # 3x^2
    (d2y,) = grad(dy, x, create_graph=True)
    assert d2y.item() == 12.0          # 6x
    (d3y,) = grad(d2y, x)
    assert d3y.item() == 6.0


def test_backward_create_graph_then_backward_of_grad():
    x = _t(3.0)
    y = x.exp() * x
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.backward()
    expected = np.exp(3.0) * (3.0 + 2.0)   # d2/dx2 (x e^x) = e^x (x + 2)
    np.testing.assert_allclose(x.grad.item(), expected)


def test_create_graph_stores_a_copy_of_the_gradient_in_grad():
    """As torch's AccumulateGrad: under create_graph a leaf's first .grad is a differentiable copy
    (CopyBackwards), so two leaves given one gradient tensor (x + y) do not share their .grad."""
    x = ember.ones(3, requires_grad=True)
    y = ember.ones(3, requires_grad=True)
    (x * y * y).sum().backward(create_graph=True)
    assert type(x.grad.grad_fn).__name__ == "CopyBackwards"
    assert [type(f).__name__ if f else None for f, _ in y.grad.grad_fn.next_functions] == \
        [None, "AddBackward0"]
    a = ember.ones(3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    (a + b).sum().backward(create_graph=True)
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.detach().numpy(), [1.0, 1.0, 1.0])
    y.grad.sum().backward()  # through the copy: d/dy sum(2xy) = 2x onto 2xy, d/dx = 2y onto y^2
    np.testing.assert_array_equal(y.grad.detach().numpy(), [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(x.grad.detach().numpy(), [3.0, 3.0, 3.0])


def test_backward_inputs_accumulates_only_into_the_given_leaves():
    a, b = _t(1.0), _t(2.0)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_retain_grad_and_hooks():
    x = _t(1.0, 2.0)
    y = x * 2
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    handle = x.register_hook(lambda g: g * 10)
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [4.0, 8.0])
    np.testing.assert_array_equal(seen[0], [4.0, 8.0])
    np.testing.assert_array_equal(x.grad.numpy(), [80.0, 160.0])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_deep_graph_does_not_recurse():
    x = _t(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_grad_fn_names_and_next_functions():
    x = _t(1.0, 2.0)
    y = x * 2
    (fn0, i0), (fn1, i1) = y.grad_fn.next_functions
    assert type(fn0).__name__ == "AccumulateGrad" and fn0.variable is x and fn1 is None
    z = y.exp().sum()
    assert type(z.grad_fn).__name__ == "SumBackward0"
    assert type(z.grad_fn.next_functions[0][0]).__name__ == "ExpBackward0"
    # one AccumulateGrad per leaf, stable across uses
    assert (x * 3).grad_fn.next_functions[0][0] is fn0


def test_inplace_on_leaf_requiring_grad_raises():
    x = _t(1.0, 2.0)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with ember.no_grad():
        x.add_(1)
    np.testing.assert_array_equal(x.detach().numpy(), [2.0, 3.0])


def test_modifying_a_saved_tensor_in_place_raises_at_backward():
    x = _t(1.0, 2.0)
    y = x * 1
    z = (y * y).sum()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def _leaky(y):
    lib = ember if isinstance(y, ember.Tensor) else __import__("torch")
    return lib.nn.functional.leaky_relu(y, 0.2, inplace=True)


_MODIFIED_CASES = {  # what a backward saved, and the in-place change made to it afterwards
    "saved input": (lambda y: y.sin(), lambda y, z: y.add_(1.0)),
    "saved output": (lambda y: y.exp(), lambda y, z: z.add_(1.0)),
    "relu_'s result": (lambda y: y.relu_(), lambda y, z: y.mul_(2.0)),
    "leaky_relu_'s result": (_leaky, lambda y, z: y.mul_(2.0)),
    "a view's output": (lambda y: y[0].exp(), lambda y, z: z.mul_(2.0)),
}


def _modified_message(lib, case, anomaly):
    make, modify = _MODIFIED_CASES[case]
    with lib.autograd.set_detect_anomaly(anomaly):
        x = lib.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        y = x * 1.0
        z = make(y)
        modify(y, z)
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
    return str(info.value)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("anomaly", [False, True])
@pytest.mark.parametrize("case", sorted(_MODIFIED_CASES))
def test_modified_saved_tensor_message_as_torchs(case, anomaly):
    """torch's whole message: the node named without "Backward0" ("output 0 of Exp",
    "LeakyRelu1"), and the hint that anomaly mode decides."""
    torch = pytest.importorskip("torch")
    assert _modified_message(ember, case, anomaly) == _modified_message(torch, case, anomaly)


def test_inplace_on_non_leaf_keeps_autograd_correct():
    x = _t(1.0, 2.0)
    y = x * 2
    y.mul_(3)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_set_grad_enabled_and_decorators():
    x = _t(1.0)

    @ember.no_grad()
    def f():
        return x * 2

    assert not f().requires_grad
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
        with ember.enable_grad():
            assert (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    with ember.inference_mode():
        assert not (x * 2).requires_grad
        assert ember.autograd.is_inference_mode_enabled()


def test_requires_grad_on_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        ember.tensor([1, 2]).requires_grad_()


def test_detach_shares_memory_and_detach_():
    x = _t(1.0, 2.0)
    y = x * 2
    d = y.detach()
    d.numpy()[0] = 7.0
    assert y.detach().numpy()[0] == 7.0
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad


def test_dtype_of_gradient_is_cast_to_the_input_dtype():
    x = ember.ones(2, dtype=ember.float32, requires_grad=True)
    y = x.double() * 2
    y.sum().backward()
    assert x.grad.dtype == ember.float32


def _boom_function():
    class Boom(ember.autograd.Function):
        """A backward that must never run: it is off every path to the requested inputs."""
        @staticmethod
        def forward(ctx, y):
            return y * 1

        @staticmethod
        def backward(ctx, g):
            raise RuntimeError("this backward is off the path to the inputs")
    return Boom


def test_grad_runs_only_the_nodes_leading_to_its_inputs():
    boom = _boom_function()
    x = ember.ones(3, requires_grad=True)
    y = ember.ones(3, requires_grad=True)
    (gx,) = ember.autograd.grad((x * 2 + boom.apply(y)).sum(), x)
    np.testing.assert_array_equal(gx.numpy(), [2.0, 2.0, 2.0])
    with pytest.raises(RuntimeError, match="off the path"):
        ember.autograd.grad((x * 2 + boom.apply(y)).sum(), y)


def test_backward_with_inputs_runs_only_the_nodes_leading_to_them():
    boom = _boom_function()
    x = ember.ones(3, requires_grad=True)
    y = ember.ones(3, requires_grad=True)
    mid = x * 3  # a non-leaf input: its own backward is not needed either
    (mid * 2 + boom.apply(y)).sum().backward(inputs=[x])
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0, 6.0])
    assert y.grad is None
