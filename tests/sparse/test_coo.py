"""torch.sparse_coo_tensor, coalesce, to_dense and torch.sparse.mm against torch, gradients
included: NOTE [ Sparse COO ] in ember/sparse/_coo.py."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# (2, nnz) positions in a 3 x 4 matrix, with (1, 2) given twice and in no particular order
INDICES = [[1, 0, 1, 2, 0], [2, 3, 2, 0, 1]]
VALUES = [1.0, -2.0, 3.0, 0.5, 4.0]
DENSE = np.arange(8.0, dtype=np.float32).reshape(4, 2) - 3


def _both(lib, values=VALUES, size=(3, 4), requires_grad=False):
    v = lib.tensor(values, requires_grad=requires_grad)
    args = (lib.tensor(INDICES), v) + ((size,) if size is not None else ())
    return lib.sparse_coo_tensor(*args), v


def test_coalesce_sums_repeats_and_sorts_positions():
    (e, _), (t, _) = _both(ember), _both(torch)
    assert e.is_sparse and not e.is_coalesced() and e._nnz() == t._nnz() == 5
    ec, tc = e.coalesce(), t.coalesce()
    assert ec.is_coalesced() and ec._nnz() == tc._nnz()
    assert ec.indices().tolist() == tc.indices().tolist()
    assert ec.values().tolist() == tc.values().tolist()
    assert ec.coalesce() is ec


def test_to_dense_and_inferred_size():
    e, _ = _both(ember, size=None)
    t, _ = _both(torch, size=None)
    assert tuple(e.shape) == tuple(t.shape) == (3, 4)
    np.testing.assert_array_equal(e.to_dense().numpy(), t.to_dense().numpy())


def test_hybrid_values_coalesce_and_to_dense():
    vals = np.arange(10.0, dtype=np.float32).reshape(5, 2)
    e = ember.sparse_coo_tensor(ember.tensor(INDICES), ember.tensor(vals), (3, 4, 2)).coalesce()
    t = torch.sparse_coo_tensor(torch.tensor(INDICES), torch.tensor(vals), (3, 4, 2)).coalesce()
    assert e.sparse_dim() == 2 and e.dense_dim() == 1
    np.testing.assert_array_equal(e.values().numpy(), t.values().numpy())
    np.testing.assert_array_equal(e.to_dense().numpy(), t.to_dense().numpy())


def test_uncoalesced_indices_refused_as_torch_does():
    e, _ = _both(ember)
    with pytest.raises(RuntimeError, match="Cannot get indices on an uncoalesced tensor"):
        e.indices()


@pytest.mark.parametrize("call", [lambda lib, s, d: lib.sparse.mm(s, d),
                                  lambda lib, s, d: lib.mm(s, d),
                                  lambda lib, s, d: s @ d])
def test_sparse_mm_and_its_gradients(call):
    results = []
    for lib in (ember, torch):
        s, v = _both(lib, requires_grad=True)
        d = lib.tensor(DENSE, requires_grad=True)
        out = call(lib, s, d)
        (out * out).sum().backward()
        results.append([out.detach().numpy(), v.grad.numpy(), d.grad.numpy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_sparse_mm_size_mismatch():
    e, _ = _both(ember)
    with pytest.raises(RuntimeError, match="Expected dim 0 size 4, got 3"):
        ember.sparse.mm(e, ember.ones(3, 2))


def test_repr_matches_torch():
    (e, _), (t, _) = _both(ember), _both(torch)
    assert repr(e.coalesce()) == repr(t.coalesce())
    assert repr(e) == repr(t)
