"""The ops on each device (CUDA where CuPy sees a GPU) against the float64 references."""
import numpy as np

import ember
from ember.vision import ops

from . import _reference as ref


def test_roi_ops_on_device(device):
    rng = np.random.default_rng(0)
    x_np = rng.normal(size=(2, 3, 8, 9))
    rois_np = ref.random_rois(rng, 7, 2, 8, 9)
    x = ember.tensor(x_np, device=device, requires_grad=True)
    rois = ember.tensor(rois_np, device=device)
    aligned = ops.roi_align(x, rois, (2, 3), 1.0, -1, True)
    pooled = ops.roi_pool(x, rois, (2, 3))
    assert aligned.device.type == device and pooled.device.type == device
    np.testing.assert_allclose(aligned.detach().cpu().numpy(),
                               ref.roi_align(x_np, rois_np, (2, 3), 1.0, -1, True), atol=1e-12)
    np.testing.assert_array_equal(pooled.detach().cpu().numpy(),
                                  ref.roi_pool(x_np, rois_np, (2, 3))[0])
    (aligned.sum() + pooled.sum()).backward()
    assert x.grad.device.type == device and x.grad.shape == x.shape


def test_box_ops_on_device(device):
    rng = np.random.default_rng(1)
    a_np, b_np = ref.random_boxes(rng, 6), ref.random_boxes(rng, 5)
    a, b = ember.tensor(a_np, device=device), ember.tensor(b_np, device=device)
    np.testing.assert_allclose(ops.complete_box_iou(a, b).cpu().numpy(),
                               ref.pairwise(ref.ciou, a_np, b_np), rtol=1e-12)
    scores = rng.random(6)
    keep = ops.nms(a, ember.tensor(scores, device=device), 0.2)
    assert keep.device.type == device and keep.cpu().tolist() == ref.nms(a_np, scores, 0.2)
    masks = ember.zeros(2, 4, 5, device=device)
    masks[0, 1:3, 2] = 1
    masks[1, 0, 4] = 1
    assert ops.masks_to_boxes(masks).cpu().tolist() == [[2, 1, 2, 2], [4, 0, 4, 0]]
