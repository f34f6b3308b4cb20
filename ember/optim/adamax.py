"""Adamax: Adam with the infinity norm (with weight decay and maximize)."""
from .._backend import xp_of
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _bump, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adamax"]


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_ranges(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_inf"] = zeros_like(p)
            states = [self.state[p] for p in params]
            beta1, beta2 = group["betas"]
            _adamax([p._data for p in params], [p.grad._data for p in params],
                    [s["exp_avg"]._data for s in states], [s["exp_inf"]._data for s in states],
                    [s["step"] for s in states], eps=float(group["eps"]), beta1=float(beta1),
                    beta2=float(beta2), lr=float(group["lr"]),
                    weight_decay=float(group["weight_decay"]), maximize=group["maximize"])
            for p in params:
                _bump(p)
        return loss


def _adamax(params, grads, exp_avgs, exp_infs, steps, *, eps, beta1, beta2, lr, weight_decay,
            maximize):
    """PyTorch's single-tensor Adamax, in place on arrays (see NOTE [ Optimizer maths ])."""
    for param, grad, exp_avg, exp_inf, step_t in zip(params, grads, exp_avgs, exp_infs, steps):
        xp = xp_of(param)
        if maximize:
            grad = -grad
        step = _advance(step_t)
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
