"""OpInfo entries for ember/ops/conv.py (torch side: torch.nn.functional).

The NumPy references are direct loops over kernel offsets in float64, independent of ember's
im2col kernels. Shapes are tiny: gradcheck and gradgradcheck build full Jacobians.
"""
import numpy as np

from ember.ops import conv as _ember_conv

from . import OpInfo


def _F(m):
    """torch.nn.functional, or the module ember's nn.functional binds to."""
    return _ember_conv if m.__name__ == "ember" else m.nn.functional


def _two(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _conv_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Batched N-d (1 or 2 spatial dims) cross-correlation, the sum over kernel offsets."""
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None], w[:, :, None]
        stride, dilation = (1, stride), (1, dilation)
        padding = padding if isinstance(padding, str) else (0, padding)
    (sh, sw), (dh, dw) = _two(stride), _two(dilation)
    kh, kw = w.shape[2:]
    if padding == "same":
        pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for d, k in ((dh, kh), (dw, kw))]
    else:
        ph, pw = _two(0 if padding == "valid" else padding)
        pads = [(ph, ph), (pw, pw)]
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    cg, og = x.shape[1] // groups, w.shape[0] // groups
    y = np.zeros((x.shape[0], w.shape[0], ho, wo))
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg, i * dh:i * dh + (ho - 1) * sh + 1:sh,
                           j * dw:j * dw + (wo - 1) * sw + 1:sw]
                y[:, g * og:(g + 1) * og] += np.einsum("nchw,oc->nohw", patch,
                                                        w[g * og:(g + 1) * og, :, i, j])
    if b is not None:
        y += b[:, None, None]
    return y[:, :, 0] if one_d else y


def _conv_t_ref(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed convolution as the scatter of every input element through the kernel."""
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None], w[:, :, None]
        stride, padding, output_padding, dilation = ((1, stride), (0, padding),
                                                     (0, output_padding), (1, dilation))
    (sh, sw), (ph, pw) = _two(stride), _two(padding)
    (oph, opw), (dh, dw) = _two(output_padding), _two(dilation)
    n, c, h, wd = x.shape
    kh, kw = w.shape[2:]
    cg, og = c // groups, w.shape[1]
    full = np.zeros((n, og * groups, (h - 1) * sh + dh * (kh - 1) + 1 + oph,
                     (wd - 1) * sw + dw * (kw - 1) + 1 + opw))
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                full[:, g * og:(g + 1) * og, i * dh:i * dh + (h - 1) * sh + 1:sh,
                     j * dw:j * dw + (wd - 1) * sw + 1:sw] += np.einsum(
                         "nchw,co->nohw", x[:, g * cg:(g + 1) * cg],
                         w[g * cg:(g + 1) * cg, :, i, j])
    y = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    if b is not None:
        y = y + b[:, None, None]
    return y[:, :, 0] if one_d else y


def _unfold_ref(x, kernel_size, dilation=1, padding=0, stride=1):
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(_two, (kernel_size, dilation, padding, stride))
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    cols = [xp[:, :, i * dh + r * sh, j * dw + q * sw]
            for i in range(kh) for j in range(kw) for r in range(ho) for q in range(wo)]
    n, c = x.shape[:2]
    return np.stack(cols, -1).reshape(n, c, kh * kw, ho * wo).reshape(n, c * kh * kw, ho * wo)


def _fold_ref(cols, output_size, kernel_size, dilation=1, padding=0, stride=1):
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(
        _two, (output_size, kernel_size, dilation, padding, stride))
    n = cols.shape[0]
    c = cols.shape[1] // (kh * kw)
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    blocks = cols.reshape(n, c, kh, kw, ho, wo)
    for i in range(kh):
        for j in range(kw):
            for r in range(ho):
                for q in range(wo):
                    out[:, :, i * dh + r * sh, j * dw + q * sw] += blocks[:, :, i, j, r, q]
    return out[:, :, ph:ph + h, pw:pw + w]


def _refused(shapes):
    """Invalid (x, weight) pairs for a sample's op: x with two dims fewer, and x with a channel
    count the weight does not take."""
    x, w = shapes[0][:2]
    return ((x[2:], w), (x[:1] + (x[1] + 1,) + x[2:], w))


def _conv(name, shapes, **kw):
    """conv2d / conv1d with keyword options; inputs are (x, weight[, bias])."""
    fn_name = "conv1d" if len(shapes[0][0]) == 3 else "conv2d"
    return OpInfo(f"{fn_name}_{name}", lambda m, *a: getattr(_F(m), fn_name)(*a, **kw), shapes,
                  ref=lambda *a: _conv_ref(*a, **kw), grad_fn="ConvolutionBackward0",
                  error_inputs=_refused(shapes))


def _conv_t(name, shapes, **kw):
    fn_name = "conv_transpose1d" if len(shapes[0][0]) == 3 else "conv_transpose2d"
    return OpInfo(f"{fn_name}_{name}", lambda m, *a: getattr(_F(m), fn_name)(*a, **kw), shapes,
                  ref=lambda *a: _conv_t_ref(*a, **kw), grad_fn="ConvolutionBackward0",
                  error_inputs=_refused(shapes))


OPS = [
    _conv("plain", [((2, 3, 5, 4), (2, 3, 3, 2), (2,)), ((1, 2, 4, 4), (3, 2, 2, 2))]),
    _conv("stride_padding", [((1, 2, 6, 5), (3, 2, 3, 3), (3,))], stride=(2, 1), padding=(1, 2)),
    _conv("dilation", [((1, 2, 6, 6), (2, 2, 2, 3), (2,))], dilation=(2, 1), padding=1),
    _conv("groups", [((2, 4, 4, 4), (6, 2, 2, 2), (6,))], groups=2, stride=2, padding=1),
    _conv("depthwise", [((1, 3, 4, 5), (3, 1, 3, 3))], groups=3, padding=1),
    _conv("same_even", [((1, 2, 5, 4), (2, 2, 2, 3), (2,))], padding="same", dilation=(1, 2)),
    _conv("valid", [((1, 2, 4, 4), (2, 2, 3, 3))], padding="valid"),
    _conv("1d", [((2, 2, 7), (3, 2, 3), (3,))], stride=2, padding=1, dilation=2),
    _conv("1d_groups_same", [((1, 4, 6), (4, 2, 4))], groups=2, padding="same"),
    _conv_t("plain", [((2, 3, 3, 2), (3, 2, 2, 3), (2,))]),
    _conv_t("stride_outpad", [((1, 2, 3, 3), (2, 2, 3, 2), (2,))], stride=2, padding=1,
            output_padding=1),
    # output_padding below the dilation but not the stride: the last row receives no window
    _conv_t("outpad_dilation", [((1, 2, 2, 3), (2, 3, 2, 2))], output_padding=(1, 0),
            dilation=(2, 1)),
    _conv_t("groups", [((1, 4, 3, 2), (4, 1, 2, 2), (2,))], groups=2, stride=(1, 2)),
    _conv_t("1d", [((2, 3, 4), (3, 2, 3), (2,))], stride=3, padding=1, output_padding=2),
    OpInfo("unfold", lambda m, a: _F(m).unfold(a, (2, 3), dilation=(1, 2), padding=1,
                                               stride=(2, 1)),
           [((2, 2, 4, 5),)], ref=lambda a: _unfold_ref(a, (2, 3), (1, 2), 1, (2, 1)),
           grad_fn="Im2ColBackward0",
           error_inputs=(lambda m: m.nn.functional.unfold(m.ones(3, 4), 2),)),
    OpInfo("fold", lambda m, a: _F(m).fold(a, (4, 5), (2, 3), dilation=(1, 2), padding=1,
                                           stride=(2, 1)),
           [((2, 12, 9),)], ref=lambda a: _fold_ref(a, (4, 5), (2, 3), (1, 2), 1, (2, 1)),
           grad_fn="Col2ImBackward0",
           error_inputs=(lambda m: m.nn.functional.fold(m.ones(1, 4, 5), (3, 3), 2),)),
]
