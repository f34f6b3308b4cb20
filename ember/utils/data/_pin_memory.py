"""Pinning a DataLoader's batches: every tensor of a batch copied into page-locked host memory,
from which copies to the GPU run asynchronously (Tensor.pin_memory), the containers kept."""
import collections.abc
import warnings

from ... import accelerator
from ..._tensor import Tensor
from ._collate import _like_mapping, _like_sequence

_NO_ACCELERATOR = ("'pin_memory' argument is set as true but no accelerator is found, then "
                   "device pinned memory won't be used.")


def pins_batches(loader):
    """Whether an epoch of `loader` pins its batches; warns, as PyTorch does at the start of
    every epoch, when pinning was asked for but there is no GPU to pin for."""
    if not loader.pin_memory:
        return False
    if loader.pin_memory_device:
        warnings.warn("pin_memory_device is deprecated, the current accelerator will be used as "
                      f"the device,ignore pin_memory_device='{loader.pin_memory_device}'.")
    if not accelerator.is_available():
        warnings.warn(_NO_ACCELERATOR)
        return False
    return True


def pin_batch(data):
    """data with its tensors (and objects with a pin_memory method) pinned."""
    if isinstance(data, Tensor):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _like_mapping(data, {key: pin_batch(data[key]) for key in data})
    if isinstance(data, collections.abc.Sequence):
        return _like_sequence(data, [pin_batch(item) for item in data])
    if hasattr(data, "pin_memory"):
        return data.pin_memory()
    return data
