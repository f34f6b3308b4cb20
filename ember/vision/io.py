"""Image files as uint8 tensors (torchvision.io's image functions), decoded and encoded by Pillow
(the `vision` extra): images are (C, H, W) uint8 tensors, encoded files 1-D uint8 tensors of
their bytes. PNG, JPEG, GIF and WebP decode; PNG and JPEG encode.

Pillow wraps the same libraries as torchvision (libpng, libjpeg-turbo), so decoded pixels are
torchvision's, except: converting colour to grey (ImageReadMode.GRAY) uses Pillow's ITU-R 601-2
weights, and 16-bit PNGs are refused (ember has no uint16 dtype).
"""
import enum
import io
import os

import numpy as np

from .._creation import from_numpy
from .._dtype import uint8
from .._tensor import Tensor
from ._pil import pil_image

__all__ = ["ImageReadMode", "decode_gif", "decode_image", "decode_jpeg", "decode_png",
           "decode_webp", "encode_jpeg", "encode_png", "read_file", "read_image", "write_file",
           "write_jpeg", "write_png"]


class ImageReadMode(enum.Enum):
    """What to convert a decoded image to: UNCHANGED keeps its channels (grey 1, grey+alpha 2,
    RGB 3, RGBA 4); the others convert. A mode may also be given by name ("RGB")."""
    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
             ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}
_SIGNATURES = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",),
               "GIF": (b"GIF87a", b"GIF89a")}


def _mode(mode):
    return ImageReadMode[mode.upper()] if isinstance(mode, str) else ImageReadMode(mode)


# -- files ----------------------------------------------------------------------------------------
def read_file(path):
    """The bytes of the file at `path` as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return from_numpy(np.frombuffer(bytearray(data), dtype=np.uint8))


def write_file(filename, data):
    """Write the 1-D uint8 tensor `data` to `filename` as bytes."""
    _check_encoded(data)
    with open(os.fspath(filename), "wb") as f:
        f.write(_bytes(data))


def _check_encoded(data):
    if not isinstance(data, Tensor):
        raise TypeError(f"Expected a tensor of encoded bytes, got {type(data).__name__}")
    if data.dtype != uint8:
        raise RuntimeError(f"Expected a torch.uint8 tensor, got {data.dtype}")
    if data.dim() != 1 or data.numel() == 0:
        raise RuntimeError("Expected a non empty 1-dimensional tensor")


def _bytes(data):
    return np.ascontiguousarray(data.detach().cpu().numpy()).tobytes()


# -- decoding -------------------------------------------------------------------------------------
def _format(blob):
    for name, signatures in _SIGNATURES.items():
        if blob.startswith(signatures):
            return name
    if blob[:4] == b"RIFF" and blob[8:12] == b"WEBP":
        return "WEBP"
    return None


def _open(data, expected):
    """The PIL image of the encoded 1-D uint8 tensor `data`, checked to be of format `expected`
    (a tuple of names)."""
    _check_encoded(data)
    blob = _bytes(data)
    found = _format(blob)
    if found not in expected:
        if len(expected) > 1:
            raise RuntimeError("Unsupported image file. Only jpeg, png, webp and gif are "
                               "currently supported.")
        raise RuntimeError(f"Content is not {expected[0].lower()}")
    img = pil_image().open(io.BytesIO(blob))
    img.load()
    return img


def _pixels(img, mode, apply_exif_orientation):
    """A decoded PIL image as a (C, H, W) uint8 tensor in `mode`."""
    if apply_exif_orientation:
        from PIL import ImageOps
        img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        raise RuntimeError("16-bit images decode to uint16 in torchvision; ember has no uint16 "
                           "dtype (convert the image to 8 bits first)")
    mode = _mode(mode)
    if mode is ImageReadMode.UNCHANGED:
        if img.mode == "P":  # a palette expands to its colours, with alpha where it has one
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    else:
        img = img.convert(_PIL_MODE[mode])
    a = np.asarray(img, dtype=np.uint8)
    a = a[:, :, None] if a.ndim == 2 else a
    return from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """The PNG file in the 1-D uint8 tensor `input` as a (C, H, W) uint8 tensor."""
    return _pixels(_open(input, ("PNG",)), mode, apply_exif_orientation)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation=False):
    """The JPEG file in `input` (or each of a list of them) as a (C, H, W) uint8 tensor."""
    if isinstance(input, (list, tuple)):
        if not input:
            raise ValueError("Input list must contain at least one element")
        if not all(isinstance(t, Tensor) for t in input):
            raise ValueError("All elements of the input list must be tensors.")
        return [decode_jpeg(t, mode, device, apply_exif_orientation) for t in input]
    out = _pixels(_open(input, ("JPEG",)), mode, apply_exif_orientation)
    return out.to(device)


def decode_gif(input):
    """The GIF in `input` as RGB uint8: (C, H, W) for one frame, (N, C, H, W) for N > 1."""
    img = _open(input, ("GIF",))
    frames = []
    for i in range(getattr(img, "n_frames", 1)):
        img.seek(i)
        frames.append(_pixels(img.convert("RGB"), ImageReadMode.UNCHANGED, False))
    if len(frames) == 1:
        return frames[0]
    from .. import stack
    return stack(frames)


def decode_webp(input, mode=ImageReadMode.UNCHANGED):
    """The WebP image in `input` as a (C, H, W) uint8 tensor."""
    return _pixels(_open(input, ("WEBP",)), mode, False)


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """The image (PNG, JPEG, GIF or WebP) in the 1-D uint8 tensor `input`, or in the file at the
    path `input`, as a uint8 tensor (C, H, W)."""
    if not isinstance(input, Tensor):
        input = read_file(input)
    img = _open(input, ("PNG", "JPEG", "GIF", "WEBP"))
    if img.format == "GIF":
        return decode_gif(input)
    return _pixels(img, mode, apply_exif_orientation and img.format in ("PNG", "JPEG"))


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """The image file at `path` as a uint8 tensor (C, H, W) (decode_image of read_file)."""
    return decode_image(read_file(path), mode, apply_exif_orientation=apply_exif_orientation)


# -- encoding -------------------------------------------------------------------------------------
def _image_array(input):
    """A (C, H, W) uint8 tensor of 1 or 3 channels as the (H, W[, C]) array Pillow takes."""
    if not isinstance(input, Tensor):
        raise TypeError(f"Expected an image tensor, got {type(input).__name__}")
    if input.dtype != uint8:
        raise RuntimeError("Input tensor dtype should be uint8")
    if input.dim() != 3:
        raise RuntimeError("Input tensor dimensions should be 3")
    channels = input.shape[0]
    if channels not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {channels}")
    a = input.detach().cpu().numpy().transpose(1, 2, 0)
    return np.ascontiguousarray(a[:, :, 0] if channels == 1 else a)


def _encoded(img, **options):
    buffer = io.BytesIO()
    img.save(buffer, **options)
    return from_numpy(np.frombuffer(bytearray(buffer.getvalue()), dtype=np.uint8))


def encode_png(input, compression_level=6):
    """The PNG file of the (C, H, W) uint8 image `input` (C 1 or 3) as a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    img = pil_image().fromarray(_image_array(input))
    return _encoded(img, format="PNG", compress_level=compression_level)


def write_png(input, filename, compression_level=6):
    """Save the (C, H, W) uint8 image `input` as a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality=75):
    """The JPEG file of the (C, H, W) uint8 image `input` (or of each of a list) as a 1-D
    uint8 tensor."""
    if not 1 <= quality <= 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, (list, tuple)):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is "
                             "passed")
        return [encode_jpeg(t, quality) for t in input]
    img = pil_image().fromarray(_image_array(input))
    return _encoded(img, format="JPEG", quality=quality)


def write_jpeg(input, filename, quality=75):
    """Save the (C, H, W) uint8 image `input` as a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
