"""generalized_box_iou_loss (Rezatofighi et al., 2019)."""
from ._box_loss_terms import enclosing_corners, intersection_and_union
from ._utils import reduce_loss, upcast_non_float

__all__ = ["generalized_box_iou_loss"]


def generalized_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
    """1 - generalized IoU of each pair boxes1[i], boxes2[i] (Tensor[N, 4] or Tensor[4], xyxy):
    it stays informative when the boxes do not overlap."""
    boxes1, boxes2 = upcast_non_float(boxes1), upcast_non_float(boxes2)
    inter, union = intersection_and_union(boxes1, boxes2)
    left, top, right, bottom = enclosing_corners(boxes1, boxes2)
    enclosing = (right - left) * (bottom - top)
    giou = inter / (union + eps) - (enclosing - union) / (enclosing + eps)
    return reduce_loss(1 - giou, reduction, empty_mean_is_zero=True)
