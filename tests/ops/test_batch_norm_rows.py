"""batch_norm's row kernel (NOTE [ Batch norm on rows ] in ember/ops/norm.py): forward, running
statistics and the fused first-order backward against torch, in training and evaluation, float32
and float64, with and without the affine parameters; a non-contiguous input (the composed path)
and the double backward (composed, under create_graph) against torch too."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")

SHAPES = [(8, 4, 6, 5), (16, 3), (5, 2, 7), (2, 3, 2, 2, 3)]


def _run(mod, x, w, b, g, dtype, training, transpose):
    xt = mod.tensor(x, dtype=dtype)
    if transpose:
        xt = xt.transpose(0, -1).contiguous().transpose(0, -1)
    xt.requires_grad_(True)
    c = x.shape[1]
    wt = None if w is None else mod.tensor(w, dtype=dtype, requires_grad=True)
    bt = None if b is None else mod.tensor(b, dtype=dtype, requires_grad=True)
    rm = mod.tensor(np.linspace(-0.5, 0.5, c), dtype=dtype)
    rv = mod.tensor(np.linspace(0.5, 2.0, c), dtype=dtype)
    y = mod.nn.functional.batch_norm(xt, rm, rv, wt, bt, training, 0.1, 1e-5)
    y.backward(mod.tensor(g, dtype=dtype))
    grads = [t.grad for t in (xt, wt, bt) if t is not None]
    return [y.detach().numpy(), rm.numpy(), rv.numpy()] + [t.numpy() for t in grads]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_matches_torch(shape, affine, dtype, training, transpose):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    g = rng.standard_normal(shape)
    w = rng.standard_normal(shape[1]) if affine else None
    b = rng.standard_normal(shape[1]) if affine else None
    got = _run(ember, x, w, b, g, getattr(ember, dtype), training, transpose)
    want = _run(torch, x, w, b, g, getattr(torch, dtype), training, transpose)
    tol = dict(rtol=2e-5, atol=2e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    for a, e in zip(got, want):
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_allclose(a, e, **tol)


def test_weight_without_bias_and_bias_without_weight():
    rng = np.random.default_rng(2)
    x, g, p = rng.standard_normal((4, 3, 5)), rng.standard_normal((4, 3, 5)), rng.standard_normal(3)
    for w, b in ((p, None), (None, p)):
        out = []
        for mod in (ember, torch):
            xt = mod.tensor(x, requires_grad=True)
            pt = mod.tensor(p, requires_grad=True)
            y = mod.nn.functional.batch_norm(xt, None, None, pt if w is not None else None,
                                             pt if b is not None else None, True)
            y.backward(mod.tensor(g))
            out.append([y.detach().numpy(), xt.grad.numpy(), pt.grad.numpy()])
        for a, e in zip(*out):
            np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("training", [True, False])
def test_double_backward_matches_torch(training):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((6, 3, 4)), rng.standard_normal(3), rng.standard_normal(3)
    out = []
    for mod in (ember, torch):
        xt, wt, bt = (mod.tensor(a, requires_grad=True) for a in (x, w, b))
        rm, rv = mod.zeros(3, dtype=mod.float64), mod.ones(3, dtype=mod.float64)
        y = mod.nn.functional.batch_norm(xt, rm, rv, wt, bt, training)
        gx, gw = mod.autograd.grad((y * y * y).sum(), (xt, wt), create_graph=True)
        (gx.sum() + (gw * gw).sum()).backward()
        out.append([t.detach().numpy() for t in (gx, gw, xt.grad, wt.grad, bt.grad)])
    for a, e in zip(*out):
        np.testing.assert_allclose(a, e, rtol=1e-9, atol=1e-9)


def test_gradcheck_training():
    x = ember.randn(5, 2, 3, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, dtype=ember.float64, requires_grad=True)
    b = ember.randn(2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (x, w, b))
