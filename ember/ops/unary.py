"""Pointwise math (abs and sign, roots, exponentials and logarithms, trigonometric and hyperbolic
functions with atan2, sigmoid, rounding, angle conversion): forward on arrays, backward in ember
ops.

Integer and bool inputs of float-valued functions compute in the default float dtype (`_float`).
Most of these ops are `_SavesInput` or `_SavesOutput`: the forward is the array module's function
of the same name, and the op says which of x and y its backward needs. Those marked
`_array_backward` also run their backward on arrays (NOTE [ Backward on arrays ] in
autograd/engine.py); the ones that divide keep to Tensors, where division is quiet.
"""
import math

import numpy as np

from .._dtype import type_name as _type_name
from ._common import _float, _float_pair, _out, _unary, _zeros, quiet, tensors_only
from ._op import Op, broadcast_error
from .complex import holomorphic

__all__ = [
    "abs", "absolute", "sign", "sgn", "reciprocal", "sqrt", "rsqrt", "exp", "exp2", "expm1",
    "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
    "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "arcsinh", "arccosh", "arctanh", "sigmoid", "floor", "ceil", "round", "trunc", "fix", "frac",
    "deg2rad", "rad2deg", "angle",
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "cos_", "cosh_", "deg2rad_",
    "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "log10_", "log1p_", "log2_", "log_",
    "rad2deg_", "reciprocal_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinh_", "sqrt_", "tan_",
    "tanh_", "trunc_",
]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class _SavesInput(Op):
    """y = xp.<_fn>(x), saving x for the backward."""
    _fn = None

    def forward(ctx, a):
        ctx.save_for_backward(a)
        with quiet():
            return getattr(ctx.xp, ctx._forward_cls._fn)(_float(a))


class _SavesOutput(Op):
    """y = xp.<_fn>(x), saving y for the backward (which needs only the output)."""
    _fn = None

    def forward(ctx, a):
        with quiet():
            y = getattr(ctx.xp, ctx._forward_cls._fn)(_float(a))
        ctx.save_for_backward(y)
        return y


# -- sign and roots --------------------------------------------------------------------------------

class Abs(Op):
    _array_backward = True

    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        ctx.save_for_backward(a)
        return ctx.xp.abs(a)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sgn(a)


class Sign(Op):
    def forward(ctx, a):
        if a.dtype == np.bool_:
            return a.copy()
        if a.dtype.kind == "c" and ctx._forward_cls is Sign:
            raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support "
                                      "complex numbers. Please use torch.sgn instead.")
        y = ctx.xp.sign(a, out=ctx.xp.empty(a.shape, a.dtype))  # an array even when 0-d
        if y.dtype.kind == "f":
            ctx.xp.nan_to_num(y, copy=False, nan=0.0)  # torch's sign(nan) is 0
        return y

    def backward(ctx, g):
        return _zeros(ctx, g)


class Sgn(Sign):
    """sign for real inputs; z / |z| (0 at 0) for complex ones, whose gradient is not zero."""

    def forward(ctx, a):
        if a.dtype.kind == "c":
            ctx.save_for_backward(a)
        return Sign.forward(ctx, a)

    def backward(ctx, g):
        if not ctx.saved_tensors:
            return _zeros(ctx, g)
        # sgn(z) moves only with the angle: L's angle derivative Re(conj(g) i s) times the
        # angle's gradient i s / |z| (NOTE [ Complex gradients ], ops/complex.py); 0 at z = 0.
        (z,) = ctx.saved_tensors
        s = sgn(z)
        size = z.abs()
        return (g.conj() * 1j * s).real * 1j * s / size.masked_fill(size == 0, math.inf)


class Reciprocal(_SavesOutput):
    _array_backward = True
    _fn = "reciprocal"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return -g * (y * y)


class Sqrt(_SavesOutput):
    _fn = "sqrt"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (y * 2.0)


class Rsqrt(Op):
    _array_backward = True

    def forward(ctx, a):
        with quiet():
            y = ctx.xp.reciprocal(ctx.xp.sqrt(_float(a)))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y * y * -0.5)


# -- exponentials and logarithms -------------------------------------------------------------------

class Exp(_SavesOutput):
    _array_backward = True
    _fn = "exp"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Exp2(_SavesOutput):
    _array_backward = True
    _fn = "exp2"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * _LN2)


class Expm1(_SavesOutput):
    _array_backward = True
    _fn = "expm1"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y + 1.0)


class Log(_SavesInput):
    _fn = "log"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log1P(_SavesInput):
    _fn = "log1p"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a + 1.0)


class Log2(_SavesInput):
    _fn = "log2"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN2)


class Log10(_SavesInput):
    _fn = "log10"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN10)


# -- trigonometric ---------------------------------------------------------------------------------

class Sin(_SavesInput):
    _array_backward = True
    _fn = "sin"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cos(a)


class Cos(_SavesInput):
    _array_backward = True
    _fn = "cos"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * -sin(a)


class Tan(_SavesOutput):
    _array_backward = True
    _fn = "tan"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * y + 1.0)


class Asin(_SavesInput):
    _array_backward = True
    _fn = "arcsin"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(1.0 - a * a)


class Acos(_SavesInput):
    _array_backward = True
    _fn = "arccos"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * rsqrt(1.0 - a * a)


class Atan(_SavesInput):
    _fn = "arctan"

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


class Deg2Rad(Op):
    """x * pi / 180; Rad2Deg is the same with the inverse `_scale`."""
    _array_backward = True
    _scale = math.pi / 180.0

    def forward(ctx, a):
        return ctx.xp.multiply(_float(a), ctx._forward_cls._scale)

    def backward(ctx, g):
        return g * ctx._forward_cls._scale


class Rad2Deg(Deg2Rad):
    _scale = 180.0 / math.pi


# -- hyperbolic and sigmoid ------------------------------------------------------------------------

class Sinh(_SavesInput):
    _array_backward = True
    _fn = "sinh"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class Cosh(_SavesInput):
    _array_backward = True
    _fn = "cosh"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


class Tanh(_SavesOutput):
    _array_backward = True
    _fn = "tanh"

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return TanhBackward.apply(g, y)


class TanhBackward(Op, grad_fn="TanhBackwardBackward0"):
    """g * (1 - y**2) in one pass; the hot backward of tanh."""
    _array_backward = True
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


class Asinh(_SavesInput):
    _array_backward = True
    _fn = "arcsinh"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * rsqrt(a * a + 1.0)


class Acosh(_SavesInput):
    _array_backward = True
    _fn = "arccosh"

    def backward(ctx, g):
        # 1 / (sqrt(x - 1) sqrt(x + 1)): for complex x, sqrt(x*x - 1) may take the other branch
        (a,) = ctx.saved_tensors
        return g * (rsqrt(a - 1.0) * rsqrt(a + 1.0))


class Atanh(_SavesInput):
    _fn = "arctanh"

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1.0 - a * a)


class Sigmoid(Op):
    _array_backward = True

    def forward(ctx, a):
        xp = ctx.xp
        a = _float(a)
        y = xp.empty_like(a)
        xp.negative(a, out=y)
        with quiet():  # exp(-a) overflows to inf for very negative a: y -> 0
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
    _array_backward = True
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
    """Rounding by xp.<_fn>: integers are returned as they are (bools are refused, as torch's
    `<name>_vml_cpu` kernel does), and the gradient is zero."""
    _fn = _vml = "floor"

    def forward(ctx, a):
        if a.dtype.kind == "f":
            return getattr(ctx.xp, ctx._forward_cls._fn)(a)
        if a.dtype.kind == "b":
            raise NotImplementedError(f"\"{ctx._forward_cls._vml}_vml_cpu\" not implemented "
                                      "for 'Bool'")
        return a.copy()

    def backward(ctx, g):
        return _zeros(ctx, g)


class Ceil(Floor):
    _fn = _vml = "ceil"


class Trunc(Floor):
    _fn = _vml = "trunc"


class Round(Floor):
    _fn, _vml = "rint", "round"


class RoundDecimals(Floor, grad_fn="RoundBackward1"):
    def forward(ctx, a, decimals):
        if a.dtype.kind != "f":
            raise NotImplementedError(f"\"round_cpu\" not implemented for '{_type_name(a.dtype)}'")
        return ctx.xp.round(a, decimals)


class Frac(Op):
    def forward(ctx, a):
        if a.dtype.kind != "f":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_type_name(a.dtype)}'")
        with quiet():  # frac(+-inf) is NaN, silently as in torch
            return a - ctx.xp.trunc(a)

    def backward(ctx, g):
        return g


# complex inputs: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Reciprocal, Sqrt, Rsqrt, Exp, Exp2, Expm1, Log, Log1P, Log2, Log10, Sin, Cos, Tan, Asin,
            Acos, Atan, Sinh, Cosh, Tanh, TanhBackward, Asinh, Acosh, Atanh, Sigmoid,
            SigmoidBackward)


# -- public functions ------------------------------------------------------------------------------

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
deg2rad = _unary(Deg2Rad)
rad2deg = _unary(Rad2Deg)


atan2 = tensors_only(Atan2, "atan2")
arctan2 = tensors_only(Atan2, "arctan2")


def round(input, *, decimals=0, out=None):
    r = Round.apply(input) if decimals == 0 else RoundDecimals.apply(input, decimals)
    return r if out is None else _out(r, out)


class Angle(Op):
    """The argument of a complex number; of a real one 0 for x >= 0, pi for x < 0, NaN for NaN,
    with a zero gradient."""

    def forward(ctx, a):
        xp = ctx.xp
        if a.dtype.kind == "c":
            ctx.save_for_backward(a)
            return xp.angle(a)
        a = _float(a)
        return xp.where(xp.isnan(a), a, xp.where(a < 0, math.pi, 0.0)).astype(a.dtype, copy=False)

    def backward(ctx, g):
        if not ctx.saved_tensors:
            return _zeros(ctx, g)
        # d angle = (x dy - y dx) / |z|^2: NOTE [ Complex gradients ] makes it g * i z / |z|^2,
        # and 0 at z = 0 as in torch.
        (z,) = ctx.saved_tensors
        sq = z.abs().square()
        return g * 1j * z / sq.masked_fill(sq == 0, math.inf)


def angle(input, *, out=None):
    r = Angle.apply(input)
    return r if out is None else _out(r, out)


# -- in place (torch.sin_(x) ...): the op written back into its input ------------------------------

def abs_(input):
    return input._inplace(abs)


def acos_(input):
    return input._inplace(acos)


def acosh_(input):
    return input._inplace(acosh)


def arccos_(input):
    return input._inplace(arccos)


def arccosh_(input):
    return input._inplace(arccosh)


def arcsin_(input):
    return input._inplace(arcsin)


def arcsinh_(input):
    return input._inplace(arcsinh)


def arctan_(input):
    return input._inplace(arctan)


def arctanh_(input):
    return input._inplace(arctanh)


def asin_(input):
    return input._inplace(asin)


def asinh_(input):
    return input._inplace(asinh)


def atan_(input):
    return input._inplace(atan)


def atanh_(input):
    return input._inplace(atanh)


def ceil_(input):
    return input._inplace(ceil)


def cos_(input):
    return input._inplace(cos)


def cosh_(input):
    return input._inplace(cosh)


def deg2rad_(input):
    return input._inplace(deg2rad)


def exp2_(input):
    return input._inplace(exp2)


def exp_(input):
    return input._inplace(exp)


def expm1_(input):
    return input._inplace(expm1)


def fix_(input):
    return input._inplace(fix)


def floor_(input):
    return input._inplace(floor)


def frac_(input):
    return input._inplace(frac)


def log10_(input):
    return input._inplace(log10)


def log1p_(input):
    return input._inplace(log1p)


def log2_(input):
    return input._inplace(log2)


def log_(input):
    return input._inplace(log)


def rad2deg_(input):
    return input._inplace(rad2deg)


def reciprocal_(input):
    return input._inplace(reciprocal)


def round_(input, **kwargs):
    return input._inplace(round, **kwargs)


def rsqrt_(input):
    return input._inplace(rsqrt)


def sigmoid_(input):
    return input._inplace(sigmoid)


def sin_(input):
    return input._inplace(sin)


def sinh_(input):
    return input._inplace(sinh)


def sqrt_(input):
    return input._inplace(sqrt)


def tan_(input):
    return input._inplace(tan)


def tanh_(input):
    return input._inplace(tanh)


def trunc_(input):
    return input._inplace(trunc)
