"""Adagrad (with learning-rate decay, weight decay and maximize)."""
from .._backend import xp_of
from .._creation import full_like
from .optimizer import Optimizer, _advance, _bump, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_ranges(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # As torch, the state exists from construction on.
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _new_step()
                state["sum"] = full_like(p, initial_accumulator_value)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self.state[p] for p in params]
            _adagrad([p._data for p in params], [p.grad._data for p in params],
                     [s["sum"]._data for s in states], [s["step"] for s in states],
                     lr=float(group["lr"]), weight_decay=float(group["weight_decay"]),
                     lr_decay=float(group["lr_decay"]), eps=float(group["eps"]),
                     maximize=group["maximize"])
            for p in params:
                _bump(p)
        return loss


def _adagrad(params, grads, state_sums, steps, *, lr, weight_decay, lr_decay, eps, maximize):
    """PyTorch's single-tensor Adagrad, in place on arrays (see NOTE [ Optimizer maths ])."""
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, steps):
        xp = xp_of(param)
        step = _advance(step_t)
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        clr = lr / (1 + (step - 1) * lr_decay)
        tmp = grad * grad
        state_sum += tmp
        xp.sqrt(state_sum, out=tmp)
        tmp += eps
        xp.divide(grad, tmp, out=tmp)
        tmp *= -clr
        param += tmp
