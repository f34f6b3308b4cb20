"""Private helpers several op families share: pointwise operands, out=, constants, dtype names."""
import math
import numbers
import warnings

import numpy as np

from .. import _dtype
from .._backend import quiet  # noqa: F401  (the ops import it from here)
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as _grad_state
from ._op import broadcast_error, promote
from .._warnings import user_stacklevel

_ndarray = np.ndarray

# The C++ names of the dtypes, as some PyTorch messages print them ("float", "long int").
_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double",
              "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def _c10_name(dt):
    """The C++ name of an ember or NumPy dtype."""
    return _CPP_NAMES[dt.name]


# -- pointwise operands ----------------------------------------------------------------------------

def is_operand(x):
    """Whether x can be the other operand of a pointwise op: a tensor, a number or a NumPy-style
    array. torch's functions raise TypeError for anything else (a list or tuple too, a str, None,
    an arbitrary object), and its operators answer NotImplemented, so that x == "a" and
    x == [1., 2.] are False as Python's fallback says."""
    return isinstance(x, (Tensor, numbers.Number)) or hasattr(x, "__array__")


def _type_word(x):
    """A type as torch's argument parser names it: 'str', 'list', 'numpy.ndarray'."""
    t = type(x)
    if t.__module__ == "builtins" or isinstance(x, Tensor):
        return t.__name__
    return f"{t.__module__}.{t.__qualname__}"


def invalid_arguments(name, args, overloads):
    """torch's TypeError for arguments that match none of a function's overloads (without the
    per-overload "didn't match because" detail torch adds for some of them)."""
    got = ", ".join(_type_word(a) for a in args)
    listed = "".join(f" * {o}\n" for o in overloads)
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n{listed}")


TENSOR_OR_NUMBER = ("(Tensor input, Tensor other, *, Tensor out = None)",
                    "(Number self, Tensor other, *, Tensor out = None)",
                    "(Tensor input, Number other, *, Tensor out = None)")


def number_operand(name, x):
    """`other` of add/sub/mul/div: a NumPy scalar as the Python number it holds, with torch's
    TypeError for what is neither a tensor, a number nor array-like."""
    if isinstance(x, np.generic):
        return x.item()
    if not is_operand(x):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def _binary(xp_fn, a, b):
    """xp_fn on two operands after PyTorch's promotion, with PyTorch's broadcast error."""
    tb = type(b)
    if type(a) is not _ndarray or not (  # the common cases, which need no cast, skip promote
            (tb is float or tb is int) and a.dtype.kind == "f"
            or tb is _ndarray and a.dtype is b.dtype):
        a, b = promote(a, b)
    try:
        return xp_fn(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    except OverflowError:
        if hasattr(a, "dtype"):
            return xp_fn(a, wrapped_int(b, a.dtype))
        return xp_fn(wrapped_int(a, b.dtype), b)


def check_broadcast(a, b):
    """torch's broadcast error for operands (tensors, arrays or numbers) whose shapes do not
    broadcast: its elementwise ops check the shapes before their kernels refuse a dtype."""
    sa, sb = tuple(getattr(a, "shape", ())), tuple(getattr(b, "shape", ()))
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise broadcast_error(sa, sb) from None


def wrapped_int(value, dtype):
    """A Python int outside an integer dtype's range, wrapped around into it as torch converts
    it (300 is 44 as uint8, -7 is 249)."""
    return np.array(value).astype(dtype).item()


_INT_RANGES = {}


def _int_range(dtype):
    bounds = _INT_RANGES.get(dtype)
    if bounds is None:
        info = np.iinfo(dtype)
        bounds = _INT_RANGES[dtype] = (int(info.min), int(info.max))
    return bounds


def int_operand(value, dtype):
    """A Python int operand of an integer tensor of `dtype`, as torch converts it: within range
    as it is, else wrapped around (wrapped_int); torch's OverflowError where no 64-bit integer
    holds it."""
    low, high = _int_range(dtype)
    if low <= value <= high:
        return value
    if value >= 2 ** 64:  # torch's words for a number no 64-bit integer holds
        raise OverflowError("int too big to convert")
    if value < -2 ** 63:
        raise OverflowError("can't convert negative int to unsigned")
    return wrapped_int(value, dtype)


def _float(a):
    """Integer and bool inputs of float-valued functions compute in the default float dtype
    (complex ones stay complex)."""
    kind = a.dtype.kind
    return a if kind == "f" or kind == "c" else a.astype(_dtype.default_np())


def _float_pair(a, b):
    """Promote two operands of a float-valued binary function (atan2, hypot, xlogy). Integer
    operands go to the default float as they are, as torch computes them, not through their
    promoted integer dtype (beside an int8 tensor, a 0-d int16 32767 would wrap to -1 there)."""
    pa, pb = promote(a, b)
    if (pa.dtype if hasattr(pa, "dtype") else pb.dtype).kind in "fc":
        return pa, pb
    ft = _dtype.default_np()
    return tuple(x.astype(ft) if hasattr(x, "dtype") else x for x in (a, b))


def _log_scalar(x):
    """log of a Python number as a Python float (a NumPy scalar would widen float32 results)."""
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


# -- constants -------------------------------------------------------------------------------------

def _const(array):
    """A Tensor that needs no grad of a computed backend array: a mask or scale in a backward, a
    comparison's result. NumPy turns 0-d results into scalars: undo that."""
    return _make(np.asarray(array) if isinstance(array, np.generic) else array)


def _factor(array):
    """A constant factor of a backward formula: the array itself while the formula runs on arrays
    (NOTE [ Backward on arrays ] in autograd/engine.py), else a Tensor that needs no grad."""
    return array if _grad_state.arrays else _const(array)


def _zeros(ctx, g):
    """A gradient of zeros for ops that are flat almost everywhere (floor, sign ...)."""
    return _make(ctx.xp.zeros_like(g._data))


def _masked(g, keep):
    """g where the boolean array `keep` holds, else 0: a product with the mask, for gradients g
    that are finite (the fast path); `Where.apply(t, 0.0, keep)` is exact where t is inf or NaN."""
    return g * _const(keep)


# -- public functions ------------------------------------------------------------------------------

def _out(result, out):
    """Store `result` into an out= tensor (resized when its shape differs) and return it."""
    if _grad_state.enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    arr = result._data
    if out._data.shape != arr.shape:  # PyTorch resizes an out= tensor of another shape
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output "
                          f"shape {list(arr.shape)}. This behavior is deprecated, and in a future "
                          "PyTorch release outputs will not be resized unless they have zero "
                          "elements.", UserWarning, stacklevel=user_stacklevel())
        out._data = np.empty_like(arr, dtype=out._data.dtype)
    out._write(arr)
    return out


def _unary(op):
    """The public function of a one-input op: fn(input, *, out=None)."""
    apply = op.apply

    def fn(input, *, out=None):
        r = apply(input)
        return r if out is None else _out(r, out)
    return _named(fn, op)


def _binary_function(op):
    """The public function of a two-tensor op: fn(input, other, *, out=None)."""
    apply = op.apply

    def fn(input, other, *, out=None):
        r = apply(input, other)
        return r if out is None else _out(r, out)
    return _named(fn, op)


def need_tensors(name, input, other):
    """torch's TypeError for a function of two tensors given something else (a number too)."""
    for pos, (arg, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{_type_word(x)}")


def tensors_only(op, name):
    """The public function of a two-tensor op that, as torch's, takes no Python number."""
    fn = _binary_function(op)

    def checked(input, other, *, out=None):
        need_tensors(name, input, other)
        return fn(input, other, out=out)
    checked.__name__ = checked.__qualname__ = name
    checked.__doc__ = fn.__doc__
    return checked


def _named(fn, op):
    """fn named after op (exp for Exp) and placed in op's module, as a def there would be."""
    fn.__name__ = fn.__qualname__ = op.__name__.lower()
    fn.__module__ = op.__module__
    return fn


_host_ones = {}  # (length, dtype) -> a read-only NumPy vector of ones: made once, not per sum
_HOST_ONES_KEPT = 64


def ones_vector(xp, n, dtype):
    """n ones for a sum taken as a matrix-vector product (NOTE [ Row sums as products ] in
    activation.py); NumPy's is made once per length and dtype and kept read-only."""
    if xp is not np:
        return xp.ones(n, dtype)
    ones = _host_ones.get((n, dtype))
    if ones is None:
        if len(_host_ones) >= _HOST_ONES_KEPT:
            _host_ones.clear()
        ones = _host_ones[(n, dtype)] = np.ones(n, dtype)
        ones.flags.writeable = False
    return ones
