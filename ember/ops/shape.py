"""Shape ops: views (view, reshape, permute, expand ...) share memory and the version counter
with their input; repeat, flip and roll make new tensors. Joining and splitting are in join.py.
Forward on arrays, backward in ember ops.
"""
import math

import numpy as np

from .. import _dtype
from .._dtype import type_name as _type_name
from .._backend import broadcast_to as _broadcast_array
from .._tensor import Size, _make
from ..autograd.grad_mode import state as _grad_state
from ._common import ones_vector
from ._numpy_names import numpy_names
from ._op import Op, shape_str, size_args, wrap_dim

__all__ = ["view", "reshape", "view_as", "reshape_as", "flatten", "unflatten", "squeeze",
           "unsqueeze", "permute", "transpose", "swapaxes", "swapdims", "t", "expand",
           "expand_as", "repeat", "tile", "flip", "fliplr", "flipud", "roll", "movedim",
           "moveaxis", "sum_to_size", "ravel", "broadcast_to", "broadcast_shapes",
           "broadcast_tensors", "select", "rot90"]


def _unique_dims(dims, ndim):
    dims = tuple(wrap_dim(d, ndim) for d in dims)
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return dims


def _infer_shape(shape, numel):
    shape = tuple(shape)
    product = math.prod(shape)
    # the common shapes in one product: every size given, or one -1 beside sizes that divide
    if product == numel and (not shape or min(shape) >= 0):
        return shape
    if product < 0 and min(shape) == -1 and shape.count(-1) == 1 and numel % product == 0:
        i = shape.index(-1)
        return shape[:i] + (numel // -product,) + shape[i + 1:]
    return _checked_shape(list(shape), numel)


def _checked_shape(shape, numel):
    """_infer_shape's other cases: torch's errors, or an inferred dim beside a zero size."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        if known == 0:
            if numel == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape "
                                   f"{shape_str(shape)} because the unspecified dimension size "
                                   "-1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    if math.prod(shape) != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


# -- reshaping views -------------------------------------------------------------------------------

class View(Op):
    _is_view = True
    _array_backward = True

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        if not isinstance(a, np.ndarray):
            return a.reshape(shape)
        try:
            return a.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class UnsafeView(Op):
    """reshape of a tensor that needed a copy (PyTorch's _unsafe_view: ViewBackward0's twin)."""

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Squeeze(Op):
    """squeeze(): every size-1 dim (SqueezeBackward0); the subclasses name the dim forms."""
    _is_view = True

    def forward(ctx, a, axes):
        ctx.in_shape = a.shape
        return a.squeeze(axis=axes) if axes else a.view()

    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class SqueezeDim(Squeeze, grad_fn="SqueezeBackward1"):
    pass


class SqueezeDims(Squeeze, grad_fn="SqueezeBackward2"):
    pass


class Unsqueeze(Op):
    _is_view = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        shape = a.shape
        return a.reshape(shape[:dim] + (1,) + shape[dim:])  # a view; np.expand_dims costs 1.5 us

    def backward(ctx, g):
        return g.squeeze(ctx.dim)


def view(input, *shape, size=None, dtype=None):
    """A view with a new shape (one -1 inferred), or view(dtype): the bytes reinterpreted. The
    one argument may be given by keyword (size=, dtype=); a Python type is a dtype (float is
    float64)."""
    keywords = {k: v for k, v in (("dtype", dtype), ("size", size)) if v is not None}
    if (len(shape) > 0) + len(keywords) != 1:
        raise _invalid_view_arguments(shape, keywords)
    if keywords:
        shape = tuple(keywords.values())
    target = _dtype.canonical(shape[0]) if len(shape) == 1 else None
    if isinstance(target, _dtype.dtype):
        return _view_dtype(input, target)
    if "dtype" in keywords:
        raise _invalid_view_arguments((), keywords)
    return View.apply(input, _infer_shape(size_args(shape), input._data.size))


def _invalid_view_arguments(shape, keywords):
    """torch's TypeError for view's arguments that fit neither overload, worded as its argument
    parser words them (a call of keywords only lists each with a trailing comma)."""
    def kind(v):
        return "torch.dtype" if isinstance(v, _dtype.dtype) else type(v).__name__
    given = [kind(v) for v in shape] + [f"{k}={kind(v)}" for k, v in keywords.items()]
    got = ", ".join(given) if shape else "".join(g + ", " for g in given)
    return TypeError(f"view() received an invalid combination of arguments - got ({got}), but "
                     "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")


def _view_dtype(input, dtype):
    a = input._data
    old, new = a.itemsize, dtype.np.itemsize
    if old != new:
        names = f"{_type_name(input)} as {_type_name(dtype)} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        if new > old and (a.shape[-1] * old) % new:
            raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to view "
                               f"{names}, but got {a.shape[-1]}")
        stride = a.strides[-1] // old
        if stride != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {stride}")
    out = _make(a.view(dtype.np))
    out._vc = input._vc  # a view: in-place writes through either bump both
    return out


def reshape(input, *shape):
    """A view when the strides allow one (ViewBackward0), else a copy (UnsafeViewBackward0)."""
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    shape = _infer_shape(size_args(shape), input._data.size)
    try:
        return View.apply(input, shape)
    except RuntimeError:
        return UnsafeView.apply(input, shape)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes 1-D)."""
    shape = input._data.shape
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if not shape:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input, dim, sizes):
    """Split dim into `sizes` (one -1 inferred): the inverse of flatten."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = [int(s) for s in sizes]
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    if -1 in sizes:
        known = math.prod(s for s in sizes if s != -1)
        if known and shape[d] % known == 0:
            sizes[sizes.index(-1)] = shape[d] // known
    if math.prod(sizes) != shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[d]}) in the input tensor")
    return View.apply(input, shape[:d] + tuple(sizes) + shape[d + 1:])


@numpy_names
def squeeze(input, dim=None):
    """Drop size-1 dims: all of them, one dim, or a tuple of dims (others are kept)."""
    return _squeeze(input, dim, Squeeze, SqueezeDim, SqueezeDims)


def _squeeze(input, dim, every, one, several):
    shape = input._data.shape
    if dim is None:
        return every.apply(input, tuple(i for i, s in enumerate(shape) if s == 1))
    op = several if isinstance(dim, (tuple, list)) else one
    dims = _unique_dims(dim if op is several else (dim,), len(shape))
    axes = tuple(d for d in dims if shape and shape[d] == 1)
    return op.apply(input, axes)


@numpy_names
def unsqueeze(input, dim):
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


# The in-place forms (x.squeeze_() ...): the same views under torch's in-place node names, which
# the tensor adopts with the view's array (Tensor._view_in_place). Not views of their input: the
# tensor stays itself, with its own version counter.
class SqueezeInPlace(Squeeze, grad_fn="SqueezeBackward3"):
    _is_view = False


class SqueezeDimInPlace(Squeeze, grad_fn="SqueezeBackward4"):
    _is_view = False


class SqueezeDimsInPlace(Squeeze, grad_fn="SqueezeBackward5"):
    _is_view = False


class UnsqueezeInPlace(Unsqueeze, grad_fn="UnsqueezeBackward1"):
    _is_view = False


def _squeeze_in_place(input, dim=None):
    return _squeeze(input, dim, SqueezeInPlace, SqueezeDimInPlace, SqueezeDimsInPlace)


def _unsqueeze_in_place(input, dim):
    return UnsqueezeInPlace.apply(input, wrap_dim(dim, input._data.ndim + 1))


# -- permuting views -------------------------------------------------------------------------------

class Permute(Op):
    _is_view = True
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return Permute.apply(g, tuple(inverse))


class Transpose(Op):
    _is_view = True
    _array_backward = True

    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return a.swapaxes(dim0, dim1) if a.ndim else a.view()

    def backward(ctx, g):
        return Transpose.apply(g, ctx.dim0, ctx.dim1)


class T(Op):
    _is_view = True
    _array_backward = True

    def forward(ctx, a):
        return a.T if a.ndim == 2 else a.view()

    def backward(ctx, g):
        return T.apply(g)


def permute(input, *dims_args, dims=None):
    """A view with the dims reordered."""
    dims = size_args(dims_args if dims is None else (dims,))
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    """A view with dim0 and dim1 swapped."""
    return _transpose(input, dim0, dim1, Transpose)


def _transpose(input, dim0, dim1, op):
    nd = input._data.ndim
    return op.apply(input, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


class TransposeInPlace(Transpose, grad_fn="TransposeBackward1"):
    _is_view = False


def _transpose_in_place(input, dim0, dim1):
    return _transpose(input, dim0, dim1, TransposeInPlace)


def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


def swapdims(input, dim0, dim1):
    return transpose(input, dim0, dim1)


def t(input):
    """The transpose of a matrix; a 0-d or 1-D tensor is returned as a view of itself."""
    return _t(input, T)


def _t(input, op):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return op.apply(input)


class TInPlace(T, grad_fn="TBackward1"):
    _is_view = False


def _t_in_place(input):
    return _t(input, TInPlace)


def movedim(input, source, destination):
    """Move the dims `source` to the positions `destination`, keeping the others in order."""
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                           f"({shape_str(src)} dims) should contain the same number of dims as "
                           f"destination ({shape_str(dst)} dims)")
    src = tuple(wrap_dim(d, nd) for d in src)
    dst = tuple(wrap_dim(d, nd) for d in dst)
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({shape_str(ds)})")
    perm = [-1] * nd
    if nd == 0:
        src = dst = ()  # a 0-d tensor's only "dim" (0 or -1) is no dim to move
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    perm = [p if p != -1 else next(rest) for p in perm]
    return Permute.apply(input, tuple(perm))


moveaxis = movedim


# -- broadcasting and repeating --------------------------------------------------------------------

class Expand(Op):
    _is_view = True

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        lead = len(shape) - a.ndim
        if shape[lead:] == a.shape and shape[:lead].count(1) == lead:
            return a[(None,) * lead]  # nothing repeats: a writable view, as torch's
        return _broadcast_array(a, shape)

    def backward(ctx, g):
        return sum_to_size(g, ctx.in_shape)


class SumToSize(Op, grad_fn="SumBackward1"):
    """Sum over the given axes, keeping them as size 1 (sum_to_size's reduction)."""

    def forward(ctx, a, axes):
        ctx.in_shape = a.shape
        rows = _leading_rows(a, axes)
        if rows is not None:  # a bias gradient: one matrix-vector product (NOTE below)
            out = ones_vector(ctx.xp, rows.shape[0], a.dtype) @ rows
            return out.reshape((1,) * len(axes) + a.shape[len(axes):])
        return a.sum(axis=axes, keepdims=True)

    def backward(ctx, g):
        return g.expand(ctx.in_shape)


# NOTE [ Leading sums as products ]: a sum over the leading axes of a C-contiguous float array
# (a Linear layer's bias gradient: (batch, tokens, features) -> features) is a matrix-vector
# product of a vector of ones with the array seen as (rows, rest), 2-4x faster than NumPy's
# reduction here. The BLAS accumulates in the array's precision, so only up to _LEADING_ROWS rows
# (relative error ~1e-6 in float32 there, as NumPy's pairwise sum).
_LEADING_ROWS = 8192


def _leading_rows(a, axes):
    """a as (rows, rest) when axes are its leading axes and the product applies, else None."""
    k = len(axes)
    if not k or k == a.ndim or axes != tuple(range(k)) or a.dtype.kind != "f" or \
            a.dtype.itemsize < 4 or not a.flags.c_contiguous or a.size == 0:
        return None
    rows = a.size // math.prod(a.shape[k:])
    return a.reshape(rows, -1) if rows <= _LEADING_ROWS else None


class Repeat(Op):
    def forward(ctx, a, reps):
        ctx.in_shape, ctx.reps = a.shape, reps
        return ctx.xp.tile(a, reps)

    def backward(ctx, g):
        reps = ctx.reps
        if not reps:
            return g
        padded = (1,) * (len(reps) - len(ctx.in_shape)) + ctx.in_shape
        pairs = []  # each dim d of the output, seen as (reps[d], padded[d]); sum the reps
        for r, s in zip(reps, padded):
            pairs += [r, s]
        return g.reshape(pairs).sum(tuple(range(0, 2 * len(reps), 2))).reshape(ctx.in_shape)


def expand(input, *sizes):
    """A broadcast view to `sizes` (-1 keeps a dim); new dims are prepended."""
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = size_args(sizes)
    nd = input._data.ndim
    if len(sizes) < nd:
        name = input.type().split(".")[-1]
        raise RuntimeError(f"expand(torch.{name}{{{shape_str(input.shape)}}}, "
                           f"size={shape_str(sizes)}): the number of sizes provided ({len(sizes)}) "
                           f"must be greater or equal to the number of dimensions in the tensor "
                           f"({nd})")
    lead = len(sizes) - nd
    shape = []
    for i, s in enumerate(sizes):
        cur = input._data.shape[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError("The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{shape_str(sizes)}.  Tensor sizes: {shape_str(input.shape)}")
        shape.append(s)
    return Expand.apply(input, tuple(shape))


def expand_as(input, other):
    return expand(input, other.shape)


def sum_to_size(input, *size):
    """Sum broadcast dims so the result has `size` (which must expand to input's shape)."""
    size = size_args(size)
    shape = input._data.shape
    if tuple(size) == shape:
        return input
    axes = _broadcast_axes(shape, size)
    if axes is None:
        raise RuntimeError(f"size {{{shape_str(size)}}} is not expandable to size "
                           f"{{{shape_str(shape)}}}.")
    # As PyTorch: sum with keepdim over the leading and broadcast dims, then view off the lead.
    out = SumToSize.apply(input, axes)
    return View.apply(out, tuple(size)) if len(shape) > len(size) else out


def summed_to_shape(a, size):
    """sum_to_size of a backend array, from the backward engine on arrays (NOTE [ Backward on
    arrays ]): None when size does not expand to a's shape."""
    axes = _broadcast_axes(a.shape, size)
    if axes is None:
        return None
    _grad_state.arrays = True  # SumToSize on arrays returns an array
    try:
        out = SumToSize.apply(a, axes)
    finally:
        _grad_state.arrays = False
    return out.reshape(size)


def _broadcast_axes(shape, size):
    """The axes that broadcasting size to shape added or repeated (the leading ones, then those
    of size 1), or None when size does not expand to shape."""
    lead = len(shape) - len(size)
    if lead < 0:
        return None
    axes = tuple(range(lead))
    for i, s in enumerate(size):
        if s != shape[lead + i]:
            if s != 1:
                return None
            axes += (lead + i,)
    return axes


def repeat(input, *sizes):
    """Tile the tensor sizes[i] times along each dim (extra leading sizes add dims)."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = size_args(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    padded = (1,) * (len(sizes) - len(shape)) + shape
    out_shape = [r * s for r, s in zip(sizes, padded)]
    for n in out_shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{shape_str(out_shape)}")
    return Repeat.apply(input, sizes)


def tile(input, *dims):
    """repeat, with missing leading repetitions taken as 1."""
    dims = size_args(dims)
    return repeat(input, (1,) * (input._data.ndim - len(dims)) + dims)

# -- reordering copies -----------------------------------------------------------------------------

class Flip(Op):
    def forward(ctx, a, dims):
        ctx.dims = dims
        return ctx.xp.flip(a, axis=dims).copy()  # a new tensor, as in PyTorch, not a view

    def backward(ctx, g):
        return flip(g, ctx.dims)


class Roll(Op):
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return ctx.xp.roll(a, shifts[0])
        return ctx.xp.roll(a, shifts, axis=dims)

    def backward(ctx, g):
        return roll(g, tuple(-s for s in ctx.shifts), ctx.dims)


def flip(input, *dims_args, dims=None):
    """A copy with the order of elements reversed along dims."""
    dims = size_args(dims_args if dims is None else (dims,))
    nd = input._data.ndim
    dims = _unique_dims(dims, nd)
    return Flip.apply(input, dims if nd else ())


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


def roll(input, shifts, dims=None):
    """Shift elements circularly along dims (over the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts, None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    nd = input._data.ndim
    if not nd:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    if not input._data.size:  # nothing moves: torch checks no dim then
        return Roll.apply(input, (0,), None)
    dims = tuple(wrap_dim(d, nd) for d in dims)
    return Roll.apply(input, shifts, dims)


# -- sliding windows (Tensor.unfold) ---------------------------------------------------------------

class Unfold(Op):
    """The windows of `size` elements every `step` along dim, as a new last dim: a view (writable
    where the windows do not overlap)."""
    _is_view = True

    def forward(ctx, a, dim, size, step):
        ctx.in_shape, ctx.dim, ctx.size, ctx.step = a.shape, dim, size, step
        if a.ndim == 0:
            return a.reshape(1)
        n = (a.shape[dim] - size) // step + 1
        shape = a.shape[:dim] + (n,) + a.shape[dim + 1:] + (size,)
        strides = a.strides[:dim] + (a.strides[dim] * step,) + a.strides[dim + 1:] + (a.strides[dim],)
        if ctx.xp is not np:  # CuPy's as_strided has no writeable flag
            return ctx.xp.lib.stride_tricks.as_strided(a, shape, strides)
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=step >= size)

    def backward(ctx, g):
        return UnfoldBackward.apply(g, ctx.in_shape, ctx.dim, ctx.size, ctx.step)


class UnfoldBackward(Op):
    """The windows' gradients added back into the input's shape: one strided add per offset
    within a window."""

    def forward(ctx, g, in_shape, dim, size, step):
        ctx.dim, ctx.size, ctx.step = dim, size, step
        if not in_shape:
            return g.reshape(())
        out = ctx.xp.zeros(in_shape, g.dtype)
        n = g.shape[dim]
        lead = (slice(None),) * dim
        for k in range(size):
            out[lead + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
        return out

    def backward(ctx, gg):
        if gg.ndim == 0:
            return gg.reshape(1)
        return Unfold.apply(gg, ctx.dim, ctx.size, ctx.step)


def unfold(input, dimension, size, step):
    """Tensor.unfold: every window of `size` elements `step` apart along `dimension`, as a view
    with the window as a new last dim."""
    nd = input._data.ndim
    dim = wrap_dim(dimension, nd)
    length = input.shape[dim] if nd else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Unfold.apply(input, dim, size, step)


# -- aliases of reshape/expand/indexing, rot90 -----------------------------------------------------

def ravel(input):
    """input as 1-D: a view of its contiguous form (a copy when it is not contiguous)."""
    return view(input.contiguous(), -1)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that tensors of the given shapes broadcast to."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape.  "
                           f"Mismatch is between {list(shapes[0])} and "
                           f"{list(shapes[-1])}.") from None


def broadcast_tensors(*tensors):
    """Each tensor expanded to the shape they broadcast to (views). A tensor that already has that
    shape comes back as itself, as in torch: a leaf stays a leaf, with no ExpandBackward0."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else expand(t, shape) for t in tensors)


@numpy_names
def select(input, dim, index):
    """The slice of input at index along dim (a view, one dim fewer)."""
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return input[(slice(None),) * d + (index,)]


class Rot90(Op):
    """A copy rotated k quarter turns from dims[0] towards dims[1]."""

    def forward(ctx, a, k, dims):
        ctx.k, ctx.dims = k, dims
        return ctx.xp.rot90(a, k, dims).copy()

    def backward(ctx, g):
        return Rot90.apply(g, -ctx.k, ctx.dims)


def rot90(input, k=1, dims=(0, 1)):
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return Rot90.apply(input, k % 4, (d0, d1))
