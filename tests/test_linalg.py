"""ember.linalg beyond the op table: return types, grad_fn names of every output, ranks,
argument forms and errors like torch.linalg's."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(a, requires_grad=False):
    return (ember.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def test_namespace_is_the_linalg_module():
    assert ember.linalg.__name__ == "ember.linalg"
    assert ember.linalg.matmul is ember.matmul


@pytest.mark.parametrize("name,fn", [
    ("linalg_slogdet", lambda m, a: m.linalg.slogdet(a)),
    ("linalg_eigh", lambda m, a: m.linalg.eigh(a + a.mT)),
    ("linalg_svd", lambda m, a: m.linalg.svd(a, full_matrices=False)),
])
def test_tuple_outputs_fields_and_grad_fns(name, fn):
    a = np.random.default_rng(0).standard_normal((3, 3)) + 3 * np.eye(3)
    e_a, t_a = _pair(a, True)
    e, t = fn(ember, e_a), fn(torch, t_a)
    assert type(e).__name__ == type(t).__name__ == name
    assert len(e) == len(t)
    for field in e._fields:
        x, y = getattr(e, field), getattr(t, field)
        assert type(x.grad_fn).__name__ == type(y.grad_fn).__name__


def test_svd_full_matrices_shapes_and_values_gradient():
    a = np.random.default_rng(1).standard_normal((4, 2))
    e_a, t_a = _pair(a, True)
    eu, es, evh = ember.linalg.svd(e_a)
    tu, ts, tvh = torch.linalg.svd(t_a)
    assert eu.shape == tu.shape and evh.shape == tvh.shape
    es.sum().backward()
    ts.sum().backward()
    np.testing.assert_allclose(e_a.grad.numpy(), t_a.grad.numpy(), atol=1e-10)
    with pytest.raises(RuntimeError, match="full_matrices"):
        ember.linalg.svd(e_a)[0].sum().backward()


def test_eigh_upper_triangle():
    a = np.random.default_rng(2).standard_normal((3, 3))
    e_a, t_a = _pair(a)
    np.testing.assert_allclose(ember.linalg.eigvalsh(e_a, UPLO="U").numpy(),
                               torch.linalg.eigvalsh(t_a, UPLO="U").numpy(), atol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"atol": 0.5}, {"rtol": 0.3}])
def test_matrix_rank(kw):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 4, 2)) @ rng.standard_normal((2, 2, 3))
    a[1] *= np.array([1.0, 1.0, 1e-3])
    e_a, t_a = _pair(a)
    e, t = ember.linalg.matrix_rank(e_a, **kw), torch.linalg.matrix_rank(t_a, **kw)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert str(e.dtype) == str(t.dtype)


def test_pinv_of_a_rank_deficient_matrix():
    a = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
    e_a, t_a = _pair(a)
    np.testing.assert_allclose(ember.linalg.pinv(e_a).numpy(), torch.linalg.pinv(t_a).numpy(),
                               atol=1e-12)


def test_inv_ex_and_det_of_batches():
    a = np.random.default_rng(4).standard_normal((2, 3, 3)) + 3 * np.eye(3)
    e_a, t_a = _pair(a)
    e, t = ember.linalg.inv_ex(e_a), torch.linalg.inv_ex(t_a)
    np.testing.assert_allclose(e.inverse.numpy(), t.inverse.numpy(), atol=1e-12)
    np.testing.assert_array_equal(e.info.numpy(), t.info.numpy())


def test_norm_forms():
    a = np.random.default_rng(5).standard_normal((2, 3, 4))
    e_a, t_a = _pair(a)
    for kw in [{}, {"dim": 1}, {"ord": 1, "dim": (0, 2)}, {"ord": "fro", "dim": (1, 2)},
               {"ord": float("inf"), "dim": -1, "keepdim": True}]:
        np.testing.assert_allclose(ember.linalg.norm(e_a, **kw).numpy(),
                                   torch.linalg.norm(t_a, **kw).numpy(), atol=1e-12)
    for ord_ in ["fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf")]:
        for keepdim in (False, True):
            np.testing.assert_allclose(
                ember.linalg.matrix_norm(e_a, ord_, dim=(2, 0), keepdim=keepdim).numpy(),
                torch.linalg.matrix_norm(t_a, ord_, dim=(2, 0), keepdim=keepdim).numpy(),
                atol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda m: m.linalg.inv(m.zeros(2, 2)),
    lambda m: m.linalg.inv(m.ones(2, 3)),
    lambda m: m.linalg.inv(m.ones(3)),
    lambda m: m.linalg.det(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.linalg.cholesky(-m.eye(2)),
    lambda m: m.linalg.solve(m.eye(2), m.ones(3, 1)),
    lambda m: m.linalg.solve(m.eye(2), m.ones(2, dtype=m.float64)),
    lambda m: m.linalg.solve(m.zeros(2, 2), m.ones(2)),
    lambda m: m.linalg.eigh(m.eye(2), UPLO="X"),
    lambda m: m.linalg.norm(m.ones(2, 2, 2), ord=2),
    lambda m: m.linalg.matrix_norm(m.ones(2, 2), ord=3),
    lambda m: m.linalg.svd(m.ones(3)),
])
def test_errors_match_torch(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(RuntimeError if isinstance(t_err.value, RuntimeError) else
                       type(t_err.value)) as e_err:
        fn(ember)
    if isinstance(t_err.value, torch.linalg.LinAlgError):
        assert isinstance(e_err.value, ember.linalg.LinAlgError)
