"""Elementwise arithmetic and math: forward on arrays, backward in ember ops, side by side.

Dtypes follow PyTorch's promotion (`promote`): a Python number never widens a tensor's float
dtype, integer and bool inputs of float-valued functions compute in the default float dtype.
"""
import builtins
import math
import warnings

import numpy as np

from .. import _dtype
from .._dtype import type_name as _type_name
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as _grad_state
from ._op import Op, broadcast_error, promote, scalar

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs", "absolute", "sign",
    "sgn", "reciprocal", "sqrt", "rsqrt", "square", "exp", "exp2", "expm1", "log", "log1p",
    "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "arcsin", "arccos",
    "arctan", "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "sigmoid", "floor", "ceil", "round", "trunc", "fix", "frac", "clamp", "clip",
    "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where", "lerp", "addcmul",
    "addcdiv", "erf", "erfc", "erfinv", "logit", "hypot", "nan_to_num", "xlogy", "sinc",
    "deg2rad", "rad2deg",
]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0
# c10's type names, as PyTorch's messages print them.
# -- shared helpers --------------------------------------------------------------------------------

def _binary(xp_fn, a, b):
    """xp_fn on two operands after PyTorch's promotion, with PyTorch's broadcast error."""
    a, b = promote(a, b)
    try:
        return xp_fn(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None
    except OverflowError:
        # A Python int outside an integer tensor's range wraps around, as in PyTorch.
        if hasattr(a, "dtype"):
            return xp_fn(a, np.array(b).astype(a.dtype).item())
        return xp_fn(np.array(a).astype(b.dtype).item(), b)


def _float(a):
    """Integer and bool inputs of float-valued functions compute in the default float dtype."""
    return a if a.dtype.kind == "f" else a.astype(_dtype.default_np())


def _float_pair(a, b):
    """Promote two operands of a float-valued binary function (atan2, hypot, xlogy)."""
    a, b = promote(a, b)
    if (a.dtype if hasattr(a, "dtype") else b.dtype).kind != "f":
        ft = _dtype.default_np()
        a = a.astype(ft) if hasattr(a, "dtype") else a
        b = b.astype(ft) if hasattr(b, "dtype") else b
    return a, b


def _log_scalar(x):
    """log of a Python number as a Python float (a NumPy scalar would widen float32 results)."""
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _zeros(ctx, g):
    """A gradient of zeros for ops that are flat almost everywhere (floor, sign ...)."""
    return _make(ctx.xp.zeros_like(g._data))


def _const(array):
    """A Tensor of a computed backend array (NumPy turns 0-d results into scalars: undo that)."""
    return _make(np.asarray(array) if isinstance(array, np.generic) else array)


def _masked(g, keep):
    """g where the boolean array `keep` holds, else 0: a product with the mask, for gradients g
    that are finite (the fast path); _selected is the one for values that may be inf or NaN."""
    return g * _const(keep)


def _selected(t, keep):
    """t where the boolean array `keep` holds, else exactly 0 (even where t is inf or NaN)."""
    return Where.apply(t, 0.0, keep)


def _check_int_zero(b):
    """Integer division by zero raises in PyTorch instead of returning garbage."""
    if hasattr(b, "dtype"):
        if b.dtype.kind in "iub" and not b.all():
            raise RuntimeError("ZeroDivisionError")
    elif b == 0:
        raise RuntimeError("ZeroDivisionError")


def _int_result(a, b):
    x = a if hasattr(a, "dtype") else b
    return x.dtype.kind != "f"


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
                          "elements.", UserWarning, stacklevel=3)
        out._data = np.empty_like(arr, dtype=out._data.dtype)
    out._write(arr)
    return out


# -- arithmetic ------------------------------------------------------------------------------------

class Add(Op):
    _n_operands = 2

    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return _binary(ctx.xp.add, a, b if alpha == 1 else b * alpha)

    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


class Sub(Op):
    _n_operands = 2

    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        try:
            return _binary(ctx.xp.subtract, a, b if alpha == 1 else b * alpha)
        except TypeError:
            if getattr(a, "dtype", None) == np.bool_ or getattr(b, "dtype", None) == np.bool_:
                raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                                   "supported. Use the `^` or `logical_xor()` operator "
                                   "instead.") from None
            raise

    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


class Rsub(Op, grad_fn="RsubBackward1"):
    """other - alpha * input with a Python-number `other` (x.__rsub__)."""
    _n_operands = 1

    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return _binary(ctx.xp.subtract, b, a if alpha == 1 else a * alpha)

    def backward(ctx, g):
        return -g if ctx.alpha == 1 else g * -ctx.alpha


class RsubTensor(Op, grad_fn="RsubBackward0"):
    """other - alpha * input with a tensor `other`."""
    _n_operands = 2

    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        return _binary(ctx.xp.subtract, b, a if alpha == 1 else a * alpha)

    def backward(ctx, g):
        return (-g if ctx.alpha == 1 else g * -ctx.alpha), g


class Mul(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary(ctx.xp.multiply, a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Div(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        if a.dtype.kind != "f":  # int / int is true division in the default float dtype
            ft = _dtype.default_np()
            a = a.astype(ft)
            b = b.astype(ft) if hasattr(b, "dtype") else b
        try:
            return ctx.xp.true_divide(a, b)
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = g / b if need[0] else None
        gb = -g * a / (b * b) if need[1] else None
        return ga, gb


def _trunc_divide(xp, a, b):
    if _int_result(a, b):
        # a - fmod(a, b) is an exact multiple of b, so floor division of it truncates.
        return xp.floor_divide(a - xp.fmod(a, b), b)
    return xp.trunc(xp.true_divide(a, b))


def _floor_divide(xp, a, b):
    return xp.floor_divide(a, b)


class DivMode(Op, grad_fn="DivBackward2"):
    """div with rounding_mode 'trunc' or 'floor': its gradient is zero almost everywhere."""
    _n_operands = 2

    def forward(ctx, a, b, rounding):
        a, b = promote(a, b)
        if _int_result(a, b):
            _check_int_zero(b)
        try:
            return rounding(ctx.xp, a, b)
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None

    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (_zeros(ctx, g) if need[0] else None), (_zeros(ctx, g) if need[1] else None)


class _NotDifferentiable(Op, grad_fn="NotImplemented"):
    """Ops PyTorch gives no derivative (floor_divide, number % tensor): backward raises."""
    _n_operands = 2

    def forward(ctx, a, b, name):
        ctx.name = name
        a, b = promote(a, b)
        if _int_result(a, b):
            _check_int_zero(b)
        try:
            return getattr(ctx.xp, name)(a, b)
        except ValueError:
            raise broadcast_error(np.shape(a), np.shape(b)) from None

    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.name} is not implemented")


class _NotDifferentiableScalar(_NotDifferentiable, grad_fn="NotImplemented"):
    """With a Python-number operand: applied as (tensor, number, name, reflected)."""
    _n_operands = 1

    def forward(ctx, t, s, name, reflected):
        return _NotDifferentiable.forward(ctx, *((s, t) if reflected else (t, s)), name)


class Remainder(Op, grad_fn="RemainderBackward1"):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        if _int_result(a, b):
            _check_int_zero(b)
        try:
            return ctx.xp.remainder(a, b)
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g if need[0] else None), \
            (-g * div(a, b, rounding_mode="floor") if need[1] else None)


class RemainderScalar(Op, grad_fn="RemainderBackward0"):
    _n_operands = 1

    def forward(ctx, a, b):
        a, b = promote(a, b)
        if _int_result(a, b):
            _check_int_zero(b)
        return ctx.xp.remainder(a, b)

    def backward(ctx, g):
        return g


class Fmod(Op, grad_fn="FmodBackward1"):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        if _int_result(a, b):
            _check_int_zero(b)
        try:
            return ctx.xp.fmod(a, b)
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g if need[0] else None), \
            (-g * div(a, b, rounding_mode="trunc") if need[1] else None)


class FmodScalar(Op, grad_fn="FmodBackward0"):
    _n_operands = 1

    def forward(ctx, a, b):
        a, b = promote(a, b)
        if _int_result(a, b):
            _check_int_zero(b)
        return ctx.xp.fmod(a, b)

    def backward(ctx, g):
        return g


_NEG_POW_MSG = "Integers to negative integer powers are not allowed."


class Pow(Op):
    """tensor ** Python number (PowBackward0)."""
    _n_operands = 1

    def forward(ctx, a, e):
        ctx.save_for_backward(a)
        ctx.e = e
        a, _ = promote(a, e)
        if a.dtype.kind != "f" and e < 0:
            raise RuntimeError(_NEG_POW_MSG)
        if e == 2:
            return ctx.xp.multiply(a, a)
        return ctx.xp.power(a, e)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        e = ctx.e
        if e == 0:
            return _zeros(ctx, g)
        if e == 2:
            return g * (a * 2.0)
        return g * (pow(a, e - 1) * e)


def _power(xp, a, b):
    """a ** b; integer powers with a negative exponent follow C (1, -1 or 0), as in PyTorch."""
    b_arr = b if hasattr(b, "dtype") else a
    if b_arr.dtype.kind == "f" or not (b < 0).any():
        return xp.power(a, b)
    neg = b < 0
    y = xp.power(a, xp.where(neg, 0, b))
    odd = (b % 2) != 0
    at_neg = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, at_neg, y).astype(y.dtype, copy=False)


class PowTensor(Op, grad_fn="PowBackward1"):
    """tensor ** tensor."""
    _n_operands = 2

    def forward(ctx, a, b):
        a2, b2 = promote(a, b)
        try:
            y = _power(ctx.xp, a2, b2)
        except ValueError:
            raise broadcast_error(a2.shape, b2.shape) from None
        ctx.save_for_backward(a, b, y)
        return y

    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = _selected(g * (b * pow(a, b - 1)), b._data != 0)
        if need[1]:
            gb = g * _selected(y * log(a), ~((a._data == 0) & (b._data >= 0)))
        return ga, gb


class PowScalarBase(Op, grad_fn="PowBackward2"):
    """Python number ** tensor; applied as (exponent, base) so the number shows no edge."""
    _n_operands = 1

    def forward(ctx, e, base):
        ctx.base = base
        b2, e2 = promote(base, e)
        y = _power(ctx.xp, b2, e2)
        ctx.save_for_backward(e, y)
        return y

    def backward(ctx, g):
        e, y = ctx.saved_tensors
        base = ctx.base
        if base == 0:  # d/de 0**e is 0 where e >= 0
            return g * _selected(y * -math.inf, e._data < 0)
        return g * (y * _log_scalar(base))


class Neg(Op):
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return ctx.xp.negative(a)

    def backward(ctx, g):
        return -g


class Abs(Op):
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        ctx.save_for_backward(a)
        return ctx.xp.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sign(a)


class Sign(Op):
    def forward(ctx, a):
        return a.copy() if a.dtype == np.bool_ else ctx.xp.sign(a)

    def backward(ctx, g):
        return _zeros(ctx, g)


class Sgn(Sign):
    pass


class Reciprocal(Op):
    def forward(ctx, a):
        y = ctx.xp.reciprocal(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * (y * y)


class Sqrt(Op):
    def forward(ctx, a):
        y = ctx.xp.sqrt(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (y * 2.0)


class Rsqrt(Op):
    def forward(ctx, a):
        y = ctx.xp.reciprocal(ctx.xp.sqrt(_float(a)))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y * y * -0.5)


# -- exponentials and logarithms -------------------------------------------------------------------

class Exp(Op):
    def forward(ctx, a):
        y = ctx.xp.exp(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Exp2(Op):
    def forward(ctx, a):
        y = ctx.xp.exp2(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * _LN2)


class Expm1(Op):
    def forward(ctx, a):
        y = ctx.xp.expm1(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y + 1.0)


class Log(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log1P(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log1p(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a + 1.0)


class Log2(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log2(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN2)


class Log10(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log10(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN10)


# -- trigonometric and hyperbolic ------------------------------------------------------------------

class Sin(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.sin(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class Cos(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.cos(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * -sin(a)


class Tan(Op):
    def forward(ctx, a):
        y = ctx.xp.tan(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y + 1.0)


class Asin(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.arcsin(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(1.0 - a * a)


class Acos(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.arccos(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * rsqrt(1.0 - a * a)


class Atan(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.arctan(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * a + 1.0)


class Atan2(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = _float_pair(a, b)
        try:
            return ctx.xp.arctan2(a, b)
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        r = reciprocal(a * a + b * b)
        return (g * (b * r) if need[0] else None), (g * (-a * r) if need[1] else None)


class Sinh(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.sinh(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class Cosh(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.cosh(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


class Tanh(Op):
    def forward(ctx, a):
        y = ctx.xp.tanh(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return TanhBackward.apply(g, y)


class TanhBackward(Op, grad_fn="TanhBackwardBackward0"):
    """g * (1 - y**2) in one pass; the hot backward of tanh."""
    _n_operands = 2

    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        out = 1.0 - y * y
        out *= g
        return out

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (TanhBackward.apply(gg, y) if need[0] else None), \
            (gg * g * y * -2.0 if need[1] else None)


class Asinh(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.arcsinh(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(a * a + 1.0)


class Acosh(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.arccosh(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(a * a - 1.0)


class Atanh(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.arctanh(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1.0 - a * a)


class Sigmoid(Op):
    def forward(ctx, a):
        xp = ctx.xp
        a = _float(a)
        y = xp.empty_like(a)
        xp.negative(a, out=y)
        with np.errstate(over="ignore"):  # exp(-a) overflows to inf for very negative a: y -> 0
            xp.exp(y, out=y)
        y += 1.0
        xp.reciprocal(y, out=y)
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return SigmoidBackward.apply(g, y)


class SigmoidBackward(Op, grad_fn="SigmoidBackwardBackward0"):
    """g * y * (1 - y) in one pass; the hot backward of sigmoid."""
    _n_operands = 2

    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        out = ctx.xp.subtract(1.0, y)
        out *= y
        out *= g
        return out

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (SigmoidBackward.apply(gg, y) if need[0] else None), \
            (gg * g * (1.0 - y * 2.0) if need[1] else None)


# -- rounding --------------------------------------------------------------------------------------

class Floor(Op):
    def forward(ctx, a):
        return a.copy() if a.dtype.kind != "f" else ctx.xp.floor(a)

    def backward(ctx, g):
        return _zeros(ctx, g)


class Ceil(Floor):
    def forward(ctx, a):
        return a.copy() if a.dtype.kind != "f" else ctx.xp.ceil(a)


class Trunc(Floor):
    def forward(ctx, a):
        return a.copy() if a.dtype.kind != "f" else ctx.xp.trunc(a)


class Round(Floor):
    def forward(ctx, a):
        return a.copy() if a.dtype.kind != "f" else ctx.xp.rint(a)


class RoundDecimals(Floor, grad_fn="RoundBackward1"):
    def forward(ctx, a, decimals):
        if a.dtype.kind != "f":
            raise NotImplementedError(f"\"round_cpu\" not implemented for '{_type_name(a.dtype)}'")
        return ctx.xp.round(a, decimals)


class Frac(Op):
    def forward(ctx, a):
        if a.dtype.kind != "f":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_type_name(a.dtype)}'")
        return a - ctx.xp.trunc(a)

    def backward(ctx, g):
        return g


# -- clamping, extrema and selection ---------------------------------------------------------------

def _clamp_array(xp, a, lo, hi):
    if lo is not None:
        a = xp.maximum(a, lo)
    if hi is not None:
        a = xp.minimum(a, hi)
    return a


class Clamp(Op, grad_fn="ClampBackward1"):
    """clamp with Python-number bounds (either may be None)."""
    _n_operands = 1

    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        if a.dtype.kind != "f":
            rt = _dtype.result_type(a, *[v for v in (lo, hi) if v is not None])
            if rt != a.dtype:
                a = a.astype(rt)
        return _clamp_array(ctx.xp, a, lo, hi)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        x, lo, hi = a._data, ctx.lo, ctx.hi
        if lo is None:
            keep = x <= hi
        elif hi is None:
            keep = x >= lo
        else:
            keep = (x >= lo) & (x <= hi)
        return _masked(g, keep)


class ClampTensor(Op, grad_fn="ClampBackward0"):
    """clamp with tensor bounds (either may be None)."""
    _n_operands = 3

    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        ops = [v for v in (a, lo, hi) if v is not None]
        rt = _dtype.result_type(*ops)
        a, lo, hi = (v if v is None or not hasattr(v, "dtype") or v.dtype == rt
                     else v.astype(rt) for v in (a, lo, hi))
        try:
            return _clamp_array(ctx.xp, a, lo, hi)
        except ValueError:
            raise broadcast_error(a.shape, np.shape(lo if lo is not None else hi)) from None

    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        x = a._data
        ld = lo._data if isinstance(lo, Tensor) else lo
        hd = hi._data if isinstance(hi, Tensor) else hi
        ga = glo = ghi = None
        if need[0]:
            if ld is None:
                ga = _masked(g, x <= hd)
            elif hd is None:
                ga = _masked(g, x >= ld)
            else:
                ga = _masked(g, (x >= ld) & (x <= hd))
        if need[1]:
            glo = _masked(g, (x < ld) if hd is None else (x < ld) & (ld < hd))
        if need[2]:
            ghi = _masked(g, (x > hd) if ld is None else (x > hd) | (hd < ld))
        return ga, glo, ghi


class ClampMin(Op):
    _n_operands = 1

    def forward(ctx, a, lo):
        ctx.save_for_backward(a)
        ctx.lo = lo
        a, lo = promote(a, lo)
        return ctx.xp.maximum(a, lo)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _masked(g, a._data >= ctx.lo)


class ClampMax(Op):
    _n_operands = 1

    def forward(ctx, a, hi):
        ctx.save_for_backward(a)
        ctx.hi = hi
        a, hi = promote(a, hi)
        return ctx.xp.minimum(a, hi)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _masked(g, a._data <= ctx.hi)


class ClampMinTensor(Op, grad_fn="ClampMinBackward1"):
    _n_operands = 2

    def forward(ctx, a, lo):
        ctx.save_for_backward(a, lo)
        return _binary(ctx.xp.maximum, a, lo)

    def backward(ctx, g):
        a, lo = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = a._data >= lo._data
        return (_masked(g, keep) if need[0] else None), (_masked(g, ~keep) if need[1] else None)


class ClampMaxTensor(Op, grad_fn="ClampMaxBackward1"):
    _n_operands = 2

    def forward(ctx, a, hi):
        ctx.save_for_backward(a, hi)
        return _binary(ctx.xp.minimum, a, hi)

    def backward(ctx, g):
        a, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = a._data <= hi._data
        return (_masked(g, keep) if need[0] else None), (_masked(g, ~keep) if need[1] else None)


def _tie_weights(a, b, dtype):
    """Gradient share of `a` in maximum(a, b): 1 where a wins, 0.5 on ties, 0 where it loses."""
    w = (a > b).astype(dtype)
    w += (a == b) * 0.5
    return w


class Maximum(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary(ctx.xp.maximum, a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        x, y = a._data, b._data
        ga = g * _const(_tie_weights(x, y, g._data.dtype)) if need[0] else None
        gb = g * _const(_tie_weights(y, x, g._data.dtype)) if need[1] else None
        return ga, gb


class Minimum(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary(ctx.xp.minimum, a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        x, y = a._data, b._data
        ga = g * _const(_tie_weights(y, x, g._data.dtype)) if need[0] else None
        gb = g * _const(_tie_weights(x, y, g._data.dtype)) if need[1] else None
        return ga, gb


class Fmax(Op):
    """maximum that ignores NaN; ties send the whole gradient to `input`."""
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary(ctx.xp.fmax, a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = (a._data >= b._data) | ctx.xp.isnan(b._data)
        return (_masked(g, keep) if need[0] else None), (_masked(g, ~keep) if need[1] else None)


class Fmin(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary(ctx.xp.fmin, a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = (a._data <= b._data) | ctx.xp.isnan(b._data)
        return (_masked(g, keep) if need[0] else None), (_masked(g, ~keep) if need[1] else None)


class Where(Op):
    """where(cond, x, y), applied as (x, y, cond array) so that cond shows no edge."""
    _n_operands = 2

    def forward(ctx, x, y, cond):
        ctx.cond = cond
        x, y = promote(x, y)
        if not hasattr(x, "dtype") and not hasattr(y, "dtype"):
            rt = _dtype.result_type(x, y)
            x, y = ctx.xp.asarray(x, rt), ctx.xp.asarray(y, rt)
        try:
            return ctx.xp.where(cond, x, y)
        except ValueError:
            raise broadcast_error(np.shape(x), np.shape(y)) from None

    def backward(ctx, g):
        need = ctx.needs_input_grad
        cond = ctx.cond
        return (Where.apply(g, 0.0, cond) if need[0] else None), \
            (Where.apply(0.0, g, cond) if need[1] else None)


class Lerp(Op, grad_fn="LerpBackward0"):
    """start + weight * (end - start) with a Python-number weight."""
    _n_operands = 2

    def forward(ctx, a, b, w):
        ctx.w = w
        try:
            d = b - a
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
        # PyTorch's formula: anchored at the nearer end for accuracy.
        return a + d * w if builtins.abs(w) < 0.5 else b - d * (1.0 - w)

    def backward(ctx, g):
        w = ctx.w
        need = ctx.needs_input_grad
        return (g * (1.0 - w) if need[0] else None), (g * w if need[1] else None)


class LerpTensor(Op, grad_fn="LerpBackward1"):
    _n_operands = 3

    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        xp = ctx.xp
        try:
            d = b - a
            return xp.where(xp.abs(w) < 0.5, a + w * d, b - d * (1.0 - w))
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None

    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * (1.0 - w) if need[0] else None), (g * w if need[1] else None), \
            (g * (b - a) if need[2] else None)


class Addcmul(Op):
    _n_operands = 3

    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        prod = _binary(ctx.xp.multiply, t1, t2)
        if value != 1:
            prod = prod * value
        return _binary(ctx.xp.add, a, prod)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return (g if need[0] else None), (g * (t2 * v) if need[1] else None), \
            (g * (t1 * v) if need[2] else None)


class Addcdiv(Op):
    _n_operands = 3

    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        quot = _binary(ctx.xp.true_divide, t1, t2)
        if value != 1:
            quot = quot * value
        return _binary(ctx.xp.add, a, quot)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return (g if need[0] else None), (g * (v / t2) if need[1] else None), \
            (g * (-v * t1 / (t2 * t2)) if need[2] else None)


# -- special functions -----------------------------------------------------------------------------
# NOTE [ erf without SciPy ]
# erf and erfc use Cephes' rational approximations (S. L. Moshier's ndtr.c, public domain),
# accurate to about 1e-16 relative for |x| < 1 (erf) and 1e-14 for erfc; erfinv starts from
# M. Giles' single-precision approximation ("Approximating the erfinv function", 2010) and
# polishes it with two Newton steps on erf, which reaches float64 accuracy.

_ERF_T = (9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3,
          7.00332514112805075473E3, 5.55923013010394962768E4)
_ERF_U = (3.35617141647503099647E1, 5.21357949780152679795E2, 4.59432382970980127987E3,
          2.26290000613890934246E4, 4.92673942608635921086E4)
_ERFC_P = (2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
           4.86371970985681366614E1, 1.96520832956077098242E2, 5.26445194995477358631E2,
           9.34528527171957607540E2, 1.02755188689515710272E3, 5.57535335369399327526E2)
_ERFC_Q = (1.32281951154744992508E1, 8.67072140885989742329E1, 3.54937778887819891062E2,
           9.75708501743205489753E2, 1.82390916687909736289E3, 2.24633760818710981792E3,
           1.65666309194161350182E3, 5.57535340817727675546E2)
_ERFC_R = (5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0,
           6.16021097993053585195E0, 7.40974269950448939160E0, 2.97886665372100240670E0)
_ERFC_S = (2.26052863220117276590E0, 9.39603524938001434673E0, 1.20489539808096656605E1,
           1.70814450747565897222E1, 9.60896809063285878198E0, 3.36907645100081516050E0)
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _polevl(x, coefs, monic=False):
    """Horner's rule: coefs[0]*x**n + ... (with an implicit leading 1 when monic)."""
    if monic:
        p = x + coefs[0]
        rest = coefs[1:]
    else:
        p = x * coefs[0] + coefs[1]
        rest = coefs[2:]
    for c in rest:
        p *= x
        p += c
    return p


def _erf_small(xp, x):
    """erf for |x| <= 1."""
    z = x * x
    return x * _polevl(z, _ERF_T) / _polevl(z, _ERF_U, monic=True)


def _erfc_large(xp, ax):
    """erfc for 1 <= ax, ax clipped to [1, 28] so no polynomial overflows (erfc(28) == 0)."""
    ax = xp.clip(ax, 1.0, 28.0)
    mid = xp.minimum(ax, 8.0)
    far = xp.maximum(ax, 8.0)
    ratio = xp.where(ax < 8.0, _polevl(mid, _ERFC_P) / _polevl(mid, _ERFC_Q, monic=True),
                     _polevl(far, _ERFC_R) / _polevl(far, _ERFC_S, monic=True))
    return xp.exp(-ax * ax) * ratio


def _erf(xp, x):
    if x.dtype.itemsize < 4:  # the coefficients overflow float16
        return _erf(xp, x.astype(np.float32)).astype(x.dtype)
    ax = xp.abs(x)
    small = _erf_small(xp, xp.clip(x, -1.0, 1.0))
    # Beyond |x| = 6 erf is 1 to float64 precision, so the erfc branch needs no tail there.
    big = 1.0 - _erfc_large(xp, xp.minimum(ax, 6.0))
    return xp.where(ax < 1.0, small, xp.copysign(big, x))


def _erfc(xp, x):
    if x.dtype.itemsize < 4:
        return _erfc(xp, x.astype(np.float32)).astype(x.dtype)
    ax = xp.abs(x)
    small = 1.0 - _erf_small(xp, xp.clip(x, -1.0, 1.0))
    tail = _erfc_large(xp, ax)
    return xp.where(ax < 1.0, small, xp.where(x < 0, 2.0 - tail, tail))


def _erfinv(xp, y):
    y64 = y.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -xp.log((1.0 - y64) * (1.0 + y64))
        central = _polevl(w - 2.5, _ERFINV_CENTRAL)
        tail = _polevl(xp.sqrt(w) - 3.0, _ERFINV_TAIL)
        x = xp.where(w < 5.0, central, tail) * y64
        for _ in range(2):
            x = x - (_erf(xp, x) - y64) / (_TWO_OVER_SQRT_PI * xp.exp(-x * x))
        x = xp.where(xp.abs(y64) == 1.0, xp.copysign(math.inf, y64), x)
    return x.astype(y.dtype)


class Erf(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _erf(ctx.xp, _float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (exp(-(a * a)) * _TWO_OVER_SQRT_PI)


class Erfc(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _erfc(ctx.xp, _float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (exp(-(a * a)) * -_TWO_OVER_SQRT_PI)


class Erfinv(Op):
    def forward(ctx, a):
        y = _erfinv(ctx.xp, _float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (exp(y * y) * _SQRT_PI_OVER_2)


class Logit(Op):
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        a = _float(a)
        if eps is not None:
            a = ctx.xp.clip(a, eps, 1.0 - eps)
        return ctx.xp.log(a / (1.0 - a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        x = a._data
        eps = ctx.eps
        grad = g / (a * (1.0 - a))
        if eps is None:
            outside = (x < 0) | (x > 1)
            if outside.any():
                grad = Where.apply(math.nan, grad, outside)
            return grad
        return _selected(grad, (x >= eps) & (x <= 1.0 - eps))


class Hypot(Op):
    _n_operands = 2

    def forward(ctx, a, b):
        ta = a.dtype if hasattr(a, "dtype") else b.dtype
        if ta.kind != "f":
            raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_type_name(ta)}'")
        y = _binary(ctx.xp.hypot, a, b)
        ctx.save_for_backward(a, b, y)
        return y

    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * (a / y) if need[0] else None), (g * (b / y) if need[1] else None)


class NanToNum(Op):
    def forward(ctx, a, nan, posinf, neginf):
        ctx.save_for_backward(a)
        if a.dtype.kind != "f":
            return a.copy()
        return ctx.xp.nan_to_num(a, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _masked(g, ctx.xp.isfinite(a._data))


def _xlogy_array(xp, x, y):
    x, y = _float_pair(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            out = x * (xp.log(y) if hasattr(y, "dtype") else _log_scalar(y))
        except ValueError:
            raise broadcast_error(np.shape(x), np.shape(y)) from None
    # 0 * log(0) is 0 (but a NaN y still gives NaN)
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, out).astype(out.dtype, copy=False)


class Xlogy(Op):
    _n_operands = 2

    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xlogy_array(ctx.xp, x, y)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = g * xlogy(_const((x._data != 0).astype(g._data.dtype)), y) if need[0] else None
        gy = g * (x / y) if need[1] else None
        return gx, gy


class XlogyScalarSelf(Op, grad_fn="XlogyBackward1"):
    """xlogy(number, tensor), applied as (tensor, number)."""
    _n_operands = 1

    def forward(ctx, y, x):
        ctx.save_for_backward(y)
        ctx.x = x
        return _xlogy_array(ctx.xp, x, y)

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (ctx.x / y)


class XlogyScalarOther(Op, grad_fn="XlogyBackward2"):
    _n_operands = 1

    def forward(ctx, x, y):
        ctx.save_for_backward(x)
        ctx.y = y
        return _xlogy_array(ctx.xp, x, y)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _selected(g * _log_scalar(ctx.y), x._data != 0)


class Sinc(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.sinc(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        zero = a._data == 0
        safe = Where.apply(1.0, a, zero)  # the derivative is 0 at 0; avoid 0/0 there
        p = safe * math.pi
        d = (p * cos(p) - sin(p)) / (p * safe)
        return _masked(g * d, ~zero)


class Deg2Rad(Op):
    def forward(ctx, a):
        return ctx.xp.multiply(_float(a), math.pi / 180.0)

    def backward(ctx, g):
        return g * (math.pi / 180.0)


class Rad2Deg(Op):
    def forward(ctx, a):
        return ctx.xp.multiply(_float(a), 180.0 / math.pi)

    def backward(ctx, g):
        return g * (180.0 / math.pi)


# -- public functions ------------------------------------------------------------------------------

def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        _check_alpha(input, other, alpha)
        r = Add.apply(input, scalar(other), alpha)
    else:
        r = Add.apply(input, scalar(other))
    return r if out is None else _out(r, out)


def sub(input, other, *, alpha=1, out=None):
    if alpha != 1:
        _check_alpha(input, other, alpha)
        r = Sub.apply(input, scalar(other), alpha)
    else:
        r = Sub.apply(input, scalar(other))
    return r if out is None else _out(r, out)


subtract = sub


def _check_alpha(input, other, alpha):
    if isinstance(alpha, float) and _dtype.result_type(
            input._data, other._data if isinstance(other, Tensor) else other).kind != "f":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def rsub(input, other, alpha=1):
    """other - alpha * input."""
    if isinstance(other, Tensor):
        return RsubTensor.apply(input, other, alpha)
    if alpha == 1:
        return Rsub.apply(input, scalar(other))
    return Rsub.apply(input, scalar(other), alpha)


def mul(input, other, *, out=None):
    r = Mul.apply(input, scalar(other))
    return r if out is None else _out(r, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        r = Div.apply(input, scalar(other))
    elif rounding_mode == "trunc" or rounding_mode == "floor":
        fn = _trunc_divide if rounding_mode == "trunc" else _floor_divide
        r = DivMode.apply(input, scalar(other), fn)
    else:
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return r if out is None else _out(r, out)


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """Floor division (Python's //); PyTorch defines no derivative for it."""
    if not isinstance(input, Tensor):
        r = _NotDifferentiableScalar.apply(other, scalar(input), "floor_divide", True)
    elif isinstance(other, Tensor):
        r = _NotDifferentiable.apply(input, other, "floor_divide")
    else:
        r = _NotDifferentiableScalar.apply(input, scalar(other), "floor_divide", False)
    return r if out is None else _out(r, out)


def remainder(input, other, *, out=None):
    """Python's modulus: the result takes the sign of the divisor."""
    if not isinstance(input, Tensor):
        r = _NotDifferentiableScalar.apply(other, scalar(input), "remainder", True)
    elif isinstance(other, Tensor):
        r = Remainder.apply(input, other)
    else:
        r = RemainderScalar.apply(input, scalar(other))
    return r if out is None else _out(r, out)


def fmod(input, other, *, out=None):
    """C's fmod: the result takes the sign of the dividend."""
    if isinstance(other, Tensor):
        r = Fmod.apply(input, other)
    else:
        r = FmodScalar.apply(input, scalar(other))
    return r if out is None else _out(r, out)


def pow(input, exponent, *, out=None):
    if not isinstance(input, Tensor):
        r = PowScalarBase.apply(exponent, scalar(input))
    elif isinstance(exponent, Tensor):
        r = PowTensor.apply(input, exponent)
    else:
        r = Pow.apply(input, scalar(exponent))
    return r if out is None else _out(r, out)


def square(input, *, out=None):
    return pow(input, 2, out=out)


def _unary(op):
    """The public function of a one-input op: fn(input, *, out=None)."""
    apply = op.apply

    def fn(input, *, out=None):
        r = apply(input)
        return r if out is None else _out(r, out)
    fn.__name__ = fn.__qualname__ = op.__name__.lower()
    return fn


neg = negative = _unary(Neg)
abs = absolute = _unary(Abs)
sign = _unary(Sign)
sgn = _unary(Sgn)
reciprocal = _unary(Reciprocal)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
exp = _unary(Exp)
exp2 = _unary(Exp2)
expm1 = _unary(Expm1)
log = _unary(Log)
log1p = _unary(Log1P)
log2 = _unary(Log2)
log10 = _unary(Log10)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
asin = arcsin = _unary(Asin)
acos = arccos = _unary(Acos)
atan = arctan = _unary(Atan)
sinh = _unary(Sinh)
cosh = _unary(Cosh)
tanh = _unary(Tanh)
asinh = arcsinh = _unary(Asinh)
acosh = arccosh = _unary(Acosh)
atanh = arctanh = _unary(Atanh)
sigmoid = _unary(Sigmoid)
floor = _unary(Floor)
ceil = _unary(Ceil)
trunc = fix = _unary(Trunc)
frac = _unary(Frac)
erf = _unary(Erf)
erfc = _unary(Erfc)
erfinv = _unary(Erfinv)
sinc = _unary(Sinc)
deg2rad = _unary(Deg2Rad)
rad2deg = _unary(Rad2Deg)


def atan2(input, other, *, out=None):
    r = Atan2.apply(input, other)
    return r if out is None else _out(r, out)


arctan2 = atan2


def round(input, *, decimals=0, out=None):
    r = Round.apply(input) if decimals == 0 else RoundDecimals.apply(input, decimals)
    return r if out is None else _out(r, out)


def clamp(input, min=None, max=None, *, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = ClampTensor.apply(input, min, max)
    else:
        r = Clamp.apply(input, scalar(min), scalar(max))
    return r if out is None else _out(r, out)


clip = clamp


def clamp_min(input, min, *, out=None):
    r = ClampMinTensor.apply(input, min) if isinstance(min, Tensor) else \
        ClampMin.apply(input, scalar(min))
    return r if out is None else _out(r, out)


def clamp_max(input, max, *, out=None):
    r = ClampMaxTensor.apply(input, max) if isinstance(max, Tensor) else \
        ClampMax.apply(input, scalar(max))
    return r if out is None else _out(r, out)


def maximum(input, other, *, out=None):
    r = Maximum.apply(input, other)
    return r if out is None else _out(r, out)


def minimum(input, other, *, out=None):
    r = Minimum.apply(input, other)
    return r if out is None else _out(r, out)


def fmax(input, other, *, out=None):
    r = Fmax.apply(input, other)
    return r if out is None else _out(r, out)


def fmin(input, other, *, out=None):
    r = Fmin.apply(input, other)
    return r if out is None else _out(r, out)


def where(condition, input=None, other=None, *, out=None):
    """input where condition holds, else other; where(condition) is nonzero(as_tuple=True)."""
    if input is None and other is None:
        from . import nonzero
        return nonzero(condition, as_tuple=True)
    cond = condition._data
    if cond.dtype != np.bool_:
        if cond.dtype != np.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_type_name(cond.dtype)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead.", UserWarning, stacklevel=2)
        cond = cond.astype(np.bool_)
    r = Where.apply(scalar(input), scalar(other), cond)
    return r if out is None else _out(r, out)


def _dtype_word(np_dtype):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        np.dtype(np_dtype).name, np.dtype(np_dtype).name)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    a, b = input._data, end._data
    if a.dtype.kind != "f":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(a.dtype)}'")
    if b.dtype != a.dtype:
        raise RuntimeError(f"expected dtype {_dtype_word(a.dtype)} for `end` but got dtype "
                           f"{_dtype_word(b.dtype)}")
    if isinstance(weight, Tensor):
        if weight._data.dtype != a.dtype:
            raise RuntimeError(f"expected dtype {_dtype_word(a.dtype)} for `weight` but got "
                               f"dtype {_dtype_word(weight._data.dtype)}")
        r = LerpTensor.apply(input, end, weight)
    else:
        r = Lerp.apply(input, end, scalar(weight))
    return r if out is None else _out(r, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    r = Addcmul.apply(input, tensor1, tensor2, scalar(value))
    return r if out is None else _out(r, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    r = Addcdiv.apply(input, tensor1, tensor2, scalar(value))
    return r if out is None else _out(r, out)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    r = Logit.apply(input, eps)
    return r if out is None else _out(r, out)


def hypot(input, other, *, out=None):
    r = Hypot.apply(input, other)
    return r if out is None else _out(r, out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN -> nan, +inf -> posinf (default: the dtype's max), -inf -> neginf (its min)."""
    r = NanToNum.apply(input, nan, posinf, neginf)
    return r if out is None else _out(r, out)


def xlogy(input, other, *, out=None):
    """input * log(other), and 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor):
        r = XlogyScalarSelf.apply(other, scalar(input))
    elif isinstance(other, Tensor):
        r = Xlogy.apply(input, other)
    else:
        r = XlogyScalarOther.apply(input, scalar(other))
    return r if out is None else _out(r, out)
