"""Behaviour of triangular, tiling, pairwise and ordering ops beyond the op table: views written
through, in-place forms, argument forms, ties and NaNs, warnings and errors like PyTorch's."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _both(a):
    return ember.tensor(a), torch.tensor(a)


def _same(e, t):
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert str(e.dtype) == str(t.dtype)


def test_diagonal_is_a_writable_view_with_history():
    base = ember.zeros(3, 4)
    base.diagonal(1).fill_(2.0)
    want = np.zeros((3, 4))
    want[[0, 1, 2], [1, 2, 3]] = 2.0
    np.testing.assert_array_equal(base.numpy(), want)
    x = ember.randn(3, 3, dtype=ember.float64, requires_grad=True)
    y = x * 1.0
    y.diagonal().mul_(3.0)
    assert type(y.grad_fn).__name__ == "CopySlices"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 1.0 + 2.0 * np.eye(3))


def test_tril_triu_in_place():
    a = np.arange(12.0).reshape(3, 4)
    e, t = _both(a)
    _same(e.tril_(-1), t.tril_(-1))
    e, t = _both(a)
    _same(e.triu_(2), t.triu_(2))


@pytest.mark.parametrize("row,col,offset", [(3, 3, 0), (3, 5, 1), (4, 2, -1), (0, 3, 0)])
def test_tril_triu_indices(row, col, offset):
    _same(ember.tril_indices(row, col, offset), torch.tril_indices(row, col, offset))
    _same(ember.triu_indices(row, col, offset), torch.triu_indices(row, col, offset))
    _same(ember.tril_indices(row, col, offset, dtype=ember.int32),
          torch.tril_indices(row, col, offset, dtype=torch.int32))


def test_repeat_interleave_forms():
    _same(ember.repeat_interleave(ember.tensor([2, 0, 1])),
          torch.repeat_interleave(torch.tensor([2, 0, 1])))
    e, t = _both(np.arange(6.0).reshape(2, 3))
    _same(e.repeat_interleave(ember.tensor(2), dim=0), t.repeat_interleave(torch.tensor(2), 0))
    _same(ember.repeat_interleave(ember.tensor(5.0), 3), torch.repeat_interleave(
        torch.tensor(5.0), 3))


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="indexing"):
        a, b = ember.meshgrid(ember.arange(3.0), ember.arange(2.0))
    assert a.shape == (3, 2) and b.shape == (3, 2)


def test_cross_default_dim_is_the_first_of_size_3():
    a = np.random.default_rng(0).standard_normal((3, 3, 2))
    b = np.random.default_rng(1).standard_normal((3, 3, 2))
    with pytest.warns(UserWarning, match="dim"):
        e = ember.cross(ember.tensor(a), ember.tensor(b))
    np.testing.assert_allclose(e.numpy(), np.cross(a, b, axis=0))


def test_cummax_cummin_ties_and_nan():
    a = np.array([1.0, 3.0, 3.0, np.nan, 2.0, 5.0])
    for name in ("cummax", "cummin"):
        e = getattr(ember, name)(ember.tensor(a), 0)
        t = getattr(torch, name)(torch.tensor(a), 0)
        np.testing.assert_array_equal(e.values.numpy(), t.values.numpy())
        _same(e.indices, t.indices)
    e = ember.cummax(ember.tensor([2, 2, 1, 4]), 0)
    _same(e.values, torch.tensor([2, 2, 2, 4]))
    _same(e.indices, torch.tensor([0, 1, 1, 3]))


def test_cummax_of_a_scalar_and_return_type():
    r = ember.cummax(ember.tensor(1.5), 0)
    assert r.values.shape == () and r.indices.item() == 0
    assert type(r).__name__ == "cummax"


def test_searchsorted_forms():
    seq = [1.0, 2.0, 2.0, 3.0]
    es, ts = ember.tensor(seq), torch.tensor(seq)
    _same(ember.searchsorted(es, 2.0), torch.searchsorted(ts, 2.0))
    v = [[0.0, 2.0], [2.0, 9.0]]
    _same(ember.searchsorted(es, ember.tensor(v), side="right"),
          torch.searchsorted(ts, torch.tensor(v), side="right"))
    _same(ember.searchsorted(es, ember.tensor(v), out_int32=True),
          torch.searchsorted(ts, torch.tensor(v), out_int32=True))
    unsorted, order = [3.0, 1.0, 2.0], [1, 2, 0]
    _same(ember.searchsorted(ember.tensor(unsorted), ember.tensor([2.5]),
                             sorter=ember.tensor(order)),
          torch.searchsorted(torch.tensor(unsorted), torch.tensor([2.5]),
                             sorter=torch.tensor(order)))
    _same(ember.bucketize(ember.tensor([2.0, 0.5]), es, right=True),
          torch.bucketize(torch.tensor([2.0, 0.5]), ts, right=True))


def test_kron_int_and_cdist_zero_distance_gradient():
    _same(ember.kron(ember.tensor([[1, 2]]), ember.tensor([3, 4])),
          torch.kron(torch.tensor([[1, 2]]), torch.tensor([3, 4])))
    x = ember.tensor([[0.0, 1.0]], requires_grad=True)
    ember.cdist(x, ember.tensor([[0.0, 1.0], [1.0, 1.0]])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[-1.0, 0.0]])


@pytest.mark.parametrize("fn", [
    lambda m: m.kthvalue(m.ones(3), 4),
    lambda m: m.trace(m.ones(3)),
    lambda m: m.tril(m.ones(3)),
    lambda m: m.triu(m.ones(3)),
    lambda m: m.diag(m.ones(2, 2, 2)),
    lambda m: m.diagonal(m.ones(2, 2), 0, 1, 1),
    lambda m: m.cross(m.ones(2, 2), m.ones(2, 2), dim=1),
    lambda m: m.repeat_interleave(m.ones(3), -1),
    lambda m: m.repeat_interleave(m.ones(3), m.tensor([1, 2])),
    lambda m: m.repeat_interleave(m.ones(3), m.tensor([1, -1, 0])),
    lambda m: m.meshgrid(m.ones(2, 2), indexing="ij"),
    lambda m: m.meshgrid(m.ones(2), indexing="ab"),
    lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4)),
    lambda m: m.cdist(m.ones(3), m.ones(2, 3)),
    lambda m: m.cdist(m.ones(2, 3), m.ones(2, 3), p=-1),
    lambda m: m.bucketize(m.ones(2), m.ones(2, 2)),
    lambda m: m.searchsorted(m.ones(2, 3), m.ones(3, 3)),
])
def test_errors_match_torch(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        fn(ember)
    assert str(e_err.value).split(":")[0] == str(t_err.value).split(":")[0]


def test_cummax_dim_out_of_range():
    with pytest.raises(IndexError):
        ember.cummax(ember.ones(2), 1)
