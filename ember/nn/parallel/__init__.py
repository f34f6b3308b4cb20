"""ember.nn.parallel: DataParallel on one device, and DistributedDataParallel over the processes
of ember.distributed."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]
