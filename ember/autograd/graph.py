"""torch.autograd.graph: saved-tensor hooks, gradient edges, hooks on several tensors' gradients.

NOTE [ Saved tensor hooks ]
Inside `saved_tensors_hooks(pack, unpack)` every tensor an op saves for backward is handed to
pack(tensor) when the op records its node, and the node keeps only what pack returned; backward
gets unpack(that) back (autograd/function.py: `_pack` calls `pack_saved`, `saved_tensors` calls
`unpack_saved`). ember's ops save their inputs and outputs, so pack sees those: an op's
intermediate arrays (NOTE [ Saved tensors ]) are kept as they are. The innermost hooks apply; pack runs with grad mode off.
The version check of a saved tensor is the pack hook's business then, as in torch. An unpacked
output gets the node back as its grad_fn, so double backward runs through it; an unpacked input
is used as unpack returns it (return the tensor you were given to keep its history).
"""
import contextlib
from typing import NamedTuple

from .._tensor import Tensor, _make
from .function import _HOOKED, _INPUT, _OUTPUT, Node, saved_hooks
from .grad_mode import no_grad

__all__ = ["GradientEdge", "Node", "allow_mutation_on_saved_tensors",
           "disable_saved_tensors_hooks", "get_gradient_edge", "increment_version",
           "register_multi_grad_hook", "save_on_cpu", "saved_tensors_hooks"]


class GradientEdge(NamedTuple):
    """A node and one of its outputs: where a tensor's gradient enters the graph."""
    node: Node
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor):
    """The GradientEdge of tensor; autograd.grad takes it in place of the tensor."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    if tensor.grad_fn is not None:
        return GradientEdge(tensor.grad_fn, tensor._out_idx)
    from .function import _leaf_node
    return GradientEdge(_leaf_node(tensor), 0)


def increment_version(tensor):
    """Bump the version counter of a tensor (or of each in an iterable), as an in-place write
    ember did not see would: backward then refuses the values saved before it."""
    for t in ((tensor,) if isinstance(tensor, Tensor) else tensor):
        t._vc[0] += 1


# -- saved tensor hooks ---------------------------------------------------------------------------

_disabled = []  # the error messages of the active disable_saved_tensors_hooks, innermost last


class saved_tensors_hooks:
    """Context manager: pack_hook(tensor) for each tensor saved for backward inside it,
    unpack_hook(packed) when backward reads it (NOTE [ Saved tensor hooks ])."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors live in CPU memory (pinned if asked) and go back to their device when backward
    reads them. On CPU tensors this is a no-op copy-free round trip."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            device = tensor.device
            if device.type == "cpu":
                return device, tensor
            host = tensor.cpu()
            return device, (host.pin_memory() if pin_memory else host)

        def unpack(packed):
            device, tensor = packed
            return tensor if device.type == "cpu" else tensor.to(device, non_blocking=pin_memory)
        super().__init__(pack, unpack)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """Inside it, entering saved_tensors_hooks raises RuntimeError(error_message); entering it
    while hooks are active raises too."""
    if saved_hooks:
        raise RuntimeError(error_message)
    _disabled.append(error_message)
    try:
        yield
    finally:
        _disabled.pop()


@contextlib.contextmanager
def allow_mutation_on_saved_tensors():
    """Tensors saved for backward inside it may be modified in place afterwards: each is saved as
    a copy of its value at that moment (torch copies lazily, on the first in-place write), so
    backward uses the values forward saw. Double backward does not flow through the copies."""
    def pack(tensor):
        copy = _make(tensor._data.copy())
        return copy

    with saved_tensors_hooks(pack, lambda copy: copy) as ctx:
        yield ctx


def pack_saved(packed, outputs, hooks):
    """_pack's entries with each input and output replaced by what pack_hook made of it. The hook
    runs with grad mode off, as torch runs it below autograd: its ops record nothing (and save
    nothing, so it is never called from itself)."""
    pack, unpack = hooks
    out = []
    with no_grad():
        for s in packed:
            if s is not None and s[0] == _INPUT:
                out.append((_HOOKED, pack(s[1]), unpack, None))
            elif s is not None and s[0] == _OUTPUT:
                out.append((_HOOKED, pack(outputs[s[2]]), unpack, s[2]))
            else:
                out.append(s)
    return out


def unpack_saved(node, entry, arrays):
    """A hooked saved tensor, back from unpack_hook: its array when backward runs on arrays."""
    t = entry[2](entry[1])
    if not isinstance(t, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                        f"result of type {type(t).__name__}")
    if arrays:
        return t._data
    if entry[3] is not None:  # an output: this node made it
        return _make(t._data, True, node, entry[3])
    return t


# -- hooks on several tensors ---------------------------------------------------------------------

class _MultiHandle:
    """The handle of register_multi_grad_hook: remove() takes off the hook of every tensor."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """mode "all": fn(grads) once per backward that reaches any of tensors, after their gradients
    are computed (None for those it does not reach); mode "any": fn(grad) with the first of their
    gradients computed in each backward."""
    from .engine import queue_callback
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    run = {}  # this backward's state; cleared by a callback when the backward ends

    def start():
        if not run:
            run["grads"] = [None] * len(tensors)
            run["seen"] = 0
            run["done"] = False
            queue_callback(finish)

    def finish():
        if mode == "all" and not run["done"]:
            fn(tuple(run["grads"]))
        run.clear()

    def hook_for(i):
        def hook(grad):
            start()
            if run["done"]:
                return None
            if mode == "any":
                run["done"] = True
                fn(grad)
                return None
            run["grads"][i] = grad
            run["seen"] += 1
            if run["seen"] == len(tensors):
                run["done"] = True
                fn(tuple(run["grads"]))
            return None
        return hook

    return _MultiHandle([t.register_hook(hook_for(i)) for i, t in enumerate(tensors)
                         if t.requires_grad])
