"""Gathers and scatters along a dim, by a mask or into the flat tensor (gather, scatter,
index_select/add/fill/copy, masked_fill/select/scatter, take): forward on arrays, backward in
ember ops. Repeated positions accumulate as NOTE [ Accumulating gradients ] describes.
"""
import builtins
import math

import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import Tensor, _make
from .._warnings import warn_once
from ._common import _c10_name
from ._numpy_names import numpy_names
from ._op import Op, broadcast_error, scalar, shape_str, wrap_dim
from ._scatter import index_add_rows
from .index import _EMBED, _IndexPutAcc, _Key, _accumulate

__all__ = ["gather", "take_along_dim", "argwhere", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_fill",
           "index_copy", "index_reduce", "masked_fill", "masked_select", "masked_scatter", "take"]


# -- gather / scatter ---------------------------------------------------------------------------

def _dim_size(input, dim):
    return input.shape[dim] if input.ndim else 1


def _flat_targets(shape, dim, index):
    """Flat positions in a C-ordered array of `shape` that scatter along dim writes to."""
    xp = xp_of(index)
    if not shape:  # a 0-d tensor has the one position 0
        return index.astype(np.int64)
    if not index.size:  # none, whatever its dims (torch checks nothing of an empty index)
        return index.reshape(-1).astype(np.int64)
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    lin = index.astype(np.int64) * strides[dim]
    for d, n in enumerate(index.shape):
        if d != dim and strides[d] and n > 1:
            view = [1] * index.ndim
            view[d] = n
            lin = lin + (xp.arange(n) * strides[d]).reshape(view)
    return lin


def _region(a, shape, skip=None):
    """a[:shape[0], :shape[1], ...] (dim `skip` whole): the part of src or input an index uses;
    nothing of it for an empty index, whatever its dims."""
    if 0 in shape:
        return a.reshape(-1)[:0]
    if a.shape == tuple(shape):
        return a
    return a[tuple(slice(None) if d == skip else slice(0, s) for d, s in enumerate(shape))]


def _src_grad(gs, src_shape):
    """gs (index-shaped) placed in zeros of src's shape: src may be larger than the index."""
    if tuple(gs.shape) == tuple(src_shape):
        return gs
    if 0 in gs.shape:  # an empty index of any dims used none of src
        return gs.new_zeros(src_shape)
    key = _Key(tuple(slice(0, n) for n in gs.shape), None, "Slice", True)
    return _EMBED["Slice"].apply(gs, tuple(src_shape), key)


class Gather(Op):
    def forward(ctx, a, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, index
        if a.ndim == 0 or index.size == 0 or index.ndim == 0:  # any dims when empty; a 0-d
            picked = a.reshape(-1)[index.reshape(-1).astype(np.int64)]  # one picks from 1-D
            return picked.reshape(index.shape)
        return ctx.xp.take_along_axis(_region(a, index.shape, dim), index, axis=dim)

    def backward(ctx, g):
        zeros = _make(ctx.xp.zeros(ctx.in_shape, g.dtype.np))
        return ScatterAdd.apply(zeros, ctx.dim, _make(ctx.index), g)


class Scatter(Op):
    """scatter with a src tensor; repeated positions keep one of the written values."""

    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = a.copy()
        out.reshape(-1)[_flat_targets(a.shape, dim, index)] = _region(src, index.shape)
        return out

    def backward(ctx, g):
        index = _make(ctx.index)
        need = ctx.needs_input_grad
        ga = ScatterValue.apply(g, ctx.dim, index, 0.0) if need[0] else None
        gs = _src_grad(Gather.apply(g, ctx.dim, index), ctx.src_shape) if need[3] else None
        return ga, None, None, gs


class ScatterValue(Op, grad_fn="ScatterBackward1"):
    def forward(ctx, a, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out.reshape(-1)[_flat_targets(a.shape, dim, index)] = value
        return out

    def backward(ctx, g):
        return ScatterValue.apply(g, ctx.dim, _make(ctx.index), 0.0)


class ScatterAdd(Op):
    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = a.copy()
        lin = _flat_targets(a.shape, dim, index).reshape(-1)
        index_add_rows(ctx.xp, out.reshape(-1), lin, _region(src, index.shape).reshape(-1))
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        gs = _src_grad(Gather.apply(g, ctx.dim, _make(ctx.index)), ctx.src_shape) if need[3] \
            else None
        return (g if need[0] else None), None, None, gs


def _multiply_at(xp, flat, lin, vals):
    """np.multiply.at for device arrays (CuPy has no multiply.at): repeated positions are
    multiplied in rounds, each round taking every position once."""
    while lin.size:
        targets, first = xp.unique(lin, return_index=True)
        flat[targets] *= vals[first]
        rest = xp.ones(lin.shape, bool)
        rest[first] = False
        lin, vals = lin[rest], vals[rest]


class _ScatterReduce(Op, grad_fn="NotImplemented"):
    """scatter(..., reduce='add'|'multiply'): PyTorch defines no derivative for it."""

    def forward(ctx, a, dim, index, src, reduce):
        out = a.copy()
        lin = _flat_targets(a.shape, dim, index).reshape(-1)
        vals = src if not hasattr(src, "shape") else _region(src, index.shape).reshape(-1)
        if reduce == "add":
            vals = ctx.xp.broadcast_to(ctx.xp.asarray(vals, out.dtype), lin.shape)
            index_add_rows(ctx.xp, out.reshape(-1), lin, vals.reshape(-1))
        else:
            ctx.xp.multiply.at(out.reshape(-1), lin, vals)  # rare: no sort-based product
        return out

    def backward(ctx, g):
        raise RuntimeError("the derivative for 'scatter' with reduce is not implemented.")


class ScatterReduce(Op):
    """scatter_reduce: src reduced (sum, prod, mean, amax, amin) into input at index along dim,
    input's own value taking part where include_self.

    Gradients: sum passes g through; mean divides it by each target's count; prod gives each
    factor the product of the others (computed without dividing by a zero); amax/amin share it
    evenly among the values equal to the result."""

    def forward(ctx, a, dim, index, src, reduce, include_self):
        xp = ctx.xp
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        ctx.src_shape = src.shape
        lin = _flat_targets(a.shape, dim, index).reshape(-1)
        vals = _region(src, index.shape).reshape(-1)
        out = a.copy()
        flat = out.reshape(-1)
        if reduce in ("sum", "mean"):
            if not include_self:
                flat[lin] = 0
            index_add_rows(xp, flat, lin, vals)
            if reduce == "mean":
                count = xp.bincount(lin, minlength=flat.size)[:flat.size] + int(include_self)
                hit = count > 0
                if flat.dtype.kind == "f":
                    flat[hit] /= count[hit]
                else:  # the count may exceed a narrow integer dtype: divide in int64
                    flat[hit] = flat[hit] // count[hit]
        else:
            ufunc = {"prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}[reduce]
            if not include_self and reduce == "prod":
                flat[lin] = 1
            elif not include_self:  # each target starts from one of its own values
                targets, first = xp.unique(lin, return_index=True)
                flat[targets] = vals[first]
            if reduce == "prod" and xp is not np:
                _multiply_at(xp, flat, lin, vals)
            else:
                ufunc.at(flat, lin, vals)  # the multiply/maximum/minimum of repeated positions
        ctx.save_for_backward(a, src, out)
        return out

    def backward(ctx, g):
        a, src, out = ctx.saved_tensors
        xp, dim, reduce, incl = ctx.xp, ctx.dim, ctx.reduce, ctx.include_self
        index = _make(ctx.index)
        need = ctx.needs_input_grad
        if src.shape != index.shape:  # the part of src that index uses
            src = src[tuple(slice(0, n) for n in index.shape)]
        touched = _make(xp.zeros(a.shape, bool))
        touched = ScatterValue.apply(touched, dim, index, True)._data
        zeros = _make(xp.zeros(a.shape, g.dtype.np))
        ga = gs = None
        if reduce == "sum":
            ga = g if incl else g * _make(xp.asarray(~touched, g.dtype.np))
            gs = Gather.apply(g, dim, index)
        elif reduce == "mean":
            ones = _make(xp.ones(index.shape, g.dtype.np))
            count = ScatterAdd.apply(zeros + float(incl), dim, index, ones)._data
            gn = g / _make(xp.maximum(count, 1))
            ga = gn if incl else gn * _make(xp.asarray(~touched, g.dtype.np))
            gs = Gather.apply(gn, dim, index)
        elif reduce == "prod":
            ga, gs = _prod_grads(ctx, g, a, src, index, touched)
        else:
            ga, gs = _extreme_grads(ctx, g, a, src, out, index, touched)
        gs = _src_grad(gs, ctx.src_shape) if need[3] else None
        return (ga if need[0] else None), None, None, gs


def _prod_grads(ctx, g, a, src, index, touched):
    """Each factor's gradient: g times the product of the other factors at its target (exact
    at zeros to first order; second derivatives assume no factor is exactly zero)."""
    xp, dim, incl = ctx.xp, ctx.dim, ctx.include_self
    ones = _make(xp.ones(a.shape, a.dtype.np))
    src_prod = ScatterReduce.apply(ones, dim, index, src, "prod", True)
    ga = g * src_prod if incl else g * _make(xp.asarray(~touched, g.dtype.np))
    zero = (src._data == 0)
    n_zero = ScatterAdd.apply(_make(xp.zeros(a.shape, np.int64)), dim, index,
                              _make(zero.astype(np.int64)))
    nonzero_src = src + _make(zero.astype(src.dtype.np))  # a zero factor counts as 1
    base = a if incl else ones
    prod_nz = ScatterReduce.apply(base, dim, index, nonzero_src, "prod", True)
    at = Gather.apply(g * prod_nz, dim, index)
    zeros_at = Gather.apply(n_zero, dim, index)._data
    keep = xp.where(zero, zeros_at == 1, zeros_at == 0)
    gs = at / nonzero_src * _make(keep.astype(g.dtype.np))
    return ga, gs


def _extreme_grads(ctx, g, a, src, out, index, touched):
    """amax/amin: the gradient shared evenly by the values equal to the result. As in torch,
    input's own value counts among them even without include_self (it then gets no share)."""
    xp, dim, incl = ctx.xp, ctx.dim, ctx.include_self
    self_hit = ~touched | (a._data == out._data)
    src_hit = src._data == Gather.apply(out, dim, index)._data
    count = ScatterAdd.apply(_make(self_hit.astype(g.dtype.np)), dim, index,
                             _make(src_hit.astype(g.dtype.np)))._data
    gn = g / _make(xp.maximum(count, 1))
    ga = gn * _make((self_hit if incl else ~touched).astype(g.dtype.np))
    gs = Gather.apply(gn, dim, index) * _make(src_hit.astype(g.dtype.np))
    return ga, gs


_SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scatter_dim(fn, input, dim, index, src):
    """Check gather's and scatter's arguments in PyTorch's order; return dim wrapped. An empty
    index is checked for nothing but dim and src's dtype, as torch does."""
    empty = not index._data.size
    if index._data.dtype not in (np.int32, np.int64) and not empty:
        kernel = "gather" if fn == "gather" else "scatter"  # every scatter_* is scatter() here
        raise RuntimeError(f"{kernel}(): Expected dtype int32/int64 for index")
    dim = wrap_dim(dim, input.ndim)
    if src is not None and src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if empty:
        return dim
    if builtins.max(index.ndim, 1) != builtins.max(input.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(builtins.min(index.ndim, input.ndim)):
        too_big = d != dim and index.shape[d] > input.shape[d]
        if too_big or src is not None and d < src.ndim and index.shape[d] > src.shape[d]:
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {d} expected index "
                                   f"{shape_str(index.shape)} to be no larger than self "
                                   f"{shape_str(input.shape)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {shape_str(index.shape)} to be no larger than "
                               f"self {shape_str(input.shape)} apart from dimension {dim} and "
                               f"to be no larger size than src {shape_str(src.shape)}")
    size, idx = _dim_size(input, dim), index._data
    lo, hi = builtins.int(idx.min()), builtins.int(idx.max())
    if lo < 0 or hi >= size:
        raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for "
                           f"dimension {dim} with size {size}")
    return dim


@numpy_names
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[index[i][j]][j] (dim 0): values along dim picked by index."""
    dim = _scatter_dim("gather", input, dim, index, None)
    return Gather.apply(input, dim, index)


@numpy_names
def take_along_dim(input, indices, dim=None, *, out=None):
    """gather with input and indices broadcast against each other off `dim`; with no dim, both
    flattened."""
    if indices._data.dtype != np.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_dtype.LEGACY_NAMES[indices.dtype][:-len('Tensor')]}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.ndim != indices.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {input.ndim} dimensions for input, and "
                           f"{indices.ndim} dimensions for indices")
    d = wrap_dim(dim, input.ndim)
    off = np.broadcast_shapes(*(tuple(1 if i == d else n for i, n in enumerate(t.shape))
                                for t in (input, indices)))
    size = input.shape[d]
    if indices.numel() and size and bool(((indices._data < 0) | (indices._data >= size)).any()):
        # torch 2.13 takes indices along `dim` modulo its size (-1 the last, -4 and 4 of 3 the
        # last and the second); only the flattened form (no dim) refuses them
        indices = indices.remainder(size)

    def to(t):
        want = tuple(t.shape[d] if i == d else n for i, n in enumerate(off))
        return t if tuple(t.shape) == want else t.expand(want)
    return gather(to(input), d, to(indices))


def argwhere(input):
    """The (n, ndim) int64 coordinates of input's nonzero elements."""
    from .sorting import nonzero  # sorting.py imports this module
    return nonzero(input)


@numpy_names
def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of input with src (a tensor or a number) written at index along dim."""
    if src is None:
        src = value
    src_t = src if isinstance(src, Tensor) else None
    dim = _scatter_dim("scatter", input, dim, index, src_t)
    if index.ndim == 0 and input.ndim:  # a 0-d index writes one element of a 1-D input
        index = index.reshape(1)
        if src_t is not None and src_t.ndim == 0:
            src = src_t = src_t.reshape(1)
    if reduce is not None:
        if src_t is not None:
            warn_once("The reduce argument of torch.scatter with Tensor src is deprecated and will "
                      "be removed in a future PyTorch release. Use torch.scatter_reduce instead "
                      "for more reduction options.")
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        return _ScatterReduce.apply(input, dim, index, src, reduce)
    if src_t is None:  # an empty index writes nothing: torch checks no value then
        value = _dtype.checked_fill(scalar(src), input.dtype) if index.numel() else 0
        return ScatterValue.apply(input, dim, index, value)
    return Scatter.apply(input, dim, index, src_t)


@numpy_names
def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated positions accumulate)."""
    dim = _scatter_dim("scatter_add", input, dim, index, src)
    if index.ndim == 0 and input.ndim:
        index, src = index.reshape(1), (src.reshape(1) if src.ndim == 0 else src)
    return ScatterAdd.apply(input, dim, index, src)


@numpy_names
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of input with src reduced into it at index along dim ("sum", "prod", "mean",
    "amax" or "amin"), input's own values taking part where include_self."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # torch's undocumented aliases
    if reduce not in _SCATTER_REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    dim = _scatter_dim("scatter_reduce", input, dim, index, src)
    if reduce == "mean" and input.dtype is _dtype.bool:
        raise NotImplementedError("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for "
                                  "'Bool'")
    if index.ndim == 0 and input.ndim:
        index, src = index.reshape(1), (src.reshape(1) if src.ndim == 0 else src)
    return ScatterReduce.apply(input, dim, index, src, reduce, bool(include_self))


# -- index_select / index_add / index_fill / index_copy / index_reduce --------------------------

class IndexSelect(Op):
    def forward(ctx, a, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, index
        if a.ndim == 0:
            return a.reshape(1)[index].reshape(())
        return ctx.xp.take(a, index, axis=dim)

    def backward(ctx, g):
        zeros = _make(ctx.xp.zeros(ctx.in_shape, g.dtype.np))
        return IndexAdd.apply(zeros, ctx.dim, _make(ctx.index), g)


class IndexAdd(Op):
    def forward(ctx, a, dim, index, source, alpha=1):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = a.copy()
        if out.ndim == 0:
            out = out.reshape(1)
        src = source.reshape(out.shape[:dim] + (index.shape[0],) + out.shape[dim + 1:])
        if alpha != 1:
            src = src * alpha
        if out.size:  # torch adds nowhere into an empty tensor, whatever the index
            _accumulate(out, [dim], [index], src)
        return out.reshape(a.shape)

    def backward(ctx, g):
        need = ctx.needs_input_grad
        gs = None
        if need[3]:
            gs = IndexSelect.apply(g.reshape(-1) if g.ndim == 0 else g, ctx.dim,
                                   _make(ctx.index))
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return (g if need[0] else None), None, None, gs


class IndexFill(Op):
    def forward(ctx, a, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        if out.size:  # an empty tensor takes nothing, whatever the index (torch checks none)
            out.reshape(a.shape if a.ndim else (1,))[(slice(None),) * dim + (index,)] = value
        return out

    def backward(ctx, g):
        return IndexFill.apply(g, ctx.dim, _make(ctx.index), 0.0)


class IndexFillTensor(IndexFill, grad_fn="IndexFillBackward1"):
    """index_fill with a 0-d tensor value, which gets the sum of the filled positions' grads."""

    def backward(ctx, g):
        need = ctx.needs_input_grad
        index = _make(ctx.index)
        ga = IndexFill.apply(g, ctx.dim, index, 0.0) if need[0] else None
        gv = None
        if need[3]:  # each filled position once, however often index repeats it
            once = _make(ctx.xp.unique(ctx.index))
            gv = IndexSelect.apply(g.reshape(-1) if g.ndim == 0 else g, ctx.dim, once).sum()
        return ga, None, None, gv


class IndexCopy(Op):
    def forward(ctx, a, dim, index, source):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        view = out.reshape(a.shape if a.ndim else (1,))
        if out.size:  # as IndexFill
            view[(slice(None),) * dim + (index,)] = source.reshape(
                view.shape[:dim] + (index.shape[0],) + view.shape[dim + 1:])
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        index = _make(ctx.index)
        ga = IndexFill.apply(g, ctx.dim, index, 0.0) if need[0] else None
        gs = None
        if need[3]:
            gs = IndexSelect.apply(g.reshape(-1) if g.ndim == 0 else g, ctx.dim, index)
        return ga, None, None, gs


def _vector_index(fn, input, dim, index, source=None, alpha=1):
    """Check an index_* function's dim and 1-D index as torch does for `fn` (index_select,
    index_add_, index_copy_, index_fill_ each take other index dtypes and only index_fill_
    takes negative entries; index_add_'s alpha picks torch's kernel, which words an index out of
    range), and the source of index_add_/index_copy_ between the index's dims and its range,
    in torch's order; return (dim wrapped, the index as a Tensor of positions)."""
    dim = wrap_dim(dim, input.ndim)
    size = _dim_size(input, dim)
    d = index._data
    name = _dtype.type_name(d)
    if fn in ("index_copy_", "index_fill_"):
        if d.dtype != np.int64:
            if fn == "index_fill_":
                raise IndexError("index_fill_(): Expected dtype int64 for index.")
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {name}")
    elif d.dtype not in (np.int32, np.int64):
        if fn == "index_select":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index but got: {name}")
    if d.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector")
    d = d.reshape(-1)
    if source is not None:
        _same_dtype(input, source, fn)
        _check_source(input, dim, d.size, source, fn)
    if fn == "index_select" and input.ndim == 0 and d.size > 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {d.size} "
                           "value(s)")
    if fn == "index_select" and size == 0 and d.size and input.ndim > 1:  # 1-D: out of range
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if d.size and fn in ("index_copy_", "index_fill_") and size == 0:
        # torch fails to take a view of the empty storage there (a RuntimeError)
        raise RuntimeError(f"{fn}(): index {builtins.int(d[0])} is out of bounds for dimension "
                           f"{dim} with size 0")
    if d.size and fn == "index_add_" and input.ndim == 1 and size == 0:  # its 1-D kernel checks
        raise IndexError("index out of range in self")
    if d.size and (input.numel() or fn == "index_select"):  # into an empty tensor torch
        # writes nowhere, checking nothing
        lo, hi = builtins.int(d.min()), builtins.int(d.max())
        low = -size if fn == "index_fill_" else 0
        if lo < low or hi >= size:
            bad = builtins.int(d[(d < low) | (d >= size)][0])  # the first, as torch's loops
            if fn == "index_select":  # torch's dim-1 kernel words it otherwise
                if dim == 1:
                    raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} "
                                       f"axis_dim={size}")
                raise IndexError("index out of range in self")
            msg = f"index {bad} is out of bounds for dimension {dim} with size {size}"
            if fn == "index_add_":  # torch scatters along the first or last of several dims,
                # unscaled, and that kernel names the index; its other loops do not
                if input.ndim > 1 and alpha == 1 and dim in (0, input.ndim - 1):
                    raise RuntimeError(msg)
                raise IndexError("index out of range in self")
            raise IndexError("index_copy_(): " + msg if fn == "index_copy_" else msg)
        if lo < 0:
            d = d + size * (d < 0)
    return dim, _make(d)


def _same_dtype(input, source, fn):
    if source.dtype != input.dtype:
        a, b = _dtype.type_name(input), _dtype.type_name(source)
        if fn == "index_add_":
            raise RuntimeError(f"index_add_(): self ({a}) and source ({b}) must have the same "
                               "scalar type")
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {a} and (source) {b}")


@numpy_names
def index_select(input, dim, index, *, out=None):
    """The slices of input along dim picked by a 1-D index (repeats allowed)."""
    dim, index = _vector_index("index_select", input, dim, index)
    if input.ndim == 0 and index.numel() != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{index.numel()} value(s)")
    return IndexSelect.apply(input, dim, index)


def _check_source(input, dim, n, source, fn):
    """index_add_'s and index_copy_'s checks of source against n indices along dim."""
    src_n = source.shape[dim] if source.ndim else 1
    if n != src_n:
        if fn == "index_add_" and not source.ndim:  # torch reads source.size(dim) first
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if fn == "index_add_":
            raise RuntimeError(f"index_add_(): Number of indices ({n}) should be equal to "
                               f"source.size(dim): ({src_n}), for dim: {dim}")
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({src_n})")
    want = list(input.shape)
    if want:
        want[dim] = n
    if source.numel() != math.prod(want) or (source.ndim and source.ndim != input.ndim):
        raise RuntimeError(f"{fn}(): Source/destination tensor must have same slice shapes. "
                           f"Destination slice shape: {shape_str(input.shape[dim + 1:])} at "
                           f"dimension {dim} and source slice shape: "
                           f"{shape_str(source.shape[dim + 1:])} at dimension {dim}.")


@numpy_names
def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source added at index along dim (repeats accumulate)."""
    dim, index = _vector_index("index_add_", input, dim, index, source, alpha)
    if alpha != 1:
        return IndexAdd.apply(input, dim, index, source, alpha)
    return IndexAdd.apply(input, dim, index, source)


class IndexReduce(ScatterReduce, grad_fn="IndexReduceBackward0"):
    """index_reduce: scatter_reduce with the 1-D index spread over source's other dims."""


@numpy_names
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of input with the slices of source reduced ("prod", "mean", "amax" or "amin")
    into the slices at index along dim, input's own values taking part where include_self."""
    warn_once("index_reduce() is in beta and the API may change at any time.")
    if reduce not in _SCATTER_REDUCTIONS[1:]:
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    dim = wrap_dim(dim, input.ndim)
    d = index._data
    if d.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{d.ndim} with type: {_dtype.type_name(d)} and size: "
                         f"{list(d.shape)}")
    if d.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{_dtype.type_name(d)}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_reduce_(): self ({_dtype.type_name(input)}) and source "
                           f"({_dtype.type_name(source)}) must have the same scalar type")
    n, src_n = d.size, (source.shape[dim] if source.ndim else 1)
    if n != src_n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({src_n}), for dim: {dim}")
    if input.ndim != source.ndim or any(a != b for i, (a, b) in
                                        enumerate(zip(input.shape, source.shape)) if i != dim):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    if n and (builtins.int(d.min()) < 0 or builtins.int(d.max()) >= _dim_size(input, dim)):
        raise IndexError("index out of range in self")
    if source.ndim:  # the index of each element of source: its slice's target along dim
        spread = [1] * source.ndim
        spread[dim] = n
        index = index.reshape(spread).expand(source.shape)
    return IndexReduce.apply(input, dim, index, source, reduce, bool(include_self))


@numpy_names
def index_fill(input, dim, index, value):
    """A copy of input with the slices at index along dim set to value (a number or 0-d tensor)."""
    dim, index = _vector_index("index_fill_", input, dim, index)
    if not input.is_complex() and (value.is_complex() if isinstance(value, Tensor)
                                   else isinstance(value, complex)):
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not "
                           "supported")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        _dtype.check_fits(value.item(), input.dtype, fill=True)  # as torch checks a number
        return IndexFillTensor.apply(input, dim, index, value)
    return IndexFill.apply(input, dim, index, _dtype.checked_fill(scalar(value), input.dtype))


@numpy_names
def index_copy(input, dim, index, source):
    """A copy of input with the slices at index along dim replaced by source's."""
    if not source.ndim and index.numel() != 1:  # torch's first check
        raise IndexError("index_copy_(): When source is scalar, index should have one element "
                         f"(got {index.numel()})")
    dim, index = _vector_index("index_copy_", input, dim, index, source)
    return IndexCopy.apply(input, dim, index, source)


# -- masked_fill / masked_select / masked_scatter / take ----------------------------------------

class MaskedFill(Op):
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        xp = ctx.xp
        if getattr(value, "dtype", a.dtype).kind == "c" and a.dtype.kind != "c":
            value = value.real  # masked_fill checked that its imaginary part is 0
        value = xp.asarray(value, a.dtype)
        if mask.shape != a.shape and np.broadcast_shapes(mask.shape, a.shape) != a.shape:
            return xp.where(mask, value, a)  # the mask broadcasts a to another shape
        # a copy and a masked write: half the time of np.where with a broadcast mask (attention)
        out = a.copy()
        xp.copyto(out, value, where=mask)
        return out

    def backward(ctx, g):
        return MaskedFill.apply(g, ctx.mask, 0.0), None


class MaskedFillTensor(MaskedFill, grad_fn="MaskedFillBackward1"):
    """masked_fill with a 0-d tensor value, which gets the sum of the filled positions' grads."""

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = MaskedFill.apply(g, ctx.mask, 0.0) if need[0] else None
        gv = MaskedFill.apply(g, ~ctx.mask, 0.0).sum() if need[2] else None
        return ga, None, gv


class MaskedSelect(Op):
    def forward(ctx, a, mask):
        a_b, m_b = ctx.xp.broadcast_arrays(a, mask)
        ctx.shape, ctx.mask = a_b.shape, m_b
        return a_b[m_b]

    def backward(ctx, g):
        zeros = _make(ctx.xp.zeros(ctx.shape, g.dtype.np))
        return MaskedScatter.apply(zeros, ctx.mask, g), None


class MaskedScatter(Op):
    def forward(ctx, a, mask, source):
        a_b, m_b = ctx.xp.broadcast_arrays(a, mask)
        ctx.mask, ctx.src_shape = m_b, source.shape
        out = a_b.copy()
        n = builtins.int(m_b.sum())
        out[m_b] = source.reshape(-1)[:n]
        ctx.n = n
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = MaskedFill.apply(g, ctx.mask, 0.0) if need[0] else None
        gs = None
        if need[2]:
            size = math.prod(ctx.src_shape)
            picked = MaskedSelect.apply(g, ctx.mask)
            if ctx.n < size:  # source elements past the mask's count get no gradient
                key = _Key((slice(0, ctx.n), Ellipsis), None, "Slice", True)
                picked = _EMBED["Slice"].apply(picked, (size,), key)
            gs = picked.reshape(ctx.src_shape)
        return ga, None, gs


class Take(Op):
    def forward(ctx, a, index):
        ctx.in_shape = a.shape
        ctx.key = _Key((Ellipsis,), (index,), "Index", False)
        return a.reshape(-1)[index]

    def backward(ctx, g):
        flat = _IndexPutAcc.apply(g, (math.prod(ctx.in_shape),), ctx.key)
        return flat.reshape(ctx.in_shape), None


def _mask_shape(fn, input, mask):
    """Check a masked_* function's mask (bool, broadcasting with input); return the shape the
    two broadcast to."""
    if not isinstance(mask, Tensor):
        raise TypeError(f"{fn}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        if fn == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        name = _c10_name(mask.dtype) if fn == "masked_fill" else _dtype.type_name(mask.dtype)
        raise RuntimeError(f"{fn}_ only supports boolean masks, but got mask with dtype {name}")
    shape = input._data.shape
    if mask._data.shape == shape:  # the common mask: no broadcast to work out
        return shape
    try:
        return np.broadcast_shapes(shape, mask._data.shape)
    except ValueError:
        raise broadcast_error(mask.shape, input.shape) from None  # torch names the mask a


def masked_fill(input, mask, value):
    """input with value (a number or a 0-d tensor) where mask is True; the two broadcast."""
    _mask_shape("masked_fill", input, mask)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        _dtype.check_fits(value.item(), input.dtype, fill=True)  # as torch checks a number
        return MaskedFillTensor.apply(input, mask, value)
    return MaskedFill.apply(input, mask, _dtype.checked_fill(value, input.dtype))


def masked_select(input, mask, *, out=None):
    """A 1-D tensor of input's elements where mask (broadcast with input) is True."""
    _mask_shape("masked_select", input, mask)
    return MaskedSelect.apply(input, mask)


def masked_scatter(input, mask, source):
    """input with source's leading elements copied, in order, where mask is True."""
    shape = _mask_shape("masked_scatter", input, mask)
    if source.dtype != input.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_dtype.type_name(input)} and {_dtype.type_name(source)}")
    copies = math.prod(shape) // builtins.max(mask.numel(), 1)
    n = builtins.int(mask._data.sum()) * copies
    if source.numel() < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, mask, source)


def take(input, index):
    """input treated as 1-D, read at index (any shape; negative indices count from the end)."""
    d = index._data
    if d.dtype != np.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{_dtype.type_name(d)}")
    n = input.numel()
    if d.size:
        lo, hi = builtins.int(d.min()), builtins.int(d.max())
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on "
                             f"a tensor of {n} elements.")
        if lo < 0:
            d = xp_of(d).asarray(d + n * (d < 0))
    return Take.apply(input, _make(d))
