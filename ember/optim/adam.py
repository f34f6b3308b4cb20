"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize)."""
from .._backend import adam_step_, is_cpu_array, xp_of
from .._creation import zeros_like
from .optimizer import Optimizer, _advance, _bump, _check_ranges, _check_unsupported, _new_step

__all__ = ["Adam"]


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_ranges(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            amsgrad = group["amsgrad"]
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_like(p)
            states = [self.state[p] for p in params]
            beta1, beta2 = group["betas"]
            _adam([p._data for p in params], [p.grad._data for p in params],
                  [s["exp_avg"]._data for s in states], [s["exp_avg_sq"]._data for s in states],
                  [s["max_exp_avg_sq"]._data for s in states] if amsgrad else [],
                  [s["step"] for s in states], amsgrad=amsgrad, beta1=float(beta1),
                  beta2=float(beta2), lr=float(group["lr"]),
                  weight_decay=float(group["weight_decay"]), eps=float(group["eps"]),
                  maximize=group["maximize"],
                  decoupled_weight_decay=group["decoupled_weight_decay"])
            for p in params:
                _bump(p)
        return loss


def _adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, amsgrad, beta1,
          beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay):
    """PyTorch's single-tensor Adam, in place on arrays (see NOTE [ Optimizer maths ])."""
    for i, param in enumerate(params):
        xp = xp_of(param)
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        step = _advance(steps[i])
        if not is_cpu_array(param):  # one fused kernel on the GPU
            adam_step_(param, grads[i], exp_avg, exp_avg_sq,
                       max_exp_avg_sqs[i] if amsgrad else None, step=step, lr=lr, beta1=beta1,
                       beta2=beta2, eps=eps, weight_decay=weight_decay,
                       decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
            continue
        grad = -grads[i] if maximize else grads[i]
        if weight_decay != 0:
            if decoupled_weight_decay:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        tmp = grad - exp_avg  # exp_avg.lerp_(grad, 1 - beta1)
        tmp *= 1 - beta1
        exp_avg += tmp
        exp_avg_sq *= beta2
        xp.multiply(grad, grad, out=tmp)
        tmp *= 1 - beta2
        exp_avg_sq += tmp
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if amsgrad:
            xp.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
            xp.sqrt(max_exp_avg_sqs[i], out=tmp)
        else:
            xp.sqrt(exp_avg_sq, out=tmp)
        tmp /= bias_correction2_sqrt
        tmp += eps
        xp.divide(exp_avg, tmp, out=tmp)
        tmp *= -step_size
        param += tmp
