"""nn.utils.fusion: fold an eval-mode BatchNorm into the convolution or Linear before it.

BatchNorm in eval mode is the affine map y = (x - mean) * w / sqrt(var + eps) + b per channel,
so it folds into the preceding layer's weight (scaled per output channel) and bias.
"""
import copy

from ..._creation import ones_like, zeros_like
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _check_eval(layer, bn):
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A new convolution (a deep copy of conv) computing bn(conv(x)); both must be in eval mode."""
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose)
    return fused


def _fold(weight, bias, bn_rm, bn_rv, bn_eps, bn_w, bn_b, channel_shape):
    """(weight * scale per output channel, (bias - mean) * scale + bn bias) as Parameters that
    keep the dtypes and requires_grad of weight and bias."""
    weight_dtype = weight.dtype
    bias_dtype = bias.dtype if bias is not None else weight_dtype
    if bias is None:
        bias = zeros_like(bn_rm)
    if bn_w is None:
        bn_w = ones_like(bn_rm)
    if bn_b is None:
        bn_b = zeros_like(bn_rm)
    inv_std = (bn_rv + bn_eps).rsqrt()
    fused_w = (weight * (bn_w * inv_std).reshape(channel_shape)).to(dtype=weight_dtype)
    fused_b = ((bias - bn_rm) * inv_std * bn_w + bn_b).to(dtype=bias_dtype)
    return Parameter(fused_w, weight.requires_grad), Parameter(fused_b, bias.requires_grad)


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """The fused (weight, bias) Parameters of a convolution followed by an eval BatchNorm; the
    output channels are dim 0 of the weight, dim 1 when transpose (ConvTranspose weights)."""
    shape = [1, -1] if transpose else [-1, 1]
    return _fold(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b,
                 shape + [1] * (conv_w.dim() - 2))


def fuse_linear_bn_eval(linear, bn):
    """A new Linear (a deep copy of linear) computing bn(linear(x)); both must be in eval mode."""
    _check_eval(linear, bn)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The fused (weight, bias) Parameters of a Linear followed by an eval BatchNorm."""
    return _fold(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, [-1, 1])
