"""Elementwise arithmetic and math: forward on arrays, backward in ember ops, side by side."""
import builtins

import numpy as np

from .._tensor import Tensor, _make
from ._op import Op, broadcast_error, promote, scalar

__all__ = ["add", "sub", "rsub", "mul", "div", "neg", "exp", "log"]


def _binary(xp_fn, a, b):
    a, b = promote(a, b)
    try:
        return xp_fn(a, b)
    except ValueError:
        raise broadcast_error(np.shape(a), np.shape(b)) from None


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
        return _binary(ctx.xp.subtract, a, b if alpha == 1 else b * alpha)

    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


class Rsub(Op, grad_fn="RsubBackward1"):
    """other - input with a Python-number `other` (x.__rsub__)."""
    _n_operands = 2

    def forward(ctx, a, b):
        return _binary(ctx.xp.subtract, b, a)

    def backward(ctx, g):
        return -g, None


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
        out = _binary(ctx.xp.true_divide, a, b)
        if out.dtype.kind == "f" and not (_is_float(a) or _is_float(b)):
            out = out.astype(_default_float())  # int / int is the default float dtype
        return out

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = g / b if need[0] else None
        gb = -g * a / (b * b) if len(need) > 1 and need[1] else None
        return ga, gb


class Neg(Op):
    def forward(ctx, a):
        return ctx.xp.negative(a)

    def backward(ctx, g):
        return -g


class Exp(Op):
    def forward(ctx, a):
        y = ctx.xp.exp(_float(a))
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Log(Op):
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return ctx.xp.log(_float(a))

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


def _default_float():
    from .._dtype import default_np
    return default_np()


def _is_float(x):
    return x.dtype.kind == "f" if hasattr(x, "dtype") else isinstance(x, float)


def _float(a):
    """Integer and bool inputs of float-valued functions compute in the default float dtype."""
    return a if a.dtype.kind == "f" else a.astype(_default_float())


def add(input, other, *, alpha=1, out=None):
    return Add.apply(input, scalar(other), alpha) if alpha != 1 else Add.apply(input, scalar(other))


def sub(input, other, *, alpha=1, out=None):
    return Sub.apply(input, scalar(other), alpha) if alpha != 1 else Sub.apply(input, scalar(other))


def rsub(input, other, alpha=1):
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return Rsub.apply(input if alpha == 1 else mul(input, alpha), scalar(other))


def mul(input, other, *, out=None):
    return Mul.apply(input, scalar(other))


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        return Div.apply(input, scalar(other))
    raise NotImplementedError("div rounding_mode")


def neg(input):
    return Neg.apply(input)


def exp(input):
    return Exp.apply(input)


def log(input):
    return Log.apply(input)
