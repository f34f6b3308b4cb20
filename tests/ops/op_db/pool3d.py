"""OpInfo entries for 3-D pooling and max-unpooling (ember/ops/pool.py; torch.nn.functional).

The references walk every output position of an N-d window explicitly in float64 (itertools over
the window's coordinates), sharing nothing with ember's strided-view kernels. Inputs are
well-separated distinct values, so finite differences never swap a maximum.
"""
import itertools
import math

import numpy as np

from . import OpInfo
from .pool import _out_len, _spaced


def _nd(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _cells(spatial, k, s, p, d, ceil_mode):
    """Each output position with the in-bounds input coordinates of its window, per dim."""
    outs = [_out_len(spatial[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(len(k))]
    for pos in itertools.product(*(range(o) for o in outs)):
        yield pos, [[c for c in (pos[i] * s[i] - p[i] + j * d[i] for j in range(k[i]))
                     if 0 <= c < spatial[i]] for i in range(len(k))], outs


def _flat(coord, spatial):
    return int(np.ravel_multi_index(coord, spatial))


def _max_ref(nd, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    k, p, d = _nd(kernel_size, nd), _nd(padding, nd), _nd(dilation, nd)
    s = _nd(stride if stride is not None else kernel_size, nd)

    def ref(x):
        lead, spatial = x.shape[:-nd], x.shape[-nd:]
        cells = list(_cells(spatial, k, s, p, d, ceil_mode))
        y = np.empty(lead + tuple(cells[0][2]))
        idx = np.empty(y.shape)
        for pos, coords, _ in cells:
            for b in itertools.product(*(range(n) for n in lead)):
                best = max(itertools.product(*coords), key=lambda c: x[b + c])
                y[b + pos] = x[b + best]
                idx[b + pos] = _flat(best, spatial)
        return y, idx
    return ref


def _avg_ref(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
             divisor_override=None):
    k, p = _nd(kernel_size, 3), _nd(padding, 3)
    s = _nd(stride if stride is not None else kernel_size, 3)

    def ref(x):
        lead, spatial = x.shape[:-3], x.shape[-3:]
        cells = list(_cells(spatial, k, s, p, (1, 1, 1), ceil_mode))
        y = np.empty(lead + tuple(cells[0][2]))
        for pos, coords, _ in cells:
            total = sum(x[(Ellipsis,) + c] for c in itertools.product(*coords))
            if divisor_override:
                div = divisor_override
            elif count_include_pad:  # the window clipped to the padded input
                div = math.prod(min(pos[i] * s[i] - p[i] + k[i], spatial[i] + p[i])
                                - (pos[i] * s[i] - p[i]) for i in range(3))
            else:
                div = math.prod(len(c) for c in coords)
            y[(Ellipsis,) + pos] = total / div
        return y
    return ref


def _adaptive_ref(reduce, out_size):
    def ref(x):
        lead, spatial = x.shape[:-3], x.shape[-3:]
        outs = [o or n for o, n in zip(_nd(out_size, 3), spatial)]
        y = np.empty(lead + tuple(outs))
        idx = np.empty(y.shape)
        for pos in itertools.product(*(range(o) for o in outs)):
            ranges = [range(pos[i] * spatial[i] // outs[i],
                            math.ceil((pos[i] + 1) * spatial[i] / outs[i])) for i in range(3)]
            coords = list(itertools.product(*ranges))
            vals = np.stack([x[(Ellipsis,) + c] for c in coords], -1)
            y[(Ellipsis,) + pos] = reduce(vals, -1)
            idx[(Ellipsis,) + pos] = np.array([_flat(c, spatial) for c in coords])[vals.argmax(-1)]
        return (y, idx) if reduce is np.max else y
    return ref


def _unpool_ref(nd, k, output_size=None):
    """max_unpool(max_pool(x, k)) with non-overlapping windows: each window's maximum is written
    at its index, counted flat in the output's plane (a wider output_size moves it), zeros
    elsewhere."""
    def ref(x):
        pooled, idx = _max_ref(nd, k)(x)
        spatial = tuple(output_size) if output_size else tuple(
            pooled.shape[-nd + i] * k for i in range(nd))
        lead = x.shape[:-nd]
        y = np.zeros(lead + (math.prod(spatial),))
        flat_idx = idx.reshape(lead + (-1,)).astype(np.int64)
        flat_val = pooled.reshape(lead + (-1,))
        for b in itertools.product(*(range(n) for n in lead)):
            y[b][flat_idx[b]] = flat_val[b]
        return y.reshape(lead + spatial)
    return ref


REFUSED = (((4, 4, 4),), ((1, 1, 1, 2, 4, 4),))  # 3-D pooling takes only 4-D or 5-D inputs


def _F(m):
    return m.nn.functional


def _max(name, shapes, *args, **kw):
    return OpInfo(f"max_pool3d_{name}",
                  lambda m, a: _F(m).max_pool3d(a, *args, return_indices=True, **kw), shapes,
                  ref=_max_ref(3, *args, **kw), grad_fn="MaxPool3DWithIndicesBackward0",
                  make_inputs=_spaced, error_inputs=REFUSED)


def _avg(name, shapes, *args, **kw):
    return OpInfo(f"avg_pool3d_{name}", lambda m, a: _F(m).avg_pool3d(a, *args, **kw), shapes,
                  ref=_avg_ref(*args, **kw), grad_fn="AvgPool3DBackward0", error_inputs=REFUSED)


def _unpool(nd, shape, output_size=None):
    def fn(m, a):
        pool = getattr(_F(m), f"max_pool{nd}d")
        unpool = getattr(_F(m), f"max_unpool{nd}d")
        return unpool(*pool(a, 2, return_indices=True), 2, output_size=output_size)
    name = f"max_unpool{nd}d" + ("_output_size" if output_size else "")
    return OpInfo(name, fn, [(shape,)], ref=_unpool_ref(nd, 2, output_size),
                  grad_fn={1: "SqueezeBackward1", 2: "MaxUnpool2DBackward0",
                           3: "MaxUnpool3DBackward0"}[nd], make_inputs=_spaced)


OPS = [
    _max("2", [((1, 2, 4, 4, 4),), ((2, 4, 2, 4),)], 2),
    _max("stride_padding_dilation_ceil", [((1, 1, 5, 4, 5),)], (2, 3, 2), (2, 1, 2), (1, 1, 0),
         (1, 1, 2), True),
    _avg("2", [((1, 2, 4, 4, 4),), ((2, 4, 2, 4),)], 2),
    _avg("padding_ceil_exclude_pad", [((1, 1, 5, 4, 5),)], (3, 2, 2), 2, 1, True, False),
    _avg("padding_include_pad", [((1, 1, 4, 5, 4),)], 3, (2, 1, 2), 1, False, True),
    _avg("divisor_override", [((1, 1, 3, 4, 3),)], 2, 1, divisor_override=5),
    OpInfo("adaptive_avg_pool3d", lambda m, a: _F(m).adaptive_avg_pool3d(a, (2, 3, None)),
           [((1, 2, 5, 4, 3),), ((2, 3, 5, 4),)], ref=_adaptive_ref(np.mean, (2, 3, None)),
           grad_fn="AdaptiveAvgPool3DBackward0"),
    OpInfo("adaptive_max_pool3d", lambda m, a: _F(m).adaptive_max_pool3d(a, (2, 3, 2), True),
           [((1, 2, 5, 4, 3),), ((2, 3, 5, 4),)], ref=_adaptive_ref(np.max, (2, 3, 2)),
           grad_fn="AdaptiveMaxPool3DBackward0", make_inputs=_spaced,
           error_inputs=(lambda m: m.nn.functional.adaptive_max_pool3d(m.ones(2, 3), 2),)),
    _unpool(1, (2, 3, 6)),
    _unpool(2, (1, 2, 4, 6)),
    _unpool(2, (2, 4, 4), output_size=(5, 5)),
    _unpool(3, (1, 2, 4, 2, 4)),
    _unpool(3, (2, 4, 4, 2), output_size=(5, 4, 3)),
]
