"""ember.utils: data loading (ember.utils.data), checkpointing, DLPack exchange."""
from . import checkpoint, data, dlpack  # noqa: F401
