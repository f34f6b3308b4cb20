"""Host memory policy: let glibc's malloc keep freed large blocks for reuse.

NOTE [ Host allocations ]
A training step allocates and frees the same large arrays (activations, gradients, 0.1-10 MB)
every step. By default glibc serves a block above its mmap threshold (128 KiB, raised only to
the largest block freed so far) with fresh pages from mmap, and gives the top of its heap back
to the kernel above its trim threshold, so that the next step's arrays fault their pages in and
the kernel zeroes them again: on this machine that cost a fifth of a transformer step, more
than a third of a batch-256 LeNet step. At import ember raises the mmap threshold to 32 MiB
(glibc's ceiling) and the trim threshold to 128 MiB with mallopt (glibc only, through ctypes):
freed blocks are reused, and peak memory stays the same (measured: gpt 12 82 MB, lenet 256
76 MB, lstm 20 71 MB peak RSS, with or without). A process that sets glibc's malloc parameters
itself (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, or malloc tunables in GLIBC_TUNABLES)
keeps its own.
"""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20


def _user_set():
    return ("MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ
            or "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", ""))


def _tune():
    """True when the thresholds were set (glibc on Linux, nothing set by the user)."""
    if not sys.platform.startswith("linux") or _user_set():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


TUNED = _tune()
