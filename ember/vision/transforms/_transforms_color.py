"""Random colour and filter transforms (torchvision's RandomGrayscale, RandomInvert,
RandomPosterize, RandomSolarize, RandomAdjustSharpness, RandomAutocontrast, RandomEqualize,
GaussianBlur) for PIL images and tensors, drawing from ember's default generator."""
import numbers
from collections.abc import Sequence

from ... import _random
from . import functional as F
from .transforms import _uniform

__all__ = ["RandomGrayscale", "RandomInvert", "RandomPosterize", "RandomSolarize",
           "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "GaussianBlur"]


class _RandomApplyOne:
    """`_apply(img)` with probability p."""

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        return self._apply(img) if _random.rand(1).item() < self.p else img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"


class RandomGrayscale(_RandomApplyOne):
    """Grey with probability p, keeping the number of channels."""

    def __init__(self, p=0.1):
        super().__init__(p)

    def _apply(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=F.get_dimensions(img)[0])


class RandomInvert(_RandomApplyOne):
    def _apply(self, img):
        return F.invert(img)


class RandomAutocontrast(_RandomApplyOne):
    def _apply(self, img):
        return F.autocontrast(img)


class RandomEqualize(_RandomApplyOne):
    def _apply(self, img):
        return F.equalize(img)


class RandomPosterize(_RandomApplyOne):
    def __init__(self, bits, p=0.5):
        super().__init__(p)
        self.bits = bits

    def _apply(self, img):
        return F.posterize(img, self.bits)

    def __repr__(self):  # torchvision prints no space before p here
        return f"{self.__class__.__name__}(bits={self.bits},p={self.p})"


class RandomSolarize(_RandomApplyOne):
    def __init__(self, threshold, p=0.5):
        super().__init__(p)
        self.threshold = threshold

    def _apply(self, img):
        return F.solarize(img, self.threshold)

    def __repr__(self):
        return f"{self.__class__.__name__}(threshold={self.threshold},p={self.p})"


class RandomAdjustSharpness(_RandomApplyOne):
    def __init__(self, sharpness_factor, p=0.5):
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def _apply(self, img):
        return F.adjust_sharpness(img, self.sharpness_factor)

    def __repr__(self):
        return (f"{self.__class__.__name__}(sharpness_factor={self.sharpness_factor},"
                f"p={self.p})")


class GaussianBlur:
    """Gaussian blur with a sigma drawn uniformly from `sigma` (min, max) at each call."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        message = "Kernel size should be a tuple/list of two integers"
        if isinstance(kernel_size, numbers.Number):
            kernel_size = (int(kernel_size), int(kernel_size))
        elif isinstance(kernel_size, Sequence) and len(kernel_size) == 1:
            kernel_size = (kernel_size[0], kernel_size[0])
        if len(kernel_size) != 2:
            raise ValueError(message)
        if any(k <= 0 or k % 2 == 0 for k in kernel_size):
            raise ValueError("Kernel size value should be an odd and positive number.")
        self.kernel_size = kernel_size
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise ValueError("sigma should be a single number or a list/tuple with length 2.")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        return _uniform(float(sigma_min), float(sigma_max))

    def __call__(self, img):
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return f"{self.__class__.__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"
