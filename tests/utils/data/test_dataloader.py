"""DataLoader: the same batches as PyTorch's for the same sampler, with and without worker
processes; shuffling under manual_seed; iterable datasets; argument errors."""
import collections
import itertools
import os
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset,
                              SequentialSampler, TensorDataset, get_worker_info)


def plain(x):
    """Nested lists/dicts of Python values, from ember or torch tensors and containers."""
    if hasattr(x, "tolist") and not isinstance(x, (list, tuple)):
        return ("tensor", str(x.dtype).replace("torch.", ""), x.tolist())
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [plain(v) for v in x]
    return x


class Records(Dataset):
    """Samples mixing the types default_collate handles."""

    def __init__(self, n=11):
        self.n = n

    def __getitem__(self, i):
        return {"x": np.arange(3, dtype=np.float32) + i, "y": i, "w": i / 4, "name": f"s{i}",
                "pair": (np.int64(i), [i, -i])}

    def __len__(self):
        return self.n


class TorchRecords(Records):
    pass


def torch_loader(torch, dataset, **kw):
    return torch.utils.data.DataLoader(dataset, **kw)


CONFIGS = [
    dict(batch_size=3),
    dict(batch_size=4, drop_last=True),
    dict(batch_size=2, sampler=[7, 1, 1, 9, 0, 4, 3]),
    dict(batch_sampler=[[3, 1], [0], [10, 9, 8, 7]]),
    dict(batch_size=None),
    dict(batch_size=None, sampler=[5, 2]),
    dict(batch_size=5, collate_fn=lambda batch: [s["y"] for s in batch]),
]


@pytest.mark.parametrize("workers", [0, 2])
@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_same_batches_as_torch(torch, config, workers):
    kw = CONFIGS[config]
    ours = [plain(b) for b in DataLoader(Records(), num_workers=workers, **kw)]
    theirs = [plain(b) for b in torch_loader(torch, TorchRecords(), **kw)]
    assert ours == theirs
    assert len(DataLoader(Records(), **kw)) == len(torch_loader(torch, TorchRecords(), **kw))


def test_tensor_dataset_batches_as_torch(torch):
    x = np.random.rand(10, 2, 3).astype(np.float32)
    y = np.arange(10)
    ours = DataLoader(TensorDataset(ember.tensor(x), ember.tensor(y)), batch_size=4,
                      sampler=SequentialSampler(range(10)), num_workers=2)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=4)
    for (a, b), (ta, tb) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.numpy(), ta.numpy())
        assert b.dtype == ember.int64 and b.tolist() == tb.tolist()


def test_shuffle_reproducible_under_manual_seed():
    ds = TensorDataset(ember.arange(20))

    def epochs(seed, workers):
        ember.manual_seed(seed)
        loader = DataLoader(ds, batch_size=6, shuffle=True, num_workers=workers)
        return [[b[0].tolist() for b in loader] for _ in range(2)]

    first = epochs(7, 0)
    assert first == epochs(7, 0) == epochs(7, 2)
    assert first[0] != first[1] and first != epochs(8, 0)
    for epoch in first:
        assert sorted(sum(epoch, [])) == list(range(20))


def test_generator_leaves_default_stream_alone():
    ds = TensorDataset(ember.arange(12))
    state = ember.get_rng_state()
    g = ember.Generator().manual_seed(3)
    order = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=g)]
    assert ember.get_rng_state().tolist() == state.tolist()
    g.manual_seed(3)
    assert order == [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True,
                                                       generator=g)]


class Stream(IterableDataset):
    """0..n-1, split between workers by get_worker_info as PyTorch's docs show."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_iterable_dataset_with_workers_as_torch(torch):
    class TorchStream(torch.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            return iter(range(info.id, self.n, info.num_workers))

    for kw in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)):
        ours = [plain(b) for b in DataLoader(Stream(11), num_workers=2, **kw)]
        theirs = [plain(b) for b in torch.utils.data.DataLoader(TorchStream(11), num_workers=2,
                                                                **kw)]
        assert ours == theirs
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert len(DataLoader(Stream(11), batch_size=3)) == 4


class Lopsided(IterableDataset):
    """Worker 0 streams 0..6, worker 1 only 7 and 8: worker 1 ends long before worker 0."""

    def __init__(self, info):
        self.info = info

    def __iter__(self):
        return iter(range(7) if self.info().id == 0 else [7, 8])


class FirstIsLate(Dataset):
    """Item 0 takes a while, so the batches after it arrive first and must wait their turn."""

    def __getitem__(self, i):
        if i == 0:
            time.sleep(0.3)
        return i

    def __len__(self):
        return 12


@pytest.mark.parametrize("persistent", [False, True])
def test_uneven_workers_over_epochs_as_torch(torch, persistent):
    """A worker whose copy ends early retires for the epoch (persistent: until the next one);
    the other goes on; the batches come in the same order as PyTorch's, every epoch."""
    def epochs(lib, dataset):
        loader = lib.utils.data.DataLoader(dataset, batch_size=2, num_workers=2,
                                           persistent_workers=persistent)
        return [[b.tolist() for b in loader] for _ in range(3)]

    class TorchLopsided(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(7) if torch.utils.data.get_worker_info().id == 0 else [7, 8])

    ours = epochs(ember, Lopsided(get_worker_info))
    assert ours == epochs(torch, TorchLopsided())
    assert ours[0] == [[0, 1], [7, 8], [2, 3], [4, 5], [6]]


@pytest.mark.parametrize("in_order", [True, False])
def test_early_batches_wait_their_turn(in_order):
    batches = [b.tolist() for b in DataLoader(FirstIsLate(), batch_size=2, num_workers=2,
                                              in_order=in_order)]
    assert sorted(batches) == [[i, i + 1] for i in range(0, 12, 2)]
    assert (batches[0] == [0, 1]) == in_order


class Pids(Dataset):
    def __getitem__(self, i):
        return i, os.getpid()

    def __len__(self):
        return 8


def test_persistent_workers_serve_every_epoch():
    loader = DataLoader(Pids(), batch_size=2, num_workers=2, persistent_workers=True)

    def epoch(batches):
        index, pids = zip(*((i, p) for b in batches for i, p in zip(*(t.tolist() for t in b))))
        return list(index), set(pids)

    first = epoch(loader)
    assert first[0] == list(range(8)) and len(first[1]) == 2
    assert epoch(loader) == first  # the same two worker processes, every index in order
    it = iter(loader)
    next(it)  # abandon this epoch midway: its pending batches must not leak into the next
    assert epoch(loader) == first


class Slow(Dataset):
    def __getitem__(self, i):
        time.sleep(2)
        return i

    def __len__(self):
        return 2


def test_timeout():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(iter(DataLoader(Slow(), num_workers=1, timeout=0.2)))


def test_out_of_order():
    loader = DataLoader(TensorDataset(ember.arange(9)), batch_size=2, num_workers=2,
                        in_order=False)
    assert sorted(sum((b[0].tolist() for b in loader), [])) == list(range(9))


def test_batch_sampler_and_len():
    ds = TensorDataset(ember.arange(10))
    assert len(DataLoader(ds, batch_size=3)) == 4
    assert len(DataLoader(ds, batch_size=3, drop_last=True)) == 3
    loader = DataLoader(ds, batch_sampler=BatchSampler(range(10), 4, False))
    assert [b[0].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


ARG_ERRORS = [
    (dict(num_workers=-1), ValueError), (dict(timeout=-1), ValueError),
    (dict(prefetch_factor=2), ValueError), (dict(persistent_workers=True), ValueError),
    (dict(shuffle=True, sampler=[0]), ValueError),
    (dict(batch_sampler=[[0]], batch_size=2), ValueError),
    (dict(batch_size=None, drop_last=True), ValueError),
    (dict(num_workers=1, prefetch_factor=-1), ValueError),
    (dict(num_workers=1, multiprocessing_context="nope"), ValueError),
    (dict(multiprocessing_context="fork"), ValueError),
    (dict(batch_size=0), ValueError),
]


@pytest.mark.parametrize("case", range(len(ARG_ERRORS)))
def test_argument_errors_as_torch(torch, case):
    kw, exc = ARG_ERRORS[case]
    with pytest.raises(exc) as ours:
        DataLoader(list(range(4)), **kw)
    with pytest.raises(exc) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **kw)
    assert str(ours.value) == str(theirs.value)


CONFLICTS = [dict(num_workers=-1), dict(timeout=-2), dict(prefetch_factor=3),
             dict(num_workers=1, prefetch_factor=-1), dict(persistent_workers=True),
             dict(multiprocessing_context="fork"), dict(shuffle=True), dict(shuffle=0),
             dict(sampler=[0, 1]), dict(batch_sampler=[[0], [1]]), dict(batch_size=None),
             dict(batch_size=2), dict(drop_last=True), dict(num_workers=1)]


def loader_outcome(make, dataset, options):
    """The error a DataLoader call raises, or what the loader resolved its options to."""
    try:
        loader = make(dataset, **options)
    except Exception as exc:  # noqa: BLE001 (the exception is the outcome)
        return type(exc).__name__, str(exc)
    return (loader.batch_size, loader.drop_last, loader.prefetch_factor,
            type(loader.sampler).__name__, type(loader.batch_sampler).__name__,
            loader.collate_fn.__name__)


@pytest.mark.parametrize("iterable", [False, True])
def test_option_combinations_resolve_as_torch(torch, iterable):
    """Up to three options at a time, on a list and on an IterableDataset: the first error PyTorch
    reports (by message), or the same sampler, batch sampler, batch size and collate function."""
    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(4))

    ours, theirs = (Stream(4), TorchStream()) if iterable else (list(range(4)), list(range(4)))
    for count in (1, 2, 3):
        for chosen in itertools.combinations(CONFLICTS, count):
            options = {key: value for option in chosen for key, value in option.items()}
            want = loader_outcome(torch.utils.data.DataLoader, theirs, options)
            assert loader_outcome(DataLoader, ours, options) == want, options


def test_iterable_argument_errors_and_frozen_attributes(torch):
    for kw in (dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected "
                                             "unspecified"):
            DataLoader(Stream(3), **kw)
    loader = DataLoader(list(range(3)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        loader.batch_size = 2
    loader.num_workers = 1  # not frozen, as in PyTorch


def test_default_collate_named_tuple_and_numpy_scalars():
    Point = collections.namedtuple("Point", "x y")
    loader = DataLoader([Point(np.float32(1.5), 2), Point(np.float32(3.0), 4)], batch_size=2)
    (batch,) = list(loader)
    assert isinstance(batch, Point)
    assert batch.x.dtype == ember.float32 and batch.x.tolist() == [1.5, 3.0]
    assert batch.y.tolist() == [2, 4]
