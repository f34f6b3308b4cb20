"""Clamping and selection (clamp, maximum, minimum, fmax, fmin, where, nan_to_num): forward on
arrays, backward in ember ops.

A gradient that goes to one input or the other is a product with a constant mask (`_masked`);
maximum and minimum split it evenly on ties, as PyTorch does.
"""
import numbers
import operator
import warnings

import numpy as np

from .. import _dtype
from .._dtype import type_name as _type_name
from .._tensor import Tensor
from ._common import _binary, _const, _masked, _out, invalid_arguments, tensors_only
from ._op import Op, broadcast_error, promote, scalar
from .sorting import nonzero
from .._warnings import user_stacklevel

__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin",
           "where", "nan_to_num"]


# -- clamp -----------------------------------------------------------------------------------------

def _bound(a, v):
    """A Python-number bound of array a (in the dtype the op computes in), converted as torch
    converts it: -1 is 255 in uint8, and a bound beyond the dtype's range raises (a finite one
    beyond a floating type's too; inf passes)."""
    if v is None or a.dtype.kind not in "iuf":
        return v
    if a.dtype.kind == "f":
        # one comparison on the common bound; check_fits (2 us) only words the refusal
        if isinstance(v, (int, float)) and abs(v) > float(np.finfo(a.dtype).max):
            _dtype.check_fits(float(v), _dtype.from_numpy_dtype(a.dtype), fill=True)
        return v
    if isinstance(v, float):
        return v
    return _dtype.checked_fill(v, _dtype.from_numpy_dtype(a.dtype))


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
        lo, hi = _bound(a, lo), _bound(a, hi)
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
    """clamp_min with a Python-number bound; ClampMax swaps the function and the comparison."""
    _n_operands = 1
    _fn, _in_range = "maximum", operator.ge

    def forward(ctx, a, bound):
        ctx.save_for_backward(a)
        ctx.bound = bound
        a, bound = promote(a, bound)
        bound = _bound(a, bound)
        return getattr(ctx.xp, ctx._forward_cls._fn)(a, bound)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _masked(g, ctx._forward_cls._in_range(a._data, ctx.bound))


class ClampMax(ClampMin):
    _fn, _in_range = "minimum", operator.le


class _Pick(Op):
    """An op of two tensors that picks one of them at each element (`_fn`): the gradient goes
    to `input` where `_keeps_input(xp, a, b)` holds and to `other` elsewhere (maximum and
    minimum override this to split ties)."""
    _n_operands = 2

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _binary(getattr(ctx.xp, ctx._forward_cls._fn), a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = ctx._forward_cls._keeps_input(ctx.xp, a._data, b._data)
        return (_masked(g, keep) if need[0] else None), (_masked(g, ~keep) if need[1] else None)


class ClampMinTensor(_Pick, grad_fn="ClampMinBackward1"):
    _fn = "maximum"

    @staticmethod
    def _keeps_input(xp, a, b):
        return a >= b


class ClampMaxTensor(_Pick, grad_fn="ClampMaxBackward1"):
    _fn = "minimum"

    @staticmethod
    def _keeps_input(xp, a, b):
        return a <= b


# -- extrema of two tensors ------------------------------------------------------------------------

class Fmax(_Pick):
    """maximum that ignores NaN; ties send the whole gradient to `input`."""
    _fn = "fmax"

    @staticmethod
    def _keeps_input(xp, a, b):
        return (a >= b) | xp.isnan(b)


class Fmin(_Pick):
    _fn = "fmin"

    @staticmethod
    def _keeps_input(xp, a, b):
        return (a <= b) | xp.isnan(b)


def _tie_weights(wins, a, b, dtype):
    """Gradient share of `a` in maximum or minimum: 1 where `wins(a, b)`, 0.5 on ties, else 0."""
    w = wins(a, b).astype(dtype)
    w += (a == b) * 0.5
    return w


class Maximum(_Pick):
    """maximum; ties split the gradient evenly. Minimum differs only in `_fn` and `_wins`."""
    _fn, _wins = "maximum", operator.gt

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        x, y, wins, dt = a._data, b._data, ctx._forward_cls._wins, g._data.dtype
        ga = g * _const(_tie_weights(wins, x, y, dt)) if need[0] else None
        gb = g * _const(_tie_weights(wins, y, x, dt)) if need[1] else None
        return ga, gb


class Minimum(Maximum):
    _fn, _wins = "minimum", operator.lt


# -- selection -------------------------------------------------------------------------------------

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


class NanToNum(Op):
    def forward(ctx, a, nan, posinf, neginf):
        ctx.save_for_backward(a)
        if a.dtype.kind != "f":
            return a.copy()
        return ctx.xp.nan_to_num(a, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return _masked(g, ctx.xp.isfinite(a._data))


# -- public functions ------------------------------------------------------------------------------

_CLAMP = ("(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
          "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)")


def _need_input(name, args, overloads):
    """torch's TypeError when a clamp's input is no Tensor (clamp(2, t))."""
    if not isinstance(args[0], Tensor):
        raise invalid_arguments(name, [a for a in args if a is not None], overloads)


def clamp(input, min=None, max=None, *, out=None):
    return _clamp("clamp", input, min, max, out)


def clip(input, min=None, max=None, *, out=None):
    return _clamp("clip", input, min, max, out)


def _clamp(name, input, min, max, out):
    _need_input(name, (input, min, max), _CLAMP)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) != isinstance(max, Tensor) and min is not None and \
            max is not None:  # both Tensors or both Numbers; a 0-d Tensor passes for a Number
        bound = min if isinstance(min, Tensor) else max
        if bound.ndim or bound.requires_grad:
            raise invalid_arguments(name, (input, min, max), _CLAMP)
        min, max = (b.item() if isinstance(b, Tensor) else b for b in (min, max))
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = ClampTensor.apply(input, min, max)
    else:
        r = Clamp.apply(input, scalar(min), scalar(max))
    return r if out is None else _out(r, out)


def clamp_min(input, min, *, out=None):
    _need_input("clamp_min", (input, min), ("(Tensor input, Tensor min, *, Tensor out = None)",
                                            "(Tensor input, Number min, *, Tensor out = None)"))
    r = ClampMinTensor.apply(input, min) if isinstance(min, Tensor) else \
        ClampMin.apply(input, scalar(min))
    return r if out is None else _out(r, out)


def clamp_max(input, max, *, out=None):
    _need_input("clamp_max", (input, max), ("(Tensor input, Tensor max, *, Tensor out = None)",
                                            "(Tensor input, Number max, *, Tensor out = None)"))
    r = ClampMaxTensor.apply(input, max) if isinstance(max, Tensor) else \
        ClampMax.apply(input, scalar(max))
    return r if out is None else _out(r, out)


maximum = tensors_only(Maximum, "maximum")
minimum = tensors_only(Minimum, "minimum")
fmax = tensors_only(Fmax, "fmax")
fmin = tensors_only(Fmin, "fmin")


def where(condition, input=None, other=None, *, out=None):
    """input where condition holds, else other; where(condition) is nonzero(as_tuple=True)."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    cond = condition._data
    if cond.dtype != np.bool_:
        if cond.dtype != np.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_type_name(cond.dtype)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and "
                      "will be removed in a future version of PyTorch. Use a boolean condition "
                      "instead.", UserWarning, stacklevel=user_stacklevel())
        cond = cond.astype(np.bool_)
    for value in (input, other):
        if not isinstance(value, (Tensor, numbers.Number)):  # e.g. a tensor-like of another type
            raise TypeError(f"where() received an invalid combination of arguments - got "
                            f"({', '.join(type(v).__name__ for v in (condition, input, other))})"
                            f", but expected (Tensor condition, Tensor or Number input, Tensor or "
                            f"Number other)")
    r = Where.apply(scalar(input), scalar(other), cond)
    return r if out is None else _out(r, out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN -> nan, +inf -> posinf (default: the dtype's max), -inf -> neginf (its min)."""
    r = NanToNum.apply(input, nan, posinf, neginf)
    return r if out is None else _out(r, out)
