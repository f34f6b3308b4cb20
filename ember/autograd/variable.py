"""The legacy Variable: in modern PyTorch, Variable(t, requires_grad=...) just gives back a Tensor."""
from .._tensor import Tensor, _make


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class _ExecutionEngine:
    """Variable._execution_engine: the backward engine's hook for code that must run when a
    backward ends (DDP-style gradient synchronisation, register_multi_grad_hook)."""

    @staticmethod
    def queue_callback(callback):
        from .engine import queue_callback
        queue_callback(callback)


class Variable(metaclass=_VariableMeta):
    """Variable(tensor, requires_grad=False, volatile=False) returns a Tensor sharing tensor's data."""
    _execution_engine = _ExecutionEngine()

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            return _make(__import__("numpy").zeros((0,), "float32"))
        if not isinstance(data, Tensor):
            raise TypeError("Variable data has to be a tensor, but got "
                            + type(data).__name__)
        if requires_grad:
            if data.requires_grad or data.grad_fn is not None:
                return data
            t = _make(data._data)
            t._vc = data._vc
            t.requires_grad = True
            return t
        return data
