"""nms and batched_nms against the documented greedy algorithm (a plain reference)."""
import numpy as np
import pytest

import ember
from ember.vision import ops

from . import _reference as ref


def clustered_boxes(rng, n):
    """Boxes in a few clusters, so that many pairs overlap at various IoUs."""
    centres = rng.uniform(0, 30, (4, 2))[rng.integers(0, 4, n)]
    corner = centres + rng.normal(0, 2, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(2, 8, (n, 2))], 1)


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_nms_matches_greedy_reference(threshold, dtype):
    rng = np.random.default_rng(0)
    boxes, scores = clustered_boxes(rng, 60), rng.random(60)
    keep = ops.nms(ember.tensor(boxes, dtype=dtype), ember.tensor(scores, dtype=dtype), threshold)
    assert keep.dtype == ember.int64
    assert keep.tolist() == ref.nms(boxes, scores, threshold)
    assert 0 < len(keep) <= 60


def test_nms_hand_checked():
    boxes = ember.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10.]])
    scores = ember.tensor([0.8, 0.9, 0.5, 0.7])
    # IoU(0, 1) = 81 / 119 = 0.68: box 0 and its copy 3 fall to box 1 above 0.6, not above 0.7
    assert ops.nms(boxes, scores, 0.6).tolist() == [1, 2]
    assert ops.nms(boxes, scores, 0.7).tolist() == [1, 0, 2]
    # the IoU must exceed the threshold: identical boxes have IoU 1
    assert ops.nms(boxes, scores, 1.0).tolist() == [1, 0, 3, 2]


def test_nms_equal_scores_keep_input_order():
    boxes = ember.tensor([[0, 0, 10, 10], [20, 20, 30, 30], [0, 0, 10, 10], [20, 20, 30, 30.]])
    scores = ember.tensor([0.5, 0.5, 0.5, 0.5])
    assert ops.nms(boxes, scores, 0.5).tolist() == [0, 1]


def test_nms_empty_and_errors():
    keep = ops.nms(ember.zeros(0, 4), ember.zeros(0), 0.5)
    assert keep.shape == (0,) and keep.dtype == ember.int64
    with pytest.raises(RuntimeError, match="boxes should be a 2d tensor, got 1D"):
        ops.nms(ember.zeros(4), ember.zeros(1), 0.5)
    with pytest.raises(RuntimeError, match="boxes should have 4 elements in dimension 1, got 5"):
        ops.nms(ember.zeros(2, 5), ember.zeros(2), 0.5)
    with pytest.raises(RuntimeError, match="scores should be a 1d tensor, got 2D"):
        ops.nms(ember.zeros(2, 4), ember.zeros(2, 1), 0.5)
    with pytest.raises(RuntimeError, match="boxes and scores should have same number of elements "
                                           "in dimension 0, got 2 and 3"):
        ops.nms(ember.zeros(2, 4), ember.zeros(3), 0.5)
    with pytest.raises(RuntimeError, match="dets should have the same type as scores"):
        ops.nms(ember.zeros(2, 4), ember.zeros(2, dtype=ember.float64), 0.5)
    with pytest.raises(RuntimeError, match="\"nms_kernel\" not implemented for 'Long'"):
        ops.nms(ember.zeros(2, 4, dtype=ember.int64), ember.zeros(2, dtype=ember.int64), 0.5)


def batched_reference(boxes, scores, idxs, threshold):
    kept = []
    for category in np.unique(idxs):
        members = np.flatnonzero(idxs == category)
        kept += [members[i] for i in ref.nms(boxes[members], scores[members], threshold)]
    return sorted(kept, key=lambda i: (-scores[i], i))


@pytest.mark.parametrize("n", [40, 1200])  # below and above torchvision's 4000-coordinate switch
def test_batched_nms_matches_per_category_reference(n):
    rng = np.random.default_rng(1)
    boxes, scores = clustered_boxes(rng, n), rng.random(n)
    idxs = rng.integers(0, 3, n)
    keep = ops.batched_nms(ember.tensor(boxes), ember.tensor(scores), ember.tensor(idxs), 0.4)
    assert keep.dtype == ember.int64
    assert keep.tolist() == batched_reference(boxes, scores, idxs, 0.4)


def test_batched_nms_categories_do_not_suppress_each_other():
    boxes = ember.tensor([[0, 0, 10, 10], [0, 0, 10, 10], [1, 1, 10, 10.]])
    scores = ember.tensor([0.9, 0.8, 0.7])
    assert ops.batched_nms(boxes, scores, ember.tensor([0, 1, 0]), 0.5).tolist() == [0, 1]
    assert ops.batched_nms(boxes, scores, ember.tensor([0, 0, 0]), 0.5).tolist() == [0]
    empty = ops.batched_nms(ember.zeros(0, 4), ember.zeros(0), ember.zeros(0), 0.5)
    assert empty.shape == (0,) and empty.dtype == ember.int64
