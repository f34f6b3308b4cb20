"""linearize: func's output at primals and its Jacobian-vector product there as a function."""
from .. import _creation
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ._grad import _alias, _differentiate, _leaves, _map, _plain, _rebuild

__all__ = ["linearize"]


def _structure(tree):
    """tree's shape as a pytree: containers kept, each Tensor replaced by a marker."""
    if isinstance(tree, Tensor):
        return "*"
    if isinstance(tree, (tuple, list)):
        return type(tree)(_structure(x) for x in tree)
    if isinstance(tree, dict):
        return {k: _structure(x) for k, x in tree.items()}
    return tree


def linearize(func, *primals):
    """(func(*primals), jvp_fn) where jvp_fn(*tangents) is J tangents, J func's Jacobian at
    primals.

    func runs once, here. Its vector-Jacobian product against placeholder cotangents is recorded
    as a graph (double-vjp), and each jvp_fn call is one reverse pass through that graph with the
    tangents as seeds, so the linearization is fixed at primals, as torch's traced one is."""
    with enable_grad():
        xs = _map(_alias, primals)
        out = func(*xs)
        outs = _leaves(out)
        flat = _leaves(xs)
        placeholders = [_creation.zeros_like(o).requires_grad_(True) for o in outs]
        vjps = _differentiate(outs, flat, placeholders)
    spec = _structure(primals)
    expected = [(p.shape, p.device, p.dtype) for p in _leaves(primals)]

    def jvp_fn(*tangents):
        if _structure(tangents) != spec:
            raise RuntimeError(f"Expected the tangents {_structure(tangents)} to have the same "
                               f"argspec as the primals {spec}")
        flat_tangents = _leaves(tangents)
        for idx, (t, want) in enumerate(zip(flat_tangents, expected)):
            for what, got, primal in zip(("shape", "device", "dtype"),
                                         (t.shape, t.device, t.dtype), want):
                if got != primal:
                    raise RuntimeError(f"tangent:{idx} with {what} {got} in flattened pytree "
                                       f"doesn't match the {what} {primal} of the "
                                       "corresponding primal.")
        with enable_grad():
            got = _differentiate(vjps, placeholders, flat_tangents)
        return _plain(_rebuild(out, iter(got)), (xs, placeholders))

    return _plain(out, xs), jvp_fn
