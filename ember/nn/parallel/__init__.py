"""ember.nn.parallel: DataParallel on one device (DistributedDataParallel comes with ember's
distributed package)."""
from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
