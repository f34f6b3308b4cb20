"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""
from .._backend import is_cpu_array, sgd_step_, xp_of
from .._creation import as_tensor
from .optimizer import Optimizer, _bump, _check_ranges, _check_unsupported

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        _check_ranges(lr=lr, momentum=momentum, weight_decay=weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported(differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            momentum = float(group["momentum"])
            bufs = []
            if momentum != 0:
                bufs = [self.state[p].get("momentum_buffer") for p in params]
                bufs = [None if b is None else b._data for b in bufs]
            _sgd([p._data for p in params], [p.grad._data for p in params], bufs,
                 lr=float(group["lr"]), weight_decay=float(group["weight_decay"]),
                 momentum=momentum, dampening=float(group["dampening"]),
                 nesterov=group["nesterov"], maximize=group["maximize"])
            for i, p in enumerate(params):
                _bump(p)
                if momentum != 0 and "momentum_buffer" not in self.state[p]:
                    self.state[p]["momentum_buffer"] = as_tensor(bufs[i])
        return loss


def _sgd(params, grads, momentum_buffers, *, lr, weight_decay, momentum, dampening, nesterov,
         maximize):
    """PyTorch's update, in place on arrays; new momentum buffers are stored into the list."""
    for i, param in enumerate(params):
        if not is_cpu_array(param):  # one fused kernel on the GPU
            buf = momentum_buffers[i] if momentum != 0 else None
            first = momentum != 0 and buf is None
            if first:
                buf = momentum_buffers[i] = xp_of(param).empty_like(param)
            sgd_step_(param, grads[i], buf, lr=lr, momentum=momentum, dampening=dampening,
                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize, first=first)
            continue
        grad = -grads[i] if maximize else grads[i]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:
                buf = momentum_buffers[i] = grad.copy()  # the first buffer is the gradient
            else:
                buf *= momentum
                if dampening == 0:
                    buf += grad
                else:
                    buf += (1 - dampening) * grad
            grad = grad + momentum * buf if nesterov else buf
        param -= lr * grad
