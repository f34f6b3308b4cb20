"""torch.nn.grad (also torch.nn.functional.grad): the gradient of a convolution with respect to
its input or its weight, given grad_output; bindings to ember/ops/conv_grad.py."""
from ..ops.conv_grad import conv_input, conv_weight

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input",
           "conv3d_weight"]


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """d(conv1d)/d(input) applied to grad_output, for an input of input_size (N, C, L)."""
    return conv_input(1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """d(conv1d)/d(weight) applied to grad_output, for a weight of weight_size."""
    return conv_weight(1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """d(conv2d)/d(input) applied to grad_output, for an input of input_size (N, C, H, W)."""
    return conv_input(2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """d(conv2d)/d(weight) applied to grad_output, for a weight of weight_size."""
    return conv_weight(2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """d(conv3d)/d(input) applied to grad_output, for an input of input_size (N, C, D, H, W)."""
    return conv_input(3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """d(conv3d)/d(weight) applied to grad_output, for a weight of weight_size."""
    return conv_weight(3, input, weight_size, grad_output, stride, padding, dilation, groups)
