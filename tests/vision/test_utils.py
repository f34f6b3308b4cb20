"""ember.vision.utils.make_grid and save_image against their definitions."""
import numpy as np
import pytest

import ember
from ember.vision.utils import make_grid, save_image

Image = pytest.importorskip("PIL.Image")


def reference_grid(batch, nrow, padding, pad_value):
    """torchvision's layout: images left to right, top to bottom, `padding` pixels before each
    image and after the last row and column."""
    n, c, h, w = batch.shape
    cols = min(nrow, n)
    rows = -(-n // cols)
    grid = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding),
                   pad_value, batch.dtype)
    for k in range(n):
        y, x = divmod(k, cols)
        top, left = y * (h + padding) + padding, x * (w + padding) + padding
        grid[:, top:top + h, left:left + w] = batch[k]
    return grid


def test_make_grid_layout():
    batch = np.random.rand(5, 3, 4, 6).astype(np.float32)
    out = make_grid(ember.tensor(batch), nrow=2, padding=1, pad_value=0.5)
    assert out.dtype == ember.float32 and out.shape == (3, 3 * 5 + 1, 2 * 7 + 1)
    np.testing.assert_array_equal(out.numpy(), reference_grid(batch, 2, 1, 0.5))
    listed = make_grid([ember.tensor(b) for b in batch], nrow=8)
    np.testing.assert_array_equal(listed.numpy(), reference_grid(batch, 8, 2, 0.0))


def test_make_grid_gray_single_and_normalize():
    gray = np.random.rand(3, 1, 4, 4).astype(np.float32) * 10 - 5
    out = make_grid(ember.tensor(gray), normalize=True, padding=0)
    assert out.shape == (3, 4, 12)
    scaled = (gray - gray.min()) / (gray.max() - gray.min())
    np.testing.assert_allclose(out.numpy()[0], np.concatenate(list(scaled[:, 0]), axis=1),
                               rtol=1e-5, atol=1e-6)
    each = make_grid(ember.tensor(gray), normalize=True, scale_each=True, padding=0).numpy()
    for k in range(3):
        tile = each[0, :, 4 * k:4 * k + 4]
        assert tile.min() == 0 and abs(tile.max() - 1) < 1e-6
    clipped = make_grid(ember.tensor(gray), normalize=True, value_range=(-1.0, 1.0))
    assert clipped.numpy().min() >= 0 and clipped.numpy().max() <= 1
    single = make_grid(ember.ones(1, 5, 5))  # one image: no padding, grey repeated
    assert single.shape == (3, 5, 5)
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(np.zeros((1, 3, 2, 2)))
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(ember.ones(2, 3, 2, 2), normalize=True, value_range=[0, 1])


def test_save_image_round_trip(tmp_path):
    batch = np.random.rand(4, 3, 5, 5).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(ember.tensor(batch), path, nrow=2, padding=1)
    img = np.asarray(Image.open(path))
    expected = np.clip(reference_grid(batch, 2, 1, 0.0) * 255 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(img, expected.transpose(1, 2, 0))
