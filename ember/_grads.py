"""Helpers about tensors' .grad shared by nn (Module.zero_grad) and optim (Optimizer.zero_grad),
kept below both so that neither imports the other."""

__all__ = ["zero_grads", "typename"]


def zero_grads(params, set_to_none):
    """Drop each .grad, or zero it in place after cutting it from any graph (PyTorch's rule for
    set_to_none=False)."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad.detach_()
            else:
                p.grad.requires_grad_(False)
            p.grad.zero_()


def typename(obj):
    """torch.typename, as nn's and optim's errors quote it: 'torch.FloatTensor' for tensors, the
    qualified class name otherwise."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = getattr(cls, "__module__", "") or ""
    if module in ("", "builtins"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"
