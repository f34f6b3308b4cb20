"""OpInfo entries for conv3d and conv_transpose3d (ember/ops/conv.py; torch.nn.functional).

The references are N-d loops over kernel offsets in float64 (a gather for the convolution, a
scatter through the kernel for the transposed one), sharing nothing with ember's depth-tap
kernels. Shapes are tiny: gradcheck and gradgradcheck build full Jacobians.
"""
import itertools

import numpy as np

from . import OpInfo


def _three(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * 3


def _conv3d_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    s, p, d = _three(stride), _three(padding), _three(dilation)
    xp = np.pad(x, [(0, 0), (0, 0)] + [(q, q) for q in p])
    k = w.shape[2:]
    out = [(xp.shape[2 + i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(3)]
    cg, og = x.shape[1] // groups, w.shape[0] // groups
    y = np.zeros((x.shape[0], w.shape[0], *out))
    for g in range(groups):
        for off in itertools.product(*(range(n) for n in k)):
            key = tuple(slice(off[i] * d[i], off[i] * d[i] + (out[i] - 1) * s[i] + 1, s[i])
                        for i in range(3))
            patch = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + key]
            y[:, g * og:(g + 1) * og] += np.einsum("ncdhw,oc->nodhw", patch,
                                                    w[(slice(g * og, (g + 1) * og), slice(None))
                                                      + off])
    if b is not None:
        y += b[:, None, None, None]
    return y


def _conv_transpose3d_ref(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                          dilation=1):
    s, p, op, d = _three(stride), _three(padding), _three(output_padding), _three(dilation)
    n, c = x.shape[:2]
    size, k = x.shape[2:], w.shape[2:]
    cg, og = c // groups, w.shape[1]
    full = np.zeros((n, og * groups) + tuple((size[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 + op[i]
                                              for i in range(3)))
    for g in range(groups):
        for off in itertools.product(*(range(m) for m in k)):
            key = tuple(slice(off[i] * d[i], off[i] * d[i] + (size[i] - 1) * s[i] + 1, s[i])
                        for i in range(3))
            full[(slice(None), slice(g * og, (g + 1) * og)) + key] += np.einsum(
                "ncdhw,co->nodhw", x[:, g * cg:(g + 1) * cg],
                w[(slice(g * cg, (g + 1) * cg), slice(None)) + off])
    y = full[(slice(None), slice(None)) + tuple(slice(p[i], full.shape[2 + i] - p[i])
                                                for i in range(3))]
    if b is not None:
        y = y + b[:, None, None, None]
    return y


def _refused(shapes):
    """x with two dims fewer, and x with a channel count the weight does not take."""
    x, w = shapes[0][:2]
    return ((x[2:], w), (x[:1] + (x[1] + 1,) + x[2:], w))


def _conv(name, shapes, **kw):
    return OpInfo(f"conv3d_{name}", lambda m, *a: m.nn.functional.conv3d(*a, **kw), shapes,
                  ref=lambda *a: _conv3d_ref(*a, **kw), grad_fn="ConvolutionBackward0",
                  error_inputs=_refused(shapes))


def _conv_t(name, shapes, **kw):
    return OpInfo(f"conv_transpose3d_{name}",
                  lambda m, *a: m.nn.functional.conv_transpose3d(*a, **kw), shapes,
                  ref=lambda *a: _conv_transpose3d_ref(*a, **kw), grad_fn="ConvolutionBackward0",
                  error_inputs=_refused(shapes))


OPS = [
    _conv("plain", [((2, 2, 3, 4, 3), (2, 2, 2, 2, 2), (2,)), ((1, 1, 3, 3, 3), (2, 1, 2, 1, 2))]),
    _conv("stride_padding_dilation", [((1, 2, 4, 5, 4), (2, 2, 2, 2, 2), (2,))],
          stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1)),
    _conv("groups", [((1, 4, 3, 3, 3), (4, 2, 2, 1, 2), (4,))], groups=2, padding=1),
    _conv_t("plain", [((1, 2, 2, 3, 2), (2, 3, 2, 2, 2), (3,))]),
    _conv_t("stride_outpad", [((1, 2, 2, 2, 2), (2, 2, 2, 1, 2), (2,))], stride=2, padding=1,
            output_padding=(1, 0, 1)),
    _conv_t("groups_dilation", [((1, 4, 2, 2, 2), (4, 1, 2, 2, 1))], groups=2,
            dilation=(2, 1, 1), stride=(1, 2, 1)),
]
