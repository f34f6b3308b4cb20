"""ember.vision: datasets, transforms and image utilities (torchvision)."""
from . import datasets, transforms, utils  # noqa: F401

__all__ = ["datasets", "transforms", "utils"]
