"""grad, grad_and_value, vjp, jvp, jacrev, jacfwd and hessian as function transforms, on ember's
reverse-mode engine. Each call differentiates with create_graph, so transforms nest (grad of
grad, jacfwd of jacrev) and a result stays differentiable in whatever else requires grad."""
import functools

from .. import _creation
from .._tensor import Tensor
from ..autograd.engine import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad
from ..ops.join import stack

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


def _leaves(tree):
    """The Tensors of a pytree of tuples, lists and dicts, in order."""
    if isinstance(tree, Tensor):
        return [tree]
    if isinstance(tree, (tuple, list)):
        return [t for x in tree for t in _leaves(x)]
    if isinstance(tree, dict):
        return [t for x in tree.values() for t in _leaves(x)]
    return []


def _rebuild(tree, values):
    """tree with its Tensors replaced, in order, by the iterator `values`."""
    if isinstance(tree, Tensor):
        return next(values)
    if isinstance(tree, (tuple, list)):
        return type(tree)(_rebuild(x, values) for x in tree)
    if isinstance(tree, dict):
        return {k: _rebuild(x, values) for k, x in tree.items()}
    return tree


def _map(fn, tree):
    return _rebuild(tree, iter([fn(t) for t in _leaves(tree)]))


def _alias(t):
    """A tensor that requires grad, standing for t: a view keeps t's own graph."""
    return t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True)


def _reaches_outer_leaf(tensors, args):
    """Whether the graph of `tensors` reaches a leaf other than the fresh ones _alias made for
    `args`: an enclosing transform's input, or a tensor func closed over that requires grad."""
    own = {id(t) for t in _leaves(args) if t.grad_fn is None}
    stack_, seen = [t.grad_fn for t in tensors if t.grad_fn is not None], set()
    while stack_:
        node = stack_.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None and id(variable) not in own:
            return True
        stack_.extend(n for n, _ in node.next_functions if n is not None)
    return False


def _plain(tree, args):
    """tree detached, unless its graph reaches outside this transform (then torch keeps it)."""
    tensors = _leaves(tree)
    if _reaches_outer_leaf(tensors, args):
        return tree
    return _rebuild(tree, iter([t.detach() for t in tensors]))


def _check_argnums(argnums, n):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(a)}")
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return nums


def _split_aux(out, has_aux, name):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{name}(f, ...)(*args): output of function f should be a tuple: "
                           "(output, aux) if has_aux is True")
    return out


def _differentiate(outputs, inputs, seeds):
    """sum over outputs of seed . d output / d input, zeros where an input is unused."""
    pairs = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
    got = [None] * len(inputs)
    if pairs:
        got = _autograd_grad([o for o, _ in pairs], inputs, [s for _, s in pairs],
                             create_graph=True, allow_unused=True)
    return [_creation.zeros_like(x) if g is None else g for g, x in zip(got, inputs)]


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (d func / d args[argnums], func(*args)); func returns one scalar."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _check_argnums(argnums, len(args))
        args = list(args)
        with enable_grad():
            for a in nums:
                args[a] = _map(_alias, args[a])
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.numel() != 1:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.dim()} dims. Maybe "
                                   "you wanted to use the vjp or jacrev APIs instead?")
            wrt = [_leaves(args[a]) for a in nums]
            flat = [t for ts in wrt for t in ts]
            got = iter(_differentiate([out.reshape(())], flat, [_creation.ones_like(out)
                                                                .reshape(())]))
        grads = [_rebuild(args[a], got) for a in nums]
        g = _plain(grads[0] if isinstance(argnums, int) else tuple(grads), args)
        out = _plain(out, args)
        return g, ((out, aux) if has_aux else out)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning d func / d args[argnums] (and func's aux output when has_aux)."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn), vjp_fn(cotangents) giving a tuple, one gradient per primal."""
    with enable_grad():
        xs = [_map(_alias, p) for p in primals]
        out, aux = _split_aux(func(*xs), has_aux, "vjp")
    outs = _leaves(out)
    flat = _leaves(xs)
    out = _plain(out, xs)

    def vjp_fn(cotangents):
        cts = _leaves(cotangents)
        if len(cts) != len(outs):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function")
        with enable_grad():
            got = iter(_differentiate(outs, flat, cts))
        return _plain(tuple(_rebuild(x, got) for x in xs), xs)

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(func, primals, tangents, *, has_aux=False):
    """(func(*primals), J tangents), by two reverse passes (the double-vjp trick)."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be "
                           "tuples")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure")
    with enable_grad():
        xs = [_map(_alias, p) for p in primals]
        out, aux = _split_aux(func(*xs), has_aux, "jvp")
        outs = _leaves(out)
        flat = _leaves(xs)
        dummies = [_creation.zeros_like(o).requires_grad_(True) for o in outs]
        vjps = _differentiate(outs, flat, dummies)
        got = iter(_differentiate(vjps, dummies, _leaves(tangents)))
    result = (_plain(out, xs), _plain(_rebuild(out, got), xs))
    return result + (aux,) if has_aux else result


def _jacobian_of(out_leaf, flat):
    """Rows d out[k] / d flat, stacked: out.shape + x.shape per x."""
    vec = out_leaf.reshape(-1)
    rows = []
    for k in range(vec.numel()):
        seed = _creation.zeros_like(vec)
        seed[k] = 1.0
        rows.append(_differentiate([vec], flat, [seed]))
    jac = []
    for i, x in enumerate(flat):
        if rows:
            j = stack([r[i] for r in rows])
        else:
            j = _creation.zeros((0,) + tuple(x.shape), dtype=x.dtype)
        jac.append(j.reshape(tuple(out_leaf.shape) + tuple(x.shape)))
    return jac


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function returning the Jacobian of func with respect to args[argnums]: for each output
    (a pytree) and each input, output.shape + input.shape."""
    @functools.wraps(func)
    def wrapper(*args):
        nums = _check_argnums(argnums, len(args))
        args = list(args)
        with enable_grad():
            for a in nums:
                args[a] = _map(_alias, args[a])
            out, aux = _split_aux(func(*args), has_aux, "jacrev")
            flat = [t for a in nums for t in _leaves(args[a])]

            def per_output(o):
                got = iter(_jacobian_of(o, flat))
                parts = [_rebuild(args[a], got) for a in nums]
                return parts[0] if isinstance(argnums, int) else tuple(parts)

            jac = _plain(_rebuild(out, iter([per_output(o) for o in _leaves(out)])), args)
        return (jac, aux) if has_aux else jac
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The same Jacobian as jacrev (ember computes it in reverse mode)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The Hessian of a scalar func with respect to args[argnums]."""
    return jacfwd(jacrev(func, argnums), argnums)
