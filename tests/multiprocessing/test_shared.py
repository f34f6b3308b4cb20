"""Tensor.share_memory_: values, layout and aliasing kept; other processes see the same memory."""
import pickle
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pytest

import ember
import ember.multiprocessing as mp


def test_share_memory_keeps_values_layout_and_views():
    x = ember.arange(12.).reshape(3, 4)
    t = x.t()
    row = x[1]
    assert not x.is_shared()
    assert x.share_memory_() is x
    assert x.is_shared() and t.is_shared() and row.is_shared()
    assert x.dtype == ember.float32 and x.shape == (3, 4) and x.stride() == (4, 1)
    assert t.stride() == (1, 4)
    np.testing.assert_array_equal(x.numpy(), np.arange(12.).reshape(3, 4))
    row.fill_(-1.)  # a view made before sharing still aliases its base
    t[0, 0] = 100.
    assert x[1].tolist() == [-1.] * 4 and x[0, 0].item() == 100.
    assert x.share_memory_() is x and x.is_shared()  # sharing twice is a no-op


def test_share_memory_int_and_empty():
    i = ember.tensor([1, 2, 3]).share_memory_()
    assert i.dtype == ember.int64 and i.tolist() == [1, 2, 3] and i.is_shared()
    e = ember.zeros(0).share_memory_()
    assert e.shape == (0,) and e.is_shared()


def test_module_share_memory_parameters_and_grads():
    lin = ember.nn.Linear(3, 2)
    lin(ember.ones(1, 3)).sum().backward()
    lin.share_memory()
    assert isinstance(lin.weight, ember.nn.Parameter)
    assert lin.weight.is_shared() and lin.bias.is_shared() and lin.weight.grad.is_shared()
    assert lin.weight.requires_grad and lin.weight.grad_fn is None


def test_plain_pickle_copies():
    x = ember.ones(3).share_memory_()
    y = pickle.loads(pickle.dumps(x))
    y.add_(1)
    assert x.tolist() == [1., 1., 1.] and not y.is_shared()


def test_forking_pickler_in_process_attaches_to_the_same_memory():
    x = ember.zeros(4).share_memory_()
    p = ember.nn.Parameter(ember.zeros(2)).share_memory_()
    y, q = ForkingPickler.loads(bytes(ForkingPickler.dumps((x[1:], p))))
    y.fill_(5.)
    with ember.no_grad():
        q.fill_(2.)
    assert x.tolist() == [0., 5., 5., 5.] and p.tolist() == [2., 2.]
    assert type(q) is ember.nn.Parameter and q.requires_grad


def _child(x, q, done):
    x.add_(1.)
    r = q.get()
    r.mul_(3.)
    assert r.is_shared()
    done.put(r.tolist())


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_writes_are_seen_across_processes(start_method):
    ctx = mp.get_context(start_method)
    x = ember.arange(3.).share_memory_()
    r = ember.ones(2).share_memory_()
    q, done = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_child, args=(x[1:], q, done))
    p.start()
    q.put(r)
    assert done.get(timeout=60) == [3., 3.]
    p.join()
    assert p.exitcode == 0
    assert x.tolist() == [0., 2., 3.] and r.tolist() == [3., 3.]


def _fails(i, msg):
    if i == 1:
        raise ValueError(msg)


def _exits(i):
    raise SystemExit(3)


def test_spawn_raises_the_childs_error():
    with pytest.raises(mp.ProcessRaisedException, match="ValueError: boom"):
        mp.spawn(_fails, args=("boom",), nprocs=2)
    with pytest.raises(mp.ProcessExitedException, match="exit code 3") as info:
        mp.spawn(_exits, nprocs=1, start_method="fork")
    assert info.value.exit_code == 3


def _record(i, out):
    out[i] = i + 10.


def test_spawn_join_false_returns_a_context():
    out = ember.zeros(2).share_memory_()
    ctx = mp.spawn(_record, args=(out,), nprocs=2, join=False)
    assert len(ctx.pids()) == 2
    while not ctx.join():
        pass
    assert out.tolist() == [10., 11.]


def test_reexports_and_sharing_strategy():
    import multiprocessing
    assert mp.Process is multiprocessing.Process and mp.Queue is multiprocessing.Queue
    assert mp.cpu_count() == multiprocessing.cpu_count()
    assert mp.get_context is multiprocessing.get_context
    assert mp.set_start_method is multiprocessing.set_start_method
    assert mp.get_sharing_strategy() == "file_descriptor"
    with pytest.raises(ValueError):
        mp.set_sharing_strategy("file_system")


def test_no_scan_for_views_when_nothing_else_holds_the_memory(monkeypatch):
    """Looking for other views walks every live object: only done when the array has other
    holders (model.share_memory() on a model with hundreds of parameters stays fast)."""
    from ember.multiprocessing import _shared

    def scan():
        raise AssertionError("scanned")

    monkeypatch.setattr(_shared.gc, "get_objects", scan)
    ember.nn.Sequential(ember.nn.Linear(3, 3), ember.nn.Conv2d(1, 2, 3)).share_memory()
    ember.randn(3, 3).share_memory_()
    x = ember.randn(3)
    y = x[1:]
    with pytest.raises(AssertionError, match="scanned"):
        x.share_memory_()
    assert y is not None


@pytest.fixture
def fake_cuda():
    """ember with the NumPy-backed fake CuPy as its CUDA module (no GPU needed)."""
    from tests import _fake_cupy
    previous = _fake_cupy.install()
    yield
    _fake_cupy.uninstall(previous)


def test_device_tensors_count_as_shared(fake_cuda):
    x = ember.ones(3, device="cuda")
    assert x.is_shared() and x.share_memory_() is x and str(x.device) == "cuda:0"


def _bump(q, done):
    t = q.get()
    t.add_(1.)
    done.put(t.is_shared())


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_tensor_sent_to_another_process_is_moved_into_shared_memory(start_method):
    ctx = mp.get_context(start_method)
    t = ember.zeros(3)
    q, done = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_bump, args=(q, done))
    p.start()
    q.put(t)
    assert done.get(timeout=60) is True
    p.join()
    assert t.is_shared() and t.tolist() == [1., 1., 1.]


def test_non_leaf_requiring_grad_is_refused():
    x = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        ForkingPickler.dumps(x)


def test_sharing_a_view_shares_its_base():
    """A view keeps its base tensor alive (Tensor._base, as torch): that base is moved too."""
    view = ember.randn(3, 3)[0]
    view.share_memory_()
    assert view.is_shared() and view._base.is_shared()
