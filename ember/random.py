"""torch.random: the seeding and RNG-state functions at the path torch keeps them, and fork_rng."""
import contextlib

from . import _random, cuda
from ._device import as_device
from ._random import (default_generator, get_rng_state, initial_seed, manual_seed, seed,
                      set_rng_state)
from ._warnings import warn_once

__all__ = ["default_generator", "get_rng_state", "initial_seed", "manual_seed", "seed",
           "set_rng_state", "fork_rng"]

def _cuda_indices(devices, caller, devices_kw):
    if devices is not None:
        indices = [cuda._index(d) for d in devices]
        for i in indices:
            cuda._checked(i)
        return indices
    count = cuda.device_count()
    if count > 1:
        warn_once(
            f"CUDA reports that you have {count} available devices, and you have used {caller} "
            "without explicitly specifying which devices are being used. For safety, we "
            "initialize *every* CUDA device by default, which can be quite slow if you have a lot "
            "of CUDAs. If you know that you are only making use of a few CUDA devices, set the "
            f"environment variable CUDA_VISIBLE_DEVICES or the '{devices_kw}' keyword argument of "
            f"{caller} with the set of devices you are actually using. For example, if you are "
            "using CPU only, set device.upper()_VISIBLE_DEVICES= or devices=[]; if you are using "
            "device 0 only, set CUDA_VISIBLE_DEVICES=0 or devices=[0].  To initialize all devices "
            f"and suppress this warning, set the '{devices_kw}' keyword argument to "
            "`range(torch.cuda.device_count())`.", stacklevel=4)
    return list(range(count))


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Run the block with the RNG streams forked: on exit, the CPU generator's state and those of
    the given devices (default: every visible CUDA device) are put back as they were."""
    if device_type == "meta" or not enabled:
        yield
        return
    device_type = device_type or "cuda"
    if device_type != "cuda":
        as_device(device_type)  # an unknown type raises torch's RuntimeError here
        raise AttributeError(f"module 'torch.{device_type}' has no attribute 'get_rng_state'")
    indices = _cuda_indices(devices, _caller, _devices_kw)
    cpu_state = get_rng_state()
    device_states = [_random.cuda_generator(i).get_state() for i in indices]
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        for i, state in zip(indices, device_states):
            _random.cuda_generator(i).set_state(state)
