"""Loss ops: fused forward and backward where PyTorch has a loss node, composites elsewhere.

Every loss takes reduction='none' | 'mean' | 'sum' (or PyTorch's enum 0 | 1 | 2). Backward
functions are written with ember ops and are linear in the incoming gradient; the masks they use
(which target an element picked, which branch of a piecewise loss it is on) are constants.
"""
import math
import warnings

import numpy as np

from .. import _dtype
from .._backend import xp_of
from .._tensor import Tensor
from .._dtype import type_name as _type_name
from ..autograd.grad_mode import state as _grad_state
from ._common import _const, _factor, quiet
from ._errors import refuse_non_floating
from ._op import Op, broadcast_error, promote, shape_str
from .activation import logsigmoid
from .shape import Unsqueeze
from .._warnings import user_stacklevel

__all__ = ["nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss"]

_ENUM = {0: "none", 1: "mean", 2: "sum"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int32": "Int",
                 "int16": "Short", "int8": "Char", "bool": "Bool"}

# PyTorch clamps the logarithms of binary_cross_entropy at -100 and its backward denominator here.
_LOG_FLOOR = -100.0
_BCE_EPS = 1e-12


def _reduction(reduction):
    if isinstance(reduction, int) and not isinstance(reduction, bool):
        reduction = _ENUM.get(reduction, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    """Reduce an array (in forward) or a Tensor (in composites); the mean of an empty array is
    NaN, without NumPy's warning."""
    if reduction == "mean":
        if not isinstance(loss, Tensor) and loss.size == 0:
            return xp_of(loss).full((), np.nan, loss.dtype)
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _grad_scale(ctx, g):
    """The incoming gradient as the per-element gradient of the reduced loss."""
    if ctx.reduction == "mean":
        return g / ctx.numel
    return g


def _expand_pair(input, target):
    """The elementwise regression losses broadcast target to input with PyTorch's warning."""
    if tuple(target.shape) == tuple(input.shape):
        return input, target
    warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                  f"({input.shape}). This will likely lead to incorrect results due to "
                  "broadcasting. Please ensure they have the same size.",
                  stacklevel=user_stacklevel())
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except ValueError:
        raise broadcast_error(tuple(input.shape), tuple(target.shape)) from None
    return input.expand(shape), target.expand(shape)


def _weighted(loss, weight, input, reduction, mean_by_weight):
    """PyTorch's elementwise loss weights: same size as input; 'mean' divides by the summed
    weight (mse, l1) or by the element count (huber)."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def _save_pair(ctx, x, y, reduction):
    """Forward bookkeeping of an elementwise loss of (input, target); the pair promoted as torch
    promotes it (float32 input, int64 target: float32, not NumPy's float64)."""
    ctx.reduction, ctx.numel = reduction, x.size
    ctx.save_for_backward(x, y)
    return promote(x, y)


def _kernel_dtype(kernel, input, target):
    """torch's pointwise loss kernels take floating types only, after promoting the pair."""
    dt = _dtype.result_type(input._data, target._data)
    if dt.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(dt)}'")
    return dt


def _pair_grads(ctx, gd):
    """gd is d loss / d input; the target gets its negation."""
    need = ctx.needs_input_grad
    return (gd if need[0] else None), (-gd if len(need) > 1 and need[1] else None)


class MseLoss(Op):
    def forward(ctx, x, y, reduction):
        x, y = _save_pair(ctx, x, y, reduction)
        d = x - y
        return _reduce(d * d, reduction)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _pair_grads(ctx, (x - y) * (_grad_scale(ctx, g) * 2.0))


class SmoothL1Loss(Op):
    def forward(ctx, x, y, reduction, beta):
        x, y = _save_pair(ctx, x, y, reduction)
        ctx.beta = beta
        d = x - y
        ad = ctx.xp.abs(d)
        return _reduce(ctx.xp.where(ad < beta, (0.5 / beta) * d * d, ad - 0.5 * beta), reduction)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _pair_grads(ctx, _piecewise_grad(ctx, x - y, 1.0 / ctx.beta, 1.0, g))


class HuberLoss(Op):
    """Computed in the pair's promoted dtype and stored in the input's, as torch's kernel writes
    it (a float32 input with a float64 target gives float32)."""

    def forward(ctx, x, y, reduction, delta):
        out_dtype = x.dtype
        x, y = _save_pair(ctx, x, y, reduction)
        ctx.beta = delta
        d = x - y
        ad = ctx.xp.abs(d)
        loss = _reduce(ctx.xp.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)),
                       reduction)
        return loss.astype(out_dtype, copy=False)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _pair_grads(ctx, _piecewise_grad(ctx, x - y, 1.0, ctx.beta, g))


def _piecewise_grad(ctx, d, inner, outer, g):
    """Gradient of a loss that is quadratic (slope inner * d) for |d| < beta and linear (slope
    outer * sign(d)) outside: d * a + c with constant arrays a and c."""
    xp = ctx.xp
    dd = d._data
    inside = xp.abs(dd) < ctx.beta
    a = _const((inside * inner).astype(dd.dtype))  # _const: 0-d results come back as scalars
    c = _const(((~inside) * xp.sign(dd) * outer).astype(dd.dtype))
    return (d * a + c) * _grad_scale(ctx, g)


class BinaryCrossEntropy(Op):
    _listed_inputs = (0, 1)  # input, target: not the weight (next_functions)

    def forward(ctx, x, y, w, reduction):
        xp = ctx.xp
        if not bool(((x >= 0) & (x <= 1)).all()):  # NaN is outside too, as torch checks it
            raise RuntimeError("all elements of input should be between 0 and 1")
        ctx.reduction, ctx.numel = reduction, x.size
        with quiet():
            loss = (y - 1) * xp.maximum(xp.log1p(-x), _LOG_FLOOR) \
                - y * xp.maximum(xp.log(x), _LOG_FLOOR)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y, w)
        return _reduce(loss, reduction)

    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        scale = _grad_scale(ctx, g)
        if w is not None:
            scale = scale * w
        gx = gy = None
        if need[0]:
            gx = (x - y) / ((1 - x) * x).clamp(min=_BCE_EPS) * scale
        if need[1]:
            gy = (1 - x).log().sub(x.log()) * scale  # -logit(x)
        return gx, gy


# NOTE [ Soft margin loss as torch computes it ]: torch evaluates log(1 + exp(-y x)) step by step
# in the input's dtype (negate, multiply by the target, exp, log1p, each result stored in that
# dtype), so exp overflows to inf where -y x is large (from 89 in float32, 11 in float16) and the
# loss is inf there, and its backward -y z / (1 + z) with z = exp(-y x) is NaN (inf / inf) at
# float32 and float64. ember follows those steps: the same numbers, overflow included.

def _soft_margin_steps(xp, x, y):
    """exp(-y x) as torch's forward makes it, in x's dtype: each step stored in that dtype."""
    z = (xp.negative(x) * y).astype(x.dtype, copy=False)
    with quiet():
        return xp.exp(z)


class SoftMarginLoss(Op):
    """log(1 + exp(-y x)) (NOTE [ Soft margin loss as torch computes it ]); the target takes no
    gradient, as in torch."""

    def forward(ctx, x, y, reduction):
        ctx.reduction, ctx.numel = reduction, x.size
        ctx.save_for_backward(x, y)
        return _reduce(ctx.xp.log1p(_soft_margin_steps(ctx.xp, x, y)), reduction)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return SoftMarginLossBackward.apply(g, x, y, ctx.reduction), None


class SoftMarginLossBackward(Op, grad_fn="SoftMarginLossBackwardBackward0"):
    """-y z / (1 + z) times g (over the element count for 'mean'), z = exp(-y x) in the pair's
    promoted dtype and each product stored in x's dtype, as torch's backward does."""

    def forward(ctx, g, x, y, reduction):
        xp = ctx.xp
        # an empty 'mean' (NaN) has an empty gradient: its scale never multiplies anything
        ctx.scale = 1.0 / x.size if reduction == "mean" and x.size else 1.0
        ctx.save_for_backward(g, x, y)
        xs, ys = promote(x, y)
        with quiet():
            z = xp.exp(-ys * xs)
            gx = (y * z).astype(x.dtype, copy=False)
            gx *= -ctx.scale
            z += 1
            gx = (gx / z).astype(x.dtype, copy=False)
        gx *= g
        return gx

    def backward(ctx, gg):
        g, x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        p = (-y * x).sigmoid()  # z / (1 + z)
        gg_g = gg_x = None
        if need[0]:
            gg_g = (gg * y * p * -ctx.scale).sum() if g.dim() == 0 and x.dim() else \
                gg * y * p * -ctx.scale
        if need[1]:
            gg_x = gg * g * y * y * p * (1 - p) * ctx.scale
        return gg_g, gg_x, None


class BinaryCrossEntropyWithLogits(Op):
    _listed_inputs = (0, 1)  # input, target: not the weights (next_functions)

    def forward(ctx, x, y, w, pos_weight, reduction):
        xp = ctx.xp
        ctx.reduction, ctx.numel = reduction, x.size
        # softplus(-x) = log(1 + exp(-x)), written so that exp never overflows
        sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        if pos_weight is not None:
            loss = (1 - y) * x + ((pos_weight - 1) * y + 1) * sp
        else:
            loss = (1 - y) * x + sp
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y, w, pos_weight)
        # torch's loss is written in place into a tensor made from the target: target's dtype
        return _reduce(loss.astype(y.dtype, copy=False), reduction)

    def backward(ctx, g):
        x, y, w, pw = ctx.saved_tensors
        need = ctx.needs_input_grad
        scale = _grad_scale(ctx, g)
        if w is not None:
            scale = scale * w
        gx = gy = None
        if need[0]:
            if pw is None:
                gx = (x.sigmoid() - y) * scale
            else:
                py = pw * y
                gx = (x.sigmoid() * (py + 1 - y) - py) * scale
        if need[1]:
            if pw is None:
                gy = -x * scale
            else:
                gy = (-x - (pw - 1) * logsigmoid(x)) * scale
        return gx, gy


class NllLoss(Op):
    _listed_inputs = (0,)  # the input alone: not the target or the weight (next_functions)
    _array_backward = True  # NOTE [ Backward on arrays ] (autograd/engine.py)

    def forward(ctx, x, target, w, reduction, ignore_index):
        xp = ctx.xp
        n_classes = x.shape[1] if x.ndim >= 2 else x.shape[0]
        if x.ndim == 2 and w is None and reduction != "none" and target.size \
                and not 0 <= ignore_index < n_classes and _in_range(target, n_classes):
            return _nll_unweighted(ctx, x, target, reduction)
        valid = target != ignore_index
        bad = ((target < 0) | (target >= n_classes)) & valid
        if bool(bad.any()):
            raise IndexError(f"Target {int(target[bad].reshape(-1)[0])} is out of bounds.")
        t = xp.where(valid, target, 0).astype(xp.int64)
        if x.ndim >= 2:
            picked = xp.take_along_axis(x, xp.expand_dims(t, 1), axis=1).squeeze(1)
        else:
            picked = x[t]
        wt = valid.astype(x.dtype) if w is None else (w[t] * valid).astype(x.dtype, copy=False)
        loss = -(picked * wt)
        ctx.t, ctx.wt, ctx.shape, ctx.dtype = t, wt, x.shape, x.dtype
        ctx.reduction, ctx.valid = reduction, valid
        if reduction == "none":
            return loss
        ctx.total = wt.sum()
        if reduction == "sum":
            return loss.sum()
        with quiet():  # every target ignored: nan
            return loss.sum() / ctx.total

    def backward(ctx, g):
        """g times a constant: -weight (over the total weight for 'mean') at each target."""
        xp = ctx.xp
        if ctx.wt is None:  # _nll_unweighted: every target counts once
            pick = xp.zeros(ctx.shape, ctx.dtype)
            pick[xp.arange(ctx.shape[0]), ctx.t] = -1.0 / ctx.total
            return g * _factor(pick), None, None
        with quiet():
            scale = -ctx.wt / ctx.total if ctx.reduction == "mean" else -ctx.wt
        # an ignored target's gradient is 0 even when the total weight is (torch skips it); a
        # counted target of weight 0 over a total of 0 stays NaN, as torch's
        scale = ctx.xp.where(ctx.valid, scale, 0).astype(scale.dtype, copy=False)
        nd = len(ctx.shape)
        if nd >= 2:
            classes = xp.arange(ctx.shape[1]).reshape((1, -1) + (1,) * (nd - 2))
            pick = xp.where(xp.expand_dims(ctx.t, 1) == classes, xp.expand_dims(scale, 1), 0)
            if ctx.reduction == "none":
                g = Unsqueeze.apply(g, 1)
        else:
            pick = xp.where(xp.arange(ctx.shape[0]) == ctx.t, scale, 0)  # NaN only at t
        return g * _factor(pick.astype(ctx.dtype, copy=False)), None, None


def _in_range(target, n):
    """Whether every class index lies in [0, n), in one reduction: an int64 index read as
    unsigned makes a negative one huge."""
    unsigned = target.view(np.uint64) if target.dtype == np.int64 else target
    return int(unsigned.max()) < n


def _nll_unweighted(ctx, x, target, reduction):
    """NllLoss of (N, C) input whose targets all count with weight 1 (the common case: no class
    weights, every target a class): a gather and a sum, no masks."""
    xp = ctx.xp
    n = x.shape[0]
    picked = x[xp.arange(n), target]
    ctx.t, ctx.wt, ctx.shape, ctx.dtype = target, None, x.shape, x.dtype
    ctx.reduction = reduction
    ctx.total = n if reduction == "mean" else 1
    return -picked.sum() / ctx.total


class NllLoss2d(NllLoss, grad_fn="NllLoss2DBackward0"):
    """nll_loss of (N, C, H, W) input; other N-d inputs are viewed as (N, C, 1, -1), as in
    PyTorch."""


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log likelihood of class-index targets: input (N, C, d1, ...) or (C,),
    target (N, d1, ...) or (); weight per class; targets equal to ignore_index count for
    nothing, and 'mean' divides by the summed weight of the targets that count."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    xs, ts = input._data.shape, target._data.shape  # NumPy's shapes: no Size made per check
    nd, td = len(xs), len(ts)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    target_batch = ts[0] if td else 0
    if nd >= 2 and xs[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({xs[0]}) to match target "
                         f"batch_size ({target_batch}).")
    # torch's order: the target's shape, then its dtype, then a 1-D input's target size
    if nd <= 2 and td > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if nd > 2:
        want = (xs[0],) + xs[2:]
        if ts != want:
            raise RuntimeError(f"Expected target size {shape_str(want)}, got {shape_str(ts)}")
    target_dtype = target._data.dtype
    if target_dtype != np.int64 and target_dtype != np.uint8:
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_SCALAR_NAMES.get(target_dtype.name, target_dtype.name)}")
    if nd == 1 and td == 1:
        if ts[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{ts[0]}")
        target = target.reshape(())  # one sample: its loss is 0-d, as torch's
    if nd == 2 and td == 0:  # a batch of inputs reads the target's first dim
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    n_classes = xs[1] if nd >= 2 else xs[0]
    if weight is not None and weight.numel() != n_classes:
        if nd >= 3:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{shape_str(weight.shape)}")
    refuse_non_floating("nll_loss_out_frame" if nd <= 2 else "nll_loss2d_forward_out_frame", input)
    if nd <= 2:
        return NllLoss.apply(input, target, weight, reduction, int(ignore_index))
    if nd == 4:
        return NllLoss2d.apply(input, target, weight, reduction, int(ignore_index))
    n, c = input.shape[:2]
    rest = math.prod(input.shape[2:])  # not -1: an empty batch leaves -1 ambiguous
    out = NllLoss2d.apply(input.reshape(n, c, 1, rest), target.reshape(n, 1, rest), weight,
                          reduction, int(ignore_index))
    return out.view(target.shape) if reduction == "none" else out


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (input - target) ** 2, target broadcast to input with a warning."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    input, target = _expand_pair(input, target)  # torch broadcasts before the kernel's dtypes
    _kernel_dtype("mse_cpu", input, target)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, input, reduction, True)
    return MseLoss.apply(input, target, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |input - target|: a composite, as in PyTorch (AbsBackward0,
    MeanBackward0, SumBackward0)."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    input, target = _expand_pair(input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction, True)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d**2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input - target);
    beta == 0 is l1_loss."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    input, target = _expand_pair(input, target)  # torch broadcasts before the kernel's dtypes
    _kernel_dtype("smooth_l1_cpu", input, target)
    return SmoothL1Loss.apply(input, target, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d**2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere (d = input - target)."""
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _expand_pair(input, target)  # torch broadcasts before the kernel's dtypes
    dt = _kernel_dtype("huber_cpu", input, target)
    if not _dtype.castable(dt, input.dtype.np):
        raise _dtype.cast_error(dt, input.dtype.np)  # the loss is stored in input's dtype
    if weight is not None:
        return _weighted(HuberLoss.apply(input, target, "none", float(delta)), weight, input,
                         reduction, False)
    return HuberLoss.apply(input, target, reduction, float(delta))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], logs clamped at -100."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    if tuple(target.shape) != tuple(input.shape):  # torch's Python-level check, first
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target.dtype.np)} but expected "
                           f"{_type_name(input.dtype.np)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"binary_cross_entropy\" not implemented for "
                                  f"'{_type_name(input.dtype.np)}'")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        weight = weight.expand(input.shape)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), target broadcast to input (NOTE [ Soft margin loss as
    torch computes it ]). Its steps store into input's dtype, so an integer input is the cast
    error torch raises."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    if _grad_state.enabled and target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    x, y = input._data, target._data
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise broadcast_error(x.shape, y.shape) from None
    if shape != x.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                           f"{list(shape)}")
    if x.dtype.kind != "f":  # the product with a floating target, or exp of an integral one
        product = _dtype.result_type(x, y)
        raise _dtype.cast_error(product if product.kind == "f" else _dtype.get_default_dtype(),
                                x)
    if y.shape != x.shape:
        target = target.expand(x.shape)
    return SoftMarginLoss.apply(input, target, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits;
    pos_weight multiplies the positive term (broadcast along the last, class, dim)."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    if tuple(target.shape) != tuple(input.shape):  # torch's first check
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for "
                                  f"'{_type_name(input.dtype.np)}'")
    if not target.dtype.is_floating_point:
        raise _dtype.cast_error(input.dtype.np, target.dtype.np)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log target - input), input given as log-probabilities
    (target too with log_target); 'batchmean' divides the sum by the batch size. A composite,
    as in PyTorch."""
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=user_stacklevel())
    red = "sum" if reduction == "batchmean" else _reduction(_legacy(size_average, reduce,
                                                                    reduction))
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    out = _reduce(loss, red)
    if reduction == "batchmean" and input.dim() != 0:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """exp(input) - target * input (log_input), or input - target * log(input + eps); full adds
    Stirling's approximation of log(target!) where target > 1. torch.poisson_nll_loss's
    arguments, every one required (nn.functional's has defaults)."""
    reduction = _reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        safe = target.masked_fill(~big, 2)  # the term is only kept where target > 1: no log(0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + stirling.masked_fill(~big, 0)
    return _reduce(loss, reduction)


def _legacy(size_average, reduce, reduction):
    """PyTorch's deprecated size_average / reduce arguments, mapped onto a reduction."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  f"{_legacy_string(size_average, reduce)}' instead.", stacklevel=user_stacklevel())
    return _legacy_string(size_average, reduce)


def _legacy_string(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"
