"""Transforms for tensor images only (torchvision's ConvertImageDtype, RandomErasing,
LinearTransformation)."""
import math
import numbers
import warnings
from collections.abc import Sequence

from ... import _random
from ... import float32
from ..._creation import tensor
from . import functional as F
from .transforms import _randint, _uniform

__all__ = ["ConvertImageDtype", "RandomErasing", "LinearTransformation"]


class ConvertImageDtype:
    """To `dtype`, rescaling values to its range (see functional.convert_image_dtype)."""

    def __init__(self, dtype):
        self.dtype = dtype

    def __call__(self, image):
        return F.convert_image_dtype(image, self.dtype)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class RandomErasing:
    """With probability p, erase a random box covering `scale` of the area with aspect ratio
    in `ratio`: to `value` (a number, one per channel, or 'random' for standard normal
    noise). Tensors only; as torchvision, nothing is erased when ten tries find no box."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """(i, j, h, w, v) of the box; value None draws v as normal noise in float32."""
        c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = math.exp(_uniform(*log_ratio))
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = _random.randn(c, h, w, dtype=float32)
            else:
                v = tensor(value)[:, None, None]
            return _randint(0, img_h - h + 1), _randint(0, img_w - w + 1), h, w, v
        return 0, 0, img_h, img_w, img

    def __call__(self, img):
        if not _random.rand(1).item() < self.p:
            return img
        if isinstance(self.value, numbers.Number):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError("If value is a sequence, it should have either a single value or "
                             f"{img.shape[-3]} (number of input channels)")
        i, j, h, w, v = self.get_params(img, self.scale, self.ratio, value)
        return F.erase(img, i, j, h, w, v, self.inplace)

    def __repr__(self):
        return (f"{self.__class__.__name__}(p={self.p}, scale={self.scale}, "
                f"ratio={self.ratio}, value={self.value}, inplace={self.inplace})")


class LinearTransformation:
    """Flatten each (C, H, W) image, subtract mean_vector and multiply by the square
    transformation_matrix (ZCA whitening, for instance), keeping the shape."""

    def __init__(self, transformation_matrix, mean_vector):
        m, v = transformation_matrix, mean_vector
        if m.shape[0] != m.shape[1]:
            raise ValueError("transformation_matrix should be square. Got "
                             f"{tuple(m.shape)} rectangular matrix.")
        if v.shape[0] != m.shape[0]:
            raise ValueError(f"mean_vector should have the same length {v.shape[0]} as any one "
                             "of the dimensions of the transformation_matrix "
                             f"[{tuple(m.shape)}]")
        if m.device != v.device:
            raise ValueError("Input tensors should be on the same device. Got "
                             f"{m.device} and {v.device}")
        if m.dtype != v.dtype:
            raise ValueError(f"Input tensors should have the same dtype. Got {m.dtype} and "
                             f"{v.dtype}")
        self.transformation_matrix = m
        self.mean_vector = v

    def __call__(self, img):
        shape = img.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError("Input tensor and transformation matrix have incompatible shape."
                             f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != "
                             f"{self.transformation_matrix.shape[0]}")
        if img.device.type != self.mean_vector.device.type:
            raise ValueError("Input tensor should be on the same device as transformation "
                             "matrix and mean vector. Got "
                             f"{img.device} vs {self.mean_vector.device}")
        flat = img.reshape(-1, n) - self.mean_vector
        return (flat @ self.transformation_matrix.to(flat.dtype)).reshape(shape)

    def __repr__(self):
        return (f"{self.__class__.__name__}(transformation_matrix="
                f"{self.transformation_matrix.tolist()}, "
                f"mean_vector={self.mean_vector.tolist()})")
