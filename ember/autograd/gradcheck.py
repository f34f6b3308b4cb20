"""gradcheck / gradgradcheck: analytical gradients against float64 central differences.

PyTorch's defaults (eps=1e-6, atol=1e-5, rtol=1e-3) and checks:
- slow mode compares full Jacobians: the numerical one perturbs each input element in place, the
  analytical one backpropagates each output element;
- fast mode compares one number per (input, output) pair, v^T J u for random non-negative unit
  vectors u (input-shaped) and v (output-shaped): a directional difference along u dotted with v
  against the backward of v dotted with u. An elementwise bound |a - n| <= atol + rtol |n| becomes
  |v^T (A - N) u| <= atol * sum(u) * sum(v) + rtol |v^T N u|;
- a function none of whose outputs requires grad must have a zero numerical gradient (else the
  graph was lost: "Numerical gradient for function expected to be zero");
- a zero cotangent must give zero gradients ("backward not multiplied by grad_output");
- nondet_tol: the backward run twice must agree within it ("Backward is not reentrant");
- check_undefined_grad: the backward of each output's node run with undefined output gradients
  (None to a Function that turned materialize_grads off, else zeros) must not raise a
  RuntimeError and must give undefined or zero gradients;
- check_grad_dtypes: each gradient has its input's dtype and device;
- check_batched_grad: the gradients of a batch of cotangents under ember.func.vmap equal the
  loop over the batch (ember's vmap runs the function per slice, so this checks that the
  backward runs under vmap rather than a batching rule).
Complex inputs and outputs are checked as torch documents (its "Gradcheck mechanics" note): a
complex number is two real ones, so the Jacobians are over real coordinates (the real parts,
then the imaginary parts; _host). The numerical one perturbs each real part by eps and each
imaginary part by i eps; the analytical one backpropagates 1 and i into each element, reading
the gradient dL/dx + i dL/dy (NOTE [ Complex gradients ] in ops/complex.py) as the rows for x
and y. The imaginary and then the real parts of a complex output are compared on their own, and
a mismatch names the part, as torch's message does.
ember has no forward-mode AD (check_forward_ad, check_batched_forward_grad, check_fwd_over_rev):
those raise NotImplementedError. `masked` concerns sparse
inputs, which ember does not have.
"""
import warnings

import numpy as np

from .._tensor import Tensor, _make
from .engine import grad as _grad
from .function import Function


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else ((x,) if not isinstance(x, list) else tuple(x))


def _outputs(fn, inputs):
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]


def _float_outputs(outs):
    return [o for o in outs if o.dtype.is_floating_point or o.dtype.is_complex]


def _host(t):
    """t's values as float64 real coordinates: a complex tensor's real parts, then its imaginary
    parts."""
    a = np.asarray(t.detach().cpu()._data).reshape(-1)
    if a.dtype.kind == "c":
        a = np.concatenate([a.real, a.imag])
    return a.astype(np.float64)


def _coords(t):
    """How many real coordinates t has: two per element when complex."""
    return t.numel() * (2 if t.dtype.is_complex else 1)


def _from_coords(t, vec):
    """A vector of t's real coordinates as an array of t's shape, dtype and device."""
    if t.dtype.is_complex:
        n = t.numel()
        vec = vec[:n] + 1j * vec[n:]
    return _like(t, np.asarray(vec).reshape(t._data.shape))


def _output_parts(out):
    """The columns of out's coordinates compared on their own, each with the part it names: a
    complex output's imaginary parts, then its real parts (torch's order)."""
    if not out.dtype.is_complex:
        return [(None, slice(None))]
    n = out.numel()
    return [("imaginary", slice(n, 2 * n)), ("real", slice(0, n))]


def _refuse_unsupported(check_forward_ad, check_backward_ad, check_batched_forward_grad):
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to "
                             "be True")
    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("gradcheck: ember has no forward-mode AD, so check_forward_ad "
                                  "and check_batched_forward_grad cannot be checked")


# -- Jacobians ------------------------------------------------------------------------------------

def _directional(fn, inputs, t, direction, eps):
    """d out / d t along `direction` (t's shape), for each float output, by central differences."""
    data = t._data
    orig = data.copy()
    try:
        data[...] = orig + eps * direction
        plus = [_host(o) for o in _float_outputs(_outputs(fn, inputs))]
        data[...] = orig - eps * direction
        minus = [_host(o) for o in _float_outputs(_outputs(fn, inputs))]
    finally:
        data[...] = orig
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _numerical(fn, inputs, wrt, eps):
    """J[i][k]: d out_k / d wrt_i over real coordinates (rows: the input's), by central
    differences, perturbing one coordinate at a time in place (by index, so a strided input
    works too)."""
    jac = []
    for t in wrt:
        data = t._data
        cols = [np.zeros((_coords(t), _coords(o)))
                for o in _float_outputs(_outputs(fn, inputs))]
        for j in range(_coords(t)):
            at = np.unravel_index(j % data.size, data.shape)
            step = eps if j < data.size else 1j * eps  # a complex input's imaginary part
            orig = data[at].item()
            try:
                data[at] = orig + step
                plus = [_host(o) for o in _float_outputs(_outputs(fn, inputs))]
                data[at] = orig - step
                minus = [_host(o) for o in _float_outputs(_outputs(fn, inputs))]
            finally:
                data[at] = orig
            for k, (p, m) in enumerate(zip(plus, minus)):
                cols[k][j] = (p - m) / (2 * eps)
        jac.append(cols)
    return jac


def _like(t, array):
    """A host array as t's array type (a device array for a CUDA tensor)."""
    from .._backend import to_device
    if type(t._data) is np.ndarray:
        return array.astype(t._data.dtype)
    return to_device(array.astype(t._data.dtype), "cuda", t.device.index)


def _backward(out, wrt, cotangent):
    """The gradients of wrt for one output and its cotangent (a host vector of out's real
    coordinates), as tensors (None where no gradient flows)."""
    go = _make(_from_coords(out, cotangent))
    return _grad((out,), wrt, (go,), retain_graph=True, allow_unused=True)


def _analytical(outs, wrt):
    """J[i][k] by backpropagating each real coordinate of each output."""
    jac = [[np.zeros((_coords(t), _coords(o))) for o in outs] for t in wrt]
    for k, o in enumerate(outs):
        for j in range(_coords(o)):
            unit = np.zeros(_coords(o))
            unit[j] = 1.0
            for i, gi in enumerate(_backward(o, wrt, unit)):
                if gi is not None:
                    jac[i][k][:, j] = _host(gi)
    return jac


# -- the checks -----------------------------------------------------------------------------------

def _mismatch(k, i, n, a, fast, part=None):
    msg = f"Jacobian mismatch for output {k} with respect to input {i},\nnumerical:{n}\n" \
          f"analytical:{a}\n"
    if part is not None:
        msg = f"While considering the {part} part of complex outputs only, " + msg
    if fast:
        msg += ("\nThe above quantities relating the numerical and analytical jacobians are "
                "computed in fast mode (v^T J u for random vectors u and v); run with "
                "fast_mode=False to compare the full jacobians.\n")
    return GradcheckError(msg)


def _not_reentrant(nondet_tol):
    return GradcheckError("Backward is not reentrant, i.e., running backward with same input "
                          "and grad_output multiple times gives different values, although "
                          "analytical gradient matches numerical gradient. The tolerance for "
                          f"nondeterminism was {nondet_tol}.")


def _slow_check(func, inputs, outs, index, wrt, eps, atol, rtol, nondet_tol):
    analytical = _analytical(outs, wrt)
    numerical = _numerical(func, inputs, wrt, eps)
    for i in range(len(wrt)):
        for k, pos in enumerate(index):
            a, n = analytical[i][k], numerical[i][pos]
            for part, cols in _output_parts(outs[k]):
                if not np.allclose(a[:, cols], n[:, cols], rtol=rtol, atol=atol):
                    raise _mismatch(pos, i, n[:, cols], a[:, cols], False, part)
    again = _analytical(outs, wrt)
    for row, row_again in zip(analytical, again):
        for a, b in zip(row, row_again):
            if np.abs(a - b).max(initial=0.0) > nondet_tol:
                raise _not_reentrant(nondet_tol)


def _fast_check(func, inputs, outs, index, wrt, eps, atol, rtol, nondet_tol):
    rng = np.random.default_rng(0)

    def unit(shape):
        x = rng.uniform(0.0, 1.0, shape)
        norm = np.linalg.norm(x)
        return x / norm if norm else x
    us = [unit(_coords(t)) for t in wrt]
    vs = [unit(_coords(o)) for o in outs]
    for i, (t, u) in enumerate(zip(wrt, us)):
        along = _directional(func, inputs, t, _from_coords(t, u), eps)
        for k, pos in enumerate(index):
            for part, cols in _output_parts(outs[k]):
                v = np.zeros_like(vs[k])
                v[cols] = vs[k][cols]
                n = float(v @ along[pos])
                g = _backward(outs[k], wrt, v)[i]
                a = 0.0 if g is None else float(_host(g) @ u)
                if abs(a - n) > atol * u.sum() * v.sum() + rtol * abs(n):
                    raise _mismatch(pos, i, n, a, True, part)
                g_again = _backward(outs[k], wrt, v)[i]
                a_again = 0.0 if g_again is None else float(_host(g_again) @ u)
                if abs(a - a_again) > nondet_tol:
                    raise _not_reentrant(nondet_tol)


def _check_zero_cotangent(outs, wrt):
    """A zero cotangent through all outputs at once must give zero gradients."""
    gos = tuple(_make(_like(o, np.zeros(o._data.shape))) for o in outs)
    for g in _grad(tuple(outs), wrt, gos, retain_graph=True, allow_unused=True):
        if g is not None and np.any(_host(g)):
            raise GradcheckError("backward not multiplied by grad_output")


class _UndefinedGrad(Function):
    """Identity whose backward gives no gradient: the node that made its input then runs its
    backward with an undefined output gradient (None, or zeros where it materializes grads)."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return None


def _check_undefined_grad(outs, wrt):
    for o in outs:
        cut = _UndefinedGrad.apply(o)
        try:
            grads = _grad((cut,), wrt, (_make(_like(o, np.ones(o._data.shape))),),
                          retain_graph=True, allow_unused=True)
        except RuntimeError as exc:
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at "
                "\"Notes about undefined output gradients\" in \"tools/autograd/derivatives.yaml\""
            ) from exc
        if any(g is not None and np.any(_host(g)) for g in grads):
            raise GradcheckError("Expected all input grads to be undefined or zero when all "
                                 "output grads are undefined or zero.")


def _check_grad_dtypes(outs, wrt):
    for o in outs:
        for t, g in zip(wrt, _backward(o, wrt, np.ones(_coords(o)))):
            if g is None:
                continue
            if g.dtype != t.dtype:
                raise GradcheckError("Gradient has dtype mismatch")
            if g.device != t.device:
                raise GradcheckError("Gradient has device mismatch")


def _check_batched_grad(outs, wrt, atol, rtol):
    """Gradients of a batch of cotangents under ember.func.vmap equal the loop over the batch."""
    from ..func import vmap
    rng = np.random.default_rng(1)
    for k, o in enumerate(outs):
        batch = _make(_like(o, rng.standard_normal((2,) + o._data.shape)))

        def vjp(go, o=o):
            return _grad((o,), wrt, (go,), retain_graph=True, allow_unused=True)
        batched = vmap(vjp)(batch)
        for b in range(2):
            for i, (g, row) in enumerate(zip(vjp(batch[b]), batched)):
                want = np.zeros(wrt[i].numel()) if g is None else _host(g)
                got = np.zeros(wrt[i].numel()) if row is None else _host(row[b])
                if not np.allclose(got, want, rtol=rtol, atol=atol):
                    raise GradcheckError(
                        f"While computing batched gradients for output {k} with respect to "
                        f"input {i}, got: {got}\nexpected: {want}")


def _check(func, inputs, wrt, eps, atol, rtol, nondet_tol, check_undefined_grad,
           check_grad_dtypes, check_batched_grad, fast_mode):
    all_float = _float_outputs(_outputs(func, inputs))
    index = [k for k, o in enumerate(all_float) if o.requires_grad]
    outs = [all_float[k] for k in index]
    if not outs:  # nothing recorded: the function must not depend on the inputs at all
        for row in _numerical(func, inputs, wrt, eps):
            if any(not np.allclose(n, 0.0) for n in row):
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    (_fast_check if fast_mode else _slow_check)(func, inputs, outs, index, wrt, eps, atol, rtol,
                                                nondet_tol)
    _check_zero_cotangent(outs, wrt)
    if check_undefined_grad:
        _check_undefined_grad(outs, wrt)
    if check_grad_dtypes:
        _check_grad_dtypes(outs, wrt)
    if check_batched_grad:
        _check_batched_grad(outs, wrt, atol, rtol)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True when func's analytical gradients match finite differences for all inputs that
    require grad (see the module's docstring for every check); otherwise raise GradcheckError,
    or return False with raise_exception=False."""
    _refuse_unsupported(check_forward_ad, check_backward_ad, check_batched_forward_grad)
    inputs = _as_tuple(inputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for n, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and \
                t.dtype.name not in ("float64", "complex128"):
            warnings.warn(f"Input #{n} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ")
    try:
        _check(func, inputs, wrt, eps, atol, rtol, nondet_tol, check_undefined_grad,
               check_grad_dtypes, check_batched_grad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the function inputs -> d(func)/d(inputs) · grad_outputs (second order).
    Random grad_outputs (non-contiguous with gen_non_contig_grad_outputs) when none are given."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev "
                             "to be True")
    if check_fwd_over_rev:
        raise NotImplementedError("gradgradcheck: ember has no forward-mode AD, so "
                                  "check_fwd_over_rev cannot be checked")
    inputs = _as_tuple(inputs)
    wrt_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outs = [o for o in _float_outputs(_outputs(func, inputs)) if o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_random_grad_output(rng, o, gen_non_contig_grad_outputs)
                             for o in outs)
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
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, masked=masked)


def _random_grad_output(rng, out, non_contiguous):
    """A grad_output for out drawn from [-1, 1), requiring grad; a strided view of a wider array
    when non_contiguous."""
    shape = out._data.shape
    array = _like(out, rng.uniform(-1.0, 1.0, shape + ((2,) if non_contiguous else ())))
    return _make(array[..., 0] if non_contiguous else array).requires_grad_()
