"""NestedIOFunction: PyTorch's legacy Function with instance methods forward_extended and
backward_extended. PyTorch 2.13 still exports it but can no longer run it: instantiating it
warns (as for every Function), calling an instance or `apply` raises AttributeError, and the
two extended methods raise NotImplementedError. ember does the same, naming the replacement."""
from .function import Function

__all__ = ["NestedIOFunction"]

_RETIRED = ("NestedIOFunction is a legacy interface that PyTorch no longer runs (there it "
            "fails with AttributeError too); write a Function with static forward(ctx, ...) "
            "and backward(ctx, ...) and call it through apply")


class NestedIOFunction(Function):
    def __call__(self, *args):
        raise AttributeError(_RETIRED)

    def forward(self, *args):
        raise AttributeError(_RETIRED)

    def backward(self, *grads):
        raise AttributeError(_RETIRED)

    def forward_extended(self, *input):
        raise NotImplementedError

    def backward_extended(self, *grad_output):
        raise NotImplementedError
