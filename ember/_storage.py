"""A tensor's storage as torch shows it (Tensor.untyped_storage() and the deprecated
Tensor.storage()): the whole allocation its array views, not just the viewed part. Programs use
it to tell whether tensors share memory (equal data_ptr()) and how large the allocation is
(nbytes()), as checkpoint writers do for tied weights."""
import numpy as np

from ._warnings import warn_once

__all__ = ["UntypedStorage", "TypedStorage", "owner"]

_TYPED_DEPRECATED = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
    "only storage class. This should only matter to you if you are using storages directly.  To "
    "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()")


def owner(array):
    """The array that owns the memory `array` views (NumPy's or CuPy's chain of bases)."""
    while isinstance(getattr(array, "base", None), type(array)):
        array = array.base
    return array


class UntypedStorage:
    """The bytes of a tensor's allocation."""

    def __init__(self, array, device):
        self._bytes = owner(array).reshape(-1).view(np.uint8) if array.size else \
            np.empty(0, np.uint8)
        self.device = device

    def data_ptr(self):
        from ._tensor import _data_ptr
        return _data_ptr(self._bytes)

    def nbytes(self):
        return int(self._bytes.nbytes)

    size = nbytes

    def __len__(self):
        return self.nbytes()

    def element_size(self):
        return 1

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def __getitem__(self, i):
        return int(self._bytes[i])

    def tolist(self):
        return [int(b) for b in self._host()]

    def _host(self):
        from ._backend import to_numpy
        return to_numpy(self._bytes)

    def __repr__(self):
        return _listing(self._host().tolist(),
                        f"torch.storage.UntypedStorage(device={self.device}) of size "
                        f"{self.nbytes()}")


class TypedStorage:
    """The allocation as elements of the tensor's dtype (deprecated in torch for UntypedStorage)."""

    def __init__(self, array, device, dtype):
        warn_once(_TYPED_DEPRECATED)
        self._untyped = UntypedStorage(array, device)
        self.dtype, self.device = dtype, device

    def untyped(self):
        return self._untyped

    def data_ptr(self):
        return self._untyped.data_ptr()

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self._untyped.nbytes()

    def size(self):
        return self.nbytes() // self.element_size()

    __len__ = size

    @property
    def is_cuda(self):
        return self._untyped.is_cuda

    def _elements(self):
        return self._untyped._host().view(self.dtype.np)

    def __getitem__(self, i):
        return self._elements()[i].item()

    def tolist(self):
        return self._elements().tolist()

    def __repr__(self):
        return _listing(self.tolist(), f"torch.storage.TypedStorage(dtype={self.dtype}, "
                                       f"device={self.device}) of size {self.size()}")


def _listing(values, title):
    """torch's storage repr: one value a line, each after a space, then the title in brackets."""
    return "\n".join([f" {v}" for v in values] or [" "]) + f"\n[{title}]"
