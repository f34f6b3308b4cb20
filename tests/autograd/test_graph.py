"""torch.autograd.graph: saved tensor hooks, gradient edges, register_multi_grad_hook, and the
engine's end-of-backward callbacks (Variable._execution_engine.queue_callback), against torch."""
import numpy as np
import pytest

import ember
from ember.autograd import graph

torch = pytest.importorskip("torch")


def _both(fn):
    """fn(lib) for torch and ember."""
    return fn(torch), fn(ember)


def _run_with_hooks(lib):
    shapes = []

    def pack(t):
        shapes.append(tuple(t.shape))
        return t * 1

    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        y = (w @ (x * x)).exp().sum()
    y.backward()
    return shapes, x.grad.numpy(), w.grad.numpy()


def test_saved_tensor_hooks_see_what_torch_saves_and_gradients_hold():
    (ts, tx, tw), (es, ex, ew) = _both(_run_with_hooks)
    assert es == ts
    np.testing.assert_allclose(ex, tx, rtol=1e-6)
    np.testing.assert_allclose(ew, tw, rtol=1e-6)


def test_unpacked_values_are_what_backward_uses():
    """A pack hook that stores a doubled copy doubles the gradient of x * y through it."""
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = ember.tensor([3.0, 4.0], requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: t.detach() * 2, lambda t: t):
        z = (x * y).sum()
    z.backward()
    assert x.grad.tolist() == [6.0, 8.0] and y.grad.tolist() == [2.0, 4.0]


def test_hooks_do_not_apply_outside_or_when_nothing_is_recorded():
    calls = []
    x = ember.ones(2, requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: calls.append(1) or t, lambda t: t):
        with ember.no_grad():
            (x * x).sum()
        ember.ones(2) * ember.ones(2)
    (x * x).sum().backward()
    assert calls == []


def test_innermost_hooks_apply():
    seen = []
    x = ember.ones(2, requires_grad=True)
    with graph.saved_tensors_hooks(lambda t: seen.append("outer") or t, lambda t: t):
        with graph.saved_tensors_hooks(lambda t: seen.append("inner") or t, lambda t: t):
            x.exp()
    assert seen == ["inner"]


def test_double_backward_through_hooked_outputs_and_inputs():
    def second(lib):
        x = lib.tensor([0.3, 1.2], dtype=lib.float64, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            y = (x.exp() * x).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        return lib.autograd.grad(g.sum(), x)[0].numpy()
    t, e = _both(second)
    np.testing.assert_allclose(e, t)


def test_unpack_must_return_a_tensor():
    def bad(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: 1, lambda p: p):
            y = (x * x).sum()
        with pytest.raises(TypeError) as info:
            y.backward()
        return str(info.value)
    t, e = _both(bad)
    assert e == t


def test_disable_saved_tensors_hooks():
    with graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        with pytest.raises(RuntimeError, match="not now"):
            with graph.disable_saved_tensors_hooks("not now"):
                pass
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):  # enabled again after both
        pass


def test_save_on_cpu_and_allow_mutation_keep_gradients():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with graph.save_on_cpu():
        (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    with graph.allow_mutation_on_saved_tensors():
        b = a.clone()
        y = (b * b).sum()
        with ember.no_grad():
            b.mul_(10)  # would make backward raise without the context
    y.backward()
    assert a.grad.tolist() == [2.0, 4.0]


def test_gradient_edges():
    def edges(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        z = a * 3
        leaf, inner = lib.autograd.graph.get_gradient_edge(a), lib.autograd.graph.get_gradient_edge(z)
        g_leaf = lib.autograd.grad((z * z).sum(), leaf, retain_graph=True)[0]
        g_inner = lib.autograd.grad((z * z).sum(), inner)[0]
        return (type(leaf.node).__name__, leaf.output_nr, type(inner.node).__name__,
                g_leaf.tolist(), g_inner.tolist(), isinstance(z.grad_fn, lib.autograd.graph.Node))
    t, e = _both(edges)
    assert e == t
    with pytest.raises(RuntimeError, match="does not require gradients"):
        graph.get_gradient_edge(ember.ones(2))


def test_increment_version_makes_saved_values_stale():
    x = ember.ones(2, requires_grad=True)
    y = x.exp()
    assert y._version == 0
    graph.increment_version(y)
    assert y._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def _multi(lib, mode, use_b):
    got = []
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=True)

    def fn(grads):
        got.append([None if g is None else g.tolist() for g in grads] if mode == "all"
                   else grads.tolist())
    handle = lib.autograd.graph.register_multi_grad_hook((a, b), fn, mode=mode)
    ((a * b).sum() if use_b else (a * 2).sum()).backward()
    (a * b * 2).sum().backward()
    handle.remove()
    (a * b).sum().backward()
    return got


@pytest.mark.parametrize("mode", ["all", "any"])
@pytest.mark.parametrize("use_b", [True, False])
def test_multi_grad_hook(mode, use_b):
    t, e = _both(lambda lib: _multi(lib, mode, use_b))
    assert e == t


def test_multi_grad_hook_mode_error():
    with pytest.raises(ValueError, match="Expects mode to be one of"):
        graph.register_multi_grad_hook((ember.ones(1, requires_grad=True),), print, mode="x")


def test_queue_callback_runs_when_backward_ends():
    order = []
    x = ember.ones(2, requires_grad=True)

    def hook(g):
        order.append("hook")
        ember.autograd.Variable._execution_engine.queue_callback(lambda: order.append("end"))
    y = x * 2
    y.register_hook(hook)
    (y * y).sum().backward()
    order.append("after")
    assert order == ["hook", "end", "after"]
    with pytest.raises(RuntimeError, match="during backward pass"):
        ember.autograd.Variable._execution_engine.queue_callback(lambda: None)
