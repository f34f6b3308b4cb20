"""gradcheck / gradgradcheck: analytical gradients against float64 central differences.

PyTorch's defaults (eps=1e-6, atol=1e-5, rtol=1e-3). The numerical Jacobian perturbs each input
element in place; the analytical one backpropagates each output element (or, with fast_mode, a
random projection), so both sides are compared as full matrices.
"""
import numpy as np

from .._tensor import Tensor, _make
from .engine import grad as _grad


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else ((x,) if not isinstance(x, list) else tuple(x))


def _outputs(fn, inputs):
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]


def _float_outputs(outs):
    return [o for o in outs if o.dtype.is_floating_point]


def _numerical(fn, inputs, wrt, eps):
    """J[k][o]: d out_o / d input_k, flattened, by central differences."""
    jac = []
    for t in wrt:
        data = t._data
        flat = data.reshape(-1)
        base = _float_outputs(_outputs(fn, inputs))
        cols = [np.zeros((flat.size, o.numel())) for o in base]
        for j in range(flat.size):
            orig = flat[j].item()
            flat[j] = orig + eps
            plus = [np.array(o._data, np.float64).reshape(-1)
                    for o in _float_outputs(_outputs(fn, inputs))]
            flat[j] = orig - eps
            minus = [np.array(o._data, np.float64).reshape(-1)
                     for o in _float_outputs(_outputs(fn, inputs))]
            flat[j] = orig
            for k, (p, m) in enumerate(zip(plus, minus)):
                cols[k][j] = (p - m) / (2 * eps)
        jac.append(cols)
    return jac


def _analytical(outs, wrt):
    jac = [[np.zeros((t.numel(), o.numel())) for o in outs] for t in wrt]
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for j in range(o.numel()):
            g = np.zeros(o.numel(), dtype=o._data.dtype)
            g[j] = 1
            gs = _grad((o,), wrt, (_make(g.reshape(o._data.shape)),), retain_graph=True,
                       allow_unused=True)
            for i, gi in enumerate(gs):
                if gi is not None:
                    jac[i][k][:, j] = np.asarray(gi._data, np.float64).reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **kwargs):
    """True when func's analytical gradients match finite differences for all inputs that
    require grad; otherwise raise GradcheckError (or return False with raise_exception=False)."""
    inputs = _as_tuple(inputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in wrt:
        if t.dtype.name != "float64":
            import warnings
            warnings.warn("Input #0 requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point.")
    outs = _float_outputs(_outputs(func, inputs))
    if not any(o.requires_grad for o in outs):
        return True
    analytical = _analytical(outs, wrt)
    numerical = _numerical(func, inputs, wrt, eps)
    for i in range(len(wrt)):
        for k in range(len(outs)):
            a, n = analytical[i][k], numerical[i][k]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{n}\nanalytical:{a}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kwargs):
    """gradcheck of the function inputs -> d(func)/d(inputs) · grad_outputs (second order)."""
    inputs = _as_tuple(inputs)
    wrt_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outs = [o for o in _float_outputs(_outputs(func, inputs)) if o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_make(rng.standard_normal(o.shape).astype(o._data.dtype))
                             .requires_grad_() for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_order(*args):
        ins, gos = args[:n_in], args[n_in:]
        os_ = [o for o in _float_outputs(_outputs(func, ins)) if o.requires_grad]
        wrt = [ins[i] for i in wrt_idx]
        return _grad(tuple(os_), wrt, gos, create_graph=True, allow_unused=True)

    def wrapped(*args):
        return tuple(g for g in first_order(*args) if g is not None)

    return gradcheck(wrapped, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
