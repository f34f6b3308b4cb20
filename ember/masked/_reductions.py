"""torch.masked's reductions and normalizations on dense tensors.

Each function fills the masked-out elements of its input with the identity of its reduction
(0 for sum, 1 for prod, -inf for amax, ...) through `where`, then calls ember's own op, so a
gradient flows to the kept elements and is zero at the masked-out ones. A fully masked slice gives
the reduction of identities (sum 0, amax -inf) or, where there is no identity (mean, var, median),
NaN, as PyTorch does. A MaskedTensor input counts as its data and mask, and the result is a plain
Tensor as in PyTorch (MaskedTensor's own methods wrap it with the mask of the result).
"""
import math

import ember
from .. import _dtype

_SMALL_INTS = (_dtype.uint8, _dtype.bool, _dtype.int8, _dtype.int16, _dtype.int32)


def _is_float(dtype):
    return dtype.is_floating_point or dtype.is_complex


def _dims(dim, ndim):
    """`dim` as a sorted tuple of non-negative dims; None or () means every dim."""
    if dim is None or dim == ():
        return tuple(range(ndim))
    rank = max(ndim, 1)
    out = []
    for d in ((dim,) if isinstance(dim, int) else dim):
        if d in out:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if not -rank <= d < rank:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-rank}, {rank - 1}], but got {d})")
        out.append(d % rank)
    return tuple(sorted(out))


def _bool_mask(input, mask):
    """`mask` broadcast to `input`'s shape, as bool."""
    if tuple(mask.shape) != tuple(input.shape):
        if mask.ndim > input.ndim:
            raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality "
                             "higher than of the input)")
        mask = ember.broadcast_to(mask, input.shape)
    return mask.to(dtype=_dtype.bool)


def _identity(op, dtype, ord=2.0):
    """The value that leaves reduction `op` unchanged, as a Python scalar."""
    if op == "sum" or (op == "norm" and ord != -math.inf):
        return 0
    if op == "prod":
        return 1
    if op in ("amax", "amin", "norm"):
        low = op == "amax"
        if _is_float(dtype):
            return -math.inf if low else math.inf
        if dtype == _dtype.bool:
            raise NotImplementedError(f"identity of {op} on {dtype} input")
        info = ember.iinfo(dtype)
        return info.min if low else info.max
    if op == "median":
        return math.nan
    raise NotImplementedError(f"identity of {op} on {dtype} input")


def _unwrap(input, mask):
    """(data, mask) of a MaskedTensor argument, else the arguments as given."""
    from .maskedtensor import MaskedTensor
    if isinstance(input, MaskedTensor):
        return input.get_data(), input.get_mask()
    return input, mask


def _fill(op, input, mask, ord=2.0):
    """`input` with its masked-out elements set to the identity of `op`."""
    if mask is None:
        return input
    fill = ember.tensor(_identity(op, input.dtype, ord), dtype=input.dtype, device=input.device)
    return ember.where(_bool_mask(input, mask), input, fill)


def _sum_dtype(dtype, input):
    if dtype is not None:
        return dtype
    return _dtype.int64 if input.dtype in _SMALL_INTS else input.dtype


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    dims = _dims(dim, input.ndim)
    out = ember.sum(_fill("sum", input, mask), dims, bool(keepdim), dtype=_sum_dtype(dtype, input))
    return out


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    dims = _dims(dim, input.ndim)
    out = _fill("prod", input, mask).to(dtype=_sum_dtype(dtype, input))
    for d in reversed(dims):  # from the last dim, so the earlier dims keep their numbers
        out = out.prod(dim=d, keepdim=bool(keepdim))
    return out


def _extreme(op, input, dim, keepdim, dtype, mask):
    input, mask = _unwrap(input, mask)
    dims = _dims(dim, input.ndim)
    reduce = ember.amax if op == "amax" else ember.amin
    out = reduce(_fill(op, input, mask), dims, bool(keepdim)).to(dtype=dtype or input.dtype)
    return out


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _extreme("amax", input, dim, keepdim, dtype, mask)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _extreme("amin", input, dim, keepdim, dtype, mask)


def _arg_extreme(op, input, dim, keepdim, dtype, mask):
    input, mask = _unwrap(input, mask)
    reduce = ember.argmax if op == "amax" else ember.argmin
    # the index comes back in the input's dtype unless `dtype` says otherwise, as in PyTorch
    out = reduce(_fill(op, input, mask), dim, bool(keepdim)).to(dtype=dtype or input.dtype)
    return out


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _arg_extreme("amax", input, dim, keepdim, dtype, mask)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _arg_extreme("amin", input, dim, keepdim, dtype, mask)


def _count(input, mask, dim, keepdim):
    """How many elements each slice keeps (int64)."""
    if mask is None:
        kept = ember.ones(input.shape, dtype=_dtype.int64, device=input.device)
    else:
        kept = _bool_mask(input, mask)
    return ember.sum(kept, _dims(dim, input.ndim), bool(keepdim), dtype=_dtype.int64)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    out_dtype = dtype or input.dtype
    if not _is_float(out_dtype):
        raise ValueError(f"mean(): Could not infer output dtype. "
                         f"{'Optional' if dtype is not None else 'Input'} dtype must be either "
                         f"a floating point or complex dtype. Got: {out_dtype}")
    total = sum(input, dim, keepdim=keepdim, dtype=out_dtype, mask=mask)
    out = total / _count(input, mask, dim, keepdim)
    return out


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    out_dtype = dtype or input.dtype
    d = _dims(dim, input.ndim)[0]
    is_float = input.dtype.is_floating_point
    data = input if is_float else input.to(dtype=_dtype.float32)
    out = ember.nanmedian(_fill("median", data, mask), d, bool(keepdim)).values
    if not is_float:
        if ember.isnan(out).any():
            raise ValueError("masked median expects no fully masked out rows if dtype is not "
                             "floating point")
        out = out.to(dtype=out_dtype)
    return out


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    dims = _dims(dim, input.ndim)
    out = ember.logsumexp(_fill("amax", input, mask), dims, keepdim=bool(keepdim))
    out = out.to(dtype=dtype or input.dtype)
    return out


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    input, input_mask = _unwrap(input, input_mask)
    other, other_mask = _unwrap(other, other_mask)
    out = ember.logaddexp(_fill("amax", input, input_mask), _fill("amax", other, other_mask))
    out = out.to(dtype=dtype or input.dtype)
    return out


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    dims = _dims(dim, input.ndim)
    out = ember.linalg.vector_norm(_fill("norm", input, mask, ord), ord, dims, bool(keepdim),
                                   dtype=dtype or input.dtype)
    return out


def _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, sqrt):
    input, mask = _unwrap(input, mask)
    if unbiased is not None and correction is not None:
        raise ValueError("Only one of unbiased and correction may be given")
    if correction is None:
        correction = 1.0 if unbiased is None or unbiased else 0.0
    out_dtype = dtype or (input.dtype if _is_float(input.dtype) else _dtype.float32)
    calc_dtype = out_dtype if _is_float(out_dtype) else _dtype.float32
    count = _count(input, mask, dim, True)
    centered = input - sum(input, dim, keepdim=True, dtype=out_dtype, mask=mask) / count
    total = sum(centered * centered.conj(), dim, keepdim=keepdim, dtype=calc_dtype, mask=mask)
    count = count.reshape(total.shape)
    if correction != 0:
        count = (count.to(dtype=total.real.dtype) - float(correction)).clamp(min=0)
    out = (total / count).to(dtype=out_dtype)
    if sqrt:
        out = out.sqrt()
    return out


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, sqrt=False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, sqrt=True)


def _scan(op, input, dim, dtype, mask):
    input, mask = _unwrap(input, mask)
    out_dtype = dtype or input.dtype
    d = _dims(dim, input.ndim)[0]
    scan = ember.cumsum if op == "sum" else ember.cumprod
    out = scan(_fill(op, input, mask), d, dtype=out_dtype).to(dtype=out_dtype)
    return out


def cumsum(input, dim, *, dtype=None, mask=None):
    return _scan("sum", input, dim, dtype, mask)


def cumprod(input, dim, *, dtype=None, mask=None):
    return _scan("prod", input, dim, dtype, mask)


def _soft(fn, fill_op, input, dim, dtype, mask):
    input, mask = _unwrap(input, mask)
    d = _dims(dim, input.ndim)[0]
    out = fn(_fill(fill_op, input, mask), d, dtype=dtype or input.dtype)
    return out


def softmax(input, dim, *, dtype=None, mask=None):
    return _soft(ember.nn.functional.softmax, "amax", input, dim, dtype, mask)


def log_softmax(input, dim, *, dtype=None, mask=None):
    return _soft(ember.nn.functional.log_softmax, "amax", input, dim, dtype, mask)


def softmin(input, dim, *, dtype=None, mask=None):
    return _soft(ember.nn.functional.softmin, "amin", input, dim, dtype, mask)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    input, mask = _unwrap(input, mask)
    out_dtype = dtype or input.dtype
    nrm = norm(input, ord, dim, keepdim=True, dtype=out_dtype, mask=mask)
    out = _fill("sum", input, mask) / ember.maximum(nrm, nrm.new_full([], eps))
    return out
