"""frexp: a floating tensor split into mantissa and exponent, input = mantissa * 2 ** exponent."""
import numpy as np

from .. import return_types as _rt
from .._tensor import _make
from ._op import Op

__all__ = ["frexp"]


class Frexp(Op):
    """The mantissa in (-1, -0.5] or [0.5, 1) (input's dtype) and the int32 exponent; the
    mantissa's gradient is grad / 2 ** exponent, the exponent has none."""

    def forward(ctx, a):
        mantissa, exponent = ctx.xp.frexp(a)
        ctx.scale = ctx.xp.ldexp(ctx.xp.ones_like(a), -exponent)
        return mantissa, exponent.astype(np.int32)

    def backward(ctx, g_mantissa, g_exponent):
        return g_mantissa * _make(ctx.scale)  # 2 ** -exponent: constant almost everywhere


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, torch.return_types.frexp."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = Frexp.apply(input)
    return _rt.frexp(mantissa, exponent)
