"""sum_to_size over leading axes as a matrix-vector product (NOTE [ Leading sums as products ] in
ember/ops/shape.py): values, dtypes and gradients against torch, for the product's cases and the
reduction's (non-contiguous, integer, more rows than _LEADING_ROWS, inner axes)."""
import numpy as np
import pytest

import ember
from ember.ops import shape as shape_ops

torch = pytest.importorskip("torch")

CASES = [((12, 64, 32), (32,)), ((12, 64, 32), (1, 1, 32)), ((7, 5), (5,)), ((3, 4, 5), (4, 5)),
         ((3, 4, 5), (3, 1, 5)), ((6, 1, 4), (1, 4))]


@pytest.mark.parametrize("shape,size", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_matches_torch(shape, size, dtype, layout):
    x = np.random.default_rng(0).standard_normal(shape)
    out = []
    for mod in (ember, torch):
        t = mod.tensor(x, dtype=getattr(mod, dtype))
        if layout == "transposed":
            t = t.transpose(0, -1).contiguous().transpose(0, -1)
        t.requires_grad_(True)
        y = t.sum_to_size(size)
        y.backward(mod.ones_like(y) * 2)
        out.append((y.detach().numpy(), t.grad.numpy()))
    tol = 1e-5 if dtype == "float32" else 1e-12
    for a, e in zip(*out):
        assert a.shape == e.shape and a.dtype == e.dtype
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)


def test_product_only_where_it_applies(monkeypatch):
    used = []
    real = shape_ops._leading_rows

    def spy(a, axes):
        rows = real(a, axes)
        used.append(rows is not None)
        return rows

    monkeypatch.setattr(shape_ops, "_leading_rows", spy)
    ember.ones(4, 3).sum_to_size(3)
    ember.ones(4, 3, dtype=ember.int64).sum_to_size(3)
    ember.ones(4, 3).t().sum_to_size(1, 4)
    ember.ones(4, 3).sum_to_size(4, 1)
    monkeypatch.setattr(shape_ops, "_LEADING_ROWS", 3)
    ember.ones(4, 3).sum_to_size(3)
    assert used == [True, False, False, False, False]


def test_many_rows_fall_back_to_the_reduction(monkeypatch):
    monkeypatch.setattr(shape_ops, "_LEADING_ROWS", 2)
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    got = ember.tensor(x).sum_to_size(3).numpy()
    np.testing.assert_allclose(got, x.sum(0), rtol=1e-6)
