"""torch.linalg.ldl_factor / ldl_factor_ex / ldl_solve against torch 2.13: LAPACK's sytrf form
(LD and pivots equal to torch's, 1x1 and 2x2 blocks), singular and empty inputs, broadcasting,
return types, and the missing derivative. Values, errors and grad_fn names per sample are in the
op table (tests/ops/op_db/decompositions.py)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _symmetric(rng, n, diag_scale):
    a = rng.standard_normal((n, n))
    a = a + a.T
    a[np.diag_indices(n)] *= diag_scale
    return a


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_factor_and_solve_match_torch(dtype):
    rng = np.random.default_rng(0)
    blocks = 0
    for trial in range(40):
        n = int(rng.integers(1, 8))
        a = _symmetric(rng, n, 0.05 if trial % 2 else 1.0).astype(dtype)
        b = rng.standard_normal((n, 2)).astype(dtype)
        e = ember.linalg.ldl_factor(ember.tensor(a))
        t = torch.linalg.ldl_factor(torch.tensor(a))
        np.testing.assert_array_equal(e.pivots.numpy(), t.pivots.numpy())
        tol = 1e-4 if dtype == "float32" else 1e-10
        np.testing.assert_allclose(e.LD.numpy(), t.LD.numpy(), rtol=tol, atol=tol)
        x = ember.linalg.ldl_solve(e.LD, e.pivots, ember.tensor(b))
        np.testing.assert_allclose(x.numpy(), torch.linalg.ldl_solve(t.LD, t.pivots,
                                                                     torch.tensor(b)).numpy(),
                                   rtol=tol * 10, atol=tol * 10)
        blocks += int((e.pivots.numpy() < 0).sum())
    assert blocks > 0  # the 2x2 pivots were exercised


def test_only_the_lower_triangle_is_read():
    a = _symmetric(np.random.default_rng(1), 4, 0.1)
    upper_garbage = np.tril(a) + np.triu(np.full((4, 4), 7.0), 1)
    e = ember.linalg.ldl_factor(ember.tensor(upper_garbage), hermitian=True)
    t = torch.linalg.ldl_factor(torch.tensor(a))
    np.testing.assert_allclose(e.LD.numpy(), t.LD.numpy(), atol=1e-12)
    np.testing.assert_array_equal(e.pivots.numpy(), t.pivots.numpy())


def test_singular_input_info_and_errors():
    for a in (np.zeros((3, 3)), np.array([[1.0, 2, 0], [2, 1, 0], [0, 0, 0]])):
        e = ember.linalg.ldl_factor_ex(ember.tensor(a))
        t = torch.linalg.ldl_factor_ex(torch.tensor(a))
        for x, y in zip(e, t):
            assert str(x.dtype) == str(y.dtype) and tuple(x.shape) == tuple(y.shape)
            np.testing.assert_array_equal(x.numpy(), y.numpy())
        for m in (ember, torch):
            with pytest.raises(RuntimeError):
                m.linalg.ldl_factor_ex(m.tensor(a), check_errors=True)
            with pytest.raises(RuntimeError):
                m.linalg.ldl_factor(m.tensor(a))


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0)])
def test_empty(shape):
    e = ember.linalg.ldl_factor(ember.zeros(shape))
    t = torch.linalg.ldl_factor(torch.zeros(shape))
    for x, y in zip(e, t):
        assert tuple(x.shape) == tuple(y.shape) and str(x.dtype) == str(y.dtype)


def test_solve_broadcasts_batches():
    rng = np.random.default_rng(2)
    a = np.stack([_symmetric(rng, 3, 0.1) for _ in range(2)])
    factors = ember.linalg.ldl_factor(ember.tensor(a))
    for b_shape in [(3, 2), (1, 3, 2)]:
        b = rng.standard_normal(b_shape)
        e = ember.linalg.ldl_solve(*factors, ember.tensor(b))
        t = torch.linalg.ldl_solve(*torch.linalg.ldl_factor(torch.tensor(a)), torch.tensor(b))
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-10)
    # torch 2.13 crashes (segfault) on a B with more batch dims than LD: NumPy is the oracle
    b = rng.standard_normal((4, 2, 3, 1))
    np.testing.assert_allclose(ember.linalg.ldl_solve(*factors, ember.tensor(b)).numpy(),
                               np.linalg.solve(a, b), atol=1e-10)
    with pytest.raises(RuntimeError, match="must match the size"):
        ember.linalg.ldl_solve(*factors, ember.ones(4, 3, 1, dtype=ember.float64))


def test_no_derivative_like_torch():
    a = _symmetric(np.random.default_rng(3), 3, 0.1)
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        f = m.linalg.ldl_factor_ex(x)
        assert type(f.LD.grad_fn).__name__ == "NotImplemented"
        assert not f.pivots.requires_grad and not f.info.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not "
                                               "implemented"):
            f.LD.sum().backward()
        b = m.ones(3, 1, dtype=m.float64, requires_grad=True)
        s = m.linalg.ldl_solve(f.LD.detach(), f.pivots, b)
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_solve is not "
                                               "implemented"):
            s.sum().backward()


def test_return_types():
    a = ember.tensor(_symmetric(np.random.default_rng(4), 3, 1.0))
    assert ember.linalg.ldl_factor(a)._fields == ("LD", "pivots")
    assert ember.linalg.ldl_factor_ex(a)._fields == ("LD", "pivots", "info")
    assert repr(ember.linalg.ldl_factor(a)).startswith("torch.return_types.linalg_ldl_factor(\nLD=")
