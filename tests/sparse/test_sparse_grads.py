"""Sparse weight gradients of embedding / embedding_bag (sparse=True), their accumulation into
.grad and what users do with them, against torch."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", message="Sparse invariant checks")

IDX = [[1, 2, 1], [0, 4, 2]]


def _pair(seed=0, shape=(5, 3)):
    w = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return (ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True))


def _same_sparse(e, t):
    assert e.is_sparse and t.is_sparse and e.layout is ember.sparse_coo
    assert e._nnz() == t._nnz() and e.is_coalesced() == t.is_coalesced()
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e._indices().numpy(), t._indices().numpy())
    np.testing.assert_allclose(e._values().detach().numpy(), t._values().detach().numpy(),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_sparse_grad_as_torch(padding_idx):
    we, wt = _pair()
    (F.embedding(ember.tensor(IDX), we, padding_idx=padding_idx, sparse=True) ** 2).sum().backward()
    (torch.nn.functional.embedding(torch.tensor(IDX), wt, padding_idx=padding_idx,
                                   sparse=True) ** 2).sum().backward()
    _same_sparse(we.grad, wt.grad)
    assert repr(we.grad) == repr(wt.grad.detach()).replace("torch.sparse_coo", "torch.sparse_coo")


def test_module_and_repr():
    ember.manual_seed(0)
    m = ember.nn.Embedding(5, 3, sparse=True)
    tm = torch.nn.Embedding(5, 3, sparse=True)
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(m.weight.detach().numpy()))
    m(ember.tensor(IDX)).sum().backward()
    tm(torch.tensor(IDX)).sum().backward()
    _same_sparse(m.weight.grad, tm.weight.grad)
    assert repr(m.weight.grad) == repr(tm.weight.grad)
    m.zero_grad(set_to_none=False)
    tm.zero_grad(set_to_none=False)
    _same_sparse(m.weight.grad, tm.weight.grad)
    assert repr(m.weight.grad) == repr(tm.weight.grad)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_sparse(mode):
    we, wt = _pair(1, (6, 2))
    flat, offsets = [1, 2, 3, 4, 5], [0, 2, 2]
    F.embedding_bag(ember.tensor(flat), we, ember.tensor(offsets), mode=mode, sparse=True,
                    padding_idx=3).pow(2).sum().backward()
    torch.nn.functional.embedding_bag(torch.tensor(flat), wt, torch.tensor(offsets), mode=mode,
                                      sparse=True, padding_idx=3).pow(2).sum().backward()
    _same_sparse(we.grad, wt.grad)
    bag_e = ember.nn.EmbeddingBag(6, 2, mode=mode, sparse=True)
    bag_e(ember.tensor([[1, 2], [2, 5]])).sum().backward()
    assert bag_e.weight.grad.is_sparse and bag_e.weight.grad._nnz() == 4


def test_refusals():
    we, _ = _pair()
    with pytest.raises(ValueError, match="^max mode does not support sparse weights$"):
        F.embedding_bag(ember.tensor(IDX), we, mode="max", sparse=True)
    y = F.embedding(ember.tensor(IDX), we, sparse=True, scale_grad_by_freq=True)
    with pytest.raises(RuntimeError, match="^embedding_backward: scale_grad_by_freq not "
                                           "supported with sparse gradients$"):
        y.sum().backward()
    y = F.embedding_bag(ember.tensor(IDX), we, sparse=True, scale_grad_by_freq=True)
    with pytest.raises(RuntimeError, match="scale_grad_by_freq not supported"):
        y.sum().backward()


def test_autograd_grad_and_create_graph():
    we, wt = _pair()
    ge, = ember.autograd.grad(F.embedding(ember.tensor(IDX), we, sparse=True).sum(), we)
    gt, = torch.autograd.grad(torch.nn.functional.embedding(torch.tensor(IDX), wt,
                                                            sparse=True).sum(), wt)
    _same_sparse(ge, gt)
    ge, = ember.autograd.grad(F.embedding(ember.tensor(IDX), we, sparse=True).sum(), we,
                              create_graph=True)
    gt, = torch.autograd.grad(torch.nn.functional.embedding(torch.tensor(IDX), wt,
                                                            sparse=True).sum(), wt,
                              create_graph=True)
    _same_sparse(ge, gt)
    assert ge.requires_grad is gt.requires_grad is False
    # a gradient that depends on the weight keeps its graph: the second derivative is sparse too
    ge, = ember.autograd.grad(F.embedding(ember.tensor(IDX), we, sparse=True).pow(2).sum(), we,
                              create_graph=True)
    gt, = torch.autograd.grad(torch.nn.functional.embedding(torch.tensor(IDX), wt,
                                                            sparse=True).pow(2).sum(), wt,
                              create_graph=True)
    assert ge.requires_grad and gt.requires_grad
    _same_sparse(ember.autograd.grad(ge.to_dense().sum(), we)[0],
                 torch.autograd.grad(gt.to_dense().sum(), wt)[0])


def test_hooks_see_sparse():
    we, wt = _pair()
    seen = []
    we.register_hook(lambda g: seen.append((g.layout, g._nnz())))
    we.register_hook(lambda g: g * 2)
    F.embedding(ember.tensor(IDX), we, sparse=True).sum().backward()
    assert seen == [(ember.sparse_coo, 6)]
    np.testing.assert_allclose(we.grad._values().numpy(), 2.0)
    we.register_hook(lambda g: g.to_dense())
    with pytest.raises(RuntimeError, match=r"has changed the type of value \(was "
                                           r"torch.sparse.FloatTensor got torch.FloatTensor\)"):
        F.embedding(ember.tensor(IDX), we, sparse=True).sum().backward()


def _backward_both(fe, ft, we, wt):
    fe(we).backward()
    ft(wt).backward()


@pytest.mark.parametrize("first,second", [("sparse", "sparse"), ("sparse", "dense"),
                                          ("dense", "sparse"), ("both", None),
                                          ("strided", "strided"), ("padded", "strided")])
def test_accumulation(first, second):
    we, wt = _pair()
    ie, it = ember.tensor(IDX), torch.tensor(IDX)
    runs = {
        "sparse": (lambda w: (F.embedding(ie, w, sparse=True) ** 2).sum(),
                   lambda w: (torch.nn.functional.embedding(it, w, sparse=True) ** 2).sum()),
        "strided": (lambda w: F.embedding(ie, w, sparse=True).sum(),
                    lambda w: torch.nn.functional.embedding(it, w, sparse=True).sum()),
        "padded": (lambda w: F.embedding(ie, w, sparse=True, padding_idx=2).sum(),
                   lambda w: torch.nn.functional.embedding(it, w, sparse=True,
                                                           padding_idx=2).sum()),
        "dense": (lambda w: (w * 3).sum(), lambda w: (w * 3).sum()),
        "both": (lambda w: F.embedding(ie, w, sparse=True).sum() + (w * 3).sum(),
                 lambda w: torch.nn.functional.embedding(it, w, sparse=True).sum()
                 + (w * 3).sum()),
    }
    for step in (first, second):
        if step is not None:
            _backward_both(*runs[step], we, wt)
    assert we.grad.layout is getattr(ember, str(wt.grad.layout).split(".")[1])
    if wt.grad.is_sparse:
        _same_sparse(we.grad, wt.grad)
    else:
        np.testing.assert_allclose(we.grad.numpy(), wt.grad.numpy(), rtol=1e-6)


def test_sparse_grad_methods():
    we, wt = _pair()
    F.embedding(ember.tensor(IDX), we, sparse=True).sum().backward()
    torch.nn.functional.embedding(torch.tensor(IDX), wt, sparse=True).sum().backward()
    ge, gt = we.grad, wt.grad
    assert ge.size() == gt.size() and ge.dim() == gt.dim() == 2
    _same_sparse(ge * 2, gt * 2)
    _same_sparse(ge.mul(3), gt.mul(3))
    _same_sparse(ge.clone(), gt.clone())
    _same_sparse(ge.detach(), gt.detach())
    _same_sparse(ge.data, gt.data)
    _same_sparse(ge.coalesce(), gt.coalesce())
    _same_sparse(ge + ge, gt + gt)
    np.testing.assert_array_equal(ge.coalesce().indices().numpy(), gt.coalesce().indices().numpy())
    np.testing.assert_allclose(ge.coalesce().values().numpy(), gt.coalesce().values().numpy())
    np.testing.assert_allclose(ge.to_dense().numpy(), gt.to_dense().numpy())
    assert float(ge.sum()) == float(gt.sum())
    with pytest.raises(RuntimeError, match=r"^add\(sparse, dense\) is not supported. Use "
                                           r"add\(dense, sparse\) instead.$"):
        ge + we.detach()
    np.testing.assert_allclose((we.detach() + ge).numpy(), (wt.detach() + gt).numpy())
    np.testing.assert_allclose(ember.add(we.detach(), ge).numpy(),
                               torch.add(wt.detach(), gt).numpy())
    before = we._version
    we.data.add_(ge, alpha=-0.5)
    with torch.no_grad():
        wt.add_(gt, alpha=-0.5)
    np.testing.assert_allclose(we.detach().numpy(), wt.detach().numpy(), rtol=1e-6)
    assert we._version == before  # .data has its own counter, as torch
    p = ember.zeros(5, 3)
    with ember.no_grad():
        p.add_(ge, alpha=2.0)
    assert p._version == 1
    np.testing.assert_allclose(p.numpy(), 2 * gt.to_dense().numpy())
    ge.zero_()
    gt.zero_()
    _same_sparse(ge, gt)
    assert repr(ge) == repr(gt)


def test_assigning_a_sparse_grad():
    we, wt = _pair()
    with pytest.raises(RuntimeError, match="attempting to assign a gradient of size"):
        we.grad = ember.sparse_coo_tensor([[1]], ember.ones(1, 3), (6, 3))
    we.grad = ember.sparse_coo_tensor([[1]], ember.ones(1, 3), (5, 3))
    assert we.grad.is_sparse
