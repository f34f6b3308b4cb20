"""DataParallel: torch splits each batch over several GPUs; ember runs on one device, where
torch's DataParallel calls the wrapped module directly, and so does this one."""
from ... import cuda
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wraps `module` (kept as `.module`, so state_dict keys start with 'module.') and forwards
    every call to it on the one device ember computes on."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.dim = dim
        if not cuda.is_available():  # as torch without a GPU: no devices, a direct call
            self.device_ids, self.output_device = [], None
            return
        self.device_ids = [0] if device_ids is None else [_index(d) for d in device_ids]
        if len(self.device_ids) > 1:
            raise ValueError(f"DataParallel: ember computes on one device, got device_ids="
                             f"{self.device_ids}")
        self.output_device = self.device_ids[0] if output_device is None else \
            _index(output_device)

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def _index(device):
    return device if isinstance(device, int) else getattr(device, "index", device)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """Functional DataParallel: module(*inputs, **module_kwargs) on the one device."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    return module(*inputs, **(module_kwargs or {}))
