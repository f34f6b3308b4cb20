"""Work: the handle of an operation started with async_op=True (or isend/irecv), and the one wait
loop that every operation goes through, so that no wait outlasts its process group's timeout.

NOTE [ Waiting with a timeout ]
MPI's blocking Wait has no timeout: a peer that died or stopped would leave this rank waiting
forever. Every operation is started non-blocking and completed here by polling its requests
(MPICH makes progress inside those calls, as it would inside Wait); past the group's timeout the
wait raises DistBackendError naming the operation and the rank. Uncaught, that error aborts the
whole job (process_group.py installs the hook), so no rank is left behind.
"""
import os
import time

from ._mpi import mpi

__all__ = ["Work", "DistError", "DistBackendError"]


class DistError(RuntimeError):
    """An error of ember.distributed (torch.distributed.DistError)."""


class DistBackendError(DistError):
    """The transport failed or timed out (torch.distributed.DistBackendError)."""


def wait_requests(requests, group, name, statuses=None):
    """Complete MPI requests, raising DistBackendError past the group's timeout."""
    MPI = mpi()
    testall = MPI.Request.Testall
    try:
        if testall(requests, statuses):
            return
        deadline = time.monotonic() + group.timeout_seconds
        spins = 0
        while not testall(requests, statuses):
            spins += 1
            if spins & 63 == 0:
                if time.monotonic() > deadline:
                    raise DistBackendError(
                        f"ember.distributed: {name} timed out after {group.timeout_seconds:g} s "
                        f"on rank {group.global_rank} ({group.describe()}): a peer did not take "
                        f"part (did another rank fail, stop, or call a different operation?)")
                os.sched_yield()  # let a peer on the same core run
    except MPI.Exception as exc:
        detail = [MPI.Get_error_string(s.Get_error()).strip() for s in statuses or ()
                  if s.Get_error() != MPI.SUCCESS] or [exc.Get_error_string().strip()]
        raise DistBackendError(f"ember.distributed: {name} failed on rank {group.global_rank}: "
                               f"{'; '.join(detail)}") from None


class Work:
    """A started operation: wait() completes it (and writes its result into the tensors),
    is_completed() asks without blocking."""

    def __init__(self, group, name, requests, finish=None, tensors=(), statuses=None):
        self._group = group
        self._name = name
        self._requests = list(requests)
        self._finish = finish
        self._tensors = list(tensors)
        self._statuses = statuses
        self._done = False
        self._source = None

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._source = self._finish()

    def is_completed(self):
        if not self._done and mpi().Request.Testall(self._requests, self._statuses):
            self._complete()
        return self._done

    def is_success(self):
        return self.is_completed()

    def exception(self):
        return None

    def wait(self, timeout=None):
        """Block until done (DistBackendError past the group's timeout); True, as torch's."""
        if not self._done:
            wait_requests(self._requests, self._group, self._name, self._statuses)
            self._complete()
        return True

    def synchronize(self):
        self.wait()

    def result(self):
        """The tensors the operation wrote (torch's Work.result())."""
        self.wait()
        return list(self._tensors)

    def source_rank(self):
        """The rank a completed irecv received from."""
        self.wait()
        return self._source

    def __repr__(self):
        return f"<ember.distributed.Work {self._name} {'done' if self._done else 'pending'}>"


class DoneWork(Work):
    """The handle of an operation that completed when it was started (NCCL after its stream
    synchronised, or one process alone)."""

    def __init__(self, group, name, tensors=(), wait=None):
        super().__init__(group, name, (), tensors=tensors)
        self._event_wait = wait
        self._done = wait is None

    def is_completed(self):
        if not self._done and self._event_wait is not None:
            self.wait()
        return True

    def wait(self, timeout=None):
        if not self._done:
            self._event_wait()
            self._done = True
        return True
