"""Adamax: Adam with the infinity norm (with weight decay and maximize)."""
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adamax"]


class Adamax(Optimizer):
    _elementwise = True  # NOTE [ Optimizer chunks ] (optimizer.py)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_ranges(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["exp_avg"] = zeros_like(param)
        state["exp_inf"] = zeros_like(param)

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (float(group["eps"]), float(beta1), float(beta2), float(group["lr"]),
                float(group["weight_decay"]), group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor Adamax, in place on arrays (NOTE [ Optimizer maths ]); no
        fused kernel: on the GPU the same steps run on CuPy arrays."""
        eps, beta1, beta2, lr, weight_decay, maximize = hp
        exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
        if maximize:
            grad = -grad
        step = _advance(state["step"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        tmp = grad - exp_avg  # exp_avg.lerp_(grad, 1 - beta1)
        tmp *= 1 - beta1
        exp_avg += tmp
        exp_inf *= beta2
        xp.abs(grad, out=tmp)
        tmp += eps
        xp.maximum(exp_inf, tmp, out=exp_inf)
        clr = lr / (1 - beta1 ** step)
        xp.divide(exp_avg, exp_inf, out=tmp)
        tmp *= -clr
        param += tmp
