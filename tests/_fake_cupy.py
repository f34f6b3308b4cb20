"""A NumPy-backed stand-in for CuPy whose 'device' arrays refuse to mix with host arrays.

It lets every device-agnostic path of ember run without a GPU (NOTE [ Fake CUDA in tests ] in
ember/_backend.py):

    python -m pytest -p tests._fake_cupy tests/ops     # the whole run sees one fake CUDA device
    install() / uninstall(previous)                    # one module or fixture (tests/cuda/)

The fake is stricter than CuPy where CuPy would hide a bug or a host-device copy:
- a device array handed to a NumPy function or ufunc (`np.exp(a)`, `np.concatenate([a])`) raises
  TypeError: ops must call their array's module (`ctx.xp`, `xp_of`); only a NumPy scalar's
  operator (`np.float32(2) * a`), which CuPy serves through __array_ufunc__, is let through;
- a host ndarray (even 0-d) mixed into a device operation, index or assignment raises TypeError
  (CuPy's message, "Unsupported type <class 'numpy.ndarray'>");
- reductions and integer indexing return 0-d device arrays, never NumPy scalars, as CuPy does;
- ufunc methods exist only where CuPy has them (`add.at` yes, `multiply.at` no);
- device arrays have CuPy's flags (no `writeable`), `.data.ptr`, `.device.id`, `.get()`,
  `__cuda_array_interface__` and no `__array_interface__`.
What it cannot catch: `np.asarray(device_array)` silently views the data (NumPy never asks a
subclass), so results are checked for their device by the tests instead.
ElementwiseKernel runs the kernel's text with NumPy when it keeps to the C subset that
ember/_backend.py's NOTE [ Fused kernels ] allows; anything else raises.
"""
import re
import threading
import time
import types
import weakref

import numpy as np

_local = threading.local()
_current = [0]  # the current device index
_DEVICE_COUNT = 1


def _inside():
    return getattr(_local, "depth", 0) > 0


class _Inside:
    """Marks calls made by the fake itself (its functions and array methods) as allowed."""

    def __enter__(self):
        _local.depth = getattr(_local, "depth", 0) + 1

    def __exit__(self, *exc):
        _local.depth -= 1


_INSIDE = _Inside()


class CUDARuntimeError(RuntimeError):
    pass


def _check_device(index):
    if not 0 <= index < _DEVICE_COUNT:
        raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")


# -- arrays ----------------------------------------------------------------------------------------

def _host_error(x):
    return TypeError(f"Unsupported type {type(x)} (fake CUDA: a host array was mixed into a "
                     "device operation; move it with xp.asarray or Tensor.to first)")


def _plain(x):
    return np.ndarray.view(x, np.ndarray)


def _unwrap(x):
    """Device arrays to plain NumPy views for the delegated call; host arrays are refused."""
    if isinstance(x, ndarray):
        return _plain(x)
    if isinstance(x, np.ndarray):
        raise _host_error(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


def _unwrap_kwargs(kwargs):
    return {k: _unwrap(v) for k, v in kwargs.items()}


def _adopt(x):
    """A fresh NumPy result becomes a device array (counted by the memory pool)."""
    v = np.ndarray.view(x, ndarray)
    if x.base is None:
        _pool._malloc(x)
    return v


def _wrap(r):
    if type(r) is np.ndarray:
        return _adopt(r)
    if isinstance(r, ndarray):
        if r.base is None and not r.__dict__.get("_counted"):
            r._counted = True
            _pool._malloc(r)
        return r
    if isinstance(r, np.generic):
        return _adopt(np.asarray(r))
    if isinstance(r, tuple):
        return tuple(_wrap(v) for v in r)
    if isinstance(r, list) and r and isinstance(r[0], np.ndarray):
        return [_wrap(v) for v in r]
    return r


def _call(func, args, kwargs):
    out = kwargs.get("out")
    with _INSIDE:
        r = func(*_unwrap(args), **_unwrap_kwargs(kwargs))
    if out is not None:
        return out
    return _wrap(r)


class _Flags:
    """CuPy's flags: no `writeable`."""
    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, flags):
        self.c_contiguous = flags.c_contiguous
        self.f_contiguous = flags.f_contiguous
        self.owndata = flags.owndata


class _MemoryPointer:
    __slots__ = ("ptr", "device_id")

    def __init__(self, ptr, device_id):
        self.ptr, self.device_id = ptr, device_id

    @property
    def device(self):
        return Device(self.device_id)


class ndarray(np.ndarray):
    """A 'device' array: NumPy memory that only the fake module and its own methods may touch."""

    def __array_finalize__(self, obj):
        self._dev = getattr(obj, "_dev", _current[0])

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # `np.float32(2) * a` reaches here from the NumPy scalar's operator; CuPy's own
        # __array_ufunc__ serves it, so it is allowed.
        scalar_operator = method == "__call__" and any(isinstance(x, np.generic) for x in inputs)
        if not (_inside() or scalar_operator):
            raise TypeError(f"fake CUDA: numpy.{ufunc.__name__}"
                            f"{'' if method == '__call__' else '.' + method} was called on a "
                            "device array; use the array's module (ctx.xp or xp_of(array))")
        out = kwargs.get("out")
        r = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap_kwargs(kwargs))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(r)

    def __array_function__(self, func, types, args, kwargs):
        if not _inside():
            raise TypeError(f"fake CUDA: numpy.{func.__name__} was called on a device array; "
                            "use the array's module (ctx.xp or xp_of(array))")
        return _call(func, args, kwargs)

    # CuPy 13, the oldest ember supports, has no ndarray.mT or mH (NumPy 2's): backward formulas
    # that run on device arrays swap axes instead.
    @property
    def mT(self):
        raise AttributeError("'cupy.ndarray' object has no attribute 'mT'")

    @property
    def mH(self):
        raise AttributeError("'cupy.ndarray' object has no attribute 'mH'")

    # -- CuPy's own attributes
    def get(self, stream=None, order="C", out=None, blocking=True):
        host = np.array(_plain(self), order=order, copy=True)
        if out is not None:
            out[...] = host
            return out
        return host

    def set(self, arr, stream=None):
        with _INSIDE:
            np.copyto(_plain(self), arr)

    @property
    def device(self):
        return Device(self._dev)

    @property
    def data(self):
        return _MemoryPointer(_plain(self).ctypes.data, self._dev)

    @property
    def flags(self):
        return _Flags(np.ndarray.flags.__get__(self))

    @property
    def __array_interface__(self):
        raise AttributeError("fake CUDA: device arrays have no __array_interface__")

    @property
    def __cuda_array_interface__(self):
        a = _plain(self)
        return {"shape": a.shape, "typestr": a.dtype.str, "data": (a.ctypes.data, False),
                "strides": None if a.flags.c_contiguous else a.strides, "version": 3}

    # -- indexing and iteration
    def __getitem__(self, key):
        with _INSIDE:
            return _wrap(np.ndarray.__getitem__(self, _unwrap(key)))

    def __setitem__(self, key, value):
        with _INSIDE:
            np.ndarray.__setitem__(self, _unwrap(key), _unwrap(value))

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self):
        return repr(_plain(self))

    def __str__(self):
        return str(_plain(self))

    def __reduce__(self):
        raise TypeError("fake CUDA: device arrays are not pickled; use .get() first")


def _method(name):
    base = getattr(np.ndarray, name)

    def method(self, *args, **kwargs):
        _unwrap(args)  # refuse host arrays among the arguments
        _unwrap_kwargs(kwargs)
        with _INSIDE:
            return _wrap(base(self, *args, **kwargs))
    method.__name__ = name
    return method


_NOT_WRAPPED = {"__array__", "__array_finalize__", "__array_function__", "__array_namespace__",
                "__array_ufunc__", "__array_wrap__", "__class__", "__class_getitem__",
                "__delattr__", "__dir__", "__format__", "__getattribute__", "__getitem__",
                "__getstate__", "__init__", "__init_subclass__", "__iter__", "__new__",
                "__reduce__", "__reduce_ex__", "__repr__", "__setattr__", "__setitem__",
                "__setstate__", "__sizeof__", "__str__", "__subclasshook__", "__dlpack__",
                "__dlpack_device__", "to_device", "dump", "dumps", "tofile", "getfield",
                "setfield", "setflags", "byteswap", "resize", "view"}
for _name in dir(np.ndarray):
    if _name not in _NOT_WRAPPED and callable(getattr(np.ndarray, _name)):
        setattr(ndarray, _name, _method(_name))


# -- the module's functions ------------------------------------------------------------------------

def asarray(a, dtype=None, order=None, *, blocking=False):
    """Host data becomes a device copy; a device array is returned as is (cast if asked)."""
    if isinstance(a, ndarray):
        return a if dtype is None or a.dtype == np.dtype(dtype) else a.astype(dtype)
    host = np.array(a, dtype=dtype, order=order or "K", copy=True)
    if host.dtype == object:
        raise ValueError("Unsupported dtype object")
    return _adopt(host)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    if isinstance(obj, ndarray):
        with _INSIDE:
            return _wrap(np.array(_plain(obj), dtype=dtype, copy=copy, order=order,
                                  ndmin=ndmin))
    return _adopt(np.array(obj, dtype=dtype, copy=True, order=order, ndmin=ndmin))


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    return a.get(order=order, out=out) if isinstance(a, ndarray) else np.asarray(a, order=order)


def get_array_module(*args):
    return fake if any(isinstance(a, ndarray) for a in args) else np


def as_strided(x, shape=None, strides=None):
    """CuPy's as_strided has no `writeable` or `subok`."""
    return _call(np.lib.stride_tricks.as_strided, (x,), {"shape": shape, "strides": strides})


def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    return _call(np.lib.stride_tricks.sliding_window_view, (x, window_shape),
                 {"axis": axis, "writeable": True})


class _Ufunc:
    """A NumPy ufunc seen through CuPy: methods only where CuPy implements them."""
    _METHODS = {"reduce": {"add", "multiply"}, "accumulate": {"add", "multiply"},
                "reduceat": {"add"}, "outer": None,
                "at": {"add", "subtract", "maximum", "minimum", "bitwise_and", "bitwise_or",
                       "bitwise_xor"}}

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__
        self.nin, self.nout = ufunc.nin, ufunc.nout

    def __call__(self, *args, **kwargs):
        return _call(self._ufunc, args, kwargs)

    def __getattr__(self, method):
        if method not in self._METHODS:
            raise AttributeError(f"'cupy.ufunc' object has no attribute '{method}'")
        allowed = self._METHODS[method]
        if allowed is not None and self.__name__ not in allowed:
            raise NotImplementedError(f"CuPy has no {self.__name__}.{method} (fake CUDA follows "
                                      "CuPy's list of ufunc methods)")
        bound = getattr(self._ufunc, method)
        return lambda *args, **kwargs: _call(bound, args, kwargs)


def _delegate(target):
    if isinstance(target, np.ufunc):
        return _Ufunc(target)

    def function(*args, **kwargs):
        return _call(target, args, kwargs)
    function.__name__ = getattr(target, "__name__", "function")
    return function


class _Namespace(types.SimpleNamespace):
    """A CuPy submodule whose missing names delegate to a NumPy submodule."""

    def __init__(self, numpy_module=None, **names):
        super().__init__(**names)
        self._numpy_module = numpy_module

    def __getattr__(self, name):
        if name.startswith("__") or self._numpy_module is None:
            raise AttributeError(name)
        target = getattr(self._numpy_module, name)
        if isinstance(target, types.ModuleType):
            raise AttributeError(f"fake CUDA: no submodule {name}")
        value = _delegate(target) if callable(target) and not isinstance(target, type) else target
        setattr(self, name, value)
        return value


# NumPy names that CuPy does not have (floating-point error state, host-only containers ...).
_NOT_IN_CUPY = {"errstate", "seterr", "geterr", "seterrcall", "nditer", "memmap", "recarray",
                "frompyfunc", "set_printoptions", "printoptions", "ctypeslib", "ma", "char",
                "rec", "emath", "polynomial", "testing", "random", "matrix"}


class _FakeCupy(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") or name in _NOT_IN_CUPY:
            raise AttributeError(f"module 'cupy' has no attribute '{name}'")
        target = getattr(np, name)
        if isinstance(target, types.ModuleType):
            raise AttributeError(f"module 'cupy' has no attribute '{name}' (fake CUDA)")
        value = _delegate(target) if callable(target) and not isinstance(target, type) else target
        setattr(self, name, value)
        return value


# -- cuda: devices, events, memory -----------------------------------------------------------------

class Device:
    def __init__(self, device=None):
        self.id = _current[0] if device is None else int(device)
        self._previous = []

    def __enter__(self):
        _check_device(self.id)
        self._previous.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._previous.pop()

    def use(self):
        _check_device(self.id)
        _current[0] = self.id

    def synchronize(self):
        _check_device(self.id)

    @property
    def compute_capability(self):
        return "80"

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


def _get_device_count():
    return _DEVICE_COUNT


def _get_device():
    return _current[0]


def _set_device(index):
    _check_device(index)
    _current[0] = index


def _get_device_properties(index):
    _check_device(index)
    return {"name": b"Fake CUDA Device (NumPy)", "totalGlobalMem": 16 << 30, "major": 8,
            "minor": 0, "multiProcessorCount": 1}


class Event:
    """Records host time; elapsed_time is real wall time between two records."""

    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self._timing = not disable_timing
        self._time = None

    def record(self, stream=None):
        self._time = time.perf_counter()

    def synchronize(self):
        pass

    @property
    def done(self):
        return True


def get_elapsed_time(start_event, end_event):
    if not (start_event._timing and end_event._timing):
        raise CUDARuntimeError("cudaErrorInvalidResourceHandle: invalid resource handle")
    if start_event._time is None or end_event._time is None:
        raise CUDARuntimeError("cudaErrorInvalidResourceHandle: invalid resource handle")
    return (end_event._time - start_event._time) * 1e3


_hooks = {}


class MemoryHook:
    """cupy.cuda.MemoryHook: subclasses get malloc/free callbacks while entered."""
    name = "MemoryHook"

    def __enter__(self):
        _hooks[self.name] = self
        return self

    def __exit__(self, *exc):
        _hooks.pop(self.name, None)

    def malloc_postprocess(self, **kwargs):
        pass

    def free_postprocess(self, **kwargs):
        pass


class MemoryPool:
    """Counts the bytes of live device arrays, as CuPy's pool counts bytes in use."""

    def __init__(self):
        self._used = 0

    def _malloc(self, array):
        n, dev = array.nbytes, _current[0]
        self._used += n
        weakref.finalize(array, self._free, n, dev)
        for hook in list(_hooks.values()):
            hook.malloc_postprocess(device_id=dev, size=n, mem_size=n, mem_ptr=0, pmem_id=0)

    def _free(self, n, dev):
        self._used -= n
        for hook in list(_hooks.values()):
            hook.free_postprocess(device_id=dev, mem_size=n, mem_ptr=0, pmem_id=0)

    def used_bytes(self):
        return self._used

    def total_bytes(self):
        return self._used

    def free_bytes(self):
        return 0

    def n_free_blocks(self):
        return 0

    def free_all_blocks(self, stream=None):
        pass


_pool = MemoryPool()


class PinnedMemoryPointer(bytearray):
    """Page-locked host memory: here ordinary memory that says what it is."""


def alloc_pinned_memory(size):
    return PinnedMemoryPointer(size)


# -- ElementwiseKernel -----------------------------------------------------------------------------

_DECL = re.compile(r"^(?:const\s+)?[A-Za-z_]\w*\s+(?=[A-Za-z_]\w*\s*=[^=])")
_FUNCS = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "max": np.maximum, "min": np.minimum,
          "abs": np.abs}


def _params(spec):
    out = []
    for p in spec.split(","):
        typ, name = p.split()
        out.append((typ, name))
    return out


class ElementwiseKernel:
    """Runs the kernel body with NumPy, statement by statement, over whole arrays."""

    def __init__(self, in_params, out_params, operation, name="kernel", **kwargs):
        self.in_params, self.out_params = _params(in_params), _params(out_params)
        self.name = name
        statements = [s.strip() for s in operation.split(";") if s.strip()]
        code = []
        for s in statements:
            if re.search(r"[?{}]|\(\s*[A-Za-z_]\w*\s*\)\s*[A-Za-z_(]|\+\+|--|&&|\|\|", s):
                raise NotImplementedError(f"fake ElementwiseKernel {name}: '{s}' is outside the "
                                          "C subset of NOTE [ Fused kernels ]")
            s = _DECL.sub("", s)
            target = re.match(r"^([A-Za-z_]\w*)\s*[-+*/]?=", s)
            if target and target.group(1) in dict((n, t) for t, n in self.in_params):
                raise NotImplementedError(f"fake ElementwiseKernel {name}: assigns to the input "
                                          f"{target.group(1)}")
            code.append(s)
        self._code = compile("\n".join(code), f"<kernel {name}>", "exec")

    def __call__(self, *args):
        n_in = len(self.in_params)
        ins, outs = args[:n_in], list(args[n_in:])
        if len(outs) not in (0, len(self.out_params)):
            raise TypeError(f"Wrong number of arguments for {self.name}")
        types_ = {}
        for (typ, _), a in zip(self.in_params + self.out_params, list(ins) + outs):
            if isinstance(a, np.ndarray):
                if not isinstance(a, ndarray):
                    raise _host_error(a)
                types_.setdefault(typ, a.dtype)
        env = {}
        for (typ, name), a in zip(self.in_params, ins):
            dt = types_.get(typ, np.dtype(typ) if typ[0].islower() else None)
            env[name] = _plain(a) if isinstance(a, ndarray) else dt.type(a)
        if not outs:
            shape = np.broadcast_shapes(*[np.shape(env[n]) for _, n in self.in_params])
            outs = [_adopt(np.zeros(shape, types_.get(t, np.dtype(t) if t[0].islower() else None)))
                    for t, _ in self.out_params]
        for (_, name), o in zip(self.out_params, outs):
            env[name] = _plain(o)
        with _INSIDE:
            exec(self._code, dict(_FUNCS), env)
            for (typ, name), o in zip(self.out_params, outs):
                _plain(o)[...] = env[name]
        return outs[0] if len(outs) == 1 else tuple(outs)


# -- the module ------------------------------------------------------------------------------------

fake = _FakeCupy("cupy", "NumPy-backed fake of CuPy for ember's tests")
fake.__version__ = "13.0.0-fake"
fake.ndarray = ndarray
fake.asarray = asarray
fake.array = array
fake.asnumpy = asnumpy
fake.get_array_module = get_array_module
fake.ElementwiseKernel = ElementwiseKernel
fake.get_default_memory_pool = lambda: _pool
fake.get_default_pinned_memory_pool = lambda: MemoryPool()
fake.lib = _Namespace(stride_tricks=_Namespace(as_strided=as_strided,
                                               sliding_window_view=sliding_window_view))
fake.linalg = _Namespace(np.linalg)
fake.fft = _Namespace(np.fft)
fake.cuda = _Namespace(
    Device=Device, Event=Event, get_elapsed_time=get_elapsed_time, MemoryHook=MemoryHook,
    MemoryPool=MemoryPool, PinnedMemoryPointer=PinnedMemoryPointer,
    alloc_pinned_memory=alloc_pinned_memory, is_available=lambda: True,
    runtime=_Namespace(getDeviceCount=_get_device_count, getDevice=_get_device,
                       setDevice=_set_device, getDeviceProperties=_get_device_properties,
                       CUDARuntimeError=CUDARuntimeError, deviceSynchronize=lambda: None))


def install():
    """Make ember use the fake as its CUDA module; returns what it replaced (for uninstall)."""
    from ember import _backend
    _current[0] = 0
    return _backend._install_array_module_for_tests(fake)


def uninstall(previous=None):
    from ember import _backend
    _backend._install_array_module_for_tests(previous)


# -- pytest plugin: `python -m pytest -p tests._fake_cupy ...` -------------------------------------

def pytest_configure(config):
    install()


def pytest_report_header(config):
    return "ember CUDA: fake CuPy from tests/_fake_cupy.py (NumPy memory, one device)"
