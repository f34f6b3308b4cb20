"""Copies and conversions: clone, to(dtype/device), copy_ into a tensor, contiguous."""
import warnings

from .. import _dtype, _memory_layout
from .._backend import to_device, xp_of
from .._device import as_device, device as _device_cls
from .._tensor import Tensor
from ._common import _zeros
from ._op import Op
from .complex import real
from .._warnings import user_stacklevel

__all__ = ["clone", "to", "copy_into", "fill_like", "contiguous", "fill"]


class Clone(Op):
    """A copy laid out as memory_format: by default (preserve_format) in the input's own order
    when it is dense, as torch's clone (NOTE [ Memory formats ])."""

    def forward(ctx, a, memory_format=None):
        out = _memory_layout.arrange(ctx.xp, a, memory_format or _memory_layout.preserve_format)
        return a.copy(order="K") if out is a else out

    def backward(ctx, g):
        return g


class ToCopy(Op):
    """dtype and/or device change; the gradient goes back to the input's dtype and device."""

    def forward(ctx, a, np_dtype, dev, copy):
        ctx.src_dtype = a.dtype
        ctx.src_device = "cpu" if xp_of(a).__name__ == "numpy" else "cuda"
        ctx.src_index = None if ctx.src_device == "cpu" else a.device.id
        out = a if dev is None else to_device(a, dev.type, dev.index or 0)
        if np_dtype is not None and out.dtype != np_dtype:
            if out.dtype.kind == "c" and np_dtype.kind != "c":
                warnings.warn("Casting complex values to real discards the imaginary part",
                              UserWarning, stacklevel=user_stacklevel())
                out = out.real
            out = _dtype.cast(out, np_dtype)
        elif copy and out is a:
            out = a.copy()
        return out

    def backward(ctx, g):
        dev = _device_cls(ctx.src_device, ctx.src_index)
        if g.is_complex() and ctx.src_dtype.kind != "c":  # a real input takes the real part
            g = real(g)
        return to(g, dev, _dtype._FROM_NP[ctx.src_dtype])


class CopyInto(Op, grad_fn="CopyBackwards"):
    """The out-of-place half of self.copy_(src): src broadcast to self's shape and dtype."""

    def forward(ctx, dst, src):
        ctx.src_dtype = src.dtype if hasattr(src, "dtype") else None
        xp = ctx.xp
        if hasattr(src, "dtype") and xp_of(src) is not xp:
            src = to_device(src, "cpu" if xp.__name__ == "numpy" else "cuda")
        out = xp.empty_like(dst)
        _dtype.cast_into(out, src)
        return out

    def backward(ctx, g):
        return None, (g if ctx.src_dtype is None else g.to(_dtype._FROM_NP[ctx.src_dtype]))


def _parse_to(args, kwargs):
    dev = kwargs.pop("device", None)
    dt = _dtype.canonical(kwargs.pop("dtype", None))
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    for a in args:
        a = _dtype.canonical(a)
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, _dtype.dtype):
            dt = a
        elif a is not None:
            dev = a
    return (None if dev is None else as_device(dev)), dt, copy


def to(input, *args, **kwargs):
    fmt = _memory_layout.check(kwargs.get("memory_format"))
    dev, dt, copy = _parse_to(args, dict(kwargs))
    same_dev = dev is None or dev == input.device
    same_dt = dt is None or dt.np == input._data.dtype
    if not (same_dev and same_dt and not copy):
        input = ToCopy.apply(input, None if dt is None else dt.np, None if same_dev else dev, copy)
    if fmt is None or fmt is _memory_layout.preserve_format:
        return input
    return contiguous(input, fmt)


def clone(input, *, memory_format=None):
    return Clone.apply(input, _memory_layout.check(memory_format))


def contiguous(input, memory_format=None):
    if _memory_layout.is_laid_out(input._data, _memory_layout.check(memory_format)):
        return input
    if memory_format is _memory_layout.preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return Clone.apply(input, memory_format or _memory_layout.contiguous_format)


def copy_into(dst, src):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    return CopyInto.apply(dst, src)


class FillFromTensor(CopyInto, grad_fn="FillBackward3"):
    pass


class Fill(Op, grad_fn="FillBackward2"):
    """The out-of-place half of self.fill_(number) in a graph: the number everywhere, so no
    gradient reaches self's old values (zeros, as torch gives them)."""

    def forward(ctx, a, value):
        out = ctx.xp.empty_like(a)
        out.fill(value)
        return out

    def backward(ctx, g):
        return _zeros(ctx, g)


class Zero(Fill, grad_fn="ZeroBackward0"):
    pass


class FillOut(Fill, grad_fn="FillBackward0"):
    """torch.fill(input, number): a new tensor; input gets a zero gradient."""


class FillOutFromTensor(FillFromTensor, grad_fn="FillBackward1"):
    """torch.fill(input, value) with a 0-d tensor value: the value gets the summed gradient,
    input a zero one."""

    def backward(ctx, g):
        return _zeros(ctx, g), FillFromTensor.backward(ctx, g)[1]


def check_fill_value(value):
    """torch's error for a fill value that is a tensor of one or more dims."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                           f"with {value._data.ndim} dimensions.")


def fill(input, value):
    """torch.fill: a tensor of input's shape and dtype holding value everywhere."""
    if isinstance(value, Tensor):
        check_fill_value(value)
        if value._requires_grad:
            return FillOutFromTensor.apply(input, value)
        return FillOut.apply(input, _dtype.tensor_fill_value(value, input.dtype))
    return FillOut.apply(input, _dtype.checked_fill(value, input.dtype))


def fill_like(dst, value):
    """The out-of-place half of fill_(value) with a 0-d Tensor value that requires grad or
    fills a tensor in a graph (FillBackward3 either way, as torch records it)."""
    return FillFromTensor.apply(dst, value)


def filled(dst, value):
    """The out-of-place half of fill_(number) on a tensor in a graph."""
    return Fill.apply(dst, value)


def zeroed(dst):
    """The out-of-place half of zero_() on a tensor in a graph."""
    return Zero.apply(dst, 0)
