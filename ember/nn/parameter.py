"""Parameter: a leaf Tensor that a Module registers as a learnable weight; the uninitialized
parameters and buffers of lazy modules."""
import numpy as np

from .. import _creation
from .._backend import to_numpy
from .._tensor import Tensor, _make


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
        if requires_grad and array.dtype.kind not in "fc":
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


class Buffer(Tensor):
    """A tensor that a Module registers as a buffer when it is assigned to one of the module's
    attributes (persistent=False keeps it out of the state_dict). It shares `data`'s memory, as
    data.detach() does, and keeps its requires_grad."""
    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            data = _creation.empty(0)
        Tensor._init_from(self, data._data, data._requires_grad)
        self.persistent = persistent

    def __repr__(self):
        return repr(_make(self._data, self._requires_grad))  # prints as torch's plain tensor

    def __deepcopy__(self, memo):
        new = super().__deepcopy__(memo)
        new.persistent = self.persistent
        return new


def _default_np():
    from .._dtype import default_np
    return default_np()


# The array slot of every Tensor: the uninitialized tensors below hide it behind a property
# (so any op that reads it raises) and reach their placeholder through this descriptor.
_ARRAY = Tensor._data


class UninitializedTensorMixin:
    """A placeholder of no shape yet, for lazy modules: it has a dtype, a device and
    requires_grad, can be converted with `to()` and friends, and becomes `cls_to_become` with
    `materialize(shape)`. Any other use raises, as in torch."""
    __slots__ = ()

    @property
    def _data(self):
        raise ValueError(
            "Attempted to use an uninitialized parameter in an operation. This error happens "
            "when you are using a `LazyModule` or explicitly manipulating "
            "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call "
            "`forward` with a dummy batch to initialize the parameters before calling torch "
            "functions")

    @_data.setter
    def _data(self, array):
        _ARRAY.__set__(self, array)

    def _placeholder(self):
        return _make(_ARRAY.__get__(self))

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor `shape` (uninitialized memory) and make it a cls_to_become."""
        placeholder = self._placeholder()
        fresh = _creation.empty(shape, device=device or placeholder.device,
                                  dtype=dtype or placeholder.dtype)
        _ARRAY.__set__(self, fresh._data)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes.")

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self.requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]

    # What torch lets through on an uninitialized tensor: its placeholder's size (0,), dtype and
    # device, requires_grad, and the conversions a Module applies before the dry run.
    def size(self, dim=None):
        return self._placeholder().size(dim)

    @property
    def dtype(self):
        return self._placeholder().dtype

    @property
    def device(self):
        return self._placeholder().device

    def is_floating_point(self):
        return self._placeholder().is_floating_point()

    @property
    def data(self):
        return self._placeholder()

    @data.setter
    def data(self, value):
        _ARRAY.__set__(self, value._data)

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._requires_grad = bool(value)

    def to(self, *args, **kwargs):
        return self._placeholder().to(*args, **kwargs)

    def cpu(self):
        return self._placeholder().cpu()

    def cuda(self, device=None, non_blocking=False):
        return self._placeholder().cuda(device, non_blocking)

    def float(self):
        return self._placeholder().float()

    def double(self):
        return self._placeholder().double()

    def half(self):
        return self._placeholder().half()


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape a lazy module sets on its first forward."""
    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        placeholder = _creation.empty(0, device=device, dtype=dtype)
        Tensor._init_from(self, placeholder._data, bool(requires_grad))


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a lazy module sets on its first forward."""
    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None):
        placeholder = _creation.empty(0, device=device, dtype=dtype)
        Tensor._init_from(self, placeholder._data, bool(requires_grad))


def is_lazy(param):
    """Whether param is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)
