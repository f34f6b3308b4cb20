"""FakeData: random images and labels, the same for the same index on every run."""
from ... import _random
from ..transforms.functional import to_pil_image
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """`size` PIL images of `image_size` (C, H, W) with uniform noise pixels and random labels
    below `num_classes`; item i is drawn from a generator seeded with i + random_offset."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        g = _random.Generator().manual_seed(index + self.random_offset)
        img = to_pil_image(_random.rand(*self.image_size, generator=g))
        target = int(_random.randint(0, self.num_classes, (1,), generator=g).item())
        return self._apply_transforms(img, target)

    def __len__(self):
        return self.size
