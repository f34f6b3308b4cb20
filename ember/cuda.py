"""ember.cuda: NVIDIA GPU queries and controls through CuPy (imported only via ember._backend)."""
import collections
import sys

from . import _backend, _random
from ._device import as_device
from .ops._errors import OutOfMemoryError  # noqa: F401  (torch.cuda.OutOfMemoryError)

__all__ = ["is_available", "device_count", "current_device", "set_device", "device",
           "get_device_name", "get_device_capability", "get_device_properties", "synchronize",
           "manual_seed", "manual_seed_all", "memory_allocated", "max_memory_allocated",
           "memory_reserved", "reset_peak_memory_stats", "empty_cache", "Event",
           "OutOfMemoryError"]


def is_available():
    """True when CuPy imports and sees at least one GPU; False (never an error) otherwise."""
    return _backend.cuda_is_available()


def _cp():
    if not is_available():
        raise RuntimeError("CUDA is not available: ember runs on NVIDIA GPUs through CuPy "
                           f"({_backend._INSTALL_HINT}), on a machine with an NVIDIA GPU and "
                           "driver")
    return _backend.cupy()


def _index(device):
    """A device argument (None, int, 'cuda:1', ember.device) as a device index."""
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    d = as_device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return d.index


def _checked(index):
    count = device_count()
    if not 0 <= index < count:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device {index} of {count})")
    return index


def device_count():
    return _backend.cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def current_device():
    return _cp().cuda.runtime.getDevice()


def set_device(device):
    """Make `device` the current one; a negative index is ignored, as in PyTorch."""
    index = _index(device)
    if index >= 0:
        _cp().cuda.runtime.setDevice(_checked(index))


class device:
    """Context manager that makes a device current inside a `with` block."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx >= 0:
            self.prev_idx = current_device()
            set_device(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx >= 0:
            set_device(self.prev_idx)
        return False


_DeviceProperties = collections.namedtuple(
    "_CudaDeviceProperties", ["name", "major", "minor", "total_memory", "multi_processor_count"])


def get_device_properties(device=None):
    props = _cp().cuda.runtime.getDeviceProperties(_checked(_index(device)))
    name = props["name"]
    return _DeviceProperties(name.decode() if isinstance(name, bytes) else name, props["major"],
                             props["minor"], props["totalGlobalMem"],
                             props["multiProcessorCount"])


def get_device_name(device=None):
    return get_device_properties(device).name


def get_device_capability(device=None):
    p = get_device_properties(device)
    return p.major, p.minor


def synchronize(device=None):
    """Wait until every kernel queued on the device has finished."""
    _cp().cuda.Device(_checked(_index(device))).synchronize()


def manual_seed(seed):
    """Seed the current device's generator; silently nothing without CUDA, as in PyTorch."""
    if is_available():
        _random.cuda_generator(current_device()).manual_seed(seed)


def manual_seed_all(seed):
    _random.manual_seed_cuda_all(seed)


# -- memory: CuPy's default pool holds every array ember allocates on a GPU ------------------------

class _PeakTracker:
    """Follows the pool's bytes in use from allocation callbacks (a CuPy MemoryHook, entered on the
    first peak query or reset) so that max_memory_allocated sees peaks between two queries."""

    def __init__(self):
        self.hook = None
        self.current = {}
        self.peak = {}

    def start(self, cp):
        if self.hook is not None:
            return
        tracker = self

        class Hook(cp.cuda.MemoryHook):
            name = "ember_peak_memory"

            def malloc_postprocess(self, **kw):
                dev = kw["device_id"]
                used = tracker.current.get(dev, 0) + kw["mem_size"]
                tracker.current[dev] = used
                if used > tracker.peak.get(dev, 0):
                    tracker.peak[dev] = used

            def free_postprocess(self, **kw):
                dev = kw["device_id"]
                tracker.current[dev] = tracker.current.get(dev, 0) - kw["mem_size"]

        self.hook = Hook()
        self.hook.__enter__()

    def sync(self, index, used):
        """Take the pool's own count as the truth (it also sees allocations made before the
        hook started, or on other threads)."""
        self.current[index] = used
        self.peak[index] = max(self.peak.get(index, 0), used)


_peaks = _PeakTracker()


def _used(cp, index):
    with cp.cuda.Device(index):
        return cp.get_default_memory_pool().used_bytes()


def memory_allocated(device=None):
    """Bytes held by tensors on the device."""
    cp = _cp()
    return _used(cp, _checked(_index(device)))


def max_memory_allocated(device=None):
    """The peak of memory_allocated since the first peak query or reset_peak_memory_stats()."""
    cp = _cp()
    index = _checked(_index(device))
    _peaks.start(cp)
    _peaks.sync(index, _used(cp, index))
    return _peaks.peak[index]


def reset_peak_memory_stats(device=None):
    cp = _cp()
    index = _checked(_index(device))
    _peaks.start(cp)
    _peaks.peak[index] = 0
    _peaks.sync(index, _used(cp, index))


def memory_reserved(device=None):
    """Bytes the pool holds from the driver, in use or cached."""
    cp = _cp()
    with cp.cuda.Device(_checked(_index(device))):
        return cp.get_default_memory_pool().total_bytes()


def empty_cache():
    """Give the pool's cached, unused blocks back to the driver."""
    if is_available():
        cp = _backend.cupy()
        cp.get_default_memory_pool().free_all_blocks()
        cp.get_default_pinned_memory_pool().free_all_blocks()


class Event:
    """A CUDA event for timing: record(), synchronize(), elapsed_time(end) in milliseconds."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._event = _cp().cuda.Event(block=blocking, disable_timing=not enable_timing,
                                       interprocess=interprocess)
        self._recorded = False

    def record(self, stream=None):
        self._event.record()
        self._recorded = True

    def synchronize(self):
        self._event.synchronize()

    def wait(self, stream=None):
        self._event.synchronize()

    def query(self):
        return self._event.done

    def elapsed_time(self, end_event):
        if not (self._recorded and end_event._recorded):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        end_event._event.synchronize()
        return _backend.cupy().cuda.get_elapsed_time(self._event, end_event._event)


# torch.cuda.amp: ember.cuda.amp.autocast / GradScaler (`import ember.cuda.amp` finds it here).
from .amp import _cuda_amp as amp  # noqa: E402
sys.modules[__name__ + ".amp"] = amp
