"""The multi-process epoch iterator of a DataLoader: worker processes, ordered reassembly,
failure detection and shutdown.

NOTE [ Worker processes ]
Each worker has its own index queue; all workers answer on one result queue. The main process
hands out (task index, sampler index) pairs round-robin, keeping at most prefetch_factor tasks
per worker in flight, and yields results in task order: a result that arrives early waits in
`_early` until its turn (NOTE [ Ordered reassembly ]). Every blocking read in the main process waits at most
MP_STATUS_CHECK_INTERVAL seconds; when nothing came, it checks that every worker is alive and
raises a RuntimeError naming a dead one, so a killed worker never hangs the loop. Shutdown (end
of epoch, an early `break`, garbage collection, interpreter exit) sets the done event, sends
None to every worker, joins them and terminates any that do not stop; workers also exit by
themselves when their parent dies.

Start method: fork where the platform has it (Linux), whatever Python's default is. A forked
worker starts in milliseconds and shares the dataset copy-on-write: nothing is pickled and ember
and NumPy are not imported again, which matters for one fork per epoch. Its known hazard is a
lock held by another thread at the moment of the fork; ember's only threads, its convolution
kernel threads, are made afresh in a forked child (NOTE [ Kernel threads ] in ops/_threads.py), and
a program that runs its own can pass multiprocessing_context="spawn" or "forkserver".
"""
import atexit
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import weakref

from ._iterators import _BaseDataLoaderIter
from ._worker import (MP_STATUS_CHECK_INTERVAL, ExceptionWrapper,
                      _IterableDatasetStopIteration, _ResumeIteration, _worker_loop)

_live_iterators = weakref.WeakSet()
_exiting = False


@atexit.register
def _shutdown_all_at_exit():
    global _exiting
    for it in list(_live_iterators):
        it._shutdown_workers()
    _exiting = True  # later __del__ calls find half-torn-down modules: leave them alone


def default_context():
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _death_message(worker_id, process):
    code = process.exitcode
    if code is not None and code < 0:
        try:
            how = f"is killed by signal: {signal.strsignal(-code)}."
        except ValueError:
            how = f"is killed by signal {-code}."
    else:
        how = f"exited unexpectedly with exit code {code}."
    return f"DataLoader worker {worker_id} (pid {process.pid}) {how}"


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        self._shutdown = True  # nothing to shut down until the workers exist
        super().__init__(loader)
        ctx = loader.multiprocessing_context or default_context()
        self._worker_init_fn = loader.worker_init_fn
        self._in_order = loader.in_order
        self._data_queue = ctx.Queue()  # (task index, batch) from every worker, pickled
        self._workers_done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        self._workers_status = [True] * self._num_workers
        self._shutdown = False
        _live_iterators.add(self)
        try:
            for i in range(self._num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()  # the main process never waits to flush it
                w = ctx.Process(
                    target=_worker_loop, name=f"DataLoaderWorker-{i}", daemon=True,
                    args=(self._dataset_kind, self._dataset, index_queue,
                          self._data_queue, self._workers_done_event,
                          self._auto_collation, self._collate_fn, self._drop_last,
                          self._base_seed, self._worker_init_fn, i, self._num_workers,
                          os.getpid()))
                w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
            self._reset(loader, first_iter=True)
        except BaseException:
            self._shutdown_workers()
            raise

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        # NOTE [ Ordered reassembly ]: tasks are numbered as they are sent; `_sent` is the next
        # number and `_due` the next one the caller gets. A sent task waits in `_in_flight`
        # (task -> worker) until its result comes; a result that comes before its turn waits in
        # `_early` (task -> result). Workers take tasks in turn, skipping retired ones.
        self._sent = 0
        self._due = 0
        self._in_flight = {}
        self._early = {}
        self._workers_status = [True] * self._num_workers
        self._turns = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: restart their fetchers, drop stale results
            for q in self._index_queues:
                q.put(_ResumeIteration())
            unacknowledged = self._num_workers
            while unacknowledged:
                task, _ = self._get_data()
                if isinstance(task, _ResumeIteration):
                    unacknowledged -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=MP_STATUS_CHECK_INTERVAL):
        try:
            return True, pickle.loads(self._data_queue.get(timeout=timeout))
        except queue.Empty:
            pass
        for worker_id, w in enumerate(self._workers):
            if self._workers_status[worker_id] and not w.is_alive():
                message = _death_message(worker_id, w)
                self._shutdown_workers()
                raise RuntimeError(message)
        return False, None

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if ok:
                return data
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        while True:
            ok, data = self._try_get_data()
            if ok:
                return data

    def _next_due_task(self):
        """The task the caller gets next (NOTE [ Ordered reassembly ]), past the tasks that will
        never answer (their worker's dataset copy ended) and those already handed out of order;
        None when no task is left."""
        while self._due < self._sent:
            task = self._due
            if task in self._early:
                return task
            worker = self._in_flight.get(task)
            if worker is not None and self._workers_status[worker]:
                return task
            self._in_flight.pop(task, None)
            self._due += 1
        return None

    def _next_data(self):
        while True:
            due = self._next_due_task()
            if due is None:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if due in self._early:
                self._due += 1
                return self._process_data(self._early.pop(due))
            task, result = self._get_data()
            if isinstance(result, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[result.worker_id] = False  # idle until next epoch
                else:
                    self._mark_worker_as_unavailable(result.worker_id)
                self._try_put_index()
                continue
            del self._in_flight[task]
            if task == due:
                self._due += 1
            elif self._in_order:
                self._early[task] = result
                continue
            return self._process_data(result)

    def _next_worker(self):
        """The next active worker in turn, or None when every worker is retired."""
        for _ in range(self._num_workers):
            worker = next(self._turns)
            if self._workers_status[worker]:
                return worker
        return None

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        worker = self._next_worker()
        if worker is None:
            return
        self._index_queues[worker].put((self._sent, index))
        self._in_flight[self._sent] = worker
        self._sent += 1

    def _process_data(self, data):
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id):
        self._index_queues[worker_id].put(None)  # the worker's signal to exit
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        if _exiting or getattr(self, "_shutdown", True):
            return
        self._shutdown = True
        _live_iterators.discard(self)
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id)
            for w in self._workers:
                w.join(timeout=MP_STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.close()
            self._data_queue.cancel_join_thread()
            self._data_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=MP_STATUS_CHECK_INTERVAL)
                if w.is_alive():
                    w.kill()
                    w.join()

    def __del__(self):
        self._shutdown_workers()
