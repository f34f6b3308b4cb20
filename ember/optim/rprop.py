"""Rprop: resilient backpropagation, per-element step sizes steered by the gradient's sign."""
from .._creation import full_like, zeros_like
from .optimizer import Optimizer, _advance, _check_ranges, _check_unsupported, _new_step

__all__ = ["Rprop"]


class Rprop(Optimizer):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_ranges(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["prev"] = zeros_like(param)
        lr = float(group["lr"])
        # a complex parameter steps its real and imaginary parts alike, lr each (as torch)
        state["step_size"] = full_like(param, complex(lr, lr) if param.is_complex() else lr)

    def _hyperparameters(self, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return (float(etaminus), float(etaplus), float(step_size_min), float(step_size_max),
                group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor Rprop, in place on arrays (NOTE [ Optimizer maths ])."""
        etaminus, etaplus, step_size_min, step_size_max, maximize = hp
        prev, step_size = state["prev"]._data, state["step_size"]._data
        _advance(state["step"])
        if maximize:
            grad = -grad
        agreement = grad * prev
        factor = xp.where(agreement > 0, etaplus, xp.where(agreement < 0, etaminus, 1.0))
        step_size *= factor.astype(step_size.dtype, copy=False)
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        # after a sign change the step is skipped and the gradient forgotten
        grad = xp.where(agreement < 0, 0, grad).astype(grad.dtype, copy=False)
        param -= xp.sign(grad) * step_size
        prev[...] = grad
