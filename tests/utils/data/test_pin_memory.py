"""DataLoader(pin_memory=True): without an accelerator, torch's warning at the start of every
epoch and unpinned batches; with CUDA (the fake CuPy of tests/_fake_cupy.py, or a GPU) every
tensor of every batch pinned, containers kept."""
import collections
import warnings

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, TensorDataset
from tests import _fake_cupy

Pair = collections.namedtuple("Pair", "x y")


class Structured(Dataset):
    """Samples as a dict holding a named tuple and a string: containers pinning must keep."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {"pair": Pair(ember.tensor([float(i)]), ember.tensor(i)), "name": f"s{i}"}


@pytest.fixture
def no_accelerator():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")


@pytest.fixture
def fake_cuda():
    previous = _fake_cupy.install()
    yield
    _fake_cupy.uninstall(previous)


def _warnings_of(make_loader):
    """The warnings of constructing a loader, then of two epochs (as lists of messages)."""
    with warnings.catch_warnings(record=True) as at_init:
        warnings.simplefilter("always")
        loader = make_loader()
    with warnings.catch_warnings(record=True) as in_epochs:
        warnings.simplefilter("always")
        batches = [list(loader) for _ in range(2)]
    return ([str(w.message) for w in at_init], [str(w.message) for w in in_epochs], batches)


@pytest.mark.parametrize("options", [dict(pin_memory=True), dict(pin_memory=True, num_workers=1),
                                     dict(pin_memory=True, pin_memory_device="cuda"),
                                     dict(pin_memory=False, pin_memory_device="cuda")])
def test_without_accelerator_warns_every_epoch_like_torch(no_accelerator, options):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ember, torch):
        ds = lib.utils.data.TensorDataset(lib.arange(6.0))
        results.append(_warnings_of(lambda: lib.utils.data.DataLoader(ds, batch_size=2,
                                                                      **options)))
    (e_init, e_epochs, e_batches), (t_init, t_epochs, t_batches) = results
    assert e_init == t_init == []
    assert e_epochs == t_epochs
    assert not any(b[0].is_pinned() for epoch in e_batches for b in epoch)
    assert [b[0].tolist() for b in e_batches[0]] == [b[0].tolist() for b in t_batches[0]]


def test_tensor_pinning_without_accelerator_is_torchs_error(no_accelerator):
    torch = pytest.importorskip("torch")
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="^Cannot access accelerator device when none is "
                                               "available."):
            lib.ones(2).pin_memory()
        assert lib.ones(2).is_pinned() is False


@pytest.mark.parametrize("num_workers", [0, 1])
def test_with_cuda_every_tensor_is_pinned(fake_cuda, num_workers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no accelerator" warning
        batches = list(DataLoader(Structured(), batch_size=2, pin_memory=True,
                                  num_workers=num_workers))
    assert len(batches) == 2
    for k, batch in enumerate(batches):
        pair = batch["pair"]
        assert isinstance(pair, Pair) and batch["name"] == [f"s{2 * k}", f"s{2 * k + 1}"]
        for t in pair:
            assert t.is_cpu and t.is_pinned()
        assert pair.x.tolist() == [[2.0 * k], [2.0 * k + 1]] and pair.y.tolist() == [2 * k,
                                                                                     2 * k + 1]


def test_with_cuda_pinned_batches_move_to_the_device(fake_cuda):
    data = np.arange(12, dtype=np.float32).reshape(6, 2)
    loader = DataLoader(TensorDataset(ember.tensor(data)), batch_size=3, pin_memory=True)
    moved = [b[0].cuda(non_blocking=True) for b in loader]
    assert all(m.is_cuda for m in moved)
    np.testing.assert_array_equal(np.concatenate([m.cpu().numpy() for m in moved]), data)


def test_unpinned_loader_leaves_batches_alone(fake_cuda):
    batch = next(iter(DataLoader(TensorDataset(ember.arange(4.0)), batch_size=2)))
    assert not batch[0].is_pinned()


def test_objects_with_their_own_pin_memory_are_asked(fake_cuda):
    class Batch:
        pinned = False

        def pin_memory(self):
            self.pinned = True
            return self

    loader = DataLoader([0, 1], batch_size=None, collate_fn=lambda i: Batch(), pin_memory=True)
    assert all(b.pinned for b in loader)
