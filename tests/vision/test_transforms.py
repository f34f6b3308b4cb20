"""ember.vision.transforms, each against its definition on real Pillow images: handwritten
digits from the shipped dataset (mode L) and an RGB image whose channels are three digits."""
import numpy as np
import pytest

import ember
from ember.vision import datasets, transforms as T
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")
ImageEnhance = pytest.importorskip("PIL.ImageEnhance")


@pytest.fixture(scope="module")
def gray():
    return datasets.Digits(train=False)[0][0]


@pytest.fixture(scope="module")
def rgb():
    d = datasets.Digits(train=False, size=40)
    bands = [np.asarray(d[i][0]) for i in (1, 2, 3)]
    return Image.fromarray(np.dstack(bands)[:, 3:], "RGB")  # 40 high, 37 wide


def arr(img):
    return np.asarray(img)


# -- conversions ---------------------------------------------------------------------------------
def test_to_tensor_pil(rgb, gray, torch):
    for img in (rgb, gray):
        t = T.ToTensor()(img)
        a = arr(img).reshape(img.height, img.width, -1)
        ref = torch.from_numpy(a.copy()).permute(2, 0, 1).contiguous().float().div(255)
        assert t.dtype == ember.float32 and t.shape == tuple(ref.shape)
        np.testing.assert_array_equal(t.numpy(), ref.numpy())


def test_to_tensor_arrays_and_modes(rgb):
    a = arr(rgb)
    np.testing.assert_array_equal(T.ToTensor()(a).numpy(), a.transpose(2, 0, 1) / np.float32(255))
    f = np.random.rand(4, 5).astype(np.float64)
    t = F.to_tensor(f)
    assert t.shape == (1, 4, 5) and t.dtype == ember.float64  # non-byte data is not scaled
    np.testing.assert_array_equal(t.numpy()[0], f)
    bw = Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).convert("1")
    np.testing.assert_array_equal(F.to_tensor(bw).numpy()[0], [[0, 1], [1, 0]])
    i32 = Image.fromarray(np.array([[70000, -3]], np.int32), "I")
    assert F.to_tensor(i32).dtype == ember.int32 and F.to_tensor(i32).tolist() == [[[70000, -3]]]
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional"):
        F.to_tensor(np.zeros((1, 2, 3, 4), np.uint8))


def test_pil_to_tensor(rgb, gray):
    t = T.PILToTensor()(rgb)
    assert t.dtype == ember.uint8
    np.testing.assert_array_equal(t.numpy(), arr(rgb).transpose(2, 0, 1))
    assert T.PILToTensor()(gray).shape == (1, 32, 32)


def test_to_pil_image(rgb, torch):
    x = np.random.rand(3, 6, 5).astype(np.float32)
    img = T.ToPILImage()(ember.tensor(x))
    ref = torch.from_numpy(x).mul(255).byte().permute(1, 2, 0).numpy()
    assert img.mode == "RGB"
    np.testing.assert_array_equal(arr(img), ref)
    assert F.to_pil_image(T.PILToTensor()(rgb)).tobytes() == rgb.tobytes()  # round trip
    assert F.to_pil_image(ember.zeros(1, 4, 4, dtype=ember.uint8)).mode == "L"
    assert F.to_pil_image(ember.zeros(4, 2, 2)).mode == "RGBA"
    assert F.to_pil_image(np.zeros((2, 2, 3), np.uint8), mode="HSV").mode == "HSV"
    with pytest.raises(ValueError, match="Only modes"):
        F.to_pil_image(np.zeros((2, 2, 3), np.uint8), mode="RGBA")
    with pytest.raises(ValueError, match="> 4 channels"):
        F.to_pil_image(ember.zeros(5, 2, 2))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image([1])


def test_normalize(torch):
    x = np.random.rand(3, 4, 5).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    out = T.Normalize(mean, std)(ember.tensor(x))
    ref = torch.from_numpy(x.copy()).sub_(torch.tensor(mean).view(-1, 1, 1)).div_(
        torch.tensor(std).view(-1, 1, 1))
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    t = ember.tensor(x)
    assert T.Normalize(mean, std, inplace=True)(t) is t
    np.testing.assert_array_equal(t.numpy(), ref.numpy())
    with pytest.raises(TypeError, match="should be a float tensor"):
        F.normalize(ember.zeros(3, 2, 2, dtype=ember.uint8), mean, std)
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image"):
        F.normalize(ember.zeros(2, 2), mean, std)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ember.zeros(3, 2, 2), mean, (1.0, 0.0, 1.0))


# -- geometry ------------------------------------------------------------------------------------
def test_resize(rgb):
    out = T.Resize(20)(rgb)  # the smaller edge (width 37) becomes 20
    assert out.size == (20, int(20 * 40 / 37))
    assert out.tobytes() == rgb.resize(out.size, Image.Resampling.BILINEAR).tobytes()
    out = T.Resize((10, 12), interpolation=T.InterpolationMode.NEAREST)(rgb)
    assert out.size == (12, 10)
    assert out.tobytes() == rgb.resize((12, 10), Image.Resampling.NEAREST).tobytes()
    assert T.Resize(37)(rgb) is rgb
    assert T.Resize(30, max_size=31)(rgb).size == (int(31 * 30 / 32), 31)  # long edge capped
    with pytest.raises(ValueError, match="max_size"):
        F.resize(rgb, [10, 10], max_size=30)
    with pytest.raises(TypeError):
        T.Resize("big")


def test_center_crop(rgb):
    out = T.CenterCrop(10)(rgb)
    top, left = int(round((40 - 10) / 2)), int(round((37 - 10) / 2))
    np.testing.assert_array_equal(arr(out), arr(rgb)[top:top + 10, left:left + 10])
    big = T.CenterCrop((42, 41))(rgb)  # larger than the image: zero padding around it
    assert big.size == (41, 42)
    np.testing.assert_array_equal(arr(big)[1:41, 2:39], arr(rgb))
    assert arr(big)[0].max() == 0
    t = T.PILToTensor()(rgb)
    np.testing.assert_array_equal(T.CenterCrop(10)(t).numpy(), arr(out).transpose(2, 0, 1))


def test_pad(rgb, gray):
    a = arr(rgb)
    out = T.Pad(2, fill=(1, 2, 3))(rgb)
    assert out.size == (41, 44)
    np.testing.assert_array_equal(arr(out)[2:-2, 2:-2], a)
    np.testing.assert_array_equal(arr(out)[0, 0], [1, 2, 3])
    np.testing.assert_array_equal(arr(T.Pad((1, 3))(gray)),
                                  np.pad(arr(gray), ((3, 3), (1, 1))))
    for mode in ("edge", "reflect", "symmetric"):
        out = T.Pad((1, 2, 3, 4), padding_mode=mode)(rgb)  # left, top, right, bottom
        np.testing.assert_array_equal(arr(out), np.pad(a, ((2, 4), (1, 3), (0, 0)), mode))
    np.testing.assert_array_equal(arr(F.pad(rgb, [-1, 0, -2, 0], padding_mode="edge")),
                                  a[:, 1:-2])
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(ValueError, match="does not match the number of channels"):
        F.pad(rgb, 1, fill=(1, 2))


def test_random_crop(rgb):
    a = arr(rgb)
    ember.manual_seed(3)
    out = T.RandomCrop(32, padding=4)(rgb)
    ember.manual_seed(3)
    padded = np.pad(a, ((4, 4), (4, 4), (0, 0)))
    i, j, h, w = T.RandomCrop.get_params(Image.fromarray(padded), (32, 32))
    np.testing.assert_array_equal(arr(out), padded[i:i + h, j:j + w])
    tops = set()
    for _ in range(20):
        tops.add(T.RandomCrop.get_params(rgb, (30, 30))[0])
    assert len(tops) > 1 and tops <= set(range(11))
    assert T.RandomCrop((44, 37), pad_if_needed=True)(rgb).size == (37, 44)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(41)(rgb)


def test_flips(rgb):
    a = arr(rgb)
    np.testing.assert_array_equal(arr(T.RandomHorizontalFlip(p=1.0)(rgb)), a[:, ::-1])
    np.testing.assert_array_equal(arr(T.RandomVerticalFlip(p=1.0)(rgb)), a[::-1])
    assert T.RandomHorizontalFlip(p=0.0)(rgb) is rgb
    ember.manual_seed(0)
    flipped = [T.RandomHorizontalFlip()(rgb) is not rgb for _ in range(40)]
    assert 5 < sum(flipped) < 35
    t = T.PILToTensor()(rgb)
    np.testing.assert_array_equal(F.hflip(t).numpy(), a[:, ::-1].transpose(2, 0, 1))
    np.testing.assert_array_equal(F.vflip(t).numpy(), a[::-1].transpose(2, 0, 1))


def test_random_resized_crop(rgb):
    ember.manual_seed(5)
    out = T.RandomResizedCrop(16)(rgb)
    ember.manual_seed(5)
    i, j, h, w = T.RandomResizedCrop.get_params(rgb, (0.08, 1.0), (3 / 4, 4 / 3))
    ref = rgb.crop((j, i, j + w, i + h)).resize((16, 16), Image.Resampling.BILINEAR)
    assert out.tobytes() == ref.tobytes()
    for _ in range(30):
        i, j, h, w = T.RandomResizedCrop.get_params(rgb, (0.2, 0.5), (0.8, 1.25))
        assert 0 <= i and i + h <= 40 and 0 <= j and j + w <= 37
        assert 0.15 < h * w / (40 * 37) < 0.55 and 0.7 < w / h < 1.4
    # impossible constraints fall back to the central crop of the allowed ratio
    assert T.RandomResizedCrop.get_params(rgb, (2.0, 3.0), (1.0, 1.0)) == (1, 0, 37, 37)


def test_random_rotation(rgb, gray):
    out = T.RandomRotation((30, 30))(rgb)
    assert out.tobytes() == rgb.rotate(30.0, Image.Resampling.NEAREST,
                                       fillcolor=(0, 0, 0)).tobytes()
    out = T.RandomRotation((-45, -45), expand=True, fill=7)(gray)
    ref = gray.rotate(-45.0, Image.Resampling.NEAREST, expand=True, fillcolor=7)
    assert out.size == ref.size and out.tobytes() == ref.tobytes()
    ember.manual_seed(1)
    angle = T.RandomRotation.get_params([-10.0, 10.0])
    assert -10 <= angle <= 10
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-5)


def test_color_jitter(rgb):
    for kw, enhancer, factor in (({"brightness": (0.5, 0.5)}, "Brightness", 0.5),
                                 ({"contrast": (1.7, 1.7)}, "Contrast", 1.7),
                                 ({"saturation": (0.3, 0.3)}, "Color", 0.3)):
        out = T.ColorJitter(**kw)(rgb)
        ref = getattr(ImageEnhance, enhancer)(rgb).enhance(factor)
        assert out.tobytes() == ref.tobytes()
    out = T.ColorJitter(hue=(0.2, 0.2))(rgb)
    h, s, v = rgb.convert("HSV").split()
    shifted = (arr(h).astype(np.int32) + int(0.2 * 255)) % 256
    ref = Image.merge("HSV", (Image.fromarray(shifted.astype(np.uint8), "L"), s, v))
    assert out.tobytes() == ref.convert("RGB").tobytes()
    jitter = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    assert jitter.brightness == (0.6, 1.4) and jitter.hue == (-0.1, 0.1)
    ember.manual_seed(2)
    first = jitter(rgb).tobytes()
    ember.manual_seed(2)
    assert jitter(rgb).tobytes() == first
    assert T.ColorJitter().brightness is None
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(ValueError, match="is not non-negative"):
        F.adjust_brightness(rgb, -1)


def test_grayscale(rgb):
    one = T.Grayscale()(rgb)
    assert one.mode == "L" and one.tobytes() == rgb.convert("L").tobytes()
    three = arr(T.Grayscale(3)(rgb))
    assert three.shape == (40, 37, 3)
    for c in range(3):
        np.testing.assert_array_equal(three[..., c], arr(one))
    with pytest.raises(ValueError, match="num_output_channels should be either 1 or 3"):
        T.Grayscale(2)(rgb)


def test_compose_and_lambda(gray):
    pipeline = T.Compose([T.Pad(2), T.Grayscale(3), T.ToTensor(), T.Normalize((0.5,) * 3,
                                                                               (0.5,) * 3),
                          T.Lambda(lambda x: x * 2)])
    out = pipeline(gray)
    expected = (np.pad(arr(gray), 2) / np.float32(255) - np.float32(0.5)) / np.float32(0.5) * 2
    assert out.shape == (3, 36, 36)
    np.testing.assert_allclose(out.numpy()[1], expected, rtol=1e-6)
    assert repr(pipeline).startswith("Compose(\n    Pad(padding=2")
    with pytest.raises(TypeError, match="Argument lambd should be callable"):
        T.Lambda(3)


def test_non_images_are_refused():
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        T.Resize(4)(np.zeros((3, 8, 8)))
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        T.Pad(1)([[0]])
