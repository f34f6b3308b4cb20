"""ember.cpu.amp: torch.cpu.amp's autocast and GradScaler (deprecated forms of ember.amp's)."""
from ..amp._legacy import CpuAutocast as autocast
from ..amp._legacy import CpuGradScaler as GradScaler

__all__ = ["autocast", "GradScaler"]
