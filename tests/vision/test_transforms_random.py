"""RandomApply, RandomChoice, RandomOrder, RandomErasing (with functional.erase) and
LinearTransformation: draws from ember's generator (so ember.manual_seed replays them), the
erased box by hand, and the reprs torchvision prints."""
import warnings

import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F


def img_f32(*shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


class Add:
    """A transform that adds a constant: the order of application shows in the result."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return x * 10 + self.k

    def __repr__(self):
        return f"Add({self.k})"


def test_random_apply():
    ra = T.RandomApply([Add(1), Add(2)], p=0.3)
    seen = set()
    for seed in range(20):
        ember.manual_seed(seed)
        out = ra(0)
        ember.manual_seed(seed)
        assert out == (12 if ember.rand(1).item() <= 0.3 else 0)  # all or nothing, in order
        seen.add(out)
    assert seen == {0, 12}
    assert repr(ra) == "RandomApply(\n    p=0.3\n    Add(1)\n    Add(2)\n)"


def test_random_choice_weights():
    rc = T.RandomChoice([Add(1), Add(2), Add(3)], p=[0.0, 1.0, 3.0])
    ember.manual_seed(0)
    counts = np.bincount([rc(0) for _ in range(400)], minlength=4)
    assert counts[1] == 0 and 60 < counts[2] < 140 and counts[2] + counts[3] == 400
    ember.manual_seed(3)
    first = [rc(0) for _ in range(10)]
    ember.manual_seed(3)
    assert [rc(0) for _ in range(10)] == first
    assert set(T.RandomChoice([Add(1), Add(2)])(0) for _ in range(40)) == {1, 2}
    assert repr(rc) == "RandomChoice(\n    Add(1)\n    Add(2)\n    Add(3)\n)(p=[0.0, 1.0, 3.0])"
    with pytest.raises(TypeError, match="Argument p should be a sequence"):
        T.RandomChoice([Add(1)], p=0.5)


def test_random_order():
    ro = T.RandomOrder([Add(1), Add(2), Add(3)])
    ember.manual_seed(1)
    outs = {ro(0) for _ in range(60)}
    assert outs == {123, 132, 213, 231, 312, 321}  # every order, each transform once
    ember.manual_seed(4)
    perm = ember.randperm(3).tolist()
    ember.manual_seed(4)
    assert ro(0) == int("".join(str(i + 1) for i in perm))
    assert repr(ro) == "RandomOrder(\n    Add(1)\n    Add(2)\n    Add(3)\n)"
    with pytest.raises(TypeError, match="should be a sequence"):
        T.RandomOrder(Add(1))


def test_erase():
    a = img_f32(3, 5, 6)
    t = ember.tensor(a)
    out = F.erase(t, 1, 2, 3, 2, ember.tensor([7.0, 8.0, 9.0])[:, None, None])
    ref = a.copy()
    ref[:, 1:4, 2:4] = np.array([7, 8, 9])[:, None, None]
    np.testing.assert_array_equal(out.numpy(), ref)
    np.testing.assert_array_equal(t.numpy(), a)  # not in place by default
    F.erase(t, 0, 0, 1, 1, 0.0, inplace=True)
    assert t.numpy()[:, 0, 0].tolist() == [0, 0, 0]
    with pytest.raises(TypeError, match="Tensor Image"):
        F.erase(a, 0, 0, 1, 1, 0)


@pytest.mark.parametrize("value", [0, (0.25, 0.5, 0.75), "random"])
def test_random_erasing(value):
    a = img_f32(2, 3, 20, 24)
    re_ = T.RandomErasing(p=1.0, scale=(0.1, 0.2), ratio=(0.5, 2.0), value=value)
    ember.manual_seed(9)
    out = re_(ember.tensor(a)).numpy()
    ember.manual_seed(9)
    ember.rand(1)  # the p draw
    v = None if value == "random" else [float(x) for x in np.atleast_1d(value)]
    i, j, h, w, fill = T.RandomErasing.get_params(ember.tensor(a), (0.1, 0.2), (0.5, 2.0), v)
    assert 0.1 * 480 - 24 <= h * w <= 0.2 * 480 + 24 and 0 < h < 20 and 0 < w < 24
    changed = np.argwhere((out != a).any((0, 1)))
    assert changed.min(0).tolist() == [i, j] and changed.max(0).tolist() == [i + h - 1,
                                                                          j + w - 1]
    box = out[..., i:i + h, j:j + w]
    if value == "random":
        assert fill.shape == (3, h, w) and fill.dtype == ember.float32
        np.testing.assert_array_equal(box, np.broadcast_to(fill.numpy(), box.shape))
    else:
        np.testing.assert_array_equal(box, np.broadcast_to(
            np.array(v, np.float32)[:, None, None], box.shape))


def test_random_erasing_checks_and_repr():
    x = ember.tensor(img_f32(3, 8, 8))
    assert T.RandomErasing(p=0.0)(x) is x
    u = ember.tensor(np.full((3, 8, 8), 200, np.uint8))
    out = T.RandomErasing(p=1.0, value=(1, 2, 3))(u)
    assert out.dtype == ember.uint8 and set(np.unique(out.numpy())) <= {1, 2, 3, 200}
    with pytest.raises(ValueError, match="number of input channels"):
        T.RandomErasing(p=1.0, value=(1, 2))(x)
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(ValueError, match="Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0, 2))
    with pytest.raises(ValueError, match="probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.warns(UserWarning, match="of kind \\(min, max\\)"):
        T.RandomErasing(ratio=(2, 1))
    # printed once with torchvision 0.28's reference copy
    assert repr(T.RandomErasing()) == ("RandomErasing(p=0.5, scale=(0.02, 0.33), "
                                       "ratio=(0.3, 3.3), value=0, inplace=False)")
    assert repr(T.RandomErasing(value="random")).endswith("value=random, inplace=False)")


def test_linear_transformation():
    a = img_f32(2, 3, 2, 2)
    rng = np.random.default_rng(1)
    m = rng.random((12, 12), dtype=np.float32)
    mean = rng.random(12, dtype=np.float32)
    lt = T.LinearTransformation(ember.tensor(m), ember.tensor(mean))
    out = lt(ember.tensor(a))
    ref = ((a.reshape(2, 12) - mean) @ m).reshape(a.shape)
    assert out.shape == (2, 3, 2, 2)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5)
    with pytest.raises(ValueError, match="should be square"):
        T.LinearTransformation(ember.tensor(m[:6]), ember.tensor(mean))
    with pytest.raises(ValueError, match="same dtype"):
        T.LinearTransformation(ember.tensor(m), ember.tensor(mean.astype(np.float64)))
    with pytest.raises(ValueError, match="incompatible shape"):
        lt(ember.tensor(img_f32(3, 2, 3)))
    # printed once with torchvision 0.28's reference copy
    eye = T.LinearTransformation(ember.eye(2), ember.zeros(2))
    assert repr(eye) == ("LinearTransformation(transformation_matrix=[[1.0, 0.0], [0.0, 1.0]], "
                         "mean_vector=[0.0, 0.0])")


def test_image_size_helpers():
    x = ember.zeros(2, 3, 5, 7)
    assert F.get_image_size(x) == [7, 5] and F.get_image_num_channels(x) == 3
    Image = pytest.importorskip("PIL.Image")
    img = Image.new("RGBA", (7, 5))
    assert F.get_image_size(img) == [7, 5] and F.get_image_num_channels(img) == 4


def test_transforms_namespace_lists_new_classes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("ConvertImageDtype", "RandomErasing", "RandomApply", "RandomChoice",
                     "RandomOrder", "RandomGrayscale", "GaussianBlur", "RandomAffine",
                     "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAutocontrast",
                     "RandomAdjustSharpness", "RandomEqualize", "FiveCrop", "TenCrop",
                     "LinearTransformation"):
            assert name in T.__all__ and callable(getattr(T, name))
