"""Arithmetic (+ - * / // % ** and unary -): forward on arrays, backward in ember ops.

Dtypes follow PyTorch's promotion (`promote`): a Python number never widens a tensor's float
dtype, and int / int is true division in the default float dtype. Ops marked `_array_backward`
keep their backward to operators and Ops, so it also runs on arrays (NOTE [ Backward on arrays ]
in autograd/engine.py).
"""
import math

import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import Tensor, _make
from ._common import (_binary, _float, _float_pair, _log_scalar, _out, _unary, _zeros,
                      check_broadcast, int_operand, invalid_arguments, is_operand,
                      number_operand, quiet)
from ._op import Op, broadcast_error, promote, save_factors, scalar
from .clamping import Where
from .complex import conj_of, holomorphic
from .unary import log

__all__ = ["add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
           "floor_divide", "remainder", "fmod", "pow", "square", "neg", "negative", "copysign",
           "float_power", "heaviside", "nextafter", "positive", "ldexp", "gcd", "lcm", "neg_",
           "negative_", "square_", "ldexp_", "gcd_", "lcm_"]


# -- sums and products -----------------------------------------------------------------------------

def _scaled(xp, kept, scaled, alpha):
    """(kept, alpha * scaled) in the pair's promoted dtype, alpha converted to that dtype as
    torch converts it: it never widens the result (a bool sum with alpha 100 stays bool) and an
    integer alpha beyond an integer dtype's range is torch's overflow error."""
    kept, scaled = promote(kept, scaled)
    dtype = (kept if hasattr(kept, "dtype") else scaled).dtype
    if dtype.kind == "f" and -65504.0 <= alpha <= 65504.0:  # fits every float (the usual lr)
        return kept, scaled * alpha
    if dtype == np.bool_:
        return kept, scaled if alpha else xp.zeros_like(scaled)
    return kept, scaled * _dtype.checked_fill(alpha, _dtype.from_numpy_dtype(dtype))


class Add(Op):
    _n_operands = 2
    _array_backward = True

    def forward(ctx, a, b, alpha=1):
        if alpha == 1:
            return _binary(ctx.xp.add, a, b)
        ctx.alpha = alpha
        return _binary(ctx.xp.add, *_scaled(ctx.xp, a, b, alpha))

    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


Add._node_cls.alpha = 1  # forward records only another alpha: the hottest op sets nothing on ctx

_BOOL = np.dtype(np.bool_)


def _check_not_bool(a, b):
    """torch refuses subtraction with a bool operand, a tensor or a Python bool."""
    a_bool = getattr(a, "dtype", None) is _BOOL or a is True or a is False
    b_bool = getattr(b, "dtype", None) is _BOOL or b is True or b is False
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


class Sub(Op):
    _n_operands = 2
    _array_backward = True

    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        _check_not_bool(a, b)
        return _binary(ctx.xp.subtract, *(_scaled(ctx.xp, a, b, alpha) if alpha != 1 else (a, b)))

    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


class Rsub(Op, grad_fn="RsubBackward1"):
    """other - alpha * input with a Python-number `other` (x.__rsub__)."""
    _n_operands = 1
    _array_backward = True

    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        _check_not_bool(a, b)
        return _binary(ctx.xp.subtract, *(_scaled(ctx.xp, b, a, alpha) if alpha != 1 else (b, a)))

    def backward(ctx, g):
        return -g if ctx.alpha == 1 else g * -ctx.alpha


class RsubTensor(Rsub, grad_fn="RsubBackward0"):
    """other - alpha * input with a tensor `other`."""
    _n_operands = 2

    def backward(ctx, g):
        return Rsub.backward(ctx, g), g


class Mul(Op):
    _n_operands = 2
    _array_backward = True

    def forward(ctx, a, b):
        save_factors(ctx, a, b)
        out = _binary(ctx.xp.multiply, a, b)
        if out.dtype.kind == "c":
            ctx.complex = True
        return out

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if getattr(ctx, "complex", False):  # NOTE [ Complex gradients ] (ops/complex.py)
            a, b = conj_of(a), conj_of(b)
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


Mul._node_cls.complex = False  # forward sets it on a node whose result is complex (a subclass's
# node lacks this default: backward reads the flag with getattr)


class MulScalar(Op, grad_fn="MulBackward1"):
    """input times a Python number as torch's own composites multiply (its mul.Scalar overload);
    a user's `x * 2` is Mul, MulBackward0."""
    _array_backward = True

    def forward(ctx, a, s):
        ctx.s = s
        return _binary(ctx.xp.multiply, a, s)

    def backward(ctx, g):
        return g * ctx.s


class Neg(Op):
    _array_backward = True

    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return ctx.xp.negative(a)

    def backward(ctx, g):
        return -g


# -- division --------------------------------------------------------------------------------------

class Div(Op):
    _n_operands = 2
    _array_backward = True

    def forward(ctx, a, b):
        if ctx.recording:  # the dividend only for the divisor's gradient, as torch saves it
            ctx.save_for_backward(a if ctx._edges[1] else None, b)
        a, b = promote(a, b)
        if a.dtype.kind not in "fc":  # int / int is true division in the default float dtype
            ft = _dtype.default_np()
            a = a.astype(ft)
            b = b.astype(ft) if hasattr(b, "dtype") else b
        try:
            with quiet():
                out = ctx.xp.true_divide(a, b)
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None
        if out.dtype.kind == "c":
            ctx.complex = True
        return out

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if getattr(ctx, "complex", False):  # NOTE [ Complex gradients ] (ops/complex.py)
            a, b = conj_of(a), conj_of(b)
        need = ctx.needs_input_grad
        ga = Div.apply(g, b) if need[0] else None
        gb = Div.apply(-g * a, b * b) if need[1] else None
        return ga, gb


Div._node_cls.complex = False  # forward sets it on a node whose result is complex


class DivScalar(Op, grad_fn="DivBackward1"):
    """An input divided by a Python number as torch's own composites divide (its div.Scalar
    overload; an integer input divides in the default float dtype); a user's `x / 2` is Div,
    DivBackward0."""
    _array_backward = True

    def forward(ctx, a, s):
        ctx.s = s
        with quiet():
            return ctx.xp.true_divide(_float(a), s)

    def backward(ctx, g):
        return g / ctx.s


def _check_int_zero(b):
    """Integer division by zero raises in PyTorch instead of returning garbage."""
    if hasattr(b, "dtype"):
        if b.dtype.kind in "iub" and not b.all():
            raise RuntimeError("ZeroDivisionError")
    elif b == 0:
        raise RuntimeError("ZeroDivisionError")


# torch's kernel names, which refuse Boolean operands
_BOOL_REFUSED = {"fmod": "fmod_cpu", "remainder": "remainder_cpu",
                 "floor_divide": "div_floor_cpu", "trunc_divide": "div_trunc_cpu"}


def _divide(xp, name, a, b):
    """xp.<name>(a, b) on promoted operands, or division rounded toward zero for name
    'trunc_divide': the forward of every integer-safe division (div with a rounding mode,
    floor_divide, remainder, fmod)."""
    a, b = promote(a, b)
    dtype = (a if hasattr(a, "dtype") else b).dtype
    kind = dtype.kind
    if kind == "b":
        check_broadcast(a, b)  # torch's shape error comes before its kernel's dtype refusal
        raise NotImplementedError(f"\"{_BOOL_REFUSED[name]}\" not implemented for 'Bool'")
    if kind in "iu":  # a Python int beside an integer tensor wraps into its dtype
        a, b = (int_operand(x, dtype) if type(x) is int else x for x in (a, b))
    ints = kind != "f"
    if ints and getattr(a, "size", 1):  # an empty result divides nothing: no zero to refuse
        _check_int_zero(b)
    try:
        with quiet():
            if name != "trunc_divide":
                return getattr(xp, name)(a, b)
            if ints:  # a - fmod(a, b) is an exact multiple of b, so floor division truncates
                return xp.floor_divide(a - xp.fmod(a, b), b)
            return xp.trunc(xp.true_divide(a, b))
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None


class DivMode(Op, grad_fn="DivBackward2"):
    """div with rounding_mode 'trunc' or 'floor': its gradient is zero almost everywhere."""
    _n_operands = 2

    def forward(ctx, a, b, name):
        return _divide(ctx.xp, name, a, b)

    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (_zeros(ctx, g) if need[0] else None), (_zeros(ctx, g) if need[1] else None)


class _NotDifferentiable(Op, grad_fn="NotImplemented"):
    """Ops PyTorch gives no derivative (floor_divide, number % tensor): backward raises."""
    _n_operands = 2

    def forward(ctx, a, b, name):
        ctx.name = name
        return _divide(ctx.xp, name, a, b)

    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.name} is not implemented")


class _NotDifferentiableScalar(_NotDifferentiable, grad_fn="NotImplemented"):
    """With a Python-number operand: applied as (tensor, number, name, reflected)."""
    _n_operands = 1

    def forward(ctx, t, s, name, reflected):
        return _NotDifferentiable.forward(ctx, *((s, t) if reflected else (t, s)), name)


class Remainder(Op, grad_fn="RemainderBackward1"):
    """remainder of two tensors (Python's modulus; Fmod is C's): the divisor's gradient is -g
    times the quotient rounded by `_rounding`."""
    _n_operands = 2
    _name, _rounding = "remainder", "floor"

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _divide(ctx.xp, ctx._forward_cls._name, a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g if need[0] else None), \
            (-g * div(a, b, rounding_mode=ctx._forward_cls._rounding) if need[1] else None)


class Fmod(Remainder, grad_fn="FmodBackward1"):
    _name, _rounding = "fmod", "trunc"


class RemainderScalar(Op, grad_fn="RemainderBackward0"):
    """remainder of a tensor by a Python number (only the tensor has a gradient)."""
    _n_operands = 1
    _name = "remainder"

    def forward(ctx, a, b):
        return _divide(ctx.xp, ctx._forward_cls._name, a, b)

    def backward(ctx, g):
        return g


class FmodScalar(RemainderScalar, grad_fn="FmodBackward0"):
    _name = "fmod"


# -- powers ----------------------------------------------------------------------------------------

_NEG_POW_MSG = "Integers to negative integer powers are not allowed."


class Pow(Op):
    """tensor ** Python number (PowBackward0)."""
    _n_operands = 1

    def forward(ctx, a, e):
        ctx.save_for_backward(a)
        ctx.e = e
        a, _ = promote(a, e)
        if a.dtype.kind not in "fc" and e < 0:
            raise RuntimeError(_NEG_POW_MSG)
        if e == 2:
            return ctx.xp.multiply(a, a)
        if a.dtype.kind == "b" and type(e) is bool:  # bool ** bool stays bool, as torch's
            return ctx.xp.power(a, e).astype(np.bool_)
        with quiet():
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
    if b_arr.dtype.kind == "b":
        check_broadcast(a, b)  # torch's shape error comes first
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if b_arr.dtype.kind in "fc" or not (b < 0).any():
        with quiet():
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
            ga = Where.apply(g * (b * pow(a, b - 1)), 0.0, b._data != 0)
        if need[1]:
            gb = g * Where.apply(y * log(a), 0.0, ~((a._data == 0) & (b._data.real >= 0)))
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
            return g * Where.apply(y * -math.inf, 0.0, e._data.real < 0)
        return g * (y * _log_scalar(base))


# complex bases and exponents: J^H g from the same formulas (NOTE [ Holomorphic backward ],
# ops/complex.py)
holomorphic(Pow, PowTensor, PowScalarBase)


# -- public functions ------------------------------------------------------------------------------

def add(input, other, *, alpha=1, out=None):
    if alpha != 1 or alpha is True:
        _check_alpha(input, other, alpha)
        r = Add.apply(input, number_operand("add", other), alpha)
    else:
        r = Add.apply(input, number_operand("add", other))
    return r if out is None else _out(r, out)


def sub(input, other, *, alpha=1, out=None):
    if alpha != 1 or alpha is True:
        _check_alpha(input, other, alpha)
        r = Sub.apply(input, number_operand("sub", other), alpha)
    else:
        r = Sub.apply(input, number_operand("sub", other))
    return r if out is None else _out(r, out)


_TENSOR_OUT = "(Tensor input, Tensor other, *, Tensor out = None)"
_SUBTRACT = ("(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
             "(Tensor input, Number other, Number alpha = 1)")
_MULTIPLY = (_TENSOR_OUT, "(Tensor input, Number other)")
_DIVIDE = (_TENSOR_OUT, "(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)",
           "(Tensor input, Number other)", "(Tensor input, Number other, *, str rounding_mode)")
_REMAINDER = (_TENSOR_OUT, "(Number self, Tensor other)",
              "(Tensor input, Number other, *, Tensor out = None)")


def _check_other(name, overloads, input, other):
    """torch's TypeError, naming the function called (an alias too), for an `other` that is no
    tensor, number or array."""
    if not is_operand(other):
        raise invalid_arguments(name, (input, other), overloads)


def subtract(input, other, *, alpha=1, out=None):
    _check_other("subtract", _SUBTRACT, input, other)
    return sub(input, other, alpha=alpha, out=out)


def _check_alpha(input, other, alpha):
    kind = _dtype.result_type(*(x._data if isinstance(x, Tensor) else x
                                for x in (input, other))).kind  # torch.add(2, t, alpha=3) too
    if isinstance(alpha, float) and kind not in "fc":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if alpha is True and kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, complex) and kind != "c":
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex "
                           "number.")


def rsub(input, other, alpha=1):
    """other - alpha * input; input must be a Tensor (torch has no rsub(number, tensor))."""
    if not isinstance(input, Tensor) or not is_operand(other):
        raise TypeError(f"rsub() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
                        " * (Tensor input, Tensor other, *, Number alpha = 1)\n"
                        " * (Tensor input, Number other, Number alpha = 1)\n")
    if isinstance(other, Tensor):
        if alpha != 1 or alpha is True:
            _check_alpha(input, other, alpha)
        return RsubTensor.apply(input, other, alpha)
    if alpha == 1 and alpha is not True:
        return Rsub.apply(input, scalar(other))
    _check_alpha(input, scalar(other), alpha)
    return Rsub.apply(input, scalar(other), alpha)


def mul(input, other, *, out=None):
    r = Mul.apply(input, number_operand("mul", other))
    return r if out is None else _out(r, out)


def multiply(input, other, *, out=None):
    _check_other("multiply", _MULTIPLY, input, other)
    return mul(input, other, out=out)


neg = negative = _unary(Neg)


# NOTE [ Arithmetic in place ]: Tensor._inplace computes an op out of place and copies the result
# into the tensor (two passes and a new array: div_ over 524K floats took 400 us, NumPy's own
# in-place divide 110). When no graph is recorded, x.add_(y), sub_, mul_ and div_ (and +=, -=,
# *=, /=) of a float32/float64 tensor and a Python number, or a tensor of its dtype and device
# that broadcasts to its shape, run the ufunc straight into x's memory instead: the same values
# (the number is weak, as in the op; NumPy copies an operand that overlaps x first). Anything else
# (alpha, rounding_mode, other dtypes, half precision) takes the general path.
IN_PLACE_UFUNCS = {"add": "add", "sub": "subtract", "subtract": "subtract", "mul": "multiply",
                   "multiply": "multiply", "div": "true_divide", "divide": "true_divide",
                   "true_divide": "true_divide"}  # the op's name -> NumPy's ufunc


def write_in_place(t, ufunc, args, kwargs):
    """t = ufunc(t, args[0]) in t's memory for the cases of NOTE [ Arithmetic in place ]; False,
    with nothing written, for any other case."""
    mine = t._data
    if kwargs or len(args) != 1 or mine.dtype.kind != "f" or mine.dtype.itemsize < 4:
        return False
    other = args[0]
    if isinstance(other, Tensor):
        operand = other._data
        if type(operand) is not type(mine) or operand.dtype != mine.dtype or \
                not _broadcast_into(operand.shape, mine.shape):
            return False
    elif type(other) is float or type(other) is int:
        operand = other
    else:
        return False
    with quiet():
        getattr(xp_of(mine), ufunc)(mine, operand, out=mine)
    return True


def _broadcast_into(shape, target):
    """Whether an operand of `shape` broadcasts to `target` without changing it."""
    lead = len(target) - len(shape)
    return lead >= 0 and all(n == 1 or n == m for n, m in zip(shape, target[lead:]))


def div(input, other, *, rounding_mode=None, out=None):
    other = number_operand("div", other)
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        input = _wrapped_number("div", input, other)
    if rounding_mode is None:
        r = Div.apply(input, other)
    elif rounding_mode == "trunc" or rounding_mode == "floor":
        r = DivMode.apply(input, other, rounding_mode + "_divide")
    else:
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return r if out is None else _out(r, out)


def _wrapped_number(name, number, other):
    """A Python number given as div's `input` (torch.div(2, t)), as torch wraps it: a 0-d array
    of the dtype it promotes to with `other`, so it stays weak (2 / float32 is float32)."""
    number = scalar(number)
    if not isinstance(number, (bool, int, float, complex)):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(number).__name__}")
    return np.asarray(number, _dtype.result_type(other._data, number))


def divide(input, other, *, rounding_mode=None, out=None):
    _check_other("divide", _DIVIDE, input, other)
    return div(input, other, rounding_mode=rounding_mode, out=out)


def true_divide(input, other, *, out=None):
    _check_other("true_divide", _MULTIPLY, input, other)
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """Floor division (Python's //); PyTorch defines no derivative for it."""
    if not isinstance(input, Tensor):
        r = _NotDifferentiableScalar.apply(other, scalar(input), "floor_divide", True)
    elif isinstance(other, Tensor):
        r = _NotDifferentiable.apply(input, other, "floor_divide")
    else:
        _check_other("floor_divide", _MULTIPLY, input, other)
        r = _NotDifferentiableScalar.apply(input, scalar(other), "floor_divide", False)
    return r if out is None else _out(r, out)


def remainder(input, other, *, out=None):
    """Python's modulus: the result takes the sign of the divisor."""
    if not isinstance(input, Tensor):
        r = _NotDifferentiableScalar.apply(other, scalar(input), "remainder", True)
    elif isinstance(other, Tensor):
        r = Remainder.apply(input, other)
    else:
        _check_other("remainder", _REMAINDER, input, other)
        r = RemainderScalar.apply(input, scalar(other))
    return r if out is None else _out(r, out)


def fmod(input, other, *, out=None):
    """C's fmod: the result takes the sign of the dividend. Unlike remainder, torch has no
    overload for a Python-number dividend."""
    return _tensor_then_number("fmod", Fmod, FmodScalar, input, other, out)


def _tensor_then_number(name, op, number_op, input, other, out):
    """An op whose torch overloads are (Tensor, Tensor) and (Tensor, Number) only."""
    if not isinstance(input, Tensor) or not is_operand(other):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
                        " * (Tensor input, Tensor other, *, Tensor out = None)\n"
                        " * (Tensor input, Number other, *, Tensor out = None)\n")
    if isinstance(other, Tensor):
        r = op.apply(input, other)
    else:
        r = number_op.apply(input, scalar(other))
    return r if out is None else _out(r, out)


def _check_exponent(name, input, exponent):
    """torch's TypeError for an exponent that is no tensor, number or array (a list, a str)."""
    if not is_operand(exponent):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(exponent).__name__}), but expected one "
                        "of:\n * (Tensor input, Tensor exponent, *, Tensor out = None)\n"
                        " * (Number self, Tensor exponent, *, Tensor out = None)\n"
                        " * (Tensor input, Number exponent, *, Tensor out = None)\n")


def pow(input, exponent, *, out=None):
    _check_exponent("pow", input, exponent)
    if not isinstance(input, Tensor):
        r = PowScalarBase.apply(exponent, scalar(input))
    elif isinstance(exponent, Tensor):
        r = PowTensor.apply(input, exponent)
    else:
        exponent = scalar(exponent)
        # a NumPy-style array is a tensor exponent (x ** np.ones(2) as x ** tensor), no number
        r = (PowTensor if hasattr(exponent, "__array__") else Pow).apply(input, exponent)
    return r if out is None else _out(r, out)


def square(input, *, out=None):
    return pow(input, 2, out=out)


# -- sign transfer, float_power, heaviside, nextafter ----------------------------------------------

class Copysign(Op):
    """|a| with b's sign; b gets no gradient (the result does not vary with b where it is
    defined)."""
    _n_operands = 2

    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        y = ctx.xp.copysign(a, b)
        ctx.save_for_backward(a, y)
        return y

    def backward(ctx, g):
        a, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = None
        if need[0]:  # +1 where the sign is kept, -1 where it flips, 0 at a == 0
            flip = y._data * a._data
            ga = g * _make(ctx.xp.asarray((flip > 0) * 1.0 - (flip < 0), flip.dtype))
        return ga, (_zeros(ctx, g) if need[1] else None)


class CopysignScalar(Copysign, grad_fn="CopysignBackward1"):
    _n_operands = 1


class Heaviside(_NotDifferentiable, grad_fn="NotImplemented"):
    """torch gives heaviside no derivative: its backward raises, as _NotDifferentiable's does."""
    _n_operands = 2

    def forward(ctx, a, b, name):
        ctx.name = name
        # torch's a == 0 ? b : a > 0, so a NaN input gives 0 (NumPy's heaviside gives NaN)
        return ctx.xp.where(a == 0, b, a > 0).astype(a.dtype, copy=False)


class Nextafter(Op):
    """The next representable value after a towards b: the gradient is g for a, 0 for b."""
    _n_operands = 2
    _array_backward = True

    def forward(ctx, a, b):
        return ctx.xp.nextafter(*promote(a, b))

    def backward(ctx, g):
        return g, g * 0.0


def copysign(input, other, *, out=None):
    """input's magnitude with other's sign (-0.0 counts as negative); integers give floats."""
    return _tensor_then_number("copysign", Copysign, CopysignScalar, input, other, out)


def float_power(input, exponent, *, out=None):
    """pow computed in float64 whatever the operands' dtypes."""
    _check_exponent("float_power", input, exponent)
    complex_in = any(isinstance(x, Tensor) and x.is_complex() or isinstance(x, complex)
                     for x in (input, exponent))
    f64 = _dtype.complex128 if complex_in else _dtype.float64
    if isinstance(input, Tensor):
        input = input.to(f64)
    if isinstance(exponent, Tensor):
        exponent = exponent.to(f64)
    return pow(input, exponent, out=out)


def _need_tensors(name, input, other, other_name="other"):
    """torch's TypeError for a Python number where a function takes only tensors."""
    for pos, (arg, x) in enumerate((("input", input), (other_name, other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(x).__name__}")


def _same_float_dtypes(name, input, other, kinds):
    _need_tensors(name, input, other, "values")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{name} is not yet implemented for tensors with different dtypes.")
    if input._data.dtype.kind not in kinds:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                  f"'{_dtype.type_name(input)}'")


def heaviside(input, values, *, out=None):
    """0 where input < 0, values where input == 0, 1 where input > 0; torch defines no
    derivative."""
    _same_float_dtypes("heaviside", input, values, "biuf")
    r = Heaviside.apply(input, values, "heaviside")
    return r if out is None else _out(r, out)


def nextafter(input, other, *, out=None):
    """The next floating-point value after input in the direction of other."""
    _need_tensors("nextafter", input, other)
    check_broadcast(input, other)
    common = _dtype.result_type(input._data, other._data)  # the kernel sees the promoted pair
    if common.kind != "f":
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for "
                                  f"'{_dtype.type_name(common)}'")
    r = Nextafter.apply(input, other)
    return r if out is None else _out(r, out)


def positive(input):
    """input itself (the unary + operator); refused for bool, as torch does."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class Ldexp(Op):
    """input * 2**other."""
    _n_operands = 2

    def forward(ctx, a, b):
        a, b = _float_pair(a, b)
        y = (a * ctx.xp.exp2(b)).astype(a.dtype, copy=False)
        ctx.save_for_backward(b, y)
        return y

    def backward(ctx, g):
        b, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = g * PowTensor.apply(_make(ctx.xp.asarray(2.0, g.dtype.np)), b) if need[0] else None
        return ga, (g * y * math.log(2.0) if need[1] else None)


# complex mantissas: J^H g from the same formula (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Ldexp)


def ldexp(input, other, *, out=None):
    _need_tensors("ldexp", input, other)
    r = Ldexp.apply(input, other)
    return r if out is None else _out(r, out)


class _GcdLcm(_NotDifferentiable):
    def forward(ctx, a, b, name):
        ctx.name = name
        return getattr(ctx.xp, name)(*promote(a, b))  # _integer_binary checked the broadcast


def _integer_binary(name, input, other, out):
    _need_tensors(name, input, other)
    check_broadcast(input, other)
    for t in (input, other):
        if isinstance(t, Tensor) and t._data.dtype.kind not in "iu":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{_dtype.LEGACY_NAMES[t.dtype][:-len('Tensor')]}'")
    r = _GcdLcm.apply(input, other, name)
    return r if out is None else _out(r, out)


def gcd(input, other, *, out=None):
    """The greatest common divisor of integers (non-negative; gcd(0, 0) = 0)."""
    return _integer_binary("gcd", input, other, out)


def lcm(input, other, *, out=None):
    """The least common multiple of integers (non-negative; 0 where either is 0)."""
    return _integer_binary("lcm", input, other, out)


# -- in place (torch.neg_(x) ...): the op written back into its input ------------------------------

def neg_(input):
    return input._inplace(neg)


def negative_(input):
    return input._inplace(neg)


def square_(input):
    return input._inplace(square)


def ldexp_(input, other):
    return input._inplace(ldexp, other)


def gcd_(input, other):
    return input._inplace(gcd, other)


def lcm_(input, other):
    return input._inplace(lcm, other)
