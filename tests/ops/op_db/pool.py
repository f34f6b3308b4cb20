"""OpInfo entries for ember/ops/pool.py (torch side: torch.nn.functional).

The NumPy references loop over output positions and reduce each window explicitly (float64), so
they share nothing with ember's strided-view kernels. Inputs are distinct values spaced well apart
so no window holds a near-tie, which would put a max-pool gradcheck on a kink.
"""
import math

import numpy as np

from ember.ops import pool as _ember_pool

from . import OpInfo


def _F(m):
    """torch.nn.functional, or the module ember's nn.functional binds to."""
    return _ember_pool if m.__name__ == "ember" else m.nn.functional


def _two(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _spaced(rng, dtype, shapes):
    """A random permutation of well-separated values: finite differences never swap a max."""
    out = []
    for shape in shapes:
        n = int(np.prod(shape))
        out.append((rng.permutation(n) * 0.1 - n * 0.05).reshape(shape).astype(dtype))
    return out


def _out_len(size, k, s, p, d, ceil_mode):
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _windows(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Yield (r, q, rows, cols): each output position and its window's in-bounds coordinates."""
    (kh, kw), (ph, pw), (dh, dw) = _two(kernel_size), _two(padding), _two(dilation)
    sh, sw = _two(stride if stride is not None else kernel_size)
    h, w = x.shape[-2:]
    for r in range(_out_len(h, kh, sh, ph, dh, ceil_mode)):
        for q in range(_out_len(w, kw, sw, pw, dw, ceil_mode)):
            rows = [r * sh - ph + i * dh for i in range(kh)]
            cols = [q * sw - pw + j * dw for j in range(kw)]
            yield r, q, [i for i in rows if 0 <= i < h], [j for j in cols if 0 <= j < w]


def _max_ref(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    def ref(x):
        cells = list(_windows(x, kernel_size, stride, padding, dilation, ceil_mode))
        ho, wo = cells[-1][0] + 1, cells[-1][1] + 1
        y = np.empty(x.shape[:-2] + (ho, wo))
        idx = np.empty(x.shape[:-2] + (ho, wo))
        for r, q, rows, cols in cells:
            win = x[..., rows, :][..., cols].reshape(x.shape[:-2] + (-1,))
            best = win.argmax(-1)
            y[..., r, q] = win.max(-1)
            idx[..., r, q] = np.array(rows)[best // len(cols)] * x.shape[-1] + \
                np.array(cols)[best % len(cols)]
        return y, idx
    return ref


def _avg_ref(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
             divisor_override=None):
    def ref(x):
        (kh, kw), (ph, pw) = _two(kernel_size), _two(padding)
        sh, sw = _two(stride if stride is not None else kernel_size)
        h, w = x.shape[-2:]
        cells = list(_windows(x, kernel_size, stride, padding, 1, ceil_mode))
        y = np.empty(x.shape[:-2] + (cells[-1][0] + 1, cells[-1][1] + 1))
        for r, q, rows, cols in cells:
            total = x[..., rows, :][..., cols].sum((-1, -2))
            if divisor_override:
                div = divisor_override
            elif count_include_pad:  # the window clipped to the padded input
                div = (min(r * sh - ph + kh, h + ph) - (r * sh - ph)) * \
                      (min(q * sw - pw + kw, w + pw) - (q * sw - pw))
            else:
                div = len(rows) * len(cols)
            y[..., r, q] = total / div
        return y
    return ref


def _adaptive_ref(reduce, out_size):
    def ref(x):
        h, w = x.shape[-2:]
        oh, ow = (_two(out_size))
        oh, ow = oh or h, ow or w
        y = np.empty(x.shape[:-2] + (oh, ow))
        idx = np.empty(x.shape[:-2] + (oh, ow))
        for r in range(oh):
            r0, r1 = r * h // oh, math.ceil((r + 1) * h / oh)
            for q in range(ow):
                q0, q1 = q * w // ow, math.ceil((q + 1) * w / ow)
                win = x[..., r0:r1, q0:q1].reshape(x.shape[:-2] + (-1,))
                y[..., r, q] = reduce(win, -1)
                best = win.argmax(-1)
                idx[..., r, q] = (r0 + best // (q1 - q0)) * w + q0 + best % (q1 - q0)
        return (y, idx) if reduce is np.max else y
    return ref


REFUSED = (((4, 4),), ((1, 1, 2, 4, 4),))  # 2-D pooling takes only 3-D or 4-D inputs


def _max(name, shapes, *args, **kw):
    return OpInfo(f"max_pool2d_{name}",
                  lambda m, a: _F(m).max_pool2d(a, *args, return_indices=True, **kw), shapes,
                  ref=_max_ref(*args, **kw), grad_fn="MaxPool2DWithIndicesBackward0",
                  make_inputs=_spaced, error_inputs=REFUSED)


def _avg(name, shapes, *args, **kw):
    return OpInfo(f"avg_pool2d_{name}", lambda m, a: _F(m).avg_pool2d(a, *args, **kw), shapes,
                  ref=_avg_ref(*args, **kw), grad_fn="AvgPool2DBackward0", error_inputs=REFUSED)


def _squeezed(ref):
    """A 2-D reference applied to (N, C, L) as the height-1 image PyTorch pools."""
    def wrapped(x):
        out = ref(x[..., None, :])
        return tuple(o[..., 0, :] for o in out) if isinstance(out, tuple) else out[..., 0, :]
    return wrapped


OPS = [
    _max("2x2", [((2, 3, 4, 6),), ((2, 5, 5),)], 2),
    _max("stride_padding", [((1, 2, 5, 6),)], 3, 2, 1),
    _max("overlap_dilation_ceil", [((1, 2, 7, 6),)], (3, 2), (2, 1), (1, 0), (2, 1), True),
    _max("ceil", [((1, 2, 5, 5),)], 2, ceil_mode=True),
    _avg("2x2", [((2, 3, 4, 6),), ((2, 5, 5),)], 2),
    _avg("overlap_padding", [((1, 2, 5, 6),)], 3, 2, 1),
    _avg("ceil_exclude_pad", [((1, 2, 5, 6),)], (3, 2), (2, 1), (1, 0), True, False),
    _avg("ceil_include_pad", [((1, 2, 6, 5),)], 3, 2, 1, True, True),
    _avg("divisor_override", [((1, 2, 4, 5),)], 2, 1, divisor_override=3),
    OpInfo("max_pool1d", lambda m, a: _F(m).max_pool1d(a, 3, 2, 1, return_indices=True),
           [((2, 3, 7),), ((3, 8),)], ref=_squeezed(_max_ref((1, 3), (1, 2), (0, 1))),
           grad_fn="SqueezeBackward1", make_inputs=_spaced),
    OpInfo("avg_pool1d", lambda m, a: _F(m).avg_pool1d(a, 3, 2, 1, True, False),
           [((2, 3, 7),), ((3, 8),)], ref=_squeezed(_avg_ref((1, 3), (1, 2), (0, 1), True, False)),
           grad_fn="SqueezeBackward1"),
    OpInfo("adaptive_avg_pool2d", lambda m, a: _F(m).adaptive_avg_pool2d(a, (3, 2)),
           [((2, 3, 5, 7),), ((2, 4, 4),)], ref=_adaptive_ref(np.mean, (3, 2)),
           grad_fn="AdaptiveAvgPool2DBackward0",
           error_inputs=(lambda m: m.nn.functional.adaptive_avg_pool2d(m.ones(3), 2),)),
    OpInfo("adaptive_avg_pool2d_none", lambda m, a: _F(m).adaptive_avg_pool2d(a, (None, 4)),
           [((1, 2, 3, 6),)], ref=_adaptive_ref(np.mean, (None, 4)),
           grad_fn="AdaptiveAvgPool2DBackward0"),
    OpInfo("adaptive_avg_pool2d_1", lambda m, a: _F(m).adaptive_avg_pool2d(a, 1),
           [((2, 3, 4, 5),), ((3, 4, 5),)], ref=_adaptive_ref(np.mean, 1),
           grad_fn="MeanBackward1"),
    OpInfo("adaptive_avg_pool1d", lambda m, a: _F(m).adaptive_avg_pool1d(a, 3),
           [((2, 3, 7),), ((3, 5),)], ref=_squeezed(_adaptive_ref(np.mean, (1, 3))),
           grad_fn="SqueezeBackward1"),
    OpInfo("adaptive_max_pool2d", lambda m, a: _F(m).adaptive_max_pool2d(a, (3, 2), True),
           [((2, 3, 5, 7),), ((2, 4, 4),)], ref=_adaptive_ref(np.max, (3, 2)),
           grad_fn="AdaptiveMaxPool2DBackward0", make_inputs=_spaced),
]
