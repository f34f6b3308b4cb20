"""Adadelta (with weight decay and maximize)."""
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    _elementwise = True  # NOTE [ Optimizer chunks ] (optimizer.py)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_ranges(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["square_avg"] = zeros_like(param)
        state["acc_delta"] = zeros_like(param)

    def _hyperparameters(self, group):
        return (float(group["lr"]), float(group["rho"]), float(group["eps"]),
                float(group["weight_decay"]), group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor Adadelta, in place on arrays (NOTE [ Optimizer maths ]); no
        fused kernel: on the GPU the same steps run on CuPy arrays."""
        lr, rho, eps, weight_decay, maximize = hp
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        _advance(state["step"])
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
