"""The evaluation transforms that pretrained weights name (torchvision.transforms._presets):
`weights.transforms()` gives one, configured for those weights."""
from ... import float32
from ..._tensor import Tensor
from ...nn import Module
from . import functional as F
from ._functional_tensor import _max_value

__all__ = ["ImageClassification"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageClassification(Module):
    """Resize the smaller edge to `resize_size`, crop the centre `crop_size` square, scale to
    floats in [0, 1] and normalise with `mean` and `std`: a PIL image or a uint8/float
    (..., C, H, W) tensor in, a float tensor out."""

    def __init__(self, *, crop_size, resize_size=256, mean=IMAGENET_MEAN, std=IMAGENET_STD,
                 interpolation=F.InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        img = F.resize(img, self.resize_size, interpolation=self.interpolation,
                       antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        if not img.is_floating_point():  # integer images hold 0..max of their dtype
            img = img.to(float32) / float(_max_value(img.dtype))
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        fields = (f"crop_size={self.crop_size}", f"resize_size={self.resize_size}",
                  f"mean={self.mean}", f"std={self.std}", f"interpolation={self.interpolation}")
        return self.__class__.__name__ + "(" + "".join(f"\n    {f}" for f in fields) + "\n)"

