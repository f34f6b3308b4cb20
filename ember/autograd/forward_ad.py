"""torch.autograd.forward_ad: dual tensors (a primal with a tangent) and their directional
derivatives, computed by reverse mode.

NOTE [ Forward AD by two reverse passes ]
ember has one differentiation engine, reverse mode, and every op's backward is itself
differentiable. make_dual(p, t) returns an alias of p that the graph records from (a leaf when p
needs no gradient, else a view of p, so gradients still reach p), and remembers t for it. The
tangent of any y computed from dual tensors is J t, where J is the Jacobian of y with respect to
them: unpack_dual gets it as the gradient, with respect to a dummy u, of the vector-Jacobian
product J^T u (the "double-vjp" trick, as ember.func.jvp), at the cost of two reverse passes per
unpack. Differences from torch's forward-mode engine: results of dual tensors require grad;
operations run under no_grad record nothing and so carry no tangent; unpack_dual's primal is
detached (torch's keeps its reverse-mode history); a dual tensor prints as a plain tensor.
"""
import contextlib
from typing import NamedTuple

from .._tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]


class UnpackedDualTensor(NamedTuple):
    """What unpack_dual returns: the primal and its tangent (None when it has none)."""
    primal: Tensor
    tangent: Tensor


class _Level:
    current = None  # the index of the open dual level, or None
    duals = []      # (dual tensor, tangent) made at the open level


def enter_dual_level():
    """Open the (only) dual level; returns its index, 0."""
    if _Level.current is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _Level.current = 0
    _Level.duals = []
    return 0


def exit_dual_level(*, level=None):
    """Close the dual level: the tangents of its dual tensors are forgotten."""
    level = _Level.current if level is None else level
    if _Level.current is None or level != _Level.current:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was "
                           "created. This is not supported.")
    _Level.current = None
    _Level.duals = []


@contextlib.contextmanager
def dual_level():
    """Context manager: a dual level open for its block."""
    level = enter_dual_level()
    try:
        yield level
    finally:
        exit_dual_level(level=level)


def make_dual(tensor, tangent, *, level=None):
    """A tensor with tensor's values whose tangent is `tangent` at the open dual level."""
    if _Level.current is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if tangent.shape != tensor.shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than that "
                           "of the original Tensor, this is not supported. Tensor is of size "
                           f"{list(tensor.shape)} while the given forward gradient is of size "
                           f"{list(tangent.shape)}.")
    with enable_grad():
        dual = tensor.view_as(tensor) if tensor.requires_grad else \
            tensor.detach().requires_grad_(True)
    _Level.duals.append((dual, tangent.detach()))
    return dual


def unpack_dual(tensor, *, level=None):
    """(primal, tangent) of tensor at the open dual level (NOTE [ Forward AD by two reverse
    passes ]); the tangent is None for a tensor computed from no dual tensor."""
    primal = tensor.detach() if tensor.grad_fn is not None or tensor.requires_grad else tensor
    if _Level.current is None or not isinstance(tensor, Tensor):
        return UnpackedDualTensor(primal, None)
    for dual, tangent in _Level.duals:
        if dual is tensor:
            return UnpackedDualTensor(primal, tangent)
    return UnpackedDualTensor(primal, _tangent_of(tensor))


def _tangent_of(y):
    """J t for y over the level's dual tensors, by the double-vjp trick."""
    if not y.requires_grad or not (y.is_floating_point() or y.is_complex()):
        return None
    duals = [d for d, _ in _Level.duals]
    tangents = [t for _, t in _Level.duals]
    with enable_grad():
        u = y.detach().new_zeros(y.shape).requires_grad_(True)
        vjps = grad(y, duals, u, retain_graph=True, create_graph=True, allow_unused=True)
        used = [(v, t) for v, t in zip(vjps, tangents) if v is not None and v.requires_grad]
        if not used:
            return None
        out = grad([v for v, _ in used], u, [t for _, t in used], allow_unused=True)[0]
    return y.detach().new_zeros(y.shape) if out is None else out
