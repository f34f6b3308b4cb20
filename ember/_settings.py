"""Process-wide settings torch exposes at its top level: thread counts, deterministic algorithms,
float32 matmul precision, warn-always and denormal flushing.

NOTE [ Settings ember honours ]
ember's intra-op threads are the BLAS's, and as many for the kernels that split their batch
over threads of ember's own (NOTE [ Kernel threads ] in ops/_threads.py), so
get_num_threads/set_num_threads read and set OpenBLAS's count.
The rest are recorded and reported as torch reports them, with torch's argument checks, but change
no result: NumPy's CPU kernels are already deterministic and compute float32 matmuls in full
float32 precision (torch's 'highest'), and ember has no inter-op thread pool. Denormals cannot be
flushed from Python, so set_flush_denormal reports False, as torch does where it is unsupported.
"""
import builtins
import os

from .ops import _threads
from ._warnings import user_stacklevel

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "set_deterministic_debug_mode", "get_deterministic_debug_mode",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "set_warn_always",
           "is_warn_always_enabled", "set_flush_denormal"]


class _State:
    num_threads = 1  # used only where no BLAS could be found
    interop_threads = None  # None: not set, the default of os.cpu_count()
    deterministic = False
    warn_only = False
    matmul_precision = "highest"
    warn_always = False


_state = _State()
_PRECISIONS = ("highest", "high", "medium")
_DEBUG_MODES = ("default", "warn", "error")


def _positive_int(n, fn):
    if isinstance(n, builtins.bool) or not isinstance(n, builtins.int):
        raise RuntimeError(f"{fn} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{fn} expects a positive integer")
    return n


def get_num_threads():
    """The number of threads ember's kernels and the BLAS use."""
    if _threads._BLAS is None:
        return _state.num_threads
    return _threads.num_threads()


def set_num_threads(int):
    """Set the number of threads of ember's kernels and the BLAS (NOTE [ Settings ember
    honours ])."""
    n = _positive_int(int, "set_num_threads")
    if _threads._BLAS is None:
        _state.num_threads = n
        return
    _threads.set_num_threads(n)


def get_num_interop_threads():
    """The inter-op thread count torch would use (ember has no inter-op pool)."""
    return _state.interop_threads or os.cpu_count() or 1


def set_num_interop_threads(int):
    """Record the inter-op thread count; as in torch, it can be set only once."""
    n = _positive_int(int, "set_num_interop_threads")
    if _state.interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _state.interop_threads = n


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether deterministic algorithms are required (ember's are all deterministic)."""
    if not isinstance(mode, builtins.bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    if not isinstance(warn_only, builtins.bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'warn_only' must be bool, "
                        f"not {type(warn_only).__name__}")
    _state.deterministic, _state.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled():
    return _state.deterministic


def is_deterministic_algorithms_warn_only_enabled():
    return _state.warn_only


def set_deterministic_debug_mode(debug_mode):
    """'default' (0), 'warn' (1) or 'error' (2): use_deterministic_algorithms off, on with
    warn_only, or on."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, builtins.int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _state.deterministic:
        return 0
    return 1 if _state.warn_only else 2


def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium'; anything else warns and changes nothing, as in torch."""
    if precision not in _PRECISIONS:
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning,
                      stacklevel=user_stacklevel())
        return
    _state.matmul_precision = precision


def get_float32_matmul_precision():
    return _state.matmul_precision


def set_warn_always(b):
    """Warn every time instead of once where torch warns only once per process."""
    if not isinstance(b, builtins.bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _state.warn_always = b


def is_warn_always_enabled():
    return _state.warn_always


def set_flush_denormal(mode):
    """False: ember cannot flush denormals (NOTE [ Settings ember honours ])."""
    return False
