"""Adafactor: second moments kept as row and column factors for matrices (sublinear memory)."""
import numpy

from .._creation import zeros, zeros_like
from .optimizer import Optimizer, _advance, _new_step

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        if param.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state["step"] = _new_step()
        if param.dim() > 1:
            shape = list(param.shape)
            state["row_var"] = zeros(shape[:-1] + [1], dtype=param.dtype, device=param.device)
            state["col_var"] = zeros(shape[:-2] + [1, shape[-1]], dtype=param.dtype,
                                     device=param.device)
        else:
            state["variance"] = zeros_like(param)

    def _hyperparameters(self, group):
        eps1, eps2 = group["eps"]
        return (float(group["lr"]), float(group["beta2_decay"]),
                None if eps1 is None else float(eps1), float(eps2), float(group["d"]),
                float(group["weight_decay"]), group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor Adafactor, in place on arrays (NOTE [ Optimizer maths ])."""
        lr, beta2_decay, eps1, eps2, d, weight_decay, maximize = hp
        if eps1 is None:
            eps1 = float(numpy.finfo(param.dtype).eps)
        if maximize:
            grad = -grad
        step = _advance(state["step"])
        one_minus_beta2 = step ** beta2_decay
        rho = min(lr, 1 / step ** 0.5)
        alpha = max(eps2, float(xp.sqrt((param * param).sum())) / param.size ** 0.5) * rho
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        if grad.ndim > 1:
            row_var, col_var = state["row_var"]._data, state["col_var"]._data
            square = grad * grad
            row_var += (square.mean(axis=-1, keepdims=True) - row_var) * one_minus_beta2
            col_var += (square.mean(axis=-2, keepdims=True) - col_var) * one_minus_beta2
            estimate = xp.matmul(row_var, col_var)
            estimate /= xp.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = state["variance"]._data
            variance += (grad * grad - variance) * one_minus_beta2
            estimate = variance.copy()
        xp.maximum(estimate, eps1 * eps1, out=estimate)
        update = 1 / xp.sqrt(estimate)  # rsqrt, then times the gradient, as PyTorch rounds
        update *= grad
        rms = float(xp.sqrt((update * update).sum())) / (update.size ** 0.5 * d)
        param += update * (-alpha / max(1.0, rms))
