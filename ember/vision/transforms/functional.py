"""The functions behind the transforms (torchvision.transforms.functional).

PIL images go through Pillow's own resampling and enhancement, so the pixels equal
torchvision's on the same image; ember tensors (..., C, H, W) go through _functional_tensor,
torchvision's tensor semantics. normalize takes only tensors.
"""
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

from ... import _dtype
from ..._creation import as_tensor, from_numpy
from ..._tensor import Tensor
from .._pil import is_pil_image, pil_image
from . import _functional_tensor as F_t, _tensor_adjust as F_a

__all__ = ["InterpolationMode", "get_dimensions", "to_tensor", "pil_to_tensor", "to_pil_image",
           "normalize", "resize", "crop", "center_crop", "resized_crop", "pad", "hflip",
           "vflip", "rotate", "adjust_brightness", "adjust_contrast", "adjust_saturation",
           "adjust_hue", "rgb_to_grayscale", "to_grayscale", "get_image_size",
           "get_image_num_channels", "convert_image_dtype", "five_crop", "ten_crop", "affine",
           "gaussian_blur", "erase", "invert", "posterize", "solarize", "adjust_gamma",
           "adjust_sharpness", "autocontrast", "equalize"]


class InterpolationMode(Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer constants, which torchvision also accepts.
_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 1: InterpolationMode.LANCZOS,
                 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING}


def _interpolation(mode):
    if isinstance(mode, int):
        mode = _FROM_PIL_INT[mode]
    if not isinstance(mode, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a "
                        "corresponding Pillow integer constant")
    return mode


def _pil_resample(mode):
    mode = _interpolation(mode)
    if mode is InterpolationMode.NEAREST_EXACT:
        raise ValueError("Interpolation mode nearest-exact is not supported with PIL images")
    return pil_image().Resampling[mode.name]


def _check_pil(img):
    if not is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def _check_image(img):
    if not (is_pil_image(img) or isinstance(img, Tensor)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img):
    """[channels, height, width] of a PIL image or a (..., C, H, W) tensor."""
    if isinstance(img, Tensor):
        channels = 1 if img.dim() == 2 else img.shape[-3]
        return [channels, img.shape[-2], img.shape[-1]]
    _check_pil(img)
    return [len(img.getbands()), img.height, img.width]


def get_image_size(img):
    """[width, height] (PIL's order)."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# -- conversions ---------------------------------------------------------------------------------
def _pil_array(pic):
    """The pixels of a PIL image as an (H, W, C) array, as torchvision reads them."""
    as_type = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
               "F": np.float32}.get(pic.mode)
    if as_type is not None:
        a = np.array(pic, as_type, copy=True)
    elif pic.mode == "1":
        a = np.array(pic, np.uint8) * np.uint8(255)
    else:
        a = np.asarray(pic)  # one copy of the pixel bytes (read-only: callers copy)
    return a.reshape(pic.height, pic.width, len(pic.getbands()))


def to_tensor(pic):
    """A PIL image or (H, W, C) array to a (C, H, W) tensor; uint8 data is scaled to [0, 1]
    in the default float dtype, other data keeps its type and values."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        a = pic[:, :, None] if pic.ndim == 2 else pic
    elif is_pil_image(pic):
        a = _pil_array(pic)
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    chw = a.transpose(2, 0, 1)
    if a.dtype != np.uint8:
        return from_numpy(np.array(chw, order="C"))
    dt = _dtype.get_default_dtype().np
    out = np.empty(chw.shape, dt)
    # One pass: each byte cast to the float dtype and divided in it, as torch's float().div(255).
    np.divide(chw, 255, out=out, dtype=dt)
    return from_numpy(out)


def pil_to_tensor(pic):
    """A PIL image to a (C, H, W) tensor of its own dtype, values unscaled."""
    if not is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    return from_numpy(np.array(_pil_array(pic).transpose(2, 0, 1), order="C"))


def to_pil_image(pic, mode=None):
    """A (C, H, W) tensor or (H, W, C) array to a PIL image; float tensors are taken as [0, 1]
    and scaled to bytes (truncating, as torchvision does)."""
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        a = np.asarray(pic.detach())
        if a.ndim == 2:
            a = a[None]
        if a.shape[-3] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {a.shape[-3]} channels.")
        if a.dtype.kind == "f" and mode != "F":
            a = (a * np.float32(255) if a.dtype == np.float32 else a * 255).astype(np.uint8)
        a = a.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        a = pic[:, :, None] if pic.ndim == 2 else pic
        if a.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {a.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    channels = a.shape[2]
    if channels == 1:
        a = a[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(a.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {a.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 4: ["RGBA", "CMYK", "RGBX"], 3: ["RGB", "YCbCr", "HSV"]}[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and a.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {a.dtype} is not supported")
    return pil_image().fromarray(np.ascontiguousarray(a), mode=mode)


def convert_image_dtype(image, dtype=_dtype.float32):
    """A tensor image in another dtype, its values rescaled to that dtype's range."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    return F_a.convert_image_dtype(image, dtype)


def _channel_values(values, dtype):
    """Per-channel values as a (C, 1, 1) tensor of `dtype` (a prepared tensor passes as is)."""
    if not (isinstance(values, Tensor) and values.dtype == dtype):
        values = as_tensor(values, dtype=dtype)
    return values.view(-1, 1, 1) if values.dim() == 1 else values


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel of a float (..., C, H, W) tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    mean = _channel_values(mean, tensor.dtype)
    std = _channel_values(std, tensor.dtype)
    if not np.asarray(std).all():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to "
                         "division by zero.")
    if inplace:
        return tensor.sub_(mean).div_(std)
    return (tensor - mean) / std


# -- geometry ------------------------------------------------------------------------------------
def _resized_size(height, width, size, max_size):
    if len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1")
        return [size[0], size[1]]
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to (h, w), or match the smaller edge to an int `size` keeping the aspect ratio.
    `antialias` applies to bilinear and bicubic tensors; Pillow always antialiases."""
    _check_image(img)
    if isinstance(size, numbers.Number):
        size = [int(size)]
    size = list(size)
    if len(size) not in (1, 2):
        raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                         f"{len(size)} element tuple/list")
    _, height, width = get_dimensions(img)
    out = _resized_size(height, width, size, max_size)
    if out == [height, width]:
        return img
    if isinstance(img, Tensor):
        return F_t.resize(img, out, _interpolation(interpolation), antialias)
    if antialias is False:
        warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                      "antialias is ignored.")
    return img.resize((out[1], out[0]), _pil_resample(interpolation))


def crop(img, top, left, height, width):
    """The (height, width) region at (top, left), zeros where it leaves the image."""
    if isinstance(img, Tensor):
        return F_t.crop(img, top, left, height, width)
    _check_pil(img)
    return img.crop((left, top, left + width, top + height))


def _pair(size, name="size"):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return size[0], size[0]
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"Please provide only two dimensions (h, w) for {name}.")
    return tuple(size)


def center_crop(img, output_size):
    """The centred (h, w) region; an image smaller than that is zero-padded first."""
    _check_image(img)
    crop_h, crop_w = _pair(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        img = pad(img, [(crop_w - w) // 2 if crop_w > w else 0,
                        (crop_h - h) // 2 if crop_h > h else 0,
                        (crop_w - w + 1) // 2 if crop_w > w else 0,
                        (crop_h - h + 1) // 2 if crop_h > h else 0], fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    return crop(img, int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0)),
                crop_h, crop_w)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def _fill_for(fill, img):
    """Pillow's fill value for an image: one int per band (a float for mode F)."""
    bands = len(img.getbands())
    fill = 0 if fill is None else fill
    if isinstance(fill, numbers.Number) and bands > 1:
        fill = (fill,) * bands
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        elif len(fill) != bands:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad by an int (all sides), (left/right, top/bottom) or (left, top, right, bottom), with
    a constant fill or the edge, reflect or symmetric border of the image. A tensor takes only
    a number as fill."""
    _check_image(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    fill_types = numbers.Number if isinstance(img, Tensor) else (numbers.Number, tuple, list)
    if fill is not None and not isinstance(fill, fill_types):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)):
        if len(padding) not in (1, 2, 4):
            raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(padding)} element tuple")
        padding = padding[0] if len(padding) == 1 else tuple(padding)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if isinstance(padding, numbers.Number):
        left = top = right = bottom = int(padding)
    elif len(padding) == 2:
        left = right = padding[0]
        top = bottom = padding[1]
    else:
        left, top, right, bottom = padding
    if isinstance(img, Tensor):
        return F_t.pad(img, [int(left), int(top), int(right), int(bottom)], fill, padding_mode)
    Image = pil_image()
    if min(left, top, right, bottom) < 0:  # negative padding crops
        img = img.crop((max(-left, 0), max(-top, 0), img.width - max(-right, 0),
                        img.height - max(-bottom, 0)))
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == "constant":
        out = Image.new(img.mode, (img.width + left + right, img.height + top + bottom),
                        _fill_for(fill, img))
        out.paste(img, (left, top))
    else:
        a = np.asarray(img)
        widths = ((top, bottom), (left, right)) + (((0, 0),) if a.ndim == 3 else ())
        out = Image.fromarray(np.pad(a, widths, padding_mode))
    if img.mode == "P":
        out.putpalette(img.getpalette())
    return out


def hflip(img):
    if isinstance(img, Tensor):
        return img.flip(-1)
    _check_pil(img)
    return img.transpose(pil_image().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    if isinstance(img, Tensor):
        return img.flip(-2)
    _check_pil(img)
    return img.transpose(pil_image().Transpose.FLIP_TOP_BOTTOM)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate by `angle` degrees counter-clockwise about `center` (the image centre)."""
    if isinstance(img, Tensor):
        return F_t.rotate(img, angle, _interpolation(interpolation), expand, center, fill)
    _check_pil(img)
    return img.rotate(angle, _pil_resample(interpolation), expand, center,
                      fillcolor=_fill_for(fill, img))


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    """Rotate by `angle` degrees (clockwise on tensors and PIL alike, as torchvision), scale,
    shear by `shear` degrees (one value: along x) and translate by `translate` pixels, all
    about `center` (default the image centre), keeping the image size."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = shear * 2
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if isinstance(img, Tensor):
        return F_t.affine(img, float(angle), translate, scale, shear, interpolation, fill,
                          center)
    _check_pil(img)
    # PIL measures the centre without the half-pixel offset, as torchvision does for PIL
    center = [img.width * 0.5, img.height * 0.5] if center is None else center
    matrix = F_t._inverse_affine_matrix(center, float(angle), translate, scale, shear)
    return img.transform(img.size, pil_image().Transform.AFFINE, matrix,
                         _pil_resample(interpolation), fillcolor=_fill_for(fill, img))


def five_crop(img, size):
    """The four corner crops and the centre crop: (top-left, top-right, bottom-left,
    bottom-right, centre)."""
    size = _pair(size)
    _, h, w = get_dimensions(img)
    ch, cw = size
    if cw > w or ch > h:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(h, w)}")
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw]))


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image, then five_crop of its horizontal (or vertical) flip."""
    size = _pair(size)
    flipped = vflip(img) if vertical_flip else hflip(img)
    return five_crop(img, size) + five_crop(flipped, size)


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a (kx, ky) Gaussian kernel of standard deviations (sx, sy), reflecting at the
    border; sigma defaults to 0.3 * ((k - 1) * 0.5 - 1) + 0.8 per side. PIL images are blurred
    as uint8 tensors, as torchvision does."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError("kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError("If kernel_size is a sequence its length should be 2. Got "
                         f"{len(kernel_size)}")
    if any(k % 2 == 0 or k < 0 for k in kernel_size):
        raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    if any(s <= 0.0 for s in sigma):
        raise ValueError(f"sigma should have positive values. Got {sigma}")
    if isinstance(img, Tensor):
        return F_t.gaussian_blur(img, kernel_size, sigma)
    _check_image(img)
    out = F_t.gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(out, mode=img.mode)


def erase(img, i, j, h, w, v, inplace=False):
    """The tensor image with its (h, w) box at (i, j) replaced by v."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_a.erase(img, i, j, h, w, v, inplace)


# -- colour --------------------------------------------------------------------------------------
def _enhance(img, factor, name, enhancer, tensor_fn):
    _check_image(img)
    if factor < 0:
        raise ValueError(f"{name}_factor ({factor}) is not non-negative.")
    if isinstance(img, Tensor):
        return tensor_fn(img, factor)
    from PIL import ImageEnhance
    return getattr(ImageEnhance, enhancer)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    return _enhance(img, brightness_factor, "brightness", "Brightness", F_t.adjust_brightness)


def adjust_contrast(img, contrast_factor):
    return _enhance(img, contrast_factor, "contrast", "Contrast", F_t.adjust_contrast)


def adjust_saturation(img, saturation_factor):
    return _enhance(img, saturation_factor, "saturation", "Color", F_t.adjust_saturation)


def adjust_hue(img, hue_factor):
    """Shift the hue by hue_factor of a full turn (in [-0.5, 0.5]) in HSV space."""
    _check_image(img)
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if isinstance(img, Tensor):
        return F_t.adjust_hue(img, hue_factor)
    if img.mode in {"L", "1", "I", "F"}:
        return img
    Image = pil_image()
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    np_h += np.int32(hue_factor * 255).astype(np.uint8)  # uint8 wraps around the colour wheel
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(img.mode)


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma (ITU-R 601-2: Pillow's convert('L'); on tensors 0.2989 R + 0.587 G + 0.114 B,
    truncated to an integer dtype), as 1 channel or repeated to 3."""
    if isinstance(img, Tensor):
        return F_t.rgb_to_grayscale(img, num_output_channels)
    _check_pil(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    gray = img.convert("L")
    if num_output_channels == 1:
        return gray
    a = np.array(gray, dtype=np.uint8)
    return pil_image().fromarray(np.dstack([a, a, a]), "RGB")


to_grayscale = rgb_to_grayscale


def adjust_sharpness(img, sharpness_factor):
    """Blend with PIL's smoothed image: 0 blurs, 1 is the original, 2 sharpens."""
    return _enhance(img, sharpness_factor, "sharpness", "Sharpness", F_a.adjust_sharpness)


def adjust_gamma(img, gamma, gain=1):
    """gain * I ** gamma on intensities scaled to [0, 1]."""
    if isinstance(img, Tensor):
        return F_a.adjust_gamma(img, gamma, gain)
    _check_pil(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    # the same float-to-int mapping as convert_image_dtype, as a lookup table per band
    table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
    return img.convert("RGB").point(table).convert(img.mode)


def _pil_ops(img, name, *args):
    _check_pil(img)
    from PIL import ImageOps
    return getattr(ImageOps, name)(img, *args)


def invert(img):
    """max - img: 255 - x for uint8, 1 - x for floats."""
    return F_a.invert(img) if isinstance(img, Tensor) else _pil_ops(img, "invert")


def posterize(img, bits):
    """Keep the `bits` most significant bits of each uint8 channel value."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    return F_a.posterize(img, bits) if isinstance(img, Tensor) else _pil_ops(img, "posterize",
                                                                               bits)


def solarize(img, threshold):
    """Invert every value at or above threshold."""
    if isinstance(img, Tensor):
        return F_a.solarize(img, threshold)
    return _pil_ops(img, "solarize", threshold)


def autocontrast(img):
    """Stretch each channel to the full range of its dtype."""
    return F_a.autocontrast(img) if isinstance(img, Tensor) else _pil_ops(img, "autocontrast")


def equalize(img):
    """Histogram-equalise each channel of a uint8 image."""
    return F_a.equalize(img) if isinstance(img, Tensor) else _pil_ops(img, "equalize")
