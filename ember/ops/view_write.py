"""Writing through a view: what an in-place op on a view does to its base's autograd history.

NOTE [ In place on a view ]
A view op's node keeps its source tensor and its arguments, so the chain of view ops from a base
to any of its views can be replayed. When an in-place op records a graph on a view, the view's
memory (and so the base's) is overwritten, and the base takes a CopySlices node as its new
grad_fn: the old base with the viewed region replaced by the op's result. Its backward sends the
gradient of the region to the result and the rest to the old base, as PyTorch's CopySlices does.
The view then takes its history afresh from the rebased base. A view of a leaf that requires
grad refuses in-place ops while grad mode is on, as in PyTorch.
"""
from .._backend import is_cpu_array, xp_of
from .._tensor import _make
from ._op import Op

__all__ = []


def _replay_array(array, chain):
    """The region of array that the view chain selects (a NumPy/CuPy view of it)."""
    for cls, args, idx in chain:
        ctx = cls._node_cls.__new__(cls._node_cls)
        if not is_cpu_array(array):
            ctx.xp = xp_of(array)
        out = cls.forward(ctx, array, *args)
        array = out[idx] if type(out) is tuple else out
    return array


def _replay(tensor, chain):
    """The same region as a differentiable view of tensor."""
    for cls, args, idx in chain:
        out = cls.apply(tensor, *args)
        tensor = out[idx] if type(out) is tuple else out
    return tensor


class CopySlices(Op, grad_fn="CopySlices"):
    """base with the region selected by a chain of view ops replaced by src."""

    def forward(ctx, base, src, chain):
        ctx.chain = chain
        out = base.copy()
        _replay_array(out, chain)[...] = src
        return out

    def backward(ctx, g):
        return CopySlices.apply(g, 0.0, ctx.chain), _replay(g, ctx.chain)


def view_origin(t):
    """(base, chain) when t is a recorded view of another tensor, else None; raises before
    anything is written when the base is a leaf that requires grad."""
    chain = []
    node = t._grad_fn
    while node is not None and getattr(type(node), "_forward_cls", None) is not None \
            and node._forward_cls._is_view and "_view_src" in node.__dict__:
        chain.append((node._forward_cls, node._view_args, t._out_idx))
        t = node._view_src
        node = t._grad_fn
    if not chain:
        return None
    if t._requires_grad and t._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    chain.reverse()
    return t, tuple(chain)


def write_through_view(view, result, base, chain, old_base_data):
    """Give base the history of `view[...] = result` (its memory already holds the values)."""
    old_base = _make(old_base_data, base._requires_grad, base._grad_fn, base._out_idx)
    new_base = CopySlices.apply(old_base, result, chain)
    base._grad_fn, base._out_idx = new_base._grad_fn, new_base._out_idx
    base._requires_grad = True
    fresh = _replay(base, chain)
    view._grad_fn, view._out_idx = fresh._grad_fn, fresh._out_idx
    view._requires_grad = True
