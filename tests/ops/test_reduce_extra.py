"""Reductions beyond the op table: argument forms, dtypes, empty inputs, NaN, ties, zeros in
prod/cumprod, named-tuple results and errors, each compared with PyTorch."""
import pickle
import warnings

import numpy as np
import pytest

import ember

A = np.random.default_rng(3).standard_normal((2, 3, 4))


def _both(torch, fn, arrays=(A,), requires_grad=False):
    """fn(m, *tensors) on ember and torch; returns both results."""
    out = []
    for m in (ember, torch):
        ts = [m.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays]
        out.append((fn(m, *ts), ts))
    return out


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _assert_same(e, t, rtol=1e-7):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(_np(e), _np(t), rtol=rtol, atol=1e-12, equal_nan=True)


# -- dims, keepdim and argument forms, swept against torch ----------------------------------------

SWEEP = {
    "sum": lambda m, x, d, k: x.sum(d, keepdim=k),
    "mean": lambda m, x, d, k: x.mean(d, keepdim=k),
    "nansum": lambda m, x, d, k: m.nansum(x, d, keepdim=k),
    "amax": lambda m, x, d, k: x.amax(d, keepdim=k),
    "amin": lambda m, x, d, k: m.amin(x, d, k),
    "var": lambda m, x, d, k: x.var(d, keepdim=k),
    "std": lambda m, x, d, k: x.std(d, correction=0, keepdim=k),
    "norm": lambda m, x, d, k: x.norm(2, d, k),
    "logsumexp": lambda m, x, d, k: x.logsumexp(d, k),
    "all": lambda m, x, d, k: (x > 0).all(d, k),
    "any": lambda m, x, d, k: m.any(x > 1, d, keepdim=k),
    "count_nonzero": lambda m, x, d, k: m.count_nonzero(x > 0, d),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, -1, (0, 2), (2, 0, 1), [1]])
@pytest.mark.parametrize("name", sorted(SWEEP))
def test_dims_and_keepdim_match_torch(name, dim, keepdim, torch):
    fn = SWEEP[name]
    if name == "count_nonzero" and keepdim:
        pytest.skip("count_nonzero has no keepdim")
    if name == "all" or name == "any":
        if isinstance(dim, (tuple, list)) and len(dim) != 1:
            dim = tuple(dim)
    (e, _), (t, _) = _both(torch, lambda m, x: fn(m, x, dim, keepdim))
    _assert_same(e, t)


@pytest.mark.parametrize("expr", [
    lambda m, x: x.var(0, True), lambda m, x: x.var(0, False, True), lambda m, x: x.std(False),
    lambda m, x: x.var(unbiased=False), lambda m, x: m.std(x, dim=None, correction=2),
    lambda m, x: x.var((0, 1), correction=0.5), lambda m, x: m.var_mean(x, 1, True, True)[0],
    lambda m, x: m.std_mean(x, dim=(0, 2))[1], lambda m, x: m.std_mean(x)[0],
    lambda m, x: x.sum(dtype=m.float32), lambda m, x: x.mean(1, dtype=m.float32),
    lambda m, x: x.prod(1, True, dtype=m.float32), lambda m, x: m.sum(x, dim=()),
    lambda m, x: m.cumprod(x, 0, dtype=m.float32), lambda m, x: x.max(-1, True).values,
    lambda m, x: m.min(x, dim=1).indices, lambda m, x: x.median(-1, keepdim=True).indices,
    lambda m, x: m.argmax(x, dim=2, keepdim=True), lambda m, x: x.argmin(),
    lambda m, x: x.argmax(keepdim=True),
    lambda m, x: m.norm(x.float(), dim=(0, 2), dtype=m.float64),
    lambda m, x: x.norm(p=3, dim=1), lambda m, x: x.norm(-1), lambda m, x: x.norm(float("-inf")),
])
def test_argument_forms_match_torch(expr, torch):
    (e, _), (t, _) = _both(torch, expr)
    _assert_same(e, t, rtol=1e-6)


# -- dtypes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64"])
@pytest.mark.parametrize("name", ["sum", "prod", "cumsum", "cumprod", "nansum", "all", "any",
                                  "count_nonzero", "amax", "max", "argmax", "median"])
def test_integer_reductions_match_torch(name, dtype, torch):
    if dtype == "bool" and name in ("median", "cumprod", "nansum", "argmax"):
        pytest.skip("not defined for bool in torch")
    a = np.arange(12).reshape(3, 4) % 3
    out = []
    for m in (ember, torch):
        x = m.tensor(a.astype(dtype))
        fn = getattr(x, name)
        out.append(fn(0) if name in ("cumsum", "cumprod") else fn())
    _assert_same(*out)


def test_mean_of_integers(torch):
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input "
                                               "dtype must be either a floating point or "
                                               "complex dtype. Got: Long"):
            m.tensor([1, 2]).mean()
    (e, _), (t, _) = _both(torch, lambda m, x: x.mean(dtype=m.float32),
                           [np.arange(5)])
    _assert_same(e, t)


def test_float_only_reductions_reject_integers(torch):
    for m in (ember, torch):
        x = m.tensor([1, 2, 3])
        with pytest.raises(RuntimeError, match="std and var only support floating point"):
            x.var()
        with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point"):
            x.norm()
        with pytest.raises(RuntimeError, match="convertible without narrowing"):
            x.double().norm(dtype=m.float32)
        with pytest.raises(RuntimeError, match="argmax\\(\\): does not support bool input"):
            (x > 1).argmax()
    (e, _), (t, _) = _both(torch, lambda m, x: x.logsumexp(0), [np.arange(4)])
    _assert_same(e, t, rtol=1e-6)


# -- max / min / median results --------------------------------------------------------------------

def test_max_with_dim_is_a_named_tuple(torch):
    x = ember.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    r = x.max(1)
    values, indices = r
    assert r.values is values and r.indices is indices and r[0] is values
    assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2]
    assert str(indices.dtype) == "torch.int64"
    assert repr(r) == repr(torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]).max(1))
    assert type(x.min(0)).__name__ == "min" and type(x.median(0)).__name__ == "median"
    again = pickle.loads(pickle.dumps(r))
    assert type(again) is type(r) and again.indices.tolist() == [1, 2]


def test_max_of_two_tensors_is_maximum(torch):
    (e, _), (t, _) = _both(torch, lambda m, a, b: m.max(a, b), [A, A[::-1].copy()], True)
    _assert_same(e, t)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__ == "MaximumBackward0"
    (e, _), (t, _) = _both(torch, lambda m, a, b: a.min(b), [A, A[::-1].copy()])
    _assert_same(e, t)


@pytest.mark.parametrize("expr", [
    lambda m, x: x.max(), lambda m, x: x.min(1), lambda m, x: x.median(),
    lambda m, x: x.median(1), lambda m, x: x.argmax(1), lambda m, x: x.amax(0),
], ids=["max", "min_dim", "median", "median_dim", "argmax", "amax"])
def test_nan_propagates_like_torch(expr, torch):
    a = np.array([[1.0, np.nan, 2.0, 0.5], [3.0, 1.0, 2.0, 0.0]])
    (e, _), (t, _) = _both(torch, expr, [a])
    for ei, ti in zip(e if isinstance(e, tuple) else (e,), t if isinstance(t, tuple) else (t,)):
        _assert_same(ei, ti)


def test_median_is_the_lower_median(torch):
    (e, _), (t, _) = _both(torch, lambda m, x: (x.median(), x.median(0).values),
                           [np.array([[4.0, 1.0], [2.0, 3.0], [0.0, 9.0], [5.0, 5.0]])])
    for ei, ti in zip(e, t):
        _assert_same(ei, ti)


@pytest.mark.parametrize("expr", [
    lambda m, x: x.max(), lambda m, x: x.amax(1), lambda m, x: x.amin((0, 1)),
    lambda m, x: x.max(1).values, lambda m, x: x.median(), lambda m, x: x.norm(float("inf")),
], ids=["max", "amax", "amin", "max_dim", "median", "norm_inf"])
def test_ties_share_the_gradient_like_torch(expr, torch):
    a = np.array([[1.0, 3.0, 3.0, -3.0], [2.0, 2.0, 0.0, 1.0]])
    grads = []
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        expr(m, x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])


# -- zeros, empty inputs and degenerate cases -----------------------------------------------------

@pytest.mark.parametrize("zeros", [[1], [1, 6], [0, 5, 10]])
@pytest.mark.parametrize("expr", [lambda m, x: x.prod(), lambda m, x: x.prod(1),
                                  lambda m, x: x.cumprod(1), lambda m, x: x.cumprod(0)],
                         ids=["prod", "prod_dim", "cumprod1", "cumprod0"])
def test_zeros_in_prod_and_cumprod_match_torch_to_second_order(expr, zeros, torch):
    a = np.random.default_rng(1).uniform(0.5, 2.0, (3, 4))
    a.reshape(-1)[zeros] = 0
    got = []
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        y = expr(m, x)
        go = m.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (g,) = m.autograd.grad(y, x, go, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), x)
        got.append((g.detach().numpy(), gg.numpy()))
    for e, t in zip(*got):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("expr", [
    lambda m, x: x.sum(), lambda m, x: x.prod(), lambda m, x: x.mean(), lambda m, x: x.norm(),
    lambda m, x: x.median(), lambda m, x: x.logsumexp(0), lambda m, x: x.amax(1),
    lambda m, x: x.sum(0), lambda m, x: x.max(1).values, lambda m, x: x.cumsum(0),
    lambda m, x: x.any(), lambda m, x: x.count_nonzero(),
])
def test_empty_inputs_match_torch(expr, torch):
    shape = (0, 3)
    (e, _), (t, _) = _both(torch, expr, [np.zeros(shape)])
    _assert_same(e, t)


@pytest.mark.parametrize("expr,exc", [
    (lambda m, x: x.max(), RuntimeError), (lambda m, x: x.min(), RuntimeError),
    (lambda m, x: x.amax(), RuntimeError), (lambda m, x: x.argmax(), IndexError),
    (lambda m, x: x.max(0), IndexError), (lambda m, x: x.amax(0), IndexError),
    (lambda m, x: x.median(0), IndexError),
], ids=["max", "min", "amax", "argmax", "max_dim", "amax_dim", "median_dim"])
def test_empty_reductions_without_identity_raise_like_torch(expr, exc, torch):
    msgs = []
    for m in (ember, torch):
        with pytest.raises(exc) as info:
            expr(m, m.zeros(0, 3))
        msgs.append(str(info.value).split("\n")[0])
    assert msgs[0] == msgs[1]


def test_dim_errors_match_torch(torch):
    for m in (ember, torch):
        x = m.zeros(3, 4)
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range "
                                             r"of \[-2, 1\], but got 2\)"):
            x.sum(2)
        with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
            x.sum((0, -2))
        with pytest.raises(IndexError, match="but got -3"):
            x.max(-3)
        with pytest.raises(TypeError):
            x.var(0, unbiased=True, correction=1)


def test_degrees_of_freedom_warning_and_constant_std(torch):
    for m in (ember, torch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            assert np.isnan(m.ones(1).var().item())
    (e, (xe,)), (t, (xt,)) = _both(torch, lambda m, x: x.std(1), [np.ones((2, 3))], True)
    e.sum().backward()
    t.sum().backward()
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())  # 0, not NaN


def test_norm_at_zero_has_zero_gradient(torch):
    for p in (2, 1, 3, 0.5, float("inf")):
        grads = []
        for m in (ember, torch):
            x = m.zeros(2, 3, requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                x.norm(p).backward()
            grads.append(x.grad.numpy())
        np.testing.assert_array_equal(grads[0], grads[1])


def test_norm_nuclear_value_and_gradient_like_torch(torch):
    """p='nuc' is the sum of the singular values (torch's SumBackward1 over svdvals)."""
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    results = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x.norm("nuc")
        assert type(y.grad_fn).__name__ == "SumBackward1"
        y.backward()
        results.append((y.item(), x.grad.numpy()))
    assert abs(results[0][0] - results[1][0]) < 1e-12
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)


def test_logsumexp_of_infinities_matches_torch(torch):
    a = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [0.0, -np.inf]])
    (e, _), (t, _) = _both(torch, lambda m, x: x.logsumexp(1), [a])
    _assert_same(e, t)


@pytest.mark.parametrize("norm", [lambda x: ember.norm(x, p=0),
                                  lambda x: ember.linalg.vector_norm(x, ord=0)])
def test_zero_norm_has_no_gradient(norm):
    """torch leaves x.grad undefined through a count of nonzeros, and other paths still add."""
    x = ember.tensor([1.0, 0.0, 2.0], requires_grad=True)
    y = norm(x)
    assert y.item() == 2.0 and y.requires_grad
    y.backward()
    assert x.grad is None
    (norm(x) * 2 + x.sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, dim", [((2, 0), 1), ((0, 3), 0), ((0, 3), 1)])
def test_softmax_over_empty_tensors(fn, shape, dim):
    torch = pytest.importorskip("torch")
    for dtype in ("float32", "int64"):
        t = getattr(torch, fn)(torch.zeros(shape, dtype=getattr(torch, dtype)), dim)
        e = getattr(ember, fn)(ember.zeros(shape, dtype=getattr(ember, dtype)), dim)
        assert e.shape == t.shape and str(e.dtype) == str(t.dtype)
    x = ember.zeros(shape, requires_grad=True)
    getattr(ember, fn)(x, dim).sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("loss", ["smooth_l1_loss", "huber_loss"])
def test_piecewise_losses_of_0d_tensors(loss):
    x = ember.tensor(1.5, requires_grad=True)
    getattr(ember.nn.functional, loss)(x, ember.tensor(0.0)).backward()
    assert x.grad.item() == 1.0
    x = ember.tensor(0.5, requires_grad=True)
    getattr(ember.nn.functional, loss)(x, ember.tensor(0.0)).backward()
    assert x.grad.item() == 0.5
