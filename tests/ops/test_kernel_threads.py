"""Convolution kernels and the BLAS's threads (NOTE [ Kernel threads ] in ops/_threads.py):
both sides of the one-thread threshold, and the batch split over ember's kernel threads, against
torch and gradcheck; the BLAS thread count seen inside the kernels, held and restored; errors and
interrupts in split kernels; small GEMMs held at one thread once a kernel has split; convolutions
in a forked child; stale scratch memory kept out of the stride-1 input gradient; and adaptive
average pooling that keeps NaN and Inf in their windows."""
import threading

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
def blas_threads():
    """The BLAS at two threads for the test (restored after)."""
    if T._BLAS is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    get, put = T._BLAS
    before, quiet, count = get(), T.quiet, T._count
    T.quiet = False
    put(2)
    yield
    put(before)
    T.quiet, T._count = quiet, count


def _kernel_path(monkeypatch, path):
    """Every kernel takes one path: "whole" with the BLAS held at one thread, "split" over the
    kernel threads, or "blas": a large kernel on the BLAS's threads (of a batch of one)."""
    monkeypatch.setattr(K, "_ONE_THREAD_MACS", 0 if path == "blas" else 1 << 40)
    monkeypatch.setattr(K, "_SPLIT_MACS", 0 if path == "split" else 1 << 60)


CONV_CASES = [  # stride, padding, dilation, groups: the stacked (stride 1) and im2col kernels
    (1, 0, 1, 1), (1, 2, 1, 2), (1, (1, 2), (2, 2), 2), (2, 1, 1, 1), ((1, 2), (0, 1), (2, 1), 2)]


@pytest.mark.parametrize("path", ["whole", "split", "blas"])
@pytest.mark.parametrize("stride,padding,dilation,groups", CONV_CASES)
def test_conv_matches_torch_on_each_path(request, monkeypatch, torch, path, stride, padding,
                                         dilation, groups):
    if path == "split":  # a split needs the BLAS's thread count: two parts
        request.getfixturevalue("blas_threads")
    _kernel_path(monkeypatch, path)
    monkeypatch.setattr(K, "_CHUNK_BYTES", 2000)  # several chunks
    n = 1 if path == "blas" else 7
    x, w, b = _rand(n, 4, 9, 8), _rand(6, 4 // groups, 3, 2, seed=1), _rand(6, seed=2)
    out = []
    for m, F in ((ember, C), (torch, torch.nn.functional)):
        tx, tw, tb = (m.tensor(a, requires_grad=True) for a in (x, w, b))
        y = F.conv2d(tx, tw, tb, stride, padding, dilation, groups)
        y.backward(m.tensor(_rand(*y.shape, seed=3)))
        out.append([_np(t) if m is ember else t.detach().numpy() for t in (y, tx.grad, tw.grad,
                                                                           tb.grad)])
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("transposed", [False, True])
def test_conv_gradcheck_with_one_blas_thread(request, monkeypatch, transposed, split):
    if split:
        request.getfixturevalue("blas_threads")
    _kernel_path(monkeypatch, "split" if split else "whole")
    monkeypatch.setattr(K, "_CHUNK_BYTES", 500)
    x = ember.tensor(_rand(5, 2, 5, 4, dtype=np.float64), requires_grad=True)
    w = ember.tensor(_rand(2, 3, 2, 3, seed=1, dtype=np.float64), requires_grad=True)
    if transposed:
        assert gradcheck(lambda a, b: C.conv_transpose2d(a, b, stride=(2, 1)), (x, w))
    else:
        assert gradcheck(lambda a, b: C.conv2d(a, b.transpose(0, 1), padding=1), (x, w))


def test_blas_held_at_one_thread_and_restored(blas_threads):
    get = T._BLAS[0]
    assert T.one_blas_thread(lambda lo, hi: (lo, hi, get()), 5) == [(0, 5, 1)]
    assert T.one_blas_thread(lambda lo, hi: (lo, hi, get()), 5, split_from=6) == [(0, 5, 1)]
    assert get() == 2

    def fail(lo, hi):
        raise ValueError(lo)
    with pytest.raises(ValueError):
        T.one_blas_thread(fail, 1)
    assert get() == 2


def _forward_threads(monkeypatch, x, w):
    """The BLAS thread count the forward kernel ran with, per call."""
    get = T._BLAS[0]
    seen = []
    forward = K._forward_range

    def spy(xp, x, w, bias, geo, lay, y, lo, hi):
        seen.append((lo, hi, get()))
        return forward(xp, x, w, bias, geo, lay, y, lo, hi)
    monkeypatch.setattr(K, "_forward_range", spy)
    C.conv2d(ember.tensor(x), ember.tensor(w))
    return seen


def test_small_conv_runs_with_the_blas_at_one_thread(monkeypatch, blas_threads):
    """The LeNet's convolutions (~0.4M multiply-adds a sample) are too small for the BLAS's
    threads: a small batch runs whole with the BLAS held at one thread, a large one (8M
    multiply-adds in all) is split in two over the kernel threads."""
    w = _rand(6, 3, 5, 5)
    assert _forward_threads(monkeypatch, _rand(20, 3, 32, 32), w) == [(0, 20, 1)]
    assert sorted(_forward_threads(monkeypatch, _rand(64, 3, 32, 32), w)) == [(0, 32, 1),
                                                                              (32, 64, 1)]
    assert T._BLAS[0]() == 1 and ember.get_num_threads() == 2  # held from the first split on


def test_large_conv_splits_from_two_samples(monkeypatch, blas_threads):
    """From _ONE_THREAD_MACS multiply-adds a sample on, one sample runs on the BLAS's threads and
    two or more split (ResNet-18's convolutions ran 1.1-1.2x faster split than on OpenBLAS's
    threads, NOTE [ Kernel threads ])."""
    w = _rand(5, 4, 3, 3, seed=1)  # 5*36*4*6 = 4320 multiply-adds a sample of 6x6
    monkeypatch.setattr(K, "_SPLIT_MACS", 2 * 4320)  # as 8M is to 4M: large kernels split from 2
    monkeypatch.setattr(K, "_ONE_THREAD_MACS", 4321)
    assert _forward_threads(monkeypatch, _rand(1, 4, 6, 6), w) == [(0, 1, 1)]
    assert not T.quiet
    monkeypatch.setattr(K, "_ONE_THREAD_MACS", 4320)
    assert _forward_threads(monkeypatch, _rand(1, 4, 6, 6), w) == [(0, 1, 2)]
    assert sorted(_forward_threads(monkeypatch, _rand(2, 4, 6, 6), w)) == [(0, 1, 1), (1, 2, 1)]
    assert T.quiet
    assert _forward_threads(monkeypatch, _rand(1, 4, 6, 6), w) == [(0, 1, 2)]  # given back


def test_split_runs_the_parts_on_kernel_threads(blas_threads):
    get = T._BLAS[0]
    parts = T.one_blas_thread(lambda lo, hi: (lo, hi, get(), threading.get_ident()), 7, 2)
    assert [p[:3] for p in parts] == [(0, 3, 1), (3, 7, 1)]
    assert parts[0][3] == threading.get_ident() != parts[1][3]
    assert T.quiet and get() == 1 and ember.get_num_threads() == 2


def test_set_num_threads_sets_the_parts(blas_threads):
    """torch.set_num_threads(1) keeps every kernel whole; 3 splits it in three."""
    ember.set_num_threads(1)
    assert T.one_blas_thread(lambda lo, hi: (lo, hi), 9, 2) == [(0, 9)]
    ember.set_num_threads(3)
    assert T.one_blas_thread(lambda lo, hi: (lo, hi), 9, 2) == [(0, 3), (3, 6), (6, 9)]
    assert ember.get_num_threads() == 3


@pytest.mark.parametrize("failing_part", [0, 1])
def test_split_raises_a_parts_error_after_both_parts_ran(blas_threads, failing_part):
    done = []

    def work(lo, hi):
        if lo == (0 if failing_part == 0 else 4):
            raise ValueError(f"part {lo}")
        done.append(lo)
        return lo
    with pytest.raises(ValueError, match=f"part {0 if failing_part == 0 else 4}"):
        T.one_blas_thread(work, 8, 2)
    assert done == [4 if failing_part == 0 else 0]
    assert ember.get_num_threads() == 2
    assert T.one_blas_thread(lambda lo, hi: hi - lo, 8, 2) == [4, 4]


def test_split_interrupted_while_waiting_starts_new_kernel_threads(monkeypatch, blas_threads):
    """An interrupt while the caller waits leaves a kernel thread possibly busy: the next split
    must not hand it a part, so the threads are made afresh."""
    T.one_blas_thread(lambda lo, hi: None, 4, 2)
    old = list(T._kernel_threads)
    join = T._KernelThread.join

    def interrupted(self):
        join(self)
        raise KeyboardInterrupt
    monkeypatch.setattr(T._KernelThread, "join", interrupted)
    with pytest.raises(KeyboardInterrupt):
        T.one_blas_thread(lambda lo, hi: None, 4, 2)
    monkeypatch.setattr(T._KernelThread, "join", join)
    assert T._kernel_threads == []
    assert T.one_blas_thread(lambda lo, hi: hi, 4, 2) == [2, 4]
    assert not set(T._kernel_threads) & set(old)


def test_a_quiet_process_holds_the_blas_at_one_thread_and_splits_large_gemms(monkeypatch,
                                                                             blas_threads):
    """NOTE [ Kernel threads ]: once a kernel has split, OpenBLAS stays at one thread (its
    spinning threads would take the kernel threads' core); 2-D GEMMs from QUIET_MACS on split
    their rows (or columns, when there are more) over the kernel threads instead."""
    from ember.ops import linalg
    get = T._BLAS[0]
    T.one_blas_thread(lambda lo, hi: None, 4, 2)
    assert T.quiet and get() == 1
    parts = []
    real = T.one_blas_thread
    monkeypatch.setattr(T, "one_blas_thread", lambda work, n, split_from=None: parts.append(
        (n, split_from, get())) or real(work, n, split_from))
    a, b = ember.tensor(_rand(8, 4)), ember.tensor(_rand(4, 3, seed=1))
    want = a.numpy() @ b.numpy()
    np.testing.assert_allclose(_np(a @ b), want, rtol=1e-6)
    np.testing.assert_allclose(_np(ember.addmm(ember.zeros(3), a, b)), want, rtol=1e-6)
    assert parts == []
    monkeypatch.setattr(T, "QUIET_MACS", 8 * 4 * 3)
    np.testing.assert_allclose(_np(linalg.mm(a, b)), want, rtol=1e-6)
    np.testing.assert_allclose(_np(linalg.mm(b.T, a.T)), want.T, rtol=1e-6)  # 3 rows, 8 columns
    assert parts == [(8, 2, 1), (8, 2, 1)] and get() == 1
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3 and get() == 1
    x, w = _rand(4, 4, 6, 6), _rand(5, 4, 3, 3, seed=1)  # 4320 multiply-adds a sample
    monkeypatch.setattr(K, "_SPLIT_MACS", 0)
    monkeypatch.setattr(T, "one_blas_thread", real)
    assert sorted(_forward_threads(monkeypatch, x, w)) == [(0, 1, 1), (1, 2, 1), (2, 4, 1)]


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
    K._SPLIT_MACS = 0  # the child splits too, on kernel threads of its own
    w = ember.tensor(_rand(3, 2, 3, 3, seed=1))
    queue.put(_np(C.conv2d(x, w)).tolist())


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_conv_works_in_a_forked_child(request, monkeypatch):
    """A DataLoader-style forked worker runs kernels (the BLAS lock and the kernel threads start
    afresh there), after the parent split one (where the BLAS is OpenBLAS)."""
    import multiprocessing
    if T._BLAS is not None:
        request.getfixturevalue("blas_threads")
    _kernel_path(monkeypatch, "split")
    x = ember.tensor(_rand(6, 2, 8, 8))
    w = ember.tensor(_rand(3, 2, 3, 3, seed=1))
    want = _np(C.conv2d(x, w))
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


def test_stacked_input_grad_ignores_stale_scratch():
    """The stride-1 input gradient's tail adds run past the chunk's rows into scratch memory:
    whatever that memory held (a signalling NaN here) neither shows in the result nor raises an
    FP warning."""
    x = ember.tensor(_rand(3, 2, 6, 7), requires_grad=True)
    w = ember.tensor(_rand(4, 2, 3, 3, seed=1))
    g = ember.tensor(_rand(3, 4, 4, 5, seed=2))
    want = _np(ember.autograd.grad(C.conv2d(x, w), x, g)[0])
    snan = np.array([0x7FA00000], np.uint32).view(np.float32)[0]
    scratch = [b for key, b in K._local.buffers.items() if key[1] == "scatter" and b.ndim == 1]
    assert scratch
    for b in scratch:
        b.fill(snan)
    with np.errstate(all="raise"):
        got = _np(ember.autograd.grad(C.conv2d(x, w), x, g)[0])
    np.testing.assert_array_equal(got, want)
