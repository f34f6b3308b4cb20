"""Discrete Fourier transforms (torch.fft): three primitives and the functions built on them.

The primitives are unnormalised DFTs times a scale, over a tuple of dims:
- FftC2C: complex to complex, sign -1 (forward) or +1 (inverse);
- FftR2C: real to complex, forward sign, the full spectrum or its non-negative half (onesided);
- FftC2R: a half spectrum (Hermitian) to real, inverse sign, with the last dim's output length.
Each backward is another primitive with the same scale (NOTE [ Complex gradients ] in
ops/complex.py): the adjoint of a DFT is the DFT of the opposite sign. The public functions resize
the input (a slice or zero padding, as torch does) and pick the primitive, the scale from `norm`
and the signal size, and a conj where torch's definitions have one (ifft of a real input, hfft,
ihfft). float32 data stays in complex64/float32: NumPy 2's pocketfft keeps single precision.
"""
import math

import numpy as np

from .._dtype import default_np, type_name as _type_name
from ._numpy_names import numpy_names
from ._op import Op, wrap_dim
from .complex import conj, conj_physical, real
from .join import cat, narrow
from .padding import constant_pad_nd
from .shape import roll

__all__ = []

_NORMS = ("backward", "ortho", "forward")


def _c2c(xp, a, dims, forward, scale):
    if forward:
        out = xp.fft.fftn(a, axes=dims)
    else:
        out = xp.fft.ifftn(a, axes=dims, norm="forward")  # "forward": the inverse unscaled
    return out if scale == 1 else _scaled(out, scale)


def _scaled(out, scale):
    out *= scale  # a Python float: complex64 stays complex64
    return out


class FftC2C(Op):
    def forward(ctx, a, dims, forward, scale):
        ctx.dims, ctx.fwd, ctx.scale = dims, forward, scale
        return _c2c(ctx.xp, a, dims, forward, scale)

    def backward(ctx, g):
        return FftC2C.apply(g, ctx.dims, not ctx.fwd, ctx.scale)


class FftR2C(Op):
    def forward(ctx, a, dims, scale, onesided):
        ctx.dims, ctx.scale, ctx.onesided = dims, scale, onesided
        ctx.last = a.shape[dims[-1]]
        if onesided:
            out = ctx.xp.fft.rfftn(a, axes=dims)
            return out if scale == 1 else _scaled(out, scale)
        cdt = np.complex128 if a.dtype == np.float64 else np.complex64
        return _c2c(ctx.xp, a.astype(cdt), dims, True, scale)

    def backward(ctx, g):
        # The adjoint of the full transform; a half spectrum's missing bins had no effect on
        # the loss, so they take zero gradient.
        if ctx.onesided:
            last = ctx.dims[-1]
            missing = ctx.last - g.shape[last]
            if missing:
                shape = list(g.shape)
                shape[last] = missing
                g = cat([g, g.new_zeros(shape)], last)
        return real(FftC2C.apply(g, ctx.dims, False, ctx.scale))


class FftC2R(Op):
    def forward(ctx, a, dims, scale, last_size):
        ctx.dims, ctx.scale = dims, scale
        shape = [a.shape[d] for d in dims[:-1]] + [last_size]
        out = ctx.xp.fft.irfftn(a, s=shape, axes=dims, norm="forward")
        return out if scale == 1 else _scaled(out, scale)

    def backward(ctx, g):
        # C2R fills the other half by conjugate symmetry, so a half-spectrum bin whose mirror
        # lies outside the half (1 .. n - half_length) feeds the output twice.
        gi = FftR2C.apply(g, ctx.dims, ctx.scale, True)
        last = ctx.dims[-1]
        twice = g.shape[last] - gi.shape[last]
        if twice > 0:
            weights = np.ones(gi.shape[last], dtype=g._data.dtype)
            weights[1:1 + twice] = 2.0
            shape = [1] * gi.ndim
            shape[last] = weights.size
            gi = gi * g.new_tensor(weights.reshape(shape))
        return gi


# -- argument handling ------------------------------------------------------------------------------

def _check_norm(norm):
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _scale(norm, n, forward):
    """The factor of an unnormalised transform of signal size n: torch's `norm` names the
    direction that is scaled by 1/n ("ortho": both by 1/sqrt(n))."""
    if norm == "ortho":
        return 1.0 / math.sqrt(n) if n else 1.0
    scaled = "forward" if forward else "backward"
    return 1.0 / n if norm == scaled and n else 1.0


def _promote(x, complex_needed):
    """Integer and bool inputs compute in the default float dtype; float16 is refused as torch
    refuses it on the CPU; complex_needed: a real input becomes complex (ToCopy)."""
    kind = x._data.dtype.kind
    if x._data.dtype == np.float16:
        raise RuntimeError("Unsupported dtype Half")
    if kind in "biu":
        x = x.to(_dtype_of(default_np()))
    if complex_needed and kind != "c":
        x = x.to(x.dtype.to_complex())
    return x


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _require_real(x, name):
    if x._data.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got {_type_name(x._data)}")


def _dims_and_sizes(x, s, dim, default_all):
    """torch's (dims, signal sizes) of an n-d transform: dim alone, s alone (the last len(s)
    dims), both (same length), or neither (every dim, or the last two for the *2 functions)."""
    ndim = x.ndim
    if s is not None and not isinstance(s, (tuple, list)):
        s = (s,)
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if dim is not None:
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        if len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{ndim} dimensions.")
        dims = tuple(range(ndim - len(s), ndim))
    else:
        dims = default_all(ndim)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    sizes = tuple(x.shape[d] if s is None or s[i] == -1 else int(s[i])
                  for i, d in enumerate(dims))
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _resize(x, dims, sizes):
    """x cropped (a slice) or zero-padded (one constant pad) to `sizes` along `dims`."""
    for d, n in zip(dims, sizes):
        if x.shape[d] > n:
            x = narrow(x, d, 0, n)
    pad = [0] * (2 * x.ndim)
    for d, n in zip(dims, sizes):
        if x.shape[d] < n:
            pad[2 * (x.ndim - 1 - d) + 1] = n - x.shape[d]
    return constant_pad_nd(x, pad) if any(pad) else x


def _numel(sizes):
    n = 1
    for s in sizes:
        n *= s
    return n


# -- the transforms -----------------------------------------------------------------------------------

def _last(ndim):
    return (ndim - 1,) if ndim else ()


def _last_two(ndim):
    return tuple(range(max(ndim - 2, 0), ndim))


def _all(ndim):
    return tuple(range(ndim))


def _fft_1d(input, n, dim, norm, forward):
    norm = _check_norm(norm)
    x = _promote(input, False)
    dims, sizes = _dims_and_sizes(x, n, dim, _last)
    x = _resize(x, dims, sizes)
    scale = _scale(norm, _numel(sizes), forward)
    if x._data.dtype.kind == "c":
        return FftC2C.apply(x, dims, forward, scale)
    out = FftR2C.apply(x, dims, scale, False)
    return out if forward else conj(out)  # the inverse DFT of real data is the conjugate


def _fft_nd(input, s, dim, norm, forward, default_all):
    norm = _check_norm(norm)
    x = _promote(input, True)
    dims, sizes = _dims_and_sizes(x, s, dim, default_all)
    x = _resize(x, dims, sizes)
    return FftC2C.apply(x, dims, forward, _scale(norm, _numel(sizes), forward))


def _real_signal(input, s, dim, default_all):
    """A real input promoted and resized for an R2C transform, with its dims and sizes."""
    x = _promote(input, False)
    dims, sizes = _dims_and_sizes(x, s, dim, default_all)
    return _resize(x, dims, sizes), dims, sizes


def _rfft(input, s, dim, norm, default_all, name, forward=True):
    norm = _check_norm(norm)
    _require_real(input, name)
    x, dims, sizes = _real_signal(input, s, dim, default_all)
    out = FftR2C.apply(x, dims, _scale(norm, _numel(sizes), forward), True)
    return out if forward else conj(out)


def _ihfft_nd(input, s, dim, norm, default_all):
    """hfftn's inverse as torch composes it: the conjugate of the one-sided FFT along the last
    dim (conj(FFT(x)) is the unscaled inverse DFT of real x), then the other dims' inverse
    transform, which carries the whole scale."""
    norm = _check_norm(norm)
    if input._data.dtype.kind == "c":
        raise RuntimeError("Only supports floating-point dtypes, but found: "
                           f"{_type_name(input._data)}")
    x, dims, sizes = _real_signal(input, s, dim, default_all)
    scale = _scale(norm, _numel(sizes), False)
    if len(dims) == 1:
        return conj(FftR2C.apply(x, dims, scale, True))
    half = conj_physical(FftR2C.apply(x, dims[-1:], 1.0, True))
    return FftC2C.apply(half, dims[:-1], False, scale)


def _irfft(input, s, dim, norm, default_all, forward=False, conjugate=False):
    """C2R: the input's last transformed dim holds n // 2 + 1 bins of an n-point signal."""
    norm = _check_norm(norm)
    x = _promote(input, True)
    dims, sizes = _dims_and_sizes(x, s, dim, default_all)
    if s is None or (isinstance(s, (tuple, list)) and s[-1] == -1):
        last_size = 2 * (x.shape[dims[-1]] - 1)
    else:
        last_size = sizes[-1]
    if last_size < 1:
        raise RuntimeError(f"Invalid number of data points ({last_size}) specified")
    x = _resize(x, dims, sizes[:-1] + (last_size // 2 + 1,))
    if conjugate:
        x = conj(x)
    scale = _scale(norm, _numel(sizes[:-1]) * last_size, forward)
    return FftC2R.apply(x, dims, scale, last_size)


@numpy_names
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_fft_1d(input, n, dim, norm, True), out)


@numpy_names
def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_fft_1d(input, n, dim, norm, False), out)


@numpy_names
def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_fft_nd(input, s, dim, norm, True, _last_two), out)


@numpy_names
def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_fft_nd(input, s, dim, norm, False, _last_two), out)


@numpy_names
def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_fft_nd(input, s, dim, norm, True, _all), out)


@numpy_names
def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_fft_nd(input, s, dim, norm, False, _all), out)


@numpy_names
def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_rfft(input, n, dim, norm, _last, "rfft"), out)


@numpy_names
def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_rfft(input, s, dim, norm, _last_two, "rfftn"), out)


@numpy_names
def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_rfft(input, s, dim, norm, _all, "rfftn"), out)


@numpy_names
def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(_irfft(input, n, dim, norm, _last), out)


@numpy_names
def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(_irfft(input, s, dim, norm, _last_two), out)


@numpy_names
def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(_irfft(input, s, dim, norm, _all), out)


@numpy_names
def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The real spectrum of a Hermitian signal given by its first half: irfft of the conjugate
    with forward normalisation."""
    return _out(_irfft(input, n, dim, norm, _last, forward=True, conjugate=True), out)


@numpy_names
def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """hfft's inverse: the conjugate of rfft with inverse normalisation."""
    return _out(_rfft(input, n, dim, norm, _last, "ihfft", forward=False), out)


@numpy_names
def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """hfft over two dims: irfft2 of the conjugate with forward normalisation."""
    return _out(_irfft(input, s, dim, norm, _last_two, forward=True, conjugate=True), out)


@numpy_names
def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """hfft over n dims: irfftn of the conjugate with forward normalisation."""
    return _out(_irfft(input, s, dim, norm, _all, forward=True, conjugate=True), out)


@numpy_names
def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """hfft2's inverse: the conjugate of rfft2 with inverse normalisation (see _ihfft_nd)."""
    return _out(_ihfft_nd(input, s, dim, norm, _last_two), out)


@numpy_names
def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """hfftn's inverse: the conjugate of rfftn with inverse normalisation (see _ihfft_nd)."""
    return _out(_ihfft_nd(input, s, dim, norm, _all), out)


def _out(result, out):
    if out is None:
        return result
    from ._common import _out as store
    return store(result, out)


# -- frequencies and shifts -----------------------------------------------------------------------------

def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
            pin_memory=False):
    """The sample frequencies of an n-point DFT: [0, 1, ..., -(n // 2), ..., -1] / (d n)."""
    from .._creation import arange
    from .._dtype import get_default_dtype
    dt = dtype or get_default_dtype()
    k = arange(n, dtype=dt, device=device)
    k = (k - n * (k >= (n + 1) // 2).to(dt)) / (d * n)
    result = _from_values(k, requires_grad)
    return result if out is None else out.copy_(result)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """The non-negative sample frequencies of an n-point real DFT: [0, ..., n // 2] / (d n)."""
    from .._creation import arange
    from .._dtype import get_default_dtype
    k = arange(n // 2 + 1, dtype=dtype or get_default_dtype(), device=device) / (d * n)
    result = _from_values(k, requires_grad)
    return result if out is None else out.copy_(result)


def _from_values(t, requires_grad):
    t = t.detach()
    if requires_grad:
        t.requires_grad_(True)
    return t


def _shift_dims(x, dim):
    if dim is None:
        return tuple(range(x.ndim))
    return (dim,) if isinstance(dim, int) else tuple(dim)


@numpy_names
def fftshift(input, dim=None):
    """The zero frequency moved to the centre: a roll by n // 2 along each dim."""
    dims = _shift_dims(input, dim)
    return roll(input, tuple(input.shape[d] // 2 for d in dims), dims)


@numpy_names
def ifftshift(input, dim=None):
    """fftshift's inverse: a roll by -(n // 2) along each dim."""
    dims = _shift_dims(input, dim)
    return roll(input, tuple(-(input.shape[d] // 2) for d in dims), dims)
