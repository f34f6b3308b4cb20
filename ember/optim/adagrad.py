"""Adagrad (with learning-rate decay, weight decay and maximize)."""
from .._backend import xp_of
from .._creation import full_like
from ._sparse_rows import as_rows, rows_of
from .optimizer import Optimizer, _advance, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    _elementwise = True  # NOTE [ Optimizer chunks ] (optimizer.py)

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

    def _hyperparameters(self, group):
        return (float(group["lr"]), float(group["weight_decay"]), float(group["lr_decay"]),
                float(group["eps"]), group["maximize"])

    def _sparse_update(self, param, grad, state, hp):
        """torch's update with a sparse gradient: only the rows present, from the coalesced
        gradient (the update is not linear in it); weight decay is refused."""
        lr, weight_decay, lr_decay, eps, maximize = hp
        step = _advance(state["step"])
        if maximize:
            grad = -grad
        if weight_decay != 0:
            raise RuntimeError("weight_decay option is not compatible with sparse gradients")
        clr = lr / (1 + (step - 1) * lr_decay)
        grad = grad.coalesce()
        positions, values = rows_of(grad), grad._values()._data
        state_sum = as_rows(state["sum"]._data, grad)
        state_sum[positions] += values * values
        std = xp_of(values).sqrt(state_sum[positions])
        std += eps
        change = values / std
        change *= -clr
        as_rows(param._data, grad)[positions] += change

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor Adagrad, in place on arrays (NOTE [ Optimizer maths ]); no
        fused kernel: on the GPU the same steps run on CuPy arrays."""
        lr, weight_decay, lr_decay, eps, maximize = hp
        state_sum = state["sum"]._data
        step = _advance(state["step"])
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
