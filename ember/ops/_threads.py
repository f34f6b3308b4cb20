"""Kernel threads: a batch split over worker threads, the BLAS held at one thread meanwhile.

NOTE [ Batch threads ]
NumPy's ufuncs, copies and GEMM calls release the GIL, so a kernel that walks its batch in chunks
(convolution, pooling) runs its chunks on two cores when the batch is split over two Python
threads; OpenBLAS alone threads only the GEMMs, and on the LeNet's small per-sample GEMMs it
mostly synchronises. While the halves run, OpenBLAS is set to one thread (its worker threads would
otherwise compete with ours for the same cores) and restored after, through the library's own
`openblas_set_num_threads` (found with ctypes: no dependency). The thread count follows the BLAS
(OPENBLAS_NUM_THREADS=1 runs every kernel on the calling thread), and a batch is split only when
each thread gets at least `min_bytes` of work, below which the hand-off costs more than it saves.

Measured on this 2-vCPU machine (KVM): a kernel made of many small calls (the LeNet's convolutions,
a few 10-100 us GEMMs and copies per chunk) runs *slower* on two threads than on one, since every
call ends in a GIL hand-off across cores that costs about as much as the call; and OpenBLAS's own
two threads only synchronise on such small GEMMs (conv1 forward + backward at batch 64: 4.6 ms
split, 3.2 ms on one thread with the BLAS at one thread). Such kernels run whole on the calling
thread with the BLAS held at one thread (`one_blas_thread`); only kernels whose calls are large
(ResNet's convolutions: ~100M multiply-adds per sample) are split.
"""
import ctypes
import glob
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, wait

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
_pool = None


def _after_fork():
    """A forked child (a DataLoader worker) has none of the parent's worker threads, and the
    lock may have been held at the fork: start both afresh."""
    global _lock, _pool
    _lock, _pool = threading.Lock(), None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def num_threads():
    """Threads a kernel may use: the BLAS's own count, else 1 (the caller's thread)."""
    return _BLAS[0]() if _BLAS is not None else 1


def _executor(workers):
    global _pool
    if _pool is None or _pool._max_workers < workers:
        _pool = ThreadPoolExecutor(workers, thread_name_prefix="ember-kernel")
    return _pool


def split(n, per_sample_bytes, min_bytes):
    """[lo, hi) sample ranges, one per thread: a single range when the work is too small to
    split or the BLAS runs on one thread."""
    parts = min(num_threads(), n * per_sample_bytes // max(min_bytes, 1), n)
    if parts <= 1:
        return [(0, n)]
    bounds = [n * i // parts for i in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def run(work, ranges):
    """work(lo, hi) for every range, the first on the calling thread and the rest on workers;
    the results in range order. The BLAS runs on one thread while more than one range runs."""
    if len(ranges) == 1:
        return [work(*ranges[0])]
    with _lock:  # one split kernel at a time: the BLAS thread count is process-wide
        saved = _BLAS[0]()
        _BLAS[1](1)
        try:
            futures = [_executor(len(ranges) - 1).submit(work, lo, hi) for lo, hi in ranges[1:]]
            try:
                first = work(*ranges[0])
            finally:
                wait(futures)  # never leave a worker writing into a caller's array
            return [first] + [f.result() for f in futures]
        finally:
            _BLAS[1](saved)


def one_blas_thread(work, n):
    """[work(0, n)] on the calling thread with the BLAS held at one thread meanwhile."""
    if _BLAS is None:
        return [work(0, n)]
    with _lock:
        saved = _BLAS[0]()
        if saved == 1:
            return [work(0, n)]
        _BLAS[1](1)
        try:
            return [work(0, n)]
        finally:
            _BLAS[1](saved)


def over_batch(xp, n, per_sample_bytes, min_bytes, work):
    """work(lo, hi) over a batch of n NumPy samples, split over threads when each gets at least
    min_bytes of work (other array modules run it whole); the list of its results."""
    return run(work, split(n, per_sample_bytes, min_bytes) if xp is np else [(0, n)])
