"""Power-average pooling: (sum of x**p over each window) ** (1/p), from avg_pool of x**p. A
window sum of 0 gets a zero gradient (its sign times relu of its magnitude), not pow's
infinite slope at 0, as in torch."""
import math

from .activation import relu
from .pool import avg_pool1d, avg_pool2d, avg_pool3d


def _lp(pool, input, norm_type, kernel, kernel_numel, stride, ceil_mode):
    mean = pool(input.pow(norm_type), kernel, stride, 0, ceil_mode)
    total = mean.sign() * relu(mean.abs()) * kernel_numel
    return total.pow(1.0 / norm_type)


def _size(kernel_size, nd):
    return tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * nd


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum of x**norm_type over windows of kernel_size) ** (1 / norm_type) along the last dim."""
    k = kernel_size[0] if isinstance(kernel_size, (tuple, list)) else kernel_size
    return _lp(avg_pool1d, input, norm_type, k, k, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """lp_pool1d over the last two dims."""
    k = _size(kernel_size, 2)
    return _lp(avg_pool2d, input, norm_type, k, math.prod(k), stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """lp_pool1d over the last three dims."""
    k = _size(kernel_size, 3)
    return _lp(avg_pool3d, input, norm_type, k, math.prod(k), stride, ceil_mode)
