"""torch.cpu.amp and torch.cuda.amp: the device-specific forms, deprecated in torch in favour of
torch.amp, kept with torch's FutureWarning."""
import warnings

from .. import _dtype
from .._bfloat16 import bfloat16
from . import autocast_mode, grad_scaler
from .._warnings import user_stacklevel


def _deprecated(old, device):
    warnings.warn(f"`torch.{old}(args...)` is deprecated. Please use `torch.amp.{old.split('.')[-1]}"
                  f"('{device}', args...)` instead.", FutureWarning, stacklevel=user_stacklevel())


class CpuAutocast(autocast_mode.autocast):
    def __init__(self, enabled=True, dtype=bfloat16, cache_enabled=True):
        _deprecated("cpu.amp.autocast", "cpu")
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class CudaAutocast(autocast_mode.autocast):
    def __init__(self, enabled=True, dtype=_dtype.float16, cache_enabled=True):
        _deprecated("cuda.amp.autocast", "cuda")
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class CpuGradScaler(grad_scaler.GradScaler):
    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        _deprecated("cpu.amp.GradScaler", "cpu")
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


class CudaGradScaler(grad_scaler.GradScaler):
    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        _deprecated("cuda.amp.GradScaler", "cuda")
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
