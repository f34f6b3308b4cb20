"""ember.multiprocessing: Python's multiprocessing, with tensors that share memory between
processes (Tensor.share_memory_, NOTE [ Shared storage ] in _shared.py) and torch's `spawn`.

Importing it registers the reducers that send a shared tensor through a Queue or to a spawned
process as a handle on the same memory instead of a copy, as torch.multiprocessing does.
"""
import multiprocessing
from multiprocessing import *  # noqa: F401,F403

from ._shared import _register_reducers
from ._spawn import (ProcessContext, ProcessExitedException, ProcessRaisedException,
                     SpawnContext, start_processes, spawn)

__all__ = list(multiprocessing.__all__) + [
    "spawn", "start_processes", "ProcessContext", "SpawnContext", "ProcessRaisedException",
    "ProcessExitedException", "set_sharing_strategy", "get_sharing_strategy",
    "get_all_sharing_strategies"]

_STRATEGIES = {"file_descriptor"}
_strategy = "file_descriptor"


def set_sharing_strategy(new_strategy):
    """Only 'file_descriptor' exists here: the memory travels as a file descriptor."""
    global _strategy
    if new_strategy not in _STRATEGIES:
        raise ValueError(f"invalid sharing strategy {new_strategy!r}; ember supports "
                         f"{sorted(_STRATEGIES)}")
    _strategy = new_strategy


def get_sharing_strategy():
    return _strategy


def get_all_sharing_strategies():
    return set(_STRATEGIES)


_register_reducers()
