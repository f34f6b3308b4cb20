"""SparseAdam: Adam's moments and update on the rows that a sparse gradient holds, the others left
as they are (torch's lazy Adam for nn.Embedding(sparse=True))."""
import math

from .._backend import xp_of
from .._creation import zeros_like
from ._sparse_rows import as_rows, rows_of
from .optimizer import Optimizer

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[g, k] for g, group in enumerate(self.param_groups)
                          for k, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not "
                             "support complex parameters")

    def step(self, closure=None):
        """One update of every parameter that has a (sparse) gradient; returns what closure
        returned. The step count (a Python int, as torch keeps it) advances for every such
        parameter, even one whose gradient holds no entry."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            lr, eps, maximize = float(group["lr"]), float(group["eps"]), group["maximize"]
            live = []
            for p in group["params"]:
                if p.grad is None:
                    continue
                if not p.grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                state["step"] += 1
                live.append((p, state))
            for p, state in live:
                grad = -p.grad if maximize else p.grad
                _lazy_adam(p, grad.coalesce(), state, lr, beta1, beta2, eps)
                p._vc[0] += 1
        return loss


def _lazy_adam(param, grad, state, lr, beta1, beta2, eps):
    """Adam's moments and step on the rows of a coalesced sparse gradient, in place."""
    values = grad._values()._data
    if values.size == 0:
        return
    rows = rows_of(grad)
    exp_avg = as_rows(state["exp_avg"]._data, grad)
    exp_avg_sq = as_rows(state["exp_avg_sq"]._data, grad)
    old_avg, old_sq = exp_avg[rows], exp_avg_sq[rows]
    avg_change = (values - old_avg) * (1 - beta1)
    sq_change = (values * values - old_sq) * (1 - beta2)
    exp_avg[rows] += avg_change
    exp_avg_sq[rows] += sq_change
    new_avg = avg_change + old_avg
    denom = xp_of(values).sqrt(sq_change + old_sq)
    denom += eps
    step = state["step"]
    step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    as_rows(param._data, grad)[rows] += -step_size * (new_avg / denom)
