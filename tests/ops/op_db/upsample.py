"""OpInfo entries for F.interpolate's bicubic, antialiased and uint8 modes (ember/ops/upsample.py).

The references compute each output element's taps and weights from the formulas of PyTorch's
documentation (Keys' cubic convolution with a = -0.75 for bicubic; PIL's normalised filter
windows, bicubic a = -0.5, for antialias=True), one dim at a time in float64, as explicit loops.
"""
import math

import numpy as np

from . import OpInfo


def _keys(x, a):
    """Keys' cubic convolution kernel at distance x."""
    x = abs(x)
    if x <= 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


def _tent(x):
    return max(0.0, 1.0 - abs(x))


def _resample(x, axis, weights):
    """Output j along axis = sum over (i, w) in weights[j] of w * x[i]."""
    x = np.moveaxis(x, axis, -1)
    y = np.stack([sum(w * x[..., i] for i, w in taps) for taps in weights], -1)
    return np.moveaxis(y, -1, axis)


def _bicubic_taps(n_in, n_out, align_corners):
    out = []
    for j in range(n_out):
        if align_corners:
            src = j * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            src = (j + 0.5) * n_in / n_out - 0.5  # not clamped at 0, unlike linear
        f = math.floor(src)
        t = src - f
        out.append([(min(max(f + k, 0), n_in - 1), _keys(t - k, -0.75)) for k in (-1, 0, 1, 2)])
    return out


def _bilinear_taps(n_in, n_out):
    out = []
    for j in range(n_out):
        src = max((j + 0.5) * n_in / n_out - 0.5, 0.0)
        f = math.floor(src)
        t = src - f
        out.append([(f, 1 - t), (min(f + 1, n_in - 1), t)])
    return out


def _antialias_taps(n_in, n_out, filt, support):
    """PIL's windows: each output's centre in input coordinates, a filter stretched by the
    scale when downsampling, the weights normalised to sum to one."""
    scale = n_in / n_out
    stretch = max(scale, 1.0)
    out = []
    for j in range(n_out):
        centre = scale * (j + 0.5)
        lo = max(int(centre - support * stretch + 0.5), 0)
        hi = min(int(centre + support * stretch + 0.5), n_in)
        ws = [filt((i - centre + 0.5) / stretch) for i in range(lo, hi)]
        total = sum(ws)
        out.append([(i, w / total) for i, w in zip(range(lo, hi), ws)])
    return out


def _ref(size, taps_of, rounds=False):
    def ref(x):
        for axis in (x.ndim - 1, x.ndim - 2):  # the last dim first, as the uint8 kernels
            x = _resample(x, axis, taps_of(x.shape[axis], size[axis - x.ndim + 2]))
            if rounds:
                x = np.clip(np.floor(x + 0.5), 0, 255)
        return x
    return ref


def _interp(name, shapes, size, taps_of, grad_fn, **kw):
    return OpInfo(f"interpolate_{name}",
                  lambda m, a: m.nn.functional.interpolate(a, size=size, **kw), shapes,
                  ref=_ref(size, taps_of), grad_fn=grad_fn,
                  error_inputs=(lambda m: m.nn.functional.interpolate(m.ones(1, 2, 4), size=3,
                                                                      **kw),))


def _bicubic(align_corners):
    return lambda n_in, n_out: _bicubic_taps(n_in, n_out, align_corners)


def _aa(filt, support):
    return lambda n_in, n_out: _antialias_taps(n_in, n_out, filt, support)


def _uint8(name, mode, size, taps_of):
    return OpInfo(f"interpolate_uint8_{name}",
                  lambda m, a: m.nn.functional.interpolate(a, size=size, mode=mode), [((1, 2, 5, 7),)],
                  ref=_ref(size, taps_of, rounds=True), grad=False, dtypes=("float32",),
                  input_dtypes=("uint8",), int_high=256, atol=1.0, rtol=0.0)


OPS = [
    _interp("bicubic_up", [((1, 2, 3, 4),), ((2, 1, 3, 4),)], (5, 7), _bicubic(False),
            "UpsampleBicubic2DBackward0", mode="bicubic"),
    _interp("bicubic_down_align_corners", [((1, 2, 6, 5),)], (4, 3), _bicubic(True),
            "UpsampleBicubic2DBackward0", mode="bicubic", align_corners=True),
    _interp("bilinear_antialias", [((1, 2, 7, 9),)], (3, 4), _aa(_tent, 1.0),
            "UpsampleBilinear2DAaBackward0", mode="bilinear", antialias=True),
    _interp("bilinear_antialias_mixed", [((1, 1, 4, 9),)], (6, 4), _aa(_tent, 1.0),
            "UpsampleBilinear2DAaBackward0", mode="bilinear", antialias=True),
    _interp("bicubic_antialias", [((1, 2, 8, 7),)], (3, 4), _aa(lambda x: _keys(x, -0.5), 2.0),
            "UpsampleBicubic2DAaBackward0", mode="bicubic", antialias=True),
    _uint8("bilinear", "bilinear", (3, 10), lambda n_in, n_out: _bilinear_taps(n_in, n_out)),
    _uint8("bicubic", "bicubic", (8, 4), _bicubic(False)),
]
