"""linalg.eigh's gradient through the eigenvectors of a real symmetric leaf, for a loss that is
not symmetric in A: torch keeps only the skew-symmetric part of V^T gV (the directions that keep
V orthonormal), and so must ember."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_eigenvector_gradient_of_a_symmetric_leaf_matches_torch(seed):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((2, 4, 4))
    a = m + m.transpose(0, 2, 1)
    weights = rng.standard_normal((2, 4, 4))
    grads = []
    for lib in (torch, ember):
        leaf = lib.tensor(a, requires_grad=True)
        w, v = lib.linalg.eigh(leaf)
        ((v.abs() * lib.tensor(weights)).sum() + (w * w).sum()).backward()
        grads.append(leaf.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-9, atol=1e-10)
