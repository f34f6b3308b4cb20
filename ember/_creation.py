"""Factory functions: tensor, as_tensor, from_numpy, zeros/ones/full/empty(+_like), ranges, eye,
and the legacy typed constructors (FloatTensor ...)."""
import builtins
import math

import numpy as np

from . import _dtype, _memory_layout
from ._bfloat16 import bfloat16
from ._backend import create, is_cpu_array, to_device, to_numpy, xp_of
from ._device import as_device
from ._memory_layout import contiguous_format, preserve_format
from ._tensor import Size, Tensor, _factory_requires_grad, _make
from ._warnings import warn_once


def _place(array, device, requires_grad):
    d = as_device(device) if device is not None else None
    if d is not None and d.type != "cpu":
        array = to_device(array, d.type, d.index or 0)
    t = _make(array)
    return _factory_requires_grad(t) if requires_grad else t


def _infer_array(data, dtype):
    """Data (nested lists, scalars, arrays, Tensors) to an array with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        a = data._data
        return a if dtype is None else a.astype(dtype.np, copy=False)
    if isinstance(data, np.ndarray) or hasattr(data, "__cuda_array_interface__"):
        data = _plain(data)
        if dtype is None:
            _dtype.from_numpy_dtype(data.dtype)
            return data
        return data.astype(dtype.np, copy=False)
    a = np.asarray(_unwrap(data))
    if a.dtype.kind in "uO" and _any_leaf(data, _is_big_int):
        # NumPy falls back to uint64/object for ints beyond int64; PyTorch takes them only as
        # floats: with a float dtype or beside a float.
        if not ((dtype is not None and dtype.is_floating_point)
                or _any_leaf(data, lambda x: isinstance(x, builtins.float))):
            raise ValueError("Overflow when unpacking long long")
        a = np.asarray(_unwrap(data), dtype=np.float64)
    if a.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if dtype is None and isinstance(data, (list, tuple)):
        typed = _typed_leaf_dtypes(data)
        if typed is not None:
            return a.astype(_dtype._promote_all(typed), copy=False)
    if dtype is not None:
        if not _holds_np_scalars(data):
            _dtype.check_fits(a, dtype)
        with np.errstate(over="ignore"):  # finite floats beyond the dtype become inf, as in torch
            return a.astype(dtype.np, copy=False)
    if a.dtype.kind == "f":
        if isinstance(data, (np.generic,)) or _holds_np_scalars(data):
            return a
        with np.errstate(over="ignore"):
            return a.astype(_dtype.get_default_dtype().np, copy=False)
    if a.dtype.kind in "iub":
        return a
    if a.dtype.kind == "c":
        if isinstance(data, np.generic) or _holds_np_scalars(data):
            return a
        with np.errstate(over="ignore"):
            return a.astype(_dtype.default_complex().np, copy=False)
    if a.size == 0:
        return a.astype(_dtype.get_default_dtype().np)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _unwrap(data):
    if isinstance(data, (list, tuple)):
        return [_unwrap(d) for d in data]
    if isinstance(data, Tensor):  # inside a sequence a tensor stands for its one number
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return to_numpy(data._data).reshape(())
    return data


def _typed_leaf_dtypes(data):
    """The dtypes of nested data's leaves as torch infers a sequence's dtype, when a tensor or a
    NumPy scalar is among them (their own dtypes; Python numbers as torch types them), else
    None (then NumPy's inference stands)."""
    leaves = []

    def walk(d):
        if isinstance(d, (list, tuple)):
            for x in d:
                walk(x)
        else:
            leaves.append(d)
    walk(data)
    if not any(isinstance(x, (Tensor, np.generic)) for x in leaves) or \
            any(isinstance(x, np.ndarray) for x in leaves):
        return None
    return [x._data.dtype if isinstance(x, Tensor) else x.dtype if isinstance(x, np.generic)
            else _dtype._scalar_dtype(x) for x in leaves]


def _any_leaf(data, pred):
    if isinstance(data, (list, tuple)):
        return builtins.any(_any_leaf(d, pred) for d in data)
    return pred(data)


def _is_big_int(x):
    return isinstance(x, builtins.int) and not -2 ** 63 <= x < 2 ** 63


def _holds_np_scalars(data):
    """NumPy floats (or arrays) anywhere in nested data keep their dtype, as in torch."""
    if isinstance(data, (np.generic, np.ndarray)):
        return True
    if isinstance(data, (list, tuple)):
        return any(_holds_np_scalars(d) for d in data)
    return False


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy data into a new leaf tensor, inferring float data as the default dtype."""
    a = _infer_array(data, _dtype.canonical(dtype))
    a = np.array(a, order="C") if is_cpu_array(a) else a.copy()  # never shares data
    return _place(a, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with data where no dtype or device change is asked."""
    dtype = _dtype.canonical(dtype)
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    return _place(_infer_array(data, dtype), device, False)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = _make(t._data.copy())
    return _factory_requires_grad(t) if requires_grad else t


def from_numpy(array):
    """A tensor that shares memory with a NumPy array, both ways."""
    if not isinstance(array, np.ndarray) or not is_cpu_array(array):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if not array.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    _dtype.from_numpy_dtype(array.dtype)
    if any(st < 0 for st in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    return _make(_plain(array))


def _plain(array):
    """A NumPy array subclass (np.memmap, np.matrix ...) as a plain ndarray view of the same
    memory: ember tells host arrays from CUDA ones by type, and a subclass's own methods must not
    leak into ops."""
    return array.view(np.ndarray) if type(array) is not np.ndarray and is_cpu_array(array) else array


def _factory_dtype(dtype):
    return (_dtype.canonical(dtype) or _dtype.get_default_dtype()).np


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (builtins.int, np.integer)) and not (
                isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
    return tuple(builtins.int(s) for s in size)


def _created(device, requires_grad, name, *args):
    """An array made by the creation function `name` directly on the device, as a tensor."""
    d = as_device(device)
    return _place(create(d.type, d.index or 0, name, *args), None, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    return _created(device, requires_grad, "zeros", _size(size), _factory_dtype(dtype))


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    return _created(device, requires_grad, "ones", _size(size), _factory_dtype(dtype))


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False):
    if memory_format is preserve_format:
        raise RuntimeError("unsupported memory format Preserve")
    return _laid_out(_created(device, requires_grad, "empty", _size(size), _factory_dtype(dtype)),
                     memory_format)


def _laid_out(t, fmt):
    """t with its memory in format fmt (NOTE [ Memory formats ]); t itself when it already is."""
    if fmt is not None and fmt is not contiguous_format:
        t._data = _memory_layout.arrange(xp_of(t._data), t._data, _memory_layout.check(fmt))
    return t


def _fill_dtype(value):
    if isinstance(value, builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(value, builtins.int):
        return np.dtype(np.int64)
    if isinstance(value, builtins.complex):
        return _dtype.default_complex().np
    return _dtype.get_default_dtype().np


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None,
         layout=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = _dtype.canonical(dtype).np if dtype is not None else _fill_dtype(fill_value)
    fill_value = _dtype.checked_fill(fill_value, _dtype.from_numpy_dtype(dt))
    shape = _size((size,) if isinstance(size, (builtins.int, np.integer)) else (size,))
    return _created(device, requires_grad, "full", shape, fill_value, dt)


def _like(input, dtype, device):
    return (dtype or input.dtype), (device if device is not None else input.device)


def _laid_out_like(out, a, fmt):
    """out, made C-ordered by a *_like factory for input array a, in the layout torch gives it
    for memory_format fmt (NOTE [ Memory formats ]): for preserve_format (the default) and a
    host array a not C-ordered, NumPy's order='K' layout of a - a's strides when a is dense,
    else dense strides in a's order of strides, C order for an expanded a - which is torch's."""
    if _memory_layout.preserves(a, fmt) and type(a) is np.ndarray and \
            type(out._data) is np.ndarray:
        laid = np.empty_like(a, dtype=out._data.dtype)
        laid[...] = out._data
        out._data = laid
        return out
    return _laid_out(out, _memory_layout.like(a, fmt))


def _plain_like(make, input, dtype, device, requires_grad, memory_format):
    """make(shape, dtype) (np.zeros ...) as a tensor when a *_like call asks for nothing but
    input's shape and dtype and input is a C-ordered host array (the common call, in a quarter
    of the general path's time); else None."""
    a = input._data
    if dtype is None and device is None and not requires_grad and memory_format is None and \
            type(a) is np.ndarray and a.flags.c_contiguous:
        return _make(make(a.shape, a.dtype))
    return None


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    plain = _plain_like(np.zeros, input, dtype, device, requires_grad, memory_format)
    if plain is not None:
        return plain
    dt, dev = _like(input, dtype, device)
    out = zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)
    return _laid_out_like(out, input._data, memory_format)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None):
    plain = _plain_like(np.ones, input, dtype, device, requires_grad, memory_format)
    if plain is not None:
        return plain
    dt, dev = _like(input, dtype, device)
    out = ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)
    return _laid_out_like(out, input._data, memory_format)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    plain = _plain_like(np.empty, input, dtype, device, requires_grad, memory_format)
    if plain is not None:
        return plain
    dt, dev = _like(input, dtype, device)
    out = empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)
    return _laid_out_like(out, input._data, memory_format)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None, layout=None):
    dt, dev = _like(input, dtype, device)
    out = full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)
    return _laid_out_like(out, input._data, memory_format)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None,
           layout=None):
    start, end, step = _num(start), _num(end), _num(step)
    dtype = _dtype.canonical(dtype)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dtype = _dtype.int64 if is_int else _dtype.get_default_dtype()
    elif dtype.is_complex or dtype == _dtype.bool:  # torch's kernel has no such dtypes
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_dtype.type_name(dtype)}'")
    n = builtins.max(0, math.ceil((end - start) / step))
    a = (start + np.arange(n, dtype=np.float64) * step) if dtype.is_floating_point else \
        np.arange(start, end, step)
    return _place(a.astype(dtype.np), device, requires_grad)


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False):
    dtype = _dtype.canonical(dtype) or _dtype.get_default_dtype()
    n = builtins.int(math.floor((end - start) / step)) + 1
    a = start + np.arange(n, dtype=np.float64) * step
    return _place(a.astype(dtype.np), device, requires_grad)


def _spaced(start, end, steps, dt=np.float64):
    """steps evenly spaced values of the floating dtype dt, as torch computes them: the step in
    dt, the first half counted up from start and the second half down from end, each value
    rounded once from a fused multiply-add (emulated in a wider type). Both ends are exact, the
    values are torch's to the bit, and an infinite end gives torch's NaNs rather than NumPy's."""
    steps = builtins.int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 1:
        return np.array([start], dtype=dt)
    wide = np.longdouble if np.dtype(dt).itemsize >= 8 else np.float64
    i = np.arange(steps, dtype=wide)
    with np.errstate(invalid="ignore", over="ignore"):
        start, end = dt(start), dt(end)
        step = wide((end - start) / dt(steps - 1))
        up = step * i + wide(start)
        down = wide(end) - step * (steps - 1 - i)
        return np.where(i < steps // 2, up, down).astype(dt)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    dt = np.dtype(_factory_dtype(dtype))
    if dt == np.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    start, end = _num(start), _num(end)
    _dtype.check_fits([start, end], _dtype.from_numpy_dtype(dt), fill=True)
    if dt.kind == "f" and dt.itemsize >= 4:
        a = _spaced(start, end, steps, dt.type)
    else:
        a = _spaced(start, end, steps)
        if dt.kind != "f":
            a = np.trunc(a)
    return _place(a.astype(dt), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             out=None):
    dt = _factory_dtype(dtype)
    with np.errstate(over="ignore"):
        a = np.power(float(base), _spaced(_num(start), _num(end), steps))
    return _place(a.astype(dt), device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None):
    return _place(np.eye(n, n if m is None else m, dtype=_factory_dtype(dtype)), device,
                  requires_grad)


def _legacy_init(self, dt, args, device, *, any_dtype=False):
    """Tensor(data) / Tensor(*sizes) / Tensor(other) / Tensor(): the old constructors, typed by dt.
    A tensor argument is aliased, not copied; only torch.Tensor (any_dtype) takes one of another
    dtype, keeping it."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        _legacy_alias(self, args[0], None if any_dtype else (dt, as_device(device or "cpu")))
        return
    if len(args) == 1 and (isinstance(args[0], builtins.bool) or not isinstance(
            args[0], (builtins.int, np.integer, Size))):
        a = _infer_array(_legacy_sequence(args[0]), dt)
        a = np.array(a, dtype=dt.np, copy=True) if isinstance(a, np.ndarray) else a.astype(dt.np)
    elif not args:
        a = np.zeros(0, dt.np)  # Tensor() is empty and 1-d, as in PyTorch
    else:
        a = np.zeros(_size(args), dt.np)
    if device is not None and as_device(device).type != "cpu":
        a = to_device(a, "cuda", as_device(device).index or 0)
    Tensor._init_from(self, a)


def _legacy_sequence(data):
    """The legacy constructors read a lone non-integer argument as data, which must be a sequence
    (as Python's sequence check: indexable, not a mapping; NumPy scalars index but are scalars) of
    numbers, never a scalar."""
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(data, (dict, np.generic)) or not hasattr(type(data), "__getitem__"):
        kind = type(data)
        name = kind.__qualname__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        raise TypeError(f"new(): data must be a sequence (got {name})")
    return data


def _legacy_alias(self, other, expected):
    """Make self share other's data and version counter; expected, a (dtype, device) pair, is what
    a typed constructor demands of other."""
    if expected is not None and expected != (other.dtype, other.device):
        raise TypeError(f"expected {_tensor_options(*expected)} "
                        f"(got {_tensor_options(other.dtype, other.device)})")
    Tensor._init_from(self, other._data)
    self._vc = other._vc


def _tensor_options(dt, device):
    """A dtype and device as PyTorch's C++ TensorOptions print them in its messages."""
    from .ops._common import _c10_name  # the C++ dtype names live with the ops that print them
    return (f"TensorOptions(dtype={_c10_name(dt)}, device={device}, layout=Strided, "
            f"requires_grad=false (default), pinned_memory=false (default), "
            f"memory_format=(nullopt))")


def legacy_new(dt, args, device):
    """A Tensor from a legacy constructor typed by dt (FloatTensor(...), x.new(...))."""
    t = object.__new__(Tensor)
    _legacy_init(t, dt, args, device)
    return t


class _LegacyTensorType(type):
    """FloatTensor and friends: calling one builds a Tensor of its dtype; isinstance checks dtype."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.is_cpu

    def __call__(cls, *args, device=None):
        return legacy_new(cls.dtype, args, device)


def _typed_ctor(dt):
    return _LegacyTensorType(_dtype.LEGACY_NAMES[dt], (), {"dtype": dt})


def set_default_tensor_type(t):
    """torch's deprecated form of set_default_dtype: a legacy tensor type (DoubleTensor) or its
    name ('torch.DoubleTensor')."""
    warn_once("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
              "torch.set_default_dtype() and torch.set_default_device() as alternatives.")
    if isinstance(t, str):
        names = {"torch." + name: d for d, name in _dtype.LEGACY_NAMES.items()}
        if t not in names:
            raise TypeError(f"invalid type: '{t}'")
        t = _LegacyTensorType(t, (), {"dtype": names[t]})
    if not isinstance(t, _LegacyTensorType):
        raise TypeError(f"invalid type: '{t}'")
    _dtype.set_default_dtype(t.dtype)


FloatTensor = _typed_ctor(_dtype.float32)
DoubleTensor = _typed_ctor(_dtype.float64)
HalfTensor = _typed_ctor(_dtype.float16)
LongTensor = _typed_ctor(_dtype.int64)
IntTensor = _typed_ctor(_dtype.int32)
ShortTensor = _typed_ctor(_dtype.int16)
CharTensor = _typed_ctor(_dtype.int8)
ByteTensor = _typed_ctor(_dtype.uint8)
BoolTensor = _typed_ctor(_dtype.bool)
# bfloat16 is a dtype ember names but cannot compute in: building one raises its TypeError.
BFloat16Tensor = _LegacyTensorType("BFloat16Tensor", (), {"dtype": bfloat16})


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def is_inference(input):
    if not isinstance(input, Tensor):
        raise TypeError("is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.is_inference()


# Scalar types of torch that ember's dtypes lack: their legacy names are known, not invalid.
_TORCH_ONLY_TYPES = ("ComplexHalf", "UInt16", "UInt32",
                     "UInt64", "Float8_e5m2", "Float8_e4m3fn", "Float8_e5m2fnuz",
                     "Float8_e4m3fnuz")
_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python, named by __name__ alone


def _c_type_name(cls):
    """A class's name as the interpreter's C layer spells it (the name torch's errors quote)."""
    if cls.__flags__ & _HEAPTYPE or cls.__module__ == "builtins":
        return cls.__name__
    return f"{cls.__module__}.{cls.__qualname__}"


def legacy_type(spec):
    """Tensor.type's argument as (dtype, device type): a dtype, a legacy class (FloatTensor,
    Tensor) or a legacy name ('torch.cuda.LongTensor', 'torch.Tensor')."""
    if isinstance(spec, _dtype.dtype):
        return spec, None
    if isinstance(spec, type):
        if spec is Tensor:
            return _dtype.get_default_dtype(), "cpu"
        if isinstance(spec, _LegacyTensorType):
            return spec.dtype, "cpu"
        spec = _c_type_name(spec)
    elif not isinstance(spec, str):
        raise TypeError("dtype must be a type, str, or dtype object")
    module, _, name = spec.rpartition(".")
    if module not in ("torch", "torch.cuda", "torch.sparse", "torch.cuda.sparse"):
        raise ValueError(f"invalid type: '{spec}'")
    device_type = "cuda" if module.startswith("torch.cuda") else "cpu"
    if name == "Tensor" and module in ("torch", "torch.cuda"):
        found = _dtype.get_default_dtype()
    elif name == "BFloat16Tensor":
        found = bfloat16  # a dtype ember names but cannot compute with: `to` says so
    else:
        found = next((d for d, n in _dtype.LEGACY_NAMES.items() if n == name), None)
    if found is None:
        if name.endswith("Tensor") and name[:-len("Tensor")] in _TORCH_ONLY_TYPES:
            raise TypeError(f"{spec} is not supported by ember: it has no "
                            f"{name[:-len('Tensor')]} dtype")
        raise ValueError(f"invalid type: '{spec}'")
    if "sparse" in module:
        raise TypeError(f"{spec} is not supported by ember: it has no sparse tensors")
    return found, device_type
