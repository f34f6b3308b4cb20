"""autograd.grad(..., is_grads_batched=True): each grad_output carries a leading batch dimension
and the result is the vector-Jacobian product of every batch entry, stacked. PyTorch runs the
entries under vmap; ember runs them one after another on the same graph (the same numbers)."""
from .. import ops
from .._tensor import Tensor

__all__ = ["batched_grad"]


def _check_batched(outputs, grad_outputs):
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            continue
        if g.dim() == 0:
            raise ValueError("vmap(vjp, in_dims=0, ...)(<inputs>): Got in_dim=0 for some input, "
                             "but that input is a Tensor of dimensionality 0 so expected in_dim "
                             "to satisfy 0 <= in_dim < 0.")
        if g.shape[1:] != out.shape:
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output "
                "as the batch dimension. The sizes of the remaining dimensions are expected to "
                "match the shape of corresponding output, but a mismatch was detected: "
                f"grad_output[{i}] has a shape of {g.shape[1:]} and output[{i}] has a shape of "
                f"{out.shape}. If you only want some tensors in `grad_output` to be considered "
                "batched, consider using vmap.")


def batched_grad(grad, outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                 materialize_grads):
    """grad (engine.grad) run once per batch entry of grad_outputs, results stacked per input
    (None where an input was unused in every entry)."""
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
    _check_batched(outputs, grad_outputs)
    sizes = [g.shape[0] for g in grad_outputs if g is not None]
    if not sizes:  # implicit gradients: only of scalars, which have no batch dimension
        if any(o.numel() != 1 for o in outputs):
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        _check_batched(outputs, [o.new_ones(o.shape) for o in outputs])
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    batch = sizes[0]
    if retain_graph is None:
        retain_graph = create_graph
    rows = []
    for b in range(batch):
        entry = [None if g is None else g[b] for g in grad_outputs]
        rows.append(grad(outputs, inputs, entry, retain_graph=retain_graph or b < batch - 1,
                         create_graph=create_graph, allow_unused=allow_unused,
                         materialize_grads=materialize_grads))
    return tuple(None if all(r[i] is None for r in rows) else ops.stack([r[i] for r in rows])
                 for i in range(len(rows[0])))
