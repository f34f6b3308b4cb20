"""The tensor paths of the transforms (torchvision's _functional_tensor) on (..., C, H, W)."""
import math

import numpy as np

from ... import _dtype
from ..._creation import from_numpy, tensor, zeros_like
from ...nn import functional as nnF
from ...ops.clamping import where
from ...ops.join import cat

_MAX_VALUE = {"uint8": 255, "int8": 127, "int16": 32767, "uint16": 65535,
              "int32": 2 ** 31 - 1, "int64": 2 ** 63 - 1}


def _max_value(dtype):
    """The largest intensity of an image dtype: the type's maximum for integers, 1 for floats."""
    return _MAX_VALUE.get(dtype.np.name, 1)


def _assert_image_tensor(img):
    if img.dim() < 2:
        raise TypeError("Tensor is not a torch image.")


def _channels(img):
    return 1 if img.dim() == 2 else img.shape[-3]


def _assert_channels(img, permitted):
    c = _channels(img)
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but "
                        f"found {c}")


def _as_nchw(img):
    """img as (N, C, H, W), N collecting every leading dim, so 4-D kernels see any batch."""
    return img.reshape(-1, _channels(img), img.shape[-2], img.shape[-1])


def _restore(out, img):
    """out (N, C, h, w) back to img's leading dims."""
    return out.reshape(tuple(img.shape[:-2]) + tuple(out.shape[-2:]))


# -- geometry ------------------------------------------------------------------------------------
def crop(img, top, left, height, width):
    """The region at (top, left); the part outside the image is zeros, as in torchvision."""
    _assert_image_tensor(img)
    h, w = img.shape[-2], img.shape[-1]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                   max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding, 0, "constant")
    return img[..., top:bottom, left:right]


def pad(img, padding, fill, padding_mode):
    """padding as [left, top, right, bottom]; negative entries crop."""
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    left, top, right, bottom = padding
    if min(padding) < 0:
        img = img[..., max(-top, 0):img.shape[-2] - max(-bottom, 0),
                  max(-left, 0):img.shape[-1] - max(-right, 0)]
        left, top, right, bottom = (max(p, 0) for p in padding)
    if padding_mode == "symmetric":
        rows = _symmetric_index(img.shape[-2], top, bottom)
        cols = _symmetric_index(img.shape[-1], left, right)
        return img[..., rows[:, None], cols[None, :]]
    if padding_mode == "constant":
        return nnF.pad(img, (left, right, top, bottom), value=float(fill))
    mode = "replicate" if padding_mode == "edge" else padding_mode
    x = img.reshape(-1, img.shape[-2], img.shape[-1])  # reflect/replicate want 3-D or 4-D
    out = nnF.pad(x, (left, right, top, bottom), mode=mode)
    return _restore(out, img)


def _symmetric_index(n, before, after):
    """Source indices for a symmetric (edge-repeating mirror) pad of a length-n axis."""
    return np.concatenate([np.arange(before - 1, -1, -1), np.arange(n),
                           np.arange(n - 1, n - 1 - after, -1)])


def resize(img, size, interpolation, antialias=True):
    """Resample to size (h, w) with interpolate, antialiased (as torchvision's default) for
    bilinear and bicubic only, where interpolate takes it; None means False, as torchvision.
    Integer images are computed in float32 and rounded back; uint8 bicubic is clamped first,
    since the cubic kernel overshoots [0, 255]."""
    _assert_image_tensor(img)
    mode = interpolation.value
    x = _as_nchw(img)
    out_dtype = img.dtype
    need_cast = out_dtype not in (_dtype.float32, _dtype.float64)
    if need_cast:
        x = x.to(_dtype.float32)
    smooth = mode in ("bilinear", "bicubic")
    out = nnF.interpolate(x, size=list(size), mode=mode,
                          align_corners=False if smooth else None,
                          antialias=bool(antialias) and smooth)
    if mode == "bicubic" and out_dtype == _dtype.uint8:
        out = out.clamp(0, 255)
    if need_cast:
        if not out_dtype.is_floating_point:
            out = out.round()
        out = out.to(out_dtype)
    return _restore(out, img)


def _inverse_affine_matrix(center, angle, translate, scale, shear):
    """torchvision's inverse affine matrix (output pixel -> input pixel, 2x3 flattened) of
    rotation by `angle` degrees and shear (degrees along x and y), scaling by `scale`, then
    translation, all about `center`."""
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # the forward map is T(translate) C R(angle) Sh(shear) S(scale) C^-1, C the centre shift
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]  # inverse of [[a, b], [c, d]] (det 1)
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _expanded_size(matrix, w, h):
    """(w, h) of the box holding the whole rotated image, as torchvision (and PIL) size it."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], np.float32)
    theta = np.array(matrix, np.float32).reshape(2, 3)
    new = pts @ theta.T
    half = np.array([w * 0.5, h * 0.5], np.float32)
    lo, hi = new.min(0) + half, new.max(0) + half
    tol = np.float32(1e-4)  # drop float noise so that ceil(1 + 1e-15) stays 1
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def _apply_grid_transform(img, grid, mode, fill):
    """img sampled at grid (1, oh, ow, 2), in grid_sample's align_corners=False coordinates, as
    torchvision does. For a fill, torchvision samples a channel of ones alongside the image and
    paints the fill by it: nearest where that mask is < 0.5, bilinear as out * mask + (1 - mask)
    * fill. Integer images are sampled in float32 (the grid's dtype) and rounded back."""
    x = _as_nchw(img).to(grid.dtype)
    n = x.shape[0]
    if fill is not None:
        x = cat([x, x.new_ones((n, 1) + tuple(x.shape[-2:]))], 1)
    out = nnF.grid_sample(x, grid.expand(n, *grid.shape[1:]), mode=mode, padding_mode="zeros",
                          align_corners=False)
    if fill is not None:
        out, mask = out[:, :-1], out[:, -1:]
        fills = tensor(list(fill) if isinstance(fill, (tuple, list)) else [float(fill)],
                       dtype=grid.dtype, device=out.device).reshape(1, -1, 1, 1)
        if mode == "nearest":
            out = where(mask < 0.5, fills, out)
        else:
            out = out * mask + (1.0 - mask) * fills
    if out.dtype != img.dtype:
        if not img.is_floating_point():
            out = out.round()
        out = out.to(img.dtype)
    return _restore(out, img)


def _check_grid_inputs(img, interpolation, fill):
    _assert_image_tensor(img)
    if interpolation.value not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with Tensor "
                         "input")
    channels = _channels(img)
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                         f"of channels of the image ({len(fill)} != {channels})")


def _warp(img, matrix, interpolation, fill, ow, oh):
    """img sampled through the inverse affine `matrix` (about the image centre) onto an
    (oh, ow) output, as torchvision's tensor rotate and affine."""
    h, w = img.shape[-2], img.shape[-1]
    t = img.dtype.np.type if img.is_floating_point() else np.float32
    # The grid in the working dtype, step by step as torchvision builds it, so that nearest
    # sampling rounds the same halves.
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow, dtype=t)[None, :]
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh, dtype=t)[:, None]
    m = np.array(matrix, t)
    gx = (xs * m[0] + ys * m[1] + m[2]) / t(0.5 * w)
    gy = (xs * m[3] + ys * m[4] + m[5]) / t(0.5 * h)
    grid = from_numpy(np.stack([gx, gy], -1)[None]).to(img.device)
    return _apply_grid_transform(img, grid, interpolation.value, fill)


def _centre_offset(img, center):
    """center in pixels as an offset from the image centre (torchvision's tensor convention)."""
    if center is None:
        return [0.0, 0.0]
    return [c - s * 0.5 for c, s in zip(center, (img.shape[-1], img.shape[-2]))]


def rotate(img, angle, interpolation, expand, center, fill):
    """Rotate through an affine sampling grid, as torchvision's tensor rotate."""
    _check_grid_inputs(img, interpolation, fill)
    h, w = img.shape[-2], img.shape[-1]
    matrix = _inverse_affine_matrix(_centre_offset(img, center), -angle, [0.0, 0.0], 1.0,
                                    [0.0, 0.0])
    ow, oh = _expanded_size(matrix, w, h) if expand else (w, h)
    return _warp(img, matrix, interpolation, fill, ow, oh)


def affine(img, angle, translate, scale, shear, interpolation, fill, center):
    """Rotate, scale, shear and translate (pixels) about `center`, keeping the image size."""
    _check_grid_inputs(img, interpolation, fill)
    matrix = _inverse_affine_matrix(_centre_offset(img, center), angle,
                                    [float(t) for t in translate], scale, shear)
    return _warp(img, matrix, interpolation, fill, img.shape[-1], img.shape[-2])


def _gaussian_kernel1d(size, sigma, dtype):
    half = (size - 1) * 0.5
    x = np.linspace(-half, half, size, dtype=dtype)
    pdf = np.exp(-0.5 * (x / dtype(sigma)) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma):
    """Depthwise convolution with the normalised Gaussian kernel (kx wide, ky high) over the
    reflect-padded image; integer images go through float32 and are rounded back."""
    _assert_image_tensor(img)
    t = img.dtype.np.type if img.is_floating_point() else np.float32
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], t)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], t)
    x = _as_nchw(img)
    c = x.shape[1]
    weight = from_numpy(np.ascontiguousarray(np.broadcast_to(
        np.outer(ky, kx), (c, 1, len(ky), len(kx))))).to(img.device)
    if not img.is_floating_point():
        x = x.to(_dtype.float32)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    out = nnF.conv2d(nnF.pad(x, (px, px, py, py), mode="reflect"), weight, groups=c)
    if not img.is_floating_point():
        out = out.round().to(img.dtype)
    return _restore(out, img)


# -- colour --------------------------------------------------------------------------------------
def rgb_to_grayscale(img, num_output_channels):
    if img.dim() < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.dim()}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3)
    else:
        gray = img.clone()
    return gray.expand(img.shape) if num_output_channels == 3 else gray


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img, factor):
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, zeros_like(img), factor)


def adjust_contrast(img, factor):
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    dtype = img.dtype if img.is_floating_point() else _dtype.float32
    gray = rgb_to_grayscale(img, 1) if _channels(img) == 3 else img
    return _blend(img, gray.to(dtype).mean((-3, -2, -1), keepdim=True), factor)


def adjust_saturation(img, factor):
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if _channels(img) == 1:  # as PIL: nothing to saturate
        return img
    return _blend(img, rgb_to_grayscale(img, 1), factor)


def adjust_hue(img, hue_factor):
    """Rotate the hue in HSV space, in float32 [0, 1] (integer images scale to it and back)."""
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if _channels(img) == 1:
        return img
    a = np.asarray(img.detach())
    if img.is_floating_point():
        x = a.astype(np.float32, copy=False)
    else:
        x = a.astype(np.float32) / np.float32(_max_value(img.dtype))
    h, s, v = _rgb2hsv(x)
    h = np.mod(h + np.float32(hue_factor), np.float32(1.0))
    out = _hsv2rgb(h, s, v)
    if img.is_floating_point():
        out = out.astype(a.dtype, copy=False)
    else:
        # torchvision's float->int conversion: scale by max + 1 - eps, then truncate
        out = (out * np.float32(_max_value(img.dtype) + 1.0 - 1e-3)).astype(a.dtype)
    return from_numpy(np.ascontiguousarray(out))


def _rgb2hsv(x):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(-3), x.min(-3)
    eqc = maxc == minc
    cr = maxc - minc
    one = np.float32(1)
    s = cr / np.where(eqc, one, maxc)  # grey pixels: zero saturation, no 0/0
    div = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    h = ((maxc == r) * (bc - gc) + ((maxc == g) & (maxc != r)) * (np.float32(2) + rc - bc)
         + ((maxc != g) & (maxc != r)) * (np.float32(4) + gc - rc))
    h = np.fmod(h / np.float32(6) + one, one)
    return h, s, maxc


def _hsv2rgb(h, s, v):
    i = np.floor(h * np.float32(6))
    f = h * np.float32(6) - i
    i = i.astype(np.int32) % 6
    one = np.float32(1)
    p = np.clip(v * (one - s), 0, 1)
    q = np.clip(v * (one - s * f), 0, 1)
    t = np.clip(v * (one - s * (one - f)), 0, 1)
    sector = [i == k for k in range(6)]
    r = np.select(sector, [v, q, p, p, t, v])
    g = np.select(sector, [t, v, v, q, p, p])
    b = np.select(sector, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-3).astype(np.float32, copy=False)
