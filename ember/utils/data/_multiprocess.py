"""The multi-process epoch iterator of a DataLoader: worker processes, ordered reassembly,
failure detection and shutdown.

NOTE [ Worker processes ]
Each worker has its own index queue; all workers answer on one result queue. The main process
hands out (task index, sampler index) pairs round-robin, keeping at most prefetch_factor tasks
per worker in flight, and yields results in task order: a result that arrives early waits in
`_task_info` until its turn. Every blocking read in the main process waits at most
MP_STATUS_CHECK_INTERVAL seconds; when nothing came, it checks that every worker is alive and
raises a RuntimeError naming a dead one, so a killed worker never hangs the loop. Shutdown (end
of epoch, an early `break`, garbage collection, interpreter exit) sets the done event, sends
None to every worker, joins them and terminates any that do not stop; workers also exit by
themselves when their parent dies.

Start method: fork where the platform has it (Linux), whatever Python's default is. A forked
worker starts in milliseconds and shares the dataset copy-on-write: nothing is pickled and ember
and NumPy are not imported again, which matters for one fork per epoch. Its known hazard is a
lock held by another thread at the moment of the fork; ember starts no threads, and a program
that runs its own can pass multiprocessing_context="spawn" or "forkserver".
"""
import atexit
import itertools
import multiprocessing
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
                          self._base_seed, self._worker_init_fn, i, self._num_workers))
                w.start()
                self._index_queues.append(index_queue)
                self._workers.append(w)
            self._reset(loader, first_iter=True)
        except BaseException:
            self._shutdown_workers()
            raise

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # index of the next task to send to a worker
        self._rcvd_idx = 0  # index of the next task to return to the caller
        # task index -> (worker id,) while in flight, (worker id, data) once arrived early
        self._task_info = {}
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: restart their fetchers, drop stale results
            for q in self._index_queues:
                q.put(_ResumeIteration())
            pending = self._num_workers
            while pending > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending -= 1
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

    def _next_data(self):
        while True:
            # Skip tasks whose worker ended (an exhausted IterableDataset copy) without data.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                _, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data)
            idx, data = self._get_data()
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    del self._task_info[idx]
                    return self._process_data(data)
                self._task_info[idx] += (data,)
            else:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process_data(data)

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                break
        else:
            return
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._send_idx += 1

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
