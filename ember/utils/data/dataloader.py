"""DataLoader: a dataset, a sampler and a collate function, iterated in this process or by
worker processes (see NOTE [ Worker processes ] in _multiprocess.py)."""
import math
import multiprocessing
import os
import warnings
from types import SimpleNamespace

from ._collate import default_collate, default_convert
from ._iterators import _SingleProcessDataLoaderIter
from ._multiprocess import _MultiProcessingDataLoaderIter
from ._worker import _DatasetKind
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from ..._warnings import user_stacklevel

__all__ = ["DataLoader"]


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: None forever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


# NOTE [ DataLoader arguments ]: a rule is (broken(options), message). The first broken rule
# raises ValueError with its message, formatted with the options. Worker rules are checked before
# the multiprocessing context is parsed, sampling rules after it, which gives PyTorch's choice of
# error when several options are wrong at once.
_WORKER_RULES = (
    (lambda o: o.num_workers < 0,
     "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."),
    (lambda o: o.timeout < 0, "timeout option should be non-negative"),
    (lambda o: o.num_workers == 0 and o.prefetch_factor is not None,
     "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to "
     "enable multiprocessing, otherwise set prefetch_factor to None."),
    (lambda o: o.prefetch_factor is not None and o.prefetch_factor < 0,
     "prefetch_factor option should be non-negative"),
    (lambda o: o.persistent_workers and o.num_workers == 0,
     "persistent_workers option needs num_workers > 0"),
)
_UNSPECIFIED = frozenset({False, None})
_SAMPLING_RULES = (
    (lambda o: o.iterable and o.shuffle not in _UNSPECIFIED,
     "DataLoader with IterableDataset: expected unspecified shuffle option, but got "
     "shuffle={shuffle}"),
    (lambda o: o.iterable and o.sampler is not None,
     "DataLoader with IterableDataset: expected unspecified sampler option, but got "
     "sampler={sampler}"),
    (lambda o: o.iterable and o.batch_sampler is not None,
     "DataLoader with IterableDataset: expected unspecified batch_sampler option, but got "
     "batch_sampler={batch_sampler}"),
    (lambda o: o.sampler is not None and o.shuffle,
     "sampler option is mutually exclusive with shuffle"),
    (lambda o: o.batch_sampler is not None and (o.batch_size != 1 or o.shuffle
                                                or o.sampler is not None or o.drop_last),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
     "drop_last"),
    (lambda o: o.batch_sampler is None and o.batch_size is None and o.drop_last,
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
)


def _check(rules, options):
    for broken, message in rules:
        if broken(options):
            raise ValueError(message.format(**vars(options)))


class DataLoader:
    """Batches of a dataset, in the order of a sampler, loaded by `num_workers` processes."""

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        options = SimpleNamespace(**locals())
        del options.self
        options.iterable = isinstance(dataset, IterableDataset)
        _check(_WORKER_RULES, options)
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        _check(_SAMPLING_RULES, options)

        self._dataset_kind = _DatasetKind.Iterable if options.iterable else _DatasetKind.Map
        if batch_sampler is not None:        # it decides the batches: no batch size of our own
            batch_size, drop_last = None, False
        if sampler is None:
            sampler = (_InfiniteConstantSampler() if options.iterable
                       else RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None
        self._iterator = None
        self._initialized = True
        self._check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {methods!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context "
                                "object or a string specifying the start method, but got "
                                f"multiprocessing_context={context}")
        self._multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                          "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        # Persistent workers live as long as the loader: one iterator, reset every epoch.
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def _check_worker_number_rationality(self):
        if self.num_workers == 0:
            return
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:
            cpus = os.cpu_count()
        if cpus and self.num_workers > cpus:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. Our suggested max number of worker in current system is "
                          f"{cpus}, which is smaller than what this DataLoader is going to "
                          "create. Please be aware that excessive worker creation might get "
                          "DataLoader running slow or even freeze, lower the worker number to "
                          "avoid potential slowness/freeze if necessary.",
                          stacklevel=user_stacklevel())
