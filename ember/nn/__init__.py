"""ember.nn: Module and Parameter, the layers and losses, functional, init and utils."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import functional, init, utils
from . import parallel
from . import attention, common_types, grad
from . import _averaging  # noqa: F401  (NOTE [ swa_utils across the layers ])
from .parallel import DataParallel
from .modules.syncbatchnorm import SyncBatchNorm

__all__ = ["Buffer", "Parameter", "UninitializedParameter", "UninitializedBuffer", "functional",
           "init", "attention", "common_types", "grad",
           "utils", "parallel", "DataParallel", "SyncBatchNorm"] + _modules_all
