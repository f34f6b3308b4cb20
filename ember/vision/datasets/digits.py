"""Digits: the UCI handwritten digits (8x8, 1797 images) that ship with ember, scaled up."""
import os

import numpy as np

from ..._creation import from_numpy
from .._pil import pil_image
from .vision import VisionDataset

__all__ = ["Digits"]

_DATA = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def _bilinear_matrix(n_in, n_out):
    """The (n_out, n_in) matrix of 1-D bilinear resampling with half-pixel centres and clamped
    edges (Pillow's BILINEAR when scaling up)."""
    x = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    lo = np.floor(x).astype(np.intp)
    hi = np.minimum(lo + 1, n_in - 1)
    w = x - lo
    rows = np.arange(n_out)
    m = np.zeros((n_out, n_in))
    m[rows, lo] = 1 - w
    m[rows, hi] += w  # at a clamped edge hi == lo and w == 0
    return m


def upscale(images, size):
    """(N, 8, 8) counts in 0..16 -> (N, size, size) uint8 grey levels in 0..255."""
    r = _bilinear_matrix(images.shape[-1], size)
    x = np.einsum("oi,nij,pj->nop", r, images.astype(np.float64), r)
    return np.clip(np.rint(x * (255 / 16)), 0, 255).astype(np.uint8)


class Digits(VisionDataset):
    """Handwritten digits 0-9 from the UCI ML repository ("Optical Recognition of Handwritten
    Digits", E. Alpaydin and C. Kaynak, CC BY 4.0; see data/README.md), shipped as package data
    so that ember-train runs without a network.

    Each original is an 8x8 grid of counts 0..16; `data` holds them scaled bilinearly to
    `size` x `size` uint8 grey levels (a (N, size, size) tensor), `targets` the labels (int64
    tensor). `train` picks the fixed training split (1438 images) or the held-out test split
    (359, 20% of each class). Items are (PIL image of mode L, class index) before the
    transforms, as for MNIST. `root` and `download` are accepted for a uniform interface and
    unused: the data is always present."""

    classes = [str(d) for d in range(10)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False, size=32):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        split = "train" if train else "test"
        with np.load(_DATA) as f:
            images, labels = f[f"{split}_images"], f[f"{split}_labels"]
        self.data = from_numpy(upscale(images, size))
        self.targets = from_numpy(labels.astype(np.int64))

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img = pil_image().fromarray(self.data.numpy()[index], mode="L")
        target = int(self.targets.numpy()[index])
        return self._apply_transforms(img, target)

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"
