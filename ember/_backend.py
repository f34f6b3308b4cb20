"""The one place that chooses the array module of a device: NumPy for 'cpu', CuPy for 'cuda'.

Everything that differs between the two lives here: moving arrays between devices, pinned host
memory, and compiling the fused CUDA kernels that replace chains of elementwise NumPy-style steps
on the training hot path (NOTE [ Fused kernels ]; the optimizers' kernels are written in their
own files, ember/optim/*.py, beside the NumPy maths they replace).

NOTE [ Fake CUDA in tests ]
`_install_array_module_for_tests(module)` replaces CuPy by any module with its API; the test suite
installs tests/_fake_cupy.py's NumPy-backed fake (`pytest -p tests._fake_cupy`, or the fixture in
tests/cuda/) so that every device-agnostic path runs on machines without a GPU. A host array is a
NumPy array that is not of the CUDA module's `ndarray` type (the fake's arrays subclass
numpy.ndarray); anything else is a device array.
"""
import importlib

import numpy

from . import _host_memory  # noqa: F401  (NOTE [ Host allocations ]: set once, at import)

_cupy = None  # the CUDA array module, once imported (or installed by tests)
_device_array = ()  # its ndarray type; an empty tuple matches nothing until then
_import_error = None  # why CuPy could not be imported, kept so the import is tried once
_kernels = {}  # compiled fused kernels by name

_INSTALL_HINT = ("pip install 'ember[cuda]', or the CuPy wheel for your CUDA version "
                 "(cupy-cuda12x for CUDA 12, cupy-cuda11x for CUDA 11)")


def _use(module):
    global _cupy, _device_array, _import_error
    _cupy = module
    _device_array = module.ndarray if module is not None else ()
    _import_error = None
    _kernels.clear()


def _install_array_module_for_tests(module):
    """Use `module` (a CuPy stand-in, or None to forget it) as the CUDA array module; returns the
    previous one so a test can put it back. See NOTE [ Fake CUDA in tests ]."""
    previous = _cupy
    _use(module)
    return previous


def cupy():
    """The CUDA array module, imported on first use, with a clear message when it is missing."""
    global _import_error
    if _cupy is None:
        if _import_error is None:
            try:  # import_module honours a None in sys.modules (an import blocked on purpose)
                cp = importlib.import_module("cupy")  # where Cython's compiled import does not
            except ImportError as exc:
                _import_error = f"{exc}"
            else:
                _use(cp)
                return cp
        raise RuntimeError(f"CUDA tensors need CuPy, which could not be imported "
                           f"({_import_error}): {_INSTALL_HINT}")
    return _cupy


def cuda_is_available():
    """True when CuPy imports and sees a GPU; never raises."""
    try:
        return cupy().cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def xp_for(device_type):
    """The array module for a device type ('cpu' or 'cuda')."""
    return numpy if device_type == "cpu" else cupy()


def xp_of(array):
    """The array module an array belongs to."""
    if isinstance(array, numpy.ndarray) and not isinstance(array, _device_array):
        return numpy
    return cupy()


def is_cpu_array(array):
    """A host array: a NumPy array that is not the device array type of the CUDA module."""
    return isinstance(array, numpy.ndarray) and not isinstance(array, _device_array)


def _cuda(index):
    """CuPy, once the device index is known to name a GPU of this machine."""
    cp = cupy()
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CuPy imports, but no driver or no GPU
        raise RuntimeError(f"CUDA is not available: CuPy found no usable NVIDIA GPU ({exc})") \
            from exc
    if not 0 <= index < count:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device {index} of {count})")
    return cp


def to_device(array, device_type, index=0):
    """Move an array to a device; a no-op when it is already there."""
    if device_type == "cpu":
        return array if is_cpu_array(array) else array.get()
    if isinstance(array, _device_array) and array.device.id == index:
        return array
    cp = _cuda(index)
    if not is_cpu_array(array):
        with cp.cuda.Device(index):
            return cp.array(array, copy=True)
    with cp.cuda.Device(index):
        return cp.asarray(array)


def create(device_type, index, name, *args, **kwargs):
    """Call the array-creation function `name` ('zeros', 'full' ...) of the device's module, with
    the array made on that device."""
    if device_type == "cpu":
        return getattr(numpy, name)(*args, **kwargs)
    cp = _cuda(index)
    with cp.cuda.Device(index):
        return getattr(cp, name)(*args, **kwargs)


def to_numpy(array):
    return array if is_cpu_array(array) else array.get()


# NOTE [ Quiet floating point ]
# numpy.errstate costs about 0.8 us to make, enter and leave, a fifth of a small op's whole time.
# NumPy 2 keeps its error state in a context variable; `quiet` sets that variable to the current
# state with divide, invalid and over ignored (made by NumPy once per state met, then cached) and
# puts the old one back: 0.3 us, and the same state numpy.errstate would set. NumPy 1 has no such
# variable and takes numpy.errstate.
try:
    from numpy._core.umath import _extobj_contextvar as _np_error_state, _make_extobj
except ImportError:
    _np_error_state = None
_quiet_states = {}  # a NumPy error state -> the same with divide/invalid/over ignored
_QUIET_STATES_KEPT = 16  # a program whose own errstate blocks make new states keeps no more


class _Quiet:
    __slots__ = ("_token",)

    def __enter__(self):
        current = _np_error_state.get()
        state = _quiet_states.get(current)
        if state is None:
            if len(_quiet_states) >= _QUIET_STATES_KEPT:
                _quiet_states.clear()
            state = _quiet_states[current] = _make_extobj(divide="ignore", invalid="ignore",
                                                          over="ignore")
        self._token = _np_error_state.set(state)

    def __exit__(self, *exc_info):
        _np_error_state.reset(self._token)


def quiet():
    """NumPy's floating-point warnings off (log(0) = -inf, 0/0 = nan ...): PyTorch returns the
    IEEE result silently, so ember does too. Used by ops whose domain includes such points, and
    around every backward (NOTE [ Quiet backward ] in autograd/engine.py)."""
    if _np_error_state is None:
        return numpy.errstate(divide="ignore", invalid="ignore", over="ignore")
    return _Quiet()


def broadcast_to(array, shape):
    """A read-only broadcast view; NumPy's own broadcast_to costs microseconds of Python per call,
    so a C-contiguous host array gets its zero-stride view built directly."""
    if not is_cpu_array(array):
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


# -- pinned (page-locked) host memory --------------------------------------------------------------

def pin_memory(array):
    """A copy of a host array in page-locked memory, which the GPU copies from asynchronously;
    PyTorch's RuntimeError, with the reason, where there is no GPU to pin for."""
    try:
        cp = _cuda(0)
    except RuntimeError as exc:
        raise RuntimeError(f"Cannot access accelerator device when none is available. ({exc})") \
            from None
    mem = cp.cuda.alloc_pinned_memory(max(array.nbytes, 1))
    out = numpy.ndarray(array.shape, array.dtype, buffer=mem)
    out[...] = array
    return out


def is_pinned(array):
    if _cupy is None or not is_cpu_array(array):
        return False
    while isinstance(array, numpy.ndarray) and array.base is not None:
        array = array.base
    return isinstance(array, _cupy.cuda.PinnedMemoryPointer)


# -- fused elementwise kernels (NOTE [ Fused kernels ]) --------------------------------------------
#
# NOTE [ Fused kernels ]
# On the GPU every NumPy-style step is a kernel launch and a full pass over memory, so the chains
# on the hot path of training run as one CuPy ElementwiseKernel each. The kernel bodies keep to a
# subset of C that is also Python once the leading type of a declaration is dropped: statements
# separated by ';', assignments, arithmetic, comparisons, sqrt/max/min. The fake CuPy of the tests
# runs the same text with NumPy, so the maths of every kernel is checked against the host path
# on machines without a GPU.

def elementwise_kernel(name, in_params, out_params, body):
    """The CuPy ElementwiseKernel `name`, compiled on first use and kept until the CUDA module
    changes; its users (threshold_backward below, the optimizers' fused steps in ember/optim)
    write the body beside the maths it replaces."""
    k = _kernels.get(name)
    if k is None:
        k = _kernels[name] = cupy().ElementwiseKernel(in_params, out_params, body, "ember_" + name)
    return k


def threshold_backward(grad, x, threshold):
    """grad where x > threshold, else 0: the backward of relu and threshold. As torch's (x <=
    threshold ? 0 : grad), a NaN x passes its gradient."""
    if type(grad) is numpy.ndarray or is_cpu_array(grad):
        return grad * ~(x <= threshold)
    k = elementwise_kernel("threshold_backward", "G g, X x, X th", "G out",
                           "out = g * ((x > th) + (x != x))")
    return k(grad, x, threshold)


def accumulate(name, array, axis):
    """ufunc `name`'s running reduction along axis (numpy.maximum.accumulate ...). CuPy has no
    ufunc.accumulate for most ufuncs, so device arrays take a log-step (Hillis-Steele) scan."""
    if is_cpu_array(array):
        return getattr(numpy, name).accumulate(array, axis=axis)
    xp = xp_of(array)
    fn = getattr(xp, name)
    out = xp.moveaxis(array, axis, 0).copy()
    step = 1
    while step < out.shape[0]:
        prev = out.copy()
        fn(prev[step:], prev[:-step], out=out[step:])
        step *= 2
    return xp.moveaxis(out, 0, axis)
