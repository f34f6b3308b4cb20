"""Normalisations composed of other ops: rms_norm, instance_norm (batch_norm of the input seen as
one sample of N*C channels) and local_response_norm (a sum of squares over a channel window)."""
import math

from .._finfo import finfo
from ..autograd.grad_mode import no_grad
from ._errors import refuse_non_floating
from .norm import NativeBatchNorm, check_batch_norm
from .padding import pad

__all__ = ["rms_norm", "instance_norm"]


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2 over the normalized_shape dims) + eps) * weight; eps defaults to the
    machine epsilon of input's dtype."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    if input.dim() < len(shape):
        raise ValueError(f"Input tensor must have at least {len(shape)} dimensions, but got "
                         f"{input.dim()}")
    if tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(str(s) for s in shape)}], but got input of size"
                           f"{list(input.shape)}")
    refuse_non_floating("rms_norm", input)
    if eps is None:
        eps = finfo(input.dtype).eps
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def instance_norm(input, weight=None, bias=None, running_mean=None, running_var=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5, cudnn_enabled=False):
    """Normalise each (sample, channel) plane; with use_input_stats the running statistics take
    the batch average of the per-instance ones."""
    size = tuple(input.shape)
    if use_input_stats and math.prod(size[2:]) == 1:
        raise ValueError("Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    n, c = size[:2]
    rm = None if running_mean is None else running_mean.repeat(n)
    rv = None if running_var is None else running_var.repeat(n)
    args = (input.reshape((1, n * c) + size[2:]), None if weight is None else weight.repeat(n),
            None if bias is None else bias.repeat(n), rm, rv)
    check_batch_norm(*args, use_input_stats)  # as torch's, it takes parameters of any dtype
    out = NativeBatchNorm.apply(*args, bool(use_input_stats), float(momentum), float(eps))
    if use_input_stats:
        with no_grad():
            for running, repeated in ((running_mean, rm), (running_var, rv)):
                if running is not None:
                    running.copy_(repeated.view(n, c).mean(0))
    return out.view(size)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + alpha / size * (sum of x**2 over the `size` channels around x)) ** beta; the
    window is centred on the channel (size // 2 before it) and zero beyond the ends."""
    if input.dim() < 3:
        raise ValueError("Expected 3D or higher dimensionality input (got "
                         f"{input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    squares = pad((input * input).movedim(1, -1), (size // 2, (size - 1) // 2))
    window = squares.narrow(-1, 0, channels)
    for start in range(1, size):
        window = window + squares.narrow(-1, start, channels)
    return input / (window.movedim(-1, 1) * (alpha / size) + k).pow(beta)
