"""NAdam: Adam with Nesterov momentum and momentum decay (weight decay, decoupled or L2)."""
from .. import _dtype
from .._creation import tensor, zeros_like
from .optimizer import (Optimizer, _advance, _check_ranges, _check_unsupported, _new_step,
                        _weight_decayed)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_ranges(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay,
                      momentum_decay=momentum_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["mu_product"] = tensor(1.0, dtype=_dtype.float32)
        state["exp_avg"] = zeros_like(param)
        state["exp_avg_sq"] = zeros_like(param)

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (float(beta1), float(beta2), float(group["lr"]), float(group["weight_decay"]),
                float(group["momentum_decay"]), float(group["eps"]),
                group["decoupled_weight_decay"], group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor NAdam, in place on arrays (NOTE [ Optimizer maths ]); no fused
        kernel: on the GPU the same steps run on CuPy arrays. mu_product is a 0-d float32 array,
        rounded as PyTorch's float32 state tensor is."""
        (beta1, beta2, lr, weight_decay, momentum_decay, eps, decoupled_weight_decay,
         maximize) = hp
        if maximize:
            grad = -grad
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        mu_product = state["mu_product"]._data
        step = _advance(state["step"])
        bias_correction2 = 1 - beta2 ** step
        grad = _weight_decayed(param, grad, lr, weight_decay, decoupled_weight_decay)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product *= mu
        mu_prod = mu_product.item()
        tmp = grad - exp_avg  # exp_avg.lerp_(grad, 1 - beta1)
        tmp *= 1 - beta1
        exp_avg += tmp
        exp_avg_sq *= beta2
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - beta2
        exp_avg_sq += tmp
        denom = exp_avg_sq / bias_correction2
        xp.sqrt(denom, out=denom)
        denom += eps
        xp.divide(grad, denom, out=tmp)
        tmp *= -lr * (1.0 - mu) / (1.0 - mu_prod)
        param += tmp
        xp.divide(exp_avg, denom, out=tmp)
        tmp *= -lr * mu_next / (1.0 - mu_prod * mu_next)
        param += tmp
