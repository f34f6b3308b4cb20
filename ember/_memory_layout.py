"""How a tensor's elements lie in memory: torch.layout (ember has the strided one only) and
torch.memory_format (contiguous_format, channels_last, channels_last_3d, preserve_format).

NOTE [ Memory formats ]
A channels-last tensor keeps its logical NCHW shape; only its strides change, its channels
being the innermost dimension in memory (NHWC order). A NumPy array says the same thing: the
transposed view of a C-contiguous NHWC array. `arrange` gives an array that layout (copying only
when it is not already laid out so), and `preserve_format` keeps a dense input's own order, as
NumPy's order='K' copy does (torch's rule for clone and the *_like factories).
"""
import numpy as np

__all__ = ["layout", "strided", "memory_format", "contiguous_format", "channels_last",
           "channels_last_3d", "preserve_format", "legacy_contiguous_format"]


class _Named:
    """A torch singleton printed as torch.<name>, pickled as a reference to the singleton."""
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


class layout(_Named):
    __slots__ = ()


class memory_format(_Named):
    __slots__ = ()


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
legacy_contiguous_format = contiguous_format  # torch's alias of the same object

# axis order from the outermost to the innermost in memory, and the rank each format needs
_ORDERS = {channels_last: (0, 2, 3, 1), channels_last_3d: (0, 2, 3, 4, 1)}


def _order(fmt, ndim):
    order = _ORDERS[fmt]
    if ndim != len(order):
        raise RuntimeError(f"required rank {len(order)} tensor to use {fmt._name} format")
    return order


def check(fmt):
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be torch.memory_format, not {type(fmt).__name__}")
    return fmt


def is_laid_out(a, fmt):
    """Whether array a is contiguous in memory format fmt (None: contiguous_format)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:  # torch's answer
        return a.flags.c_contiguous
    order = _ORDERS[fmt]
    return a.ndim == len(order) and a.transpose(order).flags.c_contiguous


def arrange(xp, a, fmt):
    """a's values in an array laid out as fmt (a itself when it already is); preserve_format:
    a copy in a's own order when it is dense, else C order."""
    if fmt is preserve_format:
        return a.copy(order="K")
    if is_laid_out(a, fmt):
        return a
    if fmt is None or fmt is contiguous_format:
        return xp.ascontiguousarray(a)
    order = _order(fmt, a.ndim)
    return xp.ascontiguousarray(a.transpose(order)).transpose(tuple(np.argsort(order).tolist()))


def preserves(a, fmt):
    """Whether a new array made like a in format fmt takes a layout of a's own: preserve_format
    (None too, the *_like factories' default) and a non-empty a that is not C-ordered."""
    return (fmt is None or fmt is preserve_format) and a.size > 0 and not a.flags.c_contiguous


def like(a, fmt):
    """The format of a new array made like a (torch's *_like factories): fmt, or for
    preserve_format (their default) a's own channels-last order when it has one."""
    if fmt is not preserve_format and fmt is not None:
        return fmt
    if not a.flags.c_contiguous:
        for candidate, order in _ORDERS.items():
            if a.ndim == len(order) and a.transpose(order).flags.c_contiguous:
                return candidate
    return contiguous_format
