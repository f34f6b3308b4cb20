"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""
from .._backend import elementwise_kernel
from .._creation import as_tensor
from .optimizer import Optimizer, _check_ranges, _check_unsupported

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

    def _hyperparameters(self, group):
        return (float(group["lr"]), float(group["momentum"]), float(group["dampening"]),
                float(group["weight_decay"]), group["nesterov"], group["maximize"])

    def _states(self, params, group):
        """Without momentum SGD keeps no state. With it, each parameter's state and its momentum
        buffer as read before any update: the first step makes the buffer (a parameter listed
        twice starts both updates from no buffer, as in PyTorch)."""
        if float(group["momentum"]) == 0:
            return [None] * len(params)
        states = []
        for p in params:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            states.append((state, getattr(buf, "_data", None)))  # a sparse buffer: None
        return states

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's update, in place on host arrays."""
        lr, momentum, dampening, weight_decay, nesterov, maximize = hp
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param
        if momentum != 0:
            holder, buf = state
            if buf is None:
                buf = grad.copy()  # the first buffer is the gradient
                holder.setdefault("momentum_buffer", as_tensor(buf))
            else:
                buf *= momentum
                if dampening == 0:
                    buf += grad
                else:
                    buf += (1 - dampening) * grad
            grad = grad + momentum * buf if nesterov else buf
        param -= lr * grad

    def _sparse_update(self, param, grad, state, hp):
        """torch's update with a sparse gradient: the momentum buffer is sparse too (its entries
        pile up step after step, as torch's); weight decay raises torch's add(sparse, dense)
        error."""
        lr, momentum, dampening, weight_decay, nesterov, maximize = hp
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad.add(param.data, alpha=weight_decay)
        if momentum != 0:
            holder = self.state[param]
            buf = holder.get("momentum_buffer")
            if buf is None:
                buf = holder["momentum_buffer"] = grad.clone().detach()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        param.data.add_(grad, alpha=-lr)

    @staticmethod
    def _fused_update(param, grad, state, hp, xp):
        """The same update of a CUDA parameter as one kernel (sgd_step_)."""
        lr, momentum, dampening, weight_decay, nesterov, maximize = hp
        buf, first = None, False
        if momentum != 0:
            holder, buf = state
            first = buf is None
            if first:
                buf = xp.empty_like(param)  # the kernel sets it to the gradient
                holder.setdefault("momentum_buffer", as_tensor(buf))
        sgd_step_(param, grad, buf, lr=lr, momentum=momentum, dampening=dampening,
                  weight_decay=weight_decay, nesterov=nesterov, maximize=maximize, first=first)


def sgd_step_(param, grad, buf, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
              nesterov=False, maximize=False, first=False):
    """SGD's update of one CUDA parameter as one fused kernel, in place on param (and on buf, the
    momentum buffer, when momentum != 0; `first` marks its first step, where buf is set to the
    gradient)."""
    sign = -1.0 if maximize else 1.0
    body = ["T d = sign * g + wd * p"]
    ins, outs = "T g, T lr, T sign, T wd", "T p"
    if momentum != 0:
        ins, outs = ins + ", T mom, T damp", outs + ", T buf"
        body.append("buf = d" if first else "buf = mom * buf + (1 - damp) * d")
        body.append("d = d + mom * buf" if nesterov else "d = buf")
    body.append("p = p - lr * d")
    name = f"sgd_{momentum != 0:d}{nesterov:d}{first:d}"
    args = [grad, lr, sign, weight_decay] + ([momentum, dampening] if momentum != 0 else [])
    kernel = elementwise_kernel(name, ins, outs, "; ".join(body))
    kernel(*args, param, *([buf] if momentum != 0 else []))
