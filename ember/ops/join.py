"""Joining and splitting along a dim: cat and stack make new tensors; split, chunk, unbind,
narrow and tensor_split (hsplit, vsplit, dsplit) give views that share memory and the version
counter with their input.
"""
from .. import _dtype, _memory_layout
from .._tensor import Tensor, _make
from ._numpy_names import numpy_names
from ._op import Op, shape_str, wrap_dim

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "split", "chunk",
           "unbind", "narrow", "narrow_copy", "split_with_sizes", "tensor_split", "hsplit",
           "vsplit", "dsplit"]


# -- joining ---------------------------------------------------------------------------------------

def _common_dtype(arrays):
    first = arrays[0].dtype
    if all(a.dtype == first for a in arrays):  # the common case: no promotion to work out
        return arrays
    dt = _dtype.result_type(*arrays)
    return [a if a.dtype == dt else a.astype(dt) for a in arrays]


def _skipped(a):
    """torch.cat ignores 1-D empty tensors whatever the other shapes (legacy behaviour)."""
    return a.ndim == 1 and a.shape[0] == 0


class Cat(Op):
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        ctx.sizes = [None if _skipped(a) else a.shape[dim] for a in arrays]
        arrays = _common_dtype(arrays)
        kept = [a for a in arrays if not _skipped(a)] or arrays[:1]
        return ctx.xp.concatenate(kept, axis=dim)

    def backward(ctx, g):
        grads, off = [None], 0
        for n in ctx.sizes:
            if n is None:
                grads.append(_make(ctx.xp.zeros((0,), g._data.dtype)))
            else:
                grads.append(narrow(g, ctx.dim, off, n))
                off += n
        return tuple(grads)


class Stack(Op):
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        arrays = _common_dtype(arrays)
        shape = arrays[0].shape
        shape = shape[:dim] + (1,) + shape[dim:]
        # views with the new dim joined in one call: np.stack's own checks cost as much again
        return ctx.xp.concatenate([a.reshape(shape) for a in arrays], axis=dim)

    def backward(ctx, g):
        return (None,) + unbind(g, ctx.dim)


def _tensor_list(name, tensors):
    tensors = list(tensors)
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return tensors


@numpy_names
def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim; 1-D empty tensors are skipped, dtypes promoted."""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    kept = [(i, x._data.shape) for i, x in enumerate(tensors) if not _skipped(x._data)]
    ref = kept[0][1] if kept else (0,)
    d = wrap_dim(dim, len(ref))
    others = ref[:d] + ref[d + 1:]
    for i, shape in kept:
        if len(shape) != len(ref) or shape[:d] + shape[d + 1:] != others:
            _refuse_shape(ref, shape, d, i)
    return Cat.apply(d, *tensors)


def _refuse_shape(ref, shape, d, i):
    """torch's error for the i-th tensor of a cat whose shape differs from the first's (ref)
    elsewhere than in dim d."""
    if len(shape) != len(ref):
        raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} "
                           f"and {len(shape)}")
    for k, (a, b) in enumerate(zip(ref, shape)):
        if k != d and a != b:
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                               f"Expected size {a} but got size {b} for tensor number {i} "
                               "in the list.")


@numpy_names
def concat(tensors, dim=0, *, out=None):
    return cat(tensors, dim)


def concatenate(tensors, axis=0, *, out=None):
    return cat(tensors, axis)


@numpy_names
def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    dim = wrap_dim(dim, len(ref) + 1)  # torch checks dim before the shapes
    for i, x in enumerate(tensors):
        if x._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{shape_str(ref)} at entry 0 and {shape_str(x.shape)} at entry "
                               f"{i}")
    return Stack.apply(dim, *tensors)


def hstack(tensors, *, out=None):
    """cat along dim 1 (dim 0 for 1-D tensors) after making every tensor at least 1-D."""
    tensors = [x.reshape(1) if x._data.ndim == 0 else x for x in _tensor_list("hstack", tensors)]
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    """cat along dim 0 after making every tensor at least 2-D (a 1-D tensor becomes a row)."""
    tensors = [x.reshape(1, -1) if x._data.ndim < 2 else x
               for x in _tensor_list("vstack", tensors)]
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(tensors, 0)


# -- splitting views -------------------------------------------------------------------------------

class Split(Op):
    """Consecutive pieces of the given sizes along dim, each a view."""
    _is_view = True

    def forward(ctx, a, dim, sizes):
        ctx.dim = dim
        lead = (slice(None),) * dim
        out, off = [], 0
        for n in sizes:
            out.append(a[lead + (slice(off, off + n),)])
            off += n
        return tuple(out)

    def backward(ctx, *grads):
        return cat(list(grads), ctx.dim)


class SplitWithSizes(Split):
    pass


class Unbind(Op):
    _is_view = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(a[lead + (i,)] for i in range(a.shape[dim]))

    def backward(ctx, *grads):
        return stack(list(grads), ctx.dim)


class Slice(Op):
    """narrow: a view of `length` elements from `start` along dim."""
    _is_view = True

    def forward(ctx, a, dim, start, length):
        ctx.dim, ctx.start, ctx.length, ctx.size = dim, start, length, a.shape[dim]
        return a[(slice(None),) * dim + (slice(start, start + length),)]

    def backward(ctx, g):
        before, after = ctx.start, ctx.size - ctx.start - ctx.length
        if not (before or after):
            return g
        pieces = []
        for n in (before, after):
            shape = list(g.shape)
            shape[ctx.dim] = n
            pieces.append(_make(ctx.xp.zeros(tuple(shape), g._data.dtype)))
        return cat([pieces[0], g, pieces[1]], ctx.dim)


def _split_dim(name, input, dim):
    if input._data.ndim == 0:
        raise RuntimeError(f"{name} expects at least a 1-dimensional tensor")
    return wrap_dim(dim, input._data.ndim)


def split(tensor, split_size_or_sections, dim=0):
    """Views of split_size elements along dim (the last may be smaller), or of the given sizes."""
    d = _split_dim("split", tensor, dim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = tuple(int(s) for s in split_size_or_sections)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={shape_str(sizes)}")
        return SplitWithSizes.apply(tensor, d, sizes)
    s = int(split_size_or_sections)
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {n}")
    sizes = (n,) if s == 0 else (s,) * (n // s) + ((n % s,) if n % s else ())
    return Split.apply(tensor, d, sizes or (0,))


@numpy_names
def split_with_sizes(input, split_sizes, dim=0):
    """Views of the given sizes along dim (torch.split with a list)."""
    return split(input, list(split_sizes), dim)


@numpy_names
def chunk(input, chunks, dim=0):
    """Split into `chunks` pieces of ceil(size / chunks) elements (so possibly fewer pieces)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _split_dim("chunk", input, dim)
    n = input._data.shape[d]
    if n == 0:  # PyTorch returns `chunks` empty pieces here, where split(0) gives one
        return SplitWithSizes.apply(input, d, (0,) * chunks)
    return split(input, -(-n // chunks), d)


@numpy_names
def unbind(input, dim=0):
    """The slices along dim, as views without that dim."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, wrap_dim(dim, input._data.ndim))


@numpy_names
def narrow(input, dim, start, length):
    """A view of `length` elements from `start` (which may be negative) along dim."""
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    start, length = int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Slice.apply(input, d, start, length)


@numpy_names
def narrow_copy(input, dim, start, length):
    """narrow's elements in a new contiguous tensor of their own."""
    return narrow(input, dim, start, length).clone(memory_format=_memory_layout.contiguous_format)


def _split_points(input, indices_or_sections, d):
    """tensor_split's cut points along dim d: from a section count (the first size % n pieces one
    longer) or from indices, which wrap when negative and are clamped into the dim."""
    n = input._data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec.dim() > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {spec.dim()} dims")
        if spec.dtype != _dtype.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {_dtype.type_name(spec.dtype)}")
        spec = spec.tolist()
    if isinstance(spec, (list, tuple)):
        return [min(max(i + n if i < 0 else i, 0), n) for i in map(int, spec)]
    if isinstance(spec, bool) or not isinstance(spec, int):
        raise TypeError(f"tensor_split(): argument 'sections' must be int, not "
                        f"{type(spec).__name__}")
    if spec <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
    size, extra = divmod(n, spec)
    return [i * size + min(i, extra) for i in range(1, spec)]


@numpy_names
def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Views cut along dim at the given indices, or into `sections` pieces of near-equal size
    (torch.tensor_split; an index past the end or before the previous one gives an empty piece).
    The keyword forms name torch's overloads."""
    for given in (sections, indices, tensor_indices_or_sections):
        if given is not None:
            indices_or_sections = given
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    starts = [0] + _split_points(input, indices_or_sections, d)
    ends = starts[1:] + [n]
    return tuple(Slice.apply(input, d, a, max(b - a, 0)) for a, b in zip(starts, ends))


def _split_along(name, input, indices_or_sections, dim, min_dims):
    """hsplit/vsplit/dsplit: tensor_split along dim, whose section count must divide it."""
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                           f"dimension, but got a tensor with {nd} dimensions!")
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        n = input._data.shape[dim]
        if indices_or_sections == 0 or n % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 of a 1-D tensor)."""
    dim = 0 if input._data.ndim == 1 else 1
    return _split_along("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of a tensor of at least 2 dims."""
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of a tensor of at least 3 dims."""
    return _split_along("dsplit", input, indices_or_sections, 2, 3)
