"""Indexing behaviour beyond the op table: views and versions, setitem, in-place methods, errors,
accumulation of repeated indices, and the non-differentiable ops (nonzero, argsort, unique)."""
import warnings

import numpy as np
import pytest

import ember
from ember.testing import assert_close


def _pair(torch, array, requires_grad=False):
    e = ember.tensor(array, requires_grad=requires_grad)
    t = torch.tensor(array, requires_grad=requires_grad)
    return e, t


def _raises_like(torch, fn):
    """fn(ember) raises the exception type fn(torch) raises, with the same message."""
    with pytest.raises(Exception) as want, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation of list keys read as tuples
        fn(torch)
    with pytest.raises(type(want.value)) as got:
        fn(ember)
    assert str(got.value) == str(want.value)


# -- getitem ------------------------------------------------------------------------------------

def test_basic_index_is_a_view_sharing_memory_and_version():
    x = ember.arange(12.0).reshape(3, 4)
    row = x[1]
    row.zero_()
    assert x[1].tolist() == [0.0, 0.0, 0.0, 0.0]
    col = x[:, 2]
    x.add_(1.0)
    assert col.tolist() == [3.0, 1.0, 11.0]
    assert col._vc is x._vc  # one version counter


def test_advanced_index_is_a_copy():
    x = ember.arange(6.0)
    picked = x[[0, 1]]
    picked.zero_()
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_inplace_change_of_base_invalidates_a_saved_view(torch):
    def run(m):
        w = m.ones(3, requires_grad=True)
        x = w * 1
        y = x[0:2]
        z = (y * y).sum()
        with m.no_grad():
            x.add_(1.0)
        z.backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        run(ember)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        run(torch)


@pytest.mark.parametrize("key", [
    5, -4, (0, 7), [0, 3], [[0, -5]], (slice(None), 4), (0, 0, 0), 1.5,
    (slice(None, None, -1),), (slice(None, None, 0),),
])
def test_index_errors_match_torch(torch, key):
    _raises_like(torch, lambda m: m.zeros(3, 4)[key])


def test_index_error_messages(torch):
    _raises_like(torch, lambda m: m.zeros(3, 4)[m.tensor([0.0, 1.0])])
    _raises_like(torch, lambda m: m.zeros(3, 4)[m.tensor([True, False])])
    _raises_like(torch, lambda m: m.zeros(3, 4)[m.ones(3, 3, dtype=m.bool)])
    _raises_like(torch, lambda m: m.tensor(2.0)[0])


@pytest.mark.parametrize("key", [
    (Ellipsis, None, 1), (None, Ellipsis), (1, Ellipsis, 2), ([True, False, True],),
    ([1, 0], 2), (slice(1, None), [[0], [2]], slice(None, 2)), (2, [1, 1], None),
])
def test_getitem_keys_match_torch(torch, key):
    a = np.random.default_rng(0).standard_normal((3, 4, 5))
    e, t = _pair(torch, a, requires_grad=True)
    ye, yt = e[key], t[key]
    assert_close(ye, yt)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(e.grad, t.grad)


def test_getitem_with_tensor_scalar_and_list_of_tensors(torch):
    e, t = _pair(torch, np.arange(12.0).reshape(3, 4), requires_grad=True)
    assert type(e[ember.tensor(1)].grad_fn).__name__ == "SelectBackward0"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = t[[torch.tensor([0, 2]), torch.tensor([1, 3])]]
    got = e[[ember.tensor([0, 2]), ember.tensor([1, 3])]]
    assert_close(got, want)
    assert tuple(e[[]].shape) == tuple(t[[]].shape) == (0, 4)


def test_repeated_indices_accumulate_like_add_at():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((50, 8)).astype(np.float32)
    idx = rng.integers(0, 50, (40, 7))
    g = rng.standard_normal((40, 7, 8)).astype(np.float32)
    x = ember.tensor(w, requires_grad=True)
    x[ember.tensor(idx)].backward(ember.tensor(g))
    want = np.zeros_like(w)
    np.add.at(want, idx, g)
    assert x.grad.dtype == ember.float32
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-5, atol=1e-5)


def test_repeated_indices_on_an_inner_dim_accumulate(torch):
    a = np.random.default_rng(4).standard_normal((2, 5, 3))
    e, t = _pair(torch, a, requires_grad=True)
    key = (slice(None), [4, 0, 4, 4], [1, 2, 1, 1])
    (e[key] * 2).sum().backward()
    (t[key] * 2).sum().backward()
    assert_close(e.grad, t.grad)


def test_getitem_double_backward_matches_torch(torch):
    a = np.random.default_rng(5).standard_normal((4, 3))
    res = []
    for m in (ember, torch):
        x = m.tensor(a, requires_grad=True)
        y = x[[0, 0, 2]] * x[[1, 3, 3]]
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (g * g).sum().backward()
        res.append(x.grad)
    assert_close(res[0], res[1])


# -- setitem ------------------------------------------------------------------------------------

def test_setitem_without_grad_writes_and_bumps_the_version():
    x = ember.zeros(3, 4)
    v0 = x._version
    x[1] = 2.0
    x[:, 0] = ember.tensor([7.0, 8.0, 9.0])
    x[x > 8] = -1.0
    x[[0, 2], [3, 3]] = ember.tensor([5.0, 6.0])
    assert x.tolist() == [[7.0, 0.0, 0.0, 5.0], [8.0, 2.0, 2.0, 2.0], [-1.0, 0.0, 0.0, 6.0]]
    assert x._version == v0 + 4


def test_setitem_casts_to_the_tensor_dtype(torch):
    for m in (ember, torch):
        x = m.zeros(2, 3, dtype=m.int64)
        x[0] = 2.7
        x[1, 1:] = m.tensor([1.9, -3.2])
        x[:, 0] = m.tensor([4, 5], dtype=m.int32)
        assert x.dtype == m.int64
        assert x.tolist() == [[4, 2, 2], [5, 1, -3]]


def test_setitem_refuses_lists_and_arrays(torch):
    _raises_like(torch, lambda m: m.zeros(2).__setitem__(0, [1.0]))
    _raises_like(torch, lambda m: m.zeros(2, dtype=m.int64).__setitem__(0, np.ones(1)))


def test_setitem_differentiable_matches_torch(torch):
    a = np.arange(4.0)
    out = []
    for m in (ember, torch):
        v = m.tensor(a, requires_grad=True)
        w = m.tensor(np.ones((2, 4)), requires_grad=True)
        x = w * 3
        x[1] = v * 2
        x[0, [1, 3]] = v[:2]
        (x * m.arange(8.0).reshape(2, 4)).sum().backward()
        out.append((type(x.grad_fn).__name__, v.grad, w.grad, x.detach()))
    assert out[0][0] == out[1][0] == "CopySlices"
    for e, t in zip(out[0][1:], out[1][1:]):
        assert_close(e, t)


@pytest.mark.parametrize("key", [1, (slice(None), [0, 1]), ([1, 0],), (0, [1, 0]), (None, 1)])
def test_setitem_grad_fn_names(torch, key):
    names = []
    for m in (ember, torch):
        v = m.tensor([1.0, 2.0], requires_grad=True)
        x = m.zeros(2, 2)
        x[key] = v
        names.append(type(x.grad_fn).__name__)
    assert names[0] == names[1]


def test_setitem_broadcast_value_gets_summed_gradient(torch):
    res = []
    for m in (ember, torch):
        v = m.tensor([[1.0, 2.0]], requires_grad=True)
        x = m.zeros(3, 2)
        x[m.tensor([True, False, True])] = v
        (x * m.arange(6.0).reshape(3, 2)).sum().backward()
        res.append(v.grad)
    assert_close(res[0], res[1])


def test_setitem_on_a_leaf_requiring_grad(torch):
    _raises_like(torch, lambda m: m.ones(3, requires_grad=True).__setitem__(0, 2.0))
    _raises_like(torch, lambda m: m.ones(3, requires_grad=True).__setitem__([0], 2.0))
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        x[0] = 5.0
    assert x.tolist() == [5.0, 1.0, 1.0] and x.is_leaf


def test_setitem_shape_mismatch(torch):
    _raises_like(torch, lambda m: m.zeros(3, 4).__setitem__(0, m.ones(3)))
    _raises_like(torch, lambda m: m.zeros(3, 4).__setitem__([0, 1], m.ones(3)))


# -- in-place methods ---------------------------------------------------------------------------

def _inplace_chain(m, x, src):
    x.scatter_(1, m.tensor([[0], [1], [2]]), 9.0)
    x.scatter_(0, m.tensor([[2, 0]]), src[:1, :2])
    x.scatter_add_(0, m.tensor([[1, 1, 1, 1]]), src[:1])
    x.index_add_(0, m.tensor([0, 0]), src[:2], alpha=0.5)
    x.index_fill_(1, m.tensor([3]), -7.0)
    x.index_copy_(0, m.tensor([2]), src[2:])
    x.masked_fill_(x > 8, -1.0)
    x.masked_scatter_(x < -5, src.reshape(-1))
    return x


def test_inplace_methods_match_torch(torch):
    a = np.arange(12.0).reshape(3, 4)
    s = np.random.default_rng(6).standard_normal((3, 4))
    e = _inplace_chain(ember, ember.tensor(a), ember.tensor(s))
    t = _inplace_chain(torch, torch.tensor(a), torch.tensor(s))
    assert_close(e, t)


def test_inplace_methods_are_differentiable_like_torch(torch):
    a = np.arange(12.0).reshape(3, 4) / 7
    s = np.random.default_rng(7).standard_normal((3, 4))
    res = []
    for m in (ember, torch):
        w = m.tensor(a, requires_grad=True)
        src = m.tensor(s, requires_grad=True)
        x = _inplace_chain(m, w * 1, src)
        (x * x).sum().backward()
        res.append((x.detach(), w.grad, src.grad))
    for e, t in zip(*res):
        assert_close(e, t)


# -- gather / scatter / index_* errors ----------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(3, 4).gather(1, m.tensor([[0.0]])),
    lambda m: m.zeros(3, 4).gather(1, m.tensor([[0, 9]])),
    lambda m: m.zeros(3, 4).gather(1, m.tensor([0, 1])),
    lambda m: m.zeros(3, 4).gather(1, m.zeros(4, 2, dtype=m.int64)),
    lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
    lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0, 1]]), m.ones(1, 1)),
    lambda m: m.zeros(3, 4).scatter(1, m.tensor([[0, 7]]), 2.0),
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([[2]])),
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([2.0])),
    lambda m: m.zeros(3, 4).index_select(1, m.tensor([7])),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([0]), m.ones(3, 2)),
    lambda m: m.zeros(3, 4).index_add(1, m.tensor([0.0]), m.ones(3, 1)),
    lambda m: m.zeros(3, 4).index_copy(1, m.tensor([0]), m.ones(3, 2)),
    lambda m: m.zeros(3, 4).index_fill(1, m.tensor([9]), 1.0),
    lambda m: m.zeros(3, 4).masked_fill(m.zeros(3, 4, dtype=m.int64), 1.0),
    lambda m: m.zeros(3, 4).masked_fill(m.zeros(3, 4, dtype=m.bool), m.ones(1)),
    lambda m: m.zeros(3, 4).masked_scatter(m.ones(3, 4, dtype=m.bool), m.ones(5)),
    lambda m: m.zeros(3).masked_scatter(m.zeros(3, dtype=m.int64), m.ones(3)),
    lambda m: m.zeros(3).masked_scatter(m.zeros(3, dtype=m.bool), m.ones(3, dtype=m.float64)),
    lambda m: m.zeros(3).masked_select(m.zeros(3, dtype=m.int64)),
    lambda m: m.zeros(3, 4).take(m.tensor([12])),
    lambda m: m.zeros(3, 4).take(m.tensor([0.0])),
    lambda m: m.zeros(3, 4).topk(5),
], ids=lambda f: "")
def test_errors_match_torch(torch, fn):
    _raises_like(torch, fn)


def test_scatter_reduce_forward_and_no_derivative(torch):
    a = np.arange(12.0).reshape(3, 4)
    index = [[0, 0], [1, 3], [2, 2]]
    for reduce in ("add", "multiply"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = torch.tensor(a).scatter(1, torch.tensor(index), torch.full((3, 2), 2.0,
                                                                              dtype=torch.float64),
                                           reduce=reduce)
        got = ember.tensor(a).scatter(1, ember.tensor(index), ember.full((3, 2), 2.0,
                                                                         dtype=ember.float64),
                                      reduce=reduce)
        assert_close(got, want)
    x = ember.tensor(a, requires_grad=True)
    y = x.scatter(1, ember.tensor(index), 2.0, reduce="add")
    assert type(y.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="not implemented"):
        y.sum().backward()


def test_index_ops_accept_int32_and_negative_indices(torch):
    a = np.arange(12.0).reshape(3, 4)
    for m in (ember, torch):
        x = m.tensor(a)
        i32 = m.tensor([[0, 3]], dtype=m.int32)
        assert x.gather(1, i32.expand(3, 2)).tolist() == [[0.0, 3.0], [4.0, 7.0], [8.0, 11.0]]
        assert x.take(m.tensor([-1, 0])).tolist() == [11.0, 0.0]
        assert x.index_fill(0, m.tensor([-1]), 0.0)[2].tolist() == [0.0] * 4


# -- sort / topk / nonzero / argsort / unique ---------------------------------------------------

def test_sort_and_topk_return_named_tuples(torch):
    x = ember.tensor([[3.0, 1.0, 2.0]])
    r = x.sort(descending=True)
    assert r.values.tolist() == [[3.0, 2.0, 1.0]] and r.indices.tolist() == [[0, 2, 1]]
    values, indices = x.topk(1)
    assert values.tolist() == [[3.0]] and indices.dtype == ember.int64
    assert type(r).__name__ == "sort" and type(x.topk(1)).__name__ == "topk"


def test_sort_is_stable_both_ways_and_puts_nan_last(torch):
    a = np.array([2.0, 1.0, 2.0, np.nan, 1.0, 2.0])
    for desc in (False, True):
        e = ember.tensor(a).sort(descending=desc, stable=True)
        t = torch.tensor(a).sort(descending=desc, stable=True)
        assert e.indices.tolist() == t.indices.tolist()
        assert_close(e.values, t.values)
        assert ember.tensor(a).argsort(descending=desc, stable=True).tolist() == \
            torch.tensor(a).argsort(descending=desc, stable=True).tolist()


def test_sort_of_integers_keeps_dtype(torch):
    a = np.array([[5, 1, 3], [0, 0, 9]], dtype=np.int64)
    e, t = ember.tensor(a).sort(dim=0, descending=True), torch.tensor(a).sort(dim=0,
                                                                              descending=True)
    assert e.values.tolist() == t.values.tolist() and e.values.dtype == ember.int64
    assert e.indices.tolist() == t.indices.tolist()


def test_topk_unsorted_picks_the_same_set(torch):
    a = np.random.default_rng(8).standard_normal((4, 9))
    for largest in (True, False):
        e = ember.tensor(a).topk(3, dim=1, largest=largest, sorted=False)
        t = torch.tensor(a).topk(3, dim=1, largest=largest, sorted=True)
        np.testing.assert_allclose(np.sort(e.values.numpy(), 1), np.sort(t.values.numpy(), 1))
        np.testing.assert_array_equal(np.sort(e.indices.numpy(), 1),
                                      np.sort(t.indices.numpy(), 1))


def test_sort_of_0d(torch):
    for m in (ember, torch):
        x = m.tensor(2.5, requires_grad=True)
        v, i = x.sort()
        v.backward()
        assert v.item() == 2.5 and i.item() == 0 and x.grad.item() == 1.0


def test_nonzero(torch):
    a = np.array([[0, 1, 0], [2, 0, 3]])
    e, t = ember.tensor(a), torch.tensor(a)
    assert e.nonzero().tolist() == t.nonzero().tolist() and e.nonzero().dtype == ember.int64
    assert [x.tolist() for x in e.nonzero(as_tuple=True)] == \
        [x.tolist() for x in t.nonzero(as_tuple=True)]
    assert tuple(ember.nonzero(ember.tensor(3)).shape) == (1, 0)
    assert [x.tolist() for x in ember.nonzero(ember.tensor(3), as_tuple=True)] == [[0]]


def test_unique_variants(torch):
    a = np.array([[3, 1, 3], [1, 2, 3]])
    e, t = ember.tensor(a), torch.tensor(a)
    assert ember.unique(e).tolist() == torch.unique(t).tolist()
    got = e.unique(return_inverse=True, return_counts=True)
    want = t.unique(return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        assert g.tolist() == w.tolist() and g.dtype == ember.int64
    got = ember.unique(e, dim=1, return_inverse=True)
    want = torch.unique(t, dim=1, return_inverse=True)
    for g, w in zip(got, want):
        assert g.tolist() == w.tolist()


def test_float32_stays_float32_through_backward():
    x = ember.randn(5, 4, requires_grad=True)
    y = x[[0, 0, 3]].sum() + x.gather(1, ember.tensor([[0]] * 5)).sum() + x.sort()[0][0, 1]
    y.backward()
    assert y.dtype == ember.float32 and x.grad.dtype == ember.float32


@pytest.fixture
def fake_cuda():
    """ember with the NumPy-backed fake CuPy as its CUDA module (no GPU needed)."""
    from tests import _fake_cupy
    previous = _fake_cupy.install()
    yield
    _fake_cupy.uninstall(previous)


def test_cpu_index_tensor_indexes_a_cuda_tensor(fake_cuda):
    x = ember.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], device="cuda", requires_grad=True)
    y = x[ember.tensor([2, 0, 2])]
    assert str(y.device) == "cuda:0"
    y.sum().backward()
    assert x.grad.cpu().tolist() == [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]
    x.grad = None
    x[ember.tensor([True, False, True]), 1].sum().backward()
    assert x.grad.cpu().tolist() == [[0.0, 1.0], [0.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("n_idx,cols", [(96, 10), (700, 16)])  # below and above _scatter._SMALL
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_index_add_rows_adds_repeated_unsorted_rows(n_idx, cols, dtype):
    from ember.ops import _scatter
    assert (n_idx * cols <= _scatter._SMALL) == (n_idx == 96)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 27, n_idx)  # repeats, unsorted
    src = (rng.standard_normal((n_idx, cols)) * 4).astype(dtype)
    out = (rng.standard_normal((27, cols)) > 1).astype(dtype)
    want = out.copy()
    (np.logical_or if dtype == np.bool_ else np.add).at(want, idx, src)
    got = _scatter.index_add_rows(np, out, idx, src)
    assert got is out
    tol = 1e-4 if dtype == np.float32 else 1e-12  # float32 sums in another order
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol)


def test_scatter_with_an_empty_index_of_other_dims_writes_nothing():
    """torch checks an empty index for nothing but dim and src's dtype: scatter and scatter_add
    return the input (fuzzer seed 22, case 146). src's gradient is zeros of its shape (torch 2.13's
    own backward refuses its index-shaped gradient there)."""
    x = ember.arange(4.0, dtype=ember.float64).requires_grad_()
    src = ember.ones(1, 5, 4, dtype=ember.float64, requires_grad=True)
    index = ember.zeros((0, 4, 3), dtype=ember.int64)
    for fn in (ember.scatter, ember.scatter_add):
        x.grad = src.grad = None
        y = fn(x, 0, index, src)
        np.testing.assert_array_equal(y._data, [0.0, 1.0, 2.0, 3.0])
        (y * ember.arange(4.0, dtype=ember.float64)).sum().backward()
        np.testing.assert_array_equal(x.grad._data, [0.0, 1.0, 2.0, 3.0])
        assert src.grad.shape == (1, 5, 4) and not src.grad._data.any()
    assert ember.gather(x, 0, index).shape == (0, 4, 3)


_EXPANDED_WRITES = {
    "row": lambda m, x: x.__setitem__(0, 5),  # the row's elements share memory: refused
    "repeated_index": lambda m, x: x.__setitem__((m.tensor([0, 0]), Ellipsis), 7),
    "column": lambda m, x: x.__setitem__((Ellipsis, 0), 9),
    "mask": lambda m, x: x.__setitem__(m.tensor([[True, False]] * 4), 0),
    "slice_of_column": lambda m, x: x.__setitem__((slice(1, 3), 1), m.tensor([8, 9])),
    "pairs": lambda m, x: x.__setitem__((m.tensor([1, 2]), m.tensor([0, 1])), m.tensor([5, 6])),
}


@pytest.mark.parametrize("name", sorted(_EXPANDED_WRITES))
def test_setitem_into_an_expanded_tensor_writes_its_shared_memory(torch, name):
    """torch writes through indexing into an expanded tensor's shared memory (an indexed write
    with its deprecation warning) and refuses only a view whose own elements share memory
    (fuzzer seeds 25, 30-45)."""
    outcomes = []
    for lib in (ember, torch):
        x = lib.tensor([[1], [2], [3], [4]]).expand(4, 2)
        outcomes.append(_write_outcome(x, lambda: _EXPANDED_WRITES[name](lib, x)))
    assert outcomes[0] == outcomes[1]


def _write_outcome(x, write):
    """(x's values after write(), or the RuntimeError's message; whether torch's deprecation
    warning for writes into expanded tensors was given)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            write()
            outcome = x.tolist()
        except RuntimeError as exc:
            outcome = str(exc)
    return outcome, any("on expanded tensors is deprecated" in str(w.message) for w in caught)


_EXPANDED_MASKED_FILLS = {
    "one_element": lambda m: ([[True, False, False, False], [False] * 4, [False] * 4], 5.0),
    "expanded_mask": lambda m: (m.tensor([[True], [False], [False]]).expand(3, 4), 5.0),
    "broadcast_mask": lambda m: ([False, True, False, False], m.tensor(-1.0)),
    "larger_mask": lambda m: (m.ones(2, 3, 4, dtype=m.bool), 1.0),
}


@pytest.mark.parametrize("name", sorted(_EXPANDED_MASKED_FILLS))
def test_masked_fill_into_an_expanded_tensor_writes_its_shared_memory(torch, name):
    """torch's masked_fill_ writes an expanded tensor's shared memory, with its deprecation
    warning (fuzzer seeds 30, 31)."""
    outcomes = []
    for lib in (ember, torch):
        x = lib.tensor([[1.0], [2.0], [3.0]]).expand(3, 4)
        mask, value = _EXPANDED_MASKED_FILLS[name](lib)
        mask = mask if isinstance(mask, lib.Tensor) else lib.tensor(mask)
        outcomes.append(_write_outcome(x, lambda: x.masked_fill_(mask, value)))
    assert outcomes[0] == outcomes[1]


_INDEXED_WRITES_INTO_EMPTY = {
    "fill_empty_dim": lambda m: m.index_fill(m.zeros(0, dtype=m.float16), -1, m.tensor([0, -1]), 1.5),
    "fill_other_dim_empty": lambda m: m.index_fill(m.zeros(0, 3), 1, m.tensor([5]), 1.0),
    "copy_empty_dim": lambda m: m.index_copy(m.zeros(0, 4), -2, m.tensor([0, 1]), m.ones(2, 4)),
    "copy_other_dim_empty": lambda m: m.index_copy(m.zeros(3, 0), 0, m.tensor([5]), m.ones(1, 0)),
    "add_empty": lambda m: m.index_add(m.zeros(0, 2), 0, m.tensor([1]), m.ones(1, 2)),
}


@pytest.mark.parametrize("name", sorted(_INDEXED_WRITES_INTO_EMPTY))
def test_index_fill_copy_add_into_an_empty_tensor(torch, name):
    """Into an empty tensor torch writes nowhere and checks no index, except along an empty dim,
    where index_fill/index_copy fail to view the empty storage (a RuntimeError whose internal
    message ember does not copy; fuzzer seeds 31-34)."""
    outcomes = []
    for lib in (ember, torch):
        try:
            outcomes.append(tuple(_INDEXED_WRITES_INTO_EMPTY[name](lib).shape))
        except RuntimeError as exc:
            outcomes.append(type(exc).__name__)
    assert outcomes[0] == outcomes[1]
