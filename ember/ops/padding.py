"""Padding of the trailing dims: constant (negative pads crop), reflect, replicate, circular.

`pad` follows PyTorch's order: (left, right) of the last dim first, then of the dim before it.
"""
from ._op import Op, shape_str

__all__ = ["constant_pad_nd"]

_NP_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pairs(pad, ndim):
    """PyTorch's flat pad list as one (before, after) pair per dim of an ndim input."""
    k = len(pad) // 2
    pairs = [(0, 0)] * (ndim - k)
    for i in range(k - 1, -1, -1):
        pairs.append((pad[2 * i], pad[2 * i + 1]))
    return pairs


class ConstantPadNd(Op):
    def forward(ctx, x, pad, value):
        ctx.pad = pad
        pairs = _pairs(pad, x.ndim)
        shape = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, pairs))
        out = ctx.xp.full(shape, value, dtype=x.dtype)
        src = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, pairs))
        dst = tuple(slice(max(lo, 0), m - max(hi, 0)) for m, (lo, hi) in zip(shape, pairs))
        out[dst] = x[src]
        return out

    def backward(ctx, g):
        return ConstantPadNd.apply(g, tuple(-p for p in ctx.pad), 0)


class _Pad(Op):
    """Reflect, replicate or circular padding of the last k dims (mode is a class attribute).
    Negative pads crop: reflect and replicate apply the positive pads to the whole input first,
    circular wraps the cropped input, as PyTorch does."""
    mode = None

    def forward(ctx, x, pad):
        ctx.pad = pad
        mode = ctx._forward_cls.mode
        pairs = _pairs(pad, x.ndim)
        grown = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        if mode == "circular":
            return ctx.xp.pad(x[_crop(x.shape, pairs)], grown, mode="wrap")
        y = ctx.xp.pad(x, grown, mode=_NP_MODES[mode])
        return y[_crop(y.shape, pairs)]

    def backward(ctx, g):
        return PadBackward.apply(g, ctx.pad, ctx._forward_cls.mode)


def _uncrop(xp, g, pairs):
    """The adjoint of _crop: g placed inside zeros where the negative pads cut."""
    if all(lo >= 0 and hi >= 0 for lo, hi in pairs):
        return g
    shape = tuple(n + max(-lo, 0) + max(-hi, 0) for n, (lo, hi) in zip(g.shape, pairs))
    full = xp.zeros(shape, g.dtype)
    full[_crop(shape, pairs)] = g
    return full


def _crop(shape, pairs):
    """The slices that take negative pads off an array padded by the positive ones."""
    return tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(shape, pairs))


class ReflectionPad1D(_Pad):
    mode = "reflect"


class ReflectionPad2D(_Pad):
    mode = "reflect"


class ReflectionPad3D(_Pad):
    mode = "reflect"


class ReplicationPad1D(_Pad):
    mode = "replicate"


class ReplicationPad2D(_Pad):
    mode = "replicate"


class ReplicationPad3D(_Pad):
    mode = "replicate"


class CircularPad(_Pad, grad_fn="CopySlices"):
    """PyTorch pads circularly by copying slices into a new tensor, so its node is CopySlices."""
    mode = "circular"


_PAD_OPS = {("reflect", 1): ReflectionPad1D, ("reflect", 2): ReflectionPad2D,
            ("reflect", 3): ReflectionPad3D, ("replicate", 1): ReplicationPad1D,
            ("replicate", 2): ReplicationPad2D, ("replicate", 3): ReplicationPad3D}


class PadBackward(Op):
    """The adjoint of a non-constant pad: each padded element's gradient is added back to the
    element it copies. Linear, so its own backward is the pad again."""

    def forward(ctx, g, pad, mode):
        ctx.pad, ctx.mode = pad, mode
        pairs = _pairs(pad, g.ndim)
        if mode != "circular":
            g = _uncrop(ctx.xp, g, pairs)
        for axis, (lo, hi) in enumerate(pairs):
            if lo > 0 or hi > 0:
                g = _fold(ctx.xp, g, axis, max(lo, 0), max(hi, 0), mode)
        return _uncrop(ctx.xp, g, pairs) if mode == "circular" else g

    def backward(ctx, gg):
        k = len(ctx.pad) // 2
        op = _PAD_OPS.get((ctx.mode, k), CircularPad)
        return op.apply(gg, ctx.pad)


def _fold(xp, g, axis, lo, hi, mode):
    g = xp.moveaxis(g, axis, -1)
    n = g.shape[-1] - lo - hi
    out = g[..., lo:lo + n].copy()
    left, right = g[..., :lo], g[..., lo + n:]
    if mode == "reflect":
        out[..., 1:lo + 1] += left[..., ::-1]
        out[..., n - 1 - hi:n - 1] += right[..., ::-1]
    elif mode == "replicate":
        out[..., 0] += left.sum(axis=-1)
        out[..., n - 1] += right.sum(axis=-1)
    else:
        out[..., n - lo:] += left
        out[..., :hi] += right
    return xp.moveaxis(out, -1, axis)


def constant_pad_nd(input, pad, value=0):
    """torch.constant_pad_nd: pad (or, with negative pads, crop) the trailing dims with value."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Length of pad should be no more than twice the number of dimensions "
                           f"of the input. Pad length is {len(pad)}while the input has "
                           f"{input.dim()}dimensions.")
    for n, (lo, hi) in zip(input.shape, _pairs(pad, input.dim())):
        if n + min(lo, 0) + min(hi, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return ConstantPadNd.apply(input, pad, value)


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad: mode 'constant' (with value, default 0), 'reflect',
    'replicate' or 'circular' (those three pad the last 1, 2 or 3 dims of a batched or
    unbatched input)."""
    pad = tuple(int(p) for p in pad)
    if mode == "constant":
        if len(pad) % 2:
            raise RuntimeError("Padding length must be divisible by 2")
        if len(pad) // 2 > input.dim():
            raise RuntimeError("Padding length should be less than or equal to two times the "
                               f"input dimension but got padding length {len(pad)} and input "
                               f"of dimension {input.dim()}")
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in _NP_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pad) // 2
    if len(pad) % 2 or k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    lead = 1 if input.dim() == k + 2 else 0  # a batched input's batch may be empty
    if mode != "circular" and 0 in tuple(input.shape)[lead:]:
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           "batch size and other non-zero dimensions for input, but got: "
                           f"{shape_str(input.shape)}")
    pairs = _pairs(pad, input.dim())
    for d in range(input.dim() - k, input.dim()):
        lo, hi = pairs[d]
        n = input.shape[d]
        if mode == "reflect" and max(lo, hi) >= n:
            raise RuntimeError(f"Argument #{2 + 2 * k}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) "
                               f"at dimension {d} of input {shape_str(input.shape)}")
        if mode == "circular" and n + lo + hi < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        # the wrap copies from what a negative pad on the other side leaves
        if mode == "circular" and max(lo, hi) > n + min(lo, 0) + min(hi, 0):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode == "circular":
        return CircularPad.apply(input, pad)
    return _PAD_OPS[(mode, k)].apply(input, pad)
