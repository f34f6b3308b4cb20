"""OpInfo entries for triangular.py, tiling.py, pairwise.py and ordering.py."""
import numpy as np

from . import OpInfo


def _cum(ufunc):
    def ref(a, dim=1):
        v = ufunc.accumulate(a, axis=dim)
        pos = np.arange(a.shape[dim]).reshape((-1,) + (1,) * (a.ndim - dim - 1))
        return v, np.maximum.accumulate(np.where(a == v, pos, 0), axis=dim)
    return ref


def _kth(a, k=2, dim=0):
    idx = np.argsort(a, axis=dim, kind="stable").take([k - 1], axis=dim)
    return np.take_along_axis(a, idx, dim).squeeze(dim), idx.squeeze(dim)


def _sorted_and_values(rng, dtype, shapes):
    seq = np.sort(rng.uniform(-2, 2, size=shapes[0]), axis=-1).astype(dtype)
    return [seq, rng.uniform(-2, 2, size=shapes[1]).astype(dtype)]


def _cdist(a, b, p=2.0):
    d = np.abs(a[..., :, None, :] - b[..., None, :, :])
    return d.max(-1) if p == np.inf else (d ** p).sum(-1) ** (1 / p)


def _diag_embed(a, offset=0):
    n = a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n))
    for i in np.ndindex(a.shape[:-1]):
        out[i] = np.diag(a[i], offset)
    return out


OPS = [
    # triangles and diagonals
    OpInfo("tril", lambda m, a: m.tril(a), [((3, 4),), ((2, 3, 3),)], ref=np.tril,
           grad_fn="TrilBackward0",
           error_inputs=(lambda m: m.tril(m.ones(3)),)),
    OpInfo("tril_diag", lambda m, a: a.tril(diagonal=-1), [((3, 4),)],
           ref=lambda a: np.tril(a, -1), grad_fn="TrilBackward0"),
    OpInfo("triu", lambda m, a: m.triu(a, 1), [((4, 3),), ((2, 3, 3),)],
           ref=lambda a: np.triu(a, 1), grad_fn="TriuBackward0",
           error_inputs=(lambda m: m.triu(m.ones(3)),)),
    OpInfo("diagonal", lambda m, a: m.diagonal(a), [((3, 4),)], ref=np.diagonal,
           grad_fn="DiagonalBackward0",
           error_inputs=(lambda m: m.diagonal(m.ones(2, 3), 0, 0, 0),)),
    OpInfo("diagonal_offset_dims", lambda m, a: a.diagonal(offset=-1, dim1=2, dim2=0),
           [((3, 2, 4),)], ref=lambda a: np.diagonal(a, -1, 2, 0), grad_fn="DiagonalBackward0"),
    OpInfo("diagonal_offset_big", lambda m, a: a.diagonal(5), [((3, 4),)],
           ref=lambda a: np.diagonal(a, 5), grad_fn="DiagonalBackward0"),
    OpInfo("diag_vector", lambda m, a: m.diag(a, 1), [((3,),)], ref=lambda a: np.diag(a, 1),
           grad_fn="DiagEmbedBackward0"),
    OpInfo("diag_matrix", lambda m, a: a.diag(-1), [((3, 4),)], ref=lambda a: np.diag(a, -1),
           grad_fn="DiagonalBackward0_copy"),
    OpInfo("diag_embed", lambda m, a: m.diag_embed(a), [((2, 3),)], ref=_diag_embed,
           grad_fn="DiagEmbedBackward0"),
    OpInfo("diag_embed_dims", lambda m, a: m.diag_embed(a, offset=1, dim1=0, dim2=2),
           [((2, 3),)], ref=lambda a: np.moveaxis(_diag_embed(a, 1), 0, 1),
           grad_fn="DiagEmbedBackward0"),
    OpInfo("trace", lambda m, a: a.trace(), [((3, 4),), ((3, 3),)], ref=np.trace,
           grad_fn="TraceBackward0",
           error_inputs=(lambda m: m.trace(m.ones(2, 2, 2)),)),
    OpInfo("trace_int", lambda m, a: m.trace(a), [((3, 3),)], ref=np.trace,
           input_dtypes=("int64",), grad=False, int_high=5),
    # layouts
    OpInfo("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2), [((2, 3),)],
           ref=lambda a: np.repeat(a, 2), grad_fn="ViewBackward0",
           error_inputs=(lambda m: m.repeat_interleave(m.ones(2, 3), m.tensor([1, 2]), 1),)),
    OpInfo("repeat_interleave_dim", lambda m, a: a.repeat_interleave(3, dim=-1), [((2, 2),)],
           ref=lambda a: np.repeat(a, 3, axis=-1), grad_fn="ViewBackward0"),
    OpInfo("repeat_interleave_tensor",
           lambda m, a: a.repeat_interleave(m.tensor([1, 0, 2], device=a.device), dim=1), [((2, 3),)],
           ref=lambda a: np.repeat(a, [1, 0, 2], axis=1), grad_fn="IndexSelectBackward0"),
    OpInfo("meshgrid_ij", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), [((3,), (2,))],
           ref=lambda a, b: np.meshgrid(a, b, indexing="ij"), grad_fn="ExpandBackward0"),
    OpInfo("meshgrid_xy", lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"),
           [((3,), (2,), ())], ref=lambda a, b, c: np.meshgrid(a, b, c, indexing="xy"),
           grad_fn="ExpandBackward0"),
    OpInfo("kron", lambda m, a, b: m.kron(a, b), [((2, 3), (2, 2)), ((3,), (2, 2))],
           ref=np.kron, grad_fn="UnsafeViewBackward0",
           error_inputs=(lambda m: m.kron(m.ones(2, 3), [1.0]),)),
    OpInfo("atleast_1d", lambda m, a: m.atleast_1d(a), [((),)], ref=np.atleast_1d,
           grad_fn="ViewBackward0"),
    OpInfo("atleast_2d", lambda m, a, b: m.atleast_2d(a, b), [((3,), ())],
           ref=lambda a, b: np.atleast_2d(a, b), grad_fn="UnsqueezeBackward0"),
    OpInfo("atleast_3d", lambda m, a, b, c: m.atleast_3d([a, b, c]), [((3,), (2, 3), ())],
           ref=lambda a, b, c: np.atleast_3d(a, b, c), grad_fn="UnsqueezeBackward0"),
    OpInfo("dstack", lambda m, a, b: m.dstack([a, b]), [((3,), (3,)), ((2, 2), (2, 2, 2))],
           ref=lambda a, b: np.dstack([a, b]), grad_fn="CatBackward0"),
    OpInfo("column_stack", lambda m, a, b, c: m.column_stack((a, b, c)),
           [((3,), (3, 2), (3,))], ref=lambda a, b, c: np.column_stack([a, b, c]),
           grad_fn="CatBackward0"),
    # pairs
    OpInfo("cross", lambda m, a, b: m.cross(a, b, dim=1), [((2, 3), (2, 3)), ((4, 3, 2),
                                                                                  (1, 3, 2))],
           ref=lambda a, b: np.cross(a, b, axis=1), grad_fn="LinalgCrossBackward0",
           error_inputs=(lambda m: m.cross(m.ones(2, 4), m.ones(2, 4), 1),
                         lambda m: m.cross(m.ones(2, 3), m.ones(3, 3), 1),)),
    OpInfo("logaddexp", lambda m, a, b: m.logaddexp(a, b), [((2, 3), (3,))],
           ref=np.logaddexp, grad_fn="LogaddexpBackward0", domain=(-20.0, 20.0)),
    OpInfo("logaddexp2", lambda m, a, b: a.logaddexp2(b), [((2, 3), (2, 3))],
           ref=np.logaddexp2, grad_fn="Logaddexp2Backward0"),
    OpInfo("cdist", lambda m, a, b: m.cdist(a, b), [((3, 2), (4, 2)), ((2, 3, 3), (1, 2, 3))],
           ref=_cdist, grad_fn="CdistBackward0",
           error_inputs=(lambda m: m.cdist(m.ones(2, 3), m.ones(4, 2)),)),
    OpInfo("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1), [((3, 2), (4, 2))],
           ref=lambda a, b: _cdist(a, b, 1.0), grad_fn="CdistBackward0", gradgrad=False),
    OpInfo("cdist_p3", lambda m, a, b: m.cdist(a, b, p=3), [((3, 2), (4, 2))],
           ref=lambda a, b: _cdist(a, b, 3.0), grad_fn="CdistBackward0"),
    OpInfo("cdist_pinf", lambda m, a, b: m.cdist(a, b, p=float("inf")), [((3, 2), (4, 2))],
           ref=lambda a, b: _cdist(a, b, np.inf), grad_fn="CdistBackward0", gradgrad=False),
    # order statistics and searches
    OpInfo("cummax", lambda m, a: m.cummax(a, 1), [((3, 4),)], ref=_cum(np.maximum),
           grad_fn="CummaxBackward0",
           error_inputs=(lambda m: m.cummax(m.ones(2, 3), 2),)),
    OpInfo("cummin", lambda m, a: a.cummin(dim=-1), [((2, 5),)], ref=_cum(np.minimum),
           grad_fn="CumminBackward0"),
    OpInfo("kthvalue", lambda m, a: m.kthvalue(a, 2, 0), [((3, 4),)], ref=_kth,
           grad_fn="KthvalueBackward0",
           error_inputs=(lambda m: m.kthvalue(m.ones(2, 3), 4, 1),)),
    OpInfo("kthvalue_keepdim", lambda m, a: a.kthvalue(3, dim=-1, keepdim=True), [((2, 4),)],
           ref=lambda a: tuple(np.expand_dims(r, -1) for r in _kth(a, 3, -1)),
           grad_fn="KthvalueBackward0"),
    OpInfo("searchsorted", lambda m, s, v: m.searchsorted(s, v), [((5,), (2, 3))],
           make_inputs=_sorted_and_values, grad=False, ref=lambda s, v: np.searchsorted(s, v),
           error_inputs=(lambda m: m.searchsorted(m.ones(2, 3), m.ones(3, 2)),)),
    OpInfo("searchsorted_rows", lambda m, s, v: m.searchsorted(s, v, right=True),
           [((2, 5), (2, 3))], make_inputs=_sorted_and_values, grad=False,
           ref=lambda s, v: np.stack([np.searchsorted(r, x, "right") for r, x in zip(s, v)])),
    OpInfo("bucketize", lambda m, s, v: m.bucketize(v, s), [((5,), (4,))],
           make_inputs=_sorted_and_values, grad=False,
           ref=lambda s, v: np.searchsorted(s, v)),
]
