"""Dropout's random masks, and torch's top-level dropout functions (torch.dropout(input, p, train)
...); nn.functional's dropout family binds to `apply_dropout` with its own signatures."""
import math

import numpy as np

from .. import _creation

__all__ = ["dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout",
           "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_"]

# SELU's scale * alpha: alpha_dropout sets dropped units to -_ALPHA, SELU's negative saturation
_ALPHA = 1.7580993408473766


def check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, p, feature):
    """A Bernoulli(1 - p) keep mask from ember's default generator: one draw per element, or
    per (sample, channel) with feature=True."""
    shape = tuple(input.shape)
    if feature:
        if len(shape) < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = shape[:2] + (1,) * (len(shape) - 2)
    return _creation.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)


def apply_dropout(input, p, training, inplace, feature=False, alpha=False):
    """Dropout of elements (or whole channels with feature=True); alpha=True keeps the mean and
    variance of SELU activations instead of scaling by 1 / (1 - p)."""
    check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _creation.zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else input * zero
    noise = _keep_mask(input, p, feature)
    if not alpha:
        # the mask is ours alone: divided in its own memory, half precision in float32 as
        # torch's kernels do (float16's div_ would round 1 - p to float16 first: 1.428 for
        # p = 0.3 where torch keeps 1.429)
        mask = noise._data
        mask /= (np.float32 if mask.dtype.itemsize < 4 else mask.dtype.type)(1 - p)
        return input.mul_(noise) if inplace else input * noise
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (noise - 1) * (_ALPHA * a) + _ALPHA * a * p
    noise.mul_(a)
    return input.mul_(noise).add_(b) if inplace else input * noise + b


def dropout(input, p, train):
    return apply_dropout(input, p, train, False)


def dropout_(input, p, train):
    return apply_dropout(input, p, train, True)


def alpha_dropout(input, p, train):
    return apply_dropout(input, p, train, False, alpha=True)


def alpha_dropout_(input, p, train):
    return apply_dropout(input, p, train, True, alpha=True)


def feature_dropout(input, p, train):
    return apply_dropout(input, p, train, False, feature=True)


def feature_dropout_(input, p, train):
    return apply_dropout(input, p, train, True, feature=True)


def feature_alpha_dropout(input, p, train):
    return apply_dropout(input, p, train, False, feature=True, alpha=True)


def feature_alpha_dropout_(input, p, train):
    return apply_dropout(input, p, train, True, feature=True, alpha=True)
