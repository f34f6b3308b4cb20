"""What runs in a DataLoader worker: worker info and seeding, the fetchers, the worker loop,
and the wrapper that carries a worker's exception (with its traceback) to the main process."""
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ... import _random

__all__ = ["WorkerInfo", "get_worker_info"]

# How long a blocking queue read waits before the reader checks that its peer is alive: the
# main process checks its workers, a worker checks its parent (seconds).
MP_STATUS_CHECK_INTERVAL = 0.5

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """In a DataLoader worker: its id, num_workers, seed and dataset copy; None in the main
    process."""
    return _worker_info


class ExceptionWrapper:
    """An exception and its formatted traceback, picklable across processes."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)  # KeyError quotes its argument; keep newlines readable
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type whose constructor takes other arguments
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # Without this the frame keeps the exception, whose traceback keeps the frame, and
            # the cycle keeps the DataLoader iterator (and its workers) alive until a gc pass.
            del exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        cls = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return cls(dataset, auto_collation, collate_fn, drop_last)


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if callable(getattr(self.dataset, "__getitems__", None)):
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class _IterableDatasetFetcher(_MapDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of each epoch; echoed back as the ack."""


def _dumps(message, worker_id):
    """Pickle a message here, not in the queue's feeder thread, so that a batch that cannot be
    pickled becomes an error raised in the main process instead of a message lost (a hang).
    The queue then only carries bytes, which always pickle."""
    try:
        return pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    except Exception:
        wrapper = ExceptionWrapper(where=f"in DataLoader worker process {worker_id} while "
                                         "sending its batch")
    try:
        return pickle.dumps((message[0], wrapper), pickle.HIGHEST_PROTOCOL)
    except Exception:  # the exception type itself cannot be pickled
        wrapper.exc_type = RuntimeError
        return pickle.dumps((message[0], wrapper), pickle.HIGHEST_PROTOCOL)


def _seed_worker(base_seed, worker_id):
    """Seed Python's, ember's and NumPy's global generators differently in each worker, so that
    random transforms differ between workers yet repeat under the same base seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


class _Server:
    """A worker's answers (NOTE [ Worker processes ]): each request gets the batch, the
    exception its fetch raised, or, once an IterableDataset copy ends, the end marker (after
    which requests go unanswered until the next epoch). A failing worker_init_fn is the answer
    to the first request."""

    def __init__(self, dataset_kind, dataset, auto_collation, collate_fn, drop_last, worker_id):
        self.fetcher_args = (dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        self.iterable = dataset_kind == _DatasetKind.Iterable
        self.worker_id = worker_id
        self.where = f"in DataLoader worker process {worker_id}"
        self.fetcher = None
        self.exhausted = False
        self.failed_start = None

    def start(self, init_fn):
        try:
            if init_fn is not None:
                init_fn(self.worker_id)
            self.restart()
        except Exception:
            self.failed_start = ExceptionWrapper(where=self.where)

    def restart(self):
        self.fetcher = _DatasetKind.create_fetcher(*self.fetcher_args)
        self.exhausted = False

    def answer(self, index):
        if self.failed_start is not None:
            failure, self.failed_start = self.failed_start, None
            return failure
        try:
            return self.fetcher.fetch(index)
        except StopIteration:
            if not self.iterable:
                return ExceptionWrapper(where=self.where)
            self.exhausted = True
            return _IterableDatasetStopIteration(self.worker_id)
        except Exception:
            return ExceptionWrapper(where=self.where)


def _requests(index_queue, done_event, parent):
    """The main process's messages, until None, the death of the main process `parent` (a pid:
    an orphaned worker exits by itself), or a shutdown whose final None was lost. `parent` comes
    from the main process: read here, it would be the new parent's when the main process died
    before this worker got this far (the worker then waited forever)."""
    while os.getppid() == parent:
        try:
            message = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
        except queue.Empty:
            if done_event.is_set():
                return
            continue
        if message is None:
            return
        yield message


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers, parent):
    """Serve (task index, sampler index) requests from `index_queue` until None arrives or the
    main process (pid `parent`) dies; answer each with (task index, batch or ExceptionWrapper)
    on `data_queue`."""
    global _worker_info
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        server = _Server(dataset_kind, dataset, auto_collation, collate_fn, drop_last, worker_id)
        server.start(init_fn)
        for request in _requests(index_queue, done_event, parent):
            if isinstance(request, _ResumeIteration):   # a new epoch: acknowledge, start over
                data_queue.put(_dumps((request, None), worker_id))
                server.restart()
            elif not (done_event.is_set() or server.exhausted):
                task, index = request
                # the answer is pickled at once and not kept: the batch is freed now
                data_queue.put(_dumps((task, server.answer(index)), worker_id))
    except KeyboardInterrupt:
        pass  # the main process raises it
    if done_event.is_set() or os.getppid() != parent:
        data_queue.cancel_join_thread()  # exit without flushing batches nobody will read
        data_queue.close()
