"""RMSprop (with momentum, centered variant, weight decay and maximize)."""
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _check_ranges, _check_unsupported, _new_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    _elementwise = True  # NOTE [ Optimizer chunks ] (optimizer.py)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_ranges(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["square_avg"] = zeros_like(param)
        if float(group["momentum"]) > 0:
            state["momentum_buffer"] = zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = zeros_like(param)

    def _hyperparameters(self, group):
        return (float(group["lr"]), float(group["alpha"]), float(group["eps"]),
                float(group["weight_decay"]), float(group["momentum"]), group["centered"],
                group["maximize"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor RMSprop, in place on arrays (NOTE [ Optimizer maths ]); no
        fused kernel: on the GPU the same steps run on CuPy arrays."""
        lr, alpha, eps, weight_decay, momentum, centered, maximize = hp
        if maximize:
            grad = -grad
        square_avg = state["square_avg"]._data
        grad_avg = state["grad_avg"]._data if centered else None
        buf = state["momentum_buffer"]._data if momentum > 0 else None
        _advance(state["step"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= alpha
        avg = grad * grad
        avg *= 1 - alpha
        square_avg += avg
        if centered:
            xp.subtract(grad, grad_avg, out=avg)  # grad_avg.lerp_(grad, 1 - alpha)
            avg *= 1 - alpha
            grad_avg += avg
            xp.multiply(grad_avg, grad_avg, out=avg)
            xp.subtract(square_avg, avg, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(square_avg, out=avg)
        avg += eps
        if momentum > 0:
            buf *= momentum
            xp.divide(grad, avg, out=avg)
            buf += avg
            xp.multiply(buf, lr, out=avg)
            param -= avg
        else:
            xp.divide(grad, avg, out=avg)
            avg *= -lr
            param += avg
