"""RMSprop (with momentum, centered variant, weight decay and maximize)."""
from .._backend import xp_of
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _bump, _check_ranges, _check_unsupported, _new_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_ranges(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            momentum = float(group["momentum"])
            centered = group["centered"]
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["square_avg"] = zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if centered:
                        state["grad_avg"] = zeros_like(p)
            states = [self.state[p] for p in params]
            _rmsprop([p._data for p in params], [p.grad._data for p in params],
                     [s["square_avg"]._data for s in states],
                     [s["grad_avg"]._data for s in states] if centered else [],
                     [s["momentum_buffer"]._data for s in states] if momentum > 0 else [],
                     [s["step"] for s in states], lr=float(group["lr"]),
                     alpha=float(group["alpha"]), eps=float(group["eps"]),
                     weight_decay=float(group["weight_decay"]), momentum=momentum,
                     centered=centered, maximize=group["maximize"])
            for p in params:
                _bump(p)
        return loss


def _rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffers, steps, *, lr, alpha, eps,
             weight_decay, momentum, centered, maximize):
    """PyTorch's single-tensor RMSprop, in place on arrays (see NOTE [ Optimizer maths ])."""
    for i, param in enumerate(params):
        xp = xp_of(param)
        grad = -grads[i] if maximize else grads[i]
        square_avg = square_avgs[i]
        _advance(steps[i])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        square_avg *= alpha
        avg = grad * grad
        avg *= 1 - alpha
        square_avg += avg
        if centered:
            grad_avg = grad_avgs[i]
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
            buf = momentum_buffers[i]
            buf *= momentum
            xp.divide(grad, avg, out=avg)
            buf += avg
            xp.multiply(buf, lr, out=avg)
            param -= avg
        else:
            xp.divide(grad, avg, out=avg)
            avg *= -lr
            param += avg
