"""embedding: rows of a weight matrix picked by integer indices, and its backward: a scatter-add,
or with sparse=True torch's sparse COO gradient (sparse_weight_grad)."""
import numpy as np

from .._backend import xp_of
from .._tensor import _make
from ._op import Op
from ._scatter import index_add_rows

__all__ = ["embedding", "embedding_renorm_"]


class Embedding(Op):
    _listed_inputs = (0,)  # the weight, not the indices (next_functions)

    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq, sparse):
        n = weight.shape[0]
        if indices.size and bool(((indices < 0) | (indices >= n)).any()):
            raise IndexError("index out of range in self")
        ctx.indices, ctx.num_weights = indices, n
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        ctx.sparse = sparse
        return ctx.xp.take(weight, indices, axis=0)

    def backward(ctx, g):
        if ctx.sparse:
            if ctx.scale_grad_by_freq:
                raise RuntimeError(SPARSE_FREQ_REFUSED)
            flat = ctx.indices.reshape(-1)
            rows = g.reshape((flat.shape[0],) + tuple(g.shape[ctx.indices.ndim:]))
            return sparse_weight_grad(rows, flat, ctx.num_weights, ctx.padding_idx)
        return EmbeddingDenseBackward.apply(g, ctx.indices, ctx.num_weights, ctx.padding_idx,
                                            ctx.scale_grad_by_freq)


SPARSE_FREQ_REFUSED = "embedding_backward: scale_grad_by_freq not supported with sparse gradients"


def sparse_weight_grad(rows, indices, num_weights, padding_idx):
    """The weight's gradient as torch builds it with sparse=True: an uncoalesced COO tensor whose
    entry k is gradient row k (rows: a Tensor, one row per lookup) at weight row indices[k] (a
    1-D array), in lookup order, the lookups of padding_idx left out. As torch's, the values
    are rows itself without padding (a view that may be strided: a later sum of two sparse
    gradients lays out its entries by that) and keep rows' graph under create_graph."""
    from ..sparse._coo import SparseCooTensor  # sparse tensors are built from ops: no cycle
    values = rows
    if padding_idx is not None:
        kept = xp_of(indices).flatnonzero(indices != padding_idx)
        indices = indices[kept]
        values = rows.index_select(0, _make(kept))
    positions = _make(indices.reshape(1, -1).astype(np.int64))
    return SparseCooTensor(positions, values, (num_weights,) + tuple(rows.shape[1:]))


class EmbeddingDenseBackward(Op):
    """grad_weight[v] = sum of the gradient rows whose index is v (the padding row gets none);
    linear in the gradient, so its own backward gathers rows again."""

    def forward(ctx, g, indices, num_weights, padding_idx, scale_grad_by_freq):
        xp = ctx.xp
        ctx.indices = indices
        flat = indices.reshape(-1)
        rows = g.reshape((flat.size,) + g.shape[indices.ndim:])
        ctx.row_scale = _row_scale(xp, flat, num_weights, padding_idx, scale_grad_by_freq,
                                   rows.dtype)
        if ctx.row_scale is not None:
            rows = rows * ctx.row_scale.reshape((-1,) + (1,) * (rows.ndim - 1))
        out = xp.zeros((num_weights,) + rows.shape[1:], rows.dtype)
        return index_add_rows(xp, out, flat, rows)

    def backward(ctx, gg):
        picked = Embedding.apply(gg, _make(ctx.indices), None, False, False)
        if ctx.row_scale is not None:
            shape = ctx.indices.shape + (1,) * (gg.dim() - 1)
            picked = picked * _make(ctx.row_scale.reshape(shape))
        return picked


def _row_scale(xp, flat, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """Per-index factor on the gradient rows: 0 for the padding index, 1/count of the index with
    scale_grad_by_freq; None when every factor is 1."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    scale = xp.ones(flat.shape, dtype)
    if scale_grad_by_freq:
        scale /= xp.bincount(flat, minlength=num_weights)[flat].astype(dtype)
    if padding_idx is not None:
        scale[flat == padding_idx] = 0
    return scale


def embedding_renorm_(weight, indices, max_norm, norm_type):
    """Rescale, in place and without autograd, the rows of weight picked by indices whose
    norm_type-norm exceeds max_norm down to max_norm (PyTorch's 1e-7 slack included)."""
    w = weight._data
    xp = xp_of(w)
    rows = xp.unique(indices._data.reshape(-1))
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    w[rows[big]] *= (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
    weight._vc[0] += 1
    return weight


def embedding(weight, input, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding(weight, indices): weight[indices], with padding_idx (-1 for none, as in
    PyTorch's op) getting no gradient; with sparse the weight's gradient is a sparse COO tensor
    (sparse_weight_grad)."""
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    pad = None if padding_idx is None or padding_idx < 0 else int(padding_idx)
    return Embedding.apply(weight, input, pad, bool(scale_grad_by_freq), bool(sparse))
