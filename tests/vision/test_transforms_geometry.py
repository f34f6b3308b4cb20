"""affine, five_crop, ten_crop and gaussian_blur with their transforms (RandomAffine, FiveCrop,
TenCrop, GaussianBlur), on tensors and PIL images: exact shifts and crops by hand, the sampling
grid and the blur against torch's grid_sample and conv2d (the kernels torchvision calls)."""
import math

import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def img_u8(*shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def img_f32(*shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def to_pil(a):
    return Image.fromarray(np.ascontiguousarray(a.transpose(1, 2, 0)))


def from_pil(img):
    return np.asarray(img).transpose(2, 0, 1)


# -- affine --------------------------------------------------------------------------------------
def test_affine_translation_is_a_shift():
    a = img_u8(3, 6, 7)
    out = F.affine(ember.tensor(a), 0.0, [2, -1], 1.0, 0.0).numpy()
    ref = np.zeros_like(a)
    ref[:, :5, 2:] = a[:, 1:, :5]  # right by 2, up by 1; zeros come in
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(from_pil(F.affine(to_pil(a), 0.0, [2, -1], 1.0, 0.0)), ref)


def test_affine_rotation_is_clockwise_rotate():
    a = img_f32(2, 3, 5, 5)
    # affine turns clockwise, rotate counter-clockwise (both as torchvision)
    np.testing.assert_array_equal(F.affine(ember.tensor(a), 90, [0, 0], 1.0, 0).numpy(),
                                  np.rot90(a, -1, axes=(-2, -1)))
    np.testing.assert_array_equal(F.affine(ember.tensor(a), -30, [0, 0], 1.0, 0).numpy(),
                                  F.rotate(ember.tensor(a), 30.0).numpy())


def _torch_affine(torch, a, angle, translate, scale, shear, mode, fill):
    """torchvision's tensor affine written out with torch: its inverse matrix, its grid, and
    grid_sample with a ones channel that paints the fill."""
    rot, sx, sy = (math.radians(v) for v in (angle, *shear))
    fa = math.cos(rot - sy) / math.cos(sy)
    fb = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    fc = math.sin(rot - sy) / math.cos(sy)
    fd = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [v / scale for v in (fd, -fb, 0.0, -fc, fa, 0.0)]
    tx, ty = translate
    m[2] += m[0] * -tx + m[1] * -ty
    m[5] += m[3] * -tx + m[4] * -ty
    h, w = a.shape[-2:]
    xs = torch.linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, w)
    ys = torch.linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, h)
    base = torch.stack([xs.expand(h, w), ys[:, None].expand(h, w), torch.ones(h, w)], -1)
    theta = torch.tensor(m).view(2, 3)
    grid = (base.view(1, -1, 3) @ (theta.T / torch.tensor([0.5 * w, 0.5 * h]))).view(1, h, w, 2)
    x = torch.cat([torch.from_numpy(a)[None], torch.ones(1, 1, h, w)], 1)
    y = torch.nn.functional.grid_sample(x, grid, mode=mode, align_corners=False)
    mask, y = y[:, -1:], y[:, :-1]
    f = torch.tensor(fill).view(1, -1, 1, 1).expand_as(y)
    y = torch.where(mask < 0.5, f, y) if mode == "nearest" else y * mask + (1 - mask) * f
    return y[0].numpy()


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_affine_against_grid_sample(torch, mode):
    a = img_f32(3, 9, 11)
    fill = [0.1, 0.5, 0.9]
    args = (-17.0, [1, 3], 1.2, [8.0, -5.0])
    out = F.affine(ember.tensor(a), *args, interpolation=T.InterpolationMode(mode), fill=fill)
    np.testing.assert_allclose(out.numpy(), _torch_affine(torch, a, *args, mode, fill),
                               atol=1e-5)


def test_affine_shear_and_scale_literals():
    # printed once by torchvision 0.28's F.affine(img, 0, [0, 0], 2.0, [30.0, 0.0]); PIL and
    # tensors differ as there, PIL's centre lacking the half-pixel offset
    a = np.arange(25, dtype=np.uint8).reshape(1, 5, 5) * 10
    pil = np.asarray(F.affine(Image.fromarray(a[0], "L"), 0.0, [0, 0], 2.0, [30.0, 0.0]))
    np.testing.assert_array_equal(pil, [[50, 60, 60, 70, 70], [110, 110, 120, 120, 130],
                                        [110, 120, 120, 130, 130], [160, 170, 170, 180, 180],
                                        [170, 170, 180, 180, 190]])
    t = F.affine(ember.tensor(a), 0.0, [0, 0], 2.0, [30.0, 0.0]).numpy()
    np.testing.assert_array_equal(t[0], [[50, 60, 60, 70, 70], [110, 110, 120, 120, 130],
                                         [110, 120, 120, 120, 130], [110, 120, 120, 130, 130],
                                         [170, 170, 180, 180, 190]])


def test_affine_errors():
    t = ember.tensor(img_f32(3, 4, 4))
    with pytest.raises(ValueError, match="sequence of length 2"):
        F.affine(t, 1, [1], 1, 0)
    with pytest.raises(ValueError, match="scale should be positive"):
        F.affine(t, 1, [1, 1], 0, 0)
    with pytest.raises(ValueError, match="unsupported with Tensor input"):
        F.affine(t, 1, [1, 1], 1, 0, interpolation=T.InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match="cannot broadcast"):
        F.affine(t, 1, [1, 1], 1, 0, fill=[1.0, 2.0])


def test_random_affine():
    a = img_u8(2, 3, 10, 12)
    ra = T.RandomAffine(20, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=(-5, 5, -3, 3),
                        interpolation=T.InterpolationMode.BILINEAR, fill=7)
    ember.manual_seed(5)
    out = ra(ember.tensor(a))
    ember.manual_seed(5)
    angle, (tx, ty), scale, shear = T.RandomAffine.get_params(
        ra.degrees, ra.translate, ra.scale, ra.shear, [12, 10])
    assert -20 <= angle <= 20 and abs(tx) <= 2.4 and abs(ty) <= 1 and 0.8 <= scale <= 1.2
    assert -5 <= shear[0] <= 5 and -3 <= shear[1] <= 3 and shear[1] != 0
    ref = F.affine(ember.tensor(a), angle, (tx, ty), scale, shear,
                   T.InterpolationMode.BILINEAR, fill=[7.0] * 3)
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    ember.manual_seed(5)
    np.testing.assert_array_equal(ra(ember.tensor(a)).numpy(), out.numpy())
    corner = T.RandomAffine((45, 45), fill=9)(ember.tensor(a))  # corners leave the image
    assert (corner.numpy()[..., 0, 0] == 9).all()
    assert ra(to_pil(a[0])).size == (12, 10)
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(5, translate=(2, 0))
    with pytest.raises(ValueError, match="shear should be a sequence of length 2 or 4"):
        T.RandomAffine(5, shear=(1, 2, 3))


def test_random_affine_repr():
    # printed once with torchvision 0.28's reference copy
    assert repr(T.RandomAffine(10)) == "RandomAffine(degrees=[-10.0, 10.0])"
    ra = T.RandomAffine((-5, 10), translate=(0.1, 0.2), scale=(0.9, 1.1), shear=5, fill=3,
                        center=(1, 2), interpolation=T.InterpolationMode.BILINEAR)
    assert repr(ra) == ("RandomAffine(degrees=[-5.0, 10.0], translate=(0.1, 0.2), "
                        "scale=(0.9, 1.1), shear=[-5.0, 5.0], interpolation=bilinear, fill=3, "
                        "center=(1, 2))")


# -- crops ---------------------------------------------------------------------------------------
def test_five_and_ten_crop():
    a = img_u8(3, 7, 9)
    crops = F.five_crop(ember.tensor(a), [3, 4])
    refs = [a[:, :3, :4], a[:, :3, 5:], a[:, 4:, :4], a[:, 4:, 5:], a[:, 2:5, 2:6]]
    assert len(crops) == 5
    for c, r in zip(crops, refs):
        np.testing.assert_array_equal(c.numpy(), r)
    ten = T.TenCrop((3, 4))(ember.tensor(a))
    assert len(ten) == 10
    for c, r in zip(ten[5:], F.five_crop(ember.tensor(a[..., ::-1].copy()), [3, 4])):
        np.testing.assert_array_equal(c.numpy(), r.numpy())
    vert = F.ten_crop(ember.tensor(a), 3, vertical_flip=True)
    np.testing.assert_array_equal(vert[5].numpy(), a[:, ::-1][:, :3, :3])
    pil = T.FiveCrop(3)(to_pil(a))
    np.testing.assert_array_equal(from_pil(pil[4]), a[:, 2:5, 3:6])
    with pytest.raises(ValueError, match="bigger than input size"):
        F.five_crop(ember.tensor(a), 8)
    assert repr(T.FiveCrop(3)) == "FiveCrop(size=(3, 3))"
    assert repr(T.TenCrop(3)) == "TenCrop(size=(3, 3), vertical_flip=False)"


# -- blur ----------------------------------------------------------------------------------------
def _torch_blur(torch, a, ksize, sigma):
    def k1(n, s):
        x = torch.linspace(-(n - 1) * 0.5, (n - 1) * 0.5, n)
        p = torch.exp(-0.5 * (x / s) ** 2)
        return p / p.sum()
    k = k1(ksize[1], sigma[1])[:, None] * k1(ksize[0], sigma[0])[None, :]
    x = torch.from_numpy(a).float().reshape(-1, a.shape[-3], *a.shape[-2:])
    c = x.shape[1]
    x = torch.nn.functional.pad(x, [ksize[0] // 2] * 2 + [ksize[1] // 2] * 2, mode="reflect")
    y = torch.nn.functional.conv2d(x, k.expand(c, 1, *k.shape), groups=c)
    return y.reshape(a.shape).numpy()


def test_gaussian_blur_against_conv2d(torch):
    a = img_f32(2, 3, 9, 10)
    out = F.gaussian_blur(ember.tensor(a), [5, 3], [1.5, 0.7])
    np.testing.assert_allclose(out.numpy(), _torch_blur(torch, a, [5, 3], [1.5, 0.7]),
                               atol=1e-6)
    # default sigma 0.15 * k + 0.35
    np.testing.assert_allclose(F.gaussian_blur(ember.tensor(a), 3).numpy(),
                               _torch_blur(torch, a, [3, 3], [0.8, 0.8]), atol=1e-6)
    u = img_u8(3, 8, 8)
    ref = np.round(_torch_blur(torch, u, [3, 3], [1.0, 1.0]))
    out = F.gaussian_blur(ember.tensor(u), 3, 1.0)
    assert out.dtype == ember.uint8
    assert np.abs(out.numpy() - ref).max() <= 1  # a .5 may round either way in float32
    pil = F.gaussian_blur(to_pil(u), 3, 1.0)
    np.testing.assert_array_equal(from_pil(pil), out.numpy())


def test_gaussian_blur_checks():
    t = ember.tensor(img_f32(1, 5, 5))
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(t, 2)
    with pytest.raises(ValueError, match="sigma should have positive values"):
        F.gaussian_blur(t, 3, 0.0)
    with pytest.raises(ValueError, match="odd and positive"):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match="of the form \\(min, max\\)"):
        T.GaussianBlur(3, sigma=(2, 1))


def test_gaussian_blur_transform():
    a = img_f32(3, 8, 8)
    gb = T.GaussianBlur((5, 3), sigma=(0.5, 2.0))
    ember.manual_seed(2)
    out = gb(ember.tensor(a))
    ember.manual_seed(2)
    s = T.GaussianBlur.get_params(0.5, 2.0)
    assert 0.5 <= s <= 2.0
    np.testing.assert_array_equal(out.numpy(),
                                  F.gaussian_blur(ember.tensor(a), [5, 3], [s, s]).numpy())
    # printed once with torchvision 0.28's reference copy
    assert repr(T.GaussianBlur(3)) == "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))"
    assert repr(T.GaussianBlur((5, 3), 2.0)) == ("GaussianBlur(kernel_size=(5, 3), "
                                                 "sigma=(2.0, 2.0))")


# -- reprs of older transforms -------------------------------------------------------------------
def test_resized_crop_and_rotation_reprs():
    # printed once with torchvision 0.28's reference copy
    assert repr(T.RandomResizedCrop(224)) == (
        "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
        "interpolation=bilinear, antialias=True)")
    assert repr(T.RandomRotation(10, center=(3, 4))) == (
        "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, "
        "center=(3, 4), fill=0)")
    assert repr(T.RandomRotation(10, fill=None)) == (
        "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)")


def test_pil_resize_warns_without_antialias():
    with pytest.warns(UserWarning, match="always applied for PIL"):
        F.resize(to_pil(img_u8(3, 8, 8)), [4, 4], antialias=False)
