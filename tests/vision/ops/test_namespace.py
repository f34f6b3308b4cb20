"""ember.vision.ops exposes torchvision.ops' names, in its modules."""
import ember
import ember.vision
from ember.vision import ops

TORCHVISION_NAMES = [
    "batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
    "complete_box_iou", "distance_box_iou", "generalized_box_iou", "masks_to_boxes", "nms",
    "remove_small_boxes", "complete_box_iou_loss", "distance_box_iou_loss",
    "generalized_box_iou_loss", "sigmoid_focal_loss", "roi_align", "RoIAlign", "roi_pool",
    "RoIPool", "stochastic_depth", "StochasticDepth", "FrozenBatchNorm2d",
    "Conv2dNormActivation", "Conv3dNormActivation", "SqueezeExcitation", "MLP", "Permute",
    "DropBlock2d", "drop_block2d", "DropBlock3d", "drop_block3d"]


def test_public_names():
    assert ember.vision.ops is ops and "ops" in ember.vision.__all__
    assert sorted(ops.__all__) == sorted(TORCHVISION_NAMES)
    for name in TORCHVISION_NAMES:
        assert callable(getattr(ops, name)), name


def test_torchvision_module_paths():
    from ember.vision.ops.boxes import batched_nms, box_iou, nms
    from ember.vision.ops.ciou_loss import complete_box_iou_loss
    from ember.vision.ops.diou_loss import distance_box_iou_loss
    from ember.vision.ops.drop_block import DropBlock2d
    from ember.vision.ops.focal_loss import sigmoid_focal_loss
    from ember.vision.ops.giou_loss import generalized_box_iou_loss
    from ember.vision.ops.misc import ConvNormActivation, FrozenBatchNorm2d
    from ember.vision.ops.roi_align import RoIAlign
    from ember.vision.ops.roi_pool import RoIPool
    from ember.vision.ops.stochastic_depth import StochasticDepth
    assert nms is ops.nms and batched_nms is ops.batched_nms and box_iou is ops.box_iou
    assert sigmoid_focal_loss is ops.sigmoid_focal_loss
    assert generalized_box_iou_loss is ops.generalized_box_iou_loss
    assert distance_box_iou_loss is ops.distance_box_iou_loss
    assert complete_box_iou_loss is ops.complete_box_iou_loss
    assert issubclass(ops.Conv2dNormActivation, ConvNormActivation)
    assert issubclass(ConvNormActivation, ember.nn.Sequential)
    assert (FrozenBatchNorm2d, RoIAlign, RoIPool, StochasticDepth, DropBlock2d) == (
        ops.FrozenBatchNorm2d, ops.RoIAlign, ops.RoIPool, ops.StochasticDepth, ops.DropBlock2d)
