"""ember.vision.io: images as (C, H, W) uint8 tensors and encoded files as 1-D uint8 tensors, as
torchvision.io gives them; pixels checked against Pillow decoding the same bytes (PNG is
lossless, so those values are the file's), modes, EXIF orientation, and torchvision's errors."""
import io
import sys

import numpy as np
import pytest

import ember
from ember.vision import io as vio
from ember.vision.io import ImageReadMode

Image = pytest.importorskip("PIL.Image")


def _rng_image(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _chw(a):
    return ember.from_numpy(np.ascontiguousarray((a[:, :, None] if a.ndim == 2 else a)
                                                 .transpose(2, 0, 1)))


def _encoded(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **options)
    return ember.from_numpy(np.frombuffer(bytearray(buffer.getvalue()), dtype=np.uint8))


@pytest.mark.parametrize("channels", [1, 3])
def test_png_round_trip(channels, tmp_path):
    image = _chw(_rng_image((9, 13, channels) if channels == 3 else (9, 13)))
    data = vio.encode_png(image)
    assert data.dtype == ember.uint8 and data.dim() == 1
    assert bytes(data.numpy()[:8]) == b"\x89PNG\r\n\x1a\n"
    decoded = vio.decode_png(data)
    assert decoded.dtype == ember.uint8 and decoded.shape == (channels, 9, 13)
    np.testing.assert_array_equal(decoded.numpy(), image.numpy())
    path = tmp_path / "x.png"
    vio.write_png(image, path, compression_level=9)
    np.testing.assert_array_equal(vio.read_image(path).numpy(), image.numpy())
    np.testing.assert_array_equal(vio.decode_image(str(path)).numpy(), image.numpy())
    flat = ember.zeros(channels, 64, 64, dtype=ember.uint8)  # compressible, unlike noise
    assert len(vio.encode_png(flat, compression_level=0)) > len(vio.encode_png(flat))


def test_read_and_write_file(tmp_path):
    data = ember.from_numpy(_rng_image((100,)))
    vio.write_file(tmp_path / "blob", data)
    assert (tmp_path / "blob").read_bytes() == data.numpy().tobytes()
    back = vio.read_file(tmp_path / "blob")
    assert back.dtype == ember.uint8 and back.shape == (100,)
    np.testing.assert_array_equal(back.numpy(), data.numpy())


@pytest.mark.parametrize("pil_mode, channels", [("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)])
def test_unchanged_keeps_the_files_channels(pil_mode, channels):
    pixels = _rng_image((6, 5, channels) if channels > 1 else (6, 5))
    data = _encoded(Image.fromarray(pixels, pil_mode), "PNG")
    out = vio.decode_image(data)
    assert out.shape == (channels, 6, 5)
    np.testing.assert_array_equal(out.numpy(), _chw(pixels).numpy())


def test_palette_expands_to_its_colours():
    pixels = _rng_image((4, 7, 3))
    palette = Image.fromarray(pixels).quantize(8)
    out = vio.decode_png(_encoded(palette, "PNG"))
    np.testing.assert_array_equal(out.numpy(), _chw(np.asarray(palette.convert("RGB"))).numpy())
    palette.info["transparency"] = 0
    with_alpha = vio.decode_png(_encoded(palette, "PNG", transparency=0))
    assert with_alpha.shape == (4, 4, 7)


@pytest.mark.parametrize("mode, pil_mode", [(ImageReadMode.GRAY, "L"), ("gray_alpha", "LA"),
                                            (ImageReadMode.RGB, "RGB"), ("RGBA", "RGBA"),
                                            (ImageReadMode.RGB_ALPHA, "RGBA")])
def test_modes_convert(mode, pil_mode):
    img = Image.fromarray(_rng_image((5, 6, 3)))
    out = vio.decode_image(_encoded(img, "PNG"), mode=mode)
    np.testing.assert_array_equal(out.numpy(), _chw(np.asarray(img.convert(pil_mode))).numpy())
    assert ImageReadMode.RGBA is ImageReadMode.RGB_ALPHA and ImageReadMode.RGB.value == 3


def test_jpeg_encode_and_decode(tmp_path):
    image = _chw(_rng_image((16, 24, 3)))
    data = vio.encode_jpeg(image, quality=90)
    assert bytes(data.numpy()[:3]) == b"\xff\xd8\xff"
    out = vio.decode_jpeg(data)
    assert out.shape == (3, 16, 24) and out.dtype == ember.uint8
    pil = np.asarray(Image.open(io.BytesIO(data.numpy().tobytes())))
    np.testing.assert_array_equal(out.numpy(), _chw(pil).numpy())
    assert len(vio.encode_jpeg(image, quality=10)) < len(data)
    assert vio.decode_jpeg(data, mode="GRAY").shape == (1, 16, 24)
    listed = vio.decode_jpeg([data, data])
    assert len(listed) == 2 and listed[1].shape == (3, 16, 24)
    assert len(vio.encode_jpeg([image, image])) == 2
    vio.write_jpeg(image, tmp_path / "x.jpg")
    np.testing.assert_array_equal(vio.read_image(tmp_path / "x.jpg").numpy(),
                                  vio.decode_jpeg(vio.encode_jpeg(image)).numpy())


def test_exif_orientation_is_applied_on_request():
    img = Image.fromarray(_rng_image((4, 10, 3)))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = _encoded(img, "JPEG", exif=exif, quality=95)
    assert vio.decode_jpeg(data).shape == (3, 4, 10)
    assert vio.decode_jpeg(data, apply_exif_orientation=True).shape == (3, 10, 4)
    assert vio.decode_image(data, apply_exif_orientation=True).shape == (3, 10, 4)


def test_gif_frames():
    frames = [Image.fromarray(_rng_image((5, 4, 3), seed=s)).quantize(16) for s in range(3)]
    single = vio.decode_image(_encoded(frames[0], "GIF"))
    np.testing.assert_array_equal(single.numpy(),
                                  _chw(np.asarray(frames[0].convert("RGB"))).numpy())
    data = _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    animated = vio.decode_gif(data)
    assert animated.shape == (3, 3, 5, 4) and animated.dtype == ember.uint8


def test_webp():
    from PIL import features
    if not features.check("webp"):
        pytest.skip("this Pillow has no WebP support")
    img = Image.fromarray(_rng_image((6, 8, 3)))
    data = _encoded(img, "WEBP", lossless=True)
    np.testing.assert_array_equal(vio.decode_image(data).numpy(), _chw(np.asarray(img)).numpy())
    assert vio.decode_webp(data).shape == (3, 6, 8)


def test_errors_as_torchvision():
    image = _chw(_rng_image((4, 4, 3)))
    with pytest.raises(RuntimeError, match="Input tensor dtype should be uint8"):
        vio.encode_png(image.float())
    with pytest.raises(RuntimeError, match="Input tensor dimensions should be 3"):
        vio.encode_png(image[0])
    with pytest.raises(RuntimeError, match="The number of channels should be 1 or 3, got: 2"):
        vio.encode_jpeg(image[:2])
    with pytest.raises(ValueError, match="Image quality should be a positive number"):
        vio.encode_jpeg(image, quality=0)
    with pytest.raises(RuntimeError, match="Compression level should be between 0 and 9"):
        vio.encode_png(image, compression_level=10)
    png = vio.encode_png(image)
    with pytest.raises(RuntimeError, match="Content is not jpeg"):
        vio.decode_jpeg(png)
    with pytest.raises(RuntimeError, match="Unsupported image file"):
        vio.decode_image(ember.from_numpy(np.frombuffer(bytearray(b"not an image"), np.uint8)))
    with pytest.raises(RuntimeError, match="Expected a non empty 1-dimensional tensor"):
        vio.decode_png(ember.zeros(0, dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="Expected a torch.uint8 tensor"):
        vio.decode_png(png.float())
    with pytest.raises(ValueError, match="at least one element"):
        vio.decode_jpeg([])


def test_sixteen_bit_png_is_refused():
    img = Image.fromarray(np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000)
    with pytest.raises(RuntimeError, match="no uint16"):
        vio.decode_png(_encoded(img, "PNG"))


def test_missing_pillow_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install 'ember\\[vision\\]'"):
        vio.encode_png(_chw(_rng_image((2, 2, 3))))
