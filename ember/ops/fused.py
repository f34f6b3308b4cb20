"""The fused pointwise forms lerp, addcmul and addcdiv: one node each, forward on arrays,
backward in ember ops."""
import builtins

import numpy as np

from .. import _dtype
from .._dtype import type_name as _type_name
from .._tensor import Tensor
from ._common import _binary, _out, check_broadcast, invalid_arguments, is_operand, quiet
from ._op import Op, broadcast_error, scalar
from .complex import holomorphic

__all__ = ["lerp", "addcmul", "addcdiv"]


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
        d = b - a  # shapes that do not broadcast: Op.apply names the clashing pair
        return xp.where(xp.abs(w) < 0.5, a + w * d, b - d * (1.0 - w))

    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * (1.0 - w) if need[0] else None), (g * w if need[1] else None), \
            (g * (b - a) if need[2] else None)


class Addcmul(Op):
    """input + value * tensor1 <_combine> tensor2 (multiply here, true_divide in Addcdiv)."""
    _n_operands = 3
    _combine = "multiply"

    def forward(ctx, a, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        r = _binary(getattr(ctx.xp, ctx._forward_cls._combine), t1, t2)
        if value != 1:
            with quiet():  # a value past a half's range overflows to inf silently, as in torch
                r = r * value
        return _binary(ctx.xp.add, a, r)

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return (g if need[0] else None), (g * (t2 * v) if need[1] else None), \
            (g * (t1 * v) if need[2] else None)


class Addcdiv(Addcmul):
    _combine = "true_divide"

    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return (g if need[0] else None), (g * (v / t2) if need[1] else None), \
            (g * (-v * t1 / (t2 * t2)) if need[2] else None)


# complex operands: J^H g from the same formulas (NOTE [ Holomorphic backward ], ops/complex.py)
holomorphic(Lerp, LerpTensor, Addcmul, Addcdiv)


# -- public functions ------------------------------------------------------------------------------

def _dtype_word(np_dtype):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        np.dtype(np_dtype).name, np.dtype(np_dtype).name)


_LERP_OVERLOADS = ("(Tensor input, Tensor end, Tensor weight, *, Tensor out = None)",
                   "(Tensor input, Tensor end, Number weight, *, Tensor out = None)")


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    if not (isinstance(input, Tensor) and isinstance(end, Tensor) and is_operand(weight)):
        raise invalid_arguments("lerp", (input, end, weight), _LERP_OVERLOADS)
    a, b = input._data, end._data
    if a.dtype.kind not in "fc":
        check_broadcast(a, b)  # torch's shape error comes first
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
    """input + value * tensor1 * tensor2; for integer tensors value is first converted to their
    dtype (3.25 counts as 3), as torch does."""
    dt = _dtype.from_numpy_dtype(_dtype.result_type(input._data, tensor1._data, tensor2._data))
    if dt is _dtype.bool:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    if not (dt.is_floating_point or dt.is_complex) and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        # checked as torch converts a scalar to the tensors' type: ints wrap (-7 is 249 in
        # uint8), floats must fit and are truncated
        value = _dtype.checked_fill(value, dt)
        value = int(value)
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
