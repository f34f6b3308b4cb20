"""The main job on N processes (ember-train --nproc N): the launch under MPI, each process's share
of the data, and the few collectives the job needs beside DistributedDataParallel's.

`ember-train --nproc N ...` checks its input, fetches the data once, then starts N copies of
itself with the launcher (python -m ember.distributed.run, that is mpiexec). A copy knows that it
is one of N from the variables the launcher or mpiexec sets, so `emberrun --nproc-per-node N -m
ember.train ...` and `mpiexec -n N python -m ember.train ...` run the same job.

--batch-size stays the global batch: each process trains on batch_size / N images of its
DistributedSampler shard per step, so a step sees as many images as one process's step. The test
set is cut into N contiguous parts whose per-class counts are summed, so the accuracy is the
whole test set's, and rank 0's part starts with the images that predictions.png shows. Rank 0
alone prints, shows the progress bar and writes the checkpoint and the outputs.
"""
import os
import subprocess
import sys

import numpy as np

import ember
from ..utils.data import DataLoader, DistributedSampler, Subset
from .errors import JobError

# The variables that say how many processes were started together, and which one this is: the
# launcher's (torchrun's names), MPICH's and Open MPI's.
_SIZE_VARIABLES = ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE")
_RANK_VARIABLES = ("RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK")


def _first_number(names, default):
    for name in names:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    return default


def launched_size():
    """How many processes the launcher or mpiexec started this one among (1 when neither did)."""
    return _first_number(_SIZE_VARIABLES, 1)


def launched_rank():
    """This process's rank among them, before MPI is initialised (0 when alone)."""
    return _first_number(_RANK_VARIABLES, 0)


def require_mpi(nproc):
    """The path of mpiexec, or a JobError saying what to install."""
    from ..distributed import _mpi
    hint = f"--nproc {nproc} trains on {nproc} processes under MPI, which needs mpi4py and " \
           f"MPICH: {_mpi.INSTALL_HINT}"
    if not _mpi.available():
        raise JobError(f"{hint} (mpi4py is missing)")
    path = _mpi.mpiexec()
    if path is None:
        raise JobError(f"{hint} (no mpiexec next to {sys.executable} nor on PATH)")
    return path


def launch(argv, nproc):
    """Run `ember-train argv` on nproc processes under the launcher; its exit status."""
    import argparse
    from ..distributed import run as launcher
    args = argparse.Namespace(nproc=nproc, nnodes=1, hostfile=None, dropin=False, module=True,
                              program="ember.train", args=argv)
    job = subprocess.Popen(launcher.command(args, require_mpi(nproc)))
    while True:
        try:
            return job.wait()
        except KeyboardInterrupt:  # Ctrl-C reached mpiexec too, which passes it on: let the
            continue               # processes say what they keep, and stop


class World:
    """This process's place in the job: rank 0 of 1 for a single process, else a rank of the
    default process group (joined here)."""

    def __init__(self, size):
        self.size = size
        self.rank = 0
        if size > 1:
            from .. import distributed as dist
            try:
                dist.init_process_group("mpi")
            except RuntimeError as exc:
                raise JobError(str(exc)) from None
            self.rank = dist.get_rank()
            if dist.get_world_size() != size:
                raise JobError(f"--nproc {size}, but MPI started {dist.get_world_size()} "
                               "processes")

    @property
    def main(self):
        return self.rank == 0

    def say(self, *args, **kwargs):
        if self.main:
            print(*args, **kwargs)

    def wrap(self, net):
        """The model that trains: net itself, or net under DistributedDataParallel."""
        if self.size == 1:
            return net
        from ..nn.parallel import DistributedDataParallel
        return DistributedDataParallel(net)

    def loaders(self, train, test, batch_size, workers, seed):
        """(train loader, test loader, the train sampler to set_epoch): this process's shard of
        the training set, batch_size / size images a step, and its part of the test set."""
        sampler = DistributedSampler(train, self.size, self.rank, shuffle=True, seed=seed)
        persistent = workers > 0
        train_loader = DataLoader(train, batch_size=batch_size // self.size, sampler=sampler,
                                  num_workers=workers, persistent_workers=persistent)
        lo, hi = (len(test) * r // self.size for r in (self.rank, self.rank + 1))
        test_loader = DataLoader(Subset(test, range(lo, hi)), batch_size=max(batch_size, 64),
                                 shuffle=False, num_workers=workers,
                                 persistent_workers=persistent)
        return train_loader, test_loader, sampler

    def sum(self, values):
        """The element-wise sum over the processes of a list of numbers (a NumPy array)."""
        values = np.asarray(values)
        if self.size == 1:
            return values
        from .. import distributed as dist
        total = ember.from_numpy(values.copy())
        dist.all_reduce(total)
        return total.numpy()

    def mean(self, values):
        return self.sum(np.asarray(values, np.float64)) / self.size

    def reduce_evaluation(self, evaluation):
        """The whole test set's counts from each process's part (in place)."""
        evaluation.correct = self.sum(evaluation.correct).tolist()
        evaluation.total = self.sum(evaluation.total).tolist()
        return evaluation

    def abort(self):
        """End every process of the job (a rank that fails must not leave the others waiting)."""
        if self.size > 1:
            from ..distributed.process_group import abort_job
            abort_job("")
