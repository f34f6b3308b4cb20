"""ember.distributed (torch.distributed): process groups and collectives over MPI (mpi4py with the
mpich wheel: pip install 'ember[distributed]'), NCCL through CuPy for CUDA tensors.

Processes are started by MPI's `mpiexec -n N python script.py`, or by the launcher
`emberrun --nproc-per-node N script.py` (python -m ember.distributed.run), torchrun's counterpart.
Importing this package does not import mpi4py: is_available() says whether it can be.
"""
from . import _mpi
from .collectives import (all_gather, all_gather_into_tensor, all_reduce, all_to_all_single,
                          barrier, broadcast, gather, irecv, isend, monitored_barrier, recv,
                          reduce, reduce_scatter_tensor, scatter, send)
from .objects import all_gather_object, broadcast_object_list, gather_object
from .process_group import (Backend, GroupMember, ProcessGroup, default_pg_timeout,
                            destroy_process_group, get_backend, get_process_group_ranks, get_rank,
                            get_world_size, group, init_process_group, is_initialized, new_group)
from .reduce_op import ReduceOp
from .work import DistBackendError, DistError, Work

__all__ = ["is_available", "is_mpi_available", "is_nccl_available", "is_gloo_available",
           "is_torchelastic_launched", "init_process_group", "destroy_process_group",
           "is_initialized", "get_rank", "get_world_size", "get_backend", "new_group",
           "get_process_group_ranks", "Backend", "ProcessGroup", "GroupMember", "group",
           "ReduceOp", "Work", "DistError", "DistBackendError", "default_pg_timeout",
           "all_reduce", "broadcast", "reduce", "all_gather", "all_gather_into_tensor",
           "reduce_scatter_tensor", "gather", "scatter", "all_to_all_single", "send", "recv",
           "isend", "irecv", "barrier", "monitored_barrier", "broadcast_object_list",
           "all_gather_object", "gather_object"]


def is_available():
    """True when the MPI extra (mpi4py) is installed; never imports it."""
    return _mpi.available()


def is_mpi_available():
    return _mpi.available()


def is_gloo_available():
    """'gloo' is a name for the MPI transport here (NOTE [ Backends ] in process_group.py)."""
    return _mpi.available()


def is_nccl_available():
    try:
        from .nccl import nccl_module
        nccl_module()
    except RuntimeError:
        return False
    return True


def is_torchelastic_launched():
    """ember's processes come from mpiexec, never from torchelastic."""
    return False
