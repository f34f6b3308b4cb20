"""torch.signal: signal-processing helpers (the window functions of ember.signal.windows)."""
from . import windows

__all__ = ["windows"]
