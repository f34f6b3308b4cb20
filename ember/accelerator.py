"""torch.accelerator: the one accelerator ember can drive is an NVIDIA GPU through CuPy."""
from . import cuda as _cuda
from ._device import device as _device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize"]


def is_available():
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """device('cuda') where CuPy sees a GPU, else None."""
    return _device("cuda") if _cuda.is_available() else None


def device_count():
    return _cuda.device_count()


def current_device_index():
    return _cuda.current_device() if _cuda.is_available() else -1


def set_device_index(device):
    _cuda.set_device(device)


def synchronize(device=None):
    if _cuda.is_available():
        _cuda.synchronize(device)
