"""ember.vision: datasets, models, transforms, image files and utilities (torchvision)."""
from . import datasets, io, models, ops, transforms, utils  # noqa: F401

__all__ = ["datasets", "io", "models", "ops", "transforms", "utils"]
