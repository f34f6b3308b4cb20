"""Comparisons, predicates, logical and bitwise ops: plain functions whose results never require
grad (bool tensors, or the operands' integer dtype for bitwise ops).

Each op calls its ufunc by name on the operand's array module (NumPy or CuPy), so one code path
serves both devices.
"""
import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._dtype import type_name as _type_name
from .._tensor import Tensor, _make
from ._common import (_const, _out, check_broadcast, int_operand, invalid_arguments,
                      is_operand)
from ._op import broadcast_error, promote, scalar

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isclose", "allclose",
    "equal", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    "signbit", "isin", "is_nonzero", "is_same_size", "isreal", "is_complex", "is_signed",
]

def _need_tensor(fn, input, other=None, other_tensor=False):
    """PyTorch's TypeError for a non-Tensor where only a Tensor is taken: `input` always,
    `other` too when other_tensor (comparisons take a Python number as `other`)."""
    if not isinstance(input, Tensor):
        if other_tensor or not isinstance(other, Tensor):
            raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        _invalid_combination(fn, type(input).__name__, "Tensor")
    if other_tensor and not isinstance(other, Tensor):
        raise TypeError(f"{fn}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")


def _invalid_combination(fn, input_type, other_type):
    raise TypeError(f"{fn}() received an invalid combination of arguments - got "
                    f"({input_type}, {other_type}), but expected one of:\n"
                    f" * (Tensor input, Tensor other, *, Tensor out = None)\n"
                    f" * (Tensor input, Number other, *, Tensor out = None)\n")


def _operands(input, other):
    """Backend operands in PyTorch's promoted dtype (a Python number stays weak; a Python int
    outside an integer tensor's range wraps around into it, as torch converts it: uint8 == 300
    compares with 44)."""
    a = input._data
    b = other._data if isinstance(other, Tensor) else scalar(other)
    if hasattr(b, "dtype"):
        if a.dtype != b.dtype:
            a, b = promote(a, b)
    elif type(b) is int and a.dtype.kind in "iu":
        b = int_operand(b, a.dtype)
    return a, b


def _binary(name, input, other, out, fn=None, other_tensor=False):
    if not isinstance(input, Tensor) or other_tensor and not isinstance(other, Tensor):
        _need_tensor(fn, input, other, other_tensor)
    if not isinstance(other, Tensor) and not is_operand(other):
        _invalid_combination(fn, "Tensor", type(other).__name__)
    a, b = _operands(input, other)
    try:
        r = _const(getattr(xp_of(a), name)(a, b))
    except ValueError:
        raise broadcast_error(a.shape, getattr(b, "shape", ())) from None
    return r if out is None else _out(r, out)


def eq(input, other, *, out=None):
    return _binary("equal", input, other, out, "eq")


def ne(input, other, *, out=None):
    return _binary("not_equal", input, other, out, "ne")


def lt(input, other, *, out=None):
    return _binary("less", input, other, out, "lt")


def le(input, other, *, out=None):
    return _binary("less_equal", input, other, out, "le")


def gt(input, other, *, out=None):
    return _binary("greater", input, other, out, "gt")


def ge(input, other, *, out=None):
    return _binary("greater_equal", input, other, out, "ge")


# torch's aliases name themselves in their errors
def greater(input, other, *, out=None):
    return _binary("greater", input, other, out, "greater")


def greater_equal(input, other, *, out=None):
    return _binary("greater_equal", input, other, out, "greater_equal")


def less(input, other, *, out=None):
    return _binary("less", input, other, out, "less")


def less_equal(input, other, *, out=None):
    return _binary("less_equal", input, other, out, "less_equal")


def not_equal(input, other, *, out=None):
    return _binary("not_equal", input, other, out, "not_equal")


# -- predicates ------------------------------------------------------------------------------------

def _float_predicate(name, input, on_integers=False):
    a = input._data
    if a.dtype.kind == "c" and name in ("isposinf", "isneginf"):
        raise RuntimeError(f"{name} does not support complex inputs.")
    if a.dtype.kind not in "fc":  # integers are always finite
        return _make(xp_of(a).full(a.shape, on_integers, np.bool_))
    return _const(getattr(xp_of(a), name)(a))


def isnan(input):
    return _float_predicate("isnan", input)


def isinf(input):
    return _float_predicate("isinf", input)


def isposinf(input):
    return _float_predicate("isposinf", input)


def isneginf(input):
    return _float_predicate("isneginf", input)


def isfinite(input):
    return _float_predicate("isfinite", input, True)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise; infinities match only themselves."""
    _need_tensor("isclose", input, other, True)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_type_name(a.dtype)} did not match {_type_name(b.dtype)}")
    xp = xp_of(a)
    if a.dtype.kind not in "fc":
        a, b = a.astype(_dtype.default_np()), b.astype(_dtype.default_np())
    try:
        close = a == b
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    with np.errstate(invalid="ignore"):  # inf - inf
        err = xp.abs(a - b)
        close |= xp.isfinite(err) & (err <= atol + rtol * xp.abs(b))
    return _const(close)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether isclose holds everywhere (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """Same shape and same values (a Python bool)."""
    _need_tensor("equal", input, other, True)
    if input._data.shape != other._data.shape:
        return False
    a, b = _operands(input, other)
    return bool((a == b).all())


# -- logical and bitwise ---------------------------------------------------------------------------

def logical_and(input, other, *, out=None):
    return _binary("logical_and", input, other, out, "logical_and", True)


def logical_or(input, other, *, out=None):
    return _binary("logical_or", input, other, out, "logical_or", True)


def logical_xor(input, other, *, out=None):
    return _binary("logical_xor", input, other, out, "logical_xor", True)


def logical_not(input, *, out=None):
    r = _const(xp_of(input._data).logical_not(input._data))
    return r if out is None else _out(r, out)


_INTEGER_OVERLOADS = ("(Tensor input, Tensor other, *, Tensor out = None)",
                      "(Number self, Tensor other)",
                      "(Tensor input, Number other, *, Tensor out = None)")


def _check_integer_operand(name, input, other):
    """torch's TypeError for an `other` of a bitwise op or shift that is no tensor, number or
    array (a list is not computed element-wise)."""
    if not isinstance(other, Tensor) and not is_operand(other):
        raise invalid_arguments(name, (input, other), _INTEGER_OVERLOADS)


def _check_bitwise(name, input, other=None):
    _check_integer_operand(name, input, other)
    check_broadcast(input, other)
    for x in (input, other):
        d = x._data.dtype if isinstance(x, Tensor) else None
        if d is not None and d.kind == "f":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_name(d)}'")
        if isinstance(x, float):
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Float'")


def _number_first(name, input, other):
    """(input, other) of a commutative bitwise op, swapped for torch's (Number self, Tensor
    other) overload: bitwise_and(2, t) is bitwise_and(t, 2)."""
    if isinstance(input, Tensor) or not isinstance(other, Tensor) or \
            not isinstance(input, (int, float, np.integer, np.floating)):
        return input, other
    if isinstance(input, (float, np.floating)):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Float'")
    return other, input


def bitwise_and(input, other, *, out=None):
    input, other = _number_first("bitwise_and", input, other)
    _check_bitwise("bitwise_and", input, other)
    return _binary("bitwise_and", input, other, out, "bitwise_and")


def bitwise_or(input, other, *, out=None):
    input, other = _number_first("bitwise_or", input, other)
    _check_bitwise("bitwise_or", input, other)
    return _binary("bitwise_or", input, other, out, "bitwise_or")


def bitwise_xor(input, other, *, out=None):
    input, other = _number_first("bitwise_xor", input, other)
    _check_bitwise("bitwise_xor", input, other)
    return _binary("bitwise_xor", input, other, out, "bitwise_xor")


def bitwise_not(input, *, out=None):
    """~x: bitwise for integers, logical for bool."""
    a = input._data
    if a.dtype.kind == "f":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{_dtype.LEGACY_NAMES[input.dtype][:-len('Tensor')]}'")
    r = _const(xp_of(a).invert(a))
    return r if out is None else _out(r, out)


def _shift(name, kernel, input, other, out):
    """a << b or a >> b in the operands' promoted integer dtype; shifting by the bit width or
    more gives 0 (or -1 for a negative a shifted right), as torch does."""
    _check_integer_operand("bitwise_" + name, input, other)
    check_broadcast(input, other)
    if not isinstance(input, Tensor):
        if isinstance(input, float):
            raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Float'")
        input = _make(xp_of(other._data).asarray(scalar(input), other._data.dtype))
    a, b = _operands(input, other)
    if a.dtype.kind == "f" or getattr(b, "dtype", np.dtype(type(b))).kind == "f":
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Float'"
                                  if a.dtype.kind != "f" else
                                  f"\"{kernel}_cpu\" not implemented for '{_type_name(a)}'")
    if a.dtype == np.bool_:
        if getattr(b, "dtype", None) == np.bool_ or type(b) is bool:  # a Boolean result
            raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Bool'")
        a = a.astype(np.int64)
    xp = xp_of(a)
    b = xp.asarray(b)  # a Python number keeps its sign here: -7 is no uint8
    bits = a.dtype.itemsize * 8
    big = (b < 0) | (b >= bits)
    r = getattr(xp, name)(a, xp.where(big, 0, b).astype(a.dtype, copy=False))
    if big.any():  # -1 from the sign bits, never a Python -1: an unsigned a has no such value
        r = xp.where(big, xp.negative((a < 0).astype(a.dtype)) if name == "right_shift" else 0, r)
    r = _const(xp.asarray(r, a.dtype))
    return r if out is None else _out(r, out)


def bitwise_left_shift(input, other, *, out=None):
    return _shift("left_shift", "lshift", input, other, out)


def bitwise_right_shift(input, other, *, out=None):
    return _shift("right_shift", "rshift", input, other, out)


def signbit(input, *, out=None):
    """True where the sign bit is set (-0.0 included); False for every unsigned and bool value."""
    a = input._data
    r = _const(xp_of(a).signbit(a) if a.dtype.kind in "fi" else xp_of(a).zeros(a.shape, bool))
    return r if out is None else _out(r, out)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element of `elements` is among `test_elements` (either may be a number)."""
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    xp = xp_of(e) if isinstance(elements, Tensor) else xp_of(t)
    return _const(xp.isin(xp.asarray(e), xp.asarray(t), assume_unique=assume_unique,
                          invert=invert))


def is_nonzero(input):
    """bool(input) for a one-element tensor."""
    n = input._data.size
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(-1)[0] != 0)


def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


def isreal(input):
    """True where an element has no imaginary part (everywhere for a real tensor)."""
    a = input._data
    if a.dtype.kind == "c":
        return _const(a.imag == 0)
    return _const(xp_of(a).ones(a.shape, bool))


def is_complex(input):
    return input.is_complex()


def is_signed(input):
    return input.is_signed()
