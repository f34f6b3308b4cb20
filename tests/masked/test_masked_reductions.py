"""ember.masked's reductions and normalizations against torch.masked: values, dtypes, gradients
(zero at masked-out elements), fully masked slices, errors, and float64 gradchecks."""
import math
import subprocess
import sys

import numpy as np
import pytest

import ember
import ember.masked as em

torch = pytest.importorskip("torch")
import torch.masked as tm  # noqa: E402

X = np.array([[1.5, -2.0, 3.0, 0.5], [4.0, 5.0, -6.0, 2.0], [0.3, 0.2, 0.1, 0.7]])
# row 1 fully masked out; mask given as (3, 4) and as a broadcast (4,) row
MASK = np.array([[True, False, True, True], [False, False, False, False],
                 [True, True, False, True]])

CASES = [
    ("sum", (1,), {}), ("sum", (None,), {}), ("sum", ((0, 1),), {"keepdim": True}),
    ("prod", (1,), {}), ("prod", ((0, 1),), {}), ("amax", (1,), {}), ("amin", (0,), {}),
    ("amax", (None,), {}), ("argmax", (1,), {}), ("argmin", (0,), {}),
    ("argmax", (None,), {}), ("mean", (1,), {}), ("mean", (None,), {"keepdim": True}),
    ("median", (1,), {}), ("median", (0,), {"keepdim": True}), ("logsumexp", (1,), {}),
    ("norm", (2.0, 1), {}), ("norm", (1.0, 0), {}), ("norm", (math.inf, 1), {}),
    ("norm", (-math.inf, 1), {}), ("var", (1,), {}), ("var", (1, False), {}),
    ("std", (0,), {"correction": 0}), ("std", (1,), {"keepdim": True}), ("var", (None,), {}),
    ("cumsum", (1,), {}), ("cumprod", (1,), {}), ("softmax", (1,), {}),
    ("log_softmax", (1,), {}), ("softmin", (1,), {}), ("normalize", (2.0, 1), {}),
]


def _pair(array, dtype=np.float64, grad=True):
    a = ember.tensor(array.astype(dtype), requires_grad=grad)
    t = torch.tensor(array.astype(dtype), requires_grad=grad)
    return a, t


def _close(a, t):
    assert str(a.dtype) == str(t.dtype)
    assert tuple(a.shape) == tuple(t.shape)
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-7,
                               equal_nan=True)


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("mask", ["full", "row", "none"])
def test_value_and_gradient_match_torch(name, args, kwargs, mask):
    a, t = _pair(X)
    marr = {"full": MASK, "row": MASK[0], "none": None}[mask]
    ea = getattr(em, name)(a, *args, mask=None if marr is None else ember.tensor(marr), **kwargs)
    ta = getattr(tm, name)(t, *args, mask=None if marr is None else torch.tensor(marr), **kwargs)
    _close(ea, ta)
    if not ta.requires_grad:
        return
    weights = np.linspace(0.5, 1.5, ea.numel()).reshape(tuple(ea.shape))
    # NaN outputs (fully masked slices) would make every gradient NaN: weight them out
    finite = np.isfinite(ta.detach().numpy())
    weights = np.where(finite, weights, 0.0)
    (ember.where(ember.tensor(finite), ea, 0.0) * ember.tensor(weights)).sum().backward()
    (torch.where(torch.tensor(finite), ta, 0.0) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7,
                               equal_nan=True)
    if marr is not None:  # nothing flows to a masked-out element (var/std of a fully masked
        # row give NaN there through the NaN mean, as in torch)
        masked_out = ~np.broadcast_to(marr, X.shape)
        grads = a.grad.numpy()[masked_out]
        assert np.all(grads[np.isfinite(grads)] == 0)


@pytest.mark.parametrize("name,dim", [("sum", 1), ("prod", 1), ("amax", 1), ("amin", 1),
                                      ("argmax", 1), ("argmin", 1), ("cumsum", 1),
                                      ("cumprod", 1), ("median", 1)])
def test_integer_input_dtypes_match_torch(name, dim):
    data = np.array([[3, -1, 7], [2, 5, 4]], dtype=np.int32)
    mask = np.array([[True, False, True], [True, True, False]])
    ea = getattr(em, name)(ember.tensor(data), dim, mask=ember.tensor(mask))
    ta = getattr(tm, name)(torch.tensor(data), dim, mask=torch.tensor(mask))
    _close(ea, ta)


def test_fully_masked_slices_match_torch():
    mask = np.zeros((2, 3), dtype=bool)
    a, t = _pair(np.arange(6.0).reshape(2, 3), grad=False)
    for name in ("sum", "prod", "amax", "amin", "mean", "logsumexp", "var"):
        _close(getattr(em, name)(a, 1, mask=ember.tensor(mask)),
               getattr(tm, name)(t, 1, mask=torch.tensor(mask)))
    assert math.isinf(em.amax(a, mask=ember.tensor(mask)).item())
    assert math.isnan(em.mean(a, mask=ember.tensor(mask)).item())


def test_logaddexp_matches_torch():
    a, t = _pair(X)
    b, u = _pair(X[::-1].copy())
    ea = em.logaddexp(a, b, input_mask=ember.tensor(MASK), other_mask=ember.tensor(MASK[0]))
    ta = tm.logaddexp(t, u, input_mask=torch.tensor(MASK), other_mask=torch.tensor(MASK[0]))
    _close(ea, ta)


def test_dtype_argument_matches_torch():
    a, t = _pair(X, np.float32, grad=False)
    _close(em.sum(a, 1, dtype=ember.float64, mask=ember.tensor(MASK)),
           tm.sum(t, 1, dtype=torch.float64, mask=torch.tensor(MASK)))
    _close(em.softmax(a, 1, dtype=ember.float64, mask=ember.tensor(MASK)),
           tm.softmax(t, 1, dtype=torch.float64, mask=torch.tensor(MASK)))
    _close(em.argmax(a, 1, dtype=ember.int64, mask=ember.tensor(MASK)),
           tm.argmax(t, 1, dtype=torch.int64, mask=torch.tensor(MASK)))


def test_errors_match_torch():
    ints = ember.tensor([[1, 2], [3, 4]])
    mask = ember.tensor([[True, False], [False, False]])
    with pytest.raises(ValueError, match="Could not infer output dtype"):
        em.mean(ints, 1, mask=mask)
    with pytest.raises(ValueError, match="fully masked out rows"):
        em.median(ints, 1, mask=mask)
    with pytest.raises(IndexError, match="Dimension out of range"):
        em.sum(ember.ones(2, 2), 2)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        em.sum(ember.ones(2, 2), (1, 1))
    with pytest.raises(IndexError, match="broadcastable mask"):
        em.sum(ember.ones(2), mask=ember.ones(2, 2, dtype=ember.bool))


@pytest.mark.parametrize("name,args", [("sum", (1,)), ("mean", (1,)), ("amax", (1,)),
                                       ("var", (1,)), ("softmax", (1,)),
                                       ("normalize", (2.0, 1))])
def test_gradcheck_float64(name, args):
    data = ember.tensor(X[[0, 2]], requires_grad=True)
    mask = ember.tensor(MASK[[0, 2]])
    assert ember.autograd.gradcheck(
        lambda x: getattr(em, name)(x, *args, mask=mask), (data,), eps=1e-6, atol=1e-5)


def test_same_public_names_as_torch_masked():
    assert ember.masked is em
    assert sorted(n for n in dir(tm) if not n.startswith("_") and n != "maskedtensor") == \
        sorted(n for n in dir(em) if not n.startswith("_") and n != "maskedtensor")


def test_drop_in_import_of_torch_masked():
    script = ("import ember; ember.install_as_torch(); import torch; "
              "from torch.masked import masked_tensor; "
              "print(torch.masked.sum(torch.ones(3), mask=torch.tensor([True, False, True])).item(),"
              " type(masked_tensor(torch.ones(1), torch.tensor([True]))).__module__)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["2.0", "ember.masked.maskedtensor"]
