"""stack_module_state and replace_all_batch_norm_modules_: preparing modules for vmap
(ensembles through functional_call; BatchNorm without running statistics)."""
from ..nn.modules.normalization import _BatchNorm
from ..ops.join import stack

__all__ = ["stack_module_state", "replace_all_batch_norm_modules_"]


def _stacked_leaf(tensors, name):
    """The tensors stacked on a new dim 0: a fresh leaf that requires grad when all of them do."""
    needs = [t.requires_grad for t in tensors]
    if any(needs) and not all(needs):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    return result.detach().requires_grad_() if all(needs) else result


def stack_module_state(models):
    """({name: parameters stacked over models}, {name: buffers stacked}) of models of one class
    and one train/eval mode."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    stacked = []
    for named in ("named_parameters", "named_buffers"):
        tables = [dict(getattr(m, named)()) for m in models]
        stacked.append({k: _stacked_leaf(tuple(t[k] for t in tables), k) for k in tables[0]})
    return tuple(stacked)


def replace_all_batch_norm_modules_(root):
    """Make every BatchNorm in root (root included) stop tracking running statistics, in place,
    so that it normalises with batch statistics (as vmap over it needs); returns root."""
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
