"""torch.vmap is torch.func.vmap: ember.vmap is the same function, and maps as torch.vmap does."""
import numpy as np
import pytest

import ember


def test_vmap_is_func_vmap():
    assert ember.vmap is ember.func.vmap
    assert "vmap" in dir(ember)


def _batched_calls(m, x, y):
    dot = m.vmap(m.dot)(x, y)
    rows_times_vector = m.vmap(m.mv, in_dims=(0, None))(x.reshape(4, 1, 3), y[0])
    moved = m.vmap(lambda a: a * 2, in_dims=1, out_dims=1)(x)
    return [dot, rows_times_vector, moved]


def test_same_results_as_torch_vmap():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    mine = _batched_calls(ember, ember.tensor(x), ember.tensor(y))
    theirs = _batched_calls(torch, torch.tensor(x), torch.tensor(y))
    for a, b in zip(mine, theirs):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
