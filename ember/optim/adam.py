"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize)."""
from .._backend import elementwise_kernel
from .._creation import zeros_like
from .optimizer import (Optimizer, _advance, _check_ranges, _check_unsupported, _new_step,
                        _weight_decayed)

__all__ = ["Adam"]


class Adam(Optimizer):
    _elementwise = True  # NOTE [ Optimizer chunks ] (optimizer.py)
    _sparse_refusal = ("Adam does not support sparse gradients, please consider SparseAdam "
                       "instead")  # AdamW's too, as torch's

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

    def _init_state(self, param, state, group):
        state["step"] = _new_step()
        state["exp_avg"] = zeros_like(param)
        state["exp_avg_sq"] = zeros_like(param)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(param)

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return (group["amsgrad"], float(beta1), float(beta2), float(group["lr"]),
                float(group["weight_decay"]), float(group["eps"]), group["maximize"],
                group["decoupled_weight_decay"])

    @staticmethod
    def _update(param, grad, state, hp, xp):
        """PyTorch's single-tensor Adam, in place on arrays (NOTE [ Optimizer maths ])."""
        amsgrad, beta1, beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay = hp
        exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
        max_exp_avg_sq = state["max_exp_avg_sq"]._data if amsgrad else None
        step = _advance(state["step"])
        if maximize:
            grad = -grad
        grad = _weight_decayed(param, grad, lr, weight_decay, decoupled_weight_decay)
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
            xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            xp.sqrt(max_exp_avg_sq, out=tmp)
        else:
            xp.sqrt(exp_avg_sq, out=tmp)
        tmp /= bias_correction2_sqrt
        tmp += eps
        xp.divide(exp_avg, tmp, out=tmp)
        tmp *= -step_size
        param += tmp

    @staticmethod
    def _fused_update(param, grad, state, hp, xp):
        """The same update of a CUDA parameter as one kernel (adam_step_)."""
        amsgrad, beta1, beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay = hp
        adam_step_(param, grad, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                   state["max_exp_avg_sq"]._data if amsgrad else None,
                   step=_advance(state["step"]), lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                   weight_decay=weight_decay, decoupled_weight_decay=decoupled_weight_decay,
                   maximize=maximize)


def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, step, lr, beta1, beta2,
               eps, weight_decay=0.0, decoupled_weight_decay=False, maximize=False):
    """Adam/AdamW's update of one CUDA parameter at `step` (1-based) as one fused kernel, in place
    on param and its state (max_exp_avg_sq only with AMSGrad)."""
    sign = -1.0 if maximize else 1.0
    bias1 = 1 - beta1 ** step
    bias2_sqrt = (1 - beta2 ** step) ** 0.5
    step_size = lr / bias1
    decay = 1 - lr * weight_decay if decoupled_weight_decay else 1.0
    l2 = 0.0 if decoupled_weight_decay else weight_decay
    amsgrad = max_exp_avg_sq is not None
    body = ["p = p * decay",
            "T d = sign * g + l2 * p",
            "m = m + (1 - b1) * (d - m)",
            "v = v * b2 + (1 - b2) * d * d"]
    if amsgrad:
        body.append("vmax = max(vmax, v)")
    body.append(f"p = p - step_size * (m / (sqrt({'vmax' if amsgrad else 'v'}) / b2s + eps))")
    outs = "T p, T m, T v" + (", T vmax" if amsgrad else "")
    kernel = elementwise_kernel(f"adam_{amsgrad:d}", "T g, T sign, T decay, T l2, T b1, T b2, "
                                "T b2s, T step_size, T eps", outs, "; ".join(body))
    kernel(grad, sign, decay, l2, beta1, beta2, bias2_sqrt, step_size, eps, param, exp_avg,
           exp_avg_sq, *([max_exp_avg_sq] if amsgrad else []))
