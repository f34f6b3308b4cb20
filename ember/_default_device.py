"""torch.set_default_device / get_default_device. ember's factory functions create on the CPU
unless given `device=`, so the CPU (or None, which means it) is the one default it takes; any other
device is refused rather than silently ignored."""
from ._device import CPU, as_device


def set_default_device(device):
    if device is not None and as_device(device).type != "cpu":
        raise NotImplementedError(
            f"ember.set_default_device({str(device)!r}): ember's factory functions create on the "
            f"CPU unless given device=; pass device= to them (or .to(device)) instead")


def get_default_device():
    return CPU
