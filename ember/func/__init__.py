"""ember.func: torch.func's function transforms (grad, vjp, jvp, linearize, jacrev, jacfwd,
hessian, vmap), functional_call, the module helpers for ensembling under vmap, and einops-style rearrange."""
from ._functional_call import functional_call
from ._grad import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from ._linearize import linearize
from ._module_state import replace_all_batch_norm_modules_, stack_module_state
from ._rearrange import rearrange
from ._vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "linearize", "rearrange", "replace_all_batch_norm_modules_", "stack_module_state",
           "vjp", "vmap"]
