"""Indexing ops (getitem/setitem, gather, scatter, index_*, masked_*, sort, topk, unique ...).

NOTE [ Index keys ]
PyTorch applies an index in two steps: ints, slices, None and Ellipsis first (views: select,
slice, unsqueeze), then the tensor, list and bool-mask indices on that view (a copy). NumPy treats
an int next to an array index as an array index, which moves result dims (x[0, :, [1, 2]] is
(4, 2) in PyTorch and (2, 4) in NumPy), so `_Key` keeps the two steps apart: `basic` is a NumPy
basic index of the input, `adv` an advanced index of the view it gives.

NOTE [ Accumulating gradients ]
Gradients of advanced indexing, gather, take and index_select add values at possibly repeated
positions. `_accumulate` turns the index arrays into row numbers of a 2-D (indexed dims x other
dims) buffer and adds with `_scatter.index_add_rows` (sorted segments and `add.reduceat`, in the
gradient's own dtype; no `np.add.at`).
"""
import builtins
from collections import namedtuple

import numpy as np

from .. import _dtype
from .._backend import to_numpy, xp_of
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as _grad_state
from ._op import Op, shape_str, wrap_dim
from ._scatter import index_add_rows

__all__ = ["getitem", "setitem", "gather", "scatter", "scatter_add", "index_select", "index_add",
           "index_fill", "index_copy", "masked_fill", "masked_select", "masked_scatter", "take",
           "nonzero", "topk", "sort", "argsort", "unique"]

_INT, _SLICE, _NONE, _ELLIPSIS, _BOOL, _ARRAY, _MASK = range(7)
_KIND_MSG = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
             "are valid indices (got {})")

# The C++ names of the dtypes, as some PyTorch messages print them ("float", "long int").
_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double",
              "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int",
              "uint8": "unsigned char", "bool": "bool"}


def _c10_name(dt):
    return _CPP_NAMES[dt.name]


# -- index keys ---------------------------------------------------------------------------------

class _Key:
    """A PyTorch index resolved against a shape (NOTE [ Index keys ])."""
    __slots__ = ("basic", "adv", "kind", "viewed", "_arrays")

    def __init__(self, basic, adv, kind, viewed):
        self.basic, self.adv, self.kind = basic, adv, kind
        self.viewed = viewed  # the basic part is more than an alias: it selects, slices ...
        self._arrays = None

    def adv_arrays(self):
        """(positions in the view, int arrays): masks expanded into their nonzero coordinates."""
        if self._arrays is None:
            pos, arrays, p = [], [], 0
            for k in self.adv:
                if isinstance(k, slice):
                    p += 1
                elif k.dtype == np.bool_:
                    for j, a in enumerate(k.nonzero()):
                        pos.append(p + j)
                        arrays.append(a)
                    p += k.ndim
                else:
                    pos.append(p)
                    arrays.append(k)
                    p += 1
            self._arrays = (pos, arrays)
        return self._arrays


def _classify(k, xp):
    if k is None:
        return _NONE, None
    if k is Ellipsis:
        return _ELLIPSIS, None
    if isinstance(k, slice):
        return _SLICE, k
    if isinstance(k, (bool, np.bool_)):
        return _BOOL, builtins.bool(k)
    if isinstance(k, (int, np.integer)):
        return _INT, builtins.int(k)
    if isinstance(k, Tensor):
        arr = k._data
        if xp_of(arr) is not xp:  # PyTorch lets a CPU index tensor index a CUDA tensor
            arr = xp.asarray(to_numpy(arr)) if xp is not np else to_numpy(arr)
    elif isinstance(k, (list, tuple)) or hasattr(k, "__array__") or hasattr(k, "dtype"):
        arr = xp.asarray(k)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
    else:
        raise IndexError(_KIND_MSG.format(type(k).__name__))
    kind = arr.dtype.kind
    if kind == "b" or arr.dtype == np.uint8:
        if arr.ndim == 0:
            return _BOOL, builtins.bool(arr)
        return _MASK, arr.astype(np.bool_, copy=False)
    if kind in "iu":
        if arr.ndim == 0 and isinstance(k, Tensor):
            return _INT, builtins.int(arr)  # a 0-d integer tensor selects, as an int does
        return _ARRAY, arr
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _as_sequence(key):
    """PyTorch still reads a list holding tensors, lists, slices, None or ... as a tuple."""
    if type(key) is tuple:
        return key
    if type(key) is list and any(isinstance(k, (Tensor, list, tuple, slice)) or k is None
                                 or k is Ellipsis for k in key):
        return tuple(key)
    return (key,)


def _parse_key(key, shape, xp):
    items = [_classify(k, xp) for k in _as_sequence(key)]
    ndim = len(shape)
    used = 0
    for kind, v in items:
        if kind in (_INT, _SLICE, _ARRAY):
            used += 1
        elif kind == _MASK:
            used += v.ndim
    if used > ndim:
        if ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, adv = [], []
    name, has_adv, seen_ellipsis = "Alias", False, False
    full = slice(None)
    d = 0
    for kind, v in items:
        if kind == _INT:
            size = shape[d]
            if not -size <= v < size:
                raise IndexError(f"index {v} is out of bounds for dimension {d} with size {size}")
            basic.append(v)
            name = "Select"
            d += 1
        elif kind == _SLICE:
            if v.step is not None:
                step = v.step.__index__()
                if step == 0:
                    raise ValueError("slice step cannot be zero")
                if step < 0:
                    raise ValueError("step must be greater than zero")
            if v.indices(shape[d]) != (0, shape[d], 1):
                name = "Slice"
            basic.append(v)
            adv.append(full)
            d += 1
        elif kind == _NONE:
            basic.append(None)
            adv.append(full)
            name = "Unsqueeze"
        elif kind == _ELLIPSIS:
            rest = 0 if seen_ellipsis else ndim - used
            seen_ellipsis = True
            basic.extend([full] * rest)
            adv.extend([full] * rest)
            d += rest
        elif kind == _BOOL:
            basic.append(None)
            adv.append(xp.asarray([v]))
            has_adv = True
        elif kind == _ARRAY:
            size = shape[d]
            if v.size:
                lo, hi = builtins.int(v.min()), builtins.int(v.max())
                if lo < -size or hi >= size:
                    bad = hi if hi >= size else lo
                    raise IndexError(f"index {bad} is out of bounds for dimension {d} with "
                                     f"size {size}")
                if lo < 0:
                    v = v + size * (v < 0)
            basic.append(full)
            adv.append(v)
            has_adv = True
            d += 1
        else:
            for j, s in enumerate(v.shape):
                if s != shape[d + j]:
                    raise IndexError(f"The shape of the mask {shape_str(v.shape)} at index {j} "
                                     "does not match the shape of the indexed tensor "
                                     f"{shape_str(shape)} at index {d + j}")
            basic.extend([full] * v.ndim)
            adv.append(v)
            has_adv = True
            d += v.ndim
    basic.append(Ellipsis)  # keeps 0-d results arrays (views), not NumPy scalars
    if has_adv:
        return _Key(tuple(basic), tuple(adv), "Index", name != "Alias")
    return _Key(tuple(basic), None, name, name != "Alias")


def _key_of(key, t):
    return _parse_key(key, t._data.shape, xp_of(t._data))


# -- accumulation (NOTE [ Accumulating gradients ]) --------------------------------------------

def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _accumulate(dst, pos, arrays, vals):
    """dst[advanced index] += vals, where the index arrays sit at view dims `pos` (as NumPy lays
    out the result: in place when the dims are adjacent, else first)."""
    xp = xp_of(dst)
    if len(arrays) > 1:
        arrays = xp.broadcast_arrays(*arrays)
    nb = arrays[0].ndim
    start = pos[0] if pos[-1] - pos[0] == len(pos) - 1 else 0
    if start and nb:
        vals = xp.moveaxis(vals, tuple(range(start, start + nb)), tuple(range(nb)))
    sizes = tuple(dst.shape[p] for p in pos)
    if len(arrays) == 1:
        rows = arrays[0].reshape(-1)
    else:
        rows = xp.ravel_multi_index(tuple(a.reshape(-1) for a in arrays), sizes)
    rest = tuple(s for i, s in enumerate(dst.shape) if i not in pos)
    n_rows, n_cols = _prod(sizes), _prod(rest)
    vals = vals.reshape(rows.shape[0], n_cols)
    if pos == list(range(len(pos))) and dst.flags.c_contiguous:
        index_add_rows(xp, dst.reshape(n_rows, n_cols), rows, vals)
        return
    buf = xp.zeros((n_rows, n_cols), dst.dtype)
    index_add_rows(xp, buf, rows, vals)
    dst += xp.moveaxis(buf.reshape(sizes + rest), tuple(range(len(pos))), tuple(pos))


def _put(arr, key, value):
    """arr[key] = value with PyTorch's key semantics and error messages."""
    view = arr[key.basic]
    try:
        if key.adv is None:
            view[...] = value
        else:
            view[key.adv] = value
    except ValueError:
        vshape = list(np.shape(value))
        if key.adv is None:
            raise RuntimeError(_expand_msg(vshape, list(view.shape))) from None
        raise RuntimeError(f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot be "
                           "broadcast to indexing result of shape "
                           f"{shape_str(view[key.adv].shape)}") from None


def _expand_msg(src, target):
    lead = len(target) - len(src)
    for i in range(len(src) - 1, -1, -1):
        t = target[lead + i] if lead + i >= 0 else 1
        if src[i] != 1 and src[i] != t:
            return (f"The expanded size of the tensor ({t}) must match the existing size "
                    f"({src[i]}) at non-singleton dimension {lead + i}.  Target sizes: "
                    f"{shape_str(target)}.  Tensor sizes: {shape_str(src)}")
    return f"shape mismatch: {shape_str(src)} cannot be broadcast to {shape_str(target)}"


# -- getitem / setitem --------------------------------------------------------------------------

class Select(Op):
    """Basic indexing: a view sharing memory and the version counter with its input."""
    _is_view = True

    def forward(ctx, a, key):
        ctx.in_shape, ctx.key = a.shape, key
        return a[key.basic]

    def backward(ctx, g):
        return _EMBED[ctx.key.kind].apply(g, ctx.in_shape, ctx.key)


class Slice(Select):
    pass


class Alias(Select):
    pass


class _UnsqueezeIndex(Select, grad_fn="UnsqueezeBackward0"):
    pass


class Index(Op):
    """Advanced indexing (tensor, list or mask indices): a copy."""

    def forward(ctx, a, key):
        ctx.in_shape, ctx.key = a.shape, key
        return a[key.basic][key.adv]

    def backward(ctx, g):
        return _EMBED["Index"].apply(g, ctx.in_shape, ctx.key)


class _Embed(Op):
    """The gradient of indexing: zeros of the input's shape with g added at the key."""

    def forward(ctx, g, shape, key):
        ctx.key = key
        out = ctx.xp.zeros(shape, g.dtype)
        view = out[key.basic]
        if key.adv is None:
            view[...] = g
        else:
            pos, arrays = key.adv_arrays()
            _accumulate(view, pos, arrays, g)
        return out

    def backward(ctx, gg):
        return _INDEX_OPS[ctx.key.kind].apply(gg, ctx.key)


class _IndexPutAcc(_Embed, grad_fn="IndexPutBackward0"):
    pass


_INDEX_OPS = {"Select": Select, "Slice": Slice, "Alias": Alias, "Unsqueeze": _UnsqueezeIndex,
              "Index": Index}
_EMBED = {k: type(f"_{k}Embed", (_Embed,), {}, grad_fn=f"{k}BackwardBackward0")
          for k in ("Select", "Slice", "Alias", "Unsqueeze")}
_EMBED["Index"] = _IndexPutAcc


class IndexPut(Op):
    """out = input with value written at key (the differentiable form of x[key] = value)."""

    def forward(ctx, a, value, key):
        ctx.key = key
        ctx.value_shape = np.shape(value)
        out = a.copy()
        _put(out, key, value)
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        key = ctx.key
        ga = _put_op(key).apply(g, 0.0, key) if need[0] else None
        gv = None
        if need[1]:
            gv = _INDEX_OPS[key.kind].apply(g, key)
            lead = len(ctx.value_shape) - gv.ndim
            if lead > 0:  # value had leading 1-dims, which assignment strips
                gv = gv.reshape((1,) * lead + tuple(gv.shape))
        return ga, gv


class _CopySlices(IndexPut, grad_fn="CopySlices"):
    pass


def _put_op(key):
    """PyTorch writes through a view (CopySlices) unless the key is tensor indices alone."""
    return _CopySlices if key.adv is None or key.viewed else IndexPut


def getitem(input, key):
    """input[key] with PyTorch's semantics (NOTE [ Index keys ])."""
    k = _key_of(key, input)
    return _INDEX_OPS[k.kind].apply(input, k)


def setitem(tensor, key, value):
    """tensor[key] = value: differentiable when grad mode is on and anything requires grad."""
    k = _key_of(key, tensor)
    if not isinstance(value, (Tensor, int, float, bool, np.generic)):
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else \
            f"{kind.__module__.split('.')[0]}.{kind.__name__}"
        raise TypeError(f"can't assign a {name} to a torch.{_dtype.LEGACY_NAMES[tensor.dtype]}")
    if _grad_state.enabled and (tensor._requires_grad or isinstance(value, Tensor)
                                and value._requires_grad):
        if tensor._requires_grad and tensor._grad_fn is None and _put_op(k) is _CopySlices:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        tensor._inplace(_index_put, k, value)
        return
    _put(tensor._data, k, value._data if isinstance(value, Tensor) else value)
    tensor._version[0] += 1


def _index_put(input, key, value):
    return _put_op(key).apply(input, value, key)


# -- gather / scatter ---------------------------------------------------------------------------

def _check_int_index(index, fn):
    if index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index")


def _check_bounds(index, size, dim):
    if index.size:
        lo, hi = builtins.int(index.min()), builtins.int(index.max())
        if lo < 0 or hi >= size:
            raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for "
                               f"dimension {dim} with size {size}")


def _flat_targets(shape, dim, index):
    """Flat positions in a C-ordered array of `shape` that scatter along dim writes to."""
    xp = xp_of(index)
    if not shape:  # a 0-d tensor has the one position 0
        return index.astype(np.int64)
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
    """a[:shape[0], :shape[1], ...] (dim `skip` whole): the part of src or input an index uses."""
    if a.shape == tuple(shape):
        return a
    return a[tuple(slice(None) if d == skip else slice(0, s) for d, s in enumerate(shape))]


class Gather(Op):
    def forward(ctx, a, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, index
        if a.ndim == 0:
            return a.reshape(1)[index.reshape(-1)].reshape(index.shape)
        return ctx.xp.take_along_axis(_region(a, index.shape, dim), index, axis=dim)

    def backward(ctx, g):
        zeros = _make(ctx.xp.zeros(ctx.in_shape, g.dtype.np))
        return ScatterAdd.apply(zeros, ctx.dim, _make(ctx.index), g)


class Scatter(Op):
    """scatter with a src tensor; repeated positions keep one of the written values."""

    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out.reshape(-1)[_flat_targets(a.shape, dim, index)] = _region(src, index.shape)
        return out

    def backward(ctx, g):
        index = _make(ctx.index)
        need = ctx.needs_input_grad
        ga = ScatterValue.apply(g, ctx.dim, index, 0.0) if need[0] else None
        gs = Gather.apply(g, ctx.dim, index) if need[3] else None
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
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        lin = _flat_targets(a.shape, dim, index).reshape(-1)
        index_add_rows(ctx.xp, out.reshape(-1), lin, _region(src, index.shape).reshape(-1))
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        gs = Gather.apply(g, ctx.dim, _make(ctx.index)) if need[3] else None
        return (g if need[0] else None), None, None, gs


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


def _check_scatter_shapes(input, dim, index, src):
    if index.ndim != input.ndim and index._data.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(index.ndim):
        too_big = d != dim and index.shape[d] > input.shape[d]
        if too_big or src is not None and index.shape[d] > src.shape[d]:
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {d} expected index "
                                   f"{shape_str(index.shape)} to be no larger than self "
                                   f"{shape_str(input.shape)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {shape_str(index.shape)} to be no larger than "
                               f"self {shape_str(input.shape)} apart from dimension {dim} and "
                               f"to be no larger size than src {shape_str(src.shape)}")


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[index[i][j]][j] (dim 0): values along dim picked by index."""
    _check_int_index(index, "gather")
    dim = wrap_dim(dim, input.ndim)
    _check_scatter_shapes(input, dim, index, None)
    _check_bounds(index._data, input.shape[dim] if input.ndim else 1, dim)
    return Gather.apply(input, dim, index)


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """A copy of input with src (a tensor or a number) written at index along dim."""
    _check_int_index(index, "scatter")
    dim = wrap_dim(dim, input.ndim)
    if src is None:
        src = value
    src_t = src if isinstance(src, Tensor) else None
    if src_t is not None and src_t.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(input, dim, index, src_t)
    _check_bounds(index._data, input.shape[dim] if input.ndim else 1, dim)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        return _ScatterReduce.apply(input, dim, index, src, reduce)
    if src_t is None:
        return ScatterValue.apply(input, dim, index, src)
    return Scatter.apply(input, dim, index, src_t)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim (repeated positions accumulate)."""
    _check_int_index(index, "scatter_add")
    dim = wrap_dim(dim, input.ndim)
    if src.dtype != input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(input, dim, index, src)
    _check_bounds(index._data, input.shape[dim] if input.ndim else 1, dim)
    return ScatterAdd.apply(input, dim, index, src)


# -- index_select / index_add / index_fill / index_copy ----------------------------------------

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


def _vector_index(index, size, dim, fn):
    d = index._data
    if d.dtype.kind not in "iu":
        name = _dtype.type_name(d)
        if fn == "index_select":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index but got: {name}")
    if d.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector")
    d = d.reshape(-1)
    if d.size:
        lo, hi = builtins.int(d.min()), builtins.int(d.max())
        bad = hi if hi >= size else lo
        if fn == "index_select" and (lo < 0 or hi >= size):
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        if lo < -size or hi >= size:
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        if lo < 0:
            d = d + size * (d < 0)
    return _make(d)


def _dim_size(input, dim):
    return input.shape[dim] if input.ndim else 1


def index_select(input, dim, index, *, out=None):
    """The slices of input along dim picked by a 1-D index (repeats allowed)."""
    dim = wrap_dim(dim, input.ndim)
    index = _vector_index(index, _dim_size(input, dim), dim, "index_select")
    if input.ndim == 0 and index.numel() != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{index.numel()} value(s)")
    return IndexSelect.apply(input, dim, index)


def _check_source(input, dim, index, source, fn):
    n = index.shape[0]
    src_n = source.shape[dim] if source.ndim else 1
    if n != src_n:
        if fn == "index_add_":
            raise RuntimeError(f"index_add_(): Number of indices ({n}) should be equal to "
                               f"source.size(dim): ({src_n}), for dim: {dim}")
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({src_n})")
    want = list(input.shape)
    if want:
        want[dim] = n
    if source.numel() != _prod(want) or (source.ndim and source.ndim != input.ndim):
        raise RuntimeError(f"{fn}(): Source/destination tensor must have same slice shapes. "
                           f"Destination slice shape: {shape_str(input.shape[dim + 1:])} at "
                           f"dimension {dim} and source slice shape: "
                           f"{shape_str(source.shape[dim + 1:])} at dimension {dim}.")


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source added at index along dim (repeats accumulate)."""
    dim = wrap_dim(dim, input.ndim)
    index = _vector_index(index, _dim_size(input, dim), dim, "index_add_")
    _check_source(input, dim, index, source, "index_add_")
    if alpha != 1:
        return IndexAdd.apply(input, dim, index, source, alpha)
    return IndexAdd.apply(input, dim, index, source)


def index_fill(input, dim, index, value):
    """A copy of input with the slices at index along dim set to value (a number or 0-d tensor)."""
    dim = wrap_dim(dim, input.ndim)
    index = _vector_index(index, _dim_size(input, dim), dim, "index_fill_")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return IndexFillTensor.apply(input, dim, index, value)
    return IndexFill.apply(input, dim, index, value)


def index_copy(input, dim, index, source):
    """A copy of input with the slices at index along dim replaced by source's."""
    dim = wrap_dim(dim, input.ndim)
    index = _vector_index(index, _dim_size(input, dim), dim, "index_copy_")
    _check_source(input, dim, index, source, "index_copy_")
    return IndexCopy.apply(input, dim, index, source)


# -- masked_fill / masked_select / masked_scatter / take ----------------------------------------

class MaskedFill(Op):
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return ctx.xp.where(mask, ctx.xp.asarray(value, a.dtype), a)

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
            size = _prod(ctx.src_shape)
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
        flat = _IndexPutAcc.apply(g, (_prod(ctx.in_shape),), ctx.key)
        return flat.reshape(ctx.in_shape), None


def _bool_mask(mask, fn):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{fn}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype == np.bool_:
        return
    if fn == "masked_select":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    name = _c10_name(mask.dtype) if fn == "masked_fill" else _dtype.type_name(mask.dtype)
    raise RuntimeError(f"{fn}_ only supports boolean masks, but got mask with dtype {name}")


def _check_broadcast(a_shape, b_shape):
    try:
        np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        from ._op import broadcast_error
        raise broadcast_error(a_shape, b_shape) from None


def masked_fill(input, mask, value):
    """input with value (a number or a 0-d tensor) where mask is True; the two broadcast."""
    _bool_mask(mask, "masked_fill")
    _check_broadcast(input.shape, mask.shape)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return MaskedFillTensor.apply(input, mask, value)
    return MaskedFill.apply(input, mask, value)


def masked_select(input, mask, *, out=None):
    """A 1-D tensor of input's elements where mask (broadcast with input) is True."""
    _bool_mask(mask, "masked_select")
    _check_broadcast(input.shape, mask.shape)
    return MaskedSelect.apply(input, mask)


def masked_scatter(input, mask, source):
    """input with source's leading elements copied, in order, where mask is True."""
    _bool_mask(mask, "masked_scatter")
    _check_broadcast(input.shape, mask.shape)
    if source.dtype != input.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_dtype.type_name(input)} and {_dtype.type_name(source)}")
    copies = _prod(np.broadcast_shapes(input.shape, mask.shape)) // builtins.max(mask.numel(), 1)
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
            d = d + n * (d < 0)
    return Take.apply(input, _make(d))


# -- nonzero / sort / topk / argsort / unique ---------------------------------------------------

def nonzero(input, *, out=None, as_tuple=False):
    """Indices of nonzero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
    a = input._data
    xp = xp_of(a)
    if as_tuple:
        return tuple(_make(i.astype(np.int64, copy=False))
                     for i in xp.nonzero(a.reshape(1) if a.ndim == 0 else a))
    return _make(xp.argwhere(a).astype(np.int64, copy=False))


_sort_result = namedtuple("sort", ["values", "indices"])
_topk_result = namedtuple("topk", ["values", "indices"])
_sort_result.__module__ = _topk_result.__module__ = "ember.return_types"


def _argsort(a, axis, descending):
    """Stable argsort; descending keeps equal elements in their original order too."""
    xp = xp_of(a)
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    rev = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(rev, axis)


class Sort(Op):
    """values and int64 indices; the values' gradient goes back to where each came from."""

    def forward(ctx, a, dim, descending):
        flat = a.reshape(1) if a.ndim == 0 else a
        idx = _argsort(flat, dim, descending).astype(np.int64, copy=False)
        values = ctx.xp.take_along_axis(flat, idx, axis=dim)
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, idx
        return values.reshape(a.shape), idx.reshape(a.shape)

    def backward(ctx, g, _):
        return _scatter_back(ctx, g)


class Topk(Op):
    def forward(ctx, a, k, dim, largest, sorted_):
        xp = ctx.xp
        flat = a.reshape(1) if a.ndim == 0 else a
        n = flat.shape[dim]
        if k in (0, n) or sorted_:
            idx = _argsort(flat, dim, largest)
            idx = xp.take(idx, xp.arange(k), axis=dim) if k < n else idx
        else:
            part = xp.argpartition(flat, n - k if largest else k - 1, axis=dim)
            idx = xp.take(part, xp.arange(n - k, n) if largest else xp.arange(k), axis=dim)
        idx = idx.astype(np.int64, copy=False)
        values = xp.take_along_axis(flat, idx, axis=dim)
        ctx.in_shape, ctx.dim, ctx.index = a.shape, dim, idx
        if a.ndim == 0:
            return values.reshape(()), idx.reshape(())
        return values, idx

    def backward(ctx, g, _):
        return _scatter_back(ctx, g)


def _scatter_back(ctx, g):
    """Gradient of sort/topk values: g written back to the positions the values came from."""
    if not ctx.in_shape:  # 0-d input, sorted as one element
        g = g.reshape(1)
    zeros = _make(ctx.xp.zeros(ctx.in_shape or (1,), g.dtype.np))
    out = Scatter.apply(zeros, ctx.dim, _make(ctx.index), g)
    return out.reshape(()) if not ctx.in_shape else out


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """(values, indices) sorted along dim; always stable here (a valid unstable order too)."""
    dim = wrap_dim(dim, input.ndim)
    values, indices = Sort.apply(input, dim, descending)
    return _sort_result(values, indices)


def argsort(input, dim=-1, descending=False, stable=False):
    """The int64 indices that sort input along dim (stable)."""
    dim = wrap_dim(dim, input.ndim)
    a = input._data
    idx = _argsort(a.reshape(1) if a.ndim == 0 else a, dim, descending)
    return _make(idx.astype(np.int64, copy=False).reshape(a.shape))


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """(values, indices) of the k largest (or smallest) elements along dim."""
    dim = wrap_dim(dim, input.ndim)
    k = builtins.int(k)
    if not 0 <= k <= _dim_size(input, dim):
        raise RuntimeError("selected index k out of range")
    values, indices = Topk.apply(input, k, dim, largest, sorted)
    return _topk_result(values, indices)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along dim), always sorted; optionally the inverse
    indices and the counts."""
    a = input._data
    xp = xp_of(a)
    axis = None if dim is None else wrap_dim(dim, a.ndim)
    res = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
    values, inverse, counts = res[0], res[1], res[2]
    out = [_make(values)]
    if return_inverse:
        inverse = inverse.reshape(a.shape if axis is None else (a.shape[axis],))
        out.append(_make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(_make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)
