"""Kernel threads: the BLAS's own threads, held at one around kernels too small for them.

NOTE [ Kernel threads ]
ember's kernels run on the calling thread; their only parallelism is OpenBLAS's threads inside
GEMM calls. A kernel made of many small calls (the LeNet's convolutions: a few 10-100 us GEMMs
and copies per chunk) runs with OpenBLAS held at one thread (`one_blas_thread`), through the
library's own `openblas_set_num_threads` (found with ctypes: no dependency): OpenBLAS's threads
only synchronise on such small GEMMs (conv1 forward + backward at batch 64: 4.6 ms with two,
3.2 ms with one). Large GEMMs (ResNet's convolutions) keep the BLAS's threads.

Splitting a kernel's batch over Python threads (NumPy releases the GIL in its loops) was
measured here and lost at every size on this 2-vCPU machine (KVM): every NumPy call ends in a GIL
hand-off across cores that costs about as much as a small call (the LeNet's conv1 forward: 0.8x
the serial time on two threads), and even ResNet-18's large kernels ran slower split than whole
with OpenBLAS's threads in their GEMMs (batch 8, two threads: 2.0 s against 1.36 s a step);
splitting over worker processes through shared memory did no better (conv1's forward at batch
64/256: 1.0-1.2x, the two halves each ~30 % slower side by side, plus a ~0.3 ms hand-off).
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
    """The lock may have been held at the fork (a DataLoader worker): start it afresh."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def one_blas_thread(work, n):
    """work(0, n) with the BLAS held at one thread meanwhile."""
    if _BLAS is None:
        return work(0, n)
    with _lock:
        saved = _BLAS[0]()
        if saved == 1:
            return work(0, n)
        _BLAS[1](1)
        try:
            return work(0, n)
        finally:
            _BLAS[1](saved)
