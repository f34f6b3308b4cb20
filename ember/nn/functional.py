"""torch.nn.functional: PyTorch's signatures bound to ember's ops, and composites built on them."""
import math
import warnings

import numpy as np

from .. import _creation, _dtype
from ..autograd.grad_mode import no_grad
from ..ops import sigmoid, tanh  # noqa: F401  (defined by whichever family owns them)
from ..ops.arithmetic import div as _div
from ..ops.activation import LogSoftmax as _LogSoftmax
from ..ops.activation import (  # noqa: F401
    celu, celu_, elu, elu_, gelu, hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_,
    leaky_relu, leaky_relu_, log_softmax, logsigmoid, mish, relu, relu6, relu_, selu, selu_, silu,
    softmax, softmin, softplus, softshrink, softsign, tanhshrink, threshold, threshold_)
from ..ops.conv import (  # noqa: F401
    conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, fold, unfold)
from ..ops.embedding import embedding as _embedding, embedding_renorm_
from ..ops.embedding_bag import functional_embedding_bag as embedding_bag  # noqa: F401
from ..ops.ctc import ctc_loss as _ctc_loss
from ..ops.similarity import cosine_similarity, pairwise_distance, pdist  # noqa: F401
from ..ops import margin_loss as _margin
from ..ops.linalg import addmm, matmul, mm
from ..ops.loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss, kl_div, l1_loss,
    mse_loss, nll_loss, smooth_l1_loss, soft_margin_loss)
from ..ops.loss import NllLoss as _NllLoss, _legacy, _reduce, _reduction
from ..ops.loss import poisson_nll_loss as _poisson_nll_loss
from ..ops.norm import batch_norm as _batch_norm
from ..ops.norm import group_norm as _group_norm
from ..ops.norm import layer_norm  # noqa: F401
from ..ops.norm_composite import instance_norm as _instance_norm
from ..ops.norm_composite import local_response_norm, rms_norm  # noqa: F401
from ..ops.dropouts import apply_dropout as _dropout, check_p as _check_p
from ..ops.fractional_pool import (  # noqa: F401
    fractional_max_pool2d, fractional_max_pool2d_with_indices, fractional_max_pool3d,
    fractional_max_pool3d_with_indices)
from ..ops.grid_sampling import affine_grid, grid_sample  # noqa: F401
from ..ops.lp_pool import lp_pool1d, lp_pool2d, lp_pool3d  # noqa: F401
from ..ops.padding import pad  # noqa: F401
from ..ops.parametric_relu import prelu  # noqa: F401
from ..ops.parametric_relu import rrelu as _rrelu, rrelu_ as _rrelu_
from ..ops.shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: F401
from .._tensor import Tensor  # noqa: F401  (torch.nn.functional exposes torch.Tensor)
from .._foreign import dispatch_on_failure as _dispatch_on_failure
from . import grad  # noqa: F401  (torch.nn.functional.grad is torch.nn.grad)
from ..ops import pool as _pool
from ..ops.pool import (  # noqa: F401
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices, adaptive_max_pool3d, adaptive_max_pool3d_with_indices,
    avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool1d_with_indices, max_pool2d,
    max_pool2d_with_indices, max_pool3d, max_pool3d_with_indices, max_unpool1d, max_unpool2d,
    max_unpool3d)
from ..ops.upsample import interpolate  # noqa: F401
from ._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from .. import _warnings  # not its names: every public global here is wrapped (below)



# -- normalisation --------------------------------------------------------------------------------

def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise over every dim but the channel dim 1; in training, update running_mean and
    running_var in place (unbiased variance), as torch.nn.functional.batch_norm does."""
    if training:
        size = tuple(input.shape)
        n = size[0] * math.prod(size[2:])
        if n == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """torch.group_norm, after F's check that a group holds more than one value: the size it
    names is (N * C / num_groups, num_groups, *spatial), as torch's F reports it."""
    if input.dim() >= 2 and num_groups > 0:  # otherwise torch.group_norm's own errors
        size = [input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:])
        if size[0] * math.prod(size[2:]) == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {size}")
    return _group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) plane (torch.instance_norm with F's argument order)."""
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                          momentum, eps)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p over dim, eps)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom if out is None else _div(input, denom, out=out)


# -- pooling --------------------------------------------------------------------------------------

def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Adaptive max pooling of (N, C, L) or (C, L); with return_indices, also the indices."""
    out, idx = _pool.adaptive_max_pool1d(input, output_size)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool1d returning (output, indices)."""
    return _pool.adaptive_max_pool1d(input, output_size)


# -- linear ---------------------------------------------------------------------------------------

def linear(input, weight, bias=None):
    """input @ weight.T + bias: mm/addmm for 2-D input (MmBackward0 / AddmmBackward0), as
    PyTorch records it; other ranks go through matmul, or addmm on the flattened batch."""
    shape = input._data.shape  # NumPy's shapes: no Size made
    if not shape or not weight._data.ndim:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{len(shape)}D and {weight._data.ndim}D")
    if len(shape) == 2:
        return mm(input, weight.t()) if bias is None else addmm(bias, input, weight.t())
    if bias is None:
        return matmul(input, weight.t())
    out = addmm(bias, input.reshape(-1, shape[-1]), weight.t())
    return out.view(shape[:-1] + (weight._data.shape[0],))


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = input1 @ weight[o] @ input2 + bias[o], for weight (out, in1, in2)."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {input1.shape[d]} and {input2.shape[d]}")
    n_out, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    t = mm(x1, weight.permute(1, 0, 2).reshape(in1, n_out * in2))
    out = matmul(t.view(-1, n_out, in2), x2.unsqueeze(2)).view(lead + (n_out,))
    return out if bias is None else out + bias


# -- dropout --------------------------------------------------------------------------------------

def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p)."""
    return _dropout(input, p, training, inplace)


def _feature_dropout(input, p, training, inplace, batched):
    """Channel dropout; an unbatched input gets a batch dim for the draw, as in PyTorch."""
    if batched:
        return _dropout(input, p, training, inplace, feature=True)
    if inplace:
        return _dropout(input.unsqueeze_(0), p, training, True, feature=True).squeeze_(0)
    return _dropout(input.unsqueeze(0), p, training, False, feature=True).squeeze(0)


def _deprecated_rank(name, nd, dims):
    warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and will "
                  "result in an error in a future release. To retain the behavior and silence "
                  f"this warning, please use dropout instead. Note that {name} exists to provide "
                  f"channel-wise dropout on inputs with {dims} spatial dimensions, a channel "
                  f"dimension, and an optional batch dimension (i.e. {dims + 1}D or {dims + 2}D "
                  "inputs).", stacklevel=_warnings.user_stacklevel())


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs "
                           "with 1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, nd == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability p. As in PyTorch, a 3-D
    input is read as batched 1-D (N, C, L), with a warning."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        _deprecated_rank("dropout2d", nd, 2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, H, "
                      "W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=_warnings.user_stacklevel())
    return _dropout(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        _deprecated_rank("dropout3d", nd, 3)
    return _feature_dropout(input, p, training, inplace, nd == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value and an
    affine map keeps the mean and variance."""
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels."""
    return _dropout(input, p, training, inplace, feature=True, alpha=True)


# -- sparse ---------------------------------------------------------------------------------------

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """weight[input]; the padding_idx row gets no gradient; with max_norm, the rows looked up
    are first renormalised in place."""
    if padding_idx is not None:
        n = weight.shape[0]
        if padding_idx >= n or padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx += n
    else:
        padding_idx = -1
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    return _embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each class index."""
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max()) + 1
    if tensor.numel():
        if int(tensor.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(tensor.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = _creation.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# -- losses ---------------------------------------------------------------------------------------

def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias), target, ...): torch's reference
    form. `options` tunes torch's memory-saving chunked path; ember computes the reference. A
    (C, d1, ..., dK, in_features) linear_weight (bias (C, d1, ..., dK)) makes (N, C, d1, ..., dK)
    logits: the K-dimensional loss."""
    if linear_weight.dim() > 2:
        if input.dim() < 2:
            raise RuntimeError(f"K-dimensional loss defined by linear_weight shape "
                               f"{tuple(linear_weight.shape)} requires batched input, (N, "
                               f"{linear_weight.shape[-1]}), got unbatched input with shape "
                               f"{tuple(input.shape)}")
        flat_bias = None if linear_bias is None else linear_bias.reshape(-1)
        logits = linear(input, linear_weight.reshape(-1, linear_weight.shape[-1]), flat_bias)
        logits = logits.reshape((input.shape[0],) + tuple(linear_weight.shape[:-1]))
    else:
        logits = linear(input, linear_weight, linear_bias)
    return cross_entropy(logits, target, weight, ignore_index=-100 if ignore_index is None
                         else ignore_index, reduction=reduction, label_smoothing=label_smoothing)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """nll_loss(log_softmax(input, 1), target) for class-index targets; a target of input's
    shape holds class probabilities. label_smoothing mixes in the uniform distribution."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    if _class_batch(input, target, weight, label_smoothing):
        return _NllLoss.apply(_LogSoftmax.apply(input, 1), target, None, reduction,
                              int(ignore_index))
    shape = input._data.shape  # NumPy's shapes: no Size made per check
    class_dim = 0 if len(shape) == 1 else 1
    n_classes = shape[class_dim] if shape else 1  # a 0-d input fails in log_softmax below
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    probabilities = target._data.shape == shape
    if probabilities and not target.dtype.is_floating_point:
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {_dtype.LEGACY_NAMES[target.dtype][:-len('Tensor')]}")
    logp = log_softmax(input, class_dim)
    if probabilities:
        return _cross_entropy_probs(logp, target, weight, reduction, ignore_index,
                                    label_smoothing, class_dim, n_classes)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return nll
    keep = target != ignore_index
    lp = logp if weight is None else logp * _class_view(weight, logp.dim(), class_dim)
    # masked, not multiplied by 0: an ignored target's gradient is 0 even where the 'mean' of
    # no counted target divides by 0 (inf * 0 would be NaN), as torch's masked_fill_ gives it
    smooth = (-lp.sum(class_dim)).masked_fill(~keep, 0.0)
    if reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / keep.sum()
        else:
            picked = weight.gather(0, target.masked_fill(~keep, 0).reshape(-1))
            smooth = smooth.sum() / (picked * keep.reshape(-1).to(picked.dtype)).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def _class_batch(input, target, weight, label_smoothing):
    """Whether cross_entropy is the plain classifier's - (N, C) floating logits, N int64 class
    indices, no class weights or smoothing - which passes every check of log_softmax and
    nll_loss: their ops are then applied directly (a tenth of a small loss's time)."""
    x, t = input._data, target._data
    return x.ndim == 2 and t.ndim == 1 and x.shape[0] == t.shape[0] and x.dtype.kind == "f" \
        and t.dtype == np.int64 and weight is None and label_smoothing == 0.0


def _class_view(weight, ndim, class_dim):
    """A per-class weight shaped to broadcast along the class dim."""
    if ndim == 1:
        return weight
    return weight.view((1, weight.shape[0]) + (1,) * (ndim - 2))


def _cross_entropy_probs(logp, target, weight, reduction, ignore_index, label_smoothing,
                         class_dim, n_classes):
    if not target.dtype.is_floating_point:
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {target.dtype.name.capitalize()}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_view(weight, logp.dim(), class_dim)
    if reduction == "mean":
        return -prod.sum() / (logp.numel() / n_classes)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum(class_dim)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input), or input - target * log(input + eps); full adds
    Stirling's approximation of log(target!) where target > 1."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    return _poisson_nll_loss(input, target, log_input, full, eps, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log var + (input - target)**2 / var), var clamped at eps without autograd."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _creation.full_like(input, float(var))
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() != var.dim() or sum(
                v for i, v in zip(input.shape, var.shape) if i != v) != 1:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin); the three of one rank."""
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _margin.margin_ranking_loss(input1, input2, target, margin,
                                       _reduction(_legacy(size_average, reduce, reduction)))


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    return _margin.hinge_embedding_loss(input, target, margin,
                                        _reduction(_legacy(size_average, reduce, reduction)))


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """The binary cross-entropy of every class from logits, averaged over the classes."""
    reduction = _reduction(_legacy(size_average, reduce, reduction))
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    return _reduce(loss.sum(class_dim) / input.shape[class_dim], reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where target is -1."""
    return _margin.cosine_embedding_loss(input1, input2, target, margin,
                                         _reduction(_legacy(size_average, reduce, reduction)))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise distance;
    swap uses d(positive, negative) where it is smaller."""
    return _margin.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                       _reduction(_legacy(size_average, reduce, reduction)))


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """triplet_margin_loss with any distance_function(x1, x2) (default: pairwise_distance)."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.dim() == positive.dim() == negative.dim():
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.dim()}D, "
                           f"positive {positive.dim()}D, and negative {negative.dim()}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(distance(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """sum over i != y of max(0, margin - input[y] + input[i]) ** p / C, times weight[y]."""
    return _margin.multi_margin_loss(input, target, p, margin, weight,
                                     _reduction(_legacy(size_average, reduce, reduction)))


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target classes j and other classes i of max(0, 1 - input[j] + input[i]) / C."""
    return _margin.multilabel_margin_loss(input, target,
                                          _reduction(_legacy(size_average, reduce, reduction)))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The CTC loss of log_probs (T, N, C) against targets; see ember.ctc_loss."""
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                     zero_infinity)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension "
                           f"{dim % input.dim()} is size {size}")
    a, b = input.chunk(2, dim)
    return a * sigmoid(b)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + Gumbel noise) / tau); hard=True returns the one-hot argmax in forward
    with the soft sample's gradient (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.",
                      stacklevel=_warnings.user_stacklevel())
    gumbels = -_creation.empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: random negative slopes in [lower, upper] while training, their
    mean in eval."""
    if inplace:
        return _rrelu_(input, lower, upper, training)
    return _rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return _rrelu_(input, lower, upper, training)


# -- the deprecated names of interpolate, kept by torch for old programs ---------------------------

def _deprecated_upsample(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=_warnings.user_stacklevel())


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    _deprecated_upsample("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    _deprecated_upsample("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Bilinear with the corners aligned, as nn.UpsamplingBilinear2d."""
    _deprecated_upsample("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# Last: every public function above hands a foreign tensor-like argument to its class when it fails
# on it (NOTE [ Dispatch on failure ] in ember/_foreign.py).
_dispatch_on_failure(globals(), __name__, [_n for _n in list(globals()) if not _n.startswith("_")])
