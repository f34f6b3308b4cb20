"""ASGD: stochastic gradient descent with iterate averaging (Polyak-Ruppert)."""
import numpy

from .. import _dtype
from .._creation import tensor, zeros_like
from .optimizer import Optimizer, _advance, _check_ranges, _check_unsupported, _new_step

__all__ = ["ASGD"]


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_ranges(lr=lr, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        # eta (the current step size) and mu (the averaging weight) are float32 scalars, as
        # PyTorch keeps them: their rounding is part of the trajectory.
        state["step"] = _new_step()
        state["eta"] = tensor(float(group["lr"]), dtype=_dtype.float32)
        state["mu"] = tensor(1.0, dtype=_dtype.float32)
        state["ax"] = zeros_like(param)

    def _hyperparameters(self, group):
        return (float(group["lr"]), float(group["lambd"]), float(group["alpha"]),
                float(group["t0"]), float(group["weight_decay"]), group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor ASGD, in place on arrays (NOTE [ Optimizer maths ])."""
        lr, lambd, alpha, t0, weight_decay, maximize = hp
        eta, mu, ax = state["eta"]._data, state["mu"]._data, state["ax"]._data
        step = _advance(state["step"])
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        eta_value = eta.item()
        param *= 1 - lambd * eta_value
        param += grad * -eta_value
        if mu.item() != 1:
            ax += (param - ax) * mu.item()
        else:
            ax[...] = param
        # rounded to float32 even where a loaded state dict made eta and mu float64, as in
        # PyTorch (which writes a default-dtype scalar into them)
        eta[...] = numpy.float32(lr / ((1 + lambd * lr * step) ** alpha))
        mu[...] = numpy.float32(1 / max(1, step - t0))
