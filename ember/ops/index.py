"""Indexing: getitem and setitem with PyTorch's key semantics, and the ops they record.

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
import math
import warnings

import numpy as np

from .. import _dtype
from .._backend import to_numpy, xp_of
from .._tensor import Tensor, _make, _refuse_write, writable_alias
from ..autograd.grad_mode import state as _grad_state
from ._numpy_names import numpy_names
from ._op import Op, shape_str, wrap_dim
from ._scatter import index_add_rows
from .._warnings import user_stacklevel

__all__ = ["getitem", "setitem", "index_put", "index_put_", "put", "unravel_index",
           "slice_scatter", "select_scatter"]

_INT, _SLICE, _NONE, _ELLIPSIS, _BOOL, _ARRAY, _MASK = range(7)
_KIND_MSG = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
             "are valid indices (got {})")


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
    elif isinstance(k, (list, tuple, range)) or hasattr(k, "__array__") or hasattr(k, "dtype"):
        arr = xp.asarray(k, np.int64) if isinstance(k, range) else xp.asarray(k)
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
        if isinstance(k, Tensor):
            if arr.ndim == 0:
                return _INT, builtins.int(arr)  # a 0-d integer tensor selects, as an int does
            if arr.dtype != np.int64 and arr.dtype != np.int32:  # torch's index kernels take
                raise IndexError(_DTYPE_MSG)  # these two (a NumPy array of any is converted)
        return _ARRAY, arr
    raise IndexError(_DTYPE_MSG)


_DTYPE_MSG = "tensors used as indices must be long, int, byte or bool tensors"


def _as_sequence(key):
    """PyTorch still reads a list holding tensors, lists, slices, None or ... as a tuple."""
    if type(key) is tuple:
        return key
    if type(key) is list and any(isinstance(k, (Tensor, list, tuple, slice)) or k is None
                                 or k is Ellipsis for k in key):
        return tuple(key)
    return (key,)


def _refuse_0d_index(key, item):
    """torch's errors for a lone int or slice indexing a 0-d tensor; any other index is one too
    many."""
    kind, v = item
    if kind == _INT and not isinstance(key, Tensor):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if kind == _SLICE:
        step = 1 if v.step is None else v.step.__index__()
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step < 0:
            raise ValueError("step must be greater than zero")
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")


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
        if ndim == 0 and len(items) == 1 and type(key) is not tuple:
            _refuse_0d_index(key, items[0])
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    _check_index_shapes(items)
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
            # torch records a lone slice (not in a tuple) even when it takes the whole dim
            if type(key) is slice or v.indices(shape[d]) != (0, shape[d], 1):
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


def _check_index_shapes(items):
    """torch's error for index tensors that do not broadcast together, which it raises before
    checking their bounds: a mask of k dims counts as k index tensors of its True elements, a
    lone bool as a mask of one element."""
    if len(items) < 2 or builtins.sum(kind in (_ARRAY, _MASK, _BOOL) for kind, _ in items) < 2:
        return
    shapes = []
    for kind, v in items:
        if kind == _ARRAY:
            shapes.append(v.shape)
        elif kind == _MASK:
            shapes += [(builtins.int(v.sum()),)] * v.ndim
        elif kind == _BOOL:
            shapes.append((builtins.int(v),))
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(shape_str(s) for s in shapes)) from None


def _key_of(key, t):
    return _simple_key(key, t._data) or _parse_key(key, t._data.shape, xp_of(t._data))


def _simple_key(key, a):
    """The _Key _parse_key would make for the commonest indices of a NumPy array of at least one
    dim - an int in range, a slice without a step, a tuple of those, a non-empty int64 tensor
    of indices in [0, size) - at a fraction of its cost; None for any other index, which
    _parse_key takes (with its errors)."""
    if not a.ndim or type(a) is not np.ndarray:
        return None
    kind, size = type(key), a.shape[0]
    if kind is int:
        return _Key((key, Ellipsis), None, "Select", True) if -size <= key < size else None
    if kind is slice:  # a lone slice is a SliceBackward0 even when it takes all (_parse_key)
        return _Key((key, Ellipsis), None, "Slice", True) if key.step is None else None
    if kind is tuple and len(key) <= a.ndim:
        return _basic_tuple_key(key, a.shape)
    if isinstance(key, Tensor):
        index = key._data
        # read as unsigned, a negative index is huge: one reduction checks both bounds
        if type(index) is np.ndarray and index.dtype == np.int64 and index.ndim and index.size \
                and int(index.view(np.uint64).max()) < size:
            return _Key((slice(None), Ellipsis), (index,), "Index", False)
    return None


def _basic_tuple_key(key, shape):
    """_simple_key of a tuple of ints in range and slices without a step (x[:, -1], x[0, :n]);
    the op is named after the last int or partial slice, as in _parse_key."""
    name = "Alias"
    for d, k in enumerate(key):
        kind = type(k)
        if kind is int:
            size = shape[d]
            if not -size <= k < size:
                return None
            name = "Select"
        elif kind is slice and k.step is None:
            if k.indices(shape[d]) != (0, shape[d], 1):
                name = "Slice"
        else:
            return None
    return _Key(key + (Ellipsis,), None, name, name != "Alias")


# -- accumulation (NOTE [ Accumulating gradients ]) --------------------------------------------

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
    n_rows, n_cols = math.prod(sizes), math.prod(rest)
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
    # an expanded tensor: elements share memory (device arrays have no writeable flag). torch
    # refuses a plain write into a view whose own elements share memory, and writes the rest
    # into the shared memory (an indexed write with its deprecation warning)
    if not getattr(view.flags, "writeable", True):
        if key.adv is None:
            if view.size and any(st == 0 and n > 1 for st, n in zip(view.strides, view.shape)):
                _refuse_write(view)  # (an empty view writes nothing: torch takes it)
        else:
            warnings.warn("Use of index_put_ on expanded tensors is deprecated. Please clone() "
                          "the tensor before performing this operation. This also applies to "
                          "advanced indexing e.g. tensor[indices] = tensor", UserWarning,
                          stacklevel=user_stacklevel())
        view = writable_alias(arr)[key.basic]
    try:
        if key.adv is None:
            view[...] = value
        else:
            view[key.adv] = value
    except ValueError:
        vshape = list(getattr(value, "shape", ()))
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
        ctx.value_shape = getattr(value, "shape", ())
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
    if isinstance(value, (int, float, complex)):  # as torch, checked before the key
        # torch writes a number into a Half tensor unchecked (beyond Half's range: inf)
        if tensor.dtype is not _dtype.float16 or not isinstance(value, (int, float)):
            value = _dtype.checked_fill(value, tensor.dtype)
        elif isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        else:
            with np.errstate(over="ignore"):
                value = np.float16(value)
    k = _key_of(key, tensor)
    if isinstance(value, Tensor) and value.dtype != tensor.dtype and \
            _through_index_put(k, value):
        _check_value_shape(tensor, k, value)
        raise _index_put_dtype_error(tensor, value)
    if not isinstance(value, (Tensor, int, float, bool, complex, np.generic)):
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
    tensor._vc[0] += 1


def _through_index_put(key, value):
    """Whether torch writes value through index_put_, which takes no other dtype, rather than
    copy_ (basic indexing) or masked_fill (Boolean masks and a value of one element)."""
    return key.adv is not None and (value._data.size != 1 or any(
        not isinstance(a, slice) and a.dtype != np.bool_ for a in key.adv))


def _check_value_shape(tensor, key, value):
    """torch's error for a value that does not broadcast to the indexing result, which index_put_
    reports before a dtype mismatch (indexing a broadcast scalar finds the result's shape)."""
    xp = xp_of(tensor._data)
    shape = xp.broadcast_to(xp.zeros((), np.bool_), tensor._data.shape)[key.basic][key.adv].shape
    vshape = value._data.shape
    try:
        fits = np.broadcast_shapes(vshape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot be "
                           f"broadcast to indexing result of shape {shape_str(shape)}")


def _index_put_dtype_error(dst, src):
    names = [_dtype.type_name(t) for t in (dst, src)]
    return RuntimeError("Index put requires the source and destination dtypes match, got "
                        f"{names[0]} for the destination and {names[1]} for the source.")


def _index_put(input, key, value):
    return _put_op(key).apply(input, value, key)


# -- index_put / put ------------------------------------------------------------------------------

class IndexPutAccumulate(Op, grad_fn="IndexPutBackward0"):
    """out = input with value added at key (repeated positions add up)."""

    def forward(ctx, a, value, key):
        ctx.key = key
        out = a.copy()
        view = out[key.basic]
        shape = view[key.adv].shape
        try:
            vals = ctx.xp.broadcast_to(ctx.xp.asarray(value, a.dtype), shape)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {shape_str(np.shape(value))} "
                               f"cannot be broadcast to indexing result of shape "
                               f"{shape_str(shape)}") from None
        pos, arrays = key.adv_arrays()
        _accumulate(view, pos, arrays, vals)
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g if need[0] else None), (Index.apply(g, ctx.key) if need[1] else None)


def index_put(input, indices, values, accumulate=False):
    """A copy of input with values written (or, with accumulate, added) at the tensors of
    indices, as input[indices] = values does."""
    key = _key_of(tuple(indices), input)
    if values.dtype != input.dtype:
        raise _index_put_dtype_error(input, values)
    if accumulate:
        return IndexPutAccumulate.apply(input, values, key)
    return IndexPut.apply(input, values, key)


def index_put_(input, indices, values, accumulate=False):
    """index_put written into input. Into an expanded tensor (elements sharing memory) outside
    a graph torch writes the shared memory, with its deprecation warning: each position's
    memory takes (or, accumulating, sums) what its elements get."""
    data = input._data
    if type(data) is np.ndarray and not data.flags.writeable and data.size and not (
            _grad_state.enabled and (input._requires_grad or values._requires_grad)):
        key = _key_of(tuple(indices), input)
        if values.dtype != input.dtype:
            raise _index_put_dtype_error(input, values)
        if accumulate:
            warnings.warn("Use of index_put_ on expanded tensors is deprecated. Please clone() "
                          "the tensor before performing this operation. This also applies to "
                          "advanced indexing e.g. tensor[indices] = tensor", UserWarning,
                          stacklevel=user_stacklevel())
            np.add.at(writable_alias(data)[key.basic], key.adv, values._data)
        else:
            _put(data, key, values._data)
        input._vc[0] += 1
        return input
    return input._inplace(index_put, indices, values, accumulate)


class Put(Op):
    """out = input with source written (or added) at flat positions index."""

    def forward(ctx, a, index, source, accumulate):
        ctx.index, ctx.accumulate, ctx.source_shape = index, accumulate, source.shape
        out = a.copy()
        flat = out.reshape(-1)
        if accumulate:
            index_add_rows(ctx.xp, flat, index, source.reshape(-1))
        else:
            flat[index] = source.reshape(-1)
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        index = _make(ctx.index)
        ga = gs = None
        if need[0]:
            ga = g if ctx.accumulate else Put.apply(g, index, _make(ctx.xp.zeros(
                ctx.index.shape, g.dtype.np)), False)
        if need[2]:
            gs = Index.apply(g.reshape(-1), _key_of((index,), g.reshape(-1))).reshape(
                ctx.source_shape)
        return ga, None, gs


def put(input, index, source, accumulate=False):
    """A copy of input, seen as 1-D, with source's elements written (or added) at index
    (negative positions count from the end)."""
    d = index._data
    if d.dtype != np.int64:
        raise RuntimeError("put_(): Expected a long tensor for index, but got "
                           f"{_dtype.LEGACY_NAMES[index.dtype][:-len('Tensor')]}")
    if source.dtype != input.dtype:
        names = [_dtype.LEGACY_NAMES[t.dtype][:-len("Tensor")] for t in (input, source)]
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {names[0]} and source.dtype = {names[1]}")
    if source.numel() != index.numel():
        raise IndexError("put_(): Expected source and index to have the same number of elements, "
                         f"but got source.numel() = {source.numel()}, index.numel() = "
                         f"{index.numel()}")
    n = input.numel()
    flat = d.reshape(-1)
    if flat.size:
        lo, hi = builtins.int(flat.min()), builtins.int(flat.max())
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {hi if hi >= n else lo} on "
                             f"a tensor of {n} elements.")
    return Put.apply(input, _make(flat % builtins.max(n, 1)), source, builtins.bool(accumulate))


def unravel_index(indices, shape):
    """The coordinates, one int64 tensor per dim of shape, of flat positions in a C-ordered
    tensor of that shape."""
    d = indices._data
    if d.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got "
                        f"{_dtype.type_name(indices)}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    n = math.prod(shape)
    if d.size and (builtins.int(d.min()) < -n or builtins.int(d.max()) >= n):
        raise RuntimeError(f"'indices' must be in range [{-n}, {n - 1}]")
    xp = xp_of(d)
    return tuple(_make(c.astype(np.int64)) for c in xp.unravel_index(d % builtins.max(n, 1), shape))


# -- slice_scatter / select_scatter ---------------------------------------------------------------

class SliceScatter(Op):
    """out = input with src written into the slice input[key] (key: slices and ints only)."""

    def forward(ctx, a, src, key):
        ctx.key = key
        out = a.copy()
        out[key] = src
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        part = g[ctx.key]
        ga = None
        if need[0]:
            zeros = _make(xp_of(g._data).zeros(part.shape, g.dtype.np))
            ga = ctx._forward_cls.apply(g, zeros, ctx.key)
        return ga, (part if need[1] else None)


class SelectScatter(SliceScatter):
    pass


def _scatter_into(cls, input, src, key):
    want = input._data[key].shape
    if tuple(src.shape) != want:
        raise RuntimeError("expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(want)}")
    return cls.apply(input, src, key)


@numpy_names
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input with src written into input[start:end:step] along dim."""
    d = wrap_dim(dim, input.ndim)
    return _scatter_into(SliceScatter, input, src, (slice(None),) * d + (slice(start, end, step),))


@numpy_names
def select_scatter(input, src, dim, index):
    """A copy of input with src written into input.select(dim, index)."""
    d = wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return _scatter_into(SelectScatter, input, src, (slice(None),) * d + (index,))
