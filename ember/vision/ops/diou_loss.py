"""distance_box_iou_loss (Zheng et al., 2019)."""
from ._box_loss_terms import distance_loss_and_iou
from ._utils import reduce_loss, upcast_non_float

__all__ = ["distance_box_iou_loss"]


def distance_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
    """1 - IoU plus the squared distance of the centres over the squared diagonal of the
    enclosing box, for each pair boxes1[i], boxes2[i] (Tensor[N, 4] or Tensor[4], xyxy)."""
    loss, _ = distance_loss_and_iou(upcast_non_float(boxes1), upcast_non_float(boxes2), eps)
    return reduce_loss(loss, reduction, empty_mean_is_zero=True)
