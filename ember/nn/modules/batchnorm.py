"""torch.nn.modules.batchnorm: the batch-norm layers at the path torch keeps them (ember defines
them in normalization.py)."""
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]
