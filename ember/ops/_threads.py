"""Kernel threads: the BLAS's own threads inside large GEMMs; convolution kernels with the BLAS
held at one thread, their batch split over ember's own threads.

NOTE [ Kernel threads ]
Large GEMMs (a transformer's linear layers) run on OpenBLAS's threads. A convolution kernel made
of many small calls (the LeNet's convolutions: a few 10-100 us GEMMs and copies per
chunk) holds OpenBLAS at one thread (`one_blas_thread`, through the library's own
`openblas_set_num_threads`, found with ctypes: no dependency): OpenBLAS's threads only
synchronise on such small GEMMs (conv1 forward + backward at batch 64: 4.6 ms with two, 3.2 ms
with one). When the batch is large enough (`split_from`), a kernel splits it instead into one
part per thread (get_num_threads), the first part on the calling thread and the others on ember's kernel
threads (NumPy releases the GIL in its loops); each part walks its samples in the kernel's usual
cache-sized chunks. The LeNet's convolutions (forward, backward) ran 1.4-1.5x faster on two threads
at batch 256, 1.1-1.3x at batch 64.

Three findings bound this on the 2-vCPU machine it was measured on (KVM):
- OpenBLAS's idle threads spin for about 0.1 s after every threaded GEMM (a full core stays busy
  through a 50 ms sleep after one 768x512x512 product; `openblas_set_num_threads(1)` does not
  stop them), and they take the core a kernel thread needs: split right after a threaded GEMM, a
  kernel ran no faster than whole, pinned to the other core 1.6x slower. So the first split makes
  the process `quiet`: from then on the BLAS stays at one thread (OpenBLAS's threads fall asleep)
  and ember keeps the thread count (get/set_num_threads); every convolution kernel splits, and
  so does every 2-D GEMM from QUIET_MACS multiply-adds on (linalg's `_gemm`: its rows or columns
  over ember's kernel threads, `split_product`). Any threaded BLAS call keeps OpenBLAS spinning:
  the LeNet at batch 256 took 26-27 ms a step with its linear layers' GEMMs threaded, 22 ms with
  them held; a CIFAR ResNet-20 at batch 128 took 790-870 ms with only the small GEMMs held
  (BatchNorm's row sums are threaded GEMVs), 540-550 ms with the BLAS held process-wide; the
  MNIST example's step (batch 32, a 9216x128 linear layer) 62-64 ms with its large GEMMs on the
  BLAS's threads (its convolutions then ran slower split than whole), 48-50 ms with them split
  over ember's (ResNet-18's step at batch 32 within the noise either way). A process that never
  splits a kernel (a transformer) keeps the BLAS's threads: holding its smaller GEMMs at one
  thread cost it about 3 % of a step, and ember's own threads split GEMMs worse than OpenBLAS
  does (a transformer step's GEMMs: 10.9 ms on OpenBLAS's two threads, 14.3 ms split over
  ember's, 18.0 ms on one).
- Elementwise work splits only in a quiet process, and only when it is large (NOTE [ Elementwise
  kernels in a quiet process ] below): elsewhere OpenBLAS's spinning threads hold the other core
  (GELU's chunked erf kernel, ~400 short NumPy calls over a transformer's 393K activations, ran
  1.8 ms whole and 3.6 ms split in two). Each NumPy call is also a GIL hand-off, so short calls
  never split.
- Threads share the GIL, and that limits the split: conv1's forward at batch 64 takes 1.20 ms
  whole and 0.97 ms split over two threads, while two independent processes each doing a half
  at the same time take 0.62 ms (each alone: 0.59 ms), so the hardware would allow 1.9x. A
  thread coming back from a NumPy call must wait whenever the other thread holds the GIL between
  its calls, and each wait ends with a wake-up across vCPUs (below): the LeNet conv2's input and
  weight gradients at batch 64 (0.7 ms each) run at the same time on two threads took 1.2 ms,
  with ~14 context switches a pair (`perf stat`); bigger chunks (fewer calls) lost more in cache
  locality than they saved.
Earlier measurements had every split lose (the LeNet's conv1 forward 0.8x), most likely to the
spinning threads above. Large convolutions split too, from two samples on: ResNet-18's training
step at 224x224 ran 0.91-0.97 -> 0.80-0.82 s at batch 8 and 3.27-3.37 -> 2.86-2.88 s at batch 32
(its convolutions 12 % faster; 64x64 at batch 32 unchanged, ~0.36 s), split against OpenBLAS's
threads, ember alone. Per layer only the deepest 3x3 convolution at batch 8 ran slower split
(512 channels of 7x7: 33.7 -> 37.7 ms, its per-part weight gradients summed), but running the
channel-major kernels whole on the BLAS's threads inside the split process made the step slower
(0.36 -> 0.44 s at 64x64: OpenBLAS spins after them through the next splits), even with
OPENBLAS_THREAD_TIMEOUT cut to 2^16 cycles. A kernel of one sample keeps the BLAS's threads.
Small kernels gain the most: CIFAR-ResNet-sized 3x3 convolutions (16-64 channels, 2.5-2.9M a
sample, batch 128) ran 1.75x faster split. Waking a thread on the other vCPU is slow on this VM:
a Lock ping-pong between two Python threads pinned to different vCPUs takes 60-70 us a round
trip (5 us pinned to one), so a split pays tens of microseconds before its second part starts,
and kernels under a few hundred microseconds never gain (a 100 us batched matmul ran in 140 us
split in two). Worker processes through shared memory did no better than threads in an earlier
attempt (conv1's forward at batch 64/256: 1.0-1.2x, plus a ~0.3 ms hand-off).

NOTE [ Elementwise kernels in a quiet process ]
In a quiet process nothing spins on the other core, and large elementwise kernels split over the
kernel threads as the convolutions do (`quiet_parts`, `split_flat`): batch norm's forward and
backward by samples (each part's statistics joined, ops/norm.py), ReLU and its backward by flat
ranges (ops/activation.py), max pooling by images (ops/pool.py). A split pays a wake-up across
vCPUs (above), so work splits from QUIET_ELEMENTS element-passes (elements times the passes a
kernel makes over them) on: a multiply of float32 arrays, whole against split in two, single-
threaded BLAS, took 97 -> 184 us at 256K elements, 269 -> 244 us at 512K, 448 -> 354 us at 1M,
948 -> 687 us at 2M and 6.1 -> 3.0 ms at 8M; five passes of batch norm's backward over 2M floats
3.5 -> 1.9 ms. (An earlier note measured a 1M multiply no faster split, 141 against 138 us,
most likely beside a spinning BLAS thread.) The CIFAR ResNet-20's training step at batch 128
and 2 threads (Intel Xeon, AVX-512, 2 vCPUs, ember alone, old and new alternating) ran
487-512 -> 415-447 ms; the LeNet's at batch 256 22.3-23.5 -> 20.9-21.1 ms (its pooling and
ReLUs), at batch 64 unchanged (its ReLUs too small to split, 6.9-7.0 ms); the transformer (gpt
12), which never goes quiet, unchanged.
"""
import ctypes
import glob
import os
import sys
import threading

import numpy as np


def _openblas():
    """(get_num_threads, set_num_threads) of the OpenBLAS that NumPy loaded, or None."""
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()
                            and line.split()[-1].startswith("/")})
    except OSError:
        pass
    root = os.path.dirname(os.path.dirname(np.__file__))
    paths += glob.glob(os.path.join(root, "numpy.libs", "*openblas*")) + glob.glob(
        os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                               ("openblas", "64_"), ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                put.restype, put.argtypes = None, [ctypes.c_int]
                return get, put
    return None


_BLAS = _openblas() if sys.platform.startswith("linux") or sys.platform == "darwin" else None
_lock = threading.Lock()


def _after_fork():
    """The lock may have been held at the fork (a DataLoader worker), and a forked child has none
    of the parent's kernel threads: start both afresh."""
    global _lock, _kernel_threads
    _lock = threading.Lock()
    _kernel_threads = []


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


QUIET_MACS = 1 << 24  # a quiet process's 2-D GEMMs from this size on split over kernel threads
QUIET_ELEMENTS = 1 << 20  # a quiet process's elementwise kernels from this many element-passes on
# split too (NOTE [ Elementwise kernels in a quiet process ])
quiet = False  # set when a kernel first splits: the BLAS is held at one thread from then on
_count = 1  # the thread count while quiet (the BLAS's own then stays at one)


def num_threads():
    """The intra-op thread count: the BLAS's, or the one kept while the BLAS is held (quiet)."""
    return _count if quiet else _BLAS[0]()


def set_num_threads(n):
    global _count
    with _lock:  # not while a kernel holds the BLAS at one thread
        if quiet:
            _count = n
        else:
            _BLAS[1](n)


def one_blas_thread(work, n, split_from=None):
    """[work(lo, hi) for each part of [0, n)] with the BLAS held at one thread meanwhile: one part,
    or, when n >= split_from and there are several threads, one per thread, all but the first on
    ember's kernel threads. The first split makes the process quiet: the BLAS stays at one thread
    (NOTE [ Kernel threads ])."""
    global quiet, _count
    if _BLAS is None:
        return [work(0, n)]
    split = split_from is not None and n >= max(split_from, 2)
    with _lock:
        if quiet:
            if split and _count > 1:
                return _split(work, n, min(_count, n))
            return [work(0, n)]
        saved = _BLAS[0]()
        if saved == 1:
            return [work(0, n)]
        _BLAS[1](1)
        if split:
            quiet, _count = True, saved
            return _split(work, n, min(saved, n))
        try:
            return [work(0, n)]
        finally:
            _BLAS[1](saved)


def split_product(a, b):
    """a @ b of 2-D NumPy arrays, the larger of its row and column counts split over ember's
    kernel threads with the BLAS at one thread (a quiet process's large GEMMs)."""
    out = np.empty((a.shape[0], b.shape[1]), np.result_type(a.dtype, b.dtype))
    if a.shape[0] >= b.shape[1]:
        one_blas_thread(lambda lo, hi: np.matmul(a[lo:hi], b, out=out[lo:hi]), a.shape[0], 2)
    else:
        one_blas_thread(lambda lo, hi: np.matmul(a, b[:, lo:hi], out=out[:, lo:hi]),
                        b.shape[1], 2)
    return out


def splits(element_passes):
    """Whether elementwise work of `element_passes` (elements times the passes over them) splits
    over ember's kernel threads: in a quiet process, from QUIET_ELEMENTS on."""
    return quiet and _count > 1 and element_passes >= QUIET_ELEMENTS


def quiet_parts(work, n, element_passes, xp=np):
    """[work(lo, hi) for each part of [0, n)]: over ember's kernel threads where its
    `element_passes` `splits` and it works on NumPy arrays (`xp`), in one part otherwise. It never
    makes a process quiet."""
    if xp is np and n > 1 and splits(element_passes):
        return one_blas_thread(work, n, 2)
    return [work(0, n)]


def split_flat(fn, out, *operands, passes=1):
    """fn(*operands, out=out) by flat ranges over ember's kernel threads: out and every array
    operand C-contiguous NumPy arrays of one shape, other operands (numbers) passed as they are
    (callers check `splits` first); fn makes `passes` passes over them."""
    flat_out = out.reshape(-1)
    flat = [a.reshape(-1) if isinstance(a, np.ndarray) else a for a in operands]

    def work(lo, hi):
        fn(*[a[lo:hi] if isinstance(a, np.ndarray) else a for a in flat], out=flat_out[lo:hi])
    quiet_parts(work, out.size, out.size * passes)
    return out


def blas_threads(work):
    """work() on the BLAS's threads in a quiet process (a large GEMM), the BLAS held again after;
    elsewhere just work()."""
    if not quiet or _BLAS is None or _count == 1:
        return work()
    with _lock:
        _BLAS[1](_count)
        try:
            return work()
        finally:
            _BLAS[1](1)


class _KernelThread:
    """A daemon thread that runs one part of a kernel at a time: run() hands it a part, join()
    waits for it and returns its result or raises its exception."""

    def __init__(self):
        self._go, self._done = threading.Lock(), threading.Lock()
        self._go.acquire()
        self._done.acquire()
        self._part = self._result = self._error = None
        threading.Thread(target=self._serve, name="ember-kernel", daemon=True).start()

    def _serve(self):
        while True:
            self._go.acquire()
            work, lo, hi = self._part
            try:
                self._result = work(lo, hi)
            except BaseException as exc:  # raised again on the calling thread
                self._error = exc
            self._done.release()

    def run(self, work, lo, hi):
        self._part = (work, lo, hi)
        self._go.release()

    def join(self):
        self._done.acquire()
        result, error = self._result, self._error
        self._part = self._result = self._error = None
        if error is not None:
            raise error
        return result


_kernel_threads = []  # made on first use; only used under _lock


def _split(work, n, parts):
    global _kernel_threads
    while len(_kernel_threads) < parts - 1:
        _kernel_threads.append(_KernelThread())
    bounds = [n * i // parts for i in range(parts + 1)]
    helpers = _kernel_threads[:parts - 1]
    for i, helper in enumerate(helpers, 1):
        helper.run(work, bounds[i], bounds[i + 1])
    results, error = [], None
    try:
        results.append(work(0, bounds[1]))
    except BaseException as exc:  # the other parts still finish before the caller goes on
        error = exc
    try:
        for helper in helpers:
            try:
                results.append(helper.join())
            except Exception as exc:
                error = error or exc
    except BaseException:  # interrupted while waiting: these threads may still be busy
        _kernel_threads = []
        raise
    if error is not None:
        raise error
    return results
