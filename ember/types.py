"""torch.types: the type aliases PyTorch's annotations use, for code that imports them."""
from typing import Union

from ._device import device as _device
from ._dtype import dtype as _dtype
from ._tensor import Size as _Size, Tensor

__all__ = ["Number", "Device", "Storage", "_dtype", "_device", "_size", "_int", "_float",
           "_bool", "_complex", "Tensor"]

_int = int
_float = float
_bool = bool
_complex = complex
Number = Union[int, float, bool]
Device = Union[_device, str, int, None]
_size = Union[_Size, list, tuple]
Storage = object  # ember tensors own NumPy/CuPy arrays, not torch storages
