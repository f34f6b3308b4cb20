"""Image grids and image files from tensors (torchvision.utils.make_grid, save_image)."""
import math

import numpy as np

from .._creation import from_numpy
from .._tensor import Tensor
from ._pil import pil_image

__all__ = ["make_grid", "save_image"]


def _as_batch(tensor):
    """A tensor or list of tensors as a (B, C, H, W) array, grey images repeated to 3 channels."""
    if isinstance(tensor, list):
        for t in tensor:
            if not isinstance(t, Tensor):
                raise TypeError("tensor or list of tensors expected, got a list containing "
                                f"{type(t)}")
        a = np.stack([np.asarray(t.detach()) for t in tensor])
    elif isinstance(tensor, Tensor):
        a = np.asarray(tensor.detach())
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        a = (np.concatenate([a, a, a]) if a.shape[0] == 1 else a)[None]
    if a.ndim == 4 and a.shape[1] == 1:
        a = np.concatenate([a, a, a], axis=1)
    return a


def _normalize(a, value_range):
    low, high = value_range if value_range is not None else (float(a.min()), float(a.max()))
    return (np.clip(a, low, high) - low) / max(high - low, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile a (B, C, H, W) batch (or a list of images) into one (C, H', W') image, `nrow`
    images per row, `padding` pixels of `pad_value` around each. `normalize` maps
    `value_range` (default: the min and max, of each image if `scale_each`) to [0, 1]."""
    a = _as_batch(tensor)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")
        if scale_each:
            a = np.stack([_normalize(img, value_range) for img in a])
        else:
            a = _normalize(a, value_range)
    if a.shape[0] == 1:
        return from_numpy(np.ascontiguousarray(a[0]))
    nmaps, channels, h, w = a.shape
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    height, width = h + padding, w + padding
    grid = np.full((channels, height * ymaps + padding, width * xmaps + padding), pad_value,
                   dtype=a.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = a[k]
    return from_numpy(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """Write make_grid(tensor, **kwargs), values in [0, 1], as an 8-bit image file."""
    grid = np.asarray(make_grid(tensor, **kwargs))
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    pil_image().fromarray(np.ascontiguousarray(pixels)).save(fp, format=format)
