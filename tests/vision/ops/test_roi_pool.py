"""roi_pool / RoIPool against a one-bin-at-a-time float64 reference of torchvision's algorithm,
hand-computed values, and finite differences."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.vision import ops
from ember.vision.ops import _roi_common

from . import _reference as ref


@pytest.mark.parametrize("output_size, spatial_scale", [((3, 3), 1.0), ((2, 4), 0.5),
                                                        ((5, 1), 0.25)])
def test_roi_pool_matches_reference(output_size, spatial_scale):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 9, 11))
    rois = ref.random_rois(rng, 15, 2, 9 / spatial_scale, 11 / spatial_scale)
    out = ops.roi_pool(ember.tensor(x), ember.tensor(rois), output_size, spatial_scale)
    assert out.shape == (15, 3) + output_size and out.dtype == ember.float64
    expected, _ = ref.roi_pool(x, rois, output_size, spatial_scale)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_roi_pool_hand_computed():
    x = ember.arange(16.0).reshape(1, 1, 4, 4)
    # the whole image: four 2 x 2 bins
    boxes = ember.tensor([[0.0, 0.0, 0.0, 3.0, 3.0], [0.0, 0.5, 0.5, 2.5, 2.5]])
    out = ops.roi_pool(x, boxes, 2).tolist()
    assert out[0] == [[[5.0, 7.0], [13.0, 15.0]]]
    # corners round half away from zero (0.5 -> 1, 2.5 -> 3, not to even): pixels 1..3, bins
    # 1.5 wide covering [1, 3) and [2, 4), overlapping on the middle row and column
    assert out[1] == [[[10.0, 11.0], [14.0, 15.0]]]
    # a 1 x 1 roi spreads over every bin; a roi off the image gives empty bins, 0
    small = ember.tensor([[0.0, 1.0, 2.0, 1.0, 2.0], [0.0, 9.0, 9.0, 12.0, 12.0]])
    assert ops.roi_pool(x, small, 2).tolist() == [[[[9.0, 9.0], [9.0, 9.0]]],
                                                  [[[0.0, 0.0], [0.0, 0.0]]]]


def test_roi_pool_gradient_goes_to_the_first_maximum():
    x = ember.tensor([[[[1.0, 3.0, 3.0], [3.0, 0.0, 3.0], [2.0, 2.0, 2.0]]]], requires_grad=True)
    out = ops.roi_pool(x, ember.tensor([[0.0, 0.0, 0.0, 2.0, 2.0]]), 1)
    assert out.item() == 3.0
    out.backward()
    expected = np.zeros((3, 3))
    expected[0, 1] = 1.0  # the first 3 in row-major order
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)


def test_roi_pool_nan_and_very_negative_values():
    big = float(np.finfo(np.float32).max)
    x = ember.tensor([[[[np.nan, -np.inf], [-2.0, np.nan]]], [[[-np.inf, -big], [-np.inf,
                                                                                  -np.inf]]]],
                     requires_grad=True)
    rois = ember.tensor([[0.0, 0, 0, 1, 1], [1.0, 0, 0, 1, 1]])
    out = ops.roi_pool(x, rois, 1)
    # NaN never wins; a bin of values at or below -FLT_MAX stays at -FLT_MAX, no gradient
    np.testing.assert_array_equal(out.detach().numpy().ravel(), [-2.0, -big])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy().ravel(), [0, 0, 1, 0, 0, 0, 0, 0])


def test_roi_pool_gradients_match_reference_argmax():
    rng = np.random.default_rng(1)
    x_np = rng.normal(size=(2, 2, 6, 7))
    rois = ref.random_rois(rng, 6, 2, 6, 7)
    x = ember.tensor(x_np, requires_grad=True)
    g = rng.normal(size=(6, 2, 2, 3))
    ops.roi_pool(x, ember.tensor(rois), (2, 3)).backward(ember.tensor(g))
    _, argmax = ref.roi_pool(x_np, rois, (2, 3))
    expected = np.zeros_like(x_np)
    for (k, c, i, j), a in np.ndenumerate(argmax):
        if a >= 0:
            expected[int(rois[k, 0]), c].flat[a] += g[k, c, i, j]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-15)
    assert gradcheck(lambda v: ops.roi_pool(v, ember.tensor(rois), (2, 3)), (x,))
    assert gradgradcheck(lambda v: ops.roi_pool(v, ember.tensor(rois), (2, 3)), (x,))


def test_roi_pool_in_bounded_chunks(monkeypatch):
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.normal(size=(2, 3, 9, 9)), requires_grad=True)
    rois = ember.tensor(ref.random_rois(rng, 9, 2, 9, 9))
    whole = ops.roi_pool(x, rois, 2)
    (grad,) = ember.autograd.grad(whole.sum(), x)
    monkeypatch.setattr(_roi_common, "CHUNK_ELEMENTS", 30)
    chunked = ops.roi_pool(x, rois, 2)
    (chunked_grad,) = ember.autograd.grad(chunked.sum(), x)
    np.testing.assert_array_equal(chunked.detach().numpy(), whole.detach().numpy())
    np.testing.assert_array_equal(chunked_grad.numpy(), grad.numpy())


def test_roi_pool_module_list_boxes_and_float32():
    layer = ops.RoIPool((2, 2), 0.5)
    assert repr(layer) == "RoIPool(output_size=(2, 2), spatial_scale=0.5)"
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, 6, 6)).astype(np.float32)
    boxes = [ember.tensor(ref.random_boxes(rng, 2), dtype=ember.float32),
             ember.tensor(ref.random_boxes(rng, 1), dtype=ember.float32)]
    out = layer(ember.tensor(x), boxes)
    assert out.dtype == ember.float32 and out.shape == (3, 2, 2, 2)
    rois = np.concatenate([np.array([[0], [0], [1]]), np.concatenate([b.numpy() for b in boxes])],
                          1)
    expected, _ = ref.roi_pool(x.astype(np.float64), rois.astype(np.float32), (2, 2), 0.5)
    np.testing.assert_array_equal(out.numpy(), expected.astype(np.float32))


def test_roi_pool_errors():
    x = ember.randn(1, 2, 5, 5)
    with pytest.raises(RuntimeError, match="input and rois must have the same dtype"):
        ops.roi_pool(x, ember.zeros(1, 5, dtype=ember.float64), 2)
    with pytest.raises(RuntimeError, match="roi_pool only supports float and double types"):
        ops.roi_pool(x.half(), ember.zeros(1, 5, dtype=ember.float16), 2)
    with pytest.raises(AssertionError, match=r"Tensor\[K, 5\]"):
        ops.roi_pool(x, ember.zeros(1, 4), 2)
