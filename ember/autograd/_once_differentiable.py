"""once_differentiable: a Function's backward that supports no double backward.

The decorated backward runs with grad mode off. When a graph is being built around it
(backward(create_graph=True) with gradients that require grad), its results cannot carry a
true graph, so each becomes a fresh leaf passed through an `Error` node: using the first
gradient works, differentiating it again raises PyTorch's RuntimeError instead of silently
giving zero.
"""
import functools

from .._tensor import Tensor
from .function import Function
from .grad_mode import no_grad, state as _grad_state

__all__ = ["once_differentiable"]

_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


class _DelayedError(Function, grad_fn="Error"):
    """Passes its inputs through; its backward is the error of differentiating twice."""

    @staticmethod
    def forward(ctx, *values):
        return values

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(_TWICE)


def _error_node_name(node):
    return "torch::autograd::Error"  # what PyTorch's node.name() reports for this C++ node


_DelayedError._node_cls.name = _error_node_name


def once_differentiable(backward):
    @functools.wraps(backward)
    def backward_once(ctx, *args, **kwargs):
        with no_grad():
            results = backward(ctx, *args, **kwargs)
        if not _grad_state.enabled or not any(isinstance(a, Tensor) and a.requires_grad
                                              for a in args):
            return results
        single = not isinstance(results, tuple)
        leaves = [r.detach().requires_grad_() if isinstance(r, Tensor) else r
                  for r in ((results,) if single else results)]
        guarded = _DelayedError.apply(*leaves)
        return guarded[0] if single else guarded
    return backward_once
