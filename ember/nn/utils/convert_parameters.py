"""parameters_to_vector and vector_to_parameters: flatten parameters into one vector and back."""
from ... import ops as _ops
from ..._tensor import Tensor
from ..modules.module import _typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param, old_device):
    """The device index shared by all parameters (-1 for CPU); mixing devices is refused."""
    device = param.get_device() if param.device.type == "cuda" else -1
    if old_device is not None and device != old_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return device


def parameters_to_vector(parameters):
    """One 1-d tensor holding every parameter's values, in order (differentiable)."""
    device = None
    vec = []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return _ops.cat(vec)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the matching slice of vec (sharing vec's memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
