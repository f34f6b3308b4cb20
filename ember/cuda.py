"""ember.cuda: NVIDIA GPU queries and controls through CuPy (imported only via ember._backend)."""
from . import _backend

_peak = {}


def is_available():
    """True when CuPy imports and sees at least one GPU; False (never an error) otherwise."""
    return _backend.cuda_is_available()


def _cp():
    if not is_available():
        raise RuntimeError("CUDA is not available: install CuPy for your CUDA version "
                           "(pip install 'ember[cuda]', e.g. cupy-cuda12x) on a machine with an "
                           "NVIDIA GPU")
    return _backend.cupy()


def device_count():
    return _backend.cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def current_device():
    return _cp().cuda.runtime.getDevice()


def set_device(device):
    from ._device import as_device
    index = device if isinstance(device, int) else as_device(device).index or 0
    _cp().cuda.runtime.setDevice(index)


def get_device_name(device=None):
    cp = _cp()
    index = current_device() if device is None else (
        device if isinstance(device, int) else (device.index or 0))
    name = cp.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None):
    _cp().cuda.Device(current_device() if device is None else device).synchronize()


def manual_seed(seed):
    if is_available():
        _cp().random.seed(int(seed) % (1 << 32))


manual_seed_all = manual_seed


def memory_allocated(device=None):
    used = _cp().get_default_memory_pool().used_bytes()
    _peak[0] = max(_peak.get(0, 0), used)
    return used


def max_memory_allocated(device=None):
    return max(_peak.get(0, 0), memory_allocated(device))


def reset_peak_memory_stats(device=None):
    _peak[0] = 0


def empty_cache():
    if is_available():
        _cp().get_default_memory_pool().free_all_blocks()


class Event:
    """A CUDA event for timing: record(), synchronize(), elapsed_time(end) in milliseconds."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._event = _cp().cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream=None):
        self._event.record()

    def synchronize(self):
        self._event.synchronize()

    def elapsed_time(self, end_event):
        return _cp().cuda.get_elapsed_time(self._event, end_event._event)

    def query(self):
        return self._event.done
