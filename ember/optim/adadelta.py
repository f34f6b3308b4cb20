"""Adadelta (with weight decay and maximize)."""
from .._backend import xp_of
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _bump, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_ranges(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["square_avg"] = zeros_like(p)
                    state["acc_delta"] = zeros_like(p)
            states = [self.state[p] for p in params]
            _adadelta([p._data for p in params], [p.grad._data for p in params],
                      [s["square_avg"]._data for s in states],
                      [s["acc_delta"]._data for s in states], [s["step"] for s in states],
                      lr=float(group["lr"]), rho=float(group["rho"]), eps=float(group["eps"]),
                      weight_decay=float(group["weight_decay"]), maximize=group["maximize"])
            for p in params:
                _bump(p)
        return loss


def _adadelta(params, grads, square_avgs, acc_deltas, steps, *, lr, rho, eps, weight_decay,
              maximize):
    """PyTorch's single-tensor Adadelta, in place on arrays (see NOTE [ Optimizer maths ])."""
    for param, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas,
                                                        steps):
        xp = xp_of(param)
        _advance(step)
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= rho
        tmp = grad * grad
        tmp *= 1 - rho
        square_avg += tmp
        std = square_avg + eps
        xp.sqrt(std, out=std)
        delta = acc_delta + eps
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        acc_delta *= rho
        xp.multiply(delta, delta, out=tmp)
        tmp *= 1 - rho
        acc_delta += tmp
        delta *= -lr
        param += delta
