"""Window functions: torch.hann_window, hamming_window, blackman_window, bartlett_window and
kaiser_window, and the formulas torch.signal.windows shares.

Each window is computed in float64 from its formula over n = 0 .. M-1, then cast: a periodic
window of length M is the symmetric one of length M + 1 without its last point (the denominator
is M instead of M - 1), as torch documents.
"""
import builtins

import numpy as np

from . import _dtype
from ._creation import _place

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def cosine_sum(m, coefs, denom):
    """sum_k (-1)^k coefs[k] cos(2 pi k n / denom) over n = 0 .. m-1."""
    n = np.arange(m, dtype=np.float64)
    return sum((-1) ** k * a * np.cos(2.0 * np.pi * k * n / denom) for k, a in enumerate(coefs))


def triangle(m, denom):
    return 1.0 - np.abs(2.0 * np.arange(m, dtype=np.float64) / denom - 1.0)


def kaiser(m, beta, denom):
    half = denom / 2.0
    ratio = (np.arange(m, dtype=np.float64) - half) / half
    return np.i0(beta * np.sqrt(np.clip(1.0 - ratio * ratio, 0.0, None))) / np.i0(beta)


def place(values, dtype, device, requires_grad):
    return _place(values.astype((dtype or _dtype.get_default_dtype()).np), device, requires_grad)


def _window(name, window_length, periodic, dtype, device, requires_grad, formula):
    """torch's checks, the special lengths 0 and 1, and the formula over its denominator."""
    if type(window_length) is builtins.bool or not isinstance(window_length, (builtins.int,
                                                                               np.integer)):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if not isinstance(periodic, (builtins.bool, np.bool_)):
        raise TypeError(f"{name}(): argument 'periodic' (position 2) must be bool, not "
                        f"{type(periodic).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dt = dtype or _dtype.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{_C_NAMES.get(dt.name, dt.name)}, device={device or 'cpu'}, "
                           "layout=Strided (default), requires_grad=false (default), "
                           "pinned_memory=false, memory_format=(nullopt))")
    if window_length <= 1:
        values = np.ones(window_length)
    else:
        values = formula(window_length, window_length if periodic else window_length - 1)
    return place(values, dt, device, requires_grad)


_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    """0.5 - 0.5 cos(2 pi n / (N - 1)) (N for a periodic window)."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda m, d: cosine_sum(m, (0.5, 0.5), d))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    """alpha - beta cos(2 pi n / (N - 1)) (N for a periodic window)."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda m, d: cosine_sum(m, (builtins.float(alpha), builtins.float(beta)), d))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda m, d: cosine_sum(m, (0.42, 0.5, 0.08), d))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangle 1 - |2n / (N - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   triangle)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    """I0(beta sqrt(1 - ((n - (N - 1)/2) / ((N - 1)/2))^2)) / I0(beta)."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda m, d: kaiser(m, builtins.float(beta), d))
