"""Every op of the op table on integer and bool inputs (each floating input rounded, or compared
with 0): where torch 2.13 and ember both compute it, the same values and the same result dtype.
(Where either refuses, the exception types are not compared here: ember accepts some integer
inputs torch refuses.)"""
import warnings

import numpy as np
import pytest

import ember
from tests.ops.op_db import one_per_name

torch = pytest.importorskip("torch")


OPS = one_per_name()

# ties among integers: torch's topk/kthvalue indices are not specified for equal values
TIES = {"kthvalue", "topk"}
# torch computes these on integers in the input's integer dtype, ember in the default float
INTEGER_KERNELS = {"hinge_embedding_loss_none", "hinge_embedding_loss_sum", "local_response_norm"}


def _inputs(op, kind):
    out = []
    for a in op.inputs_np(0, np.float64):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            out.append(a > 0 if kind == "bool" else np.round(a * 2).astype(kind))
        else:
            out.append(a)
    return out


def _run(m, op, arrays):
    ins = [m.tensor(a.copy()) if isinstance(a, np.ndarray) else a for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = op.fn(m, *ins)
    outs = list(r) if isinstance(r, (tuple, list)) else [r]
    return [(str(o.dtype).split(".")[-1], o.numpy()) for o in outs if isinstance(o, m.Tensor)]


@pytest.mark.parametrize("kind", ["int64", "bool"])
@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_integer_inputs_give_torch_values_and_dtypes(op, kind):
    if op.name in TIES | INTEGER_KERNELS:
        pytest.skip("listed above")
    if not any(isinstance(a, np.ndarray) and a.dtype.kind == "f"
               for a in op.inputs_np(0, np.float64)):
        pytest.skip("no floating input")
    arrays = _inputs(op, kind)
    try:
        want = _run(torch, op, arrays)
        got = _run(ember, op, arrays)
    except Exception:
        pytest.skip("refused by torch or ember")
    for (w_dtype, w), (g_dtype, g) in zip(want, got):
        assert g_dtype == w_dtype
        if w.dtype.kind in "fc":
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w)
