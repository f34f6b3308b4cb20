"""The intensity functionals and their random transforms (convert_image_dtype, invert,
posterize, solarize, adjust_gamma, adjust_sharpness, autocontrast, equalize) on tensors, against
hand-computed definitions and against Pillow's ImageOps/ImageEnhance, which torchvision's uint8
tensor paths reproduce."""
import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def img_u8(*shape, seed=0):
    a = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    a[..., 1, :, :] //= 4  # a dark channel, so autocontrast and equalize have work to do
    return a


def to_pil(a):
    return Image.fromarray(np.ascontiguousarray(a.transpose(1, 2, 0)))


def from_pil(img):
    return np.asarray(img).transpose(2, 0, 1)


def test_convert_image_dtype():
    u = ember.tensor([[[0, 1, 128, 255]]], dtype=ember.uint8)
    f = F.convert_image_dtype(u)
    assert f.dtype == ember.float32
    np.testing.assert_allclose(f.numpy(), [[[0, 1 / 255, 128 / 255, 1]]], rtol=1e-6)
    back = F.convert_image_dtype(ember.tensor([[[0.0, 0.5, 0.999, 1.0]]]), ember.uint8)
    assert back.tolist() == [[[0, 127, 255, 255]]]  # x * 255.999, truncated
    # 256 uint8 levels onto 32768 int16 levels: times 128
    assert F.convert_image_dtype(u, ember.int16).tolist() == [[[0, 128, 16384, 32640]]]
    down = ember.tensor([[[0, 255, 256, 32767]]], dtype=ember.int16)
    assert F.convert_image_dtype(down, ember.uint8).tolist() == [[[0, 1, 2, 255]]]  # // 128
    assert F.convert_image_dtype(u, ember.uint8) is u
    assert T.ConvertImageDtype(ember.float64)(u).dtype == ember.float64
    assert repr(T.ConvertImageDtype(ember.float64)) == "ConvertImageDtype()"
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(f, ember.int64)
    with pytest.raises(TypeError, match="Tensor Image"):
        F.convert_image_dtype(np.zeros(3), ember.float32)


def test_invert_posterize_solarize_match_pil():
    a = img_u8(3, 6, 7)
    t, pil = ember.tensor(a), to_pil(a)
    np.testing.assert_array_equal(F.invert(t).numpy(), 255 - a)
    np.testing.assert_array_equal(F.invert(t).numpy(), from_pil(F.invert(pil)))
    np.testing.assert_array_equal(F.posterize(t, 3).numpy(), a & 0b11100000)
    np.testing.assert_array_equal(F.posterize(t, 3).numpy(), from_pil(F.posterize(pil, 3)))
    np.testing.assert_array_equal(F.solarize(t, 100).numpy(), np.where(a >= 100, 255 - a, a))
    np.testing.assert_array_equal(F.solarize(t, 100).numpy(), from_pil(F.solarize(pil, 100)))
    f = a.astype(np.float32) / 255
    np.testing.assert_allclose(F.invert(ember.tensor(f)).numpy(), 1 - f)
    np.testing.assert_allclose(F.solarize(ember.tensor(f), 0.5).numpy(),
                               np.where(f >= 0.5, 1 - f, f))
    with pytest.raises(TypeError, match="Only torch.uint8"):
        F.posterize(ember.tensor(f), 3)
    with pytest.raises(ValueError, match="between 0 and 8"):
        F.posterize(t, 9)
    with pytest.raises(TypeError, match="Threshold should be less than bound"):
        F.solarize(ember.tensor(f), 2)
    with pytest.raises(TypeError, match="at least 3 dimensions"):
        F.invert(ember.tensor(a[0]))


def test_adjust_gamma():
    f = np.random.default_rng(1).random((3, 4, 5), dtype=np.float32)
    out = F.adjust_gamma(ember.tensor(f), 0.7, gain=1.1).numpy()
    np.testing.assert_allclose(out, np.clip(1.1 * f ** 0.7, 0, 1), rtol=1e-6)
    a = img_u8(3, 5, 6)
    u = F.adjust_gamma(ember.tensor(a), 2.2).numpy()
    assert u.dtype == np.uint8
    ref = ((a / 255.0) ** 2.2 * 255.999).astype(np.uint8)  # convert_image_dtype's mapping
    assert np.abs(u.astype(int) - ref).max() <= 1  # float32 vs float64 at truncation edges
    np.testing.assert_array_equal(u, from_pil(F.adjust_gamma(to_pil(a), 2.2)))
    with pytest.raises(ValueError, match="non-negative"):
        F.adjust_gamma(ember.tensor(f), -1)


def test_adjust_sharpness():
    f = np.random.default_rng(2).random((3, 5, 6)).astype(np.float32)
    smooth = f.copy()  # PIL's SMOOTH kernel inside a one-pixel border of originals
    k = np.ones((3, 3), np.float32)
    k[1, 1] = 5
    k /= 13
    for i in range(1, 4):
        for j in range(1, 5):
            smooth[:, i, j] = (f[:, i - 1:i + 2, j - 1:j + 2] * k).sum((-2, -1))
    for factor in (0.0, 0.5, 2.0):
        out = F.adjust_sharpness(ember.tensor(f), factor).numpy()
        ref = np.clip(factor * f + (1 - factor) * smooth, 0, 1)
        np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    a = img_u8(3, 9, 11)
    for factor in (0.3, 1.7):
        np.testing.assert_array_equal(F.adjust_sharpness(ember.tensor(a), factor).numpy(),
                                      from_pil(F.adjust_sharpness(to_pil(a), factor)))
    tiny = ember.tensor(f[:, :2])
    assert F.adjust_sharpness(tiny, 2.0) is tiny  # no interior to smooth
    with pytest.raises(ValueError, match="not non-negative"):
        F.adjust_sharpness(tiny, -1)


def test_autocontrast():
    a = img_u8(2, 3, 6, 7)
    a[1, 2] = 40  # a constant channel is left alone
    out = F.autocontrast(ember.tensor(a)).numpy()
    lo = a.min((-2, -1), keepdims=True).astype(np.float32)
    hi = a.max((-2, -1), keepdims=True).astype(np.float32)
    flat = hi == lo
    scale = np.where(flat, 1, 255 / np.where(flat, 1, hi - lo))
    ref = np.clip((a - np.where(flat, 0, lo)) * scale, 0, 255)
    # torch's (and ember's) float32 division may land an ulp under NumPy's, and the cast
    # truncates: 254.99998 gives 254
    assert np.abs(out - ref).max() <= 1
    assert (out[1, 2] == 40).all()
    pil = from_pil(F.autocontrast(to_pil(a[0])))
    assert np.abs(out[0].astype(int) - pil).max() <= 1
    f = ember.tensor(a.astype(np.float32) / 510)
    np.testing.assert_allclose(F.autocontrast(f).numpy()[0].max((-2, -1)), 1.0, rtol=1e-6)


def test_equalize_matches_pil():
    a = img_u8(2, 3, 9, 10, seed=3)
    out = F.equalize(ember.tensor(a))
    assert out.dtype == ember.uint8
    for i in range(2):
        np.testing.assert_array_equal(out.numpy()[i], from_pil(F.equalize(to_pil(a[i]))))
    # one value everywhere but a single pixel: step is 0 and the image comes back unchanged
    b = np.full((1, 3, 3), 9, np.uint8)
    b[0, 0, 0] = 200
    np.testing.assert_array_equal(F.equalize(ember.tensor(b)).numpy(), b)
    with pytest.raises(TypeError, match="Only torch.uint8"):
        F.equalize(ember.tensor(a.astype(np.float32)))


@pytest.mark.parametrize("transform, fn", [
    (T.RandomInvert(), F.invert), (T.RandomPosterize(2), lambda x: F.posterize(x, 2)),
    (T.RandomSolarize(99), lambda x: F.solarize(x, 99)), (T.RandomAutocontrast(),
                                                         F.autocontrast),
    (T.RandomEqualize(), F.equalize),
    (T.RandomAdjustSharpness(3.0), lambda x: F.adjust_sharpness(x, 3.0)),
    (T.RandomGrayscale(0.5), lambda x: F.rgb_to_grayscale(x, 3))])
def test_random_colour_transforms_apply_with_p(transform, fn):
    x = ember.tensor(img_u8(3, 20, 20))  # enough pixels for equalize to change something
    ref = fn(x).numpy()
    outs = []
    for seed in range(12):
        ember.manual_seed(seed)
        out = transform(x)
        applied = not np.array_equal(out.numpy(), x.numpy())
        if applied:
            np.testing.assert_array_equal(out.numpy(), ref)
        ember.manual_seed(seed)
        assert (ember.rand(1).item() < transform.p) == applied  # one draw, against p
        outs.append(applied)
    assert any(outs) and not all(outs)
    pil = to_pil(x.numpy())
    transform.p = 1.0
    # PIL images too (Pillow rounds autocontrast and grey levels its own way)
    assert np.abs(from_pil(transform(pil)).astype(int) - ref).max() <= 1


def test_random_grayscale_keeps_channels():
    g = T.RandomGrayscale(p=1.0)
    a = img_u8(3, 4, 5)
    assert g(ember.tensor(a)).shape == (3, 4, 5)
    assert g(to_pil(a)).mode == "RGB"
    gray = ember.tensor(a[:1])
    np.testing.assert_array_equal(g(gray).numpy(), a[:1])


def test_reprs_are_torchvisions():
    # printed once with torchvision 0.28's reference copy
    assert repr(T.RandomGrayscale()) == "RandomGrayscale(p=0.1)"
    assert repr(T.RandomInvert()) == "RandomInvert(p=0.5)"
    assert repr(T.RandomPosterize(4)) == "RandomPosterize(bits=4,p=0.5)"
    assert repr(T.RandomSolarize(128, p=0.2)) == "RandomSolarize(threshold=128,p=0.2)"
    assert repr(T.RandomAutocontrast()) == "RandomAutocontrast(p=0.5)"
    assert repr(T.RandomAdjustSharpness(2)) == "RandomAdjustSharpness(sharpness_factor=2,p=0.5)"
    assert repr(T.RandomEqualize(0.7)) == "RandomEqualize(p=0.7)"
