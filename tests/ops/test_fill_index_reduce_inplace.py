"""The in-place and method forms around torch.fill / index_reduce: index_reduce_ on a tensor in
a graph, fill_diagonal_ casting its value and refusing a leaf's view; against torch."""
import numpy as np
import pytest

import ember


def test_index_reduce_in_place_records_torch_node(torch):
    a_np = np.random.default_rng(0).uniform(0.5, 2, (3, 2))
    s_np = np.random.default_rng(1).uniform(0.5, 2, (2, 2))
    grads = []
    for m in (ember, torch):
        a = m.tensor(a_np, requires_grad=True)
        s = m.tensor(s_np, requires_grad=True)
        y = a * 1
        out = y.index_reduce_(0, m.tensor([1, 1]), s, "amax", include_self=False)
        assert out is y and type(y.grad_fn).__name__ == "IndexReduceBackward0"
        (y * m.arange(6.0, dtype=m.float64).reshape(3, 2)).sum().backward()
        grads.append((y.detach().numpy(), a.grad.numpy(), s.grad.numpy()))
    for e, t in zip(*grads):
        np.testing.assert_allclose(e, t)


def test_fill_diagonal_casts_and_refuses_a_leaf(torch):
    for m in (ember, torch):
        out = m.zeros(3, 3, dtype=m.int64).fill_diagonal_(2.7)
        assert out.tolist() == [[2, 0, 0], [0, 2, 0], [0, 0, 2]]
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            m.ones(2, 2, requires_grad=True).fill_diagonal_(1.0)
        assert not hasattr(m, "fill_diagonal_")


def test_fill_keeps_dtype_and_makes_a_new_tensor(torch):
    for m in (ember, torch):
        x = m.zeros(2, dtype=m.int32)
        y = m.fill(x, 2.5)
        assert y.tolist() == [2, 2] and y.dtype == m.int32 and x.tolist() == [0, 0]
        assert not y.requires_grad
