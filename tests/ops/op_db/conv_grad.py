"""OpInfo entries for torch.nn.grad's conv*_input / conv*_weight and torch.bilinear. The NumPy
references take the adjoint of a direct-loop convolution: each grad_output element scatters its
window back (input) or gathers it (weight)."""
import itertools

import numpy as np

from . import OpInfo

STRIDE, PAD = 2, 1


def _windows(spatial, kernel):
    """(output index, input index, kernel index) triples of a stride-2, padding-1 convolution."""
    outs = [(n + 2 * PAD - k) // STRIDE + 1 for n, k in zip(spatial, kernel)]
    for o in itertools.product(*map(range, outs)):
        for k in itertools.product(*map(range, kernel)):
            i = tuple(oo * STRIDE - PAD + kk for oo, kk in zip(o, k))
            if all(0 <= ii < n for ii, n in zip(i, spatial)):
                yield o, i, k


def _input_ref(w, go, spatial):
    gx = np.zeros((go.shape[0], w.shape[1]) + spatial)
    for o, i, k in _windows(spatial, w.shape[2:]):
        gx[(slice(None), slice(None)) + i] += go[(slice(None), slice(None)) + o] @ w[
            (slice(None), slice(None)) + k]
    return gx


def _weight_ref(x, go, kernel):
    gw = np.zeros((go.shape[1], x.shape[1]) + kernel)
    for o, i, k in _windows(x.shape[2:], kernel):
        gw[(slice(None), slice(None)) + k] += go[(slice(None), slice(None)) + o].T @ x[
            (slice(None), slice(None)) + i]
    return gw


def _entries(nd, x_shape, w_shape, go_shape):
    spatial, kernel = x_shape[2:], w_shape[2:]
    return [
        OpInfo(f"nn.grad.conv{nd}d_input",
               lambda m, w, go: getattr(m.nn.grad, f"conv{nd}d_input")(
                   x_shape, w, go, stride=STRIDE, padding=PAD),
               [(w_shape, go_shape)], ref=lambda w, go: _input_ref(w, go, spatial),
               grad_fn="ConvolutionBackwardBackward0",
               error_inputs=((w_shape, go_shape[:2] + (1,) * nd),)),
        OpInfo(f"nn.grad.conv{nd}d_weight",
               lambda m, x, go: getattr(m.nn.grad, f"conv{nd}d_weight")(
                   x, w_shape, go, stride=STRIDE, padding=PAD),
               [(x_shape, go_shape)], ref=lambda x, go: _weight_ref(x, go, kernel),
               grad_fn="ConvolutionBackwardBackward0",
               error_inputs=((x_shape, go_shape[:2] + (1,) * nd),)),
    ]


def _bilinear_ref(x1, x2, w, b):
    return np.einsum("ni,oij,nj->no", x1, w, x2) + b


OPS = (_entries(1, (2, 3, 7), (4, 3, 3), (2, 4, 4))
       + _entries(2, (1, 2, 5, 6), (3, 2, 3, 2), (1, 3, 3, 4))
       + _entries(3, (1, 2, 4, 5, 3), (2, 2, 2, 3, 2), (1, 2, 3, 3, 2))
       + [OpInfo("bilinear", lambda m, x1, x2, w, b: m.bilinear(x1, x2, w, b),
                 [((3, 4), (3, 5), (2, 4, 5), (2,))], ref=_bilinear_ref,
                 grad_fn="AddBackward0", error_inputs=(((3, 4), (3, 6), (2, 4, 5), (2,)),))])
