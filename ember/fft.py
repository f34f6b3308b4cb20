"""ember.fft: torch.fft's transforms, frequencies and shifts, each a binding to ember/ops/fft.py."""
from .ops.fft import (fft, fft2, fftfreq, fftn, fftshift, hfft, hfft2, hfftn, ifft, ifft2, ifftn,
                      ifftshift, ihfft, ihfft2, ihfftn, irfft, irfft2, irfftn, rfft, rfft2,
                      rfftfreq, rfftn)

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2",
           "ifftn", "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn", "rfft",
           "rfft2", "rfftfreq", "rfftn"]

# Last: the functions above hand a foreign tensor-like argument to its class when they fail on it
# (NOTE [ Dispatch on failure ] in ember/_foreign.py).
from ._foreign import dispatch_on_failure as _dispatch_on_failure  # noqa: E402
_dispatch_on_failure(globals(), __name__, __all__)
