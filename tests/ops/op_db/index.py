"""OpInfo entries for ember/ops/index.py, scatter_gather.py and sorting.py (index tensors are
built inside fn, for either module)."""
import numpy as np

from . import OpInfo

_G = [[0, 2], [1, 1], [3, 0]]          # gather index for a (3, 4) input along dim 1
_S = [[0, 2], [3, 1], [1, 0]]          # scatter index: no repeats (which write wins is unspecified)
_MASK = [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
_ROWS = [2, 0, 2]                      # a repeated row: its gradient must accumulate


_R = [[0, 0, 2], [1, 1, 1]]            # scatter_reduce index: repeated targets in both rows


def _np_scatter_reduce(a, s, reduce, include_self):
    """The reduction of each target's values (a's own first where include_self), by loops."""
    out = a.copy()
    fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce]
    for i, row in enumerate(_R):
        for t in set(row):
            vals = [s[i, j] for j, r in enumerate(row) if r == t]
            out[i, t] = fn(([a[i, t]] if include_self else []) + vals)
    return out


def _np_put(a, index, v):
    out = a.copy()
    out[tuple(np.array(i) for i in index)] = v
    return out


def _np_slice_put(a, key, v):
    out = a.copy()
    out[key] = v
    return out


def _np_add_at(a, index, v):
    out = a.copy()
    idx = tuple(np.array(i) for i in index)
    np.add.at(out, idx, np.broadcast_to(v, out[idx].shape))
    return out


def _on(m, like, data):
    """An index or mask tensor on like's device (CUDA runs index CUDA tensors)."""
    return m.tensor(data, device=like.device)


def _mask(m, like):
    return _on(m, like, _MASK)


def _np_scatter(a, index, src, dim=1):
    out = a.copy()
    for i in range(index.shape[0]):
        for j in range(index.shape[1]):
            pos = [i, j]
            pos[dim] = index[i, j]
            out[tuple(pos)] = src[i, j] if np.ndim(src) else src
    return out


def _np_scatter_add(a, index, src):
    out = a.copy()
    for (i, j), k in np.ndenumerate(index):
        out[i, k] += src[i, j]
    return out


def _np_index_add(a, rows, src, alpha=1.0):
    out = a.copy()
    for n, r in enumerate(rows):
        out[r] += alpha * src[n]
    return out


OPS = [
    # getitem: basic (views) and advanced (copies)
    OpInfo("getitem_int", lambda m, a: a[1], [((3, 4),)], ref=lambda a: a[1],
           grad_fn="SelectBackward0"),
    OpInfo("getitem_int_neg", lambda m, a: a[:, -1], [((3, 4),)], ref=lambda a: a[:, -1],
           grad_fn="SelectBackward0"),
    OpInfo("getitem_slice", lambda m, a: a[0:2], [((3, 4),)], ref=lambda a: a[0:2],
           grad_fn="SliceBackward0"),
    OpInfo("getitem_slice_step", lambda m, a: a[:, 1::2], [((3, 4),)], ref=lambda a: a[:, 1::2],
           grad_fn="SliceBackward0"),
    OpInfo("getitem_none", lambda m, a: a[:, None], [((3, 4),)], ref=lambda a: a[:, None],
           grad_fn="UnsqueezeBackward0"),
    OpInfo("getitem_ellipsis", lambda m, a: a[..., 1], [((2, 3, 4),)], ref=lambda a: a[..., 1],
           grad_fn="SelectBackward0"),
    OpInfo("getitem_alias", lambda m, a: a[...], [((3, 4),)], ref=lambda a: a[...],
           grad_fn="AliasBackward0"),
    OpInfo("getitem_to_0d", lambda m, a: a[1, 2], [((3, 4),)], ref=lambda a: a[1, 2],
           grad_fn="SelectBackward0"),
    OpInfo("getitem_list", lambda m, a: a[[0, 2, 0]], [((3, 4),)], ref=lambda a: a[[0, 2, 0]],
           grad_fn="IndexBackward0"),
    OpInfo("getitem_tensor_2d", lambda m, a: a[_on(m, a, [[0, 1], [1, 1]])], [((3, 4),)],
           ref=lambda a: a[np.array([[0, 1], [1, 1]])], grad_fn="IndexBackward0"),
    OpInfo("getitem_mask", lambda m, a: a[_mask(m, a)], [((3, 4),)],
           ref=lambda a: a[np.array(_MASK)], grad_fn="IndexBackward0"),
    OpInfo("getitem_row_mask", lambda m, a: a[_on(m, a, [True, False, True])], [((3, 4),)],
           ref=lambda a: a[[0, 2]], grad_fn="IndexBackward0"),
    OpInfo("getitem_int_then_list", lambda m, a: a[0, :, [1, 3, 1]], [((2, 3, 4),)],
           ref=lambda a: a[0][:, [1, 3, 1]], grad_fn="IndexBackward0"),
    OpInfo("getitem_two_lists", lambda m, a: a[[0, 1, 1], :, [3, 2, 3]], [((2, 3, 4),)],
           ref=lambda a: a[[0, 1, 1], :, [3, 2, 3]], grad_fn="IndexBackward0"),
    OpInfo("getitem_adjacent_lists", lambda m, a: a[:, [0, 2], [1, 1]], [((2, 3, 4),)],
           ref=lambda a: a[:, [0, 2], [1, 1]], grad_fn="IndexBackward0"),
    OpInfo("getitem_slice_list", lambda m, a: a[1:, [2, 0, 2]], [((3, 4),)],
           ref=lambda a: a[1:, [2, 0, 2]], grad_fn="IndexBackward0"),
    # gather / scatter
    OpInfo("gather", lambda m, a: a.gather(1, _on(m, a, _G)), [((3, 4),)],
           ref=lambda a: np.take_along_axis(a, np.array(_G), 1), grad_fn="GatherBackward0",
           error_inputs=(lambda m: m.gather(m.ones(2, 3), 1, m.tensor([[0, 3]])),
                         lambda m: m.gather(m.ones(2, 3), 1, m.tensor([[0.0]])),)),
    OpInfo("gather_dim0", lambda m, a: m.gather(a, 0, _on(m, a, [[2, 0, 0, 1]])), [((3, 4),)],
           ref=lambda a: np.take_along_axis(a, np.array([[2, 0, 0, 1]]), 0),
           grad_fn="GatherBackward0"),
    OpInfo("gather_0d", lambda m, a: a.gather(0, _on(m, a, 0)), [((),)], ref=lambda a: a,
           grad_fn="GatherBackward0"),
    OpInfo("scatter_src", lambda m, a, s: a.scatter(1, _on(m, a, _S), s), [((3, 4), (3, 2))],
           ref=lambda a, s: _np_scatter(a, np.array(_S), s), grad_fn="ScatterBackward0"),
    OpInfo("scatter_value", lambda m, a: m.scatter(a, 1, _on(m, a, _G), 1.5), [((3, 4),)],
           ref=lambda a: _np_scatter(a, np.array(_G), 1.5), grad_fn="ScatterBackward1"),
    OpInfo("scatter_add", lambda m, a, s: a.scatter_add(1, _on(m, a, [[0, 0], [1, 3], [2, 2]]), s),
           [((3, 4), (3, 2))], ref=lambda a, s: _np_scatter_add(a, np.array([[0, 0], [1, 3],
                                                                            [2, 2]]), s),
           grad_fn="ScatterAddBackward0",
           error_inputs=(lambda m: m.ones(2, 3).scatter_add(1, m.tensor([[0, 5]]),
                                                            m.ones(1, 2)),)),
    # index_*
    OpInfo("index_select", lambda m, a: a.index_select(0, _on(m, a, _ROWS)), [((3, 4),)],
           ref=lambda a: a[_ROWS], grad_fn="IndexSelectBackward0",
           error_inputs=(lambda m: m.index_select(m.ones(2, 3), 1, m.tensor([3])),
                         lambda m: m.index_select(m.ones(2, 3), 1, m.tensor([0.0])),)),
    OpInfo("index_select_dim1", lambda m, a: m.index_select(a, -1, _on(m, a, [3, 3, 0])),
           [((2, 4),)], ref=lambda a: a[:, [3, 3, 0]], grad_fn="IndexSelectBackward0"),
    OpInfo("index_select_0d", lambda m, a: a.index_select(0, _on(m, a, [0])), [((),)],
           ref=lambda a: a, grad_fn="IndexSelectBackward0"),
    OpInfo("index_add", lambda m, a, s: a.index_add(0, _on(m, a, _ROWS), s, alpha=2.0),
           [((3, 4), (3, 4))], ref=lambda a, s: _np_index_add(a, _ROWS, s, 2.0),
           grad_fn="IndexAddBackward0",
           error_inputs=(lambda m: m.ones(2, 3).index_add(0, m.tensor([0]), m.ones(1, 4)),)),
    OpInfo("index_add_dim1", lambda m, a, s: a.index_add(1, _on(m, a, [1, 1]), s),
           [((3, 4), (3, 2))], ref=lambda a, s: _np_index_add(a.T, [1, 1], s.T).T,
           grad_fn="IndexAddBackward0"),
    OpInfo("index_fill", lambda m, a: a.index_fill(1, _on(m, a, [0, 2]), -1.0), [((3, 4),)],
           ref=lambda a: np.where(np.isin(np.arange(4), [0, 2]), -1.0, a),
           grad_fn="IndexFillBackward0"),
    OpInfo("index_fill_tensor", lambda m, a, v: a.index_fill(1, _on(m, a, [0, 2, 0]), v),
           [((3, 4), ())], ref=lambda a, v: np.where(np.isin(np.arange(4), [0, 2]), v, a),
           grad_fn="IndexFillBackward1"),
    OpInfo("index_copy", lambda m, a, s: a.index_copy(0, _on(m, a, [2, 0]), s),
           [((3, 4), (2, 4))], ref=lambda a, s: np.stack([s[1], a[1], s[0]]),
           grad_fn="IndexCopyBackward0"),
    # masked_*
    OpInfo("masked_fill", lambda m, a: a.masked_fill(_mask(m, a), 0.5), [((3, 4),)],
           ref=lambda a: np.where(np.array(_MASK), 0.5, a), grad_fn="MaskedFillBackward0",
           error_inputs=(lambda m: m.ones(2, 3).masked_fill(m.ones(2, 3), 0.0),
                         lambda m: m.ones(2, 3).masked_fill(m.ones(4) > 0, 0.0),)),
    OpInfo("masked_fill_broadcast",
           lambda m, a: m.masked_fill(a, _on(m, a, [True, False, False, True]), -2.0), [((3, 4),)],
           ref=lambda a: np.where([True, False, False, True], -2.0, a),
           grad_fn="MaskedFillBackward0"),
    OpInfo("masked_fill_mask_broadcasts_input",  # the result takes the mask's larger shape
           lambda m, a: m.masked_fill(a, _mask(m, a), -2.0), [((1, 4),)],
           ref=lambda a: np.where(np.array(_MASK), -2.0, a), grad_fn="MaskedFillBackward0"),
    OpInfo("masked_fill_tensor", lambda m, a, v: a.masked_fill(_mask(m, a), v), [((3, 4), ())],
           ref=lambda a, v: np.where(np.array(_MASK), v, a), grad_fn="MaskedFillBackward1"),
    OpInfo("masked_select", lambda m, a: a.masked_select(_mask(m, a)), [((3, 4),)],
           ref=lambda a: a[np.array(_MASK)], grad_fn="MaskedSelectBackward0"),
    OpInfo("masked_select_broadcast",
           lambda m, a: m.masked_select(a, _on(m, a, [True, False, True, True])), [((3, 4),)],
           ref=lambda a: a[:, [0, 2, 3]].reshape(-1), grad_fn="MaskedSelectBackward0"),
    OpInfo("masked_scatter", lambda m, a, s: a.masked_scatter(_mask(m, a), s),
           [((3, 4), (8,)), ((3, 4), (2, 5))],
           ref=lambda a, s: _np_masked_scatter(a, s), grad_fn="MaskedScatterBackward0"),
    OpInfo("take", lambda m, a: a.take(_on(m, a, [[0, 11], [-1, 5]])), [((3, 4),)],
           ref=lambda a: a.reshape(-1)[[[0, 11], [-1, 5]]], grad_fn="TakeBackward0",
           error_inputs=(lambda m: m.take(m.ones(2, 3), m.tensor([6])),)),
    # sorting
    OpInfo("sort", lambda m, a: a.sort(), [((3, 4),), ((5,),)],
           ref=lambda a: (np.sort(a, -1), np.argsort(a, -1)), grad_fn="SortBackward0",
           error_inputs=(lambda m: m.sort(m.ones(2, 3), 2),)),
    OpInfo("sort_desc_dim0", lambda m, a: m.sort(a, 0, descending=True), [((3, 4),)],
           ref=lambda a: (-np.sort(-a, 0), np.argsort(-a, 0)), grad_fn="SortBackward0"),
    OpInfo("topk", lambda m, a: a.topk(2), [((3, 4),)],
           ref=lambda a: (-np.sort(-a, -1)[:, :2], np.argsort(-a, -1)[:, :2]),
           grad_fn="TopkBackward0",
           error_inputs=(lambda m: m.topk(m.ones(2, 3), 4),)),
    OpInfo("topk_smallest_dim0", lambda m, a: m.topk(a, 2, dim=0, largest=False), [((3, 4),)],
           ref=lambda a: (np.sort(a, 0)[:2], np.argsort(a, 0)[:2]), grad_fn="TopkBackward0"),
    # scatter_reduce: repeated targets, every reduction, with and without self
    *[OpInfo(f"scatter_reduce_{r}{'' if incl else '_noself'}",
             lambda m, a, s, r=r, incl=incl: a.scatter_reduce(1, _on(m, a, _R), s, r,
                                                               include_self=incl),
             [((2, 4), (2, 3))], ref=lambda a, s, r=r, incl=incl: _np_scatter_reduce(a, s, r, incl),
             grad_fn="ScatterReduceBackward0", kinks_ok=r in ("amax", "amin"))
      for r in ("sum", "prod", "mean", "amax", "amin") for incl in (True, False)],
    OpInfo("scatter_reduce_fn_dim0", lambda m, a, s: m.scatter_reduce(a, 0, _on(m, a, [[1, 1, 0]]),
                                                                     s, "sum"),
           [((2, 3), (1, 3))], ref=lambda a, s: a + np.array([[0, 0, s[0, 2]], [s[0, 0], s[0, 1], 0]]),
           grad_fn="ScatterReduceBackward0"),
    # a 0-d index into a 1-D input
    OpInfo("gather_0d_index", lambda m, a: m.gather(a, 0, _on(m, a, 2)), [((4,),)],
           ref=lambda a: a[2], grad_fn="GatherBackward0"),
    OpInfo("scatter_0d_index", lambda m, a, s: a.scatter(0, _on(m, a, 1), s), [((4,), ())],
           ref=lambda a, s: np.concatenate([a[:1], [s], a[2:]]), grad_fn="ScatterBackward0"),
    OpInfo("scatter_add_0d_index", lambda m, a, s: a.scatter_add(0, _on(m, a, 3), s),
           [((4,), ())], ref=lambda a, s: a + np.array([0, 0, 0, s]),
           grad_fn="ScatterAddBackward0"),
    # a Python range as an index ("x[range(n), y]")
    OpInfo("getitem_range", lambda m, a: a[range(3), _on(m, a, [1, 0, 3])], [((3, 4),)],
           ref=lambda a: a[np.arange(3), [1, 0, 3]], grad_fn="IndexBackward0"),
    OpInfo("take_along_dim", lambda m, a: m.take_along_dim(a, _on(m, a, [[0], [2], [1]]), 1),
           [((3, 4),)], ref=lambda a: np.take_along_axis(a, np.array([[0], [2], [1]]), 1),
           grad_fn="GatherBackward0"),
    OpInfo("take_along_dim_broadcast", lambda m, a: a.take_along_dim(_on(m, a, [[2, 0, 1, 1]]), 0),
           [((3, 1),)], ref=lambda a: np.take_along_axis(np.broadcast_to(a, (3, 4)),
                                                         np.array([[2, 0, 1, 1]]), 0),
           grad_fn="GatherBackward0"),
    OpInfo("take_along_dim_flat", lambda m, a: m.take_along_dim(a, _on(m, a, [5, 0, 5])),
           [((2, 3),)], ref=lambda a: a.reshape(-1)[[5, 0, 5]], grad_fn="GatherBackward0"),
    OpInfo("argwhere", lambda m, a: m.argwhere(a), [((3, 4),), ((),)], ref=np.argwhere,
           grad=False, input_dtypes=("int64",)),
    # index_put / put, writing and accumulating (repeated positions)
    OpInfo("index_put", lambda m, a, v: m.index_put(a, (_on(m, a, [0, 2]), _on(m, a, [1, 3])), v),
           [((3, 4), (2,)), ((3, 4), ())],
           ref=lambda a, v: _np_put(a, ([0, 2], [1, 3]), v), grad_fn="IndexPutBackward0"),
    OpInfo("index_put_accumulate",
           lambda m, a, v: a.index_put((_on(m, a, [0, 0, 2]),), v, accumulate=True),
           [((3, 4), (3, 4)), ((3, 4), (4,))],
           ref=lambda a, v: _np_add_at(a, ([0, 0, 2],), v), grad_fn="IndexPutBackward0"),
    OpInfo("put", lambda m, a, s: a.put(_on(m, a, [[1, -1], [4, 0]]), s), [((3, 4), (2, 2))],
           ref=lambda a, s: _np_put(a.reshape(-1), ([1, -1, 4, 0],), s.reshape(-1)).reshape(3, 4),
           grad_fn="PutBackward0"),
    OpInfo("put_accumulate", lambda m, a, s: m.put(a, _on(m, a, [1, 1, -1]), s, accumulate=True),
           [((3, 4), (3,))],
           ref=lambda a, s: _np_add_at(a.reshape(-1), ([1, 1, -1],), s).reshape(3, 4),
           grad_fn="PutBackward0"),
    OpInfo("unravel_index", lambda m, a: m.unravel_index(a * 7 - 20, (3, 2, 4)), [((2, 5),)],
           ref=lambda a: np.unravel_index((a * 7 - 20) % 24, (3, 2, 4)), grad=False,
           input_dtypes=("int64",), int_high=6),
    OpInfo("slice_scatter", lambda m, a, s: m.slice_scatter(a, s, 1, 0, 4, 2),
           [((3, 4), (3, 2))], ref=lambda a, s: _np_slice_put(a, (slice(None), slice(0, 4, 2)), s),
           grad_fn="SliceScatterBackward0"),
    OpInfo("slice_scatter_default", lambda m, a, s: a.slice_scatter(s, start=2),
           [((3, 4), (1, 4))], ref=lambda a, s: _np_slice_put(a, (slice(2, None),), s),
           grad_fn="SliceScatterBackward0"),
    OpInfo("select_scatter", lambda m, a, s: m.select_scatter(a, s, 0, -1), [((3, 4), (4,))],
           ref=lambda a, s: _np_slice_put(a, (-1,), s), grad_fn="SelectScatterBackward0"),
]


def _np_masked_scatter(a, s):
    out = a.copy()
    mask = np.array(_MASK)
    out[mask] = s.reshape(-1)[:mask.sum()]
    return out
