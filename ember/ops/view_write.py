"""Writing through a view: what an in-place op on a view does to its base's autograd history.

NOTE [ In place on a view ]
A view op's node keeps its source tensor and its arguments, so the chain of view ops from a base
to any of its views can be replayed. When an in-place op records a graph on a view, the view's
memory (and so the base's) is overwritten, and the base takes a CopySlices node as its new
grad_fn: the old base with the viewed region replaced by the op's result. Its backward sends the
gradient of the region to the result and the rest to the old base, as PyTorch's CopySlices does.
The view then takes its history afresh from the rebased base (NOTE [ Stale views ]). A view of a leaf that requires
grad refuses in-place ops while grad mode is on, as in PyTorch.

NOTE [ Stale views ]
Every view of a base shares its version counter, so any in-place op on the base or on one of its
views leaves the other views made earlier with a history from before the write (b = w * 1;
v = b[1:]; b.mul_(2): v's history still reads b before the multiply). A view op's node records
the version its view was made at (`_view_version`); whoever reads a view's history (an op taking
it as an input, .grad_fn, backward, an in-place op on it) finds it stale when the version has
moved on, and `refresh_view` replays the view's chain of view ops on the base's current history,
as torch regenerates such a view's grad_fn (torch names it AsStridedBackward0; ember keeps the
view ops' own names). A view whose base has no history (a leaf) keeps its
own, which stays right.
"""
from .. import autograd as _autograd
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


def _laid_out(xp, a, layout):
    """a's values in a fresh storage of layout's size, at the positions the base's elements
    have in its own storage (layout: sizes, element strides, offset, storage elements)."""
    sizes, strides, offset, n = layout
    buf = xp.zeros(n, a.dtype)
    out = xp.lib.stride_tricks.as_strided(buf[offset:], sizes,
                                          [st * buf.itemsize for st in strides])
    out[...] = a
    return out


class _LaidOut(Op, grad_fn="CloneBackward0"):
    """A tensor's values laid out as its base is in storage (NOTE [ Absolute views ]); the
    gradient passes unchanged."""

    def forward(ctx, a, layout):
        return _laid_out(ctx.xp, a, layout)

    def backward(ctx, g):
        return g


class CopySlices(Op, grad_fn="CopySlices"):
    """base with the region selected by a chain of view ops replaced by src.

    NOTE [ Absolute views ]
    as_strided selects positions of its input's storage, not of the input, so a chain holding it
    selects the right region only of an array laid out in storage as the base is. With such a
    chain `layout` gives the base's geometry in its storage (else None), and the copies and
    gradients the chain is replayed on are laid out that way first."""

    def forward(ctx, base, src, chain, layout):
        ctx.chain, ctx.layout = chain, layout
        out = base.copy() if layout is None else _laid_out(ctx.xp, base, layout)
        _replay_array(out, chain)[...] = src
        return out

    def backward(ctx, g):
        region = g if ctx.layout is None else _LaidOut.apply(g, ctx.layout)
        return CopySlices.apply(g, 0.0, ctx.chain, ctx.layout), _replay(region, ctx.chain)


def _storage_layout(base, chain):
    """NOTE [ Absolute views ]: base's layout in its storage when the chain holds an as_strided
    view, else None."""
    from .strided import AsStrided, _geometry, _root
    if not any(issubclass(cls, AsStrided) for cls, _, _ in chain):
        return None
    a = base._data
    return _geometry(a) + (_root(a).nbytes // a.itemsize,)


def view_origin(t):
    """(base, chain) when t is a recorded view of another tensor, else None; raises before
    anything is written when the base is a leaf that requires grad."""
    base, chain = _chain_to_base(t)
    if not chain:
        return None
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    return base, chain


def _chain_to_base(t):
    """(root base, chain of view ops from it to t) for a recorded view t."""
    chain = []
    node = t._grad_fn
    while node is not None and getattr(type(node), "_forward_cls", None) is not None \
            and node._forward_cls._is_view and "_view_src" in node.__dict__:
        chain.append((node._forward_cls, node._view_args, t._out_idx))
        t = node._view_src
        node = t._grad_fn
    chain.reverse()
    return t, tuple(chain)


def refresh_view(view):
    """NOTE [ Stale views ]: view's history afresh from its base's current one; returns its new
    grad_fn."""
    node = view._grad_fn
    base, chain = _chain_to_base(view)
    if base._grad_fn is None:  # a leaf's views read it directly: their history stays right
        node._view_version = view._vc[0]
        return node
    _regenerate(view, base, chain)
    return view._grad_fn


def _regenerate(view, base, chain):
    """view's history afresh: its chain of view ops replayed on base's current history (torch
    regenerates it as one as_strided view, AsStridedBackward0; ember keeps the view ops, whose
    arguments are relative to their input, as CopySlices' backward needs them)."""
    with _autograd.enable_grad():
        fresh = _replay(base, chain)
    view._grad_fn, view._out_idx = fresh._grad_fn, fresh._out_idx
    view._requires_grad = fresh._requires_grad


def current_grad_fn(t):
    """t's grad_fn, a stale view's refreshed first (NOTE [ Stale views ])."""
    node = t._grad_fn
    if node is not None and node._view_version is not None and \
            node._view_version != t._vc[0]:
        return refresh_view(t)
    return node


def write_through_view(view, result, base, chain, old_base_data):
    """Give base the history of `view[...] = result` (its memory already holds the values)."""
    old_base = _make(old_base_data, base._requires_grad, base._grad_fn, base._out_idx)
    new_base = CopySlices.apply(old_base, result, chain, _storage_layout(base, chain))
    base._grad_fn, base._out_idx = new_base._grad_fn, new_base._out_idx
    base._requires_grad = True
    _regenerate(view, base, chain)
