"""ember.vision.transforms on ember tensors (..., C, H, W): each against NumPy references of
torchvision's tensor definitions, the PIL path where torchvision documents them as equal, and
torch's own kernels (interpolate, grid_sample) that torchvision's tensor path calls."""
import colorsys
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


def et(a):
    return ember.tensor(a)


def chw_to_pil(a):
    return Image.fromarray(np.ascontiguousarray(a.transpose(1, 2, 0)))


# -- geometry ------------------------------------------------------------------------------------
def test_crop_pads_outside_with_zeros():
    a = img_u8(3, 4, 5)
    out = F.crop(et(a), -1, 2, 3, 5)  # one row above, two columns past the right edge
    ref = np.zeros((3, 3, 5), np.uint8)
    ref[:, 1:, :3] = a[:, :2, 2:]
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), ref)
    big = F.center_crop(et(a), (6, 7))
    np.testing.assert_array_equal(big.numpy(), np.pad(a, ((0, 0), (1, 1), (1, 1))))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_modes(mode):
    a = img_u8(2, 3, 4, 5)  # a batch of two 3-channel images
    out = F.pad(et(a), [1, 2, 3, 1], fill=7, padding_mode=mode)  # left, top, right, bottom
    kw = {"constant_values": 7} if mode == "constant" else {}
    ref = np.pad(a, ((0, 0), (0, 0), (2, 1), (1, 3)), mode, **kw)
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), ref)
    pil = F.pad(chw_to_pil(a[0]), [1, 2, 3, 1], fill=7, padding_mode=mode)
    np.testing.assert_array_equal(out.numpy()[0], np.asarray(pil).transpose(2, 0, 1))


def test_pad_forms_and_errors():
    a = img_f32(1, 4, 5)
    np.testing.assert_array_equal(T.Pad(2)(et(a)).numpy(), np.pad(a, ((0, 0), (2, 2), (2, 2))))
    np.testing.assert_array_equal(F.pad(et(a), (1, 3), fill=0.5).numpy(),
                                  np.pad(a, ((0, 0), (3, 3), (1, 1)), constant_values=0.5))
    np.testing.assert_array_equal(F.pad(et(a[0]), 1, padding_mode="edge").numpy(),
                                  np.pad(a[0], 1, "edge"))  # (H, W) image
    np.testing.assert_array_equal(F.pad(et(a), [-1, 1, 0, -2], padding_mode="symmetric").numpy(),
                                  np.pad(a[:, :2, 1:], ((0, 0), (1, 0), (0, 0)), "symmetric"))
    np.testing.assert_array_equal(F.pad(et(a), [-1, 0, -2, 0]).numpy(), a[..., 1:-2])
    with pytest.raises(TypeError, match="Got inappropriate fill arg"):
        F.pad(et(a), 1, fill=(1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either"):
        F.pad(et(a), 1, padding_mode="wrap")


def test_random_crop_with_padding():
    a = img_u8(3, 6, 7)
    crop = T.RandomCrop(5, padding=2, padding_mode="reflect")
    ember.manual_seed(4)
    out = crop(et(a))
    ember.manual_seed(4)
    padded = np.pad(a, ((0, 0), (2, 2), (2, 2)), "reflect")
    i, j, h, w = T.RandomCrop.get_params(et(padded), (5, 5))
    np.testing.assert_array_equal(out.numpy(), padded[:, i:i + h, j:j + w])
    ember.manual_seed(4)
    pil = crop(chw_to_pil(a))  # same draws, same pixels as the PIL path
    np.testing.assert_array_equal(out.numpy(), np.asarray(pil).transpose(2, 0, 1))
    assert T.RandomCrop((8, 9), pad_if_needed=True)(et(a)).shape == (3, 8, 9)


def test_flips_match_pil():
    a = img_u8(3, 4, 5)
    for flip in (T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0)):
        np.testing.assert_array_equal(flip(et(a)).numpy(),
                                      np.asarray(flip(chw_to_pil(a))).transpose(2, 0, 1))


def _bilinear_ref(a, oh, ow):
    """Half-pixel-centred bilinear resampling (align_corners=False), by hand in float64."""
    h, w = a.shape[-2:]

    def plan(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        i0 = np.floor(src).astype(int)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, src - i0

    y0, y1, fy = plan(h, oh)
    x0, x1, fx = plan(w, ow)
    a = a.astype(np.float64)
    rows = a[..., y0, :] * (1 - fy)[:, None] + a[..., y1, :] * fy[:, None]
    return rows[..., x0] * (1 - fx) + rows[..., x1] * fx


def test_resize_bilinear_and_nearest():
    a = img_f32(2, 3, 6, 8)
    out = T.Resize((4, 5), antialias=False)(et(a))
    assert out.shape == (2, 3, 4, 5) and out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), _bilinear_ref(a, 4, 5), rtol=1e-5, atol=1e-6)
    near = F.resize(et(a), [3, 16], interpolation=T.InterpolationMode.NEAREST)
    rows, cols = np.floor(np.arange(3) * 6 / 3).astype(int), np.arange(16) // 2
    np.testing.assert_array_equal(near.numpy(), a[..., rows[:, None], cols])
    u = img_u8(3, 6, 8)
    up = F.resize(et(u), [9, 12])
    assert up.dtype == ember.uint8  # computed in float32, rounded back
    via_float = F.resize(et(u.astype(np.float32)), [9, 12]).numpy()
    np.testing.assert_array_equal(up.numpy(), np.round(via_float).astype(np.uint8))
    assert np.abs(up.numpy() - _bilinear_ref(u, 9, 12)).max() <= 0.5 + 1e-4


def test_resize_sizes(torch):
    a = img_f32(3, 6, 9)
    assert F.resize(et(a), 4).shape == (3, 4, 6)  # smaller edge to 4
    assert F.resize(et(a), [3]).shape == (3, 3, 4)
    assert F.resize(et(a), 4, max_size=5).shape == (3, 3, 5)  # long edge capped
    t = et(a)
    assert F.resize(t, 6) is t
    with pytest.raises(ValueError, match="max_size"):
        F.resize(t, [3, 3], max_size=9)
    ref = torch.nn.functional.interpolate(torch.from_numpy(a)[None], size=(4, 6),
                                          mode="bilinear", align_corners=False,
                                          antialias=True)[0]
    np.testing.assert_allclose(F.resize(t, 4).numpy(), ref.numpy(), rtol=1e-6, atol=1e-7)


def _aa_halve_ref(a):
    """Antialiased bilinear halving by hand: the triangle filter stretched to the output's
    pixel spacing weighs input rows/columns 2i-1 .. 2i+2 as 1, 3, 3, 1 (renormalised where
    the window leaves the image)."""
    def halve(x, axis):
        x = np.moveaxis(x.astype(np.float64), axis, -1)
        n = x.shape[-1]
        out = []
        for i in range(n // 2):
            idx = [j for j in range(2 * i - 1, 2 * i + 3) if 0 <= j < n]
            wts = np.array([(1, 3, 3, 1)[j - 2 * i + 1] for j in idx], np.float64)
            out.append((x[..., idx] * wts).sum(-1) / wts.sum())
        return np.moveaxis(np.stack(out, -1), -1, axis)
    return halve(halve(a, -1), -2)


def test_resize_antialias_default():
    a = img_f32(2, 3, 8, 10)
    ref = _aa_halve_ref(a)
    for out in (F.resize(et(a), [4, 5]), T.Resize((4, 5))(et(a)),
                F.resized_crop(et(a), 0, 0, 8, 10, [4, 5])):
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6)
    plain = F.resize(et(a), [4, 5], antialias=False).numpy()
    np.testing.assert_allclose(plain, _bilinear_ref(a, 4, 5), rtol=1e-5, atol=1e-6)
    assert np.abs(plain - ref).max() > 0.05  # the two really differ on noise
    none = F.resize(et(a), [4, 5], antialias=None).numpy()  # legacy None: no antialiasing
    np.testing.assert_array_equal(none, plain)
    u = img_u8(3, 8, 10)
    out = F.resize(et(u), [4, 5])
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), np.round(_aa_halve_ref(u.astype(np.float32))))
    # nearest ignores the flag rather than refusing it
    near = F.resize(et(a), [4, 5], interpolation=T.InterpolationMode.NEAREST, antialias=True)
    np.testing.assert_array_equal(near.numpy(), a[..., ::2, ::2])


def test_resize_bicubic(torch):
    a = img_f32(3, 9, 11)
    t = torch.from_numpy(a)[None]
    mode = T.InterpolationMode.BICUBIC
    for size, aa in (([4, 5], True), ([4, 5], False), ([15, 20], True)):
        ref = torch.nn.functional.interpolate(t, size=size, mode="bicubic",
                                              align_corners=False, antialias=aa)[0]
        out = F.resize(et(a), size, mode, antialias=aa)
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    # The cubic kernel overshoots on a checkerboard: uint8 clamps to [0, 255] before the cast
    # (a wrapped cast would turn -20 into 236).
    board = (np.indices((6, 6)).sum(0) % 2 * 255).astype(np.uint8)[None]
    up = F.resize(et(board), [15, 15], mode).numpy()
    via_float = F.resize(et(board.astype(np.float32)), [15, 15], mode).numpy()
    assert via_float.min() < -1 and via_float.max() > 256
    np.testing.assert_array_equal(up, np.round(np.clip(via_float, 0, 255)).astype(np.uint8))


def test_resize_close_to_pil_when_upscaling():
    a = img_u8(3, 8, 10, seed=1)
    out = F.resize(et(a), [16, 20]).numpy().astype(int)
    pil = np.asarray(F.resize(chw_to_pil(a), [16, 20])).transpose(2, 0, 1).astype(int)
    assert np.abs(out - pil).max() <= 1  # same filter when not shrinking; rounding may differ


def test_random_resized_crop():
    a = img_f32(2, 3, 12, 10)
    rrc = T.RandomResizedCrop(5, scale=(0.3, 0.9))
    ember.manual_seed(7)
    out = rrc(et(a))
    ember.manual_seed(7)
    i, j, h, w = T.RandomResizedCrop.get_params(et(a), (0.3, 0.9), (3 / 4, 4 / 3))
    ref = F.resize(et(np.ascontiguousarray(a[..., i:i + h, j:j + w])), [5, 5])
    assert out.shape == (2, 3, 5, 5)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    ember.manual_seed(7)
    np.testing.assert_array_equal(rrc(et(a)).numpy(), out.numpy())  # reproducible
    assert rrc(et(img_u8(3, 12, 10))).dtype == ember.uint8


# -- rotation ------------------------------------------------------------------------------------
def test_rotate_right_angles_exact():
    a = img_u8(2, 3, 5, 5)
    np.testing.assert_array_equal(F.rotate(et(a), 90.0).numpy(), np.rot90(a, 1, axes=(-2, -1)))
    np.testing.assert_array_equal(F.rotate(et(a), 180.0).numpy(), a[..., ::-1, ::-1])
    r = img_f32(1, 4, 6)  # expand swaps the sides of a quarter turn
    np.testing.assert_array_equal(F.rotate(et(r), -90.0, expand=True).numpy(),
                                  np.rot90(r, -1, axes=(-2, -1)))


def _torch_rotate(torch, a, angle, mode, expand_size=None, fill=None):
    """torchvision's tensor rotate written with torch's grid_sample: the reference kernel."""
    return _torch_rotate_tensor(torch, torch.from_numpy(a).float(), angle, mode, expand_size,
                                fill).numpy()


def _torch_rotate_tensor(torch, image, angle, mode, expand_size=None, fill=None):
    x = image[None]
    h, w = image.shape[-2:]
    ow, oh = expand_size or (w, h)
    rot = math.radians(-angle)
    theta = torch.tensor([[math.cos(rot), math.sin(rot), 0.0],
                          [-math.sin(rot), math.cos(rot), 0.0]])
    xs = torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow)
    ys = torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh)
    base = torch.stack([xs.expand(oh, ow), ys[:, None].expand(oh, ow), torch.ones(oh, ow)], -1)
    grid = (base.view(1, -1, 3) @ (theta.T / torch.tensor([0.5 * w, 0.5 * h]))).view(1, oh, ow, 2)
    if fill is not None:
        x = torch.cat([x, torch.ones(1, 1, h, w)], 1)
    y = torch.nn.functional.grid_sample(x, grid, mode=mode, padding_mode="zeros",
                                        align_corners=False)
    if fill is not None:
        mask, y = y[:, -1:], y[:, :-1]
        f = torch.tensor(fill).view(1, -1, 1, 1).expand_as(y)
        y = torch.where(mask < 0.5, f, y) if mode == "nearest" else y * mask + (1 - mask) * f
    return y[0]


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_rotate_against_grid_sample(torch, mode):
    a = img_f32(3, 7, 9)
    interp = T.InterpolationMode(mode)
    out = F.rotate(et(a), 33.0, interpolation=interp)
    np.testing.assert_allclose(out.numpy(), _torch_rotate(torch, a, 33.0, mode), atol=1e-5)
    fill = [0.2, 0.5, 0.9]
    out = F.rotate(et(a), -20.0, interpolation=interp, expand=True, fill=fill)
    # corners of the 9 x 7 image rotated 20 degrees span x in [-0.93, 9.93] and y in
    # [-1.33, 8.33]: ceil(max) - floor(min) = 11 both ways
    ref = _torch_rotate(torch, a, -20.0, mode, expand_size=(11, 11), fill=fill)
    assert out.shape == (3, 11, 11)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_rotate_is_differentiable(torch, mode):
    # torchvision rotates float images through grid_sample, so gradients reach the image
    a = np.random.default_rng(3).random((2, 5, 6))
    interp = T.InterpolationMode(mode)
    x = ember.tensor(a, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.rotate(t, 25.0, interp, fill=[0.3, 0.7]), (x,))
    a32 = a.astype(np.float32)
    x = ember.tensor(a32, requires_grad=True)
    F.rotate(x, -20.0, interp, expand=True, fill=[0.3, 0.7]).square().sum().backward()
    t = torch.tensor(a32, requires_grad=True)
    _torch_rotate_tensor(torch, t, -20.0, mode, expand_size=(8, 7),
                         fill=[0.3, 0.7]).square().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-5)


def test_rotate_center_and_errors():
    a = img_f32(1, 5, 5)
    # about the top-left pixel's centre a quarter turn counter-clockwise lays column 0 along
    # row 0, and what lands below that pixel comes from outside the image
    out = F.rotate(et(a), 90.0, center=[0.5, 0.5]).numpy()
    np.testing.assert_array_equal(out[0, 0], a[0, :, 0])
    assert out[0, 1:].max() == 0
    with pytest.raises(ValueError, match="unsupported with Tensor input"):
        F.rotate(et(a), 10.0, interpolation=T.InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match="cannot broadcast"):
        F.rotate(et(img_f32(3, 4, 4)), 10.0, fill=[1.0, 2.0])


def test_rotate_close_to_pil():
    a = img_u8(3, 16, 16, seed=2)
    out = F.rotate(et(a), 25.0).numpy()
    pil = np.asarray(F.rotate(chw_to_pil(a), 25.0)).transpose(2, 0, 1)
    assert (out != pil).mean() < 0.05  # nearest on the same grid: a few edge pixels differ


def test_random_rotation():
    a = img_u8(2, 3, 8, 8)
    rot = T.RandomRotation(30, interpolation=T.InterpolationMode.BILINEAR, fill=9)
    ember.manual_seed(11)
    out = rot(et(a))
    ember.manual_seed(11)
    angle = T.RandomRotation.get_params(rot.degrees)
    ref = F.rotate(et(a), angle, T.InterpolationMode.BILINEAR, fill=[9.0] * 3)
    assert out.dtype == ember.uint8 and out.shape == (2, 3, 8, 8)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    corner = T.RandomRotation((45, 45), fill=9)(et(a))  # the corners leave the image
    assert (corner.numpy()[..., 0, 0] == 9).all()


# -- colour --------------------------------------------------------------------------------------
def _gray_ref(a):
    w = np.float32([0.2989, 0.587, 0.114])
    g = (a.astype(np.float32) * w[:, None, None]).sum(-3, keepdims=True, dtype=np.float32)
    return g.astype(a.dtype)


def test_grayscale():
    a = img_u8(2, 3, 4, 5)
    one = T.Grayscale()(et(a))
    assert one.shape == (2, 1, 4, 5) and one.dtype == ember.uint8
    np.testing.assert_array_equal(one.numpy(), _gray_ref(a))
    three = T.Grayscale(3)(et(a)).numpy()
    np.testing.assert_array_equal(three, np.broadcast_to(_gray_ref(a), a.shape))
    f = img_f32(3, 4, 5)
    np.testing.assert_allclose(F.rgb_to_grayscale(et(f)).numpy(), _gray_ref(f), rtol=1e-6)
    pil = np.asarray(T.Grayscale()(chw_to_pil(a[0]))).astype(int)
    assert np.abs(one.numpy()[0, 0].astype(int) - pil).max() <= 1  # PIL rounds, tensors truncate
    g = et(a[:, :1])
    assert T.Grayscale()(g).tolist() == g.tolist()
    with pytest.raises(TypeError, match="permitted channel values are"):
        T.Grayscale()(et(img_u8(4, 3, 3)))
    with pytest.raises(ValueError, match="num_output_channels should be either 1 or 3"):
        F.rgb_to_grayscale(et(a), 2)


def _blend_ref(a, b, ratio):
    bound = 255 if a.dtype == np.uint8 else 1
    out = np.float32(ratio) * a.astype(np.float32) + np.float32(1 - ratio) * b
    return np.clip(out, 0, bound).astype(a.dtype)


def test_brightness_contrast_saturation():
    for a in (img_u8(3, 4, 5), img_f32(3, 4, 5)):
        np.testing.assert_allclose(F.adjust_brightness(et(a), 1.3).numpy(),
                                   _blend_ref(a, np.float32(0), 1.3), atol=1e-6)
        mean = _gray_ref(a).astype(np.float32).mean()
        np.testing.assert_allclose(F.adjust_contrast(et(a), 0.6).numpy(),
                                   _blend_ref(a, mean, 0.6), atol=1e-6)
        np.testing.assert_allclose(F.adjust_saturation(et(a), 1.7).numpy(),
                                   _blend_ref(a, _gray_ref(a), 1.7), atol=1e-6)
        assert F.adjust_saturation(et(a), 1.7).dtype == et(a).dtype
    batch = img_u8(2, 3, 4, 5)  # contrast takes each image's own mean
    out = F.adjust_contrast(et(batch), 0.5).numpy()
    np.testing.assert_array_equal(out[1], F.adjust_contrast(et(batch[1]), 0.5).numpy())
    g = img_f32(1, 3, 3)
    assert F.adjust_saturation(et(g), 0.0).tolist() == et(g).tolist()
    with pytest.raises(ValueError, match="is not non-negative"):
        F.adjust_contrast(et(g), -0.5)


def _hue_ref(a, factor):
    """The hue shift pixel by pixel through the standard library's HSV conversions."""
    x = a.astype(np.float64) / (255 if a.dtype == np.uint8 else 1)
    out = np.empty_like(x)
    for i in range(x.shape[-2]):
        for j in range(x.shape[-1]):
            h, s, v = colorsys.rgb_to_hsv(*x[:, i, j])
            out[:, i, j] = colorsys.hsv_to_rgb((h + factor) % 1.0, s, v)
    return out


def test_adjust_hue():
    f = img_f32(3, 4, 5)
    for factor in (0.25, -0.4, 0.0):
        np.testing.assert_allclose(F.adjust_hue(et(f), factor).numpy(), _hue_ref(f, factor),
                                   atol=1e-5)
    u = img_u8(3, 4, 5)
    out = F.adjust_hue(et(u), 0.1)
    assert out.dtype == ember.uint8
    # torchvision's float->uint8 conversion: * 255.999, truncated
    ref = (_hue_ref(u, 0.1) * (256 - 1e-3)).astype(np.uint8)
    assert np.abs(out.numpy().astype(int) - ref).max() <= 1
    gray = et(img_u8(1, 2, 2))
    assert F.adjust_hue(gray, 0.3) is gray
    with pytest.raises(ValueError, match=r"is not in \[-0.5, 0.5\]"):
        F.adjust_hue(et(f), 0.6)


def test_color_jitter():
    a = img_u8(2, 3, 6, 6)
    jitter = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    ember.manual_seed(3)
    out = jitter(et(a))
    assert out.dtype == ember.uint8 and out.shape == a.shape
    ember.manual_seed(3)
    order, b, c, s, h = T.ColorJitter.get_params(jitter.brightness, jitter.contrast,
                                                 jitter.saturation, jitter.hue)
    ref = et(a)
    fns = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
    for k in order:
        ref = fns[k](ref, (b, c, s, h)[k])
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    ember.manual_seed(3)
    np.testing.assert_array_equal(jitter(et(a)).numpy(), out.numpy())
    f = img_f32(3, 5, 5)
    fout = T.ColorJitter(brightness=(2.0, 2.0))(et(f)).numpy()
    assert fout.dtype == np.float32 and fout.max() <= 1.0  # clamped to the float range


@pytest.mark.parametrize("transform", [
    T.Resize((3, 4)), T.Pad((1, 2), padding_mode="symmetric"), T.CenterCrop(3),
    T.RandomRotation((20, 20), interpolation=T.InterpolationMode.BILINEAR, expand=True),
    T.Grayscale(3), T.ColorJitter(brightness=(1.2, 1.2), contrast=(0.7, 0.7),
                                  saturation=(1.5, 1.5), hue=(0.2, 0.2))],
    ids=lambda t: type(t).__name__)
def test_leading_dims_are_a_batch(transform):
    a = img_u8(2, 2, 3, 5, 6)  # (..., C, H, W) with two leading dims
    ember.manual_seed(0)
    out = transform(et(a)).numpy()
    for i in range(2):
        for j in range(2):
            ember.manual_seed(0)
            np.testing.assert_array_equal(out[i, j], transform(et(a[i, j])).numpy())
    assert out.dtype == np.uint8
