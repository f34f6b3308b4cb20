"""Every op of the op table on complex128 inputs (each floating input given an imaginary part):
where torch 2.13 computes it, ember gives the same values and the same gradients of a real loss
(NOTE [ Holomorphic backward ] in ember/ops/complex.py), or says plainly that it does not support
complex inputs yet (NotImplementedError), never a wrong number."""
import warnings

import numpy as np
import pytest

import ember
from tests.ops.op_db import one_per_name

torch = pytest.importorskip("torch")


OPS = one_per_name()

# torch computes these on complex inputs, ember does not yet (it raises, never answers wrong)
NOT_YET = {"as_strided", "as_strided_overlapping", "as_strided_scatter", "logaddexp", "rms_norm",
           "logcumsumexp", "logcumsumexp_dim0"}


def _complex_inputs(op):
    rng = np.random.default_rng(5)
    return [a + 1j * rng.uniform(-1, 1, a.shape)
            if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in op.inputs_np(0, np.float64)]


def _run(m, op, arrays):
    ins = []
    for a in arrays:
        t = m.tensor(a.copy()) if isinstance(a, np.ndarray) else a
        if isinstance(a, np.ndarray) and a.dtype.kind == "c":
            t.requires_grad_()
        ins.append(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = op.fn(m, *ins)
    outs = [o for o in (list(r) if isinstance(r, (tuple, list)) else [r]) if isinstance(o, m.Tensor)]
    diff = [o for o in outs if o.requires_grad]
    if diff:
        sum(((o.abs() ** 2).sum() if o.is_complex() else (o ** 2).sum()) for o in diff).backward()
    values = [o.detach().resolve_conj().numpy() for o in outs]
    grads = [t.grad.resolve_conj().numpy() if isinstance(t, m.Tensor) and t.grad is not None
             else None for t in ins]
    return values, grads


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_complex_inputs_match_torch_or_are_refused(op):
    arrays = _complex_inputs(op)
    if not any(isinstance(a, np.ndarray) and a.dtype.kind == "c" for a in arrays):
        pytest.skip("no floating input")
    try:
        t_values, t_grads = _run(torch, op, arrays)
    except Exception:
        pytest.skip("torch does not take complex inputs here")
    if op.name in NOT_YET:
        with pytest.raises(Exception):
            _run(ember, op, arrays)
        return
    try:
        e_values, e_grads = _run(ember, op, arrays)
    except NotImplementedError as exc:
        assert "complex inputs are not supported" in str(exc)
        return
    for e, t in zip(e_values, t_values):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-6)
    for e, t in zip(e_grads, t_grads):
        assert (e is None) == (t is None)
        if e is not None:
            np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-6)
