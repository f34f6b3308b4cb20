"""ember.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp of a function of tensors,
as torch.autograd.functional computes them, on ember's reverse-mode engine.

jvp is the double-vjp trick: u -> vjp(f, x, u) is linear in u, so its vjp against v is J v.
Jacobians are built a row at a time with one reverse pass per output element (vectorize= is
accepted and changes nothing: the rows are the same).
"""
from .. import _creation
from .._tensor import Tensor
from .engine import grad as _grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x, arg_name, fn_name):
    single = isinstance(x, Tensor)
    xs = (x,) if single else tuple(x)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the value at index {i} has type "
                            f"{type(t).__name__}.")
    return single, xs


def _prepare(inputs, create_graph):
    """Fresh tensors that require grad: an alias keeps the caller's graph under create_graph."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else
                 t.detach().requires_grad_(True) for t in inputs)


def _finish(xs, create_graph):
    return tuple(x if x is None or create_graph else x.detach() for x in xs)


def _grads(outputs, inputs, grad_outputs, create_graph, strict, kind="single"):
    """d(outputs)/d(inputs) against grad_outputs; zeros (or strict mode's error) for inputs the
    outputs do not depend on."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    got = [None] * len(inputs)
    if pairs:
        got = list(_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                         create_graph=True, allow_unused=True))
    for i, g in enumerate(got):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of "
                                   f"input {i}. This is not allowed in strict mode"
                                   + (" when create_graph=True." if kind == "double" else "."))
            got[i] = _creation.zeros_like(inputs[i])
    return got


def _check_v(v, outputs, fn_name, what):
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {what} is a single "
                               "Tensor with a single element.")
        return (_creation.ones_like(outputs[0]),)
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(outputs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(outputs)} but got "
                           f"{len(vs)}.")
    for i, (a, b) in enumerate(zip(vs, outputs)):
        if a.shape != b.shape:
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {tuple(b.shape)} "
                               f"but got {tuple(a.shape)}.")
    return vs


def _call(func, xs, fn_name):
    out = func(*xs)
    single, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    return single, outs


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at inputs."""
    single_in, xs = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        single_out, outs = _call(func, xs, "vjp")
        vs = _check_v(v, outs, "vjp", "user-provided function returns")
        got = _grads(outs, xs, vs, create_graph, strict, "single")
    outs, got = _finish(outs, create_graph), _finish(got, create_graph)
    return (outs[0] if single_out else outs), (got[0] if single_in else tuple(got))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product at inputs (by two reverse passes)."""
    single_in, xs = _as_tuple(inputs, "inputs", "jvp")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        if v is None:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            vs = (_creation.ones_like(xs[0]),)
        else:
            vs = _check_v(v, xs, "jvp", "input to the user-provided function is")
        single_out, outs = _call(func, xs, "jvp")
        dummies = tuple(_creation.zeros_like(o).requires_grad_(True) for o in outs)
        vjps = _grads(outs, xs, dummies, True, strict, "single")
        pairs = [(g, u) for g, u in zip(vjps, vs) if g.requires_grad]
        got = [None] * len(outs)
        if pairs:
            got = list(_grad([g for g, _ in pairs], dummies, [u for _, u in pairs],
                             create_graph=create_graph, allow_unused=True))
        got = [_creation.zeros_like(o) if g is None else g for g, o in zip(got, outs)]
    outs, got = _finish(outs, create_graph), _finish(got, create_graph)
    return (outs[0] if single_out else outs), (got[0] if single_out else tuple(got))


def _rows(out, xs, create_graph, strict):
    """d out / d xs, each shaped out.shape + x.shape, a reverse pass per element of out."""
    from ..ops.join import stack  # the ops layer sits above autograd (as engine.py's _ops)
    flat = out.reshape(-1)
    per_input = [[] for _ in xs]
    for k in range(flat.numel()):
        seed = _creation.zeros_like(flat)
        seed[k] = 1.0
        for i, g in enumerate(_grads((flat,), xs, (seed,), create_graph, strict, "single")):
            per_input[i].append(g)
    jac = []
    for x, rows in zip(xs, per_input):
        if rows:
            j = stack(rows).reshape(tuple(out.shape) + tuple(x.shape))
        else:
            j = _creation.zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)
        jac.append(j if create_graph else j.detach())
    return jac


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs: for output i and input j, out_i.shape + in_j.shape."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         "Hint: If your function has more outputs than inputs, "
                         '"forward-mode" tends to be more performant. Otherwise, prefer to use '
                         '"reverse-mode".')
    single_in, xs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        single_out, outs = _call(func, xs, "jacobian")
        jacs = [_rows(o, xs, create_graph, strict) for o in outs]
    rows = [j[0] if single_in else tuple(j) for j in jacs]
    return rows[0] if single_out else tuple(rows)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function with one scalar output."""
    single_in, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args):
        single_out, outs = _call(func, args, "hessian")
        if not single_out or outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        got = _grads((outs[0].reshape(()),), args, (_creation.ones_like(outs[0].reshape(())),),
                     True, strict, "double")
        return got[0] if single_in else tuple(got)

    return jacobian(gradient, xs[0] if single_in else xs, create_graph=create_graph,
                    strict=strict, strategy=outer_jacobian_strategy)


def _second(func, inputs, v, create_graph, strict, fn_name):
    single_in, xs = _as_tuple(inputs, "inputs", fn_name)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        single_out, outs = _call(func, xs, fn_name)
        if not single_out or outs[0].numel() != 1:
            raise RuntimeError(f"The function given in {fn_name} should return a single Tensor "
                               "with a single element.")
        if v is None:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            vs = (_creation.ones_like(xs[0]),)
        else:
            vs = _check_v(v, xs, fn_name, "input to the user-provided function is")
        out = outs[0].reshape(())
        grads = _grads((out,), xs, (_creation.ones_like(out),), True, strict, "double")
        pairs = [(g, u) for g, u in zip(grads, vs) if g.requires_grad]
        got = [None] * len(xs)
        if pairs:  # the Hessian is symmetric: v^T H and H v are the same product
            got = list(_grad([g for g, _ in pairs], xs, [u for _, u in pairs],
                             create_graph=create_graph, allow_unused=True))
        got = [_creation.zeros_like(x) if g is None else g for g, x in zip(got, xs)]
    out, got = _finish((outs[0],), create_graph)[0], _finish(got, create_graph)
    return out, (got[0] if single_in else tuple(got))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    return _second(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar function (the same as vhp: H is symmetric)."""
    return _second(func, inputs, v, create_graph, strict, "hvp")
