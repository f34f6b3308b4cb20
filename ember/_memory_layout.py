"""How a tensor's elements lie in memory: torch.layout (ember has the strided one only) and
torch.memory_format (contiguous_format, channels_last, channels_last_3d, preserve_format).

NOTE [ Memory formats ]
A channels-last tensor keeps its logical NCHW shape; only its strides change, its channels
being the innermost dimension in memory (NHWC order). A NumPy array says the same thing: the
transposed view of a C-contiguous NHWC array. `arrange` gives an array that layout (copying only
when it is not already laid out so), and `preserve_format` keeps a dense input's own order, as
NumPy's order='K' copy does (torch's rule for clone and the *_like factories).

NOTE [ Suggested memory format ]
torch's image ops (convolutions, max pooling, 2-D average and adaptive pooling, upsampling,
batch and group norm, reflect/replicate/constant padding) give their result, and most their
input gradient, the layout the input "suggests" (c10's suggest_memory_format): channels_last
for a 4-D input, channels_last_3d for a 5-D one, when its strides order the channels innermost
(is_channels_last_strides_2d/3d, which also holds for a slice of such a tensor), contiguous
otherwise. Which ops follow it, and which layout each input gradient takes (the input's, the
output gradient's, or plain contiguous), is each op's own rule, probed from torch 2.13 and
written beside the op (ember does not follow upsampling and padding yet). An op asks
`suggest` once per operand that counts (a convolution: input, then weight): a C-contiguous one
(the common case) answers after one flags test. NumPy ignores the strides of size-1 dims in that
flag, so an (N, C, 1, 1) or single-channel input counts as contiguous here, where torch may keep
a channels-last stride for them. `lay_out` then writes the fresh NCHW result in that layout.
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
# the format a rank suggests when its strides put the channels innermost
_BY_RANK = {len(order): fmt for fmt, order in _ORDERS.items()}


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


def suggest(a):
    """torch's suggest_memory_format of array a: channels_last(_3d) when its strides order
    the channels innermost, None for contiguous (NOTE [ Suggested memory format ])."""
    if a.flags.c_contiguous:
        return None
    fmt = _BY_RANK.get(a.ndim)
    return fmt if fmt is not None and _strides_like(a, _ORDERS[fmt]) else None


def _strides_like(a, order):
    """c10's is_channels_last_strides_2d/3d: walking the dims from the innermost in `order`,
    each stride at least the extent of the dims inside it; ambiguous strides say contiguous."""
    if a.strides[1] == 0:
        return False
    least = 0
    for d in reversed(order):
        size, stride = a.shape[d], a.strides[d]
        if size == 0 or stride < least or d == 0 and least == a.strides[1]:
            return False
        least = stride * size if size > 1 else stride
    return True


def empty(xp, shape, dtype, fmt):
    """An uninitialised array of shape laid out as fmt (None: C order), for a kernel that
    writes its result in place."""
    if fmt is None:
        return xp.empty(shape, dtype)
    order = _order(fmt, len(shape))
    return xp.empty([shape[i] for i in order], dtype).transpose(tuple(np.argsort(order).tolist()))


def lay_out(xp, a, fmt):
    """A fresh result a in format fmt from suggest (a itself for None)."""
    return a if fmt is None else arrange(xp, a, fmt)
