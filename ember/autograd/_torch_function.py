"""torch.overrides' helpers for writing a function that honours `__torch_function__`
(has_torch_function, handle_torch_function, is_tensor_like), as torch.autograd re-exports them.

ember's Tensor defines no `__torch_function__` (NOTE [ Dispatch on failure ] in ember/_foreign.py),
so an argument is relevant when its type defines one: a foreign tensor-like, or a Tensor subclass
that overrides the protocol. A plain Tensor subclass is not (in torch it is, and its default
handler just runs the function).
"""
from .._foreign import _dispatch
from .._tensor import Tensor

__all__ = ["has_torch_function", "handle_torch_function", "is_tensor_like"]


def _overloaded_types(relevant_args):
    """The types among relevant_args that define __torch_function__, each once, a subclass
    before its base classes (torch's order of asking)."""
    found = []
    for arg in relevant_args:
        kind = type(arg)
        if kind in found or not hasattr(kind, "__torch_function__"):
            continue
        for i, seen in enumerate(found):
            if issubclass(kind, seen):
                found.insert(i, kind)
                break
        else:
            found.append(kind)
    return tuple(found)


def has_torch_function(relevant_args):
    """Whether any element of relevant_args (not looking inside nested containers) has a
    __torch_function__ to call: the guard before handle_torch_function."""
    return any(hasattr(type(a), "__torch_function__") for a in relevant_args)


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Call public_api(*args, **kwargs) through the __torch_function__ of the overloaded types
    among relevant_args; the first answer that is not NotImplemented is returned, else TypeError."""
    return _dispatch(public_api, _overloaded_types(relevant_args), args, kwargs)


def is_tensor_like(inp):
    """True for a Tensor and for anything that defines __torch_function__ (instance or type)."""
    return isinstance(inp, Tensor) or hasattr(inp, "__torch_function__")
