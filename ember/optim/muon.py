"""Muon: momentum whose update is orthogonalized by a Newton-Schulz iteration, for 2-D
parameters (hidden layers' weight matrices).

NOTE [ Muon's bfloat16 ]
PyTorch runs the Newton-Schulz iteration in bfloat16. NumPy has no bfloat16, so the iteration
runs in float32 with each result rounded to bfloat16's 8 significant bits (round to nearest
even), which is what a bfloat16 tensor holds; the products themselves accumulate in float32, as
PyTorch's CPU kernels do. Results agree with PyTorch to bfloat16's precision.
"""
import math

import numpy

from .._creation import zeros_like
from .optimizer import Optimizer

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _to_bfloat16(x, xp):
    """float32 values rounded to the nearest bfloat16 (ties to even), kept as float32."""
    x = xp.asarray(x, dtype=numpy.float32)
    bits = x.view(numpy.uint32)
    rounded = (bits + numpy.uint32(0x7FFF) + ((bits >> 16) & numpy.uint32(1))) \
        & numpy.uint32(0xFFFF0000)
    return xp.where(xp.isnan(x), x, rounded.view(numpy.float32))


def _newton_schulz(update, coefficients, steps, eps, xp):
    """The orthogonalized update (NOTE [ Muon's bfloat16 ]): `steps` quintic iterations
    X <- a X + (b A + c A A) X with A = X X^T, from X = update / |update|."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if update.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    tall = update.shape[0] > update.shape[1]
    x = _to_bfloat16(update.T if tall else update, xp)
    norm = _to_bfloat16(xp.sqrt((x * x).sum()), xp)
    x = _to_bfloat16(x / xp.maximum(norm, _to_bfloat16(eps, xp)), xp)
    for _ in range(steps):
        gram = _to_bfloat16(x @ x.T, xp)
        poly = _to_bfloat16(b * gram + c * (gram @ gram), xp)
        x = _to_bfloat16(a * x + poly @ x, xp)
    return x.T if tall else x


def _adjusted_lr(lr, adjust_lr_fn, shape):
    """The lr scaled for the matrix's shape: sqrt(max(1, rows / cols)) ("original", the
    default) or 0.2 sqrt(max(rows, cols)) ("match_rms_adamw": AdamW's update RMS)."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr


class Muon(Optimizer):
    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                        adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def _init_state(self, param, state, group):
        if param.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state["momentum_buffer"] = zeros_like(param)

    def _hyperparameters(self, group):
        return (float(group["lr"]), float(group["weight_decay"]), float(group["momentum"]),
                group["nesterov"], tuple(group["ns_coefficients"]), float(group["eps"]),
                int(group["ns_steps"]), group["adjust_lr_fn"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's Muon step, in place on arrays (NOTE [ Optimizer maths ])."""
        lr, weight_decay, momentum, nesterov, coefficients, eps, steps, adjust_lr_fn = hp
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        buf = state["momentum_buffer"]._data
        buf[...] = _lerp(buf, grad, 1 - momentum)
        update = _lerp(grad, buf, momentum) if nesterov else buf
        ortho = _newton_schulz(update, coefficients, steps, eps, xp).astype(param.dtype)
        param *= 1 - lr * weight_decay
        ortho *= -_adjusted_lr(lr, adjust_lr_fn, param.shape)
        param += ortho


def _lerp(start, end, weight):
    """start + weight (end - start), computed from the nearer end as PyTorch's lerp does."""
    if weight < 0.5:
        return start + (end - start) * weight
    return end - (end - start) * (1 - weight)
