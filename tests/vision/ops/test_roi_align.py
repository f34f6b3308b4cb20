"""roi_align / RoIAlign against a one-bin-at-a-time float64 reference of torchvision's
algorithm, hand-computed values, and finite differences."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from ember.vision import ops

from . import _reference as ref


@pytest.mark.parametrize("sampling_ratio", [-1, 0, 1, 2, 3])
@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("output_size, spatial_scale", [((3, 3), 1.0), ((2, 4), 0.5)])
def test_roi_align_matches_reference(sampling_ratio, aligned, output_size, spatial_scale):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 9, 11))
    rois = ref.random_rois(rng, 12, 2, 9 / spatial_scale, 11 / spatial_scale)
    out = ops.roi_align(ember.tensor(x), ember.tensor(rois), output_size, spatial_scale,
                        sampling_ratio, aligned)
    assert out.shape == (12, 3) + output_size and out.dtype == ember.float64
    expected = ref.roi_align(x, rois, output_size, spatial_scale, sampling_ratio, aligned)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_roi_align_hand_computed_on_a_linear_image():
    # bilinear sampling reproduces a linear image, so each bin reads its centre's value
    x = 1 + ember.arange(16.0).reshape(1, 1, 4, 4)  # value = 1 + x + 4 y
    box = ember.tensor([[0.0, 1.0, 1.0, 3.0, 3.0]])
    # aligned: the box spans pixel centres 0.5 .. 2.5, bin centres at 1 and 2
    assert ops.roi_align(x, box, 2, aligned=True).tolist() == [[[[6.0, 7.0], [10.0, 11.0]]]]
    # legacy: the box spans 1 .. 3, bin centres at 1.5 and 2.5
    assert ops.roi_align(x, box, 2, sampling_ratio=2).tolist() == [[[[8.5, 9.5],
                                                                      [12.5, 13.5]]]]
    # one sample per roi, at its centre: up to `size` it reads the last pixel, down to -1 the
    # first; beyond, 0
    centres = [(3.75, 3.75), (4.0, 4.0), (4.25, 4.25), (-1.0, -1.0), (-1.25, 0.0), (1.0, 4.25)]
    rois = ember.tensor([[0.0, cx - 0.5, cy - 0.5, cx + 0.5, cy + 0.5] for cx, cy in centres])
    out = ops.roi_align(x, rois, 1, sampling_ratio=1).reshape(-1).tolist()
    assert out == [16.0, 16.0, 0.0, 1.0, 0.0, 0.0]


def test_roi_align_list_of_boxes_is_the_indexed_form():
    rng = np.random.default_rng(1)
    x = ember.tensor(rng.normal(size=(3, 2, 8, 8)))
    per_image = [ember.tensor(ref.random_boxes(rng, n)) for n in (2, 0, 3)]
    indexed = ember.tensor(np.concatenate(
        [np.concatenate([np.full((len(b), 1), i), b.numpy()], 1) for i, b in enumerate(per_image)]))
    for boxes in (per_image, tuple(per_image)):
        np.testing.assert_array_equal(ops.roi_align(x, boxes, 3, 0.5, 2).numpy(),
                                      ops.roi_align(x, indexed, 3, 0.5, 2).numpy())


@pytest.mark.parametrize("aligned", [False, True])
def test_roi_align_gradients(aligned):
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.normal(size=(2, 2, 6, 7)), requires_grad=True)
    rois = ember.tensor(ref.random_rois(rng, 5, 2, 6, 7))
    assert gradcheck(lambda v: ops.roi_align(v, rois, (2, 3), 1.0, -1, aligned), (x,))
    assert gradgradcheck(lambda v: ops.roi_align(v, rois, (2, 3), 1.0, 2, aligned), (x,))


def test_roi_align_backward_is_the_adjoint_of_the_reference():
    # <roi_align(x), g> = <x, grad>: the gradient is the reference map's transpose
    rng = np.random.default_rng(3)
    rois = ref.random_rois(rng, 6, 2, 5, 6)
    x = ember.zeros(2, 1, 5, 6, dtype=ember.float64, requires_grad=True)
    g = rng.normal(size=(6, 1, 2, 2))
    ops.roi_align(x, ember.tensor(rois), 2, 1.0, -1).backward(ember.tensor(g))
    basis = np.eye(60).reshape(60, 2, 1, 5, 6)
    expected = [np.sum(ref.roi_align(e, rois, (2, 2)) * g) for e in basis]
    np.testing.assert_allclose(x.grad.numpy().ravel(), expected, atol=1e-12)


def test_roi_align_float32_float16_and_grad_fn():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 4, 8, 8))
    rois = ref.random_rois(rng, 4, 1, 8, 8)
    expected = ref.roi_align(x, rois, (3, 3), 1.0, 2, True)
    for dtype, tol in ((ember.float32, 1e-5), (ember.float16, 2e-2)):
        out = ops.roi_align(ember.tensor(x, dtype=dtype), ember.tensor(rois, dtype=dtype), 3,
                            1.0, 2, True)
        assert out.dtype == dtype
        np.testing.assert_allclose(out.float().numpy(), expected, atol=tol, rtol=tol)
    xt = ember.tensor(x, dtype=ember.float32, requires_grad=True)
    out = ops.roi_align(xt, ember.tensor(rois, dtype=ember.float32), 3)
    assert type(out.grad_fn).__name__ == "RoiAlignBackward0"
    out.sum().backward()
    assert xt.grad.dtype == ember.float32 and xt.grad.shape == xt.shape


def test_roi_align_no_rois_and_rois_get_no_gradient():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    out = ops.roi_align(x, ember.zeros(0, 5), (2, 3))
    assert out.shape == (0, 2, 2, 3)
    out.sum().backward()
    assert x.grad.abs().sum().item() == 0
    rois = ember.tensor([[0.0, 0.5, 0.5, 3.0, 4.0]], requires_grad=True)
    ops.roi_align(x.detach(), rois, 2).sum().backward()
    assert rois.grad is None


def test_roi_align_module():
    layer = ops.RoIAlign((2, 3), spatial_scale=0.5, sampling_ratio=2, aligned=True)
    assert repr(layer) == ("RoIAlign(output_size=(2, 3), spatial_scale=0.5, sampling_ratio=2, "
                           "aligned=True)")
    assert repr(ops.RoIAlign(7, 1.0, -1)) == ("RoIAlign(output_size=7, spatial_scale=1.0, "
                                              "sampling_ratio=-1, aligned=False)")
    x = ember.randn(1, 2, 6, 6)
    boxes = [ember.tensor([[1.0, 1.0, 9.0, 7.0]])]
    np.testing.assert_array_equal(layer(x, boxes).numpy(),
                                  ops.roi_align(x, boxes, (2, 3), 0.5, 2, True).numpy())


def test_roi_align_errors():
    x = ember.randn(1, 2, 5, 5)
    with pytest.raises(AssertionError, match=r"not correct as Tensor\[K, 5\]"):
        ops.roi_align(x, ember.zeros(2, 4), 2)
    with pytest.raises(AssertionError, match=r"not correct as List\[Tensor\[L, 4\]\]"):
        ops.roi_align(x, [ember.zeros(2, 5)], 2)
    with pytest.raises(AssertionError, match="boxes is expected to be"):
        ops.roi_align(x, np.zeros((2, 5)), 2)
    with pytest.raises(RuntimeError, match="input should have the same type as rois"):
        ops.roi_align(x, ember.zeros(1, 5, dtype=ember.float64), 2)
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        ops.roi_align(x.long(), ember.zeros(1, 5, dtype=ember.int64), 2)
    with pytest.raises(RuntimeError, match="4-D"):
        ops.roi_align(x[0], ember.zeros(1, 5), 2)
    with pytest.raises(IndexError, match="batch index 1"):
        ops.roi_align(x, ember.tensor([[1.0, 0, 0, 2, 2]]), 2)


def test_roi_align_batch_index_is_truncated():
    x = ember.randn(2, 1, 5, 5)
    boxes = ember.tensor([[0.0, 0, 0, 3, 3], [1.0, 0, 0, 3, 3]])
    fractional = ember.tensor([[0.9, 0, 0, 3, 3], [1.99, 0, 0, 3, 3]])
    np.testing.assert_array_equal(ops.roi_align(x, fractional, 2).numpy(),
                                  ops.roi_align(x, boxes, 2).numpy())
