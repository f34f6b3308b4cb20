"""Five checks for every OpInfo: NumPy forward, gradcheck, gradgradcheck, PyTorch parity (forward,
dtype, each output's requires_grad and grad_fn name, gradients of a random cotangent) in float32
and float64, and for the entries that list invalid inputs, torch's exception type."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.ops.op_db import all_ops

OPS = all_ops()
CASES = [(op, i) for op in OPS for i in range(len(op.shapes))]
IDS = [f"{op.name}-{i}" for op, i in CASES]
ERROR_CASES = [(op, j) for op in OPS for j in range(len(op.error_inputs))]


def _tensors(m, arrays, op, requires_grad, device="cpu"):
    """The inputs as m's tensors; with requires_grad, the floating ones (or op.grad_inputs)
    require grad, also for an op not claimed differentiable: its graph is compared with torch's."""
    out = []
    for i, a in enumerate(arrays):
        t = m.tensor(a.copy(), device=device) if not np.isscalar(a) else a
        floating = a.dtype.kind == "f"
        wants = op.grad_inputs is None and floating or op.grad_inputs is not None and \
            i in op.grad_inputs
        if requires_grad and wants:
            t.requires_grad_()
        out.append(t)
    return out


def _outs(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


def _host(t):
    return np.asarray(t.detach().cpu()._data)


def _graph(t):
    """What an output records: whether it requires grad, and its grad_fn's name."""
    return t.requires_grad, None if t.grad_fn is None else type(t.grad_fn).__name__


@pytest.mark.parametrize("op,i", CASES, ids=IDS)
def test_forward_against_numpy(op, i, device):
    if op.ref is None:
        pytest.skip("no NumPy reference")
    arrays = op.inputs_np(i, np.float64)
    got = _outs(op.fn(ember, *_tensors(ember, arrays, op, False, device)))
    want = op.ref(*[a.copy() for a in arrays])
    want = list(want) if isinstance(want, (tuple, list)) else [want]
    for g, w in zip(got, want):
        assert str(g.device).startswith(device)
        np.testing.assert_allclose(_host(g).astype(np.float64), np.asarray(w, np.float64),
                                   rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op,i", CASES, ids=IDS)
def test_gradcheck(op, i):
    if not op.grad:
        pytest.skip("not differentiable")
    if op.kinks_ok:
        pytest.skip("piecewise smooth: its gradient is checked against torch only")
    arrays = op.inputs_np(i, np.float64)
    ins = _tensors(ember, arrays, op, True)
    if not any(isinstance(t, ember.Tensor) and t.requires_grad for t in ins):
        pytest.skip("no differentiable input")
    assert gradcheck(lambda *xs: op.fn(ember, *xs), ins, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("op,i", CASES, ids=IDS)
def test_gradgradcheck(op, i):
    if not (op.grad and op.gradgrad):
        pytest.skip("no second derivative claimed")
    arrays = op.inputs_np(i, np.float64)
    ins = _tensors(ember, arrays, op, True)
    if not any(isinstance(t, ember.Tensor) and t.requires_grad for t in ins):
        pytest.skip("no differentiable input")
    assert gradgradcheck(lambda *xs: op.fn(ember, *xs), ins, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,i", CASES, ids=IDS)
def test_against_torch(op, i, dtype, device):
    torch = pytest.importorskip("torch")
    if dtype not in op.dtypes:
        pytest.skip("dtype not covered")
    arrays = op.inputs_np(i, np.dtype(dtype))
    e_in = _tensors(ember, arrays, op, True, device)
    t_in = _tensors(torch, arrays, op, True)
    e_out = _outs(op.fn(ember, *e_in))
    t_out = _outs(op.fn(torch, *t_in))
    assert len(e_out) == len(t_out)
    for e, t in zip(e_out, t_out):
        assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(_host(e).astype(np.float64),
                                   t.detach().numpy().astype(np.float64),
                                   rtol=op.rtol, atol=op.atol)
    for n, (e, t) in enumerate(zip(e_out, t_out)):
        assert _graph(e) == _graph(t), f"output {n}: ember {_graph(e)}, torch {_graph(t)}"
    if op.grad_fn is not None:
        assert _graph(t_out[0])[1] == op.grad_fn
    diff = [(e, t) for e, t in zip(e_out, t_out) if e.requires_grad and t.requires_grad]
    if not op.grad or not op.torch_grad or not diff:
        return
    rng = np.random.default_rng(7)
    e_outs, t_outs, e_gos, t_gos = [], [], [], []
    for e, t in diff:
        go = rng.standard_normal(tuple(e.shape)).astype(dtype)
        e_outs.append(e)
        t_outs.append(t)
        e_gos.append(ember.tensor(go, device=device))
        t_gos.append(torch.tensor(go))
    e_wrt = [x for x in e_in if isinstance(x, ember.Tensor) and x.requires_grad]
    t_wrt = [x for x in t_in if isinstance(x, torch.Tensor) and x.requires_grad]
    e_g = ember.autograd.grad(e_outs, e_wrt, e_gos, allow_unused=True)
    t_g = torch.autograd.grad(t_outs, t_wrt, t_gos, allow_unused=True)
    for eg, tg in zip(e_g, t_g):
        if tg is None:
            assert eg is None or not np.any(_host(eg))
            continue
        assert eg is not None
        assert str(eg.dtype) == str(tg.dtype)
        np.testing.assert_allclose(_host(eg).astype(np.float64),
                                   tg.numpy(force=True).astype(np.float64),
                                   rtol=op.rtol * 10, atol=op.atol * 10)


def _error_call(op, j):
    """The j-th invalid call of op, as a function of the framework."""
    bad = op.error_inputs[j]
    if callable(bad):
        return bad
    arrays = op.error_np(j)
    return lambda m: op.fn(m, *_tensors(m, arrays, op, False))


def _error_type(exc):
    """An exception's type name, torch's private prefix dropped (torch._C._LinAlgError)."""
    return type(exc).__name__.lstrip("_")


@pytest.mark.parametrize("op,j", ERROR_CASES, ids=[f"{op.name}-{j}" for op, j in ERROR_CASES])
def test_error_like_torch(op, j):
    torch = pytest.importorskip("torch")
    call = _error_call(op, j)
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(Exception) as got:
        call(ember)
    assert _error_type(got.value) == _error_type(want.value), (got.value, want.value)
