"""torch's transposed convolutions take an output size of 0 along a dim (an empty result, zero
gradients) for a batch of several samples in float32 or narrower; for one sample (or an unbatched
input) or in float64 they refuse it, and so does ember (ops/conv.py)."""
import numpy as np
import pytest
import torch

import ember

CASES = [  # (function, input shape, weight shape, keywords)
    ("conv_transpose3d", (2, 2, 1, 4, 5), (2, 2, 2, 2, 2),
     dict(stride=2, padding=1, output_padding=(0, 1, 1))),
    ("conv_transpose3d", (2, 2, 1, 1, 1), (2, 2, 2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose3d", (2, 2, 1, 4, 5), (2, 2, 2, 2, 2), dict(stride=1, padding=(1, 0, 0))),
    ("conv_transpose1d", (2, 2, 1), (2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose2d", (1, 2, 1, 4), (2, 2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose1d", (2, 2, 1), (2, 2, 2), dict(stride=2, padding=3)),
    ("conv_transpose2d", (2, 2, 1, 4), (2, 2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose2d", (2, 2, 1, 1), (2, 2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose1d", (1, 2, 1), (2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose1d", (2, 1), (2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose1d", (2, 2, 4), (2, 2, 1), dict(stride=1, padding=2)),
    ("conv_transpose3d", (1, 2, 1, 1, 1), (2, 2, 2, 2, 2), dict(stride=2, padding=1)),
    ("conv_transpose1d", (0, 2, 2), (2, 2, 3), dict(padding=2)),
]
DTYPES = ["float32", "float64"]


def _run(lib, name, x_shape, w_shape, kw, dtype):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(x_shape).astype(dtype), requires_grad=True)
    w = lib.tensor(rng.standard_normal(w_shape).astype(dtype), requires_grad=True)
    b = lib.tensor(rng.standard_normal(w_shape[1]).astype(dtype), requires_grad=True)
    try:
        y = getattr(lib.nn.functional, name)(x, w, b, **kw)
    except RuntimeError as exc:
        return "RuntimeError", str(exc)
    y.sum().backward()
    return tuple(y.shape), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,x_shape,w_shape,kw", CASES)
def test_transposed_convolution_with_an_empty_output_matches_torch(name, x_shape, w_shape, kw,
                                                                   dtype):
    got = _run(ember, name, x_shape, w_shape, kw, dtype)
    want = _run(torch, name, x_shape, w_shape, kw, dtype)
    assert got[0] == want[0]
    if got[0] == "RuntimeError":
        if name == "conv_transpose2d":  # (a negative size gets oneDNN's words in torch)
            assert got[1] == want[1]
        return
    for g, e in zip(got[1:], want[1:]):
        np.testing.assert_array_equal(g, e)
