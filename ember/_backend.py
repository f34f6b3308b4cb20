"""The one place that chooses the array module of a device: NumPy for 'cpu', CuPy for 'cuda'."""
import numpy

_cupy = None


def cupy():
    """Import CuPy on first use, with a clear message when it is missing."""
    global _cupy
    if _cupy is None:
        try:
            import cupy as cp
        except ImportError as exc:
            raise RuntimeError(
                "CUDA tensors need CuPy: pip install 'ember[cuda]' (or the cupy-cuda12x wheel "
                "that matches your CUDA driver)") from exc
        _cupy = cp
    return _cupy


def cuda_is_available():
    try:
        return cupy().cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def xp_for(device_type):
    """The array module for a device type ('cpu' or 'cuda')."""
    return numpy if device_type == "cpu" else cupy()


def xp_of(array):
    """The array module an array belongs to."""
    return numpy if type(array) is numpy.ndarray or isinstance(array, numpy.ndarray) else cupy()


def is_cpu_array(array):
    return isinstance(array, numpy.ndarray)


def to_device(array, device_type, index=0):
    """Move an array to a device; a no-op when it is already there."""
    if device_type == "cpu":
        return array if isinstance(array, numpy.ndarray) else array.get()
    cp = cupy()
    with cp.cuda.Device(index):
        return cp.asarray(array)


def to_numpy(array):
    return array if isinstance(array, numpy.ndarray) else array.get()


def broadcast_to(array, shape):
    """A read-only broadcast view; NumPy's own broadcast_to costs microseconds of Python per call,
    so a C-contiguous array gets its zero-stride view built directly."""
    if not isinstance(array, numpy.ndarray):
        return xp_of(array).broadcast_to(array, shape)
    if not array.flags.c_contiguous or len(shape) < array.ndim:
        return numpy.broadcast_to(array, shape)
    lead = len(shape) - array.ndim
    strides = [0] * lead
    for i, (n, st) in enumerate(zip(array.shape, array.strides)):
        target = shape[lead + i]
        if n != target and n != 1:
            return numpy.broadcast_to(array, shape)  # raises NumPy's error
        strides.append(st if n == target else 0)
    view = numpy.ndarray(shape, array.dtype, array, 0, tuple(strides))
    view.flags.writeable = False
    return view
