"""Activation functions and softmax: forward on arrays, backward in ember ops.

NOTE [ Fused activation backward ]
An activation's backward is one fused Op, `<Name>Backward`, that computes g * f'(x) in a single
pass over arrays (the hot path of training). That Op's own backward, needed only for higher-order
gradients, is written with ember ops: d/dg is the same fused Op applied to the incoming gradient,
and d/dx is gg * g * f''(x) (nothing for the piecewise-linear ones, whose f'' is 0).

Signatures follow torch.nn.functional; `inplace=True` writes into the input through
Tensor._inplace. `__all__` exports the ones PyTorch also has at top level (torch.relu ...).
"""
import math
import warnings

import numpy as np

from .. import _dtype
from .._backend import threshold_backward
from .._dtype import type_name as _type_name
from . import _threads
from ._common import _const, ones_vector, quiet
from ._numpy_names import numpy_names
from ._op import Op, wrap_dim
from .clamping import clamp_max, where
from .special import _erf, _erf_kernel
from .unary import exp, sigmoid, tanh
from .._warnings import user_stacklevel

__all__ = ["relu", "relu_", "selu", "selu_", "celu", "celu_", "threshold", "threshold_",
           "softmax", "log_softmax", "hardshrink"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_LOG_INV_SQRT_2PI = math.log(_INV_SQRT_2PI)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _sigmoid_array(xp, x):
    with quiet():  # exp overflows to inf for very negative x: sigmoid -> 0
        return 1.0 / (1.0 + xp.exp(-x))


class _Grad(Op):
    """Base of the fused backward Ops (NOTE [ Fused activation backward ]).

    Subclasses give `df(xp, g, x, *params)`, g * f'(x) on arrays, and `d2f(x, *params)`, f''(x)
    as a Tensor built with ember ops, or None for piecewise-linear f.
    """
    _n_operands = 2
    d2f = None

    def forward(ctx, g, x, *params):
        ctx.params = params
        ctx.save_for_backward(g, x)
        return ctx._forward_cls.df(ctx.xp, g, x, *params)

    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        cls = ctx._forward_cls
        gg_g = cls.apply(gg, x, *ctx.params) if need[0] else None
        if not need[1] or cls.d2f is None:
            return gg_g, None
        return gg_g, gg * g * cls.d2f(x, *ctx.params)


class _Activation(Op):
    """Base of the activations: `f(xp, x, *params)` on arrays, backward through `grad` (a _Grad)."""
    kernel = None  # PyTorch's kernel name, for the error on integer input; None takes any dtype
    grad = None

    def forward(ctx, a, *params):
        cls = ctx._forward_cls
        cls._check_kernel(a)
        ctx.params = params
        ctx.save_for_backward(a)
        return cls.f(ctx.xp, a, *params)

    @classmethod
    def _check_kernel(cls, a):
        if cls.kernel is not None and a.dtype.kind != "f":
            raise NotImplementedError(f"\"{cls.kernel}\" not implemented for "
                                      f"'{_type_name(a.dtype)}'")

    @classmethod
    def _forward_over_input(cls, ctx, a, *params):
        """The in-place classes' forward (NOTE [ Results over the input ]): f written over a,
        which is saved as the result."""
        cls._check_kernel(a)
        ctx.params = params
        y = cls.f(ctx.xp, a, *params, out=a) if a.size else a  # empty: maybe read-only
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return ctx._forward_cls.grad.apply(g, a, *ctx.params)


# -- piecewise linear ------------------------------------------------------------------------------

class ThresholdBackward(Op, grad_fn="ThresholdBackwardBackward0"):
    """g where x > threshold, else 0: relu's and threshold's backward, written out in full
    (rather than through _Grad) because it is the hottest backward of all."""
    _n_operands = 2
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, g, x, threshold, value=None):
        ctx.threshold = threshold
        ctx.save_for_backward(x)
        if _threads.quiet and _threads.splits(2 * g.size) and _contiguous_pair(ctx.xp, g, x):
            return _threads.split_flat(
                lambda gk, xk, out: np.multiply(gk, ~(xk <= threshold), out=out),
                np.empty_like(g), g, x, passes=2)
        return threshold_backward(g, x, threshold)  # a mask multiply; one kernel on CUDA

    def backward(ctx, gg):
        (x,) = ctx.saved_tensors
        return ThresholdBackward.apply(gg, x, ctx.threshold), None


def _contiguous_pair(xp, a, b):
    """Two C-contiguous NumPy arrays of one shape (or b None): what _threads.split_flat takes."""
    return xp is np and a.flags.c_contiguous and (
        b is None or b.shape == a.shape and b.flags.c_contiguous)


class Relu(Op):
    """max(x, 0); saves its output, whose sign is the input's."""
    _array_backward = True
    _backward_reads_input = False  # in place, the old value needs no copy (Tensor._inplace)

    def forward(ctx, a, out=None):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        if _threads.quiet and _threads.splits(a.size) and _contiguous_pair(ctx.xp, a, out):
            y = _threads.split_flat(np.maximum, np.empty_like(a) if out is None else out, a, 0)
        else:
            y = ctx.xp.maximum(a, 0, out=out)
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return ThresholdBackward.apply(g, y, 0)


# NOTE [ Results over the input ]: relu_ and leaky_relu_ in a graph save their result, as torch's
# do (their backward reads only that), so Tensor._inplace hands them the tensor's own memory, not
# a copy of the old value (_backward_reads_input = False). Their in-place classes
# (_result_over_input) also write the result there, so nothing is copied back either: the result
# is the tensor, and the node's saved result is checked against the tensor's version counter
# (function.adopt_saved_output), as torch's in-place ops save self (changing the tensor before
# backward raises torch's error). On a view, _inplace still hands them a copy (its write through
# the view needs the old base). ReLU(inplace=True) over 6.4M floats after a batch norm,
# single-threaded: 6.3 -> 1.5-1.7 ms (out of place: 2.9 ms).

class ReluInplace(Relu, grad_fn="ReluBackward0"):
    """relu_ (NOTE [ Results over the input ])."""
    _result_over_input = True

    def forward(ctx, a):
        # an empty expanded tensor is read-only but has nothing to write
        return Relu.forward(ctx, a, a if a.size else None)


class Threshold(_Activation):
    grad = ThresholdBackward

    @staticmethod
    def f(xp, a, threshold, value):
        return xp.where(a <= threshold, xp.asarray(value, a.dtype), a)  # NaN stays, as torch's


class ThresholdInplace(Threshold, grad_fn="ThresholdBackward1"):
    pass


class HardtanhBackward(_Grad, grad_fn="HardtanhBackwardBackward0"):
    @staticmethod
    def df(xp, g, x, lo, hi):
        return g * ~((x <= lo) | (x >= hi))  # a NaN x passes its gradient, as torch's


class Hardtanh(_Activation):
    grad = HardtanhBackward

    @staticmethod
    def f(xp, a, lo, hi):
        if a.dtype.kind != "f":
            lo, hi = int(lo), int(hi)
        y = xp.maximum(a, lo, out=xp.empty_like(a))
        return xp.minimum(y, hi, out=y)  # one new array, not two


class HardtanhInplace(Hardtanh, grad_fn="HardtanhBackward0"):
    """hardtanh_ (relu6's too: MobileNet's ReLU6(inplace=True)): as torch's, its backward reads
    the result, strictly inside (lo, hi) exactly where the input is, so in place it needs no copy
    of the old value (Tensor._inplace). Its result is a new array, copied back: torch's
    hardtanh_ never checks that result's version (a later change to the tensor is no error, and
    backward reads the result as it was), unlike relu_'s (NOTE [ Results over the input ])."""
    _backward_reads_input = False

    def forward(ctx, a, lo, hi):
        y = Hardtanh.forward(ctx, a, lo, hi)
        ctx.save_for_backward(y)
        return y


class LeakyReluBackward(_Grad, grad_fn="LeakyReluBackwardBackward0"):
    @staticmethod
    def df(xp, g, x, slope):
        return g * _leaky_factor(xp, x, slope, g.dtype)


class LeakyRelu(_Activation):
    kernel = "leaky_relu_cpu"
    grad = LeakyReluBackward

    @staticmethod
    def f(xp, a, slope, out=None):
        if a.dtype == np.float16:  # torch multiplies in float32 and rounds once
            y = LeakyRelu.f(xp, a.astype(np.float32), slope)
            if out is None:
                return y.astype(np.float16)
            out[...] = y
            return out
        if 0 < slope <= 1:
            # max(x, slope * x) is x above 0 and slope * x below: two passes, not the factor's
            # four; fmax keeps +inf where slope * inf is inf and a NaN input's NaN
            scaled = xp.multiply(a, slope, out=xp.empty_like(a))  # an array when a is 0-d
            return xp.fmax(a, scaled, out=scaled if out is None else out)
        return xp.multiply(a, _leaky_factor(xp, a, slope, a.dtype), out=out)


def _leaky_factor(xp, x, slope, dtype):
    """1 where x > 0, else slope: leaky_relu's factor, as `dtype`. For a slope in [0, 1] it is
    max(x > 0, slope), exactly 1 or slope: np.where branches on every element, and on the random
    signs of activations it ran 6x slower (560 against 85 us for the whole backward on 131K
    float32)."""
    if not 0 <= slope <= 1:
        return xp.where(x > 0, xp.asarray(1, dtype), xp.asarray(slope, dtype))
    factor = xp.asarray(x > 0, dtype=dtype)  # an array for 0-d x too, for out=
    return xp.maximum(factor, slope, out=factor)


class LeakyReluInplace(LeakyRelu, grad_fn="LeakyReluBackward1"):
    """leaky_relu_: as torch's, its backward reads the result, whose sign is the input's for a
    slope of 0 or more, so in place it needs no copy of the old value (Tensor._inplace; DCGAN's
    LeakyReLU(0.2, inplace=True)), and writes its result over it (NOTE [ Results over the
    input ]); a negative slope is refused at backward, as torch does."""
    _backward_reads_input = False
    _result_over_input = True

    def forward(ctx, a, slope):
        return LeakyRelu._forward_over_input(ctx, a, slope)

    def backward(ctx, g):
        if ctx.params[0] < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which "
                "is not supported. This is caused by calling in-place forward function with a "
                "negative slope, please call out-of-place version instead. File an issue at "
                "https://github.com/pytorch/pytorch if you do require supporting in-place "
                "leakRelu backward calculation with negative slope")
        return LeakyRelu.backward(ctx, g)


class HardsigmoidBackward(_Grad, grad_fn="HardsigmoidBackwardBackward0"):
    @staticmethod
    def df(xp, g, x):
        return g * ((x > -3.0) & (x < 3.0)) / 6.0


class Hardsigmoid(_Activation):
    kernel = "hardsigmoid_cpu"
    grad = HardsigmoidBackward

    @staticmethod
    def f(xp, a):
        return xp.clip(a + 3.0, 0.0, 6.0) / 6.0


class HardshrinkBackward(_Grad, grad_fn="HardshrinkBackwardBackward0"):
    @staticmethod
    def df(xp, g, x, lambd):
        return g * ~((x >= -lambd) & (x <= lambd))  # a NaN x passes its gradient, as torch's


class Hardshrink(_Activation):
    kernel = "hardshrink_cpu"
    grad = HardshrinkBackward

    @staticmethod
    def f(xp, a, lambd):
        return a * ((a > lambd) | (a < -lambd))


class Softshrink(_Activation):
    kernel = "softshrink_cpu"
    grad = HardshrinkBackward  # the same mask: |x| > lambd

    @staticmethod
    def f(xp, a, lambd):
        return a - xp.clip(a, -lambd, lambd)


# -- smooth ----------------------------------------------------------------------------------------

class HardswishBackward(_Grad, grad_fn="HardswishBackwardBackward0"):
    @staticmethod
    def df(xp, g, x):
        d = xp.where(x <= -3.0, 0.0, xp.where(x < 3.0, x / 3.0 + 0.5, 1.0))
        return g * d.astype(x.dtype, copy=False)

    @staticmethod
    def d2f(x):
        xd = x._data
        return _const(((xd > -3.0) & (xd < 3.0)).astype(xd.dtype) / 3.0)


class Hardswish(_Activation):
    kernel = "hardswish_cpu"
    grad = HardswishBackward

    @staticmethod
    def f(xp, a):
        with quiet():  # -inf * 0 is NaN, silently as in torch
            return a * xp.clip(a + 3.0, 0.0, 6.0) / 6.0


class EluBackward(_Grad, grad_fn="EluBackwardBackward0"):
    @staticmethod
    def df(xp, g, x, alpha, scale, input_scale):
        neg = xp.exp(xp.minimum(0.0, x) * input_scale) * (input_scale * alpha * scale)
        return g * _either(xp, x <= 0, neg, scale, x.dtype)

    @staticmethod
    def d2f(x, alpha, scale, input_scale):
        neg = exp(clamp_max(x, 0.0) * input_scale) * (input_scale * input_scale * alpha * scale)
        return where(x > 0, 0.0, neg)


class Elu(_Activation):
    """scale * (alpha * (exp(x * input_scale) - 1) if x <= 0 else x): elu, selu and celu (NaN
    takes the second branch, and -0 the first, as in PyTorch)."""
    kernel = "elu_cpu"
    grad = EluBackward

    @staticmethod
    def f(xp, a, alpha, scale, input_scale):
        neg = xp.expm1(xp.minimum(0.0, a) * input_scale) * (alpha * scale)  # keeps -0's sign
        return _either(xp, a <= 0, neg, a * scale, a.dtype)


def _either(xp, mask, yes, no, dtype):
    """yes where mask, else no, as `dtype`: mask * yes + (1 - mask) * no, exact (one term is 0)
    wherever both are finite, and without np.where's per-element branch, which on the random
    signs of activations costs 5-6x more (see _leaky_factor); np.where when either is not."""
    for v in (yes, no):
        if not (xp.isfinite(v).all() if hasattr(v, "shape") else math.isfinite(v)):
            return xp.where(mask, yes, no).astype(dtype, copy=False)
    keep = xp.asarray(mask, dtype=dtype)
    out = keep * yes
    keep -= 1
    keep *= no
    out -= keep
    return out.astype(dtype, copy=False)


class EluInplace(Elu, grad_fn="EluBackward1"):
    pass


class Celu(Elu):
    pass


class CeluInplace(Elu, grad_fn="CeluBackward1"):
    pass


def _gelu_chunk(xp, xk, cdf, tk, yk):
    xp.multiply(xk, cdf, out=yk)


def _gelu_and_slope_chunk(xp, xk, cdf, tk, yk, dk):
    """y = x * cdf(x) and the slope cdf(x) + x * pdf(x), in float32 (NOTE [ GELU's erf ]), the
    pdf term in dk from the kernel's tk = x * x: where that overflows, pdf is exp(-inf) = 0 (it
    underflowed long before), and x * pdf an exact 0 * x."""
    xp.multiply(xk, cdf, out=yk)
    xp.multiply(tk, -0.5, out=dk)
    dk += _LOG_INV_SQRT_2PI
    xp.exp(dk, out=dk)
    dk *= xk
    xp.add(cdf, dk, out=dk)


def _gelu_erf(xp, x, slope):
    """Exact GELU x * cdf(x) and, when `slope`, its derivative cdf(x) + x * pdf(x), in x's dtype:
    both from one pass of the erf kernel in float32 scratch for float32 and narrower (NOTE [
    GELU's erf ] in special.py)."""
    if x.dtype.itemsize <= 4:
        if not slope:
            y = _erf_kernel(xp, x, _SQRT_HALF, 0.5, 0.5, _gelu_chunk, exact=False)[0]
            return y if x.dtype == np.float32 else y.astype(x.dtype)
        y, d = _erf_kernel(xp, x, _SQRT_HALF, 0.5, 0.5, _gelu_and_slope_chunk, 2, exact=False)
        return (y, d) if x.dtype == np.float32 else (y.astype(x.dtype), d.astype(x.dtype))
    cdf = _erf(xp, x, _SQRT_HALF, 0.5, 0.5)
    # x * x overflows to inf far out, where the PDF is 0; -inf * 0 is NaN
    with quiet():
        if not slope:
            return x * cdf
        return x * cdf, cdf + x * (xp.exp(x * x * -0.5) * _INV_SQRT_2PI)


class GeluBackward(_Grad, grad_fn="GeluBackwardBackward0"):
    """The exact form multiplies by the slope that Gelu's forward computed with its output."""

    @staticmethod
    def df(xp, g, x, approximate, slope=None):
        if approximate == "tanh":
            with quiet():  # at +-inf: inf * 0, NaN silently as in torch
                du = (x * x * (3.0 * _GELU_C) + 1.0) * _GELU_K
                t = xp.tanh((x * x * x * _GELU_C + x) * _GELU_K)
                return g * ((t + 1.0) * 0.5 + x * 0.5 * (1.0 - t * t) * du)
        return g * slope

    @staticmethod
    def d2f(x, approximate, slope=None):
        if approximate == "tanh":
            du = (x * x * (3.0 * _GELU_C) + 1.0) * _GELU_K
            t = tanh((x * x * x * _GELU_C + x) * _GELU_K)
            return (1.0 - t * t) * (du - x * t * du * du + x * x * (3.0 * _GELU_C * _GELU_K))
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return pdf * (2.0 - x * x)


class Gelu(_Activation):
    """NOTE [ GELU's slope ]: the exact form's derivative cdf(x) + x * pdf(x) needs erf(x), the
    costly part of GELU, as the output does; so a recording forward computes it in the same pass
    and keeps it as a plain array for backward (a pure function of the saved input, never
    differentiated: the double backward recomputes from x, and the saved input's version check
    still guards against in-place changes). PyTorch recomputes erf in backward instead."""
    kernel = "GeluKernelImpl"
    grad = GeluBackward

    def forward(ctx, a, approximate):
        if approximate == "tanh" or not ctx.recording or a.dtype.kind != "f":
            return _Activation.forward(ctx, a, approximate)
        ctx.save_for_backward(a)
        y, slope = _gelu_erf(ctx.xp, a, True)
        ctx.params = (approximate, slope)
        return y

    @staticmethod
    def f(xp, a, approximate):
        if approximate == "tanh":
            with quiet():  # at +-inf: inf * 0, NaN silently as in torch
                return a * 0.5 * (xp.tanh((a * a * a * _GELU_C + a) * _GELU_K) + 1.0)
        return _gelu_erf(xp, a, False)


class SiluBackward(_Grad, grad_fn="SiluBackwardBackward0"):
    @staticmethod
    def df(xp, g, x):
        s = _sigmoid_array(xp, x)
        with quiet():  # at +-inf: inf * 0, NaN silently as in torch
            return g * s * (x * (1.0 - s) + 1.0)

    @staticmethod
    def d2f(x):
        s = sigmoid(x)
        return s * (1.0 - s) * (x * (1.0 - s * 2.0) + 2.0)


class Silu(_Activation):
    kernel = "silu_cpu"
    grad = SiluBackward

    @staticmethod
    def f(xp, a):
        with quiet():  # -inf * 0
            return a * _sigmoid_array(xp, a)


class MishBackward(_Grad, grad_fn="MishBackwardBackward0"):
    @staticmethod
    def df(xp, g, x):
        s = _sigmoid_array(xp, x)
        with quiet():  # NaN and +-inf inputs give NaN silently, as in torch
            t = xp.tanh(xp.logaddexp(0.0, x))
            return g * (t + x * s * (1.0 - t * t))

    @staticmethod
    def d2f(x):
        s = sigmoid(x)
        t = tanh(softplus(x))
        return (1.0 - t * t) * s * (x * (1.0 - s) - x * t * s * 2.0 + 2.0)


class Mish(_Activation):
    kernel = "mish_cpu"
    grad = MishBackward

    @staticmethod
    def f(xp, a):
        with quiet():
            return a * xp.tanh(xp.logaddexp(0.0, a))


class SoftplusBackward(_Grad, grad_fn="SoftplusBackwardBackward0"):
    @staticmethod
    def df(xp, g, x, beta, threshold):
        bx = x * beta
        return g * xp.where(bx > threshold, 1.0, _sigmoid_array(xp, bx)).astype(x.dtype,
                                                                                copy=False)

    @staticmethod
    def d2f(x, beta, threshold):
        bx = x * beta
        s = sigmoid(bx)
        return where(bx > threshold, 0.0, s * (1.0 - s) * beta)


class Softplus(_Activation):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    kernel = "softplus_cpu"
    grad = SoftplusBackward

    @staticmethod
    def f(xp, a, beta, threshold):
        bx = a * beta
        with quiet():  # logaddexp of NaN
            soft = xp.logaddexp(0.0, bx) / beta
        return xp.where(bx > threshold, a, soft).astype(a.dtype, copy=False)


class LogSigmoidBackward(_Grad, grad_fn="LogSigmoidBackwardBackward0"):
    @staticmethod
    def df(xp, g, x):
        return g * _sigmoid_array(xp, -x)

    @staticmethod
    def d2f(x):
        s = sigmoid(x)
        return s * (s - 1.0)


class LogSigmoid(_Activation):
    kernel = "log_sigmoid_forward_cpu"
    grad = LogSigmoidBackward

    @staticmethod
    def f(xp, a):
        return xp.minimum(a, 0.0) - xp.log1p(xp.exp(-xp.abs(a)))


# -- softmax ---------------------------------------------------------------------------------------
# NOTE [ Row sums as products ]: NumPy's reductions along a short last axis run a loop per row;
# a sum over the last axis of a contiguous float32/float64 array is one BLAS matrix-vector
# product with a vector of ones instead (and a row-wise dot product one einsum), 10x faster on
# attention-sized rows. The max has no such form and stays a reduction.

def _rows(a, dim):
    """a viewed as (rows, n) when dim is its last axis and a is C-contiguous float32/float64;
    else None."""
    if dim != a.ndim - 1 and dim != -1 or a.ndim == 0 or a.dtype.kind != "f" or \
            a.dtype.itemsize < 4 or not a.flags.c_contiguous or a.size == 0:
        return None
    return a.reshape(-1, a.shape[-1])


def _sum_last(xp, a, dim):
    """a.sum(dim, keepdims=True) (NOTE [ Row sums as products ])."""
    rows = _rows(a, dim)
    if rows is None:
        return a.sum(axis=dim, keepdims=True)
    return (rows @ ones_vector(xp, rows.shape[1], a.dtype)).reshape(a.shape[:-1] + (1,))


def _dot_last(xp, a, b, dim):
    """(a * b).sum(dim, keepdims=True) for a and b of one shape and dtype."""
    rows, b_rows = _rows(a, dim), _rows(b, dim)
    if rows is None or b_rows is None or a.dtype != b.dtype:
        return (a * b).sum(axis=dim, keepdims=True)
    return xp.einsum("ij,ij->i", rows, b_rows).reshape(a.shape[:-1] + (1,))


def _shifted(xp, a, dim):
    """a minus its max along dim, in a new array (empty stays empty: there is no max to take).
    NumPy's fmax skips the NaN checks of max (~1.5x faster on attention rows); a row holding NaN
    still comes out all NaN, as in PyTorch, since its NaN reaches the row's sum."""
    y = xp.empty_like(a)
    if a.size:
        top = np.fmax.reduce(a, axis=dim, keepdims=True) if xp is np else \
            a.max(axis=dim, keepdims=True)
        with quiet():  # a row of -inf gives NaN, as in PyTorch
            xp.subtract(a, top, out=y)
    return y


# NOTE [ Softmax without the row max ]: softmax and log_softmax subtract each row's max only so that
# exp cannot overflow, and NumPy's max along a short last axis costs more than the exp itself (3072
# attention rows of 64 floats: 208 us, against 10 us for the max of the whole tensor and 82 us for
# the exp). So where the whole tensor's max is at most 64 (and at least -32: lower, most rows would
# be redone), exp takes x as it is: no element's exp and no row's sum can overflow then, and with no
# shift there is no rounding in x - max either. A row stays exact to float32 as long as its sum of
# exp(x) is not tiny: from 2^-60 on, the only terms that fall to subnormals are those under 2^-66 of
# the row's sum (probabilities off by at most 2^-90). The rare rows under that floor (every element
# far below 0, or all -inf, or NaN) are done again with their own max, as are whole tensors outside
# that range.
_EXP_RANGE = (-32.0, 64.0)
_ROW_SUM_FLOOR = 2.0 ** -60
_FEW_ROWS = 16  # under this, its extra calls cost more than the row max saves (log_softmax of 4
# rows of 10: 7.4 us by rows, 7.7 unshifted; 32 rows of 27: 10.1 against 9.0; 64 of 10: 11.3, 9.0)


def _unshifted_exp(xp, a, dim):
    """(exp(a), its sums along dim kept as a dim of 1, the flat indices of the rows to redo or
    None) for a contiguous float32/float64 a of at least _FEW_ROWS rows along its last dim whose
    max lies in _EXP_RANGE; else None (NOTE [ Softmax without the row max ])."""
    if xp is not np or not a.ndim or a.size < _FEW_ROWS * a.shape[-1] or _rows(a, dim) is None:
        return None
    low, high = _EXP_RANGE
    if not low <= np.fmax.reduce(a, axis=None) <= high:
        return None
    e = np.exp(a)
    s = _sum_last(xp, e, dim)
    redo = None if s.min() >= _ROW_SUM_FLOOR else np.flatnonzero(~(s >= _ROW_SUM_FLOOR))
    return e, s, redo


def _softmax_rows(xp, a, dim):
    """softmax of a along dim, each row shifted by its max."""
    y = _shifted(xp, a, dim)
    if y.size:
        xp.exp(y, out=y)
        y *= 1.0 / _sum_last(xp, y, dim)
    return y


def _log_softmax_rows(xp, a, dim):
    """log_softmax of a along dim, each row shifted by its max."""
    y = _shifted(xp, a, dim)
    if y.size:
        y -= xp.log(_sum_last(xp, xp.exp(y), dim))
    return y


def _redo(y, a, rows, by_rows):
    """y's rows (flat indices over all but the last dim, or None) recomputed from a's by
    by_rows."""
    if rows is not None:
        n = a.shape[-1]
        y.reshape(-1, n)[rows] = by_rows(np, a.reshape(-1, n)[rows], -1)
    return y


def _softmax(xp, a, dim):
    """softmax of a along dim, in a new array (NOTE [ Softmax without the row max ])."""
    fast = _unshifted_exp(xp, a, dim)
    if fast is None:
        return _softmax_rows(xp, a, dim)
    y, s, redo = fast
    with quiet():  # rows redone below
        y *= 1.0 / s
    return _redo(y, a, redo, _softmax_rows)


def _log_softmax(xp, a, dim):
    """log_softmax of a along dim, in a new array (NOTE [ Softmax without the row max ])."""
    fast = _unshifted_exp(xp, a, dim)
    if fast is None:
        return _log_softmax_rows(xp, a, dim)
    _, s, redo = fast
    with quiet():  # rows redone below
        y = a - np.log(s)
    return _redo(y, a, redo, _log_softmax_rows)


class Softmax(Op):
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, a, dim):
        ctx.dim = dim
        y = _softmax(ctx.xp, a, dim)
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return SoftmaxBackwardData.apply(g, y, ctx.dim)


class SoftmaxBackwardData(Op, grad_fn="SoftmaxBackwardDataBackward0"):
    """y * (g - sum(g * y)): softmax's backward in one pass."""
    _n_operands = 2

    def forward(ctx, g, y, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, y)
        out = g - _dot_last(ctx.xp, g, y, dim)
        out *= y
        return out

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        dim = ctx.dim
        dg = SoftmaxBackwardData.apply(gg, y, dim) if need[0] else None
        dy = None
        if need[1]:
            s = (g * y).sum(dim, keepdim=True)
            dy = gg * (g - s) - g * (gg * y).sum(dim, keepdim=True)
        return dg, dy


class LogSoftmax(Op):
    _array_backward = True

    def forward(ctx, a, dim):
        ctx.dim = dim
        y = _log_softmax(ctx.xp, a, dim)
        ctx.save_for_backward(y)
        return y

    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return LogSoftmaxBackwardData.apply(g, y, ctx.dim)


class LogSoftmaxBackwardData(Op, grad_fn="LogSoftmaxBackwardDataBackward0"):
    """g - exp(y) * sum(g): log_softmax's backward in one pass."""
    _n_operands = 2

    def forward(ctx, g, y, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, y)
        xp = ctx.xp
        out = xp.exp(y)
        out *= _sum_last(xp, g, dim)
        return g - out

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        dim = ctx.dim
        e = exp(y)
        dg = gg - (gg * e).sum(dim, keepdim=True) if need[0] else None
        dy = -gg * e * g.sum(dim, keepdim=True) if need[1] else None
        return dg, dy


def _implicit_dim(name, ndim):
    """PyTorch's legacy dim for softmax and friends called without one, with its warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=user_stacklevel())
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_args(name, input, dim, stacklevel, dtype):
    """Resolve dim (PyTorch's implicit legacy choice when None) and dtype; return (input, dim)."""
    if isinstance(stacklevel, _dtype.dtype):  # torch.softmax(x, dim, dtype) passes it third
        dtype = stacklevel
    if dim is None:
        dim = _implicit_dim(name, input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    a = input._data
    nd = a.ndim
    dim = wrap_dim(dim, nd)
    if a.dtype.kind != "f" and a.size:  # torch's kernels refuse integers, unless empty
        kernel = f"{name}_lastdim_kernel_impl" if dim == nd - 1 else f"{name}_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(a.dtype)}'")
    return input, (dim if nd else None)  # numpy reduces a 0-d array only over axis=None


# -- public functions (torch.nn.functional's signatures) -------------------------------------------

def relu(input, inplace=False):
    if inplace:
        return input._inplace(ReluInplace.apply)
    return Relu.apply(input)


def relu_(input):
    return input._inplace(ReluInplace.apply)


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    if inplace:
        return input._inplace(ThresholdInplace.apply, threshold, value)
    return Threshold.apply(input, threshold, value)


def threshold_(input, threshold, value):
    return input._inplace(ThresholdInplace.apply, threshold, value)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _check_hardtanh(input, min_val, max_val)
    if inplace:
        return input._inplace(HardtanhInplace.apply, min_val, max_val)
    return Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    _check_hardtanh(input, min_val, max_val)
    return input._inplace(HardtanhInplace.apply, min_val, max_val)


def _check_hardtanh(input, min_val, max_val):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    kind = input.dtype.np.kind
    if kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if kind == "u" and (min_val < 0 or max_val < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return input._inplace(LeakyReluInplace.apply, negative_slope)
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return input._inplace(LeakyReluInplace.apply, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        return input._inplace(EluInplace.apply, alpha, 1.0, 1.0)
    return Elu.apply(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return input._inplace(EluInplace.apply, alpha, 1.0, 1.0)


def selu(input, inplace=False):
    if inplace:
        return input._inplace(EluInplace.apply, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    if inplace:
        return input._inplace(CeluInplace.apply, alpha, 1.0, 1.0 / alpha)
    return Celu.apply(input, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def gelu(input, approximate="none"):
    if approximate != "none" and approximate != "tanh":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    if inplace:
        return input._inplace(Silu.apply)
    return Silu.apply(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    if inplace:
        return input._inplace(Mish.apply)
    return Mish.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(input, beta, threshold)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    if inplace:
        return input._inplace(Hardsigmoid.apply)
    return Hardsigmoid.apply(input)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    if inplace:
        return input._inplace(Hardswish.apply)
    return Hardswish.apply(input)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    return Hardshrink.apply(input, lambd)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, lambd)


def logsigmoid(input):
    """log(sigmoid(x)), computed without overflow."""
    return LogSigmoid.apply(input)


def softsign(input):
    """x / (1 + |x|), composed as PyTorch does (DivBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x), composed as PyTorch does (SubBackward0)."""
    return input - tanh(input)


@numpy_names
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    input, dim = _softmax_args("softmax", input, dim, _stacklevel, dtype)
    return Softmax.apply(input, dim)


@numpy_names
def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    input, dim = _softmax_args("log_softmax", input, dim, _stacklevel, dtype)
    return LogSoftmax.apply(input, dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x)."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim)
    return softmax(-input, dim, _stacklevel, dtype)
