"""RandomAffine, FiveCrop and TenCrop (torchvision's), for PIL images and tensors."""
import numbers
from collections.abc import Sequence

from ..._tensor import Tensor
from . import functional as F
from .functional import InterpolationMode, _interpolation, _pair
from .transforms import _uniform

__all__ = ["RandomAffine", "FiveCrop", "TenCrop"]


def _check_sequence(x, name, req_sizes):
    sizes = str(req_sizes[0]) if len(req_sizes) < 2 else " or ".join(map(str, req_sizes))
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {sizes}.")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {sizes}.")


def _setup_angle(x, name, req_sizes=(2,)):
    """A single angle a means the range [-a, a]."""
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        x = [-x, x]
    else:
        _check_sequence(x, name, req_sizes)
    return [float(d) for d in x]


class RandomAffine:
    """A random rotation (degrees), translation (fractions of width and height), scale and
    shear (degrees along x, and along y when four values are given), keeping the size."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None):
        self.degrees = _setup_angle(degrees, "degrees")
        if translate is not None:
            _check_sequence(translate, "translate", (2,))
            if not all(0.0 <= t <= 1.0 for t in translate):
                raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence(scale, "scale", (2,))
            if any(s <= 0 for s in scale):
                raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = None if shear is None else _setup_angle(shear, "shear", (2, 4))
        self.interpolation = _interpolation(interpolation)
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill
        if center is not None:
            _check_sequence(center, "center", (2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """(angle, (tx, ty) in pixels, scale, (shear_x, shear_y)); img_size is (w, h)."""
        angle = _uniform(float(degrees[0]), float(degrees[1]))
        tx = ty = 0
        if translate is not None:
            max_dx, max_dy = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
            tx = int(round(_uniform(-max_dx, max_dx)))
            ty = int(round(_uniform(-max_dy, max_dy)))
        scale = 1.0 if scale_ranges is None else _uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _uniform(shears[2], shears[3])
        return angle, (tx, ty), scale, (shear_x, shear_y)

    def __call__(self, img):
        fill = self.fill
        channels, height, width = F.get_dimensions(img)
        if isinstance(img, Tensor):  # one fill per channel, so the masked fill path is taken
            fill = ([float(fill)] * channels if isinstance(fill, numbers.Number)
                    else [float(f) for f in fill])
        params = self.get_params(self.degrees, self.translate, self.scale, self.shear,
                                 [width, height])
        return F.affine(img, *params, interpolation=self.interpolation, fill=fill,
                        center=self.center)

    def __repr__(self):
        s = f"{self.__class__.__name__}(degrees={self.degrees}"
        s += "" if self.translate is None else f", translate={self.translate}"
        s += "" if self.scale is None else f", scale={self.scale}"
        s += "" if self.shear is None else f", shear={self.shear}"
        if self.interpolation != InterpolationMode.NEAREST:
            s += f", interpolation={self.interpolation.value}"
        s += "" if self.fill == 0 else f", fill={self.fill}"
        s += "" if self.center is None else f", center={self.center}"
        return s + ")"


class FiveCrop:
    """The four corner crops and the centre crop of `size`, as a tuple."""

    def __init__(self, size):
        self.size = _pair(size)

    def __call__(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class TenCrop:
    """FiveCrop of the image and of its horizontal (or vertical) flip: ten crops."""

    def __init__(self, size, vertical_flip=False):
        self.size = _pair(size)
        self.vertical_flip = vertical_flip

    def __call__(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, vertical_flip={self.vertical_flip})"
