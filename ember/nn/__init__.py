"""ember.nn: Module and Parameter, the layers and losses, functional, init and utils."""
from .parameter import Parameter
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import functional, init, utils
from . import parallel
from .parallel import DataParallel

__all__ = ["Parameter", "functional", "init", "utils", "parallel", "DataParallel"] + _modules_all
