"""torch.mps and torch.xpu: backends ember cannot drive (Apple's Metal, Intel's GPUs). The device
queries answer "none here", as torch's do on a machine without one; anything that would need
the device raises a RuntimeError saying so."""
import sys
import types

__all__ = ["backend_module"]


def backend_module(name, title):
    """A module torch.<name> for a device type ember has no backend for."""
    module = types.ModuleType(f"ember.{name}", f"torch.{name}: {title}, which ember cannot use.")

    def unavailable(*args, **kwargs):
        raise RuntimeError(f"ember has no {title} backend: '{name}' devices are not available")

    module.is_available = lambda: False
    module.device_count = lambda: 0
    module.is_initialized = lambda: False
    module.synchronize = unavailable
    module.current_device = unavailable
    module.set_device = unavailable
    module.empty_cache = lambda: None  # nothing is cached: as torch's, a no-op then
    module.manual_seed = lambda seed: None
    module.manual_seed_all = lambda seed: None
    sys.modules[module.__name__] = module
    return module


mps = backend_module("mps", "Metal (MPS)")
xpu = backend_module("xpu", "Intel XPU")
