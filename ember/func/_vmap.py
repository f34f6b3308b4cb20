"""vmap: func mapped over a batch dimension, by running it on each slice and stacking the results
(select and stack are differentiable ops, so gradients flow through as in torch)."""
import functools

from .. import _random
from .._tensor import Tensor
from ..ops.join import stack
from ._grad import _leaves, _rebuild

__all__ = ["vmap"]


def _dims_for(arg, dims):
    """in_dims broadcast over one argument's pytree: a dim (or None) per Tensor leaf."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(_leaves(arg))
    if isinstance(arg, (tuple, list)) and isinstance(dims, (tuple, list)):
        if len(arg) != len(dims):
            raise ValueError(f"vmap: in_dims is not compatible with the structure of inputs: "
                             f"expected {len(arg)} entries, got {len(dims)}")
        return [d for a, d in zip(arg, dims) for d in _dims_for(a, d)]
    if isinstance(arg, dict) and isinstance(dims, dict):
        return [d for k in arg for d in _dims_for(arg[k], dims[k])]
    raise ValueError(f"vmap: in_dims is not compatible with the structure of inputs "
                     f"({type(dims).__name__} for {type(arg).__name__})")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func over the batch dimension in_dims of its inputs, results batched at out_dims."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if isinstance(in_dims, (int, type(None))):
            dims = _dims_for(args, in_dims)
        elif isinstance(in_dims, tuple):
            if len(in_dims) != len(args):
                raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                                 f"compatible with the structure of `inputs`. in_dims has "
                                 f"structure of length {len(in_dims)} but inputs has "
                                 f"{len(args)} positional arguments.")
            dims = _dims_for(args, in_dims)
        else:
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...): expected `in_dims` to be int or "
                             f"a (potentially nested) tuple matching the structure of inputs, "
                             f"got: {type(in_dims)}.")
        leaves = _leaves(args)
        sizes = []
        for t, d in zip(leaves, dims):
            if d is None:
                continue
            if not -t.dim() <= d < t.dim():
                raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} "
                                 f"for some input, but that input is a Tensor of dimensionality "
                                 f"{t.dim()} so expected in_dim to satisfy -{t.dim()} <= in_dim "
                                 f"< {t.dim()}.")
            sizes.append(t.shape[d])
        if not sizes:
            raise ValueError(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got all in_dims=None "
                             "(or no Tensor inputs). At least one of the inputs must be "
                             "batched (a Tensor with an in_dim that is not None).")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        rng = _random.get_rng_state() if randomness == "same" else None
        results = []
        for i in range(sizes[0]):
            if rng is not None:
                _random.set_rng_state(rng)
            sliced = [t if d is None else t.select(d, i) for t, d in zip(leaves, dims)]
            results.append(func(*_rebuild(args, iter(sliced)), **kwargs))
        return _stack_results(results, out_dims)
    return wrapper


def _stack_results(results, out_dims):
    first = results[0]
    outs = _leaves(first)
    if isinstance(out_dims, int):
        odims = [out_dims] * len(outs)
    else:
        odims = [d for o, d in zip(first if isinstance(first, tuple) else (first,), out_dims)
                 for d in _dims_for(o, d)]
        if len(odims) != len(outs):
            raise ValueError(f"vmap(f, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                             f"compatible with the structure of `outputs`.")
    per_result = [_leaves(r) for r in results]
    stacked = []
    for k, (o, d) in enumerate(zip(outs, odims)):
        if d is None:
            stacked.append(o)
            continue
        if not isinstance(o, Tensor):
            raise ValueError("vmap: func must only return Tensors, got type " + type(o).__name__)
        stacked.append(stack([r[k] for r in per_result], dim=d))
    return _rebuild(first, iter(stacked))
