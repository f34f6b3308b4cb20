"""Max pooling over chunks of images (_image_chunk in ember/ops/pool.py): with the chunk sizes
shrunk so that every case walks several chunks (and a last partial one), forward, indices and
gradient equal torch's for padded, overlapping, dilated, ceil_mode, disjoint and tiling windows
(NOTE [ Gathered kernel offsets ]), with NaNs in the input and in the gradient."""
import numpy as np
import pytest

import ember
from ember.ops import pool

torch = pytest.importorskip("torch")

CASES = [  # (input shape, kernel, stride, padding, dilation, ceil_mode)
    ((3, 5, 12, 11), 3, 2, 1, 1, False),   # ResNet's stem pool: padded, overlapping
    ((2, 4, 10, 10), 2, 2, 0, 1, False),   # tiles the input
    ((2, 3, 9, 8), 3, 2, 1, 2, True),      # dilated, ceil_mode
    ((3, 2, 7, 9), (2, 3), (1, 2), (1, 0), 1, False),
    ((2, 3, 9, 10), 2, 3, 1, 1, False),    # disjoint windows with gaps, padded
    ((2, 3, 7, 7), 2, 2, 1, 1, True),      # windows tiling a padded input, ceil_mode
]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(pool, "_WHOLE_BYTES", 64)
    monkeypatch.setattr(pool, "_CHUNK_BYTES", 3 * 12 * 13 * 4)


def _run(mod, x, g, args):
    xt = mod.tensor(x, requires_grad=True)
    y, idx = mod.nn.functional.max_pool2d(xt, *args, return_indices=True)
    y.backward(mod.tensor(g))
    return y.detach().numpy(), idx.numpy(), xt.grad.numpy()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("nan", [False, True])
def test_chunked_matches_torch(small_chunks, case, nan):
    shape, *args = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    x[0, 0, 1, 1] = x[0, 0, 1, 2]  # a tie: the first maximum in window order wins
    if nan:
        x[1, 1, 2, 3] = np.nan
    y_shape = torch.nn.functional.max_pool2d(torch.tensor(x), *args).shape
    g = rng.standard_normal(tuple(y_shape)).astype(np.float32)
    if nan:
        g[0, 1, 0, 0] = np.nan
    got, want = _run(ember, x, g, args), _run(torch, x, g, args)
    for a, e in zip(got, want):
        assert a.shape == e.shape and a.dtype == e.dtype
        np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-6)


def test_chunk_sizes():
    assert pool._image_chunk(10, (10, 1, 8, 8), 4) == 10  # 2.5 KB: whole
    per_image = 300 * 300 * 4
    assert pool._image_chunk(64, (64, 1, 300, 300), 4) == pool._CHUNK_BYTES // per_image
    assert pool._image_chunk(4, (4, 1, 2000, 2000), 4) == 1  # one image past the chunk size
