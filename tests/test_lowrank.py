"""torch.svd_lowrank / torch.pca_lowrank: shapes as torch's, exact reconstruction of a matrix of
rank <= q, the leading singular values of torch.linalg.svdvals, gradients (the random basis
differs from torch's, so the factors are compared through what they determine)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape,q", [((7, 9), 4), ((9, 7), 4), ((2, 8, 5), 3)])
def test_low_rank_matrix_is_reconstructed(shape, q):
    rng = np.random.default_rng(0)
    *batch, m, n = shape
    a = rng.standard_normal((*batch, m, 3)) @ rng.standard_normal((*batch, 3, n))
    ember.manual_seed(1)
    u, s, v = ember.svd_lowrank(ember.tensor(a), q=q)
    tu, ts, tv = torch.svd_lowrank(torch.tensor(a), q=q)
    assert (u.shape, s.shape, v.shape) == (tu.shape, ts.shape, tv.shape)
    np.testing.assert_allclose(((u * s.unsqueeze(-2)) @ v.mT).numpy(), a, atol=1e-10)
    np.testing.assert_allclose(s.numpy()[..., :3], ts.numpy()[..., :3], rtol=1e-8)
    np.testing.assert_allclose((u.mT @ u).numpy(), np.broadcast_to(np.eye(q), u.mT.shape[:-1]
                                                                   + (q,)), atol=1e-10)


def test_pca_centres_columns_and_checks_arguments():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((6, 4)) + 5.0
    ember.manual_seed(0)
    u, s, v = ember.pca_lowrank(ember.tensor(a), q=4)
    tu, ts, tv = torch.pca_lowrank(torch.tensor(a), q=4)
    np.testing.assert_allclose(s.numpy(), ts.numpy(), rtol=1e-8)
    np.testing.assert_allclose(((u * s) @ v.mT).numpy(), a - a.mean(0), atol=1e-10)
    assert ember.pca_lowrank(ember.tensor(a))[1].shape == torch.pca_lowrank(torch.tensor(a))[1].shape
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="must be non-negative integer and not greater"):
            lib.pca_lowrank(lib.ones(3, 2), q=3)


def test_singular_values_carry_gradients():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((6, 5))
    x = ember.tensor(a, requires_grad=True)
    ember.manual_seed(0)
    ember.svd_lowrank(x, q=5)[1].sum().backward()
    t = torch.tensor(a, requires_grad=True)
    torch.linalg.svdvals(t).sum().backward()  # the nuclear norm's gradient: U V^T
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-8)
