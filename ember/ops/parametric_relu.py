"""ReLUs with slopes for negative inputs that are learned (prelu) or random (rrelu).

prelu's weight is one slope, or one per channel (dim 1); as in torch, an input of two or more
dims takes the weight viewed to its own number of dims (ViewBackward0 between the weight and
PreluKernelBackward0 in next_functions), and the weight's gradient is summed over the other dims
inside the op. rrelu draws a
slope in [lower, upper] for each non-positive element in training (ember's generator) and uses
their mean in eval; the slopes are constants of the op, kept as an array for backward."""
from .. import _creation
from .._dtype import type_name
from .._tensor import _make
from ._errors import refuse_non_floating
from ._op import Op

__all__ = ["prelu", "rrelu", "rrelu_"]


def _slope_shape(x_ndim, w_numel):
    """How a 1-D weight lines up with x: all of x, or x's dim 1."""
    if w_numel == 1 or x_ndim < 2:
        return (1,) * x_ndim
    return (1, w_numel) + (1,) * (x_ndim - 2)


class PreluKernel(Op):
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        slope = w.reshape(_slope_shape(x.ndim, w.size)) if x.ndim else w.reshape(())
        return ctx.xp.where(x > 0, x, slope * x)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        negative = x <= 0
        gx = gw = None
        if need[0]:
            slope = w.reshape(_slope_shape(x.dim(), w.numel()) if x.dim() else ())
            gx = g.where(~negative, g * slope)
        if need[1]:
            per = (g * x).masked_fill(~negative, 0)
            keep = 1 if w.numel() > 1 and x.dim() > 1 else None
            dims = tuple(d for d in range(x.dim()) if d != keep)
            gw = (per.sum(dims) if dims else per).reshape(w.shape)
        return gx, gw


def prelu(input, weight):
    """x where x > 0, else weight * x: a one-element weight is one slope, a longer 1-D weight
    runs along the channel dim 1."""
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    if weight.numel() != 1:
        channels = input.shape[1] if input.dim() > 1 else 1
        if weight.numel() != channels:
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
    if input.dtype != weight.dtype:
        raise RuntimeError("prelu: Type promoting not supported. Got "
                           f"{type_name(input.dtype)} and {type_name(weight.dtype)}")
    refuse_non_floating("prelu_cpu", input)
    if input.dim() > 1:
        weight = weight.view(_slope_shape(input.dim(), weight.numel()))
    return PreluKernel.apply(input, weight)


class RreluWithNoise(Op):
    """x where x > 0, else x * slope; `slope` is an array of draws (training) or one number.
    Each element's factor (1 or its slope) is a constant of the op, kept for backward."""

    def forward(ctx, x, slope):
        factors = ctx.xp.where(x > 0, x.dtype.type(1), slope).astype(x.dtype, copy=False)
        ctx.factors = factors
        return x * factors

    def backward(ctx, g):
        return g * _make(ctx.factors)


class RreluWithNoiseInplace(RreluWithNoise, grad_fn="RreluWithNoiseBackward1"):
    pass


def _refuse_rrelu(input, training):
    refuse_non_floating("rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu", input)


def _slope(input, lower, upper, training, generator):
    """A uniform draw in [lower, upper] per element while training, else their mean."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return (lower + upper) / 2
    draws = _creation.empty(tuple(input.shape), dtype=input.dtype, device=input.device)
    return draws.uniform_(lower, upper, generator=generator)._data


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """Randomized leaky ReLU: a random slope in [lower, upper] per negative element while
    training, their mean (lower + upper) / 2 in eval."""
    _refuse_rrelu(input, training)
    return RreluWithNoise.apply(input, _slope(input, lower, upper, training, generator))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    _refuse_rrelu(input, training)
    return input._inplace(RreluWithNoiseInplace.apply,
                          _slope(input, lower, upper, training, generator))
