"""OpInfo entries for the layers added for drop-in breadth: rms_norm, local_response_norm,
lp_pool, fractional_max_pool, channel/pixel shuffle, prelu, rrelu (eval) and affine_grid
(grid_sample has its own file, grid_sample.py). The NumPy references loop over positions (float64) and share no code with ember."""
import itertools

import numpy as np

from . import OpInfo


def _F(m):
    return m.nn.functional


def _rms_ref(x, w):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + np.finfo(x.dtype).eps) * w


def _lrn_ref(x, size=3, alpha=1e-2, beta=0.75, k=2.0):
    out = np.empty_like(x)
    c = x.shape[1]
    for ch in range(c):
        lo, hi = max(0, ch - size // 2), min(c, ch + (size - 1) // 2 + 1)
        s = (x[:, lo:hi] ** 2).sum(1)
        out[:, ch] = x[:, ch] / (k + alpha / size * s) ** beta
    return out


def _lp2_ref(x, p=2.0, k=2, s=2):
    h, w = (x.shape[-2] - k) // s + 1, (x.shape[-1] - k) // s + 1
    out = np.empty(x.shape[:-2] + (h, w))
    for i, j in itertools.product(range(h), range(w)):
        out[..., i, j] = (x[..., i * s:i * s + k, j * s:j * s + k] ** p).sum((-1, -2)) ** (1 / p)
    return out


def _starts(u, size, out, k):
    if out == 1:
        return [size - k]
    alpha = (size - k) / (out - 1)
    return [int((i + u) * alpha) - int(u * alpha) for i in range(out - 1)] + [size - k]


def _fmp_ref(x, samples, k=2, out=3):
    n, c, h, w = x.shape
    y = np.empty((n, c, out, out))
    idx = np.empty((n, c, out, out))
    for b, ch in itertools.product(range(n), range(c)):
        cols = _starts(samples[b, ch, 0], w, out, k)
        rows = _starts(samples[b, ch, 1], h, out, k)
        for i, j in itertools.product(range(out), range(out)):
            win = x[b, ch, rows[i]:rows[i] + k, cols[j]:cols[j] + k]
            r, q = np.unravel_index(win.argmax(), win.shape)
            y[b, ch, i, j] = win[r, q]
            idx[b, ch, i, j] = (rows[i] + r) * w + cols[j] + q
    return y, idx


def _fmp_inputs(rng, dtype, shapes):
    (xs, ss) = shapes
    n = int(np.prod(xs))
    x = (rng.permutation(n) * 0.1 - n * 0.05).reshape(xs).astype(dtype)
    return [x, rng.random(ss).astype(dtype)]


def _affine_ref(theta, size=(2, 1, 3, 4), align=False):
    h, w = size[2:]

    def axis(s):
        line = np.linspace(-1, 1, s)
        return line if align else line * (s - 1) / s
    ys, xs = np.meshgrid(axis(h), axis(w), indexing="ij")
    base = np.stack([xs, ys, np.ones_like(xs)], -1)
    return np.einsum("hwk,nck->nhwc", base, theta)


OPS = [
    OpInfo("rms_norm", lambda m, x, w: m.rms_norm(x, [4], w), [((2, 3, 4), (4,))],
           ref=_rms_ref, grad_fn="MulBackward0"),
    OpInfo("local_response_norm", lambda m, x: _F(m).local_response_norm(x, 3, 1e-2, 0.75, 2.0),
           [((2, 5, 3),), ((1, 4, 2, 3),)], ref=_lrn_ref, grad_fn="DivBackward0"),
    OpInfo("lp_pool2d", lambda m, x: _F(m).lp_pool2d(x, 2.0, 2, 2), [((2, 3, 4, 5),)],
           domain=(0.5, 2.0), ref=_lp2_ref, grad_fn="PowBackward0"),
    OpInfo("lp_pool1d", lambda m, x: _F(m).lp_pool1d(x, 3.0, 2, 2), [((2, 3, 6),)],
           domain=(0.5, 2.0), ref=lambda x: (x[..., 0::2] ** 3 + x[..., 1::2] ** 3) ** (1 / 3),
           grad_fn="PowBackward0"),
    OpInfo("fractional_max_pool2d",
           lambda m, x, s: _F(m).fractional_max_pool2d(x, 2, output_size=3, return_indices=True,
                                                       _random_samples=s),
           [((2, 3, 6, 7), (2, 3, 2))], make_inputs=_fmp_inputs, ref=_fmp_ref, grad_inputs=(0,),
           grad_fn="FractionalMaxPool2DBackward0"),
    OpInfo("channel_shuffle", lambda m, x: m.channel_shuffle(x, 2), [((2, 6, 3),)],
           ref=lambda x: x.reshape(2, 2, 3, 3).swapaxes(1, 2).reshape(x.shape),
           grad_fn="ChannelShuffleBackward0"),
    OpInfo("pixel_shuffle_top", lambda m, x: m.pixel_shuffle(x, 2), [((1, 8, 2, 3),)],
           ref=lambda x: x.reshape(1, 2, 2, 2, 2, 3).transpose(0, 1, 4, 2, 5, 3)
           .reshape(1, 2, 4, 6), grad_fn="PixelShuffleBackward0"),
    OpInfo("pixel_unshuffle_top", lambda m, x: m.pixel_unshuffle(x, 2), [((1, 2, 4, 6),)],
           ref=lambda x: x.reshape(1, 2, 2, 2, 3, 2).transpose(0, 1, 3, 5, 2, 4)
           .reshape(1, 8, 2, 3), grad_fn="PixelUnshuffleBackward0"),
    OpInfo("prelu", lambda m, x, w: m.prelu(x, w), [((2, 3, 4), (3,)), ((5,), (1,))],
           ref=lambda x, w: np.where(x > 0, x, x * (w.reshape(-1, 1) if w.size > 1 else w)),
           grad_fn="PreluKernelBackward0", gradgrad=True),
    OpInfo("rrelu_eval", lambda m, x: m.rrelu(x, 0.1, 0.3), [((3, 4),)],
           ref=lambda x: np.where(x > 0, x, 0.2 * x), grad_fn="RreluWithNoiseBackward0"),
    OpInfo("affine_grid", lambda m, t: _F(m).affine_grid(t, (2, 1, 3, 4), False), [((2, 2, 3),)],
           ref=_affine_ref, grad_fn="AffineGridGeneratorBackward0"),
    OpInfo("affine_grid_align", lambda m, t: _F(m).affine_grid(t, (2, 1, 3, 4), True),
           [((2, 2, 3),)], ref=lambda t: _affine_ref(t, align=True),
           grad_fn="AffineGridGeneratorBackward0"),
]
