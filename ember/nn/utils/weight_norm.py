"""The legacy weight_norm / remove_weight_norm (a forward pre-hook recomputing `weight` from the
parameters weight_g and weight_v), and the weight-norm maths parametrizations.weight_norm shares."""
import warnings

from ..parameter import Parameter, UninitializedParameter
from ..._warnings import user_stacklevel

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def norm_except_dim(v, dim):
    """The 2-norm of v over every dim but `dim`, kept as size-1 dims; dim=-1 means the norm of
    the whole tensor (torch's convention, so dim=None reaches it)."""
    if dim == -1:
        return v.norm()
    dim = dim % v.dim()
    moved = v.transpose(0, dim)
    norms = moved.reshape(moved.shape[0], -1).norm(2, 1)
    shape = [1] * v.dim()
    shape[dim] = v.shape[dim]
    return norms.reshape(shape)


def weight_norm_value(v, g, dim):
    """The weight of direction v and magnitude g: v * (g / ||v||) with the norm of
    norm_except_dim."""
    return v * (g / norm_except_dim(v, dim))


def refuse_second_hook(module, hook_class, name, what):
    """One weight_norm (or spectral_norm) hook per parameter name."""
    if any(isinstance(hook, hook_class) and hook.name == name
           for hook in module._forward_pre_hooks.values()):
        raise RuntimeError(f"Cannot register two {what} hooks on the same parameter {name}")


class WeightNorm:
    """The forward pre-hook of the legacy weight_norm on one parameter name."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return weight_norm_value(getattr(module, self.name + "_v"),
                                 getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name, dim):
        refuse_second_hook(module, WeightNorm, name, "weight_norm")
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "weight normalization")
        hook = WeightNorm(name, dim)
        magnitude = norm_except_dim(weight, hook.dim).detach()
        module._parameters.pop(name)
        for suffix, value in (("_g", magnitude), ("_v", weight.detach())):
            module.register_parameter(name + suffix, Parameter(value))
        setattr(module, name, hook.compute_weight(module))  # usable before the first forward
        module.register_forward_pre_hook(hook)
        return hook

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Replace module.<name> by weight_g * weight_v / ||weight_v||, recomputed before each
    forward (deprecated in torch for parametrizations.weight_norm)."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                  stacklevel=user_stacklevel())
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Make module.<name> a plain parameter again, holding its current weight-normed value."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
