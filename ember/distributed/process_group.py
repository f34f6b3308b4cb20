"""The process groups: init_process_group over MPI (ranks and size come from `mpiexec`), new_group,
the rank/size queries, and the hook that turns an uncaught exception on one rank into the end of
the whole job.

NOTE [ Backends ]
"mpi" runs every collective through mpi4py on host arrays (CUDA tensors are staged through host
memory). "nccl" runs the collectives on CUDA tensors through CuPy's NCCL bindings (nccl.py), with
MPI for the rest. "gloo", the name CPU scripts written for torch use, is accepted as a name for the
MPI transport, so an unmodified torch DDP script runs; get_backend() reports the name the program
asked for. "cpu:gloo,cuda:nccl" strings pick per device type in the same way.
"""
import datetime
import os
import sys
import time
import traceback
import zlib

import numpy as np

from ._mpi import mpi

__all__ = ["Backend", "ProcessGroup", "GroupMember", "group", "init_process_group",
           "destroy_process_group", "is_initialized", "get_rank", "get_world_size",
           "get_backend", "new_group", "get_process_group_ranks", "default_pg_timeout"]

default_pg_timeout = datetime.timedelta(minutes=10)  # torch's default for gloo, mpi and nccl
_TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK")
_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")


class Backend(str):
    """A backend name, lower-cased: Backend("GLOO") == "gloo"."""
    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name}")
        value = name.lower()
        if value not in (cls.GLOO, cls.NCCL, cls.MPI, cls.UNDEFINED) and ":" not in value:
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)


def _device_backends(backend):
    """{'cpu': name, 'cuda': name} from 'mpi', 'nccl', 'gloo' or 'cpu:gloo,cuda:nccl'."""
    name = str(Backend("mpi" if backend is None else backend))
    if ":" not in name:
        return {"cpu": name, "cuda": name}
    pairs = {}
    for part in name.split(","):
        device, _, b = part.partition(":")
        pairs[device.strip()] = str(Backend(b.strip()))
    return pairs


class ProcessGroup:
    """A set of ranks with its own MPI communicator (and NCCL communicator, made on first use)."""

    def __init__(self, comm, backend, timeout, ranks, global_rank):
        self.comm = comm
        self.backend = backend
        self.device_backends = _device_backends(backend)
        self.timeout_seconds = timeout.total_seconds()
        self.ranks = list(ranks)
        self.global_rank = global_rank
        self._nccl = None

    def rank(self):
        return self.comm.Get_rank()

    def size(self):
        return self.comm.Get_size()

    def name(self):
        return str(self.backend)

    def describe(self):
        return f"rank {self.rank()} of {self.size()} in a '{self.backend}' group"

    def group_rank(self, global_rank, what):
        """The rank in this group of a global rank (ValueError when it is not a member)."""
        try:
            return self.ranks.index(int(global_rank))
        except ValueError:
            raise ValueError(f"Global rank {global_rank} is not part of group {self.ranks} "
                             f"(given as {what})") from None

    def uses_nccl(self, array_is_cuda):
        return array_is_cuda and self.device_backends.get("cuda") == "nccl"

    def nccl(self):
        if self._nccl is None:
            from .nccl import NcclCommunicator
            self._nccl = NcclCommunicator(self)
        return self._nccl

    def agree(self, name, signature):
        """NOTE [ Agreement before a collective ]: every rank states what it is about to do (the
        operation, dtype, shape, root, op) in one small all-gather; when the ranks disagree, all of
        them raise the same clear error instead of hanging or exchanging garbage."""
        if self.size() == 1:
            return
        from .work import wait_requests
        mine = np.array([zlib.crc32(signature.encode())], np.int64)
        every = np.empty(self.size(), np.int64)
        wait_requests([self.comm.Iallgather(mine, every)], self, name)
        if (every != every[0]).any():
            said = self.comm.allgather(signature)
            calls = ", ".join(f"rank {self.ranks[r]} called {s}" for r, s in enumerate(said))
            raise RuntimeError(f"ember.distributed: the ranks of the process group do not make "
                               f"the same collective call ({calls}); tensors must have the same "
                               f"shape and dtype on every rank")

    def __repr__(self):
        return f"<ember.distributed.ProcessGroup {self.backend} ranks={self.ranks}>"


class GroupMember:
    """torch's markers: WORLD (the default group once initialised) and NON_GROUP_MEMBER (what
    new_group returns on a rank outside the group)."""
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    """`group.WORLD`: the default process group (None before init_process_group)."""
    WORLD = None


_state = {"world": None, "groups": [], "excepthook": None}


def _set_world(pg):
    _state["world"] = pg
    group.WORLD = GroupMember.WORLD = pg


def is_initialized():
    return _state["world"] is not None


def default_group():
    pg = _state["world"]
    if pg is None:
        raise ValueError(_NOT_INITIALIZED)
    return pg


def resolve(grp):
    """The group to use (the default for None), or None on a rank outside it."""
    if grp is None or grp is GroupMember.WORLD:
        return default_group()
    if isinstance(grp, int) and grp == GroupMember.NON_GROUP_MEMBER:
        default_group()
        return None
    if not isinstance(grp, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup, got {type(grp).__name__}")
    return grp


def _launched_elsewhere(MPI):
    """A message when torchrun-style variables say several processes, but MPI says one."""
    size = os.environ.get("WORLD_SIZE")
    if size is None or MPI.COMM_WORLD.Get_size() != 1 or not size.isdigit() or int(size) <= 1:
        return None
    found = " ".join(f"{v}={os.environ[v]}" for v in _TORCHRUN_VARS if v in os.environ)
    return (f"init_process_group: this process was started with {found} (torchrun's variables), "
            f"but ember's processes are started by MPI, which sees 1 process here. Launch with "
            f"`emberrun --nproc-per-node {size} script.py` (python -m ember.distributed.run) or "
            f"`mpiexec -n {size} python script.py`")


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group of the processes `mpiexec` started (init_method and store
    are not needed: MPI has already connected the ranks)."""
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    names = _device_backends(backend)  # ValueError for an unknown name, before MPI starts
    if names.get("cuda") == "nccl":
        from .nccl import nccl_module
        nccl_module()
    MPI = mpi()
    message = _launched_elsewhere(MPI)
    if message:
        raise RuntimeError(message)
    world = MPI.COMM_WORLD
    if world_size not in (-1, None) and int(world_size) != world.Get_size():
        raise ValueError(f"init_process_group: world_size={world_size}, but mpiexec started "
                         f"{world.Get_size()} processes")
    if rank not in (-1, None) and int(rank) != world.Get_rank():
        raise ValueError(f"init_process_group: rank={rank}, but MPI gives this process rank "
                         f"{world.Get_rank()}")
    timeout = default_pg_timeout if timeout is None else timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got "
                        f"{type(timeout).__name__}")
    pg = ProcessGroup(world.Dup(), Backend("mpi" if backend is None else backend), timeout,
                      range(world.Get_size()), world.Get_rank())
    _set_world(pg)
    if world.Get_size() > 1:
        _abort_on_uncaught_exception(MPI)


def _abort_on_uncaught_exception(MPI):
    """An exception that ends one rank ends the job (MPI_Abort), so the others never wait for it;
    the traceback is printed first."""
    if _state["excepthook"] is not None:
        return
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        abort_job("".join(traceback.format_exception(exc_type, exc, tb)))

    _state["excepthook"] = previous
    sys.excepthook = hook


def abort_job(report):
    """Print `report` and end every process of the job (MPI_Abort). The report goes out in one
    write, and the job waits a moment before the abort, so that mpiexec forwards it whole."""
    sys.stdout.flush()
    os.write(2, report.encode(errors="replace"))
    time.sleep(0.3)
    mpi().COMM_WORLD.Abort(1)


def destroy_process_group(group=None):
    """Free a group's communicator; with no group, every group (and the default)."""
    if group is None or group is GroupMember.WORLD:
        pg = default_group()
        for g in _state["groups"]:
            g.comm.Free()
        _state["groups"].clear()
        pg.comm.Free()
        _set_world(None)
        if _state["excepthook"] is not None:
            sys.excepthook = _state["excepthook"]
            _state["excepthook"] = None
        return
    if isinstance(group, ProcessGroup) and group in _state["groups"]:
        _state["groups"].remove(group)
        group.comm.Free()


def get_rank(group=None):
    pg = resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None):
    pg = resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    pg = resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return pg.backend


def get_process_group_ranks(group):
    pg = resolve(group)
    return list(pg.ranks)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None,
              sort_ranks=True):
    """A group of some ranks; every rank of the default group must call it, as in torch. A rank
    outside `ranks` gets GroupMember.NON_GROUP_MEMBER."""
    world = default_group()
    ranks = list(range(world.size())) if ranks is None else [int(r) for r in ranks]
    if sort_ranks:
        ranks = sorted(ranks)
    for r in ranks:
        if not 0 <= r < world.size():
            raise ValueError(f"new_group: rank {r} is not in the default group of size "
                             f"{world.size()}")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks {ranks} repeat a rank")
    MPI = mpi()
    me = world.rank()
    member = me in ranks
    comm = world.comm.Split(0 if member else MPI.UNDEFINED, ranks.index(me) if member else 0)
    if not member:
        return GroupMember.NON_GROUP_MEMBER
    timeout = datetime.timedelta(seconds=world.timeout_seconds) if timeout is None else timeout
    pg = ProcessGroup(comm, Backend(backend) if backend else world.backend, timeout, ranks,
                      world.global_rank)
    _state["groups"].append(pg)
    return pg
