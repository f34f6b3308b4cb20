"""Transforms that apply other transforms at random (torchvision's RandomApply, RandomChoice,
RandomOrder), drawing from ember's default generator so that ember.manual_seed replays them."""
from collections.abc import Sequence

from ... import _random
from .transforms import Compose

__all__ = ["RandomApply", "RandomChoice", "RandomOrder"]


class _RandomTransforms:
    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    __repr__ = Compose.__repr__


class RandomApply:
    """All of `transforms` in order with probability p, else none of them."""

    def __init__(self, transforms, p=0.5):
        self.transforms = transforms  # unchecked, as torchvision (any iterable works)
        self.p = p

    def __call__(self, img):
        if self.p < _random.rand(1).item():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{self.__class__.__name__}(\n    p={self.p}{lines}\n)"


class RandomChoice(_RandomTransforms):
    """One of `transforms`, picked with the relative weights p (uniform when None)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        self.p = p

    def __call__(self, *args):
        weights = [1.0] * len(self.transforms) if self.p is None else [float(w) for w in self.p]
        u = _random.rand(1).item() * sum(weights)
        for t, w in zip(self.transforms, weights):
            u -= w
            if u < 0:
                return t(*args)
        # float rounding left u at (or a hair above) zero: the last transform with weight
        return [t for t, w in zip(self.transforms, weights) if w > 0][-1](*args)

    def __repr__(self):
        return f"{super().__repr__()}(p={self.p})"


class RandomOrder(_RandomTransforms):
    """All of `transforms`, in a random order."""

    def __call__(self, img):
        for i in _random.randperm(len(self.transforms)).tolist():
            img = self.transforms[i](img)
        return img
