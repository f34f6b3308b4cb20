"""OpInfo entries for grid_sample: every mode (bicubic on 4-D input only, as torch), padding mode
and align_corners, 2-D and 3-D, with grids reaching outside [-1, 1]. The NumPy reference walks the
output points one by one in float64 with its own formulas (reflection by repeated mirroring, the
cubic convolution kernel by distance) and shares no code with ember."""
import itertools
import math

import numpy as np

from . import OpInfo

_A = -0.75  # torch's bicubic convolution constant


def _mirror(p, low, high):
    """p mirrored off low and high until it lies between them."""
    if low == high:
        return low
    while p < low or p > high:
        p = 2 * low - p if p < low else 2 * high - p
    return p


def _cubic(s):
    s = abs(s)
    if s <= 1:
        return (_A + 2) * s ** 3 - (_A + 3) * s ** 2 + 1
    if s < 2:
        return _A * (s ** 3 - 5 * s ** 2 + 8 * s - 4)
    return 0.0


def _position(c, size, align):
    return (c + 1) / 2 * (size - 1) if align else ((c + 1) * size - 1) / 2


def _map(p, size, padding, align):
    """A (fractional or integer) position under the padding mode; None reads 0."""
    if padding == "reflection":
        p = _mirror(p, 0, size - 1) if align else _mirror(p, -0.5, size - 0.5)
    if padding != "zeros":
        p = min(max(p, 0), size - 1)
    return p


def _taps_1d(c, size, mode, padding, align):
    """[(index or None, weight)] along one dim for grid coordinate c."""
    p = _position(c, size, align)
    if mode == "bicubic":
        base = math.floor(p)
        taps = []
        for q in range(base - 1, base + 3):
            w = _cubic(p - q)
            q = int(_map(q, size, padding, align))
            taps.append((q if 0 <= q < size else None, w))
        return taps
    p = _map(p, size, padding, align)
    if mode == "nearest":
        q = round(p)  # ties to even, as torch's nearbyint
        return [(q if 0 <= q < size else None, 1.0)]
    q = math.floor(p)
    return [(i if 0 <= i < size else None, w) for i, w in ((q, q + 1 - p), (q + 1, p - q))]


def _ref(x, grid, mode, padding, align):
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    nd = len(spatial)
    out = np.zeros((n, c) + grid.shape[1:-1])
    for b in range(n):
        for o in itertools.product(*(range(s) for s in grid.shape[1:-1])):
            coords = grid[(b,) + o][::-1]  # the grid lists x (the last dim) first
            per_dim = [_taps_1d(coords[d], spatial[d], mode, padding, align) for d in range(nd)]
            for combo in itertools.product(*per_dim):
                if any(q is None for q, _ in combo):
                    continue
                w = np.prod([wt for _, wt in combo])
                out[(b, slice(None)) + o] += w * x[(b, slice(None)) + tuple(q for q, _ in combo)]
    return out


def _inputs(rng, dtype, shapes):
    x_shape, grid_shape = shapes
    return [rng.uniform(-2, 2, x_shape).astype(dtype),
            rng.uniform(-1.4, 1.4, grid_shape).astype(dtype)]


def _entry(mode, padding, align, nd):
    shapes = [((1, 2, 3, 4), (1, 2, 3, 2))] if nd == 2 else [((1, 1, 2, 3, 3), (1, 2, 2, 2, 3))]
    return OpInfo(
        f"grid_sample_{nd}d_{mode}_{padding}_{'align' if align else 'noalign'}",
        lambda m, x, g: m.nn.functional.grid_sample(x, g, mode, padding, align), shapes,
        make_inputs=_inputs, ref=lambda x, g: _ref(x, g, mode, padding, align),
        grad_fn=f"GridSampler{nd}DBackward0", atol=1e-5, rtol=1e-4)


OPS = [_entry(mode, padding, align, nd)
       for nd, mode in [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"),
                        (3, "nearest")]
       for padding in ("zeros", "border", "reflection") for align in (False, True)]
