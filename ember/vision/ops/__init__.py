"""ember.vision.ops: torchvision.ops' box utilities, detection losses, RoI pooling and layers."""
from .boxes import (batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image,
                    complete_box_iou, distance_box_iou, generalized_box_iou, masks_to_boxes, nms,
                    remove_small_boxes)
from .ciou_loss import complete_box_iou_loss
from .diou_loss import distance_box_iou_loss
from .drop_block import DropBlock2d, DropBlock3d, drop_block2d, drop_block3d
from .focal_loss import sigmoid_focal_loss
from .giou_loss import generalized_box_iou_loss
from .misc import (Conv2dNormActivation, Conv3dNormActivation, FrozenBatchNorm2d, MLP, Permute,
                   SqueezeExcitation)
from .roi_align import RoIAlign, roi_align
from .roi_pool import RoIPool, roi_pool
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "complete_box_iou", "distance_box_iou", "generalized_box_iou", "masks_to_boxes", "nms",
           "remove_small_boxes",
           "complete_box_iou_loss", "distance_box_iou_loss", "generalized_box_iou_loss",
           "sigmoid_focal_loss",
           "RoIAlign", "RoIPool", "roi_align", "roi_pool",
           "Conv2dNormActivation", "Conv3dNormActivation", "DropBlock2d", "DropBlock3d",
           "FrozenBatchNorm2d", "MLP", "Permute", "SqueezeExcitation", "StochasticDepth",
           "drop_block2d", "drop_block3d", "stochastic_depth"]
