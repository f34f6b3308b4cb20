"""Parameter: a leaf Tensor that a Module registers as a learnable weight."""
import numpy as np

from .._backend import to_numpy
from .._tensor import Tensor


class Parameter(Tensor):
    """Shares `data`'s memory as a new leaf; prints as `Parameter containing:` and the tensor."""
    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            array = np.empty(0, dtype=_default_np())
        elif isinstance(data, Tensor):
            array = data._data
        else:
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        if requires_grad and array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        Tensor._init_from(self, array, bool(requires_grad))

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        # As torch: a copy of the values with the same requires_grad; the gradient is not copied.
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        Tensor._init_from(new, self._data.copy(), self._requires_grad)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (to_numpy(self._data), self._requires_grad))


def _rebuild_parameter(array, requires_grad):
    p = Parameter.__new__(Parameter)
    Tensor._init_from(p, array, requires_grad)
    return p


def _default_np():
    from .._dtype import default_np
    return default_np()
