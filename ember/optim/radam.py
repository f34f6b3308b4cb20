"""RAdam: Adam with the variance of the adaptive learning rate rectified."""
from .._creation import zeros_like
from .optimizer import (Optimizer, _advance, _check_ranges, _check_unsupported, _new_step,
                        _weight_decayed)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_ranges(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["exp_avg"] = zeros_like(param)
        state["exp_avg_sq"] = zeros_like(param)

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (float(beta1), float(beta2), float(group["lr"]), float(group["weight_decay"]),
                float(group["eps"]), group["decoupled_weight_decay"], group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor RAdam, in place on arrays (NOTE [ Optimizer maths ])."""
        beta1, beta2, lr, weight_decay, eps, decoupled_weight_decay, maximize = hp
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        step = _advance(state["step"])
        if maximize:
            grad = -grad
        grad = _weight_decayed(param, grad, lr, weight_decay, decoupled_weight_decay)
        exp_avg += (grad - exp_avg) * (1 - beta1)  # exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += grad * grad * (1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / bias_correction1 * lr
        # the length of the approximated simple moving average, and its limit
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = bias_correction2 ** 0.5 / (xp.sqrt(exp_avg_sq) + eps)
            update = update * adaptive_lr * rect
        param -= update
