"""layer_norm's row kernel (NOTE [ Layer norm on rows ] in ember/ops/norm.py): forward and the fused
first-order backward against torch in float32 and float64, with and without the affine parameters,
on non-contiguous input, and the double backward (the Tensor path) against torch."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")

CASES = [((12, 64, 128), (128,)), ((4, 6, 5), (6, 5)), ((7,), (7,)), ((3, 0, 4), (4,))]


def _run(mod, fn, x, w, b, g, shape, dtype, transpose):
    xt = mod.tensor(x, dtype=dtype)
    if transpose:
        xt = xt.transpose(0, -1).contiguous().transpose(0, -1)
    xt.requires_grad_(True)
    wt = None if w is None else mod.tensor(w, dtype=dtype, requires_grad=True)
    bt = None if b is None else mod.tensor(b, dtype=dtype, requires_grad=True)
    y = fn(xt, shape, wt, bt, 1e-5)
    y.backward(mod.tensor(g, dtype=dtype))
    grads = [t.grad for t in (xt, wt, bt) if t is not None]
    return [y.detach().numpy()] + [t.numpy() for t in grads]


@pytest.mark.parametrize("xshape,shape", CASES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("transpose", [False, True])
def test_matches_torch(xshape, shape, affine, dtype, transpose):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xshape) * 3 + 1
    g = rng.standard_normal(xshape)
    w = rng.standard_normal(shape) if affine else None
    b = rng.standard_normal(shape) if affine else None
    got = _run(ember, F.layer_norm, x, w, b, g, shape, getattr(ember, dtype), transpose)
    want = _run(torch, torch.nn.functional.layer_norm, x, w, b, g, shape,
                getattr(torch, dtype), transpose)
    tol = dict(rtol=2e-5, atol=2e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    for a, e in zip(got, want):
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_allclose(a, e, **tol)


def test_double_backward_matches_torch():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((5, 8)), rng.standard_normal(8), rng.standard_normal(8)
    out = []
    for mod, fn in ((ember, F.layer_norm), (torch, torch.nn.functional.layer_norm)):
        xt, wt, bt = (mod.tensor(a, requires_grad=True) for a in (x, w, b))
        y = fn(xt, (8,), wt, bt, 1e-5)
        gx, gw = mod.autograd.grad((y * y).sum(), (xt, wt), create_graph=True)
        (gx.sum() + (gw * gw).sum()).backward()
        out.append([t.detach().numpy() for t in (gx, gw, xt.grad, wt.grad, bt.grad)])
    for a, e in zip(*out):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("xd,pd", [("float32", "float64"), ("float64", "float32"),
                                   ("float32", "float16"), ("float16", "float32"),
                                   ("float16", "float64")])
@pytest.mark.parametrize("which", ["weight", "bias", "both"])
def test_mixed_parameter_dtypes_as_torch(xd, pd, which):
    results = []
    for mod, fn in ((ember, F.layer_norm), (torch, torch.nn.functional.layer_norm)):
        x = mod.ones(3, 4, dtype=getattr(mod, xd))
        p = mod.ones(4, dtype=getattr(mod, pd))
        w = p if which != "bias" else None
        b = p if which != "weight" else None
        try:
            results.append(str(fn(x, (4,), w, b).dtype).split(".")[-1])
        except RuntimeError as e:
            results.append(str(e))
    assert results[0] == results[1]


def _grads(mod, x, w, g, dtype):
    xt = mod.tensor(x, dtype=dtype, requires_grad=True)
    wt = mod.tensor(w, dtype=dtype, requires_grad=True)
    fn = F.layer_norm if mod is ember else torch.nn.functional.layer_norm
    fn(xt, w.shape, wt, None, 1e-5).backward(mod.tensor(g, dtype=dtype))
    return xt.grad.numpy().astype(np.float64), wt.grad.numpy().astype(np.float64)


@pytest.mark.parametrize("spread,offset", [(1.0, 0.5), (0.1, 30.0), (1.0, 300.0)])
def test_backward_as_precise_as_torchs_whatever_the_rows_mean(spread, offset):
    """NOTE [ Layer norm's backward on x ]: rows whose mean is small against their spread take
    gx and gw from x itself (the first case); rows of 30 +- 0.1 would lose gw's precision that
    way (4x torch's float32 error), so such tensors take the centred form. Errors against
    float64, relative to the largest gradient, at most torch's float32 kernel's (and 1.5x)."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((64, 96)) * spread + offset).astype(np.float32)
    w = rng.standard_normal(96).astype(np.float32)
    g = rng.standard_normal((64, 96)).astype(np.float32)
    want = _grads(torch, x, w, g, torch.float64)
    for got, ref, exact in zip(_grads(ember, x, w, g, ember.float32),
                               _grads(torch, x, w, g, torch.float32), want):
        scale = np.abs(exact).max()
        error, torch_error = (np.abs(a - exact).max() / scale for a in (got, ref))
        assert error <= 1.5 * torch_error + 2e-7
