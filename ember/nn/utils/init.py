"""nn.utils.init: skip_init, a module built without running its initialisers' results."""
import inspect

from ..._random import get_rng_state, set_rng_state
from ...autograd.grad_mode import no_grad
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """module_cls(*args, **kwargs) with its parameters and buffers left uninitialized (as by
    torch.empty), on kwargs' `device` (default cpu).

    torch builds the module on its meta device; ember has none, so the constructor runs on the
    target device and its values are then replaced by empty memory, with the default generator's
    state put back so that skipping initialisation draws no random numbers, as in torch."""
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.setdefault("device", "cpu")
    state = get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        set_rng_state(state)
    with no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            t.data = t.data.new_empty(t.shape)
    return module
