"""NOTE [ Backward on arrays ]: without create_graph the engine runs `_array_backward` formulas
on arrays; the same formulas on Tensors (create_graph=True) are the reference. Hooks always see
Tensors.
"""
import numpy as np
import pytest

import ember
from ember.autograd import grad
from ember.autograd.grad_mode import state
from ember.ops.arithmetic import Add, Div, Mul, Neg, Rsub, Sub
from ember.ops import activation, conv, linalg, loss, pool, shape, unary
from ember.ops.activation import Relu, ThresholdBackward
from ember.ops.reduce import Mean, MeanDim, Sum, SumDim

torch = pytest.importorskip("torch")

# (name, f(lib, a, b)) over the ops that run on arrays; a is (3, 4), b is (4,) (broadcast)
CASES = [
    ("overhead", lambda m, a, b: ((a * 2 + 1).relu() * a).sum()),
    ("add_sub_alpha", lambda m, a, b: m.sub(m.add(a, b, alpha=2.5), b * a, alpha=0.5).sum()),
    ("rsub", lambda m, a, b: (3.0 - a).mean() + m.rsub(a, b).sum()),
    ("div", lambda m, a, b: (a / (b * b + 1.0)).sum(dim=1).mean()),
    ("neg_mean_dim", lambda m, a, b: (-a * b).mean(dim=0, keepdim=True).sum()),
    ("relu_twice", lambda m, a, b: (m.relu(a) * m.relu(b)).sum()),
    ("zero_dim", lambda m, a, b: a.sum() * b.sum() / (b.mean() + 3.0)),
    ("exp_tanh_sigmoid", lambda m, a, b: (m.exp(a * 0.5) * m.tanh(b) + m.sigmoid(a)).sum()),
    ("trig", lambda m, a, b: (m.sin(a) * m.cos(b) + m.tan(b * 0.3) + m.asin(m.tanh(a))
                              + m.acos(m.tanh(b))).sum()),
    ("hyperbolic", lambda m, a, b: (m.sinh(a) + m.cosh(b) + m.asinh(a) * m.acosh(b * b + 1.5)
                                    ).sum()),
    ("abs_roots_powers", lambda m, a, b: (m.abs(a) * m.rsqrt(b * b + 1.0)
                                          + m.reciprocal(a * a + 2.0) + m.exp2(b)
                                          + m.expm1(a) + m.deg2rad(b)).sum()),
    ("products_and_views", lambda m, a, b: (m.addmm(b, a, m.mm(a.t(), a)).transpose(0, 1)
                                            .permute(1, 0).reshape(12).view(4, 3)
                                            * b.view(4, 1)).sum()),  # b's bias gradient is summed
]


def _inputs(lib, dtype):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    t = (lambda x: lib.tensor(x.astype(dtype), requires_grad=True))
    return t(a), t(b)


@pytest.mark.parametrize("name,f", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_array_path_matches_tensor_path_and_torch(name, f, dtype):
    a, b = _inputs(ember, dtype)
    f(ember, a, b).backward()  # arrays
    ga, gb = grad(f(ember, a, b), (a, b), create_graph=True, allow_unused=True)  # on Tensors
    ta, tb = _inputs(torch, dtype)
    f(torch, ta, tb).backward()
    for arr_grad, tensor_grad, tg in ((a.grad, ga, ta.grad), (b.grad, gb, tb.grad)):
        if tg is None:
            assert arr_grad is None and tensor_grad is None
            continue
        assert arr_grad.dtype == tensor_grad.dtype == getattr(ember, str(tg.dtype)[6:])
        assert arr_grad.grad_fn is None and not arr_grad.requires_grad
        np.testing.assert_allclose(arr_grad.numpy(), tensor_grad.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(arr_grad.numpy(), tg.numpy(), rtol=1e-5, atol=1e-6)
    assert not state.arrays


@pytest.mark.parametrize("name,f", CASES, ids=[c[0] for c in CASES])
def test_double_backward_uses_the_same_formulas(name, f):
    a, b = _inputs(ember, np.float64)
    assert ember.autograd.gradgradcheck(lambda x, y: f(ember, x, y), (a, b))
    (ga,) = grad(f(ember, a, b), (a,), create_graph=True)
    ta, tb = _inputs(torch, np.float64)
    (tga,) = torch.autograd.grad(f(torch, ta, tb), (ta,), create_graph=True)
    assert ga.requires_grad == tga.requires_grad
    if not ga.requires_grad:  # f is linear in a
        return
    (ga * ga).sum().backward()  # through the Tensor formulas' graph, itself run on arrays
    (tga * tga).sum().backward()
    for g, tg in ((a.grad, ta.grad), (b.grad, tb.grad)):
        if tg is None:
            assert g is None
        else:
            np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-10, atol=1e-12)


def _network(m, x, w, wt, fc, target):
    """A small CNN's ops: convolution, transposed convolution, max and average pooling, linear,
    softmax and log_softmax."""
    F = m.nn.functional
    h = F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2)
    h = F.avg_pool2d(F.conv_transpose2d(h, wt, stride=2), 2)
    logits = F.linear(h.flatten(1), fc)
    logp = F.log_softmax(logits, 1)
    return (F.nll_loss(logp, target) + F.softmax(logits, 0).pow(2).sum()
            + F.nll_loss(logp, target, m.tensor([0.5, 1.0, 2.0, 1.0, 1.0], dtype=logp.dtype),
                         reduction="none").sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_network_ops_on_arrays_match_tensor_path_and_torch(dtype):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(dtype) for s in
              ((2, 3, 6, 6), (4, 3, 3, 3), (4, 2, 2, 2), (5, 18))]
    target = np.array([1, 4])
    e_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    _network(ember, *e_in, ember.tensor(target)).backward()  # arrays
    tensor_grads = grad(_network(ember, *e_in, ember.tensor(target)), e_in, create_graph=True)
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    _network(torch, *t_in, torch.tensor(target)).backward()
    tol = 1e-5 if dtype == np.float32 else 1e-10
    for e, tg, t in zip(e_in, tensor_grads, t_in):
        assert e.grad.grad_fn is None and tg.requires_grad
        np.testing.assert_allclose(e.grad.numpy(), tg.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 10)


def test_ops_that_run_on_arrays():
    for op in (Add, Sub, Rsub, Mul, Div, Neg, Sum, SumDim, Mean, MeanDim, Relu,
               ThresholdBackward, unary.Exp, unary.Tanh, unary.TanhBackward, unary.Sigmoid,
               unary.SigmoidBackward, unary.Sin, unary.Abs, unary.Rad2Deg, linalg.Mm,
               linalg.Addmm, shape.T, shape.Transpose, shape.Permute, shape.View,
               conv.Convolution, conv.ConvolutionWeightGrad, pool.MaxPool2DWithIndices,
               pool.MaxPool2DWithIndicesBackward, pool.AvgPool2D, pool.AvgPool2DBackward,
               activation.Softmax, activation.LogSoftmax, loss.NllLoss):
        assert op._array_backward and op._node_cls._array_backward
    assert not ember.autograd.Function._array_backward
    assert not unary.Log._array_backward  # divides: NumPy would warn on arrays


def test_array_backward_sees_arrays_and_tensor_backward_sees_tensors():
    seen = []

    class Probe(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            seen.append((type(g), type(x)))
            return g * 3.0

    class ArrayMul(Mul):
        def backward(ctx, g):
            a, b = ctx.saved_tensors  # b, for a's gradient (a is saved only for b's)
            seen.append((type(g), type(b)))
            return Mul.backward(ctx, g)

    x = ember.tensor([1.0, -2.0], requires_grad=True)
    y = ArrayMul.apply(Probe.apply(x), ember.tensor([2.0, 2.0])).sum()
    y.backward(retain_graph=True)
    assert seen == [(np.ndarray, np.ndarray), (ember.Tensor, ember.Tensor)]
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    seen.clear()
    (g,) = grad(y, x, create_graph=True)
    assert seen == [(ember.Tensor, ember.Tensor), (ember.Tensor, ember.Tensor)]
    assert type(g) is ember.Tensor


def test_grad_fn_names_and_results_of_grad_are_tensors():
    a, b = _inputs(ember, np.float32)
    y = ((a * 2 + 1).relu() * b).sum()
    assert type(y.grad_fn).__name__ == "SumBackward0"
    assert [type(n).__name__ for n, _ in y.grad_fn.next_functions] == ["MulBackward0"]
    ga, gb = grad(y, (a, b), retain_graph=True)
    assert type(ga) is ember.Tensor and ga.grad_fn is None and ga.dtype == ember.float32
    (gg,) = grad(y, a, create_graph=True)
    assert type(gg.grad_fn).__name__ in ("AddBackward0", "MulBackward0",
                                         "ThresholdBackwardBackward0")


def test_scalar_gradients_stay_arrays_of_the_input_dtype():
    x = ember.tensor(1.5, requires_grad=True)
    w = ember.tensor(2.0, dtype=ember.float64, requires_grad=True)
    (x * w * x + x).backward()  # 0-d arrays make NumPy scalars; the engine keeps arrays
    assert x.grad.dtype == ember.float32 and w.grad.dtype == ember.float64
    assert isinstance(x.grad._data, np.ndarray) and x.grad.shape == ()
    assert x.grad.item() == pytest.approx(2 * 1.5 * 2.0 + 1.0)
    assert w.grad.item() == pytest.approx(1.5 * 1.5)


def test_mixed_dtypes_are_cast_to_the_input_dtype():
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    k = ember.tensor([3, 4])
    (a * k / 2).sum().backward()
    assert a.grad.dtype == ember.float32
    np.testing.assert_array_equal(a.grad.numpy(), [1.5, 2.0])


def test_hooks_see_tensors_on_the_array_path():
    x = ember.tensor([1.0, -1.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(type(g)) or g * 10)
    x.register_hook(lambda g: seen.append(type(g)))
    y.grad_fn.register_hook(lambda gi, go: seen.append((type(gi[0]), type(go[0]))))
    (y * y).sum().backward()
    assert seen == [ember.Tensor, (ember.Tensor, ember.Tensor), ember.Tensor]
    np.testing.assert_array_equal(y.grad.numpy(), [40.0, -40.0])  # after the hook, as torch's
    np.testing.assert_array_equal(x.grad.numpy(), [80.0, -80.0])


@pytest.mark.parametrize("create_graph", [False, True])
def test_hook_that_changes_the_size_raises_as_in_torch(create_graph):
    def grow(g):
        return ember.ones(4)

    x = ember.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(grow)
    with pytest.raises(RuntimeError, match=r"^hook 'grow' has changed the size of value$"):
        y.sum().backward(create_graph=create_graph)
    x.register_hook(lambda g: ember.ones(2))
    with pytest.raises(RuntimeError, match=r"^hook '<lambda>' has changed the size of value$"):
        (x * 2).sum().backward(create_graph=create_graph)
    assert x.grad is None and not state.arrays


def test_hook_that_changes_the_dtype_or_returns_no_tensor_raises_as_in_torch():
    x = ember.ones(3, requires_grad=True)
    h = x.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match=r"has changed the type of value \(was "
                                           r"torch.FloatTensor got torch.DoubleTensor\)"):
        (x * 2).sum().backward()
    h.remove()
    x.register_hook(lambda g: 5)
    with pytest.raises(TypeError, match="expected Variable, but hook returned 'int'"):
        (x * 2).sum().backward()
    y = ember.ones(3, requires_grad=True) * 2
    y.grad_fn.register_prehook(lambda gs: (ember.ones(4),))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        y.sum().backward()


def test_nodes_run_after_every_node_that_feeds_them():
    # a diamond, a second root that is an ancestor of the first, and a deep chain
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    left, right = h * h, h + 1
    top = (left * right).sum()
    ember.autograd.backward([top, h.sum()])
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    th = tx * 3
    torch.autograd.backward([((th * th) * (th + 1)).sum(), th.sum()])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    z = x
    for _ in range(3000):
        z = z * 1.0 + 0.0
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy() + 1.0)
