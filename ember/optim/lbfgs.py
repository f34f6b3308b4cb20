"""L-BFGS with an optional strong-Wolfe line search, on the flattened parameter arrays."""
import math
from typing import NamedTuple

from .._backend import xp_of
from .._creation import as_tensor
from .._tensor import Tensor
from .optimizer import Optimizer, _bump, _check_ranges

__all__ = ["LBFGS"]


class _Probe(NamedTuple):
    """One evaluation on the search line x + step * direction."""
    step: float
    loss: float
    grad: object      # the flat gradient array there
    slope: float      # grad . direction, the derivative of the loss along the line


def _cubic_minimizer(a, b, bounds=None):
    """Where the cubic with a's and b's loss and slope has its minimum (Nocedal & Wright eq. 3.59,
    taken from the right-hand point), clamped to bounds (default: between a and b). Without a
    real minimum, the middle of the bounds."""
    left, right = (a, b) if a.step <= b.step else (b, a)
    lower, upper = bounds if bounds is not None else (left.step, right.step)
    d1 = left.slope + right.slope - 3 * (left.loss - right.loss) / (left.step - right.step)
    radicand = d1 ** 2 - left.slope * right.slope
    if radicand >= 0:
        d2 = math.sqrt(radicand)
        width = right.step - left.step
        step = right.step - width * ((right.slope + d2 - d1) / (right.slope - left.slope + 2 * d2))
        return min(max(step, lower), upper)
    return (lower + upper) / 2.0


def _away_from_ends(step, ends, stalled):
    """Safeguard of the zoom: a trial within a tenth of the interval from an end is accepted once;
    the next time (or when it falls outside) it is moved to that tenth. Returns (step, stalled)."""
    left, right = min(ends), max(ends)
    margin = 0.1 * (right - left)
    if min(right - step, step - left) < margin:
        if stalled or not left < step < right:
            return (right - margin if abs(step - right) < abs(step - left) else left + margin), False
        return step, True
    return step, False


def _strong_wolfe(probe, origin, step, direction_size, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A step meeting the strong Wolfe conditions, by Nocedal & Wright's Algorithm 3.5 (bracketing)
    and 3.6 (zoom). probe(step) evaluates a _Probe; origin is the _Probe at step 0; at most
    max_ls probes follow the first. Returns the accepted _Probe and the number of probes made."""
    def too_high(p):          # fails the sufficient decrease (Armijo) condition
        return p.loss > origin.loss + c1 * p.step * origin.slope

    def flat_enough(p):       # meets the curvature condition
        return abs(p.slope) <= -c2 * origin.slope

    # Algorithm 3.5: grow the step by cubic extrapolation until an interval must hold a Wolfe point.
    prev, cur = origin, probe(step)
    probes = 1
    while True:
        if probes > max_ls:
            return (origin if origin.loss <= cur.loss else cur), probes
        if too_high(cur) or (probes > 2 and cur.loss >= prev.loss):
            break
        if flat_enough(cur):
            return cur, probes
        if cur.slope >= 0:
            break
        bounds = (cur.step + 0.01 * (cur.step - prev.step), cur.step * 10)
        prev, cur = cur, probe(_cubic_minimizer(prev, cur, bounds))
        probes += 1

    # Algorithm 3.6: shrink [prev, cur] around the Wolfe point; `best` is the end with the lower loss.
    ends = [prev, cur]
    best = 0 if prev.loss <= cur.loss else 1
    stalled = False
    while probes <= max_ls:
        if abs(ends[1].step - ends[0].step) * direction_size < tolerance_change:
            break
        trial, stalled = _away_from_ends(_cubic_minimizer(*ends), (ends[0].step, ends[1].step),
                                         stalled)
        p = probe(trial)
        probes += 1
        other = 1 - best
        if too_high(p) or p.loss >= ends[best].loss:
            ends[other] = p
            best = 0 if ends[0].loss <= ends[1].loss else 1
            continue
        if flat_enough(p):
            return p, probes
        if p.slope * (ends[other].step - ends[best].step) >= 0:
            ends[other] = ends[best]
        ends[best] = p
    return ends[best], probes


def _dot(a, b):
    """a . b as a scalar of their dtype: torch's L-BFGS keeps its curvature scalars (ro, H_diag,
    the two-loop coefficients) as 0-d tensors of the parameters' dtype, and float64 arithmetic
    there drifts away from its iterates over many steps."""
    return xp_of(a).dot(a, b)


class LBFGS(Optimizer):
    """L-BFGS; `step(closure)` needs a closure that recomputes the loss and its gradients."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_ranges(lr=lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _gather_flat_grad(self):
        xp = xp_of(self._params[0]._data)
        return xp.concatenate([xp.zeros(p.numel(), p._data.dtype) if p.grad is None
                               else p.grad._data.ravel() for p in self._params])

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            n = p.numel()
            p._data += step_size * update[offset:offset + n].reshape(p._data.shape)
            _bump(p)
            offset += n

    def _set_param(self, arrays):
        for p, a in zip(self._params, arrays):
            p._data[...] = a
            _bump(p)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        def evaluate():
            return self._run_closure(closure)

        # All LBFGS state lives with the first parameter, as in torch.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        xp = xp_of(flat_grad)
        if not flat_grad.size:  # torch takes the gradient's max() here: nothing to take it of
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        if float(xp.abs(flat_grad).max()) <= tolerance_grad:
            return orig_loss

        d = _array(state.get("d"))
        t = state.get("t")
        old_dirs = [_array(v) for v in state.get("old_dirs", [])]
        old_stps = [_array(v) for v in state.get("old_stps", [])]
        ro = [_scalar_value(v) for v in state.get("ro", [])]
        h_diag = _scalar_value(state.get("H_diag"))
        t = _scalar_value(t)
        prev_flat_grad = _array(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1.0
            else:
                # update the curvature pairs, then the two-loop recursion for H * (-grad)
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = _dot(y, s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / _dot(y, y)
                al = [_scalar_value(v) for v in state.get("al", [None] * history_size)]
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = _dot(old_stps[i], q) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = r = q * h_diag
                for i in range(len(old_dirs)):
                    be_i = _dot(old_dirs[i], r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
                state["al"] = [None if v is None else _scalar_tensor(v) for v in al]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / xp.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = _dot(flat_grad, d)
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._data.copy() for p in self._params]

                def probe(step):
                    value, grad = self._directional_evaluate(evaluate, x_init, step, d)
                    return _Probe(step, value, grad, _dot(grad, d))

                found, ls_func_evals = _strong_wolfe(
                    probe, _Probe(0, loss, flat_grad, gtd), t, float(xp.abs(d).max()),
                    max_ls=max_eval - current_evals)
                loss, flat_grad, t = found.loss, found.grad, found.step
                self._add_grad(t, d)
                opt_cond = float(xp.abs(flat_grad).max()) <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss = float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = float(xp.abs(flat_grad).max()) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if float(xp.abs(d * t).max()) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = _tensor(d)
        state["t"] = _scalar_tensor(t)
        state["old_dirs"] = [_tensor(v) for v in old_dirs]
        state["old_stps"] = [_tensor(v) for v in old_stps]
        state["ro"] = [_scalar_tensor(v) for v in ro]
        state["H_diag"] = _scalar_tensor(h_diag)
        state["prev_flat_grad"] = _tensor(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss


def _array(t):
    return None if t is None else t._data


def _scalar_value(v):
    """A state scalar as the arithmetic uses it: a 0-d tensor's value in its dtype, a number as
    it is (torch's state holds 0-d tensors)."""
    return v._data[()] if isinstance(v, Tensor) else v


def _scalar_tensor(v):
    """A state scalar as torch keeps it: a 0-d tensor of the parameters' dtype for an array
    scalar, a Python number as it is (H_diag and t start as 1.0 and a learning rate)."""
    return as_tensor(v) if hasattr(v, "dtype") else v


def _tensor(a):
    return None if a is None else as_tensor(a)
