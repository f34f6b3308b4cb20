"""tensor_split, hsplit, vsplit, dsplit and split_with_sizes against torch: pieces, views,
gradients, grad_fn names and errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")


def _pair(shape, dtype=np.float64, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _same_pieces(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert tuple(g.shape) == tuple(w.shape)
        np.testing.assert_array_equal(g.detach().numpy(), w.detach().numpy())
        assert type(g.grad_fn).__name__ == type(w.grad_fn).__name__


CASES = [
    ("tensor_split", (10,), (3,), {}),
    ("tensor_split", (10,), ([2, 5, 20],), {}),
    ("tensor_split", (10,), ([7, 3],), {}),
    ("tensor_split", (10,), ([-3],), {}),
    ("tensor_split", (10,), ([],), {}),
    ("tensor_split", (4, 7), (3,), {"dim": 1}),
    ("tensor_split", (4, 7), (3, -1), {}),
    ("tensor_split", (4, 7), ((1, 6),), {"dim": -1}),
    ("tensor_split", (2, 0), (3,), {"dim": 1}),
    ("hsplit", (2, 4, 4), (2,), {}),
    ("hsplit", (6,), (3,), {}),
    ("hsplit", (2, 4, 4), ([1, 3],), {}),
    ("vsplit", (4, 3), (2,), {}),
    ("vsplit", (4, 3), ([1],), {}),
    ("dsplit", (2, 3, 4), ([1, 3],), {}),
    ("dsplit", (2, 3, 4), (4,), {}),
    ("split_with_sizes", (5, 3), ([2, 3],), {}),
    ("split_with_sizes", (5, 3), ([1, 2],), {"dim": 1}),
]


@pytest.mark.parametrize("name, shape, args, kwargs", CASES)
def test_pieces_and_gradients_match_torch(name, shape, args, kwargs):
    ex, tx = _pair(shape)
    got = getattr(ember, name)(ex, *args, **kwargs)
    want = getattr(torch, name)(tx, *args, **kwargs)
    _same_pieces(got, want)
    _same_pieces(getattr(ex, name)(*args, **kwargs), getattr(tx, name)(*args, **kwargs))
    weights = [np.arange(p.numel(), dtype=np.float64).reshape(tuple(p.shape)) + i
               for i, p in enumerate(want)]
    sum(((g * ember.tensor(w)).sum() for g, w in zip(got, weights)), ember.tensor(0.0)).backward()
    sum(((p * torch.tensor(w)).sum() for p, w in zip(want, weights)), torch.tensor(0.0)).backward()
    np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())


def test_pieces_are_views():
    x = ember.zeros(6)
    a, b = ember.tensor_split(x, [2])
    b[0] = 5.0
    assert x[2].item() == 5.0
    assert x._version == b._version


def test_tensor_indices_and_keyword_overloads():
    ex, tx = _pair((10, 2))
    for e_spec, t_spec in [(ember.tensor([1, 4]), torch.tensor([1, 4])),
                           (ember.tensor(3), torch.tensor(3))]:
        _same_pieces(ember.tensor_split(ex, e_spec), torch.tensor_split(tx, t_spec))
    _same_pieces(ember.tensor_split(ex, sections=4), torch.tensor_split(tx, sections=4))
    _same_pieces(ex.tensor_split(indices=[3], dim=0), tx.tensor_split(indices=[3], dim=0))
    _same_pieces(ember.tensor_split(ex, tensor_indices_or_sections=ember.tensor([5])),
                 torch.tensor_split(tx, tensor_indices_or_sections=torch.tensor([5])))


def test_gradcheck():
    x = ember.randn(7, 3, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda a: ember.tensor_split(a, [2, 5]), (x,))
    assert gradcheck(lambda a: ember.hsplit(a, [1]), (x,))


ERRORS = [
    lambda m, x: m.tensor_split(x, 0),
    lambda m, x: m.tensor_split(x, -1),
    lambda m, x: m.tensor_split(m.tensor(1.0), 2),
    lambda m, x: m.tensor_split(x, m.tensor([[1]])),
    lambda m, x: m.tensor_split(x, m.tensor([1.0])),
    lambda m, x: m.tensor_split(x, 3, dim=2),
    lambda m, x: m.hsplit(x, 3),
    lambda m, x: m.hsplit(x, 0),
    lambda m, x: m.hsplit(m.tensor(1.0), 1),
    lambda m, x: m.vsplit(m.zeros(3), 1),
    lambda m, x: m.vsplit(x, 3),
    lambda m, x: m.dsplit(x, 1),
    lambda m, x: m.split_with_sizes(x, [1, 2]),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    with pytest.raises(Exception) as want:
        call(torch, torch.zeros(8, 4))
    with pytest.raises(type(want.value)) as got:
        call(ember, ember.zeros(8, 4))
    assert str(got.value) == str(want.value)
