"""embedding_bag: the sum, mean or maximum of bags of embedding rows, one node for the lookup and
the reduction. A bag is a run of 1-D indices starting at an offset, or a row of 2-D indices;
indices equal to padding_idx are left out of their bag, and an empty bag gives zeros."""
import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import Tensor, _make
from ._op import Op
from ._scatter import index_add_rows
from .embedding import (SPARSE_FREQ_REFUSED, EmbeddingDenseBackward, embedding_renorm_,
                        sparse_weight_grad)

__all__ = ["embedding_bag"]

_MODES = ("sum", "mean", "max")
_INDEX_CHECK = ("Expected i < index_size to be true, but got false.  (Could this error message "
                "be improved?  If so, please report an enhancement request to PyTorch.)")


class EmbeddingBag(Op):
    """weight (V, D) reduced over bags: indices, bag_of (each index's bag) and keep (whether it
    counts: inside its bag and not padding) are 1-D host-or-device arrays of one length."""
    _listed_inputs = (0, 1)  # weight, per_sample_weights (next_functions)

    def forward(ctx, weight, psw, indices, bag_of, keep, n_bags, mode, padding_idx,
                scale_grad_by_freq, sparse):
        xp = ctx.xp
        indices, bag_of, keep = (xp.asarray(a) for a in (indices, bag_of, keep))  # to weight's
        dim = weight.shape[1]
        rows = xp.take(weight, indices, axis=0)
        ctx.indices, ctx.bag_of, ctx.keep, ctx.mode = indices, bag_of, keep, mode
        ctx.padding_idx, ctx.scale_grad_by_freq, ctx.num_weights = (padding_idx,
                                                                     scale_grad_by_freq,
                                                                     weight.shape[0])
        ctx.sparse = sparse
        ctx.save_for_backward(weight, psw)
        if mode == "max":
            out, ctx.argmax, ctx.has_max = _bag_max(xp, rows, bag_of, keep, indices, n_bags)
            return out
        if psw is not None:
            rows = rows * psw[:, None]
        rows = xp.where(keep[:, None], rows, 0)
        out = index_add_rows(xp, xp.zeros((n_bags, dim), weight.dtype), bag_of, rows)
        if mode == "mean":
            counts = xp.bincount(bag_of[keep], minlength=n_bags).astype(weight.dtype)
            ctx.inv_count = 1.0 / xp.maximum(counts, 1)
            out *= ctx.inv_count[:, None]
        return out

    def backward(ctx, g):
        weight, psw = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = _make(ctx.keep.astype(g._data.dtype))
        if ctx.mode == "max":
            # each (bag, column) sends its gradient to the row that held the maximum
            grad = g * _make(ctx.has_max.astype(g._data.dtype))
            zeros = _make(ctx.xp.zeros((ctx.num_weights, g.shape[1]), g._data.dtype))
            return zeros.scatter_add(0, _make(ctx.argmax), grad), None
        rows = g.index_select(0, _make(ctx.bag_of)) * keep.unsqueeze(1)
        if ctx.mode == "mean":
            rows = rows * _make(ctx.inv_count[ctx.bag_of][:, None])
        gw = gp = None
        if need[0]:
            scaled = rows if psw is None else rows * psw.unsqueeze(1)
            if not ctx.sparse:
                gw = EmbeddingDenseBackward.apply(scaled, ctx.indices, ctx.num_weights,
                                                  ctx.padding_idx, ctx.scale_grad_by_freq)
            elif ctx.scale_grad_by_freq:
                raise RuntimeError(SPARSE_FREQ_REFUSED)
            else:
                gw = sparse_weight_grad(scaled, ctx.indices, ctx.num_weights, ctx.padding_idx)
        if psw is not None and len(need) > 1 and need[1]:
            gp = (rows * weight.index_select(0, _make(ctx.indices))).sum(1)
        return gw, gp


def _bag_max(xp, rows, bag_of, keep, indices, n_bags):
    """The column-wise maximum of each bag, the weight row of each maximum (argmax, 0 for an
    empty bag) and whether there is one: the kept rows laid out (bag, place in bag, dim),
    padded with -inf."""
    m, dim = rows.shape
    place = xp.arange(m) - xp.searchsorted(bag_of, bag_of, side="left")
    longest = int(place.max()) + 1 if m else 1
    laid = xp.full((n_bags, longest, dim), -np.inf, rows.dtype)
    kept = xp.flatnonzero(keep)
    laid[bag_of[kept], place[kept]] = rows[kept]
    best = laid.argmax(axis=1)
    out = xp.take_along_axis(laid, best[:, None, :], axis=1)[:, 0]
    has_max = out != -np.inf
    start = xp.searchsorted(bag_of, xp.arange(n_bags), side="left")
    argmax = xp.where(has_max, indices[xp.minimum(start[:, None] + best, m - 1)] if m else 0, 0)
    return xp.where(has_max, out, 0).astype(rows.dtype, copy=False), argmax, has_max


def _check_indices(t):
    if t.dtype.name not in ("int64", "int32"):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {t.type()} instead "
                           "(while checking arguments for embedding_bag)")


def _check_weight(weight):
    """torch's refusal of an integer or bool weight (its kernels are floating only)."""
    if weight._data.dtype.kind in "biu":
        got = "CPUBoolType" if weight.dtype == _dtype.bool else \
            f"torch.{_dtype.LEGACY_NAMES[weight.dtype]}"
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following "
                           f"scalar types: Half, BFloat16, Float, Double; but got {got} instead "
                           "(while checking arguments for embedding_bag)")


def functional_embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                             scale_grad_by_freq=False, mode="mean", sparse=False,
                             per_sample_weights=None, include_last_offset=False,
                             padding_idx=None):
    """Reduce (sum, mean or max) bags of rows of weight, without materialising the rows looked up.
    2-D input: each row a bag, offsets None. 1-D input: bag b is input[offsets[b]:offsets[b+1]]
    (the last bag runs to the end; with include_last_offset offsets[-1] is dropped: torch
    reads no end from it).
    per_sample_weights (mode 'sum' only) scales each row before the sum. scale_grad_by_freq
    divides each row's gradient by its index's count in input, as documented (PyTorch 2.13's
    CPU kernel divides some rows by other counts). With sparse (sum and mean) the weight's
    gradient is a sparse COO tensor (ops/embedding.py, sparse_weight_grad)."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None:
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                             "is not None, then it must have the same shape as the input "
                             f"({input.shape})")
        if mode != "sum":
            raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                      "per_sample_weights is only supported for mode='sum' (got "
                                      f"mode='{mode}'). Please open a feature request on GitHub.")
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as "
                               "tensor for argument #1 'per_sample_weights'; but type "
                               f"{weight.type()} does not equal {per_sample_weights.type()} "
                               "(while checking arguments for embedding_bag)")
    _check_indices(input)
    if offsets is not None:
        _check_indices(offsets)
    _check_weight(weight)
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-n} "
                               f"through {n - 1}, but got {padding_idx}")
        padding_idx = padding_idx + n if padding_idx < 0 else int(padding_idx)
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    indices, bag_of, keep, n_bags = _layout(input, weight, offsets, include_last_offset,
                                            padding_idx)
    psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
    return EmbeddingBag.apply(weight, psw, indices, bag_of, keep, n_bags, mode, padding_idx,
                              bool(scale_grad_by_freq), bool(sparse))


def _layout(input, weight, offsets, include_last_offset, padding_idx):
    """The flat indices, each one's bag, whether it counts (inside its bag, not padding), and
    the number of bags, for 2-D input (a bag per row) or 1-D input and offsets."""
    n = weight.shape[0]
    xp = xp_of(input._data)
    indices = input._data.reshape(-1).astype(np.int64, copy=False)
    m = indices.shape[0]
    if input.dim() == 2:
        width = input.shape[1]
        starts = xp.arange(0, m, width, dtype=np.int64) if width else \
            xp.zeros(input.shape[0], np.int64)
        ends = starts + width
    else:
        starts = offsets._data.astype(np.int64, copy=False)
        _check_offsets(starts, m)
        if include_last_offset:  # torch's last bag still runs to the end of input
            starts = starts[:-1]
        ends = xp.concatenate([starts[1:], xp.asarray([m], np.int64)])
    if m and bool(((indices < 0) | (indices >= n)).any()):
        raise RuntimeError(_INDEX_CHECK)
    n_bags = starts.shape[0]
    bag_of = (xp.searchsorted(starts, xp.arange(m), side="right") - 1) if n_bags else \
        xp.zeros(m, np.int64)
    bag_of = xp.clip(bag_of, 0, max(n_bags - 1, 0))
    keep = (xp.arange(m) >= starts[bag_of]) & (xp.arange(m) < ends[bag_of]) if n_bags else \
        xp.zeros(m, bool)
    if padding_idx is not None:
        keep &= indices != padding_idx
    return indices, bag_of, keep, n_bags


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """torch.embedding_bag: mode 0 | 1 | 2 (sum, mean, max), padding_idx None or negative for
    none. Returns (output, offset2bag, bag_size, max_indices): each index's bag; each bag's
    count of counted indices (zeros for sum); and the weight row of each column's maximum
    (max), bag_size (mean) or zeros (sum)."""
    if not isinstance(offsets, Tensor):
        raise TypeError(f"embedding_bag(): argument 'offsets' (position 3) must be Tensor, not "
                        f"{type(offsets).__name__}")
    name = _MODES[mode]
    if name == "max" and sparse:  # torch gives a sparse gradient here; ember has no such path
        raise NotImplementedError("ember: torch.embedding_bag in max mode with sparse=True is "
                                  "not available (F.embedding_bag refuses it too)")
    pad = None if padding_idx is None or padding_idx < 0 else int(padding_idx)
    _check_indices(indices)
    _check_indices(offsets)
    _check_weight(weight)
    flat, bag_of, keep, n_bags = _layout(indices, weight, offsets, include_last_offset, pad)
    psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
    out = EmbeddingBag.apply(weight, psw, flat, bag_of, keep, n_bags, name, pad,
                             bool(scale_grad_by_freq), bool(sparse))
    xp = xp_of(flat)
    bag_size = xp.zeros(n_bags, np.int64) if name == "sum" else \
        xp.bincount(bag_of[keep], minlength=n_bags).astype(np.int64)
    if name == "max":
        rows = xp.take(weight._data, flat, axis=0)
        max_indices = _bag_max(xp, rows, bag_of, keep, flat, n_bags)[1].astype(np.int64)
    else:
        max_indices = bag_size.copy()
    return out, _make(bag_of.astype(np.int64)), _make(bag_size), _make(max_indices)


def _check_offsets(offsets, m):
    if offsets.shape[0] == 0:
        return
    first, last = int(offsets[0]), int(offsets[-1])
    if first != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {first}")
    if last > m:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {m} but got "
                           f"offsets[-1] of {last}")
    if bool((offsets[1:] < offsets[:-1]).any()):
        raise RuntimeError(_INDEX_CHECK)
