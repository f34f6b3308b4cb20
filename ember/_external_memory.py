"""Tensors over memory another library owns: torch.frombuffer (a Python buffer) and DLPack
(torch.from_dlpack / torch.utils.dlpack.to_dlpack, Tensor.__dlpack__). Each shares the memory,
no copy, as torch's do."""
import warnings

import numpy as np

from . import _dtype
from ._backend import is_cpu_array
from ._tensor import Tensor, _make
from ._warnings import user_stacklevel

__all__ = ["frombuffer", "from_dlpack", "to_dlpack"]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over `count` elements of `dtype` in buffer, from byte `offset` (the rest of it
    when count is -1), sharing the buffer's memory."""
    view = memoryview(buffer)
    item = np.dtype(dtype.np).itemsize
    nbytes = view.nbytes
    if nbytes <= 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if not 0 <= offset < nbytes:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({nbytes} bytes) minus 1")
    if count < 0:
        if (nbytes - offset) % item:
            raise ValueError(f"buffer length ({nbytes - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (nbytes - offset) // item
    elif count == 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    elif offset + count * item > nbytes:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({nbytes} bytes)")
    array = np.frombuffer(buffer, dtype.np, count, offset)
    if view.readonly:  # torch writes into such memory anyway; ember keeps it read-only
        warnings.warn("The given buffer is not writable: the tensor shares its memory read-only "
                      "(an in-place op on it raises). Copy the buffer, or make it writable, to "
                      "write to the tensor.", UserWarning, stacklevel=user_stacklevel())
    t = _make(array)
    t.requires_grad_(requires_grad)
    return t


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of any object with __dlpack__ (a NumPy/CuPy array, a torch
    tensor, a JAX array ...), or of a DLPack capsule."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    device = getattr(ext_tensor, "__dlpack_device__", None)
    on_cpu = device is None or device()[0] == 1  # kDLCPU
    if on_cpu:
        if not hasattr(ext_tensor, "__dlpack__"):
            raise TypeError(f"from_dlpack: {type(ext_tensor).__name__} has no __dlpack__ "
                            "(a DLPack capsule needs an exporter object with NumPy)")
        array = np.from_dlpack(ext_tensor)
    else:
        from ._backend import _cuda
        array = _cuda(device()[1]).from_dlpack(ext_tensor)
    _dtype.from_numpy_dtype(array.dtype)
    return _make(array)


def to_dlpack(tensor):
    """A DLPack capsule of the tensor's memory (torch.utils.dlpack.to_dlpack)."""
    return tensor.__dlpack__()


def tensor_dlpack(self, stream=None, **kwargs):
    """Tensor.__dlpack__: the array's own DLPack export."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    data = self._data
    return data.__dlpack__(**kwargs) if is_cpu_array(data) else data.__dlpack__(stream=stream)


def tensor_dlpack_device(self):
    return self._data.__dlpack_device__()
