"""Shape and view ops: views share memory and the version counter with their input."""
import numpy as np

from .._backend import broadcast_to
from .._tensor import Tensor
from ._op import Op, shape_str, size_args, wrap_dim

__all__ = ["view", "reshape", "expand", "unsqueeze", "sum_to_size"]


def _infer_shape(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    if int(np.prod(shape)) != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class View(Op):
    _is_view = True

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
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


class Expand(Op):
    _is_view = True

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return broadcast_to(a, shape)

    def backward(ctx, g):
        return sum_to_size(g, ctx.in_shape)


class Unsqueeze(Op):
    _is_view = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        return ctx.xp.expand_dims(a, dim)

    def backward(ctx, g):
        return g.squeeze(ctx.dim)


class SumToSize(Op, grad_fn="SumBackward1"):
    """Sum a broadcast gradient back to a shape (the engine's and Expand's reduction)."""

    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        lead = a.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1)
        out = a.sum(axis=axes, keepdims=True) if axes else a
        return out.reshape(shape)

    def backward(ctx, g):
        return g.expand(ctx.in_shape)


def view(input, *shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return _view_dtype(input, shape[0])
    shape = _infer_shape(size_args(shape), input._data.size)
    return View.apply(input, shape)


def _view_dtype(input, dtype):
    from .._tensor import _make
    return _make(input._data.view(dtype.np))


def reshape(input, *shape):
    shape = _infer_shape(size_args(shape), input._data.size)
    try:
        input._data.reshape(shape, copy=False)
    except ValueError:
        return UnsafeView.apply(input, shape)
    return View.apply(input, shape)


def expand(input, *sizes):
    sizes = size_args(sizes)
    nd = input._data.ndim
    if len(sizes) < nd:
        raise RuntimeError(f"expand(torch.{input.type().split('.')[-1]}{{{shape_str(input.shape)}}}, "
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
                                   "leading, non-existing dimension 0")
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{shape_str(sizes)}.  Tensor sizes: {shape_str(input.shape)}")
        shape.append(s)
    return Expand.apply(input, tuple(shape))


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


def sum_to_size(input, *size):
    size = size_args(size)
    if tuple(size) == input._data.shape:
        return input
    return SumToSize.apply(input, tuple(size))
