"""ember.cuda.amp: torch.cuda.amp's autocast and GradScaler (deprecated forms of ember.amp's)."""
from .autocast_mode import custom_bwd, custom_fwd  # noqa: F401
from ._legacy import CudaAutocast as autocast
from ._legacy import CudaGradScaler as GradScaler

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]
