"""ember.utils: data loading (ember.utils.data)."""
from . import checkpoint, data  # noqa: F401
