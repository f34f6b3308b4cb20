"""Tensor paths of the dtype, intensity and erasing functionals (torchvision's
_functional_tensor) on (..., C, H, W) images; float images hold [0, 1], integer ones 0..max."""
import numpy as np

from ... import _dtype
from ..._creation import from_numpy
from ...nn import functional as nnF
from ...ops.clamping import where
from ._functional_tensor import (_assert_channels, _assert_image_tensor, _as_nchw, _blend,
                                 _max_value, _restore)


def convert_image_dtype(image, dtype=_dtype.float32):
    """Convert and rescale: ints to floats divide by the int max; floats to ints multiply by
    max + 1 - 1e-3 and truncate (so [0, 1] spreads evenly over 0..max); ints to ints shift by
    the ratio of the ranges."""
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == _dtype.float32 and dtype in (_dtype.int32, _dtype.int64)
                or image.dtype == _dtype.float64 and dtype == _dtype.int64):
            # the scaled maximum is not representable in the float type
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               "safely.")
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    input_max = _max_value(image.dtype)
    if dtype.is_floating_point:
        return image.to(dtype) / float(input_max)
    output_max = _max_value(dtype)
    if input_max > output_max:
        factor = (input_max + 1) // (output_max + 1)
        return image.div(factor, rounding_mode="floor").to(dtype)
    return image.to(dtype) * ((output_max + 1) // (input_max + 1))


def _assert_3d(img):
    if img.dim() < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.dim()}")


def _assert_uint8(img):
    if img.dtype != _dtype.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")


def invert(img):
    _assert_image_tensor(img)
    _assert_3d(img)
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img


def posterize(img, bits):
    """Keep the top `bits` bits of each uint8 value."""
    _assert_image_tensor(img)
    _assert_3d(img)
    _assert_uint8(img)
    _assert_channels(img, [1, 3])
    return img & (256 - 2 ** (8 - bits))  # ~(2 ** (8 - bits) - 1) as a uint8


def solarize(img, threshold):
    """Invert the values at or above threshold."""
    _assert_image_tensor(img)
    _assert_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return where(img >= threshold, invert(img), img)


def adjust_gamma(img, gamma, gain=1.0):
    """gain * img ** gamma on the [0, 1] scale, clamped, back in img's dtype."""
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    x = img if img.is_floating_point() else convert_image_dtype(img, _dtype.float32)
    return convert_image_dtype((gain * x.pow(gamma)).clamp(0, 1), img.dtype)


def _blurred_degenerate(img):
    """PIL's SMOOTH filter (3x3 of ones, 5 at the centre, over 13) inside a border that keeps
    the original pixels, as PIL's sharpness enhancer blends against."""
    dtype = img.dtype if img.is_floating_point() else _dtype.float32
    k = np.ones((3, 3), dtype.np)
    k[1, 1] = 5.0
    k /= k.sum()
    x = _as_nchw(img)
    c = x.shape[1]
    weight = from_numpy(np.ascontiguousarray(np.broadcast_to(k, (c, 1, 3, 3)))).to(img.device)
    inner = nnF.conv2d(x.to(dtype), weight, groups=c)
    if not img.is_floating_point():
        inner = inner.round().to(img.dtype)
    out = x.clone()
    out[..., 1:-1, 1:-1] = inner
    return _restore(out, img)


def adjust_sharpness(img, sharpness_factor):
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    return _blend(img, _blurred_degenerate(img), sharpness_factor)


def autocontrast(img):
    """Stretch each channel linearly so that its minimum maps to 0 and its maximum to the
    dtype's maximum; constant channels stay as they are."""
    _assert_image_tensor(img)
    _assert_3d(img)
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    dtype = img.dtype if img.is_floating_point() else _dtype.float32
    lo = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    hi = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    flat = hi == lo
    scale = where(flat, 1.0, bound / where(flat, 1.0, hi - lo))
    lo = where(flat, 0.0, lo)
    return ((img - lo) * scale).clamp(0, bound).to(img.dtype)


def _equalize_channel(chan):
    """PIL's histogram equalisation of one uint8 channel (as torchvision computes it)."""
    hist = np.bincount(chan.ravel(), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return chan
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255).astype(np.uint8)
    return lut[chan]


def equalize(img):
    _assert_image_tensor(img)
    if not 3 <= img.dim() <= 4:
        raise TypeError("Input image tensor should have 3 or 4 dimensions, but found "
                        f"{img.dim()}")
    _assert_uint8(img)
    _assert_channels(img, [1, 3])
    a = np.asarray(img.detach().cpu())
    flat = a.reshape(-1, *a.shape[-2:])
    out = np.stack([_equalize_channel(ch) for ch in flat]).reshape(a.shape)
    return from_numpy(out).to(img.device)


def erase(img, i, j, h, w, v, inplace=False):
    """img with the (h, w) box at (i, j) set to v (a value or a tensor broadcasting to it)."""
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img
