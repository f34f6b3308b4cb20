"""Convolution and pooling kernels split over threads (NOTE [ Batch threads ] in ops/_threads.py):
both sides of the size threshold against torch and gradcheck, uneven splits, the BLAS thread
count held and restored; and adaptive average pooling that keeps NaN and Inf in their windows."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.ops import _conv_kernels as K
from ember.ops import _threads as T
from ember.ops import conv as C
from ember.ops import pool as P


def _np(t):
    return np.asarray(t.detach()._data)


def _rand(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.fixture
def ranges(monkeypatch):
    """Records the batch ranges of every kernel call; pretends the BLAS has 3 threads."""
    seen = []
    run, one = T.run, T.one_blas_thread

    def spy(work, parts):
        seen.append(list(parts))
        return run(work, parts)

    def spy_one(work, n):
        seen.append([(0, n)])
        return one(work, n)
    monkeypatch.setattr(T, "run", spy)
    monkeypatch.setattr(T, "one_blas_thread", spy_one)
    monkeypatch.setattr(T, "num_threads", lambda: 3)
    return seen


def _split_forced(monkeypatch, split):
    """split=True: every kernel splits; False: the threshold is out of reach."""
    bytes_ = 1 if split else 1 << 40
    monkeypatch.setattr(K, "_SPLIT_BYTES", bytes_)
    monkeypatch.setattr(K, "_SPLIT_MACS", 0 if split else 1 << 40)
    monkeypatch.setattr(P, "_SPLIT_BYTES", bytes_)


CONV_CASES = [  # stride, padding, dilation, groups: the stacked (stride 1) and im2col kernels
    (1, 0, 1, 1), (1, 2, 1, 2), (1, (1, 2), (2, 2), 2), (2, 1, 1, 1), ((1, 2), (0, 1), (2, 1), 2)]


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("stride,padding,dilation,groups", CONV_CASES)
def test_conv_threads_match_torch(monkeypatch, ranges, torch, split, stride, padding, dilation,
                                  groups):
    _split_forced(monkeypatch, split)
    monkeypatch.setattr(K, "_CHUNK_BYTES", 2000)  # several chunks inside each range
    x, w, b = _rand(7, 4, 9, 8), _rand(6, 4 // groups, 3, 2, seed=1), _rand(6, seed=2)
    out = []
    for m, F in ((ember, C), (torch, torch.nn.functional)):
        tx, tw, tb = (m.tensor(a, requires_grad=True) for a in (x, w, b))
        y = F.conv2d(tx, tw, tb, stride, padding, dilation, groups)
        y.backward(m.tensor(_rand(*y.shape, seed=3)))
        out.append([_np(t) if m is ember else t.detach().numpy() for t in (y, tx.grad, tw.grad,
                                                                           tb.grad)])
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-4)
    sizes = {len(r) for r in ranges}
    assert sizes == ({3} if split else {1})  # forward, weight and input gradients alike
    if split:
        assert ranges[0] == [(0, 2), (2, 4), (4, 7)]


@pytest.mark.parametrize("transposed", [False, True])
def test_conv_threads_gradcheck(monkeypatch, ranges, transposed):
    _split_forced(monkeypatch, True)
    monkeypatch.setattr(K, "_CHUNK_BYTES", 500)
    x = ember.tensor(_rand(5, 2, 5, 4, dtype=np.float64), requires_grad=True)
    w = ember.tensor(_rand(2, 3, 2, 3, seed=1, dtype=np.float64), requires_grad=True)
    if transposed:
        assert gradcheck(lambda a, b: C.conv_transpose2d(a, b, stride=(2, 1)), (x, w))
    else:
        assert gradcheck(lambda a, b: C.conv2d(a, b.transpose(0, 1), padding=1), (x, w))
    assert max(len(r) for r in ranges) == 3


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("args", [dict(kernel_size=2, stride=2), dict(kernel_size=3, stride=1),
                                  dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)])
def test_max_pool_threads_match_torch(monkeypatch, ranges, torch, split, args):
    _split_forced(monkeypatch, split)
    x = np.maximum(_rand(5, 3, 8, 7), 0)  # ties (zeros) in most windows
    x[1, 2, 3, 3] = np.nan
    out = []
    for m in (ember, torch):
        tx = m.tensor(x, requires_grad=True)
        y, idx = m.nn.functional.max_pool2d(tx, return_indices=True, **args)
        y.backward(m.tensor(_rand(*y.shape, seed=1)))
        out.append([_np(t) if m is ember else t.detach().numpy() for t in (y, idx, tx.grad)])
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-6)
    assert {len(r) for r in ranges} == ({3} if split else {1})


def test_max_pool_threads_gradcheck(monkeypatch, ranges):
    _split_forced(monkeypatch, True)
    x = ember.tensor(_rand(4, 2, 6, 6, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda a: P.max_pool2d(a, 3, 2, 1), (x,))
    assert gradcheck(lambda a: P.max_pool2d(a, 2, 2), (x,))
    assert {len(r) for r in ranges} == {3}


def test_threshold_counts_bytes_per_thread(monkeypatch):
    monkeypatch.setattr(T, "num_threads", lambda: 2)
    assert T.split(10, 100, 500) == [(0, 5), (5, 10)]  # 500 bytes each: split
    assert T.split(9, 100, 500) == [(0, 9)]  # 450 each: not worth it
    assert T.split(1, 10 ** 9, 1) == [(0, 1)]  # never more ranges than samples
    monkeypatch.setattr(T, "num_threads", lambda: 1)
    assert T.split(10 ** 6, 10 ** 6, 1) == [(0, 10 ** 6)]  # OPENBLAS_NUM_THREADS=1


@pytest.mark.skipif(T._BLAS is None, reason="NumPy's BLAS is not OpenBLAS")
def test_blas_held_at_one_thread_and_restored():
    get = T._BLAS[0]
    before = get()
    seen = T.run(lambda lo, hi: (lo, get()), [(0, 1), (1, 2)])
    assert seen == [(0, 1), (1, 1)]
    assert get() == before

    def fail(lo, hi):
        raise ValueError(lo)
    with pytest.raises(ValueError):
        T.run(fail, [(0, 1), (1, 2)])
    assert get() == before


@pytest.mark.skipif(T._BLAS is None, reason="NumPy's BLAS is not OpenBLAS")
def test_small_conv_runs_whole_with_the_blas_at_one_thread(monkeypatch):
    """The LeNet's convolutions (~0.4M multiply-adds a sample) are too small for threads: each
    kernel runs its whole batch on the calling thread with the BLAS held at one thread."""
    get, put = T._BLAS
    before = get()
    put(2)
    try:
        seen = []
        forward = K._forward_range

        def spy(xp, x, w, bias, geo, lay, y, lo, hi):
            seen.append((lo, hi, get()))
            return forward(xp, x, w, bias, geo, lay, y, lo, hi)
        monkeypatch.setattr(K, "_forward_range", spy)
        C.conv2d(ember.tensor(_rand(64, 3, 32, 32)), ember.tensor(_rand(6, 3, 5, 5)))
        assert seen == [(0, 64, 1)]
        assert get() == 2
    finally:
        put(before)


def test_large_conv_is_split(monkeypatch, ranges):
    """Above _SPLIT_MACS a sample's GEMMs are large enough for threads: the batch is split."""
    monkeypatch.setattr(K, "_SPLIT_BYTES", 1)
    x, w = _rand(4, 8, 6, 6), _rand(5, 8, 3, 3, seed=1)  # 5*72*4*6 = 8640 multiply-adds a sample
    monkeypatch.setattr(K, "_SPLIT_MACS", 8641)
    C.conv2d(ember.tensor(x), ember.tensor(w))
    monkeypatch.setattr(K, "_SPLIT_MACS", 8640)
    C.conv2d(ember.tensor(x), ember.tensor(w))
    assert ranges == [[(0, 4)], [(0, 1), (1, 2), (2, 4)]]


# -- adaptive average pooling: NaN and Inf stay in their windows (issue 14) ------------------------

@pytest.mark.parametrize("out", [(3, 4), (2, 2), (5, 7), (4, 3)])
def test_adaptive_avg_pool_confines_nan_and_inf(torch, out):
    x = _rand(2, 3, 5, 7)
    x[0, 1, 1, 2] = np.nan
    x[1, 0, 4, 6] = np.inf
    x[1, 2, 0, 0] = -np.inf
    g = _rand(2, 3, *out, seed=1)
    g[0, 0, 0, 1] = np.nan
    got, want = [], []
    for m, dest in ((ember, got), (torch, want)):
        tx = m.tensor(x, requires_grad=True)
        y = m.nn.functional.adaptive_avg_pool2d(tx, out)
        y.backward(m.tensor(g))
        dest += [_np(y) if m is ember else y.detach().numpy(),
                 _np(tx.grad) if m is ember else tx.grad.numpy()]
    for e, t in zip(got, want):
        np.testing.assert_array_equal(np.isnan(e), np.isnan(t))
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
    assert np.isfinite(got[0]).sum() > got[0].size // 2


def test_adaptive_avg_pool_gradcheck():
    x = ember.tensor(_rand(2, 2, 5, 7, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda a: P.adaptive_avg_pool2d(a, (3, 4)), (x,))
    assert ember.autograd.gradgradcheck(lambda a: P.adaptive_avg_pool2d(a, (3, 4)), (x,))


def _child_conv(queue):
    x = ember.tensor(_rand(6, 2, 8, 8))
    w = ember.tensor(_rand(3, 2, 3, 3, seed=1))
    queue.put(_np(C.conv2d(x, w)).tolist())


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_split_kernels_work_in_a_forked_child(monkeypatch):
    """A DataLoader-style forked worker starts its own kernel threads (the parent's do not exist
    there) instead of waiting forever on them."""
    import multiprocessing
    _split_forced(monkeypatch, True)
    monkeypatch.setattr(T, "num_threads", lambda: 2)
    x = ember.tensor(_rand(6, 2, 8, 8))
    w = ember.tensor(_rand(3, 2, 3, 3, seed=1))
    want = _np(C.conv2d(x, w))  # the parent's pool now has a worker thread
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_conv, args=(queue,))
    child.start()
    try:
        got = queue.get(timeout=60)
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
    np.testing.assert_allclose(np.array(got, np.float32), want, rtol=1e-6)
